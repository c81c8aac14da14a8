/**
 * The Azure key consumers (see consumers.ts): one entry per consumer type, each covering the azure-native (3.x) and
 * the classic azure (6.x) resource where both exist. Property names are those of the installed SDKs'
 * `<module>/<resource>.d.ts` and `types/input.d.ts` / `types/output.d.ts`; inputs (preview) and state (outputs) have
 * the same shape for every type here unless an entry says otherwise.
 *
 * An entry covering both providers tells them apart by their property names, which never overlap (e.g. azure-native
 * `diskEncryptionSetID` on a ManagedCluster against classic `diskEncryptionSetId` on a KubernetesCluster).
 *
 * References returned are those the props name, unchanged, except where an entry says it composes one:
 * - Key Vault / Managed HSM key URIs (`https://<vault>.vault.azure.net/keys/<name>[/<version>]`) or the key's ARM id;
 * - for disks and AKS clusters, the id of the disk encryption set (`.../providers/Microsoft.Compute/diskEncryptionSets/<name>`,
 *   see `DISK_ENCRYPTION_SET_ID`): the disk encryption set's own entry names its key;
 * - for SQL, where the props name the key only as a server key name (`<vault>_<key>_<version>`, Azure's name for a
 *   server key), that name: the server key's or the encryption protector's uri names the key once Azure knows it.
 * Values unknown at preview are read through the policy SDK's proxy, which throws (never caught here).
 */
import { consumerFor, type KeyConsumer } from "./consumers";

/** Type tokens (without an explicit API version: `azureBaseType` removes one). */
export const AZURE_TYPES = {
    nativeStorageAccount: "azure-native:storage:StorageAccount",
    classicStorageAccount: "azure:storage/account:Account",
    classicStorageCustomerManagedKey: "azure:storage/customerManagedKey:CustomerManagedKey",
    nativeDisk: "azure-native:compute:Disk",
    classicManagedDisk: "azure:compute/managedDisk:ManagedDisk",
    nativeDiskEncryptionSet: "azure-native:compute:DiskEncryptionSet",
    classicDiskEncryptionSet: "azure:compute/diskEncryptionSet:DiskEncryptionSet",
    nativeSqlServer: "azure-native:sql:Server",
    classicSqlServer: "azure:mssql/server:Server",
    nativeSqlServerKey: "azure-native:sql:ServerKey",
    nativeSqlEncryptionProtector: "azure-native:sql:EncryptionProtector",
    classicSqlTransparentDataEncryption: "azure:mssql/serverTransparentDataEncryption:ServerTransparentDataEncryption",
    nativeCosmosAccount: "azure-native:cosmosdb:DatabaseAccount",
    classicCosmosAccount: "azure:cosmosdb/account:Account",
    nativeAksCluster: "azure-native:containerservice:ManagedCluster",
    classicAksCluster: "azure:containerservice/kubernetesCluster:KubernetesCluster",
} as const;

/** `azure-native:compute/v20240302:Disk` → `azure-native:compute:Disk`: an explicit API version is the same resource. */
export function azureBaseType(type: string): string {
    return type.replace(/^azure-native:([a-z0-9]+)\/v[0-9a-z]+:/i, "azure-native:$1:");
}

/** Whether `type` is one of `types`, an azure-native token with or without an explicit API version. */
export function isAzureType(type: string, ...types: readonly string[]): boolean {
    return types.includes(azureBaseType(type));
}

/** The ARM id of a disk encryption set: what the disk and AKS entries return. */
export const DISK_ENCRYPTION_SET_ID = /\/providers\/Microsoft\.Compute\/diskEncryptionSets\/[^/]+\/?$/i;

const filled = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
const same = (v: unknown, s: string): boolean => typeof v === "string" && v.toLowerCase() === s.toLowerCase();

/** `[v]` when set, else the next reader's: later properties are read only when the earlier ones are empty. */
function firstSet(...readers: (() => unknown)[]): string[] {
    for (const r of readers) {
        const v = r();
        if (filled(v)) return [v];
    }
    return [];
}

// ---------------------------------------------------------------------------------------------------------------
// Storage.

/**
 * azure-native StorageAccount: `encryption.keySource` "Microsoft.Keyvault" (compared case-insensitively, as Azure
 * does) with `encryption.keyVaultProperties.keyName` and `keyVaultUri`; the reference is composed as the versionless
 * key URI (`keyVersion`, often computed, is not read). Classic Account: the `customerManagedKey` block's
 * `keyVaultKeyId` (or the deprecated `managedHsmKeyId`). A classic account can instead be given its key by a separate
 * storage.CustomerManagedKey resource (entry below): the account's own props then name none.
 */
export function storageAccountKeyRefs(props: any): string[] {
    const encryption = props.encryption;
    if (encryption !== undefined && encryption !== null) {
        if (!same(encryption.keySource, "Microsoft.Keyvault")) return [];
        const kv = encryption.keyVaultProperties;
        const name = kv?.keyName;
        const uri = kv?.keyVaultUri;
        return filled(name) && filled(uri) ? [`${uri.trim().replace(/\/+$/, "")}/keys/${name.trim()}`] : [];
    }
    const cmk = props.customerManagedKey;
    return firstSet(
        () => cmk?.keyVaultKeyId,
        () => cmk?.managedHsmKeyId,
    );
}

/**
 * Classic storage.CustomerManagedKey: `keyVaultKeyId`, or the deprecated `managedHsmKeyId`, or the deprecated
 * `keyVaultUri` + `keyName` (composed as the key URI) or `keyVaultId` + `keyName` (composed as the key's ARM id).
 */
export function storageCustomerManagedKeyRefs(props: any): string[] {
    const direct = firstSet(
        () => props.keyVaultKeyId,
        () => props.managedHsmKeyId,
    );
    if (direct.length > 0) return direct;
    const name = props.keyName;
    if (!filled(name)) return [];
    const uri = props.keyVaultUri;
    if (filled(uri)) return [`${uri.trim().replace(/\/+$/, "")}/keys/${name.trim()}`];
    const vaultId = props.keyVaultId;
    return filled(vaultId) ? [`${vaultId.trim().replace(/\/+$/, "")}/keys/${name.trim()}`] : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Compute: managed disks and disk encryption sets.

/** azure-native Disk `encryption.type` values that encrypt with the disk encryption set's customer-managed key. */
export const CUSTOMER_KEY_DISK_ENCRYPTION = ["EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys"] as const;
/** The confidential-VM security type whose disk is encrypted with a customer-managed key (both providers). */
export const CONFIDENTIAL_CUSTOMER_KEY = "ConfidentialVM_DiskEncryptedWithCustomerKey";

/**
 * The disk encryption sets a managed disk is encrypted with. azure-native Disk: `encryption.diskEncryptionSetId` when
 * `encryption.type` is a customer-key type (the type is required: Azure's default is the platform key), and
 * `securityProfile.secureVMDiskEncryptionSetId` when `securityProfile.securityType` is
 * ConfidentialVM_DiskEncryptedWithCustomerKey. Classic ManagedDisk: `diskEncryptionSetId`, and
 * `secureVmDiskEncryptionSetId` with that `securityType`. Azure Disk Encryption (`encryptionSettings`,
 * `encryptionSettingsCollection`) is not server-side encryption with a customer-managed key and is not counted.
 */
export function managedDiskKeyRefs(props: any): string[] {
    const refs: string[] = [];
    const encryption = props.encryption;
    const security = props.securityProfile;
    if (encryption !== undefined || security !== undefined) {
        if (CUSTOMER_KEY_DISK_ENCRYPTION.some((t) => same(encryption?.type, t))) refs.push(...firstSet(() => encryption.diskEncryptionSetId));
        if (same(security?.securityType, CONFIDENTIAL_CUSTOMER_KEY)) refs.push(...firstSet(() => security.secureVMDiskEncryptionSetId));
        return refs;
    }
    refs.push(...firstSet(() => props.diskEncryptionSetId));
    if (same(props.securityType, CONFIDENTIAL_CUSTOMER_KEY)) refs.push(...firstSet(() => props.secureVmDiskEncryptionSetId));
    return refs;
}

/**
 * The key of a disk encryption set. azure-native: `activeKey.keyUrl`. Classic: `keyVaultKeyId`, or the deprecated
 * `managedHsmKeyId`, or (state) `keyVaultKeyUrl`, the version Azure currently uses.
 */
export function diskEncryptionSetKeyRefs(props: any): string[] {
    const active = props.activeKey;
    if (active !== undefined && active !== null) return firstSet(() => active.keyUrl);
    return firstSet(
        () => props.keyVaultKeyId,
        () => props.managedHsmKeyId,
        () => props.keyVaultKeyUrl,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// SQL: transparent data encryption (TDE) protector.

/** A server key type, encryption protector type or `kind` naming a Key Vault key (Azure compares it case-insensitively). */
export const isAzureKeyVaultType = (v: unknown): boolean => same(v, "AzureKeyVault");

/**
 * The TDE protector a SQL server is created with. azure-native Server: `keyId` ("A CMK URI of the key to use for
 * encryption"). Classic mssql Server: `transparentDataEncryptionKeyVaultKeyId`. A separate encryption protector
 * resource (below) replaces it.
 */
export function sqlServerKeyRefs(props: any): string[] {
    return firstSet(
        () => props.keyId,
        () => props.transparentDataEncryptionKeyVaultKeyId,
    );
}

/**
 * A server's TDE protector, as a separate resource. azure-native EncryptionProtector: `serverKeyType` "AzureKeyVault"
 * with `uri` (state) or `serverKeyName` (inputs, the server key name `<vault>_<key>_<version>`); "ServiceManaged" is
 * not a customer-managed key. Classic ServerTransparentDataEncryption: `keyVaultKeyId` or the deprecated
 * `managedHsmKeyId`; neither means service-managed.
 */
export function sqlProtectorKeyRefs(props: any): string[] {
    const type = props.serverKeyType;
    if (type !== undefined && type !== null) {
        if (!isAzureKeyVaultType(type)) return [];
        return firstSet(
            () => props.uri,
            () => props.serverKeyName,
        );
    }
    return firstSet(
        () => props.keyVaultKeyId,
        () => props.managedHsmKeyId,
    );
}

/**
 * azure-native ServerKey (no classic equivalent: the classic provider names the key on the server or its
 * ServerTransparentDataEncryption): `serverKeyType` "AzureKeyVault" with `uri`. In state the SDK declares neither
 * serverKeyType nor uri as outputs: `kind` ("azurekeyvault") and the server key name (`name`) stand for them.
 */
export function sqlServerKeyKeyRefs(props: any): string[] {
    const type = props.serverKeyType;
    if (type !== undefined && type !== null) {
        if (!isAzureKeyVaultType(type)) return [];
        return firstSet(
            () => props.uri,
            () => props.keyName,
        );
    }
    if (!isAzureKeyVaultType(props.kind)) return [];
    return firstSet(
        () => props.uri,
        () => props.name,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Cosmos DB.

/** azure-native DatabaseAccount `keyVaultKeyUri`; classic cosmosdb Account `keyVaultKeyId` or the deprecated `managedHsmKeyId`. */
export function cosmosAccountKeyRefs(props: any): string[] {
    return firstSet(
        () => props.keyVaultKeyUri,
        () => props.keyVaultKeyId,
        () => props.managedHsmKeyId,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// AKS.

/** The disk encryption set of an AKS cluster's node OS and data disks: azure-native `diskEncryptionSetID`, classic `diskEncryptionSetId`. */
export function aksDiskEncryptionSetRefs(props: any): string[] {
    return firstSet(
        () => props.diskEncryptionSetID,
        () => props.diskEncryptionSetId,
    );
}

/**
 * The Key Vault key of an AKS cluster's KMS etcd encryption (Kubernetes secrets at rest): azure-native
 * `securityProfile.azureKeyVaultKms` with `enabled: true` (the default is false) and `keyId`; classic
 * `keyManagementService.keyVaultKeyId`.
 */
export function aksKmsKeyRefs(props: any): string[] {
    const security = props.securityProfile;
    if (security !== undefined && security !== null) {
        const kms = security.azureKeyVaultKms;
        return kms?.enabled === true ? firstSet(() => kms.keyId) : [];
    }
    return firstSet(() => props.keyManagementService?.keyVaultKeyId);
}

// ---------------------------------------------------------------------------------------------------------------

export const AZURE_CONSUMERS: readonly KeyConsumer[] = [
    { types: [AZURE_TYPES.nativeStorageAccount, AZURE_TYPES.classicStorageAccount], label: "storage account", keyRefs: storageAccountKeyRefs },
    { types: [AZURE_TYPES.classicStorageCustomerManagedKey], label: "storage account customer-managed key", keyRefs: storageCustomerManagedKeyRefs },
    { types: [AZURE_TYPES.nativeDisk, AZURE_TYPES.classicManagedDisk], label: "managed disk", keyRefs: managedDiskKeyRefs },
    { types: [AZURE_TYPES.nativeDiskEncryptionSet, AZURE_TYPES.classicDiskEncryptionSet], label: "disk encryption set", keyRefs: diskEncryptionSetKeyRefs },
    { types: [AZURE_TYPES.nativeSqlServer, AZURE_TYPES.classicSqlServer], label: "SQL server", keyRefs: sqlServerKeyRefs },
    { types: [AZURE_TYPES.nativeSqlEncryptionProtector, AZURE_TYPES.classicSqlTransparentDataEncryption], label: "SQL server TDE protector", keyRefs: sqlProtectorKeyRefs },
    { types: [AZURE_TYPES.nativeSqlServerKey], label: "SQL server key", keyRefs: sqlServerKeyKeyRefs },
    { types: [AZURE_TYPES.nativeCosmosAccount, AZURE_TYPES.classicCosmosAccount], label: "Cosmos DB account", keyRefs: cosmosAccountKeyRefs },
    {
        types: [AZURE_TYPES.nativeAksCluster, AZURE_TYPES.classicAksCluster],
        label: "AKS cluster",
        keyRefs: (props: any) => [...aksDiskEncryptionSetRefs(props), ...aksKmsKeyRefs(props)],
    },
];

/** The Azure consumer entry for a type token, with or without an explicit azure-native API version. */
export function azureConsumerFor(type: string): KeyConsumer | undefined {
    return consumerFor([AZURE_CONSUMERS], azureBaseType(type));
}
