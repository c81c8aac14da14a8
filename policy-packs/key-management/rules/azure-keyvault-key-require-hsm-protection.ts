import { resourceRule } from "../lib/rule";
import { DYNAMIC, TAGS } from "../lib/props";
import { keyProps, keyResource, TYPES } from "../lib/azure";

const HSM_KEY_TYPES = ["rsa-hsm", "ec-hsm", "oct-hsm"];

/** Catalogue row 22: HSM-backed keys, for every key or for the configured classifications. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-require-hsm-protection",
        description:
            "Azure Key Vault keys must be HSM-backed (azure-native kty, classic keyType: RSA-HSM, EC-HSM or oct-HSM; protection \"hsm\" for keyfabric's AzureImportedKey): every key with appliesTo \"all\", or by default only keys whose keyfabric:classification tag is in the configured classifications. Managed HSM keys are always HSM-backed.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AZURE_112" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.2 Secret and private keys are stored within a secure cryptographic device (SCD), such as a hardware security module" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information" },
        ],
        remediation:
            'Use kty (keyType on the classic keyvault.Key) "RSA-HSM" or "EC-HSM" (in a premium vault) or an "oct-HSM" key on a Managed HSM; for AzureImportedKey use protection: "hsm". The key type is fixed: create a new key and re-wrap the data under it.',
        catalogueRows: [22],
        resourceTypes: [...TYPES.key, DYNAMIC.azureImportedKey],
        configSchema: {
            properties: {
                appliesTo: {
                    type: "string",
                    enum: ["all", "classified"],
                    default: "classified",
                    description: '"all": every key must be HSM-backed; "classified": only keys tagged with one of the classifications.',
                },
                classifications: {
                    type: "array",
                    items: { type: "string" },
                    uniqueItems: true,
                    default: ["restricted"],
                    description: `Values of the ${TAGS.classification} tag whose keys must be HSM-backed (with appliesTo "classified").`,
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            const t = keyResource(args.type);
            if (t?.kind !== "key" && args.type !== DYNAMIC.azureImportedKey) return; // Managed HSM keys are always HSM-backed
            const { appliesTo, classifications } = args.getConfig<{ appliesTo: "all" | "classified"; classifications: string[] }>();
            if (appliesTo !== "all") {
                const classification = args.props.tags?.[TAGS.classification];
                if (typeof classification !== "string" || !classifications.includes(classification)) return;
            }
            let hsm: boolean;
            if (t) {
                const kty = keyProps.kty(t, args.props);
                hsm = typeof kty === "string" && HSM_KEY_TYPES.includes(kty.toLowerCase());
            } else {
                hsm = args.props.protection === "hsm"; // never reads __provider
            }
            if (!hsm) {
                reportViolation(
                    appliesTo === "all" ? "This Key Vault key is not HSM-backed." : "This Key Vault key is not HSM-backed, but its classification requires an HSM.",
                );
            }
        },
        // No automatic remediation: the key type is immutable, and an HSM key needs a premium vault or a Managed HSM.
    },
);
