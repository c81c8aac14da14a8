import { resourceRule } from "../lib/rule";
import { SQS_QUEUE, requireCustomerManagedKey } from "../lib/consumers-aws";

/**
 * Catalogue row 12 (SQS). A queue encrypts with a customer-managed key only through kmsMasterKeyId (SSE-KMS):
 * SQS-managed encryption (sqsManagedSseEnabled, SSE-SQS, on by default for new queues) and alias/aws/sqs use keys the
 * account cannot control. On state, kmsMasterKeyId is recorded as given ("" without one).
 */
export const rule = resourceRule(
    {
        name: "aws-sqs-queue-require-customer-managed-key",
        description:
            "SQS queues must encrypt messages with a customer-managed KMS key (kmsMasterKeyId), not leave them unencrypted, on SQS-managed encryption (SSE-SQS) or on the AWS managed aws/sqs key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV2_AWS_73 Ensure AWS SQS uses CMK not AWS default keys for encryption" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_27 Ensure all data stored in the SQS queue is encrypted" },
            { name: "Trivy", version: "AVD", reference: "AVD-AWS-0135 SQS queue should be encrypted with a CMK" },
            { name: "AWS Security Hub", version: "FSBP", reference: "SQS.1 Amazon SQS queues should be encrypted at rest (this rule also requires the key to be customer-managed)" },
            { name: "PCI DSS", version: "4.0", reference: "3.5.1 PAN is rendered unreadable anywhere it is stored (strong cryptography with key management)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set kmsMasterKeyId on the aws.sqs.Queue to a customer-managed key's ARN or alias (e.g. a keyfabric key's keyArn) instead of sqsManagedSseEnabled or alias/aws/sqs, and allow the queue's producers, and AWS services that send to it (SNS, EventBridge, S3), kms:GenerateDataKey and kms:Decrypt on that key.",
        catalogueRows: [12],
        resourceTypes: SQS_QUEUE.types,
    },
    { validateResource: requireCustomerManagedKey([SQS_QUEUE]) },
);
