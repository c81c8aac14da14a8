/**
 * Re-runs every row of the bad-input review (`../shared/docs/bad-inputs-review.md`) on its surface, through the built
 * CLI (`npm run build` first) or, for the rows about the library, in process; classifies each run (classify.ts) and
 * writes docs/bad-inputs-rerun.md.
 *
 *   npx ts-node --transpile-only scripts/bad-inputs-review [--only P,W,I,D,E] [--jobs 2] [--out docs/bad-inputs-rerun.md]
 *
 * Exit 0 when every row is a clear error, a warning where one is right, or a legitimate input accepted; else 1.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { condense, judge } from "./classify";
import { ROOT } from "./exec";
import { readReview } from "./review";
import { Rerun, renderReport } from "./report";
import { RowRun } from "./rows";

type Surface = (work: string, jobs: number) => Promise<{ rows: RowRun[]; cleanup: () => void | Promise<void> }>;

const SURFACES: Record<string, () => Promise<Surface>> = {
    P: async () => (await import("./preview")).runPreviewRows,
    W: async () => (await import("./byok")).runWrapRows,
    I: async () => (await import("./byok")).runImportRows,
    D: async () => (await import("./drift")).runDriftRows,
    E: async () => (await import("./emulate")).runEmulateRows,
};

const NOTES = [
    "Classes: **clear error** (non-zero exit; the message names the field, the received value and, where a set of",
    "values applies, what is allowed), **unclear** (non-zero exit, one of those missing: the row says which),",
    "**silently accepted** (exit 0, nothing said), **crash** (a stack trace, an uncaught JavaScript error, `[object Object]`",
    "or a signal), **crash/hang** (killed at the row's time bound), and two the review did not have: **warning** (exit 0",
    "with a warning naming the field: the offline preview's checks of material it must not read, issue #13 item 5) and",
    "**accepted (legitimate)** (the input is valid; the row says why accepting it is right). What each message must name",
    "is in the row's definition in scripts/bad-inputs-review/ (for the spec rows, the field, `got` and `allowed` of the",
    "issue test/validation-bad-inputs.test.ts asserts for the same input).",
    "",
    "How each surface ran: the spec rows as `keyfabric preview <project> --stack <row> --transpile-only --no-policy`,",
    "the row's spec as `keyfabric:hierarchy` in a `Pulumi.<row>.yaml` of a project whose program is `program/` (the spec",
    "is checked when the program runs: type-checking and policy packs judge programs, not stack config), judged against",
    "the day of the run (`validTo` rows); `byok wrap` and `byok import` in a directory of fixtures (keys generated for",
    "the run) with KEYFABRIC_EMULATORS from a `keyfabric emulate` child process; W34, W56 and E9 as nobody (uid 65534)",
    "when run as root; I13 in process (the `AzureImportedKey` provider's create against an in-process Azure emulator",
    "that answers every ImportKey with 503); `drift --state` against a `keyfabric emulate` child holding the keys the",
    "rows read, D29 in an environment without any credentials; `emulate --state` rows that serve create a key, send",
    "the signal and read the state file after the exit. Every run is bounded (preview 60 s, BYOK 30 s, drift 120 s,",
    "emulate 20 s to serve and 20 s to exit), its process group killed at the bound.",
];

async function main(argv: string[]): Promise<number> {
    const opt = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const only = (opt("--only") ?? Object.keys(SURFACES).join(",")).split(",");
    const jobs = Number(opt("--jobs") ?? 2);
    const out = path.resolve(ROOT, opt("--out") ?? "docs/bad-inputs-rerun.md");
    if (!fs.existsSync(path.join(ROOT, "lib", "cli", "index.js"))) throw new Error("lib/ is not built: run npm run build first");

    const review = readReview();
    const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kf-rerun-")));
    fs.chmodSync(work, 0o755); // the rows run as nobody reach their files
    const t0 = Date.now();
    const runs = new Map<string, RowRun>();
    try {
        for (const s of only) {
            const surface = await SURFACES[s]();
            process.stderr.write(`surface ${s}...\n`);
            const { rows, cleanup } = await surface(work, jobs);
            for (const r of rows) runs.set(r.id, r);
            await cleanup();
        }
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
    const results: Rerun[] = review
        .filter((r) => only.includes(r.id[0]))
        .map((review) => {
            const run = runs.get(review.id);
            if (!run) return { review, how: "-", exit: "-", message: "-", judged: { verdict: "not re-run" as never, note: "no input defined for this row" } };
            const r = run.result;
            const exit = r.timedOut ? `killed (${Math.round(r.ms / 1000)} s)` : r.signal ? `${r.code ?? "null"} (${r.signal})` : String(r.code);
            return { review, how: run.how, exit, message: condense(r, work), judged: judge(r, run.expect, run.okSignals), extra: run.extra };
        });
    const commit = process.env.KF_RERUN_COMMIT ?? execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const report = renderReport(results, { date: new Date().toISOString().slice(0, 10), commit, seconds: Math.round((Date.now() - t0) / 1000), notes: NOTES });
    fs.writeFileSync(out, report);
    const bad = results.filter((r) => !["clear error", "warning", "accepted (legitimate)"].includes(r.judged.verdict));
    process.stdout.write(`${report.split("\n").slice(5, 10).join("\n")}\n`);
    for (const b of bad) process.stdout.write(`${b.review.id}: ${b.judged.verdict}${b.judged.note ? ` (${b.judged.note})` : ""}: ${b.message}\n`);
    return bad.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        process.stderr.write(`error: ${e instanceof Error ? e.stack : String(e)}\n`);
        process.exit(1);
    },
);
