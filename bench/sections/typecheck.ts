/**
 * 2. Type-check cost: `tsc --noEmit` of examples/three-cloud-hierarchy (keyfabric resolved to the built
 * lib/index.d.ts) against the same resources written with the cloud packages' submodules, and, for contrast, with
 * their root modules. Each program has its own tsconfig under bench/programs/.
 */
import * as fs from "fs";
import * as path from "path";
import { ChildRun, PROGRAMS, ROOT, spawnTimed } from "../lib/child";
import { errorRow, Row, RunOptions } from "../lib/rows";
import { mb, median, ms, ratio } from "../lib/stats";

const GOAL = 1.2;
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const TIME = "/usr/bin/time";
/** The root-modules contrast takes ~7-10 s a run: at most this many (one with --quick). */
const CONTRAST_RUNS = 3;

const PROGRAMS_UNDER_TEST = {
    example: "three-cloud-example",
    raw: "raw-submodule",
    root: "root-modules",
} as const;
type Which = keyof typeof PROGRAMS_UNDER_TEST;

/** tsc under /usr/bin/time -v when it exists (peak RSS from its report), else with exit-rss.js preloaded. */
async function tsc(which: Which): Promise<ChildRun> {
    const project = path.join(PROGRAMS, PROGRAMS_UNDER_TEST[which], "tsconfig.json");
    const useTime = fs.existsSync(TIME);
    const run = useTime
        ? await spawnTimed(TIME, ["-v", process.execPath, TSC, "-p", project])
        : await spawnTimed(process.execPath, ["-r", path.join(PROGRAMS, "exit-rss.js"), TSC, "-p", project]);
    const rss = useTime ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]) : run.result.maxRssKb;
    const errors = run.stdout.split("\n").filter((l) => /error TS\d+/.test(l));
    return { ...run, result: { ...run.result, maxRssKb: rss }, error: run.ok ? undefined : errors.slice(0, 2).join(" / ") || run.error };
}

export async function typecheckCost(opts: RunOptions): Promise<Row[]> {
    const section = "type-check";
    const runs: Record<Which, ChildRun[]> = { example: [], raw: [], root: [] };
    const contrastRuns = Math.min(opts.runs, opts.quick ? 1 : CONTRAST_RUNS);
    opts.log(`type-check: tsc --noEmit, ${opts.runs} runs each (root modules: ${contrastRuns})`);
    for (let i = 0; i < opts.runs; i++) {
        const order: Which[] = i % 2 === 0 ? ["raw", "example"] : ["example", "raw"];
        if (i < contrastRuns) order.splice(i % 3, 0, "root");
        for (const which of order) {
            const r = await tsc(which);
            if (!r.ok) return [errorRow(section, `${PROGRAMS_UNDER_TEST[which]}`, `≤ ${GOAL}×`, r.error)];
            runs[which].push(r);
        }
        opts.log(`  run ${i + 1}/${opts.runs}`);
    }
    const wall = (w: Which) => median(runs[w].map((r) => r.wallMs));
    const rss = (w: Which) => median(runs[w].map((r) => r.result.maxRssKb));
    const row = (name: string, cand: Which, kind: "time" | "rss", goal: boolean): Row => {
        const [c, b] = kind === "time" ? [wall(cand), wall("raw")] : [rss(cand), rss("raw")];
        return {
            section,
            name,
            candidate: kind === "time" ? ms(c) : mb(c),
            baseline: kind === "time" ? ms(b) : mb(b),
            ratio: ratio(c / b),
            goal: goal ? `≤ ${GOAL}×` : "none (contrast)",
            holds: goal ? (c / b <= GOAL ? "yes" : "no") : "info",
            notes: `${runs[cand].length} run${runs[cand].length === 1 ? "" : "s"} vs ${runs.raw.length}; baseline: bench/programs/raw-submodule`,
            data: { runs: runs[cand].length, candidate: c, baseline: b, samples: runs[cand].map((r) => (kind === "time" ? r.wallMs : r.result.maxRssKb)) },
        };
    };
    return [
        row("three-cloud-hierarchy example vs raw submodules, time", "example", "time", true),
        row("three-cloud-hierarchy example vs raw submodules, peak RSS", "example", "rss", true),
        row("root modules vs raw submodules, time", "root", "time", false),
        row("root modules vs raw submodules, peak RSS", "root", "rss", false),
    ];
}
