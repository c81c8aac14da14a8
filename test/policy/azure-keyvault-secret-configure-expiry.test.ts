import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-secret-configure-expiry";
import { checkResource, remediate, UNKNOWN } from "./harness";

// The engine's sentinel for this kind of unknown value: exported by the SDK's proxy module, not declared in its types.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { unknownNumberValue } = require("@pulumi/policy/proxy") as { unknownNumberValue: string };

const NATIVE = "azure-native:keyvault:Secret";
const CLASSIC = "azure:keyvault/secret:Secret";
const VALUE = "hunter2-not-a-real-password";
const MSG = "This Key Vault secret has no expiration date.";

/** No attributes (a default parameter would turn undefined into the default attributes). */
const NONE = null;
const native = (attributes: Record<string, unknown> | null = { enabled: true, expires: 1798761600 }) => ({
    secretName: "db-password",
    vaultName: "acme-payments",
    resourceGroupName: "rg-keys",
    properties: { value: VALUE, contentType: "text/plain", ...(attributes ? { attributes } : {}) },
});
const classic = (extra: Record<string, unknown> = {}) => ({
    name: "db-password",
    keyVaultId: "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-payments",
    value: VALUE,
    contentType: "text/plain",
    expirationDate: "2027-01-01T00:00:00Z",
    ...extra,
});

test("an azure-native secret with attributes.expires is compliant", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native() })).toEqual({ violations: [] });
});

test("a classic secret with expirationDate is compliant", async () => {
    expect(await checkResource(rule, { type: CLASSIC, props: classic() })).toEqual({ violations: [] });
});

test("an azure-native secret without an expiry is a violation", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native(NONE) })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: NATIVE, props: native({ enabled: true }) })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: NATIVE, props: native({ expires: 0 }) })).toEqual({ violations: [{ message: MSG }] });
});

test("a classic secret without an expiry is a violation", async () => {
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ expirationDate: undefined }) })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ expirationDate: "" }) })).toEqual({ violations: [{ message: MSG }] });
});

test("a not-before date is not an expiry", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native({ notBefore: 1767225600 }) })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ expirationDate: undefined, notBeforeDate: "2026-01-01T00:00:00Z" }) })).toEqual({ violations: [{ message: MSG }] });
});

test("messages never echo the secret's value", async () => {
    const r = await checkResource(rule, { type: CLASSIC, props: classic({ expirationDate: undefined }) });
    expect(JSON.stringify(r)).not.toContain(VALUE);
});

test("state (outputs: the attributes stay nested under properties) and explicit API versions are checked the same way", async () => {
    const state = { name: "db-password", properties: { secretUri: "https://acme-payments.vault.azure.net/secrets/db-password", secretUriWithVersion: "https://acme-payments.vault.azure.net/secrets/db-password/0123", attributes: { enabled: true, created: 1735689600, updated: 1735689600, expires: 1798761600 } } };
    expect(await checkResource(rule, { type: NATIVE, props: state })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: NATIVE, props: { ...state, properties: { ...state.properties, attributes: { enabled: true, created: 1735689600, updated: 1735689600 } } } })).toEqual({ violations: [{ message: MSG }] });
    expect(await checkResource(rule, { type: "azure-native:keyvault/v20240401preview:Secret", props: native(NONE) })).toEqual({ violations: [{ message: MSG }] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:keyvault:Key", props: {} })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure:keyvault/key:Key", props: {} })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native({ expires: unknownNumberValue }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ expirationDate: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
});

test("an unknown secret value does not stop the rule: it reads only the attributes", async () => {
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ value: UNKNOWN }) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: NATIVE, props: { ...native(), properties: { value: UNKNOWN, attributes: { expires: 1798761600 } } } })).toEqual({ violations: [] });
});

test("no automatic remediation: the rule cannot choose the secret's lifetime", async () => {
    expect(await remediate(rule, { type: NATIVE, props: native(NONE) })).toBeUndefined();
});
