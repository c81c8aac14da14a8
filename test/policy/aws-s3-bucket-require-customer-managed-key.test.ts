import { rule } from "../../policy-packs/key-management/rules/aws-s3-bucket-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, S3_BUCKET, S3_BUCKET_V2, S3_ENCRYPTION_CONFIGURATION } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const byDefault = (d: object) => ({ bucket: "data", rules: [{ applyServerSideEncryptionByDefault: d, bucketKeyEnabled: true }] });
const compliant = byDefault({ sseAlgorithm: "aws:kms", kmsMasterKeyId: CMK });
const NOT_CMK = { violations: [{ message: "The default encryption of this bucket does not use a customer-managed KMS key." }] };

test.each([SSE, SSE_V2])("%s: SSE-KMS (or DSSE-KMS) with a customer-managed key is compliant", async (type) => {
    expect(await checkResource(rule, { type, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type, props: byDefault({ sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: "alias/payments" }) })).toEqual({ violations: [] });
});

test.each([
    ["SSE-S3 (AES256)", byDefault({ sseAlgorithm: "AES256" })],
    ["SSE-KMS without a key (aws/s3)", byDefault({ sseAlgorithm: "aws:kms" })],
    ["the aws/s3 alias", byDefault({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" })],
    ["the aws/s3 alias ARN", byDefault({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/s3" })],
    ["a rule without default encryption", { bucket: "data", rules: [{ bucketKeyEnabled: true }] }],
    ["no rules", { bucket: "data", rules: [] }],
])("an encryption configuration with %s is a violation", async (_n, props) => {
    expect(await checkResource(rule, { type: SSE, props })).toEqual(NOT_CMK);
});

test("a bucket's inline configuration is reported when it chooses KMS without a customer-managed key", async () => {
    const bucket = (d: object) => ({ serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: d } } });
    expect(await checkResource(rule, { type: "aws:s3/bucket:Bucket", props: bucket({ sseAlgorithm: "aws:kms", kmsMasterKeyId: CMK }) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "aws:s3/bucket:Bucket", props: bucket({ sseAlgorithm: "aws:kms" }) })).toEqual(NOT_CMK);
    const v2 = (d: object) => ({ serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefaults: [d] }] }] });
    expect(await checkResource(rule, { type: "aws:s3/bucketV2:BucketV2", props: v2({ sseAlgorithm: "aws:kms", kmsMasterKeyId: CMK }) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "aws:s3/bucketV2:BucketV2", props: v2({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" }) })).toEqual(NOT_CMK);
});

test("inline SSE-S3 and buckets without inline configuration are not reported (state records AES256 for every bucket)", async () => {
    expect(await checkResource(rule, { type: "aws:s3/bucket:Bucket", props: { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } } } })).toEqual({
        violations: [],
    });
    expect(await checkResource(rule, { type: "aws:s3/bucket:Bucket", props: { bucket: "data" } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:ebs/volume:Volume", props: byDefault({ sseAlgorithm: "AES256" }) })).toEqual({ violations: [] });
});

test("a key reference unknown at preview (a key's ARN from the same program) is never a violation", async () => {
    expect(await checkResource(rule, { type: SSE, props: byDefault({ sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN }) })).toEqual({ violations: [] });
});

test("other unknown values at preview make the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: SSE, props: byDefault({ sseAlgorithm: UNKNOWN, kmsMasterKeyId: CMK }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: SSE, props: { bucket: "data", rules: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entries name the bucket's key (a bucket without inline configuration names none)", () => {
    expect(consumerFor([AWS_CONSUMERS], SSE)).toBe(S3_ENCRYPTION_CONFIGURATION);
    expect(consumerFor([AWS_CONSUMERS], SSE_V2)).toBe(S3_ENCRYPTION_CONFIGURATION);
    expect(consumerFor([AWS_CONSUMERS], "aws:s3/bucket:Bucket")).toBe(S3_BUCKET);
    expect(consumerFor([AWS_CONSUMERS], "aws:s3/bucketV2:BucketV2")).toBe(S3_BUCKET_V2);
    expect(S3_ENCRYPTION_CONFIGURATION.keyRefs(compliant)).toEqual([CMK]);
    expect(S3_ENCRYPTION_CONFIGURATION.keyRefs(byDefault({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" }))).toEqual([]);
    expect(S3_BUCKET.keyRefs({ serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: CMK } } } })).toEqual([CMK]);
    expect(S3_BUCKET.keyRefs({ bucket: "data" })).toEqual([]);
    expect(S3_BUCKET_V2.keyRefs({ serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "AES256" }] }] }] })).toEqual([]);
});
