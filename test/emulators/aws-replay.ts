/**
 * The client side of the AWS recordings replay (aws-recordings*.test.ts): one emulator per test file with the
 * recorded account, unmodified `KMSClient`s built as a user builds them, and LocalStack's fixtures re-expressed.
 */
import {
    CreateKeyCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
    KMSClient,
    type CreateKeyCommandInput,
    type KeyMetadata,
} from "@aws-sdk/client-kms";
import * as crypto from "crypto";
import { startAwsKmsEmulator, type AwsKmsEmulator } from "../../sdk/emulators/aws";
import { ManualClock } from "../../sdk/emulators/common";
import { RECORDED_ACCOUNT, type Failure } from "./aws-recorded";

export const REGION = "us-east-1";
export const SECONDARY = "us-west-2";
export const clock = new ManualClock(Date.UTC(2031, 5, 1));
let emu: AwsKmsEmulator;
const clients = new Map<string, KMSClient>();

/** Starts the emulator before the file's tests (asyncStates "service", the default) and stops it after. */
export function useEmulator(): void {
    beforeAll(async () => {
        emu = await startAwsKmsEmulator({ clock, accountId: RECORDED_ACCOUNT });
    });
    afterAll(async () => {
        for (const c of clients.values()) c.destroy();
        clients.clear();
        await emu.stop();
    });
}

/** An unmodified SDK client, as a user builds it: endpoint, Region, static credentials, no retries. */
export function kms(region = REGION): KMSClient {
    let c = clients.get(region);
    if (!c) {
        c = new KMSClient({ endpoint: emu.endpoint, region, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }, maxAttempts: 1 });
        clients.set(region, c);
    }
    return c;
}

export const out = <T extends { $metadata?: unknown }>(r: T) => {
    const { $metadata: _m, ...rest } = r;
    return rest;
};

export async function failure(p: Promise<unknown>): Promise<Failure> {
    try {
        await p;
    } catch (e) {
        const err = e as Error & { $metadata?: { httpStatusCode?: number } };
        return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
    }
    throw new Error("expected the call to fail");
}

/** kms_create_key of LocalStack's fixtures: a Description unless given. */
export async function createKey(input: CreateKeyCommandInput = {}, region = REGION): Promise<KeyMetadata> {
    return (await kms(region).send(new CreateKeyCommand({ Description: `test description - ${crypto.randomUUID().slice(0, 8)}`, ...input }))).KeyMetadata!;
}

/** boto3 callers pass `base64.b64encode(message)`: the bytes sent are the base64 text. */
export const b64text = (b: Buffer) => Buffer.from(b.toString("base64"));
export const MESSAGE = Buffer.from("test message 123 !%$@ 1234567890");

/** Lets the emulator clock pass the asynchronous states (on-demand rotation, replica creation). */
export const passTime = () => clock.advance(60_000);

export const env = { region: REGION, secondaryRegion: SECONDARY };

/** GetParametersForImport (RSAES_OAEP_SHA_256, RSA_2048) and 32 random bytes wrapped with its public key, as the recorded tests do. */
export async function wrappedMaterial(keyId: string) {
    const p = await kms().send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    const publicKey = crypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: "der", type: "spki" });
    const wrapped = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, crypto.randomBytes(32));
    return { params: out(p), ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped };
}

export async function importMaterial(keyId: string, extra: { ImportType?: "NEW_KEY_MATERIAL" } = {}) {
    const { ImportToken, EncryptedKeyMaterial } = await wrappedMaterial(keyId);
    return out(await kms().send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken, EncryptedKeyMaterial, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", ...extra })));
}

