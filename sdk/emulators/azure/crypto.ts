/**
 * The cryptography of the Azure Key Vault emulator, with Node's `crypto` only: key generation, public JWKs, and the
 * six key operations (encrypt, decrypt, wrapKey, unwrapKey, sign, verify) with the JWA algorithm names Key Vault uses.
 *
 * Key Vault's `sign` and `verify` take a precomputed digest, which Node's `crypto.sign` does not offer; they use
 * `sdk/crypto/digest-signature` (RSASSA-PKCS1-v1_5, RSASSA-PSS with salt = hash length, ECDSA). ECDSA signatures are
 * `r ‖ s` (IEEE P1363), as Key Vault returns them. RSA1_5 decryption is unpadded by hand because Node 20 refuses
 * `RSA_PKCS1_PADDING` for private decryption.
 * Error messages never carry key material.
 */
import * as crypto from "crypto";
import { digestLength, DigestSignatureError, signDigest, verifyDigest, type DigestAlgorithm } from "../../crypto/digest-signature";
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
// Sign and verify over a digest (sdk/crypto/digest-signature)

interface SignatureScheme extends DigestAlgorithm {
    readonly hash: "sha256" | "sha384" | "sha512";
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

/** ECDSA signatures are `r ‖ s` (JWS); PSS verification accepts any salt length the encoding carries. */
const KEY_VAULT_SIGNATURES = { ecdsaEncoding: "p1363", pssSaltLength: "recover" } as const;

function signatureScheme(op: "sign" | "verify", m: Material, alg: string, digest: Buffer): SignatureScheme {
    const s = SIGNATURE[alg];
    const fits = s && (m.type === "rsa" ? s.scheme !== "ecdsa" : m.type === "ec" ? s.curve === m.curve : false);
    if (!s || !fits) throw unsupported(op, alg, m);
    const bytes = digestLength(s.hash);
    if (digest.length !== bytes) throw new CryptoParameterError(`${alg} signs a ${bytes}-byte ${s.hash.toUpperCase()} digest (got ${digest.length} bytes).`);
    return s;
}

export function sign(m: Material, alg: string, digest: Buffer): Buffer {
    const s = signatureScheme("sign", m, alg, digest);
    if (m.type === "oct") throw unsupported("sign", alg, m);
    try {
        return signDigest(m.key, s, digest, KEY_VAULT_SIGNATURES);
    } catch (e) {
        if (e instanceof DigestSignatureError && e.code === "key-size") throw new CryptoParameterError("The RSA key is too small for this PSS algorithm.");
        throw e;
    }
}

export function verify(m: Material, alg: string, digest: Buffer, signature: Buffer): boolean {
    const s = signatureScheme("verify", m, alg, digest);
    if (m.type === "oct") return false;
    return verifyDigest(m.key, s, digest, signature, KEY_VAULT_SIGNATURES);
}
