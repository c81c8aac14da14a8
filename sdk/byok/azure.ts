/**
 * `AzureImportedKey`: imports customer material into a Key Vault or Managed HSM key.
 * HSM protection: a KEK (`RSA-HSM`, key_ops exactly ["import"]) is created or reused, the material is wrapped into
 * the BYOK transfer blob (CKM_RSA_AES_KEY_WRAP) and imported with `key_hsm`; software protection imports a JWK.
 * New material is a new key version; delete is a soft delete (purge protection is respected: nothing is purged).
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createAzureKeyClient } from "../clients";
import { ALGORITHMS, Algorithm, PROTECTIONS, PURPOSES } from "../spec/constants";
import { checkWithFingerprint, cloudError, isUnknown, withMaterial } from "./common";
import { byokProvider, PROVIDER_VERSION, ProviderImpl } from "./provider";
import { MaterialSource, materialSourceSchema } from "./sources";
import { azureTransferBlob, materialKindFor, rsaPublicKeyFromJwk } from "./wrap";

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
    })
    .superRefine((v, ctx) => {
        const hsmHost = /\.managedhsm\./i.test(v.vaultUrl);
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

/** Imports material into `keyName` (a new version if it exists). */
export async function importAzureKey(inputs: AzureImportInputs, material: Buffer, privateKey: crypto.KeyObject | undefined, env?: NodeJS.ProcessEnv) {
    const client = createAzureKeyClient(inputs.vaultUrl.replace(/\/$/, ""), { maxAttempts: 8, env });
    const { kty, keyOps, crv } = ktyAndOps(inputs);
    let jwk: Record<string, unknown>;
    let kekId: string | undefined;
    if (inputs.protection === "hsm") {
        const kek = await ensureKek(client, inputs.kekName ?? `${inputs.keyName}-kek`, inputs.kekSize ?? 4096);
        kekId = kek.id;
        const blob = azureTransferBlob(material, rsaPublicKeyFromJwk(kek.n, kek.e), kek.id, `keyfabric ${PROVIDER_VERSION}`);
        jwk = { kty, keyOps, ...(crv ? { crv } : {}), t: new Uint8Array(blob) };
    } else {
        jwk = softwareJwk(privateKey!, kty, keyOps, crv);
    }
    try {
        const key = await client.importKey(inputs.keyName, jwk as any, { hardwareProtected: inputs.protection === "hsm", enabled: true, tags: inputs.tags });
        return { keyId: key.id!, version: key.properties.version!, kty: String(key.keyType), enabled: key.properties.enabled !== false, kekId };
    } catch (e) {
        throw cloudError("Azure Key Vault", "ImportKey", `${inputs.vaultUrl} key ${inputs.keyName}`, e);
    } finally {
        for (const v of Object.values(jwk)) if (v instanceof Uint8Array) v.fill(0);
    }
}

/** The KEK: reused when it exists as RSA-HSM with key_ops exactly ["import"]; created otherwise. */
async function ensureKek(client: any, name: string, size: number): Promise<{ id: string; n: Uint8Array; e: Uint8Array }> {
    try {
        const existing = await client.getKey(name);
        const ops: string[] = existing.key?.keyOps ?? [];
        if (existing.keyType !== "RSA-HSM" || ops.length !== 1 || ops[0] !== "import") {
            throw new Error(`Azure Key Vault key ${name} exists but is not a KEK (RSA-HSM with key_ops exactly ["import"]); name another kekName`);
        }
        return { id: existing.id, n: existing.key.n, e: existing.key.e };
    } catch (e: any) {
        if (e?.statusCode !== 404) throw e instanceof Error && e.message.includes("is not a KEK") ? e : cloudError("Azure Key Vault", "GetKey", name, e);
    }
    try {
        const kek = await client.createKey(name, "RSA-HSM", { keySize: size, keyOps: ["import"] });
        return { id: kek.id, n: kek.key.n, e: kek.key.e };
    } catch (e) {
        throw cloudError("Azure Key Vault", "CreateKey (KEK)", name, e);
    }
}

function strip(raw: Record<string, any>): Record<string, any> {
    const { __provider, keyId, versionlessId, version, versions, kty, enabled, kekId, ...rest } = raw;
    void __provider, keyId, versionlessId, version, versions, kty, enabled, kekId;
    return rest;
}

export const azureImportedKey: ProviderImpl = {
    async check(_olds, news) {
        return checkWithFingerprint(azureImportInputs, news);
    },

    async diff(_id, olds, news) {
        const replaces = ["vaultUrl", "keyName", "algorithm", "purpose", "protection"].filter((k) => isUnknown(news[k]) || olds[k] !== news[k]);
        const updates = ["fingerprint", "material", "tags", "kekName", "kekSize", "providerVersion"].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        const drifted = olds.enabled === false;
        const diffs = [...new Set([...replaces, ...updates, ...(drifted ? ["enabled"] : [])])];
        return { changes: diffs.length > 0, replaces, diffs, deleteBeforeReplace: replaces.length > 0 };
    },

    async create(raw) {
        const inputs = azureImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), async (m) => {
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
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), async (m) => {
            if (olds.fingerprint !== m.fingerprint) {
                const r = await importAzureKey(inputs, m.material, m.privateKey);
                return { outs: { ...olds, ...inputs, fingerprint: m.fingerprint, keyId: r.keyId, version: r.version, versions: [...(olds.versions ?? []), r.version], enabled: r.enabled, ...(r.kekId ? { kekId: r.kekId } : {}) } };
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

    constructor(name: string, args: AzureImportedKeyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            byokProvider("azure.js", "azureImportedKey"),
            name,
            { ...args, providerVersion: PROVIDER_VERSION, keyId: undefined, versionlessId: undefined, version: undefined, versions: undefined, kty: undefined, enabled: undefined, kekId: undefined, fingerprint: undefined },
            opts,
            "keyfabric",
            "AzureImportedKey",
        );
    }
}
