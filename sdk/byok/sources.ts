/**
 * Material sources: a non-secret descriptor (`{file}`, `{env}`, `{command}`) that is resolved to key material only
 * inside a BYOK provider or the CLI, at the moment of wrapping. Errors name the source, never its content.
 *
 * Reading cannot hurt the host: a file is opened without following a final symbolic link, without blocking, and
 * only when it is a regular file (checked on the opened descriptor); no source is read past `MAX_MATERIAL_BYTES`;
 * a command runs without a shell, with only `PATH` and the variables its descriptor names, in its own process group
 * that is killed on timeout, on overflow and when it exits; every buffer that held material is zeroed.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import { Worker } from "worker_threads";
import { z } from "zod";
import { checkKeyQuality, checkMaterial, cryptoReason, fingerprint, materialFromJwk, MaterialError, MaterialKind, MAX_MATERIAL_BYTES } from "../crypto/material";
import type { Purpose } from "../schema/constants";
import type { KeyMaterial } from "../crypto/sealed";
import { describeValue } from "../schema/errors";
import { describePkcs11, parsePkcs11Uri } from "./pkcs11/uri";

export { MAX_MATERIAL_BYTES };

export const MATERIAL_FORMATS = ["raw", "hex", "base64", "pem", "der", "jwk"] as const;
export type MaterialFormat = (typeof MATERIAL_FORMATS)[number];

/** `{command}`: the default and the largest `timeoutMs`. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
export const MAX_COMMAND_TIMEOUT_MS = 300_000;
/** How long a command that has exited may keep its standard output open (a background child) before it is killed. */
export const COMMAND_EXIT_GRACE_MS = 500;
/** Limits on the descriptor itself. */
export const SOURCE_LIMITS = { pathChars: 4096, commandArgs: 256, argChars: 32_768, envNames: 64 } as const;

/** Where material comes from. The descriptor is safe to keep in state; the material is not. */
export type MaterialSource =
    | { file: string; format?: MaterialFormat }
    | { env: string; format?: MaterialFormat }
    | {
          /** The program and its arguments, run directly (no shell). */
          command: string[];
          /** Environment variables passed to the program, besides `PATH` (nothing else is). */
          env?: string[];
          /** @default 30000; at most 300000 */
          timeoutMs?: number;
          format?: MaterialFormat;
      }
    /**
     * A key in a PKCS#11 token (RFC 7512 URI): wrapped inside the token, never read into this process. `generate`:
     * keyfabric creates it in the token (by its `object` label) at deploy time when it is absent.
     */
    | { pkcs11: string; generate?: boolean };
/** The sources whose material is read into this process. */
export type PlaintextSource = Exclude<MaterialSource, { pkcs11: string }>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME_ALLOWED = "letters, digits and _, not starting with a digit";
/** The descriptor shapes a `material` may take, for error messages. */
export const MATERIAL_SOURCE_SHAPES = "{file: path, format?}, {env: NAME, format?}, {command: [program, args...], env?: [NAME...], timeoutMs?, format?}, {pkcs11: URI, generate?}";
const FIELDS = { file: ["file", "format"], env: ["env", "format"], command: ["command", "env", "timeoutMs", "format"], pkcs11: ["pkcs11", "generate"] } as const;

/** A problem with a descriptor: `path` is relative to the descriptor (`""`, `file`, `command[2]`, `env[0]`...). */
export interface SourceIssue {
    readonly path: (string | number)[];
    readonly message: string;
    readonly allowed?: string;
    /** Shown in messages; absent where the value could be secret (command arguments). */
    readonly got?: unknown;
    readonly hasGot: boolean;
}

const issue = (path: (string | number)[], message: string, allowed?: string, ...got: unknown[]): SourceIssue => ({ path, message, allowed, got: got[0], hasGot: got.length > 0 });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every problem with a descriptor, each naming its sub-field, the allowed values and (where not secret) what was received. */
export function materialSourceIssues(value: unknown): SourceIssue[] {
    if (value === undefined) return [issue([], "is required", MATERIAL_SOURCE_SHAPES)];
    if (!isObject(value)) return [issue([], "is not a material source", MATERIAL_SOURCE_SHAPES, value)];
    const kinds = (["file", "env", "command", "pkcs11"] as const).filter((k) => k in value && !(k === "env" && "command" in value));
    if (kinds.length === 0) return [issue([], "names no source: one of file, env, command or pkcs11 is needed", MATERIAL_SOURCE_SHAPES, value)];
    if (kinds.length > 1) return [issue([], `names two sources (${kinds.join(" and ")}): give one`, MATERIAL_SOURCE_SHAPES)];
    const kind = kinds[0];
    const out: SourceIssue[] = [];
    const unknown = Object.keys(value).filter((k) => !(FIELDS[kind] as readonly string[]).includes(k));
    for (const k of unknown) out.push(issue([], `has unknown field ${k}`, FIELDS[kind].join(", ")));
    if (kind === "pkcs11") {
        const u = value.pkcs11;
        if (typeof u !== "string") out.push(issue(["pkcs11"], "must be a PKCS#11 URI (RFC 7512)", "pkcs11:token=<label>;object=<label>?pin-source=env:<NAME>", u));
        // pin-value is refused: the descriptor is kept in state. Only a PIN-free value is ever shown.
        else {
            const parsed = parsePkcs11Uri(u);
            for (const i of parsed.issues) out.push(issue(["pkcs11"], `${i.attribute ? `${i.attribute} ` : ""}${i.message}`, i.allowed, ...(i.got !== undefined ? [i.got] : [])));
            if (value.generate === true && parsed.uri && parsed.uri.object === undefined) out.push(issue(["generate"], "needs the key's label in the URI (object=<label>): a key is created and found again by its label", "pkcs11:...;object=<label>..."));
        }
        if (value.generate !== undefined && typeof value.generate !== "boolean") out.push(issue(["generate"], "must be true or false", "true, false", value.generate));
    } else if (kind === "file") {
        const f = value.file;
        if (typeof f !== "string") out.push(issue(["file"], "must be a file path", undefined, f));
        else if (f === "") out.push(issue(["file"], "is empty", "a file path"));
        else if (f.includes("\0")) out.push(issue(["file"], "contains a NUL character", "a file path"));
        else if (f.length > SOURCE_LIMITS.pathChars) out.push(issue(["file"], `is longer than ${SOURCE_LIMITS.pathChars} characters`, "a file path"));
    } else if (kind === "env") {
        const n = value.env;
        if (typeof n !== "string" || !ENV_NAME.test(n) || n.length > 256) out.push(issue(["env"], "is not an environment variable name", ENV_NAME_ALLOWED, n));
    } else {
        const c = value.command;
        if (!Array.isArray(c)) out.push(issue(["command"], `must be a list: the program, then its arguments (got: ${c === null ? "null" : typeof c === "string" ? "a string" : `a ${typeof c}`})`, "[program, args...]"));
        else if (c.length === 0) out.push(issue(["command"], "is empty", "[program, args...]"));
        else if (c.length > SOURCE_LIMITS.commandArgs) out.push(issue(["command"], `has more than ${SOURCE_LIMITS.commandArgs} elements`, "[program, args...]"));
        else {
            c.forEach((a, i) => {
                if (typeof a !== "string") out.push(issue(["command", i], `must be a string (got: a ${a === null ? "null" : typeof a})`));
                else if (i === 0 && a === "") out.push(issue(["command", 0], "is empty", "a program name or path"));
                else if (a.includes("\0")) out.push(issue(["command", i], "contains a NUL character"));
                else if (a.length > SOURCE_LIMITS.argChars) out.push(issue(["command", i], `is longer than ${SOURCE_LIMITS.argChars} characters`));
            });
        }
        const env = value.env;
        if (env !== undefined) {
            if (!Array.isArray(env)) out.push(issue(["env"], "must be a list of environment variable names passed to the command", "e.g. [HOME, VAULT_ADDR]", env));
            else if (env.length > SOURCE_LIMITS.envNames) out.push(issue(["env"], `has more than ${SOURCE_LIMITS.envNames} names`));
            else env.forEach((n, i) => {
                if (typeof n !== "string" || !ENV_NAME.test(n) || n.length > 256) out.push(issue(["env", i], "is not an environment variable name", ENV_NAME_ALLOWED, n));
            });
        }
        const t = value.timeoutMs;
        if (t !== undefined && (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > MAX_COMMAND_TIMEOUT_MS)) {
            out.push(issue(["timeoutMs"], "must be a whole number of milliseconds", `1-${MAX_COMMAND_TIMEOUT_MS}`, t));
        }
    }
    const fmt = value.format;
    if (fmt !== undefined && !(MATERIAL_FORMATS as readonly unknown[]).includes(fmt)) out.push(issue(["format"], "is not one of the allowed values", MATERIAL_FORMATS.join(", "), fmt));
    return out;
}

/**
 * The descriptor's schema: each problem is an issue on its sub-field (`material.command[0]`, `material.timeoutMs`...),
 * with the allowed values in the encoding the spec's messages use.
 */
export const materialSourceSchema = z.custom<MaterialSource>(() => true).superRefine((value, ctx) => {
    for (const i of materialSourceIssues(value)) {
        // `input: undefined` keeps zod from reporting the whole descriptor as what was received.
        ctx.addIssue({ code: "custom", path: i.path, message: JSON.stringify({ m: i.message, a: i.allowed }), input: i.hasGot ? i.got : undefined });
    }
});

export class MaterialSourceError extends Error {
    /** `source` null: `problem` is the whole message (a descriptor that does not validate). */
    constructor(source: MaterialSource | null, problem: string) {
        super(source ? `key material from ${describeSource(source)}: ${problem}` : problem);
        this.name = "MaterialSourceError";
    }
}

/** An issue as a message: `<where>: <message> (allowed: ..., got: ...)`; `where` defaults to `material<path>`. */
export function formatSourceIssue(i: SourceIssue, where = `material${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("")}`): string {
    const extras = [...(i.allowed ? [`allowed: ${i.allowed}`] : []), ...(i.hasGot ? [`got: ${describeValue(i.got)}`] : [])];
    return `${where}: ${i.message}${extras.length ? ` (${extras.join(", ")})` : ""}`;
}

/** A description for messages: the file path, variable name or program name; never content or arguments' values. */
export function describeSource(source: MaterialSource): string {
    if ("pkcs11" in source) return describePkcs11(source.pkcs11);
    if ("command" in source) return `command ${source.command[0]} (${source.command.length - 1} argument${source.command.length === 2 ? "" : "s"})`;
    if ("file" in source) return `file ${source.file}`;
    return `environment variable ${source.env}`;
}

export interface ResolvedMaterial {
    /** Raw bytes (symmetric) or DER PKCS#8 (asymmetric), or a key that stays in its token. Zero (release) it after use. */
    readonly material: KeyMaterial;
    /** The parsed private key (asymmetric); drop the reference after use (a KeyObject cannot be zeroed). */
    readonly privateKey?: crypto.KeyObject;
    readonly fingerprint: string;
}

export interface ResolveOptions {
    /**
     * The caller's warning channel (the CLI prints on stderr; a provider can log). Warnings: a material file that its
     * group or others can read or write. Without it, warnings are dropped.
     */
    readonly warn?: (message: string) => void;
    /** The key's purpose, when known: a JWK's use, key_ops and alg must fit it. */
    readonly purpose?: Purpose;
}

/** Reads, decodes and checks material against `kind`. Every intermediate buffer is zeroed, on every path. */
export function resolveMaterial(source: MaterialSource, kind: MaterialKind, options: ResolveOptions = {}): ResolvedMaterial & { material: Buffer } {
    const problems = materialSourceIssues(source);
    if (problems.length) throw new MaterialSourceError(null, formatSourceIssue(problems[0]));
    if ("pkcs11" in source) throw new MaterialSourceError(source, "stays in its token and is never read into this process: it is wrapped inside the token (resolveKeyMaterial in sdk/byok/resolve.ts)");
    const raw = readSource(source, options);
    let material: Buffer;
    try {
        material = decode(raw, source.format ?? guessFormat(source, raw, kind), kind, options.purpose);
    } catch (e) {
        throw new MaterialSourceError(source, (e as Error).message);
    } finally {
        raw.fill(0);
    }
    try {
        const privateKey = checkMaterial(kind, material);
        checkKeyQuality(kind, privateKey);
        return { material, privateKey, fingerprint: fingerprint(material, privateKey) };
    } catch (e) {
        material.fill(0);
        if (e instanceof MaterialError) throw new MaterialSourceError(source, e.message);
        throw e;
    }
}

// ---- reading ----

function readSource(source: PlaintextSource, options: ResolveOptions): Buffer {
    if ("command" in source) return runMaterialCommand(source);
    if ("file" in source) {
        return readBoundedFile(source.file, MAX_MATERIAL_BYTES, (p) => new MaterialSourceError(source, p), {
            fifoHint: "for a program's output use a command source",
            onExposed: (mode) => options.warn?.(`key material from file ${source.file}: ${exposure(mode)}; keep key material private to its owner (chmod 600 ${source.file})`),
        });
    }
    materialEnvNames.add(source.env);
    const v = process.env[source.env];
    if (v === undefined) throw new MaterialSourceError(source, "is not set");
    const bytes = Buffer.byteLength(v, "utf8");
    if (bytes > MAX_MATERIAL_BYTES) throw new MaterialSourceError(source, `is ${bytes} bytes long; key material is at most ${MAX_MATERIAL_BYTES} bytes`);
    const b = Buffer.alloc(bytes);
    b.write(v, "utf8");
    if (trim(b).length === 0) {
        b.fill(0);
        throw new MaterialSourceError(source, "is empty");
    }
    return b;
}

function exposure(mode: number): string {
    const who = [...(mode & 0o060 ? ["its group"] : []), ...(mode & 0o006 ? ["others"] : [])].join(" and ");
    const how = [...(mode & 0o044 ? ["read"] : []), ...(mode & 0o022 ? ["write"] : [])].join(" and ");
    return `${who} can ${how} it (mode ${(mode & 0o777).toString(8).padStart(4, "0")})`;
}

const FILE_TYPES: [keyof fs.Stats, string][] = [
    ["isDirectory", "a directory"],
    ["isFIFO", "a named pipe (FIFO)"],
    ["isSocket", "a socket"],
    ["isCharacterDevice", "a character device"],
    ["isBlockDevice", "a block device"],
];

/**
 * Reads a regular file of at most `maxBytes`. Refuses, before opening, anything that is not a regular file (a FIFO
 * would block, a device could be endless or have side effects) and a final symbolic link; opens with O_NOFOLLOW and
 * O_NONBLOCK, then checks the opened descriptor is the regular file that was checked (same device and inode), so a
 * file swapped in between is refused; never reads more than `maxBytes + 1`. `onExposed` receives the mode when the
 * group or others may read or write it; `what` names the content in messages. The returned buffer is the only copy:
 * zero it after use.
 */
export function readBoundedFile(
    file: string,
    maxBytes: number,
    fail: (problem: string) => Error,
    options: { what?: string; fifoHint?: string; onExposed?: (mode: number) => void } = {},
): Buffer {
    const what = options.what ?? "key material";
    const why = (e: any, opening = false): string => {
        switch (e?.code) {
            case "ENOENT":
                return "no such file";
            case "EACCES":
            case "EPERM":
                return "permission denied";
            case "ENOTDIR":
                return "no such file (a part of the path is not a directory)";
            case "ELOOP":
                return opening ? "is a symbolic link (replaced while being opened)" : "has too many levels of symbolic links";
            case "ENAMETOOLONG":
                return "the path is too long";
            default:
                return `cannot be read (${e?.code ?? "error"})`;
        }
    };
    let before: fs.Stats;
    try {
        before = fs.lstatSync(file);
    } catch (e) {
        throw fail(why(e));
    }
    if (before.isSymbolicLink()) {
        let target: string;
        try {
            target = `to ${fs.realpathSync(file)}`;
        } catch {
            target = "whose target does not exist";
        }
        throw fail(`is a symbolic link (${target}); keyfabric does not follow a link to key material, so that the file read is the one named (allowed: the path of the file itself)`);
    }
    const notRegular = (st: fs.Stats) => FILE_TYPES.find(([m]) => (st[m] as () => boolean).call(st));
    const other = notRegular(before);
    if (other || !before.isFile()) {
        const pipeHint = other?.[0] === "isFIFO" && options.fifoHint ? `; ${options.fifoHint}` : "";
        throw fail(`is ${other?.[1] ?? "not a regular file"}, not a regular file${pipeHint}`);
    }
    if (before.size > maxBytes) throw fail(`is ${before.size} bytes; ${what} is at most ${maxBytes} bytes`);
    const c = fs.constants;
    let fd: number;
    try {
        fd = fs.openSync(file, c.O_RDONLY | (c.O_NOFOLLOW ?? 0) | (c.O_NONBLOCK ?? 0) | (c.O_NOCTTY ?? 0));
    } catch (e) {
        throw fail(why(e, true));
    }
    const buf = Buffer.alloc(maxBytes + 1);
    try {
        const st = fs.fstatSync(fd);
        if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev) throw fail("was replaced while being opened; nothing was read");
        if (st.mode & 0o066) options.onExposed?.(st.mode);
        let n = 0;
        for (;;) {
            const r = fs.readSync(fd, buf, n, buf.length - n, null);
            if (r === 0) break;
            n += r;
            if (n > maxBytes) throw fail(`is more than ${maxBytes} bytes; ${what} is at most ${maxBytes} bytes`);
        }
        return buf.subarray(0, n);
    } catch (e) {
        buf.fill(0);
        if (e instanceof Error && !(e as any).code) throw e;
        throw fail(why(e));
    } finally {
        fs.closeSync(fd);
    }
}

// ---- environment of child processes ----

/** The names of the variables read as `{env}` material in this process: never passed to a child process. */
const materialEnvNames = new Set<string>();

/** Marks a variable as material, so `childProcessEnv` leaves it out. */
export function registerMaterialEnv(name: string): void {
    materialEnvNames.add(name);
}

/** `base` (default: this process's environment) without the variables read as `{env}` material: for any child keyfabric spawns. */
export function childProcessEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const out: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(base)) if (!materialEnvNames.has(k) && v !== undefined) out[k] = v;
    return out;
}

/** A `{command}`'s environment: `PATH` and the variables its `env` names (when set), never a variable read as material. */
export function commandEnv(source: { env?: string[] }): Record<string, string> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin" };
    for (const name of source.env ?? []) {
        const v = process.env[name];
        if (v !== undefined && !materialEnvNames.has(name)) env[name] = v;
    }
    return env;
}

// ---- commands ----

const STATE = { running: 0, exited: 1, error: 2, timeout: 3, overflow: 4, lingered: 5 } as const;
const CTL = { state: 0, code: 1, signal: 2, length: 3, pid: 4 } as const;

/**
 * Runs in a worker thread, so that `resolveMaterial` stays synchronous while the command runs asynchronously: the
 * program runs detached (its own process group), its output is copied into the shared buffer up to the bound and each
 * chunk zeroed; the group is killed with SIGKILL on timeout, on overflow, when the program exits leaving a process
 * that holds its output, and after it exits.
 */
const RUNNER = `"use strict";
const { workerData } = require("worker_threads");
const { spawn } = require("child_process");
const { ctl: ctlBuffer, data: dataBuffer, file, args, env, timeoutMs, graceMs, S, C } = workerData;
const ctl = new Int32Array(ctlBuffer);
const out = new Uint8Array(dataBuffer);
let len = 0, done = false, child, timer, grace, exitCode = 0, exitSignal = null;
const signalNumber = (s) => (s ? require("os").constants.signals[s] || 0 : 0);
function killGroup() { if (child && child.pid) { try { process.kill(-child.pid, "SIGKILL"); } catch (e) {} } }
function finish(state, code, signal) {
    if (done) return;
    done = true;
    clearTimeout(timer);
    clearTimeout(grace);
    killGroup();
    Atomics.store(ctl, C.code, code | 0);
    Atomics.store(ctl, C.signal, signal | 0);
    Atomics.store(ctl, C.length, len);
    Atomics.store(ctl, C.state, state);
    Atomics.notify(ctl, C.state);
    if (child && child.stdout) child.stdout.destroy();
}
const errorCode = (e) => (e && e.code === "ENOENT" ? 1 : e && (e.code === "EACCES" || e.code === "EPERM") ? 2 : 3);
try {
    child = spawn(file, args, { env, detached: true, stdio: ["ignore", "pipe", "ignore"], windowsHide: true });
} catch (e) {
    finish(S.error, errorCode(e), 0);
}
if (child && !done) {
    Atomics.store(ctl, C.pid, child.pid || 0);
    child.on("error", (e) => finish(S.error, errorCode(e), 0));
    child.stdout.on("data", (chunk) => {
        if (!done && len + chunk.length > out.length) finish(S.overflow, 0, 0);
        if (!done) { out.set(chunk, len); len += chunk.length; }
        chunk.fill(0);
    });
    child.on("exit", (code, signal) => {
        exitCode = code === null ? -1 : code;
        exitSignal = signal;
        grace = setTimeout(() => finish(S.lingered, exitCode, signalNumber(exitSignal)), graceMs);
    });
    child.on("close", (code, signal) => finish(S.exited, code === null ? -1 : code, signalNumber(signal)));
    timer = setTimeout(() => finish(S.timeout, 0, 0), timeoutMs);
}
`;

/**
 * Runs a `{command}` source and returns its standard output (at most `MAX_MATERIAL_BYTES`; zero it after use).
 * Blocks until the command ends, for at most its timeout plus a grace period.
 */
export function runMaterialCommand(source: Extract<MaterialSource, { command: string[] }>): Buffer {
    const timeoutMs = source.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const ctlBuffer = new SharedArrayBuffer(5 * 4);
    const dataBuffer = new SharedArrayBuffer(MAX_MATERIAL_BYTES);
    const ctl = new Int32Array(ctlBuffer);
    const data = new Uint8Array(dataBuffer);
    const fail = (p: string) => new MaterialSourceError(source, p);
    let worker: Worker | undefined;
    try {
        worker = new Worker(RUNNER, {
            eval: true,
            env: {},
            stdout: true,
            stderr: true,
            workerData: { ctl: ctlBuffer, data: dataBuffer, file: source.command[0], args: source.command.slice(1), env: commandEnv(source), timeoutMs, graceMs: COMMAND_EXIT_GRACE_MS, S: STATE, C: CTL },
        });
        const waited = Atomics.wait(ctl, CTL.state, STATE.running, timeoutMs + COMMAND_EXIT_GRACE_MS + 10_000);
        if (waited === "timed-out") {
            const pid = Atomics.load(ctl, CTL.pid);
            if (pid > 0) {
                try {
                    process.kill(-pid, "SIGKILL");
                } catch {
                    /* gone */
                }
            }
            throw fail(`timed out after ${timeoutMs} ms and its process group was killed (allowed: a timeout up to ${MAX_COMMAND_TIMEOUT_MS} ms)`);
        }
        const state = Atomics.load(ctl, CTL.state);
        const code = Atomics.load(ctl, CTL.code);
        const signal = Atomics.load(ctl, CTL.signal);
        const signalName = Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
        switch (state) {
            case STATE.error:
                throw fail(code === 1 ? "program not found" : code === 2 ? "cannot be run (permission denied)" : "could not be run");
            case STATE.timeout:
                throw fail(`timed out after ${timeoutMs} ms and its process group was killed (allowed: a timeout up to ${MAX_COMMAND_TIMEOUT_MS} ms)`);
            case STATE.overflow:
                throw fail(`printed more than ${MAX_MATERIAL_BYTES} bytes and was stopped (key material is at most ${MAX_MATERIAL_BYTES} bytes)`);
            case STATE.lingered:
                if (signal) throw fail(`was killed by ${signalName}`);
                if (code !== 0) throw fail(`exited with status ${code}`);
                throw fail("exited but left a background process holding its standard output; its process group was killed and the output discarded (a material command must not leave processes behind)");
            default: {
                if (signal) throw fail(`was killed by ${signalName}`);
                if (code !== 0) throw fail(`exited with status ${code}`);
                const n = Atomics.load(ctl, CTL.length);
                const out = Buffer.alloc(n);
                out.set(data.subarray(0, n));
                return out;
            }
        }
    } finally {
        data.fill(0);
        if (worker) {
            worker.unref();
            void worker.terminate();
        }
    }
}

// ---- decoding ----

const WS = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);

/** A view of `b` without leading and trailing ASCII whitespace (no copy). */
function trim(b: Buffer): Buffer {
    let s = 0;
    let e = b.length;
    while (s < e && WS.has(b[s])) s++;
    while (e > s && WS.has(b[e - 1])) e--;
    return b.subarray(s, e);
}

const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);
function b64Value(c: number): number {
    if (c >= 0x41 && c <= 0x5a) return c - 0x41;
    if (c >= 0x61 && c <= 0x7a) return c - 0x47;
    if (c >= 0x30 && c <= 0x39) return c + 4;
    if (c === 0x2b || c === 0x2d) return 62; // + or -
    if (c === 0x2f || c === 0x5f) return 63; // / or _
    return -1;
}

/** Hex, ignoring whitespace (as `xxd -p` wraps it); undefined when not hex. Decoded without an intermediate string. */
function decodeHex(t: Buffer): Buffer | undefined {
    const out = Buffer.alloc(t.length >> 1);
    let n = 0;
    let hi = -1;
    for (const c of t) {
        if (WS.has(c)) continue;
        const v = hexValue(c);
        if (v < 0) {
            out.fill(0);
            return undefined;
        }
        if (hi < 0) hi = v;
        else {
            out[n++] = (hi << 4) | v;
            hi = -1;
        }
    }
    if (hi >= 0 || n === 0) {
        out.fill(0);
        return undefined;
    }
    return out.subarray(0, n);
}

/** Base64 or base64url, padded or not, ignoring whitespace (as `base64` wraps it); undefined when not valid. */
function decodeBase64(t: Buffer): Buffer | undefined {
    const out = Buffer.alloc(Math.ceil((t.length * 3) / 4));
    let n = 0;
    let acc = 0;
    let bits = 0;
    let chars = 0;
    let pad = 0;
    for (const c of t) {
        if (WS.has(c)) continue;
        if (c === 0x3d) {
            pad++;
            continue;
        }
        const v = b64Value(c);
        if (v < 0 || pad > 0) {
            out.fill(0);
            return undefined;
        }
        chars++;
        acc = ((acc << 6) | v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (acc >> bits) & 0xff;
        }
    }
    const bad = chars === 0 || chars % 4 === 1 || pad > 2 || (pad > 0 && (chars + pad) % 4 !== 0) || (acc & ((1 << bits) - 1)) !== 0;
    acc = 0;
    if (bad) {
        out.fill(0);
        return undefined;
    }
    return out.subarray(0, n);
}

const startsWith = (b: Buffer, s: string) => b.subarray(0, s.length).equals(Buffer.from(s, "latin1"));
const allOf = (b: Buffer, ok: (c: number) => boolean) => b.length > 0 && b.every((c) => WS.has(c) || ok(c));

function guessFormat(source: PlaintextSource, raw: Buffer, kind: MaterialKind): MaterialFormat {
    const symmetricBytes = kind.type === "aes" || kind.type === "hmac" ? kind.bytes : undefined;
    // A file of exactly the key's size is the raw key (random bytes can look like text).
    if ("file" in source && symmetricBytes !== undefined && raw.length === symmetricBytes) return "raw";
    const t = trim(raw);
    if (startsWith(t, "-----BEGIN")) return "pem";
    if (t[0] === 0x7b && t[t.length - 1] === 0x7d) return "jwk";
    if (allOf(t, (c) => hexValue(c) >= 0)) return "hex";
    if (allOf(t, (c) => b64Value(c) >= 0 || c === 0x3d)) return "base64";
    return symmetricBytes !== undefined ? "raw" : "der";
}

const PRIVATE_PEM_LABELS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

/** The labels of a PEM's BEGIN lines, read from the buffer (only the labels become strings). */
function pemLabels(t: Buffer): string[] {
    const labels: string[] = [];
    const begin = Buffer.from("-----BEGIN ", "latin1");
    for (let i = t.indexOf(begin); i >= 0; i = t.indexOf(begin, i + begin.length)) {
        const end = t.indexOf("-----", i + begin.length, "latin1");
        labels.push(end < 0 || end - i > 80 ? "?" : t.subarray(i + begin.length, end).toString("latin1"));
    }
    return labels;
}

function decode(raw: Buffer, format: MaterialFormat, kind: MaterialKind, purpose?: Purpose): Buffer {
    switch (format) {
        case "raw":
        case "der":
            return Buffer.from(raw);
        case "hex": {
            const b = decodeHex(trim(raw));
            if (!b) throw new Error("is not valid hex");
            return b;
        }
        case "base64": {
            const b = decodeBase64(trim(raw));
            if (!b) throw new Error("is not valid base64");
            return b;
        }
        case "pem": {
            const t = trim(raw);
            if (t.includes("ENCRYPTED")) throw new Error("is a password-protected PEM; decrypt it first (keyfabric never handles key passwords)");
            const labels = pemLabels(t).filter((l) => l !== "EC PARAMETERS");
            const keys = labels.filter((l) => PRIVATE_PEM_LABELS.includes(l));
            if (labels.length === 0) throw new Error("is not a PEM private key");
            if (keys.length === 0) {
                const what = /PUBLIC KEY$/.test(labels[0]) ? "a PEM public key: the private key is needed" : /CERTIFICATE/.test(labels[0]) ? "a PEM certificate: the private key is needed" : `a PEM ${labels[0]}, not a private key`;
                throw new Error(`is ${what} (allowed: PEM ${PRIVATE_PEM_LABELS.join(", ")})`);
            }
            if (labels.length > 1) throw new Error(`holds ${labels.length} PEM blocks (${labels.join(", ")}); give the private key alone`);
            try {
                return crypto.createPrivateKey({ key: t, format: "pem" }).export({ type: "pkcs8", format: "der" });
            } catch (e) {
                throw new Error(`is not a PEM private key (${cryptoReason(e)})`);
            }
        }
        case "jwk": {
            let jwk: unknown;
            try {
                // JSON.parse needs a string, which cannot be zeroed: the GC frees it.
                jwk = JSON.parse(trim(raw).toString("utf8"));
            } catch {
                throw new Error("is not valid JSON (JWK)");
            }
            return materialFromJwk(jwk, kind, purpose);
        }
    }
}
