import { resourceRule } from "../lib/rule";
import { LABELS } from "../lib/props";

const TYPE = "gcp:kms/cryptoKey:CryptoKey";
const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"];

/** Catalogue row 34: every key says who owns it and how it is classified. */
export const rule = resourceRule(
    {
        name: "gcp-kms-cryptokey-require-labels",
        description:
            "Cloud KMS keys must carry the owner and classification labels (requiredLabels), and the classification must be one of allowedClassifications: rules such as HSM protection and the cross-cloud checks read them.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.1 A documented description of the cryptographic architecture is maintained, including the usage of each key" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (key metadata)" },
        ],
        remediation: `Set labels { "${LABELS.owner}": <team>, "${LABELS.classification}": <one of allowedClassifications> } on the gcp.kms.CryptoKey (keyfabric's identity and labels arguments do it).`,
        catalogueRows: [34],
        resourceTypes: [TYPE],
        configSchema: {
            properties: {
                requiredLabels: {
                    type: "array",
                    items: { type: "string", pattern: "^[a-z][a-z0-9_-]{0,62}$" },
                    uniqueItems: true,
                    default: [LABELS.owner, LABELS.classification],
                    description: "Label keys every crypto key must have, with a non-empty value.",
                },
                allowedClassifications: {
                    type: "array",
                    items: { type: "string" },
                    minItems: 1,
                    uniqueItems: true,
                    default: CLASSIFICATIONS,
                    description: `Allowed values of the ${LABELS.classification} label.`,
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== TYPE) return;
            const { requiredLabels, allowedClassifications } = args.getConfig<{ requiredLabels: string[]; allowedClassifications: string[] }>();
            const label = (k: string) => args.props.labels?.[k] ?? args.props.effectiveLabels?.[k];
            const missing = requiredLabels.filter((k) => typeof label(k) !== "string" || label(k).trim() === "");
            const classification = label(LABELS.classification);
            if (missing.length > 0) reportViolation(`This Cloud KMS key is missing required labels: ${missing.join(", ")}.`);
            if (typeof classification === "string" && classification.trim() !== "" && !allowedClassifications.includes(classification)) {
                reportViolation(`The ${LABELS.classification} label of this Cloud KMS key is not one of the allowed classifications.`);
            }
        },
        // No automatic remediation: owner and classification are facts only people know.
    },
);
