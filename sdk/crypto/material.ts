/**
 * Key material checks and fingerprints. Messages never include the material.
 */
import * as crypto from "crypto";

/** What a piece of plaintext key material must be. */
export type MaterialKind =
    | { readonly type: "aes"; readonly bytes: 16 | 24 | 32 }
    | { readonly type: "hmac"; readonly bytes: number }
    | { readonly type: "rsa"; readonly bits: 2048 | 3072 | 4096 }
    | { readonly type: "ec"; readonly curve: "P-256" | "P-384" | "P-521" | "secp256k1" };

export class MaterialError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MaterialError";
    }
}

const CURVE_NAMES: Record<string, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", secp256k1: "secp256k1" };

export function describeKind(kind: MaterialKind): string {
    switch (kind.type) {
        case "aes":
            return `${kind.bytes} raw bytes (AES-${kind.bytes * 8})`;
        case "hmac":
            return `${kind.bytes} raw bytes (HMAC)`;
        case "rsa":
            return `an RSA-${kind.bits} private key as DER PKCS#8`;
        case "ec":
            return `an EC ${kind.curve} private key as DER PKCS#8`;
    }
}

/**
 * Checks that `material` is what `kind` needs; returns the parsed private key for asymmetric kinds.
 * Throws `MaterialError` saying what was expected and what was found (sizes and types only).
 */
export function checkMaterial(kind: MaterialKind, material: Buffer): crypto.KeyObject | undefined {
    if (kind.type === "aes" || kind.type === "hmac") {
        if (material.length !== kind.bytes) throw new MaterialError(`expected ${describeKind(kind)}, got ${material.length} bytes`);
        return undefined;
    }
    let key: crypto.KeyObject;
    try {
        key = crypto.createPrivateKey({ key: material, format: "der", type: "pkcs8" });
    } catch {
        throw new MaterialError(`expected ${describeKind(kind)}, got ${material.length} bytes that are not a DER PKCS#8 private key`);
    }
    const details = key.asymmetricKeyDetails ?? {};
    if (kind.type === "rsa") {
        if (key.asymmetricKeyType !== "rsa") throw new MaterialError(`expected ${describeKind(kind)}, got a ${key.asymmetricKeyType} key`);
        if (details.modulusLength !== kind.bits) throw new MaterialError(`expected ${describeKind(kind)}, got RSA-${details.modulusLength}`);
    } else {
        if (key.asymmetricKeyType !== "ec") throw new MaterialError(`expected ${describeKind(kind)}, got a ${key.asymmetricKeyType} key`);
        if (details.namedCurve !== CURVE_NAMES[kind.curve]) throw new MaterialError(`expected ${describeKind(kind)}, got curve ${details.namedCurve}`);
    }
    return key;
}

/**
 * A non-reversible fingerprint for state and inspection: for symmetric material, SHA-256 over a domain-separation
 * prefix and the material; for asymmetric material, SHA-256 of the public key's SPKI DER.
 */
export function fingerprint(material: Buffer, privateKey?: crypto.KeyObject): string {
    if (privateKey) {
        const spki = crypto.createPublicKey(privateKey).export({ type: "spki", format: "der" });
        return `sha256-spki:${crypto.createHash("sha256").update(spki).digest("hex")}`;
    }
    return `sha256:${crypto.createHash("sha256").update("keyfabric/material-fingerprint/v1\0").update(material).digest("hex")}`;
}
