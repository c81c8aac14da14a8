import { resourceRule } from "../lib/rule";
import { DYNAMIC } from "../lib/props";

const KEY = "gcp:kms/cryptoKey:CryptoKey";

/** The modulus size of a Cloud KMS RSA algorithm (RSA_SIGN_PSS_2048_SHA256, RSA_DECRYPT_OAEP_3072_SHA1, RSA_SIGN_RAW_PKCS1_4096, ...). */
function gcpRsaBits(algorithm: unknown): number | undefined {
    if (typeof algorithm !== "string" || !algorithm.startsWith("RSA_")) return undefined;
    const m = /_(\d{4})(?:_|$)/.exec(algorithm);
    return m ? Number(m[1]) : undefined;
}

/** The modulus size of one of keyfabric's logical algorithms (RSA_2048, RSA_3072, RSA_4096). */
function logicalRsaBits(algorithm: unknown): number | undefined {
    const m = typeof algorithm === "string" ? /^RSA_(\d+)$/.exec(algorithm) : null;
    return m ? Number(m[1]) : undefined;
}

/** Catalogue row 10: RSA keys are at least the configured size (3072 bits: 128-bit security beyond 2030). */
export const rule = resourceRule(
    {
        name: "gcp-kms-cryptokey-limit-rsa-key-size",
        description:
            "Cloud KMS RSA keys, and RSA material imported with keyfabric's GcpImportedKeyVersion, must be at least the configured size (minRsaBits, 3072 by default).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.6.1 Comparable Algorithm Strengths (Table 2) and 5.6.2 Defining Appropriate Algorithm Suites" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.1 Generation of strong cryptographic keys" },
        ],
        remediation:
            "Use a 3072- or 4096-bit algorithm in versionTemplate.algorithm (e.g. RSA_SIGN_PSS_3072_SHA256, RSA_DECRYPT_OAEP_3072_SHA256), or RSA_3072/RSA_4096 material for GcpImportedKeyVersion. Existing versions keep their size: create a new key, or a new version after changing the template.",
        catalogueRows: [10],
        resourceTypes: [KEY, DYNAMIC.gcpImportedKeyVersion],
        configSchema: {
            properties: {
                minRsaBits: { type: "integer", enum: [2048, 3072, 4096], default: 3072, description: "The smallest allowed RSA modulus, in bits." },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            let bits: number | undefined;
            let what: string;
            if (args.type === KEY) {
                bits = gcpRsaBits(args.props.versionTemplate?.algorithm);
                what = "This Cloud KMS key uses";
            } else if (args.type === DYNAMIC.gcpImportedKeyVersion) {
                bits = logicalRsaBits(args.props.algorithm);
                what = "This imported Cloud KMS key version carries";
            } else {
                return;
            }
            if (bits === undefined) return; // not RSA
            const { minRsaBits } = args.getConfig<{ minRsaBits: number }>();
            if (bits < minRsaBits) reportViolation(`${what} ${bits}-bit RSA; at least ${minRsaBits} bits required.`);
        },
        // No automatic remediation: a different size is a different key (new public key, new signatures).
    },
);
