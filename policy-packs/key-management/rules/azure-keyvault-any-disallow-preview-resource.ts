import { resourceRule } from "../lib/rule";

/** An azure-native Key Vault resource pinned to a preview API version, e.g. `azure-native:keyvault/v20240401preview:Vault`. */
const PREVIEW = /^azure-native:keyvault\/v\d{8}[0-9a-z]*preview:/i;

/** Catalogue row 35: no preview API versions for key resources. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-any-disallow-preview-resource",
        description:
            "Azure Key Vault resources (vaults, keys, Managed HSMs, access policies, private endpoint connections, ...) must not use a preview API version of the azure-native provider: preview APIs have no SLA and can change or disappear.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Pulumi compliance-policies", version: "1", reference: "azurenative-keyvault-*-disallow-preview-resource" },
            { name: "PCI DSS", version: "4.0", reference: "6.3 Security vulnerabilities are identified and addressed (supported components)" },
        ],
        remediation: "Use the default (stable) API version: the resource class from @pulumi/azure-native/keyvault instead of a versioned v20xx…preview module.",
        catalogueRows: [35],
        resourceTypes: ["azure-native:keyvault/*preview:*"],
    },
    {
        validateResource: (args, reportViolation) => {
            if (PREVIEW.test(args.type)) reportViolation("This Key Vault resource uses a preview API version of the Azure provider.");
        },
        // No automatic remediation: the API version is part of the type token, which a policy cannot change.
    },
);
