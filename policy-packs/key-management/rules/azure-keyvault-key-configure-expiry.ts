import { resourceRule } from "../lib/rule";
import { keyProps, keyResource, TYPES } from "../lib/azure";

/** Catalogue row 21: every key expires (a fixed date, or, when accepted, a rotation policy that expires versions). */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-configure-expiry",
        description:
            "Azure Key Vault and Managed HSM keys must expire: an expiry date (azure-native properties.attributes.expires; classic expirationDate), or (with acceptRotationPolicyExpiry, the default) a rotation policy that rotates the key and gives new versions an expiry (azure-native rotationPolicy.attributes.expiryTime with a rotate action; classic rotationPolicy.expireAfter with an automatic block). A classic Managed HSM key's rotation policy is a separate resource, checked by azure-keyvault-managedhsmkey-configure-rotation-policy: with acceptRotationPolicyExpiry, this rule leaves such keys without expirationDate to it.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.1 Ensure that the Expiration Date is set for all Keys in RBAC Key Vaults; 8.2 ... in Non-RBAC Key Vaults" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_40" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0014" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.3 Cryptoperiods" },
        ],
        remediation:
            'Set properties.attributes.expires (seconds since the epoch) on the azure-native keyvault.Key, or a rotationPolicy with attributes.expiryTime (e.g. "P395D") and a rotate lifetime action (keyfabric AzureKey\'s rotationDays does this); on the classic keyvault.Key set expirationDate, or rotationPolicy { automatic: { timeAfterCreation: "P365D" }, expireAfter: "P395D" }; on a classic ManagedHardwareSecurityModuleKey set expirationDate or add its ManagedHardwareSecurityModuleKeyRotationPolicy.',
        catalogueRows: [21],
        resourceTypes: [...TYPES.key, ...TYPES.managedHsmKey],
        configSchema: {
            properties: {
                acceptRotationPolicyExpiry: {
                    type: "boolean",
                    default: true,
                    description:
                        "Accept a rotation policy with an expiry (expiryTime / expireAfter) and a rotation instead of a fixed expiry date (the expiry then applies to versions created by rotation; the first version is replaced at the first rotation). Set false for the strict CIS reading.",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            const t = keyResource(args.type);
            if (!t) return;
            if (keyProps.hasExpiry(t, args.props)) return;
            const { acceptRotationPolicyExpiry } = args.getConfig<{ acceptRotationPolicyExpiry: boolean }>();
            if (acceptRotationPolicyExpiry) {
                // The separate rotation policy of a classic Managed HSM key, which must have expireAfter, is judged by
                // the stack rule azure-keyvault-managedhsmkey-configure-rotation-policy.
                if (t.kind === "managedHsmKey") return;
                const rotation = keyProps.rotation(t, args.props);
                if (rotation.rotates && rotation.expiryDays !== undefined && rotation.expiryDays > 0) return;
            }
            reportViolation(
                acceptRotationPolicyExpiry
                    ? `This ${t.what} has no expiration date and no rotation policy that expires its versions.`
                    : `This ${t.what} has no expiration date.`,
            );
        },
        // No automatic remediation: an expiry date is a decision about the key's cryptoperiod, and an expired key
        // stops encrypting: choosing it for someone could take a service down on a date nobody planned.
    },
);
