/**
 * Nothing lost, duplicated or half-done when an answer is lost after the call applied. The BYOK providers are driven
 * through `@pulumi/pulumi/cmd/dynamic-provider` over gRPC as the engine drives them (Check, Create, Check, Diff,
 * Update, then a re-run: Read, Diff, Update), against the emulators with 30 % of all answers lost after the call took
 * effect (`drop-after-apply`). Every key ends as declared, nothing is imported, created or rotated twice (counted in
 * `inspect()`), a re-run changes nothing, and a run that failed half-way converges when re-run.
 * Needs lib/ (npm test builds it).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AwsImportedKeyMaterial, awsMaterialDescription } from "../sdk/byok/aws";
import { AZURE_FINGERPRINT_TAG, AzureImportedKey } from "../sdk/byok/azure";
import { cloudError } from "../sdk/byok/common";
import { GcpImportedKeyVersion } from "../sdk/byok/gcp";
import { createAwsKmsClient, createAzureKeyClient, createGcpKmsClient } from "../sdk/clients";
import { fingerprint } from "../sdk/crypto/material";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { runUnderMocks } from "../sdk/preview/harness";
import { findLeaks, ProviderHost } from "./support/providerHost";

const N = 20;
const LOST = 0.3;
const TYPE = (t: string) => `pulumi-nodejs:dynamic/keyfabric:${t}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-lost-"));
let emu: EmulatorSet;
const hosts: ProviderHost[] = [];
/** Every material the tests use, for the leak scans. */
const materials: Buffer[] = [];

jest.setTimeout(120_000);

beforeAll(async () => {
    if (!fs.existsSync(path.join(__dirname, "..", "lib", "byok", "aws.js"))) throw new Error("lib/ is missing: npm run build");
    emu = await startEmulators({ reuseWrappingKeys: true });
});
afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes material to a file only the owner can read; returns the path. */
function materialFile(name: string, data: Buffer): string {
    const f = path.join(dir, name);
    fs.writeFileSync(f, data, { mode: 0o600 });
    return f;
}

const aes = () => {
    const m = crypto.randomBytes(32);
    materials.push(m);
    return m;
};
/** An EC P-256 private key as PEM (what the file holds) and its DER PKCS#8 (what a leak would look like). */
const ecPem = () => {
    const k = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const der = k.export({ type: "pkcs8", format: "der" });
    materials.push(der);
    return { pem: Buffer.from(k.export({ type: "pkcs8", format: "pem" }) as string), fingerprint: fingerprint(der, k) };
};

/** The inputs a program registers for a dynamic resource, `__provider` included, as the engine receives them. */
async function registeredInputs(make: () => pulumi.Resource): Promise<Record<string, any>> {
    const run = await runUnderMocks(() => make());
    const inputs = { ...run.resources[0].inputs };
    for (const k of Object.keys(inputs)) if (inputs[k] === undefined) delete inputs[k];
    return inputs;
}

async function host(type: string): Promise<ProviderHost> {
    const h = await ProviderHost.start(TYPE(type), { ...emu.env(), METADATA_SERVER_DETECTION: "none" });
    hosts.push(h);
    await h.configure();
    return h;
}

/** Runs `f` over 0..n-1 with at most `limit` at once. */
async function pool<T>(n: number, limit: number, f: (i: number) => Promise<T>): Promise<T[]> {
    const out: T[] = new Array(n);
    let next = 0;
    await Promise.all(
        Array.from({ length: limit }, async () => {
            while (next < n) {
                const i = next++;
                out[i] = await f(i);
            }
        }),
    );
    return out;
}

/** No form of any material in anything the host printed or answered (errors included). */
function expectNoLeaks(h: ProviderHost, extra: Record<string, unknown> = {}) {
    for (const m of materials) {
        expect(findLeaks(m, { transcript: h.transcript.join("\n"), hostOutput: h.output, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, JSON.stringify(v)])) })).toEqual([]);
    }
}

interface Lifecycle {
    readonly name: string;
    readonly news: Record<string, any>;
    /** Writes the second (rotated) material. */
    rotate(): void;
}

/**
 * The engine's sequence for one resource: check + create; new material: check + diff + update; a re-run with
 * nothing changed: read + check + diff (no changes) + update.
 */
async function lifecycle(h: ProviderHost, r: Lifecycle) {
    const checked = await h.check(r.name, {}, r.news);
    expect(checked.failures).toEqual([]);
    const created = await h.create(r.name, checked.inputs);
    r.rotate();
    const checked2 = await h.check(r.name, checked.inputs, r.news);
    expect(checked2.inputs.fingerprint).not.toBe(checked.inputs.fingerprint);
    expect((await h.diff(r.name, created.id, created.properties, checked2.inputs)).changes).toBe("some");
    const updated = await h.update(r.name, created.id, created.properties, checked2.inputs);
    return { checked, created, checked2, updated };
}

/** The re-run: refresh, then up with the same program; nothing may change anywhere. */
async function rerun(h: ProviderHost, r: Lifecycle, id: string, props: Record<string, any>, inputs: Record<string, any>) {
    const read = await h.read(r.name, id, props);
    expect(read.properties).toEqual(props);
    const checked = await h.check(r.name, inputs, r.news);
    expect(checked.inputs).toEqual(inputs);
    expect((await h.diff(r.name, id, read.properties!, checked.inputs)).changes).toBe("none");
    const updated = await h.update(r.name, id, read.properties!, checked.inputs);
    expect(updated.properties).toEqual(props);
}

const lost = (faults: EmulatorSet["aws"]["faults"]) => faults.add({ kind: "drop-after-apply", rate: LOST });
const mutating = (calls: { operation: string; fault?: string }[], ops: string[]) => calls.filter((c) => ops.includes(c.operation)).length;

describe(`${N} imports + rotations with ${LOST * 100} % of answers lost after the call applied`, () => {
    test("AWS: material ids as declared, one on-demand rotation each, nothing PENDING_ROTATION; a re-run changes nothing", async () => {
        const region = "eu-west-1";
        const kms = createAwsKmsClient(region, { env: emu.env() });
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const arns = await pool(N, 5, async () => (await kms.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!);
        kms.destroy();
        const base = await registeredInputs(() => new AwsImportedKeyMaterial("k", { keyId: "k", region, algorithm: "AES_256", material: { file: "/x" } }));
        const firsts = arns.map(() => aes());
        const seconds = arns.map(() => aes());
        const resources: Lifecycle[] = arns.map((arn, i) => {
            const file = materialFile(`aws-${i}.bin`, firsts[i]);
            return { name: `kek-${i}`, news: { ...base, keyId: arn, material: { file } }, rotate: () => fs.writeFileSync(file, seconds[i]) };
        });
        const h = await host("AwsImportedKeyMaterial");

        lost(emu.aws.faults);
        const runs = await pool(N, 5, (i) => lifecycle(h, resources[i])).finally(() => emu.aws.faults.clear());
        expect(emu.aws.faults.injected["drop-after-apply"]).toBeGreaterThan(20);
        // Lost answers of the calls that must not be repeated did happen.
        const lostCalls = emu.aws.calls.filter((c) => c.fault === "drop-after-apply").map((c) => c.operation);
        expect(lostCalls).toEqual(expect.arrayContaining(["ImportKeyMaterial", "RotateKeyOnDemand", "DescribeKey", "ListKeyRotations"]));

        const keys = emu.aws.inspect().filter((k) => arns.includes(k.arn));
        expect(keys).toHaveLength(N);
        for (const [i, arn] of arns.entries()) {
            const key = keys.find((k) => k.arn === arn)!;
            // Exactly two materials (the first and the rotated one), one on-demand rotation, none pending.
            expect(key.materials.map((m) => [m.state, m.importState, m.fingerprint, m.description])).toEqual([
                ["NON_CURRENT", "IMPORTED", fingerprint(firsts[i]), awsMaterialDescription(fingerprint(firsts[i]))],
                ["CURRENT", "IMPORTED", fingerprint(seconds[i]), awsMaterialDescription(fingerprint(seconds[i]))],
            ]);
            expect(key.rotation.onDemandRotations).toBe(1);
            expect(key.keyState).toBe("Enabled");
            const { created, updated } = runs[i];
            expect(created.properties).toMatchObject({ keyArn: arn, keyState: "Enabled", keyMaterialId: key.materials[0].keyMaterialId, fingerprint: fingerprint(firsts[i]) });
            expect(updated.properties).toMatchObject({ keyArn: arn, keyState: "Enabled", keyMaterialId: key.currentKeyMaterialId, fingerprint: fingerprint(seconds[i]), expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" });
        }

        // A re-run, answers still being lost: the same state, and no import, rotation or deletion.
        const before = JSON.stringify(emu.aws.inspect());
        const callsBefore = emu.aws.calls.length;
        lost(emu.aws.faults);
        await pool(N, 5, (i) => rerun(h, resources[i], arns[i], runs[i].updated.properties, runs[i].checked2.inputs)).finally(() => emu.aws.faults.clear());
        expect(mutating(emu.aws.calls.slice(callsBefore), ["ImportKeyMaterial", "RotateKeyOnDemand", "DeleteImportedKeyMaterial", "GetParametersForImport"])).toBe(0);
        expect(JSON.stringify(emu.aws.inspect())).toBe(before);
        expectNoLeaks(h, { runs });
    });

    test("GCP: one version per material, the rotated one primary; a re-run changes nothing", async () => {
        const kms = createGcpKmsClient({ env: emu.env() });
        const ring = "projects/kf-lost/locations/us/keyRings/r";
        await kms.createKeyRing({ parent: "projects/kf-lost/locations/us", keyRingId: "r" });
        const keys = await pool(N, 5, async (i) => {
            const [k] = await kms.createCryptoKey({
                parent: ring,
                cryptoKeyId: `k${i}`,
                cryptoKey: { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" }, importOnly: true },
                skipInitialVersionCreation: true,
            });
            return k.name!;
        });
        await kms.close();
        const base = await registeredInputs(() => new GcpImportedKeyVersion("k", { cryptoKey: `${ring}/cryptoKeys/x`, algorithm: "AES_256", importMethod: "RSA_OAEP_3072_SHA256_AES_256", material: { file: "/x" } }));
        const firsts = keys.map(() => aes());
        const seconds = keys.map(() => aes());
        const resources: Lifecycle[] = keys.map((cryptoKey, i) => {
            const file = materialFile(`gcp-${i}.bin`, firsts[i]);
            return { name: `v-${i}`, news: { ...base, cryptoKey, material: { file } }, rotate: () => fs.writeFileSync(file, seconds[i]) };
        });
        const h = await host("GcpImportedKeyVersion");

        lost(emu.gcp.faults);
        const runs = await pool(N, 5, (i) => lifecycle(h, resources[i])).finally(() => emu.gcp.faults.clear());
        expect(emu.gcp.faults.injected["drop-after-apply"]).toBeGreaterThan(20);
        expect(emu.gcp.calls.filter((c) => c.fault === "drop-after-apply").map((c) => c.operation)).toEqual(expect.arrayContaining(["ImportCryptoKeyVersion", "GetCryptoKeyVersion"]));

        const inspected = emu.gcp.inspect().cryptoKeys.filter((k) => keys.includes(k.name));
        expect(inspected).toHaveLength(N);
        for (const [i, name] of keys.entries()) {
            const k = inspected.find((x) => x.name === name)!;
            expect(k.versions.map((v) => [v.name, v.state, v.fingerprint])).toEqual([
                [`${name}/cryptoKeyVersions/1`, "ENABLED", fingerprint(firsts[i])],
                [`${name}/cryptoKeyVersions/2`, "ENABLED", fingerprint(seconds[i])],
            ]);
            expect(k.primary).toBe(`${name}/cryptoKeyVersions/2`);
            expect(runs[i].created.properties).toMatchObject({ version: `${name}/cryptoKeyVersions/1`, state: "ENABLED", fingerprint: fingerprint(firsts[i]) });
            expect(runs[i].updated.properties).toMatchObject({ version: `${name}/cryptoKeyVersions/2`, versions: [`${name}/cryptoKeyVersions/1`, `${name}/cryptoKeyVersions/2`], state: "ENABLED", fingerprint: fingerprint(seconds[i]) });
        }

        const before = JSON.stringify(emu.gcp.inspect());
        const callsBefore = emu.gcp.calls.length;
        lost(emu.gcp.faults);
        await pool(N, 5, (i) => rerun(h, resources[i], keys[i], runs[i].updated.properties, runs[i].checked2.inputs)).finally(() => emu.gcp.faults.clear());
        expect(mutating(emu.gcp.calls.slice(callsBefore), ["ImportCryptoKeyVersion", "CreateImportJob", "UpdateCryptoKeyPrimaryVersion", "UpdateCryptoKeyVersion"])).toBe(0);
        expect(JSON.stringify(emu.gcp.inspect())).toBe(before);
        expectNoLeaks(h, { runs });
    });

    test("Azure: two versions per key, one version per KEK (shared and per key), fingerprints as tags; a re-run changes nothing", async () => {
        const vaultUrl = "https://kf-lost.vault.azure.net";
        const base = await registeredInputs(
            () => new AzureImportedKey("k", { vaultUrl, keyName: "x", purpose: "sign", algorithm: "EC_P256", protection: "hsm", kekSize: 2048, material: { file: "/x" } }),
        );
        const firsts = Array.from({ length: N }, () => ecPem());
        const seconds = Array.from({ length: N }, () => ecPem());
        // Even keys share one KEK (concurrently), odd keys get their own (`<key>-kek`).
        const resources: Lifecycle[] = firsts.map((first, i) => {
            const file = materialFile(`az-${i}.pem`, first.pem);
            return { name: `az-${i}`, news: { ...base, keyName: `k${i}`, ...(i % 2 === 0 ? { kekName: "shared-kek" } : {}), material: { file } }, rotate: () => fs.writeFileSync(file, seconds[i].pem) };
        });
        const h = await host("AzureImportedKey");

        lost(emu.azure.faults);
        const runs = await pool(N, 5, (i) => lifecycle(h, resources[i])).finally(() => emu.azure.faults.clear());
        expect(emu.azure.faults.injected["drop-after-apply"]).toBeGreaterThan(20);
        expect(emu.azure.calls.filter((c) => c.fault === "drop-after-apply").map((c) => c.operation)).toEqual(expect.arrayContaining(["importKey", "createKey", "getKey"]));

        const vault = emu.azure.inspect().vaults.find((v) => v.host === "kf-lost.vault.azure.net")!;
        const keyNamed = (name: string) => vault.keys.find((k) => k.name === name);
        for (let i = 0; i < N; i++) {
            const key = keyNamed(`k${i}`)!;
            expect(key.versions.map((v) => [v.fingerprint, v.tags?.[AZURE_FINGERPRINT_TAG], v.kty, v.attributes.enabled])).toEqual([
                [firsts[i].fingerprint, firsts[i].fingerprint, "EC-HSM", true],
                [seconds[i].fingerprint, seconds[i].fingerprint, "EC-HSM", true],
            ]);
            const kekName = i % 2 === 0 ? "shared-kek" : `k${i}-kek`;
            expect(keyNamed(kekName)!.versions).toHaveLength(1);
            expect(runs[i].created.properties).toMatchObject({ version: key.versions[0].version, versions: [key.versions[0].version], enabled: true, kekId: keyNamed(kekName)!.versions[0].kid });
            expect(runs[i].updated.properties).toMatchObject({ version: key.versions[1].version, versions: [key.versions[0].version, key.versions[1].version], enabled: true, fingerprint: seconds[i].fingerprint });
        }
        // Nothing else in the vault: 20 keys and 11 KEKs.
        expect(vault.keys).toHaveLength(N + 1 + N / 2);

        const before = JSON.stringify(emu.azure.inspect().vaults);
        const callsBefore = emu.azure.calls.length;
        lost(emu.azure.faults);
        await pool(N, 5, (i) => rerun(h, resources[i], `${vaultUrl}/keys/k${i}`, runs[i].updated.properties, runs[i].checked2.inputs)).finally(() => emu.azure.faults.clear());
        expect(mutating(emu.azure.calls.slice(callsBefore), ["importKey", "createKey", "updateKey", "deleteKey"])).toBe(0);
        expect(JSON.stringify(emu.azure.inspect().vaults)).toBe(before);
        expectNoLeaks(h, { runs });
    });
});

describe("a run that failed half-way converges when re-run", () => {
    test("AWS: new material imported but the rotation refused (key disabled): the re-run rotates once; changed again meanwhile: the pending material is replaced", async () => {
        const region = "eu-west-2";
        const kms = createAwsKmsClient(region, { env: emu.env() });
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const arn = (await kms.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
        const [m1, m2, m3] = [aes(), aes(), aes()];
        const file = materialFile("aws-halfway.bin", m1);
        const news = { ...(await registeredInputs(() => new AwsImportedKeyMaterial("halfway", { keyId: arn, region, algorithm: "AES_256", material: { file } }))) };
        const h = await host("AwsImportedKeyMaterial");
        const checked = await h.check("halfway", {}, news);
        const created = await h.create("halfway", checked.inputs);

        // Out of band the key is disabled: the new material goes in, the rotation is refused.
        await kms.send(new sdk.DisableKeyCommand({ KeyId: arn }));
        fs.writeFileSync(file, m2);
        const checked2 = await h.check("halfway", checked.inputs, news);
        await expect(h.update("halfway", arn, created.properties, checked2.inputs)).rejects.toMatchObject({ details: expect.stringMatching(/RotateKeyOnDemand for .* failed: DisabledException: /) });
        const state = () => emu.aws.inspect().find((k) => k.arn === arn)!;
        expect(state().materials.map((m) => [m.state, m.fingerprint])).toEqual([
            ["CURRENT", fingerprint(m1)],
            ["PENDING_ROTATION", fingerprint(m2)],
        ]);

        // Re-run (the engine still holds the old state): the pending material is ours, already imported: rotate once.
        await kms.send(new sdk.EnableKeyCommand({ KeyId: arn }));
        const callsBefore = emu.aws.calls.length;
        const rerun = await h.update("halfway", arn, created.properties, checked2.inputs);
        expect(emu.aws.calls.slice(callsBefore).filter((c) => ["ImportKeyMaterial", "RotateKeyOnDemand"].includes(c.operation)).map((c) => c.operation)).toEqual(["RotateKeyOnDemand"]);
        expect(state().materials.map((m) => [m.state, m.fingerprint])).toEqual([
            ["NON_CURRENT", fingerprint(m1)],
            ["CURRENT", fingerprint(m2)],
        ]);
        expect(rerun.properties).toMatchObject({ keyState: "Enabled", fingerprint: fingerprint(m2), keyMaterialId: state().currentKeyMaterialId });

        // Half-way again with m3; then the program declares new material once more before the re-run: keyfabric's own
        // pending material is deleted, the declared one imported and rotated to.
        await kms.send(new sdk.DisableKeyCommand({ KeyId: arn }));
        fs.writeFileSync(file, m3);
        const checked3 = await h.check("halfway", checked2.inputs, news);
        await expect(h.update("halfway", arn, rerun.properties, checked3.inputs)).rejects.toMatchObject({ details: expect.stringMatching(/DisabledException/) });
        await kms.send(new sdk.EnableKeyCommand({ KeyId: arn }));
        const m4 = aes();
        fs.writeFileSync(file, m4);
        const checked4 = await h.check("halfway", checked3.inputs, news);
        const final = await h.update("halfway", arn, rerun.properties, checked4.inputs);
        expect(state().materials.map((m) => [m.state, m.fingerprint])).toEqual([
            ["NON_CURRENT", fingerprint(m1)],
            ["NON_CURRENT", fingerprint(m2)],
            ["CURRENT", fingerprint(m4)],
        ]);
        expect(state().rotation.onDemandRotations).toBe(2);
        expect(final.properties).toMatchObject({ keyState: "Enabled", fingerprint: fingerprint(m4), keyMaterialId: state().currentKeyMaterialId });
        kms.destroy();
        expectNoLeaks(h, { created, rerun, final });
    });

    test("AWS: a rotation applied whose run then failed is recorded on re-run, not repeated", async () => {
        // What a run that died after the lost answer of RotateKeyOnDemand leaves behind, made with the SDK directly.
        const region = "eu-west-3";
        const kms = createAwsKmsClient(region, { env: emu.env() });
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const arn = (await kms.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
        const [m1, m2] = [aes(), aes()];
        const file = materialFile("aws-applied.bin", m1);
        const news = await registeredInputs(() => new AwsImportedKeyMaterial("applied", { keyId: arn, region, algorithm: "AES_256", material: { file } }));
        const h = await host("AwsImportedKeyMaterial");
        const checked = await h.check("applied", {}, news);
        const created = await h.create("applied", checked.inputs);
        fs.writeFileSync(file, m2);
        const checked2 = await h.check("applied", checked.inputs, news);
        // The rotation applies, its answer is lost, and the key cannot be read afterwards: the run fails. (The rotation
        // is held 300 ms, while the DescribeKey fault goes in.)
        const dropped = emu.aws.faults.injected["drop-after-apply"];
        emu.aws.faults.add({ operation: "RotateKeyOnDemand", kind: "drop-after-apply", next: 1 }).add({ operation: "RotateKeyOnDemand", kind: "latency", latencyMs: 300, next: 1 });
        const inFlight = h.update("applied", arn, created.properties, checked2.inputs);
        while (emu.aws.faults.injected["drop-after-apply"] === dropped) await new Promise((r) => setTimeout(r, 5));
        emu.aws.faults.add({ operation: "DescribeKey", kind: "server-error", rate: 1 });
        await expect(inFlight).rejects.toMatchObject({ details: expect.stringMatching(/DescribeKey for .* failed: KMSInternalException/) });
        emu.aws.faults.clear();
        const state = () => emu.aws.inspect().find((k) => k.arn === arn)!;
        expect(state().rotation.onDemandRotations).toBe(1);

        const callsBefore = emu.aws.calls.length;
        const rerun = await h.update("applied", arn, created.properties, checked2.inputs);
        expect(emu.aws.calls.slice(callsBefore).filter((c) => ["ImportKeyMaterial", "RotateKeyOnDemand"].includes(c.operation))).toEqual([]);
        expect(state().rotation.onDemandRotations).toBe(1);
        expect(state().materials.map((m) => [m.state, m.fingerprint])).toEqual([
            ["NON_CURRENT", fingerprint(m1)],
            ["CURRENT", fingerprint(m2)],
        ]);
        expect(rerun.properties).toMatchObject({ keyState: "Enabled", fingerprint: fingerprint(m2), keyMaterialId: state().currentKeyMaterialId });
        kms.destroy();
        expectNoLeaks(h, { created, rerun });
    });

    test("Azure: a version imported by a run that then failed is adopted, not imported again; errors name code and message", async () => {
        const vaultUrl = "https://kf-halfway.vault.azure.net";
        const first = ecPem();
        const file = materialFile("az-halfway.pem", first.pem);
        const news = await registeredInputs(
            () => new AzureImportedKey("halfway", { vaultUrl, keyName: "signer", purpose: "sign", algorithm: "EC_P256", protection: "hsm", kekSize: 2048, material: { file } }),
        );
        const h = await host("AzureImportedKey");
        const checked = await h.check("halfway", {}, news);
        // The import applies, its answer is lost, and the vault cannot be read afterwards (throttled on every read):
        // the create fails. (The import is held 300 ms, while the getKey fault goes in.)
        const dropped = emu.azure.faults.injected["drop-after-apply"];
        emu.azure.faults.add({ operation: "importKey", kind: "drop-after-apply", next: 1 }).add({ operation: "importKey", kind: "latency", latencyMs: 300, next: 1 });
        const inFlight = h.create("halfway", checked.inputs);
        while (emu.azure.faults.injected["drop-after-apply"] === dropped) await new Promise((r) => setTimeout(r, 5));
        emu.azure.faults.add({ operation: "getKey", kind: "throttle", rate: 1 });
        const failed = await inFlight.then(
            () => undefined,
            (e: { details?: string }) => e.details ?? "",
        );
        emu.azure.faults.clear();
        expect(failed).toBe(
            "Azure Key Vault GetKey for https://kf-halfway.vault.azure.net key signer failed: Throttled (HTTP 429): Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached.",
        );
        expect(failed).not.toContain("[object Object]");
        const versions = () => emu.azure.inspect().vaults.find((v) => v.name === "kf-halfway")!.keys.find((k) => k.name === "signer")!.versions;
        expect(versions()).toHaveLength(1);

        // The re-run (create again: the engine recorded nothing) adopts the version carrying this fingerprint.
        const callsBefore = emu.azure.calls.length;
        const created = await h.create("halfway", checked.inputs);
        expect(emu.azure.calls.slice(callsBefore).filter((c) => c.operation === "importKey" || c.operation === "createKey")).toEqual([]);
        expect(versions()).toHaveLength(1);
        expect(created.properties).toMatchObject({ version: versions()[0].version, enabled: true, fingerprint: first.fingerprint });
        const signed = await createAzureKeyClient(vaultUrl, { env: emu.env() })
            .getCryptographyClient("signer")
            .sign("ES256", crypto.createHash("sha256").update("m").digest());
        expect(crypto.verify("sha256", Buffer.from("m"), { key: crypto.createPublicKey(first.pem), dsaEncoding: "ieee-p1363" }, Buffer.from(signed.result))).toBe(true);

        // A refused import reports Azure's code and message (never "[object Object]"), within a bounded time.
        const second = ecPem();
        fs.writeFileSync(file, second.pem);
        const tags = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, "v"]));
        const checked2 = await h.check("halfway", checked.inputs, { ...news, tags });
        const t0 = Date.now();
        const refused = await h.update("halfway", created.id, created.properties, checked2.inputs).then(
            () => undefined,
            (e: { details?: string }) => e.details ?? "",
        );
        expect(refused).toBe(`Azure Key Vault ImportKey for ${vaultUrl} key signer failed: BadParameter (HTTP 400): A key can have at most 15 tags.`);
        expect(Date.now() - t0).toBeLessThan(10_000);
        expect(versions()).toHaveLength(1);
        expectNoLeaks(h, { created });
    });
});

test("cloud errors are rendered by name or code and message, never as [object Object]", () => {
    // @azure/core-rest-pipeline RestError: details is the parsed body, code the service's code.
    const rest = Object.assign(new Error("A key with (name/id) k was not found in this key vault."), {
        name: "RestError",
        code: "KeyNotFound",
        statusCode: 404,
        details: { error: { code: "KeyNotFound", message: "A key with (name/id) k was not found in this key vault." } },
    });
    expect(cloudError("Azure Key Vault", "GetKey", "v key k", rest).message).toBe("Azure Key Vault GetKey for v key k failed: KeyNotFound (HTTP 404): A key with (name/id) k was not found in this key vault.");
    const reset = Object.assign(new Error("socket hang up"), { name: "RestError", code: "ECONNRESET" });
    expect(cloudError("Azure Key Vault", "ImportKey", "v key k", reset).message).toBe("Azure Key Vault ImportKey for v key k failed: ECONNRESET: socket hang up");
    // A body without the usual envelope: its own code and message.
    const odd = Object.assign(new Error(""), { name: "RestError", statusCode: 503, details: { code: "ServiceUnavailable", message: "try later" } });
    expect(cloudError("Azure Key Vault", "CreateKey (KEK)", "kek", odd).message).toBe("Azure Key Vault CreateKey (KEK) for kek failed: ServiceUnavailable (HTTP 503): try later");
    // AWS: the exception name; gRPC: the status code and details.
    const aws = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
    expect(cloudError("AWS KMS", "ImportKeyMaterial", "arn", aws).message).toBe("AWS KMS ImportKeyMaterial for arn failed: ThrottlingException: Rate exceeded");
    const grpc = Object.assign(new Error("14 UNAVAILABLE: Connection dropped"), { code: 14, details: "Connection dropped" });
    expect(cloudError("Cloud KMS", "ImportCryptoKeyVersion", "k", grpc).message).toBe("Cloud KMS ImportCryptoKeyVersion for k failed: code 14: Connection dropped");
    for (const e of [rest, reset, odd, aws, grpc, { details: { nested: true } }, "text", undefined]) expect(cloudError("X", "Op", "r", e).message).not.toContain("[object");
});
