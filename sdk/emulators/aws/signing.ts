/**
 * Sign and Verify as AWS KMS does them. `MessageType: RAW` uses Node's `crypto.sign`/`crypto.verify`;
 * `MessageType: DIGEST` signs the precomputed digest with `sdk/crypto/digest-signature` (RSASSA-PKCS1-v1_5,
 * RSASSA-PSS with salt = hash length, ECDSA). ECDSA signatures are DER `SEQUENCE { r, s }`, like AWS.
 */
import * as crypto from "crypto";
import { signDigest, verifyDigest } from "../../crypto/digest-signature";
import { SIGNING, type SigningAlgorithm } from "./specs";

export type MessageType = "RAW" | "DIGEST";

export function sign(privateKey: crypto.KeyObject, algorithm: SigningAlgorithm, message: Buffer, messageType: MessageType): Buffer {
    const { scheme, hash } = SIGNING[algorithm];
    if (messageType === "DIGEST") return signDigest(privateKey, { scheme, hash }, message, { ecdsaEncoding: "der" });
    if (scheme === "ecdsa") return crypto.sign(hash, message, { key: privateKey, dsaEncoding: "der" });
    return crypto.sign(hash, message, rsaOptions(privateKey, scheme));
}

export function verify(publicKey: crypto.KeyObject, algorithm: SigningAlgorithm, message: Buffer, messageType: MessageType, signature: Buffer): boolean {
    const { scheme, hash } = SIGNING[algorithm];
    try {
        if (messageType === "DIGEST") return verifyDigest(publicKey, { scheme, hash }, message, signature, { ecdsaEncoding: "der", pssSaltLength: "hash" });
        if (scheme === "ecdsa") return crypto.verify(hash, message, { key: publicKey, dsaEncoding: "der" }, signature);
        return crypto.verify(hash, message, rsaOptions(publicKey, scheme), signature);
    } catch {
        return false;
    }
}

function rsaOptions(key: crypto.KeyObject, scheme: "pkcs1" | "pss"): crypto.SignKeyObjectInput & crypto.VerifyKeyObjectInput {
    return scheme === "pss"
        ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }
        : { key, padding: crypto.constants.RSA_PKCS1_PADDING };
}
