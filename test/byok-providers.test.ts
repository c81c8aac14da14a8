/**
 * The BYOK providers at the engine boundary: the provider serialized by a real program run (under mocks) is loaded
 * by `@pulumi/pulumi/cmd/dynamic-provider` in a fresh process and driven over gRPC (Configure, Check, Diff, Create,
 * Read, Update, Delete) as the engine does, against the loopback emulators. Needs lib/ (npm test builds it).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AwsImportedKeyMaterial } from "../sdk/byok/aws";
import { AzureImportedKey } from "../sdk/byok/azure";
import { GcpImportedKeyVersion } from "../sdk/byok/gcp";
import { createAwsKmsClient, createAzureKeyClient, createGcpKmsClient } from "../sdk/clients";
import { fingerprint } from "../sdk/crypto/material";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { runUnderMocks } from "../sdk/preview/harness";
import { findLeaks, ProviderHost } from "./support/providerHost";

const TYPE = (t: string) => `pulumi-nodejs:dynamic/keyfabric:${t}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-byok-"));
const writeMaterial = (name: string, data: Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, data, { mode: 0o600 });
    return f;
};

let emu: EmulatorSet;
/** Real time, plus a shift a test can set to make hours pass for the emulators. */
const clock = { shift: 0, now: () => Date.now() + clock.shift };
const hosts: ProviderHost[] = [];
const materials: Buffer[] = [];

beforeAll(async () => {
    if (!fs.existsSync(path.join(__dirname, "..", "lib", "byok", "gcp.js"))) throw new Error("lib/ is missing: npm run build");
    emu = await startEmulators({ clock });
});
afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

/** The inputs a program registers for a dynamic resource, `__provider` included, as the engine receives them. */
async function registeredInputs(make: () => pulumi.Resource): Promise<Record<string, any>> {
    const run = await runUnderMocks(() => make());
    const inputs = { ...run.resources[0].inputs };
    for (const k of Object.keys(inputs)) if (inputs[k] === undefined) delete inputs[k];
    return inputs;
}

async function host(type: string, env: Record<string, string> = {}) {
    const h = await ProviderHost.start(TYPE(type), { ...emu.env(), METADATA_SERVER_DETECTION: "none", ...env });
    hosts.push(h);
    await h.configure();
    return h;
}

/** No form of any material anywhere the flow left a trace. */
function expectNoLeaks(h: ProviderHost, extra: Record<string, unknown> = {}) {
    for (const m of materials) {
        expect(findLeaks(m, { transcript: h.transcript.join("\n"), hostOutput: h.output, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, JSON.stringify(v)])) })).toEqual([]);
    }
}

describe("GcpImportedKeyVersion", () => {
    const ring = "projects/kf-byok/locations/europe-west1/keyRings/byok";
    const cryptoKey = `${ring}/cryptoKeys/payments`;
    let kms: ReturnType<typeof createGcpKmsClient>;

    beforeAll(async () => {
        kms = createGcpKmsClient({ env: emu.env() });
        await kms.createKeyRing({ parent: "projects/kf-byok/locations/europe-west1", keyRingId: "byok" });
        await kms.createCryptoKey({
            parent: ring,
            cryptoKeyId: "payments",
            cryptoKey: { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" }, importOnly: true },
            skipInitialVersionCreation: true,
        });
    });
    afterAll(() => kms.close());

    test("create, use, refresh after out-of-band destroy, repair, rotate, delete", async () => {
        const first = crypto.randomBytes(32);
        materials.push(first);
        const file = writeMaterial("gcp-aes.bin", first);
        const news = await registeredInputs(() => new GcpImportedKeyVersion("payments", { cryptoKey, algorithm: "AES_256", material: { file } }));
        expect(news.__provider).toContain('exportName: "gcpImportedKeyVersion"');
        const h = await host("GcpImportedKeyVersion");

        const checked = await h.check("payments", {}, news);
        expect(checked.failures).toEqual([]);
        expect(checked.inputs).toMatchObject({ cryptoKey, algorithm: "AES_256", material: { file }, fingerprint: fingerprint(first) });

        const created = await h.create("payments", checked.inputs);
        expect(created.id).toBe(cryptoKey);
        expect(created.properties).toMatchObject({ version: `${cryptoKey}/cryptoKeyVersions/1`, state: "ENABLED", protectionLevel: "HSM", fingerprint: fingerprint(first) });
        const [key] = await kms.getCryptoKey({ name: cryptoKey });
        expect(key.primary?.name).toBe(`${cryptoKey}/cryptoKeyVersions/1`);
        // The imported material really works: what the emulator encrypts, the material decrypts... and vice versa via the SDK.
        const [enc] = await kms.encrypt({ name: cryptoKey, plaintext: Buffer.from("card 4111") });
        const [dec] = await kms.decrypt({ name: cryptoKey, ciphertext: enc.ciphertext });
        expect(Buffer.from(dec.plaintext as Uint8Array).toString()).toBe("card 4111");

        // Out of band: the version is scheduled for destruction. Refresh shows it; up repairs it.
        await kms.destroyCryptoKeyVersion({ name: `${cryptoKey}/cryptoKeyVersions/1` });
        const refreshed = await h.read("payments", created.id, created.properties);
        expect(refreshed.properties).toMatchObject({ state: "DESTROY_SCHEDULED", fingerprint: "none" });
        expect(refreshed.inputs).toMatchObject({ fingerprint: "none" });
        const drift = await h.diff("payments", created.id, refreshed.properties!, checked.inputs);
        // (The SDK's dynamic-provider host forwards changes and replaces, not the list of changed properties.)
        expect(drift).toEqual({ changes: "some", replaces: [], diffs: [], deleteBeforeReplace: false });
        const repaired = await h.update("payments", created.id, refreshed.properties!, checked.inputs);
        expect(repaired.properties).toMatchObject({ state: "ENABLED", version: `${cryptoKey}/cryptoKeyVersions/1` });
        const [v1] = await kms.getCryptoKeyVersion({ name: `${cryptoKey}/cryptoKeyVersions/1` });
        expect(String(v1.state)).toBe("ENABLED");

        // New material: a new version, made primary; the old one stays for decryption.
        const second = crypto.randomBytes(32);
        materials.push(second);
        fs.writeFileSync(file, second);
        const checked2 = await h.check("payments", checked.inputs, news);
        expect(checked2.inputs.fingerprint).toBe(fingerprint(second));
        expect(await h.diff("payments", created.id, repaired.properties, checked2.inputs)).toEqual({ changes: "some", replaces: [], diffs: [], deleteBeforeReplace: false });
        const rotated = await h.update("payments", created.id, repaired.properties, checked2.inputs);
        expect(rotated.properties).toMatchObject({ version: `${cryptoKey}/cryptoKeyVersions/2`, versions: [`${cryptoKey}/cryptoKeyVersions/1`, `${cryptoKey}/cryptoKeyVersions/2`] });
        const [key2] = await kms.getCryptoKey({ name: cryptoKey });
        expect(key2.primary?.name).toBe(`${cryptoKey}/cryptoKeyVersions/2`);
        const [old] = await kms.decrypt({ name: cryptoKey, ciphertext: enc.ciphertext });
        expect(Buffer.from(old.plaintext as Uint8Array).toString()).toBe("card 4111");

        // Delete: every imported version is scheduled for destruction.
        await h.delete("payments", created.id, rotated.properties);
        const [versions] = await kms.listCryptoKeyVersions({ parent: cryptoKey });
        expect(versions.map((v) => [v.name!.split("/").pop(), String(v.state)])).toEqual([["1", "DESTROY_SCHEDULED"], ["2", "DESTROY_SCHEDULED"]]);

        expectNoLeaks(h, { news, created, refreshed, repaired, rotated });
    });
});

describe("AwsImportedKeyMaterial", () => {
    const region = "eu-west-1";
    let kms: ReturnType<typeof createAwsKmsClient>;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

    beforeAll(() => {
        kms = createAwsKmsClient(region, { env: emu.env() });
    });
    afterAll(() => kms.destroy());

    const externalKey = async (KeySpec: string, KeyUsage: string) =>
        (await kms.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: KeySpec as any, KeyUsage: KeyUsage as any }))).KeyMetadata!.Arn!;

    test("symmetric: import with expiry, re-expire, refresh after out-of-band deletion, repair, rotate, delete", async () => {
        const arn = await externalKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        const first = crypto.randomBytes(32);
        materials.push(first);
        const validTo = new Date(Date.now() + 30 * 86_400_000).toISOString();
        const news = await registeredInputs(() => new AwsImportedKeyMaterial("kek", { keyId: arn, region, algorithm: "AES_256", material: { env: "KF_AWS_AES" }, validTo }));
        const h = await host("AwsImportedKeyMaterial", { KF_AWS_AES: first.toString("base64") });

        const checked = await h.check("kek", {}, news);
        expect(checked).toEqual({ inputs: expect.objectContaining({ keyId: arn, region, algorithm: "AES_256", validTo, fingerprint: fingerprint(first) }), failures: [] });
        const created = await h.create("kek", checked.inputs);
        expect(created.id).toBe(arn);
        expect(created.properties).toMatchObject({ keyArn: arn, keyState: "Enabled", expirationModel: "KEY_MATERIAL_EXPIRES", validTo, fingerprint: fingerprint(first) });
        const ct = (await kms.send(new sdk.EncryptCommand({ KeyId: arn, Plaintext: Buffer.from("hello") }))).CiphertextBlob!;

        // A new expiry re-imports the same material: an update, not a replacement.
        const later = new Date(Date.now() + 60 * 86_400_000).toISOString();
        const checkedLater = await h.check("kek", checked.inputs, { ...news, validTo: later });
        expect(await h.diff("kek", arn, created.properties, checkedLater.inputs)).toEqual({ changes: "some", replaces: [], diffs: [], deleteBeforeReplace: false });
        const reexpired = await h.update("kek", arn, created.properties, checkedLater.inputs);
        expect(reexpired.properties).toMatchObject({ validTo: later, keyMaterialId: created.properties.keyMaterialId });
        const meta = (await kms.send(new sdk.DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!;
        expect(meta.ValidTo?.toISOString()).toBe(later);

        // Out of band: the material is deleted. Refresh shows PendingImport; up re-imports the same material.
        await kms.send(new sdk.DeleteImportedKeyMaterialCommand({ KeyId: arn }));
        const refreshed = await h.read("kek", arn, reexpired.properties);
        expect(refreshed.properties).toMatchObject({ keyState: "PendingImport", fingerprint: "none" });
        expect(await h.diff("kek", arn, refreshed.properties!, checkedLater.inputs)).toEqual({ changes: "some", replaces: [], diffs: [], deleteBeforeReplace: false });
        const repaired = await h.update("kek", arn, refreshed.properties!, checkedLater.inputs);
        expect(repaired.properties.keyState).toBe("Enabled");
        const dec = await kms.send(new sdk.DecryptCommand({ CiphertextBlob: ct }));
        expect(Buffer.from(dec.Plaintext!).toString()).toBe("hello");

        // New material on a symmetric key: NEW_KEY_MATERIAL + RotateKeyOnDemand; old ciphertext still decrypts.
        const second = crypto.randomBytes(32);
        materials.push(second);
        const h2 = await host("AwsImportedKeyMaterial", { KF_AWS_AES: second.toString("base64") });
        const checked2 = await h2.check("kek", checkedLater.inputs, { ...news, validTo: later });
        expect(await h2.diff("kek", arn, repaired.properties, checked2.inputs)).toEqual({ changes: "some", replaces: [], diffs: [], deleteBeforeReplace: false });
        const rotated = await h2.update("kek", arn, repaired.properties, checked2.inputs);
        expect(rotated.properties.fingerprint).toBe(fingerprint(second));
        expect(rotated.properties.keyMaterialId).not.toBe(created.properties.keyMaterialId);
        const rotations = await kms.send(new sdk.ListKeyRotationsCommand({ KeyId: arn, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }));
        expect(rotations.Rotations!.map((r) => [r.KeyMaterialState, r.RotationType ?? null])).toEqual([
            ["NON_CURRENT", null],
            ["CURRENT", "ON_DEMAND"],
        ]);
        expect(Buffer.from((await kms.send(new sdk.DecryptCommand({ CiphertextBlob: ct }))).Plaintext!).toString()).toBe("hello");

        // Delete removes the imported material: the key goes back to PendingImport.
        await h2.delete("kek", arn, rotated.properties);
        expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyState).toBe("PendingImport");
        expectNoLeaks(h, { news, created, reexpired, refreshed, repaired });
        expectNoLeaks(h2, { rotated });
    });

    test("asymmetric: new material is a replacement, never an update", async () => {
        const arn = await externalKey("ECC_NIST_P256", "SIGN_VERIFY");
        const key1 = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
        const pem = writeMaterial("ec1.pem", Buffer.from(key1.export({ type: "pkcs8", format: "pem" }) as string));
        const der1 = key1.export({ type: "pkcs8", format: "der" });
        materials.push(der1);
        const news = await registeredInputs(() => new AwsImportedKeyMaterial("signer", { keyId: arn, region, algorithm: "EC_P256", material: { file: pem } }));
        const h = await host("AwsImportedKeyMaterial");
        const checked = await h.check("signer", {}, news);
        const created = await h.create("signer", checked.inputs);
        expect(created.properties).toMatchObject({ keyState: "Enabled", expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" });
        // The imported key signs; the material's public key verifies.
        const sig = await kms.send(new sdk.SignCommand({ KeyId: arn, Message: Buffer.from("doc"), SigningAlgorithm: "ECDSA_SHA_256" }));
        expect(crypto.verify("sha256", Buffer.from("doc"), crypto.createPublicKey(key1), Buffer.from(sig.Signature!))).toBe(true);

        const key2 = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
        fs.writeFileSync(pem, key2.export({ type: "pkcs8", format: "pem" }) as string);
        materials.push(key2.export({ type: "pkcs8", format: "der" }));
        const checked2 = await h.check("signer", checked.inputs, news);
        expect(await h.diff("signer", arn, created.properties, checked2.inputs)).toEqual({ changes: "some", replaces: ["fingerprint"], diffs: [], deleteBeforeReplace: true });
        expectNoLeaks(h, { news, created, checked2 });
    });

    test("an expired import token is replaced once, transparently", async () => {
        const arn = await externalKey("HMAC_256", "GENERATE_VERIFY_MAC");
        const mac = crypto.randomBytes(32);
        materials.push(mac);
        const news = await registeredInputs(() => new AwsImportedKeyMaterial("mac", { keyId: arn, region, algorithm: "HMAC_256", material: { env: "KF_AWS_MAC" } }));
        const h = await host("AwsImportedKeyMaterial", { KF_AWS_MAC: mac.toString("hex") });
        const checked = await h.check("mac", {}, news);
        // The first ImportKeyMaterial is held back while the token's 24 hours run out.
        emu.aws.faults.add({ operation: "ImportKeyMaterial", kind: "latency", latencyMs: 200, next: 1 });
        const before = emu.aws.calls.filter((c) => c.operation === "ImportKeyMaterial").length;
        const creating = h.create("mac", checked.inputs);
        while (emu.aws.calls.filter((c) => c.operation === "ImportKeyMaterial").length === before) await new Promise((r) => setTimeout(r, 10));
        clock.shift = 25 * 3_600_000;
        const created = await creating;
        clock.shift = 0;
        expect(created.properties.keyState).toBe("Enabled");
        const ops = emu.aws.calls.filter((c) => c.operation === "GetParametersForImport" || c.operation === "ImportKeyMaterial").slice(-4).map((c) => c.operation);
        expect(ops).toEqual(["GetParametersForImport", "ImportKeyMaterial", "GetParametersForImport", "ImportKeyMaterial"]);
        const tag = await kms.send(new sdk.GenerateMacCommand({ KeyId: arn, Message: Buffer.from("m"), MacAlgorithm: "HMAC_SHA_256" }));
        expect(Buffer.from(tag.Mac!).equals(crypto.createHmac("sha256", mac).update("m").digest())).toBe(true);
        expectNoLeaks(h, { created });
    });
});

describe("AzureImportedKey", () => {
    const vaultUrl = "https://acme-byok.vault.azure.net";
    const hsmUrl = "https://acme-mhsm.managedhsm.azure.net";
    const client = (url: string) => createAzureKeyClient(url, { env: emu.env() });

    test("HSM import under a created KEK; new material is a new version; refresh after disable; soft delete", async () => {
        const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 3072 }).privateKey;
        const file = writeMaterial("rsa.pem", Buffer.from(rsa.export({ type: "pkcs8", format: "pem" }) as string));
        materials.push(rsa.export({ type: "pkcs8", format: "der" }));
        const news = await registeredInputs(
            () => new AzureImportedKey("wrap", { vaultUrl, keyName: "payments-wrap", purpose: "encrypt", algorithm: "RSA_3072", protection: "hsm", material: { file }, kekSize: 2048 }),
        );
        const h = await host("AzureImportedKey");
        const checked = await h.check("wrap", {}, news);
        expect(checked.failures).toEqual([]);
        const created = await h.create("wrap", checked.inputs);
        expect(created.id).toBe(`${vaultUrl}/keys/payments-wrap`);
        expect(created.properties).toMatchObject({ kty: "RSA-HSM", enabled: true, kekId: expect.stringMatching(new RegExp(`^${vaultUrl}/keys/payments-wrap-kek/[0-9a-f]{32}$`)) });
        const kek = await client(vaultUrl).getKey("payments-wrap-kek");
        expect(kek.key?.keyOps).toEqual(["import"]);

        // The imported key decrypts what the material's public key encrypted.
        const ct = crypto.publicEncrypt({ key: crypto.createPublicKey(rsa), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, Buffer.from("secret"));
        const crypt = client(vaultUrl).getCryptographyClient("payments-wrap");
        expect(Buffer.from((await crypt.decrypt({ algorithm: "RSA-OAEP-256", ciphertext: ct })).result).toString()).toBe("secret");

        // Out of band: disabled. Refresh shows it, up re-enables.
        await client(vaultUrl).updateKeyProperties("payments-wrap", created.properties.version, { enabled: false });
        const refreshed = await h.read("wrap", created.id, created.properties);
        expect(refreshed.properties).toMatchObject({ enabled: false });
        expect(await h.diff("wrap", created.id, refreshed.properties!, checked.inputs)).toEqual({ changes: "some", replaces: [], diffs: [], deleteBeforeReplace: false });
        const repaired = await h.update("wrap", created.id, refreshed.properties!, checked.inputs);
        expect(repaired.properties.enabled).toBe(true);
        expect((await client(vaultUrl).getKey("payments-wrap")).properties.enabled).toBe(true);

        // New material: a new version of the same key, under the same KEK.
        const rsa2 = crypto.generateKeyPairSync("rsa", { modulusLength: 3072 }).privateKey;
        fs.writeFileSync(file, rsa2.export({ type: "pkcs8", format: "pem" }) as string);
        materials.push(rsa2.export({ type: "pkcs8", format: "der" }));
        const checked2 = await h.check("wrap", checked.inputs, news);
        const rotated = await h.update("wrap", created.id, repaired.properties, checked2.inputs);
        expect(rotated.properties.versions).toHaveLength(2);
        expect(rotated.properties.kekId).toBe(created.properties.kekId);
        const versions: string[] = [];
        for await (const v of client(vaultUrl).listPropertiesOfKeyVersions("payments-wrap")) versions.push(v.version!);
        expect(versions.sort()).toEqual([...rotated.properties.versions].sort());

        // Delete is a soft delete: the key can be recovered, nothing is purged.
        await h.delete("wrap", created.id, rotated.properties);
        const deleted = await client(vaultUrl).getDeletedKey("payments-wrap");
        expect(deleted.properties.recoveryId).toBe(`${vaultUrl}/deletedkeys/payments-wrap`);
        expectNoLeaks(h, { news, created, refreshed, repaired, rotated });
    });

    test("oct-HSM AES on a Managed HSM, and a software EC key from a JWK", async () => {
        const aes = crypto.randomBytes(32);
        materials.push(aes);
        const news = await registeredInputs(
            () => new AzureImportedKey("tde", { vaultUrl: hsmUrl, keyName: "tde", purpose: "encrypt", algorithm: "AES_256", protection: "hsm", material: { env: "KF_AZ_AES" }, kekSize: 2048 }),
        );
        const h = await host("AzureImportedKey", { KF_AZ_AES: aes.toString("base64") });
        const checked = await h.check("tde", {}, news);
        const created = await h.create("tde", checked.inputs);
        expect(created.properties).toMatchObject({ kty: "oct-HSM", enabled: true });
        const version = emu.azure.inspect();
        expect(JSON.stringify(version)).toContain(fingerprint(aes));

        const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
        const jwkFile = writeMaterial("ec.jwk", Buffer.from(JSON.stringify(ec.export({ format: "jwk" }))));
        materials.push(ec.export({ type: "pkcs8", format: "der" }));
        const newsEc = await registeredInputs(
            () => new AzureImportedKey("sig", { vaultUrl, keyName: "receipts", purpose: "sign", algorithm: "EC_P256", protection: "software", material: { file: jwkFile } }),
        );
        const checkedEc = await h.check("sig", {}, newsEc);
        const createdEc = await h.create("sig", checkedEc.inputs);
        expect(createdEc.properties).toMatchObject({ kty: "EC", enabled: true });
        expect(createdEc.properties.kekId).toBeUndefined();
        const digest = crypto.createHash("sha256").update("receipt").digest();
        const signed = await client(vaultUrl).getCryptographyClient("receipts").sign("ES256", digest);
        expect(crypto.verify("sha256", Buffer.from("receipt"), { key: crypto.createPublicKey(ec), dsaEncoding: "ieee-p1363" }, Buffer.from(signed.result))).toBe(true);
        expectNoLeaks(h, { news, created, newsEc, createdEc });
    });
});

describe("bad input is refused in Check, naming the field, before any cloud call", () => {
    const rsa1024 = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const files = {
        short: () => writeMaterial("short.bin", crypto.randomBytes(31)),
        rsa1024: () => writeMaterial("rsa1024.pem", Buffer.from(rsa1024.export({ type: "pkcs8", format: "pem" }) as string)),
        ec: () => writeMaterial("ec-p256.pem", Buffer.from(ec.export({ type: "pkcs8", format: "pem" }) as string)),
        encrypted: () => writeMaterial("enc.pem", Buffer.from(ec.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }) as string)),
        notHex: () => writeMaterial("bad.txt", Buffer.from("zz-not-a-key-zz")),
    };
    const arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555";
    const gkey = "projects/p-abcdef/locations/us/keyRings/r/cryptoKeys/k";
    const aws = (over: Record<string, unknown>) => ({ providerVersion: "1.0.0", keyId: arn, region: "eu-west-1", algorithm: "AES_256", material: { env: "KF_NONE" }, ...over });
    const gcp = (over: Record<string, unknown>) => ({ providerVersion: "1.0.0", cryptoKey: gkey, algorithm: "AES_256", material: { env: "KF_NONE" }, ...over });
    const az = (over: Record<string, unknown>) => ({ providerVersion: "1.0.0", vaultUrl: "https://vault1.vault.azure.net", keyName: "k", purpose: "encrypt", algorithm: "RSA_3072", protection: "hsm", material: { env: "KF_NONE" }, ...over });

    const cases: [string, string, () => Record<string, unknown>, { property: string; reason: string }[]][] = [
        ["missing file", "AwsImportedKeyMaterial", () => aws({ material: { file: "/nonexistent/kek.bin" } }), [{ property: "material", reason: "key material from file /nonexistent/kek.bin: no such file" }]],
        ["unset variable", "AwsImportedKeyMaterial", () => aws({}), [{ property: "material", reason: "key material from environment variable KF_NONE: is not set" }]],
        ["31-byte AES key", "AwsImportedKeyMaterial", () => aws({ material: { file: files.short() } }), [{ property: "material", reason: `key material from file ${path.join(dir, "short.bin")}: expected 32 raw bytes (AES-256), got 31 bytes` }]],
        ["RSA-1024 for an RSA-3072 key", "AwsImportedKeyMaterial", () => aws({ algorithm: "RSA_3072", material: { file: files.rsa1024() } }), [{ property: "material", reason: `key material from file ${path.join(dir, "rsa1024.pem")}: expected an RSA-3072 private key as DER PKCS#8, got RSA-1024` }]],
        ["EC key for an RSA key", "GcpImportedKeyVersion", () => gcp({ algorithm: "RSA_2048", material: { file: files.ec() } }), [{ property: "material", reason: `key material from file ${path.join(dir, "ec-p256.pem")}: expected an RSA-2048 private key as DER PKCS#8, got a ec key` }]],
        ["P-256 for a P-384 key", "GcpImportedKeyVersion", () => gcp({ algorithm: "EC_P384", material: { file: files.ec() } }), [{ property: "material", reason: `key material from file ${path.join(dir, "ec-p256.pem")}: expected an EC P-384 private key as DER PKCS#8, got curve prime256v1` }]],
        ["password-protected PEM", "AzureImportedKey", () => az({ algorithm: "EC_P256", purpose: "sign", material: { file: files.encrypted() } }), [{ property: "material", reason: `key material from file ${path.join(dir, "enc.pem")}: is a password-protected PEM; decrypt it first (keyfabric never handles key passwords)` }]],
        ["bad hex", "GcpImportedKeyVersion", () => gcp({ material: { file: files.notHex(), format: "hex" } }), [{ property: "material", reason: `key material from file ${path.join(dir, "bad.txt")}: is not valid hex` }]],
        ["program not found", "GcpImportedKeyVersion", () => gcp({ material: { command: ["/nonexistent/hsm-export", "--key", "k1"] } }), [{ property: "material", reason: "key material from command /nonexistent/hsm-export (2 arguments): program not found" }]],
        ["program fails", "GcpImportedKeyVersion", () => gcp({ material: { command: ["false"] } }), [{ property: "material", reason: "key material from command false (0 arguments): exited with status 1" }]],
        ["unknown algorithm", "AwsImportedKeyMaterial", () => aws({ algorithm: "DES" }), [{ property: "algorithm", reason: 'algorithm: Invalid option: expected one of "AES_256"|"RSA_2048"|"RSA_3072"|"RSA_4096"|"EC_P256"|"EC_P384"|"HMAC_256" (got: "DES")' }]],
        ["bad region", "AwsImportedKeyMaterial", () => aws({ region: "mars-1" }), [{ property: "region", reason: 'region: is not an AWS region (got: "mars-1")' }]],
        ["validTo in the past", "AwsImportedKeyMaterial", () => aws({ validTo: "2020-01-01T00:00:00Z", material: { file: files.short() } }), [
            { property: "validTo", reason: 'validTo: must be in the future and at most 365 days ahead (got: "2020-01-01T00:00:00Z")' },
            { property: "material", reason: `key material from file ${path.join(dir, "short.bin")}: expected 32 raw bytes (AES-256), got 31 bytes` },
        ]],
        ["validTo beyond 365 days", "AwsImportedKeyMaterial", () => aws({ validTo: "2099-01-01T00:00:00Z", material: { env: "KF_SET" } }), [{ property: "validTo", reason: 'validTo: must be in the future and at most 365 days ahead (got: "2099-01-01T00:00:00Z")' }]],
        ["not a crypto key name", "GcpImportedKeyVersion", () => gcp({ cryptoKey: "keyRings/r/cryptoKeys/k" }), [{ property: "cryptoKey", reason: 'cryptoKey: cryptoKey: is not a crypto key name (allowed: projects/P/locations/L/keyRings/R/cryptoKeys/K) (got: "keyRings/r/cryptoKeys/k")' }]],
        ["unknown import method", "GcpImportedKeyVersion", () => gcp({ importMethod: "RSA_OAEP_2048_SHA256" }), [{ property: "importMethod", reason: expect.stringMatching(/^importMethod: Invalid option: expected one of "RSA_OAEP_3072_SHA1_AES_256"\|/) as any }]],
        ["AES in a Key Vault", "AzureImportedKey", () => az({ algorithm: "AES_256", material: { env: "KF_SET" } }), [{ property: "algorithm", reason: 'algorithm: AES_256 (oct-HSM) keys exist only on a Managed HSM (allowed: https://<name>.managedhsm.azure.net) (got: "AES_256")' }]],
        ["HMAC in Azure", "AzureImportedKey", () => az({ algorithm: "HMAC_256", purpose: "mac", material: { env: "KF_SET" } }), [{ property: "algorithm", reason: 'algorithm: Azure Key Vault and Managed HSM have no HMAC keys (got: "HMAC_256")' }]],
        ["software key on a Managed HSM", "AzureImportedKey", () => az({ vaultUrl: "https://hsm01.managedhsm.azure.net", protection: "software", material: { env: "KF_SET" } }), [{ property: "protection", reason: 'protection: every Managed HSM key is HSM-protected (allowed: hsm) (got: "software")' }]],
        ["not a vault URL", "AzureImportedKey", () => az({ vaultUrl: "http://127.0.0.1:8443" }), [{ property: "vaultUrl", reason: 'vaultUrl: is not a Key Vault or Managed HSM URL (allowed: https://<name>.vault.azure.net, https://<name>.managedhsm.azure.net) (got: "http://127.0.0.1:8443")' }]],
        ["unknown material source", "AwsImportedKeyMaterial", () => aws({ material: { url: "https://example.com/key" } }), [{ property: "material", reason: expect.stringMatching(/^material: /) as any }]],
    ];

    const own: Record<string, ProviderHost> = {};
    test.each(cases)("%s", async (_n, type, make, failures) => {
        const h = (own[type] ??= await host(type, { KF_SET: crypto.randomBytes(32).toString("hex") }));
        const calls = emu.aws.calls.length + emu.gcp.calls.length + emu.azure.calls.length;
        const news = { ...make() };
        const r = await h.check("bad", {}, { ...news, __provider: (await providerOf(type)) });
        expect(r.failures).toEqual(failures);
        expect(emu.aws.calls.length + emu.gcp.calls.length + emu.azure.calls.length).toBe(calls);
    });
});

const providers: Record<string, string> = {};
/** A serialized provider for a type, from a program run under mocks. */
async function providerOf(type: string): Promise<string> {
    if (!providers[type]) {
        const make: Record<string, () => pulumi.Resource> = {
            AwsImportedKeyMaterial: () => new AwsImportedKeyMaterial("p", { keyId: "k", region: "us-east-1", algorithm: "AES_256", material: { env: "X" } }),
            GcpImportedKeyVersion: () => new GcpImportedKeyVersion("p", { cryptoKey: "projects/p/locations/l/keyRings/r/cryptoKeys/k", algorithm: "AES_256", material: { env: "X" } }),
            AzureImportedKey: () => new AzureImportedKey("p", { vaultUrl: "https://v.vault.azure.net", keyName: "k", purpose: "encrypt", algorithm: "RSA_2048", protection: "hsm", material: { env: "X" } }),
        };
        providers[type] = (await registeredInputs(make[type])).__provider;
    }
    return providers[type];
}
