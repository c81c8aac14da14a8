import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { GCP_CONSUMERS } from "../../policy-packs/key-management/lib/consumers-gcp";
import { rule } from "../../policy-packs/key-management/rules/gcp-storage-bucket-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const BUCKET = "gcp:storage/bucket:Bucket";
const compliant = {
    name: "acme-card-data",
    location: "EUROPE-WEST1",
    uniformBucketLevelAccess: true,
    encryption: { defaultKmsKeyName: "projects/acme-dev/locations/europe-west1/keyRings/payments/cryptoKeys/card-data" },
};
const MSG = "This Cloud Storage bucket does not encrypt with a customer-managed Cloud KMS key.";

test("a bucket with a default KMS key is compliant", async () => {
    expect(await checkResource(rule, { type: BUCKET, props: compliant })).toEqual({ violations: [] });
});

test("a bucket without encryption settings is a violation", async () => {
    const { encryption, ...props } = compliant;
    void encryption;
    expect(await checkResource(rule, { type: BUCKET, props })).toEqual({ violations: [{ message: MSG }] });
});

test("encryption without a default KMS key is a violation", async () => {
    expect(await checkResource(rule, { type: BUCKET, props: { ...compliant, encryption: {} } })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: BUCKET, props: { ...compliant, encryption: { defaultKmsKeyName: " " } } })).toEqual({ violations: [{ message: MSG }] });
});

test("the bucket's consumer entry names its key, and none without one", () => {
    const bucket = consumerFor([GCP_CONSUMERS], BUCKET)!;
    expect(bucket.keyRefs(compliant)).toEqual([compliant.encryption.defaultKmsKeyName]);
    expect(bucket.keyRefs({ ...compliant, encryption: {} })).toEqual([]);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:storage/bucketObject:BucketObject", props: { bucket: "b" } })).toEqual({ violations: [] });
});

test("an unknown key (a crypto key created in the same update) makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: BUCKET, props: { ...compliant, encryption: { defaultKmsKeyName: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the key", async () => {
    expect(await remediate(rule, { type: BUCKET, props: { name: "b" } })).toBeUndefined();
});
