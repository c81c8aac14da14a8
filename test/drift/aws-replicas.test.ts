/**
 * Drift of AWS multi-Region keys, now that the emulator replicates keys as AWS does (ReplicateKey, UpdatePrimaryRegion):
 * the fixture's replica of `payments/card-data` is seeded with ReplicateKey (same key id and material as its primary
 * in eu-west-1), and the out-of-band changes below are made through the official SDK.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { Baseline, deployBaseline, kinds, scenario, World } from "./world";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

let base: Baseline;
beforeAll(async () => {
    base = await deployBaseline();
});

const PRIMARY = "kf-payments-card-data-aws-key";
const REPLICA = "kf-payments-card-data-aws-replica-eu-central-1";
const arnOf = (w: World, name: string) => w.r(name).outputs.arn as string;

test("the seeded replica is a real replica: same key id, the primary's material, listed in the primary's configuration; no drift", async () => {
    const report = await scenario(base, async (w) => {
        const primary = (await w.aws("eu-west-1").send(new kms.DescribeKeyCommand({ KeyId: arnOf(w, PRIMARY) }))).KeyMetadata!;
        const replica = (await w.aws("eu-central-1").send(new kms.DescribeKeyCommand({ KeyId: arnOf(w, REPLICA) }))).KeyMetadata!;
        expect(replica.KeyId).toBe(primary.KeyId);
        expect(replica.CurrentKeyMaterialId).toBe(primary.CurrentKeyMaterialId);
        expect(primary.MultiRegionConfiguration).toEqual({
            MultiRegionKeyType: "PRIMARY",
            PrimaryKey: { Arn: primary.Arn, Region: "eu-west-1" },
            ReplicaKeys: [{ Arn: replica.Arn, Region: "eu-central-1" }],
        });
        expect(replica.MultiRegionConfiguration?.MultiRegionKeyType).toBe("REPLICA");
        // Ciphertext of the primary decrypts in the replica's Region.
        const ct = (await w.aws("eu-west-1").send(new kms.EncryptCommand({ KeyId: primary.Arn, Plaintext: Buffer.from("card") }))).CiphertextBlob;
        const back = await w.aws("eu-central-1").send(new kms.DecryptCommand({ CiphertextBlob: ct }));
        expect([Buffer.from(back.Plaintext!).toString(), back.KeyId]).toEqual(["card", replica.Arn]);
    });
    expect(report.findings).toEqual([]);
});

test("a replica added out of band in a Region the stack does not declare: replica-added on the primary", async () => {
    const report = await scenario(base, async (w) => {
        await w.aws("eu-west-1").send(new kms.ReplicateKeyCommand({ KeyId: arnOf(w, PRIMARY), ReplicaRegion: "us-east-1" }));
    });
    expect(kinds(report)).toEqual([`${PRIMARY} replica-added`]);
    expect(report.findings[0]).toMatchObject({
        severity: "high",
        expected: { replicaRegions: ["eu-central-1"] },
        actual: { replicaRegions: ["eu-central-1", "us-east-1"] },
    });
    expect(report.findings[0].message).toContain("has replicas in us-east-1 that the stack does not declare");
});

test("the declared replica disabled in its Region: key-disabled on the replica only", async () => {
    const report = await scenario(base, async (w) => {
        await w.aws("eu-central-1").send(new kms.DisableKeyCommand({ KeyId: arnOf(w, REPLICA) }));
    });
    expect(kinds(report)).toEqual([`${REPLICA} key-disabled`]);
});

test("a second replica scheduled for deletion is still a replica until it is deleted: replica-added, then nothing once it is gone", async () => {
    const w = await World.start(base);
    try {
        await w.aws("eu-west-1").send(new kms.ReplicateKeyCommand({ KeyId: arnOf(w, PRIMARY), ReplicaRegion: "eu-north-1" }));
        await w.aws("eu-north-1").send(new kms.ScheduleKeyDeletionCommand({ KeyId: arnOf(w, PRIMARY).replace("eu-west-1", "eu-north-1"), PendingWindowInDays: 7 }));
        expect(kinds(await w.drift())).toEqual([`${PRIMARY} replica-added`]);
        w.advanceDays(8);
        const after = await w.drift();
        expect(kinds(after).filter((k) => k.includes("replica-added"))).toEqual([]);
    } finally {
        await w.stop();
    }
});

test("the primary Region moved out of band (UpdatePrimaryRegion): the stack's primary is now a replica, the replica the primary", async () => {
    const report = await scenario(base, async (w) => {
        await w.aws("eu-west-1").send(new kms.UpdatePrimaryRegionCommand({ KeyId: arnOf(w, PRIMARY), PrimaryRegion: "eu-central-1" }));
        const moved = (await w.aws("eu-west-1").send(new kms.DescribeKeyCommand({ KeyId: arnOf(w, PRIMARY) }))).KeyMetadata!.MultiRegionConfiguration!;
        expect([moved.MultiRegionKeyType, moved.PrimaryKey]).toEqual(["REPLICA", { Arn: arnOf(w, REPLICA), Region: "eu-central-1" }]);
    });
    // Detected, though not named as such: drift has no finding kind for a moved primary Region, so the stack's
    // replica, now PRIMARY, reports the former primary's Region as an undeclared replica.
    expect(kinds(report)).toEqual([`${REPLICA} replica-added`]);
    expect(report.findings[0]).toMatchObject({ severity: "high", expected: { replicaRegions: [] }, actual: { replicaRegions: ["eu-west-1"] } });
});
