/**
 * The cryptography of the Cloud KMS emulator, with Node's crypto only: the algorithm table, key generation,
 * the self-describing symmetric ciphertext, signatures over a pre-computed digest (RSA-PSS, RSA PKCS#1 v1.5,
 * ECDSA; the cryptography is sdk/crypto/digest-signature), RSA-OAEP decryption, HMAC, and the CRC32C checksums the
 * API carries for integrity.
 */
import * as crypto from "crypto";
import { promisify } from "util";
import { signDigest as signPrecomputedDigest } from "../../crypto/digest-signature";
import type { MaterialKind } from "../../crypto/material";

export type Purpose = "ENCRYPT_DECRYPT" | "ASYMMETRIC_SIGN" | "ASYMMETRIC_DECRYPT" | "MAC" | "RAW_ENCRYPT_DECRYPT";
export const PURPOSES: readonly Purpose[] = ["ENCRYPT_DECRYPT", "ASYMMETRIC_SIGN", "ASYMMETRIC_DECRYPT", "MAC", "RAW_ENCRYPT_DECRYPT"];
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
    /** AES mode (RAW_ENCRYPT_DECRYPT). */
    readonly raw?: "gcm" | "cbc" | "ctr";
}

const rsaSign = (bits: 2048 | 3072 | 4096, scheme: "pss" | "pkcs1", hash: "sha256" | "sha512" = "sha256"): AlgorithmSpec => ({
    purpose: "ASYMMETRIC_SIGN",
    material: { type: "rsa", bits },
    sign: { scheme, hash },
});
const rsaDecrypt = (bits: 2048 | 3072 | 4096, oaepHash: HashName): AlgorithmSpec => ({ purpose: "ASYMMETRIC_DECRYPT", material: { type: "rsa", bits }, oaepHash });
const hmac = (bytes: number, macHash: HashName): AlgorithmSpec => ({ purpose: "MAC", material: { type: "hmac", bytes }, macHash });
const raw = (bytes: 16 | 32, mode: "gcm" | "cbc" | "ctr"): AlgorithmSpec => ({ purpose: "RAW_ENCRYPT_DECRYPT", material: { type: "aes", bytes }, raw: mode });

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
    AES_128_GCM: raw(16, "gcm"),
    AES_256_GCM: raw(32, "gcm"),
    AES_128_CBC: raw(16, "cbc"),
    AES_256_CBC: raw(32, "cbc"),
    AES_128_CTR: raw(16, "ctr"),
    AES_256_CTR: raw(32, "ctr"),
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
// Signatures over a digest (sdk/crypto/digest-signature: Node's sign() always hashes its input).

export { digestLength } from "../../crypto/digest-signature";

/** Signs a pre-computed digest with the version's scheme; ECDSA signatures are DER (as Cloud KMS returns them). */
export function signDigest(spec: AlgorithmSpec, material: Buffer, digest: Buffer): Buffer {
    return signPrecomputedDigest(privateKeyOf(material), spec.sign!, digest, { ecdsaEncoding: "der" });
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

// ---------------------------------------------------------------------------------------------------------------
// Raw symmetric encryption (RawEncrypt / RawDecrypt): plain AES, interoperable. GCM: 12-byte IV, the 16-byte tag
// appended to the ciphertext; CBC (no padding: the plaintext must be whole 16-byte blocks) and CTR: 16-byte IV.

export const RAW_IV_LENGTH = { gcm: 12, cbc: 16, ctr: 16 } as const;
export const RAW_TAG_LENGTH = 16;

const rawCipher = (spec: AlgorithmSpec, material: Buffer) => `aes-${material.length * 8}-${spec.raw}` as crypto.CipherGCMTypes;

export function rawEncrypt(spec: AlgorithmSpec, material: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
    if (spec.raw === "gcm") {
        const c = crypto.createCipheriv(rawCipher(spec, material), material, iv);
        c.setAAD(aad);
        return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
    }
    const c = crypto.createCipheriv(rawCipher(spec, material) as string, material, iv);
    c.setAutoPadding(false);
    return Buffer.concat([c.update(plaintext), c.final()]);
}

/** Undefined when GCM authentication fails. */
export function rawDecrypt(spec: AlgorithmSpec, material: Buffer, iv: Buffer, ciphertext: Buffer, aad: Buffer): Buffer | undefined {
    try {
        if (spec.raw === "gcm") {
            const d = crypto.createDecipheriv(rawCipher(spec, material), material, iv);
            d.setAAD(aad);
            d.setAuthTag(ciphertext.subarray(ciphertext.length - RAW_TAG_LENGTH));
            return Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - RAW_TAG_LENGTH)), d.final()]);
        }
        const d = crypto.createDecipheriv(rawCipher(spec, material) as string, material, iv);
        d.setAutoPadding(false);
        return Buffer.concat([d.update(ciphertext), d.final()]);
    } catch {
        return undefined;
    }
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
