/**
 * The AWS KMS emulator, driven only through the official `@aws-sdk/client-kms` built by `createAwsKmsClient`.
 */
import * as crypto from "crypto";
import { performance } from "perf_hooks";
import {
    CancelKeyDeletionCommand,
    CreateAliasCommand,
    CreateKeyCommand,
    DecryptCommand,
    DeleteAliasCommand,
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    DisableKeyRotationCommand,
    EnableKeyCommand,
    EnableKeyRotationCommand,
    EncryptCommand,
    GenerateDataKeyCommand,
    GenerateDataKeyWithoutPlaintextCommand,
    GenerateMacCommand,
    GenerateRandomCommand,
    GetKeyPolicyCommand,
    GetKeyRotationStatusCommand,
    GetParametersForImportCommand,
    GetPublicKeyCommand,
    ImportKeyMaterialCommand,
    ListAliasesCommand,
    ListKeyRotationsCommand,
    ListKeysCommand,
    ListResourceTagsCommand,
    PutKeyPolicyCommand,
    RotateKeyOnDemandCommand,
    ScheduleKeyDeletionCommand,
    SignCommand,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateAliasCommand,
    UpdateKeyDescriptionCommand,
    VerifyCommand,
    VerifyMacCommand,
    type AlgorithmSpec,
    type ExpirationModelType,
    type ImportType,
    type KeyMetadata,
    type KeySpec,
    type KeyUsageType,
    type KMSClient,
    type SigningAlgorithmSpec,
    type WrappingKeySpec,
} from "@aws-sdk/client-kms";
import { createAwsKmsClient } from "../../sdk/clients";
import { rsaAesKeyWrap, rsaOaepEncrypt } from "../../sdk/crypto/keywrap";
import { fingerprint } from "../../sdk/crypto/material";
import { startAwsKmsEmulator, type AwsKmsEmulator } from "../../sdk/emulators/aws";
import { DAY_MS, FaultInjector, HOUR_MS, ManualClock } from "../../sdk/emulators/common";
import { failure } from "./aws-replay";

const ACCOUNT = "111122223333";
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const clock = new ManualClock(T0);
const faults = new FaultInjector(42);
let emu: AwsKmsEmulator;
const clients: KMSClient[] = [];
/** The default client: us-east-1, no retries (negative tests must see the first answer). */
let kms: KMSClient;

function client(region = "us-east-1", maxAttempts = 1, endpoint = emu.endpoint): KMSClient {
    const c = createAwsKmsClient(region, { env: { KEYFABRIC_EMULATORS: JSON.stringify({ aws: endpoint }) }, maxAttempts });
    clients.push(c);
    return c;
}

beforeAll(async () => {
    emu = await startAwsKmsEmulator({ clock, faults, asyncStates: "instant" });
    kms = client();
});

afterAll(async () => {
    for (const c of clients) c.destroy();
    await emu.stop();
});

afterEach(() => faults.clear());

/** The response without `$metadata`. */
function out<T extends { $metadata?: unknown }>(response: T): Omit<T, "$metadata"> {
    const { $metadata: _ignored, ...rest } = response;
    return rest;
}


const arnOf = (keyId: string, region = "us-east-1") => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
const at = (ms: number) => new Date(ms);
const bytes = (u: Uint8Array | undefined) => Buffer.from(u ?? new Uint8Array());
const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function createKey(input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}, c = kms): Promise<KeyMetadata> {
    const { KeyMetadata } = await c.send(new CreateKeyCommand(input));
    return KeyMetadata as KeyMetadata;
}

async function describe_(keyId: string, c = kms): Promise<KeyMetadata> {
    return (await c.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata as KeyMetadata;
}

// ----------------------------------------------------------------------------------------------------------------
// BYOK helpers: the test plays the customer, wrapping with sdk/crypto/keywrap.ts and the returned public key.

interface ImportParameters {
    readonly token: Uint8Array;
    readonly publicKey: crypto.KeyObject;
    readonly algorithm: AlgorithmSpec;
}

async function importParameters(keyId: string, algorithm: AlgorithmSpec = "RSAES_OAEP_SHA_256", spec: WrappingKeySpec = "RSA_2048", c = kms): Promise<ImportParameters> {
    const r = await c.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec }));
    return { token: r.ImportToken as Uint8Array, publicKey: crypto.createPublicKey({ key: bytes(r.PublicKey), format: "der", type: "spki" }), algorithm };
}

function wrap(p: ImportParameters, material: Buffer, algorithm: AlgorithmSpec = p.algorithm): Buffer {
    switch (algorithm) {
        case "RSAES_OAEP_SHA_1":
            return rsaOaepEncrypt(p.publicKey, "sha1", material);
        case "RSAES_OAEP_SHA_256":
            return rsaOaepEncrypt(p.publicKey, "sha256", material);
        case "RSA_AES_KEY_WRAP_SHA_1":
            return rsaAesKeyWrap(p.publicKey, "sha1", material);
        case "RSA_AES_KEY_WRAP_SHA_256":
            return rsaAesKeyWrap(p.publicKey, "sha256", material);
        default:
            throw new Error(`no wrap for ${algorithm}`);
    }
}

interface ImportOptions {
    readonly algorithm?: AlgorithmSpec;
    readonly wrappingKeySpec?: WrappingKeySpec;
    readonly expirationModel?: ExpirationModelType;
    readonly validTo?: Date;
    readonly importType?: ImportType;
    readonly keyMaterialId?: string;
    readonly description?: string;
}

/** GetParametersForImport + wrap + ImportKeyMaterial; DOES_NOT_EXPIRE unless told otherwise. */
async function importMaterial(keyId: string, material: Buffer, o: ImportOptions = {}, c = kms) {
    const p = await importParameters(keyId, o.algorithm, o.wrappingKeySpec, c);
    return c.send(
        new ImportKeyMaterialCommand({
            KeyId: keyId,
            ImportToken: p.token,
            EncryptedKeyMaterial: wrap(p, material),
            ExpirationModel: o.expirationModel ?? (o.validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE"),
            ValidTo: o.validTo,
            ImportType: o.importType,
            KeyMaterialId: o.keyMaterialId,
            KeyMaterialDescription: o.description,
        }),
    );
}

const generateKeyPair = (type: "rsa" | "ec", options: { modulusLength?: number; namedCurve?: string }) =>
    new Promise<crypto.KeyPairKeyObjectResult>((resolve, reject) =>
        crypto.generateKeyPair(type as "rsa", options as crypto.RSAKeyPairKeyObjectOptions, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey }))),
    );
const pkcs8 = (k: crypto.KeyObject) => k.export({ type: "pkcs8", format: "der" });

// ================================================================================================================

describe("emulator basics", () => {
    test("starts and stops in well under a second, on 127.0.0.1 and a free port", async () => {
        const t0 = performance.now();
        const e = await startAwsKmsEmulator();
        const started = performance.now() - t0;
        expect(e.endpoint).toBe(`http://127.0.0.1:${e.port}`);
        expect(out(await client("us-east-1", 1, e.endpoint).send(new ListKeysCommand({})))).toEqual({ Keys: [], Truncated: false });
        const t1 = performance.now();
        await e.stop();
        expect(started + (performance.now() - t1)).toBeLessThan(1000);
    });

    test("an unknown operation is UnknownOperationException (400), recorded in calls", async () => {
        const c = client();
        c.middlewareStack.add(
            (next) => async (args) => {
                (args.request as { headers: Record<string, string> }).headers["x-amz-target"] = "TrentService.Frobnicate";
                return next(args);
            },
            { step: "build", name: "rewriteTarget" },
        );
        expect(await failure(c.send(new ListKeysCommand({})))).toEqual({ name: "UnknownOperationException", status: 400, message: "Unknown operation TrentService.Frobnicate." });
        expect(emu.calls[emu.calls.length - 1]).toEqual({ operation: "Frobnicate" });
    });

    test("errors carry the request id header; a missing required member is ValidationException", async () => {
        try {
            await kms.send(new DescribeKeyCommand({ KeyId: undefined }));
            throw new Error("expected a failure");
        } catch (e) {
            const err = e as Error & { $metadata: { requestId?: string; httpStatusCode?: number }; $fault: string };
            expect([err.name, err.$metadata.httpStatusCode, err.$fault, err.message]).toEqual([
                "ValidationException",
                400,
                "client",
                "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
            ]);
            expect(err.$metadata.requestId).toMatch(UUID);
        }
    });
});

describe("keys", () => {
    test("CreateKey: a symmetric AWS_KMS key; DescribeKey by key id, key ARN, alias name and alias ARN", async () => {
        const created = await createKey({ Description: "app data", Tags: [{ TagKey: "team", TagValue: "payments" }] });
        const expected: KeyMetadata = {
            AWSAccountId: ACCOUNT,
            KeyId: created.KeyId,
            Arn: arnOf(created.KeyId as string),
            CreationDate: at(clock.now()),
            Enabled: true,
            Description: "app data",
            KeyUsage: "ENCRYPT_DECRYPT",
            KeyState: "Enabled",
            Origin: "AWS_KMS",
            KeyManager: "CUSTOMER",
            CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
            KeySpec: "SYMMETRIC_DEFAULT",
            EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
            MultiRegion: false,
            CurrentKeyMaterialId: created.CurrentKeyMaterialId,
        };
        expect(created).toEqual(expected);
        expect(created.KeyId).toMatch(UUID);
        expect(created.CurrentKeyMaterialId).toMatch(HEX64);
        await kms.send(new CreateAliasCommand({ AliasName: "alias/describe-me", TargetKeyId: created.KeyId }));
        for (const id of [created.KeyId, created.Arn, "alias/describe-me", `arn:aws:kms:us-east-1:${ACCOUNT}:alias/describe-me`]) {
            expect(await describe_(id as string)).toEqual(expected);
        }
    });

    test.each<[string, KeySpec, KeyUsageType, Partial<KeyMetadata>]>([
        ["RSA encryption", "RSA_2048", "ENCRYPT_DECRYPT", { EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] }],
        [
            "RSA signing",
            "RSA_2048",
            "SIGN_VERIFY",
            {
                SigningAlgorithms: [
                    "RSASSA_PKCS1_V1_5_SHA_256",
                    "RSASSA_PKCS1_V1_5_SHA_384",
                    "RSASSA_PKCS1_V1_5_SHA_512",
                    "RSASSA_PSS_SHA_256",
                    "RSASSA_PSS_SHA_384",
                    "RSASSA_PSS_SHA_512",
                ],
            },
        ],
        ["P-256", "ECC_NIST_P256", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_256"] }],
        ["P-384", "ECC_NIST_P384", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_384"] }],
        ["P-521", "ECC_NIST_P521", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_512"] }],
        ["HMAC-224", "HMAC_224", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_224"] }],
        ["HMAC-256", "HMAC_256", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_256"] }],
        ["HMAC-384", "HMAC_384", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_384"] }],
        ["HMAC-512", "HMAC_512", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_512"] }],
    ])("CreateKey %s (%s, %s): the algorithms of the key spec, no key material id", async (_name, spec, usage, algorithms) => {
        const k = await createKey({ KeySpec: spec, KeyUsage: usage });
        expect(k).toEqual({
            AWSAccountId: ACCOUNT,
            KeyId: k.KeyId,
            Arn: arnOf(k.KeyId as string),
            CreationDate: at(clock.now()),
            Enabled: true,
            Description: "",
            KeyUsage: usage,
            KeyState: "Enabled",
            Origin: "AWS_KMS",
            KeyManager: "CUSTOMER",
            CustomerMasterKeySpec: spec,
            KeySpec: spec,
            MultiRegion: false,
            ...algorithms,
        });
    });

    test("CreateKey: EXTERNAL origin is PendingImport and disabled; MultiRegion keys get mrk- ids and a primary configuration", async () => {
        const ext = await createKey({ Origin: "EXTERNAL", MultiRegion: true });
        expect(ext.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
        expect(ext).toEqual({
            AWSAccountId: ACCOUNT,
            KeyId: ext.KeyId,
            Arn: arnOf(ext.KeyId as string),
            CreationDate: at(clock.now()),
            Enabled: false,
            Description: "",
            KeyUsage: "ENCRYPT_DECRYPT",
            KeyState: "PendingImport",
            Origin: "EXTERNAL",
            KeyManager: "CUSTOMER",
            CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
            KeySpec: "SYMMETRIC_DEFAULT",
            EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
            MultiRegion: true,
            MultiRegionConfiguration: { MultiRegionKeyType: "PRIMARY", PrimaryKey: { Arn: arnOf(ext.KeyId as string), Region: "us-east-1" }, ReplicaKeys: [] },
        });
    });

    test("CreateKey rejects incompatible or unsupported parameters", async () => {
        expect(await failure(kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256" })))).toEqual({
            name: "ValidationException",
            status: 400,
            message: "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        });
        expect(await failure(kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "ENCRYPT_DECRYPT" })))).toEqual({
            name: "ValidationException",
            status: 400,
            message: "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256",
        });
        expect(await failure(kms.send(new CreateKeyCommand({ KeyUsage: "SIGN_VERIFY" })))).toEqual({
            name: "ValidationException",
            status: 400,
            message: "KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT",
        });
        expect((await failure(kms.send(new CreateKeyCommand({ KeySpec: "ML_DSA_44", KeyUsage: "SIGN_VERIFY" })))).name).toBe("UnsupportedOperationException");
        expect((await failure(kms.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM" })))).name).toBe("UnsupportedOperationException");
        expect(await failure(kms.send(new CreateKeyCommand({ Policy: "{not json" })))).toEqual({
            name: "MalformedPolicyDocumentException",
            status: 400,
            message: "The new key policy is not valid JSON.",
        });
        expect(await failure(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: "aws:owner", TagValue: "x" }] })))).toEqual({
            name: "TagException",
            status: 400,
            message: "Tags beginning with aws: are reserved",
        });
    });

    test("DescribeKey: unknown keys, keys of another region and unknown aliases are NotFoundException (400, as AWS sends it); a malformed ARN is InvalidArnException", async () => {
        const missing = crypto.randomUUID();
        expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: missing })))).toEqual({
            name: "NotFoundException",
            status: 400,
            message: `Key '${arnOf(missing)}' does not exist`,
        });
        const k = await createKey();
        expect(await failure(client("eu-west-1").send(new DescribeKeyCommand({ KeyId: k.KeyId })))).toEqual({
            name: "NotFoundException",
            status: 400,
            message: `Key '${arnOf(k.KeyId as string, "eu-west-1")}' does not exist`,
        });
        expect((await failure(client("eu-west-1").send(new DescribeKeyCommand({ KeyId: k.Arn })))).name).toBe("NotFoundException");
        expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: "alias/nothing-here" })))).toEqual({
            name: "NotFoundException",
            status: 400,
            message: `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/nothing-here is not found.`,
        });
        expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: "arn:aws:kms:us-east-1:key" })))).toEqual({
            name: "InvalidArnException",
            status: 400,
            message: "ARN arn:aws:kms:us-east-1:key is not a valid KMS key or alias ARN",
        });
    });

    test("ListKeys: the keys of the region, in creation order, with Limit and Marker", async () => {
        const c = client("ap-southeast-2");
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push((await createKey({}, c)).KeyId as string);
        const entries = ids.map((id) => ({ KeyId: id, KeyArn: arnOf(id, "ap-southeast-2") }));
        expect(out(await c.send(new ListKeysCommand({})))).toEqual({ Keys: entries, Truncated: false });
        const first = out(await c.send(new ListKeysCommand({ Limit: 2 })));
        expect(first).toEqual({ Keys: entries.slice(0, 2), Truncated: true, NextMarker: expect.any(String) });
        expect(out(await c.send(new ListKeysCommand({ Limit: 2, Marker: first.NextMarker })))).toEqual({ Keys: entries.slice(2), Truncated: false });
        expect((await failure(c.send(new ListKeysCommand({ Marker: "bogus" })))).name).toBe("InvalidMarkerException");
        expect((await failure(c.send(new ListKeysCommand({ Limit: 0 })))).name).toBe("ValidationException");
    });

    test("UpdateKeyDescription", async () => {
        const k = await createKey({ Description: "before" });
        expect(out(await kms.send(new UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: "after" })))).toEqual({});
        expect((await describe_(k.KeyId as string)).Description).toBe("after");
    });

    test("DisableKey/EnableKey: a disabled key refuses cryptographic operations with DisabledException (400)", async () => {
        const k = await createKey();
        const arn = k.Arn as string;
        expect(out(await kms.send(new DisableKeyCommand({ KeyId: k.KeyId })))).toEqual({});
        expect(await describe_(arn)).toMatchObject({ KeyState: "Disabled", Enabled: false });
        expect(await failure(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("x") })))).toEqual({
            name: "DisabledException",
            status: 400,
            message: `${arn} is disabled.`,
        });
        expect((await failure(kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: "AES_256" })))).name).toBe("DisabledException");
        expect(out(await kms.send(new EnableKeyCommand({ KeyId: k.KeyId })))).toEqual({});
        expect(await describe_(arn)).toMatchObject({ KeyState: "Enabled", Enabled: true });
        expect((await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("x") }))).KeyId).toBe(arn);

        const ext = await createKey({ Origin: "EXTERNAL" });
        expect(await failure(kms.send(new EnableKeyCommand({ KeyId: ext.KeyId })))).toEqual({
            name: "KMSInvalidStateException",
            status: 400,
            message: `${ext.Arn} is pending import.`,
        });
    });
});

describe("aliases", () => {
    test("CreateAlias, ListAliases, UpdateAlias, DeleteAlias, and their errors", async () => {
        const c = client("ca-central-1");
        const a = await createKey({}, c);
        const b = await createKey({}, c);
        const mac = await createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }, c);
        const created = clock.now();
        expect(out(await c.send(new CreateAliasCommand({ AliasName: "alias/app", TargetKeyId: a.Arn })))).toEqual({});
        await c.send(new CreateAliasCommand({ AliasName: "alias/app/blue", TargetKeyId: a.KeyId }));
        const aliasArn = (name: string) => `arn:aws:kms:ca-central-1:${ACCOUNT}:${name}`;
        expect(out(await c.send(new ListAliasesCommand({})))).toEqual({
            Aliases: [
                { AliasName: "alias/app", AliasArn: aliasArn("alias/app"), TargetKeyId: a.KeyId, CreationDate: at(created), LastUpdatedDate: at(created) },
                { AliasName: "alias/app/blue", AliasArn: aliasArn("alias/app/blue"), TargetKeyId: a.KeyId, CreationDate: at(created), LastUpdatedDate: at(created) },
            ],
            Truncated: false,
        });
        expect(await failure(c.send(new CreateAliasCommand({ AliasName: "alias/app", TargetKeyId: b.KeyId })))).toEqual({
            name: "AlreadyExistsException",
            status: 400,
            message: `An alias with the name ${aliasArn("alias/app")} already exists`,
        });
        expect((await failure(c.send(new CreateAliasCommand({ AliasName: "app", TargetKeyId: b.KeyId })))).name).toBe("ValidationException");
        expect(await failure(c.send(new CreateAliasCommand({ AliasName: "alias/aws/s3", TargetKeyId: b.KeyId })))).toEqual({
            name: "InvalidAliasNameException",
            status: 400,
            message: "Alias names that begin with alias/aws/ are reserved for AWS managed keys.",
        });
        expect((await failure(c.send(new CreateAliasCommand({ AliasName: "alias/x", TargetKeyId: "alias/app" })))).name).toBe("NotFoundException");

        clock.advance(1000);
        expect(out(await c.send(new UpdateAliasCommand({ AliasName: "alias/app", TargetKeyId: b.KeyId })))).toEqual({});
        expect(out(await c.send(new ListAliasesCommand({ KeyId: b.KeyId })))).toEqual({
            Aliases: [{ AliasName: "alias/app", AliasArn: aliasArn("alias/app"), TargetKeyId: b.KeyId, CreationDate: at(created), LastUpdatedDate: at(created + 1000) }],
            Truncated: false,
        });
        expect((await describe_("alias/app", c)).KeyId).toBe(b.KeyId);
        expect((await failure(c.send(new UpdateAliasCommand({ AliasName: "alias/app", TargetKeyId: mac.KeyId })))).name).toBe("ValidationException");

        expect(out(await c.send(new DeleteAliasCommand({ AliasName: "alias/app" })))).toEqual({});
        expect(await failure(c.send(new DeleteAliasCommand({ AliasName: "alias/app" })))).toEqual({
            name: "NotFoundException",
            status: 400,
            message: `Alias ${aliasArn("alias/app")} is not found.`,
        });
        expect((await c.send(new ListAliasesCommand({}))).Aliases?.map((x) => x.AliasName)).toEqual(["alias/app/blue"]);
        expect(emu.inspect().find((k) => k.keyId === a.KeyId)?.aliases).toEqual(["alias/app/blue"]);
    });
});

describe("key policies and tags", () => {
    test("GetKeyPolicy returns the default policy; PutKeyPolicy replaces it; malformed policies and other policy names are refused", async () => {
        const k = await createKey();
        const got = out(await kms.send(new GetKeyPolicyCommand({ KeyId: k.KeyId })));
        expect({ ...got, Policy: JSON.parse(got.Policy as string) }).toEqual({
            PolicyName: "default",
            Policy: {
                Version: "2012-10-17",
                Id: "key-default-1",
                Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
            },
        });
        const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: "kms:Decrypt", Resource: "*" }] });
        // The policy lockout safety check: no principal of the account could change this policy again.
        expect(await failure(kms.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: policy })))).toEqual({
            name: "MalformedPolicyDocumentException",
            status: 400,
            message: "The new key policy will not allow you to update the key policy in the future.",
        });
        expect(out(await kms.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: policy, BypassPolicyLockoutSafetyCheck: true })))).toEqual({});
        expect(out(await kms.send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: "default" })))).toEqual({ Policy: policy, PolicyName: "default" });
        expect((await failure(kms.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: '{"Version":"2012-10-17"}' })))).name).toBe("MalformedPolicyDocumentException");
        expect((await failure(kms.send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: "other" })))).name).toBe("NotFoundException");
        const custom = await createKey({ Policy: policy, BypassPolicyLockoutSafetyCheck: true });
        expect((await kms.send(new GetKeyPolicyCommand({ KeyId: custom.KeyId }))).Policy).toBe(policy);
    });

    test("TagResource, ListResourceTags (with paging), UntagResource; reserved and oversized tags are TagException", async () => {
        const k = await createKey({ Tags: [{ TagKey: "team", TagValue: "payments" }] });
        expect(out(await kms.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [{ TagKey: "env", TagValue: "prod" }, { TagKey: "team", TagValue: "risk" }] })))).toEqual({});
        expect(out(await kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId })))).toEqual({
            Tags: [
                { TagKey: "team", TagValue: "risk" },
                { TagKey: "env", TagValue: "prod" },
            ],
            Truncated: false,
        });
        const page = out(await kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Limit: 1 })));
        expect(page).toEqual({ Tags: [{ TagKey: "team", TagValue: "risk" }], Truncated: true, NextMarker: expect.any(String) });
        expect(out(await kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Marker: page.NextMarker })))).toEqual({ Tags: [{ TagKey: "env", TagValue: "prod" }], Truncated: false });
        expect(out(await kms.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ["team", "absent"] })))).toEqual({});
        expect((await kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId }))).Tags).toEqual([{ TagKey: "env", TagValue: "prod" }]);
        expect((await failure(kms.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [{ TagKey: "aws:x", TagValue: "y" }] })))).name).toBe("TagException");
        expect((await failure(kms.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [{ TagKey: "k".repeat(129), TagValue: "y" }] })))).name).toBe("ValidationException");
        expect(await failure(kms.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [{ TagKey: "a", TagValue: "1" }, { TagKey: "a", TagValue: "2" }] })))).toEqual({ name: "TagException", status: 400, message: "Duplicate tag keys" });
        expect(emu.inspect().find((x) => x.keyId === k.KeyId)?.tags).toEqual({ env: "prod" });
    });
});

describe("rotation", () => {
    test("EnableKeyRotation (default 365 days, or 90-2560), GetKeyRotationStatus, automatic rotation on the clock, DisableKeyRotation", async () => {
        const k = await createKey();
        const arn = k.Arn as string;
        expect(out(await kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId })))).toEqual({ KeyRotationEnabled: false, KeyId: arn });
        expect(out(await kms.send(new EnableKeyRotationCommand({ KeyId: k.KeyId })))).toEqual({});
        expect(out(await kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId })))).toEqual({
            KeyRotationEnabled: true,
            KeyId: arn,
            RotationPeriodInDays: 365,
            NextRotationDate: at(clock.now() + 365 * DAY_MS),
        });
        for (const days of [89, 2561]) {
            expect((await failure(kms.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: days })))).name).toBe("ValidationException");
        }
        const enabledAt = clock.now();
        await kms.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 90 }));
        expect(out(await kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId })))).toEqual({
            KeyRotationEnabled: true,
            KeyId: arn,
            RotationPeriodInDays: 90,
            NextRotationDate: at(enabledAt + 90 * DAY_MS),
        });
        const before = await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("before rotation") }));

        clock.advance(90 * DAY_MS);
        const rotations = out(await kms.send(new ListKeyRotationsCommand({ KeyId: k.KeyId })));
        const rotated = rotations.Rotations?.[0]?.KeyMaterialId as string;
        expect(rotations).toEqual({
            Rotations: [{ KeyId: k.KeyId, KeyMaterialId: rotated, KeyMaterialState: "CURRENT", RotationDate: at(enabledAt + 90 * DAY_MS), RotationType: "AUTOMATIC" }],
            Truncated: false,
        });
        expect(rotated).not.toBe(k.CurrentKeyMaterialId);
        expect((await describe_(arn)).CurrentKeyMaterialId).toBe(rotated);
        expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).NextRotationDate).toEqual(at(enabledAt + 180 * DAY_MS));
        const old = await kms.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
        expect([bytes(old.Plaintext).toString(), old.KeyMaterialId]).toEqual(["before rotation", k.CurrentKeyMaterialId]);
        expect((await kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: "AES_256" }))).KeyMaterialId).toBe(rotated);

        expect(out(await kms.send(new DisableKeyRotationCommand({ KeyId: k.KeyId })))).toEqual({});
        expect(out(await kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId })))).toEqual({ KeyRotationEnabled: false, KeyId: arn });
    });

    test("rotation is only for symmetric AWS_KMS keys (UnsupportedOperationException) and enabled keys (DisabledException)", async () => {
        const mac = await createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
        for (const cmd of [
            new EnableKeyRotationCommand({ KeyId: mac.KeyId }),
            new GetKeyRotationStatusCommand({ KeyId: mac.KeyId }),
            new RotateKeyOnDemandCommand({ KeyId: mac.KeyId }),
            new ListKeyRotationsCommand({ KeyId: mac.KeyId }),
        ]) {
            expect(await failure(kms.send(cmd as EnableKeyRotationCommand))).toMatchObject({ name: "UnsupportedOperationException", status: 400 });
        }
        const ext = await createKey({ Origin: "EXTERNAL" });
        expect(await failure(kms.send(new EnableKeyRotationCommand({ KeyId: ext.KeyId })))).toEqual({
            name: "UnsupportedOperationException",
            status: 400,
            message: `${ext.Arn} origin is EXTERNAL which is not valid for this operation.`,
        });
        expect(out(await kms.send(new GetKeyRotationStatusCommand({ KeyId: ext.KeyId })))).toEqual({ KeyRotationEnabled: false, KeyId: ext.Arn });
        const k = await createKey();
        await kms.send(new DisableKeyCommand({ KeyId: k.KeyId }));
        expect((await failure(kms.send(new EnableKeyRotationCommand({ KeyId: k.KeyId })))).name).toBe("DisabledException");
        expect((await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })))).name).toBe("DisabledException");
    });

    test("RotateKeyOnDemand on an AWS_KMS key: new CURRENT material, ListKeyRotations, at most 10 times", async () => {
        const k = await createKey();
        const first = k.CurrentKeyMaterialId as string;
        const ct = await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("v1") }));
        expect(out(await kms.send(new RotateKeyOnDemandCommand({ KeyId: k.Arn })))).toEqual({ KeyId: k.Arn });
        const second = (await describe_(k.KeyId as string)).CurrentKeyMaterialId as string;
        expect(second).not.toBe(first);
        expect(out(await kms.send(new ListKeyRotationsCommand({ KeyId: k.KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })))).toEqual({
            Rotations: [
                { KeyId: k.KeyId, KeyMaterialId: first, KeyMaterialState: "NON_CURRENT" },
                { KeyId: k.KeyId, KeyMaterialId: second, KeyMaterialState: "CURRENT", RotationDate: at(clock.now()), RotationType: "ON_DEMAND" },
            ],
            Truncated: false,
        });
        expect(bytes((await kms.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob, KeyId: k.KeyId }))).Plaintext).toString()).toBe("v1");
        for (let i = 1; i < 10; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
        expect(await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })))).toEqual({
            name: "LimitExceededException",
            status: 400,
            message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${k.Arn}`,
        });
        expect((await kms.send(new ListKeyRotationsCommand({ KeyId: k.KeyId }))).Rotations).toHaveLength(10);
        expect(emu.inspect().find((x) => x.keyId === k.KeyId)?.rotation.onDemandRotations).toBe(10);
    });
});

describe("deletion", () => {
    test("ScheduleKeyDeletion (default 30 days) → PendingDeletion; the key refuses use; CancelKeyDeletion → Disabled", async () => {
        const k = await createKey();
        const arn = k.Arn as string;
        expect(out(await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId })))).toEqual({
            KeyId: arn,
            DeletionDate: at(clock.now() + 30 * DAY_MS),
            KeyState: "PendingDeletion",
            PendingWindowInDays: 30,
        });
        expect(await describe_(arn)).toMatchObject({ KeyState: "PendingDeletion", Enabled: false, DeletionDate: at(clock.now() + 30 * DAY_MS) });
        expect(await failure(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("x") })))).toEqual({
            name: "KMSInvalidStateException",
            status: 400,
            message: `${arn} is pending deletion.`,
        });
        expect((await failure(kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId })))).name).toBe("KMSInvalidStateException");
        expect((await failure(kms.send(new CreateAliasCommand({ AliasName: "alias/doomed", TargetKeyId: k.KeyId })))).name).toBe("KMSInvalidStateException");
        expect((await failure(kms.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [{ TagKey: "a", TagValue: "b" }] })))).name).toBe("KMSInvalidStateException");
        expect((await failure(kms.send(new EnableKeyCommand({ KeyId: k.KeyId })))).name).toBe("KMSInvalidStateException");
        expect(out(await kms.send(new CancelKeyDeletionCommand({ KeyId: k.KeyId })))).toEqual({ KeyId: arn });
        const after = await describe_(arn);
        expect([after.KeyState, after.Enabled, after.DeletionDate]).toEqual(["Disabled", false, undefined]);
        expect(await failure(kms.send(new CancelKeyDeletionCommand({ KeyId: k.KeyId })))).toEqual({
            name: "KMSInvalidStateException",
            status: 400,
            message: `${arn} is not pending deletion.`,
        });
        for (const days of [6, 31]) {
            expect((await failure(kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: days })))).name).toBe("ValidationException");
        }
    });

    test("a key scheduled for deletion is really deleted (with its aliases) once the clock passes the DeletionDate", async () => {
        const k = await createKey();
        await kms.send(new CreateAliasCommand({ AliasName: "alias/short-lived", TargetKeyId: k.KeyId }));
        await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
        clock.advance(7 * DAY_MS - 1);
        expect((await describe_(k.KeyId as string)).KeyState).toBe("PendingDeletion");
        clock.advance(1);
        expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: k.KeyId })))).toMatchObject({ name: "NotFoundException", status: 400 });
        expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: "alias/short-lived" })))).name).toBe("NotFoundException");
        expect(emu.inspect().some((x) => x.keyId === k.KeyId)).toBe(false);
    });
});

describe("symmetric encryption", () => {
    test("Encrypt/Decrypt with an encryption context; Decrypt needs no KeyId; aliases work", async () => {
        const k = await createKey();
        await kms.send(new CreateAliasCommand({ AliasName: "alias/enc", TargetKeyId: k.KeyId }));
        const context = { tenant: "acme", purpose: "test" };
        const enc = out(await kms.send(new EncryptCommand({ KeyId: "alias/enc", Plaintext: Buffer.from("secret message"), EncryptionContext: context })));
        expect(enc).toEqual({ CiphertextBlob: expect.any(Uint8Array), KeyId: k.Arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" });
        const dec = out(await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: "test", tenant: "acme" } })));
        expect({ ...dec, Plaintext: bytes(dec.Plaintext).toString() }).toEqual({
            KeyId: k.Arn,
            Plaintext: "secret message",
            EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
            KeyMaterialId: k.CurrentKeyMaterialId,
        });
        expect(bytes((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context, KeyId: "alias/enc" }))).Plaintext).toString()).toBe("secret message");
    });

    test("Decrypt refuses a wrong encryption context, tampering, foreign blobs and another key", async () => {
        const k = await createKey();
        const other = await createKey();
        const enc = await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("data"), EncryptionContext: { a: "1" } }));
        const blob = bytes(enc.CiphertextBlob);
        expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { a: "2" } })))).toEqual({
            name: "InvalidCiphertextException",
            status: 400,
            message: "UnknownError",
        });
        expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe("InvalidCiphertextException");
        const tampered = Buffer.from(blob);
        tampered[tampered.length - 1] ^= 1;
        expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: { a: "1" } })))).name).toBe("InvalidCiphertextException");
        expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: crypto.randomBytes(80) })))).name).toBe("InvalidCiphertextException");
        expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { a: "1" }, KeyId: other.KeyId })))).toEqual({
            name: "IncorrectKeyException",
            status: 400,
            message: "The key ID in the request does not identify a CMK that can perform this operation.",
        });
    });

    test("Encrypt validates the plaintext, the algorithm and the key usage", async () => {
        const k = await createKey();
        expect((await failure(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.alloc(4097) })))).name).toBe("ValidationException");
        expect(await failure(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })))).toEqual({
            name: "InvalidKeyUsageException",
            status: 400,
            message: `The encryption algorithm RSAES_OAEP_SHA_256 is not valid for ${k.Arn} (SYMMETRIC_DEFAULT).`,
        });
        const mac = await createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
        expect(await failure(kms.send(new EncryptCommand({ KeyId: mac.KeyId, Plaintext: Buffer.from("x") })))).toEqual({
            name: "InvalidKeyUsageException",
            status: 400,
            message: `${mac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.`,
        });
    });

    test("GenerateDataKey (AES_256, AES_128, NumberOfBytes), GenerateDataKeyWithoutPlaintext, GenerateRandom", async () => {
        const k = await createKey();
        const dk = out(await kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: "AES_256", EncryptionContext: { f: "1" } })));
        expect(dk).toEqual({ CiphertextBlob: expect.any(Uint8Array), Plaintext: expect.any(Uint8Array), KeyId: k.Arn, KeyMaterialId: k.CurrentKeyMaterialId });
        expect(bytes(dk.Plaintext)).toHaveLength(32);
        expect(bytes((await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { f: "1" } }))).Plaintext)).toEqual(bytes(dk.Plaintext));
        expect(bytes((await kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: "AES_128" }))).Plaintext)).toHaveLength(16);
        expect(bytes((await kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, NumberOfBytes: 64 }))).Plaintext)).toHaveLength(64);
        expect(await failure(kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId })))).toEqual({
            name: "ValidationException",
            status: 400,
            message: "Specify either KeySpec or NumberOfBytes, but not both.",
        });
        expect((await failure(kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: "AES_256", NumberOfBytes: 32 })))).name).toBe("ValidationException");
        const wp = out(await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: k.KeyId, KeySpec: "AES_256" })));
        expect(wp).toEqual({ CiphertextBlob: expect.any(Uint8Array), KeyId: k.Arn, KeyMaterialId: k.CurrentKeyMaterialId });
        expect(bytes((await kms.send(new DecryptCommand({ CiphertextBlob: wp.CiphertextBlob }))).Plaintext)).toHaveLength(32);
        const rsa = await createKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
        expect((await failure(kms.send(new GenerateDataKeyCommand({ KeyId: rsa.KeyId, KeySpec: "AES_256" })))).name).toBe("InvalidKeyUsageException");
        expect(bytes((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 24 }))).Plaintext)).toHaveLength(24);
    });
});

describe("asymmetric keys and MACs generated by the emulator", () => {
    test("RSA encryption: GetPublicKey, Encrypt/Decrypt through the SDK, local OAEP encryption decrypted by the SDK", async () => {
        const k = await createKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
        const pub = out(await kms.send(new GetPublicKeyCommand({ KeyId: k.KeyId })));
        expect(pub).toEqual({
            KeyId: k.Arn,
            PublicKey: expect.any(Uint8Array),
            CustomerMasterKeySpec: "RSA_2048",
            KeySpec: "RSA_2048",
            KeyUsage: "ENCRYPT_DECRYPT",
            EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
        });
        const publicKey = crypto.createPublicKey({ key: bytes(pub.PublicKey), format: "der", type: "spki" });
        expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

        const enc = out(await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("rsa data"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })));
        expect(enc).toEqual({ CiphertextBlob: expect.any(Uint8Array), KeyId: k.Arn, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" });
        const dec = out(await kms.send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })));
        expect({ ...dec, Plaintext: bytes(dec.Plaintext).toString() }).toEqual({ KeyId: k.Arn, Plaintext: "rsa data", EncryptionAlgorithm: "RSAES_OAEP_SHA_256" });

        const local = rsaOaepEncrypt(publicKey, "sha1", Buffer.from("local"));
        expect(bytes((await kms.send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: local, EncryptionAlgorithm: "RSAES_OAEP_SHA_1" }))).Plaintext).toString()).toBe("local");
        expect((await failure(kms.send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: local, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })))).name).toBe("InvalidCiphertextException");
        expect((await failure(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.alloc(191), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })))).name).toBe("ValidationException");
        expect((await failure(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("x") })))).name).toBe("InvalidKeyUsageException");
        const sym = await createKey();
        expect((await failure(kms.send(new GetPublicKeyCommand({ KeyId: sym.KeyId })))).name).toBe("UnsupportedOperationException");
    });

    test("Sign/Verify with RSA (PKCS#1 v1.5 and PSS) and ECDSA (P-256/384/521), RAW and DIGEST, checked locally with Node crypto", async () => {
        const message = Buffer.from("the message to sign");
        const cases: [KeySpec, SigningAlgorithmSpec[]][] = [
            ["RSA_2048", ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]],
            ["ECC_NIST_P256", ["ECDSA_SHA_256"]],
            ["ECC_NIST_P384", ["ECDSA_SHA_384"]],
            ["ECC_NIST_P521", ["ECDSA_SHA_512"]],
        ];
        for (const [spec, algorithms] of cases) {
            const k = await createKey({ KeySpec: spec, KeyUsage: "SIGN_VERIFY" });
            const publicKey = crypto.createPublicKey({ key: bytes((await kms.send(new GetPublicKeyCommand({ KeyId: k.KeyId }))).PublicKey), format: "der", type: "spki" });
            for (const algorithm of algorithms) {
                const hash = `sha${algorithm.slice(-3)}`;
                const options = algorithm.startsWith("RSASSA_PSS")
                    ? { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }
                    : { key: publicKey };
                const digest = crypto.createHash(hash).update(message).digest();
                for (const [messageType, input] of [
                    ["RAW", message],
                    ["DIGEST", digest],
                ] as const) {
                    const signed = out(await kms.send(new SignCommand({ KeyId: k.KeyId, Message: input, MessageType: messageType, SigningAlgorithm: algorithm })));
                    expect(signed).toEqual({ KeyId: k.Arn, Signature: expect.any(Uint8Array), SigningAlgorithm: algorithm });
                    expect([spec, algorithm, messageType, crypto.verify(hash, message, options, bytes(signed.Signature))]).toEqual([spec, algorithm, messageType, true]);
                    expect(out(await kms.send(new VerifyCommand({ KeyId: k.KeyId, Message: input, MessageType: messageType, Signature: signed.Signature, SigningAlgorithm: algorithm })))).toEqual({
                        KeyId: k.Arn,
                        SignatureValid: true,
                        SigningAlgorithm: algorithm,
                    });
                }
            }
            // A signature made elsewhere verifies through the SDK only for the right message.
            const [algorithm] = algorithms;
            const hash = `sha${algorithm.slice(-3)}`;
            const foreign = await kms.send(new SignCommand({ KeyId: k.KeyId, Message: message, SigningAlgorithm: algorithm }));
            expect(await failure(kms.send(new VerifyCommand({ KeyId: k.KeyId, Message: Buffer.from("another message"), Signature: foreign.Signature, SigningAlgorithm: algorithm })))).toEqual({
                name: "KMSInvalidSignatureException",
                status: 400,
                message: "UnknownError",
            });
            expect(
                (await failure(kms.send(new SignCommand({ KeyId: k.KeyId, Message: Buffer.alloc(10), MessageType: "DIGEST", SigningAlgorithm: algorithm })))).message,
            ).toBe(`Digest is invalid length for algorithm ${algorithm}.`);
        }
        const p256 = await createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
        expect(await failure(kms.send(new SignCommand({ KeyId: p256.KeyId, Message: message, SigningAlgorithm: "ECDSA_SHA_384" })))).toEqual({
            name: "InvalidKeyUsageException",
            status: 400,
            message: "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.",
        });
        const sym = await createKey();
        expect((await failure(kms.send(new SignCommand({ KeyId: sym.KeyId, Message: message, SigningAlgorithm: "ECDSA_SHA_256" })))).name).toBe("InvalidKeyUsageException");
    });

    test("GenerateMac/VerifyMac for HMAC_224/256/384/512; a wrong MAC is KMSInvalidMacException", async () => {
        for (const bits of [224, 256, 384, 512] as const) {
            const k = await createKey({ KeySpec: `HMAC_${bits}`, KeyUsage: "GENERATE_VERIFY_MAC" });
            const mac = out(await kms.send(new GenerateMacCommand({ KeyId: k.KeyId, Message: Buffer.from("msg"), MacAlgorithm: `HMAC_SHA_${bits}` })));
            expect(mac).toEqual({ Mac: expect.any(Uint8Array), MacAlgorithm: `HMAC_SHA_${bits}`, KeyId: k.Arn });
            expect(bytes(mac.Mac)).toHaveLength(bits / 8);
            expect(out(await kms.send(new VerifyMacCommand({ KeyId: k.KeyId, Message: Buffer.from("msg"), Mac: mac.Mac, MacAlgorithm: `HMAC_SHA_${bits}` })))).toEqual({
                KeyId: k.Arn,
                MacValid: true,
                MacAlgorithm: `HMAC_SHA_${bits}`,
            });
            const wrong = bytes(mac.Mac);
            wrong[0] ^= 1;
            expect(await failure(kms.send(new VerifyMacCommand({ KeyId: k.KeyId, Message: Buffer.from("msg"), Mac: wrong, MacAlgorithm: `HMAC_SHA_${bits}` })))).toEqual({
                name: "KMSInvalidMacException",
                status: 400,
                message: "UnknownError",
            });
        }
        const k = await createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
        expect((await failure(kms.send(new GenerateMacCommand({ KeyId: k.KeyId, Message: Buffer.from("m"), MacAlgorithm: "HMAC_SHA_512" })))).name).toBe("InvalidKeyUsageException");
    });
});

describe("BYOK round trips", () => {
    test("AES-256 with RSAES_OAEP_SHA_256: import, Encrypt→Decrypt, fingerprint, and the material never appears in any answer", async () => {
        const responses: unknown[] = [];
        const keep = <T>(r: T): T => {
            responses.push(r);
            return r;
        };
        const material = crypto.randomBytes(32);
        const created = keep(await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL", Description: "byok aes" }))).KeyMetadata as KeyMetadata;
        const keyId = created.KeyId as string;
        const arn = created.Arn as string;

        const params = keep(await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" })));
        expect(out(params)).toEqual({ KeyId: arn, ImportToken: expect.any(Uint8Array), PublicKey: expect.any(Uint8Array), ParametersValidTo: at(clock.now() + 24 * HOUR_MS) });
        const publicKey = crypto.createPublicKey({ key: bytes(params.PublicKey), format: "der", type: "spki" });
        expect([publicKey.asymmetricKeyType, publicKey.asymmetricKeyDetails?.modulusLength]).toEqual(["rsa", 2048]);

        const validTo = clock.now() + 30 * DAY_MS;
        const imported = keep(
            await kms.send(
                new ImportKeyMaterialCommand({
                    KeyId: keyId,
                    ImportToken: params.ImportToken,
                    EncryptedKeyMaterial: rsaOaepEncrypt(publicKey, "sha256", material),
                    ExpirationModel: "KEY_MATERIAL_EXPIRES",
                    ValidTo: at(validTo),
                }),
            ),
        );
        expect(out(imported)).toEqual({ KeyId: arn, KeyMaterialId: expect.stringMatching(HEX64) });
        expect(keep(await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toEqual({
            ...created,
            Enabled: true,
            KeyState: "Enabled",
            ExpirationModel: "KEY_MATERIAL_EXPIRES",
            ValidTo: at(validTo),
            CurrentKeyMaterialId: imported.KeyMaterialId,
        });

        const enc = keep(await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("imported key works") })));
        const dec = keep(await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })));
        expect([bytes(dec.Plaintext).toString(), dec.KeyMaterialId]).toEqual(["imported key works", imported.KeyMaterialId]);
        keep(await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" })));
        keep(await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })));

        const inspected = emu.inspect();
        const mine = inspected.find((k) => k.keyId === keyId);
        expect(mine?.importedMaterialFingerprint).toBe(fingerprint(material));
        expect(mine?.materials).toEqual([
            {
                keyMaterialId: imported.KeyMaterialId,
                state: "CURRENT",
                importState: "IMPORTED",
                present: true,
                fingerprint: fingerprint(material),
                expirationModel: "KEY_MATERIAL_EXPIRES",
                validTo,
            },
        ]);

        const rendered = JSON.stringify([responses, inspected], (_k, v) =>
            v instanceof Uint8Array ? { base64: Buffer.from(v).toString("base64"), hex: Buffer.from(v).toString("hex") } : v,
        );
        for (const form of [material.toString("hex"), material.toString("base64"), material.toString("base64url")]) {
            expect(rendered.includes(form)).toBe(false);
        }
        for (const r of responses) {
            for (const v of Object.values(r as Record<string, unknown>)) {
                if (v instanceof Uint8Array) expect(Buffer.from(v).indexOf(material)).toBe(-1);
            }
        }
    });

    test("HMAC_256 with RSAES_OAEP_SHA_1 and an RSA_3072 wrapping key: GenerateMac equals a local HMAC", async () => {
        const material = crypto.randomBytes(32);
        const k = await createKey({ Origin: "EXTERNAL", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
        expect(out(await importMaterial(k.KeyId as string, material, { algorithm: "RSAES_OAEP_SHA_1", wrappingKeySpec: "RSA_3072" }))).toEqual({
            KeyId: k.Arn,
            KeyMaterialId: expect.stringMatching(HEX64),
        });
        expect(await describe_(k.KeyId as string)).toMatchObject({ KeyState: "Enabled", ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" });
        const message = Buffer.from("authenticate me");
        const mac = await kms.send(new GenerateMacCommand({ KeyId: k.KeyId, Message: message, MacAlgorithm: "HMAC_SHA_256" }));
        expect(bytes(mac.Mac)).toEqual(crypto.createHmac("sha256", material).update(message).digest());
        const local = crypto.createHmac("sha256", material).update("local").digest();
        expect((await kms.send(new VerifyMacCommand({ KeyId: k.KeyId, Message: Buffer.from("local"), Mac: local, MacAlgorithm: "HMAC_SHA_256" }))).MacValid).toBe(true);
        expect(emu.inspect().find((x) => x.keyId === k.KeyId)?.importedMaterialFingerprint).toBe(fingerprint(material));
    });

    test("RSA-2048 encryption key with RSA_AES_KEY_WRAP_SHA_256: local OAEP encryption is decrypted through the SDK", async () => {
        const { privateKey, publicKey } = await generateKeyPair("rsa", { modulusLength: 2048 });
        const k = await createKey({ Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
        await importMaterial(k.KeyId as string, pkcs8(privateKey), { algorithm: "RSA_AES_KEY_WRAP_SHA_256" });
        const ct = rsaOaepEncrypt(publicKey, "sha256", Buffer.from("for the imported RSA key"));
        const dec = out(await kms.send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })));
        expect({ ...dec, Plaintext: bytes(dec.Plaintext).toString() }).toEqual({ KeyId: k.Arn, Plaintext: "for the imported RSA key", EncryptionAlgorithm: "RSAES_OAEP_SHA_256" });
        expect(bytes((await kms.send(new GetPublicKeyCommand({ KeyId: k.KeyId }))).PublicKey)).toEqual(publicKey.export({ type: "spki", format: "der" }));
        expect(emu.inspect().find((x) => x.keyId === k.KeyId)?.importedMaterialFingerprint).toBe(fingerprint(pkcs8(privateKey), privateKey));
    });

    test.each<[string, KeySpec, "rsa" | "ec", { modulusLength?: number; namedCurve?: string }, AlgorithmSpec, WrappingKeySpec, SigningAlgorithmSpec]>([
        ["RSA-3072", "RSA_3072", "rsa", { modulusLength: 3072 }, "RSA_AES_KEY_WRAP_SHA_256", "RSA_3072", "RSASSA_PSS_SHA_384"],
        ["RSA-4096", "RSA_4096", "rsa", { modulusLength: 4096 }, "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512"],
        ["P-256", "ECC_NIST_P256", "ec", { namedCurve: "prime256v1" }, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", "ECDSA_SHA_256"],
        ["P-384", "ECC_NIST_P384", "ec", { namedCurve: "secp384r1" }, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", "ECDSA_SHA_384"],
        ["P-521", "ECC_NIST_P521", "ec", { namedCurve: "secp521r1" }, "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048", "ECDSA_SHA_512"],
    ])("%s signing key (%s) imported with %s: Sign through the SDK verifies locally", async (_name, spec, type, keyOptions, algorithm, wrappingKeySpec, signing) => {
        const { privateKey, publicKey } = await generateKeyPair(type, keyOptions);
        const k = await createKey({ Origin: "EXTERNAL", KeySpec: spec, KeyUsage: "SIGN_VERIFY" });
        expect(out(await importMaterial(k.KeyId as string, pkcs8(privateKey), { algorithm, wrappingKeySpec }))).toEqual({ KeyId: k.Arn, KeyMaterialId: expect.stringMatching(HEX64) });
        expect(await describe_(k.KeyId as string)).toMatchObject({ KeyState: "Enabled", Enabled: true, Origin: "EXTERNAL" });
        const message = Buffer.from(`signed by imported ${spec}`);
        const hash = `sha${signing.slice(-3)}`;
        const options = signing.startsWith("RSASSA_PSS") ? { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST } : { key: publicKey };
        const raw = await kms.send(new SignCommand({ KeyId: k.KeyId, Message: message, SigningAlgorithm: signing }));
        expect(crypto.verify(hash, message, options, bytes(raw.Signature))).toBe(true);
        const digest = await kms.send(new SignCommand({ KeyId: k.KeyId, Message: crypto.createHash(hash).update(message).digest(), MessageType: "DIGEST", SigningAlgorithm: signing }));
        expect(crypto.verify(hash, message, options, bytes(digest.Signature))).toBe(true);
        const local = crypto.sign(hash, message, signing.startsWith("RSASSA_PSS") ? { ...options, key: privateKey } : privateKey);
        expect((await kms.send(new VerifyCommand({ KeyId: k.KeyId, Message: message, Signature: local, SigningAlgorithm: signing }))).SignatureValid).toBe(true);
        expect(emu.inspect().find((x) => x.keyId === k.KeyId)?.importedMaterialFingerprint).toBe(fingerprint(pkcs8(privateKey), privateKey));
    });
});

describe("ImportKeyMaterial rules", () => {
    test("import parameters are only for EXTERNAL keys and the supported wrapping algorithms and key specs", async () => {
        const k = await createKey();
        expect(await failure(kms.send(new GetParametersForImportCommand({ KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" })))).toEqual({
            name: "UnsupportedOperationException",
            status: 400,
            message: `${k.Arn} origin is AWS_KMS which is not valid for this operation.`,
        });
        const ext = await createKey({ Origin: "EXTERNAL" });
        expect((await failure(kms.send(new GetParametersForImportCommand({ KeyId: ext.KeyId, WrappingAlgorithm: "RSAES_PKCS1_V1_5", WrappingKeySpec: "RSA_2048" })))).name).toBe(
            "UnsupportedOperationException",
        );
        expect((await failure(kms.send(new GetParametersForImportCommand({ KeyId: ext.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_1024" as WrappingKeySpec })))).name).toBe(
            "ValidationException",
        );
        const p = await importParameters(ext.KeyId as string);
        expect((await failure(kms.send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ImportToken: p.token, EncryptedKeyMaterial: wrap(p, crypto.randomBytes(32)) })))).name).toBe(
            "UnsupportedOperationException",
        );
    });

    test("import tokens: expired after 24 h on the clock, bound to their key, authenticated", async () => {
        const a = await createKey({ Origin: "EXTERNAL" });
        const b = await createKey({ Origin: "EXTERNAL" });
        const material = crypto.randomBytes(32);
        const send = (keyId: string, p: ImportParameters, token = p.token) =>
            kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: token, EncryptedKeyMaterial: wrap(p, material), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));

        const forB = await importParameters(b.KeyId as string);
        expect(await failure(send(a.KeyId as string, forB))).toEqual({
            name: "InvalidImportTokenException",
            status: 400,
            message: `The import token was issued for a different KMS key, not ${a.Arn}.`,
        });
        const pa = await importParameters(a.KeyId as string);
        const forged = bytes(pa.token);
        forged[10] ^= 1;
        expect((await failure(send(a.KeyId as string, pa, forged))).name).toBe("InvalidImportTokenException");
        expect((await failure(send(a.KeyId as string, pa, crypto.randomBytes(64)))).name).toBe("InvalidImportTokenException");

        clock.advance(24 * HOUR_MS + 1);
        expect(await failure(send(a.KeyId as string, pa))).toEqual({
            name: "ExpiredImportTokenException",
            status: 400,
            message: "The import token has expired: call GetParametersForImport for a new public key and import token.",
        });
        expect((await describe_(a.KeyId as string)).KeyState).toBe("PendingImport");

        const fresh = await importParameters(a.KeyId as string);
        clock.advance(24 * HOUR_MS);
        expect((await send(a.KeyId as string, fresh)).KeyId).toBe(a.Arn);
        expect((await describe_(a.KeyId as string)).KeyState).toBe("Enabled");
    });

    test("a wrapped key that does not unwrap is InvalidCiphertextException: tampered RSA part, tampered KWP part, wrong OAEP hash", async () => {
        const k = await createKey({ Origin: "EXTERNAL", KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
        const { privateKey } = await generateKeyPair("ec", { namedCurve: "prime256v1" });
        const p = await importParameters(k.KeyId as string, "RSA_AES_KEY_WRAP_SHA_256");
        const wrapped = wrap(p, pkcs8(privateKey));
        const attempt = (encrypted: Buffer) =>
            kms.send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ImportToken: p.token, EncryptedKeyMaterial: encrypted, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
        const rsaPart = Buffer.from(wrapped);
        rsaPart[5] ^= 0x40;
        expect(await failure(attempt(rsaPart))).toEqual({
            name: "InvalidCiphertextException",
            status: 400,
            message: "The EncryptedKeyMaterial could not be unwrapped with the import parameters' private key and RSA_AES_KEY_WRAP_SHA_256.",
        });
        const kwpPart = Buffer.from(wrapped);
        kwpPart[256 + 3] ^= 0x40;
        expect((await failure(attempt(kwpPart))).name).toBe("InvalidCiphertextException");
        expect((await failure(attempt(wrap(p, pkcs8(privateKey), "RSA_AES_KEY_WRAP_SHA_1")))).name).toBe("InvalidCiphertextException");

        const sym = await createKey({ Origin: "EXTERNAL" });
        const ps = await importParameters(sym.KeyId as string, "RSAES_OAEP_SHA_256");
        expect(
            (
                await failure(
                    kms.send(
                        new ImportKeyMaterialCommand({
                            KeyId: sym.KeyId,
                            ImportToken: ps.token,
                            EncryptedKeyMaterial: wrap(ps, crypto.randomBytes(32), "RSAES_OAEP_SHA_1"),
                            ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                        }),
                    ),
                )
            ).name,
        ).toBe("InvalidCiphertextException");
        expect((await describe_(sym.KeyId as string)).KeyState).toBe("PendingImport");
        expect(await attempt(wrapped)).toMatchObject({ KeyId: k.Arn });
    });

    test("material that does not fit the key spec, or differs from the earlier import, is IncorrectKeyMaterialException", async () => {
        const k = await createKey({ Origin: "EXTERNAL" });
        expect(await failure(importMaterial(k.KeyId as string, crypto.randomBytes(31)))).toEqual({
            name: "IncorrectKeyMaterialException",
            status: 400,
            message: "The key material does not fit SYMMETRIC_DEFAULT: expected 32 raw bytes (AES-256), got 31 bytes.",
        });
        const ec = await createKey({ Origin: "EXTERNAL", KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
        const p384 = await generateKeyPair("ec", { namedCurve: "secp384r1" });
        expect(await failure(importMaterial(ec.KeyId as string, pkcs8(p384.privateKey), { algorithm: "RSA_AES_KEY_WRAP_SHA_256" }))).toEqual({
            name: "IncorrectKeyMaterialException",
            status: 400,
            message: "The key material does not fit ECC_NIST_P256: expected an EC P-256 private key as DER PKCS#8, got curve secp384r1.",
        });

        const material = crypto.randomBytes(32);
        const first = await importMaterial(k.KeyId as string, material, { validTo: at(clock.now() + DAY_MS) });
        expect(await failure(importMaterial(k.KeyId as string, crypto.randomBytes(32)))).toEqual({
            name: "IncorrectKeyMaterialException",
            status: 400,
            message: `The key material is not the key material previously imported into ${k.Arn}.`,
        });
        // Re-importing the same material is how ExpirationModel/ValidTo change.
        expect(out(await importMaterial(k.KeyId as string, material, { keyMaterialId: first.KeyMaterialId }))).toEqual({ KeyId: k.Arn, KeyMaterialId: first.KeyMaterialId });
        const meta = await describe_(k.KeyId as string);
        expect([meta.ExpirationModel, meta.ValidTo, meta.KeyState]).toEqual(["KEY_MATERIAL_DOES_NOT_EXPIRE", undefined, "Enabled"]);
        expect((await failure(importMaterial(k.KeyId as string, material, { keyMaterialId: "0".repeat(64) }))).name).toBe("IncorrectKeyMaterialException");
        expect((await failure(importMaterial(ec.KeyId as string, crypto.randomBytes(32), { importType: "NEW_KEY_MATERIAL" }))).name).toBe("ValidationException");
    });

    test("ExpirationModel/ValidTo rules: required and in the future at most 365 days with KEY_MATERIAL_EXPIRES, forbidden with DOES_NOT_EXPIRE", async () => {
        const k = await createKey({ Origin: "EXTERNAL" });
        const material = crypto.randomBytes(32);
        const rule = async (o: ImportOptions) => (await failure(importMaterial(k.KeyId as string, material, o))).message;
        expect(await rule({ expirationModel: "KEY_MATERIAL_EXPIRES" })).toBe("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
        expect(await rule({ validTo: at(clock.now()) })).toBe("ValidTo must be in the future.");
        expect(await rule({ validTo: at(clock.now() + 365 * DAY_MS + 1) })).toBe("ValidTo must be at most 365 days from now.");
        expect(await rule({ expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", validTo: at(clock.now() + DAY_MS) })).toBe(
            "ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.",
        );
        expect((await failure(importMaterial(k.KeyId as string, material, { validTo: at(clock.now()) }))).name).toBe("ValidationException");
        expect((await describe_(k.KeyId as string)).KeyState).toBe("PendingImport");
        const validTo = clock.now() + 365 * DAY_MS;
        await importMaterial(k.KeyId as string, material, { validTo: at(validTo) });
        expect(await describe_(k.KeyId as string)).toMatchObject({ KeyState: "Enabled", ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: at(validTo) });
    });

    test("material expires on the clock: the key goes to PendingImport until the same material is imported again", async () => {
        const k = await createKey({ Origin: "EXTERNAL" });
        const arn = k.Arn as string;
        const material = crypto.randomBytes(32);
        const imported = await importMaterial(k.KeyId as string, material, { validTo: at(clock.now() + HOUR_MS) });
        const ct = await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("survives expiry") }));
        clock.advance(HOUR_MS - 1);
        expect((await describe_(arn)).KeyState).toBe("Enabled");
        clock.advance(1);
        const meta = await describe_(arn);
        expect([meta.KeyState, meta.Enabled, meta.ExpirationModel, meta.ValidTo]).toEqual(["PendingImport", false, undefined, undefined]);
        expect(await failure(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from("x") })))).toEqual({
            name: "KMSInvalidStateException",
            status: 400,
            message: `${arn} is pending import.`,
        });
        expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob })))).toEqual({
            name: "KMSInvalidStateException",
            status: 400,
            message: `${arn} is pending import.`,
        });
        expect(out(await kms.send(new ListKeyRotationsCommand({ KeyId: k.KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })))).toEqual({
            Rotations: [{ KeyId: k.KeyId, KeyMaterialId: imported.KeyMaterialId, ImportState: "PENDING_IMPORT", KeyMaterialState: "CURRENT" }],
            Truncated: false,
        });
        expect(emu.inspect().find((x) => x.keyId === k.KeyId)?.materials.map((m) => [m.present, m.importState, m.fingerprint])).toEqual([[false, "PENDING_IMPORT", fingerprint(material)]]);

        await importMaterial(k.KeyId as string, material);
        expect((await describe_(arn)).KeyState).toBe("Enabled");
        expect(bytes((await kms.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }))).Plaintext).toString()).toBe("survives expiry");
    });

    test("DeleteImportedKeyMaterial → PendingImport; in PendingDeletion the key keeps its state and import is refused", async () => {
        const k = await createKey({ Origin: "EXTERNAL" });
        const arn = k.Arn as string;
        const material = crypto.randomBytes(32);
        const imported = await importMaterial(k.KeyId as string, material);
        await kms.send(new DisableKeyCommand({ KeyId: k.KeyId }));
        expect(out(await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId })))).toEqual({ KeyId: arn, KeyMaterialId: imported.KeyMaterialId });
        expect((await describe_(arn)).KeyState).toBe("PendingImport");
        expect((await failure(kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: "AES_256" })))).message).toBe(`${arn} is pending import.`);
        await importMaterial(k.KeyId as string, material);
        expect((await describe_(arn)).KeyState).toBe("Enabled");
        expect((await failure(kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId, KeyMaterialId: "f".repeat(64) })))).name).toBe("NotFoundException");
        const aws = await createKey();
        expect((await failure(kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: aws.KeyId })))).name).toBe("UnsupportedOperationException");

        const early = await importParameters(k.KeyId as string);
        await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId }));
        expect(await failure(kms.send(new GetParametersForImportCommand({ KeyId: k.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" })))).toEqual({
            name: "KMSInvalidStateException",
            status: 400,
            message: `${arn} is pending deletion.`,
        });
        expect(
            await failure(
                kms.send(new ImportKeyMaterialCommand({ KeyId: k.KeyId, ImportToken: early.token, EncryptedKeyMaterial: wrap(early, material), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" })),
            ),
        ).toEqual({ name: "KMSInvalidStateException", status: 400, message: `${arn} is pending deletion.` });
        await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
        expect((await describe_(arn)).KeyState).toBe("PendingDeletion");
        await kms.send(new CancelKeyDeletionCommand({ KeyId: k.KeyId }));
        expect((await describe_(arn)).KeyState).toBe("PendingImport");
    });

    test("NEW_KEY_MATERIAL creates PENDING_ROTATION material; RotateKeyOnDemand makes it CURRENT; ListKeyRotations shows both", async () => {
        const k = await createKey({ Origin: "EXTERNAL" });
        const keyId = k.KeyId as string;
        const m1 = crypto.randomBytes(32);
        const m2 = crypto.randomBytes(32);
        const first = await importMaterial(keyId, m1, { description: "first material" });
        const c1 = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("under m1") }));
        expect(await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).toEqual({
            name: "KMSInvalidStateException",
            status: 400,
            message: `No available key material pending rotation for the key: ${k.Arn}.`,
        });
        expect((await failure(importMaterial(keyId, m1, { importType: "NEW_KEY_MATERIAL" }))).name).toBe("IncorrectKeyMaterialException");
        expect((await failure(importMaterial(keyId, m2, { importType: "NEW_KEY_MATERIAL", keyMaterialId: first.KeyMaterialId }))).name).toBe("ValidationException");

        const second = await importMaterial(keyId, m2, { importType: "NEW_KEY_MATERIAL", validTo: at(clock.now() + 10 * DAY_MS) });
        expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId);
        expect((await describe_(keyId)).CurrentKeyMaterialId).toBe(first.KeyMaterialId);
        expect(out(await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })))).toEqual({
            Rotations: [
                {
                    KeyId: keyId,
                    KeyMaterialId: first.KeyMaterialId,
                    KeyMaterialDescription: "first material",
                    ImportState: "IMPORTED",
                    KeyMaterialState: "CURRENT",
                    ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                },
                {
                    KeyId: keyId,
                    KeyMaterialId: second.KeyMaterialId,
                    ImportState: "IMPORTED",
                    KeyMaterialState: "PENDING_ROTATION",
                    ExpirationModel: "KEY_MATERIAL_EXPIRES",
                    ValidTo: at(clock.now() + 10 * DAY_MS),
                },
            ],
            Truncated: false,
        });
        expect(out(await kms.send(new ListKeyRotationsCommand({ KeyId: keyId })))).toEqual({ Rotations: [], Truncated: false });

        expect(out(await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).toEqual({ KeyId: arnOf(keyId) });
        expect((await describe_(keyId)).CurrentKeyMaterialId).toBe(second.KeyMaterialId);
        expect(out(await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ROTATIONS_ONLY" })))).toEqual({
            Rotations: [
                {
                    KeyId: keyId,
                    KeyMaterialId: second.KeyMaterialId,
                    ImportState: "IMPORTED",
                    KeyMaterialState: "CURRENT",
                    ExpirationModel: "KEY_MATERIAL_EXPIRES",
                    ValidTo: at(clock.now() + 10 * DAY_MS),
                    RotationDate: at(clock.now()),
                    RotationType: "ON_DEMAND",
                },
            ],
            Truncated: false,
        });
        const c2 = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("under m2") }));
        const d1 = await kms.send(new DecryptCommand({ CiphertextBlob: c1.CiphertextBlob }));
        const d2 = await kms.send(new DecryptCommand({ CiphertextBlob: c2.CiphertextBlob }));
        expect([bytes(d1.Plaintext).toString(), d1.KeyMaterialId, bytes(d2.Plaintext).toString(), d2.KeyMaterialId]).toEqual([
            "under m1",
            first.KeyMaterialId,
            "under m2",
            second.KeyMaterialId,
        ]);
        expect(emu.inspect().find((x) => x.keyId === keyId)?.materials.map((m) => [m.state, m.fingerprint])).toEqual([
            ["NON_CURRENT", fingerprint(m1)],
            ["CURRENT", fingerprint(m2)],
        ]);
    });
});

describe("fault injection", () => {
    test("30% throttling: 200 mixed operations complete with retries; no key is lost or duplicated", async () => {
        const c = client("sa-east-1", 10);
        const throttledBefore = faults.injected.throttle;
        const callsBefore = emu.calls.length;
        faults.add({ kind: "throttle", rate: 0.3 });
        const created: string[] = [];
        // The SDK's standard retry strategy waits random() × min(1 s × 2^n, 20 s) after a ThrottlingException (full
        // jitter): with real jitter, the unlucky call throttled 5-6 times in a row makes this test take 10-40 s.
        // Pinning the jitter low (10 ms, 20 ms, 40 ms, ...) keeps it well under a second; what is retried, how
        // often, and the retry quota stay the SDK's own.
        const jitter = jest.spyOn(Math, "random").mockReturnValue(0.01);
        try {
            // 40 workers × 5 operations, concurrently.
            await Promise.all(
                Array.from({ length: 40 }, async (_, i) => {
                    const key = await createKey({ Description: `load ${i}` }, c);
                    created.push(key.KeyId as string);
                    await c.send(new CreateAliasCommand({ AliasName: `alias/load-${i}`, TargetKeyId: key.KeyId }));
                    const enc = await c.send(new EncryptCommand({ KeyId: `alias/load-${i}`, Plaintext: Buffer.from(`payload ${i}`) }));
                    const dec = await c.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
                    expect(bytes(dec.Plaintext).toString()).toBe(`payload ${i}`);
                    await c.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: "n", TagValue: String(i) }] }));
                }),
            );
        } finally {
            jitter.mockRestore();
            faults.clear();
        }
        const keys = emu.inspect().filter((k) => k.region === "sa-east-1");
        expect(keys.map((k) => k.keyId).sort()).toEqual([...created].sort());
        expect(new Set(created).size).toBe(40);
        expect(keys.map((k) => [k.description, k.aliases, k.tags]).sort()).toEqual(
            Array.from({ length: 40 }, (_, i) => [`load ${i}`, [`alias/load-${i}`], { n: String(i) }]).sort(),
        );
        const throttled = faults.injected.throttle - throttledBefore;
        expect(throttled).toBeGreaterThan(0);
        const recorded = emu.calls.slice(callsBefore);
        expect(recorded.filter((x) => x.fault === "throttle")).toHaveLength(throttled);
        expect(recorded.filter((x) => !x.fault)).toHaveLength(200);
    });

    test("a faulted call changes nothing: throttle and server-error without retries, with the SDK's error names and statuses", async () => {
        const before = JSON.stringify(emu.snapshot());
        faults.add({ kind: "throttle", next: 1 });
        expect(await failure(kms.send(new CreateKeyCommand({})))).toEqual({ name: "ThrottlingException", status: 400, message: "Rate exceeded" });
        faults.add({ kind: "server-error", next: 1 });
        expect(await failure(kms.send(new CreateKeyCommand({})))).toEqual({
            name: "KMSInternalException",
            status: 500,
            message: "An internal error occurred (injected fault). The request can be retried.",
        });
        expect(JSON.stringify(emu.snapshot())).toBe(before);
        expect(emu.calls.slice(-2)).toEqual([
            { operation: "CreateKey", fault: "throttle" },
            { operation: "CreateKey", fault: "server-error" },
        ]);
    });

    test("drop: the connection closes without an answer; without retries the SDK fails, with retries it succeeds; state unchanged by the dropped call", async () => {
        const before = emu.inspect().length;
        faults.add({ kind: "drop", next: 1 });
        const err = await failure(kms.send(new CreateKeyCommand({})));
        expect(err.status).toBeUndefined();
        expect(err.message).toMatch(/socket hang up|ECONNRESET/);
        expect(emu.inspect()).toHaveLength(before);

        const retrying = client("us-east-1", 3);
        const droppedBefore = faults.injected.drop;
        faults.add({ kind: "drop", next: 1 });
        const k = await createKey({}, retrying);
        expect(faults.injected.drop - droppedBefore).toBe(1);
        expect(emu.inspect()).toHaveLength(before + 1);
        expect(emu.inspect().filter((x) => x.keyId === k.KeyId)).toHaveLength(1);
    });

    test("drop-after-apply: the call takes effect, then the connection closes without an answer", async () => {
        const before = emu.inspect().length;
        faults.add({ operation: "CreateKey", kind: "drop-after-apply", next: 1 });
        const err = await failure(kms.send(new CreateKeyCommand({ Description: "applied, answer lost" })));
        expect(err.status).toBeUndefined();
        expect(err.message).toMatch(/socket hang up|ECONNRESET/);
        expect(emu.calls[emu.calls.length - 1]).toEqual({ operation: "CreateKey", fault: "drop-after-apply" });
        expect(emu.inspect()).toHaveLength(before + 1);
        expect(emu.inspect()[before].description).toBe("applied, answer lost");

        // RotateKeyOnDemand: rotated although the caller saw a connection error.
        const k = await createKey({});
        faults.add({ operation: "RotateKeyOnDemand", kind: "drop-after-apply", next: 1 });
        expect((await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })))).status).toBeUndefined();
        expect(emu.inspect().find((x) => x.keyId === k.KeyId)!.rotation.onDemandRotations).toBe(1);
    });

    test("drop-after-apply on ImportKeyMaterial NEW_KEY_MATERIAL: the SDK's own retry of the applied call is refused", async () => {
        // Why the BYOK provider reconciles from DescribeKey/ListKeyRotations instead of letting the SDK retry.
        const k = await createKey({ Origin: "EXTERNAL" });
        const keyId = k.KeyId as string;
        await importMaterial(keyId, crypto.randomBytes(32));
        const retrying = client("us-east-1", 3);
        const p = await importParameters(keyId, "RSAES_OAEP_SHA_256", "RSA_2048", retrying);
        faults.add({ operation: "ImportKeyMaterial", kind: "drop-after-apply", next: 1 });
        const err = await failure(
            retrying.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: wrap(p, crypto.randomBytes(32)), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", ImportType: "NEW_KEY_MATERIAL" })),
        );
        expect(err.name).toBe("IncorrectKeyMaterialException");
        expect(emu.calls.slice(-2)).toEqual([{ operation: "ImportKeyMaterial", fault: "drop-after-apply" }, { operation: "ImportKeyMaterial" }]);
        const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }));
        expect(rotations.Rotations!.map((r) => r.KeyMaterialState)).toEqual(["CURRENT", "PENDING_ROTATION"]);
        // Other new material while one is pending: KMSInvalidStateException, as AWS answers.
        const pending = rotations.Rotations![1].KeyMaterialId;
        const other = await failure(importMaterial(keyId, crypto.randomBytes(32), { importType: "NEW_KEY_MATERIAL" }));
        expect(other).toMatchObject({ name: "KMSInvalidStateException" });
        expect(other.message).toMatch(new RegExp(`^New key material \\(id: [0-9a-f]{64}\\) cannot be imported into KMS key ${keyId}, because another key material \\(id: ${pending}\\) is pending rotation\\.$`));
    });

    test("server-error for the next 2 calls: the SDK retries and succeeds; latency delays an answer", async () => {
        const retrying = client("us-east-1", 3);
        const injectedBefore = faults.injected["server-error"];
        faults.add({ kind: "server-error", operation: "CreateKey", next: 2 });
        const before = emu.inspect().length;
        const k = await createKey({ Description: "after two 500s" }, retrying);
        expect(faults.injected["server-error"] - injectedBefore).toBe(2);
        expect(emu.calls.slice(-3)).toEqual([
            { operation: "CreateKey", fault: "server-error" },
            { operation: "CreateKey", fault: "server-error" },
            { operation: "CreateKey" },
        ]);
        expect(emu.inspect()).toHaveLength(before + 1);
        expect(k.Description).toBe("after two 500s");

        faults.add({ kind: "latency", latencyMs: 120, next: 1 });
        const t = performance.now();
        await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }));
        expect(performance.now() - t).toBeGreaterThanOrEqual(100);
        expect(emu.calls[emu.calls.length - 1]).toEqual({ operation: "DescribeKey", fault: "latency" });
    });
});

describe("snapshot and restore", () => {
    test("a restored emulator still has the keys, aliases, import parameters and material: old ciphertexts decrypt", async () => {
        const first = await startAwsKmsEmulator({ clock, accountId: "444455556666" });
        const c1 = client("eu-central-1", 1, first.endpoint);
        const generated = await createKey({ Description: "generated" }, c1);
        await c1.send(new CreateAliasCommand({ AliasName: "alias/kept", TargetKeyId: generated.KeyId }));
        const ext = await createKey({ Origin: "EXTERNAL" }, c1);
        const material = crypto.randomBytes(32);
        await importMaterial(ext.KeyId as string, material, {}, c1);
        const ct1 = await c1.send(new EncryptCommand({ KeyId: "alias/kept", Plaintext: Buffer.from("generated key data") }));
        const ct2 = await c1.send(new EncryptCommand({ KeyId: ext.KeyId, Plaintext: Buffer.from("imported key data") }));
        const pending = await createKey({ Origin: "EXTERNAL" }, c1);
        const params = await importParameters(pending.KeyId as string, "RSAES_OAEP_SHA_256", "RSA_2048", c1);

        const snapshot = JSON.parse(JSON.stringify(first.snapshot()));
        const inspected = first.inspect();
        await first.stop();

        const second = await startAwsKmsEmulator({ clock, state: snapshot });
        try {
            const c2 = client("eu-central-1", 1, second.endpoint);
            expect(second.inspect()).toEqual(inspected);
            expect(generated.Arn).toBe(`arn:aws:kms:eu-central-1:444455556666:key/${generated.KeyId}`);
            expect(bytes((await c2.send(new DecryptCommand({ CiphertextBlob: ct1.CiphertextBlob }))).Plaintext).toString()).toBe("generated key data");
            expect(bytes((await c2.send(new DecryptCommand({ CiphertextBlob: ct2.CiphertextBlob }))).Plaintext).toString()).toBe("imported key data");
            expect((await describe_("alias/kept", c2)).KeyId).toBe(generated.KeyId);
            const imported = await c2.send(
                new ImportKeyMaterialCommand({
                    KeyId: pending.KeyId,
                    ImportToken: params.token,
                    EncryptedKeyMaterial: wrap(params, crypto.randomBytes(32)),
                    ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                }),
            );
            expect(imported.KeyId).toBe(pending.Arn);
        } finally {
            await second.stop();
        }
    });
});
