/**
 * An in-process Azure Key Vault / Managed HSM keys data-plane emulator plus the ARM `Microsoft.KeyVault/vaults`
 * management plane, which the official, unmodified `KeyClient`, `CryptographyClient` and `KeyVaultManagementClient`
 * talk to. It does the real cryptography with Node's `crypto`.
 *
 * Addressing (`./azure/protocol.ts`): each vault or HSM in `vaults` / `managedHsms` (or `serveVault()`) has a port
 * of its own, `http://127.0.0.1:P`, for unmodified clients (ids and links name that port); the main port serves
 * every vault, HSM and ARM to keyfabric's factories, which send the original host in `x-keyfabric-original-host`
 * (ids keep the real host). Vaults and HSMs come into existence on first served data-plane use (implicitly Premium,
 * 90-day soft-delete retention, no purge protection) or through an ARM PUT, whose properties then rule the data
 * plane (SKU, retention, purge protection).
 *
 * Per request: bearer challenge (data plane, as `@azure/keyvault-common` expects) → route → `faults.decide(op)` →
 * serve. Challenges and faulted calls never change state, except `drop-after-apply`: the call is served, then the
 * connection is destroyed without the answer.
 */
import * as http from "http";
import type { Socket } from "net";
import { sleep, systemClock, FaultInjector, type AsyncStates, type Clock, type Emulator, type EmulatorOptions, type FaultKind } from "./common";
import { routeArm } from "./azure/arm";
import { routeDataPlane, type Reply, type Request, type Route } from "./azure/dataplane";
import { AzureError } from "./azure/errors";
import { parseAzureSnapshot } from "./azure/persist";
import { azureOrigin, inspectVault, lower, restoreVaults, snapshotVaults, type AzureInspection, type VaultKind, type VaultRecord } from "./azure/model";
import { ARM_HOST, AZURE_HOST_HEADER, azureHost, targetOfHost, VAULT_NAME, type Target } from "./azure/protocol";

export { AZURE_HOST_HEADER, DEFAULT_HSM_NAME, DEFAULT_VAULT_NAME } from "./azure/protocol";

export type { AzureInspection, AzureVaultInspection, AzureKeyInspection, AzureKeyVersionInspection, AzureDeletedKeyInspection, AzureSnapshot } from "./azure/model";

export interface AzureKeyVaultEmulator extends Emulator {
    readonly tenantId: string;
    readonly subscriptionId: string;
    /** Vaults and HSMs with their keys (never material: fingerprints), deleted keys, rotation policies, ARM properties, challenge counts. JSON-serialisable. */
    inspect(): AzureInspection;
    /** Vaults served on ports of their own: name → `http://127.0.0.1:P`, the vault URL an unmodified `KeyClient` takes. */
    readonly vaultUrls: Readonly<Record<string, string>>;
    /** The same for Managed HSMs. */
    readonly managedHsmUrls: Readonly<Record<string, string>>;
    /**
     * Serves the vault (or HSM) `name` on a port of its own (idempotent: the same URL again) and resolves to its URL.
     * A name that Key Vault would refuse (3-24 letters, digits and hyphens, a letter first) is an error.
     */
    serveVault(name: string, options?: { readonly kind?: VaultKind; readonly port?: number }): Promise<string>;
}

/** A vault or HSM to serve on a port of its own: its name, or its name and port (0: a free one). */
export type VaultListener = string | { readonly name: string; readonly port?: number };

export type AzureEmulatorOptions = EmulatorOptions & {
    /** The tenant named in the bearer challenge. @default "00000000-0000-0000-0000-000000000000" */
    readonly tenantId?: string;
    /** When set, ARM requests for another subscription get 404 SubscriptionNotFound. @default any subscription is accepted */
    readonly subscriptionId?: string;
    /** Vaults served on ports of their own at start (see `serveVault`). @default none */
    readonly vaults?: readonly VaultListener[];
    /** Managed HSMs served on ports of their own at start. @default none */
    readonly managedHsms?: readonly VaultListener[];
};

/**
 * How long a delete or a recover takes to show with `asyncStates: "service"`: recorded, Key Vault answers 404 to
 * GetDeletedKey right after DeleteKey and 200 within 5 s (`recording_can_delete_a_key.json`).
 */
export const AZURE_SETTLE_MS = 2_000;

export const DEFAULT_TENANT_ID = "00000000-0000-0000-0000-000000000000";
const DEFAULT_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** The Host header of a request to a vault's own port, when it is a loopback address (else 127.0.0.1:P). */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/i;

/** A vault or HSM on a port of its own. */
interface VaultPort {
    readonly kind: VaultKind;
    readonly name: string;
    readonly server: http.Server;
    readonly port: number;
}

export async function startAzureKeyVaultEmulator(options: AzureEmulatorOptions = {}): Promise<AzureKeyVaultEmulator> {
    const emulator = new AzureKeyVaultEmulatorServer(options);
    await emulator.listen(options.port ?? 0);
    try {
        for (const [kind, list] of [["vault", options.vaults], ["managedHsm", options.managedHsms]] as const)
            for (const l of list ?? []) await emulator.serveVault(typeof l === "string" ? l : l.name, { kind, port: typeof l === "string" ? 0 : l.port });
    } catch (e) {
        await emulator.stop();
        throw e;
    }
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
    private readonly vaultPorts = new Map<string, VaultPort>();
    private readonly settleMs: number;
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
        this.settleMs = (options.asyncStates ?? ("service" satisfies AsyncStates)) === "instant" ? 0 : AZURE_SETTLE_MS;
        this.server = this.createServer(undefined);
    }

    /** One server per port; `fixed`: the vault or HSM a port of its own serves. */
    private createServer(fixed: { kind: VaultKind; name: string } | undefined): http.Server {
        const server = http.createServer((req, res) => void this.handle(req, res, fixed).finally(() => this.onChange?.()));
        server.keepAliveTimeout = 5_000;
        server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
        return server;
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

    get vaultUrls(): Record<string, string> {
        return this.urls("vault");
    }

    get managedHsmUrls(): Record<string, string> {
        return this.urls("managedHsm");
    }

    private urls(kind: VaultKind): Record<string, string> {
        return Object.fromEntries([...this.vaultPorts.values()].filter((p) => p.kind === kind).map((p) => [p.name, `http://127.0.0.1:${p.port}`]));
    }

    async serveVault(name: string, options: { readonly kind?: VaultKind; readonly port?: number } = {}): Promise<string> {
        const kind = options.kind ?? "vault";
        const what = kind === "vault" ? "Key Vault" : "Managed HSM";
        if (typeof name !== "string" || !VAULT_NAME.test(name))
            throw new Error(`a ${what} name is 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without "--" (got: ${JSON.stringify(name)})`);
        if (this.stopped) throw new Error("the Azure emulator is stopped");
        const key = this.vaultKey(kind, name);
        const existing = this.vaultPorts.get(key);
        if (existing) return `http://127.0.0.1:${existing.port}`;
        const server = this.createServer({ kind, name: lower(name) });
        await new Promise<void>((resolve, reject) => {
            server.once("error", (e) => reject(new Error(`the ${what} ${name} cannot listen on 127.0.0.1:${options.port || "(a free port)"} (${e.message})`)));
            server.listen(options.port ?? 0, "127.0.0.1", () => {
                server.removeAllListeners("error");
                resolve();
            });
        });
        const port = (server.address() as { port: number }).port;
        this.vaultPorts.set(key, { kind, name: lower(name), server, port });
        return `http://127.0.0.1:${port}`;
    }

    stop(): Promise<void> {
        this.stopped ??= new Promise<void>((resolve) => {
            const servers = [this.server, ...[...this.vaultPorts.values()].map((p) => p.server)];
            let open = servers.length;
            for (const server of servers) server.close(() => --open === 0 && resolve());
            for (const s of this.sockets) s.destroy();
            for (const server of servers) server.closeAllConnections();
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
        const nowMs = this.clock.now();
        const now = Math.floor(nowMs / 1000);
        for (const [k, d] of v.deleted) if (d.scheduledPurgeDate <= now) v.deleted.delete(k);
        // Deletes and recovers that have settled.
        for (const d of v.deleted.values()) if (d.visibleAt !== undefined && d.visibleAt <= nowMs) delete d.visibleAt;
        for (const k of v.keys.values()) if (k.visibleAt !== undefined && k.visibleAt <= nowMs) delete k.visibleAt;
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

    /** The vault a port of its own serves; its ids name the address the client used (127.0.0.1:P or localhost:P). */
    private fixedTarget(req: http.IncomingMessage, fixed: { kind: VaultKind; name: string }, port: number): Target {
        const hostHeader = req.headers.host ?? "";
        const origin = `http://${LOOPBACK_HOST.test(hostHeader) ? lower(hostHeader) : `127.0.0.1:${port}`}`;
        return { kind: fixed.kind, name: fixed.name, host: azureHost(fixed.kind, fixed.name), origin };
    }

    private headerTarget(req: http.IncomingMessage): Target {
        const header = req.headers[AZURE_HOST_HEADER];
        const target = targetOfHost(header);
        if (target) return target;
        if (header === `127.0.0.1:${this.boundPort}`)
            throw new AzureError(400, "BadParameter", `${AZURE_HOST_HEADER} names the emulator itself: the client's httpClient rewrote request.url in place and re-sent it (a retry or the challenge round trip), so the original host is lost.`);
        const own = Object.entries({ ...this.vaultUrls, ...this.managedHsmUrls }).map(([n, u]) => `${n}: ${u}`);
        throw new AzureError(
            400,
            "BadParameter",
            `Unknown or missing ${AZURE_HOST_HEADER}: this is the emulator's shared port, for keyfabric's client factories (the header names <vault>.vault.azure.net, <hsm>.managedhsm.azure.net or ${ARM_HOST}). ` +
                `An unmodified client takes a vault's own URL: ${own.length ? own.join(", ") : "none is served; start the emulator with vaults / managedHsms, serveVault(name), or keyfabric emulate --azure-vault NAME"}.`,
        );
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse, fixed: { kind: VaultKind; name: string } | undefined): Promise<void> {
        let target: Target | undefined;
        try {
            const raw = await readBody(req);
            const own = fixed ? this.vaultPorts.get(this.vaultKey(fixed.kind, fixed.name)) : undefined;
            target = fixed ? this.fixedTarget(req, fixed, own?.port ?? 0) : this.headerTarget(req);
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
        const { kind, name, origin } = target;
        const own = this.vaultPorts.get(this.vaultKey(kind, name));
        return routeDataPlane(request, {
            vault: () => {
                const v = this.ensureVault(kind, name);
                this.sweep(v);
                return v;
            },
            now: () => this.clock.now(),
            origin,
            origins: [azureOrigin({ kind, name }), ...(own ? [`http://127.0.0.1:${own.port}`, `http://localhost:${own.port}`] : [])],
            settleMs: this.settleMs,
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
        // As recorded: a vault names login.windows.net and sends an error body; a Managed HSM names
        // login.microsoftonline.com and sends no body.
        if (target.kind === "managedHsm")
            return this.send(res, { status: 401, headers: { "WWW-Authenticate": `Bearer authorization="https://login.microsoftonline.com/${this.tenantId}", resource="https://managedhsm.azure.net"` } });
        this.send(res, {
            status: 401,
            headers: { "WWW-Authenticate": `Bearer authorization="https://login.windows.net/${this.tenantId}", resource="https://vault.azure.net"` },
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
