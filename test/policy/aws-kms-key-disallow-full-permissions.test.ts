import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-disallow-full-permissions";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const IAM = "aws:iam/policy:Policy";
const ROOT = { Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root"] }, Action: "kms:*", Resource: "*" };
const ADMINS = { Sid: "KeyAdministrators", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:role/admin"] }, Action: ["kms:Create*", "kms:Describe*", "kms:Put*"], Resource: "*" };
const USERS = { Sid: "KeyUsers", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:role/app"] }, Action: ["kms:Decrypt", "kms:Encrypt"], Resource: "*" };
const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const keyMsg = (n: number) => `Statement ${n} of this key policy grants all KMS actions to a principal other than the account root.`;
const iamMsg = (n: number) => `Statement ${n} of this IAM policy allows decryption with every KMS key.`;

test("keyfabric's shape (kms:* for the account root, specific actions for roles) is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, ADMINS, USERS) } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { policy: policy({ ...ROOT, Principal: { AWS: "111122223333" } }) } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { policy: policy({ ...ROOT, Principal: { AWS: "arn:aws-us-gov:iam::111122223333:root" } }) } })).toEqual({ violations: [] });
});

test.each([
    ["kms:* to a role", { ...USERS, Action: "kms:*" }],
    ['"*" to a role', { ...USERS, Action: "*" }],
    ["kms:* in a list, case-insensitive", { ...USERS, Action: ["kms:Decrypt", "KMS:*"] }],
    ["kms:* to the root and a role together", { ...ROOT, Principal: { AWS: ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/app"] } }],
    ["kms:* to everyone", { ...ROOT, Principal: "*" }],
    ["kms:* to a service", { ...ROOT, Principal: { Service: "logs.amazonaws.com" } }],
    ["NotAction excluding only non-KMS actions", { ...USERS, Action: undefined, NotAction: "s3:*" }],
])("%s is a violation", async (_n, statement) => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, statement) } })).toEqual({ violations: [{ message: keyMsg(2) }] });
});

test("a Deny of kms:* is never a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, { ...USERS, Effect: "Deny", Action: "kms:*" }) } })).toEqual({ violations: [] });
});

test("configured break-glass principals may hold kms:*", async () => {
    const breakGlass = { ...USERS, Principal: { AWS: "arn:aws:iam::111122223333:role/break-glass" }, Action: "kms:*" };
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, breakGlass) } })).toEqual({ violations: [{ message: keyMsg(2) }] });
    expect(await checkResource(rule, { type: KEY, props: { policy: policy(ROOT, breakGlass) } }, { allowedPrincipals: ["arn:aws:iam::111122223333:role/break-glass"] })).toEqual({ violations: [] });
});

test.each(["aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey", "aws:kms/keyPolicy:KeyPolicy"])(
    "applies to the key policy of %s",
    async (type) => {
        expect(await checkResource(rule, { type, props: { policy: policy({ ...USERS, Action: "kms:*" }) } })).toEqual({ violations: [{ message: keyMsg(1) }] });
    },
);

const DECRYPT_ALL = { Effect: "Allow", Action: ["kms:Decrypt"], Resource: "*" };
const DECRYPT_ONE = { Effect: "Allow", Action: ["kms:Decrypt"], Resource: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd" };

test("an IAM policy limited to specific keys is compliant", async () => {
    expect(await checkResource(rule, { type: IAM, props: { policy: policy(DECRYPT_ONE, { Effect: "Allow", Action: "s3:*", Resource: "*" }) } })).toEqual({ violations: [] });
});

test.each([
    ["kms:Decrypt on *", DECRYPT_ALL],
    ["kms:ReEncryptFrom through kms:ReEncrypt*", { ...DECRYPT_ALL, Action: "kms:ReEncrypt*" }],
    ["kms:* on every key of an account", { ...DECRYPT_ALL, Action: "kms:*", Resource: "arn:aws:kms:*:111122223333:key/*" }],
    ['"*" on "*"', { ...DECRYPT_ALL, Action: "*" }],
    ["NotResource excluding something else", { Effect: "Allow", Action: "kms:Decrypt", NotResource: "arn:aws:s3:::bucket" }],
])("an IAM policy allowing %s is a violation", async (_n, statement) => {
    expect(await checkResource(rule, { type: IAM, props: { policy: policy(DECRYPT_ONE, statement) } })).toEqual({ violations: [{ message: iamMsg(2) }] });
});

test.each(["aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"])("inline IAM policies (%s) are checked too", async (type) => {
    expect(await checkResource(rule, { type, props: { policy: JSON.parse(policy(DECRYPT_ALL)) } })).toEqual({ violations: [{ message: iamMsg(1) }] });
});

test.each([
    ["an IAM policy allowing only encryption on every key", IAM, { policy: policy({ ...DECRYPT_ALL, Action: ["kms:Encrypt", "kms:GenerateDataKey*"] }) }],
    ["a key without a policy", KEY, {}],
    ["another resource type", "aws:s3/bucketPolicy:BucketPolicy", { policy: policy(DECRYPT_ALL) }],
])("not applicable: %s", async (_n, type, props) => {
    expect(await checkResource(rule, { type, props })).toEqual({ violations: [] });
});

test("an unknown policy at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { policy: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: IAM, props: { policy: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});
