/**
 * A token that cannot wrap with RSA-OAEP: every cloud's import scheme starts with RSA-OAEP under the cloud's wrapping
 * key, so the token key is refused when it is resolved (the providers' Check, i.e. `pulumi preview`), not at Create
 * after the cloud's import token was fetched. SoftHSM2 lists CKM_RSA_PKCS_OAEP, so the two tokens without it are
 * SoftHSM2 sessions on one token whose mechanism list lacks it, or whose C_WrapKey refuses it for both hashes.
 */
import { Pkcs11KeyAbsent, sealedTokenKey } from "../sdk/byok/pkcs11/key";
import { Pkcs11SourceError } from "../sdk/byok/pkcs11/module";
import { openTokenSession, TokenSession } from "../sdk/byok/pkcs11/session";
import { parsePkcs11Uri } from "../sdk/byok/pkcs11/uri";
import { materialKindFor } from "../sdk/byok/wrap";
import { describeWithSoftHsm, knownMaterial, makeToken, putKey, TestToken } from "./support/softhsm";
import { thrownMessage } from "./support/thrown";

const PIN = "kf-mechanisms-pin-5802";
const TOKEN = "kf-mechanisms";
const WHERE = `key material from PKCS#11 object "aes" in token "${TOKEN}"`;

describeWithSoftHsm("a token without RSA-OAEP (SoftHSM2 sessions with OAEP taken away)", () => {
    let token: TestToken;
    const sessions: TokenSession[] = [];

    beforeAll(() => {
        token = makeToken(TOKEN, PIN);
        putKey(token, "aes", knownMaterial("AES_256"));
    });
    afterAll(() => {
        for (const s of sessions) s.close();
        token?.remove();
    });

    function session(object = "aes") {
        const { uri } = parsePkcs11Uri(`pkcs11:token=${TOKEN};object=${object}?pin-value=${PIN}`, { allowPinValue: true });
        const t = openTokenSession(uri!, WHERE, PIN);
        sessions.push(t);
        return { t, uri: uri! };
    }
    const errorOf = (f: () => unknown): string => thrownMessage(f, Pkcs11SourceError);
    const kind = materialKindFor("AES_256");

    test("CKM_RSA_PKCS_OAEP not in the mechanism list: refused when the key is resolved, naming the source and the mechanism", () => {
        const { t, uri } = session();
        const mechanisms = new Set([...t.mechanisms].filter((m) => m !== t.p11.CKM_RSA_PKCS_OAEP));
        expect(errorOf(() => sealedTokenKey({ ...t, mechanisms }, uri, kind, WHERE))).toBe(
            `${WHERE}: the token cannot wrap with RSA-OAEP (CKM_RSA_PKCS_OAEP is not in its mechanism list), which every cloud's import scheme needs (allowed: a token with CKM_RSA_PKCS_OAEP, SHA-1 or SHA-256)`,
        );
    });

    test("a key to generate at deploy time (absent from the token now) is refused the same way, before it is looked for", () => {
        const { t, uri } = session("to-generate");
        const mechanisms = new Set([...t.mechanisms].filter((m) => m !== t.p11.CKM_RSA_PKCS_OAEP));
        const absent = `key material from PKCS#11 object "to-generate" in token "${TOKEN}"`;
        expect(errorOf(() => sealedTokenKey({ ...t, mechanisms }, uri, kind, absent))).toBe(
            `${absent}: the token cannot wrap with RSA-OAEP (CKM_RSA_PKCS_OAEP is not in its mechanism list), which every cloud's import scheme needs (allowed: a token with CKM_RSA_PKCS_OAEP, SHA-1 or SHA-256)`,
        );
        // With OAEP, the same absent key is Pkcs11KeyAbsent (which `generate: true` turns into "create it at deploy").
        expect(() => sealedTokenKey(t, uri, kind, absent)).toThrow(Pkcs11KeyAbsent);
    });

    test("CKM_RSA_PKCS_OAEP listed but refused with SHA-1 and SHA-256: refused the same way", () => {
        const { t, uri } = session();
        const p11 = t.p11 as any;
        let oaepWraps = 0;
        const lib = new Proxy(t.lib, {
            get(target, prop, receiver) {
                if (prop === "C_WrapKey") {
                    return (s: Buffer, mech: { mechanism: number }, ...rest: unknown[]) => {
                        if (mech.mechanism === p11.CKM_RSA_PKCS_OAEP) {
                            oaepWraps++;
                            throw new p11.Pkcs11Error(`CKR_MECHANISM_PARAM_INVALID:${p11.CKR_MECHANISM_PARAM_INVALID}`, p11.CKR_MECHANISM_PARAM_INVALID, "C_WrapKey");
                        }
                        return (target.C_WrapKey as any)(s, mech, ...rest);
                    };
                }
                const v = Reflect.get(target, prop, receiver);
                return typeof v === "function" ? v.bind(target) : v;
            },
        });
        // What a token's OAEP can do is probed once per token (module and serial) and remembered: another serial, so
        // that this case is probed and the real token's answer (the last case) is not taken from the memo.
        expect(errorOf(() => sealedTokenKey({ ...t, lib, tokenSerial: `${t.tokenSerial}-refusing` }, uri, kind, WHERE))).toBe(
            `${WHERE}: the token cannot wrap with RSA-OAEP (CKM_RSA_PKCS_OAEP is listed but refused both SHA-1 and SHA-256), which every cloud's import scheme needs (allowed: a token with CKM_RSA_PKCS_OAEP, SHA-1 or SHA-256)`,
        );
        expect(oaepWraps).toBe(2); // one probe per hash
    });

    test("the same token as SoftHSM2 has it: resolved, with its SHA-1 OAEP", () => {
        const { t, uri } = session();
        const m = sealedTokenKey(t, uri, kind, WHERE);
        expect(m.oaepHashes).toEqual(["sha1"]);
        expect(m.length).toBe(32);
    });
});
