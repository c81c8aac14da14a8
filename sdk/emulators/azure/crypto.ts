/**
 * The cryptography of the Azure Key Vault emulator, with Node's `crypto` only: key generation, public JWKs, and the
 * six key operations (encrypt, decrypt, wrapKey, unwrapKey, sign, verify) with the JWA algorithm names Key Vault uses.
 *
 * Key Vault's `sign` and `verify` take a precomputed digest, which Node's `crypto.sign` does not offer, so they are
 * done here: RSASSA-PKCS1-v1_5 with an explicit DigestInfo over `privateEncrypt`, RSASSA-PSS with EMSA-PSS
 * (RFC 8017 §9.1, salt = hash length, MGF1 with the same hash) over a raw RSA operation, and ECDSA with BigInt curve
 * arithmetic; ECDSA signatures are `r ‖ s` (IEEE P1363), as Key Vault returns them. RSA1_5 decryption is unpadded by
 * hand because Node 20 refuses `RSA_PKCS1_PADDING` for private decryption.
 * Error messages never carry key material.
 */
import * as crypto from "crypto";
import { aesKwpUnwrap, aesKwpWrap, aesKwUnwrap, aesKwWrap, UnwrapError } from "../../crypto/keywrap";

/** Key Vault's curve names. */
export type AzureCurve = "P-256" | "P-384" | "P-521" | "P-256K";
export const AZURE_CURVES: readonly AzureCurve[] = ["P-256", "P-384", "P-521", "P-256K"];

/** Node (OpenSSL) curve names. */
const NODE_CURVE: Record<AzureCurve, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", "P-256K": "secp256k1" };
/** `checkMaterial` curve names. */
export const MATERIAL_CURVE: Record<AzureCurve, "P-256" | "P-384" | "P-521" | "secp256k1"> = { "P-256": "P-256", "P-384": "P-384", "P-521": "P-521", "P-256K": "secp256k1" };

export function curveOfKey(key: crypto.KeyObject): AzureCurve | undefined {
    const named = key.asymmetricKeyDetails?.namedCurve;
    return AZURE_CURVES.find((c) => NODE_CURVE[c] === named);
}

/** Parses the JWK `crv` member: Key Vault's names, plus `secp256k1` as Node writes it. */
export function parseCurve(crv: unknown): AzureCurve | undefined {
    if (crv === "secp256k1") return "P-256K";
    return AZURE_CURVES.find((c) => c === crv);
}

/** Private key material as the emulator holds it. */
export type Material = { readonly type: "rsa"; readonly key: crypto.KeyObject } | { readonly type: "ec"; readonly key: crypto.KeyObject; readonly curve: AzureCurve } | { readonly type: "oct"; readonly bytes: Buffer };

export async function generateRsa(bits: number): Promise<Material> {
    const key = await new Promise<crypto.KeyObject>((resolve, reject) =>
        crypto.generateKeyPair("rsa", { modulusLength: bits, publicExponent: 0x10001 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
    );
    return { type: "rsa", key };
}

export function generateEc(curve: AzureCurve): Material {
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: NODE_CURVE[curve] });
    return { type: "ec", key: privateKey, curve };
}

export function generateOct(bits: number): Material {
    return { type: "oct", bytes: crypto.randomBytes(bits / 8) };
}

/** Size in bits (RSA modulus, AES key) or undefined for EC. */
export function materialSize(m: Material): number | undefined {
    if (m.type === "rsa") return m.key.asymmetricKeyDetails?.modulusLength;
    if (m.type === "oct") return m.bytes.length * 8;
    return undefined;
}

/** The public members of the JWK (base64url), never private ones. Symmetric keys have none. */
export function publicJwkMembers(m: Material): Record<string, string> {
    if (m.type === "oct") return {};
    const jwk = crypto.createPublicKey(m.key).export({ format: "jwk" }) as Record<string, string>;
    if (m.type === "rsa") return { n: jwk.n, e: jwk.e };
    return { crv: m.curve, x: jwk.x, y: jwk.y };
}

/** Material to and from the snapshot (test-only state of the emulator itself). */
export function exportMaterial(m: Material): { pkcs8?: string; raw?: string } {
    if (m.type === "oct") return { raw: m.bytes.toString("base64") };
    return { pkcs8: (m.key.export({ format: "der", type: "pkcs8" }) as Buffer).toString("base64") };
}

export function importMaterial(s: { pkcs8?: string; raw?: string }): Material {
    if (typeof s.raw === "string") return { type: "oct", bytes: Buffer.from(s.raw, "base64") };
    if (typeof s.pkcs8 !== "string") throw new Error("key material must have pkcs8 or raw");
    const key = crypto.createPrivateKey({ key: Buffer.from(s.pkcs8, "base64"), format: "der", type: "pkcs8" });
    if (key.asymmetricKeyType === "rsa") return { type: "rsa", key };
    const curve = curveOfKey(key);
    if (key.asymmetricKeyType !== "ec" || !curve) throw new Error("unsupported key material in state");
    return { type: "ec", key, curve };
}

/** Raised by the key operations; the server answers 400 BadParameter with this message. */
export class CryptoParameterError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CryptoParameterError";
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Encrypt, decrypt, wrap, unwrap

export interface CipherRequest {
    readonly alg: string;
    readonly value: Buffer;
    readonly iv?: Buffer;
    readonly aad?: Buffer;
    readonly tag?: Buffer;
}

export interface CipherResult {
    readonly value: Buffer;
    readonly iv?: Buffer;
    readonly tag?: Buffer;
    readonly aad?: Buffer;
}

const RSA_ENC_ALGS = ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"];
const AES_GCM = /^A(128|192|256)GCM$/;
const AES_CBC = /^A(128|192|256)CBC(PAD)?$/;
const AES_KW = /^A(128|192|256)KW$/;

export function algorithmsFor(op: "encrypt" | "decrypt" | "wrapKey" | "unwrapKey" | "sign" | "verify", m: Material): string {
    if (m.type === "rsa") return op === "sign" || op === "verify" ? "RS256, RS384, RS512, PS256, PS384, PS512" : RSA_ENC_ALGS.join(", ");
    if (m.type === "ec") return { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "P-256K": "ES256K" }[m.curve];
    if (op === "encrypt" || op === "decrypt") return "A128GCM, A192GCM, A256GCM, A128CBC, A192CBC, A256CBC, A128CBCPAD, A192CBCPAD, A256CBCPAD (matching the key size)";
    return "A128KW, A192KW, A256KW (matching the key size), CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD";
}

function unsupported(op: string, alg: string, m: Material): CryptoParameterError {
    return new CryptoParameterError(`Algorithm ${JSON.stringify(alg)} is not supported for ${op} with this key; use one of: ${algorithmsFor(op as any, m)}.`);
}

function aesBitsOf(alg: string, re: RegExp): number | undefined {
    const m = re.exec(alg);
    return m ? Number(m[1]) : undefined;
}

function requireAesSize(m: Material & { type: "oct" }, bits: number, alg: string): void {
    if (m.bytes.length * 8 !== bits) throw new CryptoParameterError(`Algorithm ${alg} needs a ${bits}-bit key; this key has ${m.bytes.length * 8} bits.`);
}

function oaepHash(alg: string): "sha1" | "sha256" {
    return alg === "RSA-OAEP-256" ? "sha256" : "sha1";
}

function rsaPublicEncrypt(m: Material & { type: "rsa" }, alg: string, plaintext: Buffer): Buffer {
    try {
        if (alg === "RSA1_5") return crypto.publicEncrypt({ key: crypto.createPublicKey(m.key), padding: crypto.constants.RSA_PKCS1_PADDING }, plaintext);
        return crypto.publicEncrypt({ key: crypto.createPublicKey(m.key), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg) }, plaintext);
    } catch {
        throw new CryptoParameterError(`The plaintext is too long for ${alg} with this key.`);
    }
}

function rsaPrivateDecrypt(m: Material & { type: "rsa" }, alg: string, ciphertext: Buffer): Buffer {
    const k = (m.key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
    if (ciphertext.length !== k) throw new CryptoParameterError(`The ciphertext must be ${k} bytes for this key (got ${ciphertext.length}).`);
    try {
        if (alg !== "RSA1_5") return crypto.privateDecrypt({ key: m.key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg) }, ciphertext);
        // EME-PKCS1-v1_5 by hand: 0x00 0x02 PS(>= 8 non-zero bytes) 0x00 M
        const em = crypto.privateDecrypt({ key: m.key, padding: crypto.constants.RSA_NO_PADDING }, ciphertext);
        const sep = em.indexOf(0, 2);
        if (em[0] !== 0 || em[1] !== 2 || sep < 10) throw new Error("padding");
        return em.subarray(sep + 1);
    } catch {
        throw new CryptoParameterError("Decryption failed: the ciphertext does not decrypt with this key and algorithm.");
    }
}

export function encrypt(m: Material, req: CipherRequest): CipherResult {
    if (m.type === "rsa" && RSA_ENC_ALGS.includes(req.alg)) return { value: rsaPublicEncrypt(m, req.alg, req.value) };
    if (m.type === "oct") {
        const gcm = aesBitsOf(req.alg, AES_GCM);
        if (gcm) {
            requireAesSize(m, gcm, req.alg);
            const iv = crypto.randomBytes(12);
            const c = crypto.createCipheriv(`aes-${gcm}-gcm` as crypto.CipherGCMTypes, m.bytes, iv);
            if (req.aad) c.setAAD(req.aad);
            const value = Buffer.concat([c.update(req.value), c.final()]);
            return { value, iv, tag: c.getAuthTag(), aad: req.aad };
        }
        const cbc = aesBitsOf(req.alg, AES_CBC);
        if (cbc) {
            requireAesSize(m, cbc, req.alg);
            const iv = req.iv ?? crypto.randomBytes(16);
            if (iv.length !== 16) throw new CryptoParameterError("The iv must be 16 bytes for AES-CBC.");
            const pad = req.alg.endsWith("PAD");
            if (!pad && req.value.length % 16 !== 0) throw new CryptoParameterError(`${req.alg} needs a plaintext that is a multiple of 16 bytes; use ${req.alg}PAD for other lengths.`);
            const c = crypto.createCipheriv(`aes-${cbc}-cbc`, m.bytes, iv);
            c.setAutoPadding(pad);
            return { value: Buffer.concat([c.update(req.value), c.final()]), iv };
        }
    }
    throw unsupported("encrypt", req.alg, m);
}

export function decrypt(m: Material, req: CipherRequest): CipherResult {
    if (m.type === "rsa" && RSA_ENC_ALGS.includes(req.alg)) return { value: rsaPrivateDecrypt(m, req.alg, req.value) };
    if (m.type === "oct") {
        const gcm = aesBitsOf(req.alg, AES_GCM);
        if (gcm) {
            requireAesSize(m, gcm, req.alg);
            if (!req.iv || !req.tag) throw new CryptoParameterError(`${req.alg} decryption needs iv and tag.`);
            try {
                const d = crypto.createDecipheriv(`aes-${gcm}-gcm` as crypto.CipherGCMTypes, m.bytes, req.iv);
                if (req.aad) d.setAAD(req.aad);
                d.setAuthTag(req.tag);
                return { value: Buffer.concat([d.update(req.value), d.final()]) };
            } catch {
                throw new CryptoParameterError("Decryption failed: the authentication tag does not match.");
            }
        }
        const cbc = aesBitsOf(req.alg, AES_CBC);
        if (cbc) {
            requireAesSize(m, cbc, req.alg);
            if (!req.iv || req.iv.length !== 16) throw new CryptoParameterError(`${req.alg} decryption needs a 16-byte iv.`);
            try {
                const d = crypto.createDecipheriv(`aes-${cbc}-cbc`, m.bytes, req.iv);
                d.setAutoPadding(req.alg.endsWith("PAD"));
                return { value: Buffer.concat([d.update(req.value), d.final()]) };
            } catch {
                throw new CryptoParameterError("Decryption failed: the ciphertext does not decrypt with this key and algorithm.");
            }
        }
    }
    throw unsupported("decrypt", req.alg, m);
}

export function wrapKey(m: Material, alg: string, key: Buffer): Buffer {
    if (m.type === "rsa" && RSA_ENC_ALGS.includes(alg)) return rsaPublicEncrypt(m, alg, key);
    if (m.type === "oct") {
        const kw = aesBitsOf(alg, AES_KW);
        if (kw) requireAesSize(m, kw, alg);
        if (kw || alg === "CKM_AES_KEY_WRAP") {
            if (key.length < 16 || key.length % 8 !== 0) throw new CryptoParameterError(`${alg} wraps keys that are a multiple of 8 bytes, at least 16 (got ${key.length}).`);
            return aesKwWrap(m.bytes, key);
        }
        if (alg === "CKM_AES_KEY_WRAP_PAD") {
            if (key.length === 0) throw new CryptoParameterError("Nothing to wrap: the key is empty.");
            return aesKwpWrap(m.bytes, key);
        }
    }
    throw unsupported("wrapKey", alg, m);
}

export function unwrapKey(m: Material, alg: string, wrapped: Buffer): Buffer {
    if (m.type === "rsa" && RSA_ENC_ALGS.includes(alg)) return rsaPrivateDecrypt(m, alg, wrapped);
    if (m.type === "oct") {
        const kw = aesBitsOf(alg, AES_KW);
        if (kw) requireAesSize(m, kw, alg);
        try {
            if (kw || alg === "CKM_AES_KEY_WRAP") return aesKwUnwrap(m.bytes, wrapped);
            if (alg === "CKM_AES_KEY_WRAP_PAD") return aesKwpUnwrap(m.bytes, wrapped);
        } catch (e) {
            if (e instanceof UnwrapError) throw new CryptoParameterError("Unwrap failed: the integrity check of the wrapped key failed.");
            throw e;
        }
    }
    throw unsupported("unwrapKey", alg, m);
}

// ---------------------------------------------------------------------------------------------------------------
// Sign and verify over a digest

type HashName = "sha256" | "sha384" | "sha512";
const HASH_BYTES: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };
const DIGEST_INFO: Record<HashName, string> = {
    sha256: "3031300d060960864801650304020105000420",
    sha384: "3041300d060960864801650304020205000430",
    sha512: "3051300d060960864801650304020305000440",
};

interface SignatureScheme {
    readonly scheme: "pkcs1" | "pss" | "ecdsa";
    readonly hash: HashName;
    readonly curve?: AzureCurve;
}

const SIGNATURE: Record<string, SignatureScheme> = {
    RS256: { scheme: "pkcs1", hash: "sha256" },
    RS384: { scheme: "pkcs1", hash: "sha384" },
    RS512: { scheme: "pkcs1", hash: "sha512" },
    PS256: { scheme: "pss", hash: "sha256" },
    PS384: { scheme: "pss", hash: "sha384" },
    PS512: { scheme: "pss", hash: "sha512" },
    ES256: { scheme: "ecdsa", hash: "sha256", curve: "P-256" },
    ES384: { scheme: "ecdsa", hash: "sha384", curve: "P-384" },
    ES512: { scheme: "ecdsa", hash: "sha512", curve: "P-521" },
    ES256K: { scheme: "ecdsa", hash: "sha256", curve: "P-256K" },
};

function signatureScheme(op: "sign" | "verify", m: Material, alg: string, digest: Buffer): SignatureScheme {
    const s = SIGNATURE[alg];
    const fits = s && (m.type === "rsa" ? s.scheme !== "ecdsa" : m.type === "ec" ? s.curve === m.curve : false);
    if (!s || !fits) throw unsupported(op, alg, m);
    if (digest.length !== HASH_BYTES[s.hash]) throw new CryptoParameterError(`${alg} signs a ${HASH_BYTES[s.hash]}-byte ${s.hash.toUpperCase()} digest (got ${digest.length} bytes).`);
    return s;
}

export function sign(m: Material, alg: string, digest: Buffer): Buffer {
    const s = signatureScheme("sign", m, alg, digest);
    if (m.type === "ec") return ecdsaSign(m.key, m.curve, digest);
    if (m.type !== "rsa") throw unsupported("sign", alg, m);
    if (s.scheme === "pkcs1") return crypto.privateEncrypt({ key: m.key, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(DIGEST_INFO[s.hash], "hex"), digest]));
    const bits = m.key.asymmetricKeyDetails?.modulusLength ?? 0;
    const em = emsaPssEncode(digest, bits - 1, s.hash);
    const k = Math.ceil(bits / 8);
    return crypto.privateEncrypt({ key: m.key, padding: crypto.constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(k - em.length), em]));
}

export function verify(m: Material, alg: string, digest: Buffer, signature: Buffer): boolean {
    const s = signatureScheme("verify", m, alg, digest);
    if (m.type === "ec") return ecdsaVerify(m.key, m.curve, digest, signature);
    if (m.type !== "rsa") return false;
    const pub = crypto.createPublicKey(m.key);
    const bits = m.key.asymmetricKeyDetails?.modulusLength ?? 0;
    const k = Math.ceil(bits / 8);
    if (signature.length !== k) return false;
    try {
        if (s.scheme === "pkcs1") {
            const recovered = crypto.publicDecrypt({ key: pub, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
            return recovered.equals(Buffer.concat([Buffer.from(DIGEST_INFO[s.hash], "hex"), digest]));
        }
        const raw = crypto.publicDecrypt({ key: pub, padding: crypto.constants.RSA_NO_PADDING }, signature);
        const emLen = Math.ceil((bits - 1) / 8);
        if (raw.subarray(0, k - emLen).some((b) => b !== 0)) return false;
        return emsaPssVerify(digest, raw.subarray(k - emLen), bits - 1, s.hash);
    } catch {
        return false;
    }
}

function mgf1(seed: Buffer, length: number, hash: HashName): Buffer {
    const out: Buffer[] = [];
    for (let counter = 0, len = 0; len < length; counter++) {
        const c = Buffer.alloc(4);
        c.writeUInt32BE(counter);
        const block = crypto.createHash(hash).update(seed).update(c).digest();
        out.push(block);
        len += block.length;
    }
    return Buffer.concat(out).subarray(0, length);
}

function emsaPssEncode(mHash: Buffer, emBits: number, hash: HashName): Buffer {
    const hLen = HASH_BYTES[hash];
    const sLen = hLen;
    const emLen = Math.ceil(emBits / 8);
    if (emLen < hLen + sLen + 2) throw new CryptoParameterError("The RSA key is too small for this PSS algorithm.");
    const salt = crypto.randomBytes(sLen);
    const h = crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
    const db = Buffer.concat([Buffer.alloc(emLen - sLen - hLen - 2), Buffer.from([1]), salt]);
    const mask = mgf1(h, emLen - hLen - 1, hash);
    for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
    db[0] &= 0xff >> (8 * emLen - emBits);
    return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS verification; the salt length is recovered from the encoding. */
function emsaPssVerify(mHash: Buffer, em: Buffer, emBits: number, hash: HashName): boolean {
    const hLen = HASH_BYTES[hash];
    const emLen = Math.ceil(emBits / 8);
    if (em.length !== emLen || em[emLen - 1] !== 0xbc || emLen < hLen + 2) return false;
    const maskedDb = em.subarray(0, emLen - hLen - 1);
    const h = em.subarray(emLen - hLen - 1, emLen - 1);
    const topMask = 0xff >> (8 * emLen - emBits);
    if ((maskedDb[0] & ~topMask & 0xff) !== 0) return false;
    const mask = mgf1(h, maskedDb.length, hash);
    const db = Buffer.alloc(maskedDb.length);
    for (let i = 0; i < db.length; i++) db[i] = maskedDb[i] ^ mask[i];
    db[0] &= topMask;
    const one = db.findIndex((b) => b !== 0);
    if (one < 0 || db[one] !== 1) return false;
    const salt = db.subarray(one + 1);
    const h2 = crypto.createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
    return crypto.timingSafeEqual(h, h2);
}

// ---------------------------------------------------------------------------------------------------------------
// ECDSA over a digest, with BigInt arithmetic in Jacobian coordinates

interface Curve {
    readonly p: bigint;
    readonly a: bigint;
    readonly b: bigint;
    readonly n: bigint;
    readonly gx: bigint;
    readonly gy: bigint;
}

const h = (s: string) => BigInt(`0x${s}`);
const P256_P = h("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
const P384_P = h("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff");
const P521_P = (1n << 521n) - 1n;
const K256_P = h("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");

/** SEC 2 / FIPS 186-4 domain parameters. */
const CURVES: Record<AzureCurve, Curve> = {
    "P-256": {
        p: P256_P,
        a: P256_P - 3n,
        b: h("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
        n: h("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
        gx: h("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
        gy: h("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
    },
    "P-384": {
        p: P384_P,
        a: P384_P - 3n,
        b: h("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef"),
        n: h("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
        gx: h("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"),
        gy: h("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f"),
    },
    "P-521": {
        p: P521_P,
        a: P521_P - 3n,
        b: h("0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00"),
        n: h("01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"),
        gx: h("00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66"),
        gy: h("011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650"),
    },
    "P-256K": {
        p: K256_P,
        a: 0n,
        b: 7n,
        n: h("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
        gx: h("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
        gy: h("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"),
    },
};

type Jacobian = { x: bigint; y: bigint; z: bigint } | null;

const mod = (a: bigint, m: bigint) => {
    const r = a % m;
    return r < 0n ? r + m : r;
};

function invert(a: bigint, m: bigint): bigint {
    let [r0, r1] = [mod(a, m), m];
    let [s0, s1] = [1n, 0n];
    while (r1 !== 0n) {
        const q = r0 / r1;
        [r0, r1] = [r1, r0 - q * r1];
        [s0, s1] = [s1, s0 - q * s1];
    }
    if (r0 !== 1n) throw new Error("not invertible");
    return mod(s0, m);
}

function pointDouble(c: Curve, P: Jacobian): Jacobian {
    if (!P || P.y === 0n) return null;
    const { p } = c;
    const y2 = mod(P.y * P.y, p);
    const s = mod(4n * P.x * y2, p);
    const z2 = mod(P.z * P.z, p);
    const m = mod(3n * P.x * P.x + c.a * z2 * z2, p);
    const x3 = mod(m * m - 2n * s, p);
    const y3 = mod(m * (s - x3) - 8n * y2 * y2, p);
    const z3 = mod(2n * P.y * P.z, p);
    return { x: x3, y: y3, z: z3 };
}

function pointAdd(c: Curve, P: Jacobian, Q: Jacobian): Jacobian {
    if (!P) return Q;
    if (!Q) return P;
    const { p } = c;
    const z1z1 = mod(P.z * P.z, p);
    const z2z2 = mod(Q.z * Q.z, p);
    const u1 = mod(P.x * z2z2, p);
    const u2 = mod(Q.x * z1z1, p);
    const s1 = mod(P.y * Q.z * z2z2, p);
    const s2 = mod(Q.y * P.z * z1z1, p);
    if (u1 === u2) return s1 === s2 ? pointDouble(c, P) : null;
    const hh = mod(u2 - u1, p);
    const r = mod(s2 - s1, p);
    const h2 = mod(hh * hh, p);
    const h3 = mod(h2 * hh, p);
    const x3 = mod(r * r - h3 - 2n * u1 * h2, p);
    const y3 = mod(r * (u1 * h2 - x3) - s1 * h3, p);
    const z3 = mod(hh * P.z * Q.z, p);
    return { x: x3, y: y3, z: z3 };
}

function multiply(c: Curve, P: Jacobian, k: bigint): Jacobian {
    let result: Jacobian = null;
    let addend = P;
    while (k > 0n) {
        if (k & 1n) result = pointAdd(c, result, addend);
        addend = pointDouble(c, addend);
        k >>= 1n;
    }
    return result;
}

function affineX(c: Curve, P: Jacobian): bigint | undefined {
    if (!P) return undefined;
    const zi = invert(P.z, c.p);
    return mod(P.x * zi * zi, c.p);
}

const toBig = (b: Buffer) => (b.length === 0 ? 0n : BigInt(`0x${b.toString("hex")}`));
const bitLength = (n: bigint) => n.toString(2).length;

function toBytes(n: bigint, length: number): Buffer {
    const hex = n.toString(16).padStart(length * 2, "0");
    return Buffer.from(hex, "hex");
}

/** The digest as an integer, truncated to the bit length of n (SEC 1 §4.1.3 step 5). */
function digestInteger(c: Curve, digest: Buffer): bigint {
    const e = toBig(digest);
    const excess = digest.length * 8 - bitLength(c.n);
    return excess > 0 ? e >> BigInt(excess) : e;
}

function ecdsaSign(key: crypto.KeyObject, curve: AzureCurve, digest: Buffer): Buffer {
    const c = CURVES[curve];
    const d = toBig(Buffer.from((key.export({ format: "jwk" }) as { d: string }).d, "base64url"));
    const e = digestInteger(c, digest);
    const size = Math.ceil(bitLength(c.n) / 8);
    const G: Jacobian = { x: c.gx, y: c.gy, z: 1n };
    for (;;) {
        const k = mod(toBig(crypto.randomBytes(size + 16)), c.n - 1n) + 1n;
        const x = affineX(c, multiply(c, G, k));
        if (x === undefined) continue;
        const r = mod(x, c.n);
        if (r === 0n) continue;
        const s = mod(invert(k, c.n) * (e + r * d), c.n);
        if (s === 0n) continue;
        return Buffer.concat([toBytes(r, size), toBytes(s, size)]);
    }
}

function ecdsaVerify(key: crypto.KeyObject, curve: AzureCurve, digest: Buffer, signature: Buffer): boolean {
    const c = CURVES[curve];
    const size = Math.ceil(bitLength(c.n) / 8);
    if (signature.length !== 2 * size) return false;
    const r = toBig(signature.subarray(0, size));
    const s = toBig(signature.subarray(size));
    if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
    const jwk = crypto.createPublicKey(key).export({ format: "jwk" }) as { x: string; y: string };
    const Q: Jacobian = { x: toBig(Buffer.from(jwk.x, "base64url")), y: toBig(Buffer.from(jwk.y, "base64url")), z: 1n };
    const G: Jacobian = { x: c.gx, y: c.gy, z: 1n };
    const w = invert(s, c.n);
    const e = digestInteger(c, digest);
    const X = pointAdd(c, multiply(c, G, mod(e * w, c.n)), multiply(c, Q, mod(r * w, c.n)));
    const x = affineX(c, X);
    return x !== undefined && mod(x, c.n) === r;
}
