import { resourceRule } from "../lib/rule";
import { aksDiskEncryptionSetRefs, aksKmsKeyRefs, AZURE_TYPES, isAzureType } from "../lib/consumers-azure";

const CLUSTERS = [AZURE_TYPES.nativeAksCluster, AZURE_TYPES.classicAksCluster];

/**
 * Catalogue row 12 (AKS). Two kinds of data at rest: the nodes' OS and data disks (a disk encryption set) and the
 * Kubernetes secrets in etcd (KMS etcd encryption with a Key Vault key). Both default to Microsoft-managed keys; the
 * etcd check can be turned off (requireKmsEtcdEncryption) where only the disks are in scope, as in CKV_AZURE_117.
 */
export const rule = resourceRule(
    {
        name: "azure-containerservice-cluster-require-customer-managed-key",
        description:
            "AKS clusters must encrypt their node OS and data disks with a customer-managed key through a disk encryption set (azure-native containerservice.ManagedCluster diskEncryptionSetID; azure containerservice.KubernetesCluster diskEncryptionSetId) and, unless requireKmsEtcdEncryption is false, encrypt Kubernetes secrets in etcd with a Key Vault key (securityProfile.azureKeyVaultKms enabled with keyId; keyManagementService.keyVaultKeyId).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AZURE_117 Ensure that AKS uses disk encryption set" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            "Set diskEncryptionSetID (azure-native containerservice.ManagedCluster) or diskEncryptionSetId (azure containerservice.KubernetesCluster) to a disk encryption set for a Key Vault key (a create-time setting: changing it replaces the cluster), and enable KMS etcd encryption: securityProfile.azureKeyVaultKms { enabled: true, keyId, keyVaultNetworkAccess } or keyManagementService { keyVaultKeyId, keyVaultNetworkAccess }, with the cluster identity allowed to encrypt and decrypt with the key.",
        catalogueRows: [12],
        resourceTypes: CLUSTERS,
        configSchema: {
            properties: {
                requireKmsEtcdEncryption: {
                    type: "boolean",
                    default: true,
                    description: "Also require KMS etcd encryption of Kubernetes secrets with a Key Vault key. Set false to check only the node disks (as CKV_AZURE_117 does).",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (!isAzureType(args.type, ...CLUSTERS)) return;
            if (aksDiskEncryptionSetRefs(args.props).length === 0) {
                reportViolation("The node disks of this AKS cluster are not encrypted with a customer-managed key (no disk encryption set).");
            }
            const { requireKmsEtcdEncryption } = args.getConfig<{ requireKmsEtcdEncryption: boolean }>();
            if (requireKmsEtcdEncryption && aksKmsKeyRefs(args.props).length === 0) {
                reportViolation("This AKS cluster does not encrypt Kubernetes secrets in etcd with a Key Vault key (KMS etcd encryption).");
            }
        },
        // No automatic remediation: the rule cannot know which disk encryption set or key to use.
    },
);
