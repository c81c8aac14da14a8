import { rule } from "../../policy-packs/key-management/rules/aws-ebs-volume-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, EBS_VOLUME } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const VOLUME = "aws:ebs/volume:Volume";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = { availabilityZone: "eu-west-1a", size: 40, encrypted: true, kmsKeyId: CMK };
const NOT_CMK = { violations: [{ message: "This EBS volume is not encrypted with a customer-managed KMS key." }] };

test("an encrypted volume with a customer-managed key is compliant", async () => {
    expect(await checkResource(rule, { type: VOLUME, props: compliant })).toEqual({ violations: [] });
});

test.each([
    ["unencrypted", { encrypted: false, kmsKeyId: undefined }],
    ["encrypted with the default key (kmsKeyId unset)", { kmsKeyId: undefined }],
    ["encrypted with the aws/ebs alias", { kmsKeyId: "alias/aws/ebs" }],
    ["encryption left unset", { encrypted: undefined, kmsKeyId: undefined }],
])("a volume %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: VOLUME, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("a volume restored from a snapshot without a key inherits the snapshot's key: not reported", async () => {
    expect(await checkResource(rule, { type: VOLUME, props: { availabilityZone: "eu-west-1a", snapshotId: "snap-0123456789abcdef0" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: VOLUME, props: { availabilityZone: "eu-west-1a", snapshotId: "snap-0123456789abcdef0", kmsKeyId: "alias/aws/ebs" } })).toEqual(NOT_CMK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:rds/instance:Instance", props: { encrypted: false } })).toEqual({ violations: [] });
});

test("a key reference unknown at preview is never a violation; other unknown values make the rule not run", async () => {
    expect(await checkResource(rule, { type: VOLUME, props: { ...compliant, kmsKeyId: UNKNOWN } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: VOLUME, props: { ...compliant, encrypted: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entry names the volume's key (none for an unencrypted volume or one restored from a snapshot)", () => {
    expect(consumerFor([AWS_CONSUMERS], VOLUME)).toBe(EBS_VOLUME);
    expect(EBS_VOLUME.keyRefs(compliant)).toEqual([CMK]);
    expect(EBS_VOLUME.keyRefs({ ...compliant, encrypted: false })).toEqual([]);
    expect(EBS_VOLUME.keyRefs({ snapshotId: "snap-0123456789abcdef0" })).toEqual([]);
});
