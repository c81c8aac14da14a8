/**
 * `pulumi.log` under `keyfabric preview`: with mocks there is no engine to send log messages to, so `@pulumi/pulumi`
 * prints them to the console (`warning: [runtime] ...`) and they reach no report. `withEngineLog` stands in for the
 * engine's `log` RPC while a run lasts and records every message with its severity and resource, so that a run can
 * carry the program's warnings (a `KeyHierarchy`'s spec warnings among them) as data; each is still printed to
 * stderr, as `pulumi preview` shows it.
 *
 * Wired into the harness with one line: `runUnderMocks`'s `queue.then(() => runOnce(program, options))` becomes
 * `queue.then(() => withEngineLog(() => runOnce(program, options)))` (and `MockRun` gains `warnings?: EngineLogEntry[]`).
 */
import * as settings from "@pulumi/pulumi/runtime/settings";

export interface EngineLogEntry {
    readonly severity: "debug" | "info" | "warning" | "error";
    readonly message: string;
    /** The resource the message is about, when the program named one. */
    readonly urn?: string;
}

/** The engine's `LogSeverity` numbers (`proto/engine.proto`). */
const SEVERITIES: Record<number, EngineLogEntry["severity"]> = { 0: "debug", 1: "info", 2: "warning", 3: "error" };

type Settings = { getEngine(): unknown };

/**
 * Runs `run` with `pulumi.log` recorded, and returns its result with `warnings` (the warning and error messages, in
 * order) and `logs` (every message). A real engine, when there is one, keeps its messages: nothing is recorded then.
 */
export async function withEngineLog<T extends object>(run: () => Promise<T>, echo: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<T & { warnings: EngineLogEntry[]; logs: EngineLogEntry[] }> {
    const logs: EngineLogEntry[] = [];
    const target = settings as unknown as Settings;
    const original = target.getEngine;
    const engine = {
        log(req: { getSeverity(): number; getMessage(): string; getUrn(): string }, callback: (err: unknown) => void) {
            const entry: EngineLogEntry = { severity: SEVERITIES[req.getSeverity()] ?? "info", message: req.getMessage(), ...(req.getUrn() ? { urn: req.getUrn() } : {}) };
            logs.push(entry);
            if (entry.severity === "warning" || entry.severity === "error") echo(`${entry.severity}: ${entry.message}`);
            callback(null);
        },
    };
    target.getEngine = () => original.call(settings) ?? engine;
    try {
        const result = await run();
        return Object.assign(result, { warnings: logs.filter((l) => l.severity === "warning" || l.severity === "error"), logs });
    } finally {
        target.getEngine = original;
    }
}
