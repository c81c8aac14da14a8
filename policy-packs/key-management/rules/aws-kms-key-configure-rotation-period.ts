import { resourceRule } from "../lib/rule";
import { AWS } from "../lib/aws";
import { days as d } from "../lib/props";

/** AWS rotates every 365 days when `rotationPeriodInDays` is not set. */
const AWS_DEFAULT_ROTATION_DAYS = 365;

interface Config {
    maxRotationDays: number;
}

/** Catalogue row 2: the automatic rotation period is no longer than the configured cryptoperiod. */
export const rule = resourceRule(
    {
        name: "aws-kms-key-configure-rotation-period",
        description:
            "AWS KMS keys with automatic rotation must rotate at least as often as the configured cryptoperiod (rotationPeriodInDays, 365 days when unset).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.3 Cryptoperiods" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.4 Cryptographic key changes for keys that have reached the end of their cryptoperiod" },
        ],
        remediation: "Set rotationPeriodInDays on the aws.kms.Key to a value no greater than the configured maxRotationDays (AWS accepts 90 to 2560).",
        catalogueRows: [2],
        resourceTypes: [AWS.key],
        configSchema: {
            properties: {
                maxRotationDays: {
                    type: "integer",
                    default: 365,
                    minimum: 90,
                    maximum: 2560,
                    description: "The longest allowed automatic rotation period, in days (the cryptoperiod of the key's material).",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== AWS.key) return;
            if (args.props.enableKeyRotation !== true) return; // rotation off is aws-kms-key-enable-key-rotation's finding
            const { maxRotationDays } = args.getConfig<Config>();
            const set = args.props.rotationPeriodInDays;
            const days = set ?? AWS_DEFAULT_ROTATION_DAYS;
            if (typeof days === "number" && days > maxRotationDays) {
                const unset = set === undefined || set === null ? " (AWS's default without rotationPeriodInDays)" : "";
                reportViolation(`This KMS key rotates every ${d(days)}${unset}; at most ${d(maxRotationDays)} allowed.`);
            }
        },
        // Safe: rotating more often never makes data unreadable (earlier material stays available for decryption).
        remediateResource: (args) => {
            if (args.type !== AWS.key || args.props.enableKeyRotation !== true) return undefined;
            const { maxRotationDays } = args.getConfig<Config>();
            const days = args.props.rotationPeriodInDays ?? AWS_DEFAULT_ROTATION_DAYS;
            if (typeof days !== "number" || days <= maxRotationDays) return undefined;
            return { ...args.props, rotationPeriodInDays: maxRotationDays };
        },
    },
);
