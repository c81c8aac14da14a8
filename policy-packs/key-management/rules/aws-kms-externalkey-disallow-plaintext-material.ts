import { DYNAMIC } from "../lib/props";
import { resourceRule } from "../lib/rule";
import { AWS, isSet, read } from "../lib/aws";

const EXTERNAL_KEYS = [AWS.externalKey, AWS.replicaExternalKey];
const TYPES = [...EXTERNAL_KEYS, DYNAMIC.awsImportedKeyMaterial];

/**
 * Catalogue row 13. `keyMaterialBase64` on aws.kms.ExternalKey / ReplicaExternalKey is the key material itself: Pulumi
 * keeps it in the checkpoint (as a secret, decryptable by anyone who can read the stack). The violation is the
 * presence of the input, so it is reported even when its value is unknown at preview (a material computed from another
 * resource still lands in state), and the value is never read. keyfabric's BYOK resource takes a descriptor
 * ({ file } / { env } / { command }); a string there would be material.
 */
export const rule = resourceRule(
    {
        name: "aws-kms-externalkey-disallow-plaintext-material",
        description:
            "Imported AWS KMS key material must never be a resource input (keyMaterialBase64), because Pulumi stores resource inputs in the stack's state.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            {
                name: "PCI DSS",
                version: "4.0",
                reference: "3.6.1.2 Secret and private keys are stored encrypted with a key-encrypting key, within a secure cryptographic device, or as key components",
            },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.4 Cryptographic keys are stored in the fewest possible locations" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (confidentiality of secret keys)" },
        ],
        remediation:
            "Remove keyMaterialBase64 and import the material out of band: keyfabric's BYOK (origin \"byok\", material as a file, environment variable or command descriptor) wraps it at deploy time and keeps only a fingerprint in state. Treat material that was already in state as exposed and replace it.",
        catalogueRows: [13],
        resourceTypes: TYPES,
    },
    {
        // No remediation: dropping the input does not remove the material from existing state, and the key needs new material.
        validateResource: (args, reportViolation) => {
            if (EXTERNAL_KEYS.includes(args.type as (typeof EXTERNAL_KEYS)[number])) {
                if (isSet(args.props, "keyMaterialBase64")) {
                    reportViolation("This key takes its key material as a resource input, so the material is stored in the stack's state.");
                }
                return;
            }
            if (args.type !== DYNAMIC.awsImportedKeyMaterial) return;
            const material = read(args.props, "material");
            if (material.known && typeof material.value === "string") {
                reportViolation("This key material import takes the material itself instead of a source descriptor, so the material is stored in the stack's state.");
            }
        },
    },
);
