import { resourceRule } from "../lib/rule";

const ACCOUNT = /^azure-native:storage(?:\/v[0-9a-z]+)?:StorageAccount$/;

/** Catalogue row 12: consuming services encrypt under a customer-managed key of the hierarchy. */
export const rule = resourceRule(
    {
        name: "azure-storage-storageaccount-require-customer-managed-key",
        description:
            "Azure storage accounts must encrypt with a customer-managed key in Key Vault or Managed HSM (encryption.keySource \"Microsoft.Keyvault\" with keyVaultProperties keyName and keyVaultUri), not only Microsoft-managed keys.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures protect the keys that protect stored account data" },
            { name: "Pulumi compliance-policies", version: "1", reference: "*-configure-customer-managed-key" },
        ],
        remediation:
            'Set encryption: { keySource: "Microsoft.Keyvault", keyVaultProperties: { keyName, keyVaultUri }, encryptionIdentity } on the azure-native storage.StorageAccount, and grant its identity Key Vault Crypto Service Encryption User on the key.',
        catalogueRows: [12],
        resourceTypes: ["azure-native:storage:StorageAccount"],
    },
    {
        validateResource: (args, reportViolation) => {
            if (!ACCOUNT.test(args.type)) return;
            const encryption = args.props.encryption;
            const source = encryption?.keySource;
            const customer = typeof source === "string" && source.toLowerCase() === "microsoft.keyvault";
            const filled = (v: unknown) => typeof v === "string" && v.trim() !== "";
            if (!customer || !filled(encryption?.keyVaultProperties?.keyName) || !filled(encryption?.keyVaultProperties?.keyVaultUri)) {
                reportViolation("This storage account does not encrypt with a customer-managed key.");
            }
        },
        // No automatic remediation: the rule cannot know which key (and which identity and role assignment) to use.
    },
);
