/**
 * The AWS KMS emulator against real AWS KMS answers, continued (see aws-recordings.test.ts for the method and the
 * table of skipped cases): importing key material (BYOK). LocalStack's test_import_key_* tests make the material on
 * the client side (32 random bytes, an RSA or EC key pair as DER PKCS#8, HMAC bytes), wrap it with the public key of
 * GetParametersForImport and import it: re-expressed here with Node's crypto (not keyfabric's own wrapping code) and
 * an unmodified `@aws-sdk/client-kms` KMSClient, each recorded answer asserted as recorded (`./aws-recorded.ts`).
 * Test names cite the snapshot key (tests/aws/services/kms/test_kms.py::TestKMS::…).
 */
import {
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    EncryptCommand,
    DecryptCommand,
    GenerateMacCommand,
    GetParametersForImportCommand,
    GetPublicKeyCommand,
    ImportKeyMaterialCommand,
    SignCommand,
    VerifyCommand,
    VerifyMacCommand,
    type KeySpec,
    type MacAlgorithmSpec,
    type SigningAlgorithmSpec,
    type WrappingKeySpec,
} from "@aws-sdk/client-kms";
import * as crypto from "crypto";
import { oracle } from "./aws-recorded";
import { createKey, env, failure, importMaterial, kms, out, useEmulator } from "./aws-replay";

useEmulator();

type Oaep = "sha1" | "sha256";
const describeKey = async (id: string) => out(await kms().send(new DescribeKeyCommand({ KeyId: id })));
const publicKeyOf = async (id: string) => Buffer.from((await kms().send(new GetPublicKeyCommand({ KeyId: id }))).PublicKey!);

/** GetParametersForImport with RSAES_OAEP_SHA_*; the material wrapped with its public key, as the recorded tests wrap it. */
async function oaepWrapped(keyId: string, hash: Oaep, spec: WrappingKeySpec, material: Buffer) {
    const p = await kms().send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: hash === "sha1" ? "RSAES_OAEP_SHA_1" : "RSAES_OAEP_SHA_256", WrappingKeySpec: spec }));
    const publicKey = crypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: "der", type: "spki" });
    return { ImportToken: p.ImportToken, EncryptedKeyMaterial: crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, material) };
}

/** A key pair made on the client side: its private key as DER PKCS#8 (the material) and public key as DER SPKI. */
function pair(kind: "rsa" | "ec", options: { modulusLength?: number; namedCurve?: string }) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync(kind as "ec", options as { namedCurve: string });
    return { material: privateKey.export({ type: "pkcs8", format: "der" }), spki: publicKey.export({ type: "spki", format: "der" }) };
}

describe("importing key material (recorded AWS answers)", () => {
    test("TestKMS::test_import_key_symmetric", async () => {
        const o = oracle("TestKMS::test_import_key_symmetric", env);
        const k = await createKey({ Origin: "EXTERNAL" });
        o.match("created-key", k);
        const plaintext = Buffer.from("test content 123 !#");
        o.match("encrypt-before-import-error", await failure(kms().send(new EncryptCommand({ Plaintext: plaintext, KeyId: k.KeyId }))));
        const material = crypto.randomBytes(32);
        const wrapped = await oaepWrapped(k.KeyId!, "sha256", "RSA_2048", material);
        o.match("describe-key-before-import", await describeKey(k.KeyId!));
        // No ExpirationModel: AWS takes KEY_MATERIAL_EXPIRES, which needs a ValidTo.
        o.match("import-expiring-key-without-valid-to", await failure(kms().send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ...wrapped }))));
        await kms().send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ...wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
        const after = await describeKey(k.KeyId!);
        o.match("describe-key-after-import", after);
        const ct = (await kms().send(new EncryptCommand({ Plaintext: plaintext, KeyId: k.KeyId }))).CiphertextBlob!;
        expect(Buffer.from((await kms().send(new DecryptCommand({ CiphertextBlob: ct, KeyId: k.KeyId }))).Plaintext!)).toEqual(plaintext);
        await kms().send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
        // The recording keeps the deleted material's id as CurrentKeyMaterialId (same placeholder), without ExpirationModel.
        o.match("describe-key-after-deleted-import", await describeKey(k.KeyId!));
        o.match("encrypt-after-delete-error", await failure(kms().send(new EncryptCommand({ Plaintext: plaintext, KeyId: k.KeyId }))));
    });

    test("TestKMS::test_import_key_asymmetric", async () => {
        const o = oracle("TestKMS::test_import_key_asymmetric", env);
        const k = await createKey({ Origin: "EXTERNAL", KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
        o.match("created-key", k);
        const { material, spki } = pair("ec", { namedCurve: "prime256v1" });
        const plaintext = Buffer.from("test content 123 !#");
        const wrapped = await oaepWrapped(k.KeyId!, "sha256", "RSA_2048", material);
        o.match("describe-key-before-import", await describeKey(k.KeyId!));
        await kms().send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ...wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
        o.match("describe-key-after-import", await describeKey(k.KeyId!));
        expect(await publicKeyOf(k.KeyId!)).toEqual(spki);
        const base = { KeyId: k.KeyId, MessageType: "RAW" as const, SigningAlgorithm: "ECDSA_SHA_256" as const, Message: plaintext };
        const sig = (await kms().send(new SignCommand(base))).Signature!;
        expect((await kms().send(new VerifyCommand({ ...base, Signature: sig }))).SignatureValid).toBe(true);
        // The signature is the imported key's: it verifies offline with the client's own public key.
        expect(crypto.verify("sha256", plaintext, crypto.createPublicKey({ key: spki, format: "der", type: "spki" }), Buffer.from(sig))).toBe(true);
        await kms().send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
        o.match("describe-key-after-deleted-import", await describeKey(k.KeyId!));
    });

    test("TestKMS::test_import_key_rsa_aes_wrap_sha256", async () => {
        const o = oracle("TestKMS::test_import_key_rsa_aes_wrap_sha256", env);
        const k = await createKey({ Origin: "EXTERNAL", KeySpec: "RSA_4096", KeyUsage: "ENCRYPT_DECRYPT", Description: "test-key" });
        const { material, spki } = pair("rsa", { modulusLength: 4096 });
        // RSA_AES_KEY_WRAP_SHA_256: a fresh AES-256 key wraps the material with AES-KWP (RFC 5649), RSAES-OAEP-SHA-256 wraps the AES key.
        const aesKey = crypto.randomBytes(32);
        const kwp = crypto.createCipheriv("id-aes256-wrap-pad", aesKey, Buffer.from("a65959a6", "hex"));
        const wrappedMaterial = Buffer.concat([kwp.update(material), kwp.final()]);
        const p = await kms().send(new GetParametersForImportCommand({ KeyId: k.KeyId, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_4096" }));
        const publicKey = crypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: "der", type: "spki" });
        const wrappedAes = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, aesKey);
        o.match("describe-before-import", await describeKey(k.KeyId!));
        await kms().send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: Buffer.concat([wrappedAes, wrappedMaterial]), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
        o.match("import-key-material-response", await describeKey(k.KeyId!));
        expect(await publicKeyOf(k.KeyId!)).toEqual(spki);
        await kms().send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
        o.match("describe-key-after-deleted-import", await describeKey(k.KeyId!));
    });

    // [key spec, OpenSSL curve, OAEP hash, signing algorithm, wrapping key spec], as the recorded test is parametrised.
    const ECC_CASES: [KeySpec, string, Oaep, SigningAlgorithmSpec, WrappingKeySpec][] = [
        ["ECC_NIST_P256", "prime256v1", "sha1", "ECDSA_SHA_256", "RSA_2048"],
        ["ECC_NIST_P384", "secp384r1", "sha1", "ECDSA_SHA_384", "RSA_2048"],
        ["ECC_NIST_P521", "secp521r1", "sha256", "ECDSA_SHA_512", "RSA_4096"],
        ["ECC_SECG_P256K1", "secp256k1", "sha1", "ECDSA_SHA_256", "RSA_2048"],
    ];
    for (const [spec, curve, oaep, algorithm, wrappingSpec] of ECC_CASES) {
        const name = `TestKMS::test_import_key_ecc_keys[${spec}]`;
        test(name, async () => {
            const o = oracle(name, env);
            const k = await createKey({ Origin: "EXTERNAL", KeySpec: spec, KeyUsage: "SIGN_VERIFY", Description: "test ecc key import" });
            const { material, spki } = pair("ec", { namedCurve: curve });
            const wrapped = await oaepWrapped(k.KeyId!, oaep, wrappingSpec, material);
            o.match("describe-key-before-import", await describeKey(k.KeyId!));
            await kms().send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ...wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
            o.match("describe-key-after-import", await describeKey(k.KeyId!));
            expect(await publicKeyOf(k.KeyId!)).toEqual(spki);
            const message = Buffer.from("test sign verify 123 !%$@ 1234567890");
            const sign = out(await kms().send(new SignCommand({ KeyId: k.KeyId, Message: message, MessageType: "RAW", SigningAlgorithm: algorithm })));
            o.match("sign-result", sign);
            const hash = `sha${algorithm.slice(-3)}`;
            expect(crypto.verify(hash, message, crypto.createPublicKey({ key: spki, format: "der", type: "spki" }), Buffer.from(sign.Signature!))).toBe(true);
            o.match("verify-result", out(await kms().send(new VerifyCommand({ KeyId: k.KeyId, Message: message, MessageType: "RAW", SigningAlgorithm: algorithm, Signature: sign.Signature }))));
            await kms().send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
            o.match("describe-key-after-deleted-import", await describeKey(k.KeyId!));
        });
    }

    const HMAC_CASES: [KeySpec, number, MacAlgorithmSpec][] = [
        ["HMAC_224", 28, "HMAC_SHA_224"],
        ["HMAC_256", 32, "HMAC_SHA_256"],
        ["HMAC_384", 48, "HMAC_SHA_384"],
        ["HMAC_512", 64, "HMAC_SHA_512"],
    ];
    for (const [spec, length, algorithm] of HMAC_CASES) {
        const name = `TestKMS::test_import_key_hmac_keys[${spec}]`;
        test(name, async () => {
            const o = oracle(name, env);
            const k = await createKey({ Origin: "EXTERNAL", KeySpec: spec, KeyUsage: "GENERATE_VERIFY_MAC", Description: "test import hmac key" });
            const material = crypto.randomBytes(length);
            const wrapped = await oaepWrapped(k.KeyId!, "sha256", "RSA_4096", material);
            o.match("describe-key-before-import", await describeKey(k.KeyId!));
            await kms().send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ...wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
            o.match("describe-key-after-import", await describeKey(k.KeyId!));
            const message = Buffer.from("test-mac-message");
            const mac = out(await kms().send(new GenerateMacCommand({ KeyId: k.KeyId, Message: message, MacAlgorithm: algorithm })));
            o.match("generate-mac-response", mac);
            // The MAC is the imported key's, computed here with the client's own bytes.
            expect(Buffer.from(mac.Mac!)).toEqual(crypto.createHmac(`sha${algorithm.slice(-3)}`, material).update(message).digest());
            o.match("verify-mac-response", out(await kms().send(new VerifyMacCommand({ KeyId: k.KeyId, Message: message, Mac: mac.Mac, MacAlgorithm: algorithm }))));
            await kms().send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
            o.match("describe-key-after-deleted-import", await describeKey(k.KeyId!));
        });
    }

    test("TestKMS::test_import_key_material_raises_if_there_is_already_key_material_pending", async () => {
        const o = oracle("TestKMS::test_import_key_material_raises_if_there_is_already_key_material_pending", env);
        const k = await createKey({ Origin: "EXTERNAL", KeyUsage: "ENCRYPT_DECRYPT", Description: "test-key" });
        o.match("import-initial-material-response", await importMaterial(k.KeyId!));
        o.match("import-pending-material-response", await importMaterial(k.KeyId!, { ImportType: "NEW_KEY_MATERIAL" }));
        o.match("existing-pending-material-error", await failure(importMaterial(k.KeyId!, { ImportType: "NEW_KEY_MATERIAL" })));
    });
});
