/**
 * Errors for people: the message (validation reports list every problem; type errors list file:line:column), and
 * where in the program a runtime error was thrown; the stack trace only with `--verbose`.
 */
import * as path from "path";
import { KeyfabricValidationError } from "../schema/errors";
import { ProjectError } from "../preview/errors";
import { formatTypeErrors } from "../preview/typescript";

const KEYFABRIC_ROOT = path.resolve(__dirname, "..", "..");
const FRAME = /^\s*at (?:.*? \()?(?:file:\/\/)?([^()]+?):(\d+):(\d+)\)?$/;

/** The first frame of the stack in the program: not Node's, not a dependency's, not keyfabric's own. */
export function programFrame(stack: string | undefined): string | undefined {
    for (const line of (stack ?? "").split("\n").slice(1)) {
        const m = FRAME.exec(line);
        if (!m) continue;
        const file = m[1];
        if (!path.isAbsolute(file) || file.split(path.sep).includes("node_modules")) continue;
        if (["lib", "sdk"].some((d) => file.startsWith(path.join(KEYFABRIC_ROOT, d) + path.sep))) continue;
        return `${path.relative(process.cwd(), file).split(path.sep).join("/")}:${m[2]}:${m[3]}`;
    }
    return undefined;
}

export function describeError(e: unknown, verbose: boolean): string {
    const err = unwrap(e);
    if (verbose && err instanceof Error && err.stack) return `error: ${err.stack}`;
    if (err instanceof KeyfabricValidationError || err instanceof ProjectError) return `error: ${err.message}`;
    if (err instanceof Error && err.name === "TSError") return `error: ${formatTypeErrors(err as never) ?? err.message}`;
    if (err instanceof Error) {
        const where = programFrame(err.stack);
        return `error: ${err.message}${where ? `\n    at ${where}` : ""}`;
    }
    if (err && typeof err === "object" && typeof (err as { message?: unknown }).message === "string") return `error: ${(err as { message: string }).message}`;
    return `error: ${String(err)}`;
}

/** Pulumi wraps program errors ("Running program ... failed with an unhandled exception"); keep the cause. */
function unwrap(e: unknown): unknown {
    let cur = e as any;
    for (let i = 0; i < 5 && cur && typeof cur === "object" && cur.cause; i++) cur = cur.cause;
    return cur;
}
