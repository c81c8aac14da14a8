import { rule } from "../../policy-packs/key-management/rules/aws-kms-grant-limit-to-aws-services";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const GRANT = "aws:kms/grant:Grant";
const ROOT = { Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root"] }, Action: "kms:*", Resource: "*" };
const SERVICE_USERS = {
    Sid: "KeyServiceUsers",
    Effect: "Allow",
    Principal: { AWS: ["arn:aws:iam::111122223333:role/app"] },
    Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
    Resource: "*",
    Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
};
const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const msg = (n: number) => `Statement ${n} of this key policy allows creating grants that are not for AWS resources.`;

test("keyfabric's shape (root owner, service users with the condition) is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, SERVICE_USERS) } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, { ...SERVICE_USERS, Condition: { Bool: { "kms:GrantIsForAWSResource": true } } }) } })).toEqual({
        violations: [],
    });
});

test.each([
    ["without the condition", { ...SERVICE_USERS, Condition: undefined }],
    ["with the condition false", { ...SERVICE_USERS, Condition: { Bool: { "kms:GrantIsForAWSResource": "false" } } }],
    ["with BoolIfExists (true when absent)", { ...SERVICE_USERS, Condition: { BoolIfExists: { "kms:GrantIsForAWSResource": "true" } } }],
    ["through kms:Create* (administrators)", { ...SERVICE_USERS, Action: ["kms:Create*", "kms:Describe*"], Condition: undefined }],
    ["through kms:* for a role", { ...SERVICE_USERS, Action: "kms:*", Condition: undefined }],
    ["to everyone", { ...SERVICE_USERS, Principal: "*", Condition: undefined }],
])("kms:CreateGrant %s is a violation", async (_n, statement) => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, statement) } })).toEqual({ violations: [{ message: msg(2) }] });
});

test("service principals may create grants without the condition", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, { ...SERVICE_USERS, Principal: { Service: "logs.amazonaws.com" }, Condition: undefined }) } })).toEqual({
        violations: [],
    });
});

test("a Deny of CreateGrant for non-AWS resources to everyone limits every Allow", async () => {
    const guard = { Effect: "Deny", Principal: { AWS: "*" }, Action: "kms:CreateGrant", Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": "false" } } };
    const open = { ...SERVICE_USERS, Action: "kms:*", Condition: undefined };
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, open, guard) } })).toEqual({ violations: [] });
    const narrowed = { ...guard, Condition: { ...guard.Condition, StringEquals: { "aws:PrincipalAccount": "444455556666" } } };
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, open, narrowed) } })).toEqual({ violations: [{ message: msg(2) }] });
});

test.each(["aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey", "aws:kms/keyPolicy:KeyPolicy"])(
    "applies to the key policy of %s",
    async (type) => {
        expect(await checkResource(rule, { type, props: { policy: policy({ ...SERVICE_USERS, Condition: undefined }) } })).toEqual({ violations: [{ message: msg(1) }] });
    },
);

const grant = { keyId: "1234abcd", granteePrincipal: "arn:aws:iam::111122223333:role/app", operations: ["Decrypt", "Encrypt", "GenerateDataKey"] };

test("a grant of usage operations is compliant by default", async () => {
    expect(await checkResource(rule, { type: GRANT, props: grant })).toEqual({ violations: [] });
});

test("a grant conferring CreateGrant is a violation", async () => {
    expect(await checkResource(rule, { type: GRANT, props: { ...grant, operations: ["Decrypt", "CreateGrant"] } })).toEqual({
        violations: [{ message: "This grant allows its grantee to create further grants." }],
    });
});

test("with allowDirectGrants false, every grant resource is a violation", async () => {
    expect(await checkResource(rule, { type: GRANT, props: grant }, { allowDirectGrants: false })).toEqual({
        violations: [{ message: "This grant gives a principal direct use of the key, and grants are limited to AWS services acting for a principal." }],
    });
});

test.each([
    ["a key without a policy", KEY, {}],
    ["a statement without CreateGrant", KEY, { policy: policy(ROOT, { ...SERVICE_USERS, Action: ["kms:Decrypt"], Condition: undefined }) }],
    ["a Deny of CreateGrant", KEY, { policy: policy(ROOT, { ...SERVICE_USERS, Effect: "Deny", Condition: undefined }) }],
    ["an IAM policy", "aws:iam/policy:Policy", { policy: policy({ Effect: "Allow", Action: "kms:CreateGrant", Resource: "*" }) }],
])("not applicable: %s", async (_n, type, props) => {
    expect(await checkResource(rule, { type, props })).toEqual({ violations: [] });
});

test("unknown values at preview make the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: GRANT, props: { ...grant, operations: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});
