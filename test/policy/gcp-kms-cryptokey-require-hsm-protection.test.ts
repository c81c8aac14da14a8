import { rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokey-require-hsm-protection";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const labels = { "keyfabric-owner": "platform-security", "keyfabric-classification": "restricted" };
const compliant = {
    keyRing: "projects/acme-dev/locations/europe-west1/keyRings/payments",
    name: "card-data",
    purpose: "ENCRYPT_DECRYPT",
    versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" },
    labels,
};
const CLASSIFIED = "This Cloud KMS key is not HSM-backed, but its classification requires an HSM.";

test("a restricted key in an HSM is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test("a restricted key in software is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" } } })).toEqual({
        violations: [{ message: CLASSIFIED }],
    });
});

test("a restricted key without a template is in software (the Cloud KMS default)", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: undefined } })).toEqual({ violations: [{ message: CLASSIFIED }] });
});

test.each(["HSM_SINGLE_TENANT", "EXTERNAL", "EXTERNAL_VPC"])("%s counts as hardware protection", async (protectionLevel) => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel } } })).toEqual({ violations: [] });
});

test("state: the classification is read from effectiveLabels when labels are absent", async () => {
    const state = { ...compliant, labels: undefined, effectiveLabels: labels, versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" } };
    expect(await checkResource(rule, { type: KEY, props: state })).toEqual({ violations: [{ message: CLASSIFIED }] });
});

describe("config", () => {
    test("declares defaults: classified keys only, restricted", () => {
        expect(rule.configSchema?.properties.appliesTo).toMatchObject({ type: "string", enum: ["all", "classified"], default: "classified" });
        expect(rule.configSchema?.properties.classifications).toMatchObject({ type: "array", default: ["restricted"] });
    });
    test('appliesTo "all" checks unlabelled keys too', async () => {
        const props = { ...compliant, labels: {}, versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" } };
        expect(await checkResource(rule, { type: KEY, props })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: KEY, props }, { appliesTo: "all" })).toEqual({ violations: [{ message: "This Cloud KMS key is not HSM-backed." }] });
    });
    test("the classification list decides which keys are checked", async () => {
        const props = { ...compliant, labels: { "keyfabric-classification": "confidential" }, versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" } };
        expect(await checkResource(rule, { type: KEY, props })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: KEY, props }, { classifications: ["confidential", "restricted"] })).toEqual({ violations: [{ message: CLASSIFIED }] });
    });
});

test("not applicable to keys of other classifications, unlabelled keys, or other types", async () => {
    const software = { versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" } };
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, ...software, labels: { "keyfabric-classification": "internal" } } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, ...software, labels: undefined } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "gcp:kms/keyRing:KeyRing", props: { location: "europe-west1" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, labels: { "keyfabric-classification": UNKNOWN } } })).toEqual({ violations: [], unknown: true });
});
