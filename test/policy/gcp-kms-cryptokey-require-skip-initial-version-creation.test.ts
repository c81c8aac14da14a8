import { rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokey-require-skip-initial-version-creation";
import { runUnderMocks } from "../../sdk/preview/harness";
import { GcpKey } from "../../sdk/gcp/key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const compliant = {
    keyRing: "projects/acme-dev/locations/europe-west1/keyRings/payments",
    name: "card-data-byok",
    purpose: "ENCRYPT_DECRYPT",
    importOnly: true,
    skipInitialVersionCreation: true,
    versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" },
};
const MSG = "This import-only Cloud KMS key does not skip initial version creation, so Cloud KMS would generate material for it.";

test("an import-only key without an initial version is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test("an import-only key with an initial version is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, skipInitialVersionCreation: false } })).toEqual({ violations: [{ message: MSG }] });
});

test("an import-only key that leaves skipInitialVersionCreation out is a violation", async () => {
    const { skipInitialVersionCreation, ...props } = compliant;
    void skipInitialVersionCreation;
    expect(await checkResource(rule, { type: KEY, props })).toEqual({ violations: [{ message: MSG }] });
});

test("not applicable to keys that are not import-only, nor to other types", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, importOnly: false, skipInitialVersionCreation: false } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { keyRing: compliant.keyRing, name: "k" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "gcp:kms/keyRingImportJob:KeyRingImportJob", props: { importMethod: "RSA_OAEP_3072_SHA256" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, importOnly: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, skipInitialVersionCreation: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the field is create-only, so changing it would replace the key", async () => {
    expect(await remediate(rule, { type: KEY, props: { ...compliant, skipInitialVersionCreation: false } })).toBeUndefined();
});

test("keyfabric's BYOK GcpKey is compliant", async () => {
    const run = await runUnderMocks(() => new GcpKey("byok", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256", origin: "byok" }));
    const key = run.resources.find((r) => r.type === KEY)!;
    expect(key.inputs).toMatchObject({ importOnly: true, skipInitialVersionCreation: true });
    expect(await checkResource(rule, { type: KEY, props: key.inputs })).toEqual({ violations: [] });
});
