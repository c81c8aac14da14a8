/**
 * The Key Vault data plane's protocol layer: a request as the router sees it, a reply, a route, and how request
 * bodies are read (JWK binaries base64url, times epoch seconds). Every refusal is a 400 BadParameter naming the field.
 */
import { badParameter } from "./errors";
import type { ReleasePolicy } from "./model";

export interface Request {
    readonly method: string;
    /** Decoded path segments, without the leading empty one: `/keys/k/` → `["keys", "k", ""]`. */
    readonly segments: readonly string[];
    readonly query: URLSearchParams;
    readonly body: unknown;
}

export interface Reply {
    readonly status: number;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
}

export interface Route {
    readonly operation: string;
    /** Runs when the call is served (after the fault decision): only here may state change. */
    readonly run: () => Reply | Promise<Reply>;
}

export const KEY_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export const seconds = (ms: number) => Math.floor(ms / 1000);
export const b64u = (b: Buffer) => b.toString("base64url");
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function requireBody(body: unknown): Record<string, unknown> {
    if (!isObject(body)) throw badParameter("The request body must be a JSON object.");
    return body;
}

export function binary(value: unknown, field: string, required: true): Buffer;
export function binary(value: unknown, field: string, required?: false): Buffer | undefined;
export function binary(value: unknown, field: string, required = false): Buffer | undefined {
    if (value === undefined || value === null) {
        if (required) throw badParameter(`The parameter ${field} is required.`);
        return undefined;
    }
    if (typeof value !== "string" || !/^[A-Za-z0-9_\-+/]*=*$/.test(value)) throw badParameter(`The parameter ${field} must be base64url encoded.`);
    return Buffer.from(value, "base64");
}

export function checkName(name: string): void {
    if (!KEY_NAME.test(name)) throw badParameter(`The key name ${JSON.stringify(name.slice(0, 130))} is invalid: use 1-127 letters, digits and dashes.`);
}

export interface ParsedAttributes {
    enabled?: boolean;
    /** null clears. */
    nbf?: number | null;
    exp?: number | null;
    exportable?: boolean;
}

export function parseAttributes(raw: unknown): ParsedAttributes {
    if (raw === undefined || raw === null) return {};
    if (!isObject(raw)) throw badParameter("attributes must be an object.");
    const out: ParsedAttributes = {};
    if (raw.enabled !== undefined && raw.enabled !== null) {
        if (typeof raw.enabled !== "boolean") throw badParameter("attributes.enabled must be a boolean.");
        out.enabled = raw.enabled;
    }
    for (const f of ["nbf", "exp"] as const) {
        const v = raw[f];
        if (v === undefined) continue;
        if (v !== null && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) throw badParameter(`attributes.${f} must be epoch seconds.`);
        out[f] = v as number | null;
    }
    if (raw.exportable !== undefined && raw.exportable !== null) {
        if (typeof raw.exportable !== "boolean") throw badParameter("attributes.exportable must be a boolean.");
        out.exportable = raw.exportable;
    }
    if (typeof out.nbf === "number" && typeof out.exp === "number" && out.nbf >= out.exp) throw badParameter("attributes.nbf must be before attributes.exp.");
    return out;
}

export function parseTags(raw: unknown): Record<string, string> | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!isObject(raw)) throw badParameter("tags must be an object of strings.");
    const entries = Object.entries(raw);
    if (entries.length > 15) throw badParameter("A key can have at most 15 tags.");
    for (const [k, v] of entries) {
        if (typeof v !== "string") throw badParameter(`The tag ${JSON.stringify(k)} must have a string value.`);
        if (k.length > 512 || v.length > 256) throw badParameter("Tag names are at most 512 characters and values at most 256.");
    }
    return { ...(raw as Record<string, string>) };
}

export function parseReleasePolicy(raw: unknown): ReleasePolicy | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!isObject(raw)) throw badParameter("release_policy must be an object.");
    if (raw.data !== undefined && typeof raw.data !== "string") throw badParameter("release_policy.data must be base64url encoded.");
    if (raw.immutable !== undefined && typeof raw.immutable !== "boolean") throw badParameter("release_policy.immutable must be a boolean.");
    if (raw.contentType !== undefined && typeof raw.contentType !== "string") throw badParameter("release_policy.contentType must be a string.");
    return { ...(raw.contentType !== undefined ? { contentType: raw.contentType as string } : {}), ...(raw.immutable !== undefined ? { immutable: raw.immutable as boolean } : {}), ...(raw.data !== undefined ? { data: raw.data as string } : {}) };
}
