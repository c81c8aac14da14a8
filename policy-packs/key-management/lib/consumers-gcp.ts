/**
 * Google Cloud key consumers: one entry per resource type, each naming the Cloud KMS keys its props use (property
 * names from @pulumi/gcp 9.37's types). The `gcp-*-require-customer-managed-key` rules report the parts an entry
 * lists without a key; the cross-cloud classification rule reads `keyRefs`.
 *
 * Reading follows `consumers.ts`: a value unknown at preview throws the policy SDK's UnknownValueError, never caught
 * here. Presence checks (`isSet`) look at a property without reading its value, so a disk attached by an unknown
 * `source` is still recognised as an existing disk, and customer-supplied key material is never read.
 *
 * Not covered here, on purpose: a BigQuery table that sets no key uses its dataset's default key, which a resource's
 * own props cannot show; its entry lists only the table's own key, and the BigQuery rule (a stack rule) resolves the
 * dataset with `bigQueryDatasetOf`. On state, BigQuery records the key a table actually uses, inherited or not.
 */
import type { KeyConsumer } from "./consumers";
import { isSet } from "./aws";
import { asArray, isObject } from "./props";

/** One place a resource keeps data under a key: what the per-service rule judges. */
export interface ProtectedPart {
    /** A noun phrase for messages ("its boot disk", "disk 2", "replica 2"), positions only, never property values; undefined: the resource as a whole. */
    readonly part?: string;
    /** The customer-managed Cloud KMS key named for it (a crypto key id); undefined when it names none. */
    readonly key?: string;
    /** It names a customer-supplied key (CSEK: rawKey / rsaEncryptedKey) instead of a Cloud KMS key. */
    readonly customerSupplied?: boolean;
}

export interface GcpKeyConsumer extends KeyConsumer {
    /**
     * The parts the per-service rule judges, each with its key. A part another resource stands for (a disk attached
     * by `source`, which is its own `gcp.compute.Disk`) is listed only when it names a key; parts that cannot hold a
     * customer-managed key (local SSDs, views, external tables, virtual repositories) are left out.
     */
    parts(props: any): ProtectedPart[];
}

const KEY_PATH = /projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+/;

/**
 * The crypto key a Cloud KMS key reference names, undefined for none (unset, empty, not a string). A key version
 * (`.../cryptoKeyVersions/N`, as Compute Engine records in state) or a `//cloudkms.googleapis.com/` name becomes the
 * crypto key id; any other non-empty string is kept as written.
 */
export function cryptoKeyId(value: unknown): string | undefined {
    if (typeof value !== "string" || value.trim() === "") return undefined;
    return KEY_PATH.exec(value)?.[0] ?? value.trim();
}

const present = (o: unknown, name: string): boolean => isObject(o) && isSet(o, name);

/** `{ <member>: key, rawKey | rsaEncryptedKey }` blocks (disks, snapshots). */
function encryptionKeyPart(block: unknown, member: string, part?: string): ProtectedPart {
    const key = isObject(block) ? cryptoKeyId(block[member]) : undefined;
    if (key !== undefined) return { part, key };
    return { part, customerSupplied: present(block, "rawKey") || present(block, "rsaEncryptedKey") };
}

/** A consumer whose only part is the whole resource, with the key `read` returns. */
function single(types: readonly string[], label: string, read: (props: any) => unknown): GcpKeyConsumer {
    return withKeyRefs({ types, label, parts: (props) => [{ key: cryptoKeyId(read(props)) }] });
}

function withKeyRefs(c: Omit<GcpKeyConsumer, "keyRefs">): GcpKeyConsumer {
    return {
        ...c,
        keyRefs: (props) => [...new Set(c.parts(props).flatMap((p) => (p.key !== undefined ? [p.key] : [])))],
    };
}

/** Instance template disks: `disks[].diskEncryptionKey.kmsKeySelfLink` (templates take no customer-supplied keys). */
function templateDisks(props: any): ProtectedPart[] {
    const disks = asArray<any>(props.disks);
    const out: ProtectedPart[] = [];
    for (let i = 0; i < disks.length; i++) {
        const disk = disks[i];
        if (!isObject(disk)) continue;
        const key = isObject(disk.diskEncryptionKey) ? cryptoKeyId(disk.diskEncryptionKey.kmsKeySelfLink) : undefined;
        // An existing disk attached by name is its own gcp.compute.Disk; a local SSD (SCRATCH) cannot use a Cloud KMS key.
        if (key === undefined && (present(disk, "source") || disk.type === "SCRATCH")) continue;
        out.push({ part: `disk ${i + 1}`, key });
    }
    return out;
}

/** The entries, by name, for the rules; `GCP_CONSUMERS` lists them all. */
export const GCP_CONSUMER = {
    storageBucket: single(["gcp:storage/bucket:Bucket"], "Cloud Storage bucket", (p) => p.encryption?.defaultKmsKeyName),

    computeDisk: withKeyRefs({
        types: ["gcp:compute/disk:Disk"],
        label: "Compute Engine disk",
        parts: (p) => [encryptionKeyPart(p.diskEncryptionKey, "kmsKeySelfLink")],
    }),
    computeRegionDisk: withKeyRefs({
        types: ["gcp:compute/regionDisk:RegionDisk"],
        label: "Compute Engine regional disk",
        // RegionDisk names the key kmsKeyName, where Disk says kmsKeySelfLink.
        parts: (p) => [encryptionKeyPart(p.diskEncryptionKey, "kmsKeyName")],
    }),
    computeSnapshot: withKeyRefs({
        types: ["gcp:compute/snapshot:Snapshot"],
        label: "Compute Engine snapshot",
        parts: (p) => [encryptionKeyPart(p.snapshotEncryptionKey, "kmsKeySelfLink")],
    }),
    computeInstance: withKeyRefs({
        types: ["gcp:compute/instance:Instance"],
        label: "Compute Engine instance",
        parts: (p) => {
            const out: ProtectedPart[] = [];
            const boot = p.bootDisk;
            if (isObject(boot)) {
                const key = cryptoKeyId(boot.kmsKeySelfLink);
                const csek = present(boot, "diskEncryptionKeyRaw") || present(boot, "diskEncryptionKeyRsa");
                // A boot disk attached by source (and not created with initializeParams) is its own gcp.compute.Disk.
                // On state both are set, and the key recorded is the disk's.
                const existing = present(boot, "source") && !present(boot, "initializeParams");
                if (key !== undefined || csek || !existing) out.push({ part: "its boot disk", key, customerSupplied: key === undefined && csek });
            }
            // Attached disks are gcp.compute.Disk resources of their own: only the keys named here are listed.
            const attached = asArray<any>(p.attachedDisks);
            for (let i = 0; i < attached.length; i++) {
                const key = isObject(attached[i]) ? cryptoKeyId(attached[i].kmsKeySelfLink) : undefined;
                if (key !== undefined) out.push({ part: `attached disk ${i + 1}`, key });
            }
            return out;
        },
    }),
    computeInstanceTemplate: withKeyRefs({
        types: ["gcp:compute/instanceTemplate:InstanceTemplate"],
        label: "Compute Engine instance template",
        parts: templateDisks,
    }),
    computeRegionInstanceTemplate: withKeyRefs({
        types: ["gcp:compute/regionInstanceTemplate:RegionInstanceTemplate"],
        label: "Compute Engine regional instance template",
        parts: templateDisks,
    }),

    bigqueryDataset: single(["gcp:bigquery/dataset:Dataset"], "BigQuery dataset", (p) => p.defaultEncryptionConfiguration?.kmsKeyName),
    bigqueryTable: withKeyRefs({
        types: ["gcp:bigquery/table:Table"],
        label: "BigQuery table",
        parts: (p) => {
            const key = cryptoKeyId(p.encryptionConfiguration?.kmsKeyName);
            if (key !== undefined) return [{ key }];
            // Views store no data; external and BigLake tables keep theirs in Cloud Storage (encrypted there).
            if (present(p, "view") || present(p, "externalDataConfiguration") || present(p, "biglakeConfiguration")) return [];
            return [{}];
        },
    }),

    sqlDatabaseInstance: single(["gcp:sql/databaseInstance:DatabaseInstance"], "Cloud SQL instance", (p) => p.encryptionKeyName),
    pubsubTopic: single(["gcp:pubsub/topic:Topic"], "Pub/Sub topic", (p) => p.kmsKeyName),
    artifactRegistryRepository: withKeyRefs({
        types: ["gcp:artifactregistry/repository:Repository"],
        label: "Artifact Registry repository",
        parts: (p) => {
            const key = cryptoKeyId(p.kmsKeyName);
            if (key !== undefined) return [{ key }];
            // A virtual repository stores no artifacts: its upstream repositories do, and are judged themselves.
            return p.mode === "VIRTUAL_REPOSITORY" ? [] : [{}];
        },
    }),
    containerCluster: withKeyRefs({
        types: ["gcp:container/cluster:Cluster"],
        label: "GKE cluster",
        parts: (p) => {
            // Application-layer secrets encryption: the key counts only with state ENCRYPTED (state defaults to DECRYPTED).
            const de = p.databaseEncryption;
            const key = isObject(de) && de.state === "ENCRYPTED" ? cryptoKeyId(de.keyName) : undefined;
            return [{ part: "Kubernetes Secrets", key }];
        },
    }),
    secretManagerSecret: withKeyRefs({
        types: ["gcp:secretmanager/secret:Secret"],
        label: "Secret Manager secret",
        parts: (p) => {
            const replication = p.replication;
            if (isObject(replication)) {
                const auto = replication.auto;
                if (isObject(auto)) return [{ key: cryptoKeyId(auto.customerManagedEncryption?.kmsKeyName) }];
                const userManaged = replication.userManaged;
                if (isObject(userManaged)) {
                    const replicas = asArray<any>(userManaged.replicas);
                    const out: ProtectedPart[] = [];
                    for (let i = 0; i < replicas.length; i++) {
                        out.push({ part: `replica ${i + 1}`, key: cryptoKeyId(replicas[i]?.customerManagedEncryption?.kmsKeyName) });
                    }
                    return out;
                }
            }
            return [{}];
        },
    }),
    secretManagerRegionalSecret: single(["gcp:secretmanager/regionalSecret:RegionalSecret"], "Secret Manager regional secret", (p) => p.customerManagedEncryption?.kmsKeyName),
} as const satisfies Record<string, GcpKeyConsumer>;

export const GCP_CONSUMERS: readonly KeyConsumer[] = Object.values(GCP_CONSUMER);

/** The message for a part without a customer-managed key; never a property value. */
export function partMessage(consumer: GcpKeyConsumer, part: ProtectedPart): string {
    if (part.customerSupplied) {
        return `This ${consumer.label} uses a customer-supplied encryption key (CSEK)${part.part ? ` for ${part.part}` : ""}, not a customer-managed Cloud KMS key.`;
    }
    return `This ${consumer.label} does not encrypt ${part.part ? `${part.part} ` : ""}with a customer-managed Cloud KMS key.`;
}

/** The `validateResource` of a per-service rule: one violation per part of a listed consumer that names no key. */
export function validateConsumers(consumers: readonly GcpKeyConsumer[]) {
    return (args: { type: string; props: Record<string, any> }, reportViolation: (message: string) => void): void => {
        const consumer = consumers.find((c) => c.types.includes(args.type));
        if (consumer === undefined) return;
        for (const part of consumer.parts(args.props)) {
            if (part.key === undefined) reportViolation(partMessage(consumer, part));
        }
    };
}

/** The resource types of `consumers`, for a rule's `resourceTypes`. */
export const typesOf = (consumers: readonly GcpKeyConsumer[]): string[] => consumers.flatMap((c) => [...c.types]);

/** The dataset a BigQuery table belongs to: its `datasetId`, and its `project` when set (unset: the provider's). */
export function bigQueryDatasetOf(props: any): { datasetId?: string; project?: string } {
    const datasetId = typeof props.datasetId === "string" && props.datasetId !== "" ? props.datasetId : undefined;
    const project = typeof props.project === "string" && props.project !== "" ? props.project : undefined;
    return { datasetId, project };
}
