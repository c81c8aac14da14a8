import { GCP_CONSUMER, typesOf, validateConsumers } from "../lib/consumers-gcp";
import { resourceRule } from "../lib/rule";

const CONSUMERS = [GCP_CONSUMER.containerCluster];

/**
 * Catalogue row 12 (GKE): application-layer secrets encryption, the cluster's use of a customer-managed key. Named like
 * the other consumer rules (require-customer-managed-key) rather than enable-secrets-encryption: GKE offers the
 * feature only with a Cloud KMS key, so requiring the key is requiring the feature.
 */
export const rule = resourceRule(
    {
        name: "gcp-container-cluster-require-customer-managed-key",
        description:
            'GKE clusters must encrypt Kubernetes Secrets at the application layer with a customer-managed Cloud KMS key (databaseEncryption.state "ENCRYPTED" with databaseEncryption.keyName); without it, Secrets in etcd are protected only by Google-managed encryption.',
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Google Kubernetes Engine (GKE) Benchmark", version: "1.6.0", reference: "5.3.1 Ensure Kubernetes Secrets are encrypted using keys managed in Cloud KMS" },
            { name: "KICS", version: "2", reference: "gcp_gke_secrets_encryption_cmek_disabled (beta: GKE Secrets Not Encrypted with CMEK)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            'Set databaseEncryption: { state: "ENCRYPTED", keyName: <crypto key id> } on the gcp.container.Cluster, with a key in the cluster\'s location, and grant the GKE service agent (service-PROJECT_NUMBER@container-engine-robot.iam.gserviceaccount.com) roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.',
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    {
        validateResource: validateConsumers(CONSUMERS),
        // No automatic remediation: the rule cannot choose the key.
    },
);
