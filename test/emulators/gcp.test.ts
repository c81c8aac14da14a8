/**
 * The Cloud KMS emulator, driven only through the official `@google-cloud/kms` client (built by
 * `createGcpKmsClient`), with the cryptography checked locally against Node's crypto.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import type { KeyManagementServiceClient, protos } from "@google-cloud/kms";
import type { CallOptions, IamProtos } from "google-gax";
import { createGcpKmsClient } from "../../sdk/clients";
import { rsaAesKeyWrap, rsaOaepEncrypt } from "../../sdk/crypto/keywrap";
import { fingerprint } from "../../sdk/crypto/material";
import { DAY_MS, FaultInjector, HOUR_MS, ManualClock } from "../../sdk/emulators/common";
import { GcpKmsEmulator, startGcpKmsEmulator } from "../../sdk/emulators/gcp";
import { crc32c } from "../../sdk/emulators/gcp/crypto";

type ImportJob = protos.google.cloud.kms.v1.IImportJob;
type CryptoKeyVersion = protos.google.cloud.kms.v1.ICryptoKeyVersion;
type Algorithm = keyof typeof protos.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
type Purpose = keyof typeof protos.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;
type ImportMethod = keyof typeof protos.google.cloud.kms.v1.ImportJob.ImportMethod;
/** The SDK types its IAM mixin with message classes; plain objects are what it sends. */
type GetPolicy = IamProtos.google.iam.v1.GetIamPolicyRequest;
type SetPolicy = IamProtos.google.iam.v1.SetIamPolicyRequest;
type TestPermissions = IamProtos.google.iam.v1.TestIamPermissionsRequest;

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LOC = "projects/kf-test/locations/europe-west1";

const clientFor = (emu: GcpKmsEmulator): KeyManagementServiceClient => createGcpKmsClient({ env: { KEYFABRIC_EMULATORS: JSON.stringify({ gcp: emu.endpoint }) } });

/** A Timestamp as the client decodes it. */
const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });
const sha = (alg: string, data: Buffer) => crypto.createHash(alg).update(data).digest();

/** Wraps `material` for `job` the way its import method says (hash defaults to the method's). */
function wrapFor(job: ImportJob, material: Buffer, hash?: "sha1" | "sha256"): Buffer {
    const pub = crypto.createPublicKey(job.publicKey!.pem!);
    const method = String(job.importMethod);
    const h = hash ?? (method.includes("SHA1") ? "sha1" : "sha256");
    return method.endsWith("_AES_256") ? rsaAesKeyWrap(pub, h, material) : rsaOaepEncrypt(pub, h, material);
}

const pkcs8 = (key: crypto.KeyObject) => key.export({ type: "pkcs8", format: "der" });
const rsaMaterial = (bits: number) => pkcs8(crypto.generateKeyPairSync("rsa", { modulusLength: bits }).privateKey);
const ecMaterial = (namedCurve: string) => pkcs8(crypto.generateKeyPairSync("ec", { namedCurve }).privateKey);
const publicOf = (material: Buffer) => crypto.createPublicKey(crypto.createPrivateKey({ key: material, format: "der", type: "pkcs8" }));

/** Fast retries on RESOURCE_EXHAUSTED (8) and UNAVAILABLE (14), for every method (gax 5 per-call CallOptions). */
const RETRY: CallOptions = {
    retry: {
        retryCodes: [8, 14],
        backoffSettings: { initialRetryDelayMillis: 2, retryDelayMultiplier: 1.5, maxRetryDelayMillis: 20, initialRpcTimeoutMillis: 10_000, rpcTimeoutMultiplier: 1, maxRpcTimeoutMillis: 10_000, maxRetries: 40 },
    },
};

test("CRC32C matches the RFC 3720 check value", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
});

describe("key rings, crypto keys and versions", () => {
    const clock = new ManualClock(T0);
    let emu: GcpKmsEmulator;
    let kms: KeyManagementServiceClient;
    const RING = `${LOC}/keyRings/main`;

    beforeAll(async () => {
        emu = await startGcpKmsEmulator({ clock, asyncStates: "instant" });
        kms = clientFor(emu);
        await kms.createKeyRing({ parent: LOC, keyRingId: "main" });
    });
    afterAll(async () => {
        await kms.close();
        await emu.stop();
    });

    test("CreateKeyRing, GetKeyRing, ListKeyRings (paged)", async () => {
        const [created] = await kms.createKeyRing({ parent: LOC, keyRingId: "second_ring-2", keyRing: {} });
        expect(created).toMatchObject({ name: `${LOC}/keyRings/second_ring-2`, createTime: ts(T0) });
        const [got] = await kms.getKeyRing({ name: `${LOC}/keyRings/second_ring-2` });
        expect(got).toMatchObject({ name: `${LOC}/keyRings/second_ring-2`, createTime: ts(T0) });
        const [all] = await kms.listKeyRings({ parent: LOC });
        expect(all.map((r) => r.name)).toEqual([RING, `${LOC}/keyRings/second_ring-2`]);
        const paged: string[] = [];
        for await (const r of kms.listKeyRingsAsync({ parent: LOC, pageSize: 1 }, { autoPaginate: false })) paged.push(r.name!);
        expect(paged).toEqual([RING, `${LOC}/keyRings/second_ring-2`]);
        const before = emu.calls.filter((c) => c.operation === "ListKeyRings").length;
        const [firstPage, , raw] = await kms.listKeyRings({ parent: LOC, pageSize: 1 }, { autoPaginate: false });
        expect(firstPage.map((r) => r.name)).toEqual([RING]);
        expect(raw).toMatchObject({ totalSize: 2, nextPageToken: expect.any(String) });
        expect(emu.calls.filter((c) => c.operation === "ListKeyRings").length - before).toBe(1);
        const [other] = await kms.listKeyRings({ parent: "projects/kf-test/locations/us-east1" });
        expect(other).toEqual([]);
    });

    test("key ring errors: bad id, bad parent, duplicate, unknown", async () => {
        await expect(kms.createKeyRing({ parent: LOC, keyRingId: "bad id!" })).rejects.toMatchObject({ code: 3, details: 'key_ring_id: must match [a-zA-Z0-9_-]{1,63} (got "bad id!")' });
        await expect(kms.createKeyRing({ parent: LOC, keyRingId: "x".repeat(64) })).rejects.toMatchObject({ code: 3 });
        await expect(kms.createKeyRing({ parent: "projects/kf-test", keyRingId: "ok" })).rejects.toMatchObject({ code: 3 });
        await expect(kms.createKeyRing({ parent: LOC, keyRingId: "main" })).rejects.toMatchObject({ code: 6, details: `KeyRing ${RING} already exists.` });
        await expect(kms.getKeyRing({ name: `${LOC}/keyRings/nope` })).rejects.toMatchObject({ code: 5, details: `KeyRing ${LOC}/keyRings/nope not found.` });
    });

    test("CreateCryptoKey (symmetric): version 1 ENABLED and primary, defaults, labels and rotation", async () => {
        const next = T0 + 30 * DAY_MS;
        const [key] = await kms.createCryptoKey({
            parent: RING,
            cryptoKeyId: "sym",
            cryptoKey: { purpose: "ENCRYPT_DECRYPT", labels: { team: "payments" }, rotationPeriod: { seconds: 90 * 86400 }, nextRotationTime: { seconds: next / 1000 }, versionTemplate: { protectionLevel: "HSM" } },
        });
        const v1 = {
            name: `${RING}/cryptoKeys/sym/cryptoKeyVersions/1`,
            state: "ENABLED",
            protectionLevel: "HSM",
            algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
            createTime: ts(T0),
            generateTime: ts(T0),
            importJob: "",
            reimportEligible: false,
        };
        const expected = {
            name: `${RING}/cryptoKeys/sym`,
            purpose: "ENCRYPT_DECRYPT",
            createTime: ts(T0),
            primary: v1,
            versionTemplate: { protectionLevel: "HSM", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" },
            labels: { team: "payments" },
            importOnly: false,
            rotationPeriod: { seconds: "7776000", nanos: 0 },
            nextRotationTime: ts(next),
            destroyScheduledDuration: { seconds: "2592000", nanos: 0 },
        };
        expect(key).toMatchObject(expected);
        const [got] = await kms.getCryptoKey({ name: `${RING}/cryptoKeys/sym` });
        expect(got).toMatchObject(expected);
        const [versions] = await kms.listCryptoKeyVersions({ parent: `${RING}/cryptoKeys/sym` });
        expect(versions).toEqual([expect.objectContaining(v1)]);
    });

    test("CreateCryptoKey (asymmetric and MAC): no primary; ListCryptoKeys", async () => {
        const [ec] = await kms.createCryptoKey({ parent: RING, cryptoKeyId: "ec", cryptoKey: { purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm: "EC_SIGN_P256_SHA256" } } });
        expect(ec).toMatchObject({ purpose: "ASYMMETRIC_SIGN", primary: null, versionTemplate: { protectionLevel: "SOFTWARE", algorithm: "EC_SIGN_P256_SHA256" } });
        const [mac] = await kms.createCryptoKey({ parent: RING, cryptoKeyId: "mac", cryptoKey: { purpose: "MAC", versionTemplate: { algorithm: "HMAC_SHA256" }, destroyScheduledDuration: { seconds: DAY_MS / 1000 } } });
        expect(mac).toMatchObject({ purpose: "MAC", primary: null, destroyScheduledDuration: { seconds: "86400", nanos: 0 } });
        const [v] = await kms.getCryptoKeyVersion({ name: `${RING}/cryptoKeys/mac/cryptoKeyVersions/1` });
        expect(v).toMatchObject({ state: "ENABLED", algorithm: "HMAC_SHA256", protectionLevel: "SOFTWARE" });
        const [keys] = await kms.listCryptoKeys({ parent: RING });
        expect(keys.map((k) => k.name)).toEqual(["sym", "ec", "mac"].map((k) => `${RING}/cryptoKeys/${k}`));
    });

    test("CreateCryptoKey errors: purpose/algorithm mismatch, rotation on a signing key, import-only without skip, duplicates, unknown ring", async () => {
        const create = (cryptoKeyId: string, cryptoKey: protos.google.cloud.kms.v1.ICryptoKey, skipInitialVersionCreation = false, parent = RING) =>
            kms.createCryptoKey({ parent, cryptoKeyId, cryptoKey, skipInitialVersionCreation });
        await expect(create("a", { purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" } })).rejects.toMatchObject({
            code: 3,
            details: "crypto_key.version_template.algorithm: GOOGLE_SYMMETRIC_ENCRYPTION does not fit purpose ASYMMETRIC_SIGN",
        });
        await expect(create("a", { purpose: "ASYMMETRIC_SIGN" })).rejects.toMatchObject({ code: 3, details: "crypto_key.version_template.algorithm: is required for ASYMMETRIC_SIGN keys" });
        await expect(create("a", { purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm: "EC_SIGN_P256_SHA256" }, rotationPeriod: { seconds: 86400 }, nextRotationTime: { seconds: T0 / 1000 } })).rejects.toMatchObject({
            code: 3,
            details: "rotation_period, next_rotation_time: ASYMMETRIC_SIGN keys do not support automatic rotation",
        });
        await expect(create("a", { purpose: "ENCRYPT_DECRYPT", rotationPeriod: { seconds: 3600 }, nextRotationTime: { seconds: T0 / 1000 } })).rejects.toMatchObject({ code: 3 });
        await expect(create("a", { purpose: "ENCRYPT_DECRYPT", rotationPeriod: { seconds: 86400 } })).rejects.toMatchObject({ code: 3, details: "next_rotation_time: must be set when rotation_period is set" });
        await expect(create("a", { purpose: "ENCRYPT_DECRYPT", importOnly: true })).rejects.toMatchObject({ code: 3, details: "skip_initial_version_creation: must be true for import_only keys" });
        await expect(create("a", { purpose: "ENCRYPT_DECRYPT", destroyScheduledDuration: { seconds: 121 * 86400 } })).rejects.toMatchObject({ code: 3 });
        await expect(create("a", { purpose: "ENCRYPT_DECRYPT", labels: { Team: "x" } })).rejects.toMatchObject({ code: 3 });
        await expect(create("sym", { purpose: "ENCRYPT_DECRYPT" })).rejects.toMatchObject({ code: 6 });
        await expect(create("a", { purpose: "ENCRYPT_DECRYPT" }, false, `${LOC}/keyRings/nope`)).rejects.toMatchObject({ code: 5 });
        await expect(kms.getCryptoKey({ name: `${RING}/cryptoKeys/nope` })).rejects.toMatchObject({ code: 5, details: `CryptoKey ${RING}/cryptoKeys/nope not found.` });
        expect(emu.inspect().cryptoKeys.map((k) => k.name)).not.toContain(`${RING}/cryptoKeys/a`);
    });

    test("UpdateCryptoKey: labels, rotation period and next rotation time through the update mask", async () => {
        const name = `${RING}/cryptoKeys/sym`;
        const [updated] = await kms.updateCryptoKey({
            cryptoKey: { name, labels: { team: "billing", env: "prod" }, rotationPeriod: { seconds: 30 * 86400 }, nextRotationTime: { seconds: (T0 + DAY_MS) / 1000 } },
            updateMask: { paths: ["labels", "rotation_period", "nextRotationTime"] },
        });
        expect(updated).toMatchObject({ labels: { team: "billing", env: "prod" }, rotationPeriod: { seconds: "2592000" }, nextRotationTime: ts(T0 + DAY_MS), primary: { name: `${name}/cryptoKeyVersions/1` } });
        const [cleared] = await kms.updateCryptoKey({ cryptoKey: { name, labels: {} }, updateMask: { paths: ["labels"] } });
        expect(cleared.labels).toEqual({});
        await expect(kms.updateCryptoKey({ cryptoKey: { name, purpose: "MAC" }, updateMask: { paths: ["purpose"] } })).rejects.toMatchObject({ code: 3 });
        await expect(kms.updateCryptoKey({ cryptoKey: { name }, updateMask: { paths: [] } })).rejects.toMatchObject({ code: 3 });
        await expect(kms.updateCryptoKey({ cryptoKey: { name: `${RING}/cryptoKeys/nope`, labels: {} }, updateMask: { paths: ["labels"] } })).rejects.toMatchObject({ code: 5 });
    });

    test("CreateCryptoKeyVersion adds a non-primary version; UpdateCryptoKeyPrimaryVersion switches the primary", async () => {
        const name = `${RING}/cryptoKeys/sym`;
        const [v2] = await kms.createCryptoKeyVersion({ parent: name, cryptoKeyVersion: {} });
        expect(v2).toMatchObject({ name: `${name}/cryptoKeyVersions/2`, state: "ENABLED", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" });
        expect((await kms.getCryptoKey({ name }))[0].primary).toMatchObject({ name: `${name}/cryptoKeyVersions/1` });
        const [key] = await kms.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: "2" });
        expect(key.primary).toMatchObject({ name: `${name}/cryptoKeyVersions/2`, state: "ENABLED" });
        await expect(kms.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: "9" })).rejects.toMatchObject({ code: 5 });
        await expect(kms.updateCryptoKeyPrimaryVersion({ name: `${RING}/cryptoKeys/ec`, cryptoKeyVersionId: "1" })).rejects.toMatchObject({ code: 9 });
        await expect(kms.createCryptoKeyVersion({ parent: `${RING}/cryptoKeys/nope` })).rejects.toMatchObject({ code: 5 });
        await kms.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: "1" });
    });

    test("UpdateCryptoKeyVersion disables and enables; operations on a disabled version are FAILED_PRECONDITION", async () => {
        const name = `${RING}/cryptoKeys/sym/cryptoKeyVersions/2`;
        const [disabled] = await kms.updateCryptoKeyVersion({ cryptoKeyVersion: { name, state: "DISABLED" }, updateMask: { paths: ["state"] } });
        expect(disabled).toMatchObject({ name, state: "DISABLED" });
        await expect(kms.encrypt({ name, plaintext: Buffer.from("x") })).rejects.toMatchObject({ code: 9, details: `${name} is not enabled, current state is: DISABLED.` });
        await expect(kms.updateCryptoKeyPrimaryVersion({ name: `${RING}/cryptoKeys/sym`, cryptoKeyVersionId: "2" })).rejects.toMatchObject({ code: 9 });
        await expect(kms.updateCryptoKeyVersion({ cryptoKeyVersion: { name, state: "DESTROYED" }, updateMask: { paths: ["state"] } })).rejects.toMatchObject({ code: 3 });
        const [enabled] = await kms.updateCryptoKeyVersion({ cryptoKeyVersion: { name, state: "ENABLED" }, updateMask: { paths: ["state"] } });
        expect(enabled.state).toBe("ENABLED");
    });

    test("DestroyCryptoKeyVersion schedules destruction after destroyScheduledDuration; RestoreCryptoKeyVersion → DISABLED", async () => {
        const name = `${RING}/cryptoKeys/sym/cryptoKeyVersions/2`;
        const [scheduled] = await kms.destroyCryptoKeyVersion({ name });
        expect(scheduled).toMatchObject({ name, state: "DESTROY_SCHEDULED", destroyTime: ts(T0 + 30 * DAY_MS) });
        await expect(kms.destroyCryptoKeyVersion({ name })).rejects.toMatchObject({ code: 9 });
        await expect(kms.encrypt({ name, plaintext: Buffer.from("x") })).rejects.toMatchObject({ code: 9 });
        const [restored] = await kms.restoreCryptoKeyVersion({ name });
        expect(restored).toMatchObject({ name, state: "DISABLED", destroyTime: null });
        await expect(kms.restoreCryptoKeyVersion({ name })).rejects.toMatchObject({ code: 9 });
        await expect(kms.destroyCryptoKeyVersion({ name: `${RING}/cryptoKeys/sym/cryptoKeyVersions/7` })).rejects.toMatchObject({ code: 5 });
    });

    test("Encrypt/Decrypt: AES-256-GCM with AAD, the ciphertext names its version, CRC32C integrity fields", async () => {
        const key = `${RING}/cryptoKeys/sym`;
        const plaintext = Buffer.from("card 4111 1111 1111 1111");
        const aad = Buffer.from("order-42");
        const [enc] = await kms.encrypt({ name: key, plaintext, additionalAuthenticatedData: aad, plaintextCrc32c: { value: crc32c(plaintext) } });
        expect(enc).toMatchObject({ name: `${key}/cryptoKeyVersions/1`, verifiedPlaintextCrc32c: true, verifiedAdditionalAuthenticatedDataCrc32c: false, protectionLevel: "HSM" });
        const ciphertext = Buffer.from(enc.ciphertext as Uint8Array);
        expect(enc.ciphertextCrc32c).toEqual({ value: String(crc32c(ciphertext)) });
        expect(ciphertext.includes(plaintext)).toBe(false);
        const [dec] = await kms.decrypt({ name: key, ciphertext, additionalAuthenticatedData: aad });
        expect(dec).toMatchObject({ plaintext, plaintextCrc32c: { value: String(crc32c(plaintext)) }, usedPrimary: true, protectionLevel: "HSM" });

        // A new primary: the old ciphertext still decrypts with the version it names.
        const [v3] = await kms.createCryptoKeyVersion({ parent: key });
        await kms.updateCryptoKeyPrimaryVersion({ name: key, cryptoKeyVersionId: "3" });
        const [enc3] = await kms.encrypt({ name: key, plaintext });
        expect(enc3.name).toBe(v3.name);
        expect((await kms.decrypt({ name: key, ciphertext, additionalAuthenticatedData: aad }))[0]).toMatchObject({ plaintext, usedPrimary: false });
        // Encrypt with an explicit version.
        const [encV1] = await kms.encrypt({ name: `${key}/cryptoKeyVersions/1`, plaintext });
        expect(encV1.name).toBe(`${key}/cryptoKeyVersions/1`);

        await expect(kms.decrypt({ name: key, ciphertext, additionalAuthenticatedData: Buffer.from("other") })).rejects.toMatchObject({
            code: 3,
            details: "Decryption failed: verify that 'name' refers to the correct CryptoKey.",
        });
        const tampered = Buffer.from(ciphertext);
        tampered[tampered.length - 1] ^= 1;
        await expect(kms.decrypt({ name: key, ciphertext: tampered, additionalAuthenticatedData: aad })).rejects.toMatchObject({ code: 3 });
        await expect(kms.decrypt({ name: key, ciphertext: Buffer.from("not a ciphertext") })).rejects.toMatchObject({ code: 3, details: "Decryption failed: the ciphertext is invalid." });
        await expect(kms.encrypt({ name: key, plaintext, plaintextCrc32c: { value: crc32c(plaintext) ^ 1 } })).rejects.toMatchObject({
            code: 3,
            details: "The checksum in field plaintext_crc32c did not match the data in field plaintext.",
        });
        await expect(kms.encrypt({ name: `${RING}/cryptoKeys/ec`, plaintext })).rejects.toMatchObject({ code: 9 });
        await expect(kms.encrypt({ name: `${RING}/cryptoKeys/nope`, plaintext })).rejects.toMatchObject({ code: 5 });
        await expect(kms.decrypt({ name: `${RING}/cryptoKeys/nope`, ciphertext })).rejects.toMatchObject({ code: 5 });
    });

    test("AsymmetricSign and GetPublicKey (generated EC P-256, RSA-PSS, RSA PKCS#1): signatures verify locally", async () => {
        const data = Buffer.from("release v1.2.3");
        const ecName = `${RING}/cryptoKeys/ec/cryptoKeyVersions/1`;
        const [pub] = await kms.getPublicKey({ name: ecName });
        expect(pub).toMatchObject({ name: ecName, algorithm: "EC_SIGN_P256_SHA256", protectionLevel: "SOFTWARE", pemCrc32c: { value: String(crc32c(Buffer.from(pub.pem!))) } });
        expect(pub.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
        const digest = sha("sha256", data);
        const [sig] = await kms.asymmetricSign({ name: ecName, digest: { sha256: digest }, digestCrc32c: { value: crc32c(digest) } });
        expect(sig).toMatchObject({ name: ecName, verifiedDigestCrc32c: true, verifiedDataCrc32c: false, protectionLevel: "SOFTWARE" });
        const signature = Buffer.from(sig.signature as Uint8Array);
        expect(sig.signatureCrc32c).toEqual({ value: String(crc32c(signature)) });
        expect(crypto.verify("sha256", data, pub.pem!, signature)).toBe(true);
        const [sigData] = await kms.asymmetricSign({ name: ecName, data });
        expect(sigData.verifiedDataCrc32c).toBe(false);
        expect(crypto.verify("sha256", data, pub.pem!, Buffer.from(sigData.signature as Uint8Array))).toBe(true);
        await expect(kms.asymmetricSign({ name: ecName, digest: { sha384: sha("sha384", data) } })).rejects.toMatchObject({ code: 3, details: "digest: EC_SIGN_P256_SHA256 needs a sha256 digest (got sha384)" });
        await expect(kms.asymmetricSign({ name: ecName, digest: { sha256: digest.subarray(1) } })).rejects.toMatchObject({ code: 3 });

        for (const algorithm of ["RSA_SIGN_PSS_2048_SHA256", "RSA_SIGN_PKCS1_2048_SHA256"] as const) {
            const id = algorithm.toLowerCase().replace(/_/g, "-");
            await kms.createCryptoKey({ parent: RING, cryptoKeyId: id, cryptoKey: { purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm } } });
            const name = `${RING}/cryptoKeys/${id}/cryptoKeyVersions/1`;
            const [{ pem }] = await kms.getPublicKey({ name });
            const [{ signature: s }] = await kms.asymmetricSign({ name, digest: { sha256: digest } });
            const padding = algorithm.includes("PSS") ? { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : { padding: crypto.constants.RSA_PKCS1_PADDING };
            expect(crypto.verify("sha256", data, { key: pem!, ...padding }, Buffer.from(s as Uint8Array))).toBe(true);
        }
        await expect(kms.getPublicKey({ name: `${RING}/cryptoKeys/sym/cryptoKeyVersions/1` })).rejects.toMatchObject({ code: 9 });
        await expect(kms.asymmetricSign({ name: `${RING}/cryptoKeys/sym/cryptoKeyVersions/1`, digest: { sha256: digest } })).rejects.toMatchObject({
            code: 9,
            details: `Operation requested for Key ${RING}/cryptoKeys/sym/cryptoKeyVersions/1 has incorrect key purpose: ENCRYPT_DECRYPT`,
        });
        await expect(kms.asymmetricSign({ name: `${RING}/cryptoKeys/ec/cryptoKeyVersions/5`, digest: { sha256: digest } })).rejects.toMatchObject({ code: 5 });
    });

    test("AsymmetricDecrypt (generated RSA-OAEP-2048-SHA256): local encryption, SDK decryption", async () => {
        await kms.createCryptoKey({ parent: RING, cryptoKeyId: "rsa-dec", cryptoKey: { purpose: "ASYMMETRIC_DECRYPT", versionTemplate: { algorithm: "RSA_DECRYPT_OAEP_2048_SHA256" } } });
        const name = `${RING}/cryptoKeys/rsa-dec/cryptoKeyVersions/1`;
        const [pub] = await kms.getPublicKey({ name });
        expect(pub).toMatchObject({ algorithm: "RSA_DECRYPT_OAEP_2048_SHA256", name });
        const secret = Buffer.from("database password");
        const ciphertext = rsaOaepEncrypt(crypto.createPublicKey(pub.pem!), "sha256", secret);
        const [dec] = await kms.asymmetricDecrypt({ name, ciphertext, ciphertextCrc32c: { value: crc32c(ciphertext) } });
        expect(dec).toMatchObject({ plaintext: secret, plaintextCrc32c: { value: String(crc32c(secret)) }, verifiedCiphertextCrc32c: true, protectionLevel: "SOFTWARE" });
        await expect(kms.asymmetricDecrypt({ name, ciphertext: rsaOaepEncrypt(crypto.createPublicKey(pub.pem!), "sha1", secret) })).rejects.toMatchObject({ code: 3 });
    });

    test("MacSign/MacVerify (generated HMAC-SHA256)", async () => {
        const name = `${RING}/cryptoKeys/mac/cryptoKeyVersions/1`;
        const data = Buffer.from("webhook body");
        const [signed] = await kms.macSign({ name, data, dataCrc32c: { value: crc32c(data) } });
        const mac = Buffer.from(signed.mac as Uint8Array);
        expect(signed).toMatchObject({ name, verifiedDataCrc32c: true, macCrc32c: { value: String(crc32c(mac)) }, protectionLevel: "SOFTWARE" });
        expect(mac).toHaveLength(32);
        expect((await kms.macVerify({ name, data, mac }))[0]).toMatchObject({ name, success: true, verifiedSuccessIntegrity: true });
        const bad = Buffer.from(mac);
        bad[0] ^= 1;
        expect((await kms.macVerify({ name, data, mac: bad }))[0]).toMatchObject({ success: false });
        await expect(kms.macSign({ name: `${RING}/cryptoKeys/ec/cryptoKeyVersions/1`, data })).rejects.toMatchObject({ code: 9 });
    });

    test("Get/SetIamPolicy on key rings and crypto keys (IAM mixin, google.iam.v1.IAMPolicy)", async () => {
        const [initial] = await kms.getIamPolicy({ resource: RING } as GetPolicy);
        expect(initial).toMatchObject({ version: 1, bindings: [] });
        expect(Buffer.from(initial.etag as Uint8Array)).toHaveLength(8);
        const key = `${RING}/cryptoKeys/sym`;
        const bindings = [{ role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", members: ["serviceAccount:app@kf-test.iam.gserviceaccount.com"] }];
        const [set] = await kms.setIamPolicy({ resource: key, policy: { bindings } } as SetPolicy);
        expect(set).toMatchObject({ version: 1, bindings });
        const [got] = await kms.getIamPolicy({ resource: key } as GetPolicy);
        expect(got).toMatchObject({ version: 1, bindings });
        expect(got.etag).toEqual(set.etag);
        // A read-modify-write with a stale etag is ABORTED.
        await kms.setIamPolicy({ resource: key, policy: { bindings, etag: got.etag } } as SetPolicy);
        await expect(kms.setIamPolicy({ resource: key, policy: { bindings: [{ role: "roles/cloudkms.admin", members: ["user:late@example.com"] }], etag: got.etag } } as SetPolicy)).rejects.toMatchObject({ code: 10 });
        await expect(kms.setIamPolicy({ resource: key, policy: { bindings: [{ role: "roles/x", members: ["nobody"] }] } } as SetPolicy)).rejects.toMatchObject({ code: 3 });
        await expect(kms.getIamPolicy({ resource: `${RING}/cryptoKeys/nope` } as GetPolicy)).rejects.toMatchObject({ code: 5 });
        const [perms] = await kms.testIamPermissions({ resource: key, permissions: ["cloudkms.cryptoKeyVersions.useToEncrypt", "storage.buckets.get"] } as TestPermissions);
        expect(perms.permissions).toEqual(["cloudkms.cryptoKeyVersions.useToEncrypt"]);
        expect(emu.inspect().iamPolicies).toEqual([{ resource: key, version: 1, bindings, etag: expect.any(String) }]);
    });

    test("GenerateRandomBytes; unimplemented RPCs answer UNIMPLEMENTED; every call is recorded", async () => {
        const [random] = await kms.generateRandomBytes({ location: LOC, lengthBytes: 32, protectionLevel: "HSM" });
        expect(random.data).toHaveLength(32);
        expect(random.dataCrc32c).toEqual({ value: String(crc32c(Buffer.from(random.data as Uint8Array))) });
        await expect(kms.decapsulate({ name: `${RING}/cryptoKeys/sym/cryptoKeyVersions/1`, ciphertext: Buffer.from("x") })).rejects.toMatchObject({ code: 12 });
        expect(emu.calls.slice(-2)).toEqual([{ operation: "GenerateRandomBytes" }, { operation: "Decapsulate" }]);
        expect(emu.calls[0]).toEqual({ operation: "CreateKeyRing" });
    });
});

describe("BYOK: ImportCryptoKeyVersion through import jobs", () => {
    const clock = new ManualClock(T0);
    let emu: GcpKmsEmulator;
    let kms: KeyManagementServiceClient;
    const RING = `${LOC}/keyRings/byok`;
    let job4096: ImportJob; // RSA_OAEP_4096_SHA256_AES_256
    let job3072: ImportJob; // RSA_OAEP_3072_SHA256_AES_256
    let direct3072: ImportJob; // RSA_OAEP_3072_SHA256
    /** Every response the client received in this block, for the plaintext check. */
    const responses: unknown[] = [];

    const newKey = async (cryptoKeyId: string, purpose: Purpose, algorithm: Algorithm, protectionLevel: "HSM" | "SOFTWARE" = "HSM") => {
        const [key] = await kms.createCryptoKey({
            parent: RING,
            cryptoKeyId,
            cryptoKey: { purpose, importOnly: true, versionTemplate: { algorithm, protectionLevel } },
            skipInitialVersionCreation: true,
        });
        responses.push(key);
        return key.name!;
    };

    /** Imports `material`, checks the PENDING_IMPORT answer, and returns the version as the next read shows it. */
    const importInto = async (parent: string, job: ImportJob, algorithm: Algorithm, wrappedKey: Buffer, extra: protos.google.cloud.kms.v1.IImportCryptoKeyVersionRequest = {}): Promise<CryptoKeyVersion> => {
        const [pending] = await kms.importCryptoKeyVersion({ parent, algorithm, importJob: job.name, wrappedKey, ...extra });
        expect(pending).toMatchObject({ state: "PENDING_IMPORT", algorithm });
        const [v] = await kms.getCryptoKeyVersion({ name: pending.name });
        responses.push(pending, v);
        return v;
    };

    beforeAll(async () => {
        emu = await startGcpKmsEmulator({ clock, asyncStates: "instant" });
        kms = clientFor(emu);
        await kms.createKeyRing({ parent: LOC, keyRingId: "byok" });
        const newJob = async (importJobId: string, importMethod: ImportMethod) =>
            (await kms.createImportJob({ parent: RING, importJobId, importJob: { importMethod, protectionLevel: "HSM" } }))[0];
        [job4096, job3072, direct3072] = await Promise.all([
            newJob("hybrid-4096", "RSA_OAEP_4096_SHA256_AES_256"),
            newJob("hybrid-3072", "RSA_OAEP_3072_SHA256_AES_256"),
            newJob("direct-3072", "RSA_OAEP_3072_SHA256"),
        ]);
    });
    afterAll(async () => {
        await kms.close();
        await emu.stop();
    });

    test("CreateImportJob/GetImportJob/ListImportJobs: ACTIVE at once, 72 h lifetime, SPKI PEM of the right size", async () => {
        expect(job4096).toMatchObject({
            name: `${RING}/importJobs/hybrid-4096`,
            importMethod: "RSA_OAEP_4096_SHA256_AES_256",
            protectionLevel: "HSM",
            state: "ACTIVE",
            createTime: ts(T0),
            generateTime: ts(T0),
            expireTime: ts(T0 + 72 * HOUR_MS),
            publicKey: { pem: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----\n/) },
        });
        const bits = (job: ImportJob) => crypto.createPublicKey(job.publicKey!.pem!).asymmetricKeyDetails!.modulusLength;
        expect([bits(job4096), bits(job3072), bits(direct3072)]).toEqual([4096, 3072, 3072]);
        const [got] = await kms.getImportJob({ name: job3072.name });
        expect(got).toMatchObject({ name: job3072.name, state: "ACTIVE", importMethod: "RSA_OAEP_3072_SHA256_AES_256", publicKey: { pem: job3072.publicKey!.pem } });
        const [jobs] = await kms.listImportJobs({ parent: RING });
        expect(jobs.map((j) => j.name).sort()).toEqual([direct3072.name, job3072.name, job4096.name]);
        await expect(kms.getImportJob({ name: `${RING}/importJobs/nope` })).rejects.toMatchObject({ code: 5 });
        await expect(kms.createImportJob({ parent: RING, importJobId: "hybrid-4096", importJob: { importMethod: "RSA_OAEP_3072_SHA256", protectionLevel: "HSM" } })).rejects.toMatchObject({ code: 6 });
        await expect(kms.createImportJob({ parent: RING, importJobId: "x", importJob: { protectionLevel: "HSM" } })).rejects.toMatchObject({ code: 3 });
        await expect(kms.createImportJob({ parent: RING, importJobId: "x", importJob: { importMethod: "RSA_OAEP_3072_SHA256" } })).rejects.toMatchObject({ code: 3 });
    });

    test("AES-256 (GOOGLE_SYMMETRIC_ENCRYPTION) via RSA_OAEP_4096_SHA256_AES_256: ENABLED, not primary until set, round trip, fingerprint; plaintext never appears", async () => {
        const material = crypto.randomBytes(32);
        const key = await newKey("aes", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION");
        const v = await importInto(key, job4096, "GOOGLE_SYMMETRIC_ENCRYPTION", wrapFor(job4096, material));
        expect(v).toMatchObject({
            name: `${key}/cryptoKeyVersions/1`,
            state: "ENABLED",
            algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
            protectionLevel: "HSM",
            importJob: job4096.name,
            importTime: ts(T0),
            reimportEligible: true,
            importFailureReason: "",
        });
        // The emulator does not make an imported version primary: the caller sets it.
        expect((await kms.getCryptoKey({ name: key }))[0].primary).toBeNull();
        await expect(kms.encrypt({ name: key, plaintext: Buffer.from("x") })).rejects.toMatchObject({ code: 9, details: `${key} has no primary version` });
        const [withPrimary] = await kms.updateCryptoKeyPrimaryVersion({ name: key, cryptoKeyVersionId: "1" });
        expect(withPrimary.primary).toMatchObject({ name: v.name, state: "ENABLED", importJob: job4096.name });
        const plaintext = Buffer.from("customer record");
        const [enc] = await kms.encrypt({ name: key, plaintext });
        const [dec] = await kms.decrypt({ name: key, ciphertext: enc.ciphertext });
        expect(Buffer.from(dec.plaintext as Uint8Array)).toEqual(plaintext);
        const [versions] = await kms.listCryptoKeyVersions({ parent: key });
        responses.push(withPrimary, enc, dec, versions);

        // The ciphertext really is AES-256-GCM under the imported material: decrypt it locally.
        const ct = Buffer.from(enc.ciphertext as Uint8Array);
        const header = ct.subarray(0, 8);
        const aad = Buffer.concat([header, crypto.createHash("sha256").update(key).update("\0").digest()]);
        const d = crypto.createDecipheriv("aes-256-gcm", material, ct.subarray(8, 20));
        d.setAAD(aad);
        d.setAuthTag(ct.subarray(20, 36));
        expect(Buffer.concat([d.update(ct.subarray(36)), d.final()])).toEqual(plaintext);

        const inspected = emu.inspect();
        expect(inspected.cryptoKeys.find((k) => k.name === key)).toMatchObject({
            importOnly: true,
            primary: v.name,
            versions: [{ name: v.name, state: "ENABLED", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM", fingerprint: fingerprint(material), importJob: job4096.name }],
        });

        const forms = [material.toString("hex"), material.toString("base64"), material.toString("base64url")];
        const asText = (x: unknown) =>
            JSON.stringify(x, (_k, value) =>
                value && value.type === "Buffer" && Array.isArray(value.data) ? `${Buffer.from(value.data).toString("hex")} ${Buffer.from(value.data).toString("base64")}` : value,
            );
        for (const text of [asText(responses), asText(inspected)]) for (const form of forms) expect(text).not.toContain(form);
    });

    test("direct RSA_OAEP_3072_SHA256 import of an AES-256 key", async () => {
        const material = crypto.randomBytes(32);
        const key = await newKey("aes-direct", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION");
        const v = await importInto(key, direct3072, "GOOGLE_SYMMETRIC_ENCRYPTION", rsaOaepEncrypt(crypto.createPublicKey(direct3072.publicKey!.pem!), "sha256", material));
        expect(v).toMatchObject({ state: "ENABLED", importJob: direct3072.name });
        await kms.updateCryptoKeyPrimaryVersion({ name: key, cryptoKeyVersionId: "1" });
        const [enc] = await kms.encrypt({ name: key, plaintext: Buffer.from("direct") });
        expect((await kms.decrypt({ name: key, ciphertext: enc.ciphertext }))[0].plaintext).toEqual(Buffer.from("direct"));
        expect(emu.inspect().cryptoKeys.find((k) => k.name === key)!.versions[0].fingerprint).toBe(fingerprint(material));
        // RSA targets do not fit a direct method.
        const rsaKey = await newKey("rsa-direct", "ASYMMETRIC_SIGN", "RSA_SIGN_PSS_2048_SHA256");
        await expect(kms.importCryptoKeyVersion({ parent: rsaKey, algorithm: "RSA_SIGN_PSS_2048_SHA256", importJob: direct3072.name, wrappedKey: Buffer.alloc(384, 1) })).rejects.toMatchObject({ code: 3 });
    });

    test("HMAC_SHA256 via RSA_OAEP_3072_SHA256_AES_256: MacSign equals the local HMAC", async () => {
        const material = crypto.randomBytes(32);
        const key = await newKey("hmac", "MAC", "HMAC_SHA256");
        const v = await importInto(key, job3072, "HMAC_SHA256", wrapFor(job3072, material));
        expect(v).toMatchObject({ state: "ENABLED", algorithm: "HMAC_SHA256" });
        const data = Buffer.from("payload");
        const [signed] = await kms.macSign({ name: v.name, data });
        expect(Buffer.from(signed.mac as Uint8Array)).toEqual(crypto.createHmac("sha256", material).update(data).digest());
        expect(emu.inspect().cryptoKeys.find((k) => k.name === key)!.versions[0].fingerprint).toBe(fingerprint(material));
    });

    test.each([
        ["RSA_SIGN_PSS_2048_SHA256", 2048],
        ["RSA_SIGN_PSS_3072_SHA256", 3072],
        ["RSA_SIGN_PSS_4096_SHA256", 4096],
    ] as const)("%s via RSA_OAEP_3072_SHA256_AES_256: the SDK's signature verifies with the material's public key", async (algorithm, bits) => {
        const material = rsaMaterial(bits);
        const key = await newKey(`pss-${bits}`, "ASYMMETRIC_SIGN", algorithm);
        const v = await importInto(key, job3072, algorithm, wrapFor(job3072, material));
        expect(v).toMatchObject({ state: "ENABLED", algorithm });
        const data = Buffer.from(`document signed with ${algorithm}`);
        const [{ signature }] = await kms.asymmetricSign({ name: v.name, digest: { sha256: sha("sha256", data) } });
        const pub = publicOf(material);
        expect(crypto.verify("sha256", data, { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(signature as Uint8Array))).toBe(true);
        const [{ pem }] = await kms.getPublicKey({ name: v.name });
        expect(pem).toBe(pub.export({ type: "spki", format: "pem" }));
        expect(emu.inspect().cryptoKeys.find((k) => k.name === key)!.versions[0].fingerprint).toBe(fingerprint(material, crypto.createPrivateKey({ key: material, format: "der", type: "pkcs8" })));
    });

    test("RSA_DECRYPT_OAEP_3072_SHA256 via RSA_OAEP_4096_SHA256_AES_256: local encryption, SDK decryption", async () => {
        const material = rsaMaterial(3072);
        const key = await newKey("rsa-oaep", "ASYMMETRIC_DECRYPT", "RSA_DECRYPT_OAEP_3072_SHA256");
        const v = await importInto(key, job4096, "RSA_DECRYPT_OAEP_3072_SHA256", wrapFor(job4096, material));
        expect(v.state).toBe("ENABLED");
        const secret = Buffer.from("shared secret");
        const [dec] = await kms.asymmetricDecrypt({ name: v.name, ciphertext: rsaOaepEncrypt(publicOf(material), "sha256", secret) });
        expect(Buffer.from(dec.plaintext as Uint8Array)).toEqual(secret);
    });

    test.each([
        ["EC_SIGN_P256_SHA256", "prime256v1", "sha256"],
        ["EC_SIGN_P384_SHA384", "secp384r1", "sha384"],
    ] as const)("%s via RSA_OAEP_3072_SHA256_AES_256: ECDSA signatures over a digest verify locally", async (algorithm, curve, hash) => {
        const material = ecMaterial(curve);
        const key = await newKey(`ec-${curve}`, "ASYMMETRIC_SIGN", algorithm);
        const v = await importInto(key, job3072, algorithm, wrapFor(job3072, material));
        expect(v).toMatchObject({ state: "ENABLED", algorithm });
        const data = Buffer.from("firmware image");
        const pub = publicOf(material);
        for (let i = 0; i < 3; i++) {
            const [{ signature }] = await kms.asymmetricSign({ name: v.name, digest: { [hash]: sha(hash, data) } });
            expect(crypto.verify(hash, data, pub, Buffer.from(signature as Uint8Array))).toBe(true);
        }
    });

    test("IMPORT_FAILED: wrong OAEP hash, tampered RSA part, tampered KWP part, 31-byte material", async () => {
        const key = await newKey("failures", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION");
        const material = crypto.randomBytes(32);
        const good = wrapFor(job3072, material);
        const flip = (at: number) => {
            const b = Buffer.from(good);
            b[at] ^= 0x01;
            return b;
        };
        const cases: [Buffer, string][] = [
            [wrapFor(job3072, material, "sha1"), "RSA-OAEP decryption failed"],
            [flip(100), "RSA-OAEP decryption failed"],
            [flip(good.length - 3), "AES-KWP integrity check failed"],
            [wrapFor(job3072, crypto.randomBytes(31)), "The imported key material is not valid for GOOGLE_SYMMETRIC_ENCRYPTION: expected 32 raw bytes (AES-256), got 31 bytes."],
        ];
        for (const [i, [wrapped, reason]] of cases.entries()) {
            const v = await importInto(key, job3072, "GOOGLE_SYMMETRIC_ENCRYPTION", wrapped);
            expect(v).toMatchObject({ name: `${key}/cryptoKeyVersions/${i + 1}`, state: "IMPORT_FAILED", importJob: job3072.name, reimportEligible: true, importFailureReason: expect.stringContaining(reason) });
        }
        expect(emu.inspect().cryptoKeys.find((k) => k.name === key)!.versions.map((v) => v.state)).toEqual(["IMPORT_FAILED", "IMPORT_FAILED", "IMPORT_FAILED", "IMPORT_FAILED"]);
        // A failed version can be re-imported with good material.
        const fixed = await importInto(key, job3072, "GOOGLE_SYMMETRIC_ENCRYPTION", good, { cryptoKeyVersion: `${key}/cryptoKeyVersions/4` });
        expect(fixed).toMatchObject({ name: `${key}/cryptoKeyVersions/4`, state: "ENABLED", importFailureReason: "" });
        await expect(kms.updateCryptoKeyPrimaryVersion({ name: key, cryptoKeyVersionId: "1" })).rejects.toMatchObject({ code: 9 });
        const [failed] = await kms.listCryptoKeyVersions({ parent: key, filter: "state=IMPORT_FAILED", orderBy: "name desc" });
        expect(failed.map((v) => v.name)).toEqual([3, 2, 1].map((n) => `${key}/cryptoKeyVersions/${n}`));
        await expect(kms.listCryptoKeyVersions({ parent: key, filter: "state=(" })).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/^filter: /) });
    });

    test("synchronous import errors: unknown key or job, protection level mismatch, algorithm vs purpose, missing wrapped key", async () => {
        const key = await newKey("sync-errors", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION");
        const wrappedKey = wrapFor(job3072, crypto.randomBytes(32));
        const req = { parent: key, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" as const, importJob: job3072.name, wrappedKey };
        await expect(kms.importCryptoKeyVersion({ ...req, parent: `${RING}/cryptoKeys/nope` })).rejects.toMatchObject({ code: 5, details: `CryptoKey ${RING}/cryptoKeys/nope not found.` });
        await expect(kms.importCryptoKeyVersion({ ...req, importJob: `${RING}/importJobs/nope` })).rejects.toMatchObject({ code: 5 });
        await expect(kms.importCryptoKeyVersion({ ...req, algorithm: "HMAC_SHA256" })).rejects.toMatchObject({ code: 3, details: "algorithm: HMAC_SHA256 does not fit purpose ENCRYPT_DECRYPT" });
        await expect(kms.importCryptoKeyVersion({ ...req, wrappedKey: Buffer.alloc(0) })).rejects.toMatchObject({ code: 3, details: "wrapped_key: is required" });
        const soft = await newKey("software", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", "SOFTWARE");
        await expect(kms.importCryptoKeyVersion({ ...req, parent: soft })).rejects.toMatchObject({
            code: 9,
            details: `${job3072.name} has protection level HSM, but ${soft} has SOFTWARE; they must be equal`,
        });
        // The legacy rsaAesWrappedKey field is accepted too.
        const [legacy] = await kms.importCryptoKeyVersion({ parent: key, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: job3072.name, rsaAesWrappedKey: wrappedKey });
        expect(legacy.state).toBe("PENDING_IMPORT");
        expect((await kms.getCryptoKeyVersion({ name: legacy.name }))[0].state).toBe("ENABLED");
        expect(emu.inspect().cryptoKeys.find((k) => k.name === soft)!.versions).toEqual([]);
        await expect(kms.createCryptoKeyVersion({ parent: key })).rejects.toMatchObject({ code: 9, details: `${key} is import-only: new versions can only be imported` });
    });
});

describe("clock-driven lifecycle: job generation and expiry, destruction, re-import, rotation", () => {
    const clock = new ManualClock(T0);
    let emu: GcpKmsEmulator;
    let kms: KeyManagementServiceClient;
    const RING = `${LOC}/keyRings/clock`;

    beforeAll(async () => {
        emu = await startGcpKmsEmulator({ clock, asyncStates: "instant" });
        kms = clientFor(emu);
        await kms.createKeyRing({ parent: LOC, keyRingId: "clock" });
    });
    afterAll(async () => {
        await kms.close();
        await emu.stop();
    });

    test("a job stays PENDING_GENERATION for importJobGenerationReads reads, then ACTIVE; it EXPIRES after 72 h", async () => {
        emu.importJobGenerationReads = 2;
        const [created] = await kms.createImportJob({ parent: RING, importJobId: "slow", importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "SOFTWARE" } });
        emu.importJobGenerationReads = 0;
        expect(created).toMatchObject({ state: "PENDING_GENERATION", publicKey: null, generateTime: null });
        const key = (await kms.createCryptoKey({ parent: RING, cryptoKeyId: "k", cryptoKey: { purpose: "ENCRYPT_DECRYPT", importOnly: true }, skipInitialVersionCreation: true }))[0].name!;
        await expect(kms.importCryptoKeyVersion({ parent: key, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: created.name, wrappedKey: Buffer.alloc(400, 1) })).rejects.toMatchObject({
            code: 9,
            details: `${created.name} is not ACTIVE, current state is: PENDING_GENERATION.`,
        });
        const states: string[] = [];
        let job: ImportJob = created;
        for (let i = 0; i < 3; i++) {
            [job] = await kms.getImportJob({ name: created.name });
            states.push(String(job.state));
        }
        expect(states).toEqual(["PENDING_GENERATION", "PENDING_GENERATION", "ACTIVE"]);
        expect(job.publicKey!.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);

        clock.advance(72 * HOUR_MS + 1);
        const [expired] = await kms.getImportJob({ name: created.name });
        expect(expired).toMatchObject({ state: "EXPIRED", expireTime: ts(T0 + 72 * HOUR_MS), expireEventTime: ts(T0 + 72 * HOUR_MS), publicKey: null });
        await expect(kms.importCryptoKeyVersion({ parent: key, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: created.name, wrappedKey: wrapFor(job, crypto.randomBytes(32)) })).rejects.toMatchObject({
            code: 9,
            details: `${created.name} is not ACTIVE, current state is: EXPIRED.`,
        });
        expect(emu.inspect().importJobs).toEqual([{ name: created.name, state: "EXPIRED", importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "SOFTWARE", expireTime: new Date(T0 + 72 * HOUR_MS).toISOString() }]);
    });

    test("a destroyed imported version: DESTROYED on the clock with material discarded; re-import needs the same material", async () => {
        const now = clock.now();
        const [job] = await kms.createImportJob({ parent: RING, importJobId: "reimport", importJob: { importMethod: "RSA_OAEP_3072_SHA1_AES_256", protectionLevel: "SOFTWARE" } });
        const [key] = await kms.createCryptoKey({
            parent: RING,
            cryptoKeyId: "reimported",
            cryptoKey: { purpose: "ENCRYPT_DECRYPT", importOnly: true, destroyScheduledDuration: { seconds: 86400 } },
            skipInitialVersionCreation: true,
        });
        const material = crypto.randomBytes(32);
        const [pending] = await kms.importCryptoKeyVersion({ parent: key.name, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: job.name, wrappedKey: wrapFor(job, material) });
        expect(emu.inspect().cryptoKeys.find((k) => k.name === key.name)!.versions[0].state).toBe("PENDING_IMPORT");
        const name = pending.name!;
        await kms.updateCryptoKeyPrimaryVersion({ name: key.name, cryptoKeyVersionId: "1" });
        const [enc] = await kms.encrypt({ name: key.name, plaintext: Buffer.from("kept") });

        const [scheduled] = await kms.destroyCryptoKeyVersion({ name });
        expect(scheduled).toMatchObject({ state: "DESTROY_SCHEDULED", destroyTime: ts(now + DAY_MS) });
        await expect(kms.importCryptoKeyVersion({ parent: key.name, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: job.name, wrappedKey: wrapFor(job, material), cryptoKeyVersion: name })).rejects.toMatchObject({ code: 9 });
        clock.advance(DAY_MS);
        const [destroyed] = await kms.getCryptoKeyVersion({ name });
        expect(destroyed).toMatchObject({ state: "DESTROYED", destroyTime: ts(now + DAY_MS), destroyEventTime: ts(now + DAY_MS), reimportEligible: true });
        const snap = JSON.stringify(emu.snapshot());
        expect(snap).not.toContain(material.toString("base64"));
        await expect(kms.decrypt({ name: key.name, ciphertext: enc.ciphertext })).rejects.toMatchObject({ code: 9 });
        await expect(kms.restoreCryptoKeyVersion({ name })).rejects.toMatchObject({ code: 9 });

        // Different material: refused, and the version stays DESTROYED.
        await expect(kms.importCryptoKeyVersion({ parent: key.name, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: job.name, wrappedKey: wrapFor(job, crypto.randomBytes(32)), cryptoKeyVersion: name })).rejects.toMatchObject({
            code: 9,
            details: `The key material does not match the material originally imported into ${name}`,
        });
        await expect(kms.importCryptoKeyVersion({ parent: key.name, algorithm: "HMAC_SHA256", importJob: job.name, wrappedKey: wrapFor(job, material), cryptoKeyVersion: name })).rejects.toMatchObject({ code: 3 });
        expect((await kms.getCryptoKeyVersion({ name }))[0].state).toBe("DESTROYED");

        // The same material: PENDING_IMPORT, then ENABLED; the old ciphertext decrypts again.
        const [again] = await kms.importCryptoKeyVersion({ parent: key.name, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: job.name, wrappedKey: wrapFor(job, material), cryptoKeyVersion: name });
        expect(again).toMatchObject({ name, state: "PENDING_IMPORT" });
        const [enabled] = await kms.getCryptoKeyVersion({ name });
        expect(enabled).toMatchObject({ name, state: "ENABLED", importJob: job.name, importTime: ts(clock.now()), destroyTime: null, destroyEventTime: null });
        expect((await kms.decrypt({ name: key.name, ciphertext: enc.ciphertext }))[0].plaintext).toEqual(Buffer.from("kept"));
    });

    test("automatic rotation: at nextRotationTime a new primary version; nextRotationTime advances by the period", async () => {
        const start = clock.now();
        const [key] = await kms.createCryptoKey({
            parent: RING,
            cryptoKeyId: "rotating",
            cryptoKey: { purpose: "ENCRYPT_DECRYPT", rotationPeriod: { seconds: 7 * 86400 }, nextRotationTime: { seconds: Math.floor((start + DAY_MS) / 1000) } },
        });
        const [enc] = await kms.encrypt({ name: key.name, plaintext: Buffer.from("before") });
        clock.advance(DAY_MS);
        const [rotated] = await kms.getCryptoKey({ name: key.name });
        expect(rotated).toMatchObject({ primary: { name: `${key.name}/cryptoKeyVersions/2`, state: "ENABLED" }, nextRotationTime: ts(Math.floor((start + DAY_MS) / 1000) * 1000 + 7 * DAY_MS) });
        expect((await kms.decrypt({ name: key.name, ciphertext: enc.ciphertext }))[0]).toMatchObject({ plaintext: Buffer.from("before"), usedPrimary: false });
    });
});

describe("fault injection", () => {
    let emu: GcpKmsEmulator;
    let kms: KeyManagementServiceClient;
    const RING = `${LOC}/keyRings/faults`;

    beforeAll(async () => {
        emu = await startGcpKmsEmulator({ faults: new FaultInjector(7), asyncStates: "instant" });
        kms = clientFor(emu);
        await kms.createKeyRing({ parent: LOC, keyRingId: "faults" });
    });
    afterEach(() => emu.faults.clear());
    afterAll(async () => {
        await kms.close();
        await emu.stop();
    });

    test("30% throttling: 200 mixed operations complete through the client's retries; nothing lost or duplicated", async () => {
        emu.faults.add({ kind: "throttle", rate: 0.3 });
        const before = emu.calls.length;
        const workload = async (i: number) => {
            const parent = `${RING}/cryptoKeys/w${i}`;
            await kms.createCryptoKey({ parent: RING, cryptoKeyId: `w${i}`, cryptoKey: { purpose: "ENCRYPT_DECRYPT", labels: { n: String(i) } } }, RETRY);
            await kms.createCryptoKeyVersion({ parent }, RETRY);
            await kms.updateCryptoKeyPrimaryVersion({ name: parent, cryptoKeyVersionId: "2" }, RETRY);
            for (let j = 0; j < 3; j++) {
                const plaintext = Buffer.from(`w${i}-${j}`);
                const [enc] = await kms.encrypt({ name: parent, plaintext }, RETRY);
                const [dec] = await kms.decrypt({ name: parent, ciphertext: enc.ciphertext }, RETRY);
                expect(Buffer.from(dec.plaintext as Uint8Array)).toEqual(plaintext);
            }
            const [key] = await kms.getCryptoKey({ name: parent }, RETRY);
            expect(key.primary!.name).toBe(`${parent}/cryptoKeyVersions/2`);
        };
        await Promise.all(Array.from({ length: 20 }, (_, i) => workload(i)));

        const calls = emu.calls.slice(before);
        expect(calls.filter((c) => !c.fault)).toHaveLength(200);
        expect(calls.filter((c) => c.fault === "throttle")).toHaveLength(emu.faults.injected.throttle);
        expect(emu.faults.injected.throttle).toBeGreaterThan(20);
        const keys = emu.inspect().cryptoKeys;
        expect(keys.map((k) => k.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `${RING}/cryptoKeys/w${i}`).sort());
        for (const k of keys) {
            expect(k.versions.map((v) => [v.name.split("/").pop(), v.state])).toEqual([
                ["1", "ENABLED"],
                ["2", "ENABLED"],
            ]);
            expect(k.primary).toBe(`${k.name}/cryptoKeyVersions/2`);
        }
    });

    test("UNAVAILABLE: retried by default for idempotent methods (GetCryptoKey), not for CreateCryptoKeyVersion; a faulted call changes nothing", async () => {
        const key = `${RING}/cryptoKeys/w0`;
        emu.faults.add({ operation: "GetCryptoKey", kind: "server-error", next: 2 });
        const [got] = await kms.getCryptoKey({ name: key });
        expect(got.name).toBe(key);
        expect(emu.calls.slice(-3)).toEqual([
            { operation: "GetCryptoKey", fault: "server-error" },
            { operation: "GetCryptoKey", fault: "server-error" },
            { operation: "GetCryptoKey" },
        ]);
        emu.faults.add({ operation: "CreateCryptoKeyVersion", kind: "server-error", next: 1 });
        await expect(kms.createCryptoKeyVersion({ parent: key })).rejects.toMatchObject({ code: 14 });
        expect(emu.inspect().cryptoKeys.find((k) => k.name === key)!.versions).toHaveLength(2);
    });

    test("drop-after-apply: the call is applied, the caller sees UNAVAILABLE 'Connection dropped'", async () => {
        emu.faults.add({ operation: "CreateKeyRing", kind: "drop-after-apply", next: 1 });
        await expect(kms.createKeyRing({ parent: LOC, keyRingId: "applied" }, { retry: null })).rejects.toMatchObject({ code: 14, details: "Connection dropped" });
        expect(emu.calls[emu.calls.length - 1]).toEqual({ operation: "CreateKeyRing", fault: "drop-after-apply" });
        expect(emu.inspect().keyRings.map((r) => r.name)).toContain(`${LOC}/keyRings/applied`);
        // Retrying the applied, non-idempotent call finds it done.
        await expect(kms.createKeyRing({ parent: LOC, keyRingId: "applied" }, { retry: null })).rejects.toMatchObject({ code: 6 });

        const key = `${RING}/cryptoKeys/w0`;
        const versions = emu.inspect().cryptoKeys.find((k) => k.name === key)!.versions.length;
        emu.faults.add({ operation: "CreateCryptoKeyVersion", kind: "drop-after-apply", next: 1 });
        await expect(kms.createCryptoKeyVersion({ parent: key })).rejects.toMatchObject({ code: 14 });
        expect(emu.inspect().cryptoKeys.find((k) => k.name === key)!.versions).toHaveLength(versions + 1);
        expect(emu.faults.injected["drop-after-apply"]).toBe(2);
    });

    test("drop: UNAVAILABLE, the call is not applied; throttle without retry surfaces RESOURCE_EXHAUSTED; latency delays the answer", async () => {
        emu.faults.add({ operation: "CreateKeyRing", kind: "drop", next: 1 });
        await expect(kms.createKeyRing({ parent: LOC, keyRingId: "dropped" }, { retry: null })).rejects.toMatchObject({ code: 14 });
        expect(emu.calls[emu.calls.length - 1]).toEqual({ operation: "CreateKeyRing", fault: "drop" });
        expect(emu.inspect().keyRings.map((r) => r.name)).not.toContain(`${LOC}/keyRings/dropped`);

        emu.faults.add({ operation: "Encrypt", kind: "throttle", next: 1 });
        await expect(kms.encrypt({ name: `${RING}/cryptoKeys/w1`, plaintext: Buffer.from("x") })).rejects.toMatchObject({ code: 8 });

        emu.faults.add({ kind: "latency", latencyMs: 150, next: 1 });
        const t = Date.now();
        await kms.getKeyRing({ name: RING });
        expect(Date.now() - t).toBeGreaterThanOrEqual(140);
        expect(emu.calls[emu.calls.length - 1]).toEqual({ operation: "GetKeyRing", fault: "latency" });
    });
});

describe("snapshot and restore", () => {
    test("a restored emulator keeps keys usable; start and stop are fast", async () => {
        const t = Date.now();
        const a = await startGcpKmsEmulator({ asyncStates: "instant" });
        const kmsA = clientFor(a);
        await kmsA.createKeyRing({ parent: LOC, keyRingId: "persist" });
        const ring = `${LOC}/keyRings/persist`;
        const [sym] = await kmsA.createCryptoKey({ parent: ring, cryptoKeyId: "sym", cryptoKey: { purpose: "ENCRYPT_DECRYPT", labels: { app: "x" } } });
        const [ec] = await kmsA.createCryptoKey({ parent: ring, cryptoKeyId: "ec", cryptoKey: { purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm: "EC_SIGN_P384_SHA384" } } });
        await kmsA.setIamPolicy({ resource: sym.name, policy: { bindings: [{ role: "roles/cloudkms.viewer", members: ["group:sec@example.com"] }] } } as SetPolicy);
        const [enc] = await kmsA.encrypt({ name: sym.name, plaintext: Buffer.from("persisted") });
        const [{ pem }] = await kmsA.getPublicKey({ name: `${ec.name}/cryptoKeyVersions/1` });
        const state = JSON.parse(JSON.stringify(a.snapshot()));
        const inspected = a.inspect();
        await kmsA.close();
        await a.stop();

        const b = await startGcpKmsEmulator({ state, asyncStates: "instant" });
        const kmsB = clientFor(b);
        expect(b.inspect()).toEqual(inspected);
        expect((await kmsB.decrypt({ name: sym.name, ciphertext: enc.ciphertext }))[0].plaintext).toEqual(Buffer.from("persisted"));
        const data = Buffer.from("still signing");
        const [{ signature }] = await kmsB.asymmetricSign({ name: `${ec.name}/cryptoKeyVersions/1`, digest: { sha384: sha("sha384", data) } });
        expect(crypto.verify("sha384", data, pem!, Buffer.from(signature as Uint8Array))).toBe(true);
        expect((await kmsB.getIamPolicy({ resource: sym.name } as GetPolicy))[0].bindings).toEqual([{ role: "roles/cloudkms.viewer", members: ["group:sec@example.com"], condition: null }]);
        await kmsB.close();
        await b.stop();
        expect(Date.now() - t).toBeLessThan(3000);
        await expect(startGcpKmsEmulator({ state: { something: "else" } })).rejects.toThrow("options.state is not a snapshot of the GCP KMS emulator");

        const s = Date.now();
        const c = await startGcpKmsEmulator();
        expect(c.endpoint).toBe(`127.0.0.1:${c.port}`);
        await c.stop();
        expect(Date.now() - s).toBeLessThan(500);
    });
});
