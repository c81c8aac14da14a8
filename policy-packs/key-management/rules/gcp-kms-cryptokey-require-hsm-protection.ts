import { resourceRule } from "../lib/rule";
import { LABELS } from "../lib/props";

const TYPE = "gcp:kms/cryptoKey:CryptoKey";
/** Protection levels whose material never exists outside a hardware security module. */
const HARDWARE = ["HSM", "HSM_SINGLE_TENANT", "EXTERNAL", "EXTERNAL_VPC"];

/** Catalogue row 22: HSM-backed keys, for every key or for the configured classifications. */
export const rule = resourceRule(
    {
        name: "gcp-kms-cryptokey-require-hsm-protection",
        description:
            "Cloud KMS keys must be HSM-backed (versionTemplate.protectionLevel HSM, HSM_SINGLE_TENANT, or an external key manager): every key with appliesTo \"all\", or by default only keys whose keyfabric-classification label is in the configured classifications.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.2 Secret and private keys are stored within a secure cryptographic device (SCD), such as a hardware security module" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (keys at rest)" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_112 (equivalent control for Azure Key Vault)" },
        ],
        remediation:
            'Set versionTemplate.protectionLevel: "HSM" on the gcp.kms.CryptoKey. The protection level is fixed at creation: create an HSM key and re-encrypt (or re-wrap) the data under it.',
        catalogueRows: [22],
        resourceTypes: [TYPE],
        configSchema: {
            properties: {
                appliesTo: {
                    type: "string",
                    enum: ["all", "classified"],
                    default: "classified",
                    description: '"all": every key must be HSM-backed; "classified": only keys labelled with one of the classifications.',
                },
                classifications: {
                    type: "array",
                    items: { type: "string" },
                    uniqueItems: true,
                    default: ["restricted"],
                    description: `Values of the ${LABELS.classification} label whose keys must be HSM-backed (with appliesTo "classified").`,
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== TYPE) return;
            const { appliesTo, classifications } = args.getConfig<{ appliesTo: "all" | "classified"; classifications: string[] }>();
            if (appliesTo !== "all") {
                const classification = args.props.labels?.[LABELS.classification] ?? args.props.effectiveLabels?.[LABELS.classification];
                if (typeof classification !== "string" || !classifications.includes(classification)) return;
            }
            const level = args.props.versionTemplate?.protectionLevel ?? "SOFTWARE";
            if (!HARDWARE.includes(level)) {
                reportViolation(
                    appliesTo === "all"
                        ? "This Cloud KMS key is not HSM-backed."
                        : "This Cloud KMS key is not HSM-backed, but its classification requires an HSM.",
                );
            }
        },
        // No automatic remediation: the protection level is immutable; changing it would replace the key.
    },
);
