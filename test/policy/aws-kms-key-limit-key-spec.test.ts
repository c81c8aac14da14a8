import { AWS_KEY_SPECS, rule } from "../../policy-packs/key-management/rules/aws-kms-key-limit-key-spec";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const EXTERNAL = "aws:kms/externalKey:ExternalKey";
const NOT_APPROVED = { violations: [{ message: "This KMS key uses a key spec that is not on the configured list of approved key specs." }] };
const NIST = AWS_KEY_SPECS.filter((s) => s !== "ECC_SECG_P256K1" && s !== "SM2");

test.each(AWS_KEY_SPECS)("%s is approved by default", async (spec) => {
    expect(await checkResource(rule, { type: KEY, props: { customerMasterKeySpec: spec } })).toEqual({ violations: [] });
});

test("a narrowed list reports the specs left out (Key customerMasterKeySpec or keySpec, ExternalKey keySpec)", async () => {
    expect(await checkResource(rule, { type: KEY, props: { customerMasterKeySpec: "ECC_SECG_P256K1" } }, { allowedKeySpecs: NIST })).toEqual(NOT_APPROVED);
    expect(await checkResource(rule, { type: KEY, props: { keySpec: "SM2" } }, { allowedKeySpecs: NIST })).toEqual(NOT_APPROVED);
    expect(await checkResource(rule, { type: EXTERNAL, props: { keySpec: "ECC_SECG_P256K1" } }, { allowedKeySpecs: NIST })).toEqual(NOT_APPROVED);
    expect(await checkResource(rule, { type: KEY, props: { customerMasterKeySpec: "ECC_NIST_P384" } }, { allowedKeySpecs: NIST })).toEqual({ violations: [] });
});

test("an unset spec is SYMMETRIC_DEFAULT", async () => {
    expect(await checkResource(rule, { type: KEY, props: {} }, { allowedKeySpecs: ["RSA_4096"] })).toEqual(NOT_APPROVED);
    expect(await checkResource(rule, { type: EXTERNAL, props: {} }, { allowedKeySpecs: ["SYMMETRIC_DEFAULT"] })).toEqual({ violations: [] });
});

test("the config schema lists every spec as default and enum", () => {
    expect(rule.configSchema?.properties.allowedKeySpecs).toMatchObject({ type: "array", default: AWS_KEY_SPECS, items: { enum: AWS_KEY_SPECS } });
});

test("not applicable to replica keys (they inherit the primary's spec) and other types", async () => {
    expect(await checkResource(rule, { type: "aws:kms/replicaKey:ReplicaKey", props: { keySpec: "SM2" } }, { allowedKeySpecs: NIST })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "aws:kms/grant:Grant", props: {} }, { allowedKeySpecs: NIST })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { customerMasterKeySpec: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});
