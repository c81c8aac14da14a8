import { resourceRule } from "../lib/rule";
import { DYNAMIC, TAGS } from "../lib/props";
import { keyResource, TYPES } from "../lib/azure";

const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"];

/** Catalogue row 34: every key says who owns it and how it is classified. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-require-tags",
        description:
            "Azure keys (azure-native and classic Key Vault keys, classic Managed HSM keys and keyfabric's AzureImportedKey) must carry the owner and classification tags (requiredTags), and the classification must be one of allowedClassifications: rules such as HSM protection and the cross-cloud checks read them. A key missing several tags gets one violation naming them all.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.1 A documented description of the cryptographic architecture is maintained, including the usage of each key" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (key metadata)" },
        ],
        remediation: `Set tags { "${TAGS.owner}": <team>, "${TAGS.classification}": <one of allowedClassifications> } on the key (keyfabric's identity and tags arguments do it).`,
        catalogueRows: [34],
        resourceTypes: [...TYPES.key, ...TYPES.managedHsmKey, DYNAMIC.azureImportedKey],
        configSchema: {
            properties: {
                requiredTags: {
                    type: "array",
                    items: { type: "string", minLength: 1 },
                    uniqueItems: true,
                    default: [TAGS.owner, TAGS.classification],
                    description: "Tag names every key must have, with a non-empty value.",
                },
                allowedClassifications: {
                    type: "array",
                    items: { type: "string" },
                    minItems: 1,
                    uniqueItems: true,
                    default: CLASSIFICATIONS,
                    description: `Allowed values of the ${TAGS.classification} tag.`,
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (!keyResource(args.type) && args.type !== DYNAMIC.azureImportedKey) return;
            const { requiredTags, allowedClassifications } = args.getConfig<{ requiredTags: string[]; allowedClassifications: string[] }>();
            const tag = (k: string) => args.props.tags?.[k]; // never reads __provider
            const missing = requiredTags.filter((k) => typeof tag(k) !== "string" || tag(k).trim() === "");
            const classification = tag(TAGS.classification);
            // One violation for all the missing tags (tag names are config, not values).
            if (missing.length > 0) reportViolation(`This Azure key is missing required tags: ${missing.join(", ")}.`);
            if (typeof classification === "string" && classification.trim() !== "" && !allowedClassifications.includes(classification)) {
                reportViolation(`The ${TAGS.classification} tag of this Azure key is not one of the allowed classifications.`);
            }
        },
        // No automatic remediation: owner and classification are facts only people know.
    },
);
