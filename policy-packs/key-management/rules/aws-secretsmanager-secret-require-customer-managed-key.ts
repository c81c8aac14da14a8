import { resourceRule } from "../lib/rule";
import { SECRETSMANAGER_SECRET, requireCustomerManagedKey } from "../lib/consumers-aws";

/**
 * Catalogue row 12 (Secrets Manager; the catalogue's CKV_AWS_149). Without kmsKeyId a secret, and each replica without
 * its own kmsKeyId, is encrypted with the AWS managed aws/secretsmanager key, which cannot be shared across accounts
 * or restricted by a key policy.
 */
export const rule = resourceRule(
    {
        name: "aws-secretsmanager-secret-require-customer-managed-key",
        description: "Secrets Manager secrets, and each of their replicas, must encrypt secret values with a customer-managed KMS key (kmsKeyId), not the AWS managed aws/secretsmanager key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AWS_149 Ensure that Secrets Manager secret is encrypted using KMS CMK" },
            { name: "Pulumi compliance-policies", version: "1", reference: "aws-secretsmanager-secret-configure-customer-managed-key" },
            { name: "Trivy", version: "AVD", reference: "AVD-AWS-0098 Secrets Manager should use customer managed keys" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set kmsKeyId on the aws.secretsmanager.Secret, and on each of its replicas (a key in the replica's Region), to a customer-managed key; the secret's readers also need kms:Decrypt on that key.",
        catalogueRows: [12],
        resourceTypes: SECRETSMANAGER_SECRET.types,
    },
    { validateResource: requireCustomerManagedKey([SECRETSMANAGER_SECRET]) },
);
