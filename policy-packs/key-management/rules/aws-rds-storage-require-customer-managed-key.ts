import { resourceRule } from "../lib/rule";
import { customerManagedKeyRef } from "../lib/aws";
import { RDS_CLUSTER, RDS_INSTANCE, rdsInheritsKey, typesOf } from "../lib/consumers-aws";

const CONSUMERS = [RDS_INSTANCE, RDS_CLUSTER];
const TYPES = typesOf(CONSUMERS);

/**
 * Catalogue row 12 (RDS): DB instances and clusters (Aurora storage is the cluster's) encrypt storage with a
 * customer-managed key. Replicas and restores without a kmsKeyId inherit their source's key: not reported.
 */
export const rule = resourceRule(
    {
        name: "aws-rds-storage-require-customer-managed-key",
        description: "RDS DB instances and clusters must encrypt their storage with a customer-managed KMS key, not leave it unencrypted or on the AWS managed aws/rds key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Pulumi compliance-policies", version: "1", reference: "aws-rds-instance-configure-customer-managed-key, aws-rds-cluster-configure-customer-managed-key" },
            { name: "AWS Config", version: "managed rules", reference: "rds-storage-encrypted (with kmsKeyId)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_327 Ensure RDS Clusters are encrypted using KMS CMKs" },
        ],
        remediation: "Set storageEncrypted: true and kmsKeyId to a customer-managed key's ARN on the aws.rds.Instance or aws.rds.Cluster (changing it replaces the database: restore from a snapshot copied with the new key).",
        catalogueRows: [12],
        resourceTypes: TYPES,
    },
    {
        validateResource: (args, reportViolation) => {
            const consumer = CONSUMERS.find((c) => c.types.includes(args.type));
            if (!consumer) return;
            if (rdsInheritsKey(args.props)) return;
            // A key reference unknown at preview (a key of the same program) is never a violation.
            if (args.props.storageEncrypted === true && customerManagedKeyRef(args.props, "kmsKeyId") === undefined) return;
            if (consumer.keyRefs(args.props).length === 0) {
                reportViolation("The storage of this database is not encrypted with a customer-managed KMS key.");
            }
        },
    },
);
