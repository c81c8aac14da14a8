/**
 * Signatures over a precomputed digest, with Node's crypto only. `crypto.sign` always hashes its input, so the
 * encoding is done here and only the private-key operation is left to Node:
 * - RSASSA-PKCS1-v1_5: the DER DigestInfo (RFC 8017 §9.2) through `privateEncrypt` with PKCS#1 type-1 padding;
 * - RSASSA-PSS: EMSA-PSS (RFC 8017 §9.1; salt length = hash length, MGF1 with the same hash) through a raw RSA
 *   operation;
 * - ECDSA (FIPS 186-5 §6.4): the leftmost bits of the digest, a random k, k·G through ECDH with k as the private
 *   scalar, the rest (and all of verification) in BigInt arithmetic; signatures DER `SEQUENCE { r, s }` or `r ‖ s`
 *   (IEEE P1363, JWS).
 * Shared by the AWS KMS (`MessageType: DIGEST`), Cloud KMS and Key Vault emulators. Not constant-time: for emulators
 * and tests, not for protecting real keys.
 */
import * as crypto from "crypto";

export type DigestHash = "sha224" | "sha256" | "sha384" | "sha512";
export type DigestScheme = "pkcs1" | "pss" | "ecdsa";

export interface DigestAlgorithm {
    readonly scheme: DigestScheme;
    readonly hash: DigestHash;
}

export interface DigestSignatureOptions {
    /** ECDSA signatures as DER `SEQUENCE { INTEGER r, INTEGER s }` (default) or `r ‖ s`, each the byte length of n. */
    readonly ecdsaEncoding?: "der" | "p1363";
    /**
     * PSS verification: the salt must be as long as the hash (default), or any length, recovered from the encoding.
     * Signing always uses a salt as long as the hash.
     */
    readonly pssSaltLength?: "hash" | "recover";
}

/** Raised for a caller's mistake (digest length, key type, key size), never for a signature that does not verify. */
export class DigestSignatureError extends Error {
    constructor(
        readonly code: "digest-length" | "key-type" | "key-size",
        message: string,
    ) {
        super(message);
        this.name = "DigestSignatureError";
    }
}

const DIGEST_BYTES: Record<DigestHash, number> = { sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** Byte length of a digest of `hash`. */
export function digestLength(hash: DigestHash): number {
    return DIGEST_BYTES[hash];
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1); the digest follows. */
export const DIGEST_INFO_PREFIX: Readonly<Record<DigestHash, Buffer>> = {
    sha224: Buffer.from("302d300d06096086480165030402040500041c", "hex"),
    sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
    sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
    sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

/** Signs `digest` (the hash of the message under `algorithm.hash`) with a private key. */
export function signDigest(privateKey: crypto.KeyObject, algorithm: DigestAlgorithm, digest: Buffer, options: DigestSignatureOptions = {}): Buffer {
    checkDigest(algorithm.hash, digest);
    if (privateKey.type !== "private") throw new DigestSignatureError("key-type", `signing needs a private key (got a ${privateKey.type} key)`);
    switch (algorithm.scheme) {
        case "pkcs1":
            rsaModulusBits(privateKey);
            return crypto.privateEncrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_PREFIX[algorithm.hash], digest]));
        case "pss": {
            const bits = rsaModulusBits(privateKey);
            const em = pssEncode(algorithm.hash, digest, bits - 1);
            return crypto.privateEncrypt({ key: privateKey, padding: crypto.constants.RSA_NO_PADDING }, leftPad(em, Math.ceil(bits / 8)));
        }
        case "ecdsa": {
            const [r, s] = ecdsaSign(privateKey, digest);
            const c = curveOf(privateKey);
            return options.ecdsaEncoding === "p1363" ? Buffer.concat([toBytes(r, c.size), toBytes(s, c.size)]) : derSignature(r, s);
        }
    }
}

/**
 * Whether `signature` is valid for `digest` under a public (or private) key. False for any signature that does not
 * verify or is malformed; throws `DigestSignatureError` for a digest of the wrong length or a key of the wrong type.
 */
export function verifyDigest(key: crypto.KeyObject, algorithm: DigestAlgorithm, digest: Buffer, signature: Buffer, options: DigestSignatureOptions = {}): boolean {
    checkDigest(algorithm.hash, digest);
    const publicKey = key.type === "private" ? crypto.createPublicKey(key) : key;
    if (algorithm.scheme === "ecdsa") {
        const c = curveOf(publicKey);
        const parsed = options.ecdsaEncoding === "p1363" ? parseP1363(c, signature) : parseDerSignature(signature);
        return parsed !== undefined && ecdsaVerify(c, publicKey, digest, parsed[0], parsed[1]);
    }
    const bits = rsaModulusBits(publicKey);
    const k = Math.ceil(bits / 8);
    if (signature.length !== k) return false;
    try {
        if (algorithm.scheme === "pkcs1") {
            const decoded = crypto.publicDecrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
            const expected = Buffer.concat([DIGEST_INFO_PREFIX[algorithm.hash], digest]);
            return decoded.length === expected.length && crypto.timingSafeEqual(decoded, expected);
        }
        const raw = crypto.publicDecrypt({ key: publicKey, padding: crypto.constants.RSA_NO_PADDING }, signature);
        return pssVerify(algorithm.hash, digest, raw, bits - 1, options.pssSaltLength === "recover");
    } catch {
        return false;
    }
}

function checkDigest(hash: DigestHash, digest: Buffer): void {
    const expected = DIGEST_BYTES[hash];
    if (expected === undefined) throw new DigestSignatureError("digest-length", `unsupported hash ${hash}`);
    if (digest.length !== expected) throw new DigestSignatureError("digest-length", `a ${hash} digest is ${expected} bytes (got ${digest.length})`);
}

function rsaModulusBits(key: crypto.KeyObject): number {
    const bits = key.asymmetricKeyType === "rsa" ? key.asymmetricKeyDetails?.modulusLength : undefined;
    if (!bits) throw new DigestSignatureError("key-type", `an RSA signature needs an RSA key (got ${key.asymmetricKeyType ?? key.type})`);
    return bits;
}

function leftPad(b: Buffer, len: number): Buffer {
    return b.length >= len ? b : Buffer.concat([Buffer.alloc(len - b.length), b]);
}

const toBig = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt(`0x${b.toString("hex")}`));

function toBytes(v: bigint, length: number): Buffer {
    return Buffer.from(v.toString(16).padStart(length * 2, "0"), "hex");
}

// ---------------------------------------------------------------------------------------------------------------
// EMSA-PSS (RFC 8017 §9.1)

function mgf1(hash: DigestHash, seed: Buffer, length: number): Buffer {
    const parts: Buffer[] = [];
    let total = 0;
    for (let counter = 0; total < length; counter++) {
        const c = Buffer.alloc(4);
        c.writeUInt32BE(counter);
        const block = crypto.createHash(hash).update(seed).update(c).digest();
        parts.push(block);
        total += block.length;
    }
    return Buffer.concat(parts).subarray(0, length);
}

const pssHash = (hash: DigestHash, mHash: Buffer, salt: Buffer) => crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();

/** EMSA-PSS-ENCODE (§9.1.1) with sLen = hLen. */
function pssEncode(hash: DigestHash, mHash: Buffer, emBits: number): Buffer {
    const hLen = mHash.length;
    const sLen = hLen;
    const emLen = Math.ceil(emBits / 8);
    if (emLen < hLen + sLen + 2) throw new DigestSignatureError("key-size", `the RSA key is too small for PSS with ${hash}`);
    const salt = crypto.randomBytes(sLen);
    const h = pssHash(hash, mHash, salt);
    const db = Buffer.concat([Buffer.alloc(emLen - sLen - hLen - 2), Buffer.from([0x01]), salt]);
    const mask = mgf1(hash, h, emLen - hLen - 1);
    for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
    db[0] &= 0xff >> (8 * emLen - emBits);
    return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/**
 * EMSA-PSS-VERIFY (§9.1.2) over the k-byte output of the raw RSA operation: sLen = hLen, or, with `recover`, the
 * salt is whatever follows the first non-zero byte of DB (which must be 0x01).
 */
function pssVerify(hash: DigestHash, mHash: Buffer, encoded: Buffer, emBits: number, recover: boolean): boolean {
    const hLen = mHash.length;
    const emLen = Math.ceil(emBits / 8);
    // Any bytes in front of the emLen-byte EM must be zero.
    if (encoded.length < emLen || encoded.subarray(0, encoded.length - emLen).some((b) => b !== 0)) return false;
    const em = encoded.subarray(encoded.length - emLen);
    if (emLen < hLen + (recover ? 0 : hLen) + 2 || em[emLen - 1] !== 0xbc) return false;
    const maskedDb = em.subarray(0, emLen - hLen - 1);
    const h = em.subarray(emLen - hLen - 1, emLen - 1);
    const topMask = 0xff >> (8 * emLen - emBits);
    if ((maskedDb[0] & ~topMask & 0xff) !== 0) return false;
    const db = mgf1(hash, h, maskedDb.length);
    for (let i = 0; i < db.length; i++) db[i] ^= maskedDb[i];
    db[0] &= topMask;
    const one = recover ? db.findIndex((b) => b !== 0) : emLen - 2 * hLen - 2;
    if (one < 0 || db[one] !== 0x01 || db.subarray(0, one).some((b) => b !== 0)) return false;
    return crypto.timingSafeEqual(h, pssHash(hash, mHash, db.subarray(one + 1)));
}

// ---------------------------------------------------------------------------------------------------------------
// ECDSA (FIPS 186-5 §6.4) over a digest; points in Jacobian coordinates.

interface Curve {
    /** OpenSSL name, for ECDH. */
    readonly name: string;
    readonly p: bigint;
    readonly a: bigint;
    readonly n: bigint;
    readonly g: Point;
    readonly nBits: number;
    /** Byte length of n: of the scalars k, r, s. */
    readonly size: number;
}
/** Jacobian (X, Y, Z); Z = 0 is the point at infinity. */
type Point = readonly [bigint, bigint, bigint];
const INFINITY: Point = [0n, 1n, 0n];

/** SEC 2 / FIPS 186-5 domain parameters (a is p - 3 for the NIST curves, 0 for secp256k1), by OpenSSL name. */
const CURVE_PARAMS: Record<string, { p: string; a: "p-3" | "0"; n: string; gx: string; gy: string }> = {
    prime256v1: {
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        a: "p-3",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        gx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        gy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    },
    secp384r1: {
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        a: "p-3",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        gx: "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
        gy: "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
    },
    secp521r1: {
        p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        a: "p-3",
        n: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        gx: "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
        gy: "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
    },
    secp256k1: {
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
        a: "0",
        n: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        gx: "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        gy: "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
    },
};

const curves = new Map<string, Curve>();

function curveOf(key: crypto.KeyObject): Curve {
    const name = key.asymmetricKeyType === "ec" ? key.asymmetricKeyDetails?.namedCurve : undefined;
    if (!name) throw new DigestSignatureError("key-type", `an ECDSA signature needs an EC key (got ${key.asymmetricKeyType ?? key.type})`);
    let c = curves.get(name);
    if (c) return c;
    const params = CURVE_PARAMS[name];
    if (!params) throw new DigestSignatureError("key-type", `unsupported curve ${name}`);
    const p = BigInt(`0x${params.p}`);
    const n = BigInt(`0x${params.n}`);
    const nBits = n.toString(2).length;
    c = { name, p, a: params.a === "0" ? 0n : p - 3n, n, g: [BigInt(`0x${params.gx}`), BigInt(`0x${params.gy}`), 1n], nBits, size: Math.ceil(nBits / 8) };
    curves.set(name, c);
    return c;
}

function mod(x: bigint, m: bigint): bigint {
    const r = x % m;
    return r < 0n ? r + m : r;
}

function inv(x: bigint, m: bigint): bigint {
    let [a, b, u, v] = [mod(x, m), m, 1n, 0n];
    while (b !== 0n) {
        const q = a / b;
        [a, b] = [b, a - q * b];
        [u, v] = [v, u - q * v];
    }
    if (a !== 1n) throw new Error("not invertible");
    return mod(u, m);
}

function double(c: Curve, [x, y, z]: Point): Point {
    const { p } = c;
    if (z === 0n || y === 0n) return INFINITY;
    const yy = mod(y * y, p);
    const s = mod(4n * x * yy, p);
    const zz = mod(z * z, p);
    const m = mod(3n * x * x + c.a * zz * zz, p);
    const x3 = mod(m * m - 2n * s, p);
    const y3 = mod(m * (s - x3) - 8n * yy * yy, p);
    return [x3, y3, mod(2n * y * z, p)];
}

function add(c: Curve, a: Point, b: Point): Point {
    const { p } = c;
    if (a[2] === 0n) return b;
    if (b[2] === 0n) return a;
    const z1z1 = mod(a[2] * a[2], p);
    const z2z2 = mod(b[2] * b[2], p);
    const u1 = mod(a[0] * z2z2, p);
    const u2 = mod(b[0] * z1z1, p);
    const s1 = mod(a[1] * z2z2 * b[2], p);
    const s2 = mod(b[1] * z1z1 * a[2], p);
    if (u1 === u2) return s1 === s2 ? double(c, a) : INFINITY;
    const h = mod(u2 - u1, p);
    const r = mod(s2 - s1, p);
    const hh = mod(h * h, p);
    const hhh = mod(hh * h, p);
    const x3 = mod(r * r - hhh - 2n * u1 * hh, p);
    const y3 = mod(r * (u1 * hh - x3) - s1 * hhh, p);
    return [x3, y3, mod(h * a[2] * b[2], p)];
}

/** u1·P + u2·Q (Shamir's trick). */
function doubleMultiply(c: Curve, u1: bigint, P: Point, u2: bigint, Q: Point): Point {
    const PQ = add(c, P, Q);
    let result = INFINITY;
    for (let i = BigInt(Math.max(u1.toString(2).length, u2.toString(2).length) - 1); i >= 0n; i--) {
        result = double(c, result);
        const b1 = (u1 >> i) & 1n;
        const b2 = (u2 >> i) & 1n;
        if (b1 && b2) result = add(c, result, PQ);
        else if (b1) result = add(c, result, P);
        else if (b2) result = add(c, result, Q);
    }
    return result;
}

/** The leftmost nBits of the digest as an integer (FIPS 186-5 §6.4.1 step 3). */
function digestToInt(c: Curve, digest: Buffer): bigint {
    const e = toBig(digest);
    const extra = digest.length * 8 - c.nBits;
    return extra > 0 ? e >> BigInt(extra) : e;
}

function ecdsaSign(privateKey: crypto.KeyObject, digest: Buffer): [bigint, bigint] {
    const c = curveOf(privateKey);
    const d = toBig(Buffer.from(privateKey.export({ format: "jwk" }).d as string, "base64url"));
    const e = digestToInt(c, digest);
    for (;;) {
        // k uniform in [1, n-1] (64 extra random bits make the bias of the reduction negligible).
        const k = mod(toBig(crypto.randomBytes(c.size + 8)), c.n - 1n) + 1n;
        const ecdh = crypto.createECDH(c.name);
        ecdh.setPrivateKey(toBytes(k, c.size));
        const kG = ecdh.getPublicKey(); // 04 ‖ x ‖ y
        const r = mod(toBig(kG.subarray(1, 1 + (kG.length - 1) / 2)), c.n);
        if (r === 0n) continue;
        const s = mod(inv(k, c.n) * (e + r * d), c.n);
        if (s === 0n) continue;
        return [r, s];
    }
}

function ecdsaVerify(c: Curve, publicKey: crypto.KeyObject, digest: Buffer, r: bigint, s: bigint): boolean {
    if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
    const jwk = publicKey.export({ format: "jwk" });
    const q: Point = [toBig(Buffer.from(jwk.x as string, "base64url")), toBig(Buffer.from(jwk.y as string, "base64url")), 1n];
    const w = inv(s, c.n);
    const [x, , z] = doubleMultiply(c, mod(digestToInt(c, digest) * w, c.n), c.g, mod(r * w, c.n), q);
    if (z === 0n) return false;
    const zi = inv(z, c.p);
    return mod(mod(x * zi * zi, c.p), c.n) === r;
}

// ---------------------------------------------------------------------------------------------------------------
// Signature encodings

function parseP1363(c: Curve, sig: Buffer): [bigint, bigint] | undefined {
    if (sig.length !== 2 * c.size) return undefined;
    return [toBig(sig.subarray(0, c.size)), toBig(sig.subarray(c.size))];
}

function derLength(n: number): Buffer {
    if (n < 0x80) return Buffer.from([n]);
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(v: bigint): Buffer {
    let hex = v.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let body = Buffer.from(hex, "hex");
    if (body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

function derSignature(r: bigint, s: bigint): Buffer {
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` with nothing after it; undefined if malformed. */
function parseDerSignature(sig: Buffer): [bigint, bigint] | undefined {
    let pos = 0;
    const readLength = (): number | undefined => {
        if (pos >= sig.length) return undefined;
        const first = sig[pos++];
        if (first < 0x80) return first;
        const count = first & 0x7f;
        if (count === 0 || count > 2 || pos + count > sig.length) return undefined;
        let len = 0;
        for (let i = 0; i < count; i++) len = (len << 8) | sig[pos++];
        return len;
    };
    const readInteger = (): bigint | undefined => {
        if (sig[pos++] !== 0x02) return undefined;
        const len = readLength();
        if (len === undefined || len === 0 || pos + len > sig.length) return undefined;
        const v = toBig(sig.subarray(pos, pos + len));
        pos += len;
        return v;
    };
    if (sig[pos++] !== 0x30) return undefined;
    const total = readLength();
    if (total === undefined || pos + total !== sig.length) return undefined;
    const r = readInteger();
    const s = readInteger();
    if (r === undefined || s === undefined || pos !== sig.length) return undefined;
    return [r, s];
}
