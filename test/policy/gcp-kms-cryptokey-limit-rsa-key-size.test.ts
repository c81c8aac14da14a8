import { rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokey-limit-rsa-key-size";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const IMPORTED = "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion";
const RING = "projects/acme-dev/locations/europe-west1/keyRings/payments";
const compliant = { keyRing: RING, name: "signing", purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm: "RSA_SIGN_PSS_3072_SHA256", protectionLevel: "HSM" } };
const imported = { __provider: "exports.handler = ...", providerVersion: "1.0.0", cryptoKey: `${RING}/cryptoKeys/signing`, algorithm: "RSA_3072", material: { file: "/secure/signing.pem" } };

test("a 3072-bit RSA key is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test.each(["RSA_SIGN_PSS_2048_SHA256", "RSA_SIGN_PKCS1_2048_SHA256", "RSA_SIGN_RAW_PKCS1_2048", "RSA_DECRYPT_OAEP_2048_SHA256", "RSA_DECRYPT_OAEP_2048_SHA1"])("%s is a violation", async (algorithm) => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm, protectionLevel: "HSM" } } })).toEqual({
        violations: [{ message: "This Cloud KMS key uses 2048-bit RSA; at least 3072 bits required." }],
    });
});

test.each(["RSA_SIGN_PSS_4096_SHA512", "RSA_DECRYPT_OAEP_3072_SHA256", "RSA_SIGN_RAW_PKCS1_4096"])("%s is compliant", async (algorithm) => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm } } })).toEqual({ violations: [] });
});

test("RSA material imported with GcpImportedKeyVersion is checked too (its __provider input is never read)", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: imported })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, algorithm: "RSA_2048" } })).toEqual({
        violations: [{ message: "This imported Cloud KMS key version carries 2048-bit RSA; at least 3072 bits required." }],
    });
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, __provider: UNKNOWN } })).toEqual({ violations: [] });
});

describe("minRsaBits", () => {
    test("declares its default and allowed values", () => {
        expect(rule.configSchema?.properties.minRsaBits).toMatchObject({ type: "integer", default: 3072, enum: [2048, 3072, 4096] });
    });
    test("2048 accepts 2048-bit keys; 4096 rejects 3072-bit keys", async () => {
        expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm: "RSA_SIGN_PSS_2048_SHA256" } } }, { minRsaBits: 2048 })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: KEY, props: compliant }, { minRsaBits: 4096 })).toEqual({
            violations: [{ message: "This Cloud KMS key uses 3072-bit RSA; at least 4096 bits required." }],
        });
    });
});

test.each([
    ["a symmetric key", { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" } }],
    ["a key without a template", { purpose: "ENCRYPT_DECRYPT", versionTemplate: undefined }],
    ["an EC key", { versionTemplate: { algorithm: "EC_SIGN_P384_SHA384" } }],
    ["a post-quantum key", { versionTemplate: { algorithm: "PQ_SIGN_ML_DSA_65" } }],
])("not applicable to %s", async (_n, props) => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, ...props } })).toEqual({ violations: [] });
});

test("not applicable to EC material imported with GcpImportedKeyVersion, nor to other types", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, algorithm: "EC_P256" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "gcp:kms/keyRing:KeyRing", props: { location: "europe-west1" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, versionTemplate: { algorithm: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, algorithm: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});
