/**
 * `gcp:organizations/getIAMPolicy:getIAMPolicy`, computed as terraform-provider-google computes `google_iam_policy`
 * (an SDKv2 data source, no Google call): google/services/resourcemanager/data_source_google_iam_policy.go
 * (generated from magic-modules mmv1/third_party/terraform/services/resourcemanager/data_source_google_iam_policy.go).
 *
 * - `binding` is a `TypeSet` (identical blocks collapse); blocks with the same role and condition are merged, their
 *   member lists concatenated (duplicates across blocks are kept); bindings are sorted by role, then unconditioned
 *   first, then condition expression, title, description (`iamPolicyBindingsLessFunction`); members with
 *   `sort.Strings`. A member starting `deleted:` is rejected.
 * - `audit_config` and its `audit_log_configs` are `TypeSet`s: `Set.List()` (hash-code) order, and so are each log
 *   config's `exempted_members` (`tpgresource.ConvertStringArr(set.List())`, not sorted).
 * - `policy_data` is `json.Marshal(&cloudresourcemanager.Policy{...})` (google.golang.org/api/cloudresourcemanager/v1:
 *   generated structs with fields in alphabetical order, all `omitempty`; a condition's `expression` and `title` are
 *   force-sent by `tpgiamresource.ExpandIamCondition`); the id is `tpgresource.Hashcode(policy_data)`.
 */
import { GoValue, Ordered, goCompare, goMarshal, goSort, hashcode, isPlainObject, serializeStringSet, setList, stringSetMember } from "./go-compat";
import { fail, str, strings } from "./types";

export const IAM_POLICY_TOKEN = "gcp:organizations/getIAMPolicy:getIAMPolicy";


function required(o: Record<string, unknown>, key: string, what: string): unknown {
    if (o[key] === undefined || o[key] === null) fail(`${what}: Missing required argument: ${key}`);
    return o[key];
}

interface Condition {
    description: string;
    expression: string;
    title: string;
}
interface Binding {
    role: string;
    members: string[]; // Set.List() order (schema.HashString)
    condition?: Condition;
}

function configBindings(v: unknown): Binding[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail("bindings: expected a list");
    const items = v.map((b, i): Binding => {
        const what = `bindings[${i}]`;
        if (!isPlainObject(b)) return fail(`${what}: expected an object`);
        const role = str(required(b, "role", what), `${what}.role`);
        const members = strings(required(b, "members", what), `${what}.members`);
        for (const m of members) if (/^deleted:/.test(m)) fail(`invalid value for ${what}.members (Terraform does not support IAM policies for deleted principals)`);
        const binding: Binding = { role, members: setList(members, (m) => m) };
        if (b.condition !== undefined && b.condition !== null) {
            const c = b.condition;
            if (!isPlainObject(c)) return fail(`${what}.condition: expected an object`);
            binding.condition = {
                description: c.description === undefined || c.description === null ? "" : str(c.description, `${what}.condition.description`),
                expression: str(required(c, "expression", `${what}.condition`), `${what}.condition.expression`),
                title: str(required(c, "title", `${what}.condition`), `${what}.condition.title`),
            };
        }
        return binding;
    });
    // Elem resource {condition (list of {description, expression, title}), members (set, HashString), role}.
    return setList(items, (b) => {
        const cond = b.condition ? `<description:${b.condition.description};expression:${b.condition.expression};title:${b.condition.title};>;` : "";
        return `condition:(${cond});members:${serializeStringSet(b.members)}role:${b.role};`;
    });
}

interface AuditLogConfig {
    logType: string;
    exemptedMembers: string[]; // Set.List() order
}
interface AuditConfig {
    service: string;
    auditLogConfigs: AuditLogConfig[]; // Set.List() order
}

const serializeLogConfig = (l: AuditLogConfig): string => `exempted_members:${serializeStringSet(l.exemptedMembers)}log_type:${l.logType};`;

function configAuditConfigs(v: unknown): AuditConfig[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail("auditConfigs: expected a list");
    const items = v.map((a, i): AuditConfig => {
        const what = `auditConfigs[${i}]`;
        if (!isPlainObject(a)) return fail(`${what}: expected an object`);
        const service = str(required(a, "service", what), `${what}.service`);
        const logs = required(a, "auditLogConfigs", what);
        if (!Array.isArray(logs)) return fail(`${what}.auditLogConfigs: expected a list`);
        const auditLogConfigs = logs.map((l, j): AuditLogConfig => {
            const w = `${what}.auditLogConfigs[${j}]`;
            if (!isPlainObject(l)) return fail(`${w}: expected an object`);
            return { logType: str(required(l, "logType", w), `${w}.logType`), exemptedMembers: setList(strings(l.exemptedMembers, `${w}.exemptedMembers`), stringSetMember) };
        });
        return { service, auditLogConfigs: setList(auditLogConfigs, serializeLogConfig) };
    });
    return setList(items, (a) => `audit_log_configs:{${a.auditLogConfigs.map((l) => `<${serializeLogConfig(l)}>;`).join("")}};service:${a.service};`);
}

/** `iamPolicyBindingsLessFunction` as a comparator (Go's `<` on strings). */
function compareBindings(a: Binding, b: Binding): number {
    if (a.role !== b.role) return goCompare(a.role, b.role);
    if (!a.condition || !b.condition) return a.condition ? 1 : b.condition ? -1 : 0;
    const x = a.condition;
    const y = b.condition;
    if (x.expression !== y.expression) return goCompare(x.expression, y.expression);
    if (x.title !== y.title) return goCompare(x.title, y.title);
    return goCompare(x.description, y.description);
}

function marshalPolicy(bindings: Binding[], audits: AuditConfig[]): Ordered {
    const policy: Array<[string, GoValue]> = [];
    if (audits.length)
        policy.push([
            "auditConfigs",
            audits.map((a) => {
                const e: Array<[string, GoValue]> = [];
                if (a.auditLogConfigs.length)
                    e.push([
                        "auditLogConfigs",
                        a.auditLogConfigs.map((l) => {
                            const le: Array<[string, GoValue]> = [];
                            if (l.exemptedMembers.length) le.push(["exemptedMembers", l.exemptedMembers]);
                            if (l.logType !== "") le.push(["logType", l.logType]);
                            return new Ordered(le);
                        }),
                    ]);
                if (a.service !== "") e.push(["service", a.service]);
                return new Ordered(e);
            }),
        ]);
    if (bindings.length)
        policy.push([
            "bindings",
            bindings.map((b) => {
                const e: Array<[string, GoValue]> = [];
                if (b.condition) {
                    // ForceSendFields: Expression, Title.
                    const c: Array<[string, GoValue]> = [];
                    if (b.condition.description !== "") c.push(["description", b.condition.description]);
                    c.push(["expression", b.condition.expression], ["title", b.condition.title]);
                    e.push(["condition", new Ordered(c)]);
                }
                if (b.members.length) e.push(["members", b.members]);
                if (b.role !== "") e.push(["role", b.role]);
                return new Ordered(e);
            }),
        ]);
    return new Ordered(policy);
}

export function iamPolicy(inputs: Record<string, unknown>): Record<string, unknown> {
    const configured = configBindings(inputs.bindings);
    const audits = configAuditConfigs(inputs.auditConfigs);

    const byKey = new Map<string, Binding>();
    for (const b of configured) {
        const key = b.condition ? `${b.role}-[${b.condition.expression}]-[${b.condition.title}]-[${b.condition.description}]-[]` : b.role;
        const have = byKey.get(key);
        if (have) have.members = [...have.members, ...goSort([...b.members])];
        else byKey.set(key, { role: b.role, members: goSort([...b.members]), condition: b.condition });
    }
    const bindings = [...byKey.values()].sort(compareBindings);
    for (const b of bindings) goSort(b.members);

    const policyData = goMarshal(marshalPolicy(bindings, audits));
    const result: Record<string, unknown> = { id: String(hashcode(policyData)), policyData };
    if (audits.length)
        result.auditConfigs = audits.map((a) => ({
            auditLogConfigs: a.auditLogConfigs.map((l) => ({ ...(l.exemptedMembers.length ? { exemptedMembers: goSort([...l.exemptedMembers]) } : {}), logType: l.logType })),
            service: a.service,
        }));
    if (configured.length) result.bindings = configured.map((b) => ({ ...(b.condition ? { condition: { ...b.condition } } : {}), members: goSort([...b.members]), role: b.role }));
    return result;
}
