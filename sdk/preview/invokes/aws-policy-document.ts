/**
 * `aws:iam/getPolicyDocument:getPolicyDocument`, computed as terraform-provider-aws computes `aws_iam_policy_document`
 * (an SDKv2 data source, no AWS call):
 *
 * - internal/service/iam/policy_document_data_source.go (`dataSourcePolicyDocumentRead`): source documents merged
 *   first (duplicate Sids across them are an error), then this document's statements (duplicate non-empty Sids are an
 *   error), then override documents, each merge replacing a statement of the same Sid in place; `&{` becomes `${` in
 *   resources, principals' identifiers and condition values (an error in version 2008-10-17); `json` is
 *   `json.MarshalIndent(doc, "", "  ")`, `minified_json` is `json.Marshal(doc)`, the id `create.StringHashcode(json)`.
 * - internal/service/iam/policy_model.go: the document model, its merging and (un)marshalling (aws-policy-model.ts).
 * - terraform-plugin-sdk/v2 helper/schema: `actions`, `resources`, `principals`, `identifiers`, `condition`... are
 *   `TypeSet`s, so the provider sees them deduplicated and in `Set.List()` order (hash-code order, see go-compat.ts);
 *   empty strings in the top-level `source_policy_documents`/`override_policy_documents` lists read back as nil and
 *   are skipped.
 *
 * Test vectors: internal/service/iam/policy_document_data_source_test.go (test/preview/invokes-aws-policy.test.ts).
 */
import { goMarshal, goMarshalIndent, goSort, goSortReverse, hashcode, isPlainObject, serializeStringList, serializeStringSet, setList, stringSetMember } from "./go-compat";
import { Identifiers, PolicyDoc, Principal, Statement, marshalDoc, merge, readDocument } from "./aws-policy-model";
import { fail, str, strings } from "./types";

export const POLICY_DOCUMENT_TOKEN = "aws:iam/getPolicyDocument:getPolicyDocument";

// ---- config (the invoke's inputs) -----------------------------------------------------------------------------


/** A `TypeSet` of strings as `Set.List()` gives it. */
const stringSet = (values: string[]): string[] => setList(values, stringSetMember);

/** `policyDecodeConfigStringList`: the single element as a string, more reverse-sorted. */
function decodeConfigStringList(values: string[]): Identifiers {
    return values.length === 1 ? values[0] : goSortReverse([...values]);
}

/** `dataSourcePolicyDocumentReplaceVarsInList`. */
function replaceVars<T extends Identifiers>(v: T, version: string): T {
    const one = (s: string): string => {
        if (version === "2008-10-17" && s.includes("&{")) fail(`found &{ sequence in (${s}), which is not supported in document version 2008-10-17`);
        return s.split("&{").join("${");
    };
    return (typeof v === "string" ? one(v) : v.map(one)) as T;
}

interface ConfigPrincipal {
    type: string;
    identifiers: string[]; // in Set.List() order
}

function configPrincipals(v: unknown, what: string): ConfigPrincipal[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail(`${what}: expected a list`);
    const items = v.map((p, i): ConfigPrincipal => {
        if (!isPlainObject(p)) return fail(`${what}[${i}]: expected an object`);
        if (p.type === undefined || p.type === null) fail(`${what}[${i}]: Missing required argument: type`);
        if (p.identifiers === undefined || p.identifiers === null) fail(`${what}[${i}]: Missing required argument: identifiers`);
        return { type: str(p.type, `${what}[${i}].type`), identifiers: stringSet(strings(p.identifiers, `${what}[${i}].identifiers`)) };
    });
    // Elem resource {identifiers, type}: SerializeResourceForHash writes the fields in sorted order.
    return setList(items, (p) => `identifiers:${serializeStringSet(p.identifiers)}type:${p.type};`);
}

interface ConfigCondition {
    test: string;
    variable: string;
    values: string[];
}

function configConditions(v: unknown, what: string): ConfigCondition[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail(`${what}: expected a list`);
    const items = v.map((c, i): ConfigCondition => {
        if (!isPlainObject(c)) return fail(`${what}[${i}]: expected an object`);
        for (const k of ["test", "variable", "values"]) if (c[k] === undefined || c[k] === null) fail(`${what}[${i}]: Missing required argument: ${k}`);
        return { test: str(c.test, `${what}[${i}].test`), variable: str(c.variable, `${what}[${i}].variable`), values: strings(c.values, `${what}[${i}].values`) };
    });
    return setList(items, (c) => `test:${c.test};values:${serializeStringList(c.values)}variable:${c.variable};`);
}

interface ConfigStatement {
    sid: string;
    effect: string;
    actions: string[];
    notActions: string[];
    resources: string[];
    notResources: string[];
    principals: ConfigPrincipal[];
    notPrincipals: ConfigPrincipal[];
    conditions: ConfigCondition[];
}

function configStatement(s: unknown, i: number): ConfigStatement {
    const what = `statements[${i}]`;
    if (!isPlainObject(s)) return fail(`${what}: expected an object`);
    const sid = s.sid === undefined || s.sid === null ? "" : str(s.sid, `${what}.sid`);
    if (!/^[a-zA-Z0-9]*$/.test(sid)) fail(`invalid value for ${what}.sid (must only include alphanumeric characters)`);
    const effect = s.effect === undefined || s.effect === null ? "Allow" : str(s.effect, `${what}.effect`);
    if (effect !== "Allow" && effect !== "Deny") fail(`expected ${what}.effect to be one of ["Allow" "Deny"], got ${effect}`);
    return {
        sid,
        effect,
        actions: stringSet(strings(s.actions, `${what}.actions`)),
        notActions: stringSet(strings(s.notActions, `${what}.notActions`)),
        resources: stringSet(strings(s.resources, `${what}.resources`)),
        notResources: stringSet(strings(s.notResources, `${what}.notResources`)),
        principals: configPrincipals(s.principals, `${what}.principals`),
        notPrincipals: configPrincipals(s.notPrincipals, `${what}.notPrincipals`),
        conditions: configConditions(s.conditions, `${what}.conditions`),
    };
}

function toStatement(c: ConfigStatement, version: string): Statement {
    const stmt: Statement = { sid: c.sid, effect: c.effect };
    if (c.actions.length) stmt.actions = decodeConfigStringList(c.actions);
    if (c.notActions.length) stmt.notActions = decodeConfigStringList(c.notActions);
    if (c.resources.length) stmt.resources = replaceVars(decodeConfigStringList(c.resources), version);
    if (c.notResources.length) stmt.notResources = replaceVars(decodeConfigStringList(c.notResources), version);
    const principals = (ps: ConfigPrincipal[]): Principal[] => ps.map((p) => ({ type: p.type, identifiers: replaceVars(decodeConfigStringList(p.identifiers), version) }));
    if (c.principals.length) stmt.principals = principals(c.principals);
    if (c.notPrincipals.length) stmt.notPrincipals = principals(c.notPrincipals);
    if (c.conditions.length)
        stmt.conditions = c.conditions.map((x) => {
            const values = replaceVars([...x.values], version);
            return { test: x.test, variable: x.variable, values: values.length === 1 ? values[0] : values };
        });
    return stmt;
}

// ---- the data source ------------------------------------------------------------------------------------------

/** Go's `json.Unmarshal` syntax error text: exact at the end of input, else its leading "invalid character 'x'". */
function goJsonSyntaxError(s: string, jsMessage: string): string {
    const m = /position (\d+)/.exec(jsMessage);
    const at = m ? Number(m[1]) : /end of (JSON )?input/i.test(jsMessage) ? s.length : -1;
    if (at >= s.trimEnd().length) return "unexpected end of JSON input";
    return at >= 0 ? `invalid character ${JSON.stringify(s[at]).replace(/^"|"$/g, "'")}` : jsMessage;
}

function documentList(v: unknown, what: string): Array<string | null> {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail(`${what}: expected a list of strings`);
    return v.map((x, i) => {
        if (x === null || x === undefined || x === "") return null; // read back as nil: skipped
        const s = str(x, `${what}[${i}]`);
        try {
            JSON.parse(s);
        } catch (e) {
            fail(`"${what}.${i}" contains an invalid JSON: ${goJsonSyntaxError(s, String((e as Error).message))}`);
        }
        return s;
    });
}

/** The statements as the data source's state echoes them (string sets in cty order: sorted). */
function echoStatement(c: ConfigStatement): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const sorted = (l: string[]) => goSort([...l]);
    if (c.actions.length) out.actions = sorted(c.actions);
    if (c.conditions.length) out.conditions = c.conditions.map((x) => ({ test: x.test, values: [...x.values], variable: x.variable }));
    out.effect = c.effect;
    if (c.notActions.length) out.notActions = sorted(c.notActions);
    const ps = (l: ConfigPrincipal[]) => l.map((p) => ({ identifiers: sorted(p.identifiers), type: p.type }));
    if (c.notPrincipals.length) out.notPrincipals = ps(c.notPrincipals);
    if (c.notResources.length) out.notResources = sorted(c.notResources);
    if (c.principals.length) out.principals = ps(c.principals);
    if (c.resources.length) out.resources = sorted(c.resources);
    if (c.sid !== "") out.sid = c.sid;
    return out;
}

export function policyDocument(inputs: Record<string, unknown>): Record<string, unknown> {
    const version = inputs.version === undefined || inputs.version === null ? "2012-10-17" : str(inputs.version, "version");
    if (version !== "2008-10-17" && version !== "2012-10-17") fail(`expected version to be one of ["2008-10-17" "2012-10-17"], got ${version}`);
    for (const k of ["sourceJson", "overrideJson"])
        if (inputs[k] !== undefined && inputs[k] !== null && inputs[k] !== "") fail(`expected "${k === "sourceJson" ? "source_json" : "override_json"}" to be an empty string: got ${String(inputs[k])}`);
    const sources = documentList(inputs.sourcePolicyDocuments, "source_policy_documents");
    const overrides = documentList(inputs.overridePolicyDocuments, "override_policy_documents");
    const configStatements = inputs.statements === undefined || inputs.statements === null ? [] : Array.isArray(inputs.statements) ? inputs.statements.map(configStatement) : fail("statements: expected a list");

    const merged: PolicyDoc = { version: "", id: "", statements: [] };
    const sourceSids = new Set<string>();
    sources.forEach((json, index) => {
        if (json === null) return;
        let doc: PolicyDoc;
        try {
            doc = readDocument(json);
        } catch (e) {
            return fail(`writing IAM Policy Document: merging source document ${index}: ${(e as Error).message}`);
        }
        doc.statements.forEach((stmt, stmtIndex) => {
            if (stmt.sid === "") return;
            if (sourceSids.has(stmt.sid))
                fail(`writing IAM Policy Document: merging source document ${index}: duplicate Sid (${stmt.sid}) in source_policy_documents (statement ${stmtIndex}). Remove the Sid or ensure Sids are unique.`);
            sourceSids.add(stmt.sid);
        });
        merge(merged, doc);
    });

    const doc: PolicyDoc = { version, id: inputs.policyId === undefined || inputs.policyId === null ? "" : str(inputs.policyId, "policyId"), statements: [] };
    const sids = new Set<string>();
    for (const c of configStatements) {
        if (sids.has(c.sid)) fail(`writing IAM Policy Document: duplicate Sid (${c.sid}). Remove the Sid or ensure the Sid is unique.`);
        if (c.sid.length > 0) sids.add(c.sid);
        doc.statements.push(toStatement(c, version));
    }
    merge(merged, doc);

    overrides.forEach((json, index) => {
        if (json === null) return;
        try {
            merge(merged, readDocument(json));
        } catch (e) {
            fail(`writing IAM Policy Document: merging override document ${index}: ${(e as Error).message}`);
        }
    });

    const json = goMarshalIndent(marshalDoc(merged));
    const result: Record<string, unknown> = { id: String(hashcode(json)), json, minifiedJson: goMarshal(marshalDoc(merged)) };
    if (inputs.overrideJson !== undefined && inputs.overrideJson !== null) result.overrideJson = inputs.overrideJson;
    if (inputs.overridePolicyDocuments !== undefined && inputs.overridePolicyDocuments !== null) result.overridePolicyDocuments = inputs.overridePolicyDocuments;
    if (inputs.policyId !== undefined && inputs.policyId !== null) result.policyId = inputs.policyId;
    if (inputs.sourceJson !== undefined && inputs.sourceJson !== null) result.sourceJson = inputs.sourceJson;
    if (inputs.sourcePolicyDocuments !== undefined && inputs.sourcePolicyDocuments !== null) result.sourcePolicyDocuments = inputs.sourcePolicyDocuments;
    if (configStatements.length) result.statements = configStatements.map(echoStatement);
    result.version = version;
    return result;
}
