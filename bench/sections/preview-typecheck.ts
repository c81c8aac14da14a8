/**
 * 7. Type-checking inside `keyfabric preview`: the preview type-checks the program as the Pulumi language host does
 * (ts-node with type-checking on), which `--transpile-only` skips. Three programs side by side, alternating:
 *
 * - `keyfabric preview examples/three-cloud-hierarchy --no-policy` (type-checked, as `pulumi preview` runs it),
 * - the same with `--transpile-only`,
 * - `tsc --noEmit` of bench/programs/raw-submodule (the same resources written with the cloud packages' submodules,
 *   without keyfabric): what type-checking such a program costs on its own.
 *
 * No goal: the rows say what the check adds to a preview and how that compares with type-checking the program once.
 */
import * as path from "path";
import { ChildRun, PROGRAMS, ROOT, rotate, spawnTimed } from "../lib/child";
import { errorRow, Row, RunOptions } from "../lib/rows";
import { median, ms, ratio } from "../lib/stats";

const CLI = path.join(ROOT, "bin", "keyfabric.js");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const EXAMPLE = path.join(ROOT, "examples", "three-cloud-hierarchy");

const preview = (extra: readonly string[]) => () => spawnTimed(process.execPath, [CLI, "preview", EXAMPLE, "--no-policy", "--format", "json", ...extra]);
const tscRaw = () => spawnTimed(process.execPath, [TSC, "-p", path.join(PROGRAMS, "raw-submodule", "tsconfig.json")]);

export async function previewTypecheckCost(opts: RunOptions): Promise<Row[]> {
    const section = "preview type-check";
    opts.log(`preview type-check: keyfabric preview with and without --transpile-only, tsc --noEmit of the raw program; ${opts.runs} runs each`);
    const [checked, transpiled, tsc] = await rotate(opts.runs, [preview([]), preview(["--transpile-only"]), tscRaw], (m) => opts.log(`  ${m}`));
    const failed = [checked, transpiled, tsc].map((runs) => runs.find((r: ChildRun) => !r.ok)).find(Boolean);
    if (failed) return [errorRow(section, "three-cloud-hierarchy", "none", failed.error)];
    const wall = (runs: ChildRun[]) => median(runs.map((r) => r.wallMs));
    const [c, t, raw] = [wall(checked), wall(transpiled), wall(tsc)];
    const row = (name: string, cand: number, base: number, notes: string): Row => ({
        section,
        name,
        candidate: ms(cand),
        baseline: ms(base),
        ratio: ratio(cand / base),
        goal: "none (reported)",
        holds: "info",
        notes,
        data: { runs: opts.runs, candidate: cand, baseline: base },
    });
    return [
        row("preview type-checked vs --transpile-only", c, t, "examples/three-cloud-hierarchy, --no-policy; both in fresh processes"),
        row("type-check inside preview vs tsc --noEmit of the raw program", c - t, raw, "candidate: the difference of the two previews; baseline: bench/programs/raw-submodule"),
    ];
}
