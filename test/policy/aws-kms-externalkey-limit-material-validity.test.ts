import { rule } from "../../policy-packs/key-management/rules/aws-kms-externalkey-limit-material-validity";
import { checkResource, UNKNOWN } from "./harness";

const EXTERNAL = "aws:kms/externalKey:ExternalKey";
const REPLICA = "aws:kms/replicaExternalKey:ReplicaExternalKey";
const IMPORT = "pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial";
const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const importInputs = { providerVersion: "1", keyId: "k", region: "eu-west-1", algorithm: "AES_256", material: { file: "/k" }, __provider: "exports.handler = ..." };
/** The message names the days until expiry and the configured maximum, never the validTo text. */
const LATE = (n: number, max = 365) => ({ violations: [{ message: `The key material imported by this resource expires in ${n} days; at most ${max} days allowed.` }] });
const NEVER = { violations: [{ message: "The key material imported by this resource never expires." }] };

test.each([EXTERNAL, REPLICA, IMPORT])("%s: an expiry within 365 days is compliant, a later one is a violation", async (type) => {
    expect(await checkResource(rule, { type, props: { ...importInputs, validTo: days(300) } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type, props: { ...importInputs, validTo: days(400) } })).toEqual(LATE(400));
});

test("a custom maximum is honoured", async () => {
    expect(await checkResource(rule, { type: IMPORT, props: { ...importInputs, validTo: days(80) } }, { maxValidityDays: 90 })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: IMPORT, props: { ...importInputs, validTo: days(100) } }, { maxValidityDays: 90 })).toEqual(LATE(100, 90));
    expect(rule.configSchema?.properties.maxValidityDays).toMatchObject({ type: "integer", default: 365, minimum: 1 });
    expect(rule.configSchema?.properties.requireExpiry).toMatchObject({ type: "boolean", default: false });
});

test("an expiry that is not a time is a violation", async () => {
    expect(await checkResource(rule, { type: IMPORT, props: { ...importInputs, validTo: "next year" } })).toEqual({
        violations: [{ message: "The expiry of the key material imported by this resource is not a valid RFC 3339 time." }],
    });
});

test("material without expiry is compliant by default, a violation when an expiry is required", async () => {
    expect(await checkResource(rule, { type: IMPORT, props: importInputs })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: IMPORT, props: importInputs }, { requireExpiry: true })).toEqual(NEVER);
    expect(await checkResource(rule, { type: EXTERNAL, props: { keyMaterialBase64: "bWF0ZXJpYWw=" } }, { requireExpiry: true })).toEqual(NEVER);
});

test("on state, expirationModel KEY_MATERIAL_DOES_NOT_EXPIRE is material without expiry", async () => {
    expect(await checkResource(rule, { type: EXTERNAL, props: { expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" } }, { requireExpiry: true })).toEqual(NEVER);
    expect(await checkResource(rule, { type: EXTERNAL, props: { expirationModel: "KEY_MATERIAL_EXPIRES", validTo: days(100) } }, { requireExpiry: true })).toEqual({ violations: [] });
});

test("an external key whose material is imported elsewhere (keyfabric BYOK) has no expiry to report", async () => {
    expect(await checkResource(rule, { type: EXTERNAL, props: { keySpec: "SYMMETRIC_DEFAULT" } }, { requireExpiry: true })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:kms/key:Key", props: { validTo: days(4000) } })).toEqual({ violations: [] });
});

test("an unknown expiry at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: IMPORT, props: { ...importInputs, validTo: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});
