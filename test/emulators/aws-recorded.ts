/**
 * The oracle for test/emulators/aws-recordings.test.ts: LocalStack's snapshots of real AWS KMS answers
 * (/work/shared/recordings/localstack-kms, see its README), and a matcher that compares an `@aws-sdk/client-kms`
 * answer or error with a recorded one exactly, placeholders structurally:
 * - `<name:N>` (key ids, material ids, …) and `<key-arn>`-style names bind to the value first seen in that test
 *   and must be the same wherever they appear again; `<region>`, `<partition>` and `111111111111` (the recorded
 *   account) are the test's own Region, `aws` and account;
 *   `<description:N>` (a Description replaced whole by LocalStack's transformer) binds to any text;
 * - `"datetime"` is a `Date`; a blob member (ciphertext, signature, public key, …) is recorded as a label and must be
 *   non-empty bytes;
 * - a JSON document (a key policy) is recorded parsed, and compared so;
 * - an object has exactly the recorded members (`ResponseMetadata` aside), except members AWS added after the
 *   recording was made (KeyMaterialId and the like, June 2025), which a recording validated before then cannot show;
 * - an error is `{Error: {Code, Message}, ResponseMetadata: {HTTPStatusCode}}`: the SDK error's name, HTTP status and
 *   message (a recorded empty Message is AWS sending none, which the SDK reports as "UnknownError").
 */
import * as fs from "fs";
import * as path from "path";
import { shared } from "../support/shared";

const DIR = shared("recordings", "localstack-kms");
const PREFIX = "tests/aws/services/kms/test_kms.py::";
const snapshot = JSON.parse(fs.readFileSync(path.join(DIR, "test_kms.snapshot.json"), "utf8")) as Record<string, { "recorded-content": Record<string, unknown> }>;
const validation = JSON.parse(fs.readFileSync(path.join(DIR, "test_kms.validation.json"), "utf8")) as Record<string, { last_validated_date: string }>;

export const RECORDED_ACCOUNT = "111111111111";
/** Members added to the API with imported-material rotation (June 2025), absent from older recordings. */
const ADDED_JUNE_2025 = new Set(["KeyMaterialId", "SourceKeyMaterialId", "DestinationKeyMaterialId", "CurrentKeyMaterialId"]);
const JUNE_2025 = Date.parse("2025-06-10T00:00:00Z");

/** Every recorded test (its snapshot key without the file prefix) and whether it was validated against AWS. */
export function recordedTests(): { name: string; validated: boolean; entries: string[] }[] {
    return Object.keys(snapshot).map((k) => ({ name: k.slice(PREFIX.length), validated: validation[k] !== undefined, entries: Object.keys(snapshot[k]["recorded-content"]) }));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export interface Oracle {
    /** Compares `actual` (an SDK answer without `$metadata`, or `failure()`'s error) with the recorded entry. */
    match(entry: string, actual: unknown): void;
    /** What a placeholder was bound to. */
    bound(name: string): string | undefined;
    readonly validatedOn: string;
}

export interface Failure {
    readonly name: string;
    readonly status: number | undefined;
    readonly message: string;
}

/** The oracle of one recorded test: only tests validated against AWS (an entry in test_kms.validation.json). */
export function oracle(test: string, env: { region: string; secondaryRegion?: string }): Oracle {
    const key = PREFIX + test;
    const recorded = snapshot[key]?.["recorded-content"];
    if (!recorded) throw new Error(`no recording ${key}`);
    const validated = validation[key];
    if (!validated) throw new Error(`${key} was never validated against AWS: not an oracle`);
    const older = Date.parse(validated.last_validated_date) < JUNE_2025;
    const bindings = new Map<string, string>([
        ["<region>", env.region],
        ["<partition>", "aws"],
        ...(env.secondaryRegion ? ([["<secondary-region>", env.secondaryRegion]] as [string, string][]) : []),
    ]);

    function fail(where: string, what: string): never {
        throw new Error(`${test} ${where}: ${what}`);
    }

    function matchString(where: string, want: string, got: unknown): void {
        if (typeof got !== "string") fail(where, `expected a string like ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        const names: string[] = [];
        const pattern = want.split(/(<[a-z0-9-]+(?::\d+)?>)/).map((part) => {
            if (!/^<[a-z0-9-]+(?::\d+)?>$/.test(part)) return escape(part);
            const value = bindings.get(part);
            // LocalStack names a key <key-id:N> both as a bare id and as a whole KeyId member holding its ARN.
            if (value !== undefined && part.startsWith("<key-id:")) return `(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/)?${escape(value)}`;
            if (value !== undefined) return escape(value);
            names.push(part);
            // LocalStack's key_value("Description") transformer replaces a whole free-text member: any text.
            return part.startsWith("<description:") ? "(.*?)" : "([A-Za-z0-9:/_+=.-]+?)";
        });
        const m = new RegExp(`^${pattern.join("")}$`).exec(got);
        if (!m) fail(where, `expected ${JSON.stringify(want)} (bound: ${JSON.stringify(Object.fromEntries(bindings))}), got ${JSON.stringify(got)}`);
        names.forEach((n, i) => {
            const value = n.startsWith("<key-id:") ? m[i + 1].replace(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\//, "") : m[i + 1];
            const prior = bindings.get(n);
            if (prior !== undefined && prior !== value) fail(where, `${n} is ${prior} elsewhere, here ${value}`);
            bindings.set(n, value);
        });
    }

    function matchValue(where: string, want: unknown, got: unknown): void {
        if (want === "datetime") {
            if (!(got instanceof Date) || Number.isNaN(got.getTime())) fail(where, `expected a date, got ${JSON.stringify(got)}`);
            return;
        }
        if (got instanceof Uint8Array) {
            if (typeof want !== "string" || got.length === 0) fail(where, `expected bytes recorded as ${JSON.stringify(want)}, got ${got.length} bytes`);
            return;
        }
        if (typeof want === "string") return matchString(where, want, got);
        if (Array.isArray(want)) {
            if (!Array.isArray(got) || got.length !== want.length) fail(where, `expected ${want.length} items, got ${JSON.stringify(got)}`);
            want.forEach((w, i) => matchValue(`${where}[${i}]`, w, got[i]));
            return;
        }
        if (want && typeof want === "object" && typeof got === "string") {
            // LocalStack's snapshots record JSON documents (key policies) parsed.
            return matchValue(where, want, JSON.parse(got));
        }
        if (want && typeof want === "object") {
            if (!got || typeof got !== "object") fail(where, `expected an object, got ${JSON.stringify(got)}`);
            const w = want as Record<string, unknown>;
            const g = got as Record<string, unknown>;
            const wantKeys = Object.keys(w).filter((k) => k !== "ResponseMetadata").sort();
            const gotKeys = Object.keys(g).filter((k) => k !== "$metadata" && g[k] !== undefined && !(older && ADDED_JUNE_2025.has(k) && !(k in w))).sort();
            if (JSON.stringify(wantKeys) !== JSON.stringify(gotKeys)) fail(where, `members ${JSON.stringify(gotKeys)}, recorded ${JSON.stringify(wantKeys)}`);
            for (const k of wantKeys) matchValue(`${where}.${k}`, w[k], g[k]);
            return;
        }
        if (want !== got) fail(where, `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }

    return {
        validatedOn: validated.last_validated_date,
        bound: (name) => bindings.get(name),
        match(entry, actual) {
            if (!(entry in recorded)) fail(entry, "no such recorded entry");
            const want = recorded[entry] as Record<string, unknown>;
            const error = want && typeof want === "object" ? (want.Error as { Code: string; Message: string } | undefined) : undefined;
            if (error) {
                const f = actual as Failure;
                const status = (want.ResponseMetadata as { HTTPStatusCode: number }).HTTPStatusCode;
                if (f.name !== error.Code || f.status !== status) fail(entry, `expected ${error.Code} (${status}), got ${f.name} (${f.status}): ${f.message}`);
                if (error.Message === "") {
                    if (f.message !== "UnknownError") fail(entry, `expected no message, got ${JSON.stringify(f.message)}`);
                } else matchString(`${entry} message`, error.Message, f.message);
                return;
            }
            matchValue(entry, want, actual);
        },
    };
}
