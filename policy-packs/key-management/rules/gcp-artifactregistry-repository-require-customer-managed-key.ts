import { GCP_CONSUMER, typesOf, validateConsumers } from "../lib/consumers-gcp";
import { resourceRule } from "../lib/rule";

const CONSUMERS = [GCP_CONSUMER.artifactRegistryRepository];

/** Catalogue row 12 (Artifact Registry): standard and remote repositories store artifacts; virtual ones only point to others. */
export const rule = resourceRule(
    {
        name: "gcp-artifactregistry-repository-require-customer-managed-key",
        description:
            "Artifact Registry standard and remote repositories must encrypt their contents with a customer-managed Cloud KMS key (kmsKeyName), not only Google-managed encryption keys. Virtual repositories store no artifacts and are not judged.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_GCP_84 Ensure Artifact Registry Repositories are encrypted with Customer Supplied Encryption Keys (CSEK) (checks kms_key_name)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            "Set kmsKeyName, a Cloud KMS key in the repository's location, when creating the gcp.artifactregistry.Repository (it cannot be changed afterwards), and grant the Artifact Registry service agent (service-PROJECT_NUMBER@gcp-sa-artifactregistry.iam.gserviceaccount.com) roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    {
        validateResource: validateConsumers(CONSUMERS),
        // No automatic remediation: the rule cannot choose the key, and a repository's key cannot be changed.
    },
);
