/**
 * What the three emulators share: a controllable clock, fault injection, and the emulator contract.
 */

/** Milliseconds since the epoch; tests move it forward to expire tokens, import jobs and material. */
export interface Clock {
    now(): number;
}

export class ManualClock implements Clock {
    private t: number;
    constructor(start: number = Date.now()) {
        this.t = start;
    }
    now(): number {
        return this.t;
    }
    /** Moves time forward by `ms`. */
    advance(ms: number): void {
        this.t += ms;
    }
    set(ms: number): void {
        this.t = ms;
    }
}

export const systemClock: Clock = { now: () => Date.now() };

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** A fault the emulator answers with instead of serving the call. */
export type FaultKind =
    /** AWS ThrottlingException (400), GCP RESOURCE_EXHAUSTED, Azure 429 with Retry-After. */
    | "throttle"
    /** AWS KMSInternalException (500), GCP UNAVAILABLE/INTERNAL, Azure 503. */
    | "server-error"
    /** The connection is destroyed without an answer (after the call was NOT applied). */
    | "drop"
    /**
     * The call IS applied (its effect is in the emulator's state), then the answer is lost: AWS and Azure destroy the
     * connection without writing the response; GCP answers UNAVAILABLE "Connection dropped", what grpc-js reports for
     * a lost connection (a unary handler cannot cut its own HTTP/2 stream without cutting every call on the
     * connection). What a client sees after a timeout or a reset when the service did the work.
     */
    | "drop-after-apply"
    /** The call is served after `latencyMs`. */
    | "latency";

export interface FaultRule {
    /** Operation name (AWS target, GCP method, Azure operation) or "*" for all. @default "*" */
    readonly operation?: string;
    readonly kind: FaultKind;
    /** Probability 0..1 per matching call. */
    readonly rate?: number;
    /** Or: exactly the next N matching calls. */
    readonly next?: number;
    readonly latencyMs?: number;
}

/** Decides, per call, whether to inject a fault. Deterministic for a seed. */
export class FaultInjector {
    private rules: { rule: FaultRule; remaining?: number }[] = [];
    private seed: number;
    /** Count of faults injected, per kind, for assertions. */
    readonly injected: Record<FaultKind, number> = { throttle: 0, "server-error": 0, drop: 0, "drop-after-apply": 0, latency: 0 };

    constructor(seed = 1) {
        this.seed = seed >>> 0 || 1;
    }

    add(rule: FaultRule): this {
        this.rules.push({ rule, remaining: rule.next });
        return this;
    }

    clear(): void {
        this.rules = [];
    }

    /** mulberry32: a small deterministic PRNG. */
    private random(): number {
        let t = (this.seed += 0x6d2b79f5);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** The fault for this call, if any (latency rules are returned with the other fault, if both match). */
    decide(operation: string): { fault?: FaultRule; latencyMs: number } {
        let latencyMs = 0;
        let fault: FaultRule | undefined;
        for (const entry of this.rules) {
            const r = entry.rule;
            if ((r.operation ?? "*") !== "*" && r.operation !== operation) continue;
            let hit = false;
            if (entry.remaining !== undefined) {
                if (entry.remaining > 0) {
                    entry.remaining--;
                    hit = true;
                }
            } else if (r.rate !== undefined) {
                hit = this.random() < r.rate;
            }
            if (!hit) continue;
            if (r.kind === "latency") latencyMs += r.latencyMs ?? 0;
            else fault ??= r;
        }
        if (latencyMs > 0) this.injected.latency++;
        if (fault) this.injected[fault.kind]++;
        return { fault, latencyMs };
    }
}

export interface EmulatorOptions {
    /** @default 0 (a free port) */
    readonly port?: number;
    /** @default the system clock */
    readonly clock?: Clock;
    readonly faults?: FaultInjector;
    /** A `snapshot()` of an earlier run, to continue from (validated in full: an `EmulatorStateError` lists every problem). */
    readonly state?: unknown;
    /** Called after every request the emulator served (its state may have changed): `keyfabric emulate --state` saves on it. */
    readonly onChange?: () => void;
    /**
     * How long the services' slow operations take, on the emulator's clock: `"service"` as the real service makes
     * callers wait (GCP asymmetric/HSM versions and HSM import jobs start `PENDING_GENERATION`, Azure deletes and
     * recovers take a few seconds to show, AWS `RotateKeyOnDemand` finishes later), `"instant"` for fast tests.
     * @default "service"
     */
    readonly asyncStates?: AsyncStates;
}

/** See `EmulatorOptions.asyncStates`. */
export type AsyncStates = "service" | "instant";

/** What every emulator offers a test. */
export interface Emulator {
    readonly port: number;
    /** The endpoint to give the SDK (AWS/Azure: `http://127.0.0.1:P`; GCP: `127.0.0.1:P`). */
    readonly endpoint: string;
    readonly clock: Clock;
    readonly faults: FaultInjector;
    /** Every call served, operation names in order (faulted calls included, marked). */
    readonly calls: { operation: string; fault?: FaultKind }[];
    /** JSON-serialisable state, for `--state` persistence (test-only key material of the emulator itself). */
    snapshot(): unknown;
    stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
