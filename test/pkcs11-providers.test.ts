/**
 * Keys held in a SoftHSM2 token imported into the three emulators by the BYOK providers, loaded by
 * `@pulumi/pulumi/cmd/dynamic-provider` in a fresh process and driven over gRPC as the engine does (see
 * byok-providers.test.ts), with `material: {pkcs11: <URI>}`. Each imported key is then shown to be the token's key
 * with the token doing its half: the token signs and the cloud verifies (AWS, Azure), the cloud signs and the token
 * verifies (GCP), the cloud encrypts and the token decrypts (AES-GCM: AWS, GCP; AES key wrap: Azure Managed HSM),
 * the cloud's HMAC equals the token's. The PIN and every encoding of the material (known to the test only: it put
 * the keys in the token) appear nowhere in the transcript, the host's output, state or outputs.
 * Needs lib/ (npm test builds it).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AwsImportedKeyMaterial } from "../sdk/byok/aws";
import { AzureImportedKey } from "../sdk/byok/azure";
import { GcpImportedKeyVersion } from "../sdk/byok/gcp";
import { createAwsKmsClient, createAzureKeyClient, createGcpKmsClient } from "../sdk/clients";
import { fingerprint } from "../sdk/crypto/material";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { runUnderMocks } from "../sdk/preview/harness";
import { Algorithm } from "../sdk/schema/constants";
import { findLeaks, ProviderHost } from "./support/providerHost";
import { derToRaw, describeWithSoftHsm, knownMaterial, KnownKey, makeToken, putKey, TestToken, tokenAesUnwrap, tokenGcmDecrypt, tokenHmac, tokenSign, tokenVerify } from "./support/softhsm";

const TYPE = (t: string) => `pulumi-nodejs:dynamic/keyfabric:${t}`;
const PIN = "kf-providers-pin-8812";
const PIN_ENV = "KF_PROVIDERS_HSM_PIN";
const ALGORITHMS: Algorithm[] = ["AES_256", "HMAC_256", "RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P384"];
const label = (a: Algorithm) => a.toLowerCase().replace("_", "-");
const uri = (a: Algorithm) => `pkcs11:token=kf-providers;object=${label(a)}?pin-source=env:${PIN_ENV}`;
// eslint-disable-next-line @typescript-eslint/no-var-requires
const awsSdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

/** DER ECDSA signature from raw r||s. */
function rawToDer(raw: Buffer): Buffer {
    const half = raw.length / 2;
    const int = (b: Buffer) => {
        let i = 0;
        while (i < b.length - 1 && b[i] === 0) i++;
        let v = b.subarray(i);
        if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
        return Buffer.concat([Buffer.from([0x02, v.length]), v]);
    };
    const body = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
    return Buffer.concat([Buffer.from(body.length > 127 ? [0x30, 0x81, body.length] : [0x30, body.length]), body]);
}

describeWithSoftHsm("BYOK providers with material from a PKCS#11 token (SoftHSM2, dynamic-provider host)", () => {
    let token: TestToken;
    let emu: EmulatorSet;
    const keys = new Map<Algorithm, KnownKey>();
    const hosts: ProviderHost[] = [];

    beforeAll(async () => {
        if (!fs.existsSync(path.join(__dirname, "..", "lib", "byok", "pkcs11", "index.js"))) throw new Error("lib/ is missing or stale: npm run build");
        token = makeToken("kf-providers", PIN);
        for (const a of ALGORITHMS) {
            const k = knownMaterial(a);
            keys.set(a, k);
            putKey(token, label(a), k);
        }
        emu = await startEmulators({ reuseWrappingKeys: true });
    });
    afterAll(async () => {
        await Promise.all(hosts.map((h) => h.stop()));
        await emu?.stop();
        token?.remove();
    });

    async function registeredInputs(make: () => pulumi.Resource): Promise<Record<string, any>> {
        const run = await runUnderMocks(() => make());
        const inputs = { ...run.resources[0].inputs };
        for (const k of Object.keys(inputs)) if (inputs[k] === undefined) delete inputs[k];
        return inputs;
    }
    async function host(type: string) {
        const h = await ProviderHost.start(TYPE(type), { ...emu.env(), METADATA_SERVER_DETECTION: "none", SOFTHSM2_CONF: token.conf, [PIN_ENV]: PIN });
        hosts.push(h);
        await h.configure();
        return h;
    }
    /** check + create through the host; the state and outputs are the create's properties. */
    async function importThroughHost(h: ProviderHost, name: string, news: Record<string, any>, a: Algorithm) {
        const k = keys.get(a)!;
        const checked = await h.check(name, {}, news);
        expect(checked.failures).toEqual([]);
        expect(checked.inputs).toMatchObject({ material: { pkcs11: uri(a) }, fingerprint: fingerprint(k.material, k.privateKey) });
        const created = await h.create(name, checked.inputs);
        expect(created.properties.fingerprint).toBe(fingerprint(k.material, k.privateKey));
        return created;
    }
    function expectNoLeaks(h: ProviderHost, extra: Record<string, unknown>) {
        const haystacks = { transcript: h.transcript.join("\n"), hostOutput: h.output, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, JSON.stringify(v)])) };
        for (const k of keys.values()) expect(findLeaks(k.material, haystacks)).toEqual([]);
        for (const [where, text] of Object.entries(haystacks)) expect([where, text.includes(PIN)]).toEqual([where, false]);
    }

    describe("AWS KMS", () => {
        const SPECS: Record<Algorithm, [string, string]> = {
            AES_256: ["SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"],
            HMAC_256: ["HMAC_256", "GENERATE_VERIFY_MAC"],
            RSA_2048: ["RSA_2048", "SIGN_VERIFY"],
            RSA_3072: ["RSA_3072", "SIGN_VERIFY"],
            RSA_4096: ["RSA_4096", "SIGN_VERIFY"],
            EC_P256: ["ECC_NIST_P256", "SIGN_VERIFY"],
            EC_P384: ["ECC_NIST_P384", "SIGN_VERIFY"],
        };
        let h: ProviderHost;
        beforeAll(async () => {
            h = await host("AwsImportedKeyMaterial");
        });

        test.each(ALGORITHMS)("%s: imported with the SHA-1 scheme, and the token's key", async (a) => {
            const kms = createAwsKmsClient("eu-west-1", { env: emu.env() });
            try {
                const [KeySpec, KeyUsage] = SPECS[a];
                const keyArn = (await kms.send(new awsSdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: KeySpec as any, KeyUsage: KeyUsage as any }))).KeyMetadata!.Arn!;
                const news = await registeredInputs(() => new AwsImportedKeyMaterial(`aws-${label(a)}`, { keyId: keyArn, region: "eu-west-1", algorithm: a, material: { pkcs11: uri(a) } }));
                const created = await importThroughHost(h, `aws-${label(a)}`, news, a);
                expect(created.properties).toMatchObject({ keyArn, keyState: "Enabled", expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" });
                const msg = Buffer.from(`aws ${a} from the HSM`);
                if (a === "AES_256") {
                    // Encrypted by the emulator (its blob: header | iv | tag | AES-256-GCM, the header as AAD), decrypted by the token.
                    const blob = Buffer.from((await kms.send(new awsSdk.EncryptCommand({ KeyId: keyArn, Plaintext: msg }))).CiphertextBlob!);
                    const headerEnd = 4 + blob[3] + 32;
                    const pt = tokenGcmDecrypt(token, label(a), blob.subarray(headerEnd, headerEnd + 12), blob.subarray(0, headerEnd), blob.subarray(headerEnd + 28), blob.subarray(headerEnd + 12, headerEnd + 28));
                    expect(pt.toString()).toBe(msg.toString());
                } else if (a === "HMAC_256") {
                    const mac = await kms.send(new awsSdk.GenerateMacCommand({ KeyId: keyArn, Message: msg, MacAlgorithm: "HMAC_SHA_256" }));
                    expect(Buffer.from(mac.Mac!).equals(tokenHmac(token, label(a), msg))).toBe(true);
                } else {
                    // Signed in the token, verified by the emulator with the imported key.
                    const ec = a.startsWith("EC");
                    const hash = a === "EC_P384" ? "sha384" : "sha256";
                    const sig = ec ? rawToDer(tokenSign(token, label(a), "ecdsa", crypto.createHash(hash).update(msg).digest())) : tokenSign(token, label(a), "rsa-pkcs1-sha256", msg);
                    const SigningAlgorithm = ec ? (a === "EC_P384" ? "ECDSA_SHA_384" : "ECDSA_SHA_256") : "RSASSA_PKCS1_V1_5_SHA_256";
                    const ok = await kms.send(new awsSdk.VerifyCommand({ KeyId: keyArn, Message: msg, Signature: sig, SigningAlgorithm }));
                    expect(ok.SignatureValid).toBe(true);
                    const bad = Buffer.from(msg);
                    bad[0] ^= 1;
                    await expect(kms.send(new awsSdk.VerifyCommand({ KeyId: keyArn, Message: bad, Signature: sig, SigningAlgorithm }))).rejects.toThrow();
                }
                expectNoLeaks(h, { created });
            } finally {
                kms.destroy();
            }
        });
    });

    describe("Cloud KMS", () => {
        const ring = "projects/kf-hsm/locations/europe-west1/keyRings/hsm";
        const SPECS: Record<Algorithm, [string, string]> = {
            AES_256: ["ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION"],
            HMAC_256: ["MAC", "HMAC_SHA256"],
            RSA_2048: ["ASYMMETRIC_SIGN", "RSA_SIGN_PKCS1_2048_SHA256"],
            RSA_3072: ["ASYMMETRIC_SIGN", "RSA_SIGN_PKCS1_3072_SHA256"],
            RSA_4096: ["ASYMMETRIC_SIGN", "RSA_SIGN_PKCS1_4096_SHA256"],
            EC_P256: ["ASYMMETRIC_SIGN", "EC_SIGN_P256_SHA256"],
            EC_P384: ["ASYMMETRIC_SIGN", "EC_SIGN_P384_SHA384"],
        };
        let h: ProviderHost;
        let kms: ReturnType<typeof createGcpKmsClient>;
        beforeAll(async () => {
            h = await host("GcpImportedKeyVersion");
            kms = createGcpKmsClient({ env: emu.env() });
            await kms.createKeyRing({ parent: "projects/kf-hsm/locations/europe-west1", keyRingId: "hsm" });
        });
        afterAll(() => kms?.close());

        test.each(ALGORITHMS)("%s: imported with RSA_OAEP_4096_SHA1_AES_256, and the token's key", async (a) => {
            const [purpose, algorithm] = SPECS[a];
            const [key] = await kms.createCryptoKey({
                parent: ring,
                cryptoKeyId: label(a),
                cryptoKey: { purpose: purpose as any, versionTemplate: { algorithm: algorithm as any, protectionLevel: "HSM" }, importOnly: true },
                skipInitialVersionCreation: true,
            });
            const cryptoKey = key.name!;
            const news = await registeredInputs(() => new GcpImportedKeyVersion(`gcp-${label(a)}`, { cryptoKey, algorithm: a, material: { pkcs11: uri(a) } }));
            const created = await importThroughHost(h, `gcp-${label(a)}`, news, a);
            expect(created.properties).toMatchObject({ state: "ENABLED", protectionLevel: "HSM" });
            const [job] = await kms.getImportJob({ name: created.properties.importJob });
            expect(String(job.importMethod)).toBe("RSA_OAEP_4096_SHA1_AES_256");
            const version = created.properties.version as string;
            const msg = Buffer.from(`gcp ${a} from the HSM`);
            if (a === "AES_256") {
                const [enc] = await kms.encrypt({ name: cryptoKey, plaintext: msg });
                const ct = Buffer.from(enc.ciphertext as Uint8Array);
                // The emulator's ciphertext: "KFG1" | version (4) | iv (12) | tag (16) | AES-256-GCM; AAD header || SHA-256(key name \0 aad).
                const header = ct.subarray(0, 8);
                const aad = Buffer.concat([header, crypto.createHash("sha256").update(cryptoKey).update("\0").digest()]);
                expect(tokenGcmDecrypt(token, label(a), ct.subarray(8, 20), aad, ct.subarray(36), ct.subarray(20, 36)).toString()).toBe(msg.toString());
            } else if (a === "HMAC_256") {
                const [mac] = await kms.macSign({ name: version, data: msg });
                expect(Buffer.from(mac.mac as Uint8Array).equals(tokenHmac(token, label(a), msg))).toBe(true);
            } else {
                // Signed by the emulator with the imported key, verified in the token with its public key.
                const hash = a === "EC_P384" ? "sha384" : "sha256";
                const digest = crypto.createHash(hash).update(msg).digest();
                const [sig] = await kms.asymmetricSign({ name: version, digest: { [hash]: digest } });
                const s = Buffer.from(sig.signature as Uint8Array);
                if (a.startsWith("EC")) expect(tokenVerify(token, label(a), "ecdsa", digest, derToRaw(s, a === "EC_P384" ? 48 : 32))).toBe(true);
                else expect(tokenVerify(token, label(a), "rsa-pkcs1-sha256", msg, s)).toBe(true);
            }
            expectNoLeaks(h, { created });
        });
    });

    test("bad inputs fail Check on material, naming the source; Create imports nothing", async () => {
        const h = await host("AwsImportedKeyMaterial");
        const kms = createAwsKmsClient("eu-west-1", { env: emu.env() });
        try {
            const keyArn = (await kms.send(new awsSdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
            const cases: [string, string][] = [
                ["pkcs11:token=kf-providers;object=aes-256?pin-source=env:KF_PROVIDERS_UNSET_PIN", 'key material from PKCS#11 object "aes-256" in token "kf-providers": pin-source env:KF_PROVIDERS_UNSET_PIN: the environment variable is not set'],
                [`pkcs11:token=kf-providers;object=no-such-key?pin-source=env:${PIN_ENV}`, 'key material from PKCS#11 object "no-such-key" in token "kf-providers": no such key in token "kf-providers" (found secret keys: "aes-256", "hmac-256")'],
                [`pkcs11:token=kf-providers;object=rsa-2048?pin-source=env:${PIN_ENV}`, 'key material from PKCS#11 object "rsa-2048" in token "kf-providers": is a private key and a public key, not a secret key of AES-256 (the key\'s algorithm)'],
                [`pkcs11:token=nope;object=aes-256?pin-source=env:${PIN_ENV}`, expect.stringMatching(/^key material from PKCS#11 object "aes-256" in token "nope": no token matches \(token "nope"\) in \/.+ \(found: "kf-providers" \(serial [0-9a-f]+, slot \d+\)\)$/) as any],
            ];
            for (const [u, reason] of cases) {
                const news = await registeredInputs(() => new AwsImportedKeyMaterial("bad", { keyId: keyArn, region: "eu-west-1", algorithm: "AES_256", material: { pkcs11: u } }));
                const checked = await h.check("bad", {}, news);
                expect(checked.failures).toEqual([{ property: "material", reason }]);
                await expect(h.create("bad", { ...news, __provider: news.__provider })).rejects.toThrow();
            }
            expect((await kms.send(new awsSdk.DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata!.KeyState).toBe("PendingImport");
            expectNoLeaks(h, {});
        } finally {
            kms.destroy();
        }
    });

    describe("a key declared as code, created in the token (generate: true)", () => {
        test("preview creates nothing; the first import creates it in the token, the other clouds import the same key", async () => {
            const source = { pkcs11: "pkcs11:token=kf-providers;object=declared-aes?pin-source=env:KF_PROVIDERS_HSM_PIN", generate: true };
            const aws = await host("AwsImportedKeyMaterial");
            const gcp = await host("GcpImportedKeyVersion");
            const kms = createAwsKmsClient("eu-west-1", { env: emu.env() });
            const gkms = createGcpKmsClient({ env: emu.env() });
            try {
                const keyArn = (await kms.send(new awsSdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
                const news = await registeredInputs(() => new AwsImportedKeyMaterial("declared-aws", { keyId: keyArn, region: "eu-west-1", algorithm: "AES_256", material: source }));
                // Check (every preview): the key is not in the token yet; nothing is created and nothing fails.
                const checked = await aws.check("declared-aws", {}, news);
                expect(checked.failures).toEqual([]);
                expect(checked.inputs.fingerprint).toBeUndefined();
                expect(token.withSession((lib, s, p) => {
                    lib.C_FindObjectsInit(s, [{ type: p.CKA_LABEL, value: "declared-aes" }]);
                    const n = lib.C_FindObjects(s, 10).length;
                    lib.C_FindObjectsFinal(s);
                    return n;
                })).toBe(0);
                const created = await aws.create("declared-aws", checked.inputs);
                expect(created.properties).toMatchObject({ keyArn, keyState: "Enabled", fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
                // Created once, sensitive and extractable.
                const attrs = token.withSession((lib, s, p) => {
                    lib.C_FindObjectsInit(s, [{ type: p.CKA_LABEL, value: "declared-aes" }]);
                    const hs = lib.C_FindObjects(s, 10);
                    lib.C_FindObjectsFinal(s);
                    return hs.map((h: Buffer) => lib.C_GetAttributeValue(s, h, [{ type: p.CKA_SENSITIVE }, { type: p.CKA_EXTRACTABLE }, { type: p.CKA_TOKEN }]).map((a: any) => a.value[0]));
                });
                expect(attrs).toEqual([[1, 1, 1]]);
                const msg = Buffer.from("declared in code, born in the HSM");
                const blob = Buffer.from((await kms.send(new awsSdk.EncryptCommand({ KeyId: keyArn, Plaintext: msg }))).CiphertextBlob!);
                const headerEnd = 4 + blob[3] + 32;
                expect(tokenGcmDecrypt(token, "declared-aes", blob.subarray(headerEnd, headerEnd + 12), blob.subarray(0, headerEnd), blob.subarray(headerEnd + 28), blob.subarray(headerEnd + 12, headerEnd + 28)).toString()).toBe(msg.toString());

                // The next preview fingerprints the key now in the token: the same as state, so no change.
                const again = await aws.check("declared-aws", created.properties, news);
                expect(again.inputs.fingerprint).toBe(created.properties.fingerprint);
                expect((await aws.diff("declared-aws", created.id, created.properties, again.inputs)).changes).toBe("none");

                // Another cloud: the same key (one key in the HSM, one import per cloud).
                await gkms.createKeyRing({ parent: "projects/kf-hsm/locations/europe-west4", keyRingId: "declared" });
                const [gk] = await gkms.createCryptoKey({
                    parent: "projects/kf-hsm/locations/europe-west4/keyRings/declared",
                    cryptoKeyId: "declared",
                    cryptoKey: { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" }, importOnly: true },
                    skipInitialVersionCreation: true,
                });
                const gnews = await registeredInputs(() => new GcpImportedKeyVersion("declared-gcp", { cryptoKey: gk.name!, algorithm: "AES_256", material: source }));
                const gchecked = await gcp.check("declared-gcp", {}, gnews);
                const gcreated = await gcp.create("declared-gcp", gchecked.inputs);
                expect(gcreated.properties.fingerprint).toBe(created.properties.fingerprint);
                const [enc] = await gkms.encrypt({ name: gk.name, plaintext: msg });
                const ct = Buffer.from(enc.ciphertext as Uint8Array);
                const aad = Buffer.concat([ct.subarray(0, 8), crypto.createHash("sha256").update(gk.name!).update("\0").digest()]);
                expect(tokenGcmDecrypt(token, "declared-aes", ct.subarray(8, 20), aad, ct.subarray(36), ct.subarray(20, 36)).toString()).toBe(msg.toString());
                expectNoLeaks(aws, { created });
                expectNoLeaks(gcp, { gcreated });
            } finally {
                kms.destroy();
                await gkms.close();
            }
        });
    });

    describe("Azure Key Vault / Managed HSM", () => {
        // Azure imports no HMAC keys (Key Vault has no HMAC key type; the provider refuses HMAC_256).
        const AZURE = ALGORITHMS.filter((a) => a !== "HMAC_256");
        let h: ProviderHost;
        beforeAll(async () => {
            h = await host("AzureImportedKey");
        });

        test("protection software (a plaintext JWK import) is refused for a key in a token, before any cloud call", async () => {
            const news = await registeredInputs(() => new AzureImportedKey("azure-soft", { vaultUrl: "https://kf-hsm.vault.azure.net", keyName: "soft", purpose: "sign", algorithm: "EC_P256", protection: "software", material: { pkcs11: uri("EC_P256") } }));
            const checked = await h.check("azure-soft", {}, news);
            expect(checked.failures).toEqual([{ property: "protection", reason: 'protection: a key in a PKCS#11 token is imported only with protection hsm (the BYOK blob); software would need its plaintext (allowed: hsm, got: "software")' }]);
            await expect(h.create("azure-soft", checked.inputs)).rejects.toThrow(
                'key material from PKCS#11 object "ec-p256" in token "kf-providers": Azure imports a key from a token only with protection hsm (the BYOK blob); protection software would need its plaintext (allowed: protection hsm)',
            );
            await expect(createAzureKeyClient("https://kf-hsm.vault.azure.net", { env: emu.env() }).getKey("soft")).rejects.toThrow();
        });

        test.each(AZURE)("%s: the BYOK blob (CKM_RSA_AES_KEY_WRAP, SHA-1) made in the token, and the token's key", async (a) => {
            const vaultUrl = a === "AES_256" ? "https://kf-hsm.managedhsm.azure.net" : "https://kf-hsm.vault.azure.net";
            const purpose = a === "AES_256" ? "encrypt" : "sign";
            const keyName = `hsm-${label(a)}`;
            const news = await registeredInputs(() => new AzureImportedKey(`azure-${label(a)}`, { vaultUrl, keyName, purpose, algorithm: a, protection: "hsm", material: { pkcs11: uri(a) } }));
            const created = await importThroughHost(h, `azure-${label(a)}`, news, a);
            expect(created.properties).toMatchObject({ enabled: true });
            const crypt = createAzureKeyClient(vaultUrl, { env: emu.env() }).getCryptographyClient(keyName);
            const msg = Buffer.from(`azure ${a} from the HSM`);
            if (a === "AES_256") {
                // Wrapped by the emulator with the imported key (A256KW), unwrapped in the token.
                const dek = crypto.randomBytes(32);
                const wrapped = await crypt.wrapKey("A256KW", dek);
                expect(tokenAesUnwrap(token, label(a), Buffer.from(wrapped.result)).equals(dek)).toBe(true);
            } else {
                const ec = a.startsWith("EC");
                const hash = a === "EC_P384" ? "sha384" : "sha256";
                const digest = crypto.createHash(hash).update(msg).digest();
                const sig = ec ? tokenSign(token, label(a), "ecdsa", digest) : tokenSign(token, label(a), "rsa-pkcs1-sha256", msg);
                const alg = ec ? (a === "EC_P384" ? "ES384" : "ES256") : "RS256";
                expect((await crypt.verify(alg, digest, sig)).result).toBe(true);
                const bad = Buffer.from(digest);
                bad[0] ^= 1;
                expect((await crypt.verify(alg, bad, sig)).result).toBe(false);
            }
            expectNoLeaks(h, { created });
        });
    });
});
