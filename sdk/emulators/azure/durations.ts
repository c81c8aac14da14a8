/**
 * ISO 8601 durations as Key Vault rotation policies use them (`P90D`, `P1Y`, `P2M`, `PT12H`, `P1W`).
 * Years count 365 days and months 30 days, which is what the 28-day and 7-day minimums are checked against.
 */
import { DAY_MS } from "../common";

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds, or undefined when `text` is not an ISO 8601 duration. */
export function parseDuration(text: unknown): number | undefined {
    if (typeof text !== "string") return undefined;
    const m = DURATION.exec(text);
    if (!m || text === "P" || text.endsWith("T")) return undefined;
    const [y, mo, w, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
    return (((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60_000 + s * 1000;
}

export const daysOf = (ms: number) => ms / DAY_MS;
