/**
 * SoftHSM2 tokens for the pkcs11 tests: a token directory and configuration of the test's own (SOFTHSM2_CONF), a
 * token made with softhsm2-util, keys put in it with pkcs11js directly (independently of keyfabric's session layer),
 * and the token operations the tests use to show that a cloud's imported key is the token's key.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Algorithm } from "../../sdk/schema/constants";

export const SOFTHSM_MODULE = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib64/pkcs11/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so"].find((p) => fs.existsSync(p));

function hasUtil(): boolean {
    try {
        execFileSync("softhsm2-util", ["--version"], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

/** Why the SoftHSM2 tests cannot run here, or undefined. */
export function softhsmMissing(): string | undefined {
    if (!SOFTHSM_MODULE) return "libsofthsm2.so is not installed (apt-get install softhsm2)";
    if (!hasUtil()) return "softhsm2-util is not on PATH (apt-get install softhsm2)";
    try {
        require("pkcs11js");
    } catch {
        return "the pkcs11js package is not installed (npm install --no-save pkcs11js@2.1.7)";
    }
    return undefined;
}

/**
 * `describe` when SoftHSM2 is here; else a skip with the reason, except in CI (CI=true), where its absence fails.
 */
export function describeWithSoftHsm(name: string, fn: () => void): void {
    const missing = softhsmMissing();
    if (!missing) return describe(name, fn);
    if (process.env.CI === "true") {
        describe(name, () => test("SoftHSM2 is installed (CI=true: required)", () => {
            throw new Error(`SoftHSM2 tests cannot run in CI: ${missing}`);
        }));
        return;
    }
    // eslint-disable-next-line no-console
    console.warn(`skipping "${name}": ${missing}; CI=true makes this a failure`);
    describe.skip(name, fn);
}

export interface TestToken {
    readonly dir: string;
    readonly conf: string;
    readonly label: string;
    readonly pin: string;
    readonly serial: string;
    /** Runs `f` with a logged-in R/W session on the token (pkcs11js directly). */
    withSession<T>(f: (lib: any, session: Buffer, p11: any) => T): T;
    remove(): void;
}

/**
 * Sets a variable in the process's real environment, which the PKCS#11 library reads with getenv(): Jest gives a
 * test file a copy of process.env, but process.loadEnvFile writes through. It does not override a variable already
 * set, which is checked.
 */
function setRealEnv(name: string, value: string): void {
    process.env[name] = value;
    if (execFileSync("sh", ["-c", `printf %s "$${name}"`]).toString() === value) return;
    const f = path.join(os.tmpdir(), `kf-env-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
    fs.writeFileSync(f, `${name}=${value}\n`, { mode: 0o600 });
    try {
        (process as unknown as { loadEnvFile(p: string): void }).loadEnvFile(f);
    } finally {
        fs.rmSync(f, { force: true });
    }
    const seen = execFileSync("sh", ["-c", `printf %s "$${name}"`]).toString();
    if (seen !== value) throw new Error(`${name} is already set in this process's environment (${seen}); unset it to run the SoftHSM2 tests`);
}

/** A fresh token in its own directory; sets SOFTHSM2_CONF for this process (and children that inherit it). */
export function makeToken(label: string, pin: string): TestToken {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-softhsm-"));
    fs.mkdirSync(path.join(dir, "tokens"));
    const conf = path.join(dir, "softhsm2.conf");
    fs.writeFileSync(conf, `directories.tokendir = ${path.join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
    // The library in this process reads SOFTHSM2_CONF at C_Initialize: one path per worker process (the real
    // environment cannot be changed once set), rewritten for each token.
    const workerConf = path.join(os.tmpdir(), `kf-softhsm2-worker-${process.pid}.conf`);
    fs.copyFileSync(conf, workerConf);
    setRealEnv("SOFTHSM2_CONF", workerConf);
    execFileSync("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", `${pin}-so`], { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: "ignore" });
    const out = execFileSync("softhsm2-util", ["--show-slots"], { env: { ...process.env, SOFTHSM2_CONF: conf } }).toString();
    const serial = /Serial number:\s+(\S+)/.exec(out.split(`Label:            ${label}`)[0].split("Slot ").pop() ?? "")?.[1] ?? "";
    const withSession = <T>(f: (lib: any, session: Buffer, p11: any) => T): T => {
        const p11 = require("pkcs11js");
        const lib = new p11.PKCS11();
        lib.load(SOFTHSM_MODULE);
        lib.C_Initialize();
        try {
            const slot = lib.C_GetSlotList(true).find((s: Buffer) => lib.C_GetTokenInfo(s).label.trim() === label);
            const session = lib.C_OpenSession(slot, p11.CKF_SERIAL_SESSION | p11.CKF_RW_SESSION);
            lib.C_Login(session, p11.CKU_USER, pin);
            return f(lib, session, p11);
        } finally {
            lib.C_Finalize();
            lib.close();
        }
    };
    const remove = () => {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(workerConf, { force: true });
    };
    return { dir, conf, label, pin, serial, withSession, remove };
}

const EC_OID: Record<string, string> = { "P-256": "06082a8648ce3d030107", "P-384": "06052b81040022" };
const b64u = (s: string | undefined) => Buffer.from(s!, "base64url");

export interface KnownKey {
    readonly algorithm: Algorithm;
    /** What a plaintext source of this key would hold: raw bytes or PKCS#8 DER (for the leak scans and fingerprints). */
    readonly material: Buffer;
    readonly privateKey?: crypto.KeyObject;
}

/** Test-known material of each key type. */
export function knownMaterial(algorithm: Algorithm): KnownKey {
    if (algorithm === "AES_256" || algorithm === "HMAC_256") return { algorithm, material: crypto.randomBytes(32) };
    const privateKey = algorithm.startsWith("RSA_")
        ? crypto.generateKeyPairSync("rsa", { modulusLength: Number(algorithm.slice(4)) }).privateKey
        : crypto.generateKeyPairSync("ec", { namedCurve: algorithm === "EC_P256" ? "P-256" : "P-384" }).privateKey;
    return { algorithm, material: privateKey.export({ type: "pkcs8", format: "der" }), privateKey };
}

/**
 * Puts `key` in the token as a token object labelled `label` (CKA_ID = the label's bytes): sensitive and extractable
 * unless told otherwise, with the uses the proofs need; a pair's public key too.
 */
export function putKey(token: TestToken, label: string, key: KnownKey, attrs: { sensitive?: boolean; extractable?: boolean; keyType?: "aes-as-generic" } = {}): void {
    token.withSession((lib, s, p) => {
        const common = [
            { type: p.CKA_TOKEN, value: true },
            { type: p.CKA_LABEL, value: label },
            { type: p.CKA_ID, value: Buffer.from(label) },
        ];
        const secret = [...common, { type: p.CKA_PRIVATE, value: true }, { type: p.CKA_SENSITIVE, value: attrs.sensitive ?? true }, { type: p.CKA_EXTRACTABLE, value: attrs.extractable ?? true }];
        if (key.algorithm === "AES_256" || key.algorithm === "HMAC_256") {
            const aes = key.algorithm === "AES_256" && attrs.keyType !== "aes-as-generic";
            lib.C_CreateObject(s, [
                { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
                { type: p.CKA_KEY_TYPE, value: aes ? p.CKK_AES : p.CKK_GENERIC_SECRET },
                { type: p.CKA_VALUE, value: key.material },
                ...secret,
                ...(aes ? [{ type: p.CKA_ENCRYPT, value: true }, { type: p.CKA_DECRYPT, value: true }, { type: p.CKA_UNWRAP, value: true }] : [{ type: p.CKA_SIGN, value: true }, { type: p.CKA_VERIFY, value: true }]),
            ]);
            return;
        }
        const jwk = key.privateKey!.export({ format: "jwk" });
        if (jwk.kty === "RSA") {
            lib.C_CreateObject(s, [
                { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
                { type: p.CKA_KEY_TYPE, value: p.CKK_RSA },
                ...secret,
                { type: p.CKA_SIGN, value: true },
                { type: p.CKA_DECRYPT, value: true },
                ...(
                    [
                        [p.CKA_MODULUS, jwk.n],
                        [p.CKA_PUBLIC_EXPONENT, jwk.e],
                        [p.CKA_PRIVATE_EXPONENT, jwk.d],
                        [p.CKA_PRIME_1, jwk.p],
                        [p.CKA_PRIME_2, jwk.q],
                        [p.CKA_EXPONENT_1, jwk.dp],
                        [p.CKA_EXPONENT_2, jwk.dq],
                        [p.CKA_COEFFICIENT, jwk.qi],
                    ] as [number, string][]
                ).map(([type, v]) => ({ type, value: b64u(v) })),
            ]);
            lib.C_CreateObject(s, [{ type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY }, { type: p.CKA_KEY_TYPE, value: p.CKK_RSA }, ...common, { type: p.CKA_VERIFY, value: true }, { type: p.CKA_MODULUS, value: b64u(jwk.n) }, { type: p.CKA_PUBLIC_EXPONENT, value: b64u(jwk.e) }]);
            return;
        }
        const params = Buffer.from(EC_OID[jwk.crv!], "hex");
        lib.C_CreateObject(s, [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }, { type: p.CKA_KEY_TYPE, value: p.CKK_EC }, ...secret, { type: p.CKA_SIGN, value: true }, { type: p.CKA_EC_PARAMS, value: params }, { type: p.CKA_VALUE, value: b64u(jwk.d) }]);
        const point = Buffer.concat([Buffer.from([4]), b64u(jwk.x), b64u(jwk.y)]);
        lib.C_CreateObject(s, [{ type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY }, { type: p.CKA_KEY_TYPE, value: p.CKK_EC }, ...common, { type: p.CKA_VERIFY, value: true }, { type: p.CKA_EC_PARAMS, value: params }, { type: p.CKA_EC_POINT, value: Buffer.concat([Buffer.from([4, point.length]), point]) }]);
    });
}

/** The token object of class `cls` ("secret", "private", "public") labelled `label`. */
function find(lib: any, s: Buffer, p: any, label: string, cls: "secret" | "private" | "public"): Buffer {
    const c = cls === "secret" ? p.CKO_SECRET_KEY : cls === "private" ? p.CKO_PRIVATE_KEY : p.CKO_PUBLIC_KEY;
    lib.C_FindObjectsInit(s, [{ type: p.CKA_CLASS, value: c }, { type: p.CKA_LABEL, value: label }]);
    const h = lib.C_FindObjects(s, 2);
    lib.C_FindObjectsFinal(s);
    if (h.length !== 1) throw new Error(`${h.length} ${cls} objects labelled ${label}`);
    return h[0];
}

/** Verifies in the token with the public key of `label`: RSA PKCS#1 v1.5 SHA-256 over `data`, or ECDSA (raw r||s) over `digest`. */
export function tokenVerify(token: TestToken, label: string, mechanism: "rsa-pkcs1-sha256" | "ecdsa", data: Buffer, signature: Buffer): boolean {
    return token.withSession((lib, s, p) => {
        lib.C_VerifyInit(s, { mechanism: mechanism === "ecdsa" ? p.CKM_ECDSA : p.CKM_SHA256_RSA_PKCS }, find(lib, s, p, label, "public"));
        return lib.C_Verify(s, data, signature);
    });
}

/** Signs in the token with the private key of `label` (RSA PKCS#1 v1.5 SHA-256 over data, or ECDSA raw over a digest). */
export function tokenSign(token: TestToken, label: string, mechanism: "rsa-pkcs1-sha256" | "ecdsa", data: Buffer): Buffer {
    return token.withSession((lib, s, p) => {
        lib.C_SignInit(s, { mechanism: mechanism === "ecdsa" ? p.CKM_ECDSA : p.CKM_SHA256_RSA_PKCS }, find(lib, s, p, label, "private"));
        return Buffer.from(lib.C_Sign(s, data, Buffer.alloc(1024)));
    });
}

/** HMAC-SHA-256 of `data` computed in the token with the secret key `label`. */
export function tokenHmac(token: TestToken, label: string, data: Buffer): Buffer {
    return token.withSession((lib, s, p) => {
        lib.C_SignInit(s, { mechanism: p.CKM_SHA256_HMAC }, find(lib, s, p, label, "secret"));
        return Buffer.from(lib.C_Sign(s, data, Buffer.alloc(32)));
    });
}

/** AES-256-GCM decryption in the token with the secret key `label` (`ct` without its tag). */
export function tokenGcmDecrypt(token: TestToken, label: string, iv: Buffer, aad: Buffer, ct: Buffer, tag: Buffer): Buffer {
    return token.withSession((lib, s, p) => {
        lib.C_DecryptInit(s, { mechanism: p.CKM_AES_GCM, parameter: { type: p.CK_PARAMS_AES_GCM, iv, aad, ivBits: iv.length * 8, tagBits: 128 } }, find(lib, s, p, label, "secret"));
        return Buffer.from(lib.C_Decrypt(s, Buffer.concat([ct, tag]), Buffer.alloc(ct.length + 64)));
    });
}

/** AES key unwrap (RFC 3394) in the token with the secret key `label`, into a session key whose value is read back. */
export function tokenAesUnwrap(token: TestToken, label: string, wrapped: Buffer): Buffer {
    return token.withSession((lib, s, p) => {
        const k = lib.C_UnwrapKey(s, { mechanism: p.CKM_AES_KEY_WRAP }, find(lib, s, p, label, "secret"), wrapped, [
            { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
            { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
            { type: p.CKA_TOKEN, value: false },
            { type: p.CKA_SENSITIVE, value: false },
            { type: p.CKA_EXTRACTABLE, value: true },
        ]);
        return Buffer.from(lib.C_GetAttributeValue(s, k, [{ type: p.CKA_VALUE }])[0].value);
    });
}

/** DER ECDSA signature to raw r||s of `size` bytes each. */
export function derToRaw(der: Buffer, size: number): Buffer {
    let i = 2;
    if (der[1] & 0x80) i += der[1] & 0x7f;
    const int = () => {
        if (der[i] !== 0x02) throw new Error("not a DER INTEGER");
        const len = der[i + 1];
        let v = der.subarray(i + 2, i + 2 + len);
        i += 2 + len;
        while (v.length > size && v[0] === 0) v = v.subarray(1);
        return Buffer.concat([Buffer.alloc(size - v.length), v]);
    };
    return Buffer.concat([int(), int()]);
}
