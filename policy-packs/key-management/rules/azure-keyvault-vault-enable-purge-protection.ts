import { resourceRule } from "../lib/rule";

/** azure-native tokens, also with an explicit API version (`azure-native:keyvault/v20230701:Vault`). */
const VAULT = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Vault$/;
const MANAGED_HSM = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:ManagedHsm$/;

/** Catalogue row 15: deleted vaults and keys cannot be purged before the retention period ends. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-vault-enable-purge-protection",
        description:
            "Azure Key Vaults and Managed HSMs must have purge protection enabled (properties.enablePurgeProtection), so that a deleted vault or key cannot be purged before its soft-delete retention ends. A vault without the property has it off; a Managed HSM has it on by default.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.5 Ensure the Key Vault is Recoverable" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_110, CKV_AZURE_42" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0016" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "8.3.4 Key Destruction" },
        ],
        remediation:
            "Set properties.enablePurgeProtection: true on the azure-native keyvault.Vault or ManagedHsm. It cannot be turned off again, and a purge-protected vault's name stays taken until its retention ends after deletion.",
        catalogueRows: [15],
        resourceTypes: ["azure-native:keyvault:Vault", "azure-native:keyvault:ManagedHsm"],
    },
    {
        validateResource: (args, reportViolation) => {
            if (VAULT.test(args.type)) {
                if (args.props.properties?.enablePurgeProtection !== true) {
                    reportViolation("Purge protection is not enabled on this Key Vault.");
                }
            } else if (MANAGED_HSM.test(args.type)) {
                if (args.props.properties?.enablePurgeProtection === false) {
                    reportViolation("Purge protection is disabled on this Managed HSM.");
                }
            }
        },
        // No automatic remediation, deliberately: purge protection is irreversible (Azure never lets it be turned off)
        // and keeps the vault name reserved for up to 90 days after deletion, which breaks teardown/recreate of
        // ephemeral environments. A one-way change to a production resource is an operator's decision, not a policy's.
    },
);
