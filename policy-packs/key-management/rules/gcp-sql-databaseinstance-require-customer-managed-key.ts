import { GCP_CONSUMER, typesOf, validateConsumers } from "../lib/consumers-gcp";
import { resourceRule } from "../lib/rule";

const CONSUMERS = [GCP_CONSUMER.sqlDatabaseInstance];

/** Catalogue row 12 (Cloud SQL): primaries and replicas alike name their key (a replica's key is in its own region). */
export const rule = resourceRule(
    {
        name: "gcp-sql-databaseinstance-require-customer-managed-key",
        description:
            "Cloud SQL instances, primaries and replicas, must encrypt their data with a customer-managed Cloud KMS key (encryptionKeyName), not only Google-managed encryption keys.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            "Set encryptionKeyName to a Cloud KMS key in the instance's region when creating the gcp.sql.DatabaseInstance, and grant the Cloud SQL service agent (a gcp.projects.ServiceIdentity for sqladmin.googleapis.com) roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    {
        validateResource: validateConsumers(CONSUMERS),
        // No automatic remediation: the rule cannot choose the key.
    },
);
