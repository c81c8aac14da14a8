import { resourceRule } from "../lib/rule";
import { AWS, KMS_KEY_TYPES } from "../lib/aws";
import { days as d } from "../lib/props";

/** AWS waits 30 days when `deletionWindowInDays` is not set. */
const AWS_DEFAULT_DELETION_WINDOW_DAYS = 30;

interface Config {
    minDeletionWindowDays: number;
}

/** Catalogue row 3: a scheduled deletion can be cancelled for at least the configured number of days. */
export const rule = resourceRule(
    {
        name: "aws-kms-key-configure-deletion-window",
        description:
            "AWS KMS keys (including external and replica keys) must have a deletion waiting period of at least the configured minimum (deletionWindowInDays, 30 days when unset).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "AWS Security Hub", version: "FSBP", reference: "KMS.3 AWS KMS keys should not be deleted unintentionally" },
            { name: "KICS", version: "2", reference: "KMS Key With No Deletion Window" },
        ],
        remediation: "Set deletionWindowInDays on the key to at least the configured minDeletionWindowDays (AWS accepts 7 to 30), or leave it unset for 30 days.",
        catalogueRows: [3],
        resourceTypes: [...KMS_KEY_TYPES],
        configSchema: {
            properties: {
                minDeletionWindowDays: {
                    type: "integer",
                    default: 30,
                    minimum: 7,
                    maximum: 30,
                    description: "The shortest allowed waiting period, in days, between scheduling a key's deletion and AWS deleting it.",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (!KMS_KEY_TYPES.includes(args.type)) return;
            const { minDeletionWindowDays } = args.getConfig<Config>();
            const days = args.props.deletionWindowInDays ?? AWS_DEFAULT_DELETION_WINDOW_DAYS;
            if (typeof days === "number" && days < minDeletionWindowDays) {
                reportViolation(`The deletion waiting period of this KMS key is ${d(days)}; at least ${d(minDeletionWindowDays)} required.`);
            }
        },
        // Safe: a longer waiting period only delays a deletion and leaves more time to cancel it.
        remediateResource: (args) => {
            if (!KMS_KEY_TYPES.includes(args.type)) return undefined;
            const { minDeletionWindowDays } = args.getConfig<Config>();
            const days = args.props.deletionWindowInDays ?? AWS_DEFAULT_DELETION_WINDOW_DAYS;
            if (typeof days !== "number" || days >= minDeletionWindowDays) return undefined;
            return { ...args.props, deletionWindowInDays: minDeletionWindowDays };
        },
    },
);
