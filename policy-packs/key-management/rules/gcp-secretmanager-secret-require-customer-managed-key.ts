import { GCP_CONSUMER, typesOf, validateConsumers } from "../lib/consumers-gcp";
import { resourceRule } from "../lib/rule";

const CONSUMERS = [GCP_CONSUMER.secretManagerSecret, GCP_CONSUMER.secretManagerRegionalSecret];

/** Catalogue row 12 (Secret Manager): every copy of a secret's payload, each user-managed replica included, is under a customer-managed key. */
export const rule = resourceRule(
    {
        name: "gcp-secretmanager-secret-require-customer-managed-key",
        description:
            "Secret Manager secrets must encrypt their payloads with customer-managed Cloud KMS keys: replication.auto.customerManagedEncryption.kmsKeyName, or customerManagedEncryption.kmsKeyName on every replica of replication.userManaged; regional secrets customerManagedEncryption.kmsKeyName.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            "On a gcp.secretmanager.Secret set replication.auto.customerManagedEncryption.kmsKeyName to a global Cloud KMS key, or customerManagedEncryption.kmsKeyName on every replication.userManaged.replicas[] entry to a key in that replica's location; on a gcp.secretmanager.RegionalSecret set customerManagedEncryption.kmsKeyName. Grant the Secret Manager service agent (service-PROJECT_NUMBER@gcp-sa-secretmanager.iam.gserviceaccount.com) roles/cloudkms.cryptoKeyEncrypterDecrypter on the keys.",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    {
        validateResource: validateConsumers(CONSUMERS),
        // No automatic remediation: the rule cannot choose the keys.
    },
);
