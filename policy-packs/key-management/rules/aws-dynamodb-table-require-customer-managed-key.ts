import { resourceRule } from "../lib/rule";
import { DYNAMODB_TABLE, DYNAMODB_TABLE_REPLICA, requireCustomerManagedKey, typesOf } from "../lib/consumers-aws";

const CONSUMERS = [DYNAMODB_TABLE, DYNAMODB_TABLE_REPLICA];

/**
 * Catalogue row 12 (DynamoDB). Tables are always encrypted at rest: without serverSideEncryption with the AWS owned
 * key, with enabled and no kmsKeyArn with the AWS managed aws/dynamodb key. Each replica (replicas[] of the table, or an
 * aws.dynamodb.TableReplica) names its own key in its Region, and is reported on its own ("Replica 2 of this DynamoDB
 * table ..."). A restored table without serverSideEncryption is reported too: naming the key is always valid. On
 * state, the provider records the ARN of aws/dynamodb when a table uses it, indistinguishable from a customer key there.
 */
export const rule = resourceRule(
    {
        name: "aws-dynamodb-table-require-customer-managed-key",
        description:
            "DynamoDB tables and each of their replicas must encrypt data with a customer-managed KMS key (serverSideEncryption with kmsKeyArn; kmsKeyArn on replicas), not the AWS owned key or the AWS managed aws/dynamodb key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AWS_119 Ensure DynamoDB Tables are encrypted using a KMS Customer Managed CMK" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_271 Ensure DynamoDB table replica KMS encryption uses CMK" },
            { name: "Trivy", version: "AVD", reference: "AVD-AWS-0025 DynamoDB tables should use at rest encryption with a Customer Managed Key" },
            { name: "PCI DSS", version: "4.0", reference: "3.5.1 PAN is rendered unreadable anywhere it is stored (strong cryptography with key management)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set serverSideEncryption: { enabled: true, kmsKeyArn: <customer-managed key ARN> } on the aws.dynamodb.Table, and kmsKeyArn on each of its replicas and each aws.dynamodb.TableReplica (a key in the replica's Region, e.g. a multi-Region replica key).",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    { validateResource: requireCustomerManagedKey(CONSUMERS) },
);
