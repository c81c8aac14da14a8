/**
 * Client factories: the official SDK clients for the real clouds (standard credential chains) or, when
 * `KEYFABRIC_EMULATORS` holds the JSON line `keyfabric emulate` prints, for the loopback emulators.
 * This module is the only code that knows emulators exist. SDKs are required lazily, inside the functions.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import type { KeyClient } from "@azure/keyvault-keys";
import type { KeyVaultManagementClient } from "@azure/arm-keyvault";
import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";
import { AZURE_HOST_HEADER } from "../emulators/azure/protocol";

/** The JSON line `keyfabric emulate` prints. */
export interface EmulatorEndpoints {
    /** `http://127.0.0.1:P` */
    readonly aws?: string;
    /** `127.0.0.1:P` (gRPC, plaintext) */
    readonly gcp?: string;
    /** `http://127.0.0.1:P` (Key Vault, Managed HSM and ARM, told apart by the original host: what the factories use) */
    readonly azure?: string;
    /** Vaults on ports of their own, name → `http://127.0.0.1:P`: the vault URL for an unmodified `KeyClient`. */
    readonly azureVaults?: Readonly<Record<string, string>>;
    /** Managed HSMs on ports of their own, name → `http://127.0.0.1:P`. */
    readonly azureManagedHsms?: Readonly<Record<string, string>>;
}

export const EMULATORS_ENV = "KEYFABRIC_EMULATORS";

/** Header carrying the original Azure host (`<vault>.vault.azure.net`, `management.azure.com`) to the emulator (its protocol: `sdk/emulators/azure/protocol.ts`). */
export { AZURE_HOST_HEADER };

export interface ClientOptions {
    /** Where to read `KEYFABRIC_EMULATORS` from. @default process.env */
    readonly env?: NodeJS.ProcessEnv;
    /**
     * Attempts per call, the first included (retries on throttling, 5xx and lost connections); 1 turns the SDK's own
     * retries off, for calls that are not idempotent and that the caller reconciles itself. @default the SDK's default
     */
    readonly maxAttempts?: number;
    /** Time one attempt may take (no answer after that: the attempt fails and is retried). @default 30 s */
    readonly attemptTimeoutMs?: number;
}

/** Per-attempt timeout: long enough for an RSA-4096 import on a busy HSM, short enough that a hung call is retried. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;
/**
 * Azure retry backoff: the first retry after ~0.5 s, capped at 8 s. The SDK's defaults (1 s doubling to 64 s) make
 * 7 retries of a 5xx take minutes; with these, `maxAttempts: 8` of fast failures ends within ~30 s. A 429's
 * Retry-After is honoured as the service asks.
 */
export const AZURE_RETRY_DELAY_MS = 500;
export const AZURE_MAX_RETRY_DELAY_MS = 8_000;

export function emulatorEndpoints(env: NodeJS.ProcessEnv = process.env): EmulatorEndpoints | undefined {
    const raw = env[EMULATORS_ENV];
    if (!raw) return undefined;
    try {
        const parsed = JSON.parse(raw);
        if (parsed && typeof parsed === "object") return parsed as EmulatorEndpoints;
    } catch {
        /* fall through */
    }
    throw new Error(`${EMULATORS_ENV} must be the JSON line printed by keyfabric emulate, e.g. {"aws":"http://127.0.0.1:4566",...}`);
}

/** AWS KMS client for `region`. */
export function createAwsKmsClient(region: string, options: ClientOptions = {}): KMSClient {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { KMSClient } = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const emu = emulatorEndpoints(options.env);
    const retry = options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {};
    // throwOnRequestTimeout: without it @smithy/node-http-handler (4.x) only logs a warning when requestTimeout passes.
    const requestHandler = { connectionTimeout: 10_000, requestTimeout: options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS, throwOnRequestTimeout: true };
    if (emu?.aws) {
        return new KMSClient({ region, endpoint: emu.aws, credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" }, requestHandler, ...retry });
    }
    return new KMSClient({ region, requestHandler, ...retry });
}

/** Google Cloud KMS client (gRPC). */
export function createGcpKmsClient(options: ClientOptions = {}): KeyManagementServiceClient {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { KeyManagementServiceClient } = require("@google-cloud/kms") as typeof import("@google-cloud/kms");
    const emu = emulatorEndpoints(options.env);
    if (emu?.gcp) {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const { grpc } = require("google-gax") as typeof import("google-gax");
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const { PassThroughClient } = require("google-auth-library") as typeof import("google-auth-library");
        const [host, port] = splitHostPort(emu.gcp);
        return new KeyManagementServiceClient({ apiEndpoint: host, port, sslCreds: grpc.credentials.createInsecure(), authClient: new PassThroughClient() as any });
    }
    return new KeyManagementServiceClient();
}

function splitHostPort(hostPort: string): [string, number] {
    const m = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)\/?$/.exec(hostPort);
    if (!m) throw new Error(`${EMULATORS_ENV}.gcp must be host:port (got ${hostPort})`);
    return [m[1], Number(m[2])];
}

/** Routes every request to the emulator, carrying the original host so it can tell vaults apart. */
function emulatorHttpClient(base: string): HttpClient {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { createDefaultHttpClient } = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
    const inner = createDefaultHttpClient();
    const target = new URL(base);
    return {
        async sendRequest(request: PipelineRequest) {
            // Policies (challenge authentication) look at request.url again after a response: restore it.
            const original = request.url;
            const url = new URL(original);
            request.headers.set(AZURE_HOST_HEADER, url.host);
            url.protocol = target.protocol;
            url.host = target.host;
            request.url = url.toString();
            request.allowInsecureConnection = true;
            try {
                return await inner.sendRequest(request);
            } finally {
                request.url = original;
            }
        },
    };
}

const emulatorCredential: TokenCredential = {
    getToken: async () => ({ token: "emulator", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** Azure credential: the standard chain (DefaultAzureCredential), or a fixed token for the emulators. */
export function azureCredential(options: ClientOptions = {}): TokenCredential {
    if (emulatorEndpoints(options.env)?.azure) return emulatorCredential;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
    return new DefaultAzureCredential();
}

/**
 * Azure pipeline options: bounded retries (`maxAttempts`, the SDK's 3 retries by default) with keyfabric's backoff,
 * and a per-attempt timeout (the SDK has none: a call whose answer never comes would wait forever).
 */
function azurePipelineOptions(options: ClientOptions) {
    const timeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
    return {
        retryOptions: {
            ...(options.maxAttempts !== undefined ? { maxRetries: Math.max(0, options.maxAttempts - 1) } : {}),
            retryDelayInMs: AZURE_RETRY_DELAY_MS,
            maxRetryDelayInMs: AZURE_MAX_RETRY_DELAY_MS,
        },
        additionalPolicies: [
            {
                position: "perRetry" as const,
                policy: {
                    name: "keyfabricAttemptTimeout",
                    sendRequest(request: PipelineRequest, next: (request: PipelineRequest) => Promise<PipelineResponse>) {
                        if (!request.timeout) request.timeout = timeoutMs;
                        return next(request);
                    },
                },
            },
        ],
    };
}

/** Key Vault / Managed HSM data-plane client for `vaultUrl` (`https://<name>.vault.azure.net`). */
export function createAzureKeyClient(vaultUrl: string, options: ClientOptions = {}): KeyClient {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { KeyClient } = require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
    const emu = emulatorEndpoints(options.env);
    const pipeline = azurePipelineOptions(options);
    if (emu?.azure) return new KeyClient(vaultUrl, emulatorCredential, { httpClient: emulatorHttpClient(emu.azure), ...pipeline });
    return new KeyClient(vaultUrl, azureCredential(options), pipeline);
}

/** ARM Key Vault management client (vault settings: soft delete, purge protection, RBAC, network ACLs). */
export function createAzureArmClient(subscriptionId: string, options: ClientOptions = {}): KeyVaultManagementClient {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { KeyVaultManagementClient } = require("@azure/arm-keyvault") as typeof import("@azure/arm-keyvault");
    const emu = emulatorEndpoints(options.env);
    const pipeline = azurePipelineOptions(options);
    if (emu?.azure) return new KeyVaultManagementClient(emulatorCredential, subscriptionId, { httpClient: emulatorHttpClient(emu.azure), ...pipeline });
    return new KeyVaultManagementClient(azureCredential(options), subscriptionId, pipeline);
}
