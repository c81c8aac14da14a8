/**
 * Wire helpers for the Cloud KMS emulator (no gRPC): resource names, and the protobuf well-known types
 * as @grpc/proto-loader presents them (`longs: String`): Timestamp and Duration `{seconds: "…", nanos}`,
 * Int64Value `{value: "…"}`.
 */
import { crc32c } from "./crypto";
import { invalid } from "./errors";

// ---------------------------------------------------------------------------------------------------------------
// Resource names

const ID = "[a-zA-Z0-9_-]{1,63}";
const SEG = "[^/]+";
export const ID_PATTERN = new RegExp(`^${ID}$`);
const PROJECT = new RegExp(`^projects/${SEG}$`);
const LOCATION = new RegExp(`^projects/${SEG}/locations/${SEG}$`);
const KEY_RING = new RegExp(`^projects/${SEG}/locations/${SEG}/keyRings/${SEG}$`);
const CRYPTO_KEY = new RegExp(`^(projects/${SEG}/locations/${SEG}/keyRings/${SEG})/cryptoKeys/${SEG}$`);
const VERSION = new RegExp(`^(projects/${SEG}/locations/${SEG}/keyRings/${SEG}/cryptoKeys/${SEG})/cryptoKeyVersions/(\\d+)$`);
const IMPORT_JOB = new RegExp(`^(projects/${SEG}/locations/${SEG}/keyRings/${SEG})/importJobs/${SEG}$`);

export type NameKind = "project" | "location" | "keyRing" | "cryptoKey" | "cryptoKeyVersion" | "importJob";
const PATTERNS: Record<NameKind, RegExp> = { project: PROJECT, location: LOCATION, keyRing: KEY_RING, cryptoKey: CRYPTO_KEY, cryptoKeyVersion: VERSION, importJob: IMPORT_JOB };
const SHAPES: Record<NameKind, string> = {
    project: "projects/*",
    location: "projects/*/locations/*",
    keyRing: "projects/*/locations/*/keyRings/*",
    cryptoKey: "projects/*/locations/*/keyRings/*/cryptoKeys/*",
    cryptoKeyVersion: "projects/*/locations/*/keyRings/*/cryptoKeys/*/cryptoKeyVersions/*",
    importJob: "projects/*/locations/*/keyRings/*/importJobs/*",
};

export function isName(kind: NameKind, name: unknown): name is string {
    return typeof name === "string" && PATTERNS[kind].test(name);
}

/** Checks `name` has the shape of `kind`; INVALID_ARGUMENT naming the field otherwise. */
export function requireName(kind: NameKind, name: unknown, field: string): string {
    if (!isName(kind, name)) throw invalid(`${field}: must be of the form ${SHAPES[kind]} (got ${JSON.stringify(name ?? "")})`);
    return name;
}

/** The crypto key and numeric id of a version name. */
export function splitVersionName(name: string): { key: string; id: number } {
    const m = VERSION.exec(name)!;
    return { key: m[1], id: Number(m[2]) };
}

export function requireId(id: unknown, field: string): string {
    if (typeof id !== "string" || !ID_PATTERN.test(id)) throw invalid(`${field}: must match [a-zA-Z0-9_-]{1,63} (got ${JSON.stringify(id ?? "")})`);
    return id;
}

// ---------------------------------------------------------------------------------------------------------------
// Well-known types

export interface WireTimestamp {
    seconds: string;
    nanos: number;
}

export function timestamp(ms: number): WireTimestamp {
    const seconds = Math.floor(ms / 1000);
    return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Milliseconds from a Timestamp or Duration message (`seconds` may arrive as string or number). */
export function toMillis(t: { seconds?: string | number | null; nanos?: number | null } | null | undefined): number | undefined {
    if (!t) return undefined;
    return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1_000_000);
}

export function duration(ms: number): WireTimestamp {
    return timestamp(ms);
}

export function int64(n: number): { value: string } {
    return { value: String(n) };
}

export function crc(data: Buffer): { value: string } {
    return int64(crc32c(data));
}

/**
 * Verifies an optional client-supplied CRC32C (`{value}`) over `data`; true when it was supplied and matched.
 * A mismatch is INVALID_ARGUMENT, as Cloud KMS answers.
 */
export function verifyCrc(supplied: { value?: string | number | null } | null | undefined, data: Buffer, field: string, dataField: string): boolean {
    if (!supplied || supplied.value === undefined || supplied.value === null) return false;
    if (Number(supplied.value) !== crc32c(data)) throw invalid(`The checksum in field ${field} did not match the data in field ${dataField}.`);
    return true;
}

export const bytes = (b: unknown): Buffer => (Buffer.isBuffer(b) ? b : b instanceof Uint8Array ? Buffer.from(b) : Buffer.alloc(0));

/** FieldMask paths, normalised to snake_case. */
export function maskPaths(mask: { paths?: string[] | null } | null | undefined): string[] {
    return (mask?.paths ?? []).map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}
