/**
 * `detectDrift`: plans the checks for a stack's key resources, runs them with bounded concurrency against the live
 * clouds (clients from `sdk/clients`, the SDKs' own retries on throttling, every call within its budget), optionally
 * re-runs the policy pack over the live state, and returns one report with each finding once.
 *
 * The run has a deadline (`timeoutMs`): when it passes, calls in flight are abandoned, no new check starts, and the
 * report covers what was checked, with an error saying how many resources were not. A cloud that cannot be used (no
 * credentials, unreachable, permission denied on every call: see `context.ts`) is an error too, never findings.
 */
import { setMaxListeners } from "events";
import { CheckContext, CheckResult, Clients, CloudUnreachable, DeadlinePassed, DEFAULT_CALL_TIMEOUT_MS, DriftSetupError, RawFinding } from "./context";
import { CheckUnit, planChecks, StateIndex } from "./plan";
import { policyDrift, PolicyOptions, startPolicyPack } from "./policy";
import { secretFields, StackState } from "./state";
import { Cloud, DriftError, DriftReport, Finding, FindingKind, PolicyRunInfo, SecretFields, Severity, SEVERITIES, severityRank, SkippedResource } from "./types";

export interface DriftOptions {
    /** Evaluation time for time-based findings (epoch ms). @default Date.now() */
    readonly now?: number;
    /** Warn about material and keys expiring within this many days. @default 30 */
    readonly expiryWarningDays?: number;
    /** Resources checked at once. @default 8 */
    readonly concurrency?: number;
    /** Environment for the client factories. @default process.env */
    readonly env?: NodeJS.ProcessEnv;
    /** Attempts per cloud call (the SDKs retry throttling and 5xx). @default 10 */
    readonly maxAttempts?: number;
    /** The whole run's deadline (ms). @default 300 s (DEFAULT_TIMEOUT_MS) */
    readonly timeoutMs?: number;
    /** Time one cloud call may take, the SDK's retries included (ms). @default 30 s */
    readonly callTimeoutMs?: number;
    /** Time one attempt of a call may take (ms). @default 10 s, at most callTimeoutMs */
    readonly attemptTimeoutMs?: number;
    /** Policy drift: false to skip; otherwise the pack (default: the bundled key-management pack) and its config. */
    readonly policy?: false | PolicyOptions;
    /** Called after each resource check. */
    readonly onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_EXPIRY_WARNING_DAYS = 30;
export const DEFAULT_CONCURRENCY = 8;
/**
 * The default deadline: 5 minutes. An estimate, not a measurement against the real clouds: about five reads per key
 * at tens of milliseconds each make a 1,000-key stack some 30 s at the default concurrency, so this leaves ten times
 * that for throttling and slow regions, while a run whose clouds do not answer ends in minutes instead of holding a
 * scheduled job (a GitHub Actions job may run 6 hours by default). Larger stacks raise it with --timeout.
 */
export const DEFAULT_TIMEOUT_MS = 300_000;
export { DEFAULT_CALL_TIMEOUT_MS };

/** Runs `f` over `items`, at most `n` at a time; stops taking new items after a setup error (rethrown) or when `stop()`. */
async function pool<T>(items: readonly T[], n: number, f: (item: T, index: number) => Promise<void>, stop: () => boolean): Promise<void> {
    let next = 0;
    let fatal: unknown;
    const worker = async () => {
        while (fatal === undefined && !stop() && next < items.length) {
            const i = next++;
            try {
                await f(items[i], i);
            } catch (e) {
                fatal ??= e;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
    if (fatal !== undefined) throw fatal;
}

/** Each (subject, kind) once: the most specific resource's finding wins, then the smallest urn. */
export function dedupe(findings: readonly RawFinding[]): Finding[] {
    const best = new Map<string, RawFinding>();
    for (const f of findings) {
        const k = `${f.subject ?? f.urn}\u0000${f.kind}`;
        const cur = best.get(k);
        if (!cur || (f.specificity ?? 2) > (cur.specificity ?? 2) || ((f.specificity ?? 2) === (cur.specificity ?? 2) && f.urn < cur.urn)) best.set(k, f);
    }
    return [...best.values()]
        .map(({ subject: _s, specificity: _p, ...finding }) => finding)
        .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.message < b.message ? -1 : 1));
}

/** Resolves with `p`, or with `undefined` once `signal` aborts. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
        const on = () => resolve(undefined);
        signal.addEventListener("abort", on, { once: true });
        p.then(
            (v) => {
                signal.removeEventListener("abort", on);
                resolve(v);
            },
            (e) => {
                signal.removeEventListener("abort", on);
                reject(e);
            },
        );
    });
}

export async function detectDrift(state: StackState, options: DriftOptions = {}): Promise<DriftReport> {
    const started = Date.now();
    const now = options.now ?? Date.now();
    const expiryWarningDays = options.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const index = new StateIndex(state);
    const plan = planChecks(state, index);
    const deadline = new AbortController();
    // Each call in flight listens to the deadline until it settles (2 × --concurrency at most): not a leak.
    setMaxListeners(0, deadline.signal);
    const deadlineTimer = setTimeout(() => deadline.abort(), timeoutMs);
    deadlineTimer.unref?.();
    const clients = new Clients({
        env: options.env,
        maxAttempts: options.maxAttempts,
        callTimeoutMs: options.callTimeoutMs,
        attemptTimeoutMs: options.attemptTimeoutMs,
        deadline: deadline.signal,
        deadlineAt: started + timeoutMs,
    });
    const ctx: CheckContext = { now, expiryWarningDays, clients, index };
    /** Completed checks: their findings, live values and how many calls they made. */
    const results = new Map<CheckUnit, { result: CheckResult; calls: number }>();
    /** Checks stopped by a cloud error or the deadline. */
    const stopped = new Map<CheckUnit, CloudUnreachable | DeadlinePassed>();
    let done = 0;
    let policy: PolicyRunInfo = { status: "disabled" };
    let policyFindings: RawFinding[] = [];
    let policyCut = false;
    // The pack's server starts while the clouds are read: its start (seconds; a TypeScript pack is type-checked
    // first) is most of the policy step, and the reads mostly wait on the network.
    const pack = options.policy !== false && plan.units.length > 0 ? startPolicyPack(options.policy ?? {}) : undefined;
    try {
        await pool(
            plan.units,
            options.concurrency ?? DEFAULT_CONCURRENCY,
            async (unit) => {
                const counter = { calls: 0 };
                let result: CheckResult;
                try {
                    result = await unit.run({ ...ctx, unit: counter });
                } catch (e) {
                    if (e instanceof DriftSetupError) throw e;
                    if (e instanceof CloudUnreachable || e instanceof DeadlinePassed) {
                        stopped.set(unit, e);
                        options.onProgress?.(++done, plan.units.length);
                        return;
                    }
                    if (deadline.signal.aborted) {
                        stopped.set(unit, new DeadlinePassed());
                        return;
                    }
                    // A bug or an unexpected answer: a finding that names the resource, never a crash of the whole run.
                    result = {
                        findings: [
                            {
                                urn: unit.urn,
                                type: unit.type,
                                cloud: unit.cloud,
                                kind: "read-failed",
                                severity: "medium",
                                expected: "readable",
                                actual: null,
                                message: `checking this resource failed unexpectedly: ${(e as Error)?.message ?? String(e)}`,
                            },
                        ],
                    };
                }
                results.set(unit, { result, calls: counter.calls });
                options.onProgress?.(++done, plan.units.length);
            },
            () => deadline.signal.aborted,
        );

        // A cloud none of whose calls was answered (all denied, or all failing) is an error: its checks that made
        // calls are not checked (their read-failed findings would only say the same thing once per resource).
        const cloudErrors = clients.cloudErrors();
        for (const [unit, r] of results) {
            if (r.calls > 0 && cloudErrors.has(unit.cloud) && clients.allFailed(unit.cloud)) {
                results.delete(unit);
                stopped.set(unit, new CloudUnreachable(unit.cloud, undefined, cloudErrors.get(unit.cloud)!));
            }
        }

        const live = new Map<string, Record<string, unknown> | null>();
        for (const [unit, r] of results) if (r.result.live !== undefined) live.set(unit.urn, r.result.live);
        if (options.policy !== false && plan.units.length > 0) {
            if (deadline.signal.aborted) {
                policy = { status: "skipped", note: "the deadline passed before the policy pack could run" };
                policyCut = true;
            } else if (cloudErrors.size > 0) {
                // The run fails anyway (exit 1): the error is not held back by the pack.
                policy = { status: "skipped", note: `${[...cloudErrors.keys()].join(", ")} could not be checked (see the errors)` };
            } else {
                const p = await unlessAborted(policyDrift(state, live, options.policy ?? {}, pack), deadline.signal);
                if (p) {
                    policy = p.info;
                    policyFindings = p.findings;
                } else {
                    policy = { status: "skipped", note: "the deadline passed while the policy pack ran" };
                    policyCut = true;
                }
            }
        } else if (options.policy !== false) {
            policy = { status: "skipped", note: "no key resources to check" };
        }

        return report(state, index, plan, results, stopped, policyFindings, policy, clients, { now, expiryWarningDays, timeoutMs, started, policyCut });
    } finally {
        pack?.close(); // not needed (a cloud error, the deadline), or done
        clearTimeout(deadlineTimer);
        deadline.abort(); // abandon whatever is still in flight
        await clients.close();
    }
}

function report(
    state: StackState,
    index: StateIndex,
    plan: ReturnType<typeof planChecks>,
    results: Map<CheckUnit, { result: CheckResult; calls: number }>,
    stopped: Map<CheckUnit, CloudUnreachable | DeadlinePassed>,
    policyFindings: RawFinding[],
    policy: PolicyRunInfo,
    clients: Clients,
    run: { now: number; expiryWarningDays: number; timeoutMs: number; started: number; policyCut: boolean },
): DriftReport {
    const raw: RawFinding[] = [];
    for (const r of results.values()) raw.push(...r.result.findings);
    raw.push(...policyFindings);
    const findings = dedupe(raw);

    const planned = new Set<string>();
    for (const u of plan.units) {
        planned.add(u.urn);
        u.covers.forEach((c) => planned.add(c));
    }
    // Not checked: stopped checks, and (after the deadline) checks never started.
    const notChecked: SkippedResource[] = [];
    const uncheckedBy = new Map<Cloud | "deadline", number>();
    const unchecked = new Set<string>();
    for (const u of plan.units) {
        if (results.has(u)) continue;
        const stop = stopped.get(u);
        const scope: Cloud | "deadline" = stop instanceof CloudUnreachable ? stop.cloud : "deadline";
        const reason = stop instanceof CloudUnreachable ? `${stop.cloud}: ${stop.reason}` : "the deadline passed before it was checked";
        for (const urn of [u.urn, ...u.covers]) {
            if (unchecked.has(urn)) continue;
            unchecked.add(urn);
            uncheckedBy.set(scope, (uncheckedBy.get(scope) ?? 0) + 1);
            const r = index.byUrn.get(urn);
            notChecked.push({ urn, type: r?.type ?? u.type, reason });
        }
    }

    const errors: DriftError[] = [];
    for (const [cloud, message] of clients.cloudErrors()) errors.push({ scope: cloud, message, unchecked: uncheckedBy.get(cloud) ?? 0 });
    const n = uncheckedBy.get("deadline") ?? 0;
    if (n > 0 || run.policyCut) {
        const limit = `--timeout ${Math.round(run.timeoutMs / 100) / 10} s`;
        errors.push({
            scope: "deadline",
            message: n === 0 ? `the deadline passed (${limit}) while the policy pack ran: every key resource was compared, policy drift was not checked` : `the deadline passed (${limit}): ${n} of ${planned.size} key resources were not checked`,
            unchecked: n,
        });
    }

    const secrets: SecretFields[] = [];
    for (const urn of planned) {
        const r = index.byUrn.get(urn);
        const fields = r ? secretFields(r) : [];
        if (r && fields.length > 0) secrets.push({ urn, type: r.type, fields });
    }

    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    const byKind: Partial<Record<FindingKind, number>> = {};
    for (const f of findings) {
        bySeverity[f.severity]++;
        byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    }
    return {
        version: 1,
        source: state.source,
        ...(state.stack ? { stack: state.stack } : {}),
        checkedAt: new Date(run.now).toISOString(),
        expiryWarningDays: run.expiryWarningDays,
        summary: {
            stateResources: state.resources.length,
            resources: plan.keyResources,
            checked: planned.size - unchecked.size,
            unchecked: unchecked.size,
            skipped: plan.skipped.length,
            findings: findings.length,
            bySeverity,
            byKind,
            calls: clients.calls,
            durationMs: Date.now() - run.started,
        },
        findings,
        skipped: plan.skipped,
        notChecked,
        errors,
        secrets,
        policy,
    };
}
