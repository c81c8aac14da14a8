import { GCP_CONSUMER, typesOf, validateConsumers } from "../lib/consumers-gcp";
import { resourceRule } from "../lib/rule";

const CONSUMERS = [GCP_CONSUMER.storageBucket];

/** Catalogue row 12: consuming services encrypt under a customer-managed key of the hierarchy. */
export const rule = resourceRule(
    {
        name: "gcp-storage-bucket-require-customer-managed-key",
        description:
            "Cloud Storage buckets must encrypt new objects with a customer-managed Cloud KMS key (encryption.defaultKmsKeyName), not only Google-managed encryption keys.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures protect the keys that protect stored account data" },
            { name: "Pulumi compliance-policies", version: "1", reference: "*-configure-customer-managed-key" },
        ],
        remediation:
            "Set encryption: { defaultKmsKeyName: <crypto key id> } on the gcp.storage.Bucket and grant the project's Cloud Storage service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on that key.",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    {
        // "This Cloud Storage bucket does not encrypt with a customer-managed Cloud KMS key." when
        // encryption.defaultKmsKeyName is unset, empty or not a string.
        validateResource: validateConsumers(CONSUMERS),
        // No automatic remediation: the rule cannot know which key (and which IAM grant) the bucket should use.
    },
);
