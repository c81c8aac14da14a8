import { resourceRule } from "../lib/rule";
import { CLOUDWATCH_LOG_GROUP, requireCustomerManagedKey } from "../lib/consumers-aws";

/**
 * Catalogue row 12 (CloudWatch Logs). Severity low: CloudWatch Logs always encrypts log data at rest, a
 * customer-managed key adds control over who can read it (and crypto-shredding) rather than encryption itself; no
 * CIS or Security Hub control requires one for log groups (CIS's KMS requirement is for CloudTrail), and Trivy rates
 * its check low. Logs holding sensitive data can be made mandatory by a preset.
 */
export const rule = resourceRule(
    {
        name: "aws-cloudwatch-loggroup-require-customer-managed-key",
        description: "CloudWatch log groups must encrypt log data with a customer-managed KMS key (kmsKeyId), not only with CloudWatch Logs' own encryption.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AWS_158 Ensure that CloudWatch Log Group is encrypted by KMS" },
            { name: "Trivy", version: "AVD", reference: "AVD-AWS-0017 CloudWatch log groups should be encrypted using CMK" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set kmsKeyId on the aws.cloudwatch.LogGroup to a customer-managed key's ARN whose key policy allows the logs.<region>.amazonaws.com service principal to use it (conditioned on kms:EncryptionContext:aws:logs:arn).",
        catalogueRows: [12],
        resourceTypes: CLOUDWATCH_LOG_GROUP.types,
    },
    { validateResource: requireCustomerManagedKey([CLOUDWATCH_LOG_GROUP]) },
);
