import { GCP_CONSUMER, typesOf, validateConsumers } from "../lib/consumers-gcp";
import { resourceRule } from "../lib/rule";

const CONSUMERS = [
    GCP_CONSUMER.computeDisk,
    GCP_CONSUMER.computeRegionDisk,
    GCP_CONSUMER.computeSnapshot,
    GCP_CONSUMER.computeInstance,
    GCP_CONSUMER.computeInstanceTemplate,
    GCP_CONSUMER.computeRegionInstanceTemplate,
];

/**
 * Catalogue row 12 (Compute Engine). The disks a program creates: Disk and RegionDisk, Snapshot, an Instance's boot
 * disk created with initializeParams, and the disks of instance templates. A disk attached by source is its own Disk
 * resource and is judged there; local SSDs cannot use Cloud KMS keys. A snapshot or a disk made from a CMEK-protected
 * source must still name its key: the rule cannot see the source's key, and pinning it keeps the key in the program.
 */
export const rule = resourceRule(
    {
        name: "gcp-compute-disk-require-customer-managed-key",
        description:
            "Compute Engine disks, regional disks, snapshots, instance boot disks and instance-template disks must be encrypted with a customer-managed Cloud KMS key (diskEncryptionKey.kmsKeySelfLink, kmsKeyName on regional disks, snapshotEncryptionKey.kmsKeySelfLink, bootDisk.kmsKeySelfLink, disks[].diskEncryptionKey.kmsKeySelfLink), not Google-managed or customer-supplied (CSEK) keys. Disks attached by source are judged as their own Disk resources.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            {
                name: "CIS Google Cloud Platform Foundation Benchmark",
                version: "3.0.0",
                reference: "4.7 Ensure VM Disks for Critical VMs Are Encrypted With Customer-Supplied Encryption Keys (met here with Cloud KMS keys, which keep key material out of the program and its state)",
            },
            { name: "Checkov", version: "3", reference: "CKV_GCP_37 (google_compute_disk), CKV_GCP_38 (google_compute_instance boot disk)" },
            { name: "Trivy", version: "AVD", reference: "AVD-GCP-0034 Disks should be encrypted with customer managed encryption keys; AVD-GCP-0033 (instance disks)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            "Set diskEncryptionKey: { kmsKeySelfLink: <crypto key id> } on gcp.compute.Disk (diskEncryptionKey.kmsKeyName on RegionDisk), snapshotEncryptionKey.kmsKeySelfLink on Snapshot, bootDisk.kmsKeySelfLink on Instance and disks[].diskEncryptionKey.kmsKeySelfLink on instance templates, instead of a rawKey or rsaEncryptedKey, and grant the Compute Engine service agent (service-PROJECT_NUMBER@compute-system.iam.gserviceaccount.com) roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    {
        validateResource: validateConsumers(CONSUMERS),
        // No automatic remediation: the rule cannot choose the key, and a disk's key cannot be changed in place.
    },
);
