import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { GCP_CONSUMERS } from "../../policy-packs/key-management/lib/consumers-gcp";
import { rule } from "../../policy-packs/key-management/rules/gcp-compute-disk-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const DISK = "gcp:compute/disk:Disk";
const REGION_DISK = "gcp:compute/regionDisk:RegionDisk";
const SNAPSHOT = "gcp:compute/snapshot:Snapshot";
const INSTANCE = "gcp:compute/instance:Instance";
const TEMPLATE = "gcp:compute/instanceTemplate:InstanceTemplate";
const REGION_TEMPLATE = "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate";

const KEY = "projects/acme-prod/locations/europe-west1/keyRings/payments/cryptoKeys/disks";
const RAW = "SGVsbG8gZnJvbSBHb29nbGUgQ2xvdWQgUGxhdGZvcm0=";

const disk = { name: "ledger-data", zone: "europe-west1-b", size: 100, type: "pd-ssd", diskEncryptionKey: { kmsKeySelfLink: KEY } };
const regionDisk = { name: "ledger-ha", region: "europe-west1", replicaZones: ["europe-west1-b", "europe-west1-c"], size: 100, diskEncryptionKey: { kmsKeyName: KEY } };
const snapshot = { name: "ledger-daily", sourceDisk: "ledger-data", zone: "europe-west1-b", snapshotEncryptionKey: { kmsKeySelfLink: KEY } };
const instance = {
    name: "ledger-vm",
    machineType: "e2-standard-4",
    zone: "europe-west1-b",
    bootDisk: { initializeParams: { image: "debian-cloud/debian-12", size: 20 }, kmsKeySelfLink: KEY },
    networkInterfaces: [{ network: "default" }],
};
const template = {
    namePrefix: "ledger-",
    machineType: "e2-standard-4",
    disks: [
        { sourceImage: "debian-cloud/debian-12", boot: true, autoDelete: true, diskEncryptionKey: { kmsKeySelfLink: KEY } },
        { type: "SCRATCH", diskType: "local-ssd", diskSizeGb: 375, interface: "NVME" },
        { source: "ledger-shared", boot: false, mode: "READ_ONLY" },
    ],
    networkInterfaces: [{ network: "default" }],
};

const msg = (label: string, part?: string) => `This ${label} does not encrypt ${part ? `${part} ` : ""}with a customer-managed Cloud KMS key.`;
const csek = (label: string, part?: string) => `This ${label} uses a customer-supplied encryption key (CSEK)${part ? ` for ${part}` : ""}, not a customer-managed Cloud KMS key.`;
const one = (message: string) => ({ violations: [{ message }] });

test("disks, regional disks, snapshots, instance boot disks and instance templates with Cloud KMS keys are compliant", async () => {
    for (const [type, props] of [
        [DISK, disk],
        [REGION_DISK, regionDisk],
        [SNAPSHOT, snapshot],
        [INSTANCE, instance],
        [TEMPLATE, template],
        [REGION_TEMPLATE, { ...template, region: "europe-west1" }],
    ] as const) {
        expect([type, await checkResource(rule, { type, props })]).toEqual([type, { violations: [] }]);
    }
});

test("a disk without a key (Google-managed encryption) is a violation", async () => {
    const { diskEncryptionKey, ...props } = disk;
    void diskEncryptionKey;
    expect(await checkResource(rule, { type: DISK, props })).toEqual(one(msg("Compute Engine disk")));
    expect(await checkResource(rule, { type: DISK, props: { ...disk, diskEncryptionKey: {} } })).toEqual(one(msg("Compute Engine disk")));
    expect(await checkResource(rule, { type: DISK, props: { ...disk, diskEncryptionKey: { kmsKeySelfLink: " " } } })).toEqual(one(msg("Compute Engine disk")));
});

test("a disk with a customer-supplied key (rawKey or rsaEncryptedKey) is a violation, without echoing the key", async () => {
    const raw = await checkResource(rule, { type: DISK, props: { ...disk, diskEncryptionKey: { rawKey: RAW } } });
    expect(raw).toEqual(one(csek("Compute Engine disk")));
    expect(JSON.stringify(raw)).not.toContain(RAW);
    expect(await checkResource(rule, { type: DISK, props: { ...disk, diskEncryptionKey: { rsaEncryptedKey: RAW } } })).toEqual(one(csek("Compute Engine disk")));
});

test("a disk created from a snapshot or image must still name its key: the rule cannot see the source's", async () => {
    expect(await checkResource(rule, { type: DISK, props: { name: "restored", zone: "europe-west1-b", snapshot: "ledger-daily" } })).toEqual(one(msg("Compute Engine disk")));
    expect(await checkResource(rule, { type: DISK, props: { name: "restored", zone: "europe-west1-b", snapshot: "ledger-daily", diskEncryptionKey: { kmsKeySelfLink: KEY } } })).toEqual({
        violations: [],
    });
});

test("a regional disk names its key kmsKeyName (kmsKeySelfLink is the zonal disk's property)", async () => {
    expect(await checkResource(rule, { type: REGION_DISK, props: { ...regionDisk, diskEncryptionKey: undefined } })).toEqual(one(msg("Compute Engine regional disk")));
    expect(await checkResource(rule, { type: REGION_DISK, props: { ...regionDisk, diskEncryptionKey: { kmsKeySelfLink: KEY } } })).toEqual(one(msg("Compute Engine regional disk")));
    expect(await checkResource(rule, { type: REGION_DISK, props: { ...regionDisk, diskEncryptionKey: { rawKey: RAW } } })).toEqual(one(csek("Compute Engine regional disk")));
});

test("a snapshot without a key is a violation, a customer-supplied one too", async () => {
    expect(await checkResource(rule, { type: SNAPSHOT, props: { ...snapshot, snapshotEncryptionKey: undefined } })).toEqual(one(msg("Compute Engine snapshot")));
    expect(await checkResource(rule, { type: SNAPSHOT, props: { ...snapshot, snapshotEncryptionKey: { rawKey: RAW } } })).toEqual(one(csek("Compute Engine snapshot")));
});

test("an instance whose boot disk is created without a Cloud KMS key is a violation", async () => {
    const bootDisk = { initializeParams: { image: "debian-cloud/debian-12" } };
    expect(await checkResource(rule, { type: INSTANCE, props: { ...instance, bootDisk } })).toEqual(one(msg("Compute Engine instance", "its boot disk")));
    expect(await checkResource(rule, { type: INSTANCE, props: { ...instance, bootDisk: { ...bootDisk, diskEncryptionKeyRaw: RAW } } })).toEqual(
        one(csek("Compute Engine instance", "its boot disk")),
    );
    expect(await checkResource(rule, { type: INSTANCE, props: { ...instance, bootDisk: { ...bootDisk, diskEncryptionKeyRsa: RAW } } })).toEqual(
        one(csek("Compute Engine instance", "its boot disk")),
    );
});

test("an existing disk attached by source (as boot or attached disk) is judged as its own Disk resource", async () => {
    const props = { ...instance, bootDisk: { source: "ledger-boot" }, attachedDisks: [{ source: "ledger-data" }, { source: "ledger-logs", kmsKeySelfLink: KEY }] };
    expect(await checkResource(rule, { type: INSTANCE, props })).toEqual({ violations: [] });
    // The disk is created in the same update: its self link is unknown at preview, and that is enough to know it is an existing disk.
    expect(await checkResource(rule, { type: INSTANCE, props: { ...instance, bootDisk: { source: UNKNOWN } } })).toEqual({ violations: [] });
});

test("instance templates: every persistent disk they create needs a key; local SSDs and existing disks are not judged", async () => {
    const disks = [template.disks[0], { sourceImage: "debian-cloud/debian-12", type: "PERSISTENT", diskSizeGb: 200 }, ...template.disks.slice(1)];
    expect(await checkResource(rule, { type: TEMPLATE, props: { ...template, disks } })).toEqual(one(msg("Compute Engine instance template", "disk 2")));
    expect(await checkResource(rule, { type: REGION_TEMPLATE, props: { ...template, region: "europe-west1", disks: [{ sourceImage: "debian-cloud/debian-12", boot: true }] } })).toEqual(
        one(msg("Compute Engine regional instance template", "disk 1")),
    );
});

test("state shape: Compute Engine records the key version used; it names the same crypto key", async () => {
    const stateDisk = {
        ...disk,
        selfLink: "https://www.googleapis.com/compute/v1/projects/acme-prod/zones/europe-west1-b/disks/ledger-data",
        diskEncryptionKey: { kmsKeySelfLink: `${KEY}/cryptoKeyVersions/1`, kmsKeyServiceAccount: "", rawKey: "", rsaEncryptedKey: "", sha256: "" },
    };
    expect(await checkResource(rule, { type: DISK, props: stateDisk })).toEqual({ violations: [] });
    expect(consumerFor([GCP_CONSUMERS], DISK)!.keyRefs(stateDisk)).toEqual([KEY]);
    // A Google-managed disk has no diskEncryptionKey in state.
    expect(await checkResource(rule, { type: DISK, props: { ...stateDisk, diskEncryptionKey: null } })).toEqual(one(msg("Compute Engine disk")));

    // An instance in state has both the boot disk's source and its initializeParams.
    const bootDisk = { source: "https://www.googleapis.com/compute/v1/projects/acme-prod/zones/europe-west1-b/disks/ledger-vm", initializeParams: { image: "debian-12", size: 20 } };
    expect(await checkResource(rule, { type: INSTANCE, props: { ...instance, bootDisk: { ...bootDisk, kmsKeySelfLink: `${KEY}/cryptoKeyVersions/3`, diskEncryptionKeyRaw: "" } } })).toEqual({
        violations: [],
    });
    expect(await checkResource(rule, { type: INSTANCE, props: { ...instance, bootDisk: { ...bootDisk, kmsKeySelfLink: "", diskEncryptionKeyRaw: "" } } })).toEqual(
        one(msg("Compute Engine instance", "its boot disk")),
    );
});

test("keyRefs name the crypto keys of every part, attached disks included", () => {
    const other = "projects/acme-prod/locations/europe-west1/keyRings/payments/cryptoKeys/logs";
    const props = { ...instance, attachedDisks: [{ source: "ledger-data", kmsKeySelfLink: other }, { source: "ledger-logs" }] };
    expect(consumerFor([GCP_CONSUMERS], INSTANCE)!.keyRefs(props)).toEqual([KEY, other]);
    expect(consumerFor([GCP_CONSUMERS], TEMPLATE)!.keyRefs(template)).toEqual([KEY]);
    expect(consumerFor([GCP_CONSUMERS], DISK)!.keyRefs({ ...disk, diskEncryptionKey: { rawKey: RAW } })).toEqual([]);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:compute/image:Image", props: { name: "golden", sourceDisk: "ledger-data" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "gcp:storage/bucket:Bucket", props: { name: "b", location: "EU" } })).toEqual({ violations: [] });
});

test("a key unknown at preview (a crypto key created in the same update) makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: DISK, props: { ...disk, diskEncryptionKey: { kmsKeySelfLink: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: INSTANCE, props: { ...instance, bootDisk: { ...instance.bootDisk, kmsKeySelfLink: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: TEMPLATE, props: { ...template, disks: [{ sourceImage: "debian-12", diskEncryptionKey: { kmsKeySelfLink: UNKNOWN } }] } })).toEqual({
        violations: [],
        unknown: true,
    });
    expect(await checkResource(rule, { type: SNAPSHOT, props: { ...snapshot, snapshotEncryptionKey: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the key", async () => {
    expect(await remediate(rule, { type: DISK, props: { name: "d", zone: "europe-west1-b" } })).toBeUndefined();
});
