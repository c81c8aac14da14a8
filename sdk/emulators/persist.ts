/**
 * What the emulators' persisted-state schemas share (`./aws/persist.ts`, `./gcp/persist.ts`, `./azure/persist.ts`):
 * problems with the path of the record they are about (`aws.keys[3].origin`), zod issues turned into such problems,
 * and the bounded report of them. A problem never shows key material: values of material fields are left out.
 */
import type { z } from "zod";

/** One thing wrong with a persisted state: where (`keys[3].origin`, empty for the whole value) and what. */
export interface StateProblem {
    readonly path: string;
    readonly message: string;
}

/** At most this many problems are listed; the rest are counted ("… and 7 more problems"). */
export const MAX_LISTED_PROBLEMS = 20;

/** A persisted state that cannot be restored: every problem found, listed (bounded) in the message. */
export class EmulatorStateError extends Error {
    constructor(
        /** What was read: the `--state` file as given, or an emulator's `options.state`. */
        readonly subject: string,
        readonly problems: readonly StateProblem[],
    ) {
        super(formatProblems(subject, problems));
        this.name = "EmulatorStateError";
    }
}

/** `subject: path: message` for one problem; a count and a bounded list for several. */
export function formatProblems(subject: string, problems: readonly StateProblem[]): string {
    const line = (p: StateProblem) => (p.path ? `${p.path}: ${p.message}` : p.message);
    if (problems.length === 1) return `${subject}: ${line(problems[0])}`;
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  - ${line(p)}`);
    const more = problems.length - listed.length;
    if (more > 0) listed.push(`  - and ${more} more problem${more === 1 ? "" : "s"}`);
    return `${subject}: ${problems.length} problems:\n${listed.join("\n")}`;
}

/** Prefixes each problem's path (`keys[0]` under `aws` is `aws.keys[0]`). */
export function prefixProblems(prefix: string, problems: readonly StateProblem[]): StateProblem[] {
    return problems.map((p) => ({ path: p.path ? (p.path.startsWith("[") ? `${prefix}${p.path}` : `${prefix}.${p.path}`) : prefix, message: p.message }));
}

/** `["keys", 3, "origin"]` → `keys[3].origin`; record keys that are not identifiers are quoted: `cryptoKeys["projects/p/…"]`. */
export function joinPath(parts: readonly PropertyKey[]): string {
    let out = "";
    for (const part of parts) {
        if (typeof part === "number") out += `[${part}]`;
        else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
        else out += `[${JSON.stringify(String(part))}]`;
    }
    return out;
}

/** Fields whose values are key material or secrets: never echoed in a problem. */
const SECRET_FIELDS = new Set(["secret", "tokenSecret", "privateKeyPem", "privateKey", "material", "pkcs8", "raw"]);

/** Whether a path is in a field of key material, whose value a problem never shows. */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
    return path.some((p) => typeof p === "string" && SECRET_FIELDS.has(p));
}

/** A received value as a problem shows it: short (and never called for material, see `isSecretPath`). */
export function showValue(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return `an array of ${value.length}`;
    if (typeof value === "object") return "an object";
    if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return typeof value;
}

const TYPE_NAMES: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "an object",
    array: "an array",
    record: "an object",
};

type Issue = z.core.$ZodIssue & { input?: unknown };

/** One zod issue as a problem, in keyfabric's words: "is required (a string)", "is not one of A, B (got: "C")". */
function issueProblem(issue: Issue, prefix: readonly PropertyKey[]): StateProblem {
    const parts = [...prefix, ...issue.path];
    const path = joinPath(parts);
    const got = (v: unknown) => (isSecretPath(parts) ? "" : ` (got: ${showValue(v)})`);
    switch (issue.code) {
        case "invalid_type": {
            const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
            if (issue.input === undefined) return { path, message: `is required (${expected})` };
            return { path, message: `must be ${expected}${got(issue.input)}` };
        }
        case "invalid_value": {
            const values = issue.values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
            if (issue.input === undefined) return { path, message: `is required (${values.length === 1 ? values[0] : `one of ${values.join(", ")}`})` };
            if (values.length === 1) return { path, message: `must be ${values[0]}${got(issue.input)}` };
            return { path, message: `is not one of ${values.join(", ")}${got(issue.input)}` };
        }
        case "unrecognized_keys":
            return { path, message: `has unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}` };
        case "too_small": {
            const what = issue.origin === "array" ? `at least ${issue.minimum} entr${issue.minimum === 1 ? "y" : "ies"}` : issue.origin === "string" ? `at least ${issue.minimum} character${issue.minimum === 1 ? "" : "s"}` : `${issue.inclusive === false ? "more than" : "at least"} ${issue.minimum}`;
            return { path, message: `must ${issue.origin === "array" || issue.origin === "string" ? "have" : "be"} ${what}${got(issue.input)}` };
        }
        case "too_big": {
            const what = issue.origin === "array" ? `at most ${issue.maximum} entries` : issue.origin === "string" ? `at most ${issue.maximum} characters` : `${issue.inclusive === false ? "less than" : "at most"} ${issue.maximum}`;
            return { path, message: `must ${issue.origin === "array" || issue.origin === "string" ? "have" : "be"} ${what}${got(issue.input)}` };
        }
        case "invalid_format":
            // The schemas give these their own messages ("must be base64").
            return { path, message: `${issue.message}${got(issue.input)}` };
        case "custom": {
            // Checks between records give the value they are about as params.got (their input is the whole state);
            // a field's own refinement shows the field's value when it is a plain one.
            const params = (issue as { params?: { got?: unknown } }).params;
            if (params && "got" in params) return { path, message: `${issue.message}${got(params.got)}` };
            const plain = issue.input === null || ["string", "number", "boolean"].includes(typeof issue.input);
            return { path, message: `${issue.message}${plain ? got(issue.input) : ""}` };
        }
        default:
            return { path, message: `${issue.message}${issue.input !== undefined ? got(issue.input) : ""}` };
    }
}

/** Validates `value` with `schema`: the parsed value, or every problem found. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix: readonly PropertyKey[] = []): { value: T; problems: [] } | { value?: undefined; problems: StateProblem[] } {
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) return { value: result.data, problems: [] };
    return { problems: result.error.issues.map((i) => issueProblem(i as Issue, prefix)) };
}

/** Base64 as the emulators write it (`Buffer#toString("base64")`: padded, no line breaks). */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A version number in a state that this keyfabric does not read: newer when it is a larger whole number. */
export function isNewerVersion(version: unknown, supported: number): version is number {
    return typeof version === "number" && Number.isInteger(version) && version > supported;
}

/** Compile-time: what a schema accepts is a value of the state type (with `ShapeOf`, keeps the two in step). */
export type Fits<A, B> = [A] extends [B] ? true : false;
/** Compile-time: an object literal of schemas with exactly the fields of `T`, optional ones included. */
export type ShapeOf<T> = { [K in keyof Required<T>]: z.ZodType };
