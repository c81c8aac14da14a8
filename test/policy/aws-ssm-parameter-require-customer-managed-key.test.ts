import { rule } from "../../policy-packs/key-management/rules/aws-ssm-parameter-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, SSM_PARAMETER } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const PARAMETER = "aws:ssm/parameter:Parameter";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = { name: "/payments/db-password", type: "SecureString", value: "s3cr3t-value", keyId: CMK, tier: "Standard" };
const NOT_CMK = { violations: [{ message: "This SSM SecureString parameter does not encrypt with a customer-managed KMS key." }] };

test("a SecureString parameter encrypted with a customer-managed key is compliant", async () => {
    expect(await checkResource(rule, { type: PARAMETER, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: PARAMETER, props: { ...compliant, keyId: "alias/payments" } })).toEqual({ violations: [] });
});

test.each([
    ["without keyId (alias/aws/ssm)", { keyId: undefined }],
    ["on the alias/aws/ssm key", { keyId: "alias/aws/ssm" }],
    ["on the aws/ssm alias ARN", { keyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/ssm" }],
])("a SecureString parameter %s is a violation, without echoing its value", async (_n, change) => {
    const result = await checkResource(rule, { type: PARAMETER, props: { ...compliant, ...change } });
    expect(result).toEqual(NOT_CMK);
    expect(JSON.stringify(result)).not.toContain("s3cr3t");
});

test("state: the default key is recorded as keyId alias/aws/ssm", async () => {
    expect(await checkResource(rule, { type: PARAMETER, props: { name: "/payments/db-password", type: "SecureString", value: "s3cr3t-value", keyId: "alias/aws/ssm", version: 1 } })).toEqual(NOT_CMK);
});

test("String and StringList parameters, and other resource types, are not checked", async () => {
    expect(await checkResource(rule, { type: PARAMETER, props: { name: "/payments/region", type: "String", value: "eu-west-1" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: PARAMETER, props: { name: "/payments/zones", type: "StringList", value: "a,b", keyId: "" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "aws:ssm/document:Document", props: { name: "d", documentType: "Command" } })).toEqual({ violations: [] });
});

test("a type or key unknown at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: PARAMETER, props: { ...compliant, keyId: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: PARAMETER, props: { ...compliant, type: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entry names the parameter's key", () => {
    expect(consumerFor([AWS_CONSUMERS], PARAMETER)).toBe(SSM_PARAMETER);
    expect(SSM_PARAMETER.keyRefs(compliant)).toEqual([CMK]);
    expect(SSM_PARAMETER.keyRefs({ type: "String", keyId: CMK })).toEqual([]);
});
