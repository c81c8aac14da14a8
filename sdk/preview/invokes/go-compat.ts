/**
 * What the Terraform-based providers' Go code does to values, reproduced byte for byte:
 *
 * - `encoding/json` `Marshal` / `MarshalIndent(v, "", "  ")`: struct fields in declaration order, map keys sorted
 *   bytewise, HTML-safe escaping (`<` `>` `&` as `\u003c` `\u003e` `\u0026`, U+2028/U+2029 escaped; Go >= 1.22 writes
 *   `\b` and `\f` short), float64 numbers as Go formats them, empty arrays/objects compact when indented.
 * - `hash/crc32.ChecksumIEEE` and the SDK's `hashcode.String` (terraform-plugin-sdk/v2 internal/helper/hashcode), which
 *   `create.StringHashcode` (terraform-provider-aws) and `tpgresource.Hashcode` (terraform-provider-google) copy.
 * - `schema.Set.List()` order (terraform-plugin-sdk/v2 helper/schema/set.go): elements keyed by the decimal string of
 *   their hash code, deduplicated by it, listed by those strings sorted as strings (not as numbers).
 * - Go's `<` on strings: bytewise over UTF-8, which differs from JavaScript's UTF-16 order above U+FFFF.
 */

/** An object whose keys are emitted in the given order (a Go struct); plain objects are Go maps (sorted keys). */
export class Ordered {
    constructor(readonly entries: ReadonlyArray<readonly [string, GoValue]>) {}
}

export type GoValue = string | number | boolean | null | Ordered | GoValue[] | { [key: string]: GoValue };

/** A JavaScript string as the UTF-8 the gRPC layer hands the provider: lone surrogates become U+FFFD. */
export function wellFormed(s: string): string {
    return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** Go's string comparison (bytewise over UTF-8), as -1 / 0 / 1. */
export function goCompare(a: string, b: string): number {
    if (a === b) return 0;
    // UTF-16 order equals UTF-8 byte order except between surrogates (U+10000..) and U+E000..U+FFFF.
    if (!/[\uD800-\uDFFF]/.test(a + b)) return a < b ? -1 : 1;
    return Buffer.compare(Buffer.from(wellFormed(a), "utf8"), Buffer.from(wellFormed(b), "utf8"));
}

export function goSort(values: string[]): string[] {
    return values.sort(goCompare);
}

/** `sort.Sort(sort.Reverse(sort.StringSlice(l)))` / `slices.Sort(l); slices.Reverse(l)`. */
export function goSortReverse(values: string[]): string[] {
    return values.sort((a, b) => goCompare(b, a));
}

const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        t[n] = c >>> 0;
    }
    return t;
})();

/** `crc32.ChecksumIEEE([]byte(s))`. */
export function crc32(s: string): number {
    const bytes = Buffer.from(wellFormed(s), "utf8");
    let c = 0xffffffff;
    for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

/** `hashcode.String(s)` on a 64-bit platform: `int(crc32)` is never negative there. */
export function hashcode(s: string): number {
    return crc32(s);
}

/**
 * `schema.NewSet(f, items).List()`: items deduplicated by hash code (the first one kept), ordered by the codes'
 * decimal strings sorted as strings. `serialize` gives the string the set's hash function feeds to `hashcode.String`.
 */
export function setList<T>(items: readonly T[], serialize: (item: T) => string): T[] {
    const byCode = new Map<string, T>();
    for (const item of items) {
        const code = String(hashcode(serialize(item)));
        if (!byCode.has(code)) byCode.set(code, item);
    }
    return [...byCode.keys()].sort().map((k) => byCode.get(k) as T);
}

/** Hash input of a string in a `TypeSet` of `TypeString` with the default set function (`HashSchema`): `"s;"`. */
export const stringSetMember = (s: string): string => `${s};`;

/** `SerializeValueForHash` of a `TypeSet` of strings whose members are listed in `members` order. */
export function serializeStringSet(members: readonly string[]): string {
    return `{${members.map((m) => `${m};`).join("")}};`;
}

/** `SerializeValueForHash` of a `TypeList` of strings. */
export function serializeStringList(values: readonly string[]): string {
    return `(${values.map((v) => `${v};`).join("")});`;
}

function hex4(code: number): string {
    return `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Go's `encoding/json` string encoding with `escapeHTML` (what `json.Marshal` always does). */
export function goQuote(s: string): string {
    let out = '"';
    for (const ch of wellFormed(s)) {
        const c = ch.codePointAt(0) as number;
        if (ch === '"') out += '\\"';
        else if (ch === "\\") out += "\\\\";
        else if (c < 0x20) {
            if (ch === "\n") out += "\\n";
            else if (ch === "\r") out += "\\r";
            else if (ch === "\t") out += "\\t";
            else if (ch === "\b") out += "\\b";
            else if (ch === "\f") out += "\\f";
            else out += hex4(c);
        } else if (ch === "<" || ch === ">" || ch === "&" || c === 0x2028 || c === 0x2029) out += hex4(c);
        else out += ch;
    }
    return out + '"';
}

/** A float64 as `encoding/json` writes it (`strconv.FormatFloat` 'f' or, outside [1e-6, 1e21), cleaned-up 'e'). */
export function goNumber(n: number): string {
    if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${n}`);
    if (Object.is(n, -0)) return "-0";
    // JavaScript's Number#toString switches to exponent form at the same bounds and writes the same shortest digits.
    return String(n);
}

function entriesOf(v: Ordered | { [key: string]: GoValue }): Array<readonly [string, GoValue]> {
    if (v instanceof Ordered) return [...v.entries];
    return Object.keys(v)
        .sort(goCompare)
        .map((k) => [k, v[k]] as const);
}

function encode(v: GoValue, indent: string, depth: number): string {
    if (v === null) return "null";
    if (typeof v === "string") return goQuote(v);
    if (typeof v === "number") return goNumber(v);
    if (typeof v === "boolean") return v ? "true" : "false";
    const nl = indent ? `\n${indent.repeat(depth + 1)}` : "";
    const close = indent ? `\n${indent.repeat(depth)}` : "";
    if (Array.isArray(v)) {
        if (v.length === 0) return "[]";
        return `[${v.map((x) => nl + encode(x, indent, depth + 1)).join(",")}${close}]`;
    }
    const entries = entriesOf(v);
    if (entries.length === 0) return "{}";
    const sep = indent ? ": " : ":";
    return `{${entries.map(([k, x]) => nl + goQuote(k) + sep + encode(x, indent, depth + 1)).join(",")}${close}}`;
}

/** `json.Marshal(v)`. */
export function goMarshal(v: GoValue): string {
    return encode(v, "", 0);
}

/** `json.MarshalIndent(v, "", "  ")`. */
export function goMarshalIndent(v: GoValue): string {
    return encode(v, "  ", 0);
}

/** The Go type name `%T` prints for a value decoded into `interface{}` (for error texts). */
export function goTypeName(v: unknown): string {
    if (v === null || v === undefined) return "<nil>";
    if (typeof v === "string") return "string";
    if (typeof v === "number") return "float64";
    if (typeof v === "boolean") return "bool";
    if (Array.isArray(v)) return "[]interface {}";
    return "map[string]interface {}";
}

/** The JSON kind word Go's `UnmarshalTypeError` uses ("string", "number", "array", "object", "bool"). */
export function jsonKind(v: unknown): string {
    if (typeof v === "string") return "string";
    if (typeof v === "number") return "number";
    if (typeof v === "boolean") return "bool";
    if (Array.isArray(v)) return "array";
    return "object";
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
