/**
 * Every measured program runs in a fresh `node` child. The child prints `BENCH_RESULT {json}` (bench/programs/
 * report.js) with its own figures and its peak RSS; the parent adds the wall time it saw from spawn to exit.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const PROGRAMS = path.join(ROOT, "bench", "programs");

export interface ChildRun {
    readonly ok: boolean;
    /** Spawn to exit, as the parent saw it. */
    readonly wallMs: number;
    /** The child's BENCH_RESULT figures (with `maxRssKb`). */
    readonly result: Record<string, any>;
    readonly stdout: string;
    readonly stderr: string;
    readonly code: number | null;
    /** Why it failed, for a row's notes. */
    readonly error?: string;
}

export interface SpawnOptions {
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly timeoutMs?: number;
    /** Flags for node itself (e.g. --cpu-prof). */
    readonly nodeArgs?: readonly string[];
}

/** Spawns `command args` and resolves when it exits (never rejects: a failure is `ok: false`). */
export function spawnTimed(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<ChildRun> {
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const child = spawn(command, [...args], { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
        const finish = (code: number | null, spawnError?: Error) => {
            if (timer) clearTimeout(timer);
            const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
            const line = stdout.split("\n").reverse().find((l) => l.startsWith("BENCH_RESULT "));
            let result: Record<string, any> = {};
            if (line) {
                try {
                    result = JSON.parse(line.slice("BENCH_RESULT ".length));
                } catch {
                    /* reported below */
                }
            }
            const ok = !spawnError && code === 0;
            const error = ok ? undefined : spawnError?.message ?? firstLines(stderr || stdout) ?? `exited with ${code}`;
            resolve({ ok, wallMs, result, stdout, stderr, code, error });
        };
        child.on("error", (e) => finish(null, e));
        child.on("close", (code) => finish(code));
    });
}

/** Runs a bench program (bench/programs/<script>) in a fresh node. */
export function runNode(script: string, args: readonly string[] = [], options: SpawnOptions = {}): Promise<ChildRun> {
    return spawnTimed(process.execPath, [...(options.nodeArgs ?? []), path.join(PROGRAMS, script), ...args], options);
}

function firstLines(text: string): string | undefined {
    const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("at "));
    return lines.length ? lines.slice(0, 3).join(" / ").slice(0, 300) : undefined;
}

export interface AbResult {
    readonly a: ChildRun[];
    readonly b: ChildRun[];
}

/**
 * Runs baseline and candidate alternately (A B, then B A, ... so neither always runs on a warmer machine), `runs`
 * times each. Stops at the first failure and returns what it has.
 */
export async function alternate(runs: number, a: () => Promise<ChildRun>, b: () => Promise<ChildRun>, progress?: (msg: string) => void): Promise<AbResult> {
    const [as, bs] = await rotate(runs, [a, b], progress);
    return { a: as, b: bs };
}

/** `alternate` for any number of programs: each round runs every one, starting one later than the round before. */
export async function rotate(runs: number, programs: readonly (() => Promise<ChildRun>)[], progress?: (msg: string) => void): Promise<ChildRun[][]> {
    const out: ChildRun[][] = programs.map(() => []);
    for (let i = 0; i < runs; i++) {
        for (let j = 0; j < programs.length; j++) {
            const k = (i + j) % programs.length;
            const r = await programs[k]();
            out[k].push(r);
            if (!r.ok) return out;
        }
        progress?.(`run ${i + 1}/${runs}`);
    }
    return out;
}

/** A temporary directory for generated inputs, removed at exit. */
export function workDir(): string {
    if (!workDirPath) {
        workDirPath = fs.mkdtempSync(path.join(require("os").tmpdir(), "keyfabric-bench-"));
        process.on("exit", () => fs.rmSync(workDirPath!, { recursive: true, force: true }));
    }
    return workDirPath;
}
let workDirPath: string | undefined;
