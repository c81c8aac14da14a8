import { rule } from "../../policy-packs/key-management/rules/gcp-kms-importedkeyversion-disallow-plaintext-material";
import { checkResource, remediate, UNKNOWN } from "./harness";

const IMPORTED = "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion";
const base = {
    __provider: "exports.handler = __f0; function __f0() { /* serialized provider code */ }",
    providerVersion: "1.0.0",
    cryptoKey: "projects/acme-dev/locations/europe-west1/keyRings/payments/cryptoKeys/card-data",
    algorithm: "AES_256",
    importMethod: "RSA_OAEP_4096_SHA256_AES_256",
    fingerprint: "sha256:0d9f3c4b6a1e2f7d8c5b4a3e2d1c0b9a8f7e6d5c4b3a2e1d0c9b8a7f6e5d4c3b",
};
const MSG = "This Cloud KMS key import carries what looks like key material in its inputs, which Pulumi stores in state.";
const HEX_KEY = "3f1a9c0d2e4b6a8c0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d";
const B64_KEY = "q7H2x9LmP4vR8sT1wZ3yB6nC0dE5fG7hJ2kM4pQ9rS=";

test.each([
    ["a file", { file: "/secure/card-data.bin" }],
    ["an environment variable", { env: "CARD_DATA_KEY", format: "hex" }],
    ["a command that fetches it", { command: ["vault", "kv", "get", "-field=key", "secret/payments/card-data"], format: "base64", timeoutMs: 10000 }],
    ["a command with long path and name arguments", { command: ["fetch-key", "projects/AcmeDev2/secrets/CardDataKey/versions/latest", "--principal=MyApplicationServicePrincipal2024Name"] }],
    ["a command that checks a digest", { command: ["kf-fetch", `--expect-sha256=${"ab".repeat(32)}`, `sha256:${"cd".repeat(32)}`] }],
])("material from %s is compliant", async (_n, material) => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...base, material } })).toEqual({ violations: [] });
});

test.each([
    ["hex material as an argument", { command: ["echo", HEX_KEY] }],
    ["base64 material as an argument", { command: ["printf", "%s", B64_KEY] }],
    ["material after a flag", { command: ["kf-unwrap", `--key=${HEX_KEY}`] }],
    ["a PEM private key as an argument", { command: ["cat", "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----"] }],
    ["a JWK as an argument", { command: ["echo", '{"kty":"oct","k":"q7H2x9LmP4vR8sT1wZ3yB6nC0dE5fG7hJ2k"}'] }],
    ["an inline field the descriptor does not have", { value: HEX_KEY }],
])("%s is a violation, and the message does not echo it", async (_n, material) => {
    const result = await checkResource(rule, { type: IMPORTED, props: { ...base, material } });
    expect(result).toEqual({ violations: [{ message: MSG }] });
    expect(JSON.stringify(result)).not.toMatch(new RegExp(`${HEX_KEY}|${B64_KEY.slice(0, 20)}`));
});

test("the fingerprint and the serialized provider are not material", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...base, __provider: HEX_KEY, material: { file: "/m" } } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey", props: { material: { value: HEX_KEY } } })).toEqual({ violations: [] });
});

test("an unknown argument at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: IMPORTED, props: { ...base, material: { command: ["fetch", UNKNOWN] } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: IMPORTED, props: { ...base, material: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation (the material may already be in state: rotate it)", async () => {
    expect(await remediate(rule, { type: IMPORTED, props: { ...base, material: { command: ["echo", HEX_KEY] } } })).toBeUndefined();
});
