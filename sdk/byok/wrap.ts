/**
 * Wrapping material to each cloud's BYOK spec. Pure functions over Node's crypto; used by the BYOK providers,
 * `keyfabric byok wrap` (air-gapped hosts) and the tests.
 */
import * as crypto from "crypto";
import { checkJwkCertificate, checkJwkMembers, checkJwkUsage, cryptoReason, JOSE_CURVES, MaterialError, MaterialKind, RSA_PUBLIC_EXPONENT } from "../crypto/material";
import { OaepHash, oaepCapacity, rsaAesKeyWrap, rsaModulusBytes, rsaOaepEncrypt } from "../crypto/keywrap";
import { isSealed, KeyMaterial, SealedMaterial } from "../crypto/sealed";
import { Algorithm } from "../schema/constants";

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

// ---- wrapping keys ----

/** The RSA sizes every cloud's wrapping keys and KEKs have (AWS WrappingKeySpec, GCP import jobs, Azure KEKs). */
export const WRAPPING_KEY_BITS = [2048, 3072, 4096] as const;
export const WRAPPING_KEY_ALLOWED = "an RSA-2048, RSA-3072 or RSA-4096 public key with exponent 65537";

/** A key for messages: "RSA-1024", "an EC P-256 key", "an ed25519 key". */
export function describeKey(key: crypto.KeyObject): string {
    const d = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === "rsa") return `RSA-${d.modulusLength}`;
    if (key.asymmetricKeyType === "ec") return `an EC ${JOSE_CURVES[d.namedCurve ?? ""] ?? d.namedCurve} key`;
    return `an ${key.asymmetricKeyType} key`;
}

/**
 * Why `key` cannot be a wrapping key or KEK (undefined when it can): it must be an RSA public key (not RSA-PSS, which
 * cannot encrypt) of 2048, 3072 or 4096 bits, with public exponent 65537. The text follows "the wrapping key ...".
 */
export function wrappingKeyProblem(key: crypto.KeyObject): string | undefined {
    const got = describeKey(key);
    if (key.type !== "public") return `is a private key (allowed: ${WRAPPING_KEY_ALLOWED})`;
    if (key.asymmetricKeyType !== "rsa") return `is not an RSA key (allowed: ${WRAPPING_KEY_ALLOWED}, got: ${got})`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) return `is smaller than RSA-2048 (allowed: ${WRAPPING_KEY_ALLOWED}, got: ${got})`;
    if (!(WRAPPING_KEY_BITS as readonly number[]).includes(bits)) return `is not a size clouds wrap with (allowed: ${WRAPPING_KEY_ALLOWED}, got: ${got})`;
    const e = key.asymmetricKeyDetails?.publicExponent;
    if (e !== RSA_PUBLIC_EXPONENT) return `has a public exponent other than 65537 (allowed: ${WRAPPING_KEY_ALLOWED}, got: ${e})`;
    return undefined;
}

function checkWrappingKey(key: crypto.KeyObject, what = "the wrapping key"): void {
    const problem = wrappingKeyProblem(key);
    if (problem) throw new Error(`${what} ${problem}`);
}

const PRIVATE_JWK_PARTS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const PUBLIC_JWK_MEMBERS = ["kty", "n", "e", "use", "key_ops", "alg", "kid", "ext", "x5u", "x5c", "x5t", "x5t#S256"];
const PUBLIC_JWK_USAGE = { what: "a wrapping key", use: ["enc"] as const, ops: ["encrypt", "wrapKey", "import"], algs: ["RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"] };

/**
 * A wrapping public key from a file's bytes: SPKI (DER or PEM "PUBLIC KEY"), PKCS#1 ("RSA PUBLIC KEY" PEM or DER),
 * or a public JWK (kty RSA, or RSA-HSM as Key Vault writes it). Refused: certificates, private keys (PEM, DER or
 * JWK with private parts), several PEM blocks, JWKs with unknown members, whose use/key_ops/alg are not a wrapping
 * key's or whose x5c certifies another key; then `wrappingKeyProblem`. Messages follow "--public-key <file>: ".
 */
export function parseWrappingPublicKey(bytes: Buffer): crypto.KeyObject {
    const text = bytes.toString("utf8").trim();
    let key: crypto.KeyObject;
    if (text.startsWith("{")) {
        let jwk: unknown;
        try {
            jwk = JSON.parse(text);
        } catch {
            throw new Error("is not valid JSON (a JWK was expected, as the file starts with {)");
        }
        if (jwk && typeof jwk === "object" && !Array.isArray(jwk)) {
            const priv = PRIVATE_JWK_PARTS.filter((m) => m in (jwk as object));
            if (priv.length) throw new Error(`is a private JWK (it has ${priv.join(", ")}): give the public key only (n and e)`);
        }
        try {
            checkJwkMembers(jwk, ["RSA", "RSA-HSM"], PUBLIC_JWK_MEMBERS);
            const j = jwk as Record<string, string>;
            const missing = ["n", "e"].filter((m) => j[m] === undefined);
            if (missing.length) throw new MaterialError(`is a JWK without ${missing.join(" and ")} (allowed: a public JWK with kty RSA, n and e)`);
            checkJwkUsage(j, PUBLIC_JWK_USAGE);
            try {
                key = crypto.createPublicKey({ key: { kty: "RSA", n: j.n, e: j.e }, format: "jwk" });
            } catch (e) {
                throw new MaterialError(`is not a valid RSA JWK (${cryptoReason(e)})`);
            }
            checkJwkCertificate(j, key);
        } catch (e) {
            if (e instanceof MaterialError) throw new Error(e.message);
            throw e;
        }
    } else if (text.startsWith("-----BEGIN")) {
        const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]{1,40})-----/g)].map((m) => m[1]);
        if (labels.length !== 1) throw new Error(`holds ${labels.length} PEM blocks (${labels.join(", ")}); give the public key alone`);
        const label = labels[0];
        if (/CERTIFICATE/.test(label)) throw new Error("is an X.509 certificate, not a public key (extract its key: openssl x509 -pubkey -noout -in <file>)");
        if (/PRIVATE KEY/.test(label)) throw new Error("is a private key: give the public key only (openssl pkey -pubout -in <file>)");
        if (label !== "PUBLIC KEY" && label !== "RSA PUBLIC KEY") throw new Error(`is a PEM ${label}, not a public key (allowed: PEM PUBLIC KEY or RSA PUBLIC KEY, SPKI DER, or a JWK with n and e)`);
        try {
            key = crypto.createPublicKey({ key: text, format: "pem" });
        } catch (e) {
            throw new Error(`is not a valid PEM ${label} (${cryptoReason(e)})`);
        }
    } else {
        // A private key first: createPublicKey would quietly derive the public key from one.
        const isPrivate = (["pkcs8", "pkcs1", "sec1"] as const).some((type) => {
            try {
                crypto.createPrivateKey({ key: bytes, format: "der", type });
                return true;
            } catch {
                return false;
            }
        });
        if (isPrivate) throw new Error("is a private key (DER): give the public key only");
        let isCert = false;
        try {
            new crypto.X509Certificate(bytes);
            isCert = true;
        } catch {
            /* not a certificate */
        }
        if (isCert) throw new Error("is an X.509 certificate (DER), not a public key (extract its key: openssl x509 -pubkey -noout -inform der -in <file>)");
        const asDer = (type: "spki" | "pkcs1") => {
            try {
                return crypto.createPublicKey({ key: bytes, format: "der", type });
            } catch {
                return undefined;
            }
        };
        const parsed = asDer("spki") ?? asDer("pkcs1");
        if (!parsed) throw new Error("not an RSA public key (allowed: SPKI DER or PEM, PKCS#1 RSA PUBLIC KEY, or a JWK with kty RSA, n and e)");
        key = parsed;
    }
    const problem = wrappingKeyProblem(key);
    if (problem) throw new Error(problem);
    return key;
}

// ---- AWS KMS ----

export const AWS_WRAPPING_ALGORITHMS = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"] as const;
export type AwsWrappingAlgorithm = (typeof AWS_WRAPPING_ALGORITHMS)[number];

/**
 * Direct OAEP for symmetric/HMAC material, RSA-AES for RSA/EC private keys (too big for OAEP); SHA-256, unless the
 * material is in a token whose OAEP is SHA-1 only (SoftHSM2): then the SHA-1 scheme.
 */
export function awsWrappingAlgorithmFor(kind: MaterialKind, material?: KeyMaterial): AwsWrappingAlgorithm {
    const sha1 = material !== undefined && tokenSha1Only(material);
    return symmetric(kind) ? (sha1 ? "RSAES_OAEP_SHA_1" : "RSAES_OAEP_SHA_256") : sha1 ? "RSA_AES_KEY_WRAP_SHA_1" : "RSA_AES_KEY_WRAP_SHA_256";
}

/** Material in a token that wraps with OAEP SHA-1 but not SHA-256. */
export const tokenSha1Only = (m: KeyMaterial) => isSealed(m) && m.oaepHashes.includes("sha1") && !m.oaepHashes.includes("sha256");

/** Wraps inside the token; a hash it cannot do is refused, naming the SHA-1 scheme to ask the cloud for. */
function tokenWrap(m: SealedMaterial, pub: crypto.KeyObject, hash: OaepHash, hybrid: boolean, scheme: string, sha1Scheme: string): Buffer {
    if (!m.oaepHashes.includes(hash)) {
        const has = m.oaepHashes.length ? `with ${m.oaepHashes.map((h) => (h === "sha1" ? "SHA-1" : "SHA-256")).join(" and ")} only` : "not at all";
        throw new Error(`${m.description}: ${scheme} needs RSA-OAEP with ${hash === "sha1" ? "SHA-1" : "SHA-256"}, and the token does RSA-OAEP ${has}${m.oaepHashes.includes("sha1") ? `: ask the cloud for ${sha1Scheme}` : ""}`);
    }
    return hybrid ? m.rsaAesKeyWrap(pub, hash) : m.rsaOaepEncrypt(pub, hash);
}

/** Why `algorithm` cannot wrap `kind` material (undefined when it can): AWS takes RSA private keys only with RSA_AES_*. */
export function awsAlgorithmProblem(algorithm: AwsWrappingAlgorithm, kind: MaterialKind): string | undefined {
    if (kind.type === "rsa" && algorithm.startsWith("RSAES_OAEP")) {
        return `cannot wrap an RSA private key: AWS KMS imports RSA private keys only with RSA-AES key wrap (allowed: RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, got: ${JSON.stringify(algorithm)})`;
    }
    return undefined;
}

/** `EncryptedKeyMaterial` for ImportKeyMaterial, from GetParametersForImport's `PublicKey` (SPKI DER). */
export function wrapForAws(material: KeyMaterial, publicKeySpkiDer: Uint8Array, algorithm: AwsWrappingAlgorithm, kind?: MaterialKind): Buffer {
    const pub = crypto.createPublicKey({ key: Buffer.from(publicKeySpkiDer), format: "der", type: "spki" });
    checkWrappingKey(pub);
    const problem = kind && awsAlgorithmProblem(algorithm, kind);
    if (problem) throw new Error(`${algorithm} ${problem}`);
    const hash: OaepHash = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
    if (!algorithm.startsWith("RSA_AES")) {
        const capacity = oaepCapacity(pub, hash);
        if (material.length > capacity) {
            throw new Error(`${algorithm} wraps at most ${capacity} bytes with this RSA-${rsaModulusBytes(pub) * 8} wrapping key, and the material is ${material.length} bytes (allowed: RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256 for material this size)`);
        }
    }
    if (isSealed(material)) return tokenWrap(material, pub, hash, algorithm.startsWith("RSA_AES"), algorithm, algorithm.replace("SHA_256", "SHA_1"));
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

/** The default import method for this material: SHA-1 where it is in a token whose OAEP is SHA-1 only. */
export const defaultGcpImportMethodFor = (material: KeyMaterial): GcpImportMethod => (tokenSha1Only(material) ? "RSA_OAEP_4096_SHA1_AES_256" : DEFAULT_GCP_IMPORT_METHOD);

/** `wrappedKey` for ImportCryptoKeyVersion, from the ACTIVE import job's `publicKey.pem`. */
export function wrapForGcp(material: KeyMaterial, publicKeyPem: string, method: GcpImportMethod): Buffer {
    const spec = GCP_IMPORT_METHODS[method];
    const pub = crypto.createPublicKey(publicKeyPem);
    checkWrappingKey(pub, "the import job's key");
    if (rsaModulusBytes(pub) * 8 !== spec.bits) throw new Error(`the import job's key is not RSA-${spec.bits}, as ${method} needs`);
    if (isSealed(material)) return tokenWrap(material, pub, spec.hash, spec.hybrid, method, `RSA_OAEP_${spec.bits}_SHA1_AES_256`);
    if (!spec.hybrid) {
        const capacity = oaepCapacity(pub, spec.hash);
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
export function azureTransferBlob(material: KeyMaterial, kekPublicKey: crypto.KeyObject, kekKid: string, generator: string): Buffer {
    checkWrappingKey(kekPublicKey, "the KEK");
    const blob: AzureTransferBlob = {
        schema_version: "1.0.0",
        header: { kid: kekKid, alg: "dir", enc: "CKM_RSA_AES_KEY_WRAP" },
        ciphertext: (isSealed(material) ? tokenWrap(material, kekPublicKey, "sha1", true, "the Azure BYOK blob (CKM_RSA_AES_KEY_WRAP)", "") : rsaAesKeyWrap(kekPublicKey, "sha1", material)).toString("base64url"),
        generator,
    };
    return Buffer.from(JSON.stringify(blob), "utf8");
}

/** The KEK's public key from its JWK `n`/`e` (as the Key Vault SDK returns them, Uint8Array or base64url). */
export function rsaPublicKeyFromJwk(n: Uint8Array | string, e: Uint8Array | string): crypto.KeyObject {
    const b64u = (v: Uint8Array | string) => (typeof v === "string" ? v : Buffer.from(v).toString("base64url"));
    return crypto.createPublicKey({ key: { kty: "RSA", n: b64u(n), e: b64u(e) }, format: "jwk" });
}
