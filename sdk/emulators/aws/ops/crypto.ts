/**
 * Encryption: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom. Symmetric ciphertext
 * blobs are the emulator's own format (`../envelope.ts`); RSA keys use RSAES-OAEP. Errors as the recordings show
 * them: InvalidCiphertextException with an empty message, IncorrectKeyException "…does not identify a CMK…".
 */
import * as crypto from "crypto";
import { parseSymmetric, sealSymmetric } from "../envelope";
import { kmsError } from "../errors";
import type { Input } from "../input";
import { b64, type KmsModel, type RequestContext } from "../model";
import { algorithmsFor, KEY_SPECS, type EncryptionAlgorithm } from "../specs";
import type { KeyRecord, MaterialRecord } from "../state";
import { dryRun, type Json, type Operations } from "./types";

const ENCRYPTION_ALGORITHMS: readonly EncryptionAlgorithm[] = ["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
const INCORRECT_KEY = "The key ID in the request does not identify a CMK that can perform this operation.";

const oaepHash = (algorithm: EncryptionAlgorithm) => (algorithm === "RSAES_OAEP_SHA_1" ? "sha1" : "sha256");

function requireEncryptionAlgorithm(m: KmsModel, key: KeyRecord, algorithm: EncryptionAlgorithm): void {
    if (!(algorithmsFor(key.keySpec, key.keyUsage).EncryptionAlgorithms ?? []).includes(algorithm)) {
        throw kmsError("InvalidKeyUsageException", `The encryption algorithm ${algorithm} is not valid for ${m.arn(key)} (${key.keySpec}).`);
    }
}

/** Encrypts with `key` (checked: Enabled, ENCRYPT_DECRYPT, the algorithm); the blob and the material used (symmetric). */
export function seal(m: KmsModel, key: KeyRecord, plaintext: Buffer, context: Record<string, string> | undefined, algorithm: EncryptionAlgorithm, operation: string) {
    m.requireEnabled(key);
    m.requireUsage(key, "ENCRYPT_DECRYPT", operation);
    requireEncryptionAlgorithm(m, key, algorithm);
    if (algorithm === "SYMMETRIC_DEFAULT") {
        const current = m.current(key) as MaterialRecord;
        return { blob: sealSymmetric(key.keyId, current.id, m.secretOf(key, current), plaintext, context), material: current };
    }
    if (context !== undefined) throw kmsError("ValidationException", "EncryptionContext is not supported with asymmetric KMS keys.");
    const publicKey = crypto.createPublicKey(m.privateKey(key));
    const hash = oaepHash(algorithm);
    const max = (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8 - 2 * (hash === "sha1" ? 20 : 32) - 2;
    if (plaintext.length > max) throw kmsError("ValidationException", `Algorithm ${algorithm} and key spec ${key.keySpec} cannot encrypt data larger than ${max} bytes.`);
    return { blob: crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext), material: undefined };
}

/** Decrypts `blob`; `keyIdInput` (optional for symmetric blobs, which name their key) must be the key that made it. */
export function open(m: KmsModel, ctx: RequestContext, blob: Buffer, keyIdInput: string | undefined, context: Record<string, string> | undefined, algorithm: EncryptionAlgorithm, operation: string) {
    const named = keyIdInput === undefined ? undefined : m.key(ctx, keyIdInput, true);
    if (named && KEY_SPECS[named.keySpec].family === "rsa") {
        m.requireEnabled(named);
        m.requireUsage(named, "ENCRYPT_DECRYPT", operation);
        requireEncryptionAlgorithm(m, named, algorithm);
        try {
            const plaintext = crypto.privateDecrypt({ key: m.privateKey(named), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) }, blob);
            return { key: named, plaintext, material: undefined };
        } catch {
            throw kmsError("InvalidCiphertextException", "");
        }
    }
    const parsed = parseSymmetric(blob);
    if (!parsed) throw kmsError("InvalidCiphertextException", "");
    if (named && named.keyId !== parsed.keyId) throw kmsError("IncorrectKeyException", INCORRECT_KEY);
    const key = named ?? m.key(ctx, parsed.keyId, false);
    m.requireEnabled(key);
    m.requireUsage(key, "ENCRYPT_DECRYPT", operation);
    requireEncryptionAlgorithm(m, key, algorithm);
    const material = key.materials.find((mat) => mat.id === parsed.keyMaterialId && mat.state !== "PENDING_ROTATION");
    if (!material) throw kmsError("InvalidCiphertextException", "");
    try {
        return { key, plaintext: parsed.open(m.secretOf(key, material), context), material };
    } catch {
        throw kmsError("InvalidCiphertextException", "");
    }
}

const algorithmOf = (input: Input, member: string) => input.enumOf(member, ENCRYPTION_ALGORITHMS) ?? "SYMMETRIC_DEFAULT";

function encrypt(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), true);
    const plaintext = input.reqBlob("Plaintext", { max: 4096 });
    const context = input.stringMap("EncryptionContext");
    const algorithm = algorithmOf(input, "EncryptionAlgorithm");
    const { blob } = seal(m, key, plaintext, context, algorithm, "Encrypt");
    dryRun(input);
    return { CiphertextBlob: b64(blob), KeyId: m.arn(key), EncryptionAlgorithm: algorithm };
}

function decrypt(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const blob = input.reqBlob("CiphertextBlob", { max: 6144 });
    const keyIdInput = input.str("KeyId");
    const context = input.stringMap("EncryptionContext");
    const algorithm = algorithmOf(input, "EncryptionAlgorithm");
    const { key, plaintext, material } = open(m, ctx, blob, keyIdInput, context, algorithm, "Decrypt");
    dryRun(input);
    return { KeyId: m.arn(key), Plaintext: b64(plaintext), EncryptionAlgorithm: algorithm, KeyMaterialId: material?.id };
}

/** Decrypt with the source key, encrypt with the destination key; the plaintext never leaves the emulator. */
function reEncrypt(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const blob = input.reqBlob("CiphertextBlob", { max: 6144 });
    const sourceKeyId = input.str("SourceKeyId");
    const destination = m.key(ctx, input.reqStr("DestinationKeyId"), true);
    const sourceContext = input.stringMap("SourceEncryptionContext");
    const destinationContext = input.stringMap("DestinationEncryptionContext");
    const sourceAlgorithm = algorithmOf(input, "SourceEncryptionAlgorithm");
    const destinationAlgorithm = algorithmOf(input, "DestinationEncryptionAlgorithm");
    const source = open(m, ctx, blob, sourceKeyId, sourceContext, sourceAlgorithm, "ReEncryptFrom");
    try {
        const sealed = seal(m, destination, source.plaintext, destinationContext, destinationAlgorithm, "ReEncryptTo");
        dryRun(input);
        return {
            CiphertextBlob: b64(sealed.blob),
            SourceKeyId: m.arn(source.key),
            KeyId: m.arn(destination),
            SourceEncryptionAlgorithm: sourceAlgorithm,
            DestinationEncryptionAlgorithm: destinationAlgorithm,
            SourceKeyMaterialId: source.material?.id,
            DestinationKeyMaterialId: sealed.material?.id,
        };
    } finally {
        source.plaintext.fill(0);
    }
}

function generateDataKey(m: KmsModel, ctx: RequestContext, input: Input, withPlaintext: boolean): Json {
    const operation = withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
    const key = m.key(ctx, input.reqStr("KeyId"), true);
    const spec = input.enumOf("KeySpec", ["AES_256", "AES_128"] as const);
    const count = input.int("NumberOfBytes", 1, 1024);
    const context = input.stringMap("EncryptionContext");
    if ((spec === undefined) === (count === undefined)) throw kmsError("ValidationException", "Specify either KeySpec or NumberOfBytes, but not both.");
    m.requireEnabled(key);
    m.requireUsage(key, "ENCRYPT_DECRYPT", operation);
    if (!m.isSymmetric(key)) throw kmsError("InvalidKeyUsageException", `${m.arn(key)} key spec ${key.keySpec} is not valid for ${operation}.`);
    const data = crypto.randomBytes(count ?? (spec === "AES_128" ? 16 : 32));
    const { blob, material } = seal(m, key, data, context, "SYMMETRIC_DEFAULT", operation);
    dryRun(input);
    return { CiphertextBlob: b64(blob), Plaintext: withPlaintext ? b64(data) : undefined, KeyId: m.arn(key), KeyMaterialId: material?.id };
}

export const cryptoOperations: Operations = {
    Encrypt: encrypt,
    Decrypt: decrypt,
    ReEncrypt: reEncrypt,
    GenerateDataKey: (m, ctx, input) => generateDataKey(m, ctx, input, true),
    GenerateDataKeyWithoutPlaintext: (m, ctx, input) => generateDataKey(m, ctx, input, false),
    GenerateRandom: (_m, _ctx, input) => {
        // As recorded: a missing NumberOfBytes is "NumberOfBytes is required."; out of range, the usual constraint message.
        if (!input.has("NumberOfBytes")) throw kmsError("ValidationException", "NumberOfBytes is required.");
        if (input.has("CustomKeyStoreId")) throw kmsError("UnsupportedOperationException", "Custom key stores are not supported by the keyfabric AWS KMS emulator.");
        return { Plaintext: b64(crypto.randomBytes(input.int("NumberOfBytes", 1, 1024) as number)) };
    },
};
