"use strict";
/**
 * BYOK import cost against the emulators (KEYFABRIC_EMULATORS, from emulators.js): N imports of AES-256 material
 * through the providers' own implementations (the code the dynamic-provider host runs), at a given concurrency.
 *   node byok-import.js aws|gcp|azure N CONCURRENCY
 * Untimed setup: N import-ready keys (AWS EXTERNAL keys; GCP import-only keys in a fresh key ring) and one warm-up
 * import (AWS wrapping key, GCP import job, Azure KEK on the Managed HSM: created once, reused by the timed imports).
 * Timed: the N `create` calls, at most CONCURRENCY at once.
 */
process.env.METADATA_SERVER_DETECTION = "none";
const crypto = require("crypto");
const { runChild } = require("./report");

/** Runs f over 0..n-1 with at most `limit` at once. */
async function pool(n, limit, f) {
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(limit, n) }, async () => {
            while (next < n) await f(next++);
        }),
    );
}

runChild(async () => {
    const [cloud, nArg, concurrencyArg] = process.argv.slice(2);
    const n = Number(nArg);
    const concurrency = Number(concurrencyArg);
    const { createAwsKmsClient, createGcpKmsClient } = require("../../lib/clients");
    process.env.KF_BENCH_AES = crypto.randomBytes(32).toString("hex");
    const material = { env: "KF_BENCH_AES" };
    const run = `r${process.pid}`;
    let create;
    if (cloud === "aws") {
        const { awsImportedKeyMaterial } = require("../../lib/byok/aws");
        const sdk = require("@aws-sdk/client-kms");
        const kms = createAwsKmsClient("us-east-1");
        const arns = [];
        for (let i = 0; i <= n; i++) {
            arns.push((await kms.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }))).KeyMetadata.Arn);
        }
        kms.destroy();
        create = (i) => awsImportedKeyMaterial.create({ providerVersion: "1", keyId: arns[i], region: "us-east-1", algorithm: "AES_256", material });
    } else if (cloud === "gcp") {
        const { gcpImportedKeyVersion } = require("../../lib/byok/gcp");
        const kms = createGcpKmsClient();
        const parent = "projects/kf-bench/locations/us";
        await kms.createKeyRing({ parent, keyRingId: run });
        const keys = [];
        for (let i = 0; i <= n; i++) {
            const [k] = await kms.createCryptoKey({
                parent: `${parent}/keyRings/${run}`,
                cryptoKeyId: `k${i}`,
                cryptoKey: { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" }, importOnly: true },
                skipInitialVersionCreation: true,
            });
            keys.push(k.name);
        }
        await kms.close();
        create = (i) => gcpImportedKeyVersion.create({ providerVersion: "1", cryptoKey: keys[i], algorithm: "AES_256", material });
    } else if (cloud === "azure") {
        const { azureImportedKey } = require("../../lib/byok/azure");
        const vaultUrl = "https://kf-bench.managedhsm.azure.net";
        create = (i) =>
            azureImportedKey.create({ providerVersion: "1", vaultUrl, keyName: `${run}-k${i}`, purpose: "encrypt", algorithm: "AES_256", protection: "hsm", kekName: "bench-kek", material });
    } else {
        throw new Error(`unknown cloud ${cloud}`);
    }
    await create(n); // warm-up: the last key, untimed
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await pool(n, concurrency, create);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // The client's own CPU over the timed phase: near `ms` means the imports are bound by this process's work.
    const clientCpuMs = (cpu.user + cpu.system) / 1000;
    return { cloud, imports: n, concurrency, ms, perImportMs: ms / n, importsPerSecond: (n * 1000) / ms, clientCpuMs };
});
