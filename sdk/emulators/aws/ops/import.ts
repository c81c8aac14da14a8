/**
 * Importing key material (BYOK): GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial. Formats of
 * import tokens: `../envelope.ts`.
 */
import * as crypto from "crypto";
import { promisify } from "util";
import { DAY_MS, HOUR_MS } from "../../common";
import { rsaAesKeyUnwrap, rsaOaepDecrypt, UnwrapError, type OaepHash } from "../../../crypto/keywrap";
import { checkMaterial, fingerprint, MaterialError } from "../../../crypto/material";
import { issueImportToken, readImportToken, type WrappingAlgorithm } from "../envelope";
import { kmsError } from "../errors";
import type { Input } from "../input";
import { b64, secs, type KmsModel, type RequestContext } from "../model";
import { KEY_SPECS } from "../specs";
import type { ExpirationModel, KeyRecord, MaterialRecord } from "../state";
import type { Json, Operations } from "./types";

const generateKeyPair = promisify(crypto.generateKeyPair);
const WRAPPING_ALGORITHMS: readonly WrappingAlgorithm[] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"];
const WRAPPING_KEY_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const EXPIRATION_MODELS: readonly ExpirationModel[] = ["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"];
export const IMPORT_PARAMETERS_VALIDITY_MS = 24 * HOUR_MS;
const MAX_VALID_TO_MS = 365 * DAY_MS;

/** As recorded (test_get_parameters_for_import): `<key-arn> origin is AWS_KMS which is not valid for this operation.` */
function requireExternal(m: KmsModel, key: KeyRecord): void {
    if (key.origin !== "EXTERNAL") throw kmsError("UnsupportedOperationException", `${m.arn(key)} origin is ${key.origin} which is not valid for this operation.`);
}

/** With `reuseWrappingKeys`, one RSA pair per size for the emulator's life (tokens stay per call); else a fresh pair. */
type RsaPair = { publicKey: crypto.KeyObject; privateKey: crypto.KeyObject };
const wrappingPairs = new WeakMap<KmsModel, Map<number, Promise<RsaPair>>>();
function wrappingPair(m: KmsModel, bits: number): Promise<RsaPair> {
    if (!m.reuseWrappingKeys) return generateKeyPair("rsa", { modulusLength: bits });
    let pairs = wrappingPairs.get(m);
    if (!pairs) wrappingPairs.set(m, (pairs = new Map()));
    let pair = pairs.get(bits);
    if (!pair) {
        pair = generateKeyPair("rsa", { modulusLength: bits });
        pairs.set(bits, pair);
    }
    return pair;
}

async function getParametersForImport(m: KmsModel, ctx: RequestContext, input: Input): Promise<Json> {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const rawAlgorithm = input.reqStr("WrappingAlgorithm");
    const rawSpec = input.reqStr("WrappingKeySpec");
    requireExternal(m, key);
    m.requireNotPendingDeletion(key);
    if (rawAlgorithm === "RSAES_PKCS1_V1_5" || rawAlgorithm === "SM2PKE") {
        throw kmsError("UnsupportedOperationException", `WrappingAlgorithm ${rawAlgorithm} is not supported.`);
    }
    if (rawSpec === "SM2") throw kmsError("UnsupportedOperationException", "WrappingKeySpec SM2 is only available in China Regions.");
    const algorithm = input.reqEnum("WrappingAlgorithm", WRAPPING_ALGORITHMS);
    const bits = WRAPPING_KEY_BITS[input.reqEnum("WrappingKeySpec", ["RSA_2048", "RSA_3072", "RSA_4096"] as const)];

    const { publicKey, privateKey } = await wrappingPair(m, bits);
    const expiresAt = m.now() + IMPORT_PARAMETERS_VALIDITY_MS;
    const wrappingKeyId = crypto.randomUUID();
    m.state.wrappingKeys.push({ id: wrappingKeyId, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string, expiresAt });
    const token = issueImportToken(Buffer.from(m.state.tokenSecret, "base64"), { keyId: key.keyId, wrappingKeyId, algorithm, expiresAt });
    return {
        KeyId: m.arn(key),
        ImportToken: b64(token),
        PublicKey: b64(publicKey.export({ type: "spki", format: "der" })),
        ParametersValidTo: secs(expiresAt),
    };
}

/**
 * Checks in the order AWS documents: key exists and is EXTERNAL; not PendingDeletion; token genuine, for this key,
 * not expired; unwrap; material fits the key spec; re-import is the same material; ExpirationModel/ValidTo.
 * (Malformed members, and the symmetric-only members on other keys, are ValidationException before the token.)
 *
 * Decision on wrong-size/wrong-type material (e.g. 31 bytes for SYMMETRIC_DEFAULT, a P-384 key for ECC_NIST_P256):
 * IncorrectKeyMaterialException, which the SDK documents as "the key material in the request is, expired,
 * invalid, or does not meet expectations" (ValidationException is for malformed request parameters).
 */
function importKeyMaterial(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const tokenBytes = input.reqBlob("ImportToken");
    const wrapped = input.reqBlob("EncryptedKeyMaterial");
    const expirationModel = input.enumOf("ExpirationModel", EXPIRATION_MODELS) ?? "KEY_MATERIAL_EXPIRES";
    const validTo = input.time("ValidTo");
    const importTypeInput = input.enumOf("ImportType", ["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"] as const);
    const materialDescription = input.str("KeyMaterialDescription", { max: 256 });
    const materialIdInput = input.str("KeyMaterialId", { min: 64, max: 64 });
    if (materialDescription !== undefined && !/^[a-zA-Z0-9:/_\s.-]*$/.test(materialDescription)) {
        throw kmsError("ValidationException", "KeyMaterialDescription may only contain a-z, A-Z, 0-9, :, /, _, whitespace, . and -.");
    }

    requireExternal(m, key);
    m.requireNotPendingDeletion(key);
    const symmetric = KEY_SPECS[key.keySpec].family === "symmetric";
    if (!symmetric && (importTypeInput !== undefined || materialDescription !== undefined || materialIdInput !== undefined)) {
        throw kmsError("ValidationException", "ImportType, KeyMaterialDescription and KeyMaterialId are only valid for symmetric encryption keys.");
    }

    const token = readImportToken(Buffer.from(m.state.tokenSecret, "base64"), tokenBytes);
    if (!token) throw kmsError("InvalidImportTokenException", "The import token is not valid: use the ImportToken of a GetParametersForImport response.");
    if (token.keyId !== key.keyId) throw kmsError("InvalidImportTokenException", `The import token was issued for a different KMS key, not ${m.arn(key)}.`);
    const now = m.now();
    if (now > token.expiresAt) throw kmsError("ExpiredImportTokenException", "The import token has expired: call GetParametersForImport for a new public key and import token.");
    const wrapping = m.state.wrappingKeys.find((w) => w.id === token.wrappingKeyId);
    if (!wrapping) throw kmsError("InvalidImportTokenException", "The import token does not match any import parameters of this emulator.");

    const material = unwrap(wrapping.privateKeyPem, token.algorithm, wrapped);
    let privateKey: crypto.KeyObject | undefined;
    try {
        privateKey = checkMaterial(KEY_SPECS[key.keySpec].material, material);
    } catch (e) {
        if (e instanceof MaterialError) throw kmsError("IncorrectKeyMaterialException", `The key material does not fit ${key.keySpec}: ${e.message}.`);
        throw e;
    }
    const fp = fingerprint(material, privateKey);

    // Which material this import is: a new one, or one the key already knows.
    let target: MaterialRecord | undefined;
    let isNew: boolean;
    if (symmetric) {
        const importType = importTypeInput ?? (key.materials.length === 0 ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL");
        if (importType === "NEW_KEY_MATERIAL") {
            if (materialIdInput !== undefined) throw kmsError("ValidationException", "You cannot specify KeyMaterialId with ImportType NEW_KEY_MATERIAL.");
            if (key.materials.some((m) => m.fingerprint === fp)) {
                throw kmsError("IncorrectKeyMaterialException", `The key material is already associated with ${m.arn(key)}: import it with ImportType EXISTING_KEY_MATERIAL.`);
            }
            const pending = key.materials.find((m) => m.state === "PENDING_ROTATION");
            if (pending) {
                // As AWS answers (recording test_import_key_material_raises_if_there_is_already_key_material_pending).
                throw kmsError(
                    "KMSInvalidStateException",
                    `New key material (id: ${derivedMaterialId(key.keyId, fp)}) cannot be imported into KMS key ${key.keyId}, because another key material (id: ${pending.id}) is pending rotation.`,
                );
            }
            isNew = true;
        } else {
            target = key.materials.find((m) => m.fingerprint === fp);
            if (!target) throw kmsError("IncorrectKeyMaterialException", `The key material is not the key material previously imported into ${m.arn(key)}.`);
            if (materialIdInput !== undefined && materialIdInput !== target.id) {
                throw kmsError("IncorrectKeyMaterialException", `The key material does not have KeyMaterialId ${materialIdInput}.`);
            }
            isNew = false;
        }
    } else {
        target = key.materials[0];
        if (target && target.fingerprint !== fp) {
            throw kmsError("IncorrectKeyMaterialException", `The key material is not the key material previously imported into ${m.arn(key)}.`);
        }
        isNew = !target;
    }

    if (expirationModel === "KEY_MATERIAL_EXPIRES") {
        if (validTo === undefined) throw kmsError("ValidationException", "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
        if (validTo <= now) throw kmsError("ValidationException", "ValidTo must be in the future.");
        if (validTo > now + MAX_VALID_TO_MS) throw kmsError("ValidationException", "ValidTo must be at most 365 days from now.");
    } else if (validTo !== undefined) {
        throw kmsError("ValidationException", "ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.");
    }

    const wasPendingImport = m.keyState(key) === "PendingImport";
    if (isNew) {
        target = { id: derivedMaterialId(key.keyId, fp), fingerprint: fp, state: key.materials.length === 0 ? "CURRENT" : "PENDING_ROTATION" };
        key.materials.push(target);
    }
    const mat = target as MaterialRecord;
    mat.secret = b64(material);
    mat.importState = "IMPORTED";
    mat.expirationModel = expirationModel;
    if (validTo !== undefined) mat.validTo = validTo;
    else delete mat.validTo;
    if (materialDescription !== undefined) mat.description = materialDescription;
    if (wasPendingImport && m.keyState(key) !== "PendingImport") key.enabled = true;
    material.fill(0);
    return { KeyId: m.arn(key), KeyMaterialId: mat.id };
}

function deleteImportedKeyMaterial(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const materialId = input.str("KeyMaterialId");
    requireExternal(m, key);
    const target = materialId === undefined ? m.current(key) : key.materials.find((m) => m.id === materialId);
    if (materialId !== undefined && !target) throw kmsError("NotFoundException", `Key material ${materialId} is not associated with ${m.arn(key)}.`);
    if (target?.state === "PENDING_ROTATION") {
        // Pending material is not permanently associated with the key: deleting it removes it.
        key.materials = key.materials.filter((m) => m !== target);
    } else if (target) {
        m.forgetMaterial(target);
    }
    return { KeyId: m.arn(key), KeyMaterialId: target?.id };
}

/** Like AWS: the id of imported material is derived from the key id and the material (here, its fingerprint). */
function derivedMaterialId(keyId: string, materialFingerprint: string): string {
    return crypto.createHash("sha256").update(`keyfabric/aws-key-material-id/v1\0${keyId}\0${materialFingerprint}`).digest("hex");
}

/** Unwraps with the private key and algorithm the token names; any failure is InvalidCiphertextException. */
function unwrap(privateKeyPem: string, algorithm: WrappingAlgorithm, wrapped: Buffer): Buffer {
    const privateKey = crypto.createPrivateKey(privateKeyPem);
    const hash: OaepHash = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
    try {
        return algorithm.startsWith("RSAES_OAEP") ? rsaOaepDecrypt(privateKey, hash, wrapped) : rsaAesKeyUnwrap(privateKey, hash, wrapped);
    } catch (e) {
        if (e instanceof UnwrapError) {
            throw kmsError("InvalidCiphertextException", `The EncryptedKeyMaterial could not be unwrapped with the import parameters' private key and ${algorithm}.`);
        }
        throw e;
    }
}

export const importOperations: Operations = {
    GetParametersForImport: getParametersForImport,
    ImportKeyMaterial: importKeyMaterial,
    DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
};
