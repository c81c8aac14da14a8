import { resourceRule } from "../lib/rule";
import { AWS, KMS_KEY_TYPES } from "../lib/aws";

/** `isEnabled` on aws.kms.Key, `enabled` on the external and replica keys; all default to enabled. */
const enabledProperty = (type: string) => (type === AWS.key ? "isEnabled" : "enabled");

/** Catalogue row 8: keys are not created (or left) disabled. */
export const rule = resourceRule(
    {
        name: "aws-kms-key-enable-key",
        description: "AWS KMS keys must not be disabled in the program.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [{ name: "Checkov", version: "3", reference: "CKV_AWS_227 Ensure KMS key is enabled" }],
        remediation:
            "Remove isEnabled: false from the aws.kms.Key (enabled: false from an ExternalKey, ReplicaKey or ReplicaExternalKey), or delete the key through its deletion window if it is no longer needed.",
        catalogueRows: [8],
        resourceTypes: [...KMS_KEY_TYPES],
    },
    {
        // No remediation: a key may have been disabled on purpose (e.g. during an incident); enabling it is a decision.
        validateResource: (args, reportViolation) => {
            if (!KMS_KEY_TYPES.includes(args.type)) return;
            if (args.props[enabledProperty(args.type)] === false) {
                reportViolation("This KMS key is disabled.");
            }
        },
    },
);
