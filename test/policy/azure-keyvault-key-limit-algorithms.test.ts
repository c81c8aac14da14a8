import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-key-limit-algorithms";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "azure-native:keyvault:Key";
const HSM_KEY = "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey";
const key = (properties: Record<string, any>) => ({ keyName: "sign", vaultName: "acme-payments", resourceGroupName: "rg-keys", properties });
const hsmKey = { name: "sign", managedHsmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/acme-hsm", keyType: "EC-HSM", curve: "P-384", keyOpts: ["sign", "verify"] };
const TYPE = "This Azure key uses a key type that is not in the approved list (allowedKeyTypes).";
const CURVE = "This Azure EC key uses a curve that is not in the approved list (allowedCurves).";

test("approved key types and curves are compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "EC-HSM", curveName: "P-256" }) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA-HSM", keySize: 3072 }) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: HSM_KEY, props: hsmKey })).toEqual({ violations: [] });
});

test("the P-256K curve (secp256k1, not a NIST curve) is a violation by default", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "EC", curveName: "P-256K" }) })).toEqual({ violations: [{ message: CURVE }] });
    expect(await checkResource(rule, { type: HSM_KEY, props: { ...hsmKey, curve: "P-256K" } })).toEqual({ violations: [{ message: CURVE }] });
});

test("a key type outside the approved list is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA", keySize: 3072 }) }, { allowedKeyTypes: ["RSA-HSM", "EC-HSM", "oct-HSM"] })).toEqual({ violations: [{ message: TYPE }] });
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "DSA" }) })).toEqual({ violations: [{ message: TYPE }] });
});

test("both problems are reported separately", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "EC", curveName: "P-256K" }) }, { allowedKeyTypes: ["EC-HSM"] })).toEqual({ violations: [{ message: TYPE }, { message: CURVE }] });
});

describe("config", () => {
    test("declares defaults: every key type; NIST curves", () => {
        expect(rule.configSchema?.properties.allowedKeyTypes).toMatchObject({ type: "array", minItems: 1, default: ["RSA", "RSA-HSM", "EC", "EC-HSM", "oct", "oct-HSM"] });
        expect(rule.configSchema?.properties.allowedCurves).toMatchObject({ type: "array", minItems: 1, default: ["P-256", "P-384", "P-521"] });
    });
    test("allowedCurves can narrow to P-384 and above, or admit P-256K", async () => {
        expect((await checkResource(rule, { type: KEY, props: key({ kty: "EC", curveName: "P-256" }) }, { allowedCurves: ["P-384", "P-521"] })).violations).toEqual([{ message: CURVE }]);
        expect(await checkResource(rule, { type: KEY, props: key({ kty: "EC", curveName: "P-256K" }) }, { allowedCurves: ["P-256K"] })).toEqual({ violations: [] });
    });
});

test("state: flattened outputs and explicit API versions are checked the same way", async () => {
    expect(await checkResource(rule, { type: KEY, props: { name: "sign", kty: "EC", curveName: "P-256K" } })).toEqual({ violations: [{ message: CURVE }] });
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20230701:Key", props: key({ kty: "EC", curveName: "P-256K" }) })).violations).toHaveLength(1);
});

test("not applicable: curves of non-EC keys, keys without kty, other types", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA", curveName: "P-256K" }) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: key({}) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey", props: { algorithm: "EC_P256" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "EC", curveName: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: key({ kty: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
});

describe("the classic provider's keyvault.Key (keyType, curve)", () => {
    const CLASSIC_KEY = "azure:keyvault/key:Key";
    const classic = (p: Record<string, any>) => ({ name: "sign", keyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-payments", keyOpts: ["sign", "verify"], ...p });
    test("approved key types and curves are compliant", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "EC-HSM", curve: "P-384" }) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "RSA", keySize: 3072 }) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "EC" }) })).toEqual({ violations: [] }); // the API's default curve is P-256
    });
    test("P-256K and key types outside the list are violations", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "EC", curve: "P-256K" }) })).toEqual({ violations: [{ message: CURVE }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "RSA", keySize: 3072 }) }, { allowedKeyTypes: ["RSA-HSM"] })).toEqual({ violations: [{ message: TYPE }] });
    });
    test("the native names mean nothing on a classic key; state has the same names", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "EC", curve: "P-256", curveName: "P-256K", kty: "weird" }) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "EC", curve: "P-256K", x: "AQAB", y: "AQAB", version: "v1" }) })).toEqual({ violations: [{ message: CURVE }] });
    });
    test("an unknown value at preview makes the rule not run", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ keyType: "EC", curve: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    });
    test("Managed HSM keys of the classic provider too", async () => {
        expect(await checkResource(rule, { type: HSM_KEY, props: { ...hsmKey, curve: "P-256K" } })).toEqual({ violations: [{ message: CURVE }] });
    });
});
