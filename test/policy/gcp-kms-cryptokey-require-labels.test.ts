import { rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokey-require-labels";
import { runUnderMocks } from "../../sdk/preview/harness";
import { GcpKey } from "../../sdk/gcp/key";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const labels = { "keyfabric-owner": "platform-security", "keyfabric-classification": "restricted", "cost-center": "sec-001" };
const compliant = { keyRing: "projects/acme-dev/locations/europe-west1/keyRings/payments", name: "card-data", labels };

test("a key with owner and classification labels is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test("a missing owner label is a violation", async () => {
    const { "keyfabric-owner": _o, ...rest } = labels;
    void _o;
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, labels: rest } })).toEqual({
        violations: [{ message: "This Cloud KMS key is missing required labels: keyfabric-owner." }],
    });
});

test("an empty classification label is missing", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, labels: { ...labels, "keyfabric-classification": "" } } })).toEqual({
        violations: [{ message: "This Cloud KMS key is missing required labels: keyfabric-classification." }],
    });
});

test("a key without labels misses both", async () => {
    expect(await checkResource(rule, { type: KEY, props: { keyRing: compliant.keyRing, name: "k" } })).toEqual({
        violations: [{ message: "This Cloud KMS key is missing required labels: keyfabric-owner, keyfabric-classification." }],
    });
});

test("an unknown classification value is a violation, and the message does not echo it", async () => {
    const result = await checkResource(rule, { type: KEY, props: { ...compliant, labels: { ...labels, "keyfabric-classification": "top-secret" } } });
    expect(result).toEqual({ violations: [{ message: "The keyfabric-classification label of this Cloud KMS key is not one of the allowed classifications." }] });
    expect(JSON.stringify(result)).not.toContain("top-secret");
});

test("state: labels are read from effectiveLabels when absent", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, labels: undefined, effectiveLabels: labels } })).toEqual({ violations: [] });
});

describe("config", () => {
    test("declares defaults", () => {
        expect(rule.configSchema?.properties.requiredLabels).toMatchObject({ type: "array", default: ["keyfabric-owner", "keyfabric-classification"] });
        expect(rule.configSchema?.properties.allowedClassifications).toMatchObject({ type: "array", minItems: 1, default: ["public", "internal", "confidential", "restricted"] });
    });
    test("requiredLabels and allowedClassifications are honoured", async () => {
        expect(await checkResource(rule, { type: KEY, props: compliant }, { requiredLabels: ["cost-center", "data-owner"] })).toEqual({
            violations: [{ message: "This Cloud KMS key is missing required labels: data-owner." }],
        });
        expect(await checkResource(rule, { type: KEY, props: { ...compliant, labels: {} } }, { requiredLabels: [] })).toEqual({ violations: [] });
        expect((await checkResource(rule, { type: KEY, props: compliant }, { allowedClassifications: ["internal"] })).violations).toHaveLength(1);
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:kms/keyRing:KeyRing", props: { location: "europe-west1" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, labels: { ...labels, "keyfabric-owner": UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, labels: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("keyfabric's GcpKey with an identity carries both labels", async () => {
    const identity = { hierarchy: "acme", domain: "payments", key: "card-data", owner: "platform-security", classification: "restricted" } as any;
    const run = await runUnderMocks(() => new GcpKey("k", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256", identity }));
    const key = run.resources.find((r) => r.type === KEY)!;
    expect(await checkResource(rule, { type: KEY, props: key.inputs })).toEqual({ violations: [] });
});
