import { unknownCheckingProxy } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-managedhsmkey-configure-rotation-policy";
import { runUnderMocks } from "../../sdk/preview/harness";
import { AzureKey } from "../../sdk/azure/key";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const HSM_KEY = "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey";
const POLICY = "azure:keyvault/managedHardwareSecurityModuleKeyRotationPolicy:ManagedHardwareSecurityModuleKeyRotationPolicy";
const HSM_ID = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-keys/providers/Microsoft.KeyVault/managedHSMs/acme-hsm";
const KEY_ID = "https://acme-hsm.managedhsm.azure.net/keys/card-data";
const KEY_URN = `urn:pulumi:dev::project::${HSM_KEY}::card-data`;
const NA = "A rotation policy's key or trigger is not known until the update.";

const key = (props: Record<string, any> = {}): TestResource => ({
    type: HSM_KEY,
    urn: KEY_URN,
    props: { name: "card-data", managedHsmId: HSM_ID, keyType: "oct-HSM", keySize: 256, keyOpts: ["encrypt", "decrypt", "wrapKey", "unwrapKey"], ...props },
});
const policy = (props: Record<string, any> = {}): TestResource => ({ type: POLICY, name: "rotation", props: { managedHsmKeyId: KEY_ID, timeAfterCreation: "P365D", expireAfter: "P395D", ...props } });

test("a Managed HSM key with a yearly rotation policy is compliant", async () => {
    expect(await checkStack(rule, [key(), policy()])).toEqual({ violations: [] });
});

test("a key without a rotation policy is a violation, reported on the key", async () => {
    expect(await checkStack(rule, [key()])).toEqual({ violations: [{ message: "This Managed HSM key has no rotation policy in the stack.", urn: KEY_URN }] });
});

test("a policy for another key does not count", async () => {
    expect((await checkStack(rule, [key(), policy({ managedHsmKeyId: "https://acme-hsm.managedhsm.azure.net/keys/other" })])).violations).toHaveLength(1);
    expect((await checkStack(rule, [key(), policy({ managedHsmKeyId: "https://other-hsm.managedhsm.azure.net/keys/card-data" })])).violations).toHaveLength(1);
});

test("rotating less often than the maximum is a violation", async () => {
    expect(await checkStack(rule, [key(), policy({ timeAfterCreation: "P2Y", expireAfter: "P3Y" })])).toEqual({
        violations: [{ message: "This Managed HSM key rotates every 730 days; at most 365 days allowed.", urn: KEY_URN }],
    });
});

test("a rotation triggered before expiry fires at expireAfter minus timeBeforeExpiry", async () => {
    expect(await checkStack(rule, [key(), policy({ timeAfterCreation: undefined, timeBeforeExpiry: "P30D", expireAfter: "P395D" })])).toEqual({ violations: [] });
    expect((await checkStack(rule, [key(), policy({ timeAfterCreation: undefined, timeBeforeExpiry: "P30D", expireAfter: "P400D" })])).violations).toHaveLength(1);
});

test("triggers that are not durations are a violation", async () => {
    expect(await checkStack(rule, [key(), policy({ timeAfterCreation: "yearly" })])).toEqual({
        violations: [{ message: "The rotation policy of this Managed HSM key has no trigger that is an ISO 8601 duration.", urn: KEY_URN }],
    });
});

describe("maxRotationDays", () => {
    test("declares its default and bounds (7-3650)", () => {
        expect(rule.configSchema?.properties.maxRotationDays).toMatchObject({ type: "integer", default: 365, minimum: 7, maximum: 3650 });
    });
    test("the bounds are inclusive", async () => {
        expect(await checkStack(rule, [key(), policy({ timeAfterCreation: "P7D" })], { maxRotationDays: 7 })).toEqual({ violations: [] });
        expect((await checkStack(rule, [key(), policy({ timeAfterCreation: "P8D" })], { maxRotationDays: 7 })).violations).toHaveLength(1);
        expect(await checkStack(rule, [key(), policy({ timeAfterCreation: "P3650D", expireAfter: "P3700D" })], { maxRotationDays: 3650 })).toEqual({ violations: [] });
    });
});

test("state: the key is found by its id", async () => {
    expect(await checkStack(rule, [key({ id: KEY_ID, managedHsmId: undefined }), policy()])).toEqual({ violations: [] });
});

test("not applicable to stacks without Managed HSM keys", async () => {
    expect(await checkStack(rule, [policy()])).toEqual({ violations: [] });
});

describe("unknown values at preview", () => {
    test("a policy whose key id is not known yet makes the rule not applicable, never a false violation", async () => {
        expect(await checkStack(rule, [key(), policy({ managedHsmKeyId: UNKNOWN })])).toEqual({ violations: [], notApplicable: NA });
    });
    test("an unknown trigger: not applicable", async () => {
        expect(await checkStack(rule, [key(), policy({ timeAfterCreation: UNKNOWN })])).toEqual({ violations: [], notApplicable: NA });
    });
    test("the policy's property dependency on the key decides while the id is unknown (as the engine reports it)", async () => {
        // The harness does not model property dependencies; the engine passes them (propertyDependencies.managedHsmKeyId).
        const k = { type: HSM_KEY, urn: KEY_URN, name: "k", props: unknownCheckingProxy({ name: "card-data", managedHsmId: UNKNOWN }) };
        const p = { type: POLICY, urn: "urn:p", name: "p", props: unknownCheckingProxy({ managedHsmKeyId: UNKNOWN, timeAfterCreation: "P730D", expireAfter: "P760D" }), propertyDependencies: { managedHsmKeyId: [k] } };
        const violations: { message: string; urn?: string }[] = [];
        await (rule.validateStack as any)(
            { resources: [k, p], getConfig: () => ({ maxRotationDays: 365 }), notApplicable: () => { throw new Error("not applicable"); } },
            (message: string, urn?: string) => violations.push({ message, urn }),
        );
        expect(violations).toEqual([{ message: "This Managed HSM key rotates every 730 days; at most 365 days allowed.", urn: KEY_URN }]);
    });
});

test("keyfabric's oct-HSM AzureKey gets a yearly rotation policy", async () => {
    const run = await runUnderMocks(() => new AzureKey("card-data", { resourceGroupName: "rg-keys", managedHsm: { name: "acme-hsm" }, purpose: "encrypt", algorithm: "AES_256", protection: "hsm" }));
    const resources = run.resources.filter((r) => r.type === HSM_KEY || r.type === POLICY).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
    expect(resources).toHaveLength(2);
    expect(await checkStack(rule, resources)).toEqual({ violations: [] });
});
