import { resourceRule } from "../lib/rule";
import { asArray, AZURE_ROTATION_FRAMEWORKS, rotateAfterDays } from "../lib/props";

const KEY = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Key$/;

/** A Key's properties: nested under `properties` in inputs, flattened to the top level in state (outputs). */
const keyProperties = (props: Record<string, any>): Record<string, any> => props.properties ?? props;

/** Catalogue rows 23 and 2: a rotation policy that rotates within the configured cryptoperiod. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-configure-rotation-policy",
        description:
            "Azure Key Vault keys must have a rotation policy (properties.rotationPolicy) with a rotate lifetime action that fires no later than maxRotationDays after a version is created (trigger timeAfterCreate, or expiryTime minus timeBeforeExpiry).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: AZURE_ROTATION_FRAMEWORKS,
        remediation:
            'Set properties.rotationPolicy on the azure-native keyvault.Key: lifetimeActions [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P365D" } }, { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } }] and attributes.expiryTime (keyfabric AzureKey\'s rotationDays does this).',
        catalogueRows: [23, 2],
        resourceTypes: ["azure-native:keyvault:Key"],
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
            if (!KEY.test(args.type)) return;
            const policy = keyProperties(args.props).rotationPolicy;
            if (policy === undefined || policy === null) {
                reportViolation("This Key Vault key has no rotation policy.");
                return;
            }
            const rotations = asArray<any>(policy.lifetimeActions).filter((a) => typeof a?.action?.type === "string" && a.action.type.toLowerCase() === "rotate");
            if (rotations.length === 0) {
                reportViolation("The rotation policy of this Key Vault key never rotates it (no rotate action).");
                return;
            }
            const periods = rotations.map((a) => rotateAfterDays(a?.trigger?.timeAfterCreate, a?.trigger?.timeBeforeExpiry, policy.attributes?.expiryTime)).filter((d): d is number => d !== undefined);
            const { maxRotationDays } = args.getConfig<{ maxRotationDays: number }>();
            if (periods.length === 0) {
                reportViolation("The rotate action of this Key Vault key's rotation policy has no trigger that is an ISO 8601 duration.");
            } else if (Math.min(...periods) > maxRotationDays) {
                reportViolation(`This Key Vault key rotates less often than the configured maximum of ${maxRotationDays} days.`);
            }
        },
        // No automatic remediation: a rotation creates a new version, and consumers pinned to a key version, or
        // holding an asymmetric key's public key, would need to follow it.
    },
);
