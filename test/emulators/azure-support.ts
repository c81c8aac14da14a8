/**
 * What the Azure emulator tests share: one emulator per test file (`useSharedEmulator()`), clients built by the
 * `sdk/clients` factories, a recorder for the wire, and helpers for keys, JWKs and transfer blobs.
 */
import * as crypto from "crypto";
import type { CryptographyClient, JsonWebKey, KeyClient, KeyVaultKey } from "@azure/keyvault-keys";
import type { KeyVaultManagementClient } from "@azure/arm-keyvault";
import type { Pipeline, PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import { createAzureArmClient, createAzureKeyClient } from "../../sdk/clients";
import { aesKwUnwrap, rsaAesKeyWrap } from "../../sdk/crypto/keywrap";
import { fingerprint } from "../../sdk/crypto/material";
import { DAY_MS, FaultInjector, ManualClock } from "../../sdk/emulators/common";
import { startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from "../../sdk/emulators/azure";

export const TENANT = "11111111-2222-3333-4444-555555555555";
export const SUB = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
export const VAULT = "https://acme.vault.azure.net";
export const HSM = "https://acme-hsm.managedhsm.azure.net";
export const VERSIONED = (host: string, name: string) => new RegExp(`^https://${host.replace(/\./g, "\\.")}/keys/${name}/[0-9a-f]{32}$`);
export const RSA_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];

export interface Exchange {
    readonly method: string;
    readonly url: string;
    readonly status: number;
    readonly authorization?: string;
    readonly hadBody: boolean;
    readonly wwwAuthenticate?: string;
    readonly body?: string;
}

/** Innermost policy: records every exchange on the wire (URLs as the SDK addressed them, before the factory reroutes). */
export function wirePolicy(log: Exchange[]): PipelinePolicy {
    return {
        name: "keyfabricTestWire",
        async sendRequest(request: PipelineRequest, next) {
            const url = request.url;
            const authorization = request.headers.get("authorization");
            const hadBody = request.body !== undefined && request.body !== null;
            const response = await next(request);
            log.push({ method: request.method, url, status: response.status, authorization, hadBody, wwwAuthenticate: response.headers.get("www-authenticate"), body: response.bodyAsText ?? undefined });
            return response;
        },
    };
}

export let emu: AzureKeyVaultEmulator;
export let env: NodeJS.ProcessEnv;
export const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
export const nowS = () => Math.floor(clock.now() / 1000);

export function envFor(e: AzureKeyVaultEmulator): NodeJS.ProcessEnv {
    return { KEYFABRIC_EMULATORS: JSON.stringify({ azure: e.endpoint }) };
}

/**
 * The factory's KeyClient. With `log`, a recorder goes into its pipeline (internal to KeyClient, shared by the
 * CryptographyClients it hands out): the only way to see the challenge and the raw answers through the SDK.
 */
export function keyClient(vaultUrl = VAULT, opts: { env?: NodeJS.ProcessEnv; maxAttempts?: number; log?: Exchange[] } = {}): KeyClient {
    const client = createAzureKeyClient(vaultUrl, { env: opts.env ?? env, maxAttempts: opts.maxAttempts ?? 1 });
    if (opts.log) (client as unknown as { client: { pipeline: Pipeline } }).client.pipeline.addPolicy(wirePolicy(opts.log), { phase: "Sign" });
    return client;
}

export function armClient(opts: { env?: NodeJS.ProcessEnv } = {}): KeyVaultManagementClient {
    return createAzureArmClient(SUB, { env: opts.env ?? env, maxAttempts: 1 });
}

export async function rejects(p: Promise<unknown>, statusCode: number, code: string, message?: RegExp | string): Promise<void> {
    const err = await p.then(
        () => undefined,
        (e: unknown) => e as { statusCode?: number; code?: string; message: string },
    );
    if (!err) throw new Error(`expected ${statusCode} ${code}, but the call succeeded`);
    expect({ statusCode: err.statusCode, code: err.code }).toEqual({ statusCode, code });
    if (message) expect(err.message).toMatch(message);
}

export const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
export const sha = (alg: "sha256" | "sha384" | "sha512", data: string | Buffer) => crypto.createHash(alg).update(data).digest();

export function vaultOf(e: AzureKeyVaultEmulator, host: string) {
    const v = e.inspect().vaults.find((x) => x.host === host);
    if (!v) throw new Error(`no vault ${host}`);
    return v;
}

export function keyOf(e: AzureKeyVaultEmulator, host: string, name: string) {
    return vaultOf(e, host).keys.find((k) => k.name === name);
}

export function publicKeyOf(key: KeyVaultKey): crypto.KeyObject {
    const k = key.key!;
    if (k.n) return crypto.createPublicKey({ key: { kty: "RSA", n: b64u(k.n), e: b64u(k.e!) }, format: "jwk" });
    const crv = k.crv === "P-256K" ? "secp256k1" : k.crv!;
    return crypto.createPublicKey({ key: { kty: "EC", crv, x: b64u(k.x!), y: b64u(k.y!) }, format: "jwk" });
}

export const spkiFingerprint = (pub: crypto.KeyObject) => `sha256-spki:${crypto.createHash("sha256").update(pub.export({ type: "spki", format: "der" })).digest("hex")}`;

/** Node's JWK (base64url strings) as the SDK's JsonWebKey (Uint8Array members). */
export function sdkJwk(node: crypto.JsonWebKey, extra: Partial<JsonWebKey> = {}): JsonWebKey {
    const out: Record<string, unknown> = { ...extra };
    for (const f of ["n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "k"] as const) if (typeof node[f] === "string") out[f] = Buffer.from(node[f] as string, "base64url");
    return out as JsonWebKey;
}

/** The BYOK transfer blob exactly as the byok document describes it. */
export function transferBlob(kekKid: string, kekPublic: crypto.KeyObject, material: Buffer, mutate?: (wrapped: Buffer) => void): Buffer {
    const wrapped = rsaAesKeyWrap(kekPublic, "sha1", material);
    mutate?.(wrapped);
    const blob = { schema_version: "1.0.0", header: { kid: kekKid, alg: "dir", enc: "CKM_RSA_AES_KEY_WRAP" }, ciphertext: wrapped.toString("base64url"), generator: "keyfabric-test/1.0" };
    return Buffer.from(JSON.stringify(blob));
}

export async function createKek(client: KeyClient, name: string): Promise<{ kid: string; pub: crypto.KeyObject }> {
    const kek = await client.createKey(name, "RSA-HSM", { keySize: 2048, keyOps: ["import"] });
    return { kid: kek.id!, pub: publicKeyOf(kek) };
}

export const pkcs8 = (k: crypto.KeyObject) => k.export({ type: "pkcs8", format: "der" }) as Buffer;

/** Starts the file's emulator before its tests (on the shared ManualClock, asyncStates instant) and stops it after. */
export function useSharedEmulator(): void {
    beforeAll(async () => {
        // A ManualClock that these tests move themselves: deletes and recovers show at once (the waits are tested in
        // azure-async.test.ts, azure-addressing.test.ts and azure-recordings.test.ts).
        emu = await startAzureKeyVaultEmulator({ clock, tenantId: TENANT, subscriptionId: SUB, asyncStates: "instant" });
        env = envFor(emu);
    });

    afterAll(async () => {
        await emu.stop();
    });
}
