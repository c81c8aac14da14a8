/**
 * Reading a `pulumi stack export` file (deployment format version 3) and picking out the key-related resources.
 *
 * Secret values (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext | plaintext}`)
 * are never decrypted or unwrapped: they read as `SECRET` and are not compared. State never holds key material
 * (keyfabric keeps only material descriptors and fingerprints there), and drift detection keeps it that way.
 */
import * as fs from "fs";
import type { Cloud } from "./types";
import { describeJsonError } from "../jsonError";

/** Pulumi's signature key and value for secret values in state. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** What a secret value in state reads as: not comparable. */
export const SECRET: unique symbol = Symbol("secret value in state");

export const isSecretValue = (v: unknown): boolean =>
    typeof v === "object" && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG_VALUE;

export class StateError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StateError";
    }
}

export interface StateResource {
    readonly urn: string;
    readonly type: string;
    /** The name part of the URN. */
    readonly name: string;
    /** Where it is in the export (`deployment.resources[3]`), for messages. */
    readonly at?: string;
    readonly id?: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
    readonly outputs: Record<string, unknown>;
    readonly parent?: string;
    /** `urn::id` of the provider resource. */
    readonly provider?: string;
    readonly protect?: boolean;
    /** Marked for deletion in state (the old half of a replacement that has not been deleted yet). */
    readonly delete?: boolean;
}

export interface StackState {
    readonly source: string;
    /** `project/stack`, from the URNs. */
    readonly stack?: string;
    readonly resources: readonly StateResource[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Property values are read up to this depth (recursion over them is safe; a stack export never nests deeper). */
export const MAX_VALUE_DEPTH = 100;

/** Reads and parses a stack export file; errors say which file and what is wrong with it. */
export function readStackExport(file: string): StackState {
    let bytes: Buffer;
    try {
        bytes = fs.readFileSync(file);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw new StateError(`--state ${file}: no such file (create it with: pulumi stack export --file ${file})`);
        if (code === "EISDIR") throw new StateError(`--state ${file}: is a directory, not a stack export file`);
        throw new StateError(`--state ${file}: cannot read it (${code ?? (e as Error).message})`);
    }
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
        throw new StateError(`--state ${file}: is UTF-16 text (what PowerShell's > writes); write the export with: pulumi stack export --file ${file}`);
    }
    // A UTF-8 byte order mark (Out-File -Encoding utf8, some editors) is not part of the JSON: skipped.
    let text = bytes.toString("utf8");
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === "") throw new StateError(`--state ${file}: is empty; expected the output of pulumi stack export`);
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new StateError(`--state ${file}: is not JSON (${describeJsonError(e, text)}); expected the output of pulumi stack export`);
    }
    return parseStackExport(parsed, file);
}

const kindOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/**
 * The first top-level property of `value` whose value nests deeper than `limit` levels (walked without recursion:
 * 200,000 nested lists cost time, not the stack).
 */
export function tooDeep(value: Record<string, unknown>, limit: number): string | undefined {
    for (const [key, v] of Object.entries(value)) {
        const stack: [unknown, number][] = [[v, 1]];
        while (stack.length > 0) {
            const [x, depth] = stack.pop()!;
            if (typeof x !== "object" || x === null) continue;
            if (depth > limit) return key;
            for (const child of Array.isArray(x) ? x : Object.values(x)) if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
        }
    }
    return undefined;
}

/**
 * Parses an untyped stack export: `{version: 3, deployment: {manifest, resources: [...]}}`. Also accepts a backend
 * checkpoint (`{version: 3, checkpoint: {latest: {...}}}`, what `~/.pulumi/stacks/*.json` holds).
 */
export function parseStackExport(value: unknown, source = "(in memory)"): StackState {
    if (!isObject(value)) throw new StateError(`${source}: is not a stack export (expected a JSON object with version and deployment)`);
    const version = value.version;
    if (version === undefined) {
        throw new StateError(`${source}: has no "version": expected the output of pulumi stack export ({"version": 3, "deployment": {...}})`);
    }
    if (version !== 3) {
        throw new StateError(`${source}: is a version ${JSON.stringify(version)} stack export; keyfabric drift reads version 3 (pulumi stack export with Pulumi CLI 3.x)`);
    }
    let deployment: unknown = value.deployment;
    if (deployment === undefined && isObject(value.checkpoint)) deployment = value.checkpoint.latest ?? {};
    if (!isObject(deployment)) throw new StateError(`${source}: "deployment" is missing or not an object`);
    const raw = deployment.resources ?? [];
    if (!Array.isArray(raw)) throw new StateError(`${source}: deployment.resources is not a list`);
    const base = value.deployment === undefined && isObject(value.checkpoint) ? "checkpoint.latest.resources" : "deployment.resources";
    const resources: StateResource[] = raw.map((r, i) => {
        const at = `${base}[${i}]`;
        const where = `${source}: ${at}`;
        if (!isObject(r)) throw new StateError(`${where}: is not an object`);
        if (typeof r.urn !== "string" || !r.urn.startsWith("urn:pulumi:")) throw new StateError(`${where}: has no valid urn`);
        if (typeof r.type !== "string" || r.type === "") throw new StateError(`${where} (${r.urn}): has no type`);
        // Pulumi writes objects here (or leaves them out); anything else is not a stack export, whatever the type.
        const wrong = (["inputs", "outputs"] as const).filter((k) => r[k] !== undefined && r[k] !== null && !isObject(r[k])).map((k) => `${k} is ${kindOf(r[k])}, not an object`);
        if (r.id !== undefined && r.id !== null && typeof r.id !== "string") wrong.push(`id is ${kindOf(r.id)}, not a string`);
        if (wrong.length > 0) throw new StateError(`${where} (${r.urn}): ${wrong.join("; ")}`);
        const inputs = isObject(r.inputs) ? r.inputs : {};
        const outputs = isObject(r.outputs) ? r.outputs : {};
        for (const [k, props] of [["inputs", inputs], ["outputs", outputs]] as const) {
            const deep = tooDeep(props, MAX_VALUE_DEPTH);
            if (deep !== undefined) {
                throw new StateError(`${where} (${r.urn}): ${k}.${deep} is nested more than ${MAX_VALUE_DEPTH} levels deep; keyfabric drift reads property values up to ${MAX_VALUE_DEPTH} levels deep`);
            }
        }
        return {
            urn: r.urn,
            type: r.type,
            name: nameOf(r.urn),
            at,
            ...(typeof r.id === "string" && r.id !== "" ? { id: r.id } : {}),
            custom: r.custom === true,
            inputs,
            outputs,
            ...(typeof r.parent === "string" ? { parent: r.parent } : {}),
            ...(typeof r.provider === "string" ? { provider: r.provider } : {}),
            ...(typeof r.protect === "boolean" ? { protect: r.protect } : {}),
            ...(r.delete === true ? { delete: true } : {}),
        };
    });
    const first = resources[0]?.urn;
    const m = first ? /^urn:pulumi:([^:]+)::([^:]+)::/.exec(first) : null;
    return { source, ...(m ? { stack: `${m[2]}/${m[1]}` } : {}), resources };
}

/** The last `::` part of a URN. */
export function nameOf(urn: string): string {
    const i = urn.lastIndexOf("::");
    return i >= 0 ? urn.slice(i + 2) : urn;
}

/**
 * The resource's properties as drift detection reads them: inputs overlaid with outputs (outputs win), secrets
 * replaced by `SECRET`, the dynamic provider's serialized code (`__provider`) dropped.
 */
export function propsOf(r: StateResource): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const src of [r.inputs, r.outputs]) {
        for (const [k, v] of Object.entries(src)) {
            if (k === "__provider") continue;
            out[k] = redactSecrets(v);
        }
    }
    return out;
}

function redactSecrets(v: unknown): unknown {
    if (isSecretValue(v)) return SECRET;
    if (Array.isArray(v)) return v.map(redactSecrets);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactSecrets(x)]));
    return v;
}

/** Whether a value (or anything inside it) is a secret: such values are never compared. */
export function containsSecret(v: unknown): boolean {
    if (v === SECRET) return true;
    if (Array.isArray(v)) return v.some(containsSecret);
    if (isObject(v)) return Object.values(v).some(containsSecret);
    return false;
}

/** The cloud of a key-related resource type, or undefined when drift detection does not look at the type. */
export function keyResourceCloud(type: string): Cloud | undefined {
    if (type.startsWith("aws:kms/")) return "aws";
    if (type.startsWith("gcp:kms/")) return "gcp";
    if (/^azure-native:keyvault(\/v[0-9a-z]+)?:/.test(type)) return "azure";
    if (type.startsWith("azure:keyvault/managedHardwareSecurityModuleKey")) return "azure";
    const dyn = /^pulumi-nodejs:dynamic\/keyfabric:(Aws|Gcp|Azure)/.exec(type);
    if (dyn) return dyn[1].toLowerCase() as Cloud;
    if (type === "pulumi-nodejs:dynamic/keyfabric:MaterialFingerprint") return "aws";
    return undefined;
}

/** `azure-native:keyvault/v20230701:Key` → `azure-native:keyvault:Key`. */
export function canonicalType(type: string): string {
    return type.replace(/^azure-native:keyvault\/v[0-9a-z]+:/, "azure-native:keyvault:");
}

/** Top-level properties of a resource that are (or hold) secrets: never decrypted, so never compared. */
export function secretFields(r: StateResource): string[] {
    const p = propsOf(r);
    return Object.keys(p)
        .filter((k) => containsSecret(p[k]))
        .sort();
}
