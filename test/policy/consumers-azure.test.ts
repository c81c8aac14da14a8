import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { AZURE_CONSUMERS, AZURE_TYPES, azureBaseType, azureConsumerFor, DISK_ENCRYPTION_SET_ID } from "../../policy-packs/key-management/lib/consumers-azure";
import { UNKNOWN } from "./harness";

const DES_ID = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-data/providers/Microsoft.Compute/diskEncryptionSets/des-card-data";
const VAULT = "https://acme-payments.vault.azure.net";
const refs = (type: string, props: Record<string, unknown>) => azureConsumerFor(type)!.keyRefs(unknownCheckingProxy(props));

test("one entry per consumer type; every token in exactly one entry", () => {
    const tokens = AZURE_CONSUMERS.flatMap((c) => c.types);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect([...tokens].sort()).toEqual(Object.values(AZURE_TYPES).sort());
    expect(AZURE_CONSUMERS.every((c) => c.label.length > 0)).toBe(true);
});

test("both providers share an entry where both have the resource", () => {
    expect(azureConsumerFor(AZURE_TYPES.nativeStorageAccount)).toBe(azureConsumerFor(AZURE_TYPES.classicStorageAccount));
    expect(azureConsumerFor(AZURE_TYPES.nativeDisk)).toBe(azureConsumerFor(AZURE_TYPES.classicManagedDisk));
    expect(azureConsumerFor(AZURE_TYPES.nativeSqlEncryptionProtector)).toBe(azureConsumerFor(AZURE_TYPES.classicSqlTransparentDataEncryption));
    expect(azureConsumerFor(AZURE_TYPES.nativeAksCluster)).toBe(azureConsumerFor(AZURE_TYPES.classicAksCluster));
});

test("explicit azure-native API versions find the same entry", () => {
    expect(azureBaseType("azure-native:storage/v20230101:StorageAccount")).toBe(AZURE_TYPES.nativeStorageAccount);
    expect(azureBaseType("azure-native:sql/v20211101preview:EncryptionProtector")).toBe(AZURE_TYPES.nativeSqlEncryptionProtector);
    expect(azureBaseType(AZURE_TYPES.classicStorageAccount)).toBe(AZURE_TYPES.classicStorageAccount);
    expect(azureConsumerFor("azure-native:compute/v20240302:Disk")).toBe(azureConsumerFor(AZURE_TYPES.nativeDisk));
    expect(azureConsumerFor("azure:kms/key:Key")).toBeUndefined();
});

describe("storage accounts", () => {
    test("azure-native: the versionless key URI composed from keyVaultUri and keyName; Microsoft-managed keys name none", () => {
        const encryption = { keySource: "Microsoft.Keyvault", keyVaultProperties: { keyName: "card-data", keyVaultUri: `${VAULT}/`, keyVersion: UNKNOWN } };
        expect(refs(AZURE_TYPES.nativeStorageAccount, { encryption })).toEqual([`${VAULT}/keys/card-data`]);
        expect(refs(AZURE_TYPES.nativeStorageAccount, { encryption: { keySource: "Microsoft.Storage" } })).toEqual([]);
        expect(refs(AZURE_TYPES.nativeStorageAccount, {})).toEqual([]);
    });
    test("classic: the customerManagedKey block, or the separate CustomerManagedKey resource", () => {
        expect(refs(AZURE_TYPES.classicStorageAccount, { customerManagedKey: { keyVaultKeyId: `${VAULT}/keys/card-data`, userAssignedIdentityId: "i" } })).toEqual([`${VAULT}/keys/card-data`]);
        expect(refs(AZURE_TYPES.classicStorageAccount, { accountTier: "Standard" })).toEqual([]);
        expect(refs(AZURE_TYPES.classicStorageCustomerManagedKey, { storageAccountId: "s", keyVaultKeyId: `${VAULT}/keys/card-data` })).toEqual([`${VAULT}/keys/card-data`]);
        expect(refs(AZURE_TYPES.classicStorageCustomerManagedKey, { storageAccountId: "s", keyVaultUri: VAULT, keyName: "card-data" })).toEqual([`${VAULT}/keys/card-data`]);
    });
});

test("disks and AKS clusters name their disk encryption set; the disk encryption set names the key", () => {
    expect(refs(AZURE_TYPES.nativeDisk, { encryption: { type: "EncryptionAtRestWithCustomerKey", diskEncryptionSetId: DES_ID } })).toEqual([DES_ID]);
    expect(refs(AZURE_TYPES.classicManagedDisk, { diskEncryptionSetId: DES_ID })).toEqual([DES_ID]);
    expect(DISK_ENCRYPTION_SET_ID.test(DES_ID)).toBe(true);
    expect(refs(AZURE_TYPES.nativeDiskEncryptionSet, { activeKey: { keyUrl: `${VAULT}/keys/disk/1` } })).toEqual([`${VAULT}/keys/disk/1`]);
    expect(refs(AZURE_TYPES.classicDiskEncryptionSet, { keyVaultKeyId: `${VAULT}/keys/disk` })).toEqual([`${VAULT}/keys/disk`]);
    expect(refs(AZURE_TYPES.nativeAksCluster, { diskEncryptionSetID: DES_ID, securityProfile: { azureKeyVaultKms: { enabled: true, keyId: `${VAULT}/keys/etcd/1` } } })).toEqual([DES_ID, `${VAULT}/keys/etcd/1`]);
    expect(refs(AZURE_TYPES.classicAksCluster, { keyManagementService: { keyVaultKeyId: `${VAULT}/keys/etcd/1` } })).toEqual([`${VAULT}/keys/etcd/1`]);
});

test("SQL: the server's key, the protector's key (its uri in state, the server key name in inputs), the server key's uri", () => {
    expect(refs(AZURE_TYPES.nativeSqlServer, { keyId: `${VAULT}/keys/tde/1` })).toEqual([`${VAULT}/keys/tde/1`]);
    expect(refs(AZURE_TYPES.classicSqlServer, { transparentDataEncryptionKeyVaultKeyId: `${VAULT}/keys/tde/1` })).toEqual([`${VAULT}/keys/tde/1`]);
    expect(refs(AZURE_TYPES.nativeSqlEncryptionProtector, { serverKeyType: "AzureKeyVault", serverKeyName: "acme-payments_tde_1" })).toEqual(["acme-payments_tde_1"]);
    expect(refs(AZURE_TYPES.nativeSqlEncryptionProtector, { serverKeyType: "AzureKeyVault", serverKeyName: "acme-payments_tde_1", uri: `${VAULT}/keys/tde/1` })).toEqual([`${VAULT}/keys/tde/1`]);
    expect(refs(AZURE_TYPES.nativeSqlEncryptionProtector, { serverKeyType: "ServiceManaged", serverKeyName: "ServiceManaged" })).toEqual([]);
    expect(refs(AZURE_TYPES.classicSqlTransparentDataEncryption, { serverId: "s" })).toEqual([]);
    expect(refs(AZURE_TYPES.nativeSqlServerKey, { serverKeyType: "AzureKeyVault", uri: `${VAULT}/keys/tde/1` })).toEqual([`${VAULT}/keys/tde/1`]);
    expect(refs(AZURE_TYPES.nativeSqlServerKey, { name: "acme-payments_tde_1", kind: "azurekeyvault", thumbprint: "t" })).toEqual(["acme-payments_tde_1"]);
    expect(refs(AZURE_TYPES.nativeSqlServerKey, { name: "ServiceManaged", kind: "servicemanaged" })).toEqual([]);
});

test("Cosmos DB: keyVaultKeyUri or keyVaultKeyId", () => {
    expect(refs(AZURE_TYPES.nativeCosmosAccount, { keyVaultKeyUri: `${VAULT}/keys/cosmos` })).toEqual([`${VAULT}/keys/cosmos`]);
    expect(refs(AZURE_TYPES.classicCosmosAccount, { keyVaultKeyId: `${VAULT}/keys/cosmos` })).toEqual([`${VAULT}/keys/cosmos`]);
});

test("an unknown reference throws the SDK's UnknownValueError (never caught)", () => {
    expect(() => refs(AZURE_TYPES.nativeCosmosAccount, { keyVaultKeyUri: UNKNOWN })).toThrow(UnknownValueError);
    expect(() => refs(AZURE_TYPES.classicDiskEncryptionSet, { keyVaultKeyId: UNKNOWN })).toThrow(UnknownValueError);
});
