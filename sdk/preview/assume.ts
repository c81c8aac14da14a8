/**
 * `--assume FILE`: values a preview cannot know offline, supplied by the user (YAML or JSON).
 *
 *     invokes:                                  # invoke token -> result fields (merged over the offline result)
 *       aws:index/getCallerIdentity:getCallerIdentity: { accountId: "111122223333" }
 *     config:                                   # secure: config keys -> the value to preview with
 *       myproject:dbPassword: not-the-real-one
 */
import * as fs from "fs";
import { parse } from "yaml";

export interface Assumptions {
    readonly invokes: Readonly<Record<string, Record<string, unknown>>>;
    readonly config: Readonly<Record<string, string>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const kind = (v: unknown) => (v === null || v === undefined ? "nothing" : Array.isArray(v) ? "a list" : typeof v);

export function readAssumptions(file: string): Assumptions {
    let doc: unknown;
    try {
        doc = parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `invalid YAML or JSON: ${String((e as Error).message).split("\n")[0]}`;
        throw new Error(`--assume ${file}: ${why}`);
    }
    if (!isObject(doc)) throw new Error(`--assume ${file}: must be a mapping with invokes and/or config (got: ${kind(doc)})`);
    const problems: string[] = [];
    for (const k of Object.keys(doc)) if (k !== "invokes" && k !== "config") problems.push(`${k}: unknown section (allowed: invokes, config)`);
    const invokes: Record<string, Record<string, unknown>> = {};
    if (doc.invokes !== undefined) {
        if (!isObject(doc.invokes)) problems.push(`invokes: must map invoke tokens to result objects (got: ${kind(doc.invokes)})`);
        else
            for (const [token, result] of Object.entries(doc.invokes)) {
                if (!/^[^:]+:[^:]*:[^:]+$/.test(token)) problems.push(`invokes.${token}: not an invoke token (allowed: <package>:<module>:<function>, e.g. aws:index/getCallerIdentity:getCallerIdentity)`);
                else if (!isObject(result)) problems.push(`invokes.${token}: must be an object of result fields (got: ${kind(result)})`);
                else invokes[token] = result;
            }
    }
    const config: Record<string, string> = {};
    if (doc.config !== undefined) {
        if (!isObject(doc.config)) problems.push(`config: must map config keys to values (got: ${kind(doc.config)})`);
        else
            for (const [key, value] of Object.entries(doc.config)) {
                if (!key.includes(":")) problems.push(`config.${key}: give the full key (allowed: <namespace>:<key>, e.g. myproject:${key})`);
                else config[key] = typeof value === "string" ? value : JSON.stringify(value);
            }
    }
    if (problems.length) throw new Error(`--assume ${file}: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return { invokes, config };
}
