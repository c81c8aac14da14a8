/**
 * keyfabric's Cloud KMS import waits where the service makes it wait: an HSM import job starts PENDING_GENERATION
 * (resources.proto ImportJob.ImportJobState: "The wrapping key for this job is still being generated. It may not be
 * used."), and the emulator, with its default `asyncStates: "service"`, keeps it so for `GENERATION_MS` of its
 * (here, the system) clock. A job some earlier run left generating is waited for, not duplicated.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import { importGcpVersion } from "../sdk/byok/gcp";
import { createGcpKmsClient } from "../sdk/clients";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { GENERATION_MS } from "../sdk/emulators/gcp";

const RING = "projects/kf-async/locations/europe-west1/keyRings/ring";
let emu: EmulatorSet;

beforeAll(async () => {
    emu = await startEmulators({ reuseWrappingKeys: true });
    const kms = createGcpKmsClient({ env: emu.env() });
    await kms.createKeyRing({ parent: "projects/kf-async/locations/europe-west1", keyRingId: "ring" });
    for (const id of ["hsm-a", "hsm-b"]) {
        await kms.createCryptoKey({ parent: RING, cryptoKeyId: id, skipInitialVersionCreation: true, cryptoKey: { purpose: "ENCRYPT_DECRYPT", importOnly: true, versionTemplate: { protectionLevel: "HSM" } } });
    }
    await kms.close();
});
afterAll(() => emu.stop());

const jobReads = () => emu.gcp.calls.filter((c) => c.operation === "GetImportJob").length;

test("an HSM import polls its new job until ACTIVE (it is PENDING_GENERATION at first), then imports and makes the version primary", async () => {
    const started = Date.now();
    const readsBefore = jobReads();
    const r = await importGcpVersion({ cryptoKey: `${RING}/cryptoKeys/hsm-a`, material: crypto.randomBytes(32), env: emu.env() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(GENERATION_MS);
    expect(jobReads() - readsBefore).toBeGreaterThan(1); // read while PENDING_GENERATION, then ACTIVE
    expect(r).toMatchObject({ version: `${RING}/cryptoKeys/hsm-a/cryptoKeyVersions/1`, protectionLevel: "HSM", primary: true });
    const job = emu.gcp.inspect().importJobs.find((j) => j.name === r.importJob)!;
    expect(job).toMatchObject({ state: "ACTIVE", protectionLevel: "HSM" });
    const version = emu.gcp.inspect().cryptoKeys.find((k) => k.name === `${RING}/cryptoKeys/hsm-a`)!.versions[0];
    expect(version).toMatchObject({ state: "ENABLED", protectionLevel: "HSM", importJob: r.importJob });
});

test("the answer to CreateImportJob lost after the job was created: the generating job is found and waited for, one job only", async () => {
    const kms = createGcpKmsClient({ env: emu.env() });
    try {
        await kms.createCryptoKey({ parent: RING, cryptoKeyId: "hsm-c", skipInitialVersionCreation: true, cryptoKey: { purpose: "ENCRYPT_DECRYPT", importOnly: true, versionTemplate: { protectionLevel: "HSM" } } });
    } finally {
        await kms.close();
    }
    emu.gcp.faults.add({ operation: "CreateImportJob", kind: "drop-after-apply", next: 1 });
    const before = emu.gcp.inspect().importJobs.length;
    const r = await importGcpVersion({ cryptoKey: `${RING}/cryptoKeys/hsm-c`, material: crypto.randomBytes(32), importMethod: "RSA_OAEP_4096_SHA1_AES_256", env: emu.env() });
    expect(emu.gcp.faults.injected["drop-after-apply"]).toBe(1);
    const jobs = emu.gcp.inspect().importJobs.filter((j) => j.importMethod === "RSA_OAEP_4096_SHA1_AES_256");
    expect(jobs.map((j) => [j.name, j.state])).toEqual([[r.importJob, "ACTIVE"]]);
    expect(emu.gcp.inspect().importJobs).toHaveLength(before + 1);
    expect(r).toMatchObject({ version: `${RING}/cryptoKeys/hsm-c/cryptoKeyVersions/1`, primary: true });
});

test("a keyfabric job of the same method still PENDING_GENERATION is waited for and used, not a second one created", async () => {
    const kms = createGcpKmsClient({ env: emu.env() });
    try {
        // As a run that failed after creating its job would leave it (another method than the first test's job).
        const [job] = await kms.createImportJob({ parent: RING, importJobId: "keyfabric-left-behind", importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "HSM" } });
        expect(job.state).toBe("PENDING_GENERATION");
        const creates = emu.gcp.calls.filter((c) => c.operation === "CreateImportJob").length;
        const r = await importGcpVersion({ cryptoKey: `${RING}/cryptoKeys/hsm-b`, material: crypto.randomBytes(32), importMethod: "RSA_OAEP_3072_SHA256_AES_256", env: emu.env() });
        expect(r.importJob).toBe(job.name);
        expect(emu.gcp.calls.filter((c) => c.operation === "CreateImportJob").length).toBe(creates);
        expect(emu.gcp.inspect().importJobs.filter((j) => j.importMethod === "RSA_OAEP_3072_SHA256_AES_256").map((j) => j.name)).toEqual([job.name]);
    } finally {
        await kms.close();
    }
});
