import { resourceRule } from "../lib/rule";
import { coversAction, coversAllKmsActions, IAM_POLICY_TYPES, isAccountRoot, KEY_POLICY_TYPES, Statement, statementsOf } from "../lib/aws";

interface Config {
    allowedPrincipals: string[];
}

/** Decryption actions Security Hub KMS.1/KMS.2 block on all keys. */
const DECRYPT_ACTIONS = ["kms:Decrypt", "kms:ReEncryptFrom"];

/** A resource pattern that covers every KMS key: `*`, or a KMS ARN whose resource part is `*` or `key/*`. */
const ALL_KEYS = /^arn:[^:]+:kms:[^:]*:[^:]*:(?:\*|key\/\*)$/i;

function coversAllKeys(st: Statement): boolean {
    if (st.notResource) return !st.resources.some((r) => r === "*" || /^arn:[^:]+:kms:/i.test(r));
    return st.resources.some((r) => r === "*" || ALL_KEYS.test(r));
}

/**
 * Catalogue row 6. Key policies: `kms:*` (or `*`, or an Allow with `NotAction`) only for the account root, which
 * delegates to IAM (keyfabric's owner statement), or configured break-glass principals. IAM identity policies
 * (managed and inline): no decryption with every key in the account.
 */
export const rule = resourceRule(
    {
        name: "aws-kms-key-disallow-full-permissions",
        description:
            "AWS KMS key policies must grant all KMS actions only to the account root, and IAM policies must not allow decryption with every KMS key.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "AWS Security Hub", version: "FSBP", reference: "KMS.1 IAM customer managed policies should not allow decryption actions on all KMS keys" },
            { name: "AWS Security Hub", version: "FSBP", reference: "KMS.2 IAM principals should not have IAM inline policies that allow decryption actions on all KMS keys" },
            { name: "KICS", version: "2", reference: "KMS Key With Full Permissions" },
            { name: "PCI DSS", version: "4.0", reference: "7.2.2 Access is assigned based on job classification and function, with least privileges necessary" },
        ],
        remediation:
            "In key policies, grant kms:* only to the account root and give administrators and users the specific actions of their role; in IAM policies, list the key ARNs a principal may decrypt with instead of Resource \"*\".",
        catalogueRows: [6],
        resourceTypes: [...KEY_POLICY_TYPES, ...IAM_POLICY_TYPES],
        configSchema: {
            properties: {
                allowedPrincipals: {
                    type: "array",
                    items: { type: "string", minLength: 1 },
                    default: [],
                    description: "Principal ARNs (e.g. a break-glass role) that may hold all KMS actions in a key policy besides the account root.",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            const keyPolicy = KEY_POLICY_TYPES.includes(args.type);
            if (!keyPolicy && !IAM_POLICY_TYPES.includes(args.type)) return;
            const statements = statementsOf(args.props.policy);
            if (!statements) return;
            if (keyPolicy) {
                const { allowedPrincipals } = args.getConfig<Config>();
                for (const st of statements) {
                    if (st.effect !== "Allow" || !coversAllKmsActions(st)) continue;
                    const owners = !st.notPrincipal && st.principals.length > 0 && st.principals.every((p) => isAccountRoot(p) || allowedPrincipals.includes(p.value));
                    if (owners) continue;
                    reportViolation(`Statement ${st.index} of this key policy grants all KMS actions to a principal other than the account root.`);
                }
                return;
            }
            for (const st of statements) {
                if (st.effect !== "Allow" || !DECRYPT_ACTIONS.some((a) => coversAction(st, a)) || !coversAllKeys(st)) continue;
                reportViolation(`Statement ${st.index} of this IAM policy allows decryption with every KMS key.`);
            }
        },
    },
);
