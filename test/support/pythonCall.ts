/**
 * Reads the arguments of a component's constructor call in a Python program written against the SDK that
 * `pulumi package add` generates (`keyfabric.KeyHierarchy("keys", name="shop", clouds=keyfabric.CloudsArgs(...))`), and
 * turns them into the inputs that SDK sends: keyword names camelCased as the schema's property names (each checked
 * against the schema, so nothing is invented), `<Type>Args(...)` as objects of schema type `<Type>`, enum members
 * (`keyfabric.Purpose.ENCRYPT`) as their values. Literals: strings, numbers, True/False, lists; comments skipped.
 */
type Schema = { types: Record<string, { properties?: Record<string, unknown>; enum?: { name: string; value: unknown }[] }>; resources: Record<string, { inputProperties: Record<string, unknown> }> };

const TOKEN = /\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_.]*|[()[\],=]/gy;

function tokenize(source: string): string[] {
    const tokens: string[] = [];
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < source.length) {
        const at = TOKEN.lastIndex;
        const m = TOKEN.exec(source);
        if (!m) throw new Error(`cannot read the Python program at ${JSON.stringify(source.slice(at, at + 20))}`);
        if (!/^\s|^#/.test(m[0])) tokens.push(m[0]);
    }
    return tokens;
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** The Python SDK's enum member names: the schema member name in UPPER_SNAKE_CASE. */
const pythonEnumName = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

export interface PythonCall {
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/** The resource name and inputs of the first `<module>.<Component>(...)` call in `source`. */
export function readComponentCall(source: string, module: string, component: string, schema: Schema, pkg = "keyfabric"): PythonCall {
    const start = source.indexOf(`${module}.${component}(`);
    if (start < 0) throw new Error(`no ${module}.${component}( call in the program`);
    const tokens = tokenize(source.slice(start));
    let i = 0;
    const expect = (t: string) => {
        if (tokens[i] !== t) throw new Error(`expected ${t} at token ${i}, got ${tokens[i]}`);
        i++;
    };
    const value = (): unknown => {
        const t = tokens[i++];
        if (t.startsWith('"') || t.startsWith("'")) return JSON.parse(t.startsWith("'") ? `"${t.slice(1, -1).replace(/"/g, '\\"')}"` : t);
        if (/^-?\d/.test(t)) return Number(t);
        if (t === "True" || t === "False") return t === "True";
        if (t === "[") {
            const items: unknown[] = [];
            while (tokens[i] !== "]") {
                items.push(value());
                if (tokens[i] === ",") i++;
            }
            i++;
            return items;
        }
        const parts = t.split(".");
        if (parts[0] !== module) throw new Error(`unexpected ${t}`);
        if (tokens[i] === "(") {
            const typeName = parts[1].replace(/Args$/, "");
            const type = schema.types[`${pkg}:index:${typeName}`];
            if (!type?.properties || parts[1] === typeName) throw new Error(`${t} is not an input type of the schema`);
            return kwargs(type.properties, t);
        }
        const type = schema.types[`${pkg}:index:${parts[1]}`];
        const member = type?.enum?.find((e) => pythonEnumName(e.name) === parts[2]);
        if (!member) throw new Error(`${t} is not an enum member of the schema`);
        return member.value;
    };
    const kwargs = (properties: Record<string, unknown>, what: string): Record<string, unknown> => {
        expect("(");
        const out: Record<string, unknown> = {};
        while (tokens[i] !== ")") {
            const key = camel(tokens[i++]);
            if (!(key in properties)) throw new Error(`${what}: ${key} is not a property of its schema type`);
            expect("=");
            out[key] = value();
            if (tokens[i] === ",") i++;
        }
        i++;
        return out;
    };
    i++; // module.Component
    expect("(");
    const name = value() as string;
    expect(",");
    i--;
    tokens[i] = "(";
    const resource = schema.resources[`${pkg}:index:${component}`];
    return { name, inputs: kwargs(resource.inputProperties, component) };
}
