/**
 * `GcpImportedKeyVersion`: imports customer material as a new version of an import-only Cloud KMS key.
 * Finds or creates an ACTIVE import job (the key's protection level), wraps locally, ImportCryptoKeyVersion, waits
 * for ENABLED (IMPORT_FAILED is an error with Google's reason) and makes it primary for symmetric keys.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createGcpKmsClient } from "../clients";
import { ALGORITHMS, Algorithm } from "../schema/constants";
import { shortHash } from "../schema/names";
import { checkWithFingerprint, cloudError, isUnknown, poll, schemeChanged, withMaterial } from "./common";
import { byokProvider, PROVIDER_VERSION, ProviderImpl } from "./provider";
import { MaterialSource, materialSourceSchema } from "./sources";
import type { KeyMaterial } from "../crypto/sealed";
import { sha1SchemeWarning, tokenSchemeProblem } from "./pkcs11/scheme";
import { DEFAULT_GCP_IMPORT_METHOD, defaultGcpImportMethodFor, GCP_IMPORT_METHODS, GcpImportMethod, materialKindFor, wrapForGcp } from "./wrap";

const CRYPTO_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[a-zA-Z0-9_-]{1,63}$/;

export const gcpImportInputs = z.strictObject({
    providerVersion: z.string(),
    cryptoKey: z.string().refine((v) => v === "04da6b54-80e4-46f7-96ec-b56ff0331ba9" || CRYPTO_KEY.test(v), {
        error: "cryptoKey: is not a crypto key name (allowed: projects/P/locations/L/keyRings/R/cryptoKeys/K)",
    }),
    algorithm: z.enum(ALGORITHMS),
    importMethod: z.enum(Object.keys(GCP_IMPORT_METHODS) as [GcpImportMethod, ...GcpImportMethod[]]).optional(),
    material: materialSourceSchema,
    fingerprint: z.string().optional(),
});
export type GcpImportInputs = z.infer<typeof gcpImportInputs>;

/** Retries for calls that the service refuses before applying (throttling), or that are safe to repeat. */
function callOptions(idempotent: boolean) {
    const gax = require("google-gax") as typeof import("google-gax");
    const codes = idempotent ? [gax.Status.RESOURCE_EXHAUSTED, gax.Status.UNAVAILABLE] : [gax.Status.RESOURCE_EXHAUSTED];
    return { retry: gax.createRetryOptions(codes, gax.createBackoffSettings(100, 2, 5000, 60_000, 1, 60_000, 300_000)) };
}

const keyRingOf = (cryptoKey: string) => cryptoKey.replace(/\/cryptoKeys\/[^/]+$/, "");

/** Imports material as a new version; returns the version once ENABLED. */
export async function importGcpVersion(args: {
    cryptoKey: string;
    material: KeyMaterial;
    importMethod?: GcpImportMethod;
    /** Re-import into this (DESTROYED or IMPORT_FAILED) version instead of a new one. */
    intoVersion?: string;
    env?: NodeJS.ProcessEnv;
}): Promise<{ version: string; importJob: string; algorithm: string; protectionLevel: string; primary: boolean }> {
    const client = createGcpKmsClient({ env: args.env });
    const method = args.importMethod ?? defaultGcpImportMethodFor(args.material);
    try {
        const [key] = await client.getCryptoKey({ name: args.cryptoKey }, callOptions(true)).catch((e) => {
            throw cloudError("Cloud KMS", "GetCryptoKey", args.cryptoKey, e);
        });
        const protectionLevel = String(key.versionTemplate?.protectionLevel ?? "SOFTWARE");
        const algorithm = String(key.versionTemplate?.algorithm);
        const job = await activeImportJob(client, keyRingOf(args.cryptoKey), method, protectionLevel);
        const wrapped = wrapForGcp(args.material, job.pem, method);
        let version;
        try {
            version = await importOnce(client, args, algorithm, job.name, wrapped);
        } finally {
            wrapped.fill(0);
        }
        const name = version.name!;
        const done = await poll(`${name} to leave PENDING_IMPORT`, async () => {
            const [v] = await client.getCryptoKeyVersion({ name }, callOptions(true)).catch((e) => {
                throw cloudError("Cloud KMS", "GetCryptoKeyVersion", name, e);
            });
            return String(v.state) === "PENDING_IMPORT" ? undefined : v;
        });
        if (String(done.state) !== "ENABLED") {
            throw new Error(`Cloud KMS import into ${args.cryptoKey} failed: version ${name} is ${done.state}: ${done.importFailureReason ?? "no reason given"}`);
        }
        const symmetric = String(key.purpose) === "ENCRYPT_DECRYPT";
        if (symmetric) {
            await client.updateCryptoKeyPrimaryVersion({ name: args.cryptoKey, cryptoKeyVersionId: name.split("/").pop()! }, callOptions(true)).catch((e) => {
                throw cloudError("Cloud KMS", "UpdateCryptoKeyPrimaryVersion", args.cryptoKey, e);
            });
        }
        return { version: name, importJob: job.name, algorithm, protectionLevel, primary: symmetric };
    } finally {
        await client.close();
    }
}

/**
 * ImportCryptoKeyVersion is not idempotent: after UNAVAILABLE or DEADLINE_EXCEEDED the import may or may not have
 * happened. Before trying again, look for a version this import created (same job, not there before) and adopt it,
 * so an import is never duplicated.
 */
async function importOnce(client: any, args: { cryptoKey: string; intoVersion?: string }, algorithm: string, importJob: string, wrapped: Buffer) {
    const listVersions = async (): Promise<any[]> => {
        const [versions] = await client.listCryptoKeyVersions({ parent: args.cryptoKey }, callOptions(true)).catch((e: unknown) => {
            throw cloudError("Cloud KMS", "ListCryptoKeyVersions", args.cryptoKey, e);
        });
        return versions;
    };
    const before = new Set((await listVersions()).map((v) => v.name));
    for (let attempt = 1; ; attempt++) {
        try {
            const [version] = await client.importCryptoKeyVersion(
                { parent: args.cryptoKey, algorithm, importJob, wrappedKey: wrapped, ...(args.intoVersion ? { cryptoKeyVersion: args.intoVersion } : {}) },
                callOptions(false),
            );
            return version;
        } catch (e: any) {
            const uncertain = e?.code === 14 || e?.code === 4; // UNAVAILABLE, DEADLINE_EXCEEDED
            if (!uncertain || attempt >= 5) throw cloudError("Cloud KMS", "ImportCryptoKeyVersion", args.cryptoKey, e);
            const created = (await listVersions()).find((v) => v.importJob === importJob && (args.intoVersion ? v.name === args.intoVersion && String(v.state) !== "DESTROYED" : !before.has(v.name)));
            if (created) return created;
            await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        }
    }
}

/**
 * An ACTIVE job of this method and protection level in the key ring, reused, else a new one (jobs expire after 3 days).
 * A job is usable once ACTIVE: Cloud KMS generates its wrapping key first (PENDING_GENERATION, resources.proto
 * ImportJobState; HSM jobs take a while), so a new or still-generating job is polled until then.
 */
async function activeImportJob(client: any, keyRing: string, method: GcpImportMethod, protectionLevel: string): Promise<{ name: string; pem: string }> {
    const [jobs] = await client.listImportJobs({ parent: keyRing }, callOptions(true)).catch((e: unknown) => {
        throw cloudError("Cloud KMS", "ListImportJobs", keyRing, e);
    });
    const ours = (jobs as any[]).filter((j) => String(j.importMethod) === method && String(j.protectionLevel) === protectionLevel && j.name.includes("/importJobs/keyfabric-"));
    const usable = ours.find((j) => String(j.state) === "ACTIVE" && j.publicKey?.pem);
    if (usable) return { name: usable.name, pem: usable.publicKey.pem };
    // A job still generating its wrapping key (HSM jobs start PENDING_GENERATION) is waited for, not duplicated.
    const generating = ours.find((j) => String(j.state) === "PENDING_GENERATION");
    const importJobId = `keyfabric-${shortHash(method, protectionLevel)}-${Date.now().toString(36)}`;
    const name: string = generating?.name ?? `${keyRing}/importJobs/${importJobId}`;
    // Not idempotent either: after an uncertain failure, the job may exist; ALREADY_EXISTS means it does.
    let created: { name: string } | undefined = generating;
    for (let attempt = 1; !created; attempt++) {
        try {
            [created] = await client.createImportJob({ parent: keyRing, importJobId, importJob: { importMethod: method, protectionLevel } }, callOptions(false));
        } catch (e: any) {
            const uncertain = e?.code === 14 || e?.code === 4;
            if (e?.code === 6 || uncertain) {
                const existing = await client.getImportJob({ name }, callOptions(true)).then(([j]: any[]) => j, () => undefined);
                if (existing) created = existing;
                else if (!uncertain || attempt >= 5) throw cloudError("Cloud KMS", "CreateImportJob", keyRing, e);
            } else {
                throw cloudError("Cloud KMS", "CreateImportJob", keyRing, e);
            }
        }
    }
    return poll(`import job ${name} to become ACTIVE`, async () => {
        const [j] = await client.getImportJob({ name }, callOptions(true)).catch((e: unknown) => {
            throw cloudError("Cloud KMS", "GetImportJob", name, e);
        });
        if (String(j.state) === "EXPIRED") throw new Error(`Cloud KMS import job ${name} expired before it could be used`);
        return String(j.state) === "ACTIVE" && j.publicKey?.pem ? { name: j.name, pem: j.publicKey.pem } : undefined;
    });
}

async function versionState(name: string): Promise<any | undefined> {
    const client = createGcpKmsClient();
    try {
        const [v] = await client.getCryptoKeyVersion({ name }, callOptions(true));
        return v;
    } catch (e: any) {
        if (e?.code === 5) return undefined;
        throw cloudError("Cloud KMS", "GetCryptoKeyVersion", name, e);
    } finally {
        await client.close();
    }
}

function strip(raw: Record<string, any>): Record<string, any> {
    const { __provider, version, versions, state, importJob, gcpAlgorithm, protectionLevel, ...rest } = raw;
    void __provider, version, versions, state, importJob, gcpAlgorithm, protectionLevel;
    return rest;
}

export const gcpImportedKeyVersion: ProviderImpl = {
    async check(_olds, news) {
        // The import method, when not given, is chosen from the material (SHA-1 for a token whose RSA-OAEP is SHA-1
        // only) and becomes an input, so the plan shows it; a given one the token cannot do is refused here.
        return checkWithFingerprint(gcpImportInputs, news, undefined, (inputs, material, failures) => {
            const target = isUnknown(inputs.cryptoKey) ? "Cloud KMS import (into a key not created yet)" : `Cloud KMS key ${inputs.cryptoKey}`;
            if (inputs.importMethod) {
                const problem = tokenSchemeProblem(material, inputs.importMethod, GCP_IMPORT_METHODS[inputs.importMethod].hash);
                if (problem) {
                    const sha1 = Object.keys(GCP_IMPORT_METHODS).filter((m) => m.includes("_SHA1_"));
                    failures.push({ property: "importMethod", reason: `importMethod: ${problem} (allowed: ${sha1.join(", ")}, got: ${JSON.stringify(inputs.importMethod)})` });
                }
                const none: Record<string, string> = {};
                return { inputs: none };
            }
            const importMethod = defaultGcpImportMethodFor(material);
            const warning = sha1SchemeWarning(material, target, importMethod, DEFAULT_GCP_IMPORT_METHOD);
            return { inputs: { importMethod }, ...(warning ? { warning } : {}) };
        });
    },

    async diff(_id, olds, news) {
        const replaces = ["cryptoKey", "algorithm"].filter((k) => isUnknown(news[k]) || olds[k] !== news[k]);
        const updates = ["fingerprint", "material", "providerVersion"].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        // Check fills in the method it chose: a state from before that has none, and is no change.
        if (schemeChanged(olds, news, "importMethod")) updates.push("importMethod");
        const drifted = olds.state !== undefined && olds.state !== "ENABLED";
        const diffs = [...new Set([...replaces, ...updates, ...(drifted ? ["state"] : [])])];
        return { changes: diffs.length > 0, replaces, diffs, deleteBeforeReplace: false };
    },

    async create(raw) {
        const inputs = gcpImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), async (m) => {
            const r = await importGcpVersion({ cryptoKey: inputs.cryptoKey, material: m.material, importMethod: inputs.importMethod });
            return {
                id: inputs.cryptoKey,
                outs: { ...inputs, fingerprint: m.fingerprint, version: r.version, versions: [r.version], state: "ENABLED", importJob: r.importJob, gcpAlgorithm: r.algorithm, protectionLevel: r.protectionLevel },
            };
        });
    },

    async read(id, props) {
        const v = props.version ? await versionState(props.version) : undefined;
        if (!v) return {};
        const state = String(v.state);
        const hasMaterial = state === "ENABLED" || state === "DISABLED";
        const live = { ...props, state, fingerprint: hasMaterial ? props.fingerprint : "none" };
        return { id, props: live, inputs: strip(live) };
    },

    async update(_id, olds, raw) {
        const inputs = gcpImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), async (m) => {
            const base = { ...inputs, fingerprint: m.fingerprint };
            const rotated = olds.fingerprint !== "none" && olds.fingerprint !== m.fingerprint;
            if (rotated) {
                // New material is a new version (rotation); earlier versions stay for decryption.
                const r = await importGcpVersion({ cryptoKey: inputs.cryptoKey, material: m.material, importMethod: inputs.importMethod });
                return { outs: { ...olds, ...base, version: r.version, versions: [...(olds.versions ?? []), r.version], state: "ENABLED", importJob: r.importJob } };
            }
            // Same material: repair drift (re-enable, restore, or re-import into the destroyed version).
            const client = createGcpKmsClient();
            try {
                const name: string = olds.version;
                let v = await versionState(name);
                let state = v ? String(v.state) : "NOT_FOUND";
                if (state === "DESTROY_SCHEDULED") {
                    await client.restoreCryptoKeyVersion({ name }, callOptions(true)).catch((e) => {
                        throw cloudError("Cloud KMS", "RestoreCryptoKeyVersion", name, e);
                    });
                    state = "DISABLED";
                }
                if (state === "DISABLED") {
                    await client.updateCryptoKeyVersion({ cryptoKeyVersion: { name, state: "ENABLED" }, updateMask: { paths: ["state"] } }, callOptions(true)).catch((e) => {
                        throw cloudError("Cloud KMS", "UpdateCryptoKeyVersion", name, e);
                    });
                    state = "ENABLED";
                }
                if (state === "DESTROYED" || state === "IMPORT_FAILED" || state === "NOT_FOUND") {
                    const r = await importGcpVersion({ cryptoKey: inputs.cryptoKey, material: m.material, importMethod: inputs.importMethod, ...(v ? { intoVersion: name } : {}) });
                    v = undefined;
                    return { outs: { ...olds, ...base, version: r.version, versions: [...new Set([...(olds.versions ?? []), r.version])], state: "ENABLED", importJob: r.importJob } };
                }
                return { outs: { ...olds, ...base, state } };
            } finally {
                await client.close();
            }
        });
    },

    async delete(_id, props) {
        const client = createGcpKmsClient();
        try {
            for (const name of (props.versions ?? [props.version]) as string[]) {
                const v = await versionState(name);
                const state = v ? String(v.state) : "NOT_FOUND";
                if (state !== "ENABLED" && state !== "DISABLED") continue; // already destroyed, scheduled or gone
                await client.destroyCryptoKeyVersion({ name }, callOptions(true)).catch((e) => {
                    throw cloudError("Cloud KMS", "DestroyCryptoKeyVersion", name, e);
                });
            }
        } finally {
            await client.close();
        }
    },
};

export interface GcpImportedKeyVersionArgs {
    /** The import-only crypto key (`projects/P/locations/L/keyRings/R/cryptoKeys/K`). */
    readonly cryptoKey: pulumi.Input<string>;
    readonly algorithm: Algorithm;
    readonly material: MaterialSource;
    /**
     * @default "RSA_OAEP_4096_SHA256_AES_256"; "RSA_OAEP_4096_SHA1_AES_256" for a key in a token whose RSA-OAEP is SHA-1
     * only (chosen by Check, shown in the plan)
     */
    readonly importMethod?: GcpImportMethod;
}

export class GcpImportedKeyVersion extends pulumi.dynamic.Resource {
    /** The current imported version's name. */
    declare readonly version: pulumi.Output<string>;
    declare readonly versions: pulumi.Output<string[]>;
    declare readonly state: pulumi.Output<string>;
    declare readonly importJob: pulumi.Output<string>;
    declare readonly fingerprint: pulumi.Output<string>;
    /** The import method: the one given, else the one Check chose for the material. */
    declare readonly importMethod: pulumi.Output<string>;

    constructor(name: string, args: GcpImportedKeyVersionArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            byokProvider("gcp.js", "gcpImportedKeyVersion"),
            name,
            { ...args, importMethod: args.importMethod, providerVersion: PROVIDER_VERSION, version: undefined, versions: undefined, state: undefined, importJob: undefined, gcpAlgorithm: undefined, protectionLevel: undefined, fingerprint: undefined },
            opts,
            "keyfabric",
            "GcpImportedKeyVersion",
        );
    }
}
