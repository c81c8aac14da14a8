/**
 * The wrapping scheme in the plan: each BYOK provider's Check, run in `@pulumi/pulumi/cmd/dynamic-provider` and driven
 * over gRPC as the engine does, returns the scheme it chose as an input (AWS `wrappingAlgorithm`, GCP `importMethod`,
 * Azure `wrappingScheme`), so the preview shows it; for a SoftHSM2 token, whose RSA-OAEP is SHA-1 only, the SHA-1
 * scheme, with a warning. The dynamic-provider host has no engine connection (pulumi/pulumi#6065), so
 * `pulumi.log.warn` there prints `warning: [runtime] <message>` on stderr, which the engine shows as the provider's
 * output (pulumi/pulumi#18253): the warning is read from the host's stderr here. A state written before the scheme
 * was an input (no such field) gets no change from Diff; another scheme is an update, never a replacement.
 * Needs lib/ (npm test builds it).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { AwsImportedKeyMaterial } from "../sdk/byok/aws";
import { AzureImportedKey } from "../sdk/byok/azure";
import { GcpImportedKeyVersion } from "../sdk/byok/gcp";
import { createAwsKmsClient } from "../sdk/clients";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { runUnderMocks } from "../sdk/preview/harness";
import { findLeaks, ProviderHost } from "./support/providerHost";
import { describeWithSoftHsm, knownMaterial, KnownKey, makeToken, putKey, TestToken } from "./support/softhsm";

const TYPE = (t: string) => `pulumi-nodejs:dynamic/keyfabric:${t}`;
const PIN = "kf-scheme-pin-4471";
const PIN_ENV = "KF_SCHEME_HSM_PIN";
const TOKEN = "kf-scheme";
const uri = (object: string) => `pkcs11:token=${TOKEN};object=${object}?pin-source=env:${PIN_ENV}`;
const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CRYPTO_KEY = "projects/kf/locations/europe-west1/keyRings/hsm/cryptoKeys/scheme";
const where = (object: string) => `key material from PKCS#11 object "${object}" in token "${TOKEN}"`;
// eslint-disable-next-line @typescript-eslint/no-var-requires
const awsSdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

describeWithSoftHsm("the wrapping scheme in the plan (dynamic-provider host, SoftHSM2 token: RSA-OAEP SHA-1 only)", () => {
    let token: TestToken;
    let dir: string;
    let aesFile: string;
    const keys = new Map<string, KnownKey>();
    const hosts: ProviderHost[] = [];

    beforeAll(() => {
        if (!fs.existsSync(path.join(__dirname, "..", "lib", "byok", "pkcs11", "scheme.js"))) throw new Error("lib/ is missing or stale: npm run build");
        token = makeToken(TOKEN, PIN);
        for (const [label, a] of [["aes", "AES_256"], ["ec", "EC_P256"]] as const) {
            const k = knownMaterial(a);
            keys.set(label, k);
            putKey(token, label, k);
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-scheme-"));
        aesFile = path.join(dir, "aes.key");
        const plain = crypto.randomBytes(32);
        keys.set("file", { algorithm: "AES_256", material: plain });
        fs.writeFileSync(aesFile, plain, { mode: 0o600 });
    });
    afterAll(async () => {
        await Promise.all(hosts.map((h) => h.stop()));
        token?.remove();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function registeredInputs(make: () => pulumi.Resource): Promise<Record<string, any>> {
        const run = await runUnderMocks(() => make());
        const inputs = { ...run.resources[0].inputs };
        for (const k of Object.keys(inputs)) if (inputs[k] === undefined) delete inputs[k];
        return inputs;
    }
    async function host(type: string, env: Record<string, string> = {}) {
        const h = await ProviderHost.start(TYPE(type), { METADATA_SERVER_DETECTION: "none", SOFTHSM2_CONF: token.conf, [PIN_ENV]: PIN, ...env });
        hosts.push(h);
        await h.configure();
        return h;
    }
    /** The `warning: [runtime]` lines the host printed since `from` (its output's length before the call). */
    const warningsSince = (h: ProviderHost, from: number) =>
        h.output
            .slice(from)
            .split("\n")
            .filter((l) => l.startsWith("warning: [runtime] "))
            .map((l) => l.slice("warning: [runtime] ".length));
    function expectNoLeaks(h: ProviderHost) {
        for (const k of keys.values()) expect(findLeaks(k.material, { transcript: h.transcript.join("\n"), hostOutput: h.output })).toEqual([]);
        expect(h.output.includes(PIN) || h.transcript.join("\n").includes(PIN)).toBe(false);
    }
    /** A state as an earlier provider version wrote it: the same, without the scheme field. */
    const without = (state: Record<string, any>, key: string) => Object.fromEntries(Object.entries(state).filter(([k]) => k !== key));

    describe("AWS KMS: wrappingAlgorithm", () => {
        let h: ProviderHost;
        beforeAll(async () => {
            h = await host("AwsImportedKeyMaterial");
        });

        test.each([
            ["aes", "AES_256", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
            ["ec", "EC_P256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"],
        ] as const)("a token key (%s): the SHA-1 scheme as an input, and a warning saying why", async (object, algorithm, chosen, sha256) => {
            const news = await registeredInputs(() => new AwsImportedKeyMaterial(`aws-${object}`, { keyId: KEY_ARN, region: "eu-west-1", algorithm, material: { pkcs11: uri(object) } }));
            expect(news.wrappingAlgorithm).toBeUndefined();
            const before = h.output.length;
            const checked = await h.check(`aws-${object}`, {}, news);
            expect(checked.failures).toEqual([]);
            expect(checked.inputs.wrappingAlgorithm).toBe(chosen);
            expect(warningsSince(h, before)).toEqual([
                `AWS KMS key ${KEY_ARN}: ${where(object)} is wrapped with ${chosen}: the token offers RSA-OAEP with SHA-1 only, so the cloud's SHA-1 scheme is used instead of ${sha256} (which needs a token with RSA-OAEP SHA-256)`,
            ]);
            expectNoLeaks(h);
        });

        test("plaintext material: the SHA-256 scheme, no warning; a state without the field is no change", async () => {
            const news = await registeredInputs(() => new AwsImportedKeyMaterial("aws-file", { keyId: KEY_ARN, region: "eu-west-1", algorithm: "AES_256", material: { file: aesFile } }));
            const before = h.output.length;
            const checked = await h.check("aws-file", {}, news);
            expect(checked.failures).toEqual([]);
            expect(checked.inputs.wrappingAlgorithm).toBe("RSAES_OAEP_SHA_256");
            expect(warningsSince(h, before)).toEqual([]);
            // The state of a stack deployed before: every output of an import, no wrappingAlgorithm.
            const state = { ...without(checked.inputs, "wrappingAlgorithm"), keyArn: KEY_ARN, keyState: "Enabled", expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", importedAt: "2026-11-01T00:00:00.000Z" };
            const again = await h.check("aws-file", without(checked.inputs, "wrappingAlgorithm"), news);
            expect(await h.diff("aws-file", KEY_ARN, state, again.inputs)).toEqual({ changes: "none", replaces: [], diffs: [], deleteBeforeReplace: false });
        });

        test("a token key in a stack deployed before: no change; another recorded scheme is an update, not a replacement", async () => {
            const news = await registeredInputs(() => new AwsImportedKeyMaterial("aws-ec", { keyId: KEY_ARN, region: "eu-west-1", algorithm: "EC_P256", material: { pkcs11: uri("ec") } }));
            const checked = await h.check("aws-ec", {}, news);
            const outputs = { keyArn: KEY_ARN, keyState: "Enabled", expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", importedAt: "2026-11-01T00:00:00.000Z" };
            const old = { ...without(checked.inputs, "wrappingAlgorithm"), ...outputs };
            expect((await h.diff("aws-ec", KEY_ARN, old, checked.inputs)).changes).toBe("none");
            const recorded = { ...checked.inputs, ...outputs, wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256" };
            expect(await h.diff("aws-ec", KEY_ARN, recorded, checked.inputs)).toEqual({ changes: "some", replaces: [], diffs: [], deleteBeforeReplace: false });
            // The same scheme: no change.
            expect((await h.diff("aws-ec", KEY_ARN, { ...checked.inputs, ...outputs }, checked.inputs)).changes).toBe("none");
        });
    });

    describe("AWS KMS: the import uses the scheme the plan showed (emulator)", () => {
        let emu: EmulatorSet;
        beforeAll(async () => {
            emu = await startEmulators({ reuseWrappingKeys: true });
        });
        afterAll(async () => {
            await emu?.stop();
        });

        test("create's outputs carry RSAES_OAEP_SHA_1, the scheme the emulator's import token was issued for", async () => {
            const h = await host("AwsImportedKeyMaterial", emu.env());
            const kms = createAwsKmsClient("eu-west-1", { env: emu.env() });
            try {
                const keyArn = (await kms.send(new awsSdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
                const news = await registeredInputs(() => new AwsImportedKeyMaterial("aws-emu", { keyId: keyArn, region: "eu-west-1", algorithm: "AES_256", material: { pkcs11: uri("aes") } }));
                const checked = await h.check("aws-emu", {}, news);
                expect(checked.inputs.wrappingAlgorithm).toBe("RSAES_OAEP_SHA_1");
                const created = await h.create("aws-emu", checked.inputs);
                expect(created.properties).toMatchObject({ keyArn, keyState: "Enabled", wrappingAlgorithm: "RSAES_OAEP_SHA_1" });
                // The emulator unwraps with the algorithm of the import token (GetParametersForImport's): the import
                // succeeding means the provider asked for the scheme Check reported.
                expect(emu.aws.calls.map((c) => c.operation).filter((o) => o === "GetParametersForImport" || o === "ImportKeyMaterial")).toEqual(["GetParametersForImport", "ImportKeyMaterial"]);
                // The next preview: the same inputs, no change.
                const again = await h.check("aws-emu", checked.inputs, news);
                expect((await h.diff("aws-emu", created.id, created.properties, again.inputs)).changes).toBe("none");
                expectNoLeaks(h);
            } finally {
                kms.destroy();
            }
        });
    });

    describe("Cloud KMS: importMethod", () => {
        let h: ProviderHost;
        beforeAll(async () => {
            h = await host("GcpImportedKeyVersion");
        });

        test("not given: the SHA-1 method for a token key, with a warning; the SHA-256 default for plaintext", async () => {
            const news = await registeredInputs(() => new GcpImportedKeyVersion("gcp-aes", { cryptoKey: CRYPTO_KEY, algorithm: "AES_256", material: { pkcs11: uri("aes") } }));
            let before = h.output.length;
            const checked = await h.check("gcp-aes", {}, news);
            expect(checked.failures).toEqual([]);
            expect(checked.inputs.importMethod).toBe("RSA_OAEP_4096_SHA1_AES_256");
            expect(warningsSince(h, before)).toEqual([
                `Cloud KMS key ${CRYPTO_KEY}: ${where("aes")} is wrapped with RSA_OAEP_4096_SHA1_AES_256: the token offers RSA-OAEP with SHA-1 only, so the cloud's SHA-1 scheme is used instead of RSA_OAEP_4096_SHA256_AES_256 (which needs a token with RSA-OAEP SHA-256)`,
            ]);
            const fileNews = await registeredInputs(() => new GcpImportedKeyVersion("gcp-file", { cryptoKey: CRYPTO_KEY, algorithm: "AES_256", material: { file: aesFile } }));
            before = h.output.length;
            const fileChecked = await h.check("gcp-file", {}, fileNews);
            expect(fileChecked.inputs.importMethod).toBe("RSA_OAEP_4096_SHA256_AES_256");
            expect(warningsSince(h, before)).toEqual([]);
            expectNoLeaks(h);
        });

        test("given: a SHA-256 method the token cannot do is refused at Check, naming the SHA-1 methods; a SHA-1 one is taken as given", async () => {
            const sha256 = await registeredInputs(() => new GcpImportedKeyVersion("gcp-256", { cryptoKey: CRYPTO_KEY, algorithm: "EC_P256", importMethod: "RSA_OAEP_3072_SHA256_AES_256", material: { pkcs11: uri("ec") } }));
            const refused = await h.check("gcp-256", {}, sha256);
            expect(refused.failures).toEqual([
                {
                    property: "importMethod",
                    reason: `importMethod: ${where("ec")}: RSA_OAEP_3072_SHA256_AES_256 needs RSA-OAEP with SHA-256, and the token does RSA-OAEP with SHA-1 only (allowed: RSA_OAEP_3072_SHA1_AES_256, RSA_OAEP_4096_SHA1_AES_256, got: "RSA_OAEP_3072_SHA256_AES_256")`,
                },
            ]);
            const sha1 = await registeredInputs(() => new GcpImportedKeyVersion("gcp-1", { cryptoKey: CRYPTO_KEY, algorithm: "EC_P256", importMethod: "RSA_OAEP_3072_SHA1_AES_256", material: { pkcs11: uri("ec") } }));
            const before = h.output.length;
            const taken = await h.check("gcp-1", {}, sha1);
            expect(taken.failures).toEqual([]);
            expect(taken.inputs.importMethod).toBe("RSA_OAEP_3072_SHA1_AES_256");
            expect(warningsSince(h, before)).toEqual([]);
        });

        test("a state without importMethod (deployed before, method not given) is no change; another method is an update", async () => {
            const news = await registeredInputs(() => new GcpImportedKeyVersion("gcp-aes", { cryptoKey: CRYPTO_KEY, algorithm: "AES_256", material: { pkcs11: uri("aes") } }));
            const checked = await h.check("gcp-aes", {}, news);
            const outputs = { version: `${CRYPTO_KEY}/cryptoKeyVersions/1`, versions: [`${CRYPTO_KEY}/cryptoKeyVersions/1`], state: "ENABLED", importJob: "projects/kf/locations/europe-west1/keyRings/hsm/importJobs/keyfabric-1", gcpAlgorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" };
            expect(await h.diff("gcp-aes", CRYPTO_KEY, { ...without(checked.inputs, "importMethod"), ...outputs }, checked.inputs)).toEqual({ changes: "none", replaces: [], diffs: [], deleteBeforeReplace: false });
            expect(await h.diff("gcp-aes", CRYPTO_KEY, { ...checked.inputs, ...outputs, importMethod: "RSA_OAEP_3072_SHA1_AES_256" }, checked.inputs)).toEqual({ changes: "some", replaces: [], diffs: [], deleteBeforeReplace: false });
        });
    });

    describe("Azure: wrappingScheme", () => {
        let h: ProviderHost;
        beforeAll(async () => {
            h = await host("AzureImportedKey");
        });

        test("protection hsm: the BYOK blob's scheme (SHA-1 for every source, so no warning); a state without it is no change", async () => {
            const news = await registeredInputs(() => new AzureImportedKey("az-ec", { vaultUrl: "https://kf-scheme.vault.azure.net", keyName: "ec", purpose: "sign", algorithm: "EC_P256", protection: "hsm", material: { pkcs11: uri("ec") } }));
            const before = h.output.length;
            const checked = await h.check("az-ec", {}, news);
            expect(checked.failures).toEqual([]);
            expect(checked.inputs.wrappingScheme).toBe("CKM_RSA_AES_KEY_WRAP (RSA-OAEP SHA-1, AES-KWP)");
            expect(warningsSince(h, before)).toEqual([]);
            const outputs = { keyId: "https://kf-scheme.vault.azure.net/keys/ec/1", versionlessId: "https://kf-scheme.vault.azure.net/keys/ec", version: "1", versions: ["1"], kty: "EC-HSM", enabled: true };
            expect(await h.diff("az-ec", outputs.versionlessId, { ...without(checked.inputs, "wrappingScheme"), ...outputs }, checked.inputs)).toEqual({ changes: "none", replaces: [], diffs: [], deleteBeforeReplace: false });
            expectNoLeaks(h);
        });

        test("protection software (plaintext material): no wrapping scheme", async () => {
            const pem = path.join(dir, "ec.pem");
            fs.writeFileSync(pem, (keys.get("ec")!.privateKey as crypto.KeyObject).export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
            const news = await registeredInputs(() => new AzureImportedKey("az-soft", { vaultUrl: "https://kf-scheme.vault.azure.net", keyName: "soft", purpose: "sign", algorithm: "EC_P256", protection: "software", material: { file: pem } }));
            const checked = await h.check("az-soft", {}, news);
            expect(checked.failures).toEqual([]);
            expect(checked.inputs).not.toHaveProperty("wrappingScheme");
        });
    });
});
