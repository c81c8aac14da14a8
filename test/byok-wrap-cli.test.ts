import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../sdk/cli";
import { findLeaks } from "./support/providerHost";

// `keyfabric byok wrap` output checked by an independent implementation of each scheme: RFC 5649 unwrap written out
// with AES-ECB block operations (not Node's id-aes*-wrap-pad), and OAEP through privateDecrypt.

function kwpUnwrapIndependent(kek: Buffer, c: Buffer): Buffer {
    const aesDecrypt = (block: Buffer) => {
        const d = crypto.createDecipheriv(`aes-${kek.length * 8}-ecb`, kek, null);
        d.setAutoPadding(false);
        return Buffer.concat([d.update(block), d.final()]);
    };
    const n = c.length / 8 - 1;
    let a: Buffer;
    const r: Buffer[] = [];
    if (n === 1) {
        const p = aesDecrypt(c);
        a = p.subarray(0, 8);
        r.push(p.subarray(8, 16));
    } else {
        a = Buffer.from(c.subarray(0, 8));
        for (let i = 1; i <= n; i++) r.push(Buffer.from(c.subarray(8 * i, 8 * i + 8)));
        for (let j = 5; j >= 0; j--) {
            for (let i = n; i >= 1; i--) {
                const t = BigInt(n * j + i);
                const aXor = Buffer.from(a);
                const tb = Buffer.alloc(8);
                tb.writeBigUInt64BE(t);
                for (let k = 0; k < 8; k++) aXor[k] ^= tb[k];
                const b = aesDecrypt(Buffer.concat([aXor, r[i - 1]]));
                a = b.subarray(0, 8);
                r[i - 1] = b.subarray(8, 16);
            }
        }
    }
    if (a.subarray(0, 4).toString("hex") !== "a65959a6") throw new Error("bad AIV");
    const mli = a.readUInt32BE(4);
    const p = Buffer.concat(r);
    if (p.subarray(mli).some((x) => x !== 0)) throw new Error("bad padding");
    return p.subarray(0, mli);
}

function oaepDecrypt(priv: crypto.KeyObject, hash: string, data: Buffer) {
    return crypto.privateDecrypt({ key: priv, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
}

function hybridUnwrap(priv: crypto.KeyObject, hash: string, blob: Buffer): Buffer {
    const n = priv.asymmetricKeyDetails!.modulusLength! / 8;
    return kwpUnwrapIndependent(oaepDecrypt(priv, hash, blob.subarray(0, n)), blob.subarray(n));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-wrap-"));
const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 4096 });
const pair3072 = crypto.generateKeyPairSync("rsa", { modulusLength: 3072 });
// Key material is private to its owner (a group- or world-readable material file draws a warning).
const write = (name: string, data: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, data, { mode: 0o600 });
    return f;
};
const pubDer = write("wrapping-public.der", pair.publicKey.export({ type: "spki", format: "der" }));
const pubPem = write("import-job-public.pem", pair.publicKey.export({ type: "spki", format: "pem" }));
const pub3072 = write("job-3072.pem", pair3072.publicKey.export({ type: "spki", format: "pem" }));
const aes = crypto.randomBytes(32);
const aesFile = write("test-fixture-aes256.bin", aes);
const ecDer = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ type: "pkcs8", format: "der" });
const ecFile = write("test-fixture-p384.der", ecDer);

async function cli(...args: string[]) {
    let out = "";
    let err = "";
    const code = await main(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("AWS, symmetric: RSAES_OAEP_SHA_256 by default", async () => {
    const out = path.join(dir, "aws-aes.bin");
    const r = await cli("byok", "wrap", "--target", "aws", "--key-type", "AES_256", "--public-key", pubDer, "--material-file", aesFile, "--out", out);
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(JSON.parse(r.out)).toMatchObject({ target: "aws", algorithm: "RSAES_OAEP_SHA_256", bytes: 512 });
    expect(oaepDecrypt(pair.privateKey, "sha256", fs.readFileSync(out)).equals(aes)).toBe(true);
    expect(findLeaks(aes, { stdout: r.out, stderr: r.err, file: fs.readFileSync(out).toString("latin1") })).toEqual([]);
});

test("AWS, EC private key: RSA_AES_KEY_WRAP_SHA_256", async () => {
    const out = path.join(dir, "aws-ec.bin");
    const r = await cli("byok", "wrap", "--target", "aws", "--key-type", "EC_P384", "--public-key", pubDer, "--material-file", ecFile, "--material-format", "der", "--out", out);
    expect(JSON.parse(r.out).algorithm).toBe("RSA_AES_KEY_WRAP_SHA_256");
    expect(hybridUnwrap(pair.privateKey, "sha256", fs.readFileSync(out)).equals(ecDer)).toBe(true);
});

test("GCP: the default method RSA_OAEP_4096_SHA256_AES_256, and a 3072 SHA-1 method", async () => {
    const out = path.join(dir, "gcp.bin");
    const r = await cli("byok", "wrap", "--target", "gcp", "--key-type", "AES_256", "--public-key", pubPem, "--material-file", aesFile, "--out", out);
    expect(JSON.parse(r.out)).toMatchObject({ algorithm: "RSA_OAEP_4096_SHA256_AES_256", bytes: 512 + 40 });
    expect(hybridUnwrap(pair.privateKey, "sha256", fs.readFileSync(out)).equals(aes)).toBe(true);
    const out2 = path.join(dir, "gcp-sha1.bin");
    await cli("byok", "wrap", "--target", "gcp", "--key-type", "AES_256", "--public-key", pub3072, "--material-file", aesFile, "--algorithm", "RSA_OAEP_3072_SHA1_AES_256", "--out", out2);
    expect(hybridUnwrap(pair3072.privateKey, "sha1", fs.readFileSync(out2)).equals(aes)).toBe(true);
});

test("Azure: a transfer blob with OAEP SHA-1 under the KEK", async () => {
    const out = path.join(dir, "key.byok");
    const kid = "https://acme.vault.azure.net/keys/kek/0123456789abcdef0123456789abcdef";
    const r = await cli("byok", "wrap", "--target", "azure", "--key-type", "EC_P384", "--public-key", pubPem, "--material-file", ecFile, "--material-format", "der", "--kek-id", kid, "--out", out);
    expect(r.code).toBe(0);
    const blob = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(blob).toEqual({ schema_version: "1.0.0", header: { kid, alg: "dir", enc: "CKM_RSA_AES_KEY_WRAP" }, ciphertext: expect.stringMatching(/^[A-Za-z0-9_-]+$/), generator: "keyfabric byok wrap" });
    expect(hybridUnwrap(pair.privateKey, "sha1", Buffer.from(blob.ciphertext, "base64url")).equals(ecDer)).toBe(true);
});

test.each([
    [["--target", "aws", "--key-type", "AES_256", "--public-key", "PUB", "--material-file", "/nonexistent/k.bin", "--out", "OUT"], "error: key material from file /nonexistent/k.bin: no such file\n"],
    [["--target", "aws", "--key-type", "RSA_3072", "--public-key", "PUB", "--material-file", "EC", "--material-format", "der", "--out", "OUT"], "error: key material from file EC: expected an RSA-3072 private key as DER PKCS#8, got a ec key\n"],
    [["--target", "gcp", "--key-type", "AES_256", "--public-key", "PUB", "--material-file", "AES", "--algorithm", "RSA_OAEP_2048", "--out", "OUT"], 'error: --algorithm: not a GCP import method (allowed: RSA_OAEP_3072_SHA1_AES_256, RSA_OAEP_4096_SHA1_AES_256, RSA_OAEP_3072_SHA256_AES_256, RSA_OAEP_4096_SHA256_AES_256, RSA_OAEP_3072_SHA256, RSA_OAEP_4096_SHA256, got: "RSA_OAEP_2048")\n'],
    [["--target", "azure", "--key-type", "AES_256", "--public-key", "PUB", "--material-file", "AES", "--out", "OUT"], "error: --kek-id is required for --target azure (the KEK's versioned key id)\n"],
    [["--target", "gcp", "--key-type", "AES_256", "--public-key", "AES", "--material-file", "AES", "--out", "OUT"], "error: --public-key AES: not an RSA public key (allowed: SPKI DER or PEM, PKCS#1 RSA PUBLIC KEY, or a JWK with kty RSA, n and e)\n"],
])("refused: %j", async (args, message) => {
    const resolved = args.map((a) => (a === "PUB" ? pubPem : a === "EC" ? ecFile : a === "AES" ? aesFile : a === "OUT" ? path.join(dir, "never.bin") : a));
    const expected = message.replace("file EC:", `file ${ecFile}:`).replace("--public-key AES:", `--public-key ${aesFile}:`);
    const r = await cli("byok", "wrap", ...resolved);
    expect(r).toEqual({ code: 1, out: "", err: expected });
    expect(fs.existsSync(path.join(dir, "never.bin"))).toBe(false);
});
