/**
 * The cryptography of the Cloud KMS emulator, with Node's crypto only: the algorithm table, key generation,
 * the self-describing symmetric ciphertext, signatures over a pre-computed digest (RSA-PSS, RSA PKCS#1 v1.5,
 * ECDSA), RSA-OAEP decryption, HMAC, and the CRC32C checksums the API carries for integrity.
 */
import * as crypto from "crypto";
import { promisify } from "util";
import type { MaterialKind } from "../../crypto/material";

export type Purpose = "ENCRYPT_DECRYPT" | "ASYMMETRIC_SIGN" | "ASYMMETRIC_DECRYPT" | "MAC";
export type HashName = "sha1" | "sha224" | "sha256" | "sha384" | "sha512";

export interface AlgorithmSpec {
    readonly purpose: Purpose;
    readonly material: MaterialKind;
    /** Signature scheme (ASYMMETRIC_SIGN). */
    readonly sign?: { readonly scheme: "pss" | "pkcs1" | "ecdsa"; readonly hash: "sha256" | "sha384" | "sha512" };
    /** OAEP hash (ASYMMETRIC_DECRYPT). */
    readonly oaepHash?: HashName;
    /** HMAC hash (MAC). */
    readonly macHash?: HashName;
}

const rsaSign = (bits: 2048 | 3072 | 4096, scheme: "pss" | "pkcs1", hash: "sha256" | "sha512" = "sha256"): AlgorithmSpec => ({
    purpose: "ASYMMETRIC_SIGN",
    material: { type: "rsa", bits },
    sign: { scheme, hash },
});
const rsaDecrypt = (bits: 2048 | 3072 | 4096, oaepHash: HashName): AlgorithmSpec => ({ purpose: "ASYMMETRIC_DECRYPT", material: { type: "rsa", bits }, oaepHash });
const hmac = (bytes: number, macHash: HashName): AlgorithmSpec => ({ purpose: "MAC", material: { type: "hmac", bytes }, macHash });

/** The algorithms the emulator serves (CryptoKeyVersionAlgorithm names). */
export const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = {
    GOOGLE_SYMMETRIC_ENCRYPTION: { purpose: "ENCRYPT_DECRYPT", material: { type: "aes", bytes: 32 } },
    RSA_SIGN_PSS_2048_SHA256: rsaSign(2048, "pss"),
    RSA_SIGN_PSS_3072_SHA256: rsaSign(3072, "pss"),
    RSA_SIGN_PSS_4096_SHA256: rsaSign(4096, "pss"),
    RSA_SIGN_PSS_4096_SHA512: rsaSign(4096, "pss", "sha512"),
    RSA_SIGN_PKCS1_2048_SHA256: rsaSign(2048, "pkcs1"),
    RSA_SIGN_PKCS1_3072_SHA256: rsaSign(3072, "pkcs1"),
    RSA_SIGN_PKCS1_4096_SHA256: rsaSign(4096, "pkcs1"),
    RSA_SIGN_PKCS1_4096_SHA512: rsaSign(4096, "pkcs1", "sha512"),
    RSA_DECRYPT_OAEP_2048_SHA256: rsaDecrypt(2048, "sha256"),
    RSA_DECRYPT_OAEP_3072_SHA256: rsaDecrypt(3072, "sha256"),
    RSA_DECRYPT_OAEP_4096_SHA256: rsaDecrypt(4096, "sha256"),
    RSA_DECRYPT_OAEP_4096_SHA512: rsaDecrypt(4096, "sha512"),
    RSA_DECRYPT_OAEP_2048_SHA1: rsaDecrypt(2048, "sha1"),
    RSA_DECRYPT_OAEP_3072_SHA1: rsaDecrypt(3072, "sha1"),
    RSA_DECRYPT_OAEP_4096_SHA1: rsaDecrypt(4096, "sha1"),
    EC_SIGN_P256_SHA256: { purpose: "ASYMMETRIC_SIGN", material: { type: "ec", curve: "P-256" }, sign: { scheme: "ecdsa", hash: "sha256" } },
    EC_SIGN_P384_SHA384: { purpose: "ASYMMETRIC_SIGN", material: { type: "ec", curve: "P-384" }, sign: { scheme: "ecdsa", hash: "sha384" } },
    EC_SIGN_SECP256K1_SHA256: { purpose: "ASYMMETRIC_SIGN", material: { type: "ec", curve: "secp256k1" }, sign: { scheme: "ecdsa", hash: "sha256" } },
    HMAC_SHA256: hmac(32, "sha256"),
    HMAC_SHA1: hmac(20, "sha1"),
    HMAC_SHA224: hmac(28, "sha224"),
    HMAC_SHA384: hmac(48, "sha384"),
    HMAC_SHA512: hmac(64, "sha512"),
};

/** Import methods: the wrapping key size, the OAEP/MGF1 hash, and whether an AES-KWP layer follows. */
export const IMPORT_METHODS = {
    RSA_OAEP_3072_SHA1_AES_256: { bits: 3072, hash: "sha1", hybrid: true },
    RSA_OAEP_4096_SHA1_AES_256: { bits: 4096, hash: "sha1", hybrid: true },
    RSA_OAEP_3072_SHA256_AES_256: { bits: 3072, hash: "sha256", hybrid: true },
    RSA_OAEP_4096_SHA256_AES_256: { bits: 4096, hash: "sha256", hybrid: true },
    RSA_OAEP_3072_SHA256: { bits: 3072, hash: "sha256", hybrid: false },
    RSA_OAEP_4096_SHA256: { bits: 4096, hash: "sha256", hybrid: false },
} as const;
export type ImportMethod = keyof typeof IMPORT_METHODS;

const CURVE_NODE_NAMES = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", secp256k1: "secp256k1" } as const;

const generateKeyPair = promisify(crypto.generateKeyPair);

/** Fresh key material for `spec`: raw bytes (symmetric) or DER PKCS#8 (asymmetric). */
export async function generateMaterial(spec: AlgorithmSpec): Promise<Buffer> {
    const m = spec.material;
    switch (m.type) {
        case "aes":
        case "hmac":
            return crypto.randomBytes(m.bytes);
        case "rsa": {
            const { privateKey } = await generateKeyPair("rsa", { modulusLength: m.bits });
            return privateKey.export({ type: "pkcs8", format: "der" });
        }
        case "ec": {
            const { privateKey } = await generateKeyPair("ec", { namedCurve: CURVE_NODE_NAMES[m.curve] });
            return privateKey.export({ type: "pkcs8", format: "der" });
        }
    }
}

export function privateKeyOf(material: Buffer): crypto.KeyObject {
    return crypto.createPrivateKey({ key: material, format: "der", type: "pkcs8" });
}

export function publicKeyPem(material: Buffer): string {
    return crypto.createPublicKey(privateKeyOf(material)).export({ type: "spki", format: "pem" }).toString();
}

// ---------------------------------------------------------------------------------------------------------------
// Symmetric: AES-256-GCM in a self-describing envelope that names the version.
//   "KFG1" (4) ‖ version id (uint32 BE) ‖ IV (12) ‖ tag (16) ‖ ciphertext
// The GCM additional data binds the header, the crypto key's name and the caller's AAD.

const MAGIC = Buffer.from("KFG1", "latin1");
const HEADER = MAGIC.length + 4;
const IV = 12;
const TAG = 16;

function gcmAad(header: Buffer, keyName: string, aad: Buffer): Buffer {
    return Buffer.concat([header, crypto.createHash("sha256").update(keyName).update("\0").update(aad).digest()]);
}

export function symmetricEncrypt(material: Buffer, keyName: string, versionId: number, plaintext: Buffer, aad: Buffer): Buffer {
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header);
    header.writeUInt32BE(versionId, MAGIC.length);
    const iv = crypto.randomBytes(IV);
    const c = crypto.createCipheriv("aes-256-gcm", material, iv);
    c.setAAD(gcmAad(header, keyName, aad));
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    return Buffer.concat([header, iv, c.getAuthTag(), ct]);
}

/** The version a ciphertext names, or undefined when it is not one of ours. */
export function ciphertextVersion(ciphertext: Buffer): number | undefined {
    if (ciphertext.length < HEADER + IV + TAG || !ciphertext.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    return ciphertext.readUInt32BE(MAGIC.length);
}

/** Undefined when authentication fails (wrong key, wrong AAD, tampering). */
export function symmetricDecrypt(material: Buffer, keyName: string, ciphertext: Buffer, aad: Buffer): Buffer | undefined {
    const header = ciphertext.subarray(0, HEADER);
    const iv = ciphertext.subarray(HEADER, HEADER + IV);
    const tag = ciphertext.subarray(HEADER + IV, HEADER + IV + TAG);
    try {
        const d = crypto.createDecipheriv("aes-256-gcm", material, iv);
        d.setAAD(gcmAad(header, keyName, aad));
        d.setAuthTag(tag);
        return Buffer.concat([d.update(ciphertext.subarray(HEADER + IV + TAG)), d.final()]);
    } catch {
        return undefined;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Signatures over a digest. Node's sign() always hashes its input, so the padding is done here and only the
// private-key operation is left to Node: raw RSA (privateEncrypt, no padding) for PSS, PKCS#1 type-1 padding for
// v1.5, and, for ECDSA, k·G through ECDH with k as the private scalar.

const HASH_BYTES: Record<string, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

export function digestLength(hash: string): number {
    return HASH_BYTES[hash];
}

const DIGEST_INFO_PREFIX: Record<string, string> = {
    sha256: "3031300d060960864801650304020105000420",
    sha384: "3041300d060960864801650304020205000430",
    sha512: "3051300d060960864801650304020305000440",
};

function mgf1(hash: string, seed: Buffer, length: number): Buffer {
    const out: Buffer[] = [];
    let total = 0;
    for (let counter = 0; total < length; counter++) {
        const c = Buffer.alloc(4);
        c.writeUInt32BE(counter);
        const block = crypto.createHash(hash).update(seed).update(c).digest();
        out.push(block);
        total += block.length;
    }
    return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1), salt length = digest length, MGF1 with the same hash. */
function pssEncode(hash: string, digest: Buffer, modBits: number): Buffer {
    const hLen = digest.length;
    const emBits = modBits - 1;
    const emLen = Math.ceil(emBits / 8);
    const salt = crypto.randomBytes(hLen);
    const h = crypto.createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
    const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
    const mask = mgf1(hash, h, emLen - hLen - 1);
    for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
    db[0] &= 0xff >>> (8 * emLen - emBits);
    return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

const CURVE_ORDERS: Record<string, bigint> = {
    prime256v1: BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
    secp384r1: BigInt("0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
    secp521r1: BigInt("0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"),
    secp256k1: BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
};

const toBig = (b: Buffer) => (b.length === 0 ? 0n : BigInt("0x" + b.toString("hex")));

function toBytes(n: bigint, length: number): Buffer {
    return Buffer.from(n.toString(16).padStart(length * 2, "0"), "hex");
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
    let result = 1n;
    base %= mod;
    for (; exp > 0n; exp >>= 1n) {
        if (exp & 1n) result = (result * base) % mod;
        base = (base * base) % mod;
    }
    return result;
}

function derInteger(n: bigint): Buffer {
    let hex = n.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    let b = Buffer.from(hex, "hex");
    if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
}

function derSequence(parts: Buffer[]): Buffer {
    const body = Buffer.concat(parts);
    const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
    return Buffer.concat([Buffer.from([0x30]), len, body]);
}

function ecdsaSignDigest(key: crypto.KeyObject, digest: Buffer): Buffer {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? "";
    const n = CURVE_ORDERS[curve];
    if (!n) throw new Error(`unsupported curve ${curve}`);
    const nBytes = Math.ceil(n.toString(16).length / 2);
    const nBits = n.toString(2).length;
    const d = toBig(Buffer.from(key.export({ format: "jwk" }).d as string, "base64url"));
    let e = toBig(digest);
    if (digest.length * 8 > nBits) e >>= BigInt(digest.length * 8 - nBits);
    for (;;) {
        const k = toBig(crypto.randomBytes(nBytes + 8)) % (n - 1n) + 1n;
        const ecdh = crypto.createECDH(curve);
        ecdh.setPrivateKey(toBytes(k, nBytes));
        const point = ecdh.getPublicKey();
        const x = toBig(point.subarray(1, 1 + (point.length - 1) / 2));
        const r = x % n;
        if (r === 0n) continue;
        const s = (modPow(k, n - 2n, n) * ((e + r * d) % n)) % n;
        if (s === 0n) continue;
        return derSequence([derInteger(r), derInteger(s)]);
    }
}

/** Signs a pre-computed digest with the version's scheme; ECDSA signatures are DER (as Cloud KMS returns them). */
export function signDigest(spec: AlgorithmSpec, material: Buffer, digest: Buffer): Buffer {
    const key = privateKeyOf(material);
    const sign = spec.sign!;
    if (sign.scheme === "ecdsa") return ecdsaSignDigest(key, digest);
    if (sign.scheme === "pkcs1") {
        const info = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[sign.hash], "hex"), digest]);
        return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, info);
    }
    const modBits = key.asymmetricKeyDetails!.modulusLength!;
    return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, pssEncode(sign.hash, digest, modBits));
}

/** RSAES-OAEP decryption with the version's hash; undefined when it fails. */
export function oaepDecrypt(spec: AlgorithmSpec, material: Buffer, ciphertext: Buffer): Buffer | undefined {
    try {
        return crypto.privateDecrypt({ key: privateKeyOf(material), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: spec.oaepHash }, ciphertext);
    } catch {
        return undefined;
    }
}

export function hmacSign(spec: AlgorithmSpec, material: Buffer, data: Buffer): Buffer {
    return crypto.createHmac(spec.macHash!, material).update(data).digest();
}

export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
    return a.length === b.length && crypto.timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------------------------
// CRC32C (Castagnoli), the checksum of the API's integrity fields. A checksum, not cryptography.

const CRC32C_TABLE = (() => {
    const table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
        let c = i;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
        table[i] = c >>> 0;
    }
    return table;
})();

export function crc32c(data: Buffer): number {
    let crc = 0xffffffff;
    for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
}
