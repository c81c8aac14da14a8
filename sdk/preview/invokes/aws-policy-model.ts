/**
 * terraform-provider-aws internal/service/iam/policy_model.go: the policy document structs (`Sid`, `Effect`,
 * `Statement` omitted when empty; `Action`/`Resource`/... are `interface{}`), `IAMPolicyDoc.Merge`,
 * `IAMPolicyStatementPrincipalSet.MarshalJSON` (a lone `{"*": "*"}` principal becomes `"*"`; one key per type,
 * identifiers reverse-sorted and appended in set order when a type repeats) and `IAMPolicyStatementConditionSet`
 * (values of the same test and variable appended, single values flattened), and both types' `UnmarshalJSON`, which
 * is how `source_policy_documents`/`override_policy_documents` are read back (through Go's `json.Unmarshal`:
 * case-insensitive keys, type errors).
 */
import { GoValue, Ordered, goSort, goSortReverse, goTypeName, isPlainObject, jsonKind } from "./go-compat";
import { fail } from "./types";

export type Identifiers = string | string[];
export interface Principal {
    type: string;
    identifiers: Identifiers;
}
export interface Condition {
    test: string;
    variable: string;
    values: string | string[];
}
export interface Statement {
    sid: string;
    effect: string;
    actions?: GoValue;
    notActions?: GoValue;
    resources?: GoValue;
    notResources?: GoValue;
    principals?: Principal[];
    notPrincipals?: Principal[];
    conditions?: Condition[];
}
export interface PolicyDoc {
    version: string;
    id: string;
    statements: Statement[];
}
export { fail };

// ---- documents read back (source_policy_documents / override_policy_documents) ---------------------------------

/** Go's `json.Unmarshal` matches object keys to struct fields exactly or, failing that, case-insensitively. */
function fieldOf(key: string, fields: readonly string[]): string | undefined {
    return fields.find((f) => f === key) ?? fields.find((f) => f.toLowerCase() === key.toLowerCase());
}

function typeError(v: unknown, field: string, goType: string): never {
    return fail(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${field} of type ${goType}`);
}

/** `IAMPolicyStatementPrincipalSet.UnmarshalJSON`. */
function readPrincipals(v: unknown): Principal[] {
    if (typeof v === "string") return [{ type: "*", identifiers: ["*"] }];
    if (!isPlainObject(v)) return fail(`Unsupported data type ${goTypeName(v)} for IAMPolicyStatementPrincipalSet`);
    return Object.entries(v).map(([type, value]): Principal => {
        if (typeof value === "string") return { type, identifiers: value };
        if (!Array.isArray(value)) return fail(`Unsupported data type ${goTypeName(value)} for IAMPolicyStatementPrincipalSet.Identifiers`);
        const ids = value.map((x, i) => (typeof x === "string" ? x : fail(`Unsupported element type ${goTypeName(x)} for IAMPolicyStatementPrincipalSet.Identifiers[${i}] (principal type "${type}"): must be string`)));
        return { type, identifiers: goSort(ids) };
    });
}

/** `IAMPolicyStatementConditionSet.UnmarshalJSON` (numbers and nulls are dropped, as the provider drops them). */
function readConditions(v: unknown): Condition[] {
    if (v === null) return [];
    if (!isPlainObject(v)) return fail(`json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]map[string]interface {}`);
    const out: Condition[] = [];
    for (const [test, byVariable] of Object.entries(v)) {
        if (byVariable === null) continue;
        if (!isPlainObject(byVariable)) return fail(`json: cannot unmarshal ${jsonKind(byVariable)} into Go value of type map[string]interface {}`);
        for (const [variable, values] of Object.entries(byVariable)) {
            if (typeof values === "string") out.push({ test, variable, values: [values] });
            else if (typeof values === "boolean") out.push({ test, variable, values: String(values) });
            else if (Array.isArray(values))
                out.push({ test, variable, values: values.map((x) => (typeof x === "string" ? x : fail(`Unsupported condition value type ${goTypeName(x)} in ${test}.${variable}: must be string`))) });
        }
    }
    return out;
}

const STATEMENT_FIELDS = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"] as const;

function readStatement(v: unknown): Statement {
    if (v === null) return fail("writing IAM Policy Document: a null statement cannot be merged");
    if (!isPlainObject(v)) return typeError(v, "IAMPolicyDoc.Statement", "iam.IAMPolicyStatement");
    const stmt: Statement = { sid: "", effect: "" };
    for (const [key, value] of Object.entries(v)) {
        const field = fieldOf(key, STATEMENT_FIELDS);
        if (field === "Sid" || field === "Effect") {
            if (value === null) continue;
            if (typeof value !== "string") typeError(value, `IAMPolicyStatement.${field}`, "string");
            if (field === "Sid") stmt.sid = value as string;
            else stmt.effect = value as string;
        } else if (field === "Action") stmt.actions = value === null ? undefined : (value as GoValue);
        else if (field === "NotAction") stmt.notActions = value === null ? undefined : (value as GoValue);
        else if (field === "Resource") stmt.resources = value === null ? undefined : (value as GoValue);
        else if (field === "NotResource") stmt.notResources = value === null ? undefined : (value as GoValue);
        else if (field === "Principal") stmt.principals = readPrincipals(value);
        else if (field === "NotPrincipal") stmt.notPrincipals = readPrincipals(value);
        else if (field === "Condition") stmt.conditions = readConditions(value);
    }
    return stmt;
}

export function readDocument(json: string): PolicyDoc {
    const doc: PolicyDoc = { version: "", id: "", statements: [] };
    const v: unknown = JSON.parse(json);
    if (v === null) return doc;
    if (!isPlainObject(v)) return fail(`json: cannot unmarshal ${jsonKind(v)} into Go value of type iam.IAMPolicyDoc`);
    for (const [key, value] of Object.entries(v)) {
        const field = fieldOf(key, ["Version", "Id", "Statement"]);
        if (field === "Version" || field === "Id") {
            if (value === null) continue;
            if (typeof value !== "string") typeError(value, `IAMPolicyDoc.${field}`, "string");
            if (field === "Version") doc.version = value as string;
            else doc.id = value as string;
        } else if (field === "Statement") {
            if (value === null) doc.statements = [];
            else if (!Array.isArray(value)) typeError(value, "IAMPolicyDoc.Statement", "[]*iam.IAMPolicyStatement");
            else doc.statements = value.map(readStatement);
        }
    }
    return doc;
}

/** `IAMPolicyDoc.Merge`. */
export function merge(into: PolicyDoc, doc: PolicyDoc): void {
    if (doc.id.length > 0) into.id = doc.id;
    if (doc.version > into.version) into.version = doc.version;
    for (const stmt of doc.statements) {
        const i = stmt.sid.length === 0 ? -1 : into.statements.findIndex((s) => s.sid === stmt.sid);
        if (i >= 0) into.statements[i] = stmt;
        else into.statements.push(stmt);
    }
}

// ---- marshalling ----------------------------------------------------------------------------------------------

function marshalPrincipals(ps: Principal[]): GoValue {
    if (ps.length === 1 && ps[0].type === "*") {
        const ids = ps[0].identifiers;
        if (ids === "*" || (Array.isArray(ids) && ids.length === 1 && ids[0] === "*")) return "*";
    }
    const raw: Record<string, string | string[]> = Object.create(null);
    for (const p of ps) {
        const have = raw[p.type];
        if (Array.isArray(p.identifiers)) {
            const base = have === undefined ? [] : typeof have === "string" ? [have] : have;
            raw[p.type] = [...base, ...goSortReverse(p.identifiers)];
        } else if (have === undefined) raw[p.type] = p.identifiers;
        else raw[p.type] = typeof have === "string" ? [have, p.identifiers] : [...have, p.identifiers];
    }
    return raw;
}

function marshalConditions(cs: Condition[]): GoValue {
    const raw: Record<string, Record<string, string[] | string>> = Object.create(null);
    for (const c of cs) {
        const byVariable = (raw[c.test] ??= Object.create(null) as Record<string, string[] | string>);
        const have = (byVariable[c.variable] ?? []) as string[];
        byVariable[c.variable] = [...have, ...(typeof c.values === "string" ? [c.values] : c.values)];
    }
    for (const byVariable of Object.values(raw)) for (const [k, items] of Object.entries(byVariable)) if (items.length === 1) byVariable[k] = items[0];
    return raw;
}

function marshalStatement(s: Statement): Ordered {
    const e: Array<[string, GoValue]> = [];
    if (s.sid !== "") e.push(["Sid", s.sid]);
    if (s.effect !== "") e.push(["Effect", s.effect]);
    if (s.actions !== undefined) e.push(["Action", s.actions]);
    if (s.notActions !== undefined) e.push(["NotAction", s.notActions]);
    if (s.resources !== undefined) e.push(["Resource", s.resources]);
    if (s.notResources !== undefined) e.push(["NotResource", s.notResources]);
    if (s.principals?.length) e.push(["Principal", marshalPrincipals(s.principals)]);
    if (s.notPrincipals?.length) e.push(["NotPrincipal", marshalPrincipals(s.notPrincipals)]);
    if (s.conditions?.length) e.push(["Condition", marshalConditions(s.conditions)]);
    return new Ordered(e);
}

export function marshalDoc(d: PolicyDoc): Ordered {
    const e: Array<[string, GoValue]> = [];
    if (d.version !== "") e.push(["Version", d.version]);
    if (d.id !== "") e.push(["Id", d.id]);
    if (d.statements.length) e.push(["Statement", d.statements.map(marshalStatement)]);
    return new Ordered(e);
}
