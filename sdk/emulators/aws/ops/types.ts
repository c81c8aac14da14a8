/**
 * What every operation group shares: the handler type (a request read with `Input`, answered with a JSON object
 * whose blobs are base64 and timestamps epoch seconds, or a thrown `KmsError`), pagination and DryRun.
 */
import { kmsError } from "../errors";
import type { Input } from "../input";
import type { KmsModel, RequestContext } from "../model";

export type Json = Record<string, unknown>;
export type Operation = (model: KmsModel, ctx: RequestContext, input: Input) => Json | Promise<Json>;
/** Operation name (`TrentService.<Name>`) → handler. */
export type Operations = Readonly<Record<string, Operation>>;

/** Offset-based pagination with an opaque marker. */
export function paginate<T>(items: T[], input: Input, max: number, defaultLimit: number): { items: T[]; truncated: boolean; nextMarker?: string } {
    const limit = input.int("Limit", 1, max) ?? defaultLimit;
    const marker = input.str("Marker");
    let start = 0;
    if (marker !== undefined) {
        const m = /^o:(\d+)$/.exec(Buffer.from(marker, "base64url").toString("utf8"));
        if (!m || Number(m[1]) > items.length) throw kmsError("InvalidMarkerException", "The Marker is not valid: use NextMarker of the previous response.");
        start = Number(m[1]);
    }
    const end = Math.min(items.length, start + limit);
    const truncated = end < items.length;
    return { items: items.slice(start, end), truncated, nextMarker: truncated ? Buffer.from(`o:${end}`).toString("base64url") : undefined };
}

/** After every check passed: DryRun answers DryRunOperationException (HTTP 400, as recorded) instead of doing it. */
export function dryRun(input: Input): void {
    if (input.bool("DryRun")) throw kmsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
}
