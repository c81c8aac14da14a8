/**
 * BYOK keys, checked offline: `validTo` against what AWS accepts (errors), and the material sources against what can
 * be known without reading the material (warnings): that a file exists and is a regular file of a plausible size,
 * that only its owner can read it, that an environment variable is set, that a command's program can be found. The
 * material itself is read only by the BYOK providers at deploy time (`sdk/byok/sources.ts`), which refuse what these
 * warnings announce; a command is never run here (its exit status, time and output are bounded when it runs).
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { IssueCollector, ValidationIssue } from "./errors";
import { VALID_TO } from "./limits";
import type { ResolvedDomain, ResolvedKey } from "./validate";
import { pkcs11Warnings } from "../byok/pkcs11/warnings";
import { registerMaterialEnv } from "../byok/sources";

const DAY_MS = 86_400_000;
/** The largest key material a source may hold (the BYOK providers refuse more): the size of the largest legal key. */
export const MATERIAL_MAX_BYTES = 8192;

/** `validTo`: the expiry of material imported into AWS, a future date at most 365 days after the import. */
export function checkValidTo(k: ResolvedKey, now: Date, issues: IssueCollector, warnings: ValidationIssue[]): void {
    if (k.validTo === undefined || k.origin !== "byok" || !k.shapes.aws) return;
    // Only a date-time the schema accepts (with a time zone): the schema reports the others.
    if (!z.iso.datetime({ offset: true }).safeParse(k.validTo).success) return;
    const at = Date.parse(k.validTo);
    const path = `${k.path}.validTo`;
    const latest = new Date(now.getTime() + VALID_TO.awsMaxDays * DAY_MS);
    const allowed = `a date-time after now (${iso(now)}) and at most ${VALID_TO.awsMaxDays} days ahead (${iso(latest)}), or leave validTo out: the material does not expire`;
    if (at <= now.getTime()) {
        issues.add({ code: "out_of_range", path, message: "is in the past: AWS ImportKeyMaterial takes only a future ValidTo (and deletes expired material, leaving the key unusable)", allowed, got: k.validTo });
    } else if (at > latest.getTime()) {
        issues.add({ code: "out_of_range", path, message: `is more than ${VALID_TO.awsMaxDays} days ahead: AWS ImportKeyMaterial takes a ValidTo at most ${VALID_TO.awsMaxDays} days after the import`, allowed, got: k.validTo });
    } else if (at - now.getTime() < VALID_TO.warnWithinDays * DAY_MS) {
        const days = Math.floor((at - now.getTime()) / DAY_MS);
        warnings.push({ code: "expires_soon", path, message: `expires in ${days === 0 ? "less than a day" : days === 1 ? "1 day" : `${days} days`}: AWS then deletes the imported material and the key is unusable until it is imported again`, got: k.validTo });
    }
}

/** What can be said of a key's material source without reading it, as warnings. */
export function materialWarnings(k: ResolvedKey, env: NodeJS.ProcessEnv = process.env): ValidationIssue[] {
    if (k.origin !== "byok") return [];
    const at = `${k.path}.material`;
    // Without material, AWS and GCP keys are created import-ready, to import with keyfabric byok import: a feature.
    if (k.material === undefined) return [];
    const m = k.material as Record<string, unknown>;
    if (typeof m.pkcs11 === "string") return pkcs11Warnings(m.pkcs11, env).map((w) => ({ code: "material_unavailable", path: `${at}.pkcs11`, message: w.message, ...(w.got !== undefined ? { got: w.got } : {}) }));
    if (typeof m.file === "string" && m.file !== "") return fileWarnings(m.file, `${at}.file`);
    if (typeof m.env === "string" && !("command" in m)) {
        if (env[m.env] === undefined) return [{ code: "material_unavailable", path: `${at}.env`, message: `names an environment variable that is not set here: the import at deploy time would fail unless it is set there`, got: m.env }];
        if (env[m.env] === "") return [{ code: "material_unavailable", path: `${at}.env`, message: "names an environment variable that is empty here: the import at deploy time would fail unless it holds the material there", got: m.env }];
        return [];
    }
    if (Array.isArray(m.command) && typeof m.command[0] === "string" && m.command[0] !== "") {
        const program = m.command[0];
        if (!findProgram(program, env)) {
            return [{ code: "material_unavailable", path: `${at}.command[0]`, message: `is a program that cannot be found here (${program.includes("/") ? "no such executable file" : "not on PATH"}): the import at deploy time would fail unless it exists there`, got: program }];
        }
    }
    return [];
}

/** lstat only: the file is never opened here. */
function fileWarnings(file: string, at: string): ValidationIssue[] {
    const shown = path.isAbsolute(file) ? file : `${file} (relative to ${process.cwd()})`;
    const warn = (message: string, allowed?: string): ValidationIssue[] => [{ code: "material_unavailable", path: at, message, ...(allowed ? { allowed } : {}), got: file }];
    let st: fs.Stats;
    try {
        st = fs.lstatSync(file);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === "ENOENT" || code === "ENOTDIR" ? "does not exist" : code === "EACCES" || code === "EPERM" ? "cannot be examined (permission denied)" : `cannot be examined (${code ?? "error"})`;
        return warn(`${why} here: ${shown}; the import at deploy time would fail unless it exists there`, "the path of a regular file holding the key material");
    }
    if (st.isSymbolicLink()) {
        let target: string;
        try {
            target = `to ${fs.realpathSync(file)}`;
        } catch {
            target = "whose target does not exist";
        }
        return warn(`is a symbolic link (${target}): the BYOK providers do not follow a link to key material, so the import at deploy time would fail`, "the path of the file itself");
    }
    if (!st.isFile()) {
        const what = st.isDirectory() ? "a directory" : st.isFIFO() ? "a named pipe (FIFO)" : st.isSocket() ? "a socket" : st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : "not a regular file";
        return warn(`is ${what}, not a regular file: the import at deploy time would fail${st.isFIFO() ? " (for a program's output, use a command source)" : ""}`, "the path of a regular file holding the key material");
    }
    if (st.size > MATERIAL_MAX_BYTES) {
        return warn(`is ${st.size} bytes: key material is at most ${MATERIAL_MAX_BYTES} bytes, so the import at deploy time would fail`, "a file with the key material only");
    }
    if (st.size === 0) return warn("is empty: the import at deploy time would fail", "a file with the key material");
    if (process.platform !== "win32" && st.mode & 0o066) {
        const who = [...(st.mode & 0o060 ? ["its group"] : []), ...(st.mode & 0o006 ? ["others"] : [])].join(" and ");
        const how = [...(st.mode & 0o044 ? ["read"] : []), ...(st.mode & 0o022 ? ["write"] : [])].join(" and ");
        return warn(`can be ${how === "read" ? "read" : how === "write" ? "written" : "read and written"} by ${who} (mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}): keep key material private to its owner (chmod 600 ${file})`);
    }
    return [];
}

function findProgram(program: string, env: NodeJS.ProcessEnv): boolean {
    const executable = (f: string) => {
        try {
            const st = fs.statSync(f);
            if (!st.isFile()) return false;
            fs.accessSync(f, fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    };
    if (program.includes("/")) return executable(program);
    return (env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && executable(path.join(dir, program)));
}

/** Checks every BYOK key of the hierarchy: errors into `issues`, warnings returned. */
export function checkByok(domains: readonly ResolvedDomain[], now: Date, issues: IssueCollector, checkSources: boolean): ValidationIssue[] {
    const warnings: ValidationIssue[] = [];
    for (const k of domains.flatMap((d) => d.keys)) {
        checkValidTo(k, now, issues, warnings);
        // A variable that holds material is never passed on to the children keyfabric spawns (policy packs, git, commands).
        const m = k.material as Record<string, unknown> | undefined;
        if (m && typeof m.env === "string" && !("command" in m)) registerMaterialEnv(m.env);
        // A descriptor with problems is reported as an error already.
        if (checkSources && !issues.issues.some((i) => i.path.startsWith(`${k.path}.material`))) warnings.push(...materialWarnings(k));
    }
    return warnings;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
