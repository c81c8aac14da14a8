import { unknownCheckingProxy } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-require-key-policy";
import { checkStack, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root"] }, Action: "kms:*", Resource: "*" }],
});
const AWS_DEFAULT = JSON.stringify({ Version: "2012-10-17", Id: "key-default-1", Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" }] });
const MESSAGE = "This KMS key has no explicit key policy, so AWS applies its default policy that delegates all access to IAM.";
const urn = (name: string) => `urn:pulumi:test::project::${KEY}::${name}`;

test("a key with its own policy (JSON string or object) is compliant", async () => {
    expect(await checkStack(rule, [{ type: KEY, name: "k", props: { policy: POLICY } }])).toEqual({ violations: [] });
    expect(await checkStack(rule, [{ type: KEY, name: "k", props: { policy: JSON.parse(POLICY) } }])).toEqual({ violations: [] });
});

test.each([
    ["aws:kms/key:Key"],
    ["aws:kms/externalKey:ExternalKey"],
    ["aws:kms/replicaKey:ReplicaKey"],
    ["aws:kms/replicaExternalKey:ReplicaExternalKey"],
])("%s without a policy is a violation, reported on the key", async (type) => {
    expect(await checkStack(rule, [{ type, name: "k", props: { description: "d" } }])).toEqual({
        violations: [{ message: MESSAGE, urn: `urn:pulumi:test::project::${type}::k` }],
    });
});

test("an empty policy is a violation", async () => {
    expect(await checkStack(rule, [{ type: KEY, name: "k", props: { policy: "  " } }])).toEqual({ violations: [{ message: MESSAGE, urn: urn("k") }] });
});

test("on state, AWS's default policy (Id key-default-1) is not an explicit policy", async () => {
    expect(await checkStack(rule, [{ type: KEY, name: "k", props: { policy: AWS_DEFAULT, keyId: "1234abcd", arn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd" } }])).toEqual({
        violations: [{ message: MESSAGE, urn: urn("k") }],
    });
});

test("on state, a separate KeyPolicy naming the key by id or ARN makes it compliant; one for another key does not", async () => {
    const key = { type: KEY, name: "k", props: { policy: AWS_DEFAULT, keyId: "1234abcd", arn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd" } };
    expect(await checkStack(rule, [key, { type: KEY_POLICY, name: "p", props: { keyId: "1234abcd", policy: POLICY } }])).toEqual({ violations: [] });
    expect(await checkStack(rule, [key, { type: KEY_POLICY, name: "p", props: { keyId: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd", policy: POLICY } }])).toEqual({ violations: [] });
    expect(await checkStack(rule, [key, { type: KEY_POLICY, name: "p", props: { keyId: "9999ffff", policy: POLICY } }])).toEqual({ violations: [{ message: MESSAGE, urn: urn("k") }] });
});

test("at preview, a separate KeyPolicy is matched to its key through the keyId property dependency", async () => {
    const mk = (type: string, name: string, props: Record<string, any>) => ({
        type,
        name,
        urn: `urn:pulumi:test::project::${type}::${name}`,
        props: unknownCheckingProxy(props),
        opts: {} as any,
        dependencies: [] as any[],
        propertyDependencies: {} as Record<string, any[]>,
        isType: () => false,
        asType: () => undefined,
    });
    const covered = mk(KEY, "covered", { description: "d" });
    const bare = mk(KEY, "bare", { description: "d" });
    const kp = mk(KEY_POLICY, "p", { keyId: UNKNOWN, policy: UNKNOWN });
    kp.propertyDependencies = { keyId: [covered] };
    const violations: { message: string; urn?: string }[] = [];
    await (rule.validateStack as any)({ resources: [covered, bare, kp], getConfig: () => ({}), stackTags: new Map(), notApplicable: () => undefined }, (message: string, u?: string) =>
        violations.push({ message, urn: u }),
    );
    expect(violations).toEqual([{ message: MESSAGE, urn: urn("bare") }]);
});

test("a KeyPolicy whose key cannot be identified (unknown keyId, no dependency) never produces a violation", async () => {
    expect(await checkStack(rule, [{ type: KEY, name: "k", props: {} }, { type: KEY_POLICY, name: "p", props: { keyId: UNKNOWN, policy: POLICY } }])).toEqual({ violations: [] });
});

test("a policy unknown at preview is set explicitly: compliant, and the rule still runs for the other keys", async () => {
    expect(await checkStack(rule, [{ type: KEY, name: "a", props: { policy: UNKNOWN } }, { type: KEY, name: "b", props: {} }])).toEqual({
        violations: [{ message: MESSAGE, urn: urn("b") }],
    });
});

test("stacks without KMS keys are not affected", async () => {
    expect(await checkStack(rule, [{ type: "aws:s3/bucket:Bucket", props: {} }, { type: KEY_POLICY, props: { keyId: "x", policy: POLICY } }])).toEqual({ violations: [] });
});
