/**
 * Sign and Verify as AWS KMS does them. `MessageType: RAW` uses Node's `crypto.sign`/`crypto.verify`;
 * `MessageType: DIGEST` needs signing a precomputed digest, which Node's API does not offer, so it is done here:
 * RSASSA-PKCS1-v1_5 with an explicit DigestInfo, RSASSA-PSS with EMSA-PSS (RFC 8017 §9.1, salt = hash length,
 * MGF1 with the same hash) over a raw RSA operation, and ECDSA with BigInt curve arithmetic.
 * ECDSA signatures are DER `SEQUENCE { r, s }`, like AWS.
 */
import * as crypto from "crypto";
import { SIGNING, type HashName, type SigningAlgorithm } from "./specs";

export type MessageType = "RAW" | "DIGEST";

export function sign(privateKey: crypto.KeyObject, algorithm: SigningAlgorithm, message: Buffer, messageType: MessageType): Buffer {
    const { scheme, hash } = SIGNING[algorithm];
    if (messageType === "RAW") {
        if (scheme === "ecdsa") return crypto.sign(hash, message, { key: privateKey, dsaEncoding: "der" });
        return crypto.sign(hash, message, rsaOptions(privateKey, scheme));
    }
    switch (scheme) {
        case "pkcs1":
            return crypto.privateEncrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash], message]));
        case "pss": {
            const bits = modulusBits(privateKey);
            const em = pssEncode(hash, message, bits - 1);
            return crypto.privateEncrypt({ key: privateKey, padding: crypto.constants.RSA_NO_PADDING }, leftPad(em, Math.ceil(bits / 8)));
        }
        case "ecdsa":
            return ecdsaSignDigest(privateKey, message);
    }
}

export function verify(publicKey: crypto.KeyObject, algorithm: SigningAlgorithm, message: Buffer, messageType: MessageType, signature: Buffer): boolean {
    const { scheme, hash } = SIGNING[algorithm];
    try {
        if (messageType === "RAW") {
            if (scheme === "ecdsa") return crypto.verify(hash, message, { key: publicKey, dsaEncoding: "der" }, signature);
            return crypto.verify(hash, message, rsaOptions(publicKey, scheme), signature);
        }
        const k = Math.ceil(modulusBitsOrZero(publicKey) / 8);
        switch (scheme) {
            case "pkcs1": {
                if (signature.length !== k) return false;
                const decoded = crypto.publicDecrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
                const expected = Buffer.concat([DIGEST_INFO[hash], message]);
                return decoded.length === expected.length && crypto.timingSafeEqual(decoded, expected);
            }
            case "pss": {
                if (signature.length !== k) return false;
                const em = crypto.publicDecrypt({ key: publicKey, padding: crypto.constants.RSA_NO_PADDING }, signature);
                return pssVerify(hash, message, em, modulusBits(publicKey) - 1);
            }
            case "ecdsa":
                return ecdsaVerifyDigest(publicKey, message, signature);
        }
    } catch {
        return false;
    }
}

function rsaOptions(key: crypto.KeyObject, scheme: "pkcs1" | "pss"): crypto.SignKeyObjectInput & crypto.VerifyKeyObjectInput {
    return scheme === "pss"
        ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }
        : { key, padding: crypto.constants.RSA_PKCS1_PADDING };
}

function modulusBits(key: crypto.KeyObject): number {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (!bits) throw new Error("not an RSA key");
    return bits;
}

function modulusBitsOrZero(key: crypto.KeyObject): number {
    return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

function leftPad(b: Buffer, len: number): Buffer {
    return b.length >= len ? b : Buffer.concat([Buffer.alloc(len - b.length), b]);
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Record<HashName, Buffer> = {
    sha224: Buffer.from("302d300d06096086480165030402040500041c", "hex"),
    sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
    sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
    sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

// ---------------------------------------------------------------------------------------------------------------
// EMSA-PSS (RFC 8017 §9.1)

function mgf1(hash: HashName, seed: Buffer, length: number): Buffer {
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

function pssEncode(hash: HashName, mHash: Buffer, emBits: number): Buffer {
    const hLen = mHash.length;
    const sLen = hLen;
    const emLen = Math.ceil(emBits / 8);
    if (emLen < hLen + sLen + 2) throw new Error("encoding error");
    const salt = crypto.randomBytes(sLen);
    const h = crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
    const db = Buffer.concat([Buffer.alloc(emLen - sLen - hLen - 2), Buffer.from([0x01]), salt]);
    const mask = mgf1(hash, h, emLen - hLen - 1);
    for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
    db[0] &= 0xff >> (8 * emLen - emBits);
    return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

function pssVerify(hash: HashName, mHash: Buffer, encoded: Buffer, emBits: number): boolean {
    const hLen = mHash.length;
    const sLen = hLen;
    const emLen = Math.ceil(emBits / 8);
    // The raw RSA output is k bytes; any bytes in front of the emLen-byte EM must be zero.
    const lead = encoded.subarray(0, encoded.length - emLen);
    if (lead.some((b) => b !== 0)) return false;
    const em = encoded.subarray(encoded.length - emLen);
    if (emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
    const maskedDb = em.subarray(0, emLen - hLen - 1);
    const h = em.subarray(emLen - hLen - 1, emLen - 1);
    const topMask = 0xff >> (8 * emLen - emBits);
    if ((maskedDb[0] & ~topMask & 0xff) !== 0) return false;
    const db = mgf1(hash, h, emLen - hLen - 1);
    for (let i = 0; i < db.length; i++) db[i] ^= maskedDb[i];
    db[0] &= topMask;
    const psLen = emLen - hLen - sLen - 2;
    for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
    if (db[psLen] !== 0x01) return false;
    const salt = db.subarray(db.length - sLen);
    const h2 = crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
    return crypto.timingSafeEqual(h, h2);
}

// ---------------------------------------------------------------------------------------------------------------
// ECDSA over a given digest (FIPS 186-5 §6.4), Jacobian coordinates.

interface Curve {
    readonly p: bigint;
    readonly a: bigint;
    readonly n: bigint;
    readonly g: Point;
    readonly nBits: number;
}
/** Jacobian (X, Y, Z); Z = 0 is the point at infinity. */
type Point = readonly [bigint, bigint, bigint];

const CURVE_PARAMS: Record<string, { p: string; a: "p-3" | "0"; n: string }> = {
    prime256v1: {
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        a: "p-3",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    },
    secp384r1: {
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        a: "p-3",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    },
    secp521r1: {
        p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        a: "p-3",
        n: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    },
    secp256k1: {
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
        a: "0",
        n: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
    },
};

const curves = new Map<string, Curve>();

function curveOf(name: string): Curve {
    let c = curves.get(name);
    if (c) return c;
    const params = CURVE_PARAMS[name];
    if (!params) throw new Error(`unsupported curve ${name}`);
    const p = BigInt(`0x${params.p}`);
    const n = BigInt(`0x${params.n}`);
    // The generator, from OpenSSL itself: the public key of private key 1.
    const ecdh = crypto.createECDH(name);
    const one = Buffer.alloc(Math.ceil(n.toString(2).length / 8));
    one[one.length - 1] = 1;
    ecdh.setPrivateKey(one);
    const g = ecdh.getPublicKey();
    const len = (g.length - 1) / 2;
    c = {
        p,
        a: params.a === "0" ? 0n : p - 3n,
        n,
        g: [toBig(g.subarray(1, 1 + len)), toBig(g.subarray(1 + len)), 1n],
        nBits: n.toString(2).length,
    };
    curves.set(name, c);
    return c;
}

const toBig = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt(`0x${b.toString("hex")}`));

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
    if (z === 0n || y === 0n) return [0n, 1n, 0n];
    const yy = mod(y * y, p);
    const s = mod(4n * x * yy, p);
    const zz = mod(z * z, p);
    const m = mod(3n * x * x + c.a * zz * zz, p);
    const x3 = mod(m * m - 2n * s, p);
    const y3 = mod(m * (s - x3) - 8n * yy * yy, p);
    const z3 = mod(2n * y * z, p);
    return [x3, y3, z3];
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
    if (u1 === u2) return s1 === s2 ? double(c, a) : [0n, 1n, 0n];
    const h = mod(u2 - u1, p);
    const r = mod(s2 - s1, p);
    const hh = mod(h * h, p);
    const hhh = mod(hh * h, p);
    const x3 = mod(r * r - hhh - 2n * u1 * hh, p);
    const y3 = mod(r * (u1 * hh - x3) - s1 * hhh, p);
    const z3 = mod(h * a[2] * b[2], p);
    return [x3, y3, z3];
}

function multiply(c: Curve, k: bigint, point: Point): Point {
    let result: Point = [0n, 1n, 0n];
    for (const bit of k.toString(2)) {
        result = double(c, result);
        if (bit === "1") result = add(c, result, point);
    }
    return result;
}

function affineX(c: Curve, [x, , z]: Point): bigint {
    const zi = inv(z, c.p);
    return mod(x * zi * zi, c.p);
}

/** The leftmost nBits of the digest as an integer (FIPS 186-5 §6.4.1 step 2). */
function digestToInt(c: Curve, digest: Buffer): bigint {
    const e = toBig(digest);
    const extra = digest.length * 8 - c.nBits;
    return extra > 0 ? e >> BigInt(extra) : e;
}

function ecKeyParts(key: crypto.KeyObject): { curve: Curve; jwk: crypto.JsonWebKey } {
    const name = key.asymmetricKeyDetails?.namedCurve;
    if (!name) throw new Error("not an EC key");
    return { curve: curveOf(name), jwk: key.export({ format: "jwk" }) };
}

function ecdsaSignDigest(privateKey: crypto.KeyObject, digest: Buffer): Buffer {
    const { curve: c, jwk } = ecKeyParts(privateKey);
    const d = toBig(Buffer.from(jwk.d as string, "base64url"));
    const e = digestToInt(c, digest);
    const nBytes = Math.ceil(c.nBits / 8);
    for (;;) {
        const k = mod(toBig(crypto.randomBytes(nBytes + 16)), c.n - 1n) + 1n;
        const r = mod(affineX(c, multiply(c, k, c.g)), c.n);
        if (r === 0n) continue;
        const s = mod(inv(k, c.n) * (e + r * d), c.n);
        if (s === 0n) continue;
        return derSignature(r, s);
    }
}

function ecdsaVerifyDigest(publicKey: crypto.KeyObject, digest: Buffer, signature: Buffer): boolean {
    const { curve: c, jwk } = ecKeyParts(publicKey);
    const parsed = parseDerSignature(signature);
    if (!parsed) return false;
    const [r, s] = parsed;
    if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
    const q: Point = [toBig(Buffer.from(jwk.x as string, "base64url")), toBig(Buffer.from(jwk.y as string, "base64url")), 1n];
    const w = inv(s, c.n);
    const u1 = mod(digestToInt(c, digest) * w, c.n);
    const u2 = mod(r * w, c.n);
    const x = add(c, multiply(c, u1, c.g), multiply(c, u2, q));
    if (x[2] === 0n) return false;
    return mod(affineX(c, x), c.n) === r;
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

/** Strict enough DER `SEQUENCE { INTEGER r, INTEGER s }`; undefined if malformed. */
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
