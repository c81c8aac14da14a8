import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-vault-enable-audit-logging";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const SUB = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-keys";
const VAULT_ID = `${SUB}/providers/Microsoft.KeyVault/vaults/acme-payments`;
const HSM_ID = `${SUB}/providers/Microsoft.KeyVault/managedHSMs/acme-hsm`;
const WORKSPACE = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/sec-logs";
const VAULT_MSG = "This Key Vault has no diagnostic setting in the stack that sends its AuditEvent logs to a destination.";
const HSM_MSG = "This Managed HSM has no diagnostic setting in the stack that sends its AuditEvent logs to a destination.";

const vaults: Record<string, TestResource> = {
    native: { type: "azure-native:keyvault:Vault", urn: "urn:native-vault", props: { vaultName: "acme-payments", resourceGroupName: "rg-keys", properties: {} } },
    classic: { type: "azure:keyvault/keyVault:KeyVault", urn: "urn:classic-vault", props: { name: "acme-payments", resourceGroupName: "rg-keys", skuName: "premium" } },
};
const hsms: Record<string, TestResource> = {
    native: { type: "azure-native:keyvault:ManagedHsm", urn: "urn:native-hsm", props: { name: "acme-hsm", resourceGroupName: "rg-keys", properties: {} } },
    classic: { type: "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule", urn: "urn:classic-hsm", props: { name: "acme-hsm", resourceGroupName: "rg-keys" } },
};

/** A diagnostic setting of either provider; `extra` overrides its props. */
function setting(provider: "native" | "classic", target: unknown, extra: Record<string, unknown> = {}): TestResource {
    return provider === "native"
        ? { type: "azure-native:monitor:DiagnosticSetting", name: "audit", props: { name: "audit", resourceUri: target, logs: [{ category: "AuditEvent", enabled: true }], workspaceId: WORKSPACE, ...extra } }
        : { type: "azure:monitoring/diagnosticSetting:DiagnosticSetting", name: "audit", props: { name: "audit", targetResourceId: target, enabledLogs: [{ category: "AuditEvent" }], logAnalyticsWorkspaceId: WORKSPACE, ...extra } };
}

describe.each(["native", "classic"] as const)("%s Key Vault", (vp) => {
    const vault = vaults[vp];
    test.each(["native", "classic"] as const)("compliant with a %s diagnostic setting recording AuditEvent to a workspace", async (sp) => {
        expect(await checkStack(rule, [vault, setting(sp, VAULT_ID)])).toEqual({ violations: [] });
    });

    test("no diagnostic setting is a violation, reported on the vault", async () => {
        expect(await checkStack(rule, [vault])).toEqual({ violations: [{ message: VAULT_MSG, urn: vault.urn }] });
    });

    test.each(["native", "classic"] as const)("a %s setting with no destination does not count", async (sp) => {
        const none = sp === "native" ? { workspaceId: undefined } : { logAnalyticsWorkspaceId: undefined };
        expect(await checkStack(rule, [vault, setting(sp, VAULT_ID, none)])).toEqual({ violations: [{ message: VAULT_MSG, urn: vault.urn }] });
    });

    test.each(["native", "classic"] as const)("a %s setting that records other categories only does not count", async (sp) => {
        const logs = sp === "native" ? { logs: [{ category: "AzurePolicyEvaluationDetails", enabled: true }] } : { enabledLogs: [{ category: "AzurePolicyEvaluationDetails" }] };
        expect(await checkStack(rule, [vault, setting(sp, VAULT_ID, logs)])).toEqual({ violations: [{ message: VAULT_MSG, urn: vault.urn }] });
    });

    test("a setting for another vault, or for another kind of resource with the same name, does not count", async () => {
        expect(await checkStack(rule, [vault, setting("native", `${SUB}/providers/Microsoft.KeyVault/vaults/other`)])).toEqual({ violations: [{ message: VAULT_MSG, urn: vault.urn }] });
        expect(await checkStack(rule, [vault, setting("native", `${SUB}/providers/Microsoft.Storage/storageAccounts/acme-payments`)])).toEqual({ violations: [{ message: VAULT_MSG, urn: vault.urn }] });
        expect(await checkStack(rule, [vault, setting("native", HSM_ID.replace("acme-hsm", "acme-payments"))])).toEqual({ violations: [{ message: VAULT_MSG, urn: vault.urn }] });
    });
});

describe.each(["native", "classic"] as const)("%s Managed HSM", (hp) => {
    const hsm = hsms[hp];
    test("compliant with a setting on it; a violation without", async () => {
        expect(await checkStack(rule, [hsm, setting("native", HSM_ID)])).toEqual({ violations: [] });
        expect(await checkStack(rule, [hsm, setting("classic", HSM_ID)])).toEqual({ violations: [] });
        expect(await checkStack(rule, [hsm])).toEqual({ violations: [{ message: HSM_MSG, urn: hsm.urn }] });
    });
});

test("the audit and allLogs category groups count, in any case; a disabled azure-native entry does not", async () => {
    const v = vaults.native;
    expect(await checkStack(rule, [v, setting("native", VAULT_ID, { logs: [{ categoryGroup: "audit", enabled: true }] })])).toEqual({ violations: [] });
    expect(await checkStack(rule, [v, setting("native", VAULT_ID, { logs: [{ categoryGroup: "allLogs", enabled: true }] })])).toEqual({ violations: [] });
    expect(await checkStack(rule, [v, setting("classic", VAULT_ID, { enabledLogs: [{ categoryGroup: "AllLogs" }] })])).toEqual({ violations: [] });
    expect(await checkStack(rule, [v, setting("native", VAULT_ID, { logs: [{ category: "auditevent", enabled: true }] })])).toEqual({ violations: [] });
    expect(await checkStack(rule, [v, setting("native", VAULT_ID, { logs: [{ category: "AuditEvent", enabled: false }] })])).toEqual({ violations: [{ message: VAULT_MSG, urn: v.urn }] });
});

test("a storage account or an event hub is a destination too; ids match case-insensitively", async () => {
    const v = vaults.native;
    expect(await checkStack(rule, [v, setting("native", VAULT_ID.toUpperCase(), { workspaceId: undefined, storageAccountId: `${SUB}/providers/Microsoft.Storage/storageAccounts/logs` })])).toEqual({ violations: [] });
    expect(await checkStack(rule, [v, setting("classic", VAULT_ID, { logAnalyticsWorkspaceId: undefined, eventhubAuthorizationRuleId: "rule" })])).toEqual({ violations: [] });
});

test("older and versioned azure-native tokens of the setting and the vault are recognised", async () => {
    const v = { ...vaults.native, type: "azure-native:keyvault/v20230701:Vault" };
    expect(await checkStack(rule, [v, { ...setting("native", VAULT_ID), type: "azure-native:insights:DiagnosticSetting" }])).toEqual({ violations: [] });
    expect(await checkStack(rule, [v, { ...setting("native", VAULT_ID), type: "azure-native:monitor/v20210501preview:DiagnosticSetting" }])).toEqual({ violations: [] });
    expect((await checkStack(rule, [v])).violations).toHaveLength(1);
});

test("state: the vault by its id, the azure-native setting's target from its own id (resourceUri is not an output)", async () => {
    const v = { ...vaults.native, props: { name: "acme-payments", id: VAULT_ID } };
    const s = setting("native", undefined, { id: `${VAULT_ID}/providers/microsoft.insights/diagnosticSettings/audit` });
    expect(await checkStack(rule, [v, s])).toEqual({ violations: [] });
});

test("KeyHierarchy vaults whose spec says audit.azure.external are left to that owner", async () => {
    const hierarchy: TestResource = { type: "keyfabric:index:KeyHierarchy", urn: "urn:h", props: { spec: { name: "acme", audit: { azure: { external: true } } } } };
    const domain: TestResource = { type: "keyfabric:index:KeyDomain", urn: "urn:d", props: {}, parent: hierarchy };
    const v = { ...vaults.native, parent: domain };
    expect(await checkStack(rule, [hierarchy, domain, v])).toEqual({ violations: [] });
    const notExternal = { ...hierarchy, props: { spec: { name: "acme", audit: { azure: { workspaceId: WORKSPACE } } } } };
    expect(await checkStack(rule, [notExternal, { ...domain, parent: notExternal }, { ...v, parent: { ...domain, parent: notExternal } }])).toEqual({
        violations: [{ message: VAULT_MSG, urn: v.urn }],
    });
});

test("not applicable to a stack without vaults", async () => {
    expect(await checkStack(rule, [setting("native", VAULT_ID)])).toEqual({ violations: [] });
});

describe("unknown values at preview", () => {
    const mk = (r: TestResource, deps: Record<string, any[]> = {}) => ({ type: r.type, urn: r.urn ?? `urn:${r.name}`, name: r.name ?? "r", props: unknownCheckingProxy(r.props), propertyDependencies: deps });
    async function run(resources: ReturnType<typeof mk>[]) {
        const violations: { message: string; urn?: string }[] = [];
        await (rule.validateStack as any)({ resources, getConfig: () => ({}), notApplicable: () => undefined }, (message: string, urn?: string) => violations.push({ message, urn }));
        return violations;
    }

    test("the target's property dependency decides while the vault id is unknown (as the engine sends it)", async () => {
        const v = mk(vaults.native);
        const other = mk({ ...vaults.native, urn: "urn:other", props: { vaultName: "other" } });
        const s = mk(setting("native", UNKNOWN), { resourceUri: [v] });
        expect(await run([v, other, s])).toEqual([{ message: VAULT_MSG, urn: "urn:other" }]);
    });

    test("a setting whose unknown target depends only on other resources monitors one of those", async () => {
        const v = mk(vaults.native);
        const account = mk({ type: "azure-native:storage:StorageAccount", urn: "urn:sa", props: { accountName: "logs" } });
        expect(await run([v, account, mk(setting("native", UNKNOWN), { resourceUri: [account] })])).toEqual([{ message: VAULT_MSG, urn: v.urn }]);
    });

    test("a target unknown with no dependency to judge by: the proxy throws (the engine reports can't run)", async () => {
        await expect(checkStack(rule, [vaults.native, setting("native", UNKNOWN)])).rejects.toThrow(UnknownValueError);
    });

    test("log entries unknown on a setting for a vault: the proxy throws", async () => {
        await expect(checkStack(rule, [vaults.native, setting("native", VAULT_ID, { logs: UNKNOWN })])).rejects.toThrow(UnknownValueError);
    });

    test("a destination unknown at preview is still a destination", async () => {
        expect(await checkStack(rule, [vaults.native, setting("native", VAULT_ID, { workspaceId: UNKNOWN })])).toEqual({ violations: [] });
    });
});
