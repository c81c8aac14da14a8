import { resourceRule } from "../lib/rule";
import { asArray, durationDays } from "../lib/props";

const KEY = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Key$/;

/** A Key's properties: nested under `properties` in inputs, flattened to the top level in state (outputs). */
const keyProperties = (props: Record<string, any>): Record<string, any> => props.properties ?? props;

/** Catalogue row 21: every key expires (a fixed date, or, when accepted, a rotation policy that expires versions). */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-configure-expiry",
        description:
            "Azure Key Vault keys must expire: properties.attributes.expires set, or (with acceptRotationPolicyExpiry, the default) a rotation policy that rotates the key and gives new versions an expiry (rotationPolicy.attributes.expiryTime). Managed HSM keys of the classic provider are checked by azure-keyvault-managedhsmkey-configure-rotation-policy.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.1 Ensure that the Expiration Date is set for all Keys in RBAC Key Vaults; 8.2 ... in Non-RBAC Key Vaults" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_40" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0014" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.3 Cryptoperiods" },
        ],
        remediation:
            "Set properties.attributes.expires (seconds since the epoch) on the azure-native keyvault.Key, or a rotationPolicy with attributes.expiryTime (e.g. \"P395D\") and a rotate lifetime action (keyfabric AzureKey's rotationDays does this).",
        catalogueRows: [21],
        resourceTypes: ["azure-native:keyvault:Key"],
        configSchema: {
            properties: {
                acceptRotationPolicyExpiry: {
                    type: "boolean",
                    default: true,
                    description:
                        "Accept a rotation policy with expiryTime and a rotate action instead of attributes.expires (the expiry then applies to versions created by rotation; the first version is replaced at the first rotation). Set false for the strict CIS reading.",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (!KEY.test(args.type)) return;
            const key = keyProperties(args.props);
            const expires = key.attributes?.expires;
            if (typeof expires === "number" && expires > 0) return;
            const { acceptRotationPolicyExpiry } = args.getConfig<{ acceptRotationPolicyExpiry: boolean }>();
            if (acceptRotationPolicyExpiry) {
                const policy = key.rotationPolicy;
                const expiryDays = durationDays(policy?.attributes?.expiryTime);
                const rotates = asArray<any>(policy?.lifetimeActions).some((a) => typeof a?.action?.type === "string" && a.action.type.toLowerCase() === "rotate");
                if (expiryDays !== undefined && expiryDays > 0 && rotates) return;
            }
            reportViolation(
                acceptRotationPolicyExpiry
                    ? "This Key Vault key has no expiration date and no rotation policy that expires its versions."
                    : "This Key Vault key has no expiration date.",
            );
        },
        // No automatic remediation: an expiry date is a decision about the key's cryptoperiod, and an expired key
        // stops encrypting: choosing it for someone could take a service down on a date nobody planned.
    },
);
