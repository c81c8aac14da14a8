import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-require-tags";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const tags = { "keyfabric:owner": "team-payments", "keyfabric:classification": "confidential", "keyfabric:domain": "payments" };
const missing = (...k: string[]) => ({ message: `This KMS key is missing required tags: ${k.join(", ")}.` });

test.each(["aws:kms/key:Key", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"])(
    "%s with owner and a known classification is compliant",
    async (type) => {
        expect(await checkResource(rule, { type, props: { tags } })).toEqual({ violations: [] });
    },
);

test("a missing or empty owner tag is a violation", async () => {
    const { ["keyfabric:owner"]: _o, ...rest } = tags;
    void _o;
    expect(await checkResource(rule, { type: KEY, props: { tags: rest } })).toEqual({ violations: [missing("keyfabric:owner")] });
    expect(await checkResource(rule, { type: KEY, props: { tags: { ...tags, "keyfabric:owner": "" } } })).toEqual({ violations: [missing("keyfabric:owner")] });
});

test("no tags at all is one violation naming every missing tag", async () => {
    expect(await checkResource(rule, { type: KEY, props: {} })).toEqual({ violations: [missing("keyfabric:owner", "keyfabric:classification")] });
});

test("an unknown classification is a violation, without echoing it", async () => {
    expect(await checkResource(rule, { type: KEY, props: { tags: { ...tags, "keyfabric:classification": "top-secret" } } })).toEqual({
        violations: [{ message: "The keyfabric:classification tag of this KMS key is not one of the allowed classifications." }],
    });
});

test("on state, provider default tags in tagsAll count", async () => {
    expect(await checkResource(rule, { type: KEY, props: { tags: { "keyfabric:classification": "internal" }, tagsAll: { "keyfabric:owner": "platform", "keyfabric:classification": "internal" } } })).toEqual({
        violations: [],
    });
});

test("custom required tags and classifications are honoured", async () => {
    const config = { requiredTags: ["cost-center"], allowedClassifications: ["pci", "non-pci"] };
    expect(await checkResource(rule, { type: KEY, props: { tags: { "cost-center": "42", "keyfabric:classification": "pci" } } }, config)).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { tags } }, config)).toEqual({
        violations: [missing("cost-center"), { message: "The keyfabric:classification tag of this KMS key is not one of the allowed classifications." }],
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:kms/alias:Alias", props: {} })).toEqual({ violations: [] });
});

test("unknown tags at preview are never a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { tags: UNKNOWN } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { tags: { ...tags, "keyfabric:owner": UNKNOWN, "keyfabric:classification": UNKNOWN } } })).toEqual({ violations: [] });
});
