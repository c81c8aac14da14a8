import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-configure-rotation-period";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const compliant = { description: "app data", customerMasterKeySpec: "SYMMETRIC_DEFAULT", enableKeyRotation: true, rotationPeriodInDays: 365 };
/** The message names the period and the configured maximum. */
const TOO_LONG = (days: number, max = 365, unset = false) => ({
    violations: [{ message: `This KMS key rotates every ${days} days${unset ? " (AWS's default without rotationPeriodInDays)" : ""}; at most ${max} days allowed.` }],
});

test("a rotation period within the default maximum (365 days) is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriodInDays: 90 } })).toEqual({ violations: [] });
});

test("a rotation period longer than the maximum is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriodInDays: 730 } })).toEqual(TOO_LONG(730));
});

test("an unset period is AWS's 365 days: compliant by default, a violation under a shorter maximum", async () => {
    const { rotationPeriodInDays, ...props } = compliant;
    void rotationPeriodInDays;
    expect(await checkResource(rule, { type: KEY, props })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props }, { maxRotationDays: 180 })).toEqual(TOO_LONG(365, 180, true));
});

test("a custom maximum is honoured at its boundary", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriodInDays: 90 } }, { maxRotationDays: 90 })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriodInDays: 91 } }, { maxRotationDays: 90 })).toEqual(TOO_LONG(91, 90));
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriodInDays: 2560 } }, { maxRotationDays: 2560 })).toEqual({ violations: [] });
});

test("the config schema has the default and AWS's bounds", () => {
    expect(rule.configSchema?.properties.maxRotationDays).toMatchObject({ type: "integer", default: 365, minimum: 90, maximum: 2560 });
});

test.each([
    ["a key without rotation (the rotation rule's finding)", KEY, { ...compliant, enableKeyRotation: false, rotationPeriodInDays: 2000 }],
    ["an external key", "aws:kms/externalKey:ExternalKey", { rotationPeriodInDays: 2000 }],
    ["another resource type", "aws:s3/bucket:Bucket", { rotationPeriodInDays: 2000 }],
])("not applicable to %s", async (_n, type, props) => {
    expect(await checkResource(rule, { type, props })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriodInDays: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, enableKeyRotation: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("remediation shortens the period to the maximum and changes nothing else", async () => {
    expect(await remediate(rule, { type: KEY, props: { ...compliant, rotationPeriodInDays: 730 } })).toEqual(compliant);
    expect(await remediate(rule, { type: KEY, props: { ...compliant, rotationPeriodInDays: 730 } }, { maxRotationDays: 180 })).toEqual({ ...compliant, rotationPeriodInDays: 180 });
    expect(await remediate(rule, { type: KEY, props: compliant })).toBeUndefined();
    expect(await remediate(rule, { type: KEY, props: { ...compliant, enableKeyRotation: false, rotationPeriodInDays: 730 } })).toBeUndefined();
});
