/**
 * The `--state` file of `keyfabric emulate`: read and validated in full before any port is opened, written
 * atomically (a temporary file in the same directory, fsync, rename) with mode 0600, and saved shortly after every
 * change by a `StateSaver` that reports a failing save once per kind of failure and keeps the state in memory.
 *
 * The file holds the emulators' key material in plaintext (test keys only): `{ version: 1, aws, gcp, azure }`, each
 * part an emulator's `snapshot()`.
 */
import * as fs from "fs";
import * as path from "path";
import { awsStateProblems } from "./aws/persist";
import { azureStateProblems } from "./azure/persist";
import { gcpStateProblems } from "./gcp/persist";
import type { EmulatorSetState } from "./index";
import { EmulatorStateError, isNewerVersion, prefixProblems, showValue, type StateProblem } from "./persist";
import { describeJsonError } from "../jsonError";

export const STATE_FILE_VERSION = 1;
/** The mode state files are written with: they hold plaintext (test) key material. */
export const STATE_FILE_MODE = 0o600;

const PARTS = { aws: awsStateProblems, gcp: gcpStateProblems, azure: azureStateProblems } as const;
const FIELDS = ["version", ...Object.keys(PARTS)];

/** Every problem of a parsed state file (paths from its root: `aws.keys[3].origin`); empty when it can be restored. */
export function stateProblems(value: unknown): StateProblem[] {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        return [{ path: "", message: `is not a keyfabric emulator state file (expected a JSON object with version ${STATE_FILE_VERSION} and aws, gcp, azure parts, got: ${showValue(value)})` }];
    }
    const v = value as Record<string, unknown>;
    if (isNewerVersion(v.version, STATE_FILE_VERSION)) {
        return [{ path: "", message: `was written by a newer keyfabric (state file version ${v.version}; this keyfabric reads version ${STATE_FILE_VERSION}): upgrade keyfabric` }];
    }
    const problems: StateProblem[] = [];
    if (v.version !== STATE_FILE_VERSION) {
        problems.push({ path: "version", message: v.version === undefined ? `is required (${STATE_FILE_VERSION}): is this a keyfabric emulator state file?` : `must be ${STATE_FILE_VERSION} (got: ${showValue(v.version)})` });
    }
    const unknown = Object.keys(v).filter((k) => !FIELDS.includes(k));
    if (unknown.length > 0) problems.push({ path: "", message: `has unknown field${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")} (allowed: ${FIELDS.join(", ")})` });
    for (const [part, check] of Object.entries(PARTS)) {
        if (v[part] !== undefined) problems.push(...prefixProblems(part, check(v[part])));
    }
    return problems;
}

const code = (e: unknown) => (e as NodeJS.ErrnoException)?.code;
// Duck-typed: errors of Node's fs are not `instanceof Error` in every realm (a test runner's sandbox).
const asError = (e: unknown): Error => (typeof (e as Error)?.message === "string" ? (e as Error) : new Error(String(e)));
const reason = (e: unknown) => asError(e).message;

/**
 * Reads and validates a `--state` file. A missing file is an empty start (undefined), if its directory exists; a
 * missing directory, a directory or other non-file at the path, an empty, truncated or corrupt file, a newer format
 * and any invalid record are errors naming the file (and the record).
 */
export function readStateFile(file: string): EmulatorSetState | undefined {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch (e) {
        if (code(e) !== "ENOENT") throw new Error(`${file}: cannot read the state file (${reason(e)})`);
        // Start empty and create the file on the first save; a missing directory would make every save fail.
        const dir = path.dirname(path.resolve(file));
        let dirStat: fs.Stats | undefined;
        try {
            dirStat = fs.statSync(dir);
        } catch (e2) {
            throw new Error(`${file}: the directory ${dir} does not exist (${code(e2) ?? reason(e2)}): create it first, the state file is created in it on the first save`);
        }
        if (!dirStat.isDirectory()) throw new Error(`${file}: ${dir} is not a directory`);
        return undefined;
    }
    if (stat.isDirectory()) throw new Error(`${file}: is a directory; give the path of a state file (created on the first save when missing)`);
    if (!stat.isFile()) throw new Error(`${file}: is not a regular file; give the path of a state file (created on the first save when missing)`);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(`${file}: cannot read the state file (${reason(e)})`);
    }
    if (text.trim() === "") throw new Error(`${file}: is empty, not a keyfabric emulator state file (move it away to start with no keys)`);
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new Error(`${file}: is not JSON (${describeJsonError(e, text)}): truncated, corrupt, or not a keyfabric emulator state file (move it away to start with no keys)`);
    }
    const problems = stateProblems(parsed);
    if (problems.length > 0) throw new EmulatorStateError(file, problems);
    return parsed as EmulatorSetState;
}


/** A state path that is a symbolic link is saved where it points (the rename would replace the link itself). */
function realTarget(file: string): string {
    try {
        return fs.lstatSync(file).isSymbolicLink() ? fs.realpathSync(file) : file;
    } catch {
        return file; // missing (or a dangling link): the save says why it fails, if it does
    }
}

/** Creates the temporary file (never through an existing file or link); one left by a crashed process of the same pid is replaced. */
function createTemporary(tmp: string): number {
    try {
        return fs.openSync(tmp, "wx", STATE_FILE_MODE);
    } catch (e) {
        if (code(e) !== "EEXIST") throw e;
        fs.rmSync(tmp, { force: true });
        return fs.openSync(tmp, "wx", STATE_FILE_MODE);
    }
}

/**
 * Writes `text` to `file` atomically: a new temporary file in the same directory (`.<name>.<pid>.tmp`, mode 0600),
 * written in full, fsynced, then renamed over `file`; a reader sees the old file or the new one, never a part. On
 * failure the temporary file is removed, `file` is as it was, and the error is thrown. Saves are synchronous, so
 * one process never has two of them in flight.
 */
export function writeStateText(file: string, text: string): void {
    file = realTarget(file);
    const dir = path.dirname(file);
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
    let fd: number | undefined;
    try {
        fd = createTemporary(tmp);
        fs.writeFileSync(fd, text);
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fd = undefined;
        fs.renameSync(tmp, file);
    } catch (e) {
        try {
            if (fd !== undefined) fs.closeSync(fd);
            fs.rmSync(tmp, { force: true });
        } catch {
            // The write's error is the one to report; a temporary file left behind is named like the state file.
        }
        throw e;
    }
    // Makes the rename itself durable. Not every file system can fsync a directory (EINVAL, EISDIR on some): the
    // file is complete and in place either way, so that is not a failure to save.
    try {
        const dirFd = fs.openSync(dir, "r");
        try {
            fs.fsyncSync(dirFd);
        } finally {
            fs.closeSync(dirFd);
        }
    } catch {
        /* see above */
    }
}

/** Writes a state file atomically, readable by the owner only (0600): it holds the emulators' test key material. */
export function writeStateFile(file: string, state: EmulatorSetState): void {
    writeStateText(file, JSON.stringify(state));
}

export interface StateSaverOptions {
    readonly file: string;
    /** The state to save (`EmulatorSet#snapshot`). */
    readonly snapshot: () => EmulatorSetState;
    /** Where a failing save, and the first save that works again, are reported (the CLI: stderr). */
    readonly report: (message: string) => void;
    /** Saves this long after the last change. @default 100 */
    readonly debounceMs?: number;
    /** And at most this long after the first unsaved change, however busy the emulators are. @default 1000 */
    readonly maxDelayMs?: number;
    /** The state the file already holds (as loaded), so that it is not rewritten unchanged. */
    readonly saved?: EmulatorSetState;
}

/**
 * Saves the emulators' state shortly after each change (`changed()`) and on `flush()`. A save that fails leaves
 * the previous file intact and is reported once per kind of failure (EACCES, ENOSPC, ENOENT, …) until a save works
 * again; the state stays in memory and is saved on the next change or flush.
 */
export class StateSaver {
    private readonly debounceMs: number;
    private readonly maxDelayMs: number;
    private last: string | undefined;
    private timer: NodeJS.Timeout | undefined;
    private firstPending: number | undefined;
    private readonly reported = new Set<string>();
    /** The last save's error, while saves fail. */
    lastError: Error | undefined;
    /** Saves written. */
    saves = 0;

    constructor(private readonly options: StateSaverOptions) {
        this.debounceMs = options.debounceMs ?? 100;
        this.maxDelayMs = options.maxDelayMs ?? 1000;
        this.last = options.saved === undefined ? undefined : JSON.stringify(options.saved);
    }

    /** The emulators served a call: save within `debounceMs` of the last such call (at most `maxDelayMs` after the first). */
    changed(): void {
        const now = Date.now();
        this.firstPending ??= now;
        if (this.timer) clearTimeout(this.timer);
        const delay = Math.max(0, Math.min(this.debounceMs, this.firstPending + this.maxDelayMs - now));
        this.timer = setTimeout(() => this.save(), delay);
        this.timer.unref();
    }

    /** Saves now if the state differs from the file; true when the file holds the current state. */
    flush(): boolean {
        return this.save();
    }

    /** Cancels a pending save (after a final flush). */
    close(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
    }

    private save(): boolean {
        this.close();
        this.firstPending = undefined;
        const { file } = this.options;
        try {
            const text = JSON.stringify(this.options.snapshot());
            if (text === this.last) return true;
            writeStateText(file, text);
            this.last = text;
            this.saves++;
        } catch (e) {
            const err = asError(e);
            this.lastError = err;
            const kind = code(err) ?? err.message;
            if (!this.reported.has(kind)) {
                this.reported.add(kind);
                this.options.report(`error: cannot save the emulator state to ${file} (${err.message}); still serving: the state is kept in memory and saved on the next change and at exit`);
            }
            return false;
        }
        if (this.lastError) {
            this.lastError = undefined;
            this.reported.clear();
            this.options.report(`the emulator state is saved to ${file} again`);
        }
        return true;
    }
}
