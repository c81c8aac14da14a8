import { resourceRule } from "../lib/rule";
import { keyProps, keyResource, TYPES } from "../lib/azure";

const KEY_TYPES = ["RSA", "RSA-HSM", "EC", "EC-HSM", "oct", "oct-HSM"];
/** NIST curves; P-256K (secp256k1) is not one. */
const CURVES = ["P-256", "P-384", "P-521"];

const lower = (list: string[]) => list.map((s) => s.toLowerCase());

/** Catalogue row 27: only approved key types and curves. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-key-limit-algorithms",
        description:
            "Azure Key Vault and Managed HSM keys (azure-native keyvault.Key; classic keyvault.Key and ManagedHardwareSecurityModuleKey) must use an approved key type (kty / keyType in allowedKeyTypes) and, for EC keys, an approved curve (curveName / curve in allowedCurves; P-256K, which is not a NIST curve, is not approved by default).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.6 Guidance for Cryptographic Algorithm and Key-Size Selection" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Key-management procedures protect keys against disclosure and misuse" },
        ],
        remediation: 'Choose kty (keyType on classic keys) from allowedKeyTypes and curveName (curve on classic keys) from allowedCurves, e.g. "P-256" or "P-384".',
        catalogueRows: [27],
        resourceTypes: [...TYPES.key, ...TYPES.managedHsmKey],
        configSchema: {
            properties: {
                allowedKeyTypes: {
                    type: "array",
                    items: { type: "string", enum: KEY_TYPES },
                    minItems: 1,
                    uniqueItems: true,
                    default: KEY_TYPES,
                    description: "Key types (kty / keyType) keys may use.",
                },
                allowedCurves: {
                    type: "array",
                    items: { type: "string", enum: [...CURVES, "P-256K"] },
                    minItems: 1,
                    uniqueItems: true,
                    default: CURVES,
                    description: "Elliptic curves (curveName / curve) EC keys may use.",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            const t = keyResource(args.type);
            if (!t) return;
            const kty = keyProps.kty(t, args.props);
            const curve = typeof kty === "string" && kty.toLowerCase().startsWith("ec") ? keyProps.curve(t, args.props) : undefined;
            if (typeof kty !== "string") return; // the provider requires a key type
            const { allowedKeyTypes, allowedCurves } = args.getConfig<{ allowedKeyTypes: string[]; allowedCurves: string[] }>();
            if (!lower(allowedKeyTypes).includes(kty.toLowerCase())) {
                reportViolation("This Azure key uses a key type that is not in the approved list (allowedKeyTypes).");
            }
            if (typeof curve === "string" && !lower(allowedCurves).includes(curve.toLowerCase())) {
                reportViolation("This Azure EC key uses a curve that is not in the approved list (allowedCurves).");
            }
        },
        // No automatic remediation: the key type and curve are fixed; a new key is a new public key.
    },
);
