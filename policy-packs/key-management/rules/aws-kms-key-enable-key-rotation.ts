import { resourceRule } from "../lib/rule";

/** Catalogue row 1: automatic rotation for symmetric encryption keys AWS generates. */
export const rule = resourceRule(
    {
        name: "aws-kms-key-enable-key-rotation",
        description: "Symmetric AWS KMS encryption keys must have automatic key rotation enabled.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS AWS Foundations Benchmark", version: "3.0", reference: "3.6 Ensure rotation for customer-created symmetric CMKs is enabled" },
            { name: "AWS Security Hub", version: "FSBP", reference: "KMS.4" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.4" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_7" },
        ],
        remediation: "Set enableKeyRotation: true (and rotationPeriodInDays within your cryptoperiod) on the aws.kms.Key.",
        catalogueRows: [1],
        resourceTypes: ["aws:kms/key:Key"],
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== "aws:kms/key:Key") return;
            const spec = args.props.customerMasterKeySpec ?? args.props.keySpec ?? "SYMMETRIC_DEFAULT";
            const usage = args.props.keyUsage ?? "ENCRYPT_DECRYPT";
            if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") return; // AWS rotates only these automatically
            if (args.props.customKeyStoreId) return; // keys in custom key stores cannot rotate automatically
            if (args.props.enableKeyRotation !== true) {
                reportViolation("Automatic rotation is not enabled on this symmetric KMS key.");
            }
        },
        // Safe: turning rotation on never makes data unreadable (old material stays for decryption).
        remediateResource: (args) => {
            if (args.type !== "aws:kms/key:Key") return undefined;
            const spec = args.props.customerMasterKeySpec ?? args.props.keySpec ?? "SYMMETRIC_DEFAULT";
            if (spec !== "SYMMETRIC_DEFAULT" || (args.props.keyUsage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT" || args.props.customKeyStoreId) return undefined;
            if (args.props.enableKeyRotation === true) return undefined;
            return { ...args.props, enableKeyRotation: true };
        },
    },
);
