/**
 * Analyzer requests as protobuf bytes, each resource's properties encoded once.
 *
 * `runPolicyPack` sends every resource twice (its `Analyze` and inside `AnalyzeStack`), as the engine does. Building
 * `google.protobuf.Struct` objects (`Struct.fromJavaScript`) and serializing them inside each request cost more client
 * time than the pack spent on its rules over a 1,000-key hierarchy (BENCHMARKS.md, Policy). Here the properties go
 * straight from JavaScript values to `Struct` bytes through google-protobuf's own `BinaryWriter`, once per resource,
 * and both requests embed those bytes: an embedded message is a length-delimited field on the wire, the same as
 * `bytes`, so `writeBytes(field, structBytes)` is exactly what `writeMessage(field, struct, ...)` would write.
 *
 * Values are taken as `JSON.stringify` takes them (the properties are JSON: inputs of a preview, outputs in state):
 * `toJSON` is honoured, object members that are `undefined`, functions or symbols are left out, and in arrays they and
 * non-finite numbers become `null`, as do non-finite numbers anywhere.
 */

/** Field numbers of `google.protobuf.Struct` / `Value` / `ListValue` (struct.proto). */
const STRUCT_FIELDS = 1;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const VALUE_NULL = 1;
const VALUE_NUMBER = 2;
const VALUE_STRING = 3;
const VALUE_BOOL = 4;
const VALUE_STRUCT = 5;
const VALUE_LIST = 6;
const LIST_VALUES = 1;

/** Field numbers of `pulumirpc.AnalyzeRequest` and `pulumirpc.AnalyzerResource` (analyzer.proto). */
const RESOURCE_TYPE = 1;
const RESOURCE_PROPERTIES = 2;
const RESOURCE_URN = 3;
const RESOURCE_NAME = 4;
const RESOURCE_OPTIONS = 5;
const RESOURCE_PARENT = 7; // AnalyzerResource only
const RESOURCE_DEPENDENCIES = 8; // AnalyzerResource only: repeated string
const RESOURCE_PROPERTY_DEPENDENCIES = 9; // AnalyzerResource only: map<string, AnalyzerPropertyDependencies>
const MAP_KEY = 1;
const MAP_VALUE = 2;
const PROPERTY_DEPENDENCY_URNS = 1;
/** `pulumirpc.AnalyzeStackRequest.resources`. */
const STACK_RESOURCES = 1;

// google-protobuf ships no types of its own here; only its writer is used.
type Writer = {
    writeString(field: number, value: string): void;
    writeDouble(field: number, value: number): void;
    writeBool(field: number, value: boolean): void;
    writeEnum(field: number, value: number): void;
    writeBytes(field: number, value: Uint8Array): void;
    writeMessage<T>(field: number, value: T, write: (value: T, writer: Writer) => void): void;
    getResultBuffer(): Uint8Array;
};

let BinaryWriter: (new () => Writer) | undefined;

/** A fresh writer; google-protobuf is loaded on first use, not with the module (the CLI loads this for every command). */
function writer(): Writer {
    BinaryWriter ??= (require("google-protobuf") as { BinaryWriter: new () => Writer }).BinaryWriter;
    return new BinaryWriter();
}

/** What `JSON.stringify` would make of `v`: `undefined` when it would leave it out. */
function jsonValue(v: unknown): unknown {
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") v = (v as { toJSON(): unknown }).toJSON();
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
    if (typeof v === "number" && !Number.isFinite(v)) return null;
    if (typeof v === "bigint") throw new TypeError("a resource property is a BigInt, which JSON cannot hold");
    return v;
}

/** One value as a `Value` message (boxed: `writeMessage` writes nothing for a `null` message, but `null` is a value). */
function writeBoxed(w: Writer, field: number, v: unknown): void {
    w.writeMessage(field, [v], (box, vw) => writeValue(box[0], vw));
}

function writeValue(v: unknown, w: Writer): void {
    if (v === null) w.writeEnum(VALUE_NULL, 0);
    else if (typeof v === "number") w.writeDouble(VALUE_NUMBER, v);
    else if (typeof v === "string") w.writeString(VALUE_STRING, v);
    else if (typeof v === "boolean") w.writeBool(VALUE_BOOL, v);
    else if (Array.isArray(v)) w.writeMessage(VALUE_LIST, v, writeList);
    else w.writeMessage(VALUE_STRUCT, v as Record<string, unknown>, writeStruct);
}

function writeList(list: readonly unknown[], w: Writer): void {
    for (const item of list) {
        const v = jsonValue(item);
        writeBoxed(w, LIST_VALUES, v === undefined ? null : v);
    }
}

function writeStruct(obj: Record<string, unknown>, w: Writer): void {
    for (const key of Object.keys(obj)) {
        const v = jsonValue(obj[key]);
        if (v === undefined) continue;
        w.writeMessage(STRUCT_FIELDS, [key, v] as const, ([k, value], entry) => {
            entry.writeString(ENTRY_KEY, k);
            writeBoxed(entry, ENTRY_VALUE, value);
        });
    }
}

/** `properties` as the bytes of a `google.protobuf.Struct`. */
export function encodeStruct(properties: Record<string, unknown>): Uint8Array {
    const w = writer();
    const v = jsonValue(properties);
    if (v !== null && v !== undefined) writeStruct(v as Record<string, unknown>, w);
    return w.getResultBuffer();
}

/** One resource as the engine sends it to a pack. */
export interface WireResource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly parent?: string;
    /** `encodeStruct` of its properties. */
    readonly properties: Uint8Array;
    /** A serialized `pulumirpc.AnalyzerResourceOptions`. */
    readonly options: Uint8Array;
    /** URNs it depends on (AnalyzeStack only, as the engine sends them from state). */
    readonly dependencies?: readonly string[];
    /** Input property -> the URNs its value came from (AnalyzeStack only). */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

function writeResource(r: WireResource, w: Writer, withParent: boolean): void {
    w.writeString(RESOURCE_TYPE, r.type);
    w.writeBytes(RESOURCE_PROPERTIES, r.properties);
    w.writeString(RESOURCE_URN, r.urn);
    w.writeString(RESOURCE_NAME, r.name);
    w.writeBytes(RESOURCE_OPTIONS, r.options);
    if (!withParent) return;
    if (r.parent) w.writeString(RESOURCE_PARENT, r.parent);
    for (const urn of r.dependencies ?? []) w.writeString(RESOURCE_DEPENDENCIES, urn);
    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
        w.writeMessage(RESOURCE_PROPERTY_DEPENDENCIES, [key, urns] as const, ([k, list], entry) => {
            entry.writeString(MAP_KEY, k);
            entry.writeMessage(MAP_VALUE, list, (l, dw) => l.forEach((u) => dw.writeString(PROPERTY_DEPENDENCY_URNS, u)));
        });
    }
}

/** A `pulumirpc.AnalyzeRequest` for one resource. */
export function encodeAnalyzeRequest(r: WireResource): Uint8Array {
    const w = writer();
    writeResource(r, w, false);
    return w.getResultBuffer();
}

/** A `pulumirpc.AnalyzeStackRequest` with every resource. */
export function encodeAnalyzeStackRequest(resources: readonly WireResource[]): Uint8Array {
    const w = writer();
    for (const r of resources) w.writeMessage(STACK_RESOURCES, r, (res, rw) => writeResource(res, rw, true));
    return w.getResultBuffer();
}
