import { resourceRule } from "../lib/rule";
import { isAzureType } from "../lib/consumers-azure";

const NATIVE_SECRET = "azure-native:keyvault:Secret";
const CLASSIC_SECRET = "azure:keyvault/secret:Secret";

/**
 * Catalogue row 21's expiry, for secrets (the catalogue's row is for keys; CIS numbers the secret controls next to
 * it). Both shapes are the same in inputs and state: azure-native nests the attributes under `properties` in both.
 * Only the attributes are read, never the secret's value.
 */
export const rule = resourceRule(
    {
        name: "azure-keyvault-secret-configure-expiry",
        description:
            "Azure Key Vault secrets must have an expiration date: properties.attributes.expires (seconds since the epoch) on an azure-native keyvault.Secret, expirationDate (RFC 3339) on an azure keyvault.Secret.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.3 Ensure that the Expiration Date is set for all Secrets in RBAC Key Vaults; 8.4 ... in Non-RBAC Key Vaults" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_41 Ensure that the expiration date is set on all secrets" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0017 Key Vault Secret should have an expiration date set" },
        ],
        remediation:
            'Set properties.attributes.expires (seconds since the epoch) on the azure-native keyvault.Secret, or expirationDate (e.g. "2027-01-31T00:00:00Z") on the azure keyvault.Secret, and rotate the secret before that date.',
        catalogueRows: [21],
        resourceTypes: [NATIVE_SECRET, CLASSIC_SECRET],
    },
    {
        validateResource: (args, reportViolation) => {
            if (isAzureType(args.type, NATIVE_SECRET)) {
                const expires = args.props.properties?.attributes?.expires;
                if (!(typeof expires === "number" && expires > 0)) reportViolation("This Key Vault secret has no expiration date.");
            } else if (args.type === CLASSIC_SECRET) {
                const date = args.props.expirationDate;
                if (!(typeof date === "string" && date.trim() !== "")) reportViolation("This Key Vault secret has no expiration date.");
            }
        },
        // No automatic remediation: an expiry date is a decision about the secret's lifetime (and the rotation that
        // must come before it) that the rule cannot make for its owner.
    },
);
