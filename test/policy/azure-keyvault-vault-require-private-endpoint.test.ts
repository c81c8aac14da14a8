import { unknownCheckingProxy } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-vault-require-private-endpoint";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-keys";
const VAULT_ID = `${SUB}/providers/Microsoft.KeyVault/vaults/acme-payments`;
const HSM_ID = `${SUB}/providers/Microsoft.KeyVault/managedHSMs/acme-hsm`;
const VAULT_URN = "urn:pulumi:dev::project::azure-native:keyvault:Vault::payments-vault";
const HSM_URN = "urn:pulumi:dev::project::azure-native:keyvault:ManagedHsm::hsm";
const VAULT_MSG = "This Key Vault has no private endpoint in the stack.";
const NA = "A private endpoint's target or a vault's name is not known until the update.";

const vault = (props: Record<string, any> = {}): TestResource => ({
    type: "azure-native:keyvault:Vault",
    urn: VAULT_URN,
    props: { vaultName: "acme-payments", resourceGroupName: "rg-keys", properties: { tenantId: TENANT, sku: { family: "A", name: "premium" } }, ...props },
});
const hsm = (): TestResource => ({ type: "azure-native:keyvault:ManagedHsm", urn: HSM_URN, props: { name: "acme-hsm", resourceGroupName: "rg-keys", properties: { tenantId: TENANT } } });
const endpoint = (target: unknown, key = "privateLinkServiceConnections", groupIds = ["vault"]): TestResource => ({
    type: "azure-native:network:PrivateEndpoint",
    name: "pe",
    props: { resourceGroupName: "rg-net", subnet: { id: `${SUB}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/keys` }, [key]: [{ name: "kv", privateLinkServiceId: target, groupIds }] },
});

test("a vault with a private endpoint targeting it is compliant", async () => {
    expect(await checkStack(rule, [vault(), endpoint(VAULT_ID)])).toEqual({ violations: [] });
});

test("a vault without a private endpoint is a violation, reported on the vault", async () => {
    expect(await checkStack(rule, [vault()])).toEqual({ violations: [{ message: VAULT_MSG, urn: VAULT_URN }] });
});

test("an endpoint to another vault does not count", async () => {
    expect(await checkStack(rule, [vault(), endpoint(`${SUB}/providers/Microsoft.KeyVault/vaults/other-vault`)])).toEqual({ violations: [{ message: VAULT_MSG, urn: VAULT_URN }] });
});

test("an endpoint to a different kind of resource with the same name does not count", async () => {
    expect(await checkStack(rule, [vault(), endpoint(`${SUB}/providers/Microsoft.Storage/storageAccounts/acme-payments`, undefined, ["blob"])])).toEqual({
        violations: [{ message: VAULT_MSG, urn: VAULT_URN }],
    });
});

test("manual connections count, and ids match case-insensitively", async () => {
    expect(await checkStack(rule, [vault(), endpoint(VAULT_ID.toUpperCase(), "manualPrivateLinkServiceConnections")])).toEqual({ violations: [] });
});

test("the classic provider's privatelink.Endpoint counts", async () => {
    const classic: TestResource = { type: "azure:privatelink/endpoint:Endpoint", props: { subnetId: "s", privateServiceConnection: { name: "kv", privateConnectionResourceId: VAULT_ID, isManualConnection: false, subresourceNames: ["vault"] } } };
    expect(await checkStack(rule, [vault(), classic])).toEqual({ violations: [] });
});

test("Managed HSMs need one too", async () => {
    expect(await checkStack(rule, [hsm()])).toEqual({ violations: [{ message: "This Managed HSM has no private endpoint in the stack.", urn: HSM_URN }] });
    expect(await checkStack(rule, [hsm(), endpoint(HSM_ID, undefined, ["managedhsm"])])).toEqual({ violations: [] });
});

test("state: vaults are matched by id or by name (outputs have name, not vaultName)", async () => {
    expect(await checkStack(rule, [vault({ vaultName: undefined, name: "acme-payments" }), endpoint(VAULT_ID)])).toEqual({ violations: [] });
    expect(await checkStack(rule, [vault({ vaultName: undefined, name: undefined, id: VAULT_ID }), endpoint(VAULT_ID)])).toEqual({ violations: [] });
});

test("explicit API versions of vaults and endpoints are recognised", async () => {
    const v = { ...vault(), type: "azure-native:keyvault/v20230701:Vault" };
    const pe = { ...endpoint(VAULT_ID), type: "azure-native:network/v20240501:PrivateEndpoint" };
    expect(await checkStack(rule, [v, pe])).toEqual({ violations: [] });
    expect((await checkStack(rule, [v])).violations).toHaveLength(1);
});

test("not applicable to a stack without vaults", async () => {
    expect(await checkStack(rule, [endpoint(VAULT_ID)])).toEqual({ violations: [] });
});

describe("unknown values at preview", () => {
    test("an endpoint target that is not known yet makes the rule not applicable, never a false violation", async () => {
        expect(await checkStack(rule, [vault(), endpoint(UNKNOWN)])).toEqual({ violations: [], notApplicable: NA });
        expect(await checkStack(rule, [vault(), { ...endpoint(VAULT_ID), props: { privateLinkServiceConnections: UNKNOWN } }])).toEqual({ violations: [], notApplicable: NA });
    });
    test("a vault name that is not known yet: not applicable", async () => {
        expect(await checkStack(rule, [vault({ vaultName: UNKNOWN })])).toEqual({ violations: [], notApplicable: NA });
    });
    test("a vault with a matching known endpoint still passes next to an unknown one", async () => {
        expect(await checkStack(rule, [vault(), endpoint(UNKNOWN), endpoint(VAULT_ID)])).toEqual({ violations: [] });
    });
    test("the endpoint's property dependency on the vault decides while the id is unknown (as the engine reports it)", async () => {
        // The harness does not model property dependencies; the engine passes them (propertyDependencies.privateLinkServiceConnections).
        const v = { type: "azure-native:keyvault:Vault", urn: VAULT_URN, name: "v", props: unknownCheckingProxy({ vaultName: "acme-payments" }) };
        const other = { type: "azure-native:keyvault:Vault", urn: "urn:other", name: "o", props: unknownCheckingProxy({ vaultName: "other" }) };
        const pe = { type: "azure-native:network:PrivateEndpoint", urn: "urn:pe", name: "pe", props: unknownCheckingProxy({ privateLinkServiceConnections: [{ privateLinkServiceId: UNKNOWN }] }), propertyDependencies: { privateLinkServiceConnections: [v] } };
        const violations: { message: string; urn?: string }[] = [];
        let notApplicable: string | undefined;
        await (rule.validateStack as any)(
            { resources: [v, other, pe], getConfig: () => ({}), notApplicable: (r: string) => { notApplicable = r; } },
            (message: string, urn?: string) => violations.push({ message, urn }),
        );
        expect([violations, notApplicable]).toEqual([[{ message: VAULT_MSG, urn: "urn:other" }], undefined]);
    });
});
