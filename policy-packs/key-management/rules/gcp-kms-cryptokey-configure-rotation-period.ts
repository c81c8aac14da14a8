import { resourceRule } from "../lib/rule";
import { days as d, durationDays } from "../lib/props";

const TYPE = "gcp:kms/cryptoKey:CryptoKey";

/**
 * Whether Cloud KMS rotates this key automatically: symmetric ENCRYPT_DECRYPT keys holding generated material.
 * Import-only keys are exempt (imported material is never rotated by Cloud KMS), and so are external keys (EXTERNAL,
 * EXTERNAL_VPC), whose material the external key manager rotates.
 */
function rotatesAutomatically(props: Record<string, any>): boolean {
    if ((props.purpose ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return false;
    if (props.importOnly === true) return false;
    const level = props.versionTemplate?.protectionLevel ?? "SOFTWARE";
    return level !== "EXTERNAL" && level !== "EXTERNAL_VPC";
}

/** Catalogue row 2: the rotation period of symmetric Cloud KMS keys is within the configured cryptoperiod. */
export const rule = resourceRule(
    {
        name: "gcp-kms-cryptokey-configure-rotation-period",
        description:
            "Symmetric Cloud KMS encryption keys must rotate automatically, with a rotation period no longer than the configured cryptoperiod (maxRotationDays, 90 days by default as CIS GCP 1.10 and Checkov CKV_GCP_43 ask). Import-only and external keys are exempt: Cloud KMS cannot rotate them.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Google Cloud Platform Foundation Benchmark", version: "3.0.0", reference: "1.10 Ensure KMS Encryption Keys Are Rotated Within a Period of 90 Days" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.3 Cryptoperiods" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.4 Key changes for keys that have reached the end of their cryptoperiod" },
            { name: "Checkov", version: "3", reference: "CKV_GCP_43" },
        ],
        remediation:
            'Set rotationPeriod on the gcp.kms.CryptoKey to the cryptoperiod in seconds, at most maxRotationDays (e.g. "7776000s" for 90 days).',
        catalogueRows: [2],
        resourceTypes: [TYPE],
        configSchema: {
            properties: {
                maxRotationDays: {
                    type: "integer",
                    default: 90,
                    minimum: 1,
                    maximum: 3650,
                    description: "The longest allowed rotation period, in days (CIS GCP 1.10 and CKV_GCP_43: 90).",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== TYPE) return;
            if (!rotatesAutomatically(args.props)) return;
            const { maxRotationDays } = args.getConfig<{ maxRotationDays: number }>();
            const period = args.props.rotationPeriod;
            if (period === undefined || period === null || period === "") {
                reportViolation("Automatic rotation is not configured on this Cloud KMS encryption key.");
                return;
            }
            const days = durationDays(period);
            if (days === undefined) {
                reportViolation('The rotation period of this Cloud KMS key is not a duration in seconds (such as "7776000s").');
            } else if (days > maxRotationDays) {
                reportViolation(`This Cloud KMS key rotates every ${d(days)}; at most ${d(maxRotationDays)} allowed.`);
            }
        },
        // Safe: rotating a symmetric key adds a new primary version; earlier versions still decrypt what they encrypted.
        remediateResource: (args) => {
            if (args.type !== TYPE || !rotatesAutomatically(args.props)) return undefined;
            const { maxRotationDays } = args.getConfig<{ maxRotationDays: number }>();
            const days = durationDays(args.props.rotationPeriod);
            if (days !== undefined && days <= maxRotationDays) return undefined;
            return { ...args.props, rotationPeriod: `${maxRotationDays * 86400}s` };
        },
    },
);
