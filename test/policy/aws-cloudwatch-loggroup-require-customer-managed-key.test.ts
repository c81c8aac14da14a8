import { rule } from "../../policy-packs/key-management/rules/aws-cloudwatch-loggroup-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, CLOUDWATCH_LOG_GROUP } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = { name: "/aws/lambda/payments", retentionInDays: 365, kmsKeyId: CMK };
const NOT_CMK = { violations: [{ message: "This CloudWatch log group does not encrypt with a customer-managed KMS key." }] };

test("a log group encrypted with a customer-managed key is compliant", async () => {
    expect(await checkResource(rule, { type: LOG_GROUP, props: compliant })).toEqual({ violations: [] });
});

test.each([
    ["without kmsKeyId (CloudWatch Logs' own encryption)", { kmsKeyId: undefined }],
    ["with an AWS managed alias", { kmsKeyId: "alias/aws/logs" }],
    ["with an AWS managed alias ARN", { kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/logs" }],
])("a log group %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: LOG_GROUP, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("state: a log group without a key has an empty kmsKeyId", async () => {
    expect(await checkResource(rule, { type: LOG_GROUP, props: { name: "/ecs/api", kmsKeyId: "", retentionInDays: 0, logGroupClass: "STANDARD" } })).toEqual(NOT_CMK);
});

test("low severity: CloudWatch Logs always encrypts at rest", () => {
    expect(rule.severity).toBe("low");
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:cloudwatch/logStream:LogStream", props: { name: "s", logGroupName: "g" } })).toEqual({ violations: [] });
});

test("a key unknown at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: LOG_GROUP, props: { ...compliant, kmsKeyId: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entry names the log group's key", () => {
    expect(consumerFor([AWS_CONSUMERS], LOG_GROUP)).toBe(CLOUDWATCH_LOG_GROUP);
    expect(CLOUDWATCH_LOG_GROUP.keyRefs(compliant)).toEqual([CMK]);
});
