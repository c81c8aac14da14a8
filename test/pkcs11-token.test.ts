/**
 * The pkcs11 material source against a SoftHSM2 token made here: keys found and checked, fingerprints computed in
 * the token equal to those of a plaintext source of the same material, the RSA-AES wrap composed in the token
 * unwrapped by an independent RFC 5649 implementation (Node's id-aes256-wrap-pad), and every bad input a clear
 * error naming the source.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { fingerprint } from "../sdk/crypto/material";
import { isSealed, SealedMaterial } from "../sdk/crypto/sealed";
import { generateTokenKey } from "../sdk/byok/pkcs11/generate";
import { resolveKeyMaterial } from "../sdk/byok/resolve";
import { MaterialSourceError } from "../sdk/byok/sources";
import { awsWrappingAlgorithmFor, azureTransferBlob, defaultGcpImportMethodFor, materialKindFor, wrapForAws, wrapForGcp } from "../sdk/byok/wrap";
import { Algorithm } from "../sdk/schema/constants";
import { describeWithSoftHsm, knownMaterial, KnownKey, makeToken, putKey, SOFTHSM_MODULE, TestToken } from "./support/softhsm";
import { thrownMessage } from "./support/thrown";

const PIN = "4711-test-pin";
const ALGORITHMS: Algorithm[] = ["AES_256", "HMAC_256", "RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P384"];

describeWithSoftHsm("pkcs11 material source (SoftHSM2)", () => {
    let token: TestToken;
    const keys = new Map<Algorithm, KnownKey>();
    const uri = (object: string, extra = "") => `pkcs11:token=kf-test;object=${object}${extra}?pin-source=env:KF_TEST_HSM_PIN`;
    const kek = crypto.generateKeyPairSync("rsa", { modulusLength: 4096 });
    const kek3072 = crypto.generateKeyPairSync("rsa", { modulusLength: 3072 });

    beforeAll(() => {
        token = makeToken("kf-test", PIN);
        process.env.KF_TEST_HSM_PIN = PIN;
        for (const a of ALGORITHMS) {
            const k = knownMaterial(a);
            keys.set(a, k);
            putKey(token, a.toLowerCase(), k);
        }
        putKey(token, "stuck", knownMaterial("AES_256"), { extractable: false });
        putKey(token, "short-hmac", { algorithm: "HMAC_256", material: crypto.randomBytes(16) });
    });
    afterAll(() => {
        delete process.env.KF_TEST_HSM_PIN;
        token?.remove();
    });

    const resolve = (u: string, a: Algorithm) => resolveKeyMaterial({ pkcs11: u }, materialKindFor(a));
    const sealed = (u: string, a: Algorithm): SealedMaterial => {
        const r = resolve(u, a);
        if (!isSealed(r.material)) throw new Error("not sealed");
        return r.material;
    };
    const errorOf = (f: () => unknown): string => thrownMessage(f, MaterialSourceError);

    test.each(ALGORITHMS)("%s: the token's fingerprint is the plaintext source's, SoftHSM2's OAEP is SHA-1 only, and the providers pick SHA-1", (a) => {
        const k = keys.get(a)!;
        const m = sealed(uri(a.toLowerCase()), a);
        try {
            expect(m.fingerprint).toBe(fingerprint(k.material, k.privateKey));
            expect(m.oaepHashes).toEqual(["sha1"]);
            expect(m.rsaAesMechanism).toBe("composed");
            const sym = a === "AES_256" || a === "HMAC_256";
            expect(awsWrappingAlgorithmFor(materialKindFor(a), m)).toBe(sym ? "RSAES_OAEP_SHA_1" : "RSA_AES_KEY_WRAP_SHA_1");
            expect(awsWrappingAlgorithmFor(materialKindFor(a))).toBe(sym ? "RSAES_OAEP_SHA_256" : "RSA_AES_KEY_WRAP_SHA_256");
            expect(defaultGcpImportMethodFor(m)).toBe("RSA_OAEP_4096_SHA1_AES_256");
        } finally {
            m.fill(0);
        }
    });

    test.each(ALGORITHMS)("%s: the RSA-AES wrap composed in the token unwraps with OAEP SHA-1 and an independent RFC 5649 (id-aes256-wrap-pad) to the material", (a) => {
        const k = keys.get(a)!;
        const m = sealed(uri(a.toLowerCase()), a);
        let wrapped: Buffer;
        try {
            wrapped = wrapForAws(m, kek.publicKey.export({ type: "spki", format: "der" }), "RSA_AES_KEY_WRAP_SHA_1");
        } finally {
            m.fill(0);
        }
        expect(wrapped.length).toBeGreaterThan(512);
        const aesKey = crypto.privateDecrypt({ key: kek.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, wrapped.subarray(0, 512));
        expect(aesKey.length).toBe(32);
        const d = crypto.createDecipheriv("id-aes256-wrap-pad", aesKey, Buffer.from("a65959a6", "hex"));
        const unwrapped = Buffer.concat([d.update(wrapped.subarray(512)), d.final()]);
        if (k.privateKey) {
            // SoftHSM2 wraps a private key as PKCS#8: the same key (its encoding may differ in optional fields).
            const got = crypto.createPrivateKey({ key: unwrapped, format: "der", type: "pkcs8" });
            expect(got.export({ format: "jwk" })).toEqual(k.privateKey.export({ format: "jwk" }));
        } else {
            expect(unwrapped.equals(k.material)).toBe(true);
        }
    });

    test("direct OAEP (AWS RSAES_OAEP_SHA_1) of a secret key in the token; GCP RSA_OAEP_3072_SHA1_AES_256; the Azure blob", () => {
        const k = keys.get("AES_256")!;
        const m = sealed(uri("aes_256"), "AES_256");
        try {
            const direct = wrapForAws(m, kek.publicKey.export({ type: "spki", format: "der" }), "RSAES_OAEP_SHA_1");
            expect(crypto.privateDecrypt({ key: kek.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, direct).equals(k.material)).toBe(true);
            const gcp = wrapForGcp(m, kek3072.publicKey.export({ type: "spki", format: "pem" }).toString(), "RSA_OAEP_3072_SHA1_AES_256");
            const aesKey = crypto.privateDecrypt({ key: kek3072.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, gcp.subarray(0, 384));
            const d = crypto.createDecipheriv("id-aes256-wrap-pad", aesKey, Buffer.from("a65959a6", "hex"));
            expect(Buffer.concat([d.update(gcp.subarray(384)), d.final()]).equals(k.material)).toBe(true);
            const blob = JSON.parse(azureTransferBlob(m, kek.publicKey, "https://v.vault.azure.net/keys/kek/1", "test").toString());
            expect(blob.header).toEqual({ kid: "https://v.vault.azure.net/keys/kek/1", alg: "dir", enc: "CKM_RSA_AES_KEY_WRAP" });
            expect(Buffer.from(blob.ciphertext, "base64url").length).toBe(512 + 40);
        } finally {
            m.fill(0);
        }
    });

    test("a SHA-256 scheme the token cannot do is refused, naming the SHA-1 scheme to ask the cloud for", () => {
        const m = sealed(uri("rsa_2048"), "RSA_2048");
        try {
            expect(() => wrapForAws(m, kek.publicKey.export({ type: "spki", format: "der" }), "RSA_AES_KEY_WRAP_SHA_256")).toThrow(
                'key material from PKCS#11 object "rsa_2048" in token "kf-test": RSA_AES_KEY_WRAP_SHA_256 needs RSA-OAEP with SHA-256, and the token does RSA-OAEP with SHA-1 only: ask the cloud for RSA_AES_KEY_WRAP_SHA_1',
            );
            expect(() => wrapForGcp(m, kek.publicKey.export({ type: "spki", format: "pem" }).toString(), "RSA_OAEP_4096_SHA256_AES_256")).toThrow(
                "RSA_OAEP_4096_SHA256_AES_256 needs RSA-OAEP with SHA-256, and the token does RSA-OAEP with SHA-1 only: ask the cloud for RSA_OAEP_4096_SHA1_AES_256",
            );
        } finally {
            m.fill(0);
        }
        // Released: no further wrapping through it.
        expect(() => m.rsaAesKeyWrap(kek.publicKey, "sha1")).toThrow('key material from PKCS#11 object "rsa_2048" in token "kf-test": the token session was already released');
    });

    test("the key's value never leaves the token in the clear: CKA_VALUE of the sensitive key is refused", () => {
        token.withSession((lib, s, p) => {
            lib.C_FindObjectsInit(s, [{ type: p.CKA_LABEL, value: "aes_256" }]);
            const [h] = lib.C_FindObjects(s, 1);
            lib.C_FindObjectsFinal(s);
            expect(() => lib.C_GetAttributeValue(s, h, [{ type: p.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
        });
    });

    test("keys generated in the token: label-idempotent, sensitive, extractable; then usable as a source", () => {
        const u = uri("generated-ec");
        expect(generateTokenKey(u, "EC_P384")).toMatchObject({ created: true, label: "generated-ec" });
        const again = generateTokenKey(u, "EC_P384");
        expect(again).toMatchObject({ created: false, label: "generated-ec" });
        expect(() => generateTokenKey(u, "RSA_2048")).toThrow('key material from PKCS#11 object "generated-ec" in token "kf-test": is an EC private key, not RSA-2048 (the key\'s algorithm)');
        const m = sealed(u, "EC_P384");
        try {
            expect(m.fingerprint).toMatch(/^sha256-spki:[0-9a-f]{64}$/);
        } finally {
            m.fill(0);
        }
        expect(generateTokenKey(uri("generated-aes"), "AES_256").created).toBe(true);
        token.withSession((lib, s, p) => {
            lib.C_FindObjectsInit(s, [{ type: p.CKA_LABEL, value: "generated-aes" }]);
            const [h] = lib.C_FindObjects(s, 1);
            lib.C_FindObjectsFinal(s);
            const [sens, extr, tok] = lib.C_GetAttributeValue(s, h, [{ type: p.CKA_SENSITIVE }, { type: p.CKA_EXTRACTABLE }, { type: p.CKA_TOKEN }]);
            expect([sens.value[0], extr.value[0], tok.value[0]]).toEqual([1, 1, 1]);
        });
    });

    describe("bad inputs: clear errors naming the source", () => {
        test("wrong PIN", () => {
            process.env.KF_TEST_WRONG_PIN = "0000";
            expect(errorOf(() => resolve("pkcs11:token=kf-test;object=aes_256?pin-source=env:KF_TEST_WRONG_PIN", "AES_256"))).toBe(
                'key material from PKCS#11 object "aes_256" in token "kf-test": login to token "kf-test" failed: the PIN is wrong (CKR_PIN_INCORRECT)',
            );
        });
        test("PIN variable not set; PIN file", () => {
            expect(errorOf(() => resolve("pkcs11:token=kf-test;object=aes_256?pin-source=env:KF_TEST_NO_SUCH_PIN", "AES_256"))).toBe(
                'key material from PKCS#11 object "aes_256" in token "kf-test": pin-source env:KF_TEST_NO_SUCH_PIN: the environment variable is not set',
            );
            const f = path.join(token.dir, "pin.txt");
            fs.writeFileSync(f, `${PIN}\n`, { mode: 0o600 });
            const m = resolve(`pkcs11:token=kf-test;object=aes_256?pin-source=file:${f}`, "AES_256");
            m.material.fill(0);
            expect(m.fingerprint).toBe(fingerprint(keys.get("AES_256")!.material));
        });
        test("missing token", () => {
            expect(errorOf(() => resolve(uri("aes_256").replace("token=kf-test", "token=nope"), "AES_256"))).toMatch(
                new RegExp(`^key material from PKCS#11 object "aes_256" in token "nope": no token matches \\(token "nope"\\) in ${SOFTHSM_MODULE} \\(found: "kf-test" \\(serial ${token.serial}, slot \\d+\\)\\)$`),
            );
        });
        test("missing key", () => {
            expect(errorOf(() => resolve(uri("nope"), "AES_256"))).toMatch(/^key material from PKCS#11 object "nope" in token "kf-test": no such key in token "kf-test" \(found secret keys: .*"aes_256".*\)$/);
        });
        test("key not extractable", () => {
            expect(errorOf(() => resolve(uri("stuck"), "AES_256"))).toBe(
                'key material from PKCS#11 object "stuck" in token "kf-test": the key is not extractable (CKA_EXTRACTABLE false): it can never leave the token, even wrapped; create it extractable (and sensitive) to bring it to a cloud',
            );
        });
        test("key of another type or size", () => {
            expect(errorOf(() => resolve(uri("aes_256"), "RSA_2048"))).toBe('key material from PKCS#11 object "aes_256" in token "kf-test": is a secret key, not a private key of RSA-2048 (the key\'s algorithm)');
            expect(errorOf(() => resolve(uri("rsa_3072"), "RSA_2048"))).toBe('key material from PKCS#11 object "rsa_3072" in token "kf-test": is RSA-3072, not RSA-2048 (the key\'s algorithm)');
            expect(errorOf(() => resolve(uri("ec_p256"), "EC_P384"))).toBe('key material from PKCS#11 object "ec_p256" in token "kf-test": is an EC key on P-256, not EC P-384 (the key\'s algorithm)');
            expect(errorOf(() => resolve(uri("hmac_256"), "AES_256"))).toBe('key material from PKCS#11 object "hmac_256" in token "kf-test": is a generic secret key, not AES-256 (the key\'s algorithm)');
            expect(errorOf(() => resolve(uri("short-hmac"), "HMAC_256"))).toBe('key material from PKCS#11 object "short-hmac" in token "kf-test": is a 128-bit generic secret key, not HMAC-256 (generic secret) (the key\'s algorithm)');
            expect(errorOf(() => resolve(uri("aes_256", ";type=private"), "AES_256"))).toBe(
                'key material from PKCS#11 object "aes_256" (private) in token "kf-test": type=private, but the key\'s algorithm needs AES-256 material (allowed: type=secret-key)',
            );
        });
        test("module path wrong", () => {
            expect(errorOf(() => resolve(`${uri("aes_256")}&module-path=/usr/lib/nope/libnope.so`, "AES_256"))).toBe(
                `key material from PKCS#11 object "aes_256" in token "kf-test": module-path /usr/lib/nope/libnope.so: no such file (allowed: the absolute path of the token's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so)`,
            );
            const notLib = path.join(token.dir, "softhsm2.conf");
            expect(errorOf(() => resolve(`${uri("aes_256")}&module-path=${notLib}`, "AES_256"))).toMatch(
                new RegExp(`^key material from PKCS#11 object "aes_256" in token "kf-test": module-path ${notLib.replace(/[.]/g, "\\.")} is not a PKCS#11 library that can be loaded \\(.+\\)$`),
            );
        });
        test("pin-value is refused in a descriptor (it would be kept in state); the PIN is in no message", () => {
            const msg = errorOf(() => resolve(`pkcs11:token=kf-test;object=aes_256?pin-value=${PIN}`, "AES_256"));
            expect(msg).toBe(
                "material.pkcs11: pin-value is refused here: a PIN in the descriptor would be kept in state and logs (allowed: pin-source=env:<NAME> or pin-source=file:<path> (pin-value is for the CLI and tests))",
            );
            expect(msg).not.toContain(PIN);
        });
        test("pkcs11js missing", () => {
            jest.isolateModules(() => {
                jest.doMock("pkcs11js", () => {
                    const e = new Error("Cannot find module 'pkcs11js'") as NodeJS.ErrnoException;
                    e.code = "MODULE_NOT_FOUND";
                    throw e;
                });
                const { resolveKeyMaterial: isolated } = require("../sdk/byok/resolve");
                let message = "";
                try {
                    isolated({ pkcs11: uri("aes_256") }, materialKindFor("AES_256"));
                } catch (e) {
                    message = (e as Error).message;
                }
                expect(message).toBe(
                    'key material from PKCS#11 object "aes_256" in token "kf-test": the pkcs11js package is not installed; a pkcs11 material source needs it (npm install pkcs11js@2.1.7, an optional dependency of keyfabric, built with node-gyp)',
                );
                jest.dontMock("pkcs11js");
            });
        });
    });
});
