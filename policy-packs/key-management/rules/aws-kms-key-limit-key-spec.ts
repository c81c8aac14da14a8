import { resourceRule } from "../lib/rule";
import { AWS } from "../lib/aws";

interface Config {
    allowedKeySpecs: string[];
}

/** Every key spec AWS KMS offers (aws.kms.Key customerMasterKeySpec, ExternalKey keySpec). */
export const AWS_KEY_SPECS = [
    "SYMMETRIC_DEFAULT",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "SM2",
];

const TYPES = [AWS.key, AWS.externalKey];

/**
 * Catalogue row 27 (AWS): keys use an approved algorithm. AWS deprecates no key spec today, so the default allows all;
 * an organisation's preset narrows the list (e.g. a FIPS/NIST preset without ECC_SECG_P256K1 and SM2). Replica keys
 * inherit the primary's spec and are not read. Protection level (row 22) has no AWS property to check.
 */
export const rule = resourceRule(
    {
        name: "aws-kms-key-limit-key-spec",
        description: "AWS KMS keys must use one of the configured approved key specs (all current AWS key specs by default).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.6.1 Comparable Algorithm Strengths" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.1 Key-management procedures include generation of strong cryptographic keys" },
            { name: "Forseti Security", version: "2", reference: "gcp_cmek_settings (algorithm allowlist; AWS equivalent)" },
        ],
        remediation: "Create the key with an approved key spec (customerMasterKeySpec on aws.kms.Key, keySpec on aws.kms.ExternalKey); the spec cannot change, so move users to a new key.",
        catalogueRows: [27],
        resourceTypes: TYPES,
        configSchema: {
            properties: {
                allowedKeySpecs: {
                    type: "array",
                    items: { type: "string", enum: AWS_KEY_SPECS },
                    uniqueItems: true,
                    default: AWS_KEY_SPECS,
                    description: "The approved AWS KMS key specs.",
                },
            },
        },
    },
    {
        // No remediation: the key spec is immutable.
        validateResource: (args, reportViolation) => {
            if (!TYPES.includes(args.type as (typeof TYPES)[number])) return;
            const spec = (args.type === AWS.key ? args.props.customerMasterKeySpec ?? args.props.keySpec : args.props.keySpec) ?? "SYMMETRIC_DEFAULT";
            if (typeof spec !== "string") return;
            const { allowedKeySpecs } = args.getConfig<Config>();
            if (!allowedKeySpecs.includes(spec)) {
                reportViolation("This KMS key uses a key spec that is not on the configured list of approved key specs.");
            }
        },
    },
);
