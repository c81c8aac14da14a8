/**
 * Validation errors as data (code, path, message, allowed, got), collected, then one readable report.
 */

export interface ValidationIssue {
    /** A stable machine-readable code, e.g. `invalid_value`, `unsupported`, `residency`. */
    readonly code: string;
    /** Where the problem is, e.g. `domains[0].keys[1].algorithm`. */
    readonly path: string;
    /** What is wrong, as a sentence fragment without the path. */
    readonly message: string;
    /** The values that would be accepted, when they can be listed. */
    readonly allowed?: readonly (string | number)[] | string;
    /** The value received; rendered with `describeValue`, never when it could be secret. */
    readonly got?: unknown;
}

/** Renders a received value for an error message: short, JSON-like, never the content of an object. */
export function describeValue(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (typeof value === "string") {
        const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
        return JSON.stringify(shown);
    }
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (Array.isArray(value)) return `an array of ${value.length}`;
    if (typeof value === "object" && value && (value as any).__pulumiOutput && typeof (value as any).apply === "function") return "an Output";
    return `an ${typeof value}`;
}

export function formatIssue(issue: ValidationIssue): string {
    const extras: string[] = [];
    if (issue.allowed !== undefined && issue.allowed.length > 0) {
        extras.push(`allowed: ${typeof issue.allowed === "string" ? issue.allowed : issue.allowed.join(", ")}`);
    }
    if ("got" in issue) extras.push(`got: ${describeValue(issue.got)}`);
    const where = issue.path === "" ? "(root)" : issue.path;
    return `${where}: ${issue.message}${extras.length ? ` (${extras.join(", ")})` : ""}`;
}

/** Thrown before any resource is created; lists every problem found. */
export class KeyfabricValidationError extends Error {
    readonly issues: readonly ValidationIssue[];

    constructor(subject: string, issues: readonly ValidationIssue[]) {
        const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
        super(`${subject} is invalid: ${count}\n${issues.map((i) => `  - ${formatIssue(i)}`).join("\n")}`);
        this.name = "KeyfabricValidationError";
        this.issues = issues;
    }
}

/** Joins path segments the way JavaScript would address them: `domains[0].keys[1].name`. */
export function joinPath(segments: readonly (string | number | symbol)[]): string {
    let out = "";
    for (const s of segments) {
        if (typeof s === "number") out += `[${s}]`;
        else out += out === "" ? String(s) : `.${String(s)}`;
    }
    return out;
}

/** Collects issues; `throwIfAny` raises one error listing all of them. */
export class IssueCollector {
    readonly issues: ValidationIssue[] = [];

    add(issue: ValidationIssue): void {
        const same = this.issues.findIndex((i) => i.path === issue.path && i.message === issue.message);
        if (same < 0) this.issues.push(issue);
        // The same problem found twice (the schema, then a rule that knows the allowed values): keep the fuller one.
        else if (this.issues[same].allowed === undefined && issue.allowed !== undefined) this.issues[same] = issue;
    }

    throwIfAny(subject: string): void {
        if (this.issues.length > 0) throw new KeyfabricValidationError(subject, this.issues);
    }
}
