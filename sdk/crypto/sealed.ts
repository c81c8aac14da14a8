/**
 * Key material that never enters this process: a key held by a hardware (or software) token, which wraps it itself
 * for a cloud's wrapping key. The BYOK wrapping functions take it wherever they take plaintext material; `fill(0)`
 * releases the token (closes the session), as zeroing releases a plaintext buffer.
 */
import type * as crypto from "crypto";
import type { OaepHash } from "./keywrap";

export interface SealedMaterial {
    readonly sealed: true;
    /** For messages: the key and token, never the PIN. */
    readonly description: string;
    /** The material's size when wrapped directly with OAEP (symmetric keys: CKA_VALUE_LEN); 0 for private keys. */
    readonly length: number;
    /** The OAEP hashes the token wraps with (SoftHSM2: SHA-1 only). */
    readonly oaepHashes: readonly OaepHash[];
    /** How the RSA-AES wrap is done: `CKM_RSA_AES_KEY_WRAP`, or composed in the token from OAEP and AES-KWP. */
    readonly rsaAesMechanism: "CKM_RSA_AES_KEY_WRAP" | "composed";
    /** The same fingerprint a plaintext source of this material has where the token can digest the key, else the token's own. */
    readonly fingerprint: string;
    /** CKM_RSA_AES_KEY_WRAP output: OAEP(pub, K) || AES-KWP(K, key), K an ephemeral AES-256 key of the token. */
    rsaAesKeyWrap(publicKey: crypto.KeyObject, hash: OaepHash): Buffer;
    /** RSAES-OAEP of a secret key's value. */
    rsaOaepEncrypt(publicKey: crypto.KeyObject, hash: OaepHash): Buffer;
    /** Releases the token (the session, and the library when nothing else uses it). Idempotent. */
    fill(value: 0): void;
}

/** Plaintext bytes (zero them after use), or a key that stays in its token. */
export type KeyMaterial = Buffer | SealedMaterial;

export const isSealed = (m: KeyMaterial): m is SealedMaterial => !Buffer.isBuffer(m) && (m as SealedMaterial).sealed === true;
