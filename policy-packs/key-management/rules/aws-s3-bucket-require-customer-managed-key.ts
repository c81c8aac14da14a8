import { asArray, isObject } from "../lib/props";
import { resourceRule } from "../lib/rule";
import { customerManagedKeyRef } from "../lib/aws";

const SSE_CONFIGURATIONS = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
const TYPES = [...SSE_CONFIGURATIONS, BUCKET, BUCKET_V2];
const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** The `applyServerSideEncryptionByDefault` blocks of a bucket's inline configuration (Bucket: one rule; BucketV2: lists). */
function inlineDefaults(type: string, props: Record<string, any>): unknown[] {
    if (type === BUCKET) {
        const sse = props.serverSideEncryptionConfiguration;
        return isObject(sse) && isObject(sse.rule) ? [sse.rule.applyServerSideEncryptionByDefault] : [];
    }
    return asArray(props.serverSideEncryptionConfigurations).flatMap((c) =>
        isObject(c) ? asArray(c.rules).flatMap((r) => (isObject(r) ? asArray(r.applyServerSideEncryptionByDefaults) : [])) : [],
    );
}

/** KMS encryption whose key is known not to be customer-managed (unset: S3 uses aws/s3; or an `alias/aws/...`). */
const kmsWithoutCmk = (d: unknown) => isObject(d) && KMS_ALGORITHMS.includes(d.sseAlgorithm) && customerManagedKeyRef(d, "kmsMasterKeyId") === false;

/** SSE-KMS with a customer-managed key, or a key reference still unknown at preview. */
const usesCmk = (d: unknown) => isObject(d) && KMS_ALGORITHMS.includes(d.sseAlgorithm) && customerManagedKeyRef(d, "kmsMasterKeyId") !== false;

/**
 * Catalogue row 12 (S3). The dedicated encryption configuration resources must use SSE-KMS (or DSSE-KMS) with a
 * customer-managed key in every rule. A bucket's inline configuration is checked only when it chooses KMS: inline
 * SSE-S3 (AES256) is not reported, because state records the S3 default (AES256) for every bucket whose encryption is
 * set by a separate configuration resource, and the rule must give the same answer on state as on a preview.
 */
export const rule = resourceRule(
    {
        name: "aws-s3-bucket-require-customer-managed-key",
        description: "S3 bucket default encryption must use SSE-KMS with a customer-managed KMS key, not SSE-S3 or the AWS managed aws/s3 key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Pulumi compliance-policies", version: "1", reference: "aws-s3-bucket-configure-server-side-encryption-customer-managed-key" },
            { name: "tfsec", version: "1", reference: "aws-s3-encryption-customer-key" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Use an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm \"aws:kms\" and kmsMasterKeyId set to a customer-managed key's ARN (e.g. a keyfabric key's keyArn).",
        catalogueRows: [12],
        resourceTypes: TYPES,
    },
    {
        validateResource: (args, reportViolation) => {
            if (SSE_CONFIGURATIONS.includes(args.type)) {
                const defaults = asArray(args.props.rules).map((r) => (isObject(r) ? r.applyServerSideEncryptionByDefault : undefined));
                if (defaults.length === 0 || !defaults.every(usesCmk)) {
                    reportViolation("The default encryption of this bucket does not use a customer-managed KMS key.");
                }
                return;
            }
            if (args.type !== BUCKET && args.type !== BUCKET_V2) return;
            if (inlineDefaults(args.type, args.props).some(kmsWithoutCmk)) {
                reportViolation("The default encryption of this bucket does not use a customer-managed KMS key.");
            }
        },
    },
);
