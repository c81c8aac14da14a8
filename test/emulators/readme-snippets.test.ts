/**
 * The README's "Your own clients, unmodified" tests for AWS and GCP, run as a user pastes them: against the built CLI
 * (`node bin/keyfabric.js emulate --instant`, spawned here; `npm run build` first), with `KEYFABRIC_EMULATORS` set to
 * the JSON line it prints, as the README's `export` shows. Between each pair of markers below is the README's code
 * block, byte for byte; the last tests check that the README holds exactly these.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { readmeHoldsBlock, readmeSnippet } from "../support/readme-snippet";

const ROOT = path.join(__dirname, "..", "..");
const BUILT_CLI = path.join(ROOT, "lib", "cli", "index.js");
let emulate: ChildProcess | undefined;
let exited: Promise<number | null>;

beforeAll(async () => {
    if (!fs.existsSync(BUILT_CLI)) throw new Error(`${path.relative(ROOT, BUILT_CLI)} is missing: run npm run build`);
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "keyfabric.js"), "emulate", "--instant"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    emulate = child;
    exited = new Promise((resolve) => child.once("exit", resolve));
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout! }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`keyfabric emulate exited (${code}) before printing its line: ${stderr}`)));
    });
    const printed = JSON.parse(line) as { aws: string; gcp: string };
    expect([printed.aws, printed.gcp]).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    process.env.KEYFABRIC_EMULATORS = line;
}, 60_000);

afterAll(async () => {
    delete process.env.KEYFABRIC_EMULATORS;
    if (!emulate) return;
    emulate.kill("SIGTERM");
    expect(await exited).toBe(0);
});

// README-SNIPPET-START aws
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";

test("encrypts with an AWS KMS key through an unmodified KMSClient", async () => {
    const { aws } = JSON.parse(process.env.KEYFABRIC_EMULATORS!); // the line keyfabric emulate printed
    const kms = new KMSClient({ endpoint: aws, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "my test key" }));
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from("hello") }));
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(Plaintext!).toString()).toBe("hello");
    kms.destroy();
});
// README-SNIPPET-END aws

// README-SNIPPET-START gcp
import { credentials } from "@grpc/grpc-js";
import { KeyManagementServiceClient } from "@google-cloud/kms";

test("encrypts with a Cloud KMS key through an unmodified KeyManagementServiceClient", async () => {
    const { gcp } = JSON.parse(process.env.KEYFABRIC_EMULATORS!); // "127.0.0.1:<port>"
    const [host, port] = gcp.split(":");
    // Insecure channel credentials: no Google credentials are used; with universeDomain given, none are looked up.
    const kms = new KeyManagementServiceClient({ apiEndpoint: host, port: Number(port), sslCreds: credentials.createInsecure(), universeDomain: "googleapis.com" });
    const parent = kms.locationPath("my-project", "us-east1");
    const [ring] = await kms.createKeyRing({ parent, keyRingId: `ring-${Date.now()}`, keyRing: {} });
    const [key] = await kms.createCryptoKey({ parent: ring.name, cryptoKeyId: "my-key", cryptoKey: { purpose: "ENCRYPT_DECRYPT" } });
    const [{ ciphertext }] = await kms.encrypt({ name: key.name, plaintext: Buffer.from("hello") });
    const [{ plaintext }] = await kms.decrypt({ name: key.name, ciphertext });
    expect(Buffer.from(plaintext as Uint8Array).toString()).toBe("hello");
    await kms.close();
});
// README-SNIPPET-END gcp

test("the README holds these snippets exactly", () => {
    for (const name of ["aws", "gcp"]) {
        const snippet = readmeSnippet(__filename, name);
        expect(snippet).toContain("process.env.KEYFABRIC_EMULATORS");
        expect([name, readmeHoldsBlock(snippet)]).toEqual([name, true]);
    }
});
