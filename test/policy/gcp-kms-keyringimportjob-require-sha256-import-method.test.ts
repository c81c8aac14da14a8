import { rule } from "../../policy-packs/key-management/rules/gcp-kms-keyringimportjob-require-sha256-import-method";
import { checkResource, remediate, UNKNOWN } from "./harness";

const JOB = "gcp:kms/keyRingImportJob:KeyRingImportJob";
const IMPORTED = "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion";
const job = { keyRing: "projects/acme-dev/locations/europe-west1/keyRings/payments", importJobId: "job-1", importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "HSM" };
const imported = {
    __provider: "exports.handler = ...",
    providerVersion: "1.0.0",
    cryptoKey: "projects/acme-dev/locations/europe-west1/keyRings/payments/cryptoKeys/card-data",
    algorithm: "AES_256",
    material: { file: "/secure/card-data.bin" },
    importMethod: "RSA_OAEP_4096_SHA256_AES_256",
};
const JOB_SHA1 = "This Cloud KMS import job wraps key material with SHA-1 OAEP; use a SHA-256 import method.";

test.each(["RSA_OAEP_3072_SHA256_AES_256", "RSA_OAEP_4096_SHA256_AES_256", "RSA_OAEP_3072_SHA256", "RSA_OAEP_4096_SHA256", "HPKE_KEM_ML_KEM_768_HKDF_SHA256_AES_256_GCM", "HPKE_KEM_XWING_HKDF_SHA256_AES_256_GCM"])(
    "an import job with %s is compliant",
    async (importMethod) => {
        expect(await checkResource(rule, { type: JOB, props: { ...job, importMethod } })).toEqual({ violations: [] });
    },
);

test.each(["RSA_OAEP_3072_SHA1_AES_256", "RSA_OAEP_4096_SHA1_AES_256"])("an import job with %s is a violation", async (importMethod) => {
    expect(await checkResource(rule, { type: JOB, props: { ...job, importMethod } })).toEqual({ violations: [{ message: JOB_SHA1 }] });
});

test("an import method the rule does not know is a violation", async () => {
    expect(await checkResource(rule, { type: JOB, props: { ...job, importMethod: "IMPORT_METHOD_UNSPECIFIED" } })).toEqual({
        violations: [{ message: "This Cloud KMS import job does not use an approved import method (RSA-OAEP with SHA-256, or HPKE)." }],
    });
});

test("a wrapping key smaller than the minimum is a violation", async () => {
    expect(await checkResource(rule, { type: JOB, props: { ...job, importMethod: "RSA_OAEP_2048_SHA256" } })).toEqual({
        violations: [{ message: "This Cloud KMS import job wraps key material under a 2048-bit RSA key; at least 3072 bits required." }],
    });
});

test("GcpImportedKeyVersion: keyfabric's default method (4096, SHA-256) is compliant; a SHA-1 method is not", async () => {
    const { importMethod, ...defaults } = imported;
    void importMethod;
    expect(await checkResource(rule, { type: IMPORTED, props: defaults })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, importMethod: "RSA_OAEP_3072_SHA1_AES_256" } })).toEqual({
        violations: [{ message: "This Cloud KMS key import wraps key material with SHA-1 OAEP; use a SHA-256 import method." }],
    });
});

test("its __provider input (the serialized provider) is never read", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, __provider: UNKNOWN } })).toEqual({ violations: [] });
});

describe("minWrappingKeyBits", () => {
    test("declares its default and allowed values", () => {
        expect(rule.configSchema?.properties.minWrappingKeyBits).toMatchObject({ type: "integer", default: 3072, enum: [3072, 4096] });
    });
    test("4096 rejects 3072-bit jobs; SHA-1 and a small key are one finding naming both", async () => {
        expect(await checkResource(rule, { type: JOB, props: job }, { minWrappingKeyBits: 4096 })).toEqual({
            violations: [{ message: "This Cloud KMS import job wraps key material under a 3072-bit RSA key; at least 4096 bits required." }],
        });
        expect(await checkResource(rule, { type: JOB, props: { ...job, importMethod: "RSA_OAEP_3072_SHA1_AES_256" } }, { minWrappingKeyBits: 4096 })).toEqual({
            violations: [{ message: "This Cloud KMS import job wraps key material with SHA-1 OAEP under a 3072-bit RSA key; use a SHA-256 import method with at least 4096 bits." }],
        });
        expect(await checkResource(rule, { type: JOB, props: { ...job, importMethod: "RSA_OAEP_4096_SHA256" } }, { minWrappingKeyBits: 4096 })).toEqual({ violations: [] });
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:kms/cryptoKey:CryptoKey", props: { importOnly: true } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: JOB, props: { ...job, importMethod: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, importMethod: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

describe("remediation", () => {
    test("upgrades a GcpImportedKeyVersion's method to SHA-256 (future imports only), keeping the rest", async () => {
        expect(await remediate(rule, { type: IMPORTED, props: { ...imported, importMethod: "RSA_OAEP_3072_SHA1_AES_256" } })).toEqual({ ...imported, importMethod: "RSA_OAEP_3072_SHA256_AES_256" });
        expect(await remediate(rule, { type: IMPORTED, props: { ...imported, importMethod: "RSA_OAEP_3072_SHA256" } }, { minWrappingKeyBits: 4096 })).toEqual({ ...imported, importMethod: "RSA_OAEP_4096_SHA256" });
    });
    test("leaves compliant imports, unknown methods and import jobs (immutable, ids not reusable) alone", async () => {
        expect(await remediate(rule, { type: IMPORTED, props: imported })).toBeUndefined();
        expect(await remediate(rule, { type: IMPORTED, props: { ...imported, importMethod: "SOMETHING" } })).toBeUndefined();
        expect(await remediate(rule, { type: JOB, props: { ...job, importMethod: "RSA_OAEP_3072_SHA1_AES_256" } })).toBeUndefined();
    });
});
