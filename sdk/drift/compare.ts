/**
 * Comparisons shared by the cloud checks: key policies (normalised, per Sid), tag and label maps, durations, IAM
 * members, times.
 */
import { createHash } from "crypto";
import { SECRET } from "./state";

export const DAY_MS = 86_400_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);
export const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
/** A value that can be compared: present and not a secret. */
export const known = (v: unknown): boolean => v !== undefined && v !== null && v !== SECRET;

/** JSON with object keys sorted, for order-insensitive equality. */
export function canonicalJson(v: unknown): string {
    return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
    return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Key policies

/** Members whose order and single-value form do not matter in IAM policy grammar. */
const SET_MEMBERS = new Set(["Action", "NotAction", "Resource", "NotResource"]);

/** One statement in a canonical form: set-like members as sorted arrays, principals as `{type: sorted[]}`. */
export function normaliseStatement(st: unknown): unknown {
    if (!isObject(st)) return st;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(st)) {
        if (SET_MEMBERS.has(k)) out[k] = sortedSet(v);
        else if (k === "Principal" || k === "NotPrincipal") out[k] = normalisePrincipal(v);
        else if (k === "Condition" && isObject(v)) {
            out[k] = Object.fromEntries(
                Object.entries(v).map(([op, kv]) => [op, isObject(kv) ? Object.fromEntries(Object.entries(kv).map(([ck, cv]) => [ck, sortedSet(cv)])) : kv]),
            );
        } else out[k] = v;
    }
    return sortKeys(out);
}

function sortedSet(v: unknown): unknown {
    const list = Array.isArray(v) ? v : [v];
    return [...new Set(list.map((x) => (typeof x === "string" ? x : JSON.stringify(x))))].sort();
}

function normalisePrincipal(v: unknown): unknown {
    if (v === "*") return { AWS: ["*"] };
    if (!isObject(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sortedSet(x)]));
}

export interface PolicyDiff {
    readonly added: string[];
    readonly removed: string[];
    readonly changed: string[];
    /** Statements (by Sid) in the live policy that grant to everyone without a condition, and did not before. */
    readonly newlyPublic: string[];
    /** The differing statements, normalised, by Sid: what state says and what the cloud says. */
    readonly expected: Record<string, unknown>;
    readonly actual: Record<string, unknown>;
}

/** Statements by Sid; statements without a Sid are named `(no Sid #<hash>)` after their content, so order does not matter. */
export function statementsBySid(doc: unknown): Map<string, unknown> {
    const map = new Map<string, unknown>();
    const raw = isObject(doc) ? doc.Statement : undefined;
    const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    for (const st of list) {
        const norm = normaliseStatement(st);
        const sid = isObject(st) && typeof st.Sid === "string" && st.Sid !== "" ? st.Sid : `(no Sid #${createHash("sha256").update(JSON.stringify(norm)).digest("hex").slice(0, 8)})`;
        let key = sid;
        for (let i = 2; map.has(key); i++) key = `${sid} (${i})`;
        map.set(key, norm);
    }
    return map;
}

export function isPublicStatement(st: unknown): boolean {
    if (!isObject(st) || st.Effect !== "Allow" || st.Condition !== undefined) return false;
    const p = st.Principal;
    if (p === "*") return true;
    if (!isObject(p)) return false;
    return Object.values(p).some((v) => (Array.isArray(v) ? v.includes("*") : v === "*"));
}

/** Differences between two key policy documents (JSON strings or objects); undefined when they are equal. */
export function diffPolicies(expectedDoc: unknown, actualDoc: unknown): PolicyDiff | undefined {
    const exp = statementsBySid(parsePolicy(expectedDoc));
    const act = statementsBySid(parsePolicy(actualDoc));
    const added = [...act.keys()].filter((k) => !exp.has(k));
    const removed = [...exp.keys()].filter((k) => !act.has(k));
    const changed = [...act.keys()].filter((k) => exp.has(k) && JSON.stringify(exp.get(k)) !== JSON.stringify(act.get(k)));
    if (added.length + removed.length + changed.length === 0) return undefined;
    const newlyPublic = [...added, ...changed].filter((k) => isPublicStatement(act.get(k)) && !(exp.has(k) && isPublicStatement(exp.get(k))));
    const pick = (m: Map<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => m.has(k)).map((k) => [k, m.get(k)]));
    return {
        added,
        removed,
        changed,
        newlyPublic,
        expected: pick(exp, [...removed, ...changed]),
        actual: pick(act, [...added, ...changed]),
    };
}

export function parsePolicy(doc: unknown): unknown {
    if (typeof doc !== "string") return doc;
    try {
        return JSON.parse(doc);
    } catch {
        return undefined;
    }
}

export function describePolicyDiff(d: PolicyDiff): string {
    const parts: string[] = [];
    if (d.added.length) parts.push(`added ${d.added.map(q).join(", ")}`);
    if (d.removed.length) parts.push(`removed ${d.removed.map(q).join(", ")}`);
    if (d.changed.length) parts.push(`changed ${d.changed.map(q).join(", ")}`);
    return parts.join("; ");
}

const q = (s: string) => JSON.stringify(s);

// ---------------------------------------------------------------------------------------------------------------
// Maps (tags, labels)

export interface MapDiff {
    readonly added: Record<string, string>;
    readonly removed: Record<string, string>;
    readonly changed: Record<string, { expected: string; actual: string }>;
}

export function diffMaps(expected: Record<string, unknown>, actual: Record<string, unknown>, ignore: (key: string) => boolean = () => false): MapDiff | undefined {
    const added: Record<string, string> = {};
    const removed: Record<string, string> = {};
    const changed: Record<string, { expected: string; actual: string }> = {};
    for (const [k, v] of Object.entries(actual)) {
        if (ignore(k)) continue;
        if (!(k in expected)) added[k] = String(v);
        else if (expected[k] !== SECRET && String(expected[k]) !== String(v)) changed[k] = { expected: String(expected[k]), actual: String(v) };
    }
    for (const [k, v] of Object.entries(expected)) if (!ignore(k) && !(k in actual)) removed[k] = v === SECRET ? "(secret)" : String(v);
    if (Object.keys(added).length + Object.keys(removed).length + Object.keys(changed).length === 0) return undefined;
    return { added, removed, changed };
}

export function describeMapDiff(d: MapDiff, noun: string): string {
    const parts: string[] = [];
    const keys = (o: object) => Object.keys(o).map(q).join(", ");
    if (Object.keys(d.added).length) parts.push(`${noun} added: ${keys(d.added)}`);
    if (Object.keys(d.removed).length) parts.push(`${noun} removed: ${keys(d.removed)}`);
    if (Object.keys(d.changed).length) parts.push(`${noun} changed: ${keys(d.changed)}`);
    return parts.join("; ");
}

export const asStringMap = (v: unknown): Record<string, unknown> | undefined => (isObject(v) ? v : undefined);

// ---------------------------------------------------------------------------------------------------------------
// Durations and times

/** Seconds of a GCP duration string ("7776000s") or a protobuf Duration ({seconds, nanos}). */
export function gcpDurationSeconds(v: unknown): number | undefined {
    if (typeof v === "string") {
        const m = /^(\d+(?:\.\d+)?)s$/.exec(v);
        return m ? Number(m[1]) : undefined;
    }
    if (isObject(v) && v.seconds !== undefined && v.seconds !== null) return Number(v.seconds) + Number(v.nanos ?? 0) / 1e9;
    return undefined;
}

/** Milliseconds of a protobuf Timestamp ({seconds, nanos}) or a Date or an ISO string. */
export function timeMs(v: unknown): number | undefined {
    if (v instanceof Date) return v.getTime();
    if (typeof v === "string") {
        const t = Date.parse(v);
        return Number.isNaN(t) ? undefined : t;
    }
    if (isObject(v) && v.seconds !== undefined && v.seconds !== null) return Number(v.seconds) * 1000 + Math.floor(Number(v.nanos ?? 0) / 1e6);
    return undefined;
}

/** Days of an ISO 8601 duration ("P90D", "P1Y", "P3M", "P2W", "PT36H"); months count 30 days, years 365. */
export function isoDurationDays(v: unknown): number | undefined {
    if (typeof v !== "string") return undefined;
    const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(v.trim());
    if (!m || v.trim().toUpperCase() === "P" || v.trim().toUpperCase().endsWith("T")) return undefined;
    const n = (i: number) => Number(m[i] ?? 0);
    return n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4) + n(5) / 24 + n(6) / 1440 + n(7) / 86400;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** "in 12 days" / "3 days ago" / "today". */
export function relativeDays(ms: number, now: number): string {
    const d = Math.round((ms - now) / DAY_MS);
    if (d === 0) return ms >= now ? "within a day" : "less than a day ago";
    return d > 0 ? `in ${d} day${d === 1 ? "" : "s"}` : `${-d} day${d === -1 ? "" : "s"} ago`;
}

// ---------------------------------------------------------------------------------------------------------------
// IAM members (GCP)

export const PUBLIC_MEMBERS = new Set(["allUsers", "allAuthenticatedUsers"]);

/** The domain a GCP member belongs to: the email domain, the domain itself, or a service account's project. */
export function memberDomain(member: string): string | undefined {
    const m = /^[a-zA-Z:]+:(.+)$/.exec(member);
    if (!m) return undefined;
    const v = m[1];
    if (member.startsWith("domain:")) return v.toLowerCase();
    const at = v.lastIndexOf("@");
    if (at < 0) return undefined;
    const domain = v.slice(at + 1).toLowerCase();
    // serviceAccount:x@PROJECT.iam.gserviceaccount.com: the project is the boundary.
    return domain;
}
