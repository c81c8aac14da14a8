/**
 * What every cloud check works with: the package's client factories (one client per region, vault and subscription,
 * reused), the state index for cross-resource lookups, the evaluation time, and helpers that turn cloud errors into
 * findings. Clients come only from `sdk/clients`: whether they talk to a cloud or to emulators is decided there.
 *
 * Every cloud call goes through `call()`, which bounds its time and tells "this resource cannot be read" (a finding)
 * from "this cloud cannot be reached by us" (an error of the run, exit 1):
 *
 * - Each call has a budget (`callTimeoutMs`, the SDK's own retries included, never past the run's deadline): AWS and
 *   Azure get an `abortSignal`, Azure also a per-attempt `requestOptions.timeout`, Cloud KMS a gax `timeout` and
 *   retry settings whose total timeout is the budget. The call is also raced against the budget, so an SDK that
 *   sleeps between retries without looking at its signal cannot hold the run.
 * - Before a cloud's first call, a preflight per cloud: the SDK's own credential chain is asked for credentials (AWS:
 *   the client's credential provider; Google: an access token from application default credentials; Azure: a token
 *   from DefaultAzureCredential). For the emulators (`KEYFABRIC_EMULATORS`), whose credentials are fixed, a TCP
 *   connect to the emulator's port instead: a dead emulator is reported at once.
 * - Errors that are never about a resource make the cloud (or one of its endpoints) unreachable for the rest of the
 *   run: no credentials, credentials refused or expired, connection refused, reset or dropped, a host that does not
 *   resolve, a network that is unreachable, a Key Vault firewall that does not let this machine through, a call that
 *   does not answer within its budget. Calls in flight to that endpoint are aborted, later ones are not made; the
 *   resources they were for are "not checked".
 * - Permission denied, throttling and 5xx after the SDK's retries are per-resource (`read-failed` findings), unless
 *   no call of that cloud got an answer at all: then the whole cloud is an error ("permission denied on every
 *   call"). A not-found answer is an answer (the resource is gone: a finding).
 */
import { setMaxListeners } from "events";
import * as net from "net";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import type { RetryOptions } from "google-gax";
import type { KeyClient } from "@azure/keyvault-keys";
import type { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { azureCredential, createAwsKmsClient, createAzureArmClient, createAzureKeyClient, createGcpKmsClient, emulatorEndpoints, EmulatorEndpoints } from "../clients";
import type { StateIndex } from "./plan";
import type { StateResource } from "./state";
import { Cloud, Finding, FINDING_KINDS, FindingKind, Severity } from "./types";

/** A finding before de-duplication: `subject` names the cloud object, `specificity` ranks resources reporting it. */
export interface RawFinding extends Finding {
    /** The cloud object the finding is about (key ARN, version name, vault id...); defaults to the resource's urn. */
    readonly subject?: string;
    /** 2: the resource checked its own object; 1: derived from another resource's check (e.g. a key's primary version). */
    readonly specificity?: number;
}

export interface CheckResult {
    readonly findings: RawFinding[];
    /**
     * Live values to overlay on the resource's state properties for the policy re-run; null when the resource is
     * gone; undefined when nothing was read.
     */
    readonly live?: Record<string, unknown> | null;
}

/** An error that stops the whole run (a client cannot even be built): exit 1, never a per-resource finding. */
export class DriftSetupError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DriftSetupError";
    }
}

/** A cloud (or one of its endpoints) cannot be used by this run: the resource's check stops, it is "not checked". */
export class CloudUnreachable extends Error {
    constructor(
        readonly cloud: Cloud,
        /** The endpoint (`host:port`), or undefined when the whole cloud is out (credentials). */
        readonly endpoint: string | undefined,
        /** What is missing or failing, one line (e.g. "127.0.0.1:4566 refused the connection"). */
        readonly reason: string,
    ) {
        super(`${cloud}: ${reason}`);
        this.name = "CloudUnreachable";
    }
}

/** The run's deadline passed: the resource's check stops, it is "not checked". */
export class DeadlinePassed extends Error {
    constructor() {
        super("the deadline passed");
        this.name = "DeadlinePassed";
    }
}

/**
 * A call whose budget ran out while the service kept refusing it (throttling, 5xx) and the SDK was backing off: the
 * endpoint answers, so this is a read failure of the resource (a finding), not an endpoint that is down.
 */
export class RefusedThroughBudget extends Error {
    constructor(
        /** What the service answered last (e.g. ThrottlingException). */
        readonly last: unknown,
        readonly budgetMs: number,
    ) {
        super(`still refused when the call's ${seconds(budgetMs)} s budget ran out`);
        this.name = "RefusedThroughBudget";
    }
}

/** Errors that end a resource's check without a finding (they are errors of the run). */
export const isRunStop = (e: unknown): e is CloudUnreachable | DeadlinePassed | DriftSetupError => e instanceof CloudUnreachable || e instanceof DeadlinePassed || e instanceof DriftSetupError;

/** Time one cloud call may take, the SDK's retries included. @see ClientSettings.callTimeoutMs */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Time one attempt of a call may take (Cloud KMS rpc timeout, Azure request timeout), at most the call's budget. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
/** The TCP connect preflight to an emulator, and the diagnostic connect after a call that timed out. */
const PROBE_TIMEOUT_MS = 2_000;
/**
 * How long after its budget a call is abandoned when the SDK has not given up by itself (AWS sleeps between retries
 * without looking at the signal; gax overshoots its total timeout by up to a retry delay). The SDK's own error, when
 * it comes within this, names the cause better than "did not answer".
 */
const abandonGraceMs = (budget: number) => Math.max(2_000, budget / 4);

export interface ClientSettings {
    /** Passed to the client factories (where `KEYFABRIC_EMULATORS` is read). @default process.env */
    readonly env?: NodeJS.ProcessEnv;
    /** Attempts per call, retries on throttling and 5xx included. @default 10 */
    readonly maxAttempts?: number;
    /** Time one call may take, its retries included. @default 30 s */
    readonly callTimeoutMs?: number;
    /** Time one attempt may take. @default 10 s (at most callTimeoutMs) */
    readonly attemptTimeoutMs?: number;
    /** Aborted when the run's deadline passes: calls in flight are abandoned, new ones are not made. */
    readonly deadline?: AbortSignal;
    /** When the deadline passes (epoch ms): no call's budget reaches past it. */
    readonly deadlineAt?: number;
}

/** Where calls go: the cloud and the endpoint (`host:port`) a failure is reported for. */
export interface Scope {
    readonly cloud: Cloud;
    readonly endpoint: string;
    /** The host (for "does not resolve"). */
    readonly host: string;
    readonly port: number;
    /** An emulator endpoint (loopback): probed with a TCP connect before its first call. */
    readonly emulated: boolean;
    /** Key Vault / Managed HSM data plane (a host per vault: one that does not resolve may be a deleted vault). */
    readonly vaultHost?: boolean;
    /** The cloud's credential preflight (real clouds only). */
    readonly credentials?: (signal: AbortSignal) => Promise<unknown>;
}

export interface Handle<C> {
    readonly client: C;
    readonly scope: Scope;
}

/** The per-SDK options of one call (pass the one for the SDK at hand). */
export interface CallOptions {
    readonly signal: AbortSignal;
    readonly budgetMs: number;
    readonly attemptMs: number;
    /** `client.send(command, options.aws)` */
    readonly aws: { abortSignal: AbortSignal };
    /** `client.method(request, options.gcp)`: total timeout and retries within the budget. */
    readonly gcp: { timeout: number; retry: RetryOptions };
    /** `client.method(..., options.azure)` */
    readonly azure: { abortSignal: AbortSignal; requestOptions: { timeout: number } };
    /** Notes an attempt's error (AWS: what the last attempt failed with, for the message if the budget runs out). */
    attemptFailed(e: unknown): void;
    /** Notes that an attempt went out (AWS): a budget that runs out between attempts ran out in the SDK's back-off. */
    attemptStarted(): void;
}

interface CloudHealth {
    /** Calls the service answered (success, not found, or a request error about the resource). */
    answered: number;
    /** Calls refused (permission denied) or failing (throttling, 5xx) after the SDK's retries. */
    readonly failures: { cls: "denied" | "failing"; example: string }[];
    /** The whole cloud is out (credentials). */
    down?: CloudUnreachable;
    /** Endpoints that are out. */
    readonly endpointsDown: Map<string, CloudUnreachable>;
    readonly endpointAbort: Map<string, AbortController>;
    preflight?: Promise<void>;
    readonly probes: Map<string, Promise<void>>;
}

const CREDENTIAL_HINTS: Record<Cloud, string> = {
    aws: "set AWS_PROFILE or AWS_ACCESS_KEY_ID, or KEYFABRIC_EMULATORS for the emulators",
    gcp: "set GOOGLE_APPLICATION_CREDENTIALS or run gcloud auth application-default login, or KEYFABRIC_EMULATORS for the emulators",
    azure: "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run az login, or KEYFABRIC_EMULATORS for the emulators",
};

const hostPort = (hp: string, defaultPort: number): { host: string; port: number } => {
    const m = /^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(hp);
    return { host: m?.[1] ?? hp, port: m?.[2] ? Number(m[2]) : defaultPort };
};

export class Clients {
    private readonly aws_ = new Map<string, Handle<KMSClient>>();
    private gcp_?: Handle<KeyManagementServiceClient>;
    private readonly azureKeys_ = new Map<string, Handle<KeyClient>>();
    private readonly azureArm_ = new Map<string, Handle<KeyVaultManagementClient>>();
    private readonly health: Record<Cloud, CloudHealth> = { aws: newHealth(), gcp: newHealth(), azure: newHealth() };
    /** Calls made through `call()`, for the summary. */
    calls = 0;

    constructor(private readonly settings: ClientSettings = {}) {}

    private opts() {
        return { env: this.settings.env, maxAttempts: this.settings.maxAttempts ?? 10 };
    }

    private build<T>(what: string, f: () => T): T {
        try {
            return f();
        } catch (e) {
            throw new DriftSetupError(`cannot create the ${what} client: ${(e as Error).message}`);
        }
    }

    /** The emulator endpoints (only once a client was built: a malformed variable is the factory's error). */
    private emulators(): EmulatorEndpoints | undefined {
        return emulatorEndpoints(this.settings.env);
    }

    private scope(cloud: Cloud, emulator: string | undefined, real: string, extra: Partial<Scope> = {}): Scope {
        const { host, port } = hostPort(emulator ?? real, emulator && /^http:/.test(emulator) ? 80 : 443);
        return { cloud, endpoint: `${host}:${port}`, host, port, emulated: emulator !== undefined, ...extra, ...(emulator ? { credentials: undefined, vaultHost: false } : {}) };
    }

    aws(region: string): Handle<KMSClient> {
        let h = this.aws_.get(region);
        if (!h) {
            const client = this.build(`AWS KMS (${region})`, () => createAwsKmsClient(region, this.opts()));
            const scope = this.scope("aws", this.emulators()?.aws, `kms.${region}.amazonaws.com:443`, {
                credentials: () => (client.config.credentials as () => Promise<unknown>)(),
            });
            this.aws_.set(region, (h = { client, scope }));
        }
        return h;
    }

    gcp(): Handle<KeyManagementServiceClient> {
        if (!this.gcp_) {
            const client = this.build("Cloud KMS", () => createGcpKmsClient(this.opts()));
            const scope = this.scope("gcp", this.emulators()?.gcp, "cloudkms.googleapis.com:443", { credentials: () => client.auth.getAccessToken() });
            this.gcp_ = { client, scope };
        }
        return this.gcp_;
    }

    azureKeys(vaultUrl: string): Handle<KeyClient> {
        let h = this.azureKeys_.get(vaultUrl);
        if (!h) {
            const client = this.build(`Azure Key Vault (${vaultUrl})`, () => createAzureKeyClient(vaultUrl, this.opts()));
            const url = new URL(vaultUrl);
            const audience = `https://${url.host.split(".").slice(1).join(".")}/.default`;
            const scope = this.scope("azure", this.emulators()?.azure, `${url.host}:443`, { vaultHost: true, credentials: (signal) => azureCredential({ env: this.settings.env }).getToken(audience, { abortSignal: signal }) });
            this.azureKeys_.set(vaultUrl, (h = { client, scope }));
        }
        return h;
    }

    azureArm(subscriptionId: string): Handle<KeyVaultManagementClient> {
        let h = this.azureArm_.get(subscriptionId);
        if (!h) {
            const client = this.build(`Azure Resource Manager (subscription ${subscriptionId})`, () => createAzureArmClient(subscriptionId, this.opts()));
            const scope = this.scope("azure", this.emulators()?.azure, "management.azure.com:443", {
                credentials: (signal) => azureCredential({ env: this.settings.env }).getToken("https://management.azure.com/.default", { abortSignal: signal }),
            });
            this.azureArm_.set(subscriptionId, (h = { client, scope }));
        }
        return h;
    }

    get callTimeoutMs(): number {
        return this.settings.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    }

    get attemptTimeoutMs(): number {
        return Math.min(this.settings.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS, this.callTimeoutMs);
    }

    /** A call's budget now: the call timeout, or less when the deadline is nearer (and whether the deadline set it). */
    budgetNow(): { ms: number; byDeadline: boolean } {
        const left = this.settings.deadlineAt !== undefined ? this.settings.deadlineAt - Date.now() : Infinity;
        return left < this.callTimeoutMs ? { ms: Math.max(1, left), byDeadline: true } : { ms: this.callTimeoutMs, byDeadline: false };
    }

    get deadline(): AbortSignal | undefined {
        return this.settings.deadline;
    }

    /** Why calls to this scope are not made (deadline, cloud or endpoint out), if they are not. */
    stopped(scope: Scope): DeadlinePassed | CloudUnreachable | undefined {
        if (this.settings.deadline?.aborted) return new DeadlinePassed();
        const h = this.health[scope.cloud];
        return h.down ?? h.endpointsDown.get(scope.endpoint);
    }

    /** The preflight of the cloud and, for an emulator, the TCP probe of its endpoint (each once). */
    async ready(scope: Scope): Promise<void> {
        const h = this.health[scope.cloud];
        if (scope.credentials) {
            const check = scope.credentials;
            h.preflight ??= this.preflight(scope, check);
            await h.preflight;
        }
        if (scope.emulated) {
            let p = h.probes.get(scope.endpoint);
            if (!p) {
                p = probe(scope.host, scope.port, PROBE_TIMEOUT_MS).then((res) => {
                    if (res !== "connected") this.endpointDown(scope, probeReason(scope, res));
                });
                h.probes.set(scope.endpoint, p);
            }
            await p;
        }
    }

    private async preflight(scope: Scope, check: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
        const budget = this.budgetNow().ms;
        const ctl = new AbortController();
        const timer = setTimeout(() => ctl.abort(), budget);
        try {
            await raceSignals(check(ctl.signal), [ctl.signal, this.settings.deadline], budget);
        } catch (e) {
            if (this.settings.deadline?.aborted) return;
            const reason = ctl.signal.aborted ? `getting credentials did not finish within ${seconds(budget)} s` : credentialReason(scope, e);
            this.health[scope.cloud].down = new CloudUnreachable(scope.cloud, undefined, reason);
            for (const c of this.health[scope.cloud].endpointAbort.values()) c.abort();
        } finally {
            clearTimeout(timer);
        }
    }

    /** The abort controller of an endpoint (aborted when it goes down). */
    endpointSignal(scope: Scope): AbortSignal {
        const h = this.health[scope.cloud];
        let c = h.endpointAbort.get(scope.endpoint);
        if (!c) {
            h.endpointAbort.set(scope.endpoint, (c = new AbortController()));
            // A listener per call in flight (removed when it settles): more than Node's default 10 is not a leak.
            setMaxListeners(0, c.signal);
        }
        return c.signal;
    }

    endpointDown(scope: Scope, reason: string): CloudUnreachable {
        const h = this.health[scope.cloud];
        const existing = h.down ?? h.endpointsDown.get(scope.endpoint);
        if (existing) return existing;
        const down = new CloudUnreachable(scope.cloud, scope.endpoint, reason);
        h.endpointsDown.set(scope.endpoint, down);
        h.endpointAbort.get(scope.endpoint)?.abort();
        return down;
    }

    cloudDown(cloud: Cloud, reason: string): CloudUnreachable {
        const h = this.health[cloud];
        h.down ??= new CloudUnreachable(cloud, undefined, reason);
        for (const c of h.endpointAbort.values()) c.abort();
        return h.down;
    }

    answered(cloud: Cloud): void {
        this.health[cloud].answered++;
    }

    failed(cloud: Cloud, cls: "denied" | "failing", example: string): void {
        this.health[cloud].failures.push({ cls, example });
    }

    /**
     * The clouds this run could not use, one line each: the cloud or endpoints that were out, or calls that all
     * failed (permission denied on every call; every call throttled or failing) with not one answered.
     */
    cloudErrors(): Map<Cloud, string> {
        const out = new Map<Cloud, string>();
        for (const cloud of ["aws", "gcp", "azure"] as const) {
            const h = this.health[cloud];
            if (h.down) {
                out.set(cloud, h.down.reason);
                continue;
            }
            const reasons = [...h.endpointsDown.values()].map((d) => d.reason);
            if (h.answered === 0 && h.failures.length > 0) {
                const denied = h.failures.filter((f) => f.cls === "denied");
                const n = h.failures.length;
                const calls = `${n} call${n === 1 ? "" : "s"}`;
                reasons.push(
                    denied.length === n
                        ? `permission denied on every call (${calls}; e.g. ${denied[0].example})`
                        : `every call failed (${calls}; e.g. ${(h.failures.find((f) => f.cls === "failing") ?? h.failures[0]).example})`,
                );
            }
            if (reasons.length > 0) out.set(cloud, [...new Set(reasons)].join("; "));
        }
        return out;
    }

    /** Whether no call of the cloud got an answer and some failed (the cloud is an error, its findings are not). */
    allFailed(cloud: Cloud): boolean {
        const h = this.health[cloud];
        return h.answered === 0 && h.failures.length > 0;
    }

    async close(): Promise<void> {
        for (const h of this.aws_.values()) h.client.destroy();
        this.aws_.clear();
        if (this.gcp_) await this.gcp_.client.close().catch(() => undefined);
        this.gcp_ = undefined;
    }
}

function newHealth(): CloudHealth {
    return { answered: 0, failures: [], endpointsDown: new Map(), endpointAbort: new Map(), probes: new Map() };
}

export interface CheckContext {
    /** Evaluation time for time-based findings (epoch ms). */
    readonly now: number;
    readonly expiryWarningDays: number;
    readonly clients: Clients;
    readonly index: StateIndex;
    /** Calls made for the resource being checked (the engine gives each check its own counter). */
    readonly unit?: { calls: number };
}

/** Days of tolerance before a rotation counts as overdue (clouds rotate within hours of the due time). */
export const ROTATION_GRACE_DAYS = 2;

/**
 * How a cloud SDK error is taken: `not-found` (the resource is gone), `denied` (permission denied), `credentials`
 * (none, refused or expired), `unreachable` (the endpoint cannot be reached, or does not answer), `failing`
 * (throttling and server errors, after the SDK's retries), `other` (an answer about the request or the resource).
 */
export type ErrorClass = "not-found" | "denied" | "credentials" | "unreachable" | "failing" | "other";

const NETWORK_CODES = /\b(ECONNREFUSED|ECONNRESET|ECONNABORTED|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ENETDOWN|ETIMEDOUT|ESOCKETTIMEDOUT)\b/;

/** Sorts a cloud SDK error: AWS exception names, gRPC status codes, Azure HTTP status codes, Node network errors. */
export function classifyError(e: unknown): ErrorClass {
    const err = e as { name?: string; code?: unknown; statusCode?: number; message?: string; details?: string; $metadata?: { httpStatusCode?: number } };
    const name = err?.name ?? "";
    const message = `${err?.message ?? ""} ${err?.details ?? ""}`;
    if (name === "NotFoundException" || name === "ResourceNotFoundException") return "not-found";
    if (name === "CredentialsProviderError" || name === "CredentialUnavailableError" || name === "AggregateAuthenticationError" || name === "AuthenticationError" || name === "AuthenticationRequiredError") return "credentials";
    if (["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "IncompleteSignature", "ExpiredToken"].includes(name)) return "credentials";
    if (/Could not load the default credentials|Could not refresh access token|invalid_grant/.test(message)) return "credentials";
    if (name === "AccessDeniedException") return "denied";
    if (name === "TimeoutError" || name === "AbortError") return "unreachable";
    if (typeof err?.code === "string" && NETWORK_CODES.test(err.code)) return "unreachable";
    if (err?.code === "REQUEST_SEND_ERROR" || /socket hang up/.test(message)) return "unreachable";
    if (err?.code === 5) return "not-found";
    if (err?.code === 7) return "denied";
    if (err?.code === 16) return "credentials";
    if (err?.code === 14 || err?.code === 4) return "unreachable";
    if (err?.code === 8 || err?.code === 13 || err?.code === 2) return "failing";
    const status = err?.statusCode ?? err?.$metadata?.httpStatusCode;
    if (status === 404) return "not-found";
    if (status === 401) return "credentials";
    if (status === 403) return /ForbiddenByFirewall|Client address is not authorized/i.test(message) ? "unreachable" : "denied";
    if (status === 429 || (status !== undefined && status >= 500)) return "failing";
    if (name === "ThrottlingException" || name === "KMSInternalException" || name === "DependencyTimeoutException") return "failing";
    return "other";
}

/** A one-line description of a cloud error that never includes request data. */
export function describeError(e: unknown): string {
    const err = e as { name?: string; code?: unknown; details?: unknown; message?: unknown; statusCode?: number };
    const kind = err?.name && err.name !== "Error" ? err.name : err?.code !== undefined ? `code ${String(err.code)}` : err?.statusCode ? `HTTP ${err.statusCode}` : "error";
    // gRPC errors carry a string `details`; an Azure RestError's `details` is the parsed body (an object).
    const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
    const detail = (text(err?.details) ?? text(err?.message) ?? String(e)).split("\n")[0].slice(0, 300);
    return `${kind}: ${detail}`;
}

const seconds = (ms: number) => String(Math.round(ms / 100) / 10);

/** Proxies the SDKs may use: a direct TCP connect says nothing about the route they take. */
const proxied = () => ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "grpc_proxy"].some((k) => process.env[k]);

type ProbeResult = "connected" | "refused" | "timeout" | { code: string };

/** A TCP connect to host:port (then closed). */
export function probe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: host.replace(/^\[|\]$/g, ""), port });
        const done = (r: ProbeResult) => {
            socket.destroy();
            resolve(r);
        };
        socket.setTimeout(timeoutMs, () => done("timeout"));
        socket.once("connect", () => done("connected"));
        socket.once("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED" ? "refused" : { code: e.code ?? e.message }));
    });
}

function probeReason(scope: Scope, res: ProbeResult): string {
    if (res === "refused") return `${scope.endpoint} refused the connection`;
    if (res === "timeout") return `${scope.endpoint} did not accept a connection within ${seconds(PROBE_TIMEOUT_MS)} s`;
    if (res === "connected") return `${scope.endpoint} cannot be reached`;
    return networkCodeReason(scope, res.code) ?? `${scope.endpoint} cannot be reached (${res.code})`;
}

function networkCodeReason(scope: Scope, text: string): string | undefined {
    const code = NETWORK_CODES.exec(text)?.[1];
    if (/ECONNREFUSED/.test(text)) return `${scope.endpoint} refused the connection`;
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `${scope.host} does not resolve (${code})`;
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ENETDOWN") return `${scope.endpoint} is unreachable (${code})`;
    if (/ECONNRESET|EPIPE|ECONNABORTED|socket hang up|Connection dropped/i.test(text)) return `${scope.endpoint} dropped the connection`;
    return undefined;
}

/** gax's "Total timeout ... retrying error Error: 8 RESOURCE_EXHAUSTED" (the service throttled every attempt), if `e` is one. */
export function gaxRefusal(e: unknown): unknown {
    const err = e as { code?: unknown; message?: unknown };
    if (err?.code !== 4 || typeof err.message !== "string") return undefined;
    const m = /^Total timeout of API .* retrying error Error: (8 RESOURCE_EXHAUSTED: .*?)\s+before any response was received/s.exec(err.message);
    // The error gax quotes, as grpc-js gave it (code 8, RESOURCE_EXHAUSTED), for the finding's message.
    return m ? Object.assign(new Error(m[1]), { code: 8, details: m[1].replace(/^8 RESOURCE_EXHAUSTED: /, "") }) : undefined;
}

/** The line for an unreachable endpoint, from the error (or the last attempt's), probing the endpoint after a timeout. */
async function unreachableReason(scope: Scope, e: unknown, last: unknown, timedOutAfter: number | undefined, budget: number): Promise<string> {
    const texts = [e, last].filter((x) => x !== undefined).map((x) => {
        const err = x as { code?: unknown; message?: string; details?: string; name?: string };
        return `${String(err?.code ?? "")} ${err?.name ?? ""} ${err?.message ?? ""} ${err?.details ?? ""}`;
    });
    const text = texts.join(" | ");
    if (/ForbiddenByFirewall|Client address is not authorized/i.test(text)) return `${scope.host} does not let this machine through its firewall (ForbiddenByFirewall): run from a network the vault allows`;
    const known = networkCodeReason(scope, text);
    if (known) return known;
    const timedOut = timedOutAfter !== undefined || /TimeoutError|ETIMEDOUT|ESOCKETTIMEDOUT|DEADLINE_EXCEEDED|Total timeout|Deadline exceeded|AbortError/i.test(text) || (e as { code?: unknown })?.code === 4;
    if (timedOut) {
        const within = `${scope.endpoint} did not answer within ${seconds(timedOutAfter ?? budget)} s`;
        if (scope.emulated || !proxied()) {
            const res = await probe(scope.host, scope.port, PROBE_TIMEOUT_MS);
            if (res === "connected") return `${within} (it accepts connections, then drops them or leaves them hanging)`;
            return probeReason(scope, res);
        }
        return within;
    }
    if ((e as { code?: unknown })?.code === 14) return `${scope.endpoint} is unavailable (${describeError(e)})`;
    return `${scope.endpoint} cannot be reached (${describeError(e)})`;
}

function credentialReason(scope: Scope, e: unknown): string {
    const err = e as { name?: string; message?: string; errors?: { name?: string }[]; code?: unknown };
    const cloud = scope.cloud;
    const none = `no credentials (${CREDENTIAL_HINTS[cloud]})`;
    if (err?.name === "CredentialsProviderError" && /Could not load credentials from any providers/.test(err.message ?? "")) return none;
    if (/Could not load the default credentials/.test(err?.message ?? "")) return none;
    if (err?.name === "CredentialUnavailableError") return none;
    if (err?.name === "AggregateAuthenticationError" && (err.errors ?? []).every((x) => x?.name === "CredentialUnavailableError")) return none;
    const text = `${String(err?.code ?? "")} ${err?.message ?? ""}`;
    const net = networkCodeReason({ ...scope, endpoint: "the credential endpoint", host: "the credential endpoint" }, text);
    if (net) return `getting credentials failed: ${net} (${describeError(e)})`;
    if (err?.name === "ExpiredTokenException" || err?.name === "ExpiredToken" || /expired/i.test(err?.message ?? "")) return `the credentials have expired (${describeError(e)})`;
    return `the credentials were refused or could not be loaded (${describeError(e)})`;
}

/** Resolves with `p`, or rejects when a signal aborts (or `abandonAfter` ms pass): never waits for a stuck SDK. */
function raceSignals<T>(p: Promise<T>, signals: (AbortSignal | undefined)[], abandonAfter?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const cleanups: (() => void)[] = [];
        const finish = () => cleanups.forEach((c) => c());
        for (const s of signals) {
            if (!s) continue;
            if (s.aborted) {
                reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
                return;
            }
            const on = () => {
                finish();
                reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
            };
            s.addEventListener("abort", on, { once: true });
            cleanups.push(() => s.removeEventListener("abort", on));
        }
        if (abandonAfter !== undefined) {
            const t = setTimeout(() => {
                finish();
                reject(Object.assign(new Error(`no answer within ${abandonAfter} ms`), { name: "TimeoutError" }));
            }, abandonAfter + abandonGraceMs(abandonAfter));
            cleanups.push(() => clearTimeout(t));
        }
        p.then(
            (v) => {
                finish();
                resolve(v);
            },
            (e) => {
                finish();
                reject(e);
            },
        );
    });
}

/** One signal aborted when any of `signals` is. */
function anySignal(signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose(): void } {
    const ctl = new AbortController();
    const cleanups: (() => void)[] = [];
    for (const s of signals) {
        if (!s) continue;
        if (s.aborted) ctl.abort();
        const on = () => ctl.abort();
        s.addEventListener("abort", on, { once: true });
        cleanups.push(() => s.removeEventListener("abort", on));
    }
    return { signal: ctl.signal, dispose: () => cleanups.forEach((c) => c()) };
}

/** Cloud KMS retries (every call here is a read): throttling, UNAVAILABLE and attempts that timed out, within the budget. */
function gcpRetry(budgetMs: number, attemptMs: number): RetryOptions {
    const gax = require("google-gax") as typeof import("google-gax");
    return gax.createRetryOptions(
        [gax.Status.RESOURCE_EXHAUSTED, gax.Status.UNAVAILABLE, gax.Status.DEADLINE_EXCEEDED],
        gax.createBackoffSettings(100, 2, 5_000, attemptMs, 1, attemptMs, budgetMs),
    );
}

/**
 * Runs one cloud call to `scope`, counting it, within its budget and the run's deadline (see the top of this file).
 * Throws `CloudUnreachable` or `DeadlinePassed` (the check stops), or the SDK's error (a finding, through readError).
 */
export async function call<T>(ctx: CheckContext, scope: Scope, f: (o: CallOptions) => Promise<T>): Promise<T> {
    const clients = ctx.clients;
    const before = clients.stopped(scope);
    if (before) throw before;
    await clients.ready(scope);
    const ready = clients.stopped(scope);
    if (ready) throw ready;

    clients.calls++;
    if (ctx.unit) ctx.unit.calls++;
    // Never past the deadline: the SDKs give up by then (gax, which cannot be aborted, included).
    const { ms: budget, byDeadline } = clients.budgetNow();
    const attemptMs = Math.min(clients.attemptTimeoutMs, budget);
    const timer = new AbortController();
    const t = setTimeout(() => timer.abort(), budget);
    const endpoint = clients.endpointSignal(scope);
    const sdkSignal = anySignal([timer.signal, endpoint, clients.deadline]);
    let last: unknown;
    let attemptOpen = false;
    const options: CallOptions = {
        signal: sdkSignal.signal,
        budgetMs: budget,
        attemptMs,
        aws: { abortSignal: sdkSignal.signal },
        get gcp() {
            return { timeout: budget, retry: gcpRetry(budget, attemptMs) };
        },
        azure: { abortSignal: sdkSignal.signal, requestOptions: { timeout: attemptMs } },
        attemptFailed: (e) => {
            last = e;
            attemptOpen = false;
        },
        attemptStarted: () => (attemptOpen = true),
    };
    try {
        const p = f(options);
        p.catch(() => undefined); // abandoned calls settle later
        const v = await raceSignals(p, [endpoint, clients.deadline], budget);
        clients.answered(scope.cloud);
        return v;
    } catch (e) {
        const stop = clients.stopped(scope);
        if (stop) throw stop;
        const timedOut = timer.signal.aborted || (e as Error)?.name === "TimeoutError" ? budget : (e as Error)?.name === "AbortError" ? attemptMs : undefined;
        const cls = timedOut !== undefined ? "unreachable" : classifyError(e);
        // Out of time because the deadline was near, not because the endpoint is slow: the deadline's doing.
        if (byDeadline && cls === "unreachable" && (timedOut !== undefined || (e as { code?: unknown })?.code === 4)) throw new DeadlinePassed();
        // The service kept answering with throttling or a 5xx, and the budget ran out in the SDK's back-off (AWS: the
        // last attempt was answered so, and none is out; Cloud KMS: gax's total timeout quoting RESOURCE_EXHAUSTED):
        // the endpoint answers, so this is a read failure of the resource, not an endpoint that is down.
        const refused = timer.signal.aborted && !attemptOpen && last !== undefined && classifyError(last) === "failing" ? last : gaxRefusal(e);
        if (refused !== undefined) {
            clients.failed(scope.cloud, "failing", describeError(refused));
            throw new RefusedThroughBudget(refused, budget);
        }
        if (cls === "credentials") throw clients.cloudDown(scope.cloud, credentialReason(scope, e));
        if (cls === "unreachable") {
            // A Key Vault whose name does not resolve is most likely deleted: a finding about that vault's resources
            // (unless nothing of Azure answers at all: then the cloud is an error).
            if (scope.vaultHost && /ENOTFOUND/.test(`${String((e as { code?: unknown })?.code)} ${(e as Error)?.message}`)) {
                clients.failed(scope.cloud, "failing", describeError(e));
                throw e;
            }
            throw clients.endpointDown(scope, await unreachableReason(scope, e, last, timedOut, budget));
        }
        if (cls === "denied" || cls === "failing") clients.failed(scope.cloud, cls, describeError(e));
        else clients.answered(scope.cloud);
        throw e;
    } finally {
        clearTimeout(t);
        sdkSignal.dispose();
    }
}

/**
 * AWS: the command, noting each attempt's error (what the last attempt failed with names the cause when the call's
 * budget runs out): `h.client.send(attempts(new XCommand(...), o), o.aws)`.
 */
export function attempts<C extends { middlewareStack: { add(m: never, o: never): void } }>(command: C, o: CallOptions): C {
    const middleware = (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        o.attemptStarted();
        try {
            return await next(args);
        } catch (e) {
            o.attemptFailed(e);
            throw e;
        }
    };
    command.middlewareStack.add(middleware as never, { step: "deserialize", priority: "high", name: "keyfabricDriftAttempt", override: true } as never);
    return command;
}

/** Where a resource is in the stack export: `stack.json deployment.resources[3]`. */
export const whereIn = (r: StateResource, ctx: CheckContext) => `${ctx.index.state.source} ${r.at ?? "deployment.resources"}`;

/** Builds findings for one resource. */
export class FindingsFor {
    readonly findings: RawFinding[] = [];
    constructor(
        readonly r: StateResource,
        readonly cloud: Cloud,
    ) {}

    add(kind: FindingKind, f: { expected: unknown; actual: unknown; message: string; severity?: Severity; subject?: string; specificity?: number }): void {
        this.findings.push({
            urn: this.r.urn,
            type: this.r.type,
            cloud: this.cloud,
            kind,
            severity: f.severity ?? FINDING_KINDS[kind].severity,
            expected: f.expected ?? null,
            actual: f.actual ?? null,
            message: f.message,
            subject: f.subject,
            specificity: f.specificity ?? 2,
        });
    }

    /**
     * A read that failed: `resource-missing` for not-found, `read-failed` (with the reason) otherwise. Errors of the
     * run (cloud unreachable, deadline) are rethrown: they are not about this resource.
     */
    readError(operation: string, target: string, e: unknown, subject?: string): CheckResult {
        if (isRunStop(e)) throw e;
        if (e instanceof RefusedThroughBudget) {
            const message = `cannot read ${target}: the service kept refusing it (throttling or server errors) until the call's ${seconds(e.budgetMs)} s budget ran out (${operation}: ${describeError(e.last)})`;
            this.add("read-failed", { expected: "readable", actual: null, message, subject });
            return { findings: this.findings };
        }
        const cls = classifyError(e);
        if (cls === "not-found") {
            this.add("resource-missing", { expected: "exists", actual: null, message: `${target} no longer exists (${operation}: ${describeError(e)})`, subject });
            return { findings: this.findings, live: null };
        }
        const why =
            cls === "denied"
                ? "permission denied"
                : /ENOTFOUND/.test(`${String((e as { code?: unknown })?.code)} ${(e as Error)?.message}`)
                  ? "its vault's host name does not resolve (a deleted vault, or a private endpoint whose DNS this machine does not see)"
                  : "the call failed";
        this.add("read-failed", { expected: "readable", actual: null, message: `cannot read ${target}: ${why} (${operation}: ${describeError(e)})`, subject });
        return { findings: this.findings };
    }

    /** A resource that cannot be looked up from state alone. */
    unreadable(reason: string): CheckResult {
        this.add("read-failed", { expected: "readable", actual: null, message: `cannot check this resource: ${reason}` });
        return { findings: this.findings };
    }
}

/**
 * What state lacks to look a resource up, for `unreadable`: `stack.json deployment.resources[3] has no id, and no arn
 * or keyId in its outputs or inputs` (fields that are secrets say so: they are never decrypted).
 */
export function missingFields(r: StateResource, ctx: CheckContext, props: Record<string, unknown>, fields: readonly string[], what?: string): string {
    const secret = fields.filter((k) => typeof props[k] === "symbol");
    const absent = fields.filter((k) => !secret.includes(k) && (typeof props[k] !== "string" || props[k] === ""));
    const or = (ks: string[]) => (ks.length <= 1 ? ks.join("") : `${ks.slice(0, -1).join(", ")} or ${ks[ks.length - 1]}`);
    const parts = [r.id === undefined ? "has no id" : `its id ${JSON.stringify(r.id)} is not ${what ?? "one it can be looked up by"}`];
    if (absent.length) parts.push(`no ${or(absent)} in its outputs or inputs`);
    const secrets = secret.length ? `; ${or(secret)} ${secret.length === 1 ? "is a secret" : "are secrets"} in state (never decrypted)` : "";
    return `${whereIn(r, ctx)} ${parts.join(", and ")}${secrets}`;
}
