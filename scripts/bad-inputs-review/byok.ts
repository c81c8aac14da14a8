/**
 * The `byok wrap` and `byok import` rows: the inputs of test/fixtures/bad-inputs-byok.ts (the table test's), the
 * rows it leaves out (W34 and W56 run as nobody; I1 and I8 need keys in the emulators), each through the built CLI
 * against a `keyfabric emulate` child process; and I13, the library row: `AzureImportedKey`'s provider, in process,
 * against an Azure emulator that answers every ImportKey with 503.
 */
import * as fs from "fs";
import * as path from "path";
import { Expect } from "./classify";
import { startEmulate } from "./emulate-child";
import { bounded, killGroup, runCli, RunResult } from "./exec";
import { pool, RowRun } from "./rows";
import { byokInputs } from "../../test/fixtures/bad-inputs-byok";

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

const EXPECT: Record<string, Expect> = {
    W2: { field: "--public-key", got: "RSA-1024", allowed: "RSA-2048" },
    W3: { field: "--public-key", got: "RSA-1024", allowed: "RSA-2048" },
    W4: { field: "--public-key", got: "RSA-1024", allowed: "RSA-2048" },
    W5: { field: "--public-key", got: "RSA-512", allowed: "RSA-2048" },
    W6: { field: "--public-key", got: "EC P-256", allowed: "RSA-2048" },
    W7: { field: "--public-key", got: "EC P-256", allowed: "RSA-2048" },
    W8: { field: "--public-key", got: "certificate", allowed: "openssl x509 -pubkey" },
    W9: { field: "--public-key garbage.bin", got: "not an RSA public key", allowed: "SPKI" },
    W10: { field: "--public-key", got: "private key", allowed: "public key only" },
    W11: { field: "--public-key nope.der", got: "no such file" },
    W12: { field: "--public-key adir", got: "directory", allowed: "regular file" },
    W13: { field: "--public-key nokey.jwk", got: "without n", allowed: "n and e" },
    W14: { field: "rsa3072.enc.pem", got: "password-protected", allowed: "decrypt it first" },
    W15: { field: "rsa3072.pkcs1.pem", accept: "a PKCS#1 RSA PRIVATE KEY PEM is a standard encoding of an RSA private key: keyfabric converts it to the PKCS#8 the clouds import (the review counted it clear)" },
    W16: { field: "rsa3072.pkcs1.der", got: "bytes that are not", allowed: "DER PKCS#8" },
    W18: { field: "rsa-x5c.jwk", got: "x5c[0] is not a DER X.509 certificate" },
    W19: { field: "rsa-d.jwk", got: "d is not the inverse of e" },
    W20: { field: "oct-extra.jwk", got: '"x5c"', allowed: "kty, use, key_ops" },
    W21: { field: "oct-bad-k.jwk", got: "k is not base64url", allowed: "A-Z a-z 0-9 - _" },
    W22: { field: "rsa-e3.pem", got: "public exponent 3", allowed: "65537" },
    W23: { field: "rsa3072.pem", got: "RSA-3072", allowed: "RSA-2048" },
    W24: { field: "ec384.pem", got: "secp384r1", allowed: "P-256" },
    W25: { field: "aes31.bin", got: "31 bytes", allowed: "32 raw bytes" },
    W26: { field: "garbage.bin", got: "600 bytes", allowed: "32 raw bytes" },
    W27: { field: "garbage.bin", got: "not valid hex" },
    W28: { field: "adir", got: "directory", allowed: "regular file" },
    W29: { field: "/dev/zero", got: "character device", allowed: "regular file" },
    W30: { field: "sparse2g.bin", got: "2147483648 bytes", allowed: "at most 8192 bytes" },
    W31: { field: "link.bin", got: "symbolic link", allowed: "the path of the file itself" },
    W32: { field: "dangling.bin", got: "symbolic link", allowed: "the path of the file itself" },
    W33: { field: "aes-0644.bin", warn: "a key file its group and others can read still holds the right key: the wrap works, and the warning says to chmod 600 (issue #13 item 3: warn on group/other-readable files)" },
    W34: { field: "aes-0000.bin", got: "permission denied" },
    W35: { field: "KF_NOPE", got: "is not set" },
    W36: { field: "--material-env", got: '"1BAD;id"', allowed: "letters, digits and _" },
    W37: { field: "KF_WS", got: "is empty" },
    W39: { field: "from command sh", got: "status 3" },
    W40: { field: "from command sleep", got: "timed out after 500 ms", allowed: "up to 300000 ms" },
    W41: { field: "from command sh", got: "timed out after 500 ms", allowed: "up to 300000 ms" },
    W42: { field: "from command head", got: "more than 8192 bytes", allowed: "at most 8192 bytes" },
    W43: { field: "no-such-prog-xyz", got: "program not found" },
    W44: { field: "--material-command", got: "unquoted ;", allowed: "a program and its arguments" },
    W45: { field: "--material-command", accept: "a quoted argument with a space is what the review could not express: --material-command now splits like a shell's words ('...' and \"...\") without running a shell, so the material is read" },
    W46: { field: "--material-file, --material-env, --material-command", allowed: "exactly one" },
    W47: { field: "--material-file, --material-env, --material-command", allowed: "exactly one" },
    W48: { field: "--algorithm RSAES_OAEP_SHA_1", got: '"RSAES_OAEP_SHA_1"', allowed: "RSA_AES_KEY_WRAP_SHA_1" },
    W49: { field: "--algorithm", got: '"ROT13"', allowed: "RSAES_OAEP_SHA_1" },
    W50: { field: "--algorithm", got: '"ROT13"', allowed: "RSA_OAEP_3072_SHA1_AES_256" },
    W51: { field: "--algorithm RSA_OAEP_4096_SHA256", got: "446 bytes", allowed: "RSA_OAEP_3072_SHA1_AES_256" },
    W52: { field: "--kek-id", got: "is required", allowed: "versioned key id" },
    W53: { field: "--kek-id", got: '"garbage"', allowed: "https://<vault>.vault.azure.net/keys/" },
    W54: { field: "--key-type", got: '"AES_256"', allowed: "managedhsm" },
    W55: { field: "--out adir", got: "directory", allowed: "a file path" },
    W56: { field: "--out", got: "permission denied" },
    W57: { field: "--out aes.bin", got: "same file as --material-file", allowed: "another path" },
    W58: { field: "--key-type", got: "AES_512", allowed: "AES_256" },
    W59: { field: "--target", got: "oci", allowed: "aws, gcp, azure" },
    W60: { field: "fifo", got: "named pipe (FIFO)", allowed: "command source" },
    W61: { field: "from command sh", got: "background process" },
    I1: { field: "ImportKeyMaterial", got: "bytes", allowed: "SYMMETRIC_DEFAULT" },
    I2: { field: "--valid-to", got: '"tomorrow"', allowed: "ISO 8601" },
    I3: { field: "--valid-to", got: '"2020-01-01T00:00:00Z"', allowed: "in the future" },
    I4: { field: "--region", got: '"not a region!"', allowed: "us-east-1" },
    I5: { field: "--region", got: "is required" },
    I6: { field: "--import-method", got: '"ROT13"', allowed: "RSA_OAEP_3072_SHA1_AES_256" },
    I7: { field: "--key", got: '"my-key"', allowed: "projects/<project>" },
    I8: { field: "cryptoKeys/aes", got: "bytes", allowed: "GOOGLE_SYMMETRIC_ENCRYPTION" },
    I9: { field: "--key-type", got: '"AES_256"', allowed: "managedhsm" },
    I10: { field: "--vault-url", got: '"http://evil"', allowed: "https://<name>.vault.azure.net" },
    I11: { field: "--purpose", got: '"mac"', allowed: "sign" },
    I12: { field: "KEYFABRIC_EMULATORS", allowed: "the JSON line printed by keyfabric emulate" },
    I13: { field: "ImportKey", got: "HTTP 503" },
};

type Made = { id: string; args: string[]; env?: Record<string, string | undefined>; uid?: number; how?: string };

/** The rows the table test leaves out, and the ones that need the emulators' keys. */
async function extraRows(dir: string, endpoints: string, f: (n: string) => string): Promise<Made[]> {
    const env = { KEYFABRIC_EMULATORS: endpoints };
    const wrapAws = ["byok", "wrap", "--target", "aws", "--key-type", "AES_256", "--public-key", "pub.pem"];
    // W34: a material file nobody may read (as nobody when this runs as root: root reads any file)
    fs.copyFileSync(f("aes.bin"), f("aes-0000.bin"));
    fs.chmodSync(f("aes-0000.bin"), 0o000);
    // W56: --out in a directory the user cannot write; the material is the user's own
    fs.mkdirSync(f("ro"));
    fs.copyFileSync(f("aes.bin"), f("mine.bin"));
    if (asRoot) fs.chownSync(f("mine.bin"), NOBODY, NOBODY);
    fs.chmodSync(f("ro"), 0o555);
    const user = asRoot ? { uid: NOBODY, how: "(as nobody)" } : {};

    const { createAwsKmsClient, createGcpKmsClient } = await import("../../sdk/clients");
    const sdk = await import("@aws-sdk/client-kms");
    const aws = createAwsKmsClient("eu-west-1", { env });
    const arn = (await aws.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
    aws.destroy();
    const gcp = createGcpKmsClient({ env });
    await gcp.createKeyRing({ parent: "projects/kf-review/locations/europe-west1", keyRingId: "r" });
    const [ck] = await gcp.createCryptoKey({
        parent: "projects/kf-review/locations/europe-west1/keyRings/r",
        cryptoKeyId: "aes",
        skipInitialVersionCreation: true,
        cryptoKey: { purpose: "ENCRYPT_DECRYPT", importOnly: true, versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" } },
    } as never);
    await gcp.close();
    return [
        { id: "W34", args: [...wrapAws, "--material-file", "aes-0000.bin", "--out", "w34.bin"], ...user },
        { id: "W56", args: [...wrapAws, "--material-file", "mine.bin", "--out", "ro/forbidden.bin"], ...user },
        { id: "I1", args: ["byok", "import", "--target", "aws", "--key-type", "RSA_3072", "--key", arn, "--region", "eu-west-1", "--material-file", "rsa3072.pem"], env },
        { id: "I8", args: ["byok", "import", "--target", "gcp", "--key-type", "RSA_3072", "--key", ck.name!, "--material-file", "rsa3072.pem"], env },
        { id: "I12", args: ["byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "c422789d-86d6-4bfc-be78-3908fed7e314", "--region", "eu-west-1", "--material-file", "aes.bin"], env: { KEYFABRIC_EMULATORS: "{not json" } },
    ];
}

/** I13: the provider's create against an Azure service that answers every ImportKey with 503, bounded to 120 s. */
async function azureUnavailable(dir: string, f: (n: string) => string): Promise<RowRun> {
    const { startEmulators } = await import("../../sdk/emulators");
    const { azureImportedKey } = await import("../../sdk/byok/azure");
    const { PROVIDER_VERSION } = await import("../../sdk/byok/provider");
    const emu = await startEmulators({});
    const saved = process.env.KEYFABRIC_EMULATORS;
    process.env.KEYFABRIC_EMULATORS = JSON.stringify(emu.endpoints);
    emu.azure.faults.add({ operation: "importKey", kind: "server-error", rate: 1 });
    try {
        const inputs = { providerVersion: PROVIDER_VERSION, vaultUrl: "https://kf-e.vault.azure.net", keyName: "k", purpose: "sign", algorithm: "EC_P384", protection: "hsm", material: { file: f("ec384.pem") } };
        const r = await bounded(120_000, azureImportedKey.create(inputs as never));
        const e = r.error as { message?: string; details?: string } | undefined;
        const result: RunResult = { code: r.timedOut ? null : e ? 1 : 0, signal: null, out: "", err: e ? `error: ${e.details ?? e.message ?? String(e)}` : "", ms: r.ms, timedOut: r.timedOut };
        return { id: "I13", how: "in process: AzureImportedKey provider create, every ImportKey answered 503", result, expect: EXPECT.I13, extra: `after ${(r.ms / 1000).toFixed(1)} s, ${emu.azure.faults.injected["server-error"] ?? 0} ImportKey calls answered 503` };
    } finally {
        if (saved === undefined) delete process.env.KEYFABRIC_EMULATORS;
        else process.env.KEYFABRIC_EMULATORS = saved;
        await emu.stop();
        void dir;
    }
}

async function setUp(work: string, prefix: string) {
    const dir = path.join(work, `byok-${prefix}`);
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o755);
    const fx = byokInputs(dir);
    fx.writeFiles();
    fs.chmodSync(dir, 0o755);
    const emulate = await startEmulate(work);
    return { dir, fx, emulate };
}

async function runRows(prefix: "W" | "I", work: string, jobs: number): Promise<{ rows: RowRun[]; cleanup: () => void }> {
    const { dir, fx, emulate } = await setUp(work, prefix);
    try {
        const base: Made[] = fx.rows.filter(([id]) => /^[A-Z]\d+$/.test(id) && id.startsWith(prefix)).map(([id, , make]) => ({ id, ...make() }));
        const extra = (await extraRows(dir, emulate.endpoints, fx.f)).filter((r) => r.id.startsWith(prefix));
        const made = [...base, ...extra].map((m) => ({ ...m, env: { KEYFABRIC_EMULATORS: emulate.endpoints, ...m.env } }));
        const rows: RowRun[] = await pool(made, jobs, async (m) => {
            fs.rmSync(fx.f("w.bin"), { force: true });
            const result = await runCli(m.args, { cwd: dir, env: m.env, uid: m.uid, limitMs: 30_000 });
            return { id: m.id, how: `keyfabric ${m.args.slice(0, 2).join(" ")}${m.how ? ` ${m.how}` : ""}`, result, expect: EXPECT[m.id] ?? { field: "(no expectation)" } };
        });
        if (prefix === "I") rows.push(await azureUnavailable(dir, fx.f));
        return { rows, cleanup: () => fs.chmodSync(fx.f("ro"), 0o755) };
    } finally {
        killGroup(emulate.child.pid);
    }
}

export const runWrapRows = (work: string, jobs: number) => runRows("W", work, jobs);
export const runImportRows = (work: string, jobs: number) => runRows("I", work, jobs);
