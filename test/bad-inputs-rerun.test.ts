/**
 * The re-runner of the bad-input review (scripts/bad-inputs-review): how it classifies a run, and that it reads every
 * row of the review.
 */
import * as fs from "fs";
import { condense, judge } from "../scripts/bad-inputs-review/classify";
import type { RunResult } from "../scripts/bad-inputs-review/exec";
import { readReview, REVIEW } from "../scripts/bad-inputs-review/review";

const run = (over: Partial<RunResult>): RunResult => ({ code: 1, signal: null, out: "", err: "", ms: 100, timedOut: false, ...over });
const expectField = { field: "--public-key", got: "RSA-1024", allowed: "RSA-2048" };

test.each([
    ["the message names field, value and allowed values", run({ err: "error: --public-key pub.pem: is smaller than RSA-2048 (allowed: RSA-2048 or more, got: RSA-1024)" }), {}, { verdict: "clear error" }],
    ["the value is missing", run({ err: "error: --public-key pub.pem: is too small (allowed: RSA-2048)" }), {}, { verdict: "unclear", note: "does not name the value received (RSA-1024)" }],
    ["field and allowed values missing", run({ err: "error: error:0200006E:rsa routines::data too large for key size RSA-1024" }), {}, { verdict: "unclear", note: "does not name the field (--public-key), what is allowed (RSA-2048)" }],
    ["exit 0, nothing said", run({ code: 0, out: '{"bytes":128}' }), {}, { verdict: "silently accepted" }],
    ["exit 0 with a warning naming the field, where a warning is right", run({ code: 0, err: "warning: --public-key pub.pem: old" }), { warn: "because" }, { verdict: "warning", note: "because" }],
    ["exit 0 with a warning, where an error is expected", run({ code: 0, err: "warning: --public-key pub.pem: old" }), {}, { verdict: "unclear", note: "exit 0 with a warning, where an error was expected" }],
    ["a legitimate input accepted", run({ code: 0 }), { accept: "it is valid" }, { verdict: "accepted (legitimate)", note: "it is valid" }],
    ["a legitimate input refused", run({ err: "error: --public-key RSA-1024 RSA-2048" }), { accept: "it is valid" }, { verdict: "unclear", note: "refused, but the input is legitimate (it is valid)" }],
    ["killed at its bound", run({ code: null, signal: "SIGKILL", timedOut: true, ms: 30_400 }), {}, { verdict: "crash/hang", note: "killed after 30 s" }],
    ["a stack trace", run({ err: "error: boom\n    at f (/work/main/lib/byok/wrap.js:10:5)\n    at g (/work/main/lib/cli/byok.js:3:1)" }), {}, { verdict: "crash", note: expect.stringContaining("output matches") }],
    ["an uncaught JavaScript error", run({ err: "error: Maximum call stack size exceeded" }), {}, { verdict: "crash", note: "output matches /Maximum call stack size exceeded/" }],
    ["[object Object]", run({ err: "error: RestError: [object Object] --public-key RSA-1024 RSA-2048" }), {}, { verdict: "crash", note: "output matches /\\[object Object\\]/" }],
    ["ended by a signal", run({ code: null, signal: "SIGSEGV" }), {}, { verdict: "crash", note: "ended by SIGSEGV" }],
    ["one program location is not a stack trace", run({ err: "error: --public-key RSA-1024 (allowed: RSA-2048)\n    at program/index.ts:4:68" }), {}, { verdict: "clear error" }],
    ["an exit code the row accepts (129 after SIGHUP)", run({ code: 129 }), { accept: "saved", acceptCodes: [129] }, { verdict: "accepted (legitimate)", note: "saved" }],
] as const)("%s", (_name, result, extra, verdict) => {
    expect(judge(result, { ...expectField, ...extra })).toEqual(verdict);
});

test("condense: stderr first, one line, the temporary directory as <tmp>, bounded", () => {
    expect(condense(run({ out: "line 1\nline 2\n", err: "warning: /tmp/x/a.bin: mode 0644\n" }), "/tmp/x")).toBe("err: warning: <tmp>/a.bin: mode 0644 out: line 1 | line 2");
    expect(condense(run({ err: "e".repeat(1000) }), "/tmp/x")).toHaveLength(400);
});

const review = fs.existsSync(REVIEW) ? test : test.skip;
review("every row of the review is read: 225, ids unique, each with its surface, input and verdict", () => {
    const rows = readReview();
    expect(rows).toHaveLength(225);
    expect(new Set(rows.map((r) => r.id)).size).toBe(225);
    expect(rows.find((r) => r.id === "W41")).toEqual({
        id: "W41",
        surface: "byok wrap",
        input: "material command ignores SIGTERM",
        exit: "1",
        message: "error after 41 s (child ignored SIGTERM; spawnSync waited for it to exit; with sleep 100 it ran past 70 s)",
        verdict: "crash/hang",
    });
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
    expect(counts).toEqual({ "clear error": 143, unclear: 38, "silently accepted": 36, crash: 1, "crash/hang": 3, "crash (state lost)": 4 });
});
