import { resourceRule } from "../lib/rule";
import { TYPES, vaultProps, vaultResource } from "../lib/azure";
import { days } from "../lib/props";

/**
 * Catalogue rows 16 and 3: soft delete on, with a retention of at least the configured days. The default minimum is
 * Azure's own (7 days): CIS Azure 8.5 and Checkov CKV_AZURE_111 / CKV_AZURE_42 ask for soft delete and purge
 * protection, not a retention; a longer minimum is a choice (keyfabric-hierarchy-enforce-deletion-safety asks 30).
 */
export const rule = resourceRule(
    {
        name: "azure-keyvault-vault-enable-soft-delete",
        description:
            "Azure Key Vaults and Managed HSMs must keep soft delete on (azure-native properties.enableSoftDelete is not false; the classic provider cannot turn it off) with a retention (azure-native softDeleteRetentionInDays, classic softDeleteRetentionDays; 90 days when unset) of at least minRetentionDays (by default Azure's minimum, 7 days: CIS and Checkov ask for soft delete, not a retention).",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.5 Ensure the Key Vault is Recoverable" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_111, CKV_AZURE_42" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0016" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "8.3.4 Key Destruction" },
        ],
        remediation:
            "Set properties.enableSoftDelete: true and softDeleteRetentionInDays to at least minRetentionDays (7-90) on the azure-native keyvault.Vault or ManagedHsm, or softDeleteRetentionDays on the classic keyvault.KeyVault or ManagedHardwareSecurityModule (or leave it unset: 90 days). The retention period is fixed when the vault is created.",
        catalogueRows: [16, 3],
        resourceTypes: [...TYPES.vault, ...TYPES.managedHsm],
        configSchema: {
            properties: {
                minRetentionDays: {
                    type: "integer",
                    default: 7,
                    minimum: 7,
                    maximum: 90,
                    description: "The shortest allowed soft-delete retention, in days (Azure accepts 7-90; the default, 7, accepts every retention Azure allows).",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            const t = vaultResource(args.type);
            if (!t) return;
            const { minRetentionDays } = args.getConfig<{ minRetentionDays: number }>();
            const retention = vaultProps.softDeleteRetentionDays(t, args.props);
            if (vaultProps.softDeleteDisabled(t, args.props)) reportViolation(`Soft delete is disabled on this ${t.what}.`);
            if (typeof retention !== "number") {
                reportViolation(`The soft-delete retention of this ${t.what} is not a number of days; at least ${days(minRetentionDays)} required.`);
            } else if (retention < minRetentionDays) {
                reportViolation(`This ${t.what} keeps deleted objects for ${days(retention)}; at least ${days(minRetentionDays)} required.`);
            }
        },
        // Safe: Azure has made soft delete mandatory for every vault (it can no longer be turned off), so setting
        // enableSoftDelete: true only makes the program say what Azure does anyway. The retention is not remediated:
        // it is fixed at creation, so changing it could only fail or replace the vault.
        // The classic provider has no setting to remediate (soft delete is always on there).
        remediateResource: (args) => {
            if (vaultResource(args.type)?.provider !== "native") return undefined;
            if (args.props.properties?.enableSoftDelete !== false) return undefined;
            return { ...args.props, properties: { ...args.props.properties, enableSoftDelete: true } };
        },
    },
);
