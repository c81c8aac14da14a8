import { resourceRule } from "../lib/rule";
import { KINESIS_STREAM, requireCustomerManagedKey } from "../lib/consumers-aws";

/** Catalogue row 12 (Kinesis Data Streams). encryptionType defaults to NONE; alias/aws/kinesis is the AWS managed key. */
export const rule = resourceRule(
    {
        name: "aws-kinesis-stream-require-customer-managed-key",
        description:
            "Kinesis data streams must encrypt records with a customer-managed KMS key (encryptionType KMS with kmsKeyId), not leave them unencrypted or on the AWS managed aws/kinesis key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AWS_185 Ensure Kinesis Stream is encrypted by KMS using a customer managed Key (CMK)" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_43 Ensure Kinesis Stream is securely encrypted" },
            { name: "Trivy", version: "AVD", reference: "AVD-AWS-0064 Kinesis stream is unencrypted" },
            { name: "AWS Security Hub", version: "FSBP", reference: "Kinesis.1 Kinesis Data Streams should be encrypted at rest (this rule also requires the key to be customer-managed)" },
            { name: "PCI DSS", version: "4.0", reference: "3.5.1 PAN is rendered unreadable anywhere it is stored (strong cryptography with key management)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set encryptionType: \"KMS\" and kmsKeyId to a customer-managed key's ARN or alias (not alias/aws/kinesis) on the aws.kinesis.Stream; its producers and consumers need kms:GenerateDataKey and kms:Decrypt on that key.",
        catalogueRows: [12],
        resourceTypes: KINESIS_STREAM.types,
    },
    { validateResource: requireCustomerManagedKey([KINESIS_STREAM]) },
);
