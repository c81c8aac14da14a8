import { rule } from "../../policy-packs/key-management/rules/aws-sqs-queue-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, SQS_QUEUE } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const QUEUE = "aws:sqs/queue:Queue";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = { name: "orders", kmsMasterKeyId: CMK, kmsDataKeyReusePeriodSeconds: 300, visibilityTimeoutSeconds: 30 };
const NOT_CMK = { violations: [{ message: "This SQS queue does not encrypt with a customer-managed KMS key." }] };

test.each([CMK, "1234abcd-12ab-34cd-56ef-1234567890ab", "alias/orders", "arn:aws:kms:eu-west-1:111122223333:alias/orders"])(
    "a queue encrypted with a customer-managed key (%s) is compliant",
    async (kmsMasterKeyId) => {
        expect(await checkResource(rule, { type: QUEUE, props: { ...compliant, kmsMasterKeyId } })).toEqual({ violations: [] });
    },
);

test.each([
    ["without encryption settings (SSE-SQS by default)", { kmsMasterKeyId: undefined }],
    ["on SQS-managed encryption (sqsManagedSseEnabled)", { kmsMasterKeyId: undefined, sqsManagedSseEnabled: true }],
    ["with SQS-managed encryption off and no key", { kmsMasterKeyId: undefined, sqsManagedSseEnabled: false }],
    ["on the aws/sqs alias", { kmsMasterKeyId: "alias/aws/sqs" }],
    ["on the aws/sqs alias ARN", { kmsMasterKeyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/sqs" }],
    ["with an empty key id", { kmsMasterKeyId: "" }],
])("a queue %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: QUEUE, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("state: SSE-SQS is recorded as sqsManagedSseEnabled with an empty kmsMasterKeyId", async () => {
    expect(await checkResource(rule, { type: QUEUE, props: { name: "orders", kmsMasterKeyId: "", sqsManagedSseEnabled: true } })).toEqual(NOT_CMK);
    expect(await checkResource(rule, { type: QUEUE, props: { name: "orders", kmsMasterKeyId: CMK, sqsManagedSseEnabled: false } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:sqs/queuePolicy:QueuePolicy", props: { queueUrl: "https://sqs", policy: "{}" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "aws:sns/topic:Topic", props: {} })).toEqual({ violations: [] });
});

test("a key unknown at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: QUEUE, props: { ...compliant, kmsMasterKeyId: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entry names the queue's key, and is the table's entry for the type", () => {
    expect(consumerFor([AWS_CONSUMERS], QUEUE)).toBe(SQS_QUEUE);
    expect(SQS_QUEUE.keyRefs(compliant)).toEqual([CMK]);
    expect(SQS_QUEUE.keyRefs({ sqsManagedSseEnabled: true })).toEqual([]);
});
