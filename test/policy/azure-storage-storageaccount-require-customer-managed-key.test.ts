import { rule } from "../../policy-packs/key-management/rules/azure-storage-storageaccount-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const ACCOUNT = "azure-native:storage:StorageAccount";
const encryption = {
    keySource: "Microsoft.Keyvault",
    keyVaultProperties: { keyName: "card-data", keyVaultUri: "https://acme-payments.vault.azure.net" },
    encryptionIdentity: { encryptionUserAssignedIdentity: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/storage" },
    requireInfrastructureEncryption: true,
};
const account = { accountName: "acmecarddata", resourceGroupName: "rg-data", kind: "StorageV2", sku: { name: "Standard_ZRS" }, encryption };
const MSG = "This storage account does not encrypt with a customer-managed key.";
const enc = (e: unknown) => ({ ...account, encryption: e });

test("an account encrypting with a Key Vault key is compliant", async () => {
    expect(await checkResource(rule, { type: ACCOUNT, props: account })).toEqual({ violations: [] });
});

test("Microsoft-managed keys are a violation", async () => {
    expect(await checkResource(rule, { type: ACCOUNT, props: enc({ ...encryption, keySource: "Microsoft.Storage" }) })).toEqual({ violations: [{ message: MSG }] });
});

test("no encryption settings (Microsoft-managed keys) is a violation", async () => {
    expect(await checkResource(rule, { type: ACCOUNT, props: enc(undefined) })).toEqual({ violations: [{ message: MSG }] });
});

test("a Key Vault key source without the key's name or vault URI is a violation", async () => {
    expect(await checkResource(rule, { type: ACCOUNT, props: enc({ ...encryption, keyVaultProperties: { keyVaultUri: "https://acme-payments.vault.azure.net" } }) })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: ACCOUNT, props: enc({ ...encryption, keyVaultProperties: { keyName: "card-data" } }) })).toEqual({ violations: [{ message: MSG }] });
});

test("the key source is compared case-insensitively, as Azure does", async () => {
    expect(await checkResource(rule, { type: ACCOUNT, props: enc({ ...encryption, keySource: "microsoft.keyvault" }) })).toEqual({ violations: [] });
});

test("state (outputs) and explicit API versions are checked the same way", async () => {
    const state = { name: "acmecarddata", encryption: { keySource: "Microsoft.Storage", services: { blob: { enabled: true, keyType: "Account" } } } };
    expect(await checkResource(rule, { type: ACCOUNT, props: state })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: "azure-native:storage/v20230101:StorageAccount", props: account })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure:storage/account:Account", props: {} })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: ACCOUNT, props: enc({ ...encryption, keyVaultProperties: { keyName: "card-data", keyVaultUri: UNKNOWN } }) })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the key and identity", async () => {
    expect(await remediate(rule, { type: ACCOUNT, props: enc(undefined) })).toBeUndefined();
});
