import { rule } from "../../policy-packs/key-management/rules/aws-kinesis-stream-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, KINESIS_STREAM } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const STREAM = "aws:kinesis/stream:Stream";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = { name: "clicks", shardCount: 2, retentionPeriod: 48, encryptionType: "KMS", kmsKeyId: CMK };
const NOT_CMK = { violations: [{ message: "This Kinesis data stream does not encrypt with a customer-managed KMS key." }] };

test.each([CMK, "alias/clicks", "1234abcd-12ab-34cd-56ef-1234567890ab"])("a stream encrypted with a customer-managed key (%s) is compliant", async (kmsKeyId) => {
    expect(await checkResource(rule, { type: STREAM, props: { ...compliant, kmsKeyId } })).toEqual({ violations: [] });
});

test.each([
    ["unencrypted by default", { encryptionType: undefined, kmsKeyId: undefined }],
    ["with encryptionType NONE", { encryptionType: "NONE", kmsKeyId: undefined }],
    ["with a key but encryptionType NONE", { encryptionType: "NONE" }],
    ["on the alias/aws/kinesis key", { kmsKeyId: "alias/aws/kinesis" }],
    ["on the aws/kinesis alias ARN", { kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/kinesis" }],
    ["on aws/kinesis written without alias/", { kmsKeyId: "aws/kinesis" }],
    ["with encryptionType KMS and no key", { kmsKeyId: undefined }],
])("a stream %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: STREAM, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("state: an unencrypted stream is recorded as NONE with an empty kmsKeyId", async () => {
    expect(await checkResource(rule, { type: STREAM, props: { name: "clicks", encryptionType: "NONE", kmsKeyId: "", arn: "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks" } })).toEqual(NOT_CMK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:kinesis/streamConsumer:StreamConsumer", props: { name: "c", streamArn: "arn" } })).toEqual({ violations: [] });
});

test("values unknown at preview make the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: STREAM, props: { ...compliant, kmsKeyId: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: STREAM, props: { ...compliant, encryptionType: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entry names the stream's key", () => {
    expect(consumerFor([AWS_CONSUMERS], STREAM)).toBe(KINESIS_STREAM);
    expect(KINESIS_STREAM.keyRefs(compliant)).toEqual([CMK]);
});
