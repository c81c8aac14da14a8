import { rule } from "../../policy-packs/key-management/rules/aws-efs-filesystem-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, EFS_FILE_SYSTEM, EFS_REPLICATION_CONFIGURATION } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const FS = "aws:efs/fileSystem:FileSystem";
const REPLICATION = "aws:efs/replicationConfiguration:ReplicationConfiguration";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const DEST_CMK = "arn:aws:kms:eu-central-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const compliant = { creationToken: "shared", encrypted: true, kmsKeyId: CMK, performanceMode: "generalPurpose" };
const replication = { sourceFileSystemId: "fs-0123456789abcdef0", destination: { region: "eu-central-1", kmsKeyId: DEST_CMK } };
const NOT_CMK = { violations: [{ message: "This EFS file system does not encrypt with a customer-managed KMS key." }] };
const DEST_NOT_CMK = { violations: [{ message: "The destination file system of this EFS replication configuration does not encrypt with a customer-managed KMS key." }] };

test("a file system, and a replication's new destination, encrypted with customer-managed keys are compliant", async () => {
    expect(await checkResource(rule, { type: FS, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: REPLICATION, props: replication })).toEqual({ violations: [] });
});

test.each([
    ["unencrypted", { encrypted: false, kmsKeyId: undefined }],
    ["with encryption left unset", { encrypted: undefined, kmsKeyId: undefined }],
    ["encrypted without a key (aws/elasticfilesystem)", { kmsKeyId: undefined }],
    ["on the aws/elasticfilesystem alias", { kmsKeyId: "alias/aws/elasticfilesystem" }],
    ["on the aws/elasticfilesystem alias ARN", { kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/elasticfilesystem" }],
    ["with a key but encryption not enabled", { encrypted: undefined }],
])("a file system %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: FS, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("a replication that creates its destination without a customer-managed key is a violation", async () => {
    expect(await checkResource(rule, { type: REPLICATION, props: { ...replication, destination: { region: "eu-central-1" } } })).toEqual(DEST_NOT_CMK);
    expect(await checkResource(rule, { type: REPLICATION, props: { ...replication, destination: { region: "eu-central-1", kmsKeyId: "alias/aws/elasticfilesystem" } } })).toEqual(DEST_NOT_CMK);
});

test("a replication to an existing file system keeps that file system's key: not checked here", async () => {
    expect(await checkResource(rule, { type: REPLICATION, props: { ...replication, destination: { fileSystemId: "fs-0fedcba9876543210", region: "eu-central-1" } } })).toEqual({ violations: [] });
});

test("state: encryption is recorded with the ARN of the key used; unencrypted with encrypted false", async () => {
    expect(await checkResource(rule, { type: FS, props: { ...compliant, arn: "arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-1" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: FS, props: { creationToken: "shared", encrypted: false, kmsKeyId: "" } })).toEqual(NOT_CMK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:efs/mountTarget:MountTarget", props: { fileSystemId: "fs-1", subnetId: "subnet-1" } })).toEqual({ violations: [] });
});

test("values unknown at preview make the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: FS, props: { ...compliant, kmsKeyId: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: FS, props: { ...compliant, encrypted: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: REPLICATION, props: { ...replication, destination: { region: "eu-central-1", kmsKeyId: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entries name the keys", () => {
    expect(consumerFor([AWS_CONSUMERS], FS)).toBe(EFS_FILE_SYSTEM);
    expect(consumerFor([AWS_CONSUMERS], REPLICATION)).toBe(EFS_REPLICATION_CONFIGURATION);
    expect(EFS_FILE_SYSTEM.keyRefs(compliant)).toEqual([CMK]);
    expect(EFS_REPLICATION_CONFIGURATION.keyRefs(replication)).toEqual([DEST_CMK]);
});
