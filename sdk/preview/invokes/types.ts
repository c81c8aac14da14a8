/** The offline-invoke interface (re-exported by ./index). */
export interface InvokeContext {
    /** Stack config value by full key, e.g. "aws:region", "gcp:project", "azure-native:subscriptionId"; undefined when unset. Objects come as JSON strings. */
    config(key: string): string | undefined;
}

export type InvokeOutcome =
    | { kind: "local"; result: Record<string, unknown> } // computed exactly as the provider computes it
    | { kind: "assumed"; result: Record<string, unknown>; assumption: string }; // a cloud read: plausible value; assumption says what was assumed, in one sentence, naming the values

export const local = (result: Record<string, unknown>): InvokeOutcome => ({ kind: "local", result });

export const assumed = (token: string, result: Record<string, unknown>, what: string): InvokeOutcome => ({
    kind: "assumed",
    result,
    assumption: `${token}: ${what} (supply with --assume)`,
});

/** A config value holding JSON (objects and lists come as JSON strings); undefined when unset or not JSON. */
export function configJson(ctx: InvokeContext, key: string): unknown {
    const raw = ctx.config(key);
    if (raw === undefined) return undefined;
    try {
        return JSON.parse(raw);
    } catch {
        return undefined;
    }
}

export const inputString = (inputs: Record<string, unknown>, key: string): string | undefined => (typeof inputs[key] === "string" && inputs[key] !== "" ? (inputs[key] as string) : undefined);

export function requireString(token: string, inputs: Record<string, unknown>, key: string): string {
    const v = inputs[key];
    if (typeof v !== "string") throw new Error(`${token}: Missing required argument: ${key}`);
    return v;
}

/** A fixed timestamp for "created at" fields of things assumed to exist. */
export const ASSUMED_CREATION_DATE = "2024-01-01T00:00:00Z";

/** A provider error: the invoke fails as it would in a real preview. */
export const fail = (message: string): never => {
    throw new Error(message);
};

/** A string as the bridge hands it to the provider (numbers and booleans are coerced to strings). */
export function str(v: unknown, what: string): string {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return fail(`${what}: expected a string, got ${v === null ? "null" : typeof v}`);
}

export function strings(v: unknown, what: string): string[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail(`${what}: expected a list of strings`);
    return v.map((x, i) => str(x, `${what}[${i}]`));
}
