/**
 * Under throttling and 5xx, 50 imports per cloud all end enabled, none duplicated, none lost: the providers' own
 * code (the same module the dynamic-provider host loads), against the emulators with faults injected.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import { awsImportedKeyMaterial } from "../sdk/byok/aws";
import { azureImportedKey } from "../sdk/byok/azure";
import { gcpImportedKeyVersion } from "../sdk/byok/gcp";
import { createAwsKmsClient, createGcpKmsClient, EMULATORS_ENV } from "../sdk/clients";
import { fingerprint } from "../sdk/crypto/material";
import { EmulatorSet, startEmulators } from "../sdk/emulators";

const N = 50;
let emu: EmulatorSet;
const aes = crypto.randomBytes(32);
const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;

/** Runs `f` over 0..n-1 with at most `limit` at once. */
async function pool<T>(n: number, limit: number, f: (i: number) => Promise<T>): Promise<T[]> {
    const out: T[] = new Array(n);
    let next = 0;
    await Promise.all(Array.from({ length: limit }, async () => {
        while (next < n) {
            const i = next++;
            out[i] = await f(i);
        }
    }));
    return out;
}

beforeAll(async () => {
    emu = await startEmulators({ reuseWrappingKeys: true });
    process.env[EMULATORS_ENV] = emu.env()[EMULATORS_ENV];
    process.env.KF_FAULT_AES = aes.toString("hex");
    process.env.KF_FAULT_EC = JSON.stringify(ec.export({ format: "jwk" }));
});
afterAll(async () => {
    delete process.env[EMULATORS_ENV];
    await emu.stop();
});

const faultsOn = (f: EmulatorSet["aws"]["faults"]) => f.add({ kind: "throttle", rate: 0.25 }).add({ kind: "server-error", rate: 0.1 });

test(`AWS: ${N} imports under throttling and 5xx`, async () => {
    const kms = createAwsKmsClient("us-east-1");
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const arns = await pool(N, 10, async () => (await kms.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }))).KeyMetadata!.Arn!);
    faultsOn(emu.aws.faults);
    const results = await pool(N, 10, (i) =>
        awsImportedKeyMaterial.create({ providerVersion: "1", keyId: arns[i], region: "us-east-1", algorithm: "AES_256", material: { env: "KF_FAULT_AES" } }),
    );
    emu.aws.faults.clear();
    expect(results.map((r) => r.outs.keyState)).toEqual(Array(N).fill("Enabled"));
    expect(emu.aws.faults.injected.throttle).toBeGreaterThan(0);
    expect(emu.aws.faults.injected["server-error"]).toBeGreaterThan(0);
    // Exactly one material per key, the right one; no key lost or added.
    const keys = emu.aws.inspect().filter((k) => arns.includes(k.arn));
    expect(keys).toHaveLength(N);
    expect(keys.map((k) => k.materials.map((m) => m.fingerprint))).toEqual(Array(N).fill([fingerprint(aes)]));
    kms.destroy();
});

test(`GCP: ${N} imports under throttling and 5xx`, async () => {
    const kms = createGcpKmsClient();
    const ring = "projects/kf-faults/locations/us/keyRings/r";
    await kms.createKeyRing({ parent: "projects/kf-faults/locations/us", keyRingId: "r" });
    const keys = await pool(N, 10, async (i) => {
        const [k] = await kms.createCryptoKey({
            parent: ring,
            cryptoKeyId: `k${i}`,
            cryptoKey: { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" }, importOnly: true },
            skipInitialVersionCreation: true,
        });
        return k.name!;
    });
    faultsOn(emu.gcp.faults);
    const results = await pool(N, 5, (i) =>
        gcpImportedKeyVersion.create({ providerVersion: "1", cryptoKey: keys[i], algorithm: "AES_256", importMethod: "RSA_OAEP_3072_SHA256_AES_256", material: { env: "KF_FAULT_AES" } }),
    );
    emu.gcp.faults.clear();
    expect(results.map((r) => [r.outs.state, r.outs.version])).toEqual(keys.map((k) => ["ENABLED", `${k}/cryptoKeyVersions/1`]));
    expect(emu.gcp.faults.injected.throttle).toBeGreaterThan(0);
    expect(emu.gcp.faults.injected["server-error"]).toBeGreaterThan(0);
    const inspected = emu.gcp.inspect() as any;
    const versions = JSON.stringify(inspected);
    for (const k of keys) expect(versions.split(`"${k}/cryptoKeyVersions/2"`).length).toBe(1);
    await kms.close();
});

test(`Azure: ${N} imports under throttling and 5xx`, async () => {
    const vaultUrl = "https://kf-faults.vault.azure.net";
    // The KEK first (no faults), then 50 HSM imports through it.
    await azureImportedKey.create({ providerVersion: "1", vaultUrl, keyName: "warmup", purpose: "sign", algorithm: "EC_P256", protection: "hsm", kekName: "shared-kek", kekSize: 2048, material: { env: "KF_FAULT_EC" } });
    faultsOn(emu.azure.faults);
    const took: number[] = [];
    const results = await pool(N, 10, async (i) => {
        const t0 = Date.now();
        const r = await azureImportedKey.create({ providerVersion: "1", vaultUrl, keyName: `k${i}`, purpose: "sign", algorithm: "EC_P256", protection: "hsm", kekName: "shared-kek", kekSize: 2048, material: { env: "KF_FAULT_EC" } });
        took.push(Date.now() - t0);
        return r;
    });
    emu.azure.faults.clear();
    // Bounded: the factory's backoff (0.5 s doubling to at most 8 s) and the providers' own retries, not the SDK's
    // defaults (1 s doubling to 64 s).
    expect(Math.max(...took)).toBeLessThan(20_000);
    expect(results.map((r) => [r.id, r.outs.enabled])).toEqual(Array.from({ length: N }, (_, i) => [`${vaultUrl}/keys/k${i}`, true]));
    expect(emu.azure.faults.injected.throttle).toBeGreaterThan(0);
    expect(emu.azure.faults.injected["server-error"]).toBeGreaterThan(0);
    const vault = (emu.azure.inspect() as any).vaults.find((v: any) => v.name === "kf-faults");
    const keys = vault.keys.filter((k: any) => /^k\d+$/.test(k.name));
    expect(keys).toHaveLength(N);
    expect(keys.map((k: any) => k.versions.length)).toEqual(Array(N).fill(1));
});
