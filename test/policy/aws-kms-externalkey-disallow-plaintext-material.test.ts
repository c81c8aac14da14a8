import { rule } from "../../policy-packs/key-management/rules/aws-kms-externalkey-disallow-plaintext-material";
import { checkResource, remediate, UNKNOWN } from "./harness";

const EXTERNAL = "aws:kms/externalKey:ExternalKey";
const IMPORT = "pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial";
const MATERIAL = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
const compliant = { description: "byok key", keySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", enabled: true };
const IN_STATE = { violations: [{ message: "This key takes its key material as a resource input, so the material is stored in the stack's state." }] };

test.each([EXTERNAL, "aws:kms/replicaExternalKey:ReplicaExternalKey"])("%s: no material input is compliant; keyMaterialBase64 is a violation", async (type) => {
    expect(await checkResource(rule, { type, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type, props: { ...compliant, keyMaterialBase64: MATERIAL } })).toEqual(IN_STATE);
});

test("the message never contains the material", async () => {
    const r = await checkResource(rule, { type: EXTERNAL, props: { ...compliant, keyMaterialBase64: MATERIAL } });
    expect(JSON.stringify(r)).not.toContain(MATERIAL);
});

test("material unknown at preview is still material in state: reported without reading its value", async () => {
    expect(await checkResource(rule, { type: EXTERNAL, props: { ...compliant, keyMaterialBase64: UNKNOWN } })).toEqual(IN_STATE);
});

test("an empty or null material input is not material", async () => {
    expect(await checkResource(rule, { type: EXTERNAL, props: { ...compliant, keyMaterialBase64: "" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: EXTERNAL, props: { ...compliant, keyMaterialBase64: null } })).toEqual({ violations: [] });
});

const importInputs = { providerVersion: "1", keyId: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd", region: "eu-west-1", algorithm: "AES_256", __provider: "exports.handler = ..." };

test("keyfabric's BYOK import with a material descriptor is compliant", async () => {
    for (const material of [{ file: "/secure/key.bin", format: "raw" }, { env: "KEY_MATERIAL" }, { command: ["vault", "read"] }]) {
        expect(await checkResource(rule, { type: IMPORT, props: { ...importInputs, material } })).toEqual({ violations: [] });
    }
});

test("a BYOK import given the material itself is a violation", async () => {
    expect(await checkResource(rule, { type: IMPORT, props: { ...importInputs, material: MATERIAL } })).toEqual({
        violations: [{ message: "This key material import takes the material itself instead of a source descriptor, so the material is stored in the stack's state." }],
    });
});

test("a BYOK import whose material input is unknown at preview is not reported", async () => {
    expect(await checkResource(rule, { type: IMPORT, props: { ...importInputs, material: UNKNOWN } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:kms/key:Key", props: { keyMaterialBase64: MATERIAL } })).toEqual({ violations: [] });
});

test("mandatory and critical by default; no remediation", async () => {
    expect([rule.enforcementLevel, rule.severity]).toEqual(["mandatory", "critical"]);
    expect(await remediate(rule, { type: EXTERNAL, props: { ...compliant, keyMaterialBase64: MATERIAL } })).toBeUndefined();
});
