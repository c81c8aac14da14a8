/**
 * A stack export that matches what a deployment leaves: a program's resources (recorded under mocks, or synthesised)
 * are created in the emulators through the official SDKs with the same names and settings, by the code
 * `keyfabric emulate --seed` runs (sdk/cli/seed-create.ts), and their real ids, ARNs, versions and URIs are written
 * into the export's outputs (deployment format v3, as `pulumi stack export`). BYOK material, which no export holds,
 * is generated here, put in the environment variable its source names, and imported with the providers' own import
 * functions.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { importAwsMaterial } from "../../sdk/byok/aws";
import { importAzureKey, azureImportInputs } from "../../sdk/byok/azure";
import { importGcpVersion } from "../../sdk/byok/gcp";
import { resolveMaterial } from "../../sdk/byok/sources";
import { materialKindFor } from "../../sdk/byok/wrap";
import { fingerprint } from "../../sdk/crypto/material";
import { createInEmulators, replaceIds } from "../../sdk/cli/seed-create";
import type { EmulatorSet } from "../../sdk/emulators";
import type { MockRun } from "../../sdk/preview/harness";

/** A resource as the mock harness records it (or a test synthesises it). */
export interface ProgramResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    readonly id?: string;
    readonly protect?: boolean;
}

export interface ExportedResource {
    urn: string;
    type: string;
    custom: boolean;
    id?: string;
    parent?: string;
    provider?: string;
    protect?: boolean;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
}

export interface Seeded {
    /** The `pulumi stack export` document. */
    readonly exported: { version: 3; deployment: { manifest: Record<string, unknown>; secrets_providers: Record<string, unknown>; resources: ExportedResource[] } };
    /** The exported resource by its name (the last URN part). */
    byName(name: string): ExportedResource;
    /** Writes the export to a temp file; returns its path. */
    write(file?: string): string;
}

const MATERIAL_TYPES = {
    aws: "pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial",
    gcp: "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion",
    azure: "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey",
} as const;
const MATERIAL: ReadonlySet<string> = new Set(Object.values(MATERIAL_TYPES));

async function inChunks<T>(items: T[], n: number, f: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
        while (next < items.length) await f(items[next++]);
    }));
}

/** Generates material for a BYOK source (an env variable) and sets the variable, as an operator would. */
function provideMaterial(source: { env?: string }, algorithm: string): void {
    if (!source.env || process.env[source.env]) return;
    if (algorithm === "AES_256" || algorithm === "HMAC_256") process.env[source.env] = crypto.randomBytes(32).toString("base64");
    else if (algorithm.startsWith("EC_")) process.env[source.env] = crypto.generateKeyPairSync("ec", { namedCurve: algorithm === "EC_P256" ? "P-256" : "P-384" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    else process.env[source.env] = crypto.generateKeyPairSync("rsa", { modulusLength: Number(algorithm.split("_")[1]) }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
}

export interface SeedOptions {
    /** Epoch ms "now" of the emulators (for GCP's first next_rotation_time). */
    readonly now: () => number;
    readonly project?: string;
    readonly stack?: string;
    /** Concurrency of creation calls. @default 16 */
    readonly concurrency?: number;
}

/** Imports the material a BYOK resource declares (generated first, as an operator would provide it). */
async function importMaterial(type: string, inputs: Record<string, any>, env: NodeJS.ProcessEnv, now: () => number): Promise<{ id?: string; outputs: Record<string, any> }> {
    switch (type) {
        case MATERIAL_TYPES.aws: {
            provideMaterial(inputs.material, inputs.algorithm);
            const m = resolveMaterial(inputs.material, materialKindFor(inputs.algorithm));
            const validTo = inputs.validTo ? new Date(inputs.validTo).toISOString() : undefined;
            const res = await importAwsMaterial({ region: inputs.region, keyId: inputs.keyId, algorithm: inputs.algorithm, material: m.material, validTo, env });
            return {
                id: res.keyArn,
                outputs: {
                    ...(validTo ? { validTo } : {}),
                    fingerprint: m.fingerprint,
                    keyArn: res.keyArn,
                    keyState: "Enabled",
                    expirationModel: validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
                    ...(res.keyMaterialId ? { keyMaterialId: res.keyMaterialId } : {}),
                    importedAt: new Date(now()).toISOString(),
                },
            };
        }
        case MATERIAL_TYPES.gcp: {
            provideMaterial(inputs.material, inputs.algorithm);
            const m = resolveMaterial(inputs.material, materialKindFor(inputs.algorithm));
            const res = await importGcpVersion({ cryptoKey: inputs.cryptoKey, material: m.material, env });
            return {
                id: inputs.cryptoKey,
                outputs: { fingerprint: m.fingerprint, version: res.version, versions: [res.version], state: "ENABLED", importJob: res.importJob, gcpAlgorithm: res.algorithm, protectionLevel: res.protectionLevel },
            };
        }
        case MATERIAL_TYPES.azure: {
            provideMaterial(inputs.material, inputs.algorithm);
            const m = resolveMaterial(inputs.material, materialKindFor(inputs.algorithm));
            const parsed = azureImportInputs.parse({ ...inputs, providerVersion: inputs.providerVersion ?? "1.0.0" });
            const res = await importAzureKey(parsed, m.material, m.privateKey, env);
            const versionlessId = `${String(inputs.vaultUrl).replace(/\/$/, "")}/keys/${inputs.keyName}`;
            return {
                id: versionlessId,
                outputs: { fingerprint: m.fingerprint, keyId: res.keyId, versionlessId, version: res.version, versions: [res.version], kty: res.kty, enabled: res.enabled, ...(res.kekId ? { kekId: res.kekId } : {}) },
            };
        }
        default:
            throw new Error(`no way to import the material of ${type}`);
    }
}

/** Seeds the emulators with `resources` and returns the matching export. */
export async function seed(emu: Pick<EmulatorSet, "env">, resources: readonly ProgramResource[], options: SeedOptions): Promise<Seeded> {
    const env = emu.env();
    const project = options.project ?? "project";
    const stack = options.stack ?? "dev";
    const stackUrn = `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
    const concurrency = options.concurrency ?? 16;
    // The key resources, created as `keyfabric emulate --seed` creates them (the settings each declares, its outputs
    // as the provider reads them back).
    const seeded = await createInEmulators(env, resources, { now: options.now, concurrency });
    const out = new Map<string, ExportedResource>();
    const record = (r: ProgramResource, id: string | undefined, inputs: Record<string, any>, outputs: Record<string, any>) =>
        out.set(r.urn, { urn: r.urn, type: r.type, custom: true, id, parent: r.parent, ...(r.protect ? { protect: true } : {}), inputs, outputs: { ...inputs, ...outputs } });
    /** The inputs as the engine records them, the mock ids replaced by the emulators'. */
    const inputsOf = (r: ProgramResource) => {
        const { __provider, ...recorded } = r.inputs;
        void __provider;
        return replaceIds(Object.fromEntries(Object.entries(recorded).filter(([, v]) => v !== undefined)), seeded.ids);
    };
    const material: ProgramResource[] = [];
    for (const r of resources.filter((x) => x.custom)) {
        const created = seeded.created.get(r.urn);
        if (created) record(r, created.id, created.inputs, created.outputs);
        else if (MATERIAL.has(r.type)) material.push(r);
        // Not created in the emulators (grants, role assignments...): the mock's id and outputs.
        else record(r, r.id, inputsOf(r), {});
    }
    // BYOK material, which no stack export holds (so seeding leaves it out): generated here and imported with the
    // providers' own import functions, into the keys just created.
    await inChunks(material, concurrency, async (r) => {
        const inputs = inputsOf(r);
        const res = await importMaterial(r.type, inputs, env, options.now);
        record(r, res.id, inputs, res.outputs);
    });

    const exportedResources: ExportedResource[] = [
        { urn: stackUrn, type: "pulumi:pulumi:Stack", custom: false, inputs: {}, outputs: {} },
        ...resources.map((r) => (r.custom ? out.get(r.urn)! : { urn: r.urn, type: r.type, custom: false, parent: r.parent, inputs: r.inputs, outputs: {} })),
    ];
    for (const r of exportedResources) {
        if (r.custom && r.outputs.__provider === undefined && r.type.startsWith("pulumi-nodejs:dynamic/")) {
            // What a dynamic resource's state holds: the serialized provider (never executed by drift detection).
            r.inputs = { __provider: "exports.handler = __f0; function __f0() { /* serialized provider */ }", ...r.inputs };
            r.outputs = { __provider: r.inputs.__provider, ...r.outputs };
        }
    }
    const exported = {
        version: 3 as const,
        deployment: {
            manifest: { time: new Date(options.now()).toISOString(), magic: crypto.randomBytes(32).toString("hex"), version: "v3.200.0" },
            secrets_providers: { type: "passphrase", state: { salt: `v1:${crypto.randomBytes(8).toString("base64")}:v1:${crypto.randomBytes(12).toString("base64")}:${crypto.randomBytes(16).toString("base64")}` } },
            resources: exportedResources,
        },
    };
    return {
        exported,
        byName(name: string) {
            const found = exportedResources.find((r) => r.urn.endsWith(`::${name}`));
            if (!found) throw new Error(`no resource named ${name}; have: ${exportedResources.map((r) => r.urn.split("::").pop()).join(", ")}`);
            return found;
        },
        write(file?: string) {
            const f = file ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kf-drift-")), "stack.json");
            fs.writeFileSync(f, JSON.stringify(exported, null, 2));
            return f;
        },
    };
}

/** The resources of a mock run, as `seed` takes them. */
export const fromMockRun = (run: MockRun): ProgramResource[] => run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, custom: r.custom, inputs: r.inputs, id: r.id, protect: r.protect }));

/** A Pulumi secret value as it appears in an export (never decrypted by drift detection). */
export const secretValue = () => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: `v1:${crypto.randomBytes(12).toString("base64")}:${crypto.randomBytes(24).toString("base64")}` });

export { fingerprint };
