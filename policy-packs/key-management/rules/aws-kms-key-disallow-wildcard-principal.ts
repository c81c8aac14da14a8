import { resourceRule } from "../lib/rule";
import { appliesToEveryone, DEFAULT_RESTRICTING_KEYS, isOutsiderDeny, isRestrictingCondition, KEY_POLICY_TYPES, statementsOf } from "../lib/aws";

interface Config {
    restrictingConditionKeys: string[];
}


/**
 * Catalogue row 5: no key policy statement opens the key to every principal. A statement that allows `"*"` (or any
 * principal type `"*"`, or uses `NotPrincipal`) is compliant only when a condition pins it to fixed accounts or
 * organizations (e.g. `aws:PrincipalOrgID`, `kms:CallerAccount`), or when a Deny statement of the same document
 * denies everyone outside fixed accounts or organizations.
 */
export const rule = resourceRule(
    {
        name: "aws-kms-key-disallow-wildcard-principal",
        description:
            "AWS KMS key policies must not allow every principal (\"*\") unless a condition restricts the statement to specific accounts or organizations.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            { name: "AWS Security Hub", version: "FSBP", reference: "KMS.5 KMS keys should not be publicly accessible" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_33 Ensure KMS key policy does not contain wildcard (*) principal" },
            { name: "KICS", version: "2", reference: "KMS Key With Vulnerable Policy" },
            { name: "PCI DSS", version: "4.0", reference: "7.2.2 Access is assigned based on job classification and function, with least privileges necessary" },
        ],
        remediation:
            "Name the principals (account roots, roles, users, services) in the key policy, or add a condition with fixed values on aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount, kms:CallerAccount or a similar key to every statement that allows \"*\".",
        catalogueRows: [5],
        resourceTypes: [...KEY_POLICY_TYPES],
        configSchema: {
            properties: {
                restrictingConditionKeys: {
                    type: "array",
                    items: { type: "string", minLength: 1 },
                    default: DEFAULT_RESTRICTING_KEYS,
                    description: "Condition keys that, compared with fixed values by a positive operator, restrict a wildcard-principal statement to specific accounts or organizations.",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (!KEY_POLICY_TYPES.includes(args.type)) return;
            const statements = statementsOf(args.props.policy);
            if (!statements) return; // no policy (AWS default: account root only) or not a JSON document
            const { restrictingConditionKeys: keys } = args.getConfig<Config>();
            if (statements.some((st) => isOutsiderDeny(st, keys))) return;
            for (const st of statements) {
                if (st.effect !== "Allow" || !appliesToEveryone(st)) continue;
                if (st.conditions.some((c) => isRestrictingCondition(c, keys))) continue;
                reportViolation(`Statement ${st.index} of this key policy allows every principal without a condition that restricts it to specific accounts or organizations.`);
            }
        },
    },
);
