/**
 * The emulator's own opaque formats: the symmetric ciphertext blob and the import token.
 *
 * Ciphertext blob (self-describing, so Decrypt needs no KeyId and works after rotation):
 *   "KF" 0x01 | keyIdLength (1) | keyId (ASCII) | keyMaterialId (32 bytes) | iv (12) | tag (16) | AES-256-GCM ciphertext
 * The AAD is everything before the IV plus the canonical encryption context, so both are authenticated.
 *
 * Import token: "KFIT" | JSON {v, k: keyId, w: wrapping key id, a: wrapping algorithm, e: expiry ms} | HMAC-SHA-256 (32)
 * under a secret of the emulator, so a token cannot be forged or moved to another key.
 */
import * as crypto from "crypto";

const BLOB_MAGIC = Buffer.from([0x4b, 0x46, 0x01]);
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Sorted `[key, value]` pairs: AWS treats the encryption context as an unordered map. */
function contextBytes(context: Record<string, string> | undefined): Buffer {
    const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Buffer.from(entries.length ? JSON.stringify(entries) : "", "utf8");
}

export function sealSymmetric(keyId: string, keyMaterialId: string, key: Buffer, plaintext: Buffer, context?: Record<string, string>): Buffer {
    const id = Buffer.from(keyId, "ascii");
    const header = Buffer.concat([BLOB_MAGIC, Buffer.from([id.length]), id, Buffer.from(keyMaterialId, "hex")]);
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.concat([header, contextBytes(context)]));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), ct]);
}

export interface ParsedBlob {
    readonly keyId: string;
    readonly keyMaterialId: string;
    /** Decrypts and authenticates; throws on any mismatch (tampering, wrong key, wrong encryption context). */
    open(key: Buffer, context?: Record<string, string>): Buffer;
}

/** Undefined when the blob is not one of ours. */
export function parseSymmetric(blob: Buffer): ParsedBlob | undefined {
    if (blob.length < BLOB_MAGIC.length + 1 || !blob.subarray(0, BLOB_MAGIC.length).equals(BLOB_MAGIC)) return undefined;
    const idLength = blob[BLOB_MAGIC.length];
    const idStart = BLOB_MAGIC.length + 1;
    const headerEnd = idStart + idLength + 32;
    if (blob.length < headerEnd + IV_BYTES + TAG_BYTES) return undefined;
    const header = blob.subarray(0, headerEnd);
    const keyId = blob.subarray(idStart, idStart + idLength).toString("ascii");
    const keyMaterialId = blob.subarray(idStart + idLength, headerEnd).toString("hex");
    const iv = blob.subarray(headerEnd, headerEnd + IV_BYTES);
    const tag = blob.subarray(headerEnd + IV_BYTES, headerEnd + IV_BYTES + TAG_BYTES);
    const ct = blob.subarray(headerEnd + IV_BYTES + TAG_BYTES);
    return {
        keyId,
        keyMaterialId,
        open(key, context) {
            const decipher = crypto.createDecipheriv("aes-256-gcm", key, iv);
            decipher.setAAD(Buffer.concat([header, contextBytes(context)]));
            decipher.setAuthTag(tag);
            return Buffer.concat([decipher.update(ct), decipher.final()]);
        },
    };
}

export type WrappingAlgorithm = "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "RSA_AES_KEY_WRAP_SHA_1" | "RSA_AES_KEY_WRAP_SHA_256";

export interface ImportTokenFields {
    /** Key id the parameters were issued for. */
    readonly keyId: string;
    readonly wrappingKeyId: string;
    readonly algorithm: WrappingAlgorithm;
    /** Expiry, ms since the epoch. */
    readonly expiresAt: number;
}

const TOKEN_MAGIC = Buffer.from("KFIT", "ascii");
const MAC_BYTES = 32;

export function issueImportToken(secret: Buffer, fields: ImportTokenFields): Buffer {
    const payload = Buffer.concat([
        TOKEN_MAGIC,
        Buffer.from(JSON.stringify({ v: 1, k: fields.keyId, w: fields.wrappingKeyId, a: fields.algorithm, e: fields.expiresAt }), "utf8"),
    ]);
    return Buffer.concat([payload, crypto.createHmac("sha256", secret).update(payload).digest()]);
}

/** The fields of a genuine token, or undefined for anything this emulator did not issue (or that was altered). */
export function readImportToken(secret: Buffer, token: Buffer): ImportTokenFields | undefined {
    if (token.length <= TOKEN_MAGIC.length + MAC_BYTES || !token.subarray(0, TOKEN_MAGIC.length).equals(TOKEN_MAGIC)) return undefined;
    const payload = token.subarray(0, token.length - MAC_BYTES);
    const mac = token.subarray(token.length - MAC_BYTES);
    if (!crypto.timingSafeEqual(mac, crypto.createHmac("sha256", secret).update(payload).digest())) return undefined;
    try {
        const o = JSON.parse(payload.subarray(TOKEN_MAGIC.length).toString("utf8"));
        if (o.v !== 1 || typeof o.k !== "string" || typeof o.w !== "string" || typeof o.a !== "string" || typeof o.e !== "number") return undefined;
        return { keyId: o.k, wrappingKeyId: o.w, algorithm: o.a, expiresAt: o.e };
    } catch {
        return undefined;
    }
}
