import { UnknownValueError } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/aws-cloudtrail-trail-enable-kms-logging";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const MESSAGE = "The stack declares AWS KMS keys but no multi-Region CloudTrail trail that records their management events, read and write.";
const key: TestResource = { type: "aws:kms/key:Key", name: "k", props: { description: "d", enableKeyRotation: true } };
const trail = (props: Record<string, unknown> = {}): TestResource => ({ type: "aws:cloudtrail/trail:Trail", name: "trail", props: { s3BucketName: "acme-trail", isMultiRegionTrail: true, ...props } });
const violation = { violations: [{ message: MESSAGE }] };

const management = (readOnly?: string, extra: Record<string, unknown>[] = []) => ({
    name: "management",
    fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, ...(readOnly ? [{ field: "readOnly", equals: [readOnly] }] : []), ...extra],
});

test("compliant: a multi-Region trail with the default selectors (every management event)", async () => {
    expect(await checkStack(rule, [key, trail()])).toEqual({ violations: [] });
    expect(await checkStack(rule, [key, trail({ enableLogging: true, includeGlobalServiceEvents: true, isOrganizationTrail: true })])).toEqual({ violations: [] });
});

test("no trail: one finding for the stack", async () => {
    expect(await checkStack(rule, [key])).toEqual(violation);
    expect(await checkStack(rule, [key, { ...key, name: "k2" }, { type: "aws:kms/replicaKey:ReplicaKey", props: {} }])).toEqual(violation);
});

test.each([
    ["a single-Region trail", { isMultiRegionTrail: false }],
    ["a trail without isMultiRegionTrail", { isMultiRegionTrail: undefined }],
    ["a trail that is not logging", { enableLogging: false }],
    ["a trail without global service events", { includeGlobalServiceEvents: false }],
    ["write-only management events (KMS Encrypt, Decrypt and GenerateDataKey are read events)", { eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }] }],
    ["read-only management events", { eventSelectors: [{ readWriteType: "ReadOnly" }] }],
    ["management events excluded", { eventSelectors: [{ readWriteType: "All", includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }] }],
    ["KMS events excluded", { eventSelectors: [{ readWriteType: "All", excludeManagementEventSources: ["kms.amazonaws.com"] }] }],
    ["advanced selectors for data events only", { advancedEventSelectors: [{ name: "s3", fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] }] }] }],
    ["advanced selectors for write management events only", { advancedEventSelectors: [management("false")] }],
    ["advanced selectors that exclude KMS", { advancedEventSelectors: [management(undefined, [{ field: "eventSource", notEquals: ["kms.amazonaws.com"] }])] }],
    ["advanced selectors for another event source only", { advancedEventSelectors: [management(undefined, [{ field: "eventSource", equals: ["s3.amazonaws.com"] }])] }],
])("%s does not count", async (_what, props) => {
    expect(await checkStack(rule, [key, trail(props)])).toEqual(violation);
});

test.each([
    ["basic selectors: All", { eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }] }],
    ["basic selectors: ReadOnly and WriteOnly", { eventSelectors: [{ readWriteType: "ReadOnly" }, { readWriteType: "WriteOnly" }] }],
    ["basic selectors excluding another source", { eventSelectors: [{ readWriteType: "All", excludeManagementEventSources: ["rdsdata.amazonaws.com"] }] }],
    ["advanced selectors: every management event", { advancedEventSelectors: [management()] }],
    ["advanced selectors: reads and writes apart", { advancedEventSelectors: [management("true"), management("false")] }],
    ["advanced selectors: excluding another source", { advancedEventSelectors: [management(undefined, [{ field: "eventSource", notEquals: ["rdsdata.amazonaws.com"] }])] }],
    ["advanced selectors: KMS only", { advancedEventSelectors: [management(undefined, [{ field: "eventSource", startsWiths: ["kms."] }])] }],
])("compliant with %s", async (_what, props) => {
    expect(await checkStack(rule, [key, trail(props)])).toEqual({ violations: [] });
});

test("one covering trail among others is enough", async () => {
    expect(await checkStack(rule, [key, trail({ isMultiRegionTrail: false }), { ...trail(), name: "org" }])).toEqual({ violations: [] });
});

test("the account baseline's trail: the rule's assumeAccountTrail, or a KeyHierarchy spec's audit.aws.trail", async () => {
    expect(await checkStack(rule, [key], { assumeAccountTrail: true })).toEqual({ violations: [] });
    const hierarchy = (audit: unknown): TestResource => ({ type: "keyfabric:index:KeyHierarchy", props: { spec: { name: "acme", audit } } });
    expect(await checkStack(rule, [hierarchy({ aws: { trail: "external" } }), key])).toEqual({ violations: [] });
    expect(await checkStack(rule, [hierarchy({ aws: { trail: "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org" } }), key])).toEqual({ violations: [] });
    expect(await checkStack(rule, [hierarchy({ gcp: {} }), key])).toEqual(violation);
});

test("a keyfabric AwsKey whose args name the trail (audit.trail) counts like a hierarchy's audit.aws.trail", async () => {
    const awsKey = (audit?: unknown): TestResource => ({ type: "keyfabric:aws:Key", name: "app-data", props: { region: "us-west-2", purpose: "encrypt", algorithm: "AES_256", ...(audit ? { audit } : {}) } });
    expect(await checkStack(rule, [awsKey({ trail: "external" }), key])).toEqual({ violations: [] });
    expect(await checkStack(rule, [awsKey(), key])).toEqual(violation);
});

test("stacks without KMS keys are not affected", async () => {
    expect(await checkStack(rule, [{ type: "aws:s3/bucket:Bucket", props: {} }])).toEqual({ violations: [] });
    expect(await checkStack(rule, [trail({ isMultiRegionTrail: false })])).toEqual({ violations: [] });
});

test("a trail setting unknown at preview: the proxy throws (the engine reports can't run)", async () => {
    await expect(checkStack(rule, [key, trail({ isMultiRegionTrail: UNKNOWN })])).rejects.toThrow(UnknownValueError);
    await expect(checkStack(rule, [key, trail({ eventSelectors: UNKNOWN })])).rejects.toThrow(UnknownValueError);
});
