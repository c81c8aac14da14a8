/**
 * What each AWS KMS key spec is: its key usages, algorithms, the material it needs, and how the emulator makes it.
 */
import * as crypto from "crypto";
import { promisify } from "util";
import type { MaterialKind } from "../../crypto/material";

export type KeySpec =
    | "SYMMETRIC_DEFAULT"
    | "RSA_2048"
    | "RSA_3072"
    | "RSA_4096"
    | "ECC_NIST_P256"
    | "ECC_NIST_P384"
    | "ECC_NIST_P521"
    | "ECC_SECG_P256K1"
    | "HMAC_224"
    | "HMAC_256"
    | "HMAC_384"
    | "HMAC_512";

export type KeyUsage = "ENCRYPT_DECRYPT" | "SIGN_VERIFY" | "GENERATE_VERIFY_MAC";

export type HashName = "sha224" | "sha256" | "sha384" | "sha512";

export type SigningAlgorithm =
    | "RSASSA_PKCS1_V1_5_SHA_256"
    | "RSASSA_PKCS1_V1_5_SHA_384"
    | "RSASSA_PKCS1_V1_5_SHA_512"
    | "RSASSA_PSS_SHA_256"
    | "RSASSA_PSS_SHA_384"
    | "RSASSA_PSS_SHA_512"
    | "ECDSA_SHA_256"
    | "ECDSA_SHA_384"
    | "ECDSA_SHA_512";

export type EncryptionAlgorithm = "SYMMETRIC_DEFAULT" | "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256";
export type MacAlgorithm = "HMAC_SHA_224" | "HMAC_SHA_256" | "HMAC_SHA_384" | "HMAC_SHA_512";

export interface SpecInfo {
    readonly family: "symmetric" | "rsa" | "ec" | "hmac";
    readonly usages: readonly KeyUsage[];
    readonly material: MaterialKind;
}

export const KEY_SPECS: Record<KeySpec, SpecInfo> = {
    SYMMETRIC_DEFAULT: { family: "symmetric", usages: ["ENCRYPT_DECRYPT"], material: { type: "aes", bytes: 32 } },
    RSA_2048: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], material: { type: "rsa", bits: 2048 } },
    RSA_3072: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], material: { type: "rsa", bits: 3072 } },
    RSA_4096: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], material: { type: "rsa", bits: 4096 } },
    ECC_NIST_P256: { family: "ec", usages: ["SIGN_VERIFY"], material: { type: "ec", curve: "P-256" } },
    ECC_NIST_P384: { family: "ec", usages: ["SIGN_VERIFY"], material: { type: "ec", curve: "P-384" } },
    ECC_NIST_P521: { family: "ec", usages: ["SIGN_VERIFY"], material: { type: "ec", curve: "P-521" } },
    ECC_SECG_P256K1: { family: "ec", usages: ["SIGN_VERIFY"], material: { type: "ec", curve: "secp256k1" } },
    HMAC_224: { family: "hmac", usages: ["GENERATE_VERIFY_MAC"], material: { type: "hmac", bytes: 28 } },
    HMAC_256: { family: "hmac", usages: ["GENERATE_VERIFY_MAC"], material: { type: "hmac", bytes: 32 } },
    HMAC_384: { family: "hmac", usages: ["GENERATE_VERIFY_MAC"], material: { type: "hmac", bytes: 48 } },
    HMAC_512: { family: "hmac", usages: ["GENERATE_VERIFY_MAC"], material: { type: "hmac", bytes: 64 } },
};

export const KEY_SPEC_NAMES = Object.keys(KEY_SPECS) as KeySpec[];
export const KEY_USAGES: readonly KeyUsage[] = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"];

export const SIGNING: Record<SigningAlgorithm, { readonly scheme: "pkcs1" | "pss" | "ecdsa"; readonly hash: HashName; readonly digestBytes: number }> = {
    RSASSA_PKCS1_V1_5_SHA_256: { scheme: "pkcs1", hash: "sha256", digestBytes: 32 },
    RSASSA_PKCS1_V1_5_SHA_384: { scheme: "pkcs1", hash: "sha384", digestBytes: 48 },
    RSASSA_PKCS1_V1_5_SHA_512: { scheme: "pkcs1", hash: "sha512", digestBytes: 64 },
    RSASSA_PSS_SHA_256: { scheme: "pss", hash: "sha256", digestBytes: 32 },
    RSASSA_PSS_SHA_384: { scheme: "pss", hash: "sha384", digestBytes: 48 },
    RSASSA_PSS_SHA_512: { scheme: "pss", hash: "sha512", digestBytes: 64 },
    ECDSA_SHA_256: { scheme: "ecdsa", hash: "sha256", digestBytes: 32 },
    ECDSA_SHA_384: { scheme: "ecdsa", hash: "sha384", digestBytes: 48 },
    ECDSA_SHA_512: { scheme: "ecdsa", hash: "sha512", digestBytes: 64 },
};

export const MAC_HASH: Record<MacAlgorithm, HashName> = {
    HMAC_SHA_224: "sha224",
    HMAC_SHA_256: "sha256",
    HMAC_SHA_384: "sha384",
    HMAC_SHA_512: "sha512",
};

/** The algorithm lists `DescribeKey` reports for a key spec and usage. */
export function algorithmsFor(spec: KeySpec, usage: KeyUsage): {
    EncryptionAlgorithms?: EncryptionAlgorithm[];
    SigningAlgorithms?: SigningAlgorithm[];
    MacAlgorithms?: MacAlgorithm[];
} {
    switch (spec) {
        case "SYMMETRIC_DEFAULT":
            return { EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"] };
        case "RSA_2048":
        case "RSA_3072":
        case "RSA_4096":
            return usage === "ENCRYPT_DECRYPT"
                ? { EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] }
                : {
                      SigningAlgorithms: [
                          "RSASSA_PKCS1_V1_5_SHA_256",
                          "RSASSA_PKCS1_V1_5_SHA_384",
                          "RSASSA_PKCS1_V1_5_SHA_512",
                          "RSASSA_PSS_SHA_256",
                          "RSASSA_PSS_SHA_384",
                          "RSASSA_PSS_SHA_512",
                      ],
                  };
        case "ECC_NIST_P256":
        case "ECC_SECG_P256K1":
            return { SigningAlgorithms: ["ECDSA_SHA_256"] };
        case "ECC_NIST_P384":
            return { SigningAlgorithms: ["ECDSA_SHA_384"] };
        case "ECC_NIST_P521":
            return { SigningAlgorithms: ["ECDSA_SHA_512"] };
        case "HMAC_224":
            return { MacAlgorithms: ["HMAC_SHA_224"] };
        case "HMAC_256":
            return { MacAlgorithms: ["HMAC_SHA_256"] };
        case "HMAC_384":
            return { MacAlgorithms: ["HMAC_SHA_384"] };
        case "HMAC_512":
            return { MacAlgorithms: ["HMAC_SHA_512"] };
    }
}

const generateKeyPair = promisify(crypto.generateKeyPair);

const OPENSSL_CURVE: Record<string, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", secp256k1: "secp256k1" };

/** Fresh material for an AWS_KMS key: raw bytes for symmetric/HMAC, DER PKCS#8 for key pairs (generated off the event loop). */
export async function generateMaterial(spec: KeySpec): Promise<Buffer> {
    const kind = KEY_SPECS[spec].material;
    switch (kind.type) {
        case "aes":
        case "hmac":
            return crypto.randomBytes(kind.bytes);
        case "rsa": {
            const { privateKey } = await generateKeyPair("rsa", { modulusLength: kind.bits });
            return privateKey.export({ type: "pkcs8", format: "der" });
        }
        case "ec": {
            const { privateKey } = await generateKeyPair("ec", { namedCurve: OPENSSL_CURVE[kind.curve] });
            return privateKey.export({ type: "pkcs8", format: "der" });
        }
    }
}
