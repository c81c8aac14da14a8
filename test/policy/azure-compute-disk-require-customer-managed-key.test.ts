import { rule } from "../../policy-packs/key-management/rules/azure-compute-disk-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

// The engine's sentinel for this kind of unknown value: exported by the SDK's proxy module, not declared in its types.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { unknownObjectValue } = require("@pulumi/policy/proxy") as { unknownObjectValue: string };

const NATIVE_DISK = "azure-native:compute:Disk";
const CLASSIC_DISK = "azure:compute/managedDisk:ManagedDisk";
const NATIVE_DES = "azure-native:compute:DiskEncryptionSet";
const CLASSIC_DES = "azure:compute/diskEncryptionSet:DiskEncryptionSet";

const DES_ID = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-data/providers/Microsoft.Compute/diskEncryptionSets/des-card-data";
const VAULT_ID = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-payments";
const KEY_URL = "https://acme-payments.vault.azure.net/keys/disk-data/0123456789abcdef0123456789abcdef";
const DISK_MSG = "This managed disk is not encrypted with a customer-managed key through a disk encryption set.";
const DES_MSG = "This disk encryption set does not name a Key Vault or Managed HSM key.";

/** No encryption settings (a default parameter would turn undefined into CUSTOMER_KEY). */
const NONE = null;
const CUSTOMER_KEY = { type: "EncryptionAtRestWithCustomerKey", diskEncryptionSetId: DES_ID };
/** An azure-native disk with the encryption given (none for NONE), and other props. */
const nativeDisk = (encryption: unknown = CUSTOMER_KEY, extra: Record<string, unknown> = {}) => ({
    diskName: "card-data",
    resourceGroupName: "rg-data",
    location: "westeurope",
    creationData: { createOption: "Empty" },
    diskSizeGB: 128,
    sku: { name: "Premium_LRS" },
    ...(encryption === NONE ? {} : { encryption }),
    ...extra,
});
const classicDisk = (extra: Record<string, unknown> = {}) => ({
    name: "card-data",
    resourceGroupName: "rg-data",
    location: "westeurope",
    storageAccountType: "Premium_LRS",
    createOption: "Empty",
    diskSizeGb: 128,
    diskEncryptionSetId: DES_ID,
    ...extra,
});
const nativeDes = (extra: Record<string, unknown> = {}) => ({
    diskEncryptionSetName: "des-card-data",
    resourceGroupName: "rg-data",
    location: "westeurope",
    identity: { type: "SystemAssigned" },
    encryptionType: "EncryptionAtRestWithCustomerKey",
    activeKey: { keyUrl: KEY_URL, sourceVault: { id: VAULT_ID } },
    rotationToLatestKeyVersionEnabled: true,
    ...extra,
});
const classicDes = (extra: Record<string, unknown> = {}) => ({
    name: "des-card-data",
    resourceGroupName: "rg-data",
    location: "westeurope",
    identity: { type: "SystemAssigned" },
    keyVaultKeyId: "https://acme-payments.vault.azure.net/keys/disk-data",
    autoKeyRotationEnabled: true,
    ...extra,
});

describe("managed disks", () => {
    test("an azure-native disk encrypted with a customer key through a disk encryption set is compliant", async () => {
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk() })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ type: "EncryptionAtRestWithPlatformAndCustomerKeys", diskEncryptionSetId: DES_ID }) })).toEqual({ violations: [] });
    });

    test("a classic managed disk with a disk encryption set is compliant", async () => {
        expect(await checkResource(rule, { type: CLASSIC_DISK, props: classicDisk() })).toEqual({ violations: [] });
    });

    test("no encryption settings (the platform key) is a violation", async () => {
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk(NONE) })).toEqual({ violations: [{ message: DISK_MSG }] });
        expect(await checkResource(rule, { type: CLASSIC_DISK, props: classicDisk({ diskEncryptionSetId: undefined }) })).toEqual({ violations: [{ message: DISK_MSG }] });
    });

    test("the platform key type is a violation, even with a disk encryption set id", async () => {
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ type: "EncryptionAtRestWithPlatformKey", diskEncryptionSetId: DES_ID }) })).toEqual({ violations: [{ message: DISK_MSG }] });
    });

    test("a customer-key type without a disk encryption set is a violation", async () => {
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ type: "EncryptionAtRestWithCustomerKey" }) })).toEqual({ violations: [{ message: DISK_MSG }] });
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ type: "EncryptionAtRestWithCustomerKey", diskEncryptionSetId: "" }) })).toEqual({ violations: [{ message: DISK_MSG }] });
    });

    test("an azure-native disk encryption set id without the encryption type is a violation (Azure's default type is the platform key)", async () => {
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ diskEncryptionSetId: DES_ID }) })).toEqual({ violations: [{ message: DISK_MSG }] });
    });

    test("the encryption type is compared case-insensitively", async () => {
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ type: "encryptionatrestwithcustomerkey", diskEncryptionSetId: DES_ID }) })).toEqual({ violations: [] });
    });

    test("a confidential VM disk encrypted with a customer key (secure VM disk encryption set) is compliant, in both providers", async () => {
        const security = { securityType: "ConfidentialVM_DiskEncryptedWithCustomerKey", secureVMDiskEncryptionSetId: DES_ID };
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk(NONE, { securityProfile: security }) })).toEqual({ violations: [] });
        expect(
            await checkResource(rule, { type: CLASSIC_DISK, props: classicDisk({ diskEncryptionSetId: undefined, securityType: "ConfidentialVM_DiskEncryptedWithCustomerKey", secureVmDiskEncryptionSetId: DES_ID }) }),
        ).toEqual({ violations: [] });
    });

    test("a confidential VM disk on the platform key is a violation", async () => {
        const security = { securityType: "ConfidentialVM_DiskEncryptedWithPlatformKey" };
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk(NONE, { securityProfile: security }) })).toEqual({ violations: [{ message: DISK_MSG }] });
        expect(await checkResource(rule, { type: CLASSIC_DISK, props: classicDisk({ diskEncryptionSetId: undefined, securityType: "ConfidentialVM_DiskEncryptedWithPlatformKey" }) })).toEqual({
            violations: [{ message: DISK_MSG }],
        });
    });

    test("Azure Disk Encryption settings alone (in-guest encryption) are a violation", async () => {
        const ade = { enabled: true, diskEncryptionKey: { secretUrl: "https://acme-payments.vault.azure.net/secrets/bek/0123", sourceVaultId: VAULT_ID } };
        expect(await checkResource(rule, { type: CLASSIC_DISK, props: classicDisk({ diskEncryptionSetId: undefined, encryptionSettings: ade }) })).toEqual({ violations: [{ message: DISK_MSG }] });
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk(NONE, { encryptionSettingsCollection: { enabled: true, encryptionSettings: [] } }) })).toEqual({
            violations: [{ message: DISK_MSG }],
        });
    });

    test("state (outputs) and explicit API versions are checked the same way", async () => {
        const state = { name: "card-data", diskSizeGB: 128, diskState: "Unattached", encryption: { type: "EncryptionAtRestWithPlatformKey" }, uniqueId: "u" };
        expect(await checkResource(rule, { type: NATIVE_DISK, props: state })).toEqual({ violations: [{ message: DISK_MSG }] });
        expect(await checkResource(rule, { type: NATIVE_DISK, props: { ...state, encryption: { type: "EncryptionAtRestWithCustomerKey", diskEncryptionSetId: DES_ID } } })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: "azure-native:compute/v20240302:Disk", props: nativeDisk(NONE) })).toEqual({ violations: [{ message: DISK_MSG }] });
    });

    test("a disk encryption set id unknown at preview makes the rule not run, never a false violation", async () => {
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ type: "EncryptionAtRestWithCustomerKey", diskEncryptionSetId: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
        expect(await checkResource(rule, { type: CLASSIC_DISK, props: classicDisk({ diskEncryptionSetId: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk(unknownObjectValue) })).toEqual({ violations: [], unknown: true });
    });

    test("a known platform-key type decides without reading an unknown disk encryption set id", async () => {
        expect(await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ type: "EncryptionAtRestWithPlatformKey", diskEncryptionSetId: UNKNOWN }) })).toEqual({ violations: [{ message: DISK_MSG }] });
    });
});

describe("disk encryption sets", () => {
    test("a disk encryption set naming its key is compliant, in both providers", async () => {
        expect(await checkResource(rule, { type: NATIVE_DES, props: nativeDes() })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_DES, props: classicDes() })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_DES, props: classicDes({ keyVaultKeyId: undefined, managedHsmKeyId: "https://acme-hsm.managedhsm.azure.net/keys/disk-data" }) })).toEqual({ violations: [] });
    });

    test("a disk encryption set without a key is a violation", async () => {
        expect(await checkResource(rule, { type: NATIVE_DES, props: nativeDes({ activeKey: undefined }) })).toEqual({ violations: [{ message: DES_MSG }] });
        expect(await checkResource(rule, { type: NATIVE_DES, props: nativeDes({ activeKey: { keyUrl: "" } }) })).toEqual({ violations: [{ message: DES_MSG }] });
        expect(await checkResource(rule, { type: CLASSIC_DES, props: classicDes({ keyVaultKeyId: undefined }) })).toEqual({ violations: [{ message: DES_MSG }] });
    });

    test("state: the classic disk encryption set's key URL in use counts", async () => {
        const state = { id: DES_ID, name: "des-card-data", keyVaultKeyUrl: KEY_URL, identity: { type: "SystemAssigned", principalId: "p" } };
        expect(await checkResource(rule, { type: CLASSIC_DES, props: state })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: "azure-native:compute/v20240302:DiskEncryptionSet", props: { name: "des-card-data", activeKey: { keyUrl: KEY_URL }, provisioningState: "Succeeded" } })).toEqual({
            violations: [],
        });
    });

    test("a key unknown at preview makes the rule not run", async () => {
        expect(await checkResource(rule, { type: NATIVE_DES, props: nativeDes({ activeKey: { keyUrl: UNKNOWN } }) })).toEqual({ violations: [], unknown: true });
        expect(await checkResource(rule, { type: CLASSIC_DES, props: classicDes({ keyVaultKeyId: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:compute:Snapshot", props: {} })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure:compute/snapshot:Snapshot", props: {} })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure-native:storage:StorageAccount", props: {} })).toEqual({ violations: [] });
});

test("messages never echo property values", async () => {
    const r = await checkResource(rule, { type: NATIVE_DISK, props: nativeDisk({ type: "EncryptionAtRestWithPlatformKey", diskEncryptionSetId: DES_ID }) });
    expect(JSON.stringify(r)).not.toContain("des-card-data");
});

test("no automatic remediation: the rule cannot choose the disk encryption set", async () => {
    expect(await remediate(rule, { type: NATIVE_DISK, props: nativeDisk(NONE) })).toBeUndefined();
});
