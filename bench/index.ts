/**
 * keyfabric's benchmarks: `npm run bench [-- --runs N] [-- --quick] [-- --json] [-- --only preview,load,...]`.
 *
 * Every figure is measured side by side in the same run against its baseline (absolute times on a shared 2-core
 * machine are noise): each measured program runs in a fresh `node` child, baseline and candidate alternate, and a row
 * reports the medians and the ratio of the medians, the goal, and whether it holds. See BENCHMARKS.md.
 */
import { execSync } from "child_process";
import * as os from "os";
import { ensureBuilt } from "./lib/build";
import { Row, renderTable, RunOptions } from "./lib/rows";
import { byokCost } from "./sections/byok";
import { driftCost } from "./sections/drift";
import { loadCost } from "./sections/load";
import { policyCost } from "./sections/policy";
import { previewCost } from "./sections/preview";
import { typecheckCost } from "./sections/typecheck";
import { previewTypecheckCost } from "./sections/preview-typecheck";

const SECTIONS = ["load", "preview", "typecheck", "preview-typecheck", "policy", "byok", "drift"] as const;
type Section = (typeof SECTIONS)[number];

interface Args {
    runs: number;
    quick: boolean;
    json: boolean;
    only: Section[];
    sizes?: number[];
}

function parseArgs(argv: readonly string[]): Args {
    const args: Args = { runs: 5, quick: false, json: false, only: [...SECTIONS] };
    let runsGiven = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${a} needs a value`);
            return v;
        };
        if (a === "--quick") args.quick = true;
        else if (a === "--json") args.json = true;
        else if (a === "--runs") {
            const n = Number(value());
            if (!Number.isInteger(n) || n < 1) throw new Error(`--runs must be a whole number ≥ 1 (got: ${argv[i]})`);
            args.runs = n;
            runsGiven = true;
        } else if (a === "--only") {
            const names = value().split(",").map((s) => s.trim());
            const bad = names.filter((n) => !SECTIONS.includes(n as Section));
            if (bad.length) throw new Error(`--only: unknown section ${bad.join(", ")} (allowed: ${SECTIONS.join(", ")})`);
            args.only = names as Section[];
        } else if (a === "--sizes") {
            const sizes = value().split(",").map(Number);
            if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes must be whole numbers of keys, e.g. 10,100 (got: ${argv[i]})`);
            args.sizes = sizes;
        } else if (a === "--help" || a === "-h") {
            process.stdout.write(
                `npm run bench -- [--runs N (default 5)] [--quick (3 runs, smallest sizes)] [--json] [--only ${SECTIONS.join(",")}] [--sizes 10,100,1000 (preview)]\n`,
            );
            process.exit(0);
        } else throw new Error(`unknown option ${a} (see --help)`);
    }
    if (args.quick && !runsGiven) args.runs = 3;
    return args;
}

function machine(): Record<string, unknown> {
    const sh = (cmd: string) => {
        try {
            return execSync(cmd, { encoding: "utf8" }).trim();
        } catch {
            return undefined;
        }
    };
    return {
        nproc: Number(sh("nproc")) || os.cpus().length,
        cpu: os.cpus()[0]?.model,
        memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
    };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
    const started = Date.now();
    const notes: string[] = [];
    const built = ensureBuilt(log);
    if (built) notes.push(built);
    const opts: RunOptions = { runs: args.runs, quick: args.quick, log, ...(args.sizes ? { sizes: args.sizes } : {}) };
    const rows: Row[] = [];
    const previewWallMs: Record<number, number> = {};
    for (const section of SECTIONS.filter((s) => args.only.includes(s))) {
        const t0 = Date.now();
        let got: Row[];
        try {
            switch (section) {
                case "load":
                    got = await loadCost(opts);
                    break;
                case "preview":
                    got = await previewCost(opts);
                    for (const r of got) if (r.name === "wall time" && r.data) previewWallMs[r.data.keys as number] = (r.data.wallMs as { keyfabric: number }).keyfabric;
                    break;
                case "typecheck":
                    got = await typecheckCost(opts);
                    break;
                case "preview-typecheck":
                    got = await previewTypecheckCost(opts);
                    break;
                case "policy":
                    got = await policyCost(opts, { previewWallMs });
                    break;
                case "byok":
                    got = await byokCost(opts);
                    break;
                case "drift":
                    got = await driftCost(opts);
                    break;
            }
        } catch (e) {
            got = [{ section, name: "(section failed)", candidate: "-", baseline: "-", ratio: "-", goal: "-", holds: "error", notes: `error: ${(e as Error).message}` }];
        }
        log(`${section}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        rows.push(...got);
    }
    const elapsedS = Math.round((Date.now() - started) / 1000);
    const facts = machine();
    if (args.json) {
        process.stdout.write(`${JSON.stringify({ machine: facts, options: { runs: args.runs, quick: args.quick, only: args.only }, elapsedS, notes, rows }, null, 2)}\n`);
    } else {
        process.stdout.write(`${renderTable(rows)}\n\n`);
        process.stdout.write(
            `${facts.nproc} CPUs (${facts.cpu}), ${facts.memoryGiB} GiB, node ${facts.node}, load average at the end ${(facts.loadAverage as number[]).join(" ")}; ` +
                `median of ${args.runs} runs${args.quick ? " (--quick: smallest sizes)" : ""}; ${elapsedS} s in all.${notes.length ? ` ${notes.join("; ")}.` : ""}\n`,
        );
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        process.stderr.write(`bench: ${(e as Error).message}\n`);
        process.exit(1);
    },
);
