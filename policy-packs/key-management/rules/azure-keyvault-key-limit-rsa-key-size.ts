import { resourceRule } from "../lib/rule";
import { DYNAMIC } from "../lib/props";
import { keyProps, keyResource, TYPES } from "../lib/azure";

/** Key Vault creates 2048-bit RSA keys when keySize is not given. */
const AZURE_DEFAULT_RSA_BITS = 2048;

const isRsa = (kty: unknown) => typeof kty === "string" && ["rsa", "rsa-hsm"].includes(kty.toLowerCase());

/** Catalogue row 10: RSA keys are at least the configured size (3072 bits: 128-bit security beyond 2030). */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-limit-rsa-key-size",
        description:
            "Azure RSA keys (azure-native and classic Key Vault keys, classic Managed HSM keys, and keyfabric's AzureImportedKey) must be at least minRsaBits (3072 by default). An RSA key without keySize is 2048 bits.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.6 Guidance for Cryptographic Algorithm and Key-Size Selection (Table 2 comparable strengths)" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.1 Generation of strong cryptographic keys" },
        ],
        remediation: "Set keySize: 3072 or 4096 on the RSA key (RSA_3072/RSA_4096 material for AzureImportedKey). The size of existing versions is fixed: rotate to a new key.",
        catalogueRows: [10],
        resourceTypes: [...TYPES.key, ...TYPES.managedHsmKey, DYNAMIC.azureImportedKey],
        configSchema: {
            properties: {
                minRsaBits: { type: "integer", enum: [2048, 3072, 4096], default: 3072, description: "The smallest allowed RSA modulus, in bits." },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            let bits: unknown;
            const t = keyResource(args.type);
            if (t) {
                if (!isRsa(keyProps.kty(t, args.props))) return;
                bits = keyProps.keySize(t, args.props) ?? AZURE_DEFAULT_RSA_BITS;
            } else if (args.type === DYNAMIC.azureImportedKey) {
                const m = typeof args.props.algorithm === "string" ? /^RSA_(\d+)$/.exec(args.props.algorithm) : null; // never reads __provider
                if (!m) return;
                bits = Number(m[1]);
            } else {
                return;
            }
            const { minRsaBits } = args.getConfig<{ minRsaBits: number }>();
            if (typeof bits !== "number") {
                reportViolation(`The key size of this Azure RSA key is not a number of bits; at least ${minRsaBits} bits required.`);
            } else if (bits < minRsaBits) {
                reportViolation(`This Azure RSA key is ${bits} bits; at least ${minRsaBits} bits required.`);
            }
        },
        // No automatic remediation: a new size is a new key (new public key) that consumers must adopt.
    },
);
