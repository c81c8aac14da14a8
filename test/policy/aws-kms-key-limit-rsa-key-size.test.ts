import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-limit-rsa-key-size";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const EXTERNAL = "aws:kms/externalKey:ExternalKey";
/** The message names the key's size and the configured minimum. */
const SMALL = (bits = 2048, min = 3072) => ({ violations: [{ message: `This RSA KMS key is ${bits} bits; at least ${min} bits required.` }] });

test("RSA_3072 and RSA_4096 keys are compliant by default", async () => {
    expect(await checkResource(rule, { type: KEY, props: { customerMasterKeySpec: "RSA_3072", keyUsage: "ENCRYPT_DECRYPT" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: EXTERNAL, props: { keySpec: "RSA_4096", keyUsage: "SIGN_VERIFY" } })).toEqual({ violations: [] });
});

test.each([
    ["an aws.kms.Key (customerMasterKeySpec), encryption", KEY, { customerMasterKeySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT" }],
    ["an aws.kms.Key (keySpec), signing", KEY, { keySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }],
    ["an aws.kms.ExternalKey", EXTERNAL, { keySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT" }],
])("RSA_2048 on %s is a violation", async (_n, type, props) => {
    expect(await checkResource(rule, { type, props })).toEqual(SMALL());
});

test("the configured minimum is honoured", async () => {
    const props = { customerMasterKeySpec: "RSA_2048" };
    expect(await checkResource(rule, { type: KEY, props }, { minRsaBits: 2048 })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { customerMasterKeySpec: "RSA_3072" } }, { minRsaBits: 4096 })).toEqual(SMALL(3072, 4096));
    expect(rule.configSchema?.properties.minRsaBits).toMatchObject({ type: "integer", default: 3072, enum: [2048, 3072, 4096] });
});

test.each([
    ["a symmetric key (spec unset)", KEY, {}],
    ["an ECC key", KEY, { customerMasterKeySpec: "ECC_NIST_P256" }],
    ["an HMAC key", EXTERNAL, { keySpec: "HMAC_256" }],
    ["a replica key (inherits the primary's spec)", "aws:kms/replicaKey:ReplicaKey", { keySpec: "RSA_2048" }],
])("not applicable to %s", async (_n, type, props) => {
    expect(await checkResource(rule, { type, props })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { customerMasterKeySpec: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no remediation: the key spec is immutable", async () => {
    expect(await remediate(rule, { type: KEY, props: { customerMasterKeySpec: "RSA_2048" } })).toBeUndefined();
});
