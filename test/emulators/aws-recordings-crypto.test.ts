/**
 * The AWS KMS emulator against real AWS KMS answers, continued (see aws-recordings.test.ts for the method and the
 * table of skipped cases): cryptographic operations, data keys, ReEncrypt, rotation and imported material.
 */
import {
    DecryptCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    EnableKeyRotationCommand,
    EncryptCommand,
    GenerateDataKeyCommand,
    GenerateDataKeyPairCommand,
    GenerateDataKeyPairWithoutPlaintextCommand,
    GenerateDataKeyWithoutPlaintextCommand,
    GenerateMacCommand,
    GenerateRandomCommand,
    GetKeyRotationStatusCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
    ReEncryptCommand,
    RotateKeyOnDemandCommand,
    SignCommand,
    VerifyCommand,
    VerifyMacCommand,
} from "@aws-sdk/client-kms";
import * as crypto from "crypto";
import { oracle } from "./aws-recorded";
import { b64text, clock, createKey, env, failure, importMaterial, kms, MESSAGE, out, passTime, useEmulator, wrappedMaterial } from "./aws-replay";

useEmulator();
describe("cryptographic operations (recorded AWS answers)", () => {
    for (const n of [12, 44, 91, 1, 1024]) {
        test(`TestKMS::test_generate_random[${n}]`, async () => {
            const r = await kms().send(new GenerateRandomCommand({ NumberOfBytes: n }));
            oracle(`TestKMS::test_generate_random[${n}]`, env).match("result_length", r.Plaintext!.length);
        });
    }
    for (const [label, n] of [["None", undefined], ["0", 0], ["1025", 1025]] as const) {
        test(`TestKMS::test_generate_random_invalid_number_of_bytes[${label}]`, async () => {
            oracle(`TestKMS::test_generate_random_invalid_number_of_bytes[${label}]`, env).match(
                "generate-random-exc",
                await failure(kms().send(new GenerateRandomCommand(n === undefined ? {} : { NumberOfBytes: n }))),
            );
        });
    }
    for (const spec of ["RSA_2048", "RSA_3072", "RSA_4096"] as const) {
        for (const algo of ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] as const) {
            const name = `TestKMS::test_encrypt_validate_plaintext_size_per_key_type[${spec}-${algo}]`;
            test(name, async () => {
                const k = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: spec });
                const message = b64text(Buffer.from("more than 500 bytes and less than 4096 bytes".repeat(20)));
                oracle(name, env).match("generate-random-exc", await failure(kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: message, EncryptionAlgorithm: algo }))));
            });
        }
    }

    test("TestKMS::test_plaintext_size_for_encrypt", async () => {
        const k = await createKey();
        const plaintext = b64text(Buffer.from(MESSAGE.toString().repeat(100)));
        oracle("TestKMS::test_plaintext_size_for_encrypt", env).match("invalid-plaintext-size-encrypt", await failure(kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: plaintext }))));
    });

    test("TestKMS::test_encrypt_decrypt_encryption_context", async () => {
        const o = oracle("TestKMS::test_encrypt_decrypt_encryption_context", env);
        const k = await createKey();
        const context = { "context-key": "context-value" };
        const enc = out(await kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: b64text(MESSAGE), EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: context })));
        o.match("encrypt_response", enc);
        o.match("decrypt_response_with_encryption_context", out(await kms().send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: context }))));
        o.match("decrypt_response_without_encryption_context", await failure(kms().send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" }))));
        // LocalStack cuts its own header off; any blob that is not a ciphertext of the key is refused alike.
        const cut = Buffer.from(enc.CiphertextBlob!).subarray(20);
        o.match("decrypt_response_with_invalid_ciphertext", await failure(kms().send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: cut, EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: context }))));
    });

    test("TestKMS::test_error_messaging_for_invalid_keys", async () => {
        const o = oracle("TestKMS::test_error_messaging_for_invalid_keys", env);
        const hmac = await createKey({ Description: "test key hmac", KeySpec: "HMAC_224", KeyUsage: "GENERATE_VERIFY_MAC" });
        const ed = await createKey({ Description: "test key encrypt decrypt" });
        const sv = await createKey({ Description: "test key sign verify", KeyUsage: "SIGN_VERIFY", KeySpec: "RSA_2048" });
        o.match("generate-mac-invalid-key-id", await failure(kms().send(new GenerateMacCommand({ KeyId: ed.KeyId, Message: Buffer.from("some important message"), MacAlgorithm: "HMAC_SHA_224" }))));
        expect(o.bound("<key-arn>")).toBe(ed.Arn);
        // The recording names every refused key <key-arn>: one binding per answer.
        const fresh = () => oracle("TestKMS::test_error_messaging_for_invalid_keys", env);
        fresh().match("sign-invalid-key-id", await failure(kms().send(new SignCommand({ KeyId: hmac.KeyId, SigningAlgorithm: "RSASSA_PSS_SHA_256", MessageType: "RAW", Message: Buffer.from("test message 123!@#") }))));
        fresh().match("verify-invalid-key-id", await failure(kms().send(new VerifyCommand({ KeyId: ed.KeyId, SigningAlgorithm: "ECDSA_SHA_256", MessageType: "RAW", Message: Buffer.from("test message"), Signature: Buffer.from("random text") }))));
        fresh().match("encrypt-invalid-key-id", await failure(kms().send(new EncryptCommand({ KeyId: sv.KeyId, Plaintext: Buffer.from("test message 123!@#") }))));
        const ct = (await kms().send(new EncryptCommand({ KeyId: ed.KeyId, Plaintext: Buffer.from("test message 123!@#") }))).CiphertextBlob;
        fresh().match("decrypt-invalid-key-id", await failure(kms().send(new DecryptCommand({ KeyId: hmac.KeyId, CiphertextBlob: ct }))));
    });

    const SIGN_CASES = [
        ["RSA_2048", "RSASSA_PSS_SHA_256", "sha256"],
        ["RSA_2048", "RSASSA_PSS_SHA_384", "sha384"],
        ["RSA_2048", "RSASSA_PSS_SHA_512", "sha512"],
        ["RSA_4096", "RSASSA_PKCS1_V1_5_SHA_256", "sha256"],
        ["RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512", "sha512"],
        ["ECC_NIST_P256", "ECDSA_SHA_256", "sha256"],
        ["ECC_SECG_P256K1", "ECDSA_SHA_256", "sha256"],
        ["ECC_NIST_P384", "ECDSA_SHA_384", "sha384"],
    ] as const;
    for (const [spec, algo, hash] of SIGN_CASES) {
        const name = `TestKMS::test_sign_verify[${spec}-${algo}]`;
        test(name, async () => {
            const o = oracle(name, env);
            const k = await createKey({ KeyUsage: "SIGN_VERIFY", KeySpec: spec });
            const base = { KeyId: k.KeyId, SigningAlgorithm: algo };
            const plaintext = Buffer.from("test message !%$@ 1234567890");
            const digest = crypto.createHash(hash).update(plaintext).digest();
            const bad = (await kms().send(new SignCommand({ ...base, MessageType: "RAW", Message: Buffer.from("bad") }))).Signature;
            const sig = out(await kms().send(new SignCommand({ ...base, MessageType: "RAW", Message: plaintext })));
            o.match("signature", sig);
            o.match("verification", out(await kms().send(new VerifyCommand({ ...base, MessageType: "RAW", Signature: sig.Signature, Message: plaintext }))));
            const dsig = (await kms().send(new SignCommand({ ...base, MessageType: "DIGEST", Message: digest }))).Signature;
            expect((await kms().send(new VerifyCommand({ ...base, MessageType: "DIGEST", Signature: dsig, Message: digest }))).SignatureValid).toBe(true);
            o.match("bad-digest", await failure(kms().send(new SignCommand({ ...base, MessageType: "DIGEST", Message: plaintext }))));
            o.match("bad-signature", await failure(kms().send(new VerifyCommand({ ...base, MessageType: "RAW", Signature: bad, Message: plaintext }))));
            expect((await failure(kms().send(new VerifyCommand({ ...base, MessageType: "RAW", Signature: sig.Signature, Message: Buffer.from("bad message 321") })))).name).toBe("KMSInvalidSignatureException");
        });
    }

    for (const [spec, algo] of [["HMAC_224", "HMAC_SHA_224"], ["HMAC_256", "HMAC_SHA_256"], ["HMAC_384", "HMAC_SHA_384"], ["HMAC_512", "HMAC_SHA_512"]] as const) {
        const name = `TestKMS::test_generate_and_verify_mac[${spec}-${algo}]`;
        test(name, async () => {
            const o = oracle(name, env);
            const k = await createKey({ Description: "test hmac key", KeySpec: spec, KeyUsage: "GENERATE_VERIFY_MAC" });
            const message = Buffer.from("some important message");
            const mac = out(await kms().send(new GenerateMacCommand({ KeyId: k.KeyId, Message: message, MacAlgorithm: algo })));
            o.match("generate-mac", mac);
            o.match("verify-mac", out(await kms().send(new VerifyMacCommand({ KeyId: k.KeyId, Message: message, MacAlgorithm: algo, Mac: mac.Mac }))));
            o.match("generate-mac-invalid-key-id", await failure(kms().send(new GenerateMacCommand({ KeyId: "key_id", Message: message, MacAlgorithm: algo }))));
            o.match("verify-mac-invalid-key-id", await failure(kms().send(new VerifyMacCommand({ KeyId: "key_id", Message: message, MacAlgorithm: algo, Mac: mac.Mac }))));
        });
    }

    for (const [spec, algo] of [["HMAC_224", "HMAC_SHA_256"], ["HMAC_256", "INVALID"]] as const) {
        const name = `TestKMS::test_invalid_generate_mac[${spec}-${algo}]`;
        test(name, async () => {
            const k = await createKey({ Description: "test hmac key", KeySpec: spec, KeyUsage: "GENERATE_VERIFY_MAC" });
            oracle(name, env).match("generate-mac", await failure(kms().send(new GenerateMacCommand({ KeyId: k.KeyId, Message: Buffer.from("some important message"), MacAlgorithm: algo as never }))));
        });
    }

    for (const [algo, msg] of [["HMAC_SHA_256", "some different important message"], ["HMAC_SHA_512", "some important message"], ["INVALID", "some important message"]] as const) {
        const name = `TestKMS::test_invalid_verify_mac[HMAC_256-${algo}-${msg}]`;
        test(name, async () => {
            const o = oracle(name, env);
            const k = await createKey({ Description: "test hmac key", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
            const mac = out(await kms().send(new GenerateMacCommand({ KeyId: k.KeyId, Message: Buffer.from("some important message"), MacAlgorithm: "HMAC_SHA_256" })));
            o.match("generate-mac", mac);
            o.match("verify-mac", await failure(kms().send(new VerifyMacCommand({ KeyId: k.KeyId, Message: Buffer.from(msg), MacAlgorithm: algo as never, Mac: mac.Mac }))));
        });
    }
});

describe("data keys and ReEncrypt (recorded AWS answers)", () => {
    const G = "TestKMSGenerateKeys::";
    test(`${G}test_generate_data_key`, async () => {
        const k = await createKey();
        const r = out(await kms().send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: "AES_256" })));
        oracle(`${G}test_generate_data_key`, env).match("generate-data-key-result", r);
        expect(Buffer.from((await kms().send(new DecryptCommand({ CiphertextBlob: r.CiphertextBlob, KeyId: k.KeyId }))).Plaintext!)).toEqual(Buffer.from(r.Plaintext!));
    });
    test(`${G}test_generate_data_key_without_plaintext`, async () => {
        const k = await createKey();
        oracle(`${G}test_generate_data_key_without_plaintext`, env).match("generate-data-key-without-plaintext", out(await kms().send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: k.KeyId, KeySpec: "AES_256" }))));
    });
    test(`${G}test_generate_data_key_pair`, async () => {
        const k = await createKey();
        const r = out(await kms().send(new GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: "RSA_2048" })));
        oracle(`${G}test_generate_data_key_pair`, env).match("generate-data-key-pair", r);
        expect(Buffer.from((await kms().send(new DecryptCommand({ CiphertextBlob: r.PrivateKeyCiphertextBlob, KeyId: k.KeyId }))).Plaintext!)).toEqual(Buffer.from(r.PrivateKeyPlaintext!));
        // The pair is a real one: the public key is the private key's.
        const pub = crypto.createPublicKey(crypto.createPrivateKey({ key: Buffer.from(r.PrivateKeyPlaintext!), format: "der", type: "pkcs8" })).export({ type: "spki", format: "der" });
        expect(Buffer.from(r.PublicKey!)).toEqual(pub);
    });
    test(`${G}test_generate_data_key_pair_without_plaintext`, async () => {
        const k = await createKey();
        oracle(`${G}test_generate_data_key_pair_without_plaintext`, env).match(
            "generate-data-key-pair-without-plaintext",
            out(await kms().send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: k.KeyId, KeyPairSpec: "RSA_2048" }))),
        );
    });
    for (const [suffix, make] of [
        ["test_generate_data_key_pair_dry_run", (id: string) => new GenerateDataKeyPairCommand({ KeyId: id, KeyPairSpec: "RSA_2048", DryRun: true })],
        ["test_generate_data_key_pair_without_plaintext_dry_run", (id: string) => new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: id, KeyPairSpec: "RSA_2048", DryRun: true })],
    ] as const) {
        test(G + suffix, async () => {
            const k = await createKey();
            oracle(G + suffix, env).match("dryrun_exception", await failure(kms().send(make(k.KeyId!) as never)));
        });
    }
    const context = { "context-key": "context-value" };
    for (const [suffix, blobOf] of [
        ["test_encryption_context_generate_data_key", async (id: string) => (await kms().send(new GenerateDataKeyCommand({ KeyId: id, KeySpec: "AES_256", EncryptionContext: context }))).CiphertextBlob],
        ["test_encryption_context_generate_data_key_without_plaintext", async (id: string) => (await kms().send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: id, KeySpec: "AES_256", EncryptionContext: context }))).CiphertextBlob],
        ["test_encryption_context_generate_data_key_pair", async (id: string) => (await kms().send(new GenerateDataKeyPairCommand({ KeyId: id, KeyPairSpec: "RSA_2048", EncryptionContext: context }))).PrivateKeyCiphertextBlob],
        ["test_encryption_context_generate_data_key_pair_without_plaintext", async (id: string) => (await kms().send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: id, KeyPairSpec: "RSA_2048", EncryptionContext: context }))).PrivateKeyCiphertextBlob],
    ] as const) {
        test(G + suffix, async () => {
            const k = await createKey();
            const blob = await blobOf(k.KeyId!);
            oracle(G + suffix, env).match("decrypt-without-encryption-context", await failure(kms().send(new DecryptCommand({ CiphertextBlob: blob, KeyId: k.KeyId }))));
        });
    }

    for (const [spec, algo] of [["SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT"], ["RSA_2048", "RSAES_OAEP_SHA_256"]] as const) {
        const name = `TestKMS::test_re_encrypt[${spec}-${algo}]`;
        test(name, async () => {
            const source = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: spec });
            const destination = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: spec });
            const ct = (await kms().send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: b64text(MESSAGE), EncryptionAlgorithm: algo }))).CiphertextBlob;
            const r = out(await kms().send(new ReEncryptCommand({ SourceKeyId: source.KeyId, DestinationKeyId: destination.KeyId, CiphertextBlob: ct, SourceEncryptionAlgorithm: algo, DestinationEncryptionAlgorithm: algo })));
            const o = oracle(name, env);
            o.match("test_re_encrypt", r);
            expect([o.bound("<key-id:1>"), o.bound("<key-arn>")]).toEqual([destination.KeyId, source.Arn]);
            const back = await kms().send(new DecryptCommand({ KeyId: destination.KeyId, CiphertextBlob: r.CiphertextBlob, EncryptionAlgorithm: algo }));
            expect(Buffer.from(back.Plaintext!)).toEqual(b64text(MESSAGE));
        });
    }

    test("TestKMS::test_re_encrypt_incorrect_source_key", async () => {
        const source = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT" });
        const ct = (await kms().send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: b64text(MESSAGE), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" }))).CiphertextBlob;
        const hmac = await createKey({ Description: "test hmac key", KeySpec: "HMAC_224", KeyUsage: "GENERATE_VERIFY_MAC" });
        oracle("TestKMS::test_re_encrypt_incorrect_source_key", env).match(
            "incorrect-source-key",
            await failure(kms().send(new ReEncryptCommand({ SourceKeyId: hmac.KeyId, DestinationKeyId: hmac.KeyId, CiphertextBlob: ct, SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT", DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT" }))),
        );
    });
});

describe("rotation and imported material (recorded AWS answers)", () => {
    const status = async (id: string) => out(await kms().send(new GetKeyRotationStatusCommand({ KeyId: id })));
    const describeKey = async (id: string) => out(await kms().send(new DescribeKeyCommand({ KeyId: id })));

    for (const days of [90, 180]) {
        const name = `TestKMS::test_key_enable_rotation_status[${days}]`;
        test(name, async () => {
            const k = await createKey();
            await kms().send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: days }));
            const o = oracle(name, env);
            o.match("match_response", await status(k.KeyId!));
            expect(o.bound("<key-id:1>")).toBe(k.KeyId);
        });
    }

    test("TestKMS::test_rotate_on_demand_returns_arn_for_key_id", async () => {
        const k = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT" });
        const r = out(await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })));
        oracle("TestKMS::test_rotate_on_demand_returns_arn_for_key_id", env).match("rotate-on-demand-aws-key", r);
        expect(r.KeyId).toBe(k.Arn);
        passTime();
    });

    test("TestKMS::test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_disabled", async () => {
        const o = oracle("TestKMS::test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_disabled", env);
        const k = await createKey();
        o.match("rotate-on-demand-response", out(await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
        // In progress: GetKeyRotationStatus shows OnDemandRotationStartDate until the rotation is done (LocalStack polled for it).
        expect((await status(k.KeyId!)).OnDemandRotationStartDate).toEqual(new Date(clock.now()));
        passTime();
        o.match("rotation-status-response-after-rotation", await status(k.KeyId!));
    });

    test("TestKMS::test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_enabled", async () => {
        const o = oracle("TestKMS::test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_enabled", env);
        const k = await createKey();
        await kms().send(new EnableKeyRotationCommand({ KeyId: k.KeyId }));
        const before = await status(k.KeyId!);
        o.match("rotate-on-demand-response", out(await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
        expect((await status(k.KeyId!)).NextRotationDate).toEqual(before.NextRotationDate);
        passTime();
        o.match("rotation-status-response-after-rotation", await status(k.KeyId!));
    });

    test("TestKMS::test_rotate_key_on_demand_modifies_key_material", async () => {
        const k = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT" });
        const before = (await kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: b64text(MESSAGE) }))).CiphertextBlob!;
        oracle("TestKMS::test_rotate_key_on_demand_modifies_key_material", env).match("rotate-on-demand-response", out(await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
        passTime();
        const after = (await kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: b64text(MESSAGE) }))).CiphertextBlob!;
        expect(Buffer.from(after).equals(Buffer.from(before))).toBe(false);
        expect(Buffer.from((await kms().send(new DecryptCommand({ CiphertextBlob: before }))).Plaintext!)).toEqual(b64text(MESSAGE));
    });

    test("TestKMS::test_key_rotation_updates_current_key_material_id_for_aws_symmetric_keys", async () => {
        const o = oracle("TestKMS::test_key_rotation_updates_current_key_material_id_for_aws_symmetric_keys", env);
        const k = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT", Description: "test-key" });
        const before = await describeKey(k.KeyId!);
        o.match("describe-key-before-rotation", before);
        await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
        // AWS answers at once and changes CurrentKeyMaterialId later.
        expect((await describeKey(k.KeyId!)).KeyMetadata!.CurrentKeyMaterialId).toBe(before.KeyMetadata!.CurrentKeyMaterialId);
        passTime();
        const after = await describeKey(k.KeyId!);
        o.match("describe-key-after-rotation", after);
        expect(after.KeyMetadata!.CurrentKeyMaterialId).not.toBe(before.KeyMetadata!.CurrentKeyMaterialId);
    });

    test("TestKMS::test_key_rotations_encryption_decryption", async () => {
        const k = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT" });
        const ct = (await kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: b64text(MESSAGE), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" }))).CiphertextBlob!;
        await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
        passTime();
        expect(Buffer.from((await kms().send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" }))).Plaintext!)).toEqual(b64text(MESSAGE));
        const bad = Buffer.from("bad data");
        oracle("TestKMS::test_key_rotations_encryption_decryption", env).match("bad-ciphertext", await failure(kms().send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: bad, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" }))));
    });

    test("TestKMS::test_key_rotations_limits", async () => {
        const k = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT" });
        for (let i = 0; i < 10; i++) {
            await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
            passTime();
            expect((await status(k.KeyId!)).OnDemandRotationStartDate).toBeUndefined();
        }
        const o = oracle("TestKMS::test_key_rotations_limits", env);
        o.match("error-response", await failure(kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
        expect(o.bound("<key-arn>")).toBe(k.Arn);
    });

    test("TestKMS::test_rotate_key_on_demand_raises_error_given_key_is_disabled", async () => {
        const k = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "RSA_4096" });
        await kms().send(new DisableKeyCommand({ KeyId: k.KeyId }));
        oracle("TestKMS::test_rotate_key_on_demand_raises_error_given_key_is_disabled", env).match("error-response", await failure(kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
    });
    test("TestKMS::test_rotate_key_on_demand_raises_error_given_key_that_does_not_exist", async () => {
        oracle("TestKMS::test_rotate_key_on_demand_raises_error_given_key_that_does_not_exist", env).match(
            "error-response",
            await failure(kms().send(new RotateKeyOnDemandCommand({ KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }))),
        );
    });
    test("TestKMS::test_rotate_key_on_demand_raises_error_given_non_symmetric_key", async () => {
        const k = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "RSA_4096" });
        oracle("TestKMS::test_rotate_key_on_demand_raises_error_given_non_symmetric_key", env).match("error-response", await failure(kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
    });

    for (const spec of ["SYMMETRIC_DEFAULT", "RSA_4096"]) {
        const name = `TestKMS::test_rotate_key_on_demand_on_external_key_with_no_key_material[${spec}]`;
        test(name, async () => {
            const o = oracle(name, env);
            const k = await createKey({ Origin: "EXTERNAL", KeyUsage: "ENCRYPT_DECRYPT", Description: "test-key" });
            o.match("create-kms-external-key", k);
            o.match(`rotate-key-on-demand-error-response-${spec}`, await failure(kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
        });
    }

    test("TestKMS::test_get_parameters_for_import", async () => {
        const sv = await createKey({ KeyUsage: "SIGN_VERIFY", KeySpec: "ECC_NIST_P256", Origin: "EXTERNAL" });
        const p = await kms().send(new GetParametersForImportCommand({ KeyId: sv.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_4096" }));
        expect([p.KeyId, p.ParametersValidTo instanceof Date, p.ImportToken!.length > 0, p.PublicKey!.length > 0]).toEqual([sv.Arn, true, true, true]);
        const ed = await createKey();
        const e = await failure(kms().send(new GetParametersForImportCommand({ KeyId: ed.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_4096" })));
        const o = oracle("TestKMS::test_get_parameters_for_import", env);
        o.match("response-error", e);
        expect(o.bound("<key-arn>")).toBe(ed.Arn);
    });
    test("TestKMS::test_get_parameters_for_import_raises_for_non_external_kms_keys", async () => {
        const ed = await createKey({ KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT" });
        oracle("TestKMS::test_get_parameters_for_import_raises_for_non_external_kms_keys", env).match(
            "get-import-parameters-error",
            await failure(kms().send(new GetParametersForImportCommand({ KeyId: ed.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }))),
        );
    });

    test("TestKMS::test_rotate_key_on_demand_raises_for_no_pending_key_material", async () => {
        const k = await createKey({ Origin: "EXTERNAL", KeyUsage: "ENCRYPT_DECRYPT", Description: "test-key" });
        await importMaterial(k.KeyId!);
        oracle("TestKMS::test_rotate_key_on_demand_raises_for_no_pending_key_material", env).match(
            "rotate-key-on-demand-invalid-state-error",
            await failure(kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))),
        );
    });

    test("TestKMS::test_rotate_key_on_demand_updates_current_key_material_for_external_keys", async () => {
        const o = oracle("TestKMS::test_rotate_key_on_demand_updates_current_key_material_for_external_keys", env);
        const k = await createKey({ Origin: "EXTERNAL", KeyUsage: "ENCRYPT_DECRYPT", Description: "test-key" });
        o.match("create-kms-external-key", k);
        const first = await wrappedMaterial(k.KeyId!);
        o.match("get-import-parameters-response", first.params);
        o.match("describe-empty-key-response", await describeKey(k.KeyId!));
        o.match("import-key-material-response", out(await kms().send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ImportToken: first.ImportToken, EncryptedKeyMaterial: first.EncryptedKeyMaterial, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }))));
        o.match("describe-key-with-material-response", await describeKey(k.KeyId!));
        const plaintext = Buffer.from("Hello World!1/?");
        const initial = out(await kms().send(new EncryptCommand({ Plaintext: plaintext, KeyId: k.KeyId, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" })));
        o.match("kms-encrypt-initial-response", initial);
        o.match("import-new-key-material-response", await importMaterial(k.KeyId!, { ImportType: "NEW_KEY_MATERIAL" }));
        o.match("describe-key-with-new-material-response", await describeKey(k.KeyId!));
        o.match("rotate-key-on-demand-response", out(await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
        // Not yet: AWS rotates later (LocalStack polled DescribeKey until CurrentKeyMaterialId changed).
        expect((await describeKey(k.KeyId!)).KeyMetadata!.CurrentKeyMaterialId).toBe(o.bound("<key-material-id:1>"));
        passTime();
        o.match("describe-key-after-rotation", await describeKey(k.KeyId!));
        const rotated = out(await kms().send(new EncryptCommand({ Plaintext: plaintext, KeyId: k.KeyId, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" })));
        o.match("kms-encrypt-rotated-key-response", rotated);
        for (const ct of [initial.CiphertextBlob, rotated.CiphertextBlob]) {
            expect(Buffer.from((await kms().send(new DecryptCommand({ CiphertextBlob: ct, KeyId: k.KeyId }))).Plaintext!)).toEqual(plaintext);
        }
    });

    test("TestKMS::test_rotate_key_on_demand_for_external_keys_decrypts_with_previous_material", async () => {
        const o = oracle("TestKMS::test_rotate_key_on_demand_for_external_keys_decrypts_with_previous_material", env);
        const k = await createKey({ Origin: "EXTERNAL", KeyUsage: "ENCRYPT_DECRYPT", Description: "test-key" });
        o.match("create-kms-external-key", k);
        o.match("import-key-material-response", await importMaterial(k.KeyId!));
        const plaintext = Buffer.from("Hello World!");
        const initial = out(await kms().send(new EncryptCommand({ Plaintext: plaintext, KeyId: k.KeyId, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" })));
        o.match("kms-encrypt-initial-response", initial);
        await importMaterial(k.KeyId!, { ImportType: "NEW_KEY_MATERIAL" });
        o.match("rotate-key-on-demand-response", out(await kms().send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }))));
        passTime();
        const back = await kms().send(new DecryptCommand({ CiphertextBlob: initial.CiphertextBlob, KeyId: k.KeyId }));
        expect([Buffer.from(back.Plaintext!).toString(), back.KeyMaterialId]).toEqual([plaintext.toString(), o.bound("<key-material-id:1>")]);
    });
});

