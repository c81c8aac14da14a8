/**
 * An in-process Azure Key Vault / Managed HSM keys data-plane emulator plus the ARM `Microsoft.KeyVault/vaults`
 * management plane, which the official, unmodified `KeyClient`, `CryptographyClient` and `KeyVaultManagementClient`
 * talk to through the `sdk/clients` factories. It does the real cryptography with Node's `crypto`.
 *
 * One HTTP server serves every vault, HSM and ARM: the factories' `httpClient` sends each request here with the
 * original host in `x-keyfabric-original-host` (`<name>.vault.azure.net` → vault, `<name>.managedhsm.azure.net` →
 * Managed HSM, `management.azure.com` → ARM). Vaults and HSMs come into existence on first served data-plane use
 * (implicitly Premium, 90-day soft-delete retention, no purge protection) or through an ARM PUT, whose properties
 * then rule the data plane (SKU, retention, purge protection).
 *
 * Per request: bearer challenge (data plane, as `@azure/keyvault-common` expects) → route → `faults.decide(op)` →
 * serve. Challenges and faulted calls never change state, except `drop-after-apply`: the call is served, then the
 * connection is destroyed without the answer.
 */
import * as http from "http";
import type { Socket } from "net";
import { AZURE_HOST_HEADER } from "../clients";
import { sleep, systemClock, FaultInjector, type Clock, type Emulator, type EmulatorOptions, type FaultKind } from "./common";
import { routeArm } from "./azure/arm";
import { routeDataPlane, type Reply, type Request, type Route } from "./azure/dataplane";
import { AzureError } from "./azure/errors";
import { parseAzureSnapshot } from "./azure/persist";
import { inspectVault, lower, restoreVaults, snapshotVaults, type AzureInspection, type VaultKind, type VaultRecord } from "./azure/model";

export type { AzureInspection, AzureVaultInspection, AzureKeyInspection, AzureKeyVersionInspection, AzureDeletedKeyInspection, AzureSnapshot } from "./azure/model";

export interface AzureKeyVaultEmulator extends Emulator {
    readonly tenantId: string;
    readonly subscriptionId: string;
    /** Vaults and HSMs with their keys (never material: fingerprints), deleted keys, rotation policies, ARM properties, challenge counts. JSON-serialisable. */
    inspect(): AzureInspection;
}

export type AzureEmulatorOptions = EmulatorOptions & {
    /** The tenant named in the bearer challenge. @default "00000000-0000-0000-0000-000000000000" */
    readonly tenantId?: string;
    /** When set, ARM requests for another subscription get 404 SubscriptionNotFound. @default any subscription is accepted */
    readonly subscriptionId?: string;
};

export const DEFAULT_TENANT_ID = "00000000-0000-0000-0000-000000000000";
const DEFAULT_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const ARM_HOST = "management.azure.com";

type Target = { readonly kind: VaultKind; readonly name: string; readonly host: string } | { readonly kind: "arm"; readonly host: string };

function parseTarget(header: string | string[] | undefined): Target | undefined {
    if (typeof header !== "string") return undefined;
    const host = lower(header).replace(/:\d+$/, "");
    if (host === ARM_HOST) return { kind: "arm", host };
    const vault = /^([a-z0-9-]{3,24})\.vault\.azure\.net$/.exec(host);
    if (vault) return { kind: "vault", name: vault[1], host };
    const hsm = /^([a-z0-9-]{3,24})\.managedhsm\.azure\.net$/.exec(host);
    if (hsm) return { kind: "managedHsm", name: hsm[1], host };
    return undefined;
}

export async function startAzureKeyVaultEmulator(options: AzureEmulatorOptions = {}): Promise<AzureKeyVaultEmulator> {
    const emulator = new AzureKeyVaultEmulatorServer(options);
    await emulator.listen(options.port ?? 0);
    return emulator;
}

class AzureKeyVaultEmulatorServer implements AzureKeyVaultEmulator {
    readonly clock: Clock;
    readonly faults: FaultInjector;
    readonly calls: { operation: string; fault?: FaultKind }[] = [];
    readonly tenantId: string;
    readonly subscriptionId: string;
    private readonly restrictSubscription?: string;
    private readonly server: http.Server;
    private readonly sockets = new Set<Socket>();
    private readonly vaults = new Map<string, VaultRecord>();
    private readonly challenges: { total: number; byHost: Record<string, number> } = { total: 0, byHost: {} };
    private boundPort = 0;
    private stopped?: Promise<void>;
    private readonly onChange?: () => void;

    constructor(options: AzureEmulatorOptions) {
        this.clock = options.clock ?? systemClock;
        this.faults = options.faults ?? new FaultInjector();
        this.tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
        this.subscriptionId = options.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID;
        this.restrictSubscription = options.subscriptionId;
        if (options.state !== undefined) for (const v of restoreVaults(parseAzureSnapshot(options.state))) this.vaults.set(this.vaultKey(v.kind, v.name), v);
        this.onChange = options.onChange;
        this.server = http.createServer((req, res) => void this.handle(req, res).finally(() => this.onChange?.()));
        this.server.keepAliveTimeout = 5_000;
        this.server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
    }

    get port(): number {
        return this.boundPort;
    }

    get endpoint(): string {
        return `http://127.0.0.1:${this.boundPort}`;
    }

    listen(port: number): Promise<void> {
        return new Promise((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(port, "127.0.0.1", () => {
                this.server.off("error", reject);
                this.boundPort = (this.server.address() as { port: number }).port;
                resolve();
            });
        });
    }

    stop(): Promise<void> {
        this.stopped ??= new Promise<void>((resolve) => {
            this.server.close(() => resolve());
            for (const s of this.sockets) s.destroy();
            this.server.closeAllConnections();
        });
        return this.stopped;
    }

    // ---- state

    private vaultKey(kind: VaultKind, name: string): string {
        return `${kind}:${lower(name)}`;
    }

    private ensureVault(kind: VaultKind, name: string): VaultRecord {
        const key = this.vaultKey(kind, name);
        let v = this.vaults.get(key);
        if (!v) {
            v = { kind, name, keys: new Map(), deleted: new Map() };
            this.vaults.set(key, v);
        }
        return v;
    }

    private sweep(v: VaultRecord): void {
        const now = Math.floor(this.clock.now() / 1000);
        for (const [k, d] of v.deleted) if (d.scheduledPurgeDate <= now) v.deleted.delete(k);
    }

    inspect(): AzureInspection {
        const vaults = [...this.vaults.values()];
        vaults.forEach((v) => this.sweep(v));
        return {
            tenantId: this.tenantId,
            subscriptionId: this.subscriptionId,
            vaults: vaults.map(inspectVault).sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)),
            challenges: { total: this.challenges.total, byHost: { ...this.challenges.byHost } },
        };
    }

    snapshot(): unknown {
        const vaults = [...this.vaults.values()];
        vaults.forEach((v) => this.sweep(v));
        return snapshotVaults(vaults);
    }

    // ---- HTTP

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        let target: Target | undefined;
        try {
            const raw = await readBody(req);
            target = parseTarget(req.headers[AZURE_HOST_HEADER]);
            if (!target && req.headers[AZURE_HOST_HEADER] === `127.0.0.1:${this.boundPort}`)
                throw new AzureError(400, "BadParameter", `${AZURE_HOST_HEADER} names the emulator itself: the client's httpClient rewrote request.url in place and re-sent it (a retry or the challenge round trip), so the original host is lost.`);
            if (!target) throw new AzureError(400, "BadParameter", `Unknown or missing ${AZURE_HOST_HEADER}: expected <vault>.vault.azure.net, <hsm>.managedhsm.azure.net or ${ARM_HOST}.`);
            const url = new URL(req.url ?? "/", "http://emulator");
            const hasBearer = /^Bearer\s+\S+/i.test(req.headers.authorization ?? "");
            if (!hasBearer) return this.unauthorized(res, target);
            if (!url.searchParams.get("api-version"))
                throw new AzureError(400, target.kind === "arm" ? "MissingApiVersionParameter" : "BadParameter", "The api-version query parameter (?api-version=) is required for all requests.");
            let segments: string[];
            try {
                segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
            } catch {
                throw new AzureError(400, "BadParameter", "The request URI is not valid.");
            }
            let body: unknown;
            if (raw.length > 0) {
                try {
                    body = JSON.parse(raw.toString("utf8"));
                } catch {
                    throw new AzureError(400, target.kind === "arm" ? "InvalidRequestContent" : "BadParameter", "The request body is not valid JSON.");
                }
            }
            const request: Request = { method: (req.method ?? "GET").toUpperCase(), segments, query: url.searchParams, body };
            const route = this.route(request, target);
            if (!route) {
                this.calls.push({ operation: "unsupported" });
                throw target.kind === "arm"
                    ? new AzureError(400, "InvalidResourceType", `The emulator does not serve ${request.method} ${url.pathname}.`)
                    : new AzureError(400, "BadParameter", `The request URI ${request.method} ${url.pathname} is not a supported Key Vault operation.`);
            }
            const { fault, latencyMs } = this.faults.decide(route.operation);
            if (latencyMs > 0) await sleep(latencyMs);
            const kind = fault?.kind ?? (latencyMs > 0 ? "latency" : undefined);
            this.calls.push({ operation: route.operation, ...(kind ? { fault: kind } : {}) });
            if (fault?.kind === "drop") {
                req.socket.destroy();
                return;
            }
            if (fault?.kind === "throttle") throw new AzureError(429, target.kind === "arm" ? "TooManyRequests" : "Throttled", "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached.", undefined, { "Retry-After": "0" });
            if (fault?.kind === "server-error") throw new AzureError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry.");
            if (fault?.kind === "drop-after-apply") {
                // Applied (or refused: whatever the call did stays), and the answer never arrives.
                await Promise.resolve()
                    .then(() => route.run())
                    .catch(() => undefined);
                req.socket.destroy();
                return;
            }
            this.send(res, await route.run());
        } catch (e) {
            if (e instanceof AzureError) return this.send(res, { status: e.status, body: e.body(), headers: { ...e.headers } });
            this.send(res, { status: 500, body: { error: { code: "InternalServerError", message: `The emulator failed to serve the request: ${e instanceof Error ? e.name : "error"}.` } } });
        }
    }

    private route(request: Request, target: Target): Route | undefined {
        if (target.kind === "arm") {
            return routeArm(request, {
                findVault: (name) => this.vaults.get(this.vaultKey("vault", name)),
                ensureVault: (name) => this.ensureVault("vault", name),
                allVaults: () => [...this.vaults.values()].filter((v) => v.kind === "vault"),
                subscriptionId: this.restrictSubscription,
                now: () => this.clock.now(),
            });
        }
        const { kind, name } = target;
        return routeDataPlane(request, {
            vault: () => {
                const v = this.ensureVault(kind, name);
                this.sweep(v);
                return v;
            },
            now: () => this.clock.now(),
        });
    }

    /** Data plane: the bearer challenge `@azure/keyvault-common` answers with a token (counted, never a fault). ARM: 401. */
    private unauthorized(res: http.ServerResponse, target: Target): void {
        if (target.kind === "arm") {
            return this.send(res, {
                status: 401,
                headers: { "WWW-Authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/${this.tenantId}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."` },
                body: { error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } },
            });
        }
        this.challenges.total++;
        this.challenges.byHost[target.host] = (this.challenges.byHost[target.host] ?? 0) + 1;
        const resource = target.kind === "managedHsm" ? "https://managedhsm.azure.net" : "https://vault.azure.net";
        this.send(res, {
            status: 401,
            headers: { "WWW-Authenticate": `Bearer authorization="https://login.microsoftonline.com/${this.tenantId}", resource="${resource}"` },
            body: { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } },
        });
    }

    private send(res: http.ServerResponse, reply: Reply): void {
        if (res.headersSent || res.destroyed) return;
        const headers: Record<string, string> = { "x-ms-keyvault-service-version": "emulator", ...(reply.headers ?? {}) };
        if (reply.body === undefined) {
            res.writeHead(reply.status, { ...headers, "Content-Length": "0" });
            res.end();
            return;
        }
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.status, { ...headers, "Content-Type": "application/json; charset=utf-8", "Content-Length": String(Buffer.byteLength(text)) });
        res.end(text);
    }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) {
                reject(new AzureError(413, "RequestTooLarge", `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
                req.destroy();
                return;
            }
            chunks.push(c);
        });
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}
