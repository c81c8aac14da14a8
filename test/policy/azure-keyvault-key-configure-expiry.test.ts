import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-key-configure-expiry";
import { runUnderMocks } from "../../sdk/preview/harness";
import { AzureKey } from "../../sdk/azure/key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "azure-native:keyvault:Key";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const EXPIRES = 1830297600; // 2028-01-01T00:00:00Z
const rotationPolicy = {
    attributes: { expiryTime: "P120D" },
    lifetimeActions: [
        { action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } },
        { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
    ],
};
const keyProps = { kty: "RSA-HSM", keySize: 3072, keyOps: ["sign", "verify"], attributes: { enabled: true, exportable: false, expires: EXPIRES } };
const key = (properties: Record<string, any>) => ({ keyName: "signing", vaultName: "acme-payments", resourceGroupName: "rg-keys", properties });
const BOTH = "This Key Vault key has no expiration date and no rotation policy that expires its versions.";

test("a key with an expiration date is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: key(keyProps) })).toEqual({ violations: [] });
});

test("a key without an expiration date or rotation policy is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ ...keyProps, attributes: { enabled: true } }) })).toEqual({ violations: [{ message: BOTH }] });
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "EC", curveName: "P-256" }) })).toEqual({ violations: [{ message: BOTH }] });
});

describe("a rotation policy instead of a fixed date (acceptRotationPolicyExpiry, default on)", () => {
    const noDate = { ...keyProps, attributes: { enabled: true }, rotationPolicy };
    test("is accepted when it rotates the key and expires new versions", async () => {
        expect(await checkResource(rule, { type: KEY, props: key(noDate) })).toEqual({ violations: [] });
    });
    test("without expiryTime it is a violation", async () => {
        expect(await checkResource(rule, { type: KEY, props: key({ ...noDate, rotationPolicy: { ...rotationPolicy, attributes: {} } }) })).toEqual({ violations: [{ message: BOTH }] });
    });
    test("without a rotate action (notify only) it is a violation: the first version would never be replaced", async () => {
        const notifyOnly = { ...rotationPolicy, lifetimeActions: [rotationPolicy.lifetimeActions[1]] };
        expect(await checkResource(rule, { type: KEY, props: key({ ...noDate, rotationPolicy: notifyOnly }) })).toEqual({ violations: [{ message: BOTH }] });
    });
    test("is not accepted with acceptRotationPolicyExpiry: false (the strict CIS reading)", async () => {
        expect(rule.configSchema?.properties.acceptRotationPolicyExpiry).toMatchObject({ type: "boolean", default: true });
        expect(await checkResource(rule, { type: KEY, props: key(noDate) }, { acceptRotationPolicyExpiry: false })).toEqual({ violations: [{ message: "This Key Vault key has no expiration date." }] });
        expect(await checkResource(rule, { type: KEY, props: key(keyProps) }, { acceptRotationPolicyExpiry: false })).toEqual({ violations: [] });
    });
});

test("state: outputs are flattened (no properties) and checked the same way", async () => {
    const state = { name: "signing", kty: "RSA-HSM", keySize: 3072, keyUri: "https://acme-payments.vault.azure.net/keys/signing", attributes: { enabled: true, created: 1700000000, updated: 1700000000, recoveryLevel: "Recoverable" } };
    expect(await checkResource(rule, { type: KEY, props: state })).toEqual({ violations: [{ message: BOTH }] });
    expect(await checkResource(rule, { type: KEY, props: { ...state, attributes: { ...state.attributes, expires: EXPIRES } } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { ...state, rotationPolicy: { ...rotationPolicy, attributes: { ...rotationPolicy.attributes, created: 1, updated: 1 } } } })).toEqual({ violations: [] });
});

test("explicit API versions are checked too", async () => {
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20230701:Key", props: key({ kty: "RSA" }) })).violations).toHaveLength(1);
});

describe("the classic provider's keyvault.Key (expirationDate, rotationPolicy.expireAfter)", () => {
    const CLASSIC_KEY = "azure:keyvault/key:Key";
    const classic = (p: Record<string, any> = {}) => ({ name: "generated", keyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-payments", keyType: "RSA", keySize: 3072, keyOpts: ["wrapKey"], ...p });
    const classicPolicy = { automatic: { timeAfterCreation: "P90D" }, expireAfter: "P120D", notifyBeforeExpiry: "P30D" };
    test("an expiration date is compliant", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ expirationDate: "2028-01-01T00:00:00Z" }) })).toEqual({ violations: [] });
    });
    test("Pulumi's classic example (no expirationDate, no rotationPolicy) is a violation", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic() })).toEqual({ violations: [{ message: BOTH }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ expirationDate: "" }) })).toEqual({ violations: [{ message: BOTH }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ expirationDate: "someday" }) })).toEqual({ violations: [{ message: BOTH }] });
    });
    test("a rotation policy that rotates automatically and expires new versions is accepted by default", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ rotationPolicy: classicPolicy }) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ rotationPolicy: { ...classicPolicy, expireAfter: undefined } }) })).toEqual({ violations: [{ message: BOTH }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ rotationPolicy: { expireAfter: "P120D", notifyBeforeExpiry: "P30D" } }) })).toEqual({ violations: [{ message: BOTH }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ rotationPolicy: classicPolicy }) }, { acceptRotationPolicyExpiry: false })).toEqual({ violations: [{ message: "This Key Vault key has no expiration date." }] });
    });
    test("the native names mean nothing on a classic key; state has the same names", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ attributes: { expires: EXPIRES }, properties: { attributes: { expires: EXPIRES } } }) })).toEqual({ violations: [{ message: BOTH }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ expirationDate: "2028-01-01T00:00:00Z", version: "v1", versionlessId: "https://acme-payments.vault.azure.net/keys/generated" }) })).toEqual({ violations: [] });
    });
    test("an unknown value at preview makes the rule not run", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ expirationDate: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ rotationPolicy: { ...classicPolicy, expireAfter: UNKNOWN } }) })).toEqual({ violations: [], unknown: true });
    });
});

describe("classic Managed HSM keys (expirationDate; their rotation policy is a separate resource)", () => {
    const HSM_KEY = "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey";
    const hsmKey = { name: "wrap", managedHsmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/acme-hsm", keyType: "oct-HSM", keySize: 256, keyOpts: ["wrapKey"] };
    test("with acceptRotationPolicyExpiry (default), a key without expirationDate is left to azure-keyvault-managedhsmkey-configure-rotation-policy", async () => {
        expect(await checkResource(rule, { type: HSM_KEY, props: hsmKey })).toEqual({ violations: [] });
    });
    test("with acceptRotationPolicyExpiry: false, it must have an expirationDate", async () => {
        expect(await checkResource(rule, { type: HSM_KEY, props: hsmKey }, { acceptRotationPolicyExpiry: false })).toEqual({ violations: [{ message: "This Managed HSM key has no expiration date." }] });
        expect(await checkResource(rule, { type: HSM_KEY, props: { ...hsmKey, expirationDate: "2028-01-01T00:00:00Z" } }, { acceptRotationPolicyExpiry: false })).toEqual({ violations: [] });
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:keyvault:Secret", props: { properties: { value: "x" } } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure:keyvault/secret:Secret", props: { value: "x" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ ...keyProps, attributes: { expires: UNKNOWN } }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: key({ ...keyProps, attributes: {}, rotationPolicy: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: { ...key(keyProps), properties: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: an expiry date is a decision about the key's cryptoperiod", async () => {
    expect(await remediate(rule, { type: KEY, props: key({ kty: "RSA" }) })).toBeUndefined();
});

test("keyfabric's AzureKey: every key Azure generates gets a rotation policy that expires its versions (compliant by default); the strict CIS reading needs a fixed date", async () => {
    const run = await runUnderMocks(() => {
        const vault = { location: "westeurope", tenantId: TENANT };
        new AzureKey("rotating", { resourceGroupName: "rg-keys", vault: { ...vault, name: "kv-rotating" }, purpose: "encrypt", algorithm: "RSA_3072", rotationDays: 180 });
        new AzureKey("dated", { resourceGroupName: "rg-keys", vault: { ...vault, name: "kv-dated" }, purpose: "sign", algorithm: "EC_P256", expiresAt: "2028-01-01T00:00:00Z" });
        new AzureKey("default", { resourceGroupName: "rg-keys", vault: { ...vault, name: "kv-default" }, purpose: "sign", algorithm: "EC_P256" });
    });
    const counts = async (config?: Record<string, unknown>) =>
        Object.fromEntries(await Promise.all(run.resources.filter((r) => r.type === KEY).map(async (r) => [r.name, (await checkResource(rule, { type: KEY, props: r.inputs }, config)).violations.length])));
    expect(await counts()).toEqual({ "rotating-key": 0, "dated-key": 0, "default-key": 0 });
    expect(await counts({ acceptRotationPolicyExpiry: false })).toEqual({ "rotating-key": 1, "dated-key": 0, "default-key": 1 });
});
