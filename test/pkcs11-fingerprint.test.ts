/**
 * Fingerprints of secret keys in a token that refuses C_DigestKey (as real HSMs do on sensitive keys): the session
 * layer's library is wrapped so that C_DigestKey fails with the code a real HSM answers (everything else is SoftHSM2's),
 * and the fingerprint falls back to a MAC the token computes with the key over a fixed, domain-separated message:
 * HMAC-SHA256 for an HMAC key, AES-CMAC for an AES key, each checked against an independent computation with the
 * test-known material. A key that may not sign is a clear error naming the source and what the token refused.
 */
import * as crypto from "crypto";
import { fingerprint } from "../sdk/crypto/material";
import { TOKEN_MAC_MESSAGE, tokenFingerprint } from "../sdk/byok/pkcs11/fingerprint";
import { findTokenKey, sealedTokenKey } from "../sdk/byok/pkcs11/key";
import { Pkcs11SourceError } from "../sdk/byok/pkcs11/module";
import { openTokenSession, TokenSession } from "../sdk/byok/pkcs11/session";
import { parsePkcs11Uri } from "../sdk/byok/pkcs11/uri";
import { materialKindFor } from "../sdk/byok/wrap";
import type { Algorithm } from "../sdk/schema/constants";
import { describeWithSoftHsm, knownMaterial, KnownKey, makeToken, putKey, TestToken } from "./support/softhsm";
import { thrownMessage } from "./support/thrown";

const PIN = "kf-fingerprint-pin-2291";
const TOKEN = "kf-fingerprint";
const where = (object: string) => `key material from PKCS#11 object "${object}" in token "${TOKEN}"`;

/** AES-CMAC (RFC 4493) with Node's AES-256-ECB, independent of the token. */
function aesCmac(key: Buffer, message: Buffer): Buffer {
    const enc = (block: Buffer) => {
        const c = crypto.createCipheriv("aes-256-ecb", key, null).setAutoPadding(false);
        return Buffer.concat([c.update(block), c.final()]);
    };
    const dbl = (b: Buffer) => {
        const out = Buffer.alloc(16);
        for (let i = 0; i < 16; i++) out[i] = ((b[i] << 1) | (i < 15 ? b[i + 1] >> 7 : 0)) & 0xff;
        if (b[0] & 0x80) out[15] ^= 0x87;
        return out;
    };
    const k1 = dbl(enc(Buffer.alloc(16)));
    const k2 = dbl(k1);
    const n = Math.max(1, Math.ceil(message.length / 16));
    const complete = message.length > 0 && message.length % 16 === 0;
    const last = Buffer.alloc(16);
    message.copy(last, 0, (n - 1) * 16);
    if (!complete) last[message.length - (n - 1) * 16] = 0x80;
    const lastKeyed = Buffer.from(last.map((b, i) => b ^ (complete ? k1 : k2)[i]));
    let x = Buffer.alloc(16);
    for (let i = 0; i < n - 1; i++) x = enc(Buffer.from(x.map((b, j) => b ^ message[i * 16 + j])));
    return enc(Buffer.from(x.map((b, i) => b ^ lastKeyed[i])));
}

describeWithSoftHsm("fingerprints when the token refuses C_DigestKey (SoftHSM2 with a refusing C_DigestKey)", () => {
    let token: TestToken;
    const keys = new Map<string, KnownKey>();
    const sessions: TokenSession[] = [];

    beforeAll(() => {
        token = makeToken(TOKEN, PIN);
        const hmac = knownMaterial("HMAC_256");
        keys.set("hmac", hmac);
        putKey(token, "hmac", hmac);
        const aes = knownMaterial("AES_256");
        keys.set("aes", aes);
        putKey(token, "aes", aes);
        // AES keys that may sign (CMAC), as a real HSM's key made for it would be, and that may not.
        for (const [label, sign] of [["aes-sign", true], ["aes-no-sign", false]] as const) {
            const k = knownMaterial("AES_256");
            keys.set(label, k);
            token.withSession((lib, s, p) =>
                lib.C_CreateObject(s, [
                    { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
                    { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
                    { type: p.CKA_VALUE, value: k.material },
                    { type: p.CKA_TOKEN, value: true },
                    { type: p.CKA_LABEL, value: label },
                    { type: p.CKA_PRIVATE, value: true },
                    { type: p.CKA_SENSITIVE, value: true },
                    { type: p.CKA_EXTRACTABLE, value: true },
                    { type: p.CKA_ENCRYPT, value: true },
                    { type: p.CKA_SIGN, value: sign },
                ]),
            );
        }
    });
    afterAll(() => {
        for (const s of sessions) s.close();
        token?.remove();
    });

    /** A session on the test token whose library answers C_DigestKey with `code` (a pkcs11js error), or as SoftHSM2 does. */
    function session(object: string, code?: string): { t: TokenSession; uri: ReturnType<typeof parsePkcs11Uri>["uri"] & object } {
        const { uri } = parsePkcs11Uri(`pkcs11:token=${TOKEN};object=${object}?pin-value=${PIN}`, { allowPinValue: true });
        const real = openTokenSession(uri!, where(object), PIN);
        sessions.push(real);
        if (!code) return { t: real, uri: uri! };
        const p11 = real.p11 as any;
        const lib = new Proxy(real.lib, {
            get(target, prop, receiver) {
                if (prop === "C_DigestKey") {
                    return () => {
                        throw new p11.Pkcs11Error(`${code}:${p11[code]}`, p11[code], "C_DigestKey");
                    };
                }
                const v = Reflect.get(target, prop, receiver);
                return typeof v === "function" ? v.bind(target) : v;
            },
        });
        return { t: { ...real, lib }, uri: uri! };
    }
    const fingerprintOf = (object: string, a: Algorithm, code?: string) => {
        const { t, uri } = session(object, code);
        const { handle } = findTokenKey(t, uri, materialKindFor(a), where(object));
        return tokenFingerprint(t, handle, undefined, where(object));
    };
    const errorOf = (f: () => unknown): string => thrownMessage(f, Pkcs11SourceError);

    test("a token that digests the key: the plaintext sources' fingerprint", () => {
        expect(fingerprintOf("hmac", "HMAC_256")).toBe(fingerprint(keys.get("hmac")!.material));
        expect(fingerprintOf("aes", "AES_256")).toBe(fingerprint(keys.get("aes")!.material));
    });

    test.each(["CKR_KEY_INDIGESTIBLE", "CKR_KEY_FUNCTION_NOT_PERMITTED"])("%s on an HMAC key: the token's HMAC-SHA256 of the fixed message", (code) => {
        const expected = crypto.createHmac("sha256", keys.get("hmac")!.material).update(TOKEN_MAC_MESSAGE).digest("hex");
        const fp = fingerprintOf("hmac", "HMAC_256", code);
        expect(fp).toBe(`hmac-sha256-token:${expected}`);
        expect(fp).not.toBe(fingerprint(keys.get("hmac")!.material));
        expect(fp.includes(keys.get("hmac")!.material.toString("hex"))).toBe(false);
        // Stable: the same key gives the same fingerprint again (it is how changed material shows in a preview).
        expect(fingerprintOf("hmac", "HMAC_256", code)).toBe(fp);
    });

    test("CKR_KEY_INDIGESTIBLE on an AES key that may sign: the token's AES-CMAC of the fixed message", () => {
        const expected = aesCmac(keys.get("aes-sign")!.material, Buffer.from(TOKEN_MAC_MESSAGE)).toString("hex");
        expect(fingerprintOf("aes-sign", "AES_256", "CKR_KEY_INDIGESTIBLE")).toBe(`aes-cmac-token:${expected}`);
    });

    test("the sealed material carries the fallback fingerprint (what Check puts in the plan and state)", () => {
        const { t, uri } = session("hmac", "CKR_KEY_INDIGESTIBLE");
        const m = sealedTokenKey(t, uri, materialKindFor("HMAC_256"), where("hmac"));
        expect(m.fingerprint).toBe(`hmac-sha256-token:${crypto.createHmac("sha256", keys.get("hmac")!.material).update(TOKEN_MAC_MESSAGE).digest("hex")}`);
    });

    test("an AES key that may not sign: a clear error naming the source and what the token refused", () => {
        expect(errorOf(() => fingerprintOf("aes-no-sign", "AES_256", "CKR_KEY_INDIGESTIBLE"))).toBe(
            `${where("aes-no-sign")}: the token refused to digest the key (C_DigestKey: CKR_KEY_INDIGESTIBLE) and the key may not sign (CKA_SIGN false) for a MAC fingerprint, so keyfabric has no fingerprint without the material (allowed: a key the token digests, or one with CKA_SIGN and a token with CKM_AES_CMAC)`,
        );
    });

    test("another failure of C_DigestKey is an error, not a fallback", () => {
        expect(errorOf(() => fingerprintOf("hmac", "HMAC_256", "CKR_DEVICE_ERROR"))).toBe(
            `${where("hmac")}: the token cannot digest the key (C_DigestKey: CKR_DEVICE_ERROR), which keyfabric needs for a fingerprint without the material`,
        );
    });
});
