import { resourceRule } from "../lib/rule";
import { AZURE_ROTATION_FRAMEWORKS, days } from "../lib/props";
import { keyProps, keyResource, TYPES } from "../lib/azure";

/** Catalogue rows 23 and 2: a rotation policy that rotates within the configured cryptoperiod. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-configure-rotation-policy",
        description:
            "Azure Key Vault keys must have a rotation policy that rotates them no later than maxRotationDays after a version is created: azure-native properties.rotationPolicy with a rotate lifetime action (trigger timeAfterCreate, or expiryTime minus timeBeforeExpiry); classic rotationPolicy with an automatic block (timeAfterCreation, or expireAfter minus timeBeforeExpiry). Classic Managed HSM keys are checked by azure-keyvault-managedhsmkey-configure-rotation-policy.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: AZURE_ROTATION_FRAMEWORKS,
        remediation:
            'Set properties.rotationPolicy on the azure-native keyvault.Key: lifetimeActions [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P365D" } }, { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } }] and attributes.expiryTime (keyfabric AzureKey\'s rotationDays does this); on the classic keyvault.Key set rotationPolicy { automatic: { timeAfterCreation: "P365D" }, expireAfter: "P395D", notifyBeforeExpiry: "P30D" }.',
        catalogueRows: [23, 2],
        resourceTypes: [...TYPES.key],
        configSchema: {
            properties: {
                maxRotationDays: {
                    type: "integer",
                    default: 365,
                    minimum: 7,
                    maximum: 3650,
                    description: "The longest allowed time between rotations, in days (Azure's minimum rotation period is 7 days).",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            const t = keyResource(args.type);
            if (t?.kind !== "key") return;
            const rotation = keyProps.rotation(t, args.props);
            if (!rotation.present) {
                reportViolation("This Key Vault key has no rotation policy.");
                return;
            }
            if (!rotation.rotates) {
                reportViolation(
                    t.provider === "native"
                        ? "The rotation policy of this Key Vault key never rotates it (no rotate action)."
                        : "The rotation policy of this Key Vault key never rotates it (no automatic block).",
                );
                return;
            }
            const { maxRotationDays } = args.getConfig<{ maxRotationDays: number }>();
            if (rotation.rotateAfterDays.length === 0) {
                reportViolation(
                    `The ${t.provider === "native" ? "rotate action" : "automatic rotation"} of this Key Vault key's rotation policy has no trigger that is an ISO 8601 duration.`,
                );
            } else if (Math.min(...rotation.rotateAfterDays) > maxRotationDays) {
                reportViolation(`This Key Vault key rotates every ${days(Math.min(...rotation.rotateAfterDays))}; at most ${days(maxRotationDays)} allowed.`);
            }
        },
        // No automatic remediation: a rotation creates a new version, and consumers pinned to a key version, or
        // holding an asymmetric key's public key, would need to follow it.
    },
);
