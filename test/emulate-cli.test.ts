/**
 * `keyfabric emulate` as users run it: one JSON line first, then unmodified SDK clients configured from that line
 * create an import-ready key in each cloud, fetch the wrapping public key, import correctly wrapped material and use
 * the key; wrongly wrapped material is refused with the cloud's error. `--state` survives a restart.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rsaAesKeyWrap, rsaOaepEncrypt } from "../sdk/crypto/keywrap";
import { createAwsKmsClient, createAzureKeyClient, createGcpKmsClient } from "../sdk/clients";
import { azureTransferBlob, rsaPublicKeyFromJwk } from "../sdk/byok/wrap";

const bin = path.join(__dirname, "..", "bin", "keyfabric.js");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-emulate-"));
const stateFile = path.join(dir, "emulators.json");

async function emulate(...args: string[]): Promise<{ child: ChildProcess; line: string; env: Record<string, string>; ms: number }> {
    const t0 = Date.now();
    const child = spawn(process.execPath, [bin, "emulate", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const line = await new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const nl = out.indexOf("\n");
            if (nl >= 0) resolve(out.slice(0, nl));
        });
        child.on("exit", (code) => reject(new Error(`keyfabric emulate exited with ${code}`)));
    });
    return { child, line, env: { KEYFABRIC_EMULATORS: line }, ms: Date.now() - t0 };
}

async function stop(child: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    return exited;
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("prints one JSON line, then every cloud's BYOK flow works through the unmodified SDKs", async () => {
    const { child, line, env } = await emulate("--state", stateFile);
    expect(JSON.parse(line)).toEqual({
        aws: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        gcp: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        azure: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        // The default vault and Managed HSM on ports of their own, for unmodified clients.
        azureVaults: { "kf-vault": expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
        azureManagedHsms: { "kf-hsm": expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
    });
    try {
        // AWS: EXTERNAL key, wrapping key, import, use; a wrong wrap is InvalidCiphertextException.
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const aws = createAwsKmsClient("eu-west-1", { env, maxAttempts: 1 });
        const arn = (await aws.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }))).KeyMetadata!.Arn!;
        const params = await aws.send(new sdk.GetParametersForImportCommand({ KeyId: arn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_3072" }));
        const pub = crypto.createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" });
        const material = crypto.randomBytes(32);
        await expect(
            aws.send(new sdk.ImportKeyMaterialCommand({ KeyId: arn, ImportToken: params.ImportToken, EncryptedKeyMaterial: rsaOaepEncrypt(pub, "sha1", material), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" })),
        ).rejects.toMatchObject({ name: "InvalidCiphertextException" });
        await aws.send(new sdk.ImportKeyMaterialCommand({ KeyId: arn, ImportToken: params.ImportToken, EncryptedKeyMaterial: rsaOaepEncrypt(pub, "sha256", material), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
        const ct = await aws.send(new sdk.EncryptCommand({ KeyId: arn, Plaintext: Buffer.from("aws") }));
        expect(Buffer.from((await aws.send(new sdk.DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }))).Plaintext!).toString()).toBe("aws");
        aws.destroy();

        // GCP: import-only key, import job, import; a wrong wrap ends IMPORT_FAILED.
        const gcp = createGcpKmsClient({ env });
        const loc = "projects/kf-emulate/locations/global";
        await gcp.createKeyRing({ parent: loc, keyRingId: "r" });
        const [key] = await gcp.createCryptoKey({
            parent: `${loc}/keyRings/r`,
            cryptoKeyId: "k",
            cryptoKey: { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" }, importOnly: true },
            skipInitialVersionCreation: true,
        });
        const [job] = await gcp.createImportJob({ parent: `${loc}/keyRings/r`, importJobId: "j", importJob: { importMethod: "RSA_OAEP_3072_SHA256_AES_256", protectionLevel: "SOFTWARE" } });
        const [active] = await gcp.getImportJob({ name: job.name });
        const jobKey = crypto.createPublicKey(active.publicKey!.pem!);
        const [bad] = await gcp.importCryptoKeyVersion({ parent: key.name, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: job.name, wrappedKey: rsaAesKeyWrap(jobKey, "sha1", material) });
        const [badDone] = await gcp.getCryptoKeyVersion({ name: bad.name });
        expect(String(badDone.state)).toBe("IMPORT_FAILED");
        const [good] = await gcp.importCryptoKeyVersion({ parent: key.name, algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", importJob: job.name, wrappedKey: rsaAesKeyWrap(jobKey, "sha256", material) });
        const [goodDone] = await gcp.getCryptoKeyVersion({ name: good.name });
        expect(String(goodDone.state)).toBe("ENABLED");
        await gcp.updateCryptoKeyPrimaryVersion({ name: key.name, cryptoKeyVersionId: good.name!.split("/").pop() });
        const [enc] = await gcp.encrypt({ name: key.name, plaintext: Buffer.from("gcp") });
        const [dec] = await gcp.decrypt({ name: key.name, ciphertext: enc.ciphertext });
        expect(Buffer.from(dec.plaintext as Uint8Array).toString()).toBe("gcp");
        await gcp.close();

        // Azure: KEK with import only, BYOK blob, import; a blob under the wrong key is refused.
        const az = createAzureKeyClient("https://emulate-test.vault.azure.net", { env, maxAttempts: 1 });
        const kek = await az.createKey("kek", "RSA-HSM", { keySize: 2048, keyOps: ["import"] });
        const kekPub = rsaPublicKeyFromJwk(kek.key!.n!, kek.key!.e!);
        const ecKey = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
        const der = ecKey.export({ type: "pkcs8", format: "der" });
        const stranger = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
        await expect(az.importKey("signer", { kty: "EC-HSM", crv: "P-256", keyOps: ["sign", "verify"], t: azureTransferBlob(der, stranger, kek.id!, "test") }, { hardwareProtected: true })).rejects.toMatchObject({ statusCode: 400 });
        await az.importKey("signer", { kty: "EC-HSM", crv: "P-256", keyOps: ["sign", "verify"], t: azureTransferBlob(der, kekPub, kek.id!, "test") }, { hardwareProtected: true });
        const digest = crypto.createHash("sha256").update("azure").digest();
        const sig = await az.getCryptographyClient("signer").sign("ES256", digest);
        expect(crypto.verify("sha256", Buffer.from("azure"), { key: crypto.createPublicKey(ecKey), dsaEncoding: "ieee-p1363" }, Buffer.from(sig.result))).toBe(true);
    } finally {
        expect(await stop(child)).toBe(0);
    }

    // Restart from the state file: the keys are still there and still work.
    const again = await emulate("--state", stateFile);
    try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const aws = createAwsKmsClient("eu-west-1", { env: again.env, maxAttempts: 1 });
        const keys = await aws.send(new sdk.ListKeysCommand({}));
        expect(keys.Keys).toHaveLength(1);
        const ct = await aws.send(new sdk.EncryptCommand({ KeyId: keys.Keys![0].KeyArn, Plaintext: Buffer.from("again") }));
        expect(Buffer.from((await aws.send(new sdk.DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }))).Plaintext!).toString()).toBe("again");
        aws.destroy();
        const az = createAzureKeyClient("https://emulate-test.vault.azure.net", { env: again.env, maxAttempts: 1 });
        expect((await az.getKey("signer")).keyType).toBe("EC-HSM");
    } finally {
        await stop(again.child);
    }
    expect(fs.statSync(stateFile).mode & 0o777).toBe(0o600);
});

test("--azure-vault / --azure-hsm (repeatable) and --instant: an unmodified KeyClient on a printed URL, deletes shown at once", async () => {
    const { child, line } = await emulate("--azure-vault", "team-a", "--azure-vault", "team-b", "--azure-hsm", "team-hsm", "--instant");
    try {
        const endpoints = JSON.parse(line) as { azureVaults: Record<string, string>; azureManagedHsms: Record<string, string> };
        expect(Object.keys(endpoints.azureVaults)).toEqual(["kf-vault", "team-a", "team-b"]);
        expect(Object.keys(endpoints.azureManagedHsms)).toEqual(["kf-hsm", "team-hsm"]);
        expect(new Set([...Object.values(endpoints.azureVaults), ...Object.values(endpoints.azureManagedHsms)]).size).toBe(5);
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const { KeyClient } = require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
        const credential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }) };
        const keys = new KeyClient(endpoints.azureVaults["team-a"], credential, { allowInsecureConnection: true, disableChallengeResourceVerification: true });
        const key = await keys.createEcKey("cli-key", { curve: "P-256" });
        expect(key.id).toMatch(new RegExp(`^${endpoints.azureVaults["team-a"]}/keys/cli-key/[0-9a-f]{32}$`));
        await keys.beginDeleteKey("cli-key", { intervalInMs: 60_000 });
        // --instant: the deleted key is there at once (without it, 404 for 2 s).
        expect((await keys.getDeletedKey("cli-key")).properties.recoveryId).toBe(`${endpoints.azureVaults["team-a"]}/deletedkeys/cli-key`);
    } finally {
        expect(await stop(child)).toBe(0);
    }
});

test("a bad --azure-vault name, or a vault port another emulator has, is refused before any port opens", async () => {
    const run = (...args: string[]) =>
        new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
            const child = spawn(process.execPath, [bin, "emulate", ...args], { stdio: ["ignore", "pipe", "pipe"] });
            let stderr = "";
            let stdout = "";
            child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
            child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
            child.on("exit", (code) => resolve({ code, stderr, stdout }));
        });
    const bad = await run("--azure-vault", "x_1");
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain(`not a Key Vault name (allowed: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no "--"; optionally :PORT; got: "x_1")`);
    const clash = await run("--aws-port", "45671", "--azure-vault", "team-a:45671");
    expect(clash.code).toBe(1);
    expect(clash.stdout).toBe("");
    expect(clash.stderr).toBe("error: --azure-vault team-a:45671 is the same port as --aws-port 45671: each emulator needs a port of its own (or 0, a free one)\n");
});

test("the three emulators start together in-process, each on a port of its own, and stop() frees the ports", async () => {
    // (How fast they start is not a test's business: a timed assertion fails on a loaded machine; see bench/.)
    const net = await import("net");
    const { startEmulators } = await import("../sdk/emulators");
    const set = await startEmulators();
    const ports = [set.aws.port, set.gcp.port, set.azure.port];
    expect(new Set(ports).size).toBe(3);
    await set.stop();
    for (const port of ports) {
        await new Promise<void>((resolve, reject) => {
            const server = net.createServer().once("error", reject).listen(port, "127.0.0.1", () => server.close(() => resolve()));
        });
    }
});
