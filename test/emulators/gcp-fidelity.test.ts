/**
 * The Cloud KMS emulator against the service's documented behaviour (issue #14), through the official
 * `@google-cloud/kms` client. There is no recording of the real Cloud KMS; each case cites its oracle: the v1 protos
 * the client ships (node_modules/@google-cloud/kms/build/protos/google/cloud/kms/v1/*.proto), the public docs, or
 * errors the real service returned as quoted in public issues.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as zlib from "zlib";
import type { KeyManagementServiceClient, protos } from "@google-cloud/kms";
import { createGcpKmsClient } from "../../sdk/clients";
import { rsaAesKeyWrap } from "../../sdk/crypto/keywrap";
import { ManualClock } from "../../sdk/emulators/common";
import { GcpKmsEmulator, GENERATION_MS, startGcpKmsEmulator } from "../../sdk/emulators/gcp";

type ImportJob = protos.google.cloud.kms.v1.IImportJob;

const T0 = Date.UTC(2031, 5, 1, 8, 0, 0);
const LOC = "projects/kf-fid/locations/europe-west1";
const RING = `${LOC}/keyRings/main`;
const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });
const clientFor = (emu: GcpKmsEmulator): KeyManagementServiceClient => createGcpKmsClient({ env: { KEYFABRIC_EMULATORS: JSON.stringify({ gcp: emu.endpoint }) } });
const wrapFor = (job: ImportJob, material: Buffer) => rsaAesKeyWrap(crypto.createPublicKey(job.publicKey!.pem!), "sha256", material);

let clock: ManualClock;
let emu: GcpKmsEmulator;
let kms: KeyManagementServiceClient;

async function start(asyncStates: "service" | "instant" = "service") {
    clock = new ManualClock(T0);
    emu = await startGcpKmsEmulator({ clock, asyncStates });
    kms = clientFor(emu);
    await kms.createKeyRing({ parent: LOC, keyRingId: "main" });
}
async function stop() {
    await kms.close();
    await emu.stop();
}

const newKey = async (id: string, purpose: string, algorithm: string, protectionLevel = "SOFTWARE", extra: Record<string, unknown> = {}) => {
    const [key] = await kms.createCryptoKey({ parent: RING, cryptoKeyId: id, cryptoKey: { purpose: purpose as never, versionTemplate: { algorithm: algorithm as never, protectionLevel: protectionLevel as never }, ...extra } });
    return key;
};

/** An ACTIVE job (SOFTWARE jobs are ACTIVE at once) and a version imported through it, ENABLED on the next call. */
async function importKey(id: string, purpose: string, algorithm: string, material: Buffer) {
    const key = `${RING}/cryptoKeys/${id}`;
    await kms.createCryptoKey({ parent: RING, cryptoKeyId: id, skipInitialVersionCreation: true, cryptoKey: { purpose: purpose as never, importOnly: true, versionTemplate: { algorithm: algorithm as never } } });
    const [job] = await kms.createImportJob({ parent: RING, importJobId: `job-${id}`, importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "SOFTWARE" } });
    const [v] = await kms.importCryptoKeyVersion({ parent: key, algorithm: algorithm as never, importJob: job.name, wrappedKey: wrapFor(job, material) });
    const [done] = await kms.getCryptoKeyVersion({ name: v.name });
    expect(done.state).toBe("ENABLED");
    return { key, version: done.name!, job };
}

describe('asyncStates "service": PENDING_GENERATION on the emulator clock', () => {
    beforeEach(() => start("service"));
    afterEach(stop);

    // Oracle: resources.proto CryptoKeyVersionState.PENDING_GENERATION ("This version is still being generated. It may
    // not be used, enabled, disabled, or destroyed yet. Cloud KMS will automatically mark this version ENABLED as soon
    // as the version is ready."); cloud.google.com/kms/docs/faq ("creation of an asymmetric signing or asymmetric
    // encryption key version may take a few minutes"); the FAILED_PRECONDITION message as the real service sent it in
    // hashicorp/terraform-provider-google#5895: "<version> is not enabled, current state is: PENDING_GENERATION."
    test("an asymmetric version is PENDING_GENERATION (no generateTime), unusable with the service's message, then ENABLED", async () => {
        await newKey("sign", "ASYMMETRIC_SIGN", "EC_SIGN_P256_SHA256");
        const name = `${RING}/cryptoKeys/sign/cryptoKeyVersions/1`;
        const [pending] = await kms.getCryptoKeyVersion({ name });
        expect(pending).toMatchObject({ state: "PENDING_GENERATION", createTime: ts(T0), generateTime: null });
        await expect(kms.getPublicKey({ name })).rejects.toMatchObject({ code: 9, details: `${name} is not enabled, current state is: PENDING_GENERATION.` });
        await expect(kms.asymmetricSign({ name, data: Buffer.from("x") })).rejects.toMatchObject({ code: 9, details: `${name} is not enabled, current state is: PENDING_GENERATION.` });
        await expect(kms.destroyCryptoKeyVersion({ name })).rejects.toMatchObject({ code: 9 });
        // The status details carry what the real service sends (terraform-provider-google#5895, flow-wallet-api#267):
        // a google.rpc.PreconditionFailure violation of type KEY_PENDING_GENERATION naming the version.
        const failed = (await kms.getPublicKey({ name }).then(
            () => ({}),
            (e: unknown) => e,
        )) as { statusDetails?: unknown[] };
        expect(failed.statusDetails).toEqual([expect.objectContaining({ violations: [expect.objectContaining({ type: "KEY_PENDING_GENERATION", subject: name })] })]);
        clock.advance(GENERATION_MS - 1);
        expect((await kms.getCryptoKeyVersion({ name }))[0].state).toBe("PENDING_GENERATION");
        clock.advance(1);
        const [ready] = await kms.getCryptoKeyVersion({ name });
        expect(ready).toMatchObject({ state: "ENABLED", createTime: ts(T0), generateTime: ts(T0 + GENERATION_MS) });
        const [pub] = await kms.getPublicKey({ name });
        expect(crypto.createPublicKey(pub.pem!).asymmetricKeyType).toBe("ec");
    });

    test("an HSM symmetric key: the primary is PENDING_GENERATION, Encrypt fails until it is generated; SOFTWARE is ENABLED at once", async () => {
        const hsm = await newKey("hsm", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", "HSM");
        expect(hsm.primary).toMatchObject({ name: `${hsm.name}/cryptoKeyVersions/1`, state: "PENDING_GENERATION", attestation: null });
        await expect(kms.encrypt({ name: hsm.name, plaintext: Buffer.from("p") })).rejects.toMatchObject({ code: 9, details: `${hsm.name}/cryptoKeyVersions/1 is not enabled, current state is: PENDING_GENERATION.` });
        const soft = await newKey("soft", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION");
        expect(soft.primary).toMatchObject({ state: "ENABLED", generateTime: ts(T0) });
        clock.advance(GENERATION_MS);
        const [ct] = await kms.encrypt({ name: hsm.name, plaintext: Buffer.from("p") });
        expect((await kms.decrypt({ name: hsm.name, ciphertext: ct.ciphertext }))[0].plaintext).toEqual(Buffer.from("p"));
    });

    test("automatic rotation of an HSM key: the new version generates while the old primary keeps serving, then becomes primary", async () => {
        const day = 86_400_000;
        const key = await newKey("rot", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", "HSM", { rotationPeriod: { seconds: 86400 }, nextRotationTime: ts(T0 + day) });
        clock.advance(day); // version 1 generated long ago; rotation due now
        const [during] = await kms.getCryptoKey({ name: key.name });
        expect(during.primary!.name).toBe(`${key.name}/cryptoKeyVersions/1`);
        expect((await kms.getCryptoKeyVersion({ name: `${key.name}/cryptoKeyVersions/2` }))[0].state).toBe("PENDING_GENERATION");
        const [ct] = await kms.encrypt({ name: key.name, plaintext: Buffer.from("p") });
        expect(ct.name).toBe(`${key.name}/cryptoKeyVersions/1`);
        clock.advance(GENERATION_MS);
        const [after] = await kms.getCryptoKey({ name: key.name });
        expect(after.primary).toMatchObject({ name: `${key.name}/cryptoKeyVersions/2`, state: "ENABLED", generateTime: ts(T0 + day + GENERATION_MS) });
        expect(after.nextRotationTime).toEqual(ts(T0 + 2 * day));
    });

    // Oracle: resources.proto ImportJob.ImportJobState.PENDING_GENERATION ("The wrapping key for this job is still being
    // generated. It may not be used. Cloud KMS will automatically mark this job as ACTIVE as soon as the wrapping key is
    // generated."), ImportJob.public_key ("Only returned if state is ACTIVE").
    test("an HSM import job is PENDING_GENERATION without a public key, refuses imports, then ACTIVE; a SOFTWARE job is ACTIVE at once", async () => {
        const [job] = await kms.createImportJob({ parent: RING, importJobId: "hsm-job", importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "HSM" } });
        expect(job).toMatchObject({ state: "PENDING_GENERATION", publicKey: null, generateTime: null, attestation: null, expireTime: ts(T0 + 72 * 3_600_000) });
        await kms.createCryptoKey({ parent: RING, cryptoKeyId: "hsm-import", skipInitialVersionCreation: true, cryptoKey: { purpose: "ENCRYPT_DECRYPT", importOnly: true, versionTemplate: { protectionLevel: "HSM" } } });
        await expect(
            kms.importCryptoKeyVersion({ parent: `${RING}/cryptoKeys/hsm-import`, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: job.name, wrappedKey: Buffer.alloc(64, 1) }),
        ).rejects.toMatchObject({ code: 9, details: `${job.name} is not ACTIVE, current state is: PENDING_GENERATION.` });
        clock.advance(GENERATION_MS);
        const [active] = await kms.getImportJob({ name: job.name });
        expect(active).toMatchObject({ state: "ACTIVE", generateTime: ts(T0 + GENERATION_MS) });
        expect(active.publicKey!.pem).toContain("BEGIN PUBLIC KEY");
        const [soft] = await kms.createImportJob({ parent: RING, importJobId: "soft-job", importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "SOFTWARE" } });
        expect(soft).toMatchObject({ state: "ACTIVE", attestation: null });
    });
});

test("a snapshot taken while generating and after a deletion restores both: generation finishes on the clock, the name stays retired", async () => {
    await start("service");
    try {
        await newKey("sign", "ASYMMETRIC_SIGN", "EC_SIGN_P256_SHA256");
        await newKey("old", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", "SOFTWARE", { destroyScheduledDuration: { seconds: 86400 } });
        await kms.destroyCryptoKeyVersion({ name: `${RING}/cryptoKeys/old/cryptoKeyVersions/1` });
        clock.advance(86_400_000);
        await (await kms.deleteCryptoKeyVersion({ name: `${RING}/cryptoKeys/old/cryptoKeyVersions/1` }))[0].promise();
        await (await kms.deleteCryptoKey({ name: `${RING}/cryptoKeys/old` }))[0].promise();
        // Re-create the pending version after the clock moved: it is generating when the snapshot is taken.
        const [v2] = await kms.createCryptoKeyVersion({ parent: `${RING}/cryptoKeys/sign` });
        expect(v2.state).toBe("PENDING_GENERATION");
        const snapshot = JSON.parse(JSON.stringify(emu.snapshot()));
        expect(snapshot.cryptoKeys[`${RING}/cryptoKeys/sign`].versions[1]).toMatchObject({ state: "PENDING_GENERATION", readyTime: T0 + 86_400_000 + GENERATION_MS });
        expect(Object.keys(snapshot.retiredResources)).toEqual([`${RING}/cryptoKeys/old`]);
        const restoredClock = new ManualClock(clock.now());
        const again = await startGcpKmsEmulator({ clock: restoredClock, state: snapshot });
        const client = clientFor(again);
        try {
            expect((await client.getCryptoKeyVersion({ name: v2.name }))[0].state).toBe("PENDING_GENERATION");
            restoredClock.advance(GENERATION_MS);
            expect((await client.getCryptoKeyVersion({ name: v2.name }))[0]).toMatchObject({ state: "ENABLED", generateTime: ts(T0 + 86_400_000 + GENERATION_MS) });
            await expect(client.createCryptoKey({ parent: RING, cryptoKeyId: "old", cryptoKey: { purpose: "ENCRYPT_DECRYPT" } })).rejects.toMatchObject({ code: 6, details: `CryptoKey ${RING}/cryptoKeys/old already exists.` });
        } finally {
            await client.close();
            await again.stop();
        }
        const bad = { ...snapshot, retiredResources: { x: { name: "nope", originalResource: "x", resourceType: "t", deleteTime: 0 } } };
        await expect(startGcpKmsEmulator({ state: bad })).rejects.toThrow(
            'options.state is not a snapshot of the GCP KMS emulator: retiredResources.x.name: must be a retired resource name (projects/P/locations/L/retiredResources/R) (got: "nope")',
        );
    } finally {
        await stop();
    }
});

test("asyncStates other than service or instant is refused before the emulator listens", async () => {
    await expect(startGcpKmsEmulator({ asyncStates: "fast" as never })).rejects.toThrow('options.asyncStates: must be "service" or "instant" (got "fast")');
});

describe("parity with the protos", () => {
    beforeEach(() => start("instant"));
    afterEach(stop);

    test('asyncStates "instant": asymmetric and HSM versions and HSM import jobs are ready at once', async () => {
        const key = await newKey("sign", "ASYMMETRIC_SIGN", "RSA_SIGN_PSS_2048_SHA256", "HSM");
        const [v] = await kms.getCryptoKeyVersion({ name: `${key.name}/cryptoKeyVersions/1` });
        expect(v).toMatchObject({ state: "ENABLED", generateTime: ts(T0) });
        const [job] = await kms.createImportJob({ parent: RING, importJobId: "j", importJob: { importMethod: "RSA_OAEP_4096_SHA256_AES_256", protectionLevel: "HSM" } });
        expect(job.state).toBe("ACTIVE");
    });

    // Oracle: resources.proto KeyOperationAttestation (format CAVIUM_V1_COMPRESSED/CAVIUM_V2_COMPRESSED, "compressed with
    // gzip"; content bytes; cert_chains) and CryptoKeyVersion.attestation / ImportJob.attestation ("Only provided for key
    // versions with protection_level HSM" / "Only present if the chosen ImportMethod is one with a protection level of HSM").
    test("HSM versions and HSM import jobs carry a gzip'd attestation naming them (and the public key); SOFTWARE ones none", async () => {
        const key = await newKey("hsm-sign", "ASYMMETRIC_SIGN", "EC_SIGN_P384_SHA384", "HSM");
        const name = `${key.name}/cryptoKeyVersions/1`;
        const [v] = await kms.getCryptoKeyVersion({ name });
        expect(v.attestation!.format).toBe("CAVIUM_V2_COMPRESSED");
        expect(v.attestation!.certChains).toEqual({ caviumCerts: [], googleCardCerts: [], googlePartitionCerts: [] });
        const statement = JSON.parse(zlib.gunzipSync(Buffer.from(v.attestation!.content as Uint8Array)).toString());
        const [pub] = await kms.getPublicKey({ name });
        const spki = (crypto.createPublicKey(pub.pem!).export({ type: "spki", format: "der" }) as Buffer).toString("base64");
        expect(statement).toMatchObject({ keyVersion: name, algorithm: "EC_SIGN_P384_SHA384", protectionLevel: "HSM", generateTime: new Date(T0).toISOString(), publicKeySpki: spki });
        const sym = await newKey("hsm-sym", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", "HSM");
        const symStatement = JSON.parse(zlib.gunzipSync(Buffer.from(sym.primary!.attestation!.content as Uint8Array)).toString());
        expect(Object.keys(symStatement).sort()).toEqual(["algorithm", "generateTime", "keyVersion", "protectionLevel", "statement"]);
        const soft = await newKey("soft", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION");
        expect(soft.primary!.attestation).toBeNull();
        const [job] = await kms.createImportJob({ parent: RING, importJobId: "hj", importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "HSM" } });
        const jobStatement = JSON.parse(zlib.gunzipSync(Buffer.from(job.attestation!.content as Uint8Array)).toString());
        expect(jobStatement).toMatchObject({ importJob: job.name, importMethod: "RSA_OAEP_3072_SHA256_AES_256", publicKeySpki: (crypto.createPublicKey(job.publicKey!.pem!).export({ type: "spki", format: "der" }) as Buffer).toString("base64") });
    });

    // Oracle: the service's NOT_FOUND / ALREADY_EXISTS wording as real gcloud and Terraform runs quote it in public
    // repositories: "ERROR: (gcloud.kms.encrypt) NOT_FOUND: CryptoKey projects/PROJECT_ID/locations/global/keyRings/
    // android-gradle/cryptoKeys/default not found.", "(gcloud.kms.keys.versions.list) NOT_FOUND: KeyRing projects/
    // test-project/locations/us-central1/keyRings/github-token-minter-keyring not found.", "googleapi: Error 409:
    // CryptoKey projects/devops4me/locations/europe-west2/keyRings/cluster-key-ring/cryptoKeys/cluster-key already exists."
    test("NOT_FOUND and ALREADY_EXISTS name the resource type and the full name", async () => {
        await newKey("k", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION");
        await expect(kms.getKeyRing({ name: `${LOC}/keyRings/none` })).rejects.toMatchObject({ code: 5, details: `KeyRing ${LOC}/keyRings/none not found.` });
        await expect(kms.getCryptoKeyVersion({ name: `${RING}/cryptoKeys/k/cryptoKeyVersions/9` })).rejects.toMatchObject({ code: 5, details: `CryptoKeyVersion ${RING}/cryptoKeys/k/cryptoKeyVersions/9 not found.` });
        await expect(kms.getImportJob({ name: `${RING}/importJobs/none` })).rejects.toMatchObject({ code: 5, details: `ImportJob ${RING}/importJobs/none not found.` });
        await expect(newKey("k", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION")).rejects.toMatchObject({ code: 6, details: `CryptoKey ${RING}/cryptoKeys/k already exists.` });
        await kms.createImportJob({ parent: RING, importJobId: "j", importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "SOFTWARE" } });
        await expect(kms.createImportJob({ parent: RING, importJobId: "j", importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "SOFTWARE" } })).rejects.toMatchObject({
            code: 6,
            details: `ImportJob ${RING}/importJobs/j already exists.`,
        });
    });
});

describe("DeleteCryptoKeyVersion / DeleteCryptoKey (service.proto: long-running operations, done at once)", () => {
    beforeEach(() => start("instant"));
    afterEach(stop);

    test("a version is deleted only once DESTROYED; the key only without versions; its name is retired", async () => {
        const key = await newKey("gone", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", "SOFTWARE", { destroyScheduledDuration: { seconds: 86400 } });
        const v1 = `${key.name}/cryptoKeyVersions/1`;
        const [refused] = await Promise.allSettled([kms.deleteCryptoKeyVersion({ name: v1 })]);
        expect(refused).toMatchObject({ status: "rejected", reason: { code: 9, details: `${v1} is in state ENABLED; only DESTROYED, IMPORT_FAILED or GENERATION_FAILED versions can be deleted.` } });
        await kms.destroyCryptoKeyVersion({ name: v1 });
        await expect(kms.deleteCryptoKey({ name: key.name })).rejects.toMatchObject({
            code: 9,
            details: `CryptoKey ${key.name} has 1 CryptoKeyVersion(s) that have not been deleted; delete them (DeleteCryptoKeyVersion) first.`,
        });
        clock.advance(86_400_000);
        const [op] = await kms.deleteCryptoKeyVersion({ name: v1 });
        expect(op.done).toBe(true);
        await op.promise();
        expect((await kms.listCryptoKeyVersions({ parent: key.name }))[0]).toEqual([]);
        const [keyOp] = await kms.deleteCryptoKey({ name: key.name });
        const [, metadata] = await keyOp.promise();
        expect(metadata).toMatchObject({ retiredResource: expect.stringMatching(new RegExp(`^${LOC}/retiredResources/[0-9a-f]{20}$`)) });
        await expect(kms.getCryptoKey({ name: key.name })).rejects.toMatchObject({ code: 5, details: `CryptoKey ${key.name} not found.` });
        await expect(newKey("gone", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION")).rejects.toMatchObject({ code: 6, details: `CryptoKey ${key.name} already exists.` });
        const [retired] = await kms.listRetiredResources({ parent: LOC });
        expect(retired).toEqual([{ name: (metadata as { retiredResource: string }).retiredResource, originalResource: key.name, resourceType: "cloudkms.googleapis.com/CryptoKey", deleteTime: ts(T0 + 86_400_000) }]);
        // The operation can be read back (google.longrunning.Operations on the same channel).
        const again = await kms.checkDeleteCryptoKeyProgress(keyOp.name!);
        expect(again.done).toBe(true);
    });

    test("a successfully imported version cannot be deleted, even destroyed", async () => {
        const { version } = await importKey("imp", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", crypto.randomBytes(32));
        await kms.destroyCryptoKeyVersion({ name: version });
        clock.advance(31 * 86_400_000);
        await expect(kms.deleteCryptoKeyVersion({ name: version })).rejects.toMatchObject({ code: 9, details: `${version} was imported; imported CryptoKeyVersions cannot be deleted.` });
    });
});

// Oracle: service.proto RawEncryptRequest/RawEncryptResponse/RawDecryptRequest (IV generated when absent, returned in
// initialization_vector; GCM tag appended, tag_length 16; AAD only for AES-GCM); resources.proto AES_*_GCM/CBC/CTR
// under purpose RAW_ENCRYPT_DECRYPT. Checked against Node's AES with the imported material.
describe("RawEncrypt / RawDecrypt", () => {
    beforeEach(() => start("instant"));
    afterEach(stop);

    test("AES-256-GCM: the ciphertext is AES-GCM under the imported key with the returned IV, tag appended; RawDecrypt reverses it", async () => {
        const material = crypto.randomBytes(32);
        const { version } = await importKey("raw-gcm", "RAW_ENCRYPT_DECRYPT", "AES_256_GCM", material);
        const aad = Buffer.from("context");
        const [out] = await kms.rawEncrypt({ name: version, plaintext: Buffer.from("raw secret"), additionalAuthenticatedData: aad });
        const ct = Buffer.from(out.ciphertext as Uint8Array);
        const iv = Buffer.from(out.initializationVector as Uint8Array);
        expect(iv).toHaveLength(12);
        expect(out).toMatchObject({ tagLength: 16, name: version, protectionLevel: "SOFTWARE" });
        const d = crypto.createDecipheriv("aes-256-gcm", material, iv);
        d.setAAD(aad);
        d.setAuthTag(ct.subarray(ct.length - 16));
        expect(Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]).toString()).toBe("raw secret");
        const [back] = await kms.rawDecrypt({ name: version, ciphertext: ct, initializationVector: iv, additionalAuthenticatedData: aad });
        expect(Buffer.from(back.plaintext as Uint8Array).toString()).toBe("raw secret");
        await expect(kms.rawDecrypt({ name: version, ciphertext: ct, initializationVector: iv, additionalAuthenticatedData: Buffer.from("other") })).rejects.toMatchObject({ code: 3 });
    });

    test("AES-128-CBC with a caller's IV: whole blocks only, no AAD; Encrypt on a RAW key is the wrong purpose", async () => {
        const material = crypto.randomBytes(16);
        const { key, version } = await importKey("raw-cbc", "RAW_ENCRYPT_DECRYPT", "AES_128_CBC", material);
        const iv = crypto.randomBytes(16);
        const plaintext = crypto.randomBytes(32);
        const [out] = await kms.rawEncrypt({ name: version, plaintext, initializationVector: iv });
        const c = crypto.createCipheriv("aes-128-cbc", material, iv).setAutoPadding(false);
        expect(Buffer.from(out.ciphertext as Uint8Array)).toEqual(Buffer.concat([c.update(plaintext), c.final()]));
        expect(out.tagLength).toBe(0);
        await expect(kms.rawEncrypt({ name: version, plaintext: Buffer.alloc(20) })).rejects.toMatchObject({ code: 3, details: "plaintext: must be a multiple of 16 bytes for AES_128_CBC (got 20)" });
        await expect(kms.rawEncrypt({ name: version, plaintext, additionalAuthenticatedData: Buffer.from("a") })).rejects.toMatchObject({ code: 3 });
        await expect(kms.encrypt({ name: key, plaintext })).rejects.toMatchObject({ code: 9, details: `Operation requested for Key ${key} has incorrect key purpose: RAW_ENCRYPT_DECRYPT` });
    });
});

describe("Locations mixin, list filters, IAM denials", () => {
    beforeEach(() => start("instant"));
    afterEach(stop);

    // Oracle: google/cloud/location/locations.proto (Location name, location_id, display_name, metadata Any) and
    // cloud.google.com/kms/docs/locations; metadata is google.cloud.kms.v1.LocationMetadata.
    test("ListLocations and GetLocation", async () => {
        const names: string[] = [];
        for await (const l of kms.listLocationsAsync({ name: "projects/kf-fid" })) names.push(l.name!);
        expect(names).toEqual(expect.arrayContaining(["projects/kf-fid/locations/global", "projects/kf-fid/locations/europe-west1", "projects/kf-fid/locations/us-east1"]));
        const [loc] = (await kms.getLocation({ name: LOC })) as unknown as [{ name?: string; locationId?: string; displayName?: string; metadata?: unknown }];
        expect(loc).toMatchObject({ name: LOC, locationId: "europe-west1", displayName: "Belgium" });
        const metadata = loc.metadata as { type_url?: string; value?: Uint8Array };
        expect(metadata.type_url).toBe("type.googleapis.com/google.cloud.kms.v1.LocationMetadata");
        expect(Buffer.from(metadata.value!)).toEqual(Buffer.from([0x08, 0x01])); // hsm_available: true, ekm_available: false
        await expect(kms.getLocation({ name: "projects/kf-fid/locations/mars-north1" })).rejects.toMatchObject({ code: 5, details: "Location projects/kf-fid/locations/mars-north1 not found." });
    });

    // Oracle: cloud.google.com/kms/docs/sorting-and-filtering (dot syntax for maps and sub-fields, `:` case-insensitive
    // substring, NOT and `-`, OR binding tighter than AND, order_by "name" / "name desc").
    test("filters: labels.env=prod, name:, OR, NOT, sub-fields; order_by name desc; other order_by refused", async () => {
        await newKey("pay-a", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", "SOFTWARE", { labels: { env: "prod", team: "pay" } });
        await newKey("pay-b", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION", "SOFTWARE", { labels: { env: "dev", team: "pay" } });
        await newKey("ops-c", "ASYMMETRIC_SIGN", "EC_SIGN_P256_SHA256", "SOFTWARE", { labels: { env: "prod" } });
        const ids = async (filter: string, orderBy = "name") => (await kms.listCryptoKeys({ parent: RING, filter, orderBy }))[0].map((k) => k.name!.split("/").pop());
        expect(await ids("labels.env=prod")).toEqual(["ops-c", "pay-a"]);
        expect(await ids('name:"PAY"')).toEqual(["pay-a", "pay-b"]);
        expect(await ids("labels.env=prod AND labels.team=pay")).toEqual(["pay-a"]);
        expect(await ids("labels.env=dev OR purpose=ASYMMETRIC_SIGN")).toEqual(["ops-c", "pay-b"]);
        expect(await ids("NOT labels.env=prod")).toEqual(["pay-b"]);
        expect(await ids("-labels.env=prod")).toEqual(["pay-b"]);
        expect(await ids("primary.state=ENABLED", "name desc")).toEqual(["pay-b", "pay-a"]);
        expect(await ids(`create_time>="${new Date(T0).toISOString()}"`)).toEqual(["ops-c", "pay-a", "pay-b"]);
        await expect(kms.listCryptoKeys({ parent: RING, orderBy: "create_time" })).rejects.toMatchObject({ code: 3, details: 'order_by: must be "name" or "name desc" (got "create_time")' });
    });

    // Oracle: IAM's PERMISSION_DENIED wording for Cloud KMS, as a real gcloud run quotes it in a public repository:
    // "Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource 'projects/…/cryptoKeys/rsingal_key' (or it
    // may not exist)."; the permission names of cloud.google.com/kms/docs/reference/permissions-and-roles.
    test("deny rules: PERMISSION_DENIED per permission, resource (and children) and principal; TestIamPermissions leaves it out", async () => {
        const key = await newKey("k", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION");
        emu.deny({ permission: "cloudkms.cryptoKeyVersions.useToEncrypt", resource: RING });
        await expect(kms.encrypt({ name: key.name!, plaintext: Buffer.from("x") })).rejects.toMatchObject({
            code: 7,
            details: `Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '${key.name}' (or it may not exist).`,
        });
        // Denied before the lookup: a key that does not exist answers the same.
        await expect(kms.encrypt({ name: `${RING}/cryptoKeys/none`, plaintext: Buffer.from("x") })).rejects.toMatchObject({ code: 7 });
        await kms.getCryptoKey({ name: key.name! });
        const [granted] = await kms.testIamPermissions({ resource: key.name!, permissions: ["cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeyVersions.useToDecrypt"] } as never);
        expect((granted as { permissions: string[] }).permissions).toEqual(["cloudkms.cryptoKeyVersions.useToDecrypt"]);
        emu.clearDenials();
        await kms.encrypt({ name: key.name!, plaintext: Buffer.from("x") });
        emu.deny({ permission: "cloudkms.cryptoKeys.get", principal: "user:mallory@example.com" });
        const as = (principal: string) => ({ otherArgs: { headers: { "x-goog-iam-principal": principal } } });
        await expect(kms.getCryptoKey({ name: key.name! }, as("user:mallory@example.com"))).rejects.toMatchObject({ code: 7, details: `Permission 'cloudkms.cryptoKeys.get' denied on resource '${key.name}' (or it may not exist).` });
        await kms.getCryptoKey({ name: key.name! }, as("user:ann@example.com"));
        await kms.getCryptoKey({ name: key.name! });
        expect(() => emu.deny({ permission: "encrypt" })).toThrow('deny: permission must be a Cloud KMS permission such as cloudkms.cryptoKeyVersions.useToEncrypt, or "*" (got "encrypt")');
    });
});
