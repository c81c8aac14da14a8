/**
 * 1. Preview cost: a KeyHierarchy of N generated keys over three clouds under keyfabric's mocks, against a plain
 * program declaring the very same raw resources (recorded from the hierarchy) directly, under the same mocks.
 */
import * as path from "path";
import { ChildRun, rotate, runNode, workDir } from "../lib/child";
import { errorRow, Row, RunOptions } from "../lib/rows";
import { int, mb, median, ms, ratio } from "../lib/stats";

const GOAL = 1.1;
const LINEAR = 0.25;
/** Runs at 1,000 keys (about 60 s a round of three programs on 2 cores): at most this many, to keep a full run under 10 minutes. */
const LARGE_RUNS = 3;

export async function previewCost(opts: RunOptions): Promise<Row[]> {
    const sizes = opts.sizes ?? (opts.quick ? [10] : [10, 100, 1000]);
    const rows: Row[] = [];
    const perKeyRunMs: Record<number, { keyfabric: number; plain: number }> = {};
    for (const n of sizes) {
        const section = `preview ${int(n)} keys`;
        const runs = n >= 1000 ? Math.min(opts.runs, LARGE_RUNS) : opts.runs;
        const records = path.join(workDir(), `resources-${n}.json`);
        opts.log(`preview: ${n} keys: recording the raw resources`);
        // The saved run is what the policy benchmark sends to the pack (policy.ts reads run-<n>.json).
        const rec = await runNode("preview-keyfabric.js", [String(n), "--record", records, "--save-run", path.join(workDir(), `run-${n}.json`)]);
        if (!rec.ok) {
            rows.push(errorRow(section, "wall time", `≤ ${GOAL}×`, rec.error));
            continue;
        }
        opts.log(`preview: ${n} keys: ${runs} runs each, alternating`);
        // A third program splits the difference: the same raw resources plus the same component tree (types, names,
        // parents, inputs) keyfabric registers, hand-built: what registering keyfabric's components costs by itself.
        const [a, b, c] = await rotate(
            runs,
            [() => runNode("preview-plain.js", [records]), () => runNode("preview-keyfabric.js", [String(n)]), () => runNode("preview-plain.js", [records, "--components"])],
            (m) => opts.log(`  ${m}`),
        );
        const failed = [...a, ...b, ...c].find((r) => !r.ok);
        if (failed) {
            rows.push(errorRow(section, "wall time", `≤ ${GOAL}×`, failed.error));
            continue;
        }
        const med = (rs: ChildRun[], f: (r: ChildRun) => number) => median(rs.map(f));
        const wall = { plain: med(a, (r) => r.wallMs), keyfabric: med(b, (r) => r.wallMs) };
        const run = { plain: med(a, (r) => r.result.runMs), keyfabric: med(b, (r) => r.result.runMs) };
        const rss = { plain: med(a, (r) => r.result.maxRssKb), keyfabric: med(b, (r) => r.result.maxRssKb) };
        const cpu = { plain: med(a, (r) => r.result.cpuMs), keyfabric: med(b, (r) => r.result.cpuMs) };
        const tree = { wallMs: med(c, (r) => r.wallMs), runMs: med(c, (r) => r.result.runMs), maxRssKb: med(c, (r) => r.result.maxRssKb) };
        perKeyRunMs[n] = { keyfabric: run.keyfabric / n, plain: run.plain / n };
        const counts = `${int(b[0].result.resources)} resources (${int(b[0].result.customResources)} custom) vs ${int(a[0].result.resources)}`;
        const runsNote = runs < opts.runs ? `${runs} runs (fewer at this size)` : `${runs} runs`;
        rows.push({
            section,
            name: "wall time",
            candidate: ms(wall.keyfabric),
            baseline: ms(wall.plain),
            ratio: ratio(wall.keyfabric / wall.plain),
            goal: `≤ ${GOAL}×`,
            holds: wall.keyfabric / wall.plain <= GOAL ? "yes" : "no",
            notes:
                `whole process; program alone ${ms(run.keyfabric)} vs ${ms(run.plain)} (${ratio(run.keyfabric / run.plain)}); ` +
                `raw + the same components, hand-built: ${ms(tree.runMs)} (${ratio(tree.runMs / run.plain)}), whole ${ratio(tree.wallMs / wall.plain)}; ` +
                `CPU ${ratio(cpu.keyfabric / cpu.plain)}; ${counts}; ${runsNote}`,
            data: { keys: n, runs, wallMs: wall, runMs: run, cpuMs: cpu, rawWithComponents: tree, samples: { plain: a.map((r) => r.wallMs), keyfabric: b.map((r) => r.wallMs) }, resources: b[0].result.resources, customResources: b[0].result.customResources },
        });
        rows.push({
            section,
            name: "peak RSS",
            candidate: mb(rss.keyfabric),
            baseline: mb(rss.plain),
            ratio: ratio(rss.keyfabric / rss.plain),
            goal: `≤ ${GOAL}×`,
            holds: rss.keyfabric / rss.plain <= GOAL ? "yes" : "no",
            notes: `raw + the same components, hand-built: ${mb(tree.maxRssKb)} (${ratio(tree.maxRssKb / rss.plain)}); ${runsNote}`,
            data: { keys: n, runs, maxRssKb: rss, rawWithComponentsMaxRssKb: tree.maxRssKb },
        });
    }
    if (perKeyRunMs[100] && perKeyRunMs[1000]) {
        const k = perKeyRunMs[1000].keyfabric / perKeyRunMs[100].keyfabric;
        const p = perKeyRunMs[1000].plain / perKeyRunMs[100].plain;
        rows.push({
            section: "preview linearity",
            name: "program time per key, 1,000 vs 100 keys",
            candidate: `${ms(perKeyRunMs[1000].keyfabric)}/key`,
            baseline: `${ms(perKeyRunMs[100].keyfabric)}/key`,
            ratio: ratio(k),
            goal: `1 ± ${LINEAR * 100} %`,
            holds: Math.abs(k - 1) <= LINEAR ? "yes" : "no",
            notes: `program time (after loading) / keys; the plain program's own ratio is ${ratio(p)} (the Pulumi runtime under mocks)`,
            data: { perKeyRunMs },
        });
    }
    return rows;
}
