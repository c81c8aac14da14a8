/**
 * The capability matrix: logical algorithm x purpose x cloud x protection -> the cloud's own key shape.
 * Validation asks this table; the per-cloud components build their resources from its answers.
 */
import { Algorithm, ALGORITHMS, CloudName, Origin, Protection, Purpose } from "./constants";

export interface AwsKeyShape {
    readonly cloud: "aws";
    /** `KeySpec` / Pulumi `customerMasterKeySpec`. */
    readonly keySpec: string;
    readonly keyUsage: "ENCRYPT_DECRYPT" | "SIGN_VERIFY" | "GENERATE_VERIFY_MAC";
    readonly symmetric: boolean;
}

export interface GcpKeyShape {
    readonly cloud: "gcp";
    readonly purpose: "ENCRYPT_DECRYPT" | "ASYMMETRIC_DECRYPT" | "ASYMMETRIC_SIGN" | "MAC";
    /** `versionTemplate.algorithm`. */
    readonly algorithm: string;
    readonly protectionLevel: "SOFTWARE" | "HSM";
    readonly symmetric: boolean;
}

export interface AzureKeyShape {
    readonly cloud: "azure";
    readonly kty: "RSA" | "RSA-HSM" | "EC" | "EC-HSM" | "oct-HSM";
    readonly keySize?: number;
    readonly curveName?: "P-256" | "P-384";
    readonly keyOps: readonly string[];
    /** Where the key can live: a Key Vault (standard or premium) or a Managed HSM. */
    readonly container: "vault" | "managedHsm";
    /** The vault SKU the key needs: HSM-protected keys need premium. */
    readonly vaultSku?: "standard" | "premium";
}

export type KeyShape = AwsKeyShape | GcpKeyShape | AzureKeyShape;

export type Capability<S> = { readonly ok: true; readonly shape: S } | { readonly ok: false; readonly reason: string; readonly allowed?: string };

/** The purposes each algorithm can serve. */
export const PURPOSES_FOR_ALGORITHM: Record<Algorithm, readonly Purpose[]> = {
    AES_256: ["encrypt"],
    RSA_2048: ["encrypt", "sign"],
    RSA_3072: ["encrypt", "sign"],
    RSA_4096: ["encrypt", "sign"],
    EC_P256: ["sign"],
    EC_P384: ["sign"],
    HMAC_256: ["mac"],
};

/** The algorithms that fit a purpose (for "allowed" lists). */
export function algorithmsFor(purpose: Purpose): Algorithm[] {
    return ALGORITHMS.filter((a) => PURPOSES_FOR_ALGORITHM[a].includes(purpose));
}

function rsaBits(algorithm: Algorithm): number | undefined {
    const m = /^RSA_(\d+)$/.exec(algorithm);
    return m ? Number(m[1]) : undefined;
}

const AZURE_ENCRYPT_OPS = ["encrypt", "decrypt", "wrapKey", "unwrapKey"] as const;
const AZURE_SIGN_OPS = ["sign", "verify"] as const;

export function awsKeyShape(algorithm: Algorithm, purpose: Purpose): Capability<AwsKeyShape> {
    if (!PURPOSES_FOR_ALGORITHM[algorithm].includes(purpose)) return purposeMismatch(algorithm, purpose);
    const bits = rsaBits(algorithm);
    if (algorithm === "AES_256") return ok({ cloud: "aws", keySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", symmetric: true });
    if (algorithm === "HMAC_256") return ok({ cloud: "aws", keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC", symmetric: false });
    if (bits) {
        return ok({ cloud: "aws", keySpec: `RSA_${bits}`, keyUsage: purpose === "encrypt" ? "ENCRYPT_DECRYPT" : "SIGN_VERIFY", symmetric: false });
    }
    const curve = algorithm === "EC_P256" ? "ECC_NIST_P256" : "ECC_NIST_P384";
    return ok({ cloud: "aws", keySpec: curve, keyUsage: "SIGN_VERIFY", symmetric: false });
}

export function gcpKeyShape(algorithm: Algorithm, purpose: Purpose, protection: Protection): Capability<GcpKeyShape> {
    if (!PURPOSES_FOR_ALGORITHM[algorithm].includes(purpose)) return purposeMismatch(algorithm, purpose);
    const protectionLevel = protection === "hsm" ? "HSM" : "SOFTWARE";
    const bits = rsaBits(algorithm);
    if (algorithm === "AES_256") {
        return ok({ cloud: "gcp", purpose: "ENCRYPT_DECRYPT", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel, symmetric: true });
    }
    if (algorithm === "HMAC_256") return ok({ cloud: "gcp", purpose: "MAC", algorithm: "HMAC_SHA256", protectionLevel, symmetric: false });
    if (bits) {
        return purpose === "encrypt"
            ? ok({ cloud: "gcp", purpose: "ASYMMETRIC_DECRYPT", algorithm: `RSA_DECRYPT_OAEP_${bits}_SHA256`, protectionLevel, symmetric: false })
            : ok({ cloud: "gcp", purpose: "ASYMMETRIC_SIGN", algorithm: `RSA_SIGN_PSS_${bits}_SHA256`, protectionLevel, symmetric: false });
    }
    const algo = algorithm === "EC_P256" ? "EC_SIGN_P256_SHA256" : "EC_SIGN_P384_SHA384";
    return ok({ cloud: "gcp", purpose: "ASYMMETRIC_SIGN", algorithm: algo, protectionLevel, symmetric: false });
}

/**
 * Azure: RSA and EC keys live in a Key Vault (HSM-protected ones need a premium vault); AES keys exist only as
 * `oct-HSM` on a Managed HSM; Key Vault has no HMAC keys at all.
 */
export function azureKeyShape(
    algorithm: Algorithm,
    purpose: Purpose,
    protection: Protection,
    managedHsmConfigured: boolean,
): Capability<AzureKeyShape> {
    if (!PURPOSES_FOR_ALGORITHM[algorithm].includes(purpose)) return purposeMismatch(algorithm, purpose);
    if (algorithm === "HMAC_256") {
        return { ok: false, reason: "Azure Key Vault and Managed HSM have no HMAC keys", allowed: "clouds without azure: aws, gcp" };
    }
    if (algorithm === "AES_256") {
        // Both conditions at once: fixing one should not reveal the other.
        if (protection !== "hsm" && !managedHsmConfigured) {
            return {
                ok: false,
                reason: "AES_256 in Azure exists only as an oct-HSM key on a Managed HSM (a Key Vault has no symmetric keys), and this key's protection is software",
                allowed: "set clouds.azure.managedHsm and protection: hsm, or leave azure out of this key's clouds",
            };
        }
        if (protection !== "hsm") {
            return {
                ok: false,
                reason: "AES_256 in Azure is an oct-HSM key on the Managed HSM, which is HSM-protected only, and this key's protection is software",
                allowed: "protection: hsm (on the key, its domain or defaults), or leave azure out of this key's clouds",
            };
        }
        if (!managedHsmConfigured) {
            return {
                ok: false,
                reason: "AES_256 in Azure needs oct-HSM, which only a Managed HSM offers (a Key Vault has no symmetric keys)",
                allowed: "set clouds.azure.managedHsm, or leave azure out of this key's clouds",
            };
        }
        return ok({ cloud: "azure", kty: "oct-HSM", keySize: 256, keyOps: AZURE_ENCRYPT_OPS, container: "managedHsm" });
    }
    const hsm = protection === "hsm";
    const vaultSku = hsm ? "premium" : "standard";
    const bits = rsaBits(algorithm);
    if (bits) {
        return ok({
            cloud: "azure",
            kty: hsm ? "RSA-HSM" : "RSA",
            keySize: bits,
            keyOps: purpose === "encrypt" ? AZURE_ENCRYPT_OPS : AZURE_SIGN_OPS,
            container: "vault",
            vaultSku,
        });
    }
    return ok({
        cloud: "azure",
        kty: hsm ? "EC-HSM" : "EC",
        curveName: algorithm === "EC_P256" ? "P-256" : "P-384",
        keyOps: AZURE_SIGN_OPS,
        container: "vault",
        vaultSku,
    });
}

/**
 * Whether the cloud rotates this kind of key on a schedule by itself. AWS and GCP rotate only symmetric
 * encryption keys they generated; Azure rotation policies apply to every key it generated. Imported (BYOK)
 * material is never rotated automatically: new material is imported instead.
 */
export function supportsAutoRotation(cloud: CloudName, algorithm: Algorithm, origin: Origin): boolean {
    if (origin === "byok") return false;
    if (cloud === "azure") return algorithm !== "HMAC_256";
    return algorithm === "AES_256";
}

function ok<S>(shape: S): Capability<S> {
    return { ok: true, shape };
}

/** Why an algorithm cannot serve a purpose, and what can (call it when `PURPOSES_FOR_ALGORITHM` says it cannot). */
export function purposeMismatch(algorithm: Algorithm, purpose: Purpose): { ok: false; reason: string; allowed: string } {
    return {
        ok: false,
        reason: `${algorithm} keys cannot be used to ${purpose}`,
        allowed: `purpose ${PURPOSES_FOR_ALGORITHM[algorithm].join(" or ")} for ${algorithm}; for ${purpose}: ${algorithmsFor(purpose).join(", ")}`,
    };
}
