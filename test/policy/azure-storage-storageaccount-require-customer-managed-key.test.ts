import { unknownCheckingProxy } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/azure-storage-storageaccount-require-customer-managed-key";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const ACCOUNT = "azure-native:storage:StorageAccount";
const CLASSIC = "azure:storage/account:Account";
const CMK = "azure:storage/customerManagedKey:CustomerManagedKey";
const URN = "urn:pulumi:dev::project::azure-native:storage:StorageAccount::data";
const CLASSIC_URN = "urn:pulumi:dev::project::azure:storage/account:Account::data";
const ACCOUNT_ID = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmecarddata";
const KEY_ID = "https://acme-payments.vault.azure.net/keys/card-data";
const IDENTITY = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/storage";
const encryption = {
    keySource: "Microsoft.Keyvault",
    keyVaultProperties: { keyName: "card-data", keyVaultUri: "https://acme-payments.vault.azure.net" },
    encryptionIdentity: { encryptionUserAssignedIdentity: IDENTITY },
    requireInfrastructureEncryption: true,
};
const account = { accountName: "acmecarddata", resourceGroupName: "rg-data", kind: "StorageV2", sku: { name: "Standard_ZRS" }, encryption };
const MSG = "This storage account does not encrypt with a customer-managed key.";
const NA = "A storage account's encryption settings or a customer-managed key's account are not known until the update.";
const native = (props: Record<string, any>): TestResource => ({ type: ACCOUNT, urn: URN, props });
const enc = (e: unknown) => native({ ...account, encryption: e });
const classicAccount = { name: "acmecarddata", resourceGroupName: "rg-data", location: "westeurope", accountTier: "Standard", accountReplicationType: "ZRS", identity: { type: "UserAssigned", identityIds: [IDENTITY] } };
const classic = (p: Record<string, any> = {}): TestResource => ({ type: CLASSIC, urn: CLASSIC_URN, props: { ...classicAccount, ...p } });
const cmk = (storageAccountId: unknown, p: Record<string, any> = {}): TestResource => ({ type: CMK, name: "cmk", props: { storageAccountId, keyVaultKeyId: KEY_ID, userAssignedIdentityId: IDENTITY, ...p } });

describe("azure-native StorageAccount (unchanged behaviour)", () => {
    test("an account encrypting with a Key Vault key is compliant", async () => {
        expect(await checkStack(rule, [native(account)])).toEqual({ violations: [] });
    });
    test("Microsoft-managed keys are a violation, reported on the account", async () => {
        expect(await checkStack(rule, [enc({ ...encryption, keySource: "Microsoft.Storage" })])).toEqual({ violations: [{ message: MSG, urn: URN }] });
    });
    test("no encryption settings (Microsoft-managed keys) is a violation", async () => {
        expect(await checkStack(rule, [enc(undefined)])).toEqual({ violations: [{ message: MSG, urn: URN }] });
    });
    test("a Key Vault key source without the key's name or vault URI is a violation", async () => {
        expect(await checkStack(rule, [enc({ ...encryption, keyVaultProperties: { keyVaultUri: "https://acme-payments.vault.azure.net" } })])).toEqual({ violations: [{ message: MSG, urn: URN }] });
        expect(await checkStack(rule, [enc({ ...encryption, keyVaultProperties: { keyName: "card-data" } })])).toEqual({ violations: [{ message: MSG, urn: URN }] });
    });
    test("the key source is compared case-insensitively, as Azure does", async () => {
        expect(await checkStack(rule, [enc({ ...encryption, keySource: "microsoft.keyvault" })])).toEqual({ violations: [] });
    });
    test("state (outputs) and explicit API versions are checked the same way", async () => {
        const state = { name: "acmecarddata", encryption: { keySource: "Microsoft.Storage", services: { blob: { enabled: true, keyType: "Account" } } } };
        expect(await checkStack(rule, [native(state)])).toEqual({ violations: [{ message: MSG, urn: URN }] });
        expect(await checkStack(rule, [{ ...native(account), type: "azure-native:storage/v20230101:StorageAccount" }])).toEqual({ violations: [] });
    });
    test("a classic CustomerManagedKey does not count for a native account", async () => {
        expect(await checkStack(rule, [enc(undefined), cmk(ACCOUNT_ID)])).toEqual({ violations: [{ message: MSG, urn: URN }] });
    });
    test("an unknown value at preview: not applicable, never a false violation", async () => {
        expect(await checkStack(rule, [enc({ ...encryption, keyVaultProperties: { keyName: "card-data", keyVaultUri: UNKNOWN } })])).toEqual({ violations: [], notApplicable: NA });
    });
});

describe("classic storage.Account", () => {
    test("a customerManagedKey block with a Key Vault or Managed HSM key is compliant", async () => {
        expect(await checkStack(rule, [classic({ customerManagedKey: { keyVaultKeyId: KEY_ID, userAssignedIdentityId: IDENTITY } })])).toEqual({ violations: [] });
        expect(await checkStack(rule, [classic({ customerManagedKey: { managedHsmKeyId: "https://acme-hsm.managedhsm.azure.net/keys/card-data", userAssignedIdentityId: IDENTITY } })])).toEqual({ violations: [] });
    });
    test("no customerManagedKey block and no CustomerManagedKey resource is a violation, reported on the account", async () => {
        expect(await checkStack(rule, [classic()])).toEqual({ violations: [{ message: MSG, urn: CLASSIC_URN }] });
        expect(await checkStack(rule, [classic({ customerManagedKey: { keyVaultKeyId: "", userAssignedIdentityId: IDENTITY } })])).toEqual({ violations: [{ message: MSG, urn: CLASSIC_URN }] });
    });
    test("the native encryption settings mean nothing on a classic account", async () => {
        expect(await checkStack(rule, [classic({ encryption })])).toEqual({ violations: [{ message: MSG, urn: CLASSIC_URN }] });
    });
    test("a separate CustomerManagedKey for the account counts: matched by id (state) or by the account name in its id", async () => {
        expect(await checkStack(rule, [classic({ id: ACCOUNT_ID }), cmk(ACCOUNT_ID)])).toEqual({ violations: [] });
        expect(await checkStack(rule, [classic(), cmk(ACCOUNT_ID.toUpperCase())])).toEqual({ violations: [] });
        // Deprecated key arguments still name a key.
        expect(await checkStack(rule, [classic(), cmk(ACCOUNT_ID, { keyVaultKeyId: undefined, keyName: "card-data", keyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-payments" })])).toEqual({ violations: [] });
    });
    test("a CustomerManagedKey for another account does not count", async () => {
        expect(await checkStack(rule, [classic(), cmk(ACCOUNT_ID.replace("acmecarddata", "otheraccount"))])).toEqual({ violations: [{ message: MSG, urn: CLASSIC_URN }] });
    });
    test("state: the account's customerManagedKey output counts too", async () => {
        expect(await checkStack(rule, [classic({ id: ACCOUNT_ID, customerManagedKey: { keyVaultKeyId: KEY_ID, userAssignedIdentityId: IDENTITY }, primaryBlobEndpoint: "https://acmecarddata.blob.core.windows.net/" })])).toEqual({ violations: [] });
    });
    describe("unknown values at preview: never a false violation", () => {
        test("a CustomerManagedKey whose account is not known yet: not applicable", async () => {
            expect(await checkStack(rule, [classic(), cmk(UNKNOWN)])).toEqual({ violations: [], notApplicable: NA });
        });
        test("an account name not known yet: not applicable", async () => {
            expect(await checkStack(rule, [classic({ name: UNKNOWN }), cmk(ACCOUNT_ID)])).toEqual({ violations: [], notApplicable: NA });
        });
        test("an unknown key id in the block: not applicable, unless a CustomerManagedKey decides", async () => {
            expect(await checkStack(rule, [classic({ customerManagedKey: { keyVaultKeyId: UNKNOWN, userAssignedIdentityId: IDENTITY } })])).toEqual({ violations: [], notApplicable: NA });
            expect(await checkStack(rule, [classic({ customerManagedKey: { keyVaultKeyId: UNKNOWN } }), cmk(ACCOUNT_ID)])).toEqual({ violations: [] });
        });
        test("other accounts are still judged", async () => {
            const other = { ...classic({ name: "otheraccount" }), urn: "urn:other" };
            expect(await checkStack(rule, [classic({ name: UNKNOWN }), other])).toEqual({ violations: [{ message: MSG, urn: "urn:other" }] });
        });
        test("the CustomerManagedKey's property dependency on the account decides while its id is unknown (as the engine reports it)", async () => {
            const a = { type: CLASSIC, urn: CLASSIC_URN, name: "a", props: unknownCheckingProxy(classicAccount) };
            const b = { type: CLASSIC, urn: "urn:b", name: "b", props: unknownCheckingProxy({ ...classicAccount, name: "otheraccount" }) };
            const key = { type: CMK, urn: "urn:cmk", name: "cmk", props: unknownCheckingProxy({ storageAccountId: UNKNOWN, keyVaultKeyId: UNKNOWN }), propertyDependencies: { storageAccountId: [a] } };
            const violations: { message: string; urn?: string }[] = [];
            let notApplicable: string | undefined;
            await (rule.validateStack as any)(
                { resources: [a, b, key], getConfig: () => ({}), notApplicable: (r: string) => { notApplicable = r; } },
                (message: string, urn?: string) => violations.push({ message, urn }),
            );
            expect([violations, notApplicable]).toEqual([[{ message: MSG, urn: "urn:b" }], undefined]);
        });
    });
});

test("not applicable to stacks without storage accounts, nor to other resource types", async () => {
    expect(await checkStack(rule, [cmk(ACCOUNT_ID)])).toEqual({ violations: [] });
    expect(await checkStack(rule, [{ type: "azure-native:keyvault:Vault", props: { properties: {} } }])).toEqual({ violations: [] });
});

test("a stack rule: no automatic remediation (the rule cannot choose the key and identity)", () => {
    expect((rule as any).remediateResource).toBeUndefined();
    expect(rule.validateStack).toBeDefined();
});
