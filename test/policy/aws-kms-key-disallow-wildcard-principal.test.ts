import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-disallow-wildcard-principal";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const ROOT = { Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root"] }, Action: "kms:*", Resource: "*" };
const USERS = { Sid: "KeyUsers", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:role/app"] }, Action: ["kms:Decrypt", "kms:Encrypt"], Resource: "*" };
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const policy = (...statements: object[]) => JSON.stringify(doc(...statements));
const msg = (n: number) => `Statement ${n} of this key policy allows every principal without a condition that restricts it to specific accounts or organizations.`;
const wildcard = (extra: object = {}) => ({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", ...extra });

test("a policy naming its principals is compliant (string or object, keyfabric's shape)", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, USERS) } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { policy: doc(ROOT, USERS) } })).toEqual({ violations: [] });
});

test.each([
    ['Principal "*"', { Principal: "*" }],
    ['Principal { AWS: "*" }', { Principal: { AWS: "*" } }],
    ['a principal list containing "*"', { Principal: { AWS: ["arn:aws:iam::111122223333:role/app", "*"] } }],
    ["NotPrincipal (everyone except)", { Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::111122223333:role/x" } }],
])("%s without a condition is a violation", async (_n, extra) => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, wildcard(extra)) } })).toEqual({ violations: [{ message: msg(2) }] });
});

test("each offending statement is reported by its position, never by its content", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(wildcard(), ROOT, wildcard({ Action: "kms:*" })) } })).toEqual({
        violations: [{ message: msg(1) }, { message: msg(3) }],
    });
});

test.each([
    ["aws:PrincipalOrgID", { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } }],
    ["kms:CallerAccount (list)", { StringEquals: { "kms:CallerAccount": ["111122223333", "444455556666"] } }],
    ["aws:SourceAccount", { StringEquals: { "aws:SourceAccount": "111122223333" } }],
    ["aws:PrincipalAccount, key case-insensitive", { StringEquals: { "AWS:PrincipalAccount": "111122223333" } }],
    ["aws:PrincipalArn with a fixed account", { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/*" } }],
    ["aws:PrincipalOrgPaths under a fixed organization", { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/*" } }],
])("a condition on %s restricts the wildcard", async (_n, Condition) => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, wildcard({ Condition })) } })).toEqual({ violations: [] });
});

test.each([
    ["a wildcard value", { StringLike: { "aws:PrincipalOrgID": "*" } }],
    ["an ARN with a wildcard account", { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:root" } }],
    ["IfExists (true when the key is absent)", { StringEqualsIfExists: { "aws:SourceAccount": "111122223333" } }],
    ["a negated operator", { StringNotEquals: { "aws:PrincipalAccount": "111122223333" } }],
    ["ForAllValues (true when the key is absent)", { "ForAllValues:StringEquals": { "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/" } }],
    ["a policy variable", { StringEquals: { "aws:SourceAccount": "${aws:PrincipalAccount}" } }],
    ["a key that does not pin accounts", { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } }],
])("a condition with %s does not restrict the wildcard", async (_n, Condition) => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, wildcard({ Condition })) } })).toEqual({ violations: [{ message: msg(2) }] });
});

test("a Deny for everyone outside a fixed organization restricts every wildcard Allow", async () => {
    const guard = { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", Condition: { StringNotEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } };
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, wildcard(), guard) } })).toEqual({ violations: [] });
    // A Deny narrowed by a second condition, or covering only some actions, is not a guard.
    const narrowed = { ...guard, Condition: { ...guard.Condition, Bool: { "aws:SecureTransport": "false" } } };
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, wildcard(), narrowed) } })).toEqual({ violations: [{ message: msg(2) }] });
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, wildcard(), { ...guard, Action: "kms:Encrypt" }) } })).toEqual({ violations: [{ message: msg(2) }] });
});

test("a Deny statement with a wildcard principal is never a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, { Effect: "Deny", Principal: "*", Action: "kms:ScheduleKeyDeletion", Resource: "*" }) } })).toEqual({ violations: [] });
});

test("a custom list of restricting condition keys is honoured", async () => {
    const viaVpce = wildcard({ Condition: { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } } });
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(viaVpce) } })).toEqual({ violations: [{ message: msg(1) }] });
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(viaVpce) } }, { restrictingConditionKeys: ["aws:SourceVpce"] })).toEqual({ violations: [] });
});

test.each(["aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey", "aws:kms/keyPolicy:KeyPolicy"])(
    "applies to %s",
    async (type) => {
        expect(await checkResource(rule, { type, props: { policy: policy(wildcard()) } })).toEqual({ violations: [{ message: msg(1) }] });
    },
);

test.each([
    ["a key without a policy (AWS's default: the account only)", KEY, {}],
    ["a policy that is not JSON", KEY, { policy: "not json" }],
    ["an IAM policy", "aws:iam/policy:Policy", { policy: policy(wildcard()) }],
])("not applicable to %s", async (_n, type, props) => {
    expect(await checkResource(rule, { type, props })).toEqual({ violations: [] });
});

test("an unknown policy at preview makes the rule not run (never parsed), never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: { policy: doc(ROOT, { ...wildcard(), Principal: { AWS: UNKNOWN } }) } })).toEqual({ violations: [], unknown: true });
});

test("mandatory and critical by default, with no remediation (policies are never rewritten)", () => {
    expect([rule.enforcementLevel, rule.severity, rule.remediateResource]).toEqual(["mandatory", "critical", undefined]);
});
