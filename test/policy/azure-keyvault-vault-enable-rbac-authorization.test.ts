import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-vault-enable-rbac-authorization";
import { checkResource, remediate, UNKNOWN } from "./harness";

const VAULT = "azure-native:keyvault:Vault";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const properties = { tenantId: TENANT, sku: { family: "A", name: "standard" }, enableRbacAuthorization: true, enablePurgeProtection: true };
const vault = { vaultName: "acme-payments", resourceGroupName: "rg-keys", properties };
const entry = { tenantId: TENANT, objectId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", permissions: { keys: ["get", "wrapKey", "unwrapKey"] } };
const NO_RBAC = "This Key Vault does not use Azure RBAC for data-plane access.";
const POLICIES = "This Key Vault defines access policies.";

test("an RBAC vault without access policies is compliant", async () => {
    expect(await checkResource(rule, { type: VAULT, props: vault })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: { ...properties, accessPolicies: [] } } })).toEqual({ violations: [] });
});

test("RBAC off is a violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: { ...properties, enableRbacAuthorization: false } } })).toEqual({ violations: [{ message: NO_RBAC }] });
});

test("RBAC left unset (Azure's default is access policies) is a violation", async () => {
    const { enableRbacAuthorization, ...rest } = properties;
    void enableRbacAuthorization;
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: rest } })).toEqual({ violations: [{ message: NO_RBAC }] });
});

test("access policies on an RBAC vault are a violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: { ...properties, accessPolicies: [entry] } } })).toEqual({ violations: [{ message: POLICIES }] });
});

test("a separate AccessPolicy resource is a violation", async () => {
    expect(await checkResource(rule, { type: "azure-native:keyvault:AccessPolicy", props: { vaultName: "acme-payments", resourceGroupName: "rg-keys", policy: entry } })).toEqual({
        violations: [{ message: "This Key Vault access policy grants data-plane access outside Azure RBAC." }],
    });
});

test("state (outputs) and explicit API versions are checked the same way", async () => {
    const state = { name: "acme-payments", properties: { ...properties, enableRbacAuthorization: false, accessPolicies: [entry], vaultUri: "https://acme-payments.vault.azure.net/" } };
    expect(await checkResource(rule, { type: VAULT, props: state })).toEqual({ violations: [{ message: NO_RBAC }, { message: POLICIES }] });
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20230701:Vault", props: { ...vault, properties: { ...properties, enableRbacAuthorization: false } } })).violations).toHaveLength(1);
});

describe("the classic provider (rbacAuthorizationEnabled, or the deprecated enableRbacAuthorization)", () => {
    const CLASSIC_VAULT = "azure:keyvault/keyVault:KeyVault";
    const classic = { name: "acme-payments", resourceGroupName: "rg-keys", location: "westeurope", tenantId: TENANT, skuName: "premium", rbacAuthorizationEnabled: true };
    const classicEntry = { tenantId: TENANT, objectId: entry.objectId, keyPermissions: ["Get", "WrapKey", "UnwrapKey"] };
    test("an RBAC vault without access policies is compliant, under either name", async () => {
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: classic })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, rbacAuthorizationEnabled: undefined, enableRbacAuthorization: true, accessPolicies: [] } })).toEqual({ violations: [] });
    });
    test("RBAC off or unset (the provider's default is false) is a violation", async () => {
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, rbacAuthorizationEnabled: false } })).toEqual({ violations: [{ message: NO_RBAC }] });
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, rbacAuthorizationEnabled: undefined } })).toEqual({ violations: [{ message: NO_RBAC }] });
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, rbacAuthorizationEnabled: undefined, enableRbacAuthorization: false } })).toEqual({ violations: [{ message: NO_RBAC }] });
    });
    test("Pulumi's classic Key Vault example (inline accessPolicies, no RBAC) gets both violations", async () => {
        const example = { location: "West Europe", resourceGroupName: "keys", tenantId: TENANT, skuName: "premium", softDeleteRetentionDays: 7, purgeProtectionEnabled: false, accessPolicies: [classicEntry] };
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: example })).toEqual({ violations: [{ message: NO_RBAC }, { message: POLICIES }] });
    });
    test("a separate classic AccessPolicy resource is a violation", async () => {
        expect(await checkResource(rule, { type: "azure:keyvault/accessPolicy:AccessPolicy", props: { keyVaultId: "/subscriptions/s/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-payments", ...classicEntry } })).toEqual({
            violations: [{ message: "This Key Vault access policy grants data-plane access outside Azure RBAC." }],
        });
    });
    test("state has both names (the provider fills both); the native names mean nothing here", async () => {
        const state = { ...classic, rbacAuthorizationEnabled: false, enableRbacAuthorization: false, accessPolicies: [classicEntry], vaultUri: "https://acme-payments.vault.azure.net/" };
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: state })).toEqual({ violations: [{ message: NO_RBAC }, { message: POLICIES }] });
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, rbacAuthorizationEnabled: false, properties: { enableRbacAuthorization: true } } })).toEqual({ violations: [{ message: NO_RBAC }] });
    });
    test("an unknown value at preview makes the rule not run", async () => {
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, rbacAuthorizationEnabled: UNKNOWN } })).toEqual({ violations: [], unknown: true });
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, accessPolicies: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    });
});

test("not applicable to Managed HSMs (always local RBAC) and other types", async () => {
    expect(await checkResource(rule, { type: "azure-native:keyvault:ManagedHsm", props: { name: "hsm", properties: {} } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule", props: { name: "hsm" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure-native:authorization:RoleAssignment", props: {} })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: { ...properties, enableRbacAuthorization: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: { ...properties, accessPolicies: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: switching to RBAC voids existing access policies at once", async () => {
    expect(await remediate(rule, { type: VAULT, props: { ...vault, properties: { ...properties, enableRbacAuthorization: false } } })).toBeUndefined();
});
