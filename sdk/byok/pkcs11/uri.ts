/**
 * RFC 7512 PKCS#11 URIs (the convention of p11-kit, OpenSSL and GnuTLS) as a material source:
 * `pkcs11:token=keys;object=card-data;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:HSM_PIN`.
 *
 * Pure parsing, no I/O: every problem names its attribute, the allowed values and (never for a PIN) what was
 * received. Values are percent-decoded (RFC 3986 section 2.1); `id` is bytes, the others UTF-8 text.
 */

/** The path attributes keyfabric matches on, and the query attributes it reads. */
export const PATH_ATTRIBUTES = ["token", "serial", "manufacturer", "model", "slot-id", "object", "id", "type"] as const;
export const QUERY_ATTRIBUTES = ["module-path", "module-name", "pin-source", "pin-value"] as const;
/** `type`: what a key to import can be (the RFC's `public`, `cert` and `data` objects are not key material). */
export const OBJECT_TYPES = ["secret-key", "private"] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export interface Pkcs11Uri {
    readonly token?: string;
    readonly serial?: string;
    readonly manufacturer?: string;
    readonly model?: string;
    readonly slotId?: number;
    readonly object?: string;
    /** CKA_ID bytes. */
    readonly id?: Buffer;
    readonly type?: ObjectType;
    readonly modulePath?: string;
    readonly moduleName?: string;
    /** `file:<path>` (RFC 7512) or `env:<NAME>` (keyfabric). */
    readonly pinSource?: { readonly file: string } | { readonly env: string };
    /** Only where `allowPinValue` (the CLI, tests): a spec would keep it in state. */
    readonly pinValue?: string;
}

export interface UriIssue {
    /** The attribute (`token`, `pin-source`...) or "" for the URI as a whole. */
    readonly attribute: string;
    readonly message: string;
    readonly allowed?: string;
    readonly got?: string;
}

const SHAPE = "pkcs11:token=<label>;object=<label>[;type=secret-key|private][;id=<%xx bytes>]?pin-source=env:<NAME>|file:<path>[&module-path=<library>]";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
/** RFC 7512 pk11-pchar / pk11-qchar besides unreserved and pct-encoded (`;`, `?`, `&`, `/` and `%` are structure). */
const PATH_CHARS = /^[A-Za-z0-9\-._~:[\]@!$'()*+,=&%]*$/;
const QUERY_CHARS = /^[A-Za-z0-9\-._~:[\]@!$'()*+,=/?|%]*$/;
export const MAX_URI_CHARS = 4096;

function percentDecode(raw: string): Buffer | undefined {
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
        const c = raw[i];
        if (c === "%") {
            const h = raw.slice(i + 1, i + 3);
            if (!/^[0-9A-Fa-f]{2}$/.test(h)) return undefined;
            out.push(parseInt(h, 16));
            i += 2;
        } else out.push(...Buffer.from(c, "utf8"));
    }
    return Buffer.from(out);
}

function text(b: Buffer): string | undefined {
    const s = b.toString("utf8");
    return Buffer.from(s, "utf8").equals(b) && !s.includes("\0") ? s : undefined;
}

/**
 * Parses a PKCS#11 URI. Returns the URI and every problem found (all of them, not the first). `allowPinValue`: accept
 * `pin-value` (the CLI and tests); specs refuse it, as the descriptor is kept in state.
 */
export function parsePkcs11Uri(value: string, options: { allowPinValue?: boolean } = {}): { uri?: Pkcs11Uri; issues: UriIssue[] } {
    const issues: UriIssue[] = [];
    const add = (attribute: string, message: string, allowed?: string, got?: string) => issues.push({ attribute, message, ...(allowed ? { allowed } : {}), ...(got !== undefined ? { got } : {}) });
    if (value.length > MAX_URI_CHARS) return { issues: [{ attribute: "", message: `is longer than ${MAX_URI_CHARS} characters`, allowed: SHAPE }] };
    if (!/^pkcs11:/i.test(value)) return { issues: [{ attribute: "", message: 'is not a PKCS#11 URI (RFC 7512): it must start with "pkcs11:"', allowed: SHAPE, got: value.slice(0, 40) }] };
    const body = value.slice("pkcs11:".length);
    const q = body.indexOf("?");
    const pathPart = q < 0 ? body : body.slice(0, q);
    const queryPart = q < 0 ? undefined : body.slice(q + 1);
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();

    const each = (part: string, sep: string, kind: "path" | "query") => {
        const known = (kind === "path" ? PATH_ATTRIBUTES : QUERY_ATTRIBUTES) as readonly string[];
        for (const attr of part.split(sep)) {
            if (attr === "") continue;
            const eq = attr.indexOf("=");
            const name = (eq < 0 ? attr : attr.slice(0, eq)).toLowerCase();
            const raw = eq < 0 ? undefined : attr.slice(eq + 1);
            const secret = name === "pin-value";
            if (!known.includes(name)) {
                const other = (kind === "path" ? QUERY_ATTRIBUTES : PATH_ATTRIBUTES) as readonly string[];
                const where = other.includes(name) ? ` (it belongs in the ${kind === "path" ? "query, after ?" : "path, before ?"})` : "";
                add(name, `is not a ${kind} attribute keyfabric reads${where}`, known.join(", "));
                continue;
            }
            if (raw === undefined) {
                add(name, "has no value", `${name}=<value>`);
                continue;
            }
            if (seen.has(name)) {
                add(name, "appears more than once (RFC 7512: each attribute at most once)");
                continue;
            }
            seen.add(name);
            if (!(kind === "path" ? PATH_CHARS : QUERY_CHARS).test(raw)) {
                add(name, `holds characters that must be percent-encoded in a PKCS#11 URI (RFC 7512), such as space, ${kind === "path" ? "/ " : ""}" # < > \\ ^ \` { } and non-ASCII`, "e.g. %20 for a space, %2F for /", secret ? undefined : raw);
                continue;
            }
            const bytes = percentDecode(raw);
            if (!bytes) {
                add(name, "has a % not followed by two hex digits", "%xx percent-encoding", secret ? undefined : raw);
                continue;
            }
            if (name === "id") {
                if (bytes.length === 0) add("id", "is empty", "the key's CKA_ID as percent-encoded bytes, e.g. %01%02");
                else out.id = bytes;
                continue;
            }
            const s = text(bytes);
            if (s === undefined) {
                add(name, "is not UTF-8 text (or holds a NUL character)", undefined, secret ? undefined : raw);
                continue;
            }
            if (s === "") {
                add(name, "is empty");
                continue;
            }
            out[name] = s;
        }
    };
    each(pathPart, ";", "path");
    if (queryPart !== undefined) each(queryPart, "&", "query");

    const uri: { -readonly [K in keyof Pkcs11Uri]: Pkcs11Uri[K] } = {};
    for (const k of ["token", "serial", "manufacturer", "model", "object"] as const) if (typeof out[k] === "string") uri[k] = out[k] as string;
    if (out.id) uri.id = out.id as Buffer;
    if (typeof out["slot-id"] === "string") {
        const s = out["slot-id"] as string;
        if (/^\d{1,10}$/.test(s) && Number(s) <= 0xffffffff) uri.slotId = Number(s);
        else add("slot-id", "is not a slot number", "a decimal number (CK_SLOT_ID)", s);
    }
    if (typeof out.type === "string") {
        if ((OBJECT_TYPES as readonly string[]).includes(out.type as string)) uri.type = out.type as ObjectType;
        else add("type", `is not a type of key material${out.type === "public" || out.type === "cert" ? " (a public key or certificate holds no private material to import)" : ""}`, OBJECT_TYPES.join(", "), out.type as string);
    }
    if (typeof out["module-path"] === "string") {
        const p = out["module-path"] as string;
        if (!p.startsWith("/")) add("module-path", "is not an absolute path", "the absolute path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so", p);
        else uri.modulePath = p;
    }
    if (typeof out["module-name"] === "string") {
        const n = out["module-name"] as string;
        if (!/^[A-Za-z0-9._+-]+$/.test(n)) add("module-name", "is not a library name", "a file name without directory, e.g. softhsm2 or libsofthsm2.so", n);
        else uri.moduleName = n;
    }
    if (uri.modulePath && uri.moduleName) add("module-name", "is given with module-path: give one");
    if (typeof out["pin-source"] === "string") {
        const ps = out["pin-source"] as string;
        if (ps.startsWith("env:")) {
            const name = ps.slice(4);
            if (ENV_NAME.test(name)) uri.pinSource = { env: name };
            else add("pin-source", "is not an environment variable name after env:", "letters, digits and _, not starting with a digit", name);
        } else if (ps.startsWith("file:")) {
            // file:/p, file:///p (RFC 8089), or a relative file:p as p11-kit takes it.
            const p = ps.startsWith("file://") ? ps.slice("file://".length) : ps.slice("file:".length);
            if (p === "" || (ps.startsWith("file://") && !p.startsWith("/"))) add("pin-source", "has no file path after file:", "file:<path> or file:///<absolute path>", ps);
            else uri.pinSource = { file: p };
        } else {
            add("pin-source", `is not a PIN source keyfabric reads${ps.startsWith("|") ? " (a command is not run for a PIN)" : ""}`, "env:<NAME> or file:<path>", ps);
        }
    }
    if (seen.has("pin-value")) {
        if (!options.allowPinValue) add("pin-value", "is refused here: a PIN in the descriptor would be kept in state and logs", "pin-source=env:<NAME> or pin-source=file:<path> (pin-value is for the CLI and tests)");
        else if (typeof out["pin-value"] === "string") uri.pinValue = out["pin-value"] as string;
        if (uri.pinSource) add("pin-value", "is given with pin-source: give one");
    }
    const fieldIssues = new Set(issues.map((i) => i.attribute));
    if (uri.object === undefined && uri.id === undefined && !fieldIssues.has("object") && !fieldIssues.has("id")) add("object", "is missing: name the key by object (its CKA_LABEL) or id (its CKA_ID)", SHAPE);
    if (uri.token === undefined && uri.serial === undefined && uri.slotId === undefined && !fieldIssues.has("token") && !fieldIssues.has("serial") && !fieldIssues.has("slot-id")) {
        add("token", "is missing: name the token by token (its label), serial or slot-id", SHAPE);
    }
    if (!uri.pinSource && uri.pinValue === undefined && !fieldIssues.has("pin-source") && !fieldIssues.has("pin-value")) {
        add("pin-source", "is missing: the token's user PIN is needed to use its keys", "pin-source=env:<NAME> or pin-source=file:<path>");
    }
    return issues.length ? { issues } : { uri, issues };
}

/** The URI for messages: what names the key and token, without the PIN (`pin-value` is never shown). */
export function describePkcs11(value: string): string {
    const { uri } = parsePkcs11Uri(value, { allowPinValue: true });
    if (!uri) return "PKCS#11 URI";
    const token = uri.token !== undefined ? `token "${uri.token}"` : uri.serial !== undefined ? `token with serial ${uri.serial}` : `slot ${uri.slotId}`;
    const key = uri.object !== undefined ? `object "${uri.object}"` : `id ${uri.id!.toString("hex")}`;
    return `PKCS#11 ${key}${uri.type ? ` (${uri.type})` : ""} in ${token}`;
}
