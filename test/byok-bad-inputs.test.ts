/**
 * The BYOK rows of the bad-input review (`byok wrap`, `byok import`), through the built CLI (`bin/keyfabric.js`,
 * spawned, as a user runs it): every row that was silently accepted, unclear, a crash or a hang, and a sample of the
 * rows that were already clear. Each ends with its exact message and exit code, in bounded time, before any cloud
 * call, and no output holds the material in hex, base64 or base64url.
 * Needs `npm run build` (the CLI loads lib/).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EMULATORS_ENV } from "../sdk/clients";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { findLeaks } from "./support/providerHost";
import { byokInputs, Row } from "./fixtures/bad-inputs-byok";

const BIN = path.join(__dirname, "..", "bin", "keyfabric.js");

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kf-bad-")));
const fx = byokInputs(dir);
const { f, secrets, aes, wrapping, rsa3072, der, spkiPem, rows } = fx;

let emu: EmulatorSet;
let emuEnv: string;

beforeAll(async () => {
    fs.chmodSync(dir, 0o700);
    fx.writeFiles();

    emu = await startEmulators({ reuseWrappingKeys: true });
    emuEnv = emu.env()[EMULATORS_ENV];
}, 60_000);

afterAll(async () => {
    await emu?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
    code: number | null;
    out: string;
    err: string;
    ms: number;
}

/** Runs the built CLI in the fixtures directory; kills it (and fails) after `limitMs`. */
function kf(args: string[], env: Record<string, string | undefined> = {}, limitMs = 15_000): Promise<Run> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, [EMULATORS_ENV]: emuEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`keyfabric ${args.join(" ")} did not finish within ${limitMs} ms`));
        }, limitMs);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, out, err: err.replace(/^\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/m, ""), ms: Date.now() - t0 });
        });
    });
}


// The rows that still reach a cloud (the emulators): the cloud's own clear errors.
const cloudRows: [string, string, () => Promise<Row>][] = [
    [
        "I1",
        "aws wrong key type (RSA into AES key) -> error",
        async () => {
            // eslint-disable-next-line @typescript-eslint/no-var-requires
            const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
            const { createAwsKmsClient } = await import("../sdk/clients");
            const c = createAwsKmsClient("eu-west-1", { env: { [EMULATORS_ENV]: emuEnv } });
            const arn = (await c.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
            c.destroy();
            return {
                args: ["byok", "import", "--target", "aws", "--key-type", "RSA_3072", "--key", arn, "--region", "eu-west-1", "--material-file", "rsa3072.pem"],
                code: 1,
                err: `error: AWS KMS ImportKeyMaterial for ${arn} failed: IncorrectKeyMaterialException: The key material does not fit SYMMETRIC_DEFAULT: expected 32 raw bytes (AES-256), got ${der(rsa3072).length} bytes.\n`,
            };
        },
    ],
    [
        "I12",
        "KEYFABRIC_EMULATORS malformed",
        async () => ({
            args: ["byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "c422789d-86d6-4bfc-be78-3908fed7e314", "--region", "eu-west-1", "--material-file", "aes.bin"],
            env: { [EMULATORS_ENV]: "{not json" },
            code: 1,
            err: 'error: KEYFABRIC_EMULATORS must be the JSON line printed by keyfabric emulate, e.g. {"aws":"http://127.0.0.1:4566",...}\n',
        }),
    ],
];

const calls = () => emu.aws.calls.length + emu.gcp.calls.length + emu.azure.calls.length;

function check(r: Run, row: Row) {
    expect({ code: r.code, err: r.err }).toEqual({ code: row.code, err: row.err });
    if (row.out === undefined) expect(r.out).toBe("");
    else if (typeof row.out === "string") expect(r.out).toBe(row.out);
    else {
        const out = JSON.parse(r.out);
        expect(out).toMatchObject(row.out);
        expect(out.fingerprint).toMatch(/^sha256(-spki)?:[0-9a-f]{64}$/);
    }
    for (const s of secrets) expect(findLeaks(s, { out: r.out, err: r.err })).toEqual([]);
}

test.each(rows)("%s %s", async (_id, _input, make) => {
    const row = make();
    fs.rmSync(f("w.bin"), { force: true });
    const before = calls();
    const r = await kf(row.args, row.env);
    check(r, row);
    // Refused rows write nothing and call no cloud; every row ends in bounded time.
    if (row.code !== 0) expect(fs.existsSync(f("w.bin"))).toBe(false);
    expect(calls()).toBe(before);
    expect(r.ms).toBeLessThan(10_000);
}, 20_000);

// These reach the emulators (RSA wrapping and unwrapping): on a loaded machine they take seconds.
test.each(cloudRows)("%s %s", async (_id, _input, make) => {
    const row = await make();
    check(await kf(row.args, row.env, 30_000), row);
}, 45_000);

test("nothing a material command started outlives it (W41, W61: no sleep left running)", async () => {
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps.stdout.split("\n").filter((l) => /^sleep (101|31)$/.test(l.trim()))).toEqual([]);
});

test("the materials files are untouched by the refused rows", () => {
    expect(fs.readFileSync(f("aes.bin")).equals(aes)).toBe(true);
    expect(fs.readFileSync(f("pub.pem"), "utf8")).toBe(spkiPem(wrapping.publicKey));
});

// The library refuses what the CLI refuses (review row I11 through AzureImportedKey, not only `byok import`), and
// reads material with the key's purpose and a warning channel, as the CLI does.
describe("AzureImportedKey's provider", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const { azureImportedKey } = require("../sdk/byok/azure") as typeof import("../sdk/byok/azure");
    const { PROVIDER_VERSION } = require("../sdk/byok/provider") as typeof import("../sdk/byok/provider");
    const inputs = (over: Record<string, unknown>) => ({ providerVersion: PROVIDER_VERSION, vaultUrl: "https://kf-review.vault.azure.net", keyName: "x", protection: "hsm", ...over });

    test("I11 purpose mac on an EC key: a check failure on purpose", async () => {
        const r = await azureImportedKey.check({}, inputs({ purpose: "mac", algorithm: "EC_P256", material: { file: f("ec256.der") } }));
        expect(r.failures).toEqual([{ property: "purpose", reason: 'purpose: EC_P256 keys cannot be used to mac (allowed: purpose sign for EC_P256; for mac: HMAC_256, got: "mac")' }]);
    });

    test("purpose encrypt on an EC key, and sign on AES: refused the same way", async () => {
        const ec = await azureImportedKey.check({}, inputs({ purpose: "encrypt", algorithm: "EC_P384", material: { file: f("ec384.pem") } }));
        expect(ec.failures).toEqual([{ property: "purpose", reason: 'purpose: EC_P384 keys cannot be used to encrypt (allowed: purpose sign for EC_P384; for encrypt: AES_256, RSA_2048, RSA_3072, RSA_4096, got: "encrypt")' }]);
        const aesSign = await azureImportedKey.check({}, inputs({ vaultUrl: "https://kf-review.managedhsm.azure.net", purpose: "sign", algorithm: "AES_256", material: { file: f("aes.bin") } }));
        expect(aesSign.failures).toEqual([{ property: "purpose", reason: 'purpose: AES_256 keys cannot be used to sign (allowed: purpose encrypt for AES_256; for sign: RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, got: "sign")' }]);
    });

    test("a replacement that keeps the vault and key name (algorithm, purpose or protection changed) is refused at check: Key Vault keeps a deleted key's name", async () => {
        const olds = inputs({ purpose: "sign", algorithm: "EC_P256", material: { file: f("ec256.der") } });
        const reserved = (k: string, was: string, got: string) => ({
            property: k,
            reason: `${k}: changing it replaces Azure key x, and Key Vault keeps a deleted key's name reserved for its soft-delete retention (7-90 days; purge protection forbids purging): give the key a new keyName as well (allowed: "${was}" with keyName "x", or a new keyName, got: "${got}")`,
        });
        const r = await azureImportedKey.check(olds, inputs({ purpose: "sign", algorithm: "EC_P384", material: { file: f("ec384.pem") } }));
        expect(r.failures).toEqual([reserved("algorithm", "EC_P256", "EC_P384")]);
        const both = await azureImportedKey.check(olds, inputs({ purpose: "sign", algorithm: "EC_P384", protection: "software", material: { file: f("ec384.pem") } }));
        expect(both.failures).toEqual([reserved("algorithm", "EC_P256", "EC_P384"), reserved("protection", "hsm", "software")]);
        // A new name (or a first create, olds empty) is a replacement Key Vault can do.
        expect((await azureImportedKey.check(olds, inputs({ keyName: "x2", purpose: "sign", algorithm: "EC_P384", material: { file: f("ec384.pem") } }))).failures).toEqual([]);
        expect((await azureImportedKey.check({}, inputs({ purpose: "sign", algorithm: "EC_P384", material: { file: f("ec384.pem") } }))).failures).toEqual([]);
    });

    test("create reads the material with the key's purpose (a JWK for signing is refused for encrypt) and logs the warnings", async () => {
        const jwk = { ...(rsa3072.export({ format: "jwk" }) as Record<string, string>), use: "sig" };
        fs.writeFileSync(f("rsa-sig.jwk"), JSON.stringify(jwk), { mode: 0o644 });
        fs.chmodSync(f("rsa-sig.jwk"), 0o644);
        const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
        const before = calls();
        try {
            await expect(azureImportedKey.create(inputs({ purpose: "encrypt", algorithm: "RSA_3072", material: { file: f("rsa-sig.jwk") } }))).rejects.toThrow(
                `key material from file ${f("rsa-sig.jwk")}: the JWK's use contradicts purpose encrypt (allowed: enc, got: "sig")`,
            );
            expect(warn.mock.calls).toEqual([[`key material from file ${f("rsa-sig.jwk")}: its group and others can read it (mode 0644); keep key material private to its owner (chmod 600 ${f("rsa-sig.jwk")})`]]);
            expect(calls()).toBe(before);
        } finally {
            warn.mockRestore();
        }
    });
});
