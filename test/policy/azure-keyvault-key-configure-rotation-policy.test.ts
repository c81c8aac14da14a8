import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-key-configure-rotation-policy";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "azure-native:keyvault:Key";
const rotate = (trigger: Record<string, any>, type = "rotate") => ({ action: { type }, trigger });
const rotationPolicy = { attributes: { expiryTime: "P395D" }, lifetimeActions: [rotate({ timeAfterCreate: "P365D" }), rotate({ timeBeforeExpiry: "P30D" }, "notify")] };
const key = (properties: Record<string, any>) => ({ keyName: "wrap", vaultName: "acme-payments", resourceGroupName: "rg-keys", properties });
const compliant = key({ kty: "RSA-HSM", keySize: 3072, rotationPolicy });
const withPolicy = (p: unknown) => key({ kty: "RSA-HSM", keySize: 3072, rotationPolicy: p });

test("a rotation policy that rotates yearly is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test("no rotation policy is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ kty: "RSA-HSM", keySize: 3072 }) })).toEqual({ violations: [{ message: "This Key Vault key has no rotation policy." }] });
});

test("a policy without a rotate action is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: withPolicy({ ...rotationPolicy, lifetimeActions: [rotate({ timeBeforeExpiry: "P30D" }, "notify")] }) })).toEqual({
        violations: [{ message: "The rotation policy of this Key Vault key never rotates it (no rotate action)." }],
    });
});

test("rotating less often than the maximum is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: withPolicy({ ...rotationPolicy, lifetimeActions: [rotate({ timeAfterCreate: "P2Y" })] }) })).toEqual({
        violations: [{ message: "This Key Vault key rotates every 730 days; at most 365 days allowed." }],
    });
});

test("a rotate trigger that is not a duration is a violation, without echoing it", async () => {
    expect(await checkResource(rule, { type: KEY, props: withPolicy({ lifetimeActions: [rotate({ timeAfterCreate: "yearly" })] }) })).toEqual({
        violations: [{ message: "The rotate action of this Key Vault key's rotation policy has no trigger that is an ISO 8601 duration." }],
    });
});

test("a rotate action triggered before expiry fires at expiryTime minus timeBeforeExpiry", async () => {
    const beforeExpiry = { attributes: { expiryTime: "P395D" }, lifetimeActions: [rotate({ timeBeforeExpiry: "P30D" })] };
    expect(await checkResource(rule, { type: KEY, props: withPolicy(beforeExpiry) })).toEqual({ violations: [] });
    expect((await checkResource(rule, { type: KEY, props: withPolicy({ ...beforeExpiry, attributes: { expiryTime: "P400D" } }) })).violations).toHaveLength(1);
    expect((await checkResource(rule, { type: KEY, props: withPolicy({ lifetimeActions: [rotate({ timeBeforeExpiry: "P30D" })] }) })).violations).toHaveLength(1);
});

test('the action type is compared case-insensitively ("Rotate" in ARM responses)', async () => {
    expect(await checkResource(rule, { type: KEY, props: withPolicy({ lifetimeActions: [rotate({ timeAfterCreate: "P90D" }, "Rotate")] }) })).toEqual({ violations: [] });
});

describe("maxRotationDays", () => {
    test("declares its default and bounds (7-3650)", () => {
        expect(rule.configSchema?.properties.maxRotationDays).toMatchObject({ type: "integer", default: 365, minimum: 7, maximum: 3650 });
    });
    test("at the lower bound, P7D passes and P8D does not", async () => {
        expect(await checkResource(rule, { type: KEY, props: withPolicy({ lifetimeActions: [rotate({ timeAfterCreate: "P7D" })] }) }, { maxRotationDays: 7 })).toEqual({ violations: [] });
        expect((await checkResource(rule, { type: KEY, props: withPolicy({ lifetimeActions: [rotate({ timeAfterCreate: "P8D" })] }) }, { maxRotationDays: 7 })).violations).toHaveLength(1);
    });
    test("at the upper bound, P10Y (3650 days) passes", async () => {
        expect(await checkResource(rule, { type: KEY, props: withPolicy({ lifetimeActions: [rotate({ timeAfterCreate: "P10Y" })] }) }, { maxRotationDays: 3650 })).toEqual({ violations: [] });
    });
});

test("state: outputs are flattened (rotationPolicy at the top) and checked the same way", async () => {
    const state = { name: "wrap", kty: "RSA-HSM", keySize: 3072, rotationPolicy: { attributes: { created: 1, updated: 1, expiryTime: "P395D" }, lifetimeActions: [rotate({ timeAfterCreate: "P730D" })] } };
    expect((await checkResource(rule, { type: KEY, props: state })).violations).toEqual([{ message: "This Key Vault key rotates every 730 days; at most 365 days allowed." }]);
    expect((await checkResource(rule, { type: KEY, props: { name: "wrap", kty: "RSA" } })).violations).toEqual([{ message: "This Key Vault key has no rotation policy." }]);
});

test("explicit API versions are checked too", async () => {
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20241101:Key", props: key({ kty: "EC" }) })).violations).toHaveLength(1);
});

describe("the classic provider's keyvault.Key (rotationPolicy.automatic)", () => {
    const CLASSIC_KEY = "azure:keyvault/key:Key";
    const classic = (rotationPolicy?: unknown) => ({ name: "generated", keyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-payments", keyType: "RSA", keySize: 3072, keyOpts: ["wrapKey"], ...(rotationPolicy === undefined ? {} : { rotationPolicy }) });
    const yearly = { automatic: { timeAfterCreation: "P365D" }, expireAfter: "P395D", notifyBeforeExpiry: "P30D" };
    test("a policy that rotates yearly is compliant", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic(yearly) })).toEqual({ violations: [] });
    });
    test("Pulumi's classic example (no rotationPolicy) is a violation", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic() })).toEqual({ violations: [{ message: "This Key Vault key has no rotation policy." }] });
    });
    test("a policy without an automatic block never rotates", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ expireAfter: "P395D", notifyBeforeExpiry: "P30D" }) })).toEqual({
            violations: [{ message: "The rotation policy of this Key Vault key never rotates it (no automatic block)." }],
        });
    });
    test("timeAfterCreation beyond the maximum, or expireAfter minus timeBeforeExpiry beyond it, is a violation", async () => {
        const slow = (n: number) => `This Key Vault key rotates every ${n} days; at most 365 days allowed.`;
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ ...yearly, automatic: { timeAfterCreation: "P2Y" } }) })).toEqual({ violations: [{ message: slow(730) }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ automatic: { timeBeforeExpiry: "P30D" }, expireAfter: "P395D" }) })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ automatic: { timeBeforeExpiry: "P30D" }, expireAfter: "P400D" }) })).toEqual({ violations: [{ message: slow(370) }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ ...yearly, automatic: { timeAfterCreation: "P90D" } }) }, { maxRotationDays: 90 })).toEqual({ violations: [] });
    });
    test("a trigger that is not a duration is a violation, without echoing it", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ automatic: { timeBeforeExpiry: "P30D" } }) })).toEqual({
            violations: [{ message: "The automatic rotation of this Key Vault key's rotation policy has no trigger that is an ISO 8601 duration." }],
        });
    });
    test("the native shape means nothing on a classic key; state has the same names", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: { ...classic(), properties: { rotationPolicy } } })).toEqual({ violations: [{ message: "This Key Vault key has no rotation policy." }] });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: { ...classic(yearly), version: "v1", resourceId: "/subscriptions/s/x" } })).toEqual({ violations: [] });
    });
    test("an unknown value at preview makes the rule not run", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic(UNKNOWN) })).toEqual({ violations: [], unknown: true });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ ...yearly, automatic: { timeAfterCreation: UNKNOWN } }) })).toEqual({ violations: [], unknown: true });
    });
});

test("not applicable to other resource types (classic Managed HSM keys have their own stack rule)", async () => {
    expect(await checkResource(rule, { type: "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey", props: { algorithm: "RSA_3072" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey", props: { keyType: "oct-HSM" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: withPolicy(UNKNOWN) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: KEY, props: withPolicy({ lifetimeActions: [rotate({ timeAfterCreate: UNKNOWN })] }) })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: a rotation changes the key version consumers may pin", async () => {
    expect(await remediate(rule, { type: KEY, props: key({ kty: "RSA" }) })).toBeUndefined();
});
