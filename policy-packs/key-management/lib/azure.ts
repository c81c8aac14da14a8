/**
 * The Azure resources the rules read, in both Pulumi providers, and accessors that read one setting from either:
 *
 * - azure-native (`@pulumi/azure-native`): `azure-native:keyvault:Vault`, also with an explicit API version
 *   (`azure-native:keyvault/v20230701:Vault`); vault settings nested under `properties` in inputs and in state; a Key's
 *   settings nested under `properties` in inputs and flattened to the top level in state.
 * - the classic provider (`@pulumi/azure` 6.x, the Terraform azurerm resources): `azure:keyvault/keyVault:KeyVault`,
 *   flat settings with other names (`purgeProtectionEnabled`, `softDeleteRetentionDays`, `publicNetworkAccessEnabled`,
 *   `rbacAuthorizationEnabled` and its deprecated alias `enableRbacAuthorization`, `keyType`, `expirationDate`, ...),
 *   the same names in inputs and in state.
 *
 * Accessors read only the properties they need, so a value still unknown at preview throws UnknownValueError where
 * (and only where) a rule depends on it. They never change the props.
 */
import { UnknownValueError } from "@pulumi/policy";
import { asArray, durationDays, isObject, rotateAfterDays } from "./props";

const native = (module: string, resource: string) => new RegExp(`^azure-native:${module}(?:\\/v[0-9a-z]+)?:${resource}$`);

/** azure-native tokens, with or without an explicit API version. */
export const NATIVE = {
    vault: native("keyvault", "Vault"),
    managedHsm: native("keyvault", "ManagedHsm"),
    key: native("keyvault", "Key"),
    accessPolicy: native("keyvault", "AccessPolicy"),
    storageAccount: native("storage", "StorageAccount"),
    privateEndpoint: native("network", "PrivateEndpoint"),
} as const;

/** Classic provider tokens (`@pulumi/azure` 6.40). */
export const CLASSIC = {
    keyVault: "azure:keyvault/keyVault:KeyVault",
    managedHsm: "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule",
    key: "azure:keyvault/key:Key",
    managedHsmKey: "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey",
    managedHsmKeyRotationPolicy: "azure:keyvault/managedHardwareSecurityModuleKeyRotationPolicy:ManagedHardwareSecurityModuleKeyRotationPolicy",
    accessPolicy: "azure:keyvault/accessPolicy:AccessPolicy",
    storageAccount: "azure:storage/account:Account",
    storageCustomerManagedKey: "azure:storage/customerManagedKey:CustomerManagedKey",
    privateEndpoint: "azure:privatelink/endpoint:Endpoint",
} as const;

/** The types a rule lists in its metadata (`resourceTypes`), for both providers. */
export const TYPES = {
    vault: ["azure-native:keyvault:Vault", CLASSIC.keyVault],
    managedHsm: ["azure-native:keyvault:ManagedHsm", CLASSIC.managedHsm],
    key: ["azure-native:keyvault:Key", CLASSIC.key],
    managedHsmKey: [CLASSIC.managedHsmKey],
    accessPolicy: ["azure-native:keyvault:AccessPolicy", CLASSIC.accessPolicy],
    storageAccount: ["azure-native:storage:StorageAccount", CLASSIC.storageAccount],
    privateEndpoint: ["azure-native:network:PrivateEndpoint", CLASSIC.privateEndpoint],
} as const;

export type Provider = "native" | "classic";

/** A Key Vault or a Managed HSM, of either provider. */
export interface VaultResource {
    readonly provider: Provider;
    readonly kind: "vault" | "managedHsm";
    /** For messages. */
    readonly what: "Key Vault" | "Managed HSM";
    /** The ARM resource type segment: `.../providers/Microsoft.KeyVault/<arm>/<name>` (lower-cased). */
    readonly arm: "vaults" | "managedhsms";
}

const VAULT_RESOURCES = {
    nativeVault: { provider: "native", kind: "vault", what: "Key Vault", arm: "vaults" },
    nativeHsm: { provider: "native", kind: "managedHsm", what: "Managed HSM", arm: "managedhsms" },
    classicVault: { provider: "classic", kind: "vault", what: "Key Vault", arm: "vaults" },
    classicHsm: { provider: "classic", kind: "managedHsm", what: "Managed HSM", arm: "managedhsms" },
} as const satisfies Record<string, VaultResource>;

export function vaultResource(type: string): VaultResource | undefined {
    if (NATIVE.vault.test(type)) return VAULT_RESOURCES.nativeVault;
    if (NATIVE.managedHsm.test(type)) return VAULT_RESOURCES.nativeHsm;
    if (type === CLASSIC.keyVault) return VAULT_RESOURCES.classicVault;
    if (type === CLASSIC.managedHsm) return VAULT_RESOURCES.classicHsm;
    return undefined;
}

/** Azure's soft-delete retention when none is set (both providers). */
export const DEFAULT_RETENTION_DAYS = 90;

const lowerEq = (v: unknown, s: string) => typeof v === "string" && v.toLowerCase() === s;

/** Vault and Managed HSM settings, by their meaning; each reads only its own properties. */
export const vaultProps = {
    /** enablePurgeProtection / purgeProtectionEnabled as set (undefined when unset). */
    purgeProtection: (t: VaultResource, props: Record<string, any>): unknown =>
        t.provider === "native" ? props.properties?.enablePurgeProtection : props.purgeProtectionEnabled,
    /** true only when soft delete is explicitly off (azure-native enableSoftDelete: false; the classic provider has no such setting: always on). */
    softDeleteDisabled: (t: VaultResource, props: Record<string, any>): boolean => t.provider === "native" && props.properties?.enableSoftDelete === false,
    /** softDeleteRetentionInDays / softDeleteRetentionDays, Azure's 90 days when unset. */
    softDeleteRetentionDays: (t: VaultResource, props: Record<string, any>): unknown =>
        (t.provider === "native" ? props.properties?.softDeleteRetentionInDays : props.softDeleteRetentionDays) ?? DEFAULT_RETENTION_DAYS,
    /** Public network access is on: azure-native publicNetworkAccess other than "Disabled", classic publicNetworkAccessEnabled other than false (both default to on). */
    publicNetworkAccessEnabled: (t: VaultResource, props: Record<string, any>): boolean =>
        t.provider === "native" ? !lowerEq(props.properties?.publicNetworkAccess, "disabled") : props.publicNetworkAccessEnabled !== false,
    /** The network ACLs deny by default (networkAcls.defaultAction "Deny"); without networkAcls Azure allows every network. */
    networkDefaultDeny: (t: VaultResource, props: Record<string, any>): boolean =>
        lowerEq((t.provider === "native" ? props.properties?.networkAcls : props.networkAcls)?.defaultAction, "deny"),
    /** Azure RBAC authorizes data-plane access: enableRbacAuthorization (native), rbacAuthorizationEnabled or its deprecated alias enableRbacAuthorization (classic). */
    rbacAuthorization: (t: VaultResource, props: Record<string, any>): boolean =>
        t.provider === "native" ? props.properties?.enableRbacAuthorization === true : props.rbacAuthorizationEnabled === true || props.enableRbacAuthorization === true,
    /** The number of inline access policies (properties.accessPolicies / accessPolicies). */
    accessPolicyCount: (t: VaultResource, props: Record<string, any>): number => {
        const policies = t.provider === "native" ? props.properties?.accessPolicies : props.accessPolicies;
        return Array.isArray(policies) ? policies.length : policies === undefined || policies === null ? 0 : 1;
    },
    /** The vault's name: vaultName (native vault inputs) or name (everything else, and state). */
    name: (t: VaultResource, props: Record<string, any>): unknown => (t.provider === "native" && t.kind === "vault" ? props.vaultName ?? props.name : props.name),
};

/** A key, of either provider. */
export interface KeyResource {
    readonly provider: Provider;
    /** A Key Vault key (azure-native keyvault.Key, classic keyvault.Key) or a classic Managed HSM key. */
    readonly kind: "key" | "managedHsmKey";
    /** For messages. */
    readonly what: "Key Vault key" | "Managed HSM key";
}

const KEY_RESOURCES = {
    nativeKey: { provider: "native", kind: "key", what: "Key Vault key" },
    classicKey: { provider: "classic", kind: "key", what: "Key Vault key" },
    classicHsmKey: { provider: "classic", kind: "managedHsmKey", what: "Managed HSM key" },
} as const satisfies Record<string, KeyResource>;

export function keyResource(type: string): KeyResource | undefined {
    if (NATIVE.key.test(type)) return KEY_RESOURCES.nativeKey;
    if (type === CLASSIC.key) return KEY_RESOURCES.classicKey;
    if (type === CLASSIC.managedHsmKey) return KEY_RESOURCES.classicHsmKey;
    return undefined;
}

/** An azure-native Key's settings: nested under `properties` in inputs, flattened to the top level in state (outputs). */
const nativeKey = (props: Record<string, any>): Record<string, any> => props.properties ?? props;

/** A key's rotation policy, normalised. */
export interface Rotation {
    /** The key has a rotation policy at all. */
    readonly present: boolean;
    /** The policy rotates the key: a "rotate" lifetime action (native), an `automatic` block (classic). */
    readonly rotates: boolean;
    /** Days after a version is created at which each rotation fires, where it can be computed. */
    readonly rotateAfterDays: number[];
    /** The expiry the policy gives new versions (attributes.expiryTime / expireAfter), in days. */
    readonly expiryDays: number | undefined;
}

const NO_ROTATION: Rotation = { present: false, rotates: false, rotateAfterDays: [], expiryDays: undefined };

/** Key settings, by their meaning; each reads only its own properties. */
export const keyProps = {
    /** kty (native), keyType (classic). */
    kty: (t: KeyResource, props: Record<string, any>): unknown => (t.provider === "native" ? nativeKey(props).kty : props.keyType),
    /** keySize, as set. */
    keySize: (t: KeyResource, props: Record<string, any>): unknown => (t.provider === "native" ? nativeKey(props).keySize : props.keySize),
    /** curveName (native), curve (classic). */
    curve: (t: KeyResource, props: Record<string, any>): unknown => (t.provider === "native" ? nativeKey(props).curveName : props.curve),
    /** The key has a fixed expiry: attributes.expires (seconds since the epoch, native) or expirationDate (RFC 3339, classic). */
    hasExpiry: (t: KeyResource, props: Record<string, any>): boolean => {
        if (t.provider === "native") {
            const expires = nativeKey(props).attributes?.expires;
            return typeof expires === "number" && expires > 0;
        }
        const date = props.expirationDate;
        return typeof date === "string" && date.trim() !== "" && !Number.isNaN(Date.parse(date));
    },
    /**
     * The key's own rotation policy: properties.rotationPolicy (native: lifetimeActions with rotate triggers and
     * attributes.expiryTime) or rotationPolicy (classic Key: automatic.timeAfterCreation / timeBeforeExpiry and
     * expireAfter). Classic Managed HSM keys have theirs as a separate resource: not read here.
     */
    rotation: (t: KeyResource, props: Record<string, any>): Rotation => {
        if (t.kind !== "key") return NO_ROTATION;
        if (t.provider === "native") {
            const policy = nativeKey(props).rotationPolicy;
            if (policy === undefined || policy === null) return NO_ROTATION;
            const rotations = asArray<any>(policy.lifetimeActions).filter((a) => lowerEq(a?.action?.type, "rotate"));
            // expiryTime matters only to a policy that rotates (read only then: it may be unknown at preview).
            const expiryTime = rotations.length > 0 ? policy.attributes?.expiryTime : undefined;
            return {
                present: true,
                rotates: rotations.length > 0,
                rotateAfterDays: rotations.map((a) => rotateAfterDays(a?.trigger?.timeAfterCreate, a?.trigger?.timeBeforeExpiry, expiryTime)).filter((d): d is number => d !== undefined),
                expiryDays: durationDays(expiryTime),
            };
        }
        const policy = props.rotationPolicy;
        if (policy === undefined || policy === null) return NO_ROTATION;
        const automatic = policy.automatic;
        const rotates = isObject(automatic);
        const days = rotates ? rotateAfterDays(automatic.timeAfterCreation, automatic.timeBeforeExpiry, policy.expireAfter) : undefined;
        return { present: true, rotates, rotateAfterDays: days === undefined ? [] : [days], expiryDays: rotates ? durationDays(policy.expireAfter) : undefined };
    },
};

/** The value of a read, or UNKNOWN when it is not known until the update (stack rules judge what they can). */
export const UNKNOWN = Symbol("unknown");
export function read<T>(f: () => T): T | typeof UNKNOWN {
    try {
        return f();
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}
