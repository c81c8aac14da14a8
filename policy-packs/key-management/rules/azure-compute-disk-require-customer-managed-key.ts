import { resourceRule } from "../lib/rule";
import { AZURE_TYPES, diskEncryptionSetKeyRefs, isAzureType, managedDiskKeyRefs } from "../lib/consumers-azure";

const DISKS = [AZURE_TYPES.nativeDisk, AZURE_TYPES.classicManagedDisk];
const DISK_ENCRYPTION_SETS = [AZURE_TYPES.nativeDiskEncryptionSet, AZURE_TYPES.classicDiskEncryptionSet];

/**
 * Catalogue row 12 (managed disks). A disk is encrypted with a customer-managed key only through a disk encryption
 * set, so both are checked: the disk names a disk encryption set with a customer-key encryption type, and the disk
 * encryption set names its key. Azure Disk Encryption (in-guest BitLocker / DM-Crypt, `encryptionSettings`) is not
 * counted: it is not server-side encryption, and CKV_AZURE_93 and the Azure built-in policy both ask for the set.
 */
export const rule = resourceRule(
    {
        name: "azure-compute-disk-require-customer-managed-key",
        description:
            "Azure managed disks must be encrypted at rest with a customer-managed key through a disk encryption set (azure-native compute.Disk: encryption.type EncryptionAtRestWithCustomerKey or EncryptionAtRestWithPlatformAndCustomerKeys with encryption.diskEncryptionSetId; azure compute.ManagedDisk: diskEncryptionSetId; confidential VM disks: ConfidentialVM_DiskEncryptedWithCustomerKey with their secure VM disk encryption set), and every disk encryption set must name its Key Vault or Managed HSM key (activeKey.keyUrl; keyVaultKeyId).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "7.3 Ensure that 'OS and Data' disks are encrypted with Customer Managed Key (CMK); 7.4 Ensure that 'Unattached disks' are encrypted with 'Customer Managed Key' (CMK)" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_93 Ensure that managed disks use a specific set of disk encryption sets for the customer-managed key encryption" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            'Create a disk encryption set for a Key Vault key (azure-native compute.DiskEncryptionSet activeKey.keyUrl, or azure compute.DiskEncryptionSet keyVaultKeyId, with an identity granted Key Vault Crypto Service Encryption User on the key) and set encryption: { type: "EncryptionAtRestWithCustomerKey", diskEncryptionSetId } on the azure-native compute.Disk, or diskEncryptionSetId on the azure compute.ManagedDisk (changing the key of an attached disk requires detaching it).',
        catalogueRows: [12],
        resourceTypes: [...DISKS, ...DISK_ENCRYPTION_SETS],
    },
    {
        validateResource: (args, reportViolation) => {
            if (isAzureType(args.type, ...DISKS)) {
                if (managedDiskKeyRefs(args.props).length === 0) {
                    reportViolation("This managed disk is not encrypted with a customer-managed key through a disk encryption set.");
                }
            } else if (isAzureType(args.type, ...DISK_ENCRYPTION_SETS)) {
                if (diskEncryptionSetKeyRefs(args.props).length === 0) {
                    reportViolation("This disk encryption set does not name a Key Vault or Managed HSM key.");
                }
            }
        },
        // No automatic remediation: the rule cannot know which disk encryption set (and key) a disk should use.
    },
);
