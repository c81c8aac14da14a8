/**
 * 4. Policy cost: the key-management pack through its analyzer gRPC server over the resources of the largest
 * hierarchy (as `keyfabric preview` runs it), as resources per second and as a share of the whole preview.
 * The pack's rules are written by others as this runs: a failing pack is an "error" row, never a crash.
 */
import * as fs from "fs";
import * as path from "path";
import { ChildRun, runNode, workDir } from "../lib/child";
import { errorRow, Row, RunOptions } from "../lib/rows";
import { int, median, ms, pct } from "../lib/stats";

const GOAL = 5000;
/** Each run starts the pack (ts-node type-checks it) and analyzes ~10,700 resources: at most this many. */
const MAX_RUNS = 3;

export interface PolicyContext {
    /** The keyfabric preview's median wall time for `keys` (from the preview section), when it ran. */
    readonly previewWallMs?: Record<number, number>;
}

export async function policyCost(opts: RunOptions, ctx: PolicyContext): Promise<Row[]> {
    const keys = opts.quick ? 10 : 1000;
    const section = "policy";
    const name = `key-management pack over the ${int(keys)}-key hierarchy`;
    const goal = `≥ ${int(GOAL)} resources/s`;
    const runFile = path.join(workDir(), `run-${keys}.json`);
    let previewWall = ctx.previewWallMs?.[keys];
    if (!fs.existsSync(runFile) || previewWall === undefined) {
        opts.log(`policy: recording the ${keys}-key preview`);
        const rec = await runNode("preview-keyfabric.js", [String(keys), "--save-run", runFile]);
        if (!rec.ok) return [errorRow(section, name, goal, rec.error)];
        previewWall ??= rec.wallMs;
    }
    const runs = Math.min(opts.runs, MAX_RUNS);
    opts.log(`policy: ${runs} runs`);
    const results: ChildRun[] = [];
    for (let i = 0; i < runs; i++) {
        const r = await runNode("policy.js", [runFile], { timeoutMs: 600_000 });
        if (!r.ok) return [errorRow(section, name, goal, r.error)];
        results.push(r);
    }
    const med = (k: string) => median(results.map((r) => r.result[k]));
    const resources = results[0].result.resources as number;
    const analyzeMs = med("analyzeMs");
    const policyMs = med("policyMs");
    const startupMs = med("startupMs");
    const renderMs = med("renderMs");
    const perSecond = resources / (analyzeMs / 1000);
    const endToEnd = resources / (policyMs / 1000);
    const total = previewWall + policyMs + renderMs;
    return [
        {
            section,
            name: `${name}: throughput`,
            candidate: `${int(perSecond)} resources/s`,
            baseline: "-",
            ratio: "-",
            goal,
            holds: perSecond >= GOAL ? "yes" : "no",
            notes: `${int(resources)} resources, ${results[0].result.policies} policies, ${int(results[0].result.violations)} violations; Analyze per resource + AnalyzeStack ${ms(analyzeMs)} (AnalyzeStack ${ms(med("analyzeStackMs"))}); pack start ${ms(startupMs)}; end to end ${int(endToEnd)} resources/s; ${runs} runs`,
            data: { keys, resources, runs, analyzeMs, policyMs, startupMs, renderMs, perSecond, endToEnd, policies: results[0].result.policies, violations: results[0].result.violations },
        },
        {
            section,
            name: `${name}: share of keyfabric preview`,
            candidate: ms(policyMs),
            baseline: ms(total),
            ratio: pct(policyMs / total),
            goal: "none (informational)",
            holds: "info",
            notes: `policy time / (preview program ${ms(previewWall)} + policy ${ms(policyMs)} + text report ${ms(renderMs)})`,
            data: { previewWallMs: previewWall, policyMs, renderMs, share: policyMs / total },
        },
    ];
}
