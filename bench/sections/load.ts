/**
 * 3. Load cost: `require("keyfabric")` (the built lib/) against `require("@pulumi/pulumi")` alone, each in a fresh node.
 */
import { alternate, runNode } from "../lib/child";
import { errorRow, Row, RunOptions } from "../lib/rows";
import { mb, median, ms, ratio, spread } from "../lib/stats";

const GOAL = 1.3;

export async function loadCost(opts: RunOptions): Promise<Row[]> {
    const section = "load";
    // Cheap runs: twice as many as asked, for a steadier median.
    const runs = opts.runs * 2;
    opts.log(`load: require("keyfabric") vs require("@pulumi/pulumi"), ${runs} runs each`);
    const { a, b } = await alternate(runs, () => runNode("load.js", ["@pulumi/pulumi"]), () => runNode("load.js", ["keyfabric"]));
    const failed = [...a, ...b].find((r) => !r.ok);
    if (failed) return [errorRow(section, 'require("keyfabric") time', `≤ ${GOAL}×`, failed.error)];
    const t = { base: median(a.map((r) => r.result.requireMs)), cand: median(b.map((r) => r.result.requireMs)) };
    const wall = { base: median(a.map((r) => r.wallMs)), cand: median(b.map((r) => r.wallMs)) };
    const rss = { base: median(a.map((r) => r.result.maxRssKb)), cand: median(b.map((r) => r.result.maxRssKb)) };
    return [
        {
            section,
            name: 'require("keyfabric") time vs require("@pulumi/pulumi")',
            candidate: ms(t.cand),
            baseline: ms(t.base),
            ratio: ratio(t.cand / t.base),
            goal: `≤ ${GOAL}×`,
            holds: t.cand / t.base <= GOAL ? "yes" : "no",
            notes: `${runs} runs; whole process ${ms(wall.cand)} vs ${ms(wall.base)} (${ratio(wall.cand / wall.base)}); spread ±${(spread(b.map((r) => r.result.requireMs)) * 100).toFixed(0)} %`,
            data: { runs, requireMs: t, wallMs: wall, samples: { baseline: a.map((r) => r.result.requireMs), candidate: b.map((r) => r.result.requireMs) } },
        },
        {
            section,
            name: 'require("keyfabric") peak RSS vs require("@pulumi/pulumi")',
            candidate: mb(rss.cand),
            baseline: mb(rss.base),
            ratio: ratio(rss.cand / rss.base),
            goal: `≤ ${GOAL}×`,
            holds: rss.cand / rss.base <= GOAL ? "yes" : "no",
            notes: "whole child process (node itself is ~45 MB)",
            data: { runs, maxRssKb: rss },
        },
    ];
}
