import { resourceRule } from "../lib/rule";
import { customerManagedKeyRef } from "../lib/aws";
import {
    S3_BUCKET,
    S3_BUCKET_V2,
    S3_ENCRYPTION_CONFIGURATION,
    s3BucketV2Defaults,
    s3ConfigurationDefaults,
    s3DefaultIsKms,
    s3DefaultKeyRefs,
} from "../lib/consumers-aws";
import { isObject } from "../lib/props";

const TYPES = [...S3_ENCRYPTION_CONFIGURATION.types, ...S3_BUCKET.types, ...S3_BUCKET_V2.types];

/** The `applyServerSideEncryptionByDefault` blocks of a bucket's inline configuration (Bucket: one rule; BucketV2: lists). */
function inlineDefaults(type: string, props: Record<string, any>): unknown[] {
    if (S3_BUCKET.types.includes(type)) {
        const sse = props.serverSideEncryptionConfiguration;
        return isObject(sse) && isObject(sse.rule) ? [sse.rule.applyServerSideEncryptionByDefault] : [];
    }
    return s3BucketV2Defaults(props);
}

/** SSE-KMS whose key reference is unknown at preview (a key's ARN from the same program): taken as customer-managed. */
const kmsKeyPending = (d: unknown) => s3DefaultIsKms(d) && customerManagedKeyRef(d as Record<string, any>, "kmsMasterKeyId") === undefined;

/** KMS encryption whose key is known not to be customer-managed (unset: S3 uses aws/s3; or an `alias/aws/...`). */
const kmsWithoutCmk = (d: unknown) => s3DefaultIsKms(d) && !kmsKeyPending(d) && s3DefaultKeyRefs(d).length === 0;

/** SSE-KMS with a customer-managed key, or a key reference still unknown at preview. */
const usesCmk = (d: unknown) => kmsKeyPending(d) || s3DefaultKeyRefs(d).length > 0;

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
            if (S3_ENCRYPTION_CONFIGURATION.types.includes(args.type)) {
                const defaults = s3ConfigurationDefaults(args.props);
                if (defaults.length === 0 || !defaults.every(usesCmk)) {
                    reportViolation("The default encryption of this bucket does not use a customer-managed KMS key.");
                }
                return;
            }
            if (!S3_BUCKET.types.includes(args.type) && !S3_BUCKET_V2.types.includes(args.type)) return;
            if (inlineDefaults(args.type, args.props).some(kmsWithoutCmk)) {
                reportViolation("The default encryption of this bucket does not use a customer-managed KMS key.");
            }
        },
    },
);
