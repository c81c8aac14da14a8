import { rule } from "../../policy-packs/key-management/rules/keyfabric-hierarchy-require-owner-tags";
import { crossCloudStack, labelsFor, named, ofType, raw, tagsFor } from "./fixtures-crosscloud";
import { checkStack, UNKNOWN } from "./harness";

const BOTH_TAGS = "tags keyfabric:owner, keyfabric:classification";

test("every key keyfabric emits carries owner and classification", async () => {
    expect(await checkStack(rule, await crossCloudStack())).toEqual({ violations: [] });
});

test("a hand-written key without tags", async () => {
    const bare = raw("aws:kms/key:Key", "bare", { description: "no tags" });
    expect(await checkStack(rule, [...(await crossCloudStack()), bare])).toEqual({
        violations: [{ message: `A key outside any key hierarchy in aws is missing the ${BOTH_TAGS}.`, urn: bare.urn }],
    });
});

test("a hand-written GCP key claiming payments/card-data without an owner label (an empty value counts as missing)", async () => {
    const { "keyfabric-owner": owner, ...labels } = labelsFor("card-data");
    void owner;
    const manual = raw("gcp:kms/cryptoKey:CryptoKey", "manual", { keyRing: "acme-dev/europe-west1/manual", name: "card-data", labels });
    const empty = raw("gcp:kms/cryptoKey:CryptoKey", "empty", { keyRing: "acme-dev/europe-west1/manual", name: "card-data", labels: { ...labels, "keyfabric-owner": " " } });
    expect(await checkStack(rule, [...(await crossCloudStack()), manual, empty])).toEqual({
        violations: [
            { message: "Key payments/card-data in gcp is missing the label keyfabric-owner.", urn: manual.urn },
            { message: "Key payments/card-data in gcp is missing the label keyfabric-owner.", urn: empty.urn },
        ],
    });
});

test("a keyfabric key whose tags were dropped is still named by the component tree", async () => {
    const stack = await crossCloudStack();
    const key = named(stack, "kf-payments-signing-azure-key");
    key.props.tags = { "cost-center": "sec-001" };
    expect(await checkStack(rule, stack)).toEqual({ violations: [{ message: `Key payments/signing in azure is missing the ${BOTH_TAGS}.`, urn: key.urn }] });
});

test("a key of a domain without a key tag", async () => {
    const { "keyfabric:key": k, "keyfabric:classification": c, ...tags } = tagsFor("x");
    void k;
    void c;
    const partial = raw("aws:kms/externalKey:ExternalKey", "partial", { tags });
    expect((await checkStack(rule, [partial])).violations).toEqual([{ message: "A key of domain payments in aws is missing the tag keyfabric:classification.", urn: partial.urn }]);
});

test("provider default tags in state (tagsAll, effectiveLabels) count; Azure tag names are case-insensitive", async () => {
    const withDefaults = raw("aws:kms/key:Key", "defaults", { tags: {}, tagsAll: { "keyfabric:owner": "team-a", "keyfabric:classification": "internal" } });
    const gcp = raw("gcp:kms/cryptoKey:CryptoKey", "gcp-defaults", { keyRing: "p/l/r", name: "k", effectiveLabels: { "keyfabric-owner": "team-a", "keyfabric-classification": "internal" } });
    const azure = raw("azure-native:keyvault:Key", "azure-case", { vaultName: "v", resourceGroupName: "rg", keyName: "k", properties: { kty: "RSA" }, tags: { "Keyfabric:Owner": "team-a", "KEYFABRIC:CLASSIFICATION": "internal" } });
    expect(await checkStack(rule, [withDefaults, gcp, azure])).toEqual({ violations: [] });
});

test("tags unknown at preview, or provider default tags still unknown, make the key not applicable", async () => {
    const unknownTags = raw("aws:kms/key:Key", "unknown-tags", { tags: UNKNOWN });
    const unknownDefaults = raw("aws:kms/key:Key", "unknown-defaults", { tags: {}, tagsAll: UNKNOWN });
    const unknownValue = raw("azure-native:keyvault:Key", "unknown-value", { properties: { kty: "RSA" }, tags: { ...tagsFor("k"), "keyfabric:owner": UNKNOWN } });
    expect(await checkStack(rule, [unknownTags, unknownDefaults, unknownValue])).toEqual({ violations: [] });
});

test("config: other required tags and labels", async () => {
    const stack = await crossCloudStack();
    const { violations } = await checkStack(rule, stack, { requiredTags: ["keyfabric:owner", "cost-center"], requiredLabels: ["keyfabric-owner", "data-owner"] });
    const gcpKeys = ofType(stack, "gcp:kms/cryptoKey:CryptoKey");
    expect(violations).toHaveLength(gcpKeys.length);
    expect(violations).toEqual(expect.arrayContaining(gcpKeys.map((k) => ({ message: `Key payments/${k.props.name} in gcp is missing the label data-owner.`, urn: k.urn }))));
    expect(rule.configSchema?.properties).toMatchObject({
        requiredTags: { type: "array", default: ["keyfabric:owner", "keyfabric:classification"] },
        requiredLabels: { type: "array", default: ["keyfabric-owner", "keyfabric-classification"] },
    });
});
