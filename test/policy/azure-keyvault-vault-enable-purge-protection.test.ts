import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-vault-enable-purge-protection";
import { runUnderMocks } from "../../sdk/preview/harness";
import { AzureKey } from "../../sdk/azure/key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const VAULT = "azure-native:keyvault:Vault";
const HSM = "azure-native:keyvault:ManagedHsm";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const properties = {
    tenantId: TENANT,
    sku: { family: "A", name: "premium" },
    enableRbacAuthorization: true,
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enablePurgeProtection: true,
    publicNetworkAccess: "Disabled",
    networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
};
const vault = { vaultName: "acme-payments", resourceGroupName: "rg-keys", location: "westeurope", properties };
const hsm = { name: "acme-hsm", resourceGroupName: "rg-keys", location: "westeurope", sku: { family: "B", name: "Standard_B1" }, properties: { tenantId: TENANT, enablePurgeProtection: true, initialAdminObjectIds: ["5f0c2a44-2d3e-4b0a-9d1e-6a7b8c9d0e1f"] } };

test("a vault with purge protection is compliant", async () => {
    expect(await checkResource(rule, { type: VAULT, props: vault })).toEqual({ violations: [] });
});

test("purge protection off is a violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: { ...properties, enablePurgeProtection: false } } })).toEqual({
        violations: [{ message: "Purge protection is not enabled on this Key Vault." }],
    });
});

test("purge protection left unset (Azure's default for vaults is off) is a violation", async () => {
    const { enablePurgeProtection, ...rest } = properties;
    void enablePurgeProtection;
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: rest } })).toEqual({
        violations: [{ message: "Purge protection is not enabled on this Key Vault." }],
    });
});

test("Managed HSM: on by default, a violation only when disabled", async () => {
    expect(await checkResource(rule, { type: HSM, props: hsm })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: HSM, props: { ...hsm, properties: { tenantId: TENANT } } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: HSM, props: { ...hsm, properties: { ...hsm.properties, enablePurgeProtection: false } } })).toEqual({
        violations: [{ message: "Purge protection is disabled on this Managed HSM." }],
    });
});

test("state (outputs) keeps properties nested and is checked the same way", async () => {
    const state = { name: "acme-payments", location: "westeurope", type: "Microsoft.KeyVault/vaults", properties: { ...properties, enablePurgeProtection: undefined, vaultUri: "https://acme-payments.vault.azure.net/", provisioningState: "Succeeded" } };
    expect((await checkResource(rule, { type: VAULT, props: state })).violations).toHaveLength(1);
});

test("resources pinned to an explicit API version are checked too", async () => {
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20230701:Vault", props: { ...vault, properties: { ...properties, enablePurgeProtection: false } } })).violations).toHaveLength(1);
});

describe("the classic provider (purgeProtectionEnabled)", () => {
    const CLASSIC_VAULT = "azure:keyvault/keyVault:KeyVault";
    const CLASSIC_HSM = "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule";
    const classic = { name: "acme-payments", resourceGroupName: "rg-keys", location: "westeurope", tenantId: TENANT, skuName: "premium", softDeleteRetentionDays: 90, purgeProtectionEnabled: true };
    const classicHsm = { name: "acme-hsm", resourceGroupName: "rg-keys", location: "westeurope", tenantId: TENANT, skuName: "Standard_B1", adminObjectIds: ["5f0c2a44-2d3e-4b0a-9d1e-6a7b8c9d0e1f"], purgeProtectionEnabled: true };
    test("on is compliant (Key Vault and Managed HSM)", async () => {
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: classic })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_HSM, props: classicHsm })).toEqual({ violations: [] });
    });
    test("off or unset is a violation: the provider sends false when unset, for Managed HSMs too", async () => {
        const { purgeProtectionEnabled, ...unset } = classic;
        const { purgeProtectionEnabled: _h, ...unsetHsm } = classicHsm;
        void purgeProtectionEnabled;
        void _h;
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, purgeProtectionEnabled: false } })).toEqual({ violations: [{ message: "Purge protection is not enabled on this Key Vault." }] });
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: unset })).toEqual({ violations: [{ message: "Purge protection is not enabled on this Key Vault." }] });
        expect(await checkResource(rule, { type: CLASSIC_HSM, props: unsetHsm })).toEqual({ violations: [{ message: "Purge protection is not enabled on this Managed HSM." }] });
        expect(await checkResource(rule, { type: CLASSIC_HSM, props: { ...classicHsm, purgeProtectionEnabled: false } })).toEqual({ violations: [{ message: "Purge protection is not enabled on this Managed HSM." }] });
    });
    test("state (outputs have the same names) is checked the same way", async () => {
        const state = { ...classic, id: "/subscriptions/s/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-payments", vaultUri: "https://acme-payments.vault.azure.net/", purgeProtectionEnabled: false };
        expect((await checkResource(rule, { type: CLASSIC_VAULT, props: state })).violations).toHaveLength(1);
    });
    test("an unknown value at preview makes the rule not run", async () => {
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, purgeProtectionEnabled: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    });
    test("Pulumi's classic Key Vault example (purgeProtectionEnabled: false) is a violation", async () => {
        const example = { location: "West Europe", resourceGroupName: "keys", tenantId: TENANT, skuName: "premium", softDeleteRetentionDays: 7, purgeProtectionEnabled: false, accessPolicies: [{ tenantId: TENANT, objectId: "o", keyPermissions: ["Create", "Get"] }] };
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: example })).toEqual({ violations: [{ message: "Purge protection is not enabled on this Key Vault." }] });
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure:keyvault/key:Key", props: { keyType: "RSA" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure-native:keyvault:Key", props: { properties: { kty: "RSA" } } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: { ...properties, enablePurgeProtection: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: purge protection is irreversible", async () => {
    expect(rule.remediateResource).toBeUndefined();
    expect(await remediate(rule, { type: VAULT, props: { ...vault, properties: { ...properties, enablePurgeProtection: false } } })).toBeUndefined();
});

test("keyfabric's AzureKey creates purge-protected vaults", async () => {
    const run = await runUnderMocks(() => new AzureKey("k", { resourceGroupName: "rg-keys", vault: { location: "westeurope", tenantId: TENANT, name: "acme-payments" }, purpose: "sign", algorithm: "EC_P256" }));
    const v = run.resources.find((r) => r.type === VAULT)!;
    expect(await checkResource(rule, { type: VAULT, props: v.inputs })).toEqual({ violations: [] });
});
