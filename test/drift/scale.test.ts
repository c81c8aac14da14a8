/**
 * Scale: KEYS keys across the three emulators (plus an alias per AWS key, a key ring and a vault), 20 % of every
 * cloud call throttled. The report completes, every resource is checked, and exactly the injected drift is found:
 * no finding missing, none twice, no read failures (the SDKs' retries absorb the throttling).
 *
 * KEYS is 1,000 (the issue's figure); the check takes ~10 s alone and up to ~45 s while the other drift suites run
 * (logged, not asserted; the default --concurrency 8 would take several times longer, almost all of it back-off
 * sleeps). Lower KEYS if a slow machine pushes the test past its 90 s timeout.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { detectDrift, parseStackExport } from "../../sdk/drift";
import { nameOf } from "../../sdk/drift/state";
import { createAwsKmsClient, createAzureKeyClient, createGcpKmsClient } from "../../sdk/clients";
import { EmulatorSet, ManualClock, startEmulators } from "../../sdk/emulators";
import { ProgramResource, seed, Seeded } from "./support";

const KEYS = 1000;
const THROTTLE_RATE = 0.2;
/** Most of the run is the SDKs' back-off on throttled calls (AWS: up to ~1 s per retry), so wide concurrency pays. */
const CONCURRENCY = 64;
// Budgets above drift's defaults (30 s a call, 10 s an attempt). At a 20 % throttle rate one call of the 3,338 is
// throttled six times running in about one run of five (0.2^6 x 3,338), and the AWS SDK's back-off (random x 2^n x
// 500 ms, at most 20 s a wait) then passes 30 s: a read-failed finding, which is right (test/drift/bad-inputs.test.ts;
// it used to report the endpoint as not answering). This test wants every key read, so calls get 120 s.
const CALL_TIMEOUTS = { callTimeoutMs: 120_000, attemptTimeoutMs: 60_000 };
const EVERY = 50;

const STACK = "urn:pulumi:dev::project::pulumi:pulumi:Stack::project-dev";
const urn = (type: string, name: string) => `urn:pulumi:dev::project::${type}::${name}`;
const pad = (i: number) => String(i).padStart(4, "0");
const RING = "projects/scale/locations/us-east1/keyRings/scale";
const SUB = "00000000-0000-4000-8000-000000000000";

/** What a program of KEYS keys would register (inputs as the providers receive them, mock ids for AWS keys). */
function program(): ProgramResource[] {
    const out: ProgramResource[] = [];
    const add = (type: string, name: string, inputs: Record<string, any>, id?: string) => out.push({ urn: urn(type, name), type, name, parent: STACK, custom: true, inputs, ...(id ? { id } : {}) });
    add("gcp:kms/keyRing:KeyRing", "ring", { name: "scale", location: "us-east1", project: "scale" }, RING);
    add(
        "azure-native:keyvault:Vault",
        "vault",
        {
            vaultName: "scale-vault",
            resourceGroupName: "rg",
            location: "eastus",
            properties: { tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", sku: { family: "A", name: "premium" }, enableRbacAuthorization: true, enableSoftDelete: true, softDeleteRetentionInDays: 90, enablePurgeProtection: true, networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] } },
            tags: { team: "scale" },
        },
        `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/scale-vault`,
    );
    for (let i = 0; i < KEYS; i++) {
        const n = pad(i);
        if (i % 3 === 0) {
            const region = i % 2 === 0 ? "us-east-1" : "eu-west-1";
            const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root"] }, Action: "kms:*", Resource: "*" }] });
            add("aws:kms/key:Key", `aws-${n}`, { region, description: `scale ${n}`, customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", isEnabled: true, enableKeyRotation: true, rotationPeriodInDays: 365, policy, tags: { n } }, `mock-key-${n}`);
            add("aws:kms/alias:Alias", `aws-${n}-alias`, { name: `alias/scale/${n}`, targetKeyId: `mock-key-${n}`, region });
        } else if (i % 3 === 1) {
            add("gcp:kms/cryptoKey:CryptoKey", `gcp-${n}`, {
                keyRing: RING,
                name: `k${n}`,
                purpose: "ENCRYPT_DECRYPT",
                versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
                rotationPeriod: `${90 * 86400}s`,
                destroyScheduledDuration: `${30 * 86400}s`,
                labels: { n },
            });
        } else {
            add(
                "azure-native:keyvault:Key",
                `azure-${n}`,
                { keyName: `k${n}`, vaultName: "scale-vault", resourceGroupName: "rg", properties: { kty: "EC", curveName: "P-256", keyOps: ["sign", "verify"], attributes: { enabled: true, exportable: false } }, tags: { n } },
                `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/scale-vault/keys/k${n}`,
            );
        }
    }
    return out;
}

let emu: EmulatorSet;
let seeded: Seeded;
const clock = new ManualClock(Date.now());
const expected: string[] = [];

beforeAll(async () => {
    emu = await startEmulators({ clock });
    const t = Date.now();
    seeded = await seed(emu, program(), { now: () => clock.now(), concurrency: CONCURRENCY });
    // The injected drift: every EVERY-th key of each cloud.
    const env = emu.env();
    const gcp = createGcpKmsClient({ env });
    const awsClients = { "us-east-1": createAwsKmsClient("us-east-1", { env }), "eu-west-1": createAwsKmsClient("eu-west-1", { env }) };
    const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const azure = createAzureKeyClient("https://scale-vault.vault.azure.net", { env });
    for (let i = 0; i < KEYS; i++) {
        const n = pad(i);
        if (Math.floor(i / 3) % EVERY !== 0) continue;
        if (i % 3 === 0) {
            const r = seeded.byName(`aws-${n}`);
            await awsClients[r.inputs.region as "us-east-1"].send(new kms.DisableKeyCommand({ KeyId: r.outputs.arn }));
            expected.push(`aws-${n} key-disabled`);
        } else if (i % 3 === 1) {
            await gcp.updateCryptoKey({ cryptoKey: { name: `${RING}/cryptoKeys/k${n}`, labels: { n, "goog-pulumi-provisioned": "true", rogue: "yes" } }, updateMask: { paths: ["labels"] } });
            expected.push(`gcp-${n} labels-changed`);
        } else {
            await azure.updateKeyProperties(`k${n}`, { enabled: false });
            expected.push(`azure-${n} key-disabled`);
        }
    }
    await gcp.close();
    Object.values(awsClients).forEach((c) => c.destroy());
    console.log(`scale: seeded ${KEYS} keys and ${expected.length} changes in ${Date.now() - t} ms`);
}, 120_000);
afterAll(() => emu?.stop());

test(`${KEYS} keys, ${THROTTLE_RATE * 100} % throttled: every key checked, exactly the injected drift`, async () => {
    for (const e of [emu.aws, emu.gcp, emu.azure]) e.faults.add({ kind: "throttle", rate: THROTTLE_RATE });
    const before = { aws: emu.aws.calls.length, gcp: emu.gcp.calls.length, azure: emu.azure.calls.length };
    const t = Date.now();
    const report = await detectDrift(parseStackExport(seeded.exported, "scale.json"), { env: { ...process.env, ...emu.env() }, now: clock.now(), policy: false, concurrency: CONCURRENCY, ...CALL_TIMEOUTS });
    const ms = Date.now() - t;
    const throttled = [emu.aws, emu.gcp, emu.azure].reduce((n, e) => n + e.faults.injected.throttle, 0);
    const served = emu.aws.calls.length - before.aws + emu.gcp.calls.length - before.gcp + emu.azure.calls.length - before.azure;
    console.log(`scale: drift over ${report.summary.checked} resources in ${ms} ms (concurrency ${CONCURRENCY}): ${report.summary.calls} calls, ${served} served by the emulators, ${throttled} throttled`);

    const keyResources = 2 + KEYS + Math.ceil(KEYS / 3);
    expect(report.errors).toEqual([]);
    expect(report.summary).toMatchObject({ resources: keyResources, checked: keyResources, skipped: 0 });
    expect(throttled).toBeGreaterThan(100);
    const found = report.findings.map((f) => `${nameOf(f.urn)} ${f.kind}`);
    expect(found.filter((f) => f.endsWith("read-failed"))).toEqual([]);
    expect(new Set(found).size).toBe(found.length);
    expect(found.sort()).toEqual(expected.sort());
}, 240_000);
