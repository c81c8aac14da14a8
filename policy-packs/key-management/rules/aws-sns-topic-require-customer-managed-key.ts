import { resourceRule } from "../lib/rule";
import { SNS_TOPIC, requireCustomerManagedKey } from "../lib/consumers-aws";

/** Catalogue row 12 (SNS). A topic without kmsMasterKeyId is not encrypted at rest; alias/aws/sns is the AWS managed key. */
export const rule = resourceRule(
    {
        name: "aws-sns-topic-require-customer-managed-key",
        description: "SNS topics must encrypt messages with a customer-managed KMS key (kmsMasterKeyId), not leave them unencrypted or on the AWS managed aws/sns key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Trivy", version: "AVD", reference: "AVD-AWS-0136 SNS topic not encrypted with CMK" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_26 Ensure all data stored in the SNS topic is encrypted" },
            { name: "AWS Security Hub", version: "FSBP", reference: "SNS.1 SNS topics should be encrypted at rest using AWS KMS (this rule also requires the key to be customer-managed)" },
            { name: "AWS Config", version: "managed rules", reference: "sns-encrypted-kms (with kmsKeyIds)" },
            { name: "PCI DSS", version: "4.0", reference: "3.5.1 PAN is rendered unreadable anywhere it is stored (strong cryptography with key management)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set kmsMasterKeyId on the aws.sns.Topic to a customer-managed key's ARN or alias (not alias/aws/sns), and allow the topic's publishers, including AWS services such as CloudWatch alarms and EventBridge, kms:GenerateDataKey* and kms:Decrypt on that key.",
        catalogueRows: [12],
        resourceTypes: SNS_TOPIC.types,
    },
    { validateResource: requireCustomerManagedKey([SNS_TOPIC]) },
);
