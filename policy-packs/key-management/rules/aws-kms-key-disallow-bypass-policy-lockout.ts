import { resourceRule } from "../lib/rule";
import { KEY_POLICY_TYPES } from "../lib/aws";

/** Catalogue row 7: the policy-lockout safety check stays on for every key and key policy. */
export const rule = resourceRule(
    {
        name: "aws-kms-key-disallow-bypass-policy-lockout",
        description:
            "AWS KMS keys and key policies must not bypass the policy lockout safety check, which prevents a key policy from making the key unmanageable.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            { name: "Pulumi compliance-policies", version: "1", reference: "aws-kms-key-disallow-bypass-policy-lockout-safety-check" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Remove bypassPolicyLockoutSafetyCheck (or set it to false) on the aws.kms.Key, ExternalKey, ReplicaKey, ReplicaExternalKey or KeyPolicy, and keep a principal that can manage the key in its policy.",
        catalogueRows: [7],
        resourceTypes: [...KEY_POLICY_TYPES],
    },
    {
        validateResource: (args, reportViolation) => {
            if (!KEY_POLICY_TYPES.includes(args.type)) return;
            if (args.props.bypassPolicyLockoutSafetyCheck === true) {
                reportViolation("This key policy bypasses the policy lockout safety check.");
            }
        },
        // Safe: with the check on, AWS rejects a policy that would lock the key out instead of applying it; no data,
        // policy or access changes.
        remediateResource: (args) => {
            if (!KEY_POLICY_TYPES.includes(args.type) || args.props.bypassPolicyLockoutSafetyCheck !== true) return undefined;
            return { ...args.props, bypassPolicyLockoutSafetyCheck: false };
        },
    },
);
