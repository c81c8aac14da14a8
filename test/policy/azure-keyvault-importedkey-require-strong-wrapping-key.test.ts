import { rule } from "../../policy-packs/key-management/rules/azure-keyvault-importedkey-require-strong-wrapping-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const IMPORTED = "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey";
const imported = {
    __provider: "exports.handler = ...",
    providerVersion: "1.0.0",
    vaultUrl: "https://acme-payments.vault.azure.net",
    keyName: "card-data",
    purpose: "encrypt",
    algorithm: "RSA_3072",
    protection: "hsm",
    material: { file: "/secure/card-data.pem" },
    kekSize: 4096,
};
const MSG = "This Key Vault key import wraps material under a 2048-bit key-exchange key; at least 3072 bits required.";

test("a 4096-bit KEK is compliant, and so is leaving kekSize to keyfabric's default (4096)", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: imported })).toEqual({ violations: [] });
    const { kekSize, ...defaults } = imported;
    void kekSize;
    expect(await checkResource(rule, { type: IMPORTED, props: defaults })).toEqual({ violations: [] });
});

test("a 2048-bit KEK is a violation", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, kekSize: 2048 } })).toEqual({ violations: [{ message: MSG }] });
});

describe("minWrappingKeyBits", () => {
    test("declares its default and allowed values", () => {
        expect(rule.configSchema?.properties.minWrappingKeyBits).toMatchObject({ type: "integer", default: 3072, enum: [3072, 4096] });
    });
    test("3072 accepts 3072; 4096 rejects it", async () => {
        expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, kekSize: 3072 } })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, kekSize: 3072 } }, { minWrappingKeyBits: 4096 })).toEqual({
            violations: [{ message: "This Key Vault key import wraps material under a 3072-bit key-exchange key; at least 4096 bits required." }],
        });
    });
});

test("not applicable to software imports (no KEK) and other types", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, protection: "software", kekSize: 2048 } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion", props: { importMethod: "RSA_OAEP_3072_SHA1_AES_256" } })).toEqual({ violations: [] });
});

test("the __provider input is never read; an unknown kekSize makes the rule not run", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, __provider: UNKNOWN } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: IMPORTED, props: { ...imported, kekSize: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: keyfabric reuses an existing KEK by name, so a new size alone changes nothing", async () => {
    expect(await remediate(rule, { type: IMPORTED, props: { ...imported, kekSize: 2048 } })).toBeUndefined();
});
