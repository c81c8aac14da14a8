import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-vault-disallow-public-network-access";
import { runUnderMocks } from "../../sdk/preview/harness";
import { AzureKey } from "../../sdk/azure/key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const VAULT = "azure-native:keyvault:Vault";
const HSM = "azure-native:keyvault:ManagedHsm";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const properties = { tenantId: TENANT, sku: { family: "A", name: "standard" }, publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } };
const vault = { vaultName: "acme-payments", resourceGroupName: "rg-keys", properties };
const hsm = { name: "acme-hsm", resourceGroupName: "rg-keys", properties: { tenantId: TENANT, publicNetworkAccess: "Disabled" } };
const VAULT_MSG = "Public network access is not disabled on this Key Vault.";
const set = (p: Record<string, any>) => ({ ...vault, properties: { ...properties, ...p } });

test("public network access disabled is compliant (vault and Managed HSM)", async () => {
    expect(await checkResource(rule, { type: VAULT, props: vault })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: HSM, props: hsm })).toEqual({ violations: [] });
});

test("public network access enabled is a violation, even behind a deny-by-default firewall (default config)", async () => {
    expect(await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: "Enabled" }) })).toEqual({ violations: [{ message: VAULT_MSG }] });
});

test("public network access left unset (Azure's default is enabled) is a violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: undefined }) })).toEqual({ violations: [{ message: VAULT_MSG }] });
    expect(await checkResource(rule, { type: HSM, props: { ...hsm, properties: { tenantId: TENANT } } })).toEqual({
        violations: [{ message: "Public network access is not disabled on this Managed HSM." }],
    });
});

test("the value is compared case-insensitively (the SDK's own default is lower-case)", async () => {
    expect(await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: "disabled" }) })).toEqual({ violations: [] });
    expect((await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: "enabled" }) })).violations).toHaveLength(1);
});

describe("allowWithDefaultDenyFirewall", () => {
    test("declares its default (off)", () => {
        expect(rule.configSchema?.properties.allowWithDefaultDenyFirewall).toMatchObject({ type: "boolean", default: false });
    });
    test("accepts public access behind a deny-by-default firewall, and only then", async () => {
        const cfg = { allowWithDefaultDenyFirewall: true };
        expect(await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: "Enabled" }) }, cfg)).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow" } }) }, cfg)).toEqual({ violations: [{ message: VAULT_MSG }] });
        expect(await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: "Enabled", networkAcls: undefined }) }, cfg)).toEqual({ violations: [{ message: VAULT_MSG }] });
    });
});

test("state (outputs) and explicit API versions are checked the same way", async () => {
    expect((await checkResource(rule, { type: VAULT, props: { name: "acme-payments", properties: { ...properties, publicNetworkAccess: "Enabled", vaultUri: "https://x" } } })).violations).toHaveLength(1);
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20230701:Vault", props: set({ publicNetworkAccess: "Enabled" }) })).violations).toHaveLength(1);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:storage:StorageAccount", props: { publicNetworkAccess: "Enabled" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: VAULT, props: set({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: UNKNOWN } }) }, { allowWithDefaultDenyFirewall: true })).toEqual({
        violations: [],
        unknown: true,
    });
});

test("no automatic remediation: disabling public access cuts off clients without a private endpoint", async () => {
    expect(await remediate(rule, { type: VAULT, props: set({ publicNetworkAccess: "Enabled" }) })).toBeUndefined();
});

test("keyfabric's vaults leave public access to Azure's default (enabled) behind a deny-by-default firewall", async () => {
    const run = await runUnderMocks(() => new AzureKey("k", { resourceGroupName: "rg-keys", vault: { location: "westeurope", tenantId: TENANT, name: "acme-payments" }, purpose: "sign", algorithm: "EC_P256" }));
    const v = run.resources.find((r) => r.type === VAULT)!;
    expect(await checkResource(rule, { type: VAULT, props: v.inputs })).toEqual({ violations: [{ message: VAULT_MSG }] });
    expect(await checkResource(rule, { type: VAULT, props: v.inputs }, { allowWithDefaultDenyFirewall: true })).toEqual({ violations: [] });
});
