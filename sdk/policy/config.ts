/**
 * Policy pack config (`--policy-pack-config FILE`), read and reconciled with a pack's policies the way the Pulumi
 * engine does before it sends Configure, and validated the same way, so a config the engine would refuse is refused
 * here too, before any resource is analyzed. Engine sources (pulumi/pulumi):
 *  - pkg/resource/analyzer/config.go: parsePolicyPackConfig and extractEnforcementLevel (the file's shape and levels),
 *    ReconcilePolicyPackConfig (schema defaults < the pack's initial config < the file, with `all` setting every
 *    policy's level), validatePolicyPackConfig / validatePolicyConfig (each policy's merged properties against its
 *    configSchema with github.com/xeipuuv/gojsonschema, as `{type: "object", properties, required}`);
 *  - pkg/resource/plugin/analyzer_plugin.go: analyzer.GetAnalyzerInfo (every policy of a pack that supports config gets
 *    a schema, with `enforcementLevel` injected as an enum) and analyzer.Configure (refuses an invalid level);
 *  - pkg/engine/update.go: the local-pack path that loads the file, reconciles, and reports the sorted validation
 *    errors as `validating policy config: <pack> <version>  <policy>: <error>`.
 * Messages keep the engine's wording (gojsonschema's, for schema errors: locales.go DefaultLocale) and add what was
 * allowed and what was received. Stricter than the engine, because the engine silently drops them: policy names the
 * pack does not have (the engine passes them on in Configure, where no policy reads them; with properties but no
 * level its Configure fails with `invalid enforcement level ""`), and properties under `all`, which applies only a
 * level. Unknown properties of a known policy pass, as in the engine (the schema has no additionalProperties, and a
 * pack's policy sees all of them in getConfig()).
 */
import * as fs from "fs";
import type { ErrorObject, ValidateFunction } from "ajv";
import { describeJsonError } from "../jsonError";

export type EnforcementLevelName = "advisory" | "mandatory" | "disabled" | "remediate";

/** Pack config as `--policy-pack-config` files hold it: `{ "all"?: level, "<policy>": level | {enforcementLevel?, ...props} }`. */
export type PackConfig = Record<string, EnforcementLevelName | ({ enforcementLevel?: EnforcementLevelName } & Record<string, unknown>)>;

/** What the engine accepts (apitype.EnforcementLevel.IsValid), in the order of the enum it injects into each schema. */
const VALID_LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];
const ALLOWED_LEVELS = `allowed: ${VALID_LEVELS.join(", ")}`;

export interface PolicyConfigSchema {
    readonly properties?: Record<string, unknown>;
    readonly required?: readonly string[];
}

/** What GetAnalyzerInfo tells about a pack, as far as its config goes. */
export interface PackSchema {
    readonly name: string;
    readonly version: string;
    readonly supportsConfig: boolean;
    readonly policies: readonly { readonly name: string; readonly enforcementLevel: EnforcementLevelName; readonly configSchema?: PolicyConfigSchema }[];
    /** The pack's own config (`new PolicyPack(name, args, initialConfig)`), below the file's. */
    readonly initialConfig?: Readonly<Record<string, { readonly enforcementLevel: EnforcementLevelName; readonly properties: Record<string, unknown> }>>;
}

/** The level and properties Configure sends for one policy. */
export interface PolicyConfigEntry {
    readonly level: EnforcementLevelName;
    readonly properties: Record<string, unknown>;
}

/** Every problem of one config, sorted (as the engine sorts its validation errors), in one message. */
export class PackConfigError extends Error {
    constructor(
        readonly source: string | undefined,
        readonly problems: readonly string[],
        pack?: string,
    ) {
        const head = `policy pack config${source ? ` ${source}` : ""}${pack ? ` for ${pack}` : ""}`;
        super(problems.length === 1 ? `${head}: ${problems[0]}` : `${head}: ${problems.length} problems\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PackConfigError";
    }
}

/** The file each config object came from, for the messages of reconcilePackConfig. */
const sources = new WeakMap<object, string>();

/**
 * Reads a config file. Only what makes the file unusable is refused here (no file, not JSON, not an object); the
 * entries are checked against the pack by reconcilePackConfig, all problems at once. Like the engine, an empty file
 * (or `null`) is no config.
 */
export function readPackConfig(file: string): PackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new PackConfigError(file, [code === "ENOENT" ? "no such file" : `cannot be read (${code ?? (e as Error).message})`]);
    }
    let parsed: unknown = null;
    if (text.trim() !== "") {
        try {
            parsed = JSON.parse(text);
        } catch (e) {
            throw new PackConfigError(file, [`is not valid JSON: ${describeJsonError(e, text)}`]);
        }
    }
    if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
        throw new PackConfigError(file, [`must be a JSON object of policy names (got: ${Array.isArray(parsed) ? "array" : typeof parsed})`]);
    }
    const config = (parsed ?? {}) as PackConfig;
    sources.set(config, file);
    return config;
}

/**
 * ReconcilePolicyPackConfig: each policy's level and properties (schema defaults, then the pack's initial config,
 * then `config`), validated; throws a PackConfigError with every problem.
 */
export function reconcilePackConfig(pack: PackSchema, config: PackConfig | undefined, source = config ? sources.get(config) : undefined): Map<string, PolicyConfigEntry> {
    const packName = `${pack.name} ${pack.version}`;
    const problems: Problem[] = [];
    const given = config === undefined ? new Map<string, Given>() : parseEntries(config, pack, problems);
    if (!pack.supportsConfig) {
        // update.go: `policy pack %q at %q does not support config`.
        if (config !== undefined) throw new PackConfigError(source, [`policy pack "${pack.name}" does not support config`], packName);
        return new Map(pack.policies.map((p) => [p.name, { level: p.enforcementLevel, properties: {} }]));
    }
    // createConfigWithDefaults, then applyConfig(initialConfig), then applyConfig(config).
    const result = new Map<string, { level: EnforcementLevelName; properties: Record<string, unknown> }>();
    for (const p of pack.policies) {
        const props = p.configSchema?.properties ?? {};
        const defaults = Object.entries(props).filter(([, s]) => s && typeof s === "object" && "default" in s);
        result.set(p.name, { level: p.enforcementLevel, properties: Object.fromEntries(defaults.map(([k, s]) => [k, (s as { default: unknown }).default])) });
    }
    const configured = new Set<string>();
    const apply = (entries: ReadonlyMap<string, Given>) => {
        const all = entries.get("all")?.level;
        if (all) for (const r of result.values()) r.level = all;
        for (const [name, g] of entries) {
            const r = result.get(name);
            if (!r) continue; // unknown names: refused by parseEntries (file) or the pack's own (initial config)
            if (g.level) r.level = g.level;
            Object.assign(r.properties, g.properties);
            if (Object.keys(g.properties).length > 0) configured.add(name);
        }
    };
    apply(new Map(Object.entries(pack.initialConfig ?? {}).map(([k, v]) => [k, { level: v.enforcementLevel, properties: v.properties }])));
    apply(given);
    for (const p of pack.policies) {
        // Without a configSchema there is only the injected enforcementLevel, which is never among the properties.
        // The engine validates every policy; a policy given no properties and requiring none has just the pack's own
        // defaults, so it is left out here, which saves compiling its schema (about 4 ms each) on every run.
        if (!p.configSchema || !(configured.has(p.name) || p.configSchema.required?.length)) continue;
        for (const text of validateProperties(p.name, p.configSchema, result.get(p.name)!.properties)) problems.push([p.name, text]);
    }
    // Sorted as the engine sorts its validation errors, by policy first so that each policy's problems stay together.
    const sorted = problems.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)).map(([, text]) => text);
    if (sorted.length > 0) throw new PackConfigError(source, sorted, packName);
    return result;
}

/** A problem and the entry (policy name, `all`, `environments`) it is about. */
type Problem = [key: string, text: string];

interface Given {
    readonly level?: EnforcementLevelName;
    readonly properties: Record<string, unknown>;
}

/** parsePolicyPackConfig and extractEnforcementLevel, collecting problems instead of stopping at the first. */
function parseEntries(config: PackConfig, pack: PackSchema, problems: Problem[]): Map<string, Given> {
    const result = new Map<string, Given>();
    if (!config || typeof config !== "object" || Array.isArray(config)) {
        problems.push(["", `must be an object of policy names (got: ${Array.isArray(config) ? "array" : typeof config})`]);
        return result;
    }
    const names = new Set(pack.policies.map((p) => p.name));
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        if (key === "environments") {
            problems.push([key, environmentsProblem(value)]);
            continue;
        }
        if (key !== "all" && !names.has(key)) {
            const near = nearest(key, [...names]);
            problems.push([key, `${key}: unknown policy (allowed: the ${names.size} policies of ${pack.name} ${pack.version}, and "all"${near ? `; did you mean "${near}"?` : ""})`]);
            continue;
        }
        if (typeof value === "string") {
            if (VALID_LEVELS.includes(value)) result.set(key, { level: value as EnforcementLevelName, properties: {} });
            else problems.push([key, `parsing enforcement level for ${JSON.stringify(key)}: ${JSON.stringify(value)} is not a valid enforcement level (${ALLOWED_LEVELS})`]);
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            let level: EnforcementLevelName | undefined;
            if (enforcementLevel !== undefined) {
                if (typeof enforcementLevel !== "string") problems.push([key, `parsing enforcement level for ${JSON.stringify(key)}: ${goValue(enforcementLevel)} is not a valid enforcement level; must be a string (${ALLOWED_LEVELS})`]);
                else if (!VALID_LEVELS.includes(enforcementLevel)) problems.push([key, `parsing enforcement level for ${JSON.stringify(key)}: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level (${ALLOWED_LEVELS})`]);
                else level = enforcementLevel as EnforcementLevelName;
            }
            if (key === "all" && Object.keys(properties).length > 0) {
                problems.push([key, `all: only an enforcement level applies to every policy (got properties: ${Object.keys(properties).join(", ")}; set them on each policy)`]);
            }
            result.set(key, { level, properties: key === "all" ? {} : properties });
        } else {
            problems.push([key, `parsing ${JSON.stringify(key)}: ${goValue(value)} is not a valid value; must be a string or object (allowed: an enforcement level, or an object of enforcementLevel and properties)`]);
        }
    }
    return result;
}

/** The engine resolves `environments` (ESC) only on a backend that has them; keyfabric has none. */
function environmentsProblem(value: unknown): string {
    if (!Array.isArray(value)) return `"environments" must be an array of strings, got ${goType(value)}`;
    const bad = value.findIndex((v) => typeof v !== "string");
    if (bad >= 0) return `"environments[${bad}]" must be a string, got ${goType(value[bad])}`;
    return `environments: ESC environments are not supported by keyfabric (the engine, too, refuses them on a backend without ESC; got: ${shown(value)})`;
}

// ---- JSON Schema validation (ajv in place of gojsonschema, with gojsonschema's messages) ----

const validators = new Map<string, ValidateFunction | Error>();
let ajv: import("ajv").default | undefined;

function validatorFor(schema: PolicyConfigSchema): ValidateFunction | Error {
    // convertSchema in config.go: the policy's properties and required under an object type; nothing else.
    const full = { type: "object", ...(schema.properties && Object.keys(schema.properties).length ? { properties: schema.properties } : {}), ...(schema.required?.length ? { required: schema.required } : {}) };
    const key = JSON.stringify(full);
    let v = validators.get(key);
    if (!v) {
        // Loaded on first use. gojsonschema ignores keywords it does not know, and this pack uses no `format`;
        // draft-07 is ajv's default. One instance: each compiles the meta-schema it checks schemas against.
        const Ajv = require("ajv").default as typeof import("ajv").default;
        ajv ??= new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false, logger: false });
        try {
            v = ajv.compile(full);
        } catch (e) {
            v = e as Error;
        }
        validators.set(key, v);
    }
    return v;
}

function validateProperties(policy: string, schema: PolicyConfigSchema, properties: Record<string, unknown>): string[] {
    const validate = validatorFor(schema);
    // The engine's "unable to validate schema" case: the pack's own schema is broken.
    if (validate instanceof Error) return [`${policy}: the pack's configSchema is not valid JSON Schema: ${validate.message}`];
    if (validate(properties)) return [];
    const errors = validate.errors ?? [];
    // gojsonschema stops at a value of the wrong type; ajv goes on to the value's other keywords.
    const typeErrors = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
    return errors.filter((e) => e.keyword === "type" || !typeErrors.has(e.instancePath)).map((e) => `${policy}: ${describeError(e)}`);
}

/** One ajv error as gojsonschema's `<field>: <description>` (with "(root): " trimmed, as validatePolicyConfig does), plus what was allowed and got. */
function describeError(e: ErrorObject): string {
    const path = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const field = path.join(".") || "(root)";
    const p = e.params as Record<string, any>;
    const schema = (e.parentSchema ?? {}) as Record<string, any>;
    let text: string;
    let allowed: string | undefined = describeSchema(schema);
    let got = shown(e.data);
    switch (e.keyword) {
        case "type":
            text = `Invalid type. Expected: ${Array.isArray(p.type) ? `[${p.type.join(",")}]` : p.type}, given: ${jsonType(e.data)}`;
            break;
        case "required":
            text = `${p.missingProperty} is required`;
            allowed = schema.properties?.[p.missingProperty] ? describeSchema(schema.properties[p.missingProperty]) : undefined;
            got = "nothing";
            break;
        case "additionalProperties":
            text = `Additional property ${p.additionalProperty} is not allowed`;
            allowed = schema.properties ? `properties ${Object.keys(schema.properties).join(", ")}` : "no properties";
            got = p.additionalProperty;
            break;
        case "minimum":
        case "maximum":
        case "exclusiveMinimum":
        case "exclusiveMaximum": {
            const what = { minimum: "greater than or equal to", maximum: "less than or equal to", exclusiveMinimum: "greater than", exclusiveMaximum: "less than" }[e.keyword];
            text = `Must be ${what} ${p.limit}`;
            break;
        }
        case "minLength":
            text = `String length must be greater than or equal to ${p.limit}`;
            break;
        case "maxLength":
            text = `String length must be less than or equal to ${p.limit}`;
            break;
        case "pattern":
            text = `Does not match pattern '${p.pattern}'`;
            break;
        case "format":
            text = `Does not match format '${p.format}'`;
            break;
        case "multipleOf":
            text = `Must be a multiple of ${p.multipleOf}`;
            break;
        case "enum":
            text = `${field} must be one of the following: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
            allowed = undefined; // the engine's message lists them
            break;
        case "const":
            text = `${field} does not match: ${JSON.stringify(p.allowedValue)}`;
            allowed = undefined;
            break;
        case "minItems":
            text = `Array must have at least ${p.limit} items`;
            break;
        case "maxItems":
            text = `Array must have at most ${p.limit} items`;
            break;
        case "uniqueItems":
            text = `array items[${Math.min(p.i, p.j)},${Math.max(p.i, p.j)}] must be unique`;
            break;
        case "minProperties":
            text = `Must have at least ${p.limit} properties`;
            break;
        case "maxProperties":
            text = `Must have at most ${p.limit} properties`;
            break;
        case "anyOf":
            text = "Must validate at least one schema (anyOf)";
            break;
        case "oneOf":
            text = "Must validate one and only one schema (oneOf)";
            break;
        case "not":
            text = "Must not validate the schema (not)";
            break;
        case "contains":
            text = "At least one of the items must match";
            break;
        case "propertyNames":
            text = `Property name of "${p.propertyName}" does not match`;
            break;
        case "dependencies":
            text = `Has a dependency on ${p.missingProperty}`;
            break;
        default:
            text = e.message ?? e.keyword;
    }
    const detail = [allowed ? `allowed: ${allowed}` : "", `got: ${got}`].filter(Boolean).join(", ");
    return `${field === "(root)" ? "" : `${field}: `}${text} (${detail})`;
}

/** A short reading of a schema for "allowed: ...". */
function describeSchema(s: unknown): string | undefined {
    if (!s || typeof s !== "object") return undefined;
    const schema = s as Record<string, any>;
    if (Array.isArray(schema.enum)) return `one of ${bounded(schema.enum.map((v: unknown) => JSON.stringify(v)))}`;
    if ("const" in schema) return JSON.stringify(schema.const);
    const type = Array.isArray(schema.type) ? schema.type.join(" or ") : schema.type;
    switch (type) {
        case "integer":
        case "number": {
            const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? `>${schema.exclusiveMinimum}` : undefined);
            const hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? `<${schema.exclusiveMaximum}` : undefined);
            const range = lo !== undefined && hi !== undefined ? `${lo}-${hi}` : lo !== undefined ? `>= ${lo}` : hi !== undefined ? `<= ${hi}` : "";
            return `${type}${range ? ` ${range}` : ""}`;
        }
        case "string": {
            const parts = [schema.minLength ? `at least ${schema.minLength} character${schema.minLength === 1 ? "" : "s"}` : "", schema.maxLength !== undefined ? `at most ${schema.maxLength} characters` : "", schema.pattern ? `matching ${schema.pattern}` : ""].filter(Boolean);
            return `string${parts.length ? ` (${parts.join(", ")})` : ""}`;
        }
        case "boolean":
            return "true or false";
        case "array": {
            const items = describeSchema(schema.items);
            const parts = [schema.minItems ? `at least ${schema.minItems}` : "", schema.maxItems !== undefined ? `at most ${schema.maxItems}` : "", schema.uniqueItems ? "no duplicates" : ""].filter(Boolean);
            return `array${items ? ` of ${items}` : ""}${parts.length ? ` (${parts.join(", ")})` : ""}`;
        }
        case "object":
            return schema.properties ? `object of ${Object.keys(schema.properties).join(", ")}` : "object";
        default:
            return type;
    }
}

function bounded(values: string[], max = 10): string {
    return values.length <= max ? values.join(", ") : `${values.slice(0, max).join(", ")}, … (${values.length} in all)`;
}

/** A received value, short. */
function shown(v: unknown): string {
    const s = v === undefined ? "nothing" : JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** gojsonschema's type names: a whole number is an integer. */
function jsonType(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "array";
    if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
    return typeof v;
}

/** Go's %v of a decoded JSON value (encoding/json into any), for the engine's parse messages. */
function goValue(v: unknown): string {
    if (v === null || v === undefined) return "<nil>";
    if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
    if (typeof v === "object") return `map[${Object.keys(v as object).sort().map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`).join(" ")}]`;
    if (typeof v === "number") {
        // %v of a float64 is %g with the shortest digits: an exponent from 1e+06 and below 1e-04.
        const [mantissa, exp] = v.toExponential().split("e");
        const e = Number(exp);
        return v !== 0 && (e < -4 || e >= 6) ? `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}` : String(v);
    }
    return String(v);
}

/** Go's %T of a decoded JSON value. */
function goType(v: unknown): string {
    if (v === null || v === undefined) return "<nil>";
    if (Array.isArray(v)) return "[]interface {}";
    return { string: "string", number: "float64", boolean: "bool", object: "map[string]interface {}" }[typeof v as string] ?? typeof v;
}

/** The closest policy name, if it is close enough to be a typo. */
function nearest(name: string, names: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
    for (const n of names) {
        const d = distance(name, n, bestDistance);
        if (d < bestDistance) [best, bestDistance] = [n, d];
    }
    return best;
}

function distance(a: string, b: string, cap: number): number {
    if (Math.abs(a.length - b.length) >= cap) return cap;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
    }
    return prev[b.length];
}
