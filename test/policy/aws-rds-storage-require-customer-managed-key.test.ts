import { rule } from "../../policy-packs/key-management/rules/aws-rds-storage-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, RDS_CLUSTER, RDS_INSTANCE } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = { engine: "postgres", instanceClass: "db.t4g.micro", storageEncrypted: true, kmsKeyId: CMK };
const NOT_CMK = { violations: [{ message: "The storage of this database is not encrypted with a customer-managed KMS key." }] };

test.each([INSTANCE, CLUSTER])("%s: encrypted storage with a customer-managed key is compliant", async (type) => {
    expect(await checkResource(rule, { type, props: compliant })).toEqual({ violations: [] });
});

test.each([
    ["unencrypted storage", { storageEncrypted: false, kmsKeyId: undefined }],
    ["storage encryption left unset", { storageEncrypted: undefined, kmsKeyId: undefined }],
    ["the default key (kmsKeyId unset)", { kmsKeyId: undefined }],
    ["the aws/rds alias", { kmsKeyId: "alias/aws/rds" }],
])("%s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: INSTANCE, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test.each([
    ["a read replica", INSTANCE, { replicateSourceDb: "arn:aws:rds:eu-west-1:111122223333:db:primary" }],
    ["a restore from a snapshot", INSTANCE, { snapshotIdentifier: "snap-1" }],
    ["a point-in-time restore", INSTANCE, { restoreToPointInTime: { sourceDbInstanceIdentifier: "primary" } }],
    ["a cluster replica", CLUSTER, { replicationSourceIdentifier: "arn:aws:rds:eu-west-1:111122223333:cluster:primary" }],
])("%s without a key inherits its source's key: not reported", async (_n, type, props) => {
    expect(await checkResource(rule, { type, props: { engine: "postgres", ...props } })).toEqual({ violations: [] });
});

test("a replica that names an AWS managed key is reported", async () => {
    expect(await checkResource(rule, { type: INSTANCE, props: { replicateSourceDb: "primary", storageEncrypted: true, kmsKeyId: "alias/aws/rds" } })).toEqual(NOT_CMK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:rds/clusterInstance:ClusterInstance", props: { storageEncrypted: false } })).toEqual({ violations: [] });
});

test("a key reference unknown at preview is never a violation; other unknown values make the rule not run", async () => {
    expect(await checkResource(rule, { type: INSTANCE, props: { ...compliant, kmsKeyId: UNKNOWN } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: INSTANCE, props: { ...compliant, storageEncrypted: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entries name the storage key (none when storage is unencrypted); global clusters name no key", () => {
    expect(consumerFor([AWS_CONSUMERS], INSTANCE)).toBe(RDS_INSTANCE);
    expect(consumerFor([AWS_CONSUMERS], CLUSTER)).toBe(RDS_CLUSTER);
    expect(consumerFor([AWS_CONSUMERS], "aws:rds/globalCluster:GlobalCluster")).toBeUndefined();
    expect(RDS_CLUSTER.keyRefs(compliant)).toEqual([CMK]);
    expect(RDS_INSTANCE.keyRefs({ ...compliant, storageEncrypted: false })).toEqual([]);
    expect(RDS_CLUSTER.keyRefs({ ...compliant, kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/rds" })).toEqual([]);
});
