/**
 * Helpers shared by the BYOK providers: input checks that name the field, unknown-value handling, error messages
 * that name the operation and the resource (never the material), and polling.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { MaterialKind } from "../crypto/material";
import { formatIssue } from "../schema/errors";
import { zodIssues } from "../schema/validate";
import { checkKeyMaterial, resolveKeyMaterial } from "./resolve";
import { MaterialSource, MaterialSourceError, ResolvedMaterial, ResolveOptions } from "./sources";
import type { KeyMaterial } from "../crypto/sealed";
import type { Algorithm } from "../schema/constants";
import { materialKindFor } from "./wrap";
import { UNKNOWN } from "./provider";

export const isUnknown = (v: unknown) => v === UNKNOWN;

/** Strips the engine's `__provider` and validates; failures name the property. */
export function checkInputs<T>(schema: z.ZodType<T>, news: Record<string, any>): { inputs?: T; failures: pulumi.dynamic.CheckFailure[] } {
    const { __provider, ...rest } = news;
    void __provider;
    const parsed = schema.safeParse(rest, { reportInput: true });
    if (parsed.success) return { inputs: parsed.data, failures: [] };
    return {
        failures: zodIssues(parsed.error).map((i) => ({ property: i.path.split(/[.[]/)[0] || "(root)", reason: formatIssue(i) })),
    };
}

/** Reads the material inside the provider; a failure becomes a check failure on `material`. */
export function materialOrFailure(source: MaterialSource, kind: MaterialKind): { resolved?: ResolvedMaterial; failure?: pulumi.dynamic.CheckFailure } {
    try {
        // A key keyfabric is to create in an HSM at deploy time has no fingerprint yet: no failure either.
        const resolved = checkKeyMaterial(source, kind);
        return resolved ? { resolved } : {};
    } catch (e) {
        if (e instanceof MaterialSourceError) return { failure: { property: "material", reason: e.message } };
        throw e;
    }
}

/**
 * The Check every BYOK provider does: validate the inputs (failures name the field), then read the material inside the
 * provider only to fingerprint it (a changed fingerprint is how new material shows in preview), and zero it.
 * `extra` adds resource-specific checks and may normalise the inputs.
 */
export function checkWithFingerprint<T extends { material: MaterialSource; algorithm: Algorithm }>(
    schema: z.ZodType<T>,
    news: Record<string, any>,
    extra?: (inputs: T, failures: pulumi.dynamic.CheckFailure[]) => T,
    scheme?: (inputs: T, material: KeyMaterial, failures: pulumi.dynamic.CheckFailure[]) => WrappingScheme,
): pulumi.dynamic.CheckResult {
    const { inputs, failures } = checkInputs(schema, news);
    if (!inputs) return { inputs: news, failures };
    const checked = extra ? extra(inputs, failures) : inputs;
    const m = materialOrFailure(inputs.material, materialKindFor(inputs.algorithm));
    if (m.failure) failures.push(m.failure);
    const fingerprint = m.resolved?.fingerprint;
    let chosen: WrappingScheme = { inputs: {} };
    try {
        if (m.resolved && scheme) chosen = scheme(checked, m.resolved.material, failures);
    } finally {
        m.resolved?.material.fill(0);
    }
    if (chosen.warning) logWarning(chosen.warning);
    return { inputs: { ...checked, ...chosen.inputs, ...(fingerprint ? { fingerprint } : {}) }, failures };
}

/** The wrapping scheme a provider chose for the material (an input the plan shows), and why, when it is not the usual one. */
export interface WrappingScheme {
    readonly inputs: Record<string, string>;
    /** Logged by Check (at every preview), e.g. a token whose RSA-OAEP is SHA-1 only. */
    readonly warning?: string;
}

/**
 * Whether a computed wrapping-scheme input changed: a state written before the provider recorded it (no value) is no
 * change, so an existing stack sees neither an update nor a replacement; another value is an update, never a replacement.
 */
export const schemeChanged = (olds: Record<string, any>, news: Record<string, any>, key: string) => olds[key] !== undefined && olds[key] !== news[key];

/** Warnings of a provider's material read (a key file others can read) go to the Pulumi log, which the engine shows. */
function logWarning(message: string): void {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    (require("@pulumi/pulumi") as typeof import("@pulumi/pulumi")).log.warn(message);
}

/**
 * Runs `f` with the material and zeroes it afterwards, whatever happens. `options.purpose` (the key's, when the
 * resource has one) is checked against a JWK's use, key_ops and alg; warnings go to `options.warn`, by default the
 * Pulumi log.
 */
export async function withMaterial<T>(source: MaterialSource, kind: MaterialKind, f: (m: ResolvedMaterial) => Promise<T>): Promise<T>;
export async function withMaterial<T>(source: MaterialSource, kind: MaterialKind, options: ResolveOptions, f: (m: ResolvedMaterial) => Promise<T>): Promise<T>;
export async function withMaterial<T>(
    source: MaterialSource,
    kind: MaterialKind,
    a: ResolveOptions | ((m: ResolvedMaterial) => Promise<T>),
    b?: (m: ResolvedMaterial) => Promise<T>,
): Promise<T> {
    const [options, f] = typeof a === "function" ? [{}, a] : [a, b!];
    const resolved = resolveKeyMaterial(source, kind, { warn: logWarning, ...options });
    try {
        return await f(resolved);
    } finally {
        resolved.material.fill(0);
    }
}

/** A cloud error as a message that names what failed; SDK messages never carry material. */
export function cloudError(cloud: string, operation: string, resource: string, e: unknown): Error {
    const out = new Error(`${cloud} ${operation} for ${resource} failed: ${describeCloudError(e)}`);
    (out as any).cause = undefined;
    return out;
}

/**
 * `<kind>: <message>` for an SDK error, never an object: AWS by exception name; Azure (`RestError`) by the service's
 * error `code` (`details.error.code`, or a system code such as ECONNRESET) and HTTP status, with the service's
 * `message`; gRPC by status code and `details`.
 */
export function describeCloudError(e: unknown): string {
    if (!e || typeof e !== "object") return `error: ${String(e)}`;
    const err = e as { name?: unknown; code?: unknown; statusCode?: unknown; details?: unknown; message?: unknown };
    const text = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : typeof v === "number" ? String(v) : undefined);
    const body = err.details && typeof err.details === "object" ? (((err.details as { error?: unknown }).error ?? err.details) as { code?: unknown; message?: unknown }) : undefined;
    const message = text(err.details) ?? text(body?.message) ?? text(err.message) ?? "no message";
    if (err.name === "RestError") {
        const code = text(body?.code) ?? text(err.code) ?? "RestError";
        const status = typeof err.statusCode === "number" ? ` (HTTP ${err.statusCode})` : "";
        return `${code}${status}: ${message}`;
    }
    const name = text(err.name);
    const kind = name && name !== "Error" ? name : text(err.code) !== undefined ? `code ${text(err.code)}` : "error";
    return `${kind}: ${message}`;
}

/** The HTTP status of an AWS or Azure SDK error, if the service answered at all. */
export function httpStatusOf(e: unknown): number | undefined {
    const err = e as { statusCode?: unknown; $metadata?: { httpStatusCode?: unknown } } | undefined;
    const s = err?.statusCode ?? err?.$metadata?.httpStatusCode;
    return typeof s === "number" ? s : undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Capped exponential backoff with jitter for the providers' own retries: ~50 ms, 100 ms, ... at most `capMs`. */
export function backoffMs(attempt: number, capMs = 2000): number {
    const base = Math.min(capMs, 50 * 2 ** Math.max(0, attempt - 1));
    return Math.round(base / 2 + Math.random() * (base / 2));
}

/** Polls `f` until it returns a value, with capped backoff; `what` names the wait in the timeout error. */
export async function poll<T>(what: string, f: () => Promise<T | undefined>, attempts = 60, firstDelayMs = 50): Promise<T> {
    let delay = firstDelayMs;
    for (let i = 0; i < attempts; i++) {
        const v = await f();
        if (v !== undefined) return v;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
    }
    throw new Error(`timed out waiting for ${what}`);
}

export const isoOrUndefined = (d: Date | { seconds?: string | number | null } | undefined | null): string | undefined => {
    if (!d) return undefined;
    if (d instanceof Date) return d.toISOString();
    if (d.seconds === undefined || d.seconds === null) return undefined;
    return new Date(Number(d.seconds) * 1000).toISOString();
};
