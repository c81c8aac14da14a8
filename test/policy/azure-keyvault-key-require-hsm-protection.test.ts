import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-key-require-hsm-protection";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "azure-native:keyvault:Key";
const IMPORTED = "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey";
const tags = { "keyfabric:owner": "platform-security", "keyfabric:classification": "restricted" };
const key = (properties: Record<string, any>, t: Record<string, any> | null = tags) => ({ keyName: "wrap", vaultName: "acme-payments", resourceGroupName: "rg-keys", properties, ...(t ? { tags: t } : {}) });
const imported = { __provider: "exports.handler = ...", providerVersion: "1.0.0", vaultUrl: "https://acme-payments.vault.azure.net", keyName: "wrap", purpose: "encrypt", algorithm: "RSA_3072", protection: "hsm", material: { file: "/m.pem" }, tags };
const CLASSIFIED = "This Key Vault key is not HSM-backed, but its classification requires an HSM.";

test.each(["RSA-HSM", "EC-HSM", "oct-HSM"])("a restricted %s key is compliant", async (kty) => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty }) })).toEqual({ violations: [] });
});

test.each(["RSA", "EC", "oct"])("a restricted %s (software) key is a violation", async (kty) => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty }) })).toEqual({ violations: [{ message: CLASSIFIED }] });
});

test("a key without kty is not HSM-backed", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ keySize: 3072 }) })).toEqual({ violations: [{ message: CLASSIFIED }] });
});

test("keyfabric's AzureImportedKey: protection hsm is compliant, software is a violation (its __provider is never read)", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, __provider: UNKNOWN } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, protection: "software" } })).toEqual({ violations: [{ message: CLASSIFIED }] });
});

describe("config", () => {
    test("declares defaults: classified keys only, restricted", () => {
        expect(rule.configSchema?.properties.appliesTo).toMatchObject({ type: "string", enum: ["all", "classified"], default: "classified" });
        expect(rule.configSchema?.properties.classifications).toMatchObject({ type: "array", default: ["restricted"] });
    });
    test('appliesTo "all" checks untagged keys too', async () => {
        expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA" }, null) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA" }, null) }, { appliesTo: "all" })).toEqual({ violations: [{ message: "This Key Vault key is not HSM-backed." }] });
    });
    test("the classification list decides which keys are checked", async () => {
        const confidential = key({ kty: "EC" }, { "keyfabric:classification": "confidential" });
        expect(await checkResource(rule, { type: KEY, props: confidential })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: KEY, props: confidential }, { classifications: ["confidential"] })).toEqual({ violations: [{ message: CLASSIFIED }] });
    });
});

test("state: flattened outputs are checked the same way", async () => {
    expect(await checkResource(rule, { type: KEY, props: { name: "wrap", kty: "RSA", keySize: 3072, tags } })).toEqual({ violations: [{ message: CLASSIFIED }] });
    expect(await checkResource(rule, { type: KEY, props: { name: "wrap", kty: "RSA-HSM", keySize: 3072, tags } })).toEqual({ violations: [] });
});

test("not applicable to Managed HSM keys (always HSM) and other types", async () => {
    expect(await checkResource(rule, { type: "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey", props: { keyType: "oct-HSM", tags } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure-native:keyvault:Vault", props: { properties: {}, tags } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA" }, { "keyfabric:classification": UNKNOWN }) })).toEqual({ violations: [], unknown: true });
});

describe("the classic provider's keyvault.Key (keyType)", () => {
    const CLASSIC_KEY = "azure:keyvault/key:Key";
    const classic = (keyType: unknown, t: Record<string, any> | null = tags) => ({ name: "wrap", keyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-payments", keyType, keySize: 3072, keyOpts: ["wrapKey"], ...(t ? { tags: t } : {}) });
    test("a restricted RSA-HSM or EC-HSM key is compliant, a software key is a violation", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic("RSA-HSM") })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic("EC-HSM") })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic("RSA") })).toEqual({ violations: [{ message: CLASSIFIED }] });
    });
    test("an untagged key is judged only with appliesTo all", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic("RSA", null) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic("RSA", null) }, { appliesTo: "all" })).toEqual({ violations: [{ message: "This Key Vault key is not HSM-backed." }] });
    });
    test("the native kty means nothing on a classic key", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: { ...classic("RSA"), kty: "RSA-HSM" } })).toEqual({ violations: [{ message: CLASSIFIED }] });
    });
    test("an unknown value at preview makes the rule not run", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic(UNKNOWN) })).toEqual({ violations: [], unknown: true });
    });
});
