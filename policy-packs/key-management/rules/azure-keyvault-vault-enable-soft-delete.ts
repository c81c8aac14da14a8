import { resourceRule } from "../lib/rule";

const VAULT = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Vault$/;
const MANAGED_HSM = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:ManagedHsm$/;
/** Azure's soft-delete retention when none is set. */
const AZURE_DEFAULT_RETENTION_DAYS = 90;

const isVaultLike = (type: string) => VAULT.test(type) || MANAGED_HSM.test(type);

/** Catalogue rows 16 and 3: soft delete on, with a retention of at least the configured days. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-vault-enable-soft-delete",
        description:
            "Azure Key Vaults and Managed HSMs must keep soft delete on (properties.enableSoftDelete is not false) with a retention (softDeleteRetentionInDays, 90 days when unset) of at least minRetentionDays.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.5 Ensure the Key Vault is Recoverable" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_111, CKV_AZURE_42" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0016" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "8.3.4 Key Destruction" },
        ],
        remediation:
            "Set properties.enableSoftDelete: true and softDeleteRetentionInDays to at least minRetentionDays (7-90) on the azure-native keyvault.Vault or ManagedHsm. The retention period is fixed when the vault is created.",
        catalogueRows: [16, 3],
        resourceTypes: ["azure-native:keyvault:Vault", "azure-native:keyvault:ManagedHsm"],
        configSchema: {
            properties: {
                minRetentionDays: {
                    type: "integer",
                    default: 90,
                    minimum: 7,
                    maximum: 90,
                    description: "The shortest allowed soft-delete retention, in days (Azure accepts 7-90).",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (!isVaultLike(args.type)) return;
            const what = VAULT.test(args.type) ? "Key Vault" : "Managed HSM";
            const { minRetentionDays } = args.getConfig<{ minRetentionDays: number }>();
            const enabled = args.props.properties?.enableSoftDelete;
            const retention = args.props.properties?.softDeleteRetentionInDays ?? AZURE_DEFAULT_RETENTION_DAYS;
            if (enabled === false) reportViolation(`Soft delete is disabled on this ${what}.`);
            if (typeof retention !== "number" || retention < minRetentionDays) {
                reportViolation(`The soft-delete retention of this ${what} is shorter than the configured minimum of ${minRetentionDays} days.`);
            }
        },
        // Safe: Azure has made soft delete mandatory for every vault (it can no longer be turned off), so setting
        // enableSoftDelete: true only makes the program say what Azure does anyway. The retention is not remediated:
        // it is fixed at creation, so changing it could only fail or replace the vault.
        remediateResource: (args) => {
            if (!isVaultLike(args.type)) return undefined;
            if (args.props.properties?.enableSoftDelete !== false) return undefined;
            return { ...args.props, properties: { ...args.props.properties, enableSoftDelete: true } };
        },
    },
);
