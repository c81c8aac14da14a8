/**
 * Request checks shared by the Cloud KMS emulator's operation groups: algorithms for a purpose, labels, rotation
 * schedules, unspecified enums. Each failure is INVALID_ARGUMENT naming the field, what is allowed and what came.
 */
import { DAY_MS, HOUR_MS } from "../../common";
import { ALGORITHMS, AlgorithmSpec, Purpose } from "../crypto";
import { invalid } from "../errors";
import type { CryptoKeyRecord } from "../state";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Req = any;
/** What the protocol layer knows of a call besides its request. */
export interface CallContext {
    /** The caller, from the `x-goog-iam-principal` header (see ./iam). */
    readonly principal?: string;
}
/** An RPC handler: the request as @grpc/proto-loader decodes it, the response object (or a promise of it). */
export type Handler = (request: Req, context: CallContext) => unknown;

export const PROTECTION_LEVELS = ["SOFTWARE", "HSM"];
export const MAX_PAYLOAD = 64 * 1024;
const MAX_ROTATION_PERIOD_MS = 876_000 * HOUR_MS;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export function checkAlgorithm(algorithm: unknown, purpose: Purpose, field: string): AlgorithmSpec {
    if (typeof algorithm !== "string" || algorithm === "CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED") throw invalid(`${field}: is required for ${purpose} keys`);
    const spec = ALGORITHMS[algorithm];
    if (!spec) throw invalid(`${field}: ${algorithm} is not supported by the emulator`);
    if (spec.purpose !== purpose) throw invalid(`${field}: ${algorithm} does not fit purpose ${purpose}`);
    return spec;
}

export function checkLabels(labels: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    const entries = Object.entries((labels ?? {}) as Record<string, string>);
    if (entries.length > 64) throw invalid("labels: at most 64 labels");
    for (const [k, v] of entries) {
        if (!LABEL_KEY.test(k)) throw invalid(`labels: key ${JSON.stringify(k)} must match [a-z][a-z0-9_-]{0,62}`);
        if (!LABEL_VALUE.test(v)) throw invalid(`labels: value of ${k} must match [a-z0-9_-]{0,63}`);
        out[k] = v;
    }
    return out;
}

/** Validates and sets the rotation schedule (ENCRYPT_DECRYPT only; a period needs a next rotation time). */
export function applyRotation(key: CryptoKeyRecord, periodMs: number | undefined, nextMs: number | undefined): void {
    if (periodMs === undefined && nextMs === undefined) return;
    if (key.purpose !== "ENCRYPT_DECRYPT") throw invalid(`rotation_period, next_rotation_time: ${key.purpose} keys do not support automatic rotation`);
    if (periodMs !== undefined) {
        if (periodMs < DAY_MS || periodMs > MAX_ROTATION_PERIOD_MS) throw invalid("rotation_period: must be at least 24 hours and at most 876,000 hours");
        if (nextMs === undefined) throw invalid("next_rotation_time: must be set when rotation_period is set");
        key.rotationPeriodMs = periodMs;
    }
    if (nextMs !== undefined) key.nextRotationTime = nextMs;
}

/** An enum value the caller left unspecified counts as absent. */
export function specified<T>(value: T): T | undefined {
    return value === null || value === undefined || String(value).endsWith("_UNSPECIFIED") ? undefined : value;
}
