import { resourceRule } from "../lib/rule";

const TYPE = "gcp:kms/cryptoKey:CryptoKey";

/**
 * Cloud KMS's algorithms (CryptoKeyVersionAlgorithm, @google-cloud/kms 5.7) without the ones NIST guidance retires or
 * never approved: SHA-1 in RSA-OAEP and HMAC, and the secp256k1 curve (not a NIST curve). RSA-2048 stays here;
 * the key size is gcp-kms-cryptokey-limit-rsa-key-size's business.
 */
export const DEFAULT_ALLOWED_ALGORITHMS = [
    "GOOGLE_SYMMETRIC_ENCRYPTION",
    "AES_128_GCM",
    "AES_256_GCM",
    "AES_128_CBC",
    "AES_256_CBC",
    "AES_128_CTR",
    "AES_256_CTR",
    "AES_256_KWP",
    "RSA_SIGN_PSS_2048_SHA256",
    "RSA_SIGN_PSS_3072_SHA256",
    "RSA_SIGN_PSS_4096_SHA256",
    "RSA_SIGN_PSS_4096_SHA512",
    "RSA_SIGN_PKCS1_2048_SHA256",
    "RSA_SIGN_PKCS1_3072_SHA256",
    "RSA_SIGN_PKCS1_4096_SHA256",
    "RSA_SIGN_PKCS1_4096_SHA512",
    "RSA_SIGN_RAW_PKCS1_2048",
    "RSA_SIGN_RAW_PKCS1_3072",
    "RSA_SIGN_RAW_PKCS1_4096",
    "RSA_DECRYPT_OAEP_2048_SHA256",
    "RSA_DECRYPT_OAEP_3072_SHA256",
    "RSA_DECRYPT_OAEP_4096_SHA256",
    "RSA_DECRYPT_OAEP_4096_SHA512",
    "EC_SIGN_P256_SHA256",
    "EC_SIGN_P384_SHA384",
    "EC_SIGN_ED25519",
    "HMAC_SHA224",
    "HMAC_SHA256",
    "HMAC_SHA384",
    "HMAC_SHA512",
    "EXTERNAL_SYMMETRIC_ENCRYPTION",
    "ML_KEM_768",
    "ML_KEM_1024",
    "KEM_XWING",
    "PQ_SIGN_ML_DSA_44",
    "PQ_SIGN_ML_DSA_65",
    "PQ_SIGN_ML_DSA_87",
    "PQ_SIGN_SLH_DSA_SHA2_128S",
    "PQ_SIGN_HASH_SLH_DSA_SHA2_128S_SHA256",
    "PQ_SIGN_ML_DSA_44_EXTERNAL_MU",
    "PQ_SIGN_ML_DSA_65_EXTERNAL_MU",
    "PQ_SIGN_ML_DSA_87_EXTERNAL_MU",
];

export const PROTECTION_LEVELS = ["SOFTWARE", "HSM", "HSM_SINGLE_TENANT", "EXTERNAL", "EXTERNAL_VPC"];

/** Catalogue row 27: only approved algorithms and protection levels (what Forseti's gcp_cmek_settings checked). */
export const rule = resourceRule(
    {
        name: "gcp-kms-cryptokey-limit-algorithms-and-protection-levels",
        description:
            "Cloud KMS keys must use an approved algorithm (allowedAlgorithms) and an approved protection level (allowedProtectionLevels) in their version template. By default SHA-1 based algorithms and secp256k1 are not approved.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.6.2 Defining Appropriate Algorithm Suites" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Key-management procedures protect keys against disclosure and misuse" },
            { name: "Forseti Security", version: "2.x", reference: "gcp_cmek_settings (CMEK rules: algorithms and protection level)" },
        ],
        remediation:
            "Choose an algorithm from allowedAlgorithms for versionTemplate.algorithm (e.g. RSA_DECRYPT_OAEP_3072_SHA256 instead of a *_SHA1 one) and a protection level from allowedProtectionLevels for versionTemplate.protectionLevel.",
        catalogueRows: [27],
        resourceTypes: [TYPE],
        configSchema: {
            properties: {
                allowedAlgorithms: {
                    type: "array",
                    items: { type: "string" },
                    minItems: 1,
                    uniqueItems: true,
                    default: DEFAULT_ALLOWED_ALGORITHMS,
                    description: "Cloud KMS algorithms (versionTemplate.algorithm) keys may use.",
                },
                allowedProtectionLevels: {
                    type: "array",
                    items: { type: "string", enum: PROTECTION_LEVELS },
                    minItems: 1,
                    uniqueItems: true,
                    default: PROTECTION_LEVELS,
                    description: "Protection levels (versionTemplate.protectionLevel) keys may use.",
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== TYPE) return;
            const purpose = args.props.purpose ?? "ENCRYPT_DECRYPT";
            const template = args.props.versionTemplate;
            // Without a template, Cloud KMS uses GOOGLE_SYMMETRIC_ENCRYPTION (ENCRYPT_DECRYPT keys; others need one) and SOFTWARE.
            const algorithm = template?.algorithm ?? (purpose === "ENCRYPT_DECRYPT" ? "GOOGLE_SYMMETRIC_ENCRYPTION" : undefined);
            const level = template?.protectionLevel ?? "SOFTWARE";
            const { allowedAlgorithms, allowedProtectionLevels } = args.getConfig<{ allowedAlgorithms: string[]; allowedProtectionLevels: string[] }>();
            if (algorithm !== undefined && !allowedAlgorithms.includes(algorithm)) {
                reportViolation("This Cloud KMS key uses an algorithm that is not in the approved list (allowedAlgorithms).");
            }
            if (!allowedProtectionLevels.includes(level)) {
                reportViolation("This Cloud KMS key uses a protection level that is not in the approved list (allowedProtectionLevels).");
            }
        },
        // No automatic remediation: which approved algorithm replaces a retired one is a design decision.
    },
);
