/**
 * Cryptographic operations (service.proto): Encrypt/Decrypt, RawEncrypt/RawDecrypt, AsymmetricSign/AsymmetricDecrypt,
 * GetPublicKey, MacSign/MacVerify, GenerateRandomBytes; each on an ENABLED version of the right purpose (else
 * FAILED_PRECONDITION as the service words it, see KmsModel.usable), with the CRC32C integrity fields.
 */
import * as crypto from "crypto";
import {
    ciphertextVersion,
    constantTimeEqual,
    digestLength,
    hmacSign,
    oaepDecrypt,
    privateKeyOf,
    publicKeyPem,
    Purpose,
    RAW_IV_LENGTH,
    RAW_TAG_LENGTH,
    rawDecrypt,
    rawEncrypt,
    signDigest,
    symmetricDecrypt,
    symmetricEncrypt,
} from "../crypto";
import { invalid, precondition } from "../errors";
import type { KmsModel } from "../model";
import type { CryptoKeyRecord, VersionRecord } from "../state";
import { bytes, crc, isName, requireName, verifyCrc } from "../wire";
import { Handler, MAX_PAYLOAD, Req } from "./validate";

/** HSM keys: "the combined length of the plaintext and additional_authenticated_data fields must be no larger than 8KiB" (RawEncryptRequest). */
const MAX_HSM_RAW_PAYLOAD = 8 * 1024;

export function cryptoHandlers(model: KmsModel): Record<string, Handler> {
    const usableByName = (name: unknown, purpose: Purpose) => {
        const [key, v] = model.version(requireName("cryptoKeyVersion", name, "name"));
        return { key, v, ...model.usable(key, v, purpose) };
    };

    const encrypt = (r: Req) => {
        let key: CryptoKeyRecord;
        let v: VersionRecord | undefined;
        if (isName("cryptoKeyVersion", r.name)) [key, v] = model.version(r.name);
        else {
            key = model.cryptoKey(requireName("cryptoKey", r.name, "name"));
            if (key.purpose === "ENCRYPT_DECRYPT") {
                v = key.versions.find((x) => x.id === key.primary);
                if (!v) throw precondition(`${key.name} has no primary version`);
            }
        }
        if (!v) throw precondition(`Operation requested for Key ${key.name} has incorrect key purpose: ${key.purpose}`);
        const { material, name } = model.usable(key, v, "ENCRYPT_DECRYPT");
        const plaintext = bytes(r.plaintext);
        const aad = bytes(r.additionalAuthenticatedData);
        if (plaintext.length > MAX_PAYLOAD) throw invalid(`plaintext: must be at most ${MAX_PAYLOAD} bytes`);
        if (aad.length > MAX_PAYLOAD) throw invalid(`additional_authenticated_data: must be at most ${MAX_PAYLOAD} bytes`);
        const verifiedPlaintextCrc32c = verifyCrc(r.plaintextCrc32c, plaintext, "plaintext_crc32c", "plaintext");
        const verifiedAdditionalAuthenticatedDataCrc32c = verifyCrc(r.additionalAuthenticatedDataCrc32c, aad, "additional_authenticated_data_crc32c", "additional_authenticated_data");
        const ciphertext = symmetricEncrypt(material, key.name, v.id, plaintext, aad);
        return { name, ciphertext, ciphertextCrc32c: crc(ciphertext), verifiedPlaintextCrc32c, verifiedAdditionalAuthenticatedDataCrc32c, protectionLevel: v.protectionLevel };
    };

    const decrypt = (r: Req) => {
        const key = model.cryptoKey(requireName("cryptoKey", r.name, "name"));
        const ciphertext = bytes(r.ciphertext);
        const aad = bytes(r.additionalAuthenticatedData);
        verifyCrc(r.ciphertextCrc32c, ciphertext, "ciphertext_crc32c", "ciphertext");
        verifyCrc(r.additionalAuthenticatedDataCrc32c, aad, "additional_authenticated_data_crc32c", "additional_authenticated_data");
        if (key.purpose !== "ENCRYPT_DECRYPT") throw precondition(`Operation requested for Key ${key.name} has incorrect key purpose: ${key.purpose}`);
        const id = ciphertextVersion(ciphertext);
        const v = key.versions.find((x) => x.id === id);
        if (!v) throw invalid("Decryption failed: the ciphertext is invalid.");
        const { material } = model.usable(key, v, "ENCRYPT_DECRYPT");
        const plaintext = symmetricDecrypt(material, key.name, ciphertext, aad);
        if (!plaintext) throw invalid("Decryption failed: verify that 'name' refers to the correct CryptoKey.");
        return { plaintext, plaintextCrc32c: crc(plaintext), usedPrimary: key.primary === v.id, protectionLevel: v.protectionLevel };
    };

    /** Payload limits of RawEncrypt (RawEncryptRequest.plaintext): 64 KiB each for SOFTWARE, 8 KiB together for HSM. */
    const checkRawPayload = (v: VersionRecord, plaintext: Buffer, aad: Buffer, field: string) => {
        if (v.protectionLevel === "HSM" && plaintext.length + aad.length > MAX_HSM_RAW_PAYLOAD) {
            throw invalid(`${field}, additional_authenticated_data: together at most ${MAX_HSM_RAW_PAYLOAD} bytes for HSM keys (got ${plaintext.length + aad.length})`);
        }
        if (plaintext.length > MAX_PAYLOAD) throw invalid(`${field}: must be at most ${MAX_PAYLOAD} bytes (got ${plaintext.length})`);
        if (aad.length > MAX_PAYLOAD) throw invalid(`additional_authenticated_data: must be at most ${MAX_PAYLOAD} bytes (got ${aad.length})`);
    };

    const rawEncryptOp = (r: Req) => {
        const { v, spec, material, name } = usableByName(r.name, "RAW_ENCRYPT_DECRYPT");
        const plaintext = bytes(r.plaintext);
        const aad = bytes(r.additionalAuthenticatedData);
        checkRawPayload(v, plaintext, aad, "plaintext");
        if (spec.raw !== "gcm" && aad.length > 0) throw invalid(`additional_authenticated_data: ${v.algorithm} does not accept additional authenticated data (only AES-GCM does)`);
        if (spec.raw === "cbc" && plaintext.length % 16 !== 0) throw invalid(`plaintext: must be a multiple of 16 bytes for ${v.algorithm} (got ${plaintext.length})`);
        const verifiedPlaintextCrc32c = verifyCrc(r.plaintextCrc32c, plaintext, "plaintext_crc32c", "plaintext");
        const verifiedAdditionalAuthenticatedDataCrc32c = verifyCrc(r.additionalAuthenticatedDataCrc32c, aad, "additional_authenticated_data_crc32c", "additional_authenticated_data");
        let iv = bytes(r.initializationVector);
        const verifiedInitializationVectorCrc32c = verifyCrc(r.initializationVectorCrc32c, iv, "initialization_vector_crc32c", "initialization_vector");
        const ivLength = RAW_IV_LENGTH[spec.raw!];
        if (iv.length === 0) iv = crypto.randomBytes(ivLength);
        else if (iv.length !== ivLength) throw invalid(`initialization_vector: must be ${ivLength} bytes for ${v.algorithm} (got ${iv.length})`);
        const ciphertext = rawEncrypt(spec, material, iv, plaintext, aad);
        return {
            ciphertext,
            initializationVector: iv,
            tagLength: spec.raw === "gcm" ? RAW_TAG_LENGTH : 0,
            ciphertextCrc32c: crc(ciphertext),
            initializationVectorCrc32c: crc(iv),
            verifiedPlaintextCrc32c,
            verifiedAdditionalAuthenticatedDataCrc32c,
            verifiedInitializationVectorCrc32c,
            name,
            protectionLevel: v.protectionLevel,
        };
    };

    const rawDecryptOp = (r: Req) => {
        const { v, spec, material } = usableByName(r.name, "RAW_ENCRYPT_DECRYPT");
        const ciphertext = bytes(r.ciphertext);
        const aad = bytes(r.additionalAuthenticatedData);
        const iv = bytes(r.initializationVector);
        const verifiedCiphertextCrc32c = verifyCrc(r.ciphertextCrc32c, ciphertext, "ciphertext_crc32c", "ciphertext");
        const verifiedAdditionalAuthenticatedDataCrc32c = verifyCrc(r.additionalAuthenticatedDataCrc32c, aad, "additional_authenticated_data_crc32c", "additional_authenticated_data");
        const verifiedInitializationVectorCrc32c = verifyCrc(r.initializationVectorCrc32c, iv, "initialization_vector_crc32c", "initialization_vector");
        const ivLength = RAW_IV_LENGTH[spec.raw!];
        if (iv.length !== ivLength) throw invalid(`initialization_vector: must be ${ivLength} bytes for ${v.algorithm} (got ${iv.length})`);
        const tagLength = Number(r.tagLength ?? 0);
        if (spec.raw === "gcm" && tagLength !== 0 && tagLength !== RAW_TAG_LENGTH) throw invalid(`tag_length: must be 0 (the default, ${RAW_TAG_LENGTH}) or ${RAW_TAG_LENGTH} (got ${tagLength})`);
        const plaintext = rawDecrypt(spec, material, iv, ciphertext, aad);
        if (!plaintext) throw invalid("Decryption failed: the ciphertext, initialization vector or additional authenticated data do not match.");
        return { plaintext, plaintextCrc32c: crc(plaintext), protectionLevel: v.protectionLevel, verifiedCiphertextCrc32c, verifiedAdditionalAuthenticatedDataCrc32c, verifiedInitializationVectorCrc32c };
    };

    const asymmetricSign = (r: Req) => {
        const { v, spec, material, name } = usableByName(r.name, "ASYMMETRIC_SIGN");
        const hash = spec.sign!.hash;
        const data = bytes(r.data);
        const given = r.digest ? (["sha256", "sha384", "sha512"] as const).filter((h) => bytes(r.digest[h]).length > 0) : [];
        if (given.length > 0 && data.length > 0) throw invalid("Only one of digest and data may be set.");
        let digest: Buffer;
        let verifiedDataCrc32c = false;
        let verifiedDigestCrc32c = false;
        if (given.length > 0) {
            if (given.length > 1 || given[0] !== hash) throw invalid(`digest: ${v.algorithm} needs a ${hash} digest (got ${given.join(", ")})`);
            digest = bytes(r.digest[hash]);
            if (digest.length !== digestLength(hash)) throw invalid(`digest.${hash}: must be ${digestLength(hash)} bytes (got ${digest.length})`);
            verifiedDigestCrc32c = verifyCrc(r.digestCrc32c, digest, "digest_crc32c", "digest");
        } else if (data.length > 0) {
            verifiedDataCrc32c = verifyCrc(r.dataCrc32c, data, "data_crc32c", "data");
            digest = crypto.createHash(hash).update(data).digest();
        } else {
            throw invalid("One of digest and data must be set.");
        }
        const signature = signDigest(spec, material, digest);
        return { signature, signatureCrc32c: crc(signature), verifiedDigestCrc32c, name, verifiedDataCrc32c, protectionLevel: v.protectionLevel };
    };

    const asymmetricDecrypt = (r: Req) => {
        const { v, spec, material } = usableByName(r.name, "ASYMMETRIC_DECRYPT");
        const ciphertext = bytes(r.ciphertext);
        const verifiedCiphertextCrc32c = verifyCrc(r.ciphertextCrc32c, ciphertext, "ciphertext_crc32c", "ciphertext");
        const plaintext = oaepDecrypt(spec, material, ciphertext);
        if (!plaintext) throw invalid("Decryption failed: the ciphertext is invalid for this key.");
        return { plaintext, plaintextCrc32c: crc(plaintext), verifiedCiphertextCrc32c, protectionLevel: v.protectionLevel };
    };

    const getPublicKey = (r: Req) => {
        const [key, v] = model.version(requireName("cryptoKeyVersion", r.name, "name"));
        if (key.purpose !== "ASYMMETRIC_SIGN" && key.purpose !== "ASYMMETRIC_DECRYPT") {
            throw precondition(`Operation requested for Key ${r.name} has incorrect key purpose: ${key.purpose}`);
        }
        const { material, name } = model.usable(key, v, key.purpose);
        const pem = publicKeyPem(material);
        const out = { pem, algorithm: v.algorithm, pemCrc32c: crc(Buffer.from(pem)), name, protectionLevel: v.protectionLevel };
        if (r.publicKeyFormat === "DER" || r.publicKeyFormat === "PEM") {
            const data = r.publicKeyFormat === "PEM" ? Buffer.from(pem) : (crypto.createPublicKey(privateKeyOf(material)).export({ type: "spki", format: "der" }) as Buffer);
            return { ...out, publicKeyFormat: r.publicKeyFormat, publicKey: { data, crc32cChecksum: crc(data) } };
        }
        if (r.publicKeyFormat && r.publicKeyFormat !== "PUBLIC_KEY_FORMAT_UNSPECIFIED") throw invalid(`public_key_format: ${r.publicKeyFormat} is not supported for ${v.algorithm}`);
        return out;
    };

    const macSign = (r: Req) => {
        const { v, spec, material, name } = usableByName(r.name, "MAC");
        const data = bytes(r.data);
        if (data.length > MAX_PAYLOAD) throw invalid(`data: must be at most ${MAX_PAYLOAD} bytes`);
        const verifiedDataCrc32c = verifyCrc(r.dataCrc32c, data, "data_crc32c", "data");
        const mac = hmacSign(spec, material, data);
        return { name, mac, macCrc32c: crc(mac), verifiedDataCrc32c, protectionLevel: v.protectionLevel };
    };

    const macVerify = (r: Req) => {
        const { v, spec, material, name } = usableByName(r.name, "MAC");
        const data = bytes(r.data);
        const mac = bytes(r.mac);
        const verifiedDataCrc32c = verifyCrc(r.dataCrc32c, data, "data_crc32c", "data");
        const verifiedMacCrc32c = verifyCrc(r.macCrc32c, mac, "mac_crc32c", "mac");
        const success = constantTimeEqual(hmacSign(spec, material, data), mac);
        return { name, success, verifiedDataCrc32c, verifiedMacCrc32c, verifiedSuccessIntegrity: true, protectionLevel: v.protectionLevel };
    };

    const generateRandomBytes = (r: Req) => {
        requireName("location", r.location, "location");
        const n = Number(r.lengthBytes ?? 0);
        if (!Number.isInteger(n) || n < 8 || n > 1024) throw invalid(`length_bytes: must be between 8 and 1024 (got ${n})`);
        if (r.protectionLevel !== "HSM") throw invalid(`protection_level: only HSM is supported (got ${r.protectionLevel ?? "unspecified"})`);
        const data = crypto.randomBytes(n);
        return { data, dataCrc32c: crc(data) };
    };

    return {
        Encrypt: encrypt,
        Decrypt: decrypt,
        RawEncrypt: rawEncryptOp,
        RawDecrypt: rawDecryptOp,
        AsymmetricSign: asymmetricSign,
        AsymmetricDecrypt: asymmetricDecrypt,
        GetPublicKey: getPublicKey,
        MacSign: macSign,
        MacVerify: macVerify,
        GenerateRandomBytes: generateRandomBytes,
    };
}
