import { rule } from "../../policy-packs/key-management/rules/aws-sns-topic-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, SNS_TOPIC } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const TOPIC = "aws:sns/topic:Topic";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = { name: "alerts", kmsMasterKeyId: "alias/alerts", displayName: "Alerts" };
const NOT_CMK = { violations: [{ message: "This SNS topic does not encrypt with a customer-managed KMS key." }] };

test.each([CMK, "alias/alerts", "arn:aws:kms:eu-west-1:111122223333:alias/alerts"])("a topic encrypted with a customer-managed key (%s) is compliant", async (kmsMasterKeyId) => {
    expect(await checkResource(rule, { type: TOPIC, props: { ...compliant, kmsMasterKeyId } })).toEqual({ violations: [] });
});

test.each([
    ["unencrypted (no kmsMasterKeyId)", { kmsMasterKeyId: undefined }],
    ["on the aws/sns alias", { kmsMasterKeyId: "alias/aws/sns" }],
    ["on the aws/sns alias ARN", { kmsMasterKeyId: "arn:aws:kms:us-east-1:111122223333:alias/aws/sns" }],
    ["with a blank key id", { kmsMasterKeyId: "  " }],
])("a topic %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: TOPIC, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("state: an unencrypted topic has an empty kmsMasterKeyId", async () => {
    expect(await checkResource(rule, { type: TOPIC, props: { name: "alerts", kmsMasterKeyId: "", arn: "arn:aws:sns:eu-west-1:111122223333:alerts" } })).toEqual(NOT_CMK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:sns/topicSubscription:TopicSubscription", props: { topic: "t", protocol: "sqs", endpoint: "q" } })).toEqual({ violations: [] });
});

test("a key unknown at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: TOPIC, props: { ...compliant, kmsMasterKeyId: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entry names the topic's key", () => {
    expect(consumerFor([AWS_CONSUMERS], TOPIC)).toBe(SNS_TOPIC);
    expect(SNS_TOPIC.keyRefs(compliant)).toEqual(["alias/alerts"]);
    expect(SNS_TOPIC.keyRefs({ kmsMasterKeyId: "alias/aws/sns" })).toEqual([]);
});
