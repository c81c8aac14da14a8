import { GCP_CONSUMER, typesOf, validateConsumers } from "../lib/consumers-gcp";
import { resourceRule } from "../lib/rule";

const CONSUMERS = [GCP_CONSUMER.pubsubTopic];

/** Catalogue row 12 (Pub/Sub): a topic's key protects its messages, and the subscriptions' copies of them. */
export const rule = resourceRule(
    {
        name: "gcp-pubsub-topic-require-customer-managed-key",
        description: "Pub/Sub topics must protect their messages with a customer-managed Cloud KMS key (kmsKeyName), not only Google-managed encryption keys.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_GCP_83 Ensure PubSub Topics are encrypted with Customer Supplied Encryption Keys (CSEK) (checks kms_key_name)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            "Set kmsKeyName on the gcp.pubsub.Topic and grant the Pub/Sub service agent (service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com) roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    {
        validateResource: validateConsumers(CONSUMERS),
        // No automatic remediation: the rule cannot choose the key.
    },
);
