import { resourceRule } from "../lib/rule";
import { days as d, durationDays } from "../lib/props";

const TYPE = "gcp:kms/cryptoKey:CryptoKey";
/** Cloud KMS's destroy-scheduled duration when the key does not set one. */
const GCP_DEFAULT_DAYS = 30;

/** Catalogue row 3: destroyed key versions stay restorable for at least the configured number of days. */
export const rule = resourceRule(
    {
        name: "gcp-kms-cryptokey-configure-destroy-scheduled-duration",
        description:
            "Cloud KMS keys must keep destroyed versions restorable (DESTROY_SCHEDULED) for at least the configured number of days (minDestroyScheduledDays); a key without destroyScheduledDuration gets Cloud KMS's 30 days.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "8.3.4 Key Destruction" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.5 Retirement, replacement or destruction of keys" },
        ],
        remediation:
            'Set destroyScheduledDuration on the gcp.kms.CryptoKey to at least minDestroyScheduledDays in seconds (e.g. "2592000s" for 30 days). The field is fixed at creation: an existing key needs a new key and a re-encryption.',
        catalogueRows: [3],
        resourceTypes: [TYPE],
        configSchema: {
            properties: {
                minDestroyScheduledDays: {
                    type: "integer",
                    default: 30,
                    minimum: 1,
                    maximum: 120,
                    description: "The shortest allowed destroy-scheduled duration, in days (Cloud KMS accepts 1-120).",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== TYPE) return;
            const { minDestroyScheduledDays } = args.getConfig<{ minDestroyScheduledDays: number }>();
            const value = args.props.destroyScheduledDuration;
            if (value === undefined || value === null || value === "") {
                if (GCP_DEFAULT_DAYS < minDestroyScheduledDays) {
                    reportViolation(
                        `This Cloud KMS key keeps destroyed versions for ${d(GCP_DEFAULT_DAYS)} (Cloud KMS's default without destroyScheduledDuration); at least ${d(minDestroyScheduledDays)} required.`,
                    );
                }
                return;
            }
            const days = durationDays(value);
            if (days === undefined) {
                reportViolation('The destroy-scheduled duration of this Cloud KMS key is not a duration in seconds (such as "2592000s").');
            } else if (days < minDestroyScheduledDays) {
                reportViolation(`This Cloud KMS key keeps destroyed versions for ${d(days)}; at least ${d(minDestroyScheduledDays)} required.`);
            }
        },
        // No automatic remediation: destroyScheduledDuration is immutable, so changing it replaces the key (and destroys its versions).
    },
);
