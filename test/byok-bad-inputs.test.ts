/**
 * The BYOK rows of the bad-input review (`byok wrap`, `byok import`), through the built CLI (`bin/keyfabric.js`,
 * spawned, as a user runs it): every row that was silently accepted, unclear, a crash or a hang, and a sample of the
 * rows that were already clear. Each ends with its exact message and exit code, in bounded time, before any cloud
 * call, and no output holds the material in hex, base64 or base64url.
 * Needs `npm run build` (the CLI loads lib/).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EMULATORS_ENV } from "../sdk/clients";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { findLeaks } from "./support/providerHost";

const BIN = path.join(__dirname, "..", "bin", "keyfabric.js");
/** A self-signed test certificate (its key is RSA-2048, not used here): a certificate is not a public key. */
const CERT = `-----BEGIN CERTIFICATE-----
MIIDJTCCAg2gAwIBAgIUXyLoO87deS9V7ppe8nxLwt0r9OUwDQYJKoZIhvcNAQEL
BQAwITEfMB0GA1UEAwwWa2V5ZmFicmljLXRlc3QtZml4dHVyZTAgFw0yNjEyMDEy
MjQ0MzFaGA8yMTI2MTEwNzIyNDQzMVowITEfMB0GA1UEAwwWa2V5ZmFicmljLXRl
c3QtZml4dHVyZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKviTb8V
OmGEa4YaIUdCaf8jBc18PdC37AecXgRPpPmjdSPfEHflwplkQK2y61JhxHKKNk7v
yY6hXPGfAA81G0X23EJKY58UkMsyj+mw6OOfTpO8XkoNMFi3o0JPIlfzM5l69qj1
Qh7JTrLbOKXuaBgK6DN1IquTXg+AYXCgGmP3BP2QZ9NffOrC+2GgLIn5W1hhbC0G
5slC/FA62N982trft/i4vM8JXwjBBEN7XTgz4s7LYend6oYtWs8EemgyTEFSWOvw
TxSyjiZktwUW0JckUBcqe8YAogD7Ut864yPtdRRYCgXvrmiduLZ+gpjhPauXy/TI
bKScDPTV6BWUjk8CAwEAAaNTMFEwHQYDVR0OBBYEFADna/TZRiQytjYleS/nxHVM
nzClMB8GA1UdIwQYMBaAFADna/TZRiQytjYleS/nxHVMnzClMA8GA1UdEwEB/wQF
MAMBAf8wDQYJKoZIhvcNAQELBQADggEBAHs1pjnUUMiTH1htt6Nm7XFi4HG9VO4f
yf9OagnzBc/nBauCi9R42S/IjLPh2t15EpLJRItlAoFGtdVCjVfYljRTBzmXfyPD
J0FFfjoEzwu2mrn+XBmo66DaY2Vq027R5f1PDFG1oIlrYdTNFi0r6tgKK80bxYA+
kLY2V/9LFWKiSwFLBiYgJC8D1T7B3Ot5Tqy5fPRX9BAwWDGbVjKxGScbQ+OAzGIB
73X9hzNZn9lIPyQlV3PNqerlo5TN3m7F0LzuHsYSbxlkbCHewrcLL0/kVaUq3Tos
h0ohi9+JbGkJRghEVWqts+9ppBkWar/AOGJMyWkCn7y0x5SzIfBDVkY=
-----END CERTIFICATE-----
`;

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kf-bad-")));
const f = (name: string) => path.join(dir, name);
/** Secret material of the fixtures: scanned for in every output. */
const secrets: Buffer[] = [];
const write = (name: string, data: string | Buffer, mode = 0o600) => {
    fs.writeFileSync(f(name), data, { mode });
    fs.chmodSync(f(name), mode);
};
const rsa = (bits: number, publicExponent = 65537) => crypto.generateKeyPairSync("rsa", { modulusLength: bits, publicExponent });
const der = (k: crypto.KeyObject) => k.export({ type: "pkcs8", format: "der" });
const pem = (k: crypto.KeyObject) => k.export({ type: "pkcs8", format: "pem" }) as string;
const spkiPem = (k: crypto.KeyObject) => k.export({ type: "spki", format: "pem" }) as string;

const wrapping = rsa(4096);
const aes = crypto.randomBytes(32);
const rsa3072 = rsa(3072).privateKey;
const rsaE3 = rsa(3072, 3).privateKey;
const ec384 = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
const ec256 = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
const kekId = "https://kf-review.vault.azure.net/keys/x-kek/c0eec91a545e8eedc63f64769710336c";
const wrapAws = ["byok", "wrap", "--target", "aws", "--key-type", "AES_256", "--public-key", "pub.pem"];
const wrapOut = ["--out", "w.bin"];

let emu: EmulatorSet;
let emuEnv: string;

beforeAll(async () => {
    fs.chmodSync(dir, 0o700);
    write("pub.pem", spkiPem(wrapping.publicKey), 0o644);
    write("pub.der", wrapping.publicKey.export({ type: "spki", format: "der" }), 0o644);
    write("pub3072.pem", spkiPem(rsa(3072).publicKey), 0o644);
    write("pub1024.pem", spkiPem(rsa(1024).publicKey), 0o644);
    write("pub512.pem", spkiPem(rsa(512).publicKey), 0o644);
    write("pub-e3.pem", spkiPem(rsa(2048, 3).publicKey), 0o644);
    write("ec256pub.pem", spkiPem(crypto.createPublicKey(ec256)), 0o644);
    write("cert.pem", CERT, 0o644);
    write("priv4096.pem", pem(wrapping.privateKey));
    write("garbage.bin", crypto.randomBytes(600));
    const pubJwk = wrapping.publicKey.export({ format: "jwk" }) as Record<string, string>;
    write("nokey.jwk", JSON.stringify({ kty: "RSA", e: "AQAB" }), 0o644);
    write("privpub.jwk", JSON.stringify(wrapping.privateKey.export({ format: "jwk" })));
    write("sigpub.jwk", JSON.stringify({ ...pubJwk, use: "sig", key_ops: ["verify"] }), 0o644);
    write("x5cpub.jwk", JSON.stringify({ ...pubJwk, x5c: [CERT.replace(/-----[A-Z ]+-----|\n/g, "")] }), 0o644);
    fs.mkdirSync(f("adir"));

    write("aes.bin", aes);
    write("aes-0644.bin", aes, 0o644);
    write("aes31.bin", aes.subarray(0, 31));
    write("rsa3072.pem", pem(rsa3072));
    write("rsa3072.enc.pem", rsa3072.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "test-fixture" }) as string);
    write("rsa3072.pkcs1.pem", rsa3072.export({ type: "pkcs1", format: "pem" }) as string);
    write("rsa3072.pkcs1.der", rsa3072.export({ type: "pkcs1", format: "der" }));
    write("ec384.pem", pem(ec384));
    write("ec256.der", der(ec256));
    const j = rsa3072.export({ format: "jwk" }) as Record<string, string>;
    write("rsa-x5c.jwk", JSON.stringify({ ...j, use: "sig", key_ops: ["sign"], x5c: ["Zm9vYmFy"] }));
    write("rsa-d.jwk", JSON.stringify({ ...j, d: (rsa(3072).privateKey.export({ format: "jwk" }) as Record<string, string>).d }));
    write("oct-extra.jwk", JSON.stringify({ kty: "oct", k: aes.toString("base64url"), alg: "A256GCM", use: "enc", x5c: ["Zm9vYmFy"] }));
    write("oct-bad-k.jwk", JSON.stringify({ kty: "oct", k: `${aes.toString("base64url").slice(0, 20)}$%^&*()` }));
    write("oct-sig.jwk", JSON.stringify({ kty: "oct", k: aes.toString("base64url"), use: "sig" }));
    write("rsa-e3.pem", pem(rsaE3));
    write("sparse2g.bin", "");
    fs.truncateSync(f("sparse2g.bin"), 2 ** 31);
    fs.symlinkSync(f("aes.bin"), f("link.bin"));
    fs.symlinkSync(f("nope.bin"), f("dangling.bin"));
    fs.symlinkSync(f("aes.bin"), f("out-link.bin"));
    expect(spawnSync("mkfifo", [f("fifo")]).status).toBe(0);
    fs.mkdirSync(f("dir with space"));
    write("dir with space/aes.bin", aes);
    secrets.push(aes, der(rsa3072), der(rsaE3), der(ec384), der(ec256), der(wrapping.privateKey));

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

const WRAPPING = "an RSA-2048, RSA-3072 or RSA-4096 public key with exponent 65537";
const LINK = (name: string, target: string) =>
    `is a symbolic link (${target}); keyfabric does not follow a link to key material, so that the file read is the one named (allowed: the path of the file itself)`;
const SHELL = "a program and its arguments, quoted with '...' or \"...\"; run without a shell (for shell syntax: sh -c '...')";
const GCP_HYBRID = "RSA_OAEP_3072_SHA1_AES_256, RSA_OAEP_4096_SHA1_AES_256, RSA_OAEP_3072_SHA256_AES_256, RSA_OAEP_4096_SHA256_AES_256";
const GCP_METHODS = `${GCP_HYBRID}, RSA_OAEP_3072_SHA256, RSA_OAEP_4096_SHA256`;
const VALID_TO = "an ISO 8601 date-time such as 2027-01-31T00:00:00Z, in the future and at most 365 days ahead";

interface Row {
    args: string[];
    env?: Record<string, string>;
    code: number;
    /** The exact standard error. */
    err: string;
    /** The standard output: exact, or a JSON shape it must match. */
    out?: string | Record<string, unknown>;
}

// [review id, input, expected]. Rows that were not a clear error first (every one of them), then a sample of clear ones.
const rows: [string, string, () => Row][] = [
    // ---- byok wrap: the wrapping public key ----
    ["W2", "public key RSA-1024 (aws)", () => ({ args: ["byok", "wrap", "--target", "aws", "--key-type", "AES_256", "--public-key", "pub1024.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: `error: --public-key pub1024.pem: is smaller than RSA-2048 (allowed: ${WRAPPING}, got: RSA-1024)\n` })],
    ["W3", "public key RSA-1024 (azure)", () => ({ args: ["byok", "wrap", "--target", "azure", "--key-type", "EC_P384", "--kek-id", kekId, "--public-key", "pub1024.pem", "--material-file", "ec384.pem", ...wrapOut], code: 1, err: `error: --public-key pub1024.pem: is smaller than RSA-2048 (allowed: ${WRAPPING}, got: RSA-1024)\n` })],
    ["W5", "public key RSA-512 (aws, OAEP-256 AES)", () => ({ args: ["byok", "wrap", "--target", "aws", "--key-type", "AES_256", "--public-key", "pub512.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: `error: --public-key pub512.pem: is smaller than RSA-2048 (allowed: ${WRAPPING}, got: RSA-512)\n` })],
    ["W5b", "public key with exponent 3", () => ({ args: [...wrapAws.slice(0, -1), "pub-e3.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: `error: --public-key pub-e3.pem: has a public exponent other than 65537 (allowed: ${WRAPPING}, got: 3)\n` })],
    ["W6", "public key EC P-256 (aws)", () => ({ args: [...wrapAws.slice(0, -1), "ec256pub.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: `error: --public-key ec256pub.pem: is not an RSA key (allowed: ${WRAPPING}, got: an EC P-256 key)\n` })],
    ["W7", "public key EC P-256 (azure)", () => ({ args: ["byok", "wrap", "--target", "azure", "--key-type", "EC_P384", "--kek-id", kekId, "--public-key", "ec256pub.pem", "--material-file", "ec384.pem", ...wrapOut], code: 1, err: `error: --public-key ec256pub.pem: is not an RSA key (allowed: ${WRAPPING}, got: an EC P-256 key)\n` })],
    ["W8", "public key is a PEM certificate (aws)", () => ({ args: [...wrapAws.slice(0, -1), "cert.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key cert.pem: is an X.509 certificate, not a public key (extract its key: openssl x509 -pubkey -noout -in <file>)\n" })],
    ["W10", "public key is a private key PEM", () => ({ args: [...wrapAws.slice(0, -1), "priv4096.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key priv4096.pem: is a private key: give the public key only (openssl pkey -pubout -in <file>)\n" })],
    ["W10b", "public key is a private JWK", () => ({ args: [...wrapAws.slice(0, -1), "privpub.jwk", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key privpub.jwk: is a private JWK (it has d, p, q, dp, dq, qi): give the public key only (n and e)\n" })],
    ["W10c", "public key JWK whose use/key_ops are a signing key's", () => ({ args: [...wrapAws.slice(0, -1), "sigpub.jwk", "--material-file", "aes.bin", ...wrapOut], code: 1, err: 'error: --public-key sigpub.jwk: the JWK\'s use contradicts a wrapping key (allowed: enc, got: "sig")\n' })],
    ["W10d", "public key JWK whose n/e disagree with its x5c", () => ({ args: [...wrapAws.slice(0, -1), "x5cpub.jwk", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key x5cpub.jwk: the JWK's parts disagree: x5c[0] certifies another key than the JWK's own\n" })],
    ["W12", "public key is a directory", () => ({ args: [...wrapAws.slice(0, -1), "adir", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key adir: is a directory, not a regular file\n" })],
    ["W12b", "public key is a FIFO (would block)", () => ({ args: [...wrapAws.slice(0, -1), "fifo", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key fifo: is a named pipe (FIFO), not a regular file\n" })],
    // ---- byok wrap: the material ----
    ["W18", "material JWK with extra fields (use=sig, key_ops=[sign], x5c bogus)", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_3072", "--public-key", "pub.pem", "--material-file", "rsa-x5c.jwk", ...wrapOut], code: 1, err: "error: key material from file rsa-x5c.jwk: the JWK's x5c[0] is not a DER X.509 certificate\n" })],
    ["W18b", "material JWK whose use contradicts --purpose", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_3072", "--purpose", "encrypt", "--public-key", "pub.pem", "--material-file", "rsa-x5c.jwk", ...wrapOut], code: 1, err: 'error: key material from file rsa-x5c.jwk: the JWK\'s use contradicts purpose encrypt (allowed: enc, got: "sig")\n' })],
    ["W19", "material JWK with d not matching n", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_3072", "--public-key", "pub.pem", "--material-file", "rsa-d.jwk", ...wrapOut], code: 1, err: "error: key material from file rsa-d.jwk: is an inconsistent RSA private key: d is not the inverse of e (its parts disagree; export it again from where it was generated)\n" })],
    ["W20", "material oct JWK with extra fields", () => ({ args: [...wrapAws, "--material-file", "oct-extra.jwk", ...wrapOut], code: 1, err: 'error: key material from file oct-extra.jwk: is a JWK with unknown member "x5c" (allowed for kty oct: kty, use, key_ops, alg, kid, ext, k)\n' })],
    ["W20b", "material oct JWK with use sig for an AES key", () => ({ args: [...wrapAws, "--material-file", "oct-sig.jwk", ...wrapOut], code: 1, err: 'error: key material from file oct-sig.jwk: the JWK\'s use contradicts an AES key (purpose encrypt) (allowed: enc, got: "sig")\n' })],
    ["W21", "material oct JWK with non-base64url k", () => ({ args: [...wrapAws, "--material-file", "oct-bad-k.jwk", ...wrapOut], code: 1, err: "error: key material from file oct-bad-k.jwk: the JWK's k is not base64url (allowed: A-Z a-z 0-9 - _, without padding)\n" })],
    ["W22", "material RSA e=3", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_3072", "--public-key", "pub.pem", "--material-file", "rsa-e3.pem", ...wrapOut], code: 1, err: "error: key material from file rsa-e3.pem: expected an RSA-3072 private key as DER PKCS#8, got public exponent 3 (allowed: 65537)\n" })],
    ["W29", "material file /dev/zero", () => ({ args: [...wrapAws, "--material-file", "/dev/zero", ...wrapOut], code: 1, err: "error: key material from file /dev/zero: is a character device, not a regular file\n" })],
    ["W31", "material file symlink", () => ({ args: [...wrapAws, "--material-file", "link.bin", ...wrapOut], code: 1, err: `error: key material from file link.bin: ${LINK("link.bin", `to ${f("aes.bin")}`)}\n` })],
    ["W33", "material file world-readable 0644", () => ({ args: [...wrapAws, "--material-file", "aes-0644.bin", ...wrapOut], code: 0, err: "warning: key material from file aes-0644.bin: its group and others can read it (mode 0644); keep key material private to its owner (chmod 600 aes-0644.bin)\n", out: { target: "aws", algorithm: "RSAES_OAEP_SHA_256", out: "w.bin", bytes: 512 } })],
    ["W36", "material env bad name", () => ({ args: [...wrapAws, "--material-env", "1BAD;id", ...wrapOut], code: 1, err: 'error: --material-env: is not an environment variable name (allowed: letters, digits and _, not starting with a digit, got: "1BAD;id")\n' })],
    ["W41", "material command ignores SIGTERM", () => ({ args: [...wrapAws, "--material-command", "sh -c 'trap \"\" TERM; sleep 101'", "--material-command-timeout", "500", ...wrapOut], code: 1, err: "error: key material from command sh (2 arguments): timed out after 500 ms and its process group was killed (allowed: a timeout up to 300000 ms)\n" })],
    ["W42", "material command prints 10 MB", () => ({ args: [...wrapAws, "--material-command", "head -c 10000000 /dev/zero", ...wrapOut], code: 1, err: "error: key material from command head (3 arguments): printed more than 8192 bytes and was stopped (key material is at most 8192 bytes)\n" })],
    ["W45", "material command quoted arg with space (now possible)", () => ({ args: [...wrapAws, "--material-command", `cat '${f("dir with space/aes.bin")}'`, "--material-format", "raw", ...wrapOut], code: 0, err: "", out: { target: "aws", algorithm: "RSAES_OAEP_SHA_256", bytes: 512, fingerprint: expect.stringMatching(/^sha256:/) } })],
    ["W45b", "material command with an unterminated quote", () => ({ args: [...wrapAws, "--material-command", "cat 'aes.bin", ...wrapOut], code: 1, err: `error: --material-command: has an unterminated ' quote (at character 5) (allowed: ${SHELL})\n` })],
    ["W48", "--algorithm RSAES_OAEP_SHA_1 with RSA material (too big for OAEP)", () => ({ args: ["byok", "wrap", "--target", "aws", "--key-type", "RSA_3072", "--algorithm", "RSAES_OAEP_SHA_1", "--public-key", "pub.pem", "--material-file", "rsa3072.pem", ...wrapOut], code: 1, err: 'error: --algorithm RSAES_OAEP_SHA_1: cannot wrap an RSA private key: AWS KMS imports RSA private keys only with RSA-AES key wrap (allowed: RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, got: "RSAES_OAEP_SHA_1")\n' })],
    ["W53", "azure --kek-id garbage", () => ({ args: ["byok", "wrap", "--target", "azure", "--key-type", "EC_P384", "--kek-id", "garbage", "--public-key", "pub.pem", "--material-file", "ec384.pem", ...wrapOut], code: 1, err: 'error: --kek-id: is not a versioned Key Vault key id (allowed: https://<vault>.vault.azure.net/keys/<name>/<32-hex version>, https://<hsm>.managedhsm.azure.net/keys/<name>/<version>, got: "garbage")\n' })],
    ["W54", "azure AES_256 into a vault blob", () => ({ args: ["byok", "wrap", "--target", "azure", "--key-type", "AES_256", "--kek-id", kekId, "--public-key", "pub.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: 'error: --key-type: AES_256 (oct-HSM) keys exist only on a Managed HSM, and --kek-id is a Key Vault key (allowed: a --kek-id on https://<hsm>.managedhsm.azure.net, or an RSA or EC --key-type, got: "AES_256")\n' })],
    ["W54b", "azure HMAC_256", () => ({ args: ["byok", "wrap", "--target", "azure", "--key-type", "HMAC_256", "--kek-id", kekId, "--public-key", "pub.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: 'error: --key-type: Azure Key Vault and Managed HSM have no HMAC keys (allowed: AES_256 (Managed HSM), RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, got: "HMAC_256")\n' })],
    ["W57", "--out same path as --material-file (overwrites material)", () => ({ args: [...wrapAws, "--material-file", "aes.bin", "--out", "aes.bin"], code: 1, err: "error: --out aes.bin: is the same file as --material-file aes.bin; writing there would destroy it (allowed: another path than --material-file)\n" })],
    ["W57b", "--out a link to the material file", () => ({ args: [...wrapAws, "--material-file", "aes.bin", "--out", "out-link.bin"], code: 1, err: "error: --out out-link.bin: is the same file as --material-file aes.bin; writing there would destroy it (allowed: another path than --material-file)\n" })],
    ["W57c", "--out the public key file", () => ({ args: [...wrapAws, "--material-file", "aes.bin", "--out", "pub.pem"], code: 1, err: "error: --out pub.pem: is the same file as --public-key pub.pem; writing there would destroy it (allowed: another path than --public-key)\n" })],
    ["W60", "material file is a FIFO with no writer", () => ({ args: [...wrapAws, "--material-file", "fifo", ...wrapOut], code: 1, err: "error: key material from file fifo: is a named pipe (FIFO), not a regular file; for a program's output use a command source\n" })],
    ["W61", "material command prints material, exits 0, leaves a background child holding stdout", () => ({ args: [...wrapAws, "--material-command", `sh -c 'printf %s ${"ab".repeat(32)}; sleep 31 &'`, ...wrapOut], code: 1, err: "error: key material from command sh (2 arguments): exited but left a background process holding its standard output; its process group was killed and the output discarded (a material command must not leave processes behind)\n" })],
    // ---- byok import: refused before any cloud call ----
    ["I2", "aws --valid-to garbage", () => ({ args: ["byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "arn:aws:kms:eu-west-1:111122223333:key/c422789d-86d6-4bfc-be78-3908fed7e314", "--region", "eu-west-1", "--valid-to", "tomorrow", "--material-file", "aes.bin"], code: 1, err: `error: --valid-to: is not an ISO 8601 date-time (allowed: ${VALID_TO}, got: "tomorrow")\n` })],
    ["I2b", "aws --valid-to a day that does not exist", () => ({ args: ["byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "c422789d-86d6-4bfc-be78-3908fed7e314", "--region", "eu-west-1", "--valid-to", "2027-02-30T00:00:00Z", "--material-file", "aes.bin"], code: 1, err: `error: --valid-to: is not an ISO 8601 date-time (allowed: ${VALID_TO}, got: "2027-02-30T00:00:00Z")\n` })],
    ["I6", "gcp --import-method garbage", () => ({ args: ["byok", "import", "--target", "gcp", "--key-type", "AES_256", "--key", "projects/kf-review/locations/europe-west1/keyRings/r/cryptoKeys/aes", "--import-method", "ROT13", "--material-file", "aes.bin"], code: 1, err: `error: --import-method: is not a GCP import method (allowed: ${GCP_METHODS}, got: "ROT13")\n` })],
    ["I9", "azure AES in a vault", () => ({ args: ["byok", "import", "--target", "azure", "--key-type", "AES_256", "--key", "x", "--vault-url", "https://kf-review.vault.azure.net", "--purpose", "encrypt", "--material-file", "aes.bin"], code: 1, err: 'error: --key-type: AES_256 (oct-HSM) keys exist only on a Managed HSM, and --vault-url is a Key Vault (allowed: --vault-url https://<name>.managedhsm.azure.net, or an RSA or EC --key-type, got: "AES_256")\n' })],
    ["I10", "azure --vault-url http://evil", () => ({ args: ["byok", "import", "--target", "azure", "--key-type", "EC_P256", "--key", "x", "--vault-url", "http://evil", "--purpose", "sign", "--material-file", "ec256.der"], code: 1, err: 'error: --vault-url: is not a Key Vault or Managed HSM URL (allowed: https://<name>.vault.azure.net, https://<name>.managedhsm.azure.net, got: "http://evil")\n' })],
    ["I11", "azure purpose mac with EC", () => ({ args: ["byok", "import", "--target", "azure", "--key-type", "EC_P256", "--key", "x", "--vault-url", "https://kf-review.vault.azure.net", "--purpose", "mac", "--material-file", "ec256.der"], code: 1, err: 'error: --purpose: EC_P256 keys cannot be used to mac (allowed: sign for EC_P256; for mac: HMAC_256, got: "mac")\n' })],
    ["I11b", "an option of another target", () => ({ args: ["byok", "import", "--target", "gcp", "--key-type", "AES_256", "--key", "projects/p/locations/l/keyRings/r/cryptoKeys/k", "--valid-to", "2027-01-01T00:00:00Z", "--material-file", "aes.bin"], code: 1, err: 'error: --valid-to: applies to --target aws only (got: --target gcp)\n' })],

    // ---- a sample of the rows that were already clear (some messages now name the option) ----
    ["W4", "public key RSA-1024 (gcp)", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "AES_256", "--public-key", "pub1024.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: `error: --public-key pub1024.pem: is smaller than RSA-2048 (allowed: ${WRAPPING}, got: RSA-1024)\n` })],
    ["W4b", "gcp import job key RSA-3072 with the default 4096 method", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "AES_256", "--public-key", "pub3072.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key pub3072.pem: is RSA-3072, and RSA_OAEP_4096_SHA256_AES_256 (the default --algorithm) needs RSA-4096 (allowed: --algorithm RSA_OAEP_3072_SHA1_AES_256, RSA_OAEP_3072_SHA256_AES_256, RSA_OAEP_3072_SHA256 for an RSA-3072 import job key)\n" })],
    ["W9", "public key is garbage", () => ({ args: [...wrapAws.slice(0, -1), "garbage.bin", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key garbage.bin: not an RSA public key (allowed: SPKI DER or PEM, PKCS#1 RSA PUBLIC KEY, or a JWK with kty RSA, n and e)\n" })],
    ["W11", "public key file missing", () => ({ args: [...wrapAws.slice(0, -1), "nope.der", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key nope.der: no such file\n" })],
    ["W13", "public key JWK without n", () => ({ args: [...wrapAws.slice(0, -1), "nokey.jwk", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: --public-key nokey.jwk: is a JWK without n (allowed: a public JWK with kty RSA, n and e)\n" })],
    ["W14", "material PEM with password", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_3072", "--public-key", "pub.pem", "--material-file", "rsa3072.enc.pem", ...wrapOut], code: 1, err: "error: key material from file rsa3072.enc.pem: is a password-protected PEM; decrypt it first (keyfabric never handles key passwords)\n" })],
    ["W15", "material PKCS#1 PEM (not PKCS#8): accepted", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_3072", "--public-key", "pub.pem", "--material-file", "rsa3072.pkcs1.pem", ...wrapOut], code: 0, err: "", out: { target: "gcp", algorithm: "RSA_OAEP_4096_SHA256_AES_256" } })],
    ["W16", "material PKCS#1 DER (not PKCS#8)", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_3072", "--public-key", "pub.pem", "--material-file", "rsa3072.pkcs1.der", ...wrapOut], code: 1, err: `error: key material from file rsa3072.pkcs1.der: expected an RSA-3072 private key as DER PKCS#8, got ${fs.statSync(f("rsa3072.pkcs1.der")).size} bytes that are not a DER PKCS#8 private key\n` })],
    ["W23", "material RSA-3072 for --key-type RSA_2048", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_2048", "--public-key", "pub.pem", "--material-file", "rsa3072.pem", ...wrapOut], code: 1, err: "error: key material from file rsa3072.pem: expected an RSA-2048 private key as DER PKCS#8, got RSA-3072\n" })],
    ["W24", "material EC P-384 for --key-type EC_P256", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "EC_P256", "--public-key", "pub.pem", "--material-file", "ec384.pem", ...wrapOut], code: 1, err: "error: key material from file ec384.pem: expected an EC P-256 private key as DER PKCS#8, got curve secp384r1\n" })],
    ["W25", "material AES 31 bytes", () => ({ args: [...wrapAws, "--material-file", "aes31.bin", ...wrapOut], code: 1, err: "error: key material from file aes31.bin: expected 32 raw bytes (AES-256), got 31 bytes\n" })],
    ["W26", "material garbage for AES (600 bytes)", () => ({ args: [...wrapAws, "--material-file", "garbage.bin", ...wrapOut], code: 1, err: "error: key material from file garbage.bin: expected 32 raw bytes (AES-256), got 600 bytes\n" })],
    ["W27", "material --material-format hex on raw bytes", () => ({ args: [...wrapAws, "--material-file", "garbage.bin", "--material-format", "hex", ...wrapOut], code: 1, err: "error: key material from file garbage.bin: is not valid hex\n" })],
    ["W28", "material file is a directory", () => ({ args: [...wrapAws, "--material-file", "adir", ...wrapOut], code: 1, err: "error: key material from file adir: is a directory, not a regular file\n" })],
    ["W30", "material file 2 GB sparse", () => ({ args: [...wrapAws, "--material-file", "sparse2g.bin", ...wrapOut], code: 1, err: "error: key material from file sparse2g.bin: is 2147483648 bytes; key material is at most 8192 bytes\n" })],
    ["W32", "material file dangling symlink", () => ({ args: [...wrapAws, "--material-file", "dangling.bin", ...wrapOut], code: 1, err: `error: key material from file dangling.bin: ${LINK("dangling.bin", "whose target does not exist")}\n` })],
    ["W35", "material env missing", () => ({ args: [...wrapAws, "--material-env", "KF_NOPE", ...wrapOut], env: { KF_NOPE: undefined as unknown as string }, code: 1, err: "error: key material from environment variable KF_NOPE: is not set\n" })],
    ["W37", "material env whitespace-only", () => ({ args: [...wrapAws, "--material-env", "KF_WS", ...wrapOut], env: { KF_WS: "  \n\t " }, code: 1, err: "error: key material from environment variable KF_WS: is empty\n" })],
    ["W39", "material command exits 3 (script prints material)", () => ({ args: [...wrapAws, "--material-command", `sh -c 'printf %s ${"cd".repeat(32)}; exit 3'`, ...wrapOut], code: 1, err: "error: key material from command sh (2 arguments): exited with status 3\n" })],
    ["W40", "material command hangs (sleep 1000)", () => ({ args: [...wrapAws, "--material-command", "sleep 1000", "--material-command-timeout", "500", ...wrapOut], code: 1, err: "error: key material from command sleep (1 argument): timed out after 500 ms and its process group was killed (allowed: a timeout up to 300000 ms)\n" })],
    ["W43", "material command not found", () => ({ args: [...wrapAws, "--material-command", "no-such-prog-xyz", ...wrapOut], code: 1, err: "error: key material from command no-such-prog-xyz (0 arguments): program not found\n" })],
    ["W44", "material command with shell metachars", () => ({ args: [...wrapAws, "--material-command", "cat aes.bin; id", ...wrapOut], code: 1, err: `error: --material-command: has an unquoted ; (at character 12), which only a shell interprets (allowed: ${SHELL})\n` })],
    ["W46", "two material sources", () => ({ args: [...wrapAws, "--material-file", "aes.bin", "--material-env", "X", ...wrapOut], code: 1, err: "error: give exactly one of --material-file, --material-env, --material-command\n" })],
    ["W47", "no material source", () => ({ args: [...wrapAws, ...wrapOut], code: 1, err: "error: give exactly one of --material-file, --material-env, --material-command\n" })],
    ["W49", "--algorithm bogus (aws)", () => ({ args: [...wrapAws, "--algorithm", "ROT13", "--material-file", "aes.bin", ...wrapOut], code: 1, err: 'error: --algorithm: not an AWS wrapping algorithm (allowed: RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, got: "ROT13")\n' })],
    ["W50", "--algorithm bogus (gcp)", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "AES_256", "--public-key", "pub.pem", "--algorithm", "ROT13", "--material-file", "aes.bin", ...wrapOut], code: 1, err: `error: --algorithm: not a GCP import method (allowed: ${GCP_METHODS}, got: "ROT13")\n` })],
    ["W51", "gcp RSA_OAEP_4096_SHA256 (non-hybrid) with RSA material", () => ({ args: ["byok", "wrap", "--target", "gcp", "--key-type", "RSA_3072", "--public-key", "pub.pem", "--algorithm", "RSA_OAEP_4096_SHA256", "--material-file", "rsa3072.pem", ...wrapOut], code: 1, err: `error: --algorithm RSA_OAEP_4096_SHA256: cannot wrap an RSA private key: direct OAEP carries at most 446 bytes (allowed: ${GCP_HYBRID})\n` })],
    ["W52", "azure without --kek-id", () => ({ args: ["byok", "wrap", "--target", "azure", "--key-type", "EC_P384", "--public-key", "pub.pem", "--material-file", "ec384.pem", ...wrapOut], code: 1, err: "error: --kek-id is required for --target azure (the KEK's versioned key id)\n" })],
    ["W55", "--out is a directory", () => ({ args: [...wrapAws, "--material-file", "aes.bin", "--out", "adir"], code: 1, err: "error: --out adir: is a directory (allowed: a file path)\n" })],
    ["W58", "--key-type bogus", () => ({ args: ["byok", "wrap", "--target", "aws", "--key-type", "AES_512", "--public-key", "pub.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: option '--key-type <algorithm>' argument 'AES_512' is invalid. Allowed choices are AES_256, RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, HMAC_256.\n" })],
    ["W59", "--target bogus", () => ({ args: ["byok", "wrap", "--target", "oci", "--key-type", "AES_256", "--public-key", "pub.pem", "--material-file", "aes.bin", ...wrapOut], code: 1, err: "error: option '--target <cloud>' argument 'oci' is invalid. Allowed choices are aws, gcp, azure.\n" })],
    ["I3", "aws --valid-to in the past", () => ({ args: ["byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "c422789d-86d6-4bfc-be78-3908fed7e314", "--region", "eu-west-1", "--valid-to", "2020-01-01T00:00:00Z", "--material-file", "aes.bin"], code: 1, err: `error: --valid-to: must be in the future and at most 365 days ahead (allowed: ${VALID_TO}, got: "2020-01-01T00:00:00Z")\n` })],
    ["I4", "aws --region garbage", () => ({ args: ["byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "c422789d-86d6-4bfc-be78-3908fed7e314", "--region", "not a region!", "--material-file", "aes.bin"], code: 1, err: 'error: --region: is not an AWS region (allowed: e.g. us-east-1, eu-west-1, got: "not a region!")\n' })],
    ["I4b", "aws --region not the ARN's", () => ({ args: ["byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "arn:aws:kms:eu-west-1:111122223333:key/c422789d-86d6-4bfc-be78-3908fed7e314", "--region", "us-east-1", "--material-file", "aes.bin"], code: 1, err: 'error: --region: is not the region of --key (eu-west-1) (allowed: eu-west-1, got: "us-east-1")\n' })],
    ["I5", "aws no --region", () => ({ args: ["byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "c422789d-86d6-4bfc-be78-3908fed7e314", "--material-file", "aes.bin"], code: 1, err: "error: --region is required for --target aws\n" })],
    ["I7", "gcp --key not a key name", () => ({ args: ["byok", "import", "--target", "gcp", "--key-type", "AES_256", "--key", "my-key", "--material-file", "aes.bin"], code: 1, err: 'error: --key: is not a Cloud KMS crypto key name (allowed: projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>, got: "my-key")\n' })],
];

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
    else expect(JSON.parse(r.out)).toMatchObject(row.out);
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

test.each(cloudRows)("%s %s", async (_id, _input, make) => {
    const row = await make();
    check(await kf(row.args, row.env), row);
}, 30_000);

test("nothing a material command started outlives it (W41, W61: no sleep left running)", async () => {
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps.stdout.split("\n").filter((l) => /^sleep (101|31)$/.test(l.trim()))).toEqual([]);
});

test("the materials files are untouched by the refused rows", () => {
    expect(fs.readFileSync(f("aes.bin")).equals(aes)).toBe(true);
    expect(fs.readFileSync(f("pub.pem"), "utf8")).toBe(spkiPem(wrapping.publicKey));
});
