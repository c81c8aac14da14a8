/**
 * 6. Drift cost: `keyfabric drift` over stacks of 100 and 1,000 keys seeded into the emulators, at concurrency 1
 * against the default. Only when sdk/drift exists (another engineer builds it): otherwise a "pending" row.
 */
import * as fs from "fs";
import * as path from "path";
import { alternate, ChildRun, ROOT, runNode, workDir } from "../lib/child";
import { startEmulatorProcess } from "../lib/emulators";
import { errorRow, Row, RunOptions } from "../lib/rows";
import { int, median, ms, ratio } from "../lib/stats";

/** At 1,000 keys a run reads ~6,000 resources back: at most this many runs. */
const LARGE_RUNS = 3;

export async function driftCost(opts: RunOptions): Promise<Row[]> {
    const section = "drift";
    const pending: Row = { section, name: "pending `keyfabric drift`", candidate: "-", baseline: "-", ratio: "-", goal: "-", holds: "pending" };
    const ready = ["sdk/drift/index.ts", "lib/drift/index.js", "lib/cli/drift.js", "test/drift/support.ts"].every((f) => fs.existsSync(path.join(ROOT, f)));
    if (!ready) return [pending];
    let defaultConcurrency: number | undefined;
    try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        defaultConcurrency = require(path.join(ROOT, "lib", "drift")).DEFAULT_CONCURRENCY;
    } catch {
        /* reported below */
    }
    if (typeof defaultConcurrency !== "number") return [pending];

    let emulators;
    try {
        emulators = await startEmulatorProcess();
    } catch (e) {
        return [errorRow(section, "keyfabric drift", "none (informational)", (e as Error).message)];
    }
    const rows: Row[] = [];
    try {
        const env = { ...process.env, KEYFABRIC_EMULATORS: emulators.endpoints };
        for (const keys of opts.quick ? [10] : [100, 1000]) {
            const name = `${int(keys)} keys, concurrency ${defaultConcurrency} (default) vs 1`;
            const file = path.join(workDir(), `drift-${keys}.json`);
            opts.log(`drift: seeding ${keys} keys into the emulators`);
            const seed = await runNode("drift-seed.js", [String(keys), file], { env, nodeArgs: ["-r", "ts-node/register/transpile-only"], timeoutMs: 600_000 });
            if (!seed.ok) {
                rows.push(errorRow(section, name, "none (informational)", seed.error));
                continue;
            }
            const runs = keys >= 1000 ? Math.min(opts.runs, LARGE_RUNS) : opts.runs;
            opts.log(`drift: ${keys} keys, ${runs} runs each`);
            const { a, b } = await alternate(
                runs,
                () => runNode("drift.js", [file, "1"], { env, timeoutMs: 600_000 }),
                () => runNode("drift.js", [file], { env, timeoutMs: 600_000 }),
            );
            const failed = [...a, ...b].find((r) => !r.ok);
            if (failed) {
                rows.push(errorRow(section, name, "none (informational)", failed.error));
                continue;
            }
            const med = (rs: ChildRun[]) => median(rs.map((r) => r.wallMs));
            const [seq, def] = [med(a), med(b)];
            const r0 = b[0].result;
            rows.push({
                section,
                name,
                candidate: ms(def),
                baseline: ms(seq),
                ratio: ratio(def / seq),
                goal: "none (informational)",
                holds: "info",
                notes: `whole process; ${int(r0.checked)} resources checked, ${int(r0.calls)} cloud calls, ${int(r0.findings)} findings; ${runs} runs${runs < opts.runs ? " (fewer at this size)" : ""}`,
                data: { keys, runs, wallMs: { concurrency1: seq, default: def }, defaultConcurrency, checked: r0.checked, calls: r0.calls, findings: r0.findings },
            });
        }
    } finally {
        await emulators.stop();
    }
    return rows;
}
