/**
 * What a row's run was, by the review's classes: a clear error (non-zero exit, a message that names the field, what
 * is allowed and what was received), unclear (non-zero exit, one of those missing), silently accepted (exit 0 and
 * nothing said), a crash (a stack trace, an uncaught JavaScript error or a signal) or a hang (killed at its time
 * bound). Two classes the review did not have: a warning (exit 0, a warning naming the field: what the offline
 * preview says of material it must not read, issue #13 item 5) and accepted (the input is legitimate; the row says why).
 */
import type { RunResult } from "./exec";

export type Verdict = "clear error" | "unclear" | "silently accepted" | "crash" | "crash/hang" | "warning" | "accepted (legitimate)";

export interface Expect {
    /** The field or option the message must name. */
    readonly field: string;
    /** The received value, as the message must show it (left out where the input is not a value, e.g. a file's kind). */
    readonly got?: string;
    /** The allowed values (or the fix), as the message must show them; left out where no set of values applies. */
    readonly allowed?: string;
    /** The input is legitimate and accepting it is right: why. */
    readonly accept?: string;
    /** Exit 0 with a warning naming the field is the right outcome: why. */
    readonly warn?: string;
    /** Exit codes besides 0 that mean the input was accepted (e.g. 129 after a SIGHUP, as a shell reports it). */
    readonly acceptCodes?: readonly number[];
}

export interface Judged {
    readonly verdict: Verdict;
    /** What made it unclear, or the reason of an accepted row. */
    readonly note?: string;
}

const CRASH = [
    /\n\s+at [^\n]*\(?[^\n]*:\d+:\d+\)?\n\s+at /, // a stack trace: frames, one under another (one "at file:line:col" is a location)
    /\n\s+at [^\n]*(node_modules|node:internal|\/lib\/)[^\n]*:\d+:\d+/, // a frame inside keyfabric or a dependency
    /Maximum call stack size exceeded/,
    /\[object Object\]/,
    /\b(TypeError|ReferenceError|RangeError): /,
    /promises were still active/,
    /Unhandled (promise )?rejection/i,
];

export function judge(r: RunResult, e: Expect, okSignals: readonly string[] = []): Judged {
    const text = `${r.out}\n${r.err}`;
    if (r.timedOut) return { verdict: "crash/hang", note: `killed after ${Math.round(r.ms / 1000)} s` };
    const crash = CRASH.find((re) => re.test(text));
    if (crash) return { verdict: "crash", note: `output matches ${crash}` };
    if (r.signal && !okSignals.includes(r.signal)) return { verdict: "crash", note: `ended by ${r.signal}` };
    if (r.code === 0 || (r.code !== null && e.acceptCodes?.includes(r.code))) {
        if (e.accept) return { verdict: "accepted (legitimate)", note: e.accept };
        const warning = r.err.split("\n").find((l) => /^warning:/.test(l) && l.includes(e.field));
        if (warning && e.warn) return { verdict: "warning", note: e.warn };
        if (warning) return { verdict: "unclear", note: "exit 0 with a warning, where an error was expected" };
        return { verdict: "silently accepted" };
    }
    const missing = [
        !text.includes(e.field) && `the field (${e.field})`,
        e.got !== undefined && !text.includes(e.got) && `the value received (${e.got})`,
        e.allowed !== undefined && !text.includes(e.allowed) && `what is allowed (${e.allowed})`,
    ].filter(Boolean);
    if (e.accept) return { verdict: "unclear", note: `refused, but the input is legitimate (${e.accept})` };
    if (missing.length) return { verdict: "unclear", note: `does not name ${missing.join(", ")}` };
    return { verdict: "clear error" };
}

/** stdout and stderr on one line: ANSI colours and repeated blanks out, the temporary directory as <tmp>, bounded. */
export function condense(r: RunResult, tmp: string): string {
    // stderr first: the error or warning is there; stdout (a report, a JSON line) after it.
    const parts = [r.err.trim() && `err: ${r.err.trim()}`, r.out.trim() && `out: ${r.out.trim()}`].filter(Boolean).join(" ");
    // eslint-disable-next-line no-control-regex
    const flat = parts.replace(/\u001b\[[0-9;]*m/g, "").split(tmp).join("<tmp>").replace(/\s*\n\s*/g, " | ").replace(/\s+/g, " ");
    return flat.length > 400 ? `${flat.slice(0, 397)}...` : flat;
}
