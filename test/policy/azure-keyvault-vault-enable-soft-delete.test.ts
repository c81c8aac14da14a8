import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-vault-enable-soft-delete";
import { checkResource, remediate, UNKNOWN } from "./harness";

const VAULT = "azure-native:keyvault:Vault";
const HSM = "azure-native:keyvault:ManagedHsm";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const properties = { tenantId: TENANT, sku: { family: "A", name: "standard" }, enableRbacAuthorization: true, enableSoftDelete: true, softDeleteRetentionInDays: 90, enablePurgeProtection: true };
const vault = { vaultName: "acme-payments", resourceGroupName: "rg-keys", location: "westeurope", properties };
const hsm = { name: "acme-hsm", resourceGroupName: "rg-keys", properties: { tenantId: TENANT, enableSoftDelete: true, softDeleteRetentionInDays: 90 } };
const with_ = (p: Record<string, any>) => ({ ...vault, properties: { ...properties, ...p } });

test("soft delete with 90 days of retention is compliant", async () => {
    expect(await checkResource(rule, { type: VAULT, props: vault })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: HSM, props: hsm })).toEqual({ violations: [] });
});

test("soft delete disabled is a violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: with_({ enableSoftDelete: false }) })).toEqual({ violations: [{ message: "Soft delete is disabled on this Key Vault." }] });
});

test("by default any retention Azure accepts (7-90 days) is compliant: CIS 8.5 and Checkov ask for soft delete, not a retention", async () => {
    expect(await checkResource(rule, { type: VAULT, props: with_({ softDeleteRetentionInDays: 7 }) })).toEqual({ violations: [] });
});

test("a retention shorter than a configured minimum is a violation naming both", async () => {
    expect(await checkResource(rule, { type: VAULT, props: with_({ softDeleteRetentionInDays: 7 }) }, { minRetentionDays: 90 })).toEqual({
        violations: [{ message: "This Key Vault keeps deleted objects for 7 days; at least 90 days required." }],
    });
});

test("Managed HSM: the same checks", async () => {
    expect(await checkResource(rule, { type: HSM, props: { ...hsm, properties: { tenantId: TENANT, enableSoftDelete: false, softDeleteRetentionInDays: 30 } } }, { minRetentionDays: 90 })).toEqual({
        violations: [{ message: "Soft delete is disabled on this Managed HSM." }, { message: "This Managed HSM keeps deleted objects for 30 days; at least 90 days required." }],
    });
});

test("unset values take Azure's defaults (on, 90 days)", async () => {
    expect(await checkResource(rule, { type: VAULT, props: { ...vault, properties: { tenantId: TENANT, sku: properties.sku } } })).toEqual({ violations: [] });
});

describe("minRetentionDays", () => {
    test("declares its default (Azure's minimum) and bounds (7-90, what Azure accepts)", () => {
        expect(rule.configSchema?.properties.minRetentionDays).toMatchObject({ type: "integer", default: 7, minimum: 7, maximum: 90 });
    });
    test("at the lower bound, 7 days pass", async () => {
        expect(await checkResource(rule, { type: VAULT, props: with_({ softDeleteRetentionInDays: 7 }) }, { minRetentionDays: 7 })).toEqual({ violations: [] });
    });
    test("a minimum of 30 accepts 30 and rejects 29", async () => {
        expect(await checkResource(rule, { type: VAULT, props: with_({ softDeleteRetentionInDays: 30 }) }, { minRetentionDays: 30 })).toEqual({ violations: [] });
        expect((await checkResource(rule, { type: VAULT, props: with_({ softDeleteRetentionInDays: 29 }) }, { minRetentionDays: 30 })).violations).toHaveLength(1);
    });
});

test("state (outputs) and explicit API versions are checked the same way", async () => {
    const state = { name: "acme-payments", properties: { ...properties, softDeleteRetentionInDays: 14, vaultUri: "https://acme-payments.vault.azure.net/" } };
    expect((await checkResource(rule, { type: VAULT, props: state }, { minRetentionDays: 30 })).violations).toHaveLength(1);
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20241101:Vault", props: with_({ enableSoftDelete: false }) })).violations).toHaveLength(1);
});

describe("the classic provider (softDeleteRetentionDays; soft delete cannot be turned off)", () => {
    const CLASSIC_VAULT = "azure:keyvault/keyVault:KeyVault";
    const CLASSIC_HSM = "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule";
    const classic = { name: "acme-payments", resourceGroupName: "rg-keys", location: "westeurope", tenantId: TENANT, skuName: "premium", purgeProtectionEnabled: true, softDeleteRetentionDays: 90 };
    test("90 days, or unset (90), is compliant (Key Vault and Managed HSM)", async () => {
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: classic })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, softDeleteRetentionDays: undefined } })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_HSM, props: { name: "acme-hsm", skuName: "Standard_B1", tenantId: TENANT } })).toEqual({ violations: [] });
    });
    test("Pulumi's example keeps 7 days: compliant by default (CIS and Checkov accept it), a violation under a longer minimum", async () => {
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, softDeleteRetentionDays: 7 } })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, softDeleteRetentionDays: 7 } }, { minRetentionDays: 90 })).toEqual({
            violations: [{ message: "This Key Vault keeps deleted objects for 7 days; at least 90 days required." }],
        });
        expect(await checkResource(rule, { type: CLASSIC_HSM, props: { name: "acme-hsm", softDeleteRetentionDays: 30 } }, { minRetentionDays: 90 })).toEqual({
            violations: [{ message: "This Managed HSM keeps deleted objects for 30 days; at least 90 days required." }],
        });
    });
    test("the native property names mean nothing on a classic vault", async () => {
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, properties: { enableSoftDelete: false, softDeleteRetentionInDays: 7 } } })).toEqual({ violations: [] });
    });
    test("state (the same names) and unknown values", async () => {
        expect((await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, softDeleteRetentionDays: 14, vaultUri: "https://acme-payments.vault.azure.net/" } }, { minRetentionDays: 30 })).violations).toHaveLength(1);
        expect(await checkResource(rule, { type: CLASSIC_VAULT, props: { ...classic, softDeleteRetentionDays: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    });
    test("no remediation: there is nothing to turn on, and the retention is fixed at creation", async () => {
        expect(await remediate(rule, { type: CLASSIC_VAULT, props: { ...classic, softDeleteRetentionDays: 7 } })).toBeUndefined();
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:keyvault:Key", props: { properties: {} } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: VAULT, props: with_({ softDeleteRetentionInDays: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: VAULT, props: with_({ enableSoftDelete: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
});

describe("remediation", () => {
    test("turns soft delete on (Azure makes it mandatory anyway) and changes nothing else", async () => {
        expect(await remediate(rule, { type: VAULT, props: with_({ enableSoftDelete: false }) })).toEqual(vault);
        expect(await remediate(rule, { type: HSM, props: { ...hsm, properties: { ...hsm.properties, enableSoftDelete: false } } })).toEqual(hsm);
    });
    test("never changes the retention (fixed at creation), nor compliant vaults", async () => {
        expect(await remediate(rule, { type: VAULT, props: with_({ softDeleteRetentionInDays: 7 }) })).toBeUndefined();
        expect(await remediate(rule, { type: VAULT, props: vault })).toBeUndefined();
    });
});
