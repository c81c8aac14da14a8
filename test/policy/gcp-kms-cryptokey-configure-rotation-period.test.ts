import { rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokey-configure-rotation-period";
import { runUnderMocks } from "../../sdk/preview/harness";
import { GcpKey } from "../../sdk/gcp/key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const RING = "projects/acme-dev/locations/europe-west1/keyRings/payments";
const compliant = {
    keyRing: RING,
    name: "card-data",
    purpose: "ENCRYPT_DECRYPT",
    versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" },
    rotationPeriod: "7776000s",
    destroyScheduledDuration: "2592000s",
};

test("a symmetric key rotating every 90 days is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test("no rotation period is a violation", async () => {
    const { rotationPeriod, ...props } = compliant;
    void rotationPeriod;
    expect(await checkResource(rule, { type: KEY, props })).toEqual({
        violations: [{ message: "Automatic rotation is not configured on this Cloud KMS encryption key." }],
    });
});

test("a rotation period longer than the maximum (90 days by default, as CIS GCP 1.10 and CKV_GCP_43 ask) is a violation naming both", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriod: "31536000s" } })).toEqual({
        violations: [{ message: "This Cloud KMS key rotates every 365 days; at most 90 days allowed." }],
    });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriod: "31622400s" } }, { maxRotationDays: 365 })).toEqual({
        violations: [{ message: "This Cloud KMS key rotates every 366 days; at most 365 days allowed." }],
    });
});

test("a rotation period that is not a duration is a violation, and the message does not echo it", async () => {
    const result = await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriod: "every-year" } });
    expect(result).toEqual({ violations: [{ message: 'The rotation period of this Cloud KMS key is not a duration in seconds (such as "7776000s").' }] });
    expect(JSON.stringify(result)).not.toContain("every-year");
});

test("a key without purpose or template is a symmetric encryption key (the Cloud KMS default)", async () => {
    expect(await checkResource(rule, { type: KEY, props: { keyRing: RING, name: "k" } })).toEqual({
        violations: [{ message: "Automatic rotation is not configured on this Cloud KMS encryption key." }],
    });
});

describe("maxRotationDays", () => {
    test("declares its default and bounds (1-3650)", () => {
        expect(rule.configSchema?.properties.maxRotationDays).toMatchObject({ type: "integer", default: 90, minimum: 1, maximum: 3650 });
    });
    test("a period equal to the maximum passes; one second more does not", async () => {
        expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriod: "7776000s" } }, { maxRotationDays: 90 })).toEqual({ violations: [] });
        expect((await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriod: "7776001s" } }, { maxRotationDays: 90 })).violations).toEqual([
            { message: "This Cloud KMS key rotates every 90.000012 days; at most 90 days allowed." },
        ]);
    });
    test("at the lower bound, one day", async () => {
        expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriod: "86400s" } }, { maxRotationDays: 1 })).toEqual({ violations: [] });
        expect((await checkResource(rule, { type: KEY, props: compliant }, { maxRotationDays: 1 })).violations).toHaveLength(1);
    });
    test("at the upper bound, 3650 days", async () => {
        expect(await checkResource(rule, { type: KEY, props: { ...compliant, rotationPeriod: `${3650 * 86400}s` } }, { maxRotationDays: 3650 })).toEqual({ violations: [] });
    });
});

test.each([
    ["an asymmetric signing key", { purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm: "EC_SIGN_P256_SHA256" } }],
    ["an asymmetric decryption key", { purpose: "ASYMMETRIC_DECRYPT", versionTemplate: { algorithm: "RSA_DECRYPT_OAEP_3072_SHA256" } }],
    ["a MAC key", { purpose: "MAC", versionTemplate: { algorithm: "HMAC_SHA256" } }],
    ["an import-only key (Cloud KMS cannot rotate imported material)", { importOnly: true, skipInitialVersionCreation: true }],
    ["an external key", { versionTemplate: { algorithm: "EXTERNAL_SYMMETRIC_ENCRYPTION", protectionLevel: "EXTERNAL" } }],
    ["an external key over VPC", { versionTemplate: { algorithm: "EXTERNAL_SYMMETRIC_ENCRYPTION", protectionLevel: "EXTERNAL_VPC" } }],
])("not applicable to %s", async (_n, props) => {
    const { rotationPeriod, ...rest } = compliant;
    void rotationPeriod;
    expect(await checkResource(rule, { type: KEY, props: { ...rest, ...props } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:kms/keyRing:KeyRing", props: { location: "europe-west1" } })).toEqual({ violations: [] });
});

test.each([
    ["rotationPeriod", { rotationPeriod: UNKNOWN }],
    ["purpose", { purpose: UNKNOWN }],
    ["importOnly", { importOnly: UNKNOWN }],
])("an unknown %s at preview makes the rule not run, never a false violation", async (_n, props) => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, ...props } })).toEqual({ violations: [], unknown: true });
});

test("state (outputs) has the same shape: an exported key is checked the same way", async () => {
    const state = { ...compliant, id: `${RING}/cryptoKeys/card-data`, importOnly: false, skipInitialVersionCreation: false, primaries: [], effectiveLabels: {}, rotationPeriod: "63072000s" };
    expect((await checkResource(rule, { type: KEY, props: state })).violations).toHaveLength(1);
});

describe("remediation", () => {
    test("sets the configured maximum when rotation is missing or too long, and changes nothing else", async () => {
        const { rotationPeriod, ...props } = compliant;
        void rotationPeriod;
        expect(await remediate(rule, { type: KEY, props })).toEqual({ ...props, rotationPeriod: "7776000s" });
        expect(await remediate(rule, { type: KEY, props: { ...compliant, rotationPeriod: "63072000s" } }, { maxRotationDays: 180 })).toEqual({ ...compliant, rotationPeriod: "15552000s" });
    });
    test("leaves compliant and exempt keys alone", async () => {
        expect(await remediate(rule, { type: KEY, props: compliant })).toBeUndefined();
        expect(await remediate(rule, { type: KEY, props: { ...compliant, rotationPeriod: undefined, importOnly: true } })).toBeUndefined();
        expect(await remediate(rule, { type: KEY, props: { ...compliant, rotationPeriod: undefined, purpose: "ASYMMETRIC_SIGN" } })).toBeUndefined();
    });
});

test("keyfabric's GcpKey emits compliant keys: cloud keys rotate within 90 days, BYOK keys are exempt", async () => {
    const run = await runUnderMocks(() => {
        new GcpKey("cloud", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256" });
        new GcpKey("byok", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256", origin: "byok" });
    });
    const keys = run.resources.filter((r) => r.type === KEY);
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(await checkResource(rule, { type: k.type, props: k.inputs })).toEqual({ violations: [] });
});
