import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-vault-require-network-default-deny";
import { runUnderMocks } from "../../sdk/preview/harness";
import { AzureKey } from "../../sdk/azure/key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const VAULT = "azure-native:keyvault:Vault";
const HSM = "azure-native:keyvault:ManagedHsm";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const networkAcls = { defaultAction: "Deny", bypass: "AzureServices", ipRules: [{ value: "203.0.113.0/24" }], virtualNetworkRules: [] };
const vault = { vaultName: "acme-payments", resourceGroupName: "rg-keys", properties: { tenantId: TENANT, sku: { family: "A", name: "standard" }, enableRbacAuthorization: true, networkAcls } };
const hsm = { name: "acme-hsm", resourceGroupName: "rg-keys", properties: { tenantId: TENANT, networkAcls } };
const acls = (a: unknown) => ({ ...vault, properties: { ...vault.properties, networkAcls: a } });

test("a firewall that denies by default is compliant (vault and Managed HSM)", async () => {
    expect(await checkResource(rule, { type: VAULT, props: vault })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: HSM, props: hsm })).toEqual({ violations: [] });
});

test("a firewall that allows by default is a violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: acls({ ...networkAcls, defaultAction: "Allow" }) })).toEqual({
        violations: [{ message: "The firewall of this Key Vault does not deny network access by default." }],
    });
});

test("no network ACLs (Azure allows every network) is a violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: acls(undefined) })).toEqual({ violations: [{ message: "The firewall of this Key Vault does not deny network access by default." }] });
    expect(await checkResource(rule, { type: HSM, props: { ...hsm, properties: { tenantId: TENANT } } })).toEqual({
        violations: [{ message: "The firewall of this Managed HSM does not deny network access by default." }],
    });
});

test("the action is compared case-insensitively, as Azure does", async () => {
    expect(await checkResource(rule, { type: VAULT, props: acls({ defaultAction: "deny" }) })).toEqual({ violations: [] });
});

test("state (outputs) and explicit API versions are checked the same way", async () => {
    expect((await checkResource(rule, { type: VAULT, props: { name: "acme-payments", properties: { ...vault.properties, networkAcls: { defaultAction: "Allow", bypass: "AzureServices" }, vaultUri: "https://x" } } })).violations).toHaveLength(1);
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20240401preview:ManagedHsm", props: { ...hsm, properties: {} } })).violations).toHaveLength(1);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:storage:StorageAccount", props: { networkRuleSet: { defaultAction: "Allow" } } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: acls({ ...networkAcls, defaultAction: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: deny-by-default cuts off clients not yet listed", async () => {
    expect(await remediate(rule, { type: VAULT, props: acls(undefined) })).toBeUndefined();
});

test("keyfabric's AzureKey creates vaults that deny by default", async () => {
    const run = await runUnderMocks(() => new AzureKey("k", { resourceGroupName: "rg-keys", vault: { location: "westeurope", tenantId: TENANT, name: "acme-payments" }, purpose: "sign", algorithm: "EC_P256" }));
    const v = run.resources.find((r) => r.type === VAULT)!;
    expect(await checkResource(rule, { type: VAULT, props: v.inputs })).toEqual({ violations: [] });
});
