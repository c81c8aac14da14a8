import { resourceRule } from "../lib/rule";
import { DYNAMIC, TAGS } from "../lib/props";

const KEY = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Key$/;
const HSM_KEY_TYPES = ["rsa-hsm", "ec-hsm", "oct-hsm"];

/** A Key's properties: nested under `properties` in inputs, flattened to the top level in state (outputs). */
const keyProperties = (props: Record<string, any>): Record<string, any> => props.properties ?? props;

/** Catalogue row 22: HSM-backed keys, for every key or for the configured classifications. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-require-hsm-protection",
        description:
            "Azure Key Vault keys must be HSM-backed (kty RSA-HSM, EC-HSM or oct-HSM; protection \"hsm\" for keyfabric's AzureImportedKey): every key with appliesTo \"all\", or by default only keys whose keyfabric:classification tag is in the configured classifications. Managed HSM keys are always HSM-backed.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AZURE_112" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.2 Secret and private keys are stored within a secure cryptographic device (SCD), such as a hardware security module" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information" },
        ],
        remediation:
            'Use kty "RSA-HSM" or "EC-HSM" (in a premium vault) or an "oct-HSM" key on a Managed HSM; for AzureImportedKey use protection: "hsm". The key type is fixed: create a new key and re-wrap the data under it.',
        catalogueRows: [22],
        resourceTypes: ["azure-native:keyvault:Key", DYNAMIC.azureImportedKey],
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
            const native = KEY.test(args.type);
            if (!native && args.type !== DYNAMIC.azureImportedKey) return;
            const { appliesTo, classifications } = args.getConfig<{ appliesTo: "all" | "classified"; classifications: string[] }>();
            if (appliesTo !== "all") {
                const classification = args.props.tags?.[TAGS.classification];
                if (typeof classification !== "string" || !classifications.includes(classification)) return;
            }
            let hsm: boolean;
            if (native) {
                const kty = keyProperties(args.props).kty;
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
