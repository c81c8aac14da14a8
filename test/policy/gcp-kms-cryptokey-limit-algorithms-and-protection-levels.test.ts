import { DEFAULT_ALLOWED_ALGORITHMS, PROTECTION_LEVELS, rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokey-limit-algorithms-and-protection-levels";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const compliant = {
    keyRing: "projects/acme-dev/locations/europe-west1/keyRings/payments",
    name: "decrypt",
    purpose: "ASYMMETRIC_DECRYPT",
    versionTemplate: { algorithm: "RSA_DECRYPT_OAEP_3072_SHA256", protectionLevel: "HSM" },
};
const ALGORITHM = "This Cloud KMS key uses an algorithm that is not in the approved list (allowedAlgorithms).";
const LEVEL = "This Cloud KMS key uses a protection level that is not in the approved list (allowedProtectionLevels).";

test("an approved algorithm and protection level is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test.each(["RSA_DECRYPT_OAEP_3072_SHA1", "RSA_DECRYPT_OAEP_4096_SHA1", "HMAC_SHA1", "EC_SIGN_SECP256K1_SHA256", "SOMETHING_NEW"])("%s is not approved by default", async (algorithm) => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm, protectionLevel: "HSM" } } })).toEqual({ violations: [{ message: ALGORITHM }] });
});

test("a protection level outside the approved list is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant }, { allowedProtectionLevels: ["HSM_SINGLE_TENANT"] })).toEqual({ violations: [{ message: LEVEL }] });
});

test("both problems are reported separately", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm: "HMAC_SHA1" } } }, { allowedProtectionLevels: ["HSM"] })).toEqual({
        violations: [{ message: ALGORITHM }, { message: LEVEL }],
    });
});

test("without a template, an encryption key is GOOGLE_SYMMETRIC_ENCRYPTION in SOFTWARE, as Cloud KMS creates it", async () => {
    const props = { keyRing: compliant.keyRing, name: "k" };
    expect(await checkResource(rule, { type: KEY, props })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props }, { allowedAlgorithms: ["AES_256_GCM"], allowedProtectionLevels: ["HSM"] })).toEqual({
        violations: [{ message: ALGORITHM }, { message: LEVEL }],
    });
});

describe("config", () => {
    test("declares defaults: every current Cloud KMS algorithm except SHA-1 ones and secp256k1; every protection level", () => {
        const p = rule.configSchema!.properties;
        expect(p.allowedAlgorithms).toMatchObject({ type: "array", minItems: 1, default: DEFAULT_ALLOWED_ALGORITHMS });
        expect(p.allowedProtectionLevels).toMatchObject({ type: "array", minItems: 1, default: PROTECTION_LEVELS });
        expect(DEFAULT_ALLOWED_ALGORITHMS.filter((a) => /SHA1|SECP256K1/.test(a))).toEqual([]);
        expect(DEFAULT_ALLOWED_ALGORITHMS).toEqual(expect.arrayContaining(["GOOGLE_SYMMETRIC_ENCRYPTION", "RSA_SIGN_PSS_2048_SHA256", "EC_SIGN_P384_SHA384", "HMAC_SHA256"]));
    });
    test("a custom list replaces the default", async () => {
        expect(await checkResource(rule, { type: KEY, props: compliant }, { allowedAlgorithms: ["RSA_DECRYPT_OAEP_4096_SHA256"] })).toEqual({ violations: [{ message: ALGORITHM }] });
        expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm: "HMAC_SHA1" } } }, { allowedAlgorithms: ["HMAC_SHA1"] })).toEqual({ violations: [] });
    });
});

test("an asymmetric key without a template has no algorithm to judge (the provider rejects it)", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: undefined } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:kms/keyRingImportJob:KeyRingImportJob", props: { importMethod: "RSA_OAEP_3072_SHA1_AES_256" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm: UNKNOWN, protectionLevel: "HSM" } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});
