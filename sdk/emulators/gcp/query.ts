/**
 * List `filter`, `order_by` and paging, as cloud.google.com/kms/docs/sorting-and-filtering documents them:
 *
 * - Any field of the returned object, sub-fields and map keys with dots (`primary.algorithm=RSA_SIGN_PSS_2048_SHA256`,
 *   `labels.team=alpha`); field names in snake_case or camelCase.
 * - Operators `=`, `!=`, `<`, `>`, `<=`, `>=` (the page writes `=>`; both are accepted), `:` (a case-insensitive
 *   substring match: `name:"cloud"`), `NOT` and `-` (negation), `AND` (or a space), `OR` (binding tighter than AND, as
 *   the page says), parentheses. Times compare as RFC 3339 strings (`create_time>"2019-06-20T01:30:15Z"`); a quoted
 *   string is one value.
 * - `order_by`: `""` (the default order), `name`, `name desc`; anything else is INVALID_ARGUMENT.
 */
import { invalid } from "./errors";

type Value = unknown;
type Predicate = (item: Value) => boolean;

const DEFAULT_PAGE_SIZE = 1000;

interface Token {
    kind: "lparen" | "rparen" | "and" | "or" | "not" | "cmp";
    field?: string;
    op?: string;
    value?: string;
}

const CMP = /^(-?)([A-Za-z_][A-Za-z0-9_.-]*)\s*(!=|<=|>=|=>|=|<|>|:)\s*("(?:[^"\\]|\\.)*"|[^\s()"]+)/;

function tokenize(filter: string): Token[] {
    const tokens: Token[] = [];
    let rest = filter.trim();
    while (rest.length > 0) {
        let m: RegExpExecArray | null;
        if (rest[0] === "(") tokens.push({ kind: "lparen" }), (rest = rest.slice(1));
        else if (rest[0] === ")") tokens.push({ kind: "rparen" }), (rest = rest.slice(1));
        else if ((m = /^(AND|OR|NOT)(?=[\s(]|$)/.exec(rest))) tokens.push({ kind: m[1].toLowerCase() as Token["kind"] }), (rest = rest.slice(m[0].length));
        else if ((m = CMP.exec(rest))) {
            if (m[1]) tokens.push({ kind: "not" });
            const raw = m[4];
            const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
            tokens.push({ kind: "cmp", field: m[2], op: m[3] === "=>" ? ">=" : m[3], value });
            rest = rest.slice(m[0].length);
        } else if (rest[0] === "-" && rest[1] === "(") tokens.push({ kind: "not" }), (rest = rest.slice(1));
        else throw invalid(`filter: cannot parse ${JSON.stringify(rest)} in ${JSON.stringify(filter)} (expected field<op>value with op one of = != < > <= >= :, AND, OR, NOT, parentheses)`);
        rest = rest.trimStart();
    }
    return tokens;
}

/** camelCase the dotted path's segments except map keys (after `labels.`). */
function lookup(item: Value, path: string): Value {
    let cur: Value = item;
    const parts = path.split(".");
    for (let i = 0; i < parts.length; i++) {
        if (cur === null || typeof cur !== "object") return undefined;
        const isMapKey = i > 0 && parts[i - 1] === "labels";
        const key = isMapKey ? parts[i] : parts[i].replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
        cur = (cur as Record<string, Value>)[key];
    }
    return cur;
}

/** A field's value as the filter compares it: timestamps as RFC 3339, the rest as strings. */
function scalar(v: Value): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "object" && "seconds" in (v as object)) {
        const t = v as { seconds: string | number; nanos?: number };
        return new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString().replace(".000Z", "Z");
    }
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
}

const normTime = (s: string) => (/^\d{4}-\d\d-\d\dT/.test(s) ? new Date(s).toISOString().replace(".000Z", "Z") : s);

function compare(token: Token): Predicate {
    const { field, op, value } = token as Required<Token>;
    return (item) => {
        const actual = scalar(lookup(item, field));
        if (op === ":") return actual !== undefined && actual.toLowerCase().includes(value.toLowerCase());
        if (op === "=") return actual === value;
        if (op === "!=") return actual !== value;
        if (actual === undefined) return false;
        const [a, b] = [normTime(actual), normTime(value)];
        const numeric = /^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b);
        const c = numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0;
        return op === "<" ? c < 0 : op === ">" ? c > 0 : op === "<=" ? c <= 0 : c >= 0;
    };
}

/** Recursive descent: expr := or-group ((AND | space) or-group)*; or-group := unary (OR unary)*; unary := NOT unary | ( expr ) | cmp. */
function parse(tokens: Token[], filter: string): Predicate {
    let i = 0;
    const fail = (what: string) => invalid(`filter: ${what} in ${JSON.stringify(filter)}`);
    const expr = (): Predicate => {
        const parts = [orGroup()];
        while (i < tokens.length && tokens[i].kind !== "rparen") {
            if (tokens[i].kind === "and") i++;
            parts.push(orGroup());
        }
        return (x) => parts.every((p) => p(x));
    };
    const orGroup = (): Predicate => {
        const parts = [unary()];
        while (tokens[i]?.kind === "or") {
            i++;
            parts.push(unary());
        }
        return (x) => parts.some((p) => p(x));
    };
    const unary = (): Predicate => {
        const t = tokens[i++];
        if (!t) throw fail("an expression is missing");
        if (t.kind === "not") {
            const inner = unary();
            return (x) => !inner(x);
        }
        if (t.kind === "lparen") {
            const inner = expr();
            if (tokens[i++]?.kind !== "rparen") throw fail("a ) is missing");
            return inner;
        }
        if (t.kind === "cmp") return compare(t);
        throw fail(`unexpected ${t.kind.toUpperCase()}`);
    };
    const p = expr();
    if (i < tokens.length) throw fail("unbalanced )");
    return p;
}

/** Filters and orders `views` (the objects the list returns) as the request says. */
export function query<T extends { name: string }>(views: T[], r: { filter?: string | null; orderBy?: string | null }): T[] {
    let out = views;
    const filter = String(r.filter ?? "").trim();
    if (filter) {
        const keep = parse(tokenize(filter), filter);
        out = out.filter((v) => keep(v));
    }
    const orderBy = String(r.orderBy ?? "").trim();
    if (orderBy) {
        const m = /^name(\s+(asc|desc))?$/i.exec(orderBy);
        if (!m) throw invalid(`order_by: must be "name" or "name desc" (got ${JSON.stringify(orderBy)})`);
        out = [...out].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        if (m[2]?.toLowerCase() === "desc") out.reverse();
    }
    return out;
}

export function page<T>(items: T[], r: { pageToken?: string | null; pageSize?: number | string | null }): { items: T[]; nextPageToken: string; totalSize: number } {
    let start = 0;
    if (r.pageToken) {
        const m = /^offset:(\d+)$/.exec(Buffer.from(String(r.pageToken), "base64").toString());
        if (!m) throw invalid("page_token: is not a token this service issued");
        start = Number(m[1]);
    }
    const size = Number(r.pageSize ?? 0) > 0 ? Math.min(Number(r.pageSize), DEFAULT_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
    const end = start + size;
    return { items: items.slice(start, end), nextPageToken: end < items.length ? Buffer.from(`offset:${end}`).toString("base64") : "", totalSize: items.length };
}

/** One list answer: filter and order the views, then page. */
export function list<T extends { name: string }>(views: T[], r: { filter?: string | null; orderBy?: string | null; pageToken?: string | null; pageSize?: number | string | null }) {
    return page(query(views, r), r);
}
