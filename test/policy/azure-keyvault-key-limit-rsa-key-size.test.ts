import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-key-limit-rsa-key-size";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "azure-native:keyvault:Key";
const HSM_KEY = "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey";
const IMPORTED = "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey";
const key = (properties: Record<string, any>) => ({ keyName: "wrap", vaultName: "acme-payments", resourceGroupName: "rg-keys", properties });
const hsmKey = { name: "wrap", managedHsmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/acme-hsm", keyType: "RSA-HSM", keySize: 3072, keyOpts: ["wrapKey", "unwrapKey"] };
const imported = { __provider: "exports.handler = ...", providerVersion: "1.0.0", vaultUrl: "https://acme-payments.vault.azure.net", keyName: "wrap", purpose: "encrypt", algorithm: "RSA_3072", protection: "hsm", material: { file: "/m.pem" } };
const MSG = "This Azure RSA key is 2048 bits; at least 3072 bits required.";

test("3072- and 4096-bit RSA keys are compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA-HSM", keySize: 3072 }) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA", keySize: 4096 }) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: HSM_KEY, props: hsmKey })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: IMPORTED, props: imported })).toEqual({ violations: [] });
});

test("a 2048-bit Key Vault key is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA-HSM", keySize: 2048 }) })).toEqual({ violations: [{ message: MSG }] });
});

test("an RSA key without keySize is 2048 bits (Azure's default) and a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA" }) })).toEqual({ violations: [{ message: MSG }] });
});

test("a 2048-bit Managed HSM key is a violation", async () => {
    expect(await checkResource(rule, { type: HSM_KEY, props: { ...hsmKey, keySize: 2048 } })).toEqual({ violations: [{ message: MSG }] });
});

test("2048-bit material imported with AzureImportedKey is a violation (its __provider is never read)", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, algorithm: "RSA_2048", __provider: UNKNOWN } })).toEqual({ violations: [{ message: MSG }] });
});

describe("minRsaBits", () => {
    test("declares its default and allowed values", () => {
        expect(rule.configSchema?.properties.minRsaBits).toMatchObject({ type: "integer", default: 3072, enum: [2048, 3072, 4096] });
    });
    test("2048 accepts the Azure default; 4096 rejects 3072", async () => {
        expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA" }) }, { minRsaBits: 2048 })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA-HSM", keySize: 3072 }) }, { minRsaBits: 4096 })).toEqual({
            violations: [{ message: "This Azure RSA key is 3072 bits; at least 4096 bits required." }],
        });
    });
});

test("state: flattened outputs and explicit API versions are checked the same way", async () => {
    expect(await checkResource(rule, { type: KEY, props: { name: "wrap", kty: "RSA", keySize: 2048 } })).toEqual({ violations: [{ message: MSG }] });
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20230701:Key", props: key({ kty: "RSA", keySize: 2048 }) })).violations).toHaveLength(1);
});

test.each([
    ["an EC key", KEY, key({ kty: "EC-HSM", curveName: "P-384" })],
    ["an oct-HSM Managed HSM key", HSM_KEY, { ...hsmKey, keyType: "oct-HSM", keySize: 256 }],
    ["imported EC material", IMPORTED, { ...imported, algorithm: "EC_P256" }],
    ["another resource type", "azure-native:keyvault:Vault", { properties: {} }],
])("not applicable to %s", async (_n, type, props) => {
    expect(await checkResource(rule, { type, props })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA", keySize: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: key({ kty: UNKNOWN, keySize: 2048 }) })).toEqual({ violations: [], unknown: true });
});

describe("the classic provider's keyvault.Key (keyType, keySize)", () => {
    const CLASSIC_KEY = "azure:keyvault/key:Key";
    const classic = (p: Record<string, any>) => ({ name: "wrap", keyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-payments", keyOpts: ["wrapKey", "unwrapKey"], ...p });
    test("3072- and 4096-bit RSA keys are compliant", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "RSA", keySize: 3072 }) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "RSA-HSM", keySize: 4096 }) })).toEqual({ violations: [] });
    });
    test("Pulumi's classic example (RSA, 2048) and a key without keySize are violations", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "RSA", keySize: 2048 }) })).toEqual({ violations: [{ message: MSG }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "RSA-HSM" }) })).toEqual({ violations: [{ message: MSG }] });
    });
    test("EC keys are not applicable; state has the same names", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "EC", curve: "P-256" }) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "RSA", keySize: 2048, n: "AQAB", e: "AQAB", version: "v1" }) })).toEqual({ violations: [{ message: MSG }] });
    });
    test("an unknown value at preview makes the rule not run", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "RSA", keySize: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: UNKNOWN, keySize: 2048 }) })).toEqual({ violations: [], unknown: true });
    });
});
