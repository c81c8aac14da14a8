/**
 * Runs the built CLI (`bin/keyfabric.js`) as a user does, in its own process group, killed (the whole group) when it
 * outlives its time bound: a run that is killed is a hang, whatever it printed.
 */
import { spawn } from "child_process";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const BIN = path.join(ROOT, "bin", "keyfabric.js");

export interface RunResult {
    /** The exit code; null when a signal ended it. */
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly out: string;
    readonly err: string;
    readonly ms: number;
    /** It outlived its bound and was killed. */
    readonly timedOut: boolean;
}

export interface RunOptions {
    readonly cwd: string;
    /** Replaces the environment when given (else: this process's, with `env` over it). */
    readonly baseEnv?: NodeJS.ProcessEnv;
    readonly env?: Record<string, string | undefined>;
    readonly limitMs?: number;
    /** Run as this uid and gid (the rows that need a user who cannot read or write some file). */
    readonly uid?: number;
}

/** The AWS SDK's Node-version notice is the SDK's, on every run; it is not the row's message. */
const SDK_NOTICE = /^\(node:\d+\) (NodeVersionSupportWarning|Warning)[\s\S]*?(--trace-warnings[^\n]*\n|$)/m;

export function runCli(args: readonly string[], o: RunOptions): Promise<RunResult> {
    const env: NodeJS.ProcessEnv = { ...(o.baseEnv ?? process.env), NODE_NO_WARNINGS: "1" };
    for (const [k, v] of Object.entries(o.env ?? {})) {
        if (v === undefined) delete env[k];
        else env[k] = v;
    }
    const limitMs = o.limitMs ?? 30_000;
    const t0 = Date.now();
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], {
            cwd: o.cwd,
            env,
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
            ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}),
        });
        let out = "";
        let err = "";
        let timedOut = false;
        // The first 200 kB of each: the message is at the start (D30 prints 2,100 findings).
        child.stdout.on("data", (d) => (out.length < 200_000 ? (out += d) : undefined));
        child.stderr.on("data", (d) => (err.length < 200_000 ? (err += d) : undefined));
        const timer = setTimeout(() => {
            timedOut = true;
            killGroup(child.pid);
        }, limitMs);
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            killGroup(child.pid); // nothing it started outlives the row
            resolve({ code, signal, out, err: err.replace(SDK_NOTICE, ""), ms: Date.now() - t0, timedOut });
        });
    });
}

export function killGroup(pid: number | undefined): void {
    if (!pid) return;
    try {
        process.kill(-pid, "SIGKILL");
    } catch {
        /* already gone */
    }
}

/** A promise bounded in time: a library call that does not settle within `ms` is a hang. */
export async function bounded<T>(ms: number, p: Promise<T>): Promise<{ value?: T; error?: unknown; timedOut: boolean; ms: number }> {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), ms)));
    try {
        const v = await Promise.race([p.then((value) => ({ value }), (error) => ({ error })), timeout]);
        if (v === "timeout") return { timedOut: true, ms: Date.now() - t0 };
        return { ...v, timedOut: false, ms: Date.now() - t0 };
    } finally {
        clearTimeout(timer);
    }
}
