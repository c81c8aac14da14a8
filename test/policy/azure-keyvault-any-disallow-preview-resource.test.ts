import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-any-disallow-preview-resource";
import { checkResource, remediate, UNKNOWN } from "./harness";

const MSG = "This Key Vault resource uses a preview API version of the Azure provider.";
const props = { vaultName: "acme-payments", resourceGroupName: "rg-keys", properties: { tenantId: "t", sku: { family: "A", name: "standard" } } };

test.each(["azure-native:keyvault:Vault", "azure-native:keyvault:Key", "azure-native:keyvault/v20230701:Vault", "azure-native:keyvault/v20250501:ManagedHsm"])("%s (stable) is compliant", async (type) => {
    expect(await checkResource(rule, { type, props })).toEqual({ violations: [] });
});

test.each([
    "azure-native:keyvault/v20240401preview:Vault",
    "azure-native:keyvault/v20241201preview:Key",
    "azure-native:keyvault/v20210601preview:ManagedHsm",
    "azure-native:keyvault/v20260301preview:AccessPolicy",
    "azure-native:keyvault/v20211101preview:PrivateEndpointConnection",
])("%s is a violation", async (type) => {
    expect(await checkResource(rule, { type, props })).toEqual({ violations: [{ message: MSG }] });
});

test("not applicable to preview versions of other services", async () => {
    expect(await checkResource(rule, { type: "azure-native:storage/v20150501preview:StorageAccount", props: {} })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure:keyvault/keyVault:KeyVault", props: {} })).toEqual({ violations: [] });
});

test("reads no properties: unknown values at preview never matter", async () => {
    expect(await checkResource(rule, { type: "azure-native:keyvault/v20240401preview:Vault", props: { properties: UNKNOWN } })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: "azure-native:keyvault:Vault", props: { properties: UNKNOWN } })).toEqual({ violations: [] });
});

test("no automatic remediation: the API version is part of the type token", async () => {
    expect(await remediate(rule, { type: "azure-native:keyvault/v20240401preview:Vault", props })).toBeUndefined();
});
