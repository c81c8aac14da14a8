import { resourceRule } from "../lib/rule";
import { KMS_KEY_TYPES } from "../lib/aws";

/** Catalogue row 9: every key says what it protects. */
export const rule = resourceRule(
    {
        name: "aws-kms-key-require-description",
        description: "AWS KMS keys (including external and replica keys) must have a non-empty description.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [{ name: "Pulumi compliance-policies", version: "1", reference: "aws-kms-key-missing-description" }],
        remediation: "Set description on the key to what it protects and who owns it.",
        catalogueRows: [9],
        resourceTypes: [...KMS_KEY_TYPES],
    },
    {
        // No remediation: only a person can say what a key is for.
        validateResource: (args, reportViolation) => {
            if (!KMS_KEY_TYPES.includes(args.type)) return;
            const description = args.props.description;
            if (typeof description !== "string" || description.trim() === "") {
                reportViolation("This KMS key has no description.");
            }
        },
    },
);
