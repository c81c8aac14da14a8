import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-enable-key-rotation";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const compliant = { description: "app data", customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: true, rotationPeriodInDays: 365 };

test("a symmetric key with rotation is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test("rotation off is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, enableKeyRotation: false } })).toEqual({
        violations: [{ message: "Automatic rotation is not enabled on this symmetric KMS key." }],
    });
});

test("rotation left unset (defaults to off) is a violation", async () => {
    const { enableKeyRotation, ...props } = compliant;
    void enableKeyRotation;
    expect((await checkResource(rule, { type: KEY, props })).violations).toHaveLength(1);
});

test.each([
    ["an asymmetric key", { customerMasterKeySpec: "RSA_3072", keyUsage: "ENCRYPT_DECRYPT" }],
    ["an HMAC key", { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }],
    ["a key in a custom key store", { customKeyStoreId: "cks-1" }],
])("not applicable to %s", async (_n, props) => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, enableKeyRotation: false, ...props } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, enableKeyRotation: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("remediation turns rotation on and changes nothing else", async () => {
    expect(await remediate(rule, { type: KEY, props: { ...compliant, enableKeyRotation: false } })).toEqual({ ...compliant, enableKeyRotation: true });
    expect(await remediate(rule, { type: KEY, props: compliant })).toBeUndefined();
});
