import { resourceRule } from "../lib/rule";
import { AZURE_TYPES, cosmosAccountKeyRefs, isAzureType } from "../lib/consumers-azure";

const ACCOUNTS = [AZURE_TYPES.nativeCosmosAccount, AZURE_TYPES.classicCosmosAccount];

/** Catalogue row 12 (Cosmos DB): the account's data is encrypted under the key keyVaultKeyUri / keyVaultKeyId names. */
export const rule = resourceRule(
    {
        name: "azure-cosmosdb-account-require-customer-managed-key",
        description:
            "Azure Cosmos DB accounts must encrypt data at rest with a customer-managed key in Key Vault or Managed HSM (azure-native cosmosdb.DatabaseAccount keyVaultKeyUri; azure cosmosdb.Account keyVaultKeyId), not only with service-managed keys.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AZURE_100 Ensure that Cosmos DB accounts have customer-managed keys to encrypt data at rest" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            "Set keyVaultKeyUri (azure-native cosmosdb.DatabaseAccount) or keyVaultKeyId (azure cosmosdb.Account) to the versionless URI of a Key Vault key, and let the identity the account reaches Key Vault with (defaultIdentity / defaultIdentityType) get, wrap and unwrap with that key.",
        catalogueRows: [12],
        resourceTypes: ACCOUNTS,
    },
    {
        validateResource: (args, reportViolation) => {
            if (!isAzureType(args.type, ...ACCOUNTS)) return;
            if (cosmosAccountKeyRefs(args.props).length === 0) {
                reportViolation("This Cosmos DB account does not encrypt with a customer-managed key.");
            }
        },
        // No automatic remediation: the rule cannot know which key and identity to use.
    },
);
