import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-key-require-tags";
import { checkResource, UNKNOWN } from "./harness";

const KEY = "azure-native:keyvault:Key";
const HSM_KEY = "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey";
const IMPORTED = "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey";
const tags = { "keyfabric:owner": "platform-security", "keyfabric:classification": "restricted", "cost-center": "sec-001" };
const key = (t?: Record<string, any>) => ({ keyName: "wrap", vaultName: "acme-payments", resourceGroupName: "rg-keys", properties: { kty: "RSA-HSM", keySize: 3072 }, ...(t ? { tags: t } : {}) });

test("a key with owner and classification tags is compliant (every key type)", async () => {
    expect(await checkResource(rule, { type: KEY, props: key(tags) })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: HSM_KEY, props: { name: "wrap", keyType: "oct-HSM", tags } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: IMPORTED, props: { __provider: UNKNOWN, keyName: "wrap", algorithm: "RSA_3072", tags } })).toEqual({ violations: [] });
});

test("a missing owner tag is a violation", async () => {
    const { "keyfabric:owner": _o, ...rest } = tags;
    void _o;
    expect(await checkResource(rule, { type: KEY, props: key(rest) })).toEqual({ violations: [{ message: "This Azure key is missing required tags: keyfabric:owner." }] });
});

test("a blank classification tag is missing", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ ...tags, "keyfabric:classification": "  " }) })).toEqual({
        violations: [{ message: "This Azure key is missing required tags: keyfabric:classification." }],
    });
});

test("a key without tags misses both", async () => {
    expect(await checkResource(rule, { type: HSM_KEY, props: { name: "wrap", keyType: "oct-HSM" } })).toEqual({
        violations: [{ message: "This Azure key is missing required tags: keyfabric:owner, keyfabric:classification." }],
    });
});

test("an unknown classification value is a violation, and the message does not echo it", async () => {
    const result = await checkResource(rule, { type: KEY, props: key({ ...tags, "keyfabric:classification": "top-secret" }) });
    expect(result).toEqual({ violations: [{ message: "The keyfabric:classification tag of this Azure key is not one of the allowed classifications." }] });
    expect(JSON.stringify(result)).not.toContain("top-secret");
});

describe("config", () => {
    test("declares defaults", () => {
        expect(rule.configSchema?.properties.requiredTags).toMatchObject({ type: "array", default: ["keyfabric:owner", "keyfabric:classification"] });
        expect(rule.configSchema?.properties.allowedClassifications).toMatchObject({ type: "array", minItems: 1, default: ["public", "internal", "confidential", "restricted"] });
    });
    test("requiredTags and allowedClassifications are honoured", async () => {
        expect(await checkResource(rule, { type: KEY, props: key(tags) }, { requiredTags: ["cost-center", "data-owner"] })).toEqual({ violations: [{ message: "This Azure key is missing required tags: data-owner." }] });
        expect(await checkResource(rule, { type: KEY, props: key() }, { requiredTags: [] })).toEqual({ violations: [] });
        expect((await checkResource(rule, { type: KEY, props: key(tags) }, { allowedClassifications: ["internal"] })).violations).toHaveLength(1);
    });
});

test("state and explicit API versions are checked the same way", async () => {
    expect((await checkResource(rule, { type: KEY, props: { name: "wrap", kty: "RSA", tags: {} } })).violations).toHaveLength(1);
    expect((await checkResource(rule, { type: "azure-native:keyvault/v20230701:Key", props: key() })).violations).toHaveLength(1);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:keyvault:Vault", props: { properties: {} } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key({ ...tags, "keyfabric:owner": UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: IMPORTED, props: { keyName: "wrap", tags: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

describe("the classic provider's keyvault.Key", () => {
    const CLASSIC_KEY = "azure:keyvault/key:Key";
    const classic = (t?: Record<string, any>) => ({ name: "generated", keyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-payments", keyType: "RSA", keySize: 3072, keyOpts: ["wrapKey"], ...(t ? { tags: t } : {}) });
    test("a tagged key is compliant", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic(tags) })).toEqual({ violations: [] });
    });
    test("ONE violation naming every missing tag (Pulumi's example has none)", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic() })).toEqual({
            violations: [{ message: "This Azure key is missing required tags: keyfabric:owner, keyfabric:classification." }],
        });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ "cost-center": "x" }) }, { requiredTags: ["keyfabric:owner", "keyfabric:classification", "cost-center", "data-owner"] })).toEqual({
            violations: [{ message: "This Azure key is missing required tags: keyfabric:owner, keyfabric:classification, data-owner." }],
        });
    });
    test("an unknown classification is a violation of its own; unknown values make the rule not run", async () => {
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ "keyfabric:owner": "team", "keyfabric:classification": "secret" }) })).toEqual({
            violations: [{ message: "The keyfabric:classification tag of this Azure key is not one of the allowed classifications." }],
        });
        expect(await checkResource(rule, { type: CLASSIC_KEY, props: classic({ ...tags, "keyfabric:owner": UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    });
});
