import { resourceRule } from "../lib/rule";
import { DYNAMIC } from "../lib/props";

/** keyfabric's AzureImportedKey creates a 4096-bit KEK when kekSize is not given. */
const KEYFABRIC_DEFAULT_KEK_BITS = 4096;

/** Catalogue row 28: the BYOK key-exchange key is at least 3072 bits. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-importedkey-require-strong-wrapping-key",
        description:
            "HSM key imports with keyfabric's AzureImportedKey must wrap the material under a key-exchange key (KEK) of at least minWrappingKeyBits (3072 by default). The wrapping scheme itself (CKM_RSA_AES_KEY_WRAP) is fixed by Azure's BYOK specification and cannot be configured.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.6 Guidance for Cryptographic Algorithm and Key-Size Selection; 8.1.5 Key Establishment" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.2 Secure distribution of cryptographic keys" },
        ],
        remediation:
            "Leave kekSize unset (4096) or set it to 3072 or 4096 on the AzureImportedKey. keyfabric reuses an existing KEK of the same name: give kekName a new name so that a larger KEK is created.",
        catalogueRows: [28],
        resourceTypes: [DYNAMIC.azureImportedKey],
        configSchema: {
            properties: {
                minWrappingKeyBits: { type: "integer", enum: [3072, 4096], default: 3072, description: "The smallest allowed KEK, in bits." },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== DYNAMIC.azureImportedKey) return;
            if (args.props.protection !== "hsm") return; // software imports upload a JWK over TLS: no KEK (never reads __provider)
            const { minWrappingKeyBits } = args.getConfig<{ minWrappingKeyBits: number }>();
            const bits = args.props.kekSize ?? KEYFABRIC_DEFAULT_KEK_BITS;
            if (typeof bits !== "number") {
                reportViolation(`The key-exchange key size of this Key Vault key import is not a number of bits; at least ${minWrappingKeyBits} bits required.`);
            } else if (bits < minWrappingKeyBits) {
                reportViolation(`This Key Vault key import wraps material under a ${bits}-bit key-exchange key; at least ${minWrappingKeyBits} bits required.`);
            }
        },
        // No automatic remediation: raising kekSize alone is not enough (keyfabric reuses an existing KEK by name), and
        // the material already imported was wrapped under the old KEK.
    },
);
