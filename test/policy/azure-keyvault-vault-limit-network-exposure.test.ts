import { unknownCheckingProxy } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-vault-limit-network-exposure";
import { runUnderMocks } from "../../sdk/preview/harness";
import { AzureKey } from "../../sdk/azure/key";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-keys";
const VAULT_ID = `${SUB}/providers/Microsoft.KeyVault/vaults/acme-payments`;
const HSM_ID = `${SUB}/providers/Microsoft.KeyVault/managedHSMs/acme-hsm`;
const VAULT = "azure-native:keyvault:Vault";
const HSM = "azure-native:keyvault:ManagedHsm";
const CLASSIC_VAULT = "azure:keyvault/keyVault:KeyVault";
const CLASSIC_HSM = "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule";
const VAULT_URN = "urn:pulumi:dev::project::azure-native:keyvault:Vault::payments-vault";
const HSM_URN = "urn:pulumi:dev::project::azure-native:keyvault:ManagedHsm::hsm";
const CLASSIC_URN = "urn:pulumi:dev::project::azure:keyvault/keyVault:KeyVault::vault";
const NA = "A vault's network settings, its name or a private endpoint's target are not known until the update.";

// Messages: one per vault, naming every exposed setting.
const ALL = "This Key Vault is reachable from public networks: public network access is enabled, network ACLs allow by default, and it has no private endpoint.";
const PUBLIC = "This Key Vault is reachable from public networks: public network access is enabled.";
const PUBLIC_NO_PE = "This Key Vault is reachable from public networks: public network access is enabled and it has no private endpoint.";
const PUBLIC_ACLS = "This Key Vault is reachable from public networks: public network access is enabled and network ACLs allow by default.";
const ACLS = "This Key Vault does not limit network access: network ACLs allow by default.";
const NO_PE = "This Key Vault has no private endpoint in the stack.";

const locked = { publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [{ value: "203.0.113.0/24" }], virtualNetworkRules: [] } };
const vault = (p: Record<string, any> = {}, top: Record<string, any> = {}): TestResource => ({
    type: VAULT,
    urn: VAULT_URN,
    props: { vaultName: "acme-payments", resourceGroupName: "rg-keys", properties: { tenantId: TENANT, sku: { family: "A", name: "premium" }, ...locked, ...p }, ...top },
});
const hsm = (p: Record<string, any> = {}): TestResource => ({ type: HSM, urn: HSM_URN, props: { name: "acme-hsm", resourceGroupName: "rg-keys", properties: { tenantId: TENANT, ...locked, ...p } } });
const classic = (p: Record<string, any> = {}): TestResource => ({
    type: CLASSIC_VAULT,
    urn: CLASSIC_URN,
    props: {
        name: "acme-payments",
        resourceGroupName: "rg-keys",
        location: "westeurope",
        tenantId: TENANT,
        skuName: "premium",
        publicNetworkAccessEnabled: false,
        networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: ["203.0.113.0/24"], virtualNetworkSubnetIds: [] },
        ...p,
    },
});
const endpoint = (target: unknown, key = "privateLinkServiceConnections", groupIds = ["vault"]): TestResource => ({
    type: "azure-native:network:PrivateEndpoint",
    name: "pe",
    props: { resourceGroupName: "rg-net", subnet: { id: `${SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/keys` }, [key]: [{ name: "kv", privateLinkServiceId: target, groupIds }] },
});
const classicEndpoint = (target: unknown): TestResource => ({
    type: "azure:privatelink/endpoint:Endpoint",
    name: "classic-pe",
    props: { subnetId: "s", privateServiceConnection: { name: "kv", privateConnectionResourceId: target, isManualConnection: false, subresourceNames: ["vault"] } },
});
const pe = endpoint(VAULT_ID);
/** The private-endpoint check is off by default (CIS Azure 8.7 is a Manual Level 2 control; strict-hsm turns it on). */
const PE = { requirePrivateEndpoint: true };

test("a vault with public access disabled, default-deny ACLs and a private endpoint is compliant (both providers, vaults and Managed HSMs)", async () => {
    expect(await checkStack(rule, [vault(), pe])).toEqual({ violations: [] });
    expect(await checkStack(rule, [hsm(), endpoint(HSM_ID, undefined, ["managedhsm"])])).toEqual({ violations: [] });
    expect(await checkStack(rule, [classic(), classicEndpoint(VAULT_ID)])).toEqual({ violations: [] });
    const classicHsm: TestResource = { type: CLASSIC_HSM, props: { name: "acme-hsm", publicNetworkAccessEnabled: false, networkAcls: { defaultAction: "Deny", bypass: "None" } } };
    expect(await checkStack(rule, [classicHsm, classicEndpoint(HSM_ID)])).toEqual({ violations: [] });
});

test("one violation per vault naming every exposed setting, reported on the vault", async () => {
    const open = vault({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow", bypass: "AzureServices" } });
    expect(await checkStack(rule, [open])).toEqual({ violations: [{ message: PUBLIC_ACLS, urn: VAULT_URN }] });
    expect(await checkStack(rule, [open], PE)).toEqual({ violations: [{ message: ALL, urn: VAULT_URN }] });
    // Two vaults, two violations: each names only its own settings.
    const other = { ...vault({ publicNetworkAccess: "Enabled" }, { vaultName: "acme-other" }), urn: "urn:other" };
    expect(await checkStack(rule, [open, other, pe], PE)).toEqual({ violations: [{ message: PUBLIC_ACLS, urn: VAULT_URN }, { message: PUBLIC_NO_PE, urn: "urn:other" }] });
});

describe("public network access (was azure-keyvault-vault-disallow-public-network-access)", () => {
    test("enabled is exposed, even behind a deny-by-default firewall (default config)", async () => {
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "Enabled" }), pe])).toEqual({ violations: [{ message: PUBLIC, urn: VAULT_URN }] });
    });
    test("left unset (Azure's default is enabled) is exposed", async () => {
        expect(await checkStack(rule, [vault({ publicNetworkAccess: undefined }), pe])).toEqual({ violations: [{ message: PUBLIC, urn: VAULT_URN }] });
        expect(await checkStack(rule, [hsm({ publicNetworkAccess: undefined }), endpoint(HSM_ID)])).toEqual({
            violations: [{ message: "This Managed HSM is reachable from public networks: public network access is enabled.", urn: HSM_URN }],
        });
    });
    test("the value is compared case-insensitively (the SDK's own default is lower-case)", async () => {
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "disabled" }), pe])).toEqual({ violations: [] });
        expect((await checkStack(rule, [vault({ publicNetworkAccess: "enabled" }), pe])).violations).toHaveLength(1);
    });
    test("classic: publicNetworkAccessEnabled true or unset (the provider's default is true) is exposed", async () => {
        const msg = { message: "This Key Vault is reachable from public networks: public network access is enabled.", urn: CLASSIC_URN };
        expect(await checkStack(rule, [classic({ publicNetworkAccessEnabled: true }), classicEndpoint(VAULT_ID)])).toEqual({ violations: [msg] });
        expect(await checkStack(rule, [classic({ publicNetworkAccessEnabled: undefined }), classicEndpoint(VAULT_ID)])).toEqual({ violations: [msg] });
    });
    test("allowPublicWithDefaultDeny (default off) accepts public access behind default-deny ACLs, and only then", async () => {
        expect(rule.configSchema?.properties.allowPublicWithDefaultDeny).toMatchObject({ type: "boolean", default: false });
        const cfg = { allowPublicWithDefaultDeny: true };
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "Enabled" }), pe], cfg)).toEqual({ violations: [] });
        expect(await checkStack(rule, [classic({ publicNetworkAccessEnabled: true }), classicEndpoint(VAULT_ID)], cfg)).toEqual({ violations: [] });
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow" } }), pe], cfg)).toEqual({ violations: [{ message: PUBLIC_ACLS, urn: VAULT_URN }] });
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "Enabled", networkAcls: undefined }), pe], cfg)).toEqual({ violations: [{ message: PUBLIC_ACLS, urn: VAULT_URN }] });
    });
    test("requirePublicNetworkAccessDisabled: false turns the check off", async () => {
        expect(rule.configSchema?.properties.requirePublicNetworkAccessDisabled).toMatchObject({ type: "boolean", default: true });
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "Enabled" }), pe], { requirePublicNetworkAccessDisabled: false })).toEqual({ violations: [] });
    });
});

describe("network ACLs (was azure-keyvault-vault-require-network-default-deny)", () => {
    test("ACLs that allow by default are exposed, even with public access disabled", async () => {
        expect(await checkStack(rule, [vault({ networkAcls: { ...locked.networkAcls, defaultAction: "Allow" } }), pe])).toEqual({ violations: [{ message: ACLS, urn: VAULT_URN }] });
    });
    test("no network ACLs (Azure allows every network) are exposed", async () => {
        expect(await checkStack(rule, [vault({ networkAcls: undefined }), pe])).toEqual({ violations: [{ message: ACLS, urn: VAULT_URN }] });
        expect(await checkStack(rule, [hsm({ networkAcls: undefined }), endpoint(HSM_ID)])).toEqual({
            violations: [{ message: "This Managed HSM does not limit network access: network ACLs allow by default.", urn: HSM_URN }],
        });
        expect(await checkStack(rule, [classic({ networkAcls: undefined }), classicEndpoint(VAULT_ID)])).toEqual({ violations: [{ message: ACLS, urn: CLASSIC_URN }] });
    });
    test("the action is compared case-insensitively, as Azure does", async () => {
        expect(await checkStack(rule, [vault({ networkAcls: { defaultAction: "deny" } }), pe])).toEqual({ violations: [] });
        expect(await checkStack(rule, [classic({ networkAcls: { defaultAction: "deny", bypass: "None" } }), classicEndpoint(VAULT_ID)])).toEqual({ violations: [] });
    });
    test("requireDefaultDeny: false turns the check off", async () => {
        expect(rule.configSchema?.properties.requireDefaultDeny).toMatchObject({ type: "boolean", default: true });
        expect(await checkStack(rule, [vault({ networkAcls: undefined }), pe], { requireDefaultDeny: false })).toEqual({ violations: [] });
    });
});

describe("private endpoint (was azure-keyvault-vault-require-private-endpoint; with requirePrivateEndpoint)", () => {
    test("off by default: a vault with public access disabled and default-deny ACLs is not reachable from public networks", async () => {
        expect(rule.configSchema?.properties.requirePrivateEndpoint).toMatchObject({ type: "boolean", default: false });
        expect(await checkStack(rule, [vault()])).toEqual({ violations: [] });
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "Enabled" })])).toEqual({ violations: [{ message: PUBLIC, urn: VAULT_URN }] });
    });
    test("a vault without a private endpoint is exposed", async () => {
        expect(await checkStack(rule, [vault()], PE)).toEqual({ violations: [{ message: NO_PE, urn: VAULT_URN }] });
    });
    test("an endpoint to another vault, or to another kind of resource with the same name, does not count", async () => {
        expect(await checkStack(rule, [vault(), endpoint(`${SUB}/providers/Microsoft.KeyVault/vaults/other-vault`)], PE)).toEqual({ violations: [{ message: NO_PE, urn: VAULT_URN }] });
        expect(await checkStack(rule, [vault(), endpoint(`${SUB}/providers/Microsoft.Storage/storageAccounts/acme-payments`, undefined, ["blob"])], PE)).toEqual({
            violations: [{ message: NO_PE, urn: VAULT_URN }],
        });
        // A vault and a Managed HSM of the same name are different targets.
        expect(await checkStack(rule, [{ ...hsm(), props: { ...hsm().props, name: "acme-payments" } }, pe], PE)).toEqual({
            violations: [{ message: "This Managed HSM has no private endpoint in the stack.", urn: HSM_URN }],
        });
    });
    test("manual connections count, and ids match case-insensitively", async () => {
        expect(await checkStack(rule, [vault(), endpoint(VAULT_ID.toUpperCase(), "manualPrivateLinkServiceConnections")], PE)).toEqual({ violations: [] });
    });
    test("either provider's endpoint counts for either provider's vault", async () => {
        expect(await checkStack(rule, [vault(), classicEndpoint(VAULT_ID)], PE)).toEqual({ violations: [] });
        expect(await checkStack(rule, [classic(), pe], PE)).toEqual({ violations: [] });
        expect(await checkStack(rule, [classic()], PE)).toEqual({ violations: [{ message: NO_PE, urn: CLASSIC_URN }] });
    });
    test("Managed HSMs need one too", async () => {
        expect(await checkStack(rule, [hsm()], PE)).toEqual({ violations: [{ message: "This Managed HSM has no private endpoint in the stack.", urn: HSM_URN }] });
    });
    test("state: vaults are matched by id or by name (outputs have name, not vaultName)", async () => {
        expect(await checkStack(rule, [vault({}, { vaultName: undefined, name: "acme-payments" }), pe], PE)).toEqual({ violations: [] });
        expect(await checkStack(rule, [vault({}, { vaultName: undefined, name: undefined, id: VAULT_ID }), pe], PE)).toEqual({ violations: [] });
        expect(await checkStack(rule, [classic({ name: undefined, id: VAULT_ID }), classicEndpoint(VAULT_ID)], PE)).toEqual({ violations: [] });
    });
    test("requirePrivateEndpoint: false (the default) turns the check off", async () => {
        expect(await checkStack(rule, [vault()], { requirePrivateEndpoint: false })).toEqual({ violations: [] });
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "Enabled" })], { requirePrivateEndpoint: false })).toEqual({ violations: [{ message: PUBLIC, urn: VAULT_URN }] });
    });
});

test("state (outputs keep properties nested) and explicit API versions are checked the same way", async () => {
    const state: TestResource = { type: VAULT, urn: VAULT_URN, props: { name: "acme-payments", id: VAULT_ID, properties: { ...locked, publicNetworkAccess: "Enabled", vaultUri: "https://x" } } };
    expect(await checkStack(rule, [state, pe])).toEqual({ violations: [{ message: PUBLIC, urn: VAULT_URN }] });
    const v = { ...vault({ publicNetworkAccess: "Enabled" }), type: "azure-native:keyvault/v20230701:Vault" };
    const versionedPe = { ...pe, type: "azure-native:network/v20240501:PrivateEndpoint" };
    expect(await checkStack(rule, [v, versionedPe])).toEqual({ violations: [{ message: PUBLIC, urn: VAULT_URN }] });
    expect((await checkStack(rule, [{ ...hsm({ networkAcls: undefined }), type: "azure-native:keyvault/v20240401preview:ManagedHsm" }])).violations).toHaveLength(1);
});

test("not applicable to stacks without vaults, nor to other resource types", async () => {
    expect(await checkStack(rule, [pe])).toEqual({ violations: [] });
    expect(await checkStack(rule, [{ type: "azure-native:storage:StorageAccount", props: { publicNetworkAccess: "Enabled", networkRuleSet: { defaultAction: "Allow" } } }])).toEqual({ violations: [] });
});

describe("unknown values at preview: never a false violation", () => {
    test("a setting not known yet is not judged; the vault is not applicable when nothing else is exposed", async () => {
        expect(await checkStack(rule, [vault({ publicNetworkAccess: UNKNOWN }), pe])).toEqual({ violations: [], notApplicable: NA });
        expect(await checkStack(rule, [vault({ networkAcls: { ...locked.networkAcls, defaultAction: UNKNOWN } }), pe])).toEqual({ violations: [], notApplicable: NA });
        expect(await checkStack(rule, [vault({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: UNKNOWN } }), pe], { allowPublicWithDefaultDeny: true, requireDefaultDeny: false })).toEqual({
            violations: [],
            notApplicable: NA,
        });
        expect(await checkStack(rule, [classic({ publicNetworkAccessEnabled: UNKNOWN }), pe])).toEqual({ violations: [], notApplicable: NA });
    });
    test("settings known to be exposed are still reported next to an unknown one", async () => {
        expect(await checkStack(rule, [vault({ publicNetworkAccess: UNKNOWN, networkAcls: undefined })], PE)).toEqual({
            violations: [{ message: "This Key Vault does not limit network access: network ACLs allow by default and it has no private endpoint.", urn: VAULT_URN }],
        });
    });
    test("an endpoint target that is not known yet: not applicable", async () => {
        expect(await checkStack(rule, [vault(), endpoint(UNKNOWN)], PE)).toEqual({ violations: [], notApplicable: NA });
        expect(await checkStack(rule, [vault(), { ...pe, props: { privateLinkServiceConnections: UNKNOWN } }], PE)).toEqual({ violations: [], notApplicable: NA });
        // Without the private-endpoint check, endpoints are not read at all.
        expect(await checkStack(rule, [vault(), endpoint(UNKNOWN)])).toEqual({ violations: [] });
    });
    test("a vault name that is not known yet: not applicable", async () => {
        expect(await checkStack(rule, [vault({}, { vaultName: UNKNOWN })], PE)).toEqual({ violations: [], notApplicable: NA });
    });
    test("a vault with a matching known endpoint still passes next to an unknown one", async () => {
        expect(await checkStack(rule, [vault(), endpoint(UNKNOWN), pe], PE)).toEqual({ violations: [] });
    });
    test("the endpoint's property dependency on the vault decides while the id is unknown (as the engine reports it)", async () => {
        // The harness does not model property dependencies; the engine passes them (privateLinkServiceConnections / privateServiceConnection).
        const v = { type: VAULT, urn: VAULT_URN, name: "v", props: unknownCheckingProxy(vault().props) };
        const other = { type: VAULT, urn: "urn:other", name: "o", props: unknownCheckingProxy(vault({}, { vaultName: "other" }).props) };
        const c = { type: CLASSIC_VAULT, urn: CLASSIC_URN, name: "c", props: unknownCheckingProxy(classic({ name: undefined }).props) };
        const nativePe = { type: "azure-native:network:PrivateEndpoint", urn: "urn:pe", name: "pe", props: unknownCheckingProxy({ privateLinkServiceConnections: [{ privateLinkServiceId: UNKNOWN }] }), propertyDependencies: { privateLinkServiceConnections: [v] } };
        const classicPe = { type: "azure:privatelink/endpoint:Endpoint", urn: "urn:cpe", name: "cpe", props: unknownCheckingProxy({ privateServiceConnection: { privateConnectionResourceId: UNKNOWN } }), propertyDependencies: { privateServiceConnection: [c] } };
        const violations: { message: string; urn?: string }[] = [];
        let notApplicable: string | undefined;
        await (rule.validateStack as any)(
            { resources: [v, other, c, nativePe, classicPe], getConfig: () => ({ requirePublicNetworkAccessDisabled: true, allowPublicWithDefaultDeny: false, requireDefaultDeny: true, requirePrivateEndpoint: true }), notApplicable: (r: string) => { notApplicable = r; } },
            (message: string, urn?: string) => violations.push({ message, urn }),
        );
        expect([violations, notApplicable]).toEqual([[{ message: NO_PE, urn: "urn:other" }], undefined]);
    });
});

test("the classic provider's Key Vault pattern (no networkAcls, public access left on, no endpoint): one violation naming all (three with requirePrivateEndpoint)", async () => {
    const pattern: TestResource = { type: CLASSIC_VAULT, urn: CLASSIC_URN, props: { location: "West Europe", resourceGroupName: "keys", tenantId: TENANT, skuName: "premium", softDeleteRetentionDays: 7, purgeProtectionEnabled: false } };
    expect(await checkStack(rule, [pattern])).toEqual({ violations: [{ message: PUBLIC_ACLS, urn: CLASSIC_URN }] });
    expect(await checkStack(rule, [pattern], PE)).toEqual({ violations: [{ message: ALL, urn: CLASSIC_URN }] });
});

test("keyfabric's vaults: public access disabled and deny-by-default ACLs unless IP rules are given; a private endpoint when the settings name a subnet", async () => {
    const vaultOf = async (settings: Record<string, unknown> = {}) => {
        const run = await runUnderMocks(() => new AzureKey("k", { resourceGroupName: "rg-keys", vault: { location: "westeurope", tenantId: TENANT, name: "acme-payments", ...settings }, purpose: "sign", algorithm: "EC_P256" }));
        const v = run.resources.find((r) => r.type === VAULT)!;
        return { run, vault: { type: VAULT, urn: VAULT_URN, props: v.inputs } as TestResource };
    };
    const { vault: plain } = await vaultOf();
    expect(await checkStack(rule, [plain])).toEqual({ violations: [] });
    expect(await checkStack(rule, [plain], PE)).toEqual({ violations: [{ message: NO_PE, urn: VAULT_URN }] });
    // IP rules need public access (Azure ignores them otherwise): reported unless public access behind default deny is accepted.
    const { vault: withIps } = await vaultOf({ ipRules: ["203.0.113.0/24"] });
    expect(await checkStack(rule, [withIps])).toEqual({ violations: [{ message: PUBLIC, urn: VAULT_URN }] });
    expect(await checkStack(rule, [withIps], { allowPublicWithDefaultDeny: true })).toEqual({ violations: [] });
    // The endpoint keyfabric creates targets the vault (by id once known; the engine also reports the property dependency).
    const { run } = await vaultOf({ privateEndpoint: { subnetId: `${SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/keys` } });
    const endpointInputs = run.resources.find((r) => r.type === "azure-native:network:PrivateEndpoint")!.inputs;
    const vaultId = run.resources.find((r) => r.type === VAULT)!.id;
    expect(await checkStack(rule, [plain, { ...pe, props: { ...endpointInputs, privateLinkServiceConnections: [{ ...endpointInputs.privateLinkServiceConnections[0], privateLinkServiceId: VAULT_ID }] } }], PE)).toEqual({ violations: [] });
    expect(endpointInputs.privateLinkServiceConnections[0].privateLinkServiceId).toBe(vaultId);
});

test("messages name settings, never their values", async () => {
    const result = await checkStack(rule, [vault({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow", ipRules: [{ value: "198.51.100.7/32" }] } })]);
    expect(JSON.stringify(result)).not.toMatch(/198\.51|acme-payments|Enabled|Allow/);
});
