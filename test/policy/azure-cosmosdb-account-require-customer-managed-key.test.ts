import { rule } from "../../policy-packs/key-management/rules/azure-cosmosdb-account-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const NATIVE = "azure-native:cosmosdb:DatabaseAccount";
const CLASSIC = "azure:cosmosdb/account:Account";
const KEY_URI = "https://acme-payments.vault.azure.net/keys/cosmos-data";
const MSG = "This Cosmos DB account does not encrypt with a customer-managed key.";

const native = (extra: Record<string, unknown> = {}) => ({
    accountName: "acme-orders",
    resourceGroupName: "rg-data",
    location: "westeurope",
    databaseAccountOfferType: "Standard",
    locations: [{ locationName: "westeurope", failoverPriority: 0 }],
    keyVaultKeyUri: KEY_URI,
    defaultIdentity: "FirstPartyIdentity",
    ...extra,
});
const classic = (extra: Record<string, unknown> = {}) => ({
    name: "acme-orders",
    resourceGroupName: "rg-data",
    location: "westeurope",
    offerType: "Standard",
    consistencyPolicy: { consistencyLevel: "Session" },
    geoLocations: [{ location: "westeurope", failoverPriority: 0 }],
    keyVaultKeyId: KEY_URI,
    ...extra,
});

test("an azure-native account with keyVaultKeyUri is compliant", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native() })).toEqual({ violations: [] });
});

test("a classic account with keyVaultKeyId (or the deprecated managedHsmKeyId) is compliant", async () => {
    expect(await checkResource(rule, { type: CLASSIC, props: classic() })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ keyVaultKeyId: undefined, managedHsmKeyId: "https://acme-hsm.managedhsm.azure.net/keys/cosmos-data" }) })).toEqual({ violations: [] });
});

test("an account on service-managed keys is a violation", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native({ keyVaultKeyUri: undefined }) })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: NATIVE, props: native({ keyVaultKeyUri: "  " }) })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ keyVaultKeyId: undefined }) })).toEqual({ violations: [{ message: MSG }] });
});

test("state (outputs, the same names) and explicit API versions are checked the same way", async () => {
    const state = { name: "acme-orders", documentEndpoint: "https://acme-orders.documents.azure.com:443/", keyVaultKeyUri: KEY_URI, keyVaultKeyUriVersion: "v1", customerManagedKeyStatus: "Access to the configured customer managed key confirmed." };
    expect(await checkResource(rule, { type: NATIVE, props: state })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: NATIVE, props: { ...state, keyVaultKeyUri: undefined } })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: "azure-native:cosmosdb/v20240815:DatabaseAccount", props: native({ keyVaultKeyUri: undefined }) })).toEqual({ violations: [{ message: MSG }] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:cosmosdb:SqlResourceSqlDatabase", props: {} })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure:cosmosdb/sqlDatabase:SqlDatabase", props: {} })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native({ keyVaultKeyUri: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ keyVaultKeyId: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the key and identity", async () => {
    expect(await remediate(rule, { type: NATIVE, props: native({ keyVaultKeyUri: undefined }) })).toBeUndefined();
});
