/**
 * `AzureImportedKey`: imports customer material into a Key Vault or Managed HSM key.
 * HSM protection: a KEK (`RSA-HSM`, key_ops exactly ["import"]) is created or reused, the material is wrapped into
 * the BYOK transfer blob (CKM_RSA_AES_KEY_WRAP) and imported with `key_hsm`; software protection imports a JWK.
 * New material is a new key version; delete is a soft delete (purge protection is respected: nothing is purged).
 *
 * Creating a KEK and importing a version are not idempotent (each call makes a new version) and a lost answer does
 * not say whether the call applied, so neither is left to the SDK's retries: before the call, and after any failure,
 * the vault is read again. A version keyfabric imports carries the tag `keyfabric-fingerprint` (the fingerprint state
 * already holds: SHA-256 of the public key, or a domain-separated SHA-256 of an AES key; nothing that weakens it):
 * when the key's latest version carries this material's fingerprint it is adopted, not imported again. A KEK that
 * exists is reused (concurrent imports in one provider process wait for the same lookup or creation).
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createAzureKeyClient } from "../clients";
import { purposeMismatch, PURPOSES_FOR_ALGORITHM } from "../schema/capabilities";
import { ALGORITHMS, Algorithm, PROTECTIONS, PURPOSES } from "../schema/constants";
import { msg } from "../schema/schema";
import { fingerprint } from "../crypto/material";
import { isSealed, KeyMaterial } from "../crypto/sealed";
import { backoffMs, checkWithFingerprint, cloudError, httpStatusOf, isUnknown, schemeChanged, sleep, withMaterial } from "./common";
import { byokProvider, PROVIDER_VERSION, ProviderImpl } from "./provider";
import { MaterialSource, materialSourceSchema } from "./sources";
import { azureTransferBlob, materialKindFor, rsaPublicKeyFromJwk } from "./wrap";

/** How the BYOK transfer blob is wrapped (Key Vault's BYOK specification names SHA-1 for its RSA-OAEP). */
export const AZURE_BYOK_SCHEME = "CKM_RSA_AES_KEY_WRAP (RSA-OAEP SHA-1, AES-KWP)" as const;

const VAULT_URL = /^https:\/\/[a-z0-9-]{3,24}\.(vault\.azure\.net|managedhsm\.azure\.net|vault\.azure\.cn|vault\.usgovcloudapi\.net)\/?$/i;

export const azureImportInputs = z
    .strictObject({
        providerVersion: z.string(),
        vaultUrl: z.string().regex(VAULT_URL, { error: "is not a Key Vault or Managed HSM URL (allowed: https://<name>.vault.azure.net, https://<name>.managedhsm.azure.net)" }),
        keyName: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, { error: "is not a key name (allowed: 1-127 letters, digits, hyphens)" }),
        purpose: z.enum(PURPOSES),
        algorithm: z.enum(ALGORITHMS),
        protection: z.enum(PROTECTIONS),
        /** The KEK's name for HSM imports. @default "<keyName>-kek" */
        kekName: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/).optional(),
        kekSize: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).optional(),
        material: materialSourceSchema,
        tags: z.record(z.string(), z.string()).optional(),
        fingerprint: z.string().optional(),
        /** Set by Check for protection hsm (shown in the plan): the BYOK blob's wrapping, whose RSA-OAEP is SHA-1. */
        wrappingScheme: z.literal(AZURE_BYOK_SCHEME).optional(),
    })
    .superRefine((v, ctx) => {
        const hsmHost = /\.managedhsm\./i.test(v.vaultUrl);
        if (!PURPOSES_FOR_ALGORITHM[v.algorithm].includes(v.purpose)) {
            const m = purposeMismatch(v.algorithm, v.purpose);
            ctx.addIssue({ code: "custom", path: ["purpose"], message: msg(m.reason, m.allowed), input: v.purpose });
        }
        if (v.algorithm === "HMAC_256") ctx.addIssue({ code: "custom", path: ["algorithm"], message: "Azure Key Vault and Managed HSM have no HMAC keys", input: v.algorithm });
        if (v.algorithm === "AES_256" && !hsmHost) ctx.addIssue({ code: "custom", path: ["algorithm"], message: "AES_256 (oct-HSM) keys exist only on a Managed HSM (allowed: https://<name>.managedhsm.azure.net)", input: v.algorithm });
        if (v.algorithm === "AES_256" && v.protection !== "hsm") ctx.addIssue({ code: "custom", path: ["protection"], message: "oct-HSM keys are HSM-protected (allowed: hsm)", input: v.protection });
        if (hsmHost && v.protection !== "hsm") ctx.addIssue({ code: "custom", path: ["protection"], message: "every Managed HSM key is HSM-protected (allowed: hsm)", input: v.protection });
    });
export type AzureImportInputs = z.infer<typeof azureImportInputs>;

function ktyAndOps(inputs: AzureImportInputs): { kty: string; keyOps: string[]; crv?: string } {
    const hsm = inputs.protection === "hsm";
    const encryptOps = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];
    if (inputs.algorithm === "AES_256") return { kty: "oct-HSM", keyOps: encryptOps };
    if (inputs.algorithm.startsWith("RSA_")) return { kty: hsm ? "RSA-HSM" : "RSA", keyOps: inputs.purpose === "sign" ? ["sign", "verify"] : encryptOps };
    return { kty: hsm ? "EC-HSM" : "EC", keyOps: ["sign", "verify"], crv: inputs.algorithm === "EC_P256" ? "P-256" : "P-384" };
}

const b = (s: string | undefined) => (s === undefined ? undefined : new Uint8Array(Buffer.from(s, "base64url")));

/** A private JWK for software import (binary members as Uint8Array, as the SDK wants). */
function softwareJwk(privateKey: crypto.KeyObject, kty: string, keyOps: string[], crv?: string): Record<string, unknown> {
    const j = privateKey.export({ format: "jwk" }) as Record<string, string>;
    const jwk: Record<string, unknown> = { kty, keyOps };
    for (const k of ["n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y"]) if (j[k] !== undefined) jwk[k] = b(j[k]);
    if (crv) jwk.crv = crv;
    return jwk;
}

/** The tag on every key version keyfabric imports: the material's fingerprint (what state holds; never the material). */
export const AZURE_FINGERPRINT_TAG = "keyfabric-fingerprint";
/** The tag on the KEKs keyfabric creates. */
export const AZURE_KEK_TAG = "keyfabric-kek";

const MAX_FAILED_ATTEMPTS = 10;
const RECONCILE_BUDGET_MS = 5 * 60_000;
const MAX_RETRY_AFTER_MS = 30_000;

type Failure = "throttled" | "uncertain" | "definite";

/** 429: refused, not applied. No answer, 408 or 5xx: may have applied. Anything else: refused. */
function classify(e: unknown): Failure {
    const status = httpStatusOf(e);
    if (status === 429) return "throttled";
    if (status === undefined || status === 408 || status >= 500) return "uncertain";
    return "definite";
}

/** How long to wait after a failed attempt: the service's Retry-After (capped), else a short backoff. */
function waitAfter(e: unknown, failures: number): number {
    const header = (e as { response?: { headers?: { get(name: string): string | undefined } } })?.response?.headers?.get("retry-after");
    const seconds = header === undefined ? NaN : Number(header);
    return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : backoffMs(failures);
}

/** The latest version of `name`, or undefined when there is no such key (404). */
async function latestVersion(client: any, name: string, what: string): Promise<any | undefined> {
    // A read changes nothing: a lost answer, throttling or a 5xx is read again (bounded), never an error at once.
    for (let failures = 0; ; ) {
        try {
            return await client.getKey(name);
        } catch (e: any) {
            if (e?.statusCode === 404) return undefined;
            if (classify(e) === "definite" || ++failures >= MAX_FAILED_ATTEMPTS) throw cloudError("Azure Key Vault", "GetKey", what, e);
            await sleep(waitAfter(e, failures));
        }
    }
}

/**
 * Runs a call that is not idempotent (each one creates a key version) with `adopt` deciding, from the live state,
 * whether its effect is already there: before the first attempt, and after every failure that may have applied
 * (no answer, 5xx) or that is refused; throttling is waited out. Never repeats an applied call.
 */
async function createOnce<T>(what: { operation: string; resource: string }, adopt: () => Promise<T | undefined>, create: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + RECONCILE_BUDGET_MS;
    let failures = 0;
    for (;;) {
        const existing = await adopt();
        if (existing !== undefined) return existing;
        try {
            return await create();
        } catch (e) {
            const failure = classify(e);
            if (failure === "definite") {
                const again = await adopt();
                if (again !== undefined) return again;
                throw cloudError("Azure Key Vault", what.operation, what.resource, e);
            }
            failures++;
            if (failures >= MAX_FAILED_ATTEMPTS || Date.now() > deadline) {
                const err = cloudError("Azure Key Vault", what.operation, what.resource, e);
                err.message += ` (after ${failures} failed attempts; re-running continues from the vault's state)`;
                throw err;
            }
            await sleep(waitAfter(e, failures));
        }
    }
}

/** Imports material into `keyName` (a new version if it exists), unless its latest version is already this material. */
export async function importAzureKey(inputs: AzureImportInputs, material: KeyMaterial, privateKey: crypto.KeyObject | undefined, env?: NodeJS.ProcessEnv) {
    // A software import is a plaintext JWK: a key that stays in its token can only go in as a BYOK blob.
    if (isSealed(material) && inputs.protection !== "hsm") throw new Error(`${material.description}: Azure imports a key from a token only with protection hsm (the BYOK blob); protection software would need its plaintext (allowed: protection hsm)`);
    const vaultUrl = inputs.vaultUrl.replace(/\/$/, "");
    // Reads and idempotent updates with the SDK's retries; creating calls without (createOnce looks again instead).
    const reader = createAzureKeyClient(vaultUrl, { maxAttempts: 8, env });
    const writer = createAzureKeyClient(vaultUrl, { maxAttempts: 1, env });
    const { kty, keyOps, crv } = ktyAndOps(inputs);
    const fp = fingerprint(material, privateKey);
    const resource = `${inputs.vaultUrl} key ${inputs.keyName}`;
    let kekId: string | undefined;
    let jwk: Record<string, unknown>;
    if (inputs.protection === "hsm") {
        const kek = await ensureKek(reader, writer, vaultUrl, inputs.kekName ?? `${inputs.keyName}-kek`, inputs.kekSize ?? 4096);
        kekId = kek.id;
        const blob = azureTransferBlob(material, rsaPublicKeyFromJwk(kek.n, kek.e), kek.id, `keyfabric ${PROVIDER_VERSION}`);
        jwk = { kty, keyOps, ...(crv ? { crv } : {}), t: new Uint8Array(blob) };
        blob.fill(0);
    } else {
        jwk = softwareJwk(privateKey!, kty, keyOps, crv);
    }
    const result = (key: any) => ({ keyId: key.id as string, version: key.properties.version as string, kty: String(key.keyType), enabled: key.properties.enabled !== false, kekId });
    try {
        return await createOnce(
            { operation: "ImportKey", resource },
            async () => {
                // The key's current (latest) version already holds this material: adopt it, do not import again.
                const latest = await latestVersion(reader, inputs.keyName, resource);
                if (latest?.properties?.tags?.[AZURE_FINGERPRINT_TAG] !== fp) return undefined;
                if (latest.properties.enabled === false) {
                    await reader.updateKeyProperties(inputs.keyName, latest.properties.version, { enabled: true }).catch((e: unknown) => {
                        throw cloudError("Azure Key Vault", "UpdateKey", latest.id, e);
                    });
                    latest.properties.enabled = true;
                }
                return result(latest);
            },
            async () =>
                result(
                    await writer.importKey(inputs.keyName, jwk as any, {
                        hardwareProtected: inputs.protection === "hsm",
                        enabled: true,
                        tags: { ...(inputs.tags ?? {}), [AZURE_FINGERPRINT_TAG]: fp },
                    }),
                ),
        );
    } finally {
        for (const v of Object.values(jwk)) if (v instanceof Uint8Array) v.fill(0);
    }
}

/** KEK lookups and creations in flight in this process, per vault and name: concurrent imports share one KEK. */
const keksInFlight = new Map<string, Promise<{ id: string; n: Uint8Array; e: Uint8Array }>>();

/** The KEK: reused when it exists as RSA-HSM with key_ops exactly ["import"]; created (once) otherwise. */
function ensureKek(reader: any, writer: any, vaultUrl: string, name: string, size: number): Promise<{ id: string; n: Uint8Array; e: Uint8Array }> {
    const slot = `${vaultUrl.toLowerCase()}|${name.toLowerCase()}`;
    let p = keksInFlight.get(slot);
    if (!p) {
        p = findOrCreateKek(reader, writer, name, size).finally(() => keksInFlight.delete(slot));
        keksInFlight.set(slot, p);
    }
    return p;
}

async function findOrCreateKek(reader: any, writer: any, name: string, size: number): Promise<{ id: string; n: Uint8Array; e: Uint8Array }> {
    return createOnce(
        { operation: "CreateKey (KEK)", resource: name },
        async () => {
            const existing = await latestVersion(reader, name, name);
            if (!existing) return undefined;
            const ops: string[] = existing.key?.keyOps ?? [];
            if (existing.keyType !== "RSA-HSM" || ops.length !== 1 || ops[0] !== "import") {
                throw new Error(`Azure Key Vault key ${name} exists but is not a KEK (RSA-HSM with key_ops exactly ["import"]); name another kekName`);
            }
            return { id: existing.id, n: existing.key.n, e: existing.key.e };
        },
        async () => {
            const kek = await writer.createKey(name, "RSA-HSM", { keySize: size, keyOps: ["import"], tags: { [AZURE_KEK_TAG]: "import-only" } });
            return { id: kek.id, n: kek.key.n, e: kek.key.e };
        },
    );
}

function strip(raw: Record<string, any>): Record<string, any> {
    const { __provider, keyId, versionlessId, version, versions, kty, enabled, kekId, ...rest } = raw;
    void __provider, keyId, versionlessId, version, versions, kty, enabled, kekId;
    return rest;
}

/**
 * A replacement that keeps the vault and the key name cannot work in Key Vault: the old key is soft-deleted first and its
 * name stays taken (409 Conflict, "currently in a deleted but recoverable state") for the vault's retention period, and
 * purge protection forbids purging it. So a change of algorithm, purpose or protection needs a new keyName: refused here,
 * at preview, instead of failing half-way through `pulumi up` with the old key already deleted.
 */
function sameNameReplacements(olds: Record<string, any> | undefined, inputs: AzureImportInputs): { property: string; reason: string }[] {
    if (!olds || olds.keyName === undefined || olds.keyName !== inputs.keyName || olds.vaultUrl !== inputs.vaultUrl) return [];
    return (["algorithm", "purpose", "protection"] as const)
        .filter((k) => olds[k] !== undefined && olds[k] !== inputs[k])
        .map((k) => ({
            property: k,
            reason: `${k}: changing it replaces Azure key ${inputs.keyName}, and Key Vault keeps a deleted key's name reserved for its soft-delete retention (7-90 days; purge protection forbids purging): give the key a new keyName as well (allowed: ${JSON.stringify(olds[k])} with keyName ${JSON.stringify(inputs.keyName)}, or a new keyName, got: ${JSON.stringify(inputs[k])})`,
        }));
}

export const azureImportedKey: ProviderImpl = {
    async check(olds, news) {
        return checkWithFingerprint(azureImportInputs, news, (inputs, failures) => {
            if ("pkcs11" in inputs.material && inputs.protection !== "hsm") failures.push({ property: "protection", reason: `protection: a key in a PKCS#11 token is imported only with protection hsm (the BYOK blob); software would need its plaintext (allowed: hsm, got: ${JSON.stringify(inputs.protection)})` });
            failures.push(...sameNameReplacements(olds, inputs));
            const { wrappingScheme, ...rest } = inputs;
            void wrappingScheme;
            return inputs.protection === "hsm" ? { ...rest, wrappingScheme: AZURE_BYOK_SCHEME } : rest;
        });
    },

    async diff(_id, olds, news) {
        const replaces = ["vaultUrl", "keyName", "algorithm", "purpose", "protection"].filter((k) => isUnknown(news[k]) || olds[k] !== news[k]);
        const updates = ["fingerprint", "material", "tags", "kekName", "kekSize", "providerVersion"].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        if (schemeChanged(olds, news, "wrappingScheme")) updates.push("wrappingScheme");
        const drifted = olds.enabled === false;
        const diffs = [...new Set([...replaces, ...updates, ...(drifted ? ["enabled"] : [])])];
        return { changes: diffs.length > 0, replaces, diffs, deleteBeforeReplace: replaces.length > 0 };
    },

    async create(raw) {
        const inputs = azureImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), { purpose: inputs.purpose }, async (m) => {
            const r = await importAzureKey(inputs, m.material, m.privateKey);
            const versionlessId = `${inputs.vaultUrl.replace(/\/$/, "")}/keys/${inputs.keyName}`;
            return { id: versionlessId, outs: { ...inputs, fingerprint: m.fingerprint, keyId: r.keyId, versionlessId, version: r.version, versions: [r.version], kty: r.kty, enabled: r.enabled, ...(r.kekId ? { kekId: r.kekId } : {}) } };
        });
    },

    async read(id, props) {
        const client = createAzureKeyClient(props.vaultUrl.replace(/\/$/, ""), { maxAttempts: 8 });
        try {
            const key = await client.getKey(props.keyName, { version: props.version });
            const live = { ...props, enabled: key.properties.enabled !== false };
            return { id, props: live, inputs: strip(live) };
        } catch (e: any) {
            if (e?.statusCode === 404) return {};
            throw cloudError("Azure Key Vault", "GetKey", id, e);
        }
    },

    async update(_id, olds, raw) {
        const inputs = azureImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), { purpose: inputs.purpose }, async (m) => {
            if (olds.fingerprint !== m.fingerprint) {
                const r = await importAzureKey(inputs, m.material, m.privateKey);
                return { outs: { ...olds, ...inputs, fingerprint: m.fingerprint, keyId: r.keyId, version: r.version, versions: [...new Set([...(olds.versions ?? []), r.version])], enabled: r.enabled, ...(r.kekId ? { kekId: r.kekId } : {}) } };
            }
            if (olds.enabled === false) {
                const client = createAzureKeyClient(inputs.vaultUrl.replace(/\/$/, ""), { maxAttempts: 8 });
                await client.updateKeyProperties(inputs.keyName, olds.version, { enabled: true }).catch((e) => {
                    throw cloudError("Azure Key Vault", "UpdateKey", olds.keyId, e);
                });
            }
            return { outs: { ...olds, ...inputs, fingerprint: m.fingerprint, enabled: true } };
        });
    },

    async delete(_id, props) {
        const client = createAzureKeyClient(props.vaultUrl.replace(/\/$/, ""), { maxAttempts: 8 });
        try {
            const poller = await client.beginDeleteKey(props.keyName);
            await poller.pollUntilDone();
        } catch (e: any) {
            if (e?.statusCode !== 404) throw cloudError("Azure Key Vault", "DeleteKey", props.keyId ?? props.keyName, e);
        }
    },
};

export interface AzureImportedKeyArgs {
    /** `https://<vault>.vault.azure.net` or `https://<hsm>.managedhsm.azure.net`. */
    readonly vaultUrl: pulumi.Input<string>;
    readonly keyName: pulumi.Input<string>;
    readonly purpose: (typeof PURPOSES)[number];
    readonly algorithm: Algorithm;
    /** `hsm`: BYOK transfer blob under a KEK; `software`: JWK import. */
    readonly protection: (typeof PROTECTIONS)[number];
    readonly material: MaterialSource;
    /** @default "<keyName>-kek" */
    readonly kekName?: pulumi.Input<string>;
    /** @default 4096 */
    readonly kekSize?: 2048 | 3072 | 4096;
    readonly tags?: pulumi.Input<Record<string, string>>;
}

export class AzureImportedKey extends pulumi.dynamic.Resource {
    /** The versioned key id of the current version. */
    declare readonly keyId: pulumi.Output<string>;
    declare readonly versionlessId: pulumi.Output<string>;
    declare readonly version: pulumi.Output<string>;
    declare readonly enabled: pulumi.Output<boolean>;
    declare readonly fingerprint: pulumi.Output<string>;
    /** For protection hsm: how the BYOK blob is wrapped. */
    declare readonly wrappingScheme: pulumi.Output<string | undefined>;

    constructor(name: string, args: AzureImportedKeyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            byokProvider("azure.js", "azureImportedKey"),
            name,
            { ...args, providerVersion: PROVIDER_VERSION, keyId: undefined, versionlessId: undefined, version: undefined, versions: undefined, kty: undefined, enabled: undefined, kekId: undefined, fingerprint: undefined, wrappingScheme: undefined },
            opts,
            "keyfabric",
            "AzureImportedKey",
        );
    }
}
