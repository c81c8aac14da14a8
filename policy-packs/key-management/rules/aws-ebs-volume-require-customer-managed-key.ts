import { resourceRule } from "../lib/rule";
import { customerManagedKeyRef } from "../lib/aws";
import { EBS_VOLUME, ebsInheritsKey } from "../lib/consumers-aws";

/**
 * Catalogue row 12 (EBS). A volume is encrypted with a customer-managed key named in the program. Volumes restored
 * from a snapshot without a key inherit the snapshot's key, which a resource rule cannot see: not reported. On state,
 * AWS records the ARN of whichever key was used, so an aws/ebs key is indistinguishable from a customer-managed one there.
 */
export const rule = resourceRule(
    {
        name: "aws-ebs-volume-require-customer-managed-key",
        description: "EBS volumes must be encrypted with a customer-managed KMS key, not left unencrypted or on the AWS managed aws/ebs key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Pulumi compliance-policies", version: "1", reference: "aws-ebs-volume-configure-customer-managed-key" },
            { name: "AWS Config", version: "managed rules", reference: "encrypted-volumes (with kmsId)" },
            { name: "tfsec", version: "1", reference: "aws-ebs-encryption-customer-key" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation: "Set encrypted: true and kmsKeyId to a customer-managed key's ARN on the aws.ebs.Volume.",
        catalogueRows: [12],
        resourceTypes: EBS_VOLUME.types,
    },
    {
        validateResource: (args, reportViolation) => {
            if (!EBS_VOLUME.types.includes(args.type)) return;
            if (ebsInheritsKey(args.props)) return; // the snapshot's key applies
            // A key reference unknown at preview (a key of the same program) is never a violation.
            if (args.props.encrypted !== false && customerManagedKeyRef(args.props, "kmsKeyId") === undefined) return;
            if (EBS_VOLUME.keyRefs(args.props).length === 0) {
                reportViolation("This EBS volume is not encrypted with a customer-managed KMS key.");
            }
        },
    },
);
