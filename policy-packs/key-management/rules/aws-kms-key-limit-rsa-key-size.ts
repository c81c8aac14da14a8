import { resourceRule } from "../lib/rule";
import { AWS } from "../lib/aws";

interface Config {
    minRsaBits: number;
}

const TYPES = [AWS.key, AWS.externalKey];

/** The key spec: `customerMasterKeySpec` on aws.kms.Key (older programs), `keySpec` on ExternalKey. */
const specOf = (props: Record<string, any>, type: string): unknown => (type === AWS.key ? props.customerMasterKeySpec ?? props.keySpec : props.keySpec);

/**
 * Catalogue row 10: RSA keys have at least the configured modulus size. Applies to encryption and signing keys alike
 * (NIST SP 800-57's strength tables do not distinguish); replica keys inherit the primary's spec and are not read.
 */
export const rule = resourceRule(
    {
        name: "aws-kms-key-limit-rsa-key-size",
        description: "AWS KMS RSA keys must have at least the configured key size (3072 bits by default).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            {
                name: "AWS Control Tower",
                version: "proactive controls",
                reference: "CT.KMS.PR.2 Require that an AWS KMS asymmetric key with RSA key material used for encryption has a key length greater than 2048 bits",
            },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.6.1 Comparable Algorithm Strengths (RSA 3072 for 128-bit security)" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.1 Key-management procedures include generation of strong cryptographic keys" },
        ],
        remediation: "Use RSA_3072 or RSA_4096 (at least the configured minRsaBits) as the key spec; the key spec cannot change, so create a new key and move its users.",
        catalogueRows: [10],
        resourceTypes: TYPES,
        configSchema: {
            properties: {
                minRsaBits: {
                    type: "integer",
                    enum: [2048, 3072, 4096],
                    default: 3072,
                    description: "The smallest allowed RSA modulus, in bits.",
                },
            },
        },
    },
    {
        // No remediation: the key spec of a KMS key is immutable; changing it replaces the key.
        validateResource: (args, reportViolation) => {
            if (!TYPES.includes(args.type as (typeof TYPES)[number])) return;
            const spec = specOf(args.props, args.type);
            const m = typeof spec === "string" ? /^RSA_(\d+)$/.exec(spec) : null;
            if (!m) return;
            const { minRsaBits } = args.getConfig<Config>();
            if (Number(m[1]) < minRsaBits) {
                reportViolation(`This RSA KMS key is ${m[1]} bits; at least ${minRsaBits} bits required.`);
            }
        },
    },
);
