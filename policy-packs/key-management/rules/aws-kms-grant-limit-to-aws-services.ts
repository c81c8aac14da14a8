import { asArray } from "../lib/props";
import { resourceRule } from "../lib/rule";
import { appliesToEveryone, AWS, coversAction, hasBoolCondition, isAccountRoot, isServicePrincipal, KEY_POLICY_TYPES, Statement, statementsOf } from "../lib/aws";

interface Config {
    allowDirectGrants: boolean;
}

const GRANT_CONDITION = "kms:GrantIsForAWSResource";
const TYPES = [...KEY_POLICY_TYPES, AWS.grant];

/** `Deny` everyone `kms:CreateGrant` when `kms:GrantIsForAWSResource` is false: limits every Allow of the document. */
const isGrantGuard = (st: Statement) =>
    st.effect === "Deny" && appliesToEveryone(st) && coversAction(st, "kms:CreateGrant") && st.conditions.length === 1 && hasBoolCondition(st, GRANT_CONDITION, "false");

/**
 * Catalogue row 11. Key policies: every Allow statement that covers kms:CreateGrant (also through `kms:*`,
 * `kms:Create*`, ...) carries `Bool: { "kms:GrantIsForAWSResource": "true" }`, unless its principals are only account
 * roots (which delegate to IAM, out of a key policy's sight) or AWS service principals, or a Deny statement denies
 * grant creation for non-AWS resources to everyone. aws.kms.Grant resources: never confer CreateGrant (re-delegation),
 * and, when allowDirectGrants is false, do not exist at all (grants then come only from AWS services, as CT.KMS.PV.1
 * enforces with an SCP).
 */
export const rule = resourceRule(
    {
        name: "aws-kms-grant-limit-to-aws-services",
        description:
            "AWS KMS key policies must allow creating grants only for AWS services acting for a principal (kms:GrantIsForAWSResource), and KMS grants must not allow their grantees to create further grants.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            {
                name: "AWS Control Tower",
                version: "proactive controls",
                reference: "CT.KMS.PR.3 Require an AWS KMS key policy to have a statement that limits creation of AWS KMS grants to AWS services",
            },
            {
                name: "AWS Control Tower",
                version: "preventive controls",
                reference: "CT.KMS.PV.1 Require an AWS KMS key policy to have a statement that limits creation of AWS KMS grants to AWS services",
            },
            { name: "PCI DSS", version: "4.0", reference: "7.2.2 Access is assigned based on job classification and function, with least privileges necessary" },
        ],
        remediation:
            "Add the condition \"Bool\": { \"kms:GrantIsForAWSResource\": \"true\" } to key policy statements that allow kms:CreateGrant (including kms:Create* and kms:*) for principals other than the account root, and remove CreateGrant from the operations of aws.kms.Grant resources.",
        catalogueRows: [11],
        resourceTypes: TYPES,
        configSchema: {
            properties: {
                allowDirectGrants: {
                    type: "boolean",
                    default: true,
                    description: "Whether the program may create aws.kms.Grant resources for principals; false follows CT.KMS.PV.1 (grants only from AWS services).",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type === AWS.grant) {
                const { allowDirectGrants } = args.getConfig<Config>();
                if (!allowDirectGrants) {
                    reportViolation("This grant gives a principal direct use of the key, and grants are limited to AWS services acting for a principal.");
                    return;
                }
                if (asArray(args.props.operations).some((op) => typeof op === "string" && op.toLowerCase() === "creategrant")) {
                    reportViolation("This grant allows its grantee to create further grants.");
                }
                return;
            }
            if (!KEY_POLICY_TYPES.includes(args.type)) return;
            const statements = statementsOf(args.props.policy);
            if (!statements || statements.some(isGrantGuard)) return;
            for (const st of statements) {
                if (st.effect !== "Allow" || !coversAction(st, "kms:CreateGrant")) continue;
                if (!st.notPrincipal && st.principals.length > 0 && st.principals.every((p) => isAccountRoot(p) || isServicePrincipal(p))) continue;
                if (hasBoolCondition(st, GRANT_CONDITION, "true")) continue;
                reportViolation(`Statement ${st.index} of this key policy allows creating grants that are not for AWS resources.`);
            }
        },
    },
);
