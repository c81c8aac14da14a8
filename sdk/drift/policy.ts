/**
 * Policy drift: the key-management policy pack, re-run over the live state. The pack is served once through
 * `sdk/policy/analyzer` (its analyzer gRPC server), started while the clouds are read (`startPolicyPack`: the start is
 * most of the policy step's time), and analyzes twice (Analyze per resource and AnalyzeStack): once the state's
 * properties and once the same properties with the live values the checks read overlaid. Violations that only the
 * live run reports are drift (`policy-violation`); violations the state already has were shown by `pulumi preview
 * --policy-pack` and are not repeated.
 */
import * as fs from "fs";
import * as path from "path";
import type { OpenPack, PackConfig } from "../policy/analyzer";
import type { RawFinding } from "./context";
import { nameOf, propsOf, SECRET, StackState } from "./state";
import type { Cloud, PolicyRunInfo, Severity } from "./types";

/** What the engine sends for values it does not know; secrets in state are sent as this. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface PolicyOptions {
    /** The pack directory. @default the bundled key-management pack (`DEFAULT_POLICY_PACK`) */
    readonly packDir?: string;
    /** Pack config, as `--policy-pack-config` files hold it. */
    readonly config?: Record<string, unknown>;
}

interface Violation {
    readonly policy: string;
    readonly pack: string;
    readonly enforcementLevel: string;
    readonly urn: string;
    readonly message: string;
    readonly severity?: string;
}

function plain(v: unknown): unknown {
    if (v === SECRET) return UNKNOWN;
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : plain(x)));
    if (typeof v === "object" && v !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x);
        return out;
    }
    return v;
}

export function cloudOfType(type: string): Cloud | "stack" {
    if (type.startsWith("aws:") || type.includes("keyfabric:Aws") || type.startsWith("keyfabric:aws:")) return "aws";
    if (type.startsWith("gcp:") || type.includes("keyfabric:Gcp") || type.startsWith("keyfabric:gcp:")) return "gcp";
    if (type.startsWith("azure") || type.includes("keyfabric:Azure") || type.startsWith("keyfabric:azure:")) return "azure";
    return "stack";
}

/** An explicit --policy-pack that is not a pack: the same error policyDrift gives, before any cloud call. */
export function checkPolicyPackDir(packDir: string): void {
    const dir = path.resolve(packDir);
    if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) throw new Error(`--policy-pack ${packDir}: not a policy pack (no PulumiPolicy.yaml in ${dir})`);
}

/** A pack being started for one drift run: its server serves both analyses; `close()` stops it (at any point). */
export interface StartedPack {
    readonly dir: string;
    /** The server starting (undefined when `dir` is not a pack); rejected with why it could not start. */
    readonly opening?: Promise<OpenPack>;
    close(): void;
}

/** Starts the pack's server, to be used by `policyDrift` once the clouds have been read. */
export function startPolicyPack(options: PolicyOptions): StartedPack {
    const analyzer = require("../policy/analyzer") as typeof import("../policy/analyzer");
    const dir = path.resolve(options.packDir ?? analyzer.DEFAULT_POLICY_PACK);
    if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) return { dir, close: () => undefined };
    const stop = new AbortController();
    const opening = analyzer.openPolicyPack(dir, { config: options.config as PackConfig | undefined, signal: stop.signal });
    // Reported by policyDrift; a run that never gets there (a cloud error, the deadline) reports nothing about it.
    opening.catch(() => undefined);
    let closed = false;
    return {
        dir,
        opening,
        close() {
            if (closed) return;
            closed = true;
            stop.abort();
            opening.then((p) => p.close(), () => undefined);
        },
    };
}

export async function policyDrift(
    state: StackState,
    live: ReadonlyMap<string, Record<string, unknown> | null>,
    options: PolicyOptions,
    started: StartedPack = startPolicyPack(options),
): Promise<{ info: PolicyRunInfo; findings: RawFinding[] }> {
    const { dir, opening } = started;
    if (!opening) {
        if (options.packDir !== undefined) throw new Error(`--policy-pack ${options.packDir}: not a policy pack (no PulumiPolicy.yaml in ${dir})`);
        return { info: { status: "skipped", dir, note: `the bundled policy pack is not installed at ${dir}; pass --policy-pack DIR or --no-policy` }, findings: [] };
    }
    const resources = state.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:") && !r.delete);
    const input = (overlay: boolean) =>
        resources.flatMap((r) => {
            const l = live.get(r.urn);
            if (overlay && l === null) return []; // gone from the cloud
            const props = { ...propsOf(r), ...(overlay && l ? l : {}) };
            return [{ urn: r.urn, type: r.type, name: nameOf(r.urn), props: plain(props) as Record<string, unknown>, ...(r.parent ? { parent: r.parent } : {}), ...(r.protect !== undefined ? { protect: r.protect } : {}) }];
        });
    let pack: OpenPack;
    let declared: readonly Violation[];
    let current: readonly Violation[];
    try {
        pack = await opening;
        // One server for both: the pack keeps nothing from one request to the next but its configuration.
        [declared, current] = await Promise.all([pack.analyze(input(false)), pack.analyze(input(true))]);
    } catch (e) {
        // A pack config report lists every problem on its own line: keep them all, the hint on the first line.
        const [first, ...rest] = (e as Error).message.split("\n");
        throw new Error([`policy pack ${dir} failed: ${first} (run with --no-policy to skip policy drift)`, ...rest].join("\n"));
    } finally {
        started.close();
    }
    const key = (v: Violation) => (v.urn ? `${v.policy}\u0000${v.urn}` : `${v.policy}\u0000\u0000${v.message}`);
    const before = new Set(declared.map(key));
    const stackUrn = state.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const findings: RawFinding[] = [];
    const seen = new Set<string>();
    for (const v of current) {
        const k = key(v);
        if (before.has(k) || seen.has(k) || v.enforcementLevel === "disabled") continue;
        seen.add(k);
        const r = v.urn ? state.resources.find((x) => x.urn === v.urn) : undefined;
        const type = r?.type ?? "pulumi:pulumi:Stack";
        const cloud = cloudOfType(type);
        const severity: Severity = (["critical", "high", "medium", "low"] as const).find((s) => s === v.severity) ?? (v.enforcementLevel === "mandatory" ? "high" : "medium");
        findings.push({
            urn: v.urn || stackUrn,
            type,
            cloud,
            kind: "policy-violation",
            severity,
            expected: { policy: v.policy, violated: false },
            actual: { policy: v.policy, pack: v.pack, enforcementLevel: v.enforcementLevel, violated: true },
            message: `${v.pack}/${v.policy} (${v.enforcementLevel}): ${v.message.split("\n")[0]}`,
            subject: `policy:${k}`,
        });
    }
    return { info: { status: "ran", pack: pack.pack, version: pack.version, dir }, findings };
}
