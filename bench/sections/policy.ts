/**
 * 4. Policy cost: the key-management pack through its analyzer gRPC server over the resources of the largest
 * hierarchy (as `keyfabric preview` runs it), as resources per second and as a share of the whole preview. Side by
 * side, alternating, with a baseline pack whose policies do nothing (bench/programs/empty-pack): the analyzer protocol
 * alone, the same requests through the same @pulumi/policy server, so the ratio is what the pack's rules add.
 * A failing pack is an "error" row, never a crash.
 */
import * as fs from "fs";
import * as path from "path";
import { ChildRun, PROGRAMS, rotate, runNode, workDir } from "../lib/child";
import { errorRow, Row, RunOptions } from "../lib/rows";
import { int, median, ms, pct, ratio, us } from "../lib/stats";

const GOAL = 5000;
const EMPTY_PACK = path.join(PROGRAMS, "empty-pack");

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
    opts.log(`policy: ${opts.runs} runs each of the pack and the empty pack, alternating`);
    const [pack, empty] = await rotate(opts.runs, [() => runNode("policy.js", [runFile], { timeoutMs: 600_000 }), () => runNode("policy.js", [runFile, EMPTY_PACK], { timeoutMs: 600_000 })], (m) =>
        opts.log(`  ${m}`),
    );
    const failed = [...pack, ...empty].find((r) => !r.ok);
    if (failed) return [errorRow(section, name, goal, failed.error)];
    const med = (rs: ChildRun[], k: string) => median(rs.map((r) => r.result[k]));
    const resources = pack[0].result.resources as number;
    const analyzeMs = med(pack, "analyzeMs");
    const baseMs = med(empty, "analyzeMs");
    const policyMs = med(pack, "policyMs");
    const startupMs = med(pack, "startupMs");
    const renderMs = med(pack, "renderMs");
    const perSecond = resources / (analyzeMs / 1000);
    const basePerSecond = resources / (baseMs / 1000);
    const endToEnd = resources / (policyMs / 1000);
    const total = previewWall + policyMs + renderMs;
    const hasServerCpu = [...pack, ...empty].every((r) => typeof r.result.serverCpuMs === "number");
    const perResource = (rs: ChildRun[], k: string) => (med(rs, k) * 1000) / resources; // µs
    const cpu = {
        server: hasServerCpu ? perResource(pack, "serverCpuMs") : NaN,
        serverBase: hasServerCpu ? perResource(empty, "serverCpuMs") : NaN,
        client: perResource(pack, "clientCpuMs"),
        clientBase: perResource(empty, "clientCpuMs"),
    };
    const rows: Row[] = [
        {
            section,
            name: `${name}: throughput`,
            candidate: `${int(perSecond)} resources/s`,
            baseline: `${int(basePerSecond)} resources/s`,
            ratio: ratio(analyzeMs / baseMs),
            goal,
            holds: perSecond >= GOAL ? "yes" : "no",
            notes:
                `${int(resources)} resources, ${pack[0].result.policies} policies, ${int(pack[0].result.violations)} violations; Analyze per resource + AnalyzeStack ${ms(analyzeMs)} ` +
                `(AnalyzeStack ${ms(med(pack, "analyzeStackMs"))}) vs ${ms(baseMs)} for the empty pack (baseline: the protocol alone); ` +
                `pack start ${ms(startupMs)}; end to end ${int(endToEnd)} resources/s; ${opts.runs} runs each`,
            data: { keys, resources, runs: opts.runs, analyzeMs, baseAnalyzeMs: baseMs, policyMs, startupMs, renderMs, perSecond, basePerSecond, endToEnd, cpuUsPerResource: cpu, policies: pack[0].result.policies, violations: pack[0].result.violations },
        },
    ];
    if (hasServerCpu) {
        rows.push({
            section,
            name: `${name}: pack server CPU per resource`,
            candidate: us(cpu.server),
            baseline: us(cpu.serverBase),
            ratio: ratio(cpu.server / cpu.serverBase),
            goal: "none (informational)",
            holds: "info",
            notes:
                `the analyzer server process over Analyze + AnalyzeStack: ${int(1e6 / cpu.server)} resources per CPU-second (empty pack: ${int(1e6 / cpu.serverBase)}); ` +
                `the client (this benchmark's stand-in for the engine) ${us(cpu.client)} per resource (empty pack: ${us(cpu.clientBase)})`,
            data: cpu,
        });
    }
    rows.push({
        section,
        name: `${name}: share of keyfabric preview`,
        candidate: ms(policyMs),
        baseline: ms(total),
        ratio: pct(policyMs / total),
        goal: "none (informational)",
        holds: "info",
        notes: `policy time / (preview program ${ms(previewWall)} + policy ${ms(policyMs)} + text report ${ms(renderMs)})`,
        data: { previewWallMs: previewWall, policyMs, renderMs, share: policyMs / total },
    });
    return rows;
}
