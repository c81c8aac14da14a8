/**
 * `detectDrift`: plans the checks for a stack's key resources, runs them with bounded concurrency against the live
 * clouds (clients from `sdk/clients`, the SDKs' own retries on throttling), optionally re-runs the policy pack over
 * the live state, and returns one report with each finding once.
 */
import { CheckContext, CheckResult, Clients, DriftSetupError, RawFinding } from "./context";
import { planChecks, StateIndex } from "./plan";
import { policyDrift, PolicyOptions } from "./policy";
import type { StackState } from "./state";
import { DriftReport, Finding, FindingKind, PolicyRunInfo, Severity, SEVERITIES, severityRank } from "./types";

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
    /** Policy drift: false to skip; otherwise the pack (default: the bundled key-management pack) and its config. */
    readonly policy?: false | PolicyOptions;
    /** Called after each resource check. */
    readonly onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_EXPIRY_WARNING_DAYS = 30;
export const DEFAULT_CONCURRENCY = 8;

/** Runs `f` over `items`, at most `n` at a time; stops taking new items after a setup error and rethrows it. */
async function pool<T>(items: readonly T[], n: number, f: (item: T, index: number) => Promise<void>): Promise<void> {
    let next = 0;
    let fatal: unknown;
    const worker = async () => {
        while (fatal === undefined && next < items.length) {
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

export async function detectDrift(state: StackState, options: DriftOptions = {}): Promise<DriftReport> {
    const started = Date.now();
    const now = options.now ?? Date.now();
    const expiryWarningDays = options.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
    const index = new StateIndex(state);
    const plan = planChecks(state, index);
    const clients = new Clients({ env: options.env, maxAttempts: options.maxAttempts });
    const ctx: CheckContext = { now, expiryWarningDays, clients, index };
    const raw: RawFinding[] = [];
    const live = new Map<string, Record<string, unknown> | null>();
    let done = 0;
    let policy: PolicyRunInfo = { status: "disabled" };
    try {
        await pool(plan.units, options.concurrency ?? DEFAULT_CONCURRENCY, async (unit) => {
            let result: CheckResult;
            try {
                result = await unit.run(ctx);
            } catch (e) {
                if (e instanceof DriftSetupError) throw e;
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
            raw.push(...result.findings);
            if (result.live !== undefined) live.set(unit.urn, result.live);
            options.onProgress?.(++done, plan.units.length);
        });
        if (options.policy !== false && plan.units.length > 0) {
            const p = await policyDrift(state, live, options.policy ?? {});
            policy = p.info;
            raw.push(...p.findings);
        } else if (options.policy !== false) {
            policy = { status: "skipped", note: "no key resources to check" };
        }
    } finally {
        await clients.close();
    }

    const findings = dedupe(raw);
    const checked = new Set<string>();
    for (const u of plan.units) {
        checked.add(u.urn);
        u.covers.forEach((c) => checked.add(c));
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
        checkedAt: new Date(now).toISOString(),
        expiryWarningDays,
        summary: {
            resources: plan.keyResources,
            checked: checked.size,
            skipped: plan.skipped.length,
            findings: findings.length,
            bySeverity,
            byKind,
            calls: clients.calls,
            durationMs: Date.now() - started,
        },
        findings,
        skipped: plan.skipped,
        policy,
    };
}
