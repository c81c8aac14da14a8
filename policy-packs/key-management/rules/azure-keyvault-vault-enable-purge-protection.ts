import { resourceRule } from "../lib/rule";
import { TYPES, vaultProps, vaultResource } from "../lib/azure";

/** Catalogue row 15: deleted vaults and keys cannot be purged before the retention period ends. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-vault-enable-purge-protection",
        description:
            "Azure Key Vaults and Managed HSMs must have purge protection enabled (azure-native properties.enablePurgeProtection; classic purgeProtectionEnabled), so that a deleted vault or key cannot be purged before its soft-delete retention ends. A Key Vault without the setting has it off, as does a classic Managed HSM; an azure-native Managed HSM has it on by default.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.5 Ensure the Key Vault is Recoverable" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_110, CKV_AZURE_42" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0016" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "8.3.4 Key Destruction" },
        ],
        remediation:
            "Set properties.enablePurgeProtection: true on the azure-native keyvault.Vault or ManagedHsm, or purgeProtectionEnabled: true on the classic keyvault.KeyVault or ManagedHardwareSecurityModule. It cannot be turned off again, and a purge-protected vault's name stays taken until its retention ends after deletion.",
        catalogueRows: [15],
        resourceTypes: [...TYPES.vault, ...TYPES.managedHsm],
    },
    {
        validateResource: (args, reportViolation) => {
            const t = vaultResource(args.type);
            if (!t) return;
            const enabled = vaultProps.purgeProtection(t, args.props);
            if (t.kind === "managedHsm" && t.provider === "native") {
                // Azure turns purge protection on for a Managed HSM created without the setting.
                if (enabled === false) reportViolation("Purge protection is disabled on this Managed HSM.");
            } else if (enabled !== true) {
                // Key Vaults default to off; the classic provider sends purgeProtectionEnabled false when unset.
                reportViolation(`Purge protection is not enabled on this ${t.what}.`);
            }
        },
        // No automatic remediation, deliberately: purge protection is irreversible (Azure never lets it be turned off)
        // and keeps the vault name reserved for up to 90 days after deletion, which breaks teardown/recreate of
        // ephemeral environments. A one-way change to a production resource is an operator's decision, not a policy's.
    },
);
