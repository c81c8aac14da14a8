import { isObject, TAGS } from "../lib/props";
import { resourceRule } from "../lib/rule";
import { isSet, KMS_KEY_TYPES, read } from "../lib/aws";

interface Config {
    requiredTags: string[];
    allowedClassifications: string[];
}

/** keyfabric's classifications (sdk/schema/constants CLASSIFICATIONS); the pack does not import the SDK. */
const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"];

/**
 * Catalogue row 34 (AWS): keys carry owner and classification tags. Reads `tags` and, on state, `tagsAll` (which adds
 * the provider's default tags; at preview those are not visible, so put the required tags on the key itself).
 */
export const rule = resourceRule(
    {
        name: "aws-kms-key-require-tags",
        description:
            "AWS KMS keys (including external and replica keys) must carry the configured tags (owner and classification by default), with a known classification. A key missing several tags gets one violation naming them all.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.1 A documented description of the cryptographic architecture is maintained, including the usage of each key" },
        ],
        remediation: `Set the required tags (by default ${TAGS.owner} and ${TAGS.classification}, one of ${CLASSIFICATIONS.join(", ")}) on the key; keyfabric components set them from the key's identity.`,
        catalogueRows: [34],
        resourceTypes: [...KMS_KEY_TYPES],
        configSchema: {
            properties: {
                requiredTags: {
                    type: "array",
                    items: { type: "string", minLength: 1 },
                    default: [TAGS.owner, TAGS.classification],
                    description: "Tag keys every KMS key must have with a non-empty value.",
                },
                allowedClassifications: {
                    type: "array",
                    items: { type: "string", minLength: 1 },
                    default: CLASSIFICATIONS,
                    description: `The values allowed for the ${TAGS.classification} tag.`,
                },
            },
        },
    },
    {
        // No remediation: owner and classification are facts only the key's owner can state.
        validateResource: (args, reportViolation) => {
            if (!KMS_KEY_TYPES.includes(args.type)) return;
            const tags = read(args.props, "tags");
            if (!tags.known) return; // the tags are computed: never a violation from an unknown value
            const all = read(args.props, "tagsAll");
            const sources = [tags.value, all.known ? all.value : undefined].filter(isObject);
            const { requiredTags, allowedClassifications } = args.getConfig<Config>();
            // One violation for all the missing tags (tag names are config, not values).
            const missing = requiredTags.filter((key) => !sources.some((t) => isSet(t, key)));
            if (missing.length > 0) reportViolation(`This KMS key is missing required tags: ${missing.join(", ")}.`);
            for (const t of sources) {
                const c = read(t, TAGS.classification);
                if (c.known && typeof c.value === "string" && c.value !== "" && !allowedClassifications.includes(c.value)) {
                    reportViolation(`The ${TAGS.classification} tag of this KMS key is not one of the allowed classifications.`);
                    return;
                }
            }
        },
    },
);
