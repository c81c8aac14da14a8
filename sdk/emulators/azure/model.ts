/**
 * The state of the Azure emulator: vaults and Managed HSMs with their keys, deleted keys and rotation policies,
 * plus the ARM properties of vaults; how it is rendered on the wire (KeyBundle, KeyItem), inspected (no material)
 * and snapshotted (with material: test-only state of the emulator itself).
 */
import { fingerprint } from "../../crypto/material";
import { exportMaterial, importMaterial, materialSize, publicJwkMembers, type AzureCurve, type Material } from "./crypto";
import { azureHost, type VaultKind } from "./protocol";

export type { VaultKind };
export type Kty = "RSA" | "RSA-HSM" | "EC" | "EC-HSM" | "oct-HSM";
/** How a version came to be. */
export type KeyOrigin = "generated" | "imported" | "byok" | "rotated";

export const DEFAULT_RETENTION_DAYS = 90;

export interface ReleasePolicy {
    readonly contentType?: string;
    readonly immutable?: boolean;
    readonly data?: string;
}

export interface KeyVersion {
    readonly version: string;
    readonly kty: Kty;
    keyOps: string[];
    readonly crv?: AzureCurve;
    readonly material: Material;
    readonly fingerprint: string;
    readonly origin: KeyOrigin;
    enabled: boolean;
    /** Epoch seconds. */
    nbf?: number;
    exp?: number;
    exportable?: boolean;
    readonly created: number;
    updated: number;
    tags?: Record<string, string>;
    releasePolicy?: ReleasePolicy;
}

export interface LifetimeAction {
    readonly trigger: { readonly timeAfterCreate?: string; readonly timeBeforeExpiry?: string };
    readonly action: { readonly type: "Rotate" | "Notify" };
}

export interface RotationPolicy {
    readonly lifetimeActions: LifetimeAction[];
    readonly expiryTime?: string;
    readonly created: number;
    readonly updated: number;
}

export interface KeyRecord {
    /** As first created (lookups are case-insensitive, as in Key Vault). */
    readonly name: string;
    /** Recovering: the key answers 404 until then (epoch ms; see `asyncStates`). Not snapshotted. */
    visibleAt?: number;
    /** Oldest first; the last one is the current version. */
    readonly versions: KeyVersion[];
    rotationPolicy?: RotationPolicy;
}

export interface DeletedKeyRecord {
    readonly key: KeyRecord;
    readonly deletedDate: number;
    readonly scheduledPurgeDate: number;
    /** Being deleted: GetDeletedKey answers 404 until then (epoch ms; see `asyncStates`). Not snapshotted. */
    visibleAt?: number;
}

export interface NetworkAcls {
    readonly defaultAction: "Allow" | "Deny";
    readonly bypass: "AzureServices" | "None";
    readonly ipRules: { readonly value: string }[];
    readonly virtualNetworkRules: { readonly id: string; readonly ignoreMissingVnetServiceEndpoint?: boolean }[];
}

/** ARM `Microsoft.KeyVault/vaults` properties as stored (the wire shape). */
export interface ArmVaultProperties {
    readonly tenantId: string;
    readonly sku: { readonly family: string; readonly name: "standard" | "premium" };
    readonly accessPolicies: unknown[];
    readonly enabledForDeployment: boolean;
    readonly enabledForDiskEncryption: boolean;
    readonly enabledForTemplateDeployment: boolean;
    readonly enableSoftDelete: boolean;
    readonly softDeleteRetentionInDays: number;
    readonly enableRbacAuthorization: boolean;
    readonly enablePurgeProtection?: boolean;
    readonly networkAcls?: NetworkAcls;
    readonly publicNetworkAccess: string;
}

export interface ArmRecord {
    readonly subscriptionId: string;
    readonly resourceGroup: string;
    readonly location: string;
    tags?: Record<string, string>;
    properties: ArmVaultProperties;
    /** Epoch milliseconds. */
    readonly createdAt: number;
    updatedAt: number;
}

export interface VaultRecord {
    readonly kind: VaultKind;
    readonly name: string;
    readonly keys: Map<string, KeyRecord>;
    readonly deleted: Map<string, DeletedKeyRecord>;
    arm?: ArmRecord;
}

/** DNS names are case-insensitive; Azure writes them in lower case. */
export function vaultHost(v: { kind: VaultKind; name: string }): string {
    return azureHost(v.kind, v.name);
}

/** The Azure origin of a vault or HSM, `https://<host>`: ids in inspections and snapshots. */
export const azureOrigin = (v: { kind: VaultKind; name: string }) => `https://${vaultHost(v)}`;

/** What the data plane enforces: the ARM settings when the vault was made through ARM, else Premium defaults. */
export interface VaultSettings {
    readonly sku: "standard" | "premium";
    /** Off only for a vault created through ARM with `enableSoftDelete: false`: deleted keys are gone at once. */
    readonly softDelete: boolean;
    readonly retentionDays: number;
    readonly purgeProtection: boolean;
}

export function settingsOf(v: VaultRecord): VaultSettings {
    const p = v.arm?.properties;
    return {
        sku: v.kind === "managedHsm" ? "premium" : (p?.sku.name ?? "premium"),
        softDelete: p?.enableSoftDelete !== false,
        retentionDays: p?.softDeleteRetentionInDays ?? DEFAULT_RETENTION_DAYS,
        purgeProtection: p?.enablePurgeProtection === true,
    };
}

export function recoveryLevel(s: VaultSettings): string {
    if (!s.softDelete) return "Purgeable";
    const base = s.retentionDays === DEFAULT_RETENTION_DAYS ? "Recoverable" : "CustomizedRecoverable";
    return s.purgeProtection ? base : `${base}+Purgeable`;
}

export const lower = (s: string) => s.toLowerCase();

// ---------------------------------------------------------------------------------------------------------------
// Wire shapes

/** `origin`: `https://<vault>.vault.azure.net`, or the emulator address the request came to (`http://127.0.0.1:P`). */
export function keyId(origin: string, name: string, version?: string): string {
    return `${origin}/keys/${name}${version ? `/${version}` : ""}`;
}

/** How an answer is written: the origin its ids name, and the api-version the client asked for. */
export interface Wire {
    readonly origin: string;
    readonly apiVersion: string;
}

/** `attributes.exportable` is in answers from api-version 7.4 on (recorded: absent at 7.3, present at 7.4-preview.1). */
export function hasExportable(apiVersion: string): boolean {
    if (/^\d{4}-\d{2}-\d{2}/.test(apiVersion)) return true;
    const m = /^(\d+)\.(\d+)/.exec(apiVersion);
    return m !== null && (Number(m[1]) > 7 || (Number(m[1]) === 7 && Number(m[2]) >= 4));
}

function attributes(v: KeyVersion, s: VaultSettings, apiVersion: string): Record<string, unknown> {
    return {
        enabled: v.enabled,
        ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
        ...(v.exp !== undefined ? { exp: v.exp } : {}),
        created: v.created,
        updated: v.updated,
        ...(s.softDelete ? { recoverableDays: s.retentionDays } : {}),
        recoveryLevel: recoveryLevel(s),
        // Key Vault sends `exportable: false` for every key that is not exportable.
        ...(hasExportable(apiVersion) ? { exportable: v.exportable ?? false } : {}),
    };
}

/** The public JWK members as Key Vault writes them: an RSA-HSM key's exponent 65537 in four bytes (`AAEAAQ`). */
function publicMembers(v: KeyVersion): Record<string, string> {
    const m = publicJwkMembers(v.material);
    return v.kty === "RSA-HSM" && m.e === "AQAB" ? { ...m, e: "AAEAAQ" } : m;
}

/** KeyBundle: the public JWK only. */
export function keyBundle(wire: Wire, vault: VaultRecord, key: KeyRecord, v: KeyVersion): Record<string, unknown> {
    return {
        key: { kid: keyId(wire.origin, key.name, v.version), kty: v.kty, key_ops: [...v.keyOps], ...publicMembers(v) },
        attributes: attributes(v, settingsOf(vault), wire.apiVersion),
        ...(v.tags ? { tags: { ...v.tags } } : {}),
        ...(v.releasePolicy ? { release_policy: { ...v.releasePolicy } } : {}),
    };
}

export function keyItem(wire: Wire, vault: VaultRecord, key: KeyRecord, v: KeyVersion, versioned: boolean): Record<string, unknown> {
    return {
        kid: keyId(wire.origin, key.name, versioned ? v.version : undefined),
        attributes: attributes(v, settingsOf(vault), wire.apiVersion),
        ...(v.tags ? { tags: { ...v.tags } } : {}),
    };
}

export function deletedInfo(origin: string, d: DeletedKeyRecord): Record<string, unknown> {
    return { recoveryId: `${origin}/deletedkeys/${d.key.name}`, deletedDate: d.deletedDate, scheduledPurgeDate: d.scheduledPurgeDate };
}

export function rotationPolicyBody(origin: string, key: KeyRecord): Record<string, unknown> {
    const id = `${keyId(origin, key.name)}/rotationpolicy`;
    const p = key.rotationPolicy;
    // Key Vault's answer for a key without a policy.
    if (!p) return { id, lifetimeActions: [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }], attributes: {} };
    return {
        id,
        lifetimeActions: p.lifetimeActions.map((a) => ({ trigger: { ...a.trigger }, action: { ...a.action } })),
        attributes: { ...(p.expiryTime ? { expiryTime: p.expiryTime } : {}), created: p.created, updated: p.updated },
    };
}

export function armVaultBody(vault: VaultRecord): Record<string, unknown> {
    const arm = vault.arm!;
    return {
        id: `/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`,
        name: vault.name,
        type: "Microsoft.KeyVault/vaults",
        location: arm.location,
        ...(arm.tags ? { tags: { ...arm.tags } } : {}),
        systemData: { createdAt: new Date(arm.createdAt).toISOString(), lastModifiedAt: new Date(arm.updatedAt).toISOString() },
        properties: {
            ...structuredClone(arm.properties),
            vaultUri: `https://${vaultHost(vault)}/`,
            provisioningState: "Succeeded",
        },
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Inspection (never material)

export interface AzureKeyVersionInspection {
    readonly version: string;
    readonly kid: string;
    readonly kty: Kty;
    readonly keySize?: number;
    readonly crv?: AzureCurve;
    readonly keyOps: string[];
    readonly origin: KeyOrigin;
    /** `sha256-spki:…` for RSA/EC, `sha256:…` (domain-separated) for oct: never the material. */
    readonly fingerprint: string;
    readonly attributes: { enabled: boolean; nbf?: number; exp?: number; exportable?: boolean; created: number; updated: number };
    readonly tags?: Record<string, string>;
}

export interface AzureKeyInspection {
    readonly name: string;
    readonly kid: string;
    readonly versions: AzureKeyVersionInspection[];
    readonly rotationPolicy?: { lifetimeActions: LifetimeAction[]; expiryTime?: string; created: number; updated: number };
}

export interface AzureDeletedKeyInspection extends AzureKeyInspection {
    readonly recoveryId: string;
    readonly deletedDate: number;
    readonly scheduledPurgeDate: number;
}

export interface AzureVaultInspection {
    readonly kind: VaultKind;
    readonly name: string;
    readonly host: string;
    readonly settings: VaultSettings;
    readonly keys: AzureKeyInspection[];
    readonly deletedKeys: AzureDeletedKeyInspection[];
    /** Present when the vault was created or updated through ARM. */
    readonly arm?: { id: string; subscriptionId: string; resourceGroup: string; location: string; tags?: Record<string, string>; properties: ArmVaultProperties };
}

export interface AzureInspection {
    readonly tenantId: string;
    readonly subscriptionId: string;
    /** Vaults and Managed HSMs, sorted by host. */
    readonly vaults: AzureVaultInspection[];
    /** Data-plane requests answered with the 401 bearer challenge (no state change, not in `calls`). */
    readonly challenges: { total: number; byHost: Record<string, number> };
}

function inspectKey(vault: VaultRecord, key: KeyRecord): AzureKeyInspection {
    const host = azureOrigin(vault);
    return {
        name: key.name,
        kid: keyId(host, key.name),
        versions: key.versions.map((v) => ({
            version: v.version,
            kid: keyId(host, key.name, v.version),
            kty: v.kty,
            ...(materialSize(v.material) !== undefined ? { keySize: materialSize(v.material) } : {}),
            ...(v.crv ? { crv: v.crv } : {}),
            keyOps: [...v.keyOps],
            origin: v.origin,
            fingerprint: v.fingerprint,
            attributes: {
                enabled: v.enabled,
                ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
                ...(v.exp !== undefined ? { exp: v.exp } : {}),
                ...(v.exportable !== undefined ? { exportable: v.exportable } : {}),
                created: v.created,
                updated: v.updated,
            },
            ...(v.tags ? { tags: { ...v.tags } } : {}),
        })),
        ...(key.rotationPolicy ? { rotationPolicy: structuredClone(key.rotationPolicy) } : {}),
    };
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function inspectVault(vault: VaultRecord): AzureVaultInspection {
    const host = vaultHost(vault);
    const arm = vault.arm;
    return {
        kind: vault.kind,
        name: vault.name,
        host,
        settings: settingsOf(vault),
        keys: [...vault.keys.values()].map((k) => inspectKey(vault, k)).sort(byName),
        deletedKeys: [...vault.deleted.values()]
            .map((d) => ({ ...inspectKey(vault, d.key), recoveryId: `https://${host}/deletedkeys/${d.key.name}`, deletedDate: d.deletedDate, scheduledPurgeDate: d.scheduledPurgeDate }))
            .sort(byName),
        ...(arm
            ? {
                  arm: {
                      id: `/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`,
                      subscriptionId: arm.subscriptionId,
                      resourceGroup: arm.resourceGroup,
                      location: arm.location,
                      ...(arm.tags ? { tags: { ...arm.tags } } : {}),
                      properties: structuredClone(arm.properties),
                  },
              }
            : {}),
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshot / restore

export const SNAPSHOT_FORMAT = "keyfabric/azure-keyvault-emulator/v1";

interface VersionSnapshot extends Omit<KeyVersion, "material" | "fingerprint"> {
    readonly material: { pkcs8?: string; raw?: string };
}

export interface KeySnapshot {
    readonly name: string;
    readonly versions: VersionSnapshot[];
    readonly rotationPolicy?: RotationPolicy;
}

export interface AzureSnapshot {
    readonly format: typeof SNAPSHOT_FORMAT;
    readonly vaults: {
        kind: VaultKind;
        name: string;
        arm?: ArmRecord;
        keys: KeySnapshot[];
        deletedKeys: { key: KeySnapshot; deletedDate: number; scheduledPurgeDate: number }[];
    }[];
}

export function snapshotKey(key: KeyRecord): KeySnapshot {
    return {
        name: key.name,
        versions: key.versions.map(({ material, fingerprint: _f, ...rest }) => ({ ...structuredClone(rest), material: exportMaterial(material) })),
        ...(key.rotationPolicy ? { rotationPolicy: structuredClone(key.rotationPolicy) } : {}),
    };
}

export function snapshotVaults(vaults: Iterable<VaultRecord>): AzureSnapshot {
    return {
        format: SNAPSHOT_FORMAT,
        vaults: [...vaults].map((v) => ({
            kind: v.kind,
            name: v.name,
            ...(v.arm ? { arm: structuredClone(v.arm) } : {}),
            keys: [...v.keys.values()].map(snapshotKey),
            deletedKeys: [...v.deleted.values()].map((d) => ({ key: snapshotKey(d.key), deletedDate: d.deletedDate, scheduledPurgeDate: d.scheduledPurgeDate })),
        })),
    };
}

export function materialFingerprint(m: Material): string {
    return m.type === "oct" ? fingerprint(m.bytes) : fingerprint(Buffer.alloc(0), m.key);
}

export function restoreKey(s: KeySnapshot): KeyRecord {
    if (!s || typeof s.name !== "string" || !Array.isArray(s.versions)) throw new Error("invalid Azure emulator state: a key needs name and versions");
    return {
        name: s.name,
        versions: s.versions.map(({ material, ...rest }) => {
            const m = importMaterial(material);
            return { ...structuredClone(rest), material: m, fingerprint: materialFingerprint(m) };
        }),
        ...(s.rotationPolicy ? { rotationPolicy: structuredClone(s.rotationPolicy) } : {}),
    };
}

export function restoreVaults(state: unknown): VaultRecord[] {
    const s = state as AzureSnapshot;
    if (!s || typeof s !== "object" || s.format !== SNAPSHOT_FORMAT || !Array.isArray(s.vaults)) throw new Error(`invalid Azure emulator state: expected an object with format ${SNAPSHOT_FORMAT}`);
    return s.vaults.map((v) => {
        if (v.kind !== "vault" && v.kind !== "managedHsm") throw new Error("invalid Azure emulator state: vault kind must be vault or managedHsm");
        const keys = new Map<string, KeyRecord>();
        for (const k of v.keys ?? []) keys.set(lower(k.name), restoreKey(k));
        const deleted = new Map<string, DeletedKeyRecord>();
        for (const d of v.deletedKeys ?? []) deleted.set(lower(d.key.name), { key: restoreKey(d.key), deletedDate: d.deletedDate, scheduledPurgeDate: d.scheduledPurgeDate });
        return { kind: v.kind, name: v.name, keys, deleted, ...(v.arm ? { arm: structuredClone(v.arm) } : {}) };
    });
}
