/**
 * Wrapping material to each cloud's BYOK spec. Pure functions over Node's crypto; used by the BYOK providers,
 * `keyfabric byok wrap` (air-gapped hosts) and the tests.
 */
import * as crypto from "crypto";
import { MaterialKind } from "../crypto/material";
import { OaepHash, rsaAesKeyWrap, rsaModulusBytes, rsaOaepEncrypt } from "../crypto/keywrap";
import { Algorithm } from "../spec/constants";

/** The material a logical algorithm needs. */
export function materialKindFor(algorithm: Algorithm): MaterialKind {
    switch (algorithm) {
        case "AES_256":
            return { type: "aes", bytes: 32 };
        case "HMAC_256":
            return { type: "hmac", bytes: 32 };
        case "RSA_2048":
            return { type: "rsa", bits: 2048 };
        case "RSA_3072":
            return { type: "rsa", bits: 3072 };
        case "RSA_4096":
            return { type: "rsa", bits: 4096 };
        case "EC_P256":
            return { type: "ec", curve: "P-256" };
        case "EC_P384":
            return { type: "ec", curve: "P-384" };
    }
}

const symmetric = (kind: MaterialKind) => kind.type === "aes" || kind.type === "hmac";

// ---- AWS KMS ----

export const AWS_WRAPPING_ALGORITHMS = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"] as const;
export type AwsWrappingAlgorithm = (typeof AWS_WRAPPING_ALGORITHMS)[number];

/** SHA-256 always; direct OAEP for symmetric/HMAC material, RSA-AES for RSA/EC private keys (too big for OAEP). */
export function awsWrappingAlgorithmFor(kind: MaterialKind): AwsWrappingAlgorithm {
    return symmetric(kind) ? "RSAES_OAEP_SHA_256" : "RSA_AES_KEY_WRAP_SHA_256";
}

/** `EncryptedKeyMaterial` for ImportKeyMaterial, from GetParametersForImport's `PublicKey` (SPKI DER). */
export function wrapForAws(material: Buffer, publicKeySpkiDer: Uint8Array, algorithm: AwsWrappingAlgorithm): Buffer {
    const pub = crypto.createPublicKey({ key: Buffer.from(publicKeySpkiDer), format: "der", type: "spki" });
    const hash: OaepHash = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
    return algorithm.startsWith("RSA_AES") ? rsaAesKeyWrap(pub, hash, material) : rsaOaepEncrypt(pub, hash, material);
}

// ---- Google Cloud KMS ----

export const GCP_IMPORT_METHODS = {
    RSA_OAEP_3072_SHA1_AES_256: { bits: 3072, hash: "sha1", hybrid: true },
    RSA_OAEP_4096_SHA1_AES_256: { bits: 4096, hash: "sha1", hybrid: true },
    RSA_OAEP_3072_SHA256_AES_256: { bits: 3072, hash: "sha256", hybrid: true },
    RSA_OAEP_4096_SHA256_AES_256: { bits: 4096, hash: "sha256", hybrid: true },
    RSA_OAEP_3072_SHA256: { bits: 3072, hash: "sha256", hybrid: false },
    RSA_OAEP_4096_SHA256: { bits: 4096, hash: "sha256", hybrid: false },
} as const satisfies Record<string, { bits: number; hash: OaepHash; hybrid: boolean }>;
export type GcpImportMethod = keyof typeof GCP_IMPORT_METHODS;
export const DEFAULT_GCP_IMPORT_METHOD: GcpImportMethod = "RSA_OAEP_4096_SHA256_AES_256";

/** `wrappedKey` for ImportCryptoKeyVersion, from the ACTIVE import job's `publicKey.pem`. */
export function wrapForGcp(material: Buffer, publicKeyPem: string, method: GcpImportMethod): Buffer {
    const spec = GCP_IMPORT_METHODS[method];
    const pub = crypto.createPublicKey(publicKeyPem);
    if (rsaModulusBytes(pub) * 8 !== spec.bits) throw new Error(`the import job's key is not RSA-${spec.bits}, as ${method} needs`);
    if (!spec.hybrid) {
        const capacity = spec.bits / 8 - 2 * 32 - 2;
        if (material.length > capacity) throw new Error(`${method} wraps at most ${capacity} bytes; use a *_AES_256 method for this material`);
        return rsaOaepEncrypt(pub, spec.hash, material);
    }
    return rsaAesKeyWrap(pub, spec.hash, material);
}

// ---- Azure Key Vault / Managed HSM ----

export interface AzureTransferBlob {
    readonly schema_version: "1.0.0";
    readonly header: { readonly kid: string; readonly alg: "dir"; readonly enc: "CKM_RSA_AES_KEY_WRAP" };
    readonly ciphertext: string;
    readonly generator: string;
}

/**
 * The BYOK transfer blob (`key_hsm`): CKM_RSA_AES_KEY_WRAP with OAEP SHA-1 under the KEK (an `RSA-HSM` key whose only
 * operation is `import`), as JSON bytes. `kekKid` is the KEK's versioned key id.
 */
export function azureTransferBlob(material: Buffer, kekPublicKey: crypto.KeyObject, kekKid: string, generator: string): Buffer {
    const blob: AzureTransferBlob = {
        schema_version: "1.0.0",
        header: { kid: kekKid, alg: "dir", enc: "CKM_RSA_AES_KEY_WRAP" },
        ciphertext: rsaAesKeyWrap(kekPublicKey, "sha1", material).toString("base64url"),
        generator,
    };
    return Buffer.from(JSON.stringify(blob), "utf8");
}

/** The KEK's public key from its JWK `n`/`e` (as the Key Vault SDK returns them, Uint8Array or base64url). */
export function rsaPublicKeyFromJwk(n: Uint8Array | string, e: Uint8Array | string): crypto.KeyObject {
    const b64u = (v: Uint8Array | string) => (typeof v === "string" ? v : Buffer.from(v).toString("base64url"));
    return crypto.createPublicKey({ key: { kty: "RSA", n: b64u(n), e: b64u(e) }, format: "jwk" });
}
