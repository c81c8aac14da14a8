import { resourceRule } from "../lib/rule";
import { EFS_FILE_SYSTEM, EFS_REPLICATION_CONFIGURATION, requireCustomerManagedKey, typesOf } from "../lib/consumers-aws";

const CONSUMERS = [EFS_FILE_SYSTEM, EFS_REPLICATION_CONFIGURATION];

/**
 * Catalogue row 12 (EFS). File systems, and the destination file systems replication configurations create, encrypt
 * with a customer-managed key: encrypted without kmsKeyId is the AWS managed aws/elasticfilesystem key. On state the
 * provider records the ARN of the key used, so aws/elasticfilesystem is indistinguishable there from a customer key.
 */
export const rule = resourceRule(
    {
        name: "aws-efs-filesystem-require-customer-managed-key",
        description:
            "EFS file systems, and the destination file systems of EFS replication, must be encrypted with a customer-managed KMS key (encrypted with kmsKeyId), not left unencrypted or on the AWS managed aws/elasticfilesystem key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AWS_184 Ensure resource is encrypted by KMS using a customer managed Key (CMK)" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_42 Ensure EFS is securely encrypted" },
            { name: "Pulumi compliance-policies", version: "1", reference: "aws-efs-filesystem-configure-customer-managed-key" },
            { name: "CIS AWS Foundations Benchmark", version: "3.0", reference: "2.4.1 Ensure that encryption is enabled for EFS file systems (this rule also requires a customer-managed key)" },
            { name: "AWS Security Hub", version: "FSBP", reference: "EFS.1 Amazon EFS should be configured to encrypt file data at rest using AWS KMS" },
            { name: "PCI DSS", version: "4.0", reference: "3.5.1 PAN is rendered unreadable anywhere it is stored (strong cryptography with key management)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set encrypted: true and kmsKeyId to a customer-managed key's ARN on the aws.efs.FileSystem (changing either replaces the file system: copy the data to a new one), and destination.kmsKeyId on an aws.efs.ReplicationConfiguration that creates its destination file system.",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    { validateResource: requireCustomerManagedKey(CONSUMERS) },
);
