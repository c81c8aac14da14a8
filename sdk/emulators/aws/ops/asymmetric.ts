/**
 * Key pairs and MACs: GetPublicKey, Sign, Verify, GenerateMac, VerifyMac, GenerateDataKeyPair(WithoutPlaintext).
 * Messages as recorded: "Digest is invalid length for algorithm X.", "Algorithm X is incompatible with key spec Y.",
 * and empty ones for a signature or MAC that does not verify.
 */
import * as crypto from "crypto";
import { promisify } from "util";
import { kmsError } from "../errors";
import type { Input } from "../input";
import { b64, type KmsModel, type RequestContext } from "../model";
import { sign, verify, type MessageType } from "../signing";
import { algorithmsFor, KEY_SPECS, MAC_HASH, SIGNING, type MacAlgorithm, type SigningAlgorithm } from "../specs";
import { seal } from "./crypto";
import { dryRun, type Json, type Operations } from "./types";

const generateKeyPair = promisify(crypto.generateKeyPair) as (type: string, options: object) => Promise<{ publicKey: crypto.KeyObject; privateKey: crypto.KeyObject }>;
const SIGNING_ALGORITHMS = Object.keys(SIGNING) as SigningAlgorithm[];
const MAC_ALGORITHMS = Object.keys(MAC_HASH) as MacAlgorithm[];
/** In the order of AWS's recorded ValidationException (test_invalid_generate_mac). */
const MAC_ALGORITHMS_AS_AWS_LISTS = ["HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512"];
const KEY_PAIR_SPECS = {
    RSA_2048: { type: "rsa", modulusLength: 2048 },
    RSA_3072: { type: "rsa", modulusLength: 3072 },
    RSA_4096: { type: "rsa", modulusLength: 4096 },
    ECC_NIST_P256: { type: "ec", namedCurve: "P-256" },
    ECC_NIST_P384: { type: "ec", namedCurve: "P-384" },
    ECC_NIST_P521: { type: "ec", namedCurve: "P-521" },
    ECC_SECG_P256K1: { type: "ec", namedCurve: "secp256k1" },
} as const;
type KeyPairSpec = keyof typeof KEY_PAIR_SPECS;

function signingInput(m: KmsModel, ctx: RequestContext, input: Input, operation: string) {
    const key = m.key(ctx, input.reqStr("KeyId"), true);
    const message = input.reqBlob("Message", { max: 4096 });
    const rawType = input.str("MessageType");
    if (rawType === "EXTERNAL_MU") throw kmsError("UnsupportedOperationException", "MessageType EXTERNAL_MU is only for ML-DSA keys.");
    const messageType: MessageType = input.enumOf("MessageType", ["RAW", "DIGEST"] as const) ?? "RAW";
    const algorithm = input.reqEnum("SigningAlgorithm", SIGNING_ALGORITHMS);
    m.requireEnabled(key);
    m.requireUsage(key, "SIGN_VERIFY", operation);
    if (!(algorithmsFor(key.keySpec, key.keyUsage).SigningAlgorithms ?? []).includes(algorithm)) {
        throw kmsError("InvalidKeyUsageException", `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
    }
    if (messageType === "DIGEST" && message.length !== SIGNING[algorithm].digestBytes) {
        throw kmsError("ValidationException", `Digest is invalid length for algorithm ${algorithm}.`);
    }
    return { key, message, messageType, algorithm };
}

function macInput(m: KmsModel, ctx: RequestContext, input: Input, operation: string) {
    const key = m.key(ctx, input.reqStr("KeyId"), true);
    const message = input.reqBlob("Message", { max: 4096 });
    const algorithm = input.enumOf("MacAlgorithm", MAC_ALGORITHMS, MAC_ALGORITHMS_AS_AWS_LISTS);
    if (algorithm === undefined) throw kmsError("ValidationException", "1 validation error detected: Value null at 'macAlgorithm' failed to satisfy constraint: Member must not be null");
    m.requireEnabled(key);
    m.requireUsage(key, "GENERATE_VERIFY_MAC", operation);
    if (!(algorithmsFor(key.keySpec, key.keyUsage).MacAlgorithms ?? []).includes(algorithm)) {
        throw kmsError("InvalidKeyUsageException", `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
    }
    const mac = crypto.createHmac(MAC_HASH[algorithm], m.secretOf(key, m.current(key))).update(message).digest();
    return { key, algorithm, mac };
}

async function generateDataKeyPair(m: KmsModel, ctx: RequestContext, input: Input, withPlaintext: boolean): Promise<Json> {
    const operation = withPlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext";
    const key = m.key(ctx, input.reqStr("KeyId"), true);
    if (input.str("KeyPairSpec") === "SM2") throw kmsError("UnsupportedOperationException", "KeyPairSpec SM2 is only available in China Regions.");
    const spec = input.reqEnum("KeyPairSpec", Object.keys(KEY_PAIR_SPECS) as KeyPairSpec[]);
    const context = input.stringMap("EncryptionContext");
    if (input.has("Recipient")) throw kmsError("UnsupportedOperationException", "Recipient (Nitro Enclaves attestation) is not supported by the keyfabric AWS KMS emulator.");
    m.requireEnabled(key);
    m.requireUsage(key, "ENCRYPT_DECRYPT", operation);
    if (!m.isSymmetric(key)) throw kmsError("InvalidKeyUsageException", `${m.arn(key)} key spec ${key.keySpec} is not valid for ${operation}.`);
    const { type, ...options } = KEY_PAIR_SPECS[spec];
    const { publicKey, privateKey } = await generateKeyPair(type, options);
    const der = privateKey.export({ type: "pkcs8", format: "der" });
    try {
        const { blob, material } = seal(m, key, der, context, "SYMMETRIC_DEFAULT", operation);
        dryRun(input);
        return {
            PrivateKeyCiphertextBlob: b64(blob),
            PrivateKeyPlaintext: withPlaintext ? b64(der) : undefined,
            PublicKey: b64(publicKey.export({ type: "spki", format: "der" })),
            KeyId: m.arn(key),
            KeyPairSpec: spec,
            KeyMaterialId: material?.id,
        };
    } finally {
        der.fill(0);
    }
}

export const asymmetricOperations: Operations = {
    GetPublicKey: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), true);
        const family = KEY_SPECS[key.keySpec].family;
        if (family !== "rsa" && family !== "ec") throw kmsError("UnsupportedOperationException", `${m.arn(key)} key spec ${key.keySpec} has no public key.`);
        m.requireEnabled(key);
        return {
            KeyId: m.arn(key),
            PublicKey: b64(crypto.createPublicKey(m.privateKey(key)).export({ type: "spki", format: "der" })),
            CustomerMasterKeySpec: key.keySpec,
            KeySpec: key.keySpec,
            KeyUsage: key.keyUsage,
            ...algorithmsFor(key.keySpec, key.keyUsage),
        };
    },
    Sign: (m, ctx, input) => {
        const { key, message, messageType, algorithm } = signingInput(m, ctx, input, "Sign");
        const signature = sign(m.privateKey(key), algorithm, message, messageType);
        dryRun(input);
        return { KeyId: m.arn(key), Signature: b64(signature), SigningAlgorithm: algorithm };
    },
    Verify: (m, ctx, input) => {
        const { key, message, messageType, algorithm } = signingInput(m, ctx, input, "Verify");
        const signature = input.reqBlob("Signature", { max: 6144 });
        const valid = verify(crypto.createPublicKey(m.privateKey(key)), algorithm, message, messageType, signature);
        dryRun(input);
        if (!valid) throw kmsError("KMSInvalidSignatureException", "");
        return { KeyId: m.arn(key), SignatureValid: true, SigningAlgorithm: algorithm };
    },
    GenerateMac: (m, ctx, input) => {
        const { key, algorithm, mac } = macInput(m, ctx, input, "GenerateMac");
        dryRun(input);
        return { Mac: b64(mac), MacAlgorithm: algorithm, KeyId: m.arn(key) };
    },
    VerifyMac: (m, ctx, input) => {
        const { key, algorithm, mac } = macInput(m, ctx, input, "VerifyMac");
        const given = input.reqBlob("Mac", { max: 6144 });
        dryRun(input);
        if (given.length !== mac.length || !crypto.timingSafeEqual(given, mac)) throw kmsError("KMSInvalidMacException", "");
        return { KeyId: m.arn(key), MacValid: true, MacAlgorithm: algorithm };
    },
    GenerateDataKeyPair: (m, ctx, input) => generateDataKeyPair(m, ctx, input, true),
    GenerateDataKeyPairWithoutPlaintext: (m, ctx, input) => generateDataKeyPair(m, ctx, input, false),
};
