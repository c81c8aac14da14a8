/**
 * Key wrapping with Node's crypto only: AES-KW (RFC 3394), AES-KWP (RFC 5649), RSAES-OAEP and the hybrid
 * RSA-AES key wrap (PKCS#11 CKM_RSA_AES_KEY_WRAP) that AWS, GCP and Azure BYOK use.
 * Shared by the BYOK providers (wrap) and the emulators (unwrap).
 */
import * as crypto from "crypto";

export type OaepHash = "sha1" | "sha256";

/** Raised for any unwrap failure; never carries key material. */
export class UnwrapError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnwrapError";
    }
}

const KWP_IV = Buffer.from("a65959a6", "hex");
const KW_IV = Buffer.from("a6a6a6a6a6a6a6a6", "hex");

function aesCipherName(kek: Buffer, padded: boolean): string {
    if (![16, 24, 32].includes(kek.length)) throw new Error(`AES key-wrap keys are 16, 24 or 32 bytes (got ${kek.length})`);
    return `id-aes${kek.length * 8}-wrap${padded ? "-pad" : ""}`;
}

/** AES-KWP (RFC 5649) wrap. */
export function aesKwpWrap(kek: Buffer, plaintext: Buffer): Buffer {
    if (plaintext.length === 0) throw new Error("nothing to wrap: the input is empty");
    const c = crypto.createCipheriv(aesCipherName(kek, true), kek, KWP_IV);
    return Buffer.concat([c.update(plaintext), c.final()]);
}

/** AES-KWP (RFC 5649) unwrap; its integrity check rejects a wrong key or tampering. */
export function aesKwpUnwrap(kek: Buffer, wrapped: Buffer): Buffer {
    if (wrapped.length < 16 || wrapped.length % 8 !== 0) throw new UnwrapError("the AES-KWP part has an invalid length");
    try {
        const d = crypto.createDecipheriv(aesCipherName(kek, true), kek, KWP_IV);
        const out = Buffer.concat([d.update(wrapped), d.final()]);
        if (out.length === 0) throw new Error("empty");
        return out;
    } catch {
        throw new UnwrapError("AES-KWP integrity check failed");
    }
}

/** AES-KW (RFC 3394) wrap; input a multiple of 8 bytes, at least 16. */
export function aesKwWrap(kek: Buffer, plaintext: Buffer): Buffer {
    if (plaintext.length < 16 || plaintext.length % 8 !== 0) throw new Error("AES-KW input must be a multiple of 8 bytes, at least 16");
    const c = crypto.createCipheriv(aesCipherName(kek, false), kek, KW_IV);
    return Buffer.concat([c.update(plaintext), c.final()]);
}

export function aesKwUnwrap(kek: Buffer, wrapped: Buffer): Buffer {
    try {
        const d = crypto.createDecipheriv(aesCipherName(kek, false), kek, KW_IV);
        return Buffer.concat([d.update(wrapped), d.final()]);
    } catch {
        throw new UnwrapError("AES-KW integrity check failed");
    }
}

/** The most bytes RSAES-OAEP with hash H carries under `key`: k - 2·hLen - 2 (RSA-4096 SHA-256: 446). */
export function oaepCapacity(key: crypto.KeyObject, hash: OaepHash): number {
    return rsaModulusBytes(key) - 2 * (hash === "sha1" ? 20 : 32) - 2;
}

/** RSAES-OAEP with hash H for OAEP and MGF1, empty label. Input that does not fit is refused in words, not OpenSSL codes. */
export function rsaOaepEncrypt(publicKey: crypto.KeyLike, hash: OaepHash, plaintext: Buffer): Buffer {
    const key = publicKey instanceof crypto.KeyObject ? publicKey : crypto.createPublicKey(publicKey);
    if (key.asymmetricKeyType !== "rsa") throw new Error(`RSA-OAEP needs an RSA public key (got: an ${key.asymmetricKeyType} key)`);
    const capacity = oaepCapacity(key, hash);
    if (plaintext.length > capacity) {
        throw new Error(`RSA-OAEP with ${hash === "sha1" ? "SHA-1" : "SHA-256"} and an RSA-${rsaModulusBytes(key) * 8} key carries at most ${Math.max(capacity, 0)} bytes (got: ${plaintext.length} bytes)`);
    }
    return crypto.publicEncrypt({ key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext);
}

export function rsaOaepDecrypt(privateKey: crypto.KeyLike, hash: OaepHash, ciphertext: Buffer): Buffer {
    try {
        return crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext);
    } catch {
        throw new UnwrapError("RSA-OAEP decryption failed");
    }
}

/** Modulus length in bytes of an RSA key. */
export function rsaModulusBytes(key: crypto.KeyObject): number {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (!bits) throw new Error("not an RSA key");
    return bits / 8;
}

/**
 * CKM_RSA_AES_KEY_WRAP: a fresh 32-byte AES key K; `OAEP(pub, K) || AES-KWP(K, target)`; K is zeroed after use.
 */
export function rsaAesKeyWrap(publicKey: crypto.KeyObject, hash: OaepHash, target: Buffer): Buffer {
    const k = crypto.randomBytes(32);
    try {
        return Buffer.concat([rsaOaepEncrypt(publicKey, hash, k), aesKwpWrap(k, target)]);
    } finally {
        k.fill(0);
    }
}

/** Splits at the modulus length, OAEP-decrypts the AES key, KWP-unwraps the target. */
export function rsaAesKeyUnwrap(privateKey: crypto.KeyObject, hash: OaepHash, wrapped: Buffer): Buffer {
    const n = rsaModulusBytes(privateKey);
    if (wrapped.length <= n) throw new UnwrapError("the wrapped key is shorter than the RSA part");
    const k = rsaOaepDecrypt(privateKey, hash, wrapped.subarray(0, n));
    try {
        if (k.length !== 32) throw new UnwrapError("the RSA part does not hold a 32-byte AES key");
        return aesKwpUnwrap(k, wrapped.subarray(n));
    } finally {
        k.fill(0);
    }
}
