/**
 * Helpers shared by the aws-* rules: resource type tokens, reading a property that may be unknown at preview without
 * giving up the whole rule, and a normalised view of IAM/KMS policy statements (Principal, Action, Resource, Condition
 * in every shape AWS accepts; policy as a JSON string or an object).
 */
import { UnknownValueError } from "@pulumi/policy";
import { asArray, isObject, policyDocument } from "./props";

export const AWS = {
    key: "aws:kms/key:Key",
    externalKey: "aws:kms/externalKey:ExternalKey",
    replicaKey: "aws:kms/replicaKey:ReplicaKey",
    replicaExternalKey: "aws:kms/replicaExternalKey:ReplicaExternalKey",
    keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    grant: "aws:kms/grant:Grant",
    iamPolicy: "aws:iam/policy:Policy",
    iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
    iamUserPolicy: "aws:iam/userPolicy:UserPolicy",
    iamGroupPolicy: "aws:iam/groupPolicy:GroupPolicy",
} as const;

/** The four KMS key resources (each has a key policy, a deletion window, a description, tags). */
export const KMS_KEY_TYPES: readonly string[] = [AWS.key, AWS.externalKey, AWS.replicaKey, AWS.replicaExternalKey];
/** Every resource that carries a key policy document. */
export const KEY_POLICY_TYPES: readonly string[] = [...KMS_KEY_TYPES, AWS.keyPolicy];
/** Every resource that carries an IAM identity policy document. */
export const IAM_POLICY_TYPES: readonly string[] = [AWS.iamPolicy, AWS.iamRolePolicy, AWS.iamUserPolicy, AWS.iamGroupPolicy];

export type Read = { readonly known: true; readonly value: any } | { readonly known: false };

/**
 * Reads one property; `{ known: false }` when its value is unknown at preview, instead of the proxy's throw. Only for
 * rules that have a sound answer without the value (e.g. "a policy is set, whatever it will be").
 */
export function read(props: Record<string, any>, name: string): Read {
    try {
        return { known: true, value: props[name] };
    } catch (e) {
        if (e instanceof UnknownValueError) return { known: false };
        throw e;
    }
}

/** A property is present (set to something, possibly a value unknown at preview) without reading its value. */
export function isSet(props: Record<string, any>, name: string): boolean {
    const d = Object.getOwnPropertyDescriptor(props, name);
    return d !== undefined && d.value !== undefined && d.value !== null && d.value !== "";
}

export interface Principal {
    /** "AWS", "Service", "Federated", "CanonicalUser". */
    readonly type: string;
    readonly value: string;
}

export interface Condition {
    readonly operator: string;
    readonly key: string;
    readonly values: readonly string[];
}

export interface Statement {
    /** 1-based position in the document, for messages (never the Sid: it is a property value). */
    readonly index: number;
    readonly effect: "Allow" | "Deny" | "other";
    readonly principals: readonly Principal[];
    /** `NotPrincipal` was used: the statement applies to everyone except the listed principals. */
    readonly notPrincipal: boolean;
    /** `Action` patterns, or `NotAction` patterns when `notAction`. */
    readonly actions: readonly string[];
    readonly notAction: boolean;
    /** `Resource` patterns, or `NotResource` patterns when `notResource`. */
    readonly resources: readonly string[];
    readonly notResource: boolean;
    readonly conditions: readonly Condition[];
}

const strings = (v: unknown): string[] => asArray(v).filter((x): x is string => typeof x === "string");

function principalsOf(p: unknown): Principal[] {
    if (typeof p === "string") return [{ type: "AWS", value: p }];
    if (!isObject(p)) return [];
    return Object.keys(p).flatMap((type) => strings(p[type]).map((value) => ({ type, value })));
}

function conditionsOf(c: unknown): Condition[] {
    if (!isObject(c)) return [];
    return Object.keys(c).flatMap((operator) => {
        const block = c[operator];
        if (!isObject(block)) return [];
        return Object.keys(block).map((key) => ({
            operator,
            key,
            values: asArray(block[key])
                .filter((v) => typeof v === "string" || typeof v === "boolean" || typeof v === "number")
                .map((v) => String(v)),
        }));
    });
}

/**
 * The statements of a policy given as a JSON string or an object; undefined when there is no parsable document.
 * Statements that are not objects are skipped (AWS would reject the policy).
 */
export function statementsOf(policy: unknown): Statement[] | undefined {
    const doc = policyDocument(policy);
    if (!doc) return undefined;
    const out: Statement[] = [];
    asArray(doc.Statement).forEach((s, i) => {
        if (!isObject(s)) return;
        const effect = typeof s.Effect === "string" ? s.Effect.toLowerCase() : "";
        const notPrincipal = s.NotPrincipal !== undefined;
        const notAction = s.Action === undefined && s.NotAction !== undefined;
        const notResource = s.Resource === undefined && s.NotResource !== undefined;
        out.push({
            index: i + 1,
            effect: effect === "allow" ? "Allow" : effect === "deny" ? "Deny" : "other",
            principals: principalsOf(notPrincipal ? s.NotPrincipal : s.Principal),
            notPrincipal,
            actions: strings(notAction ? s.NotAction : s.Action),
            notAction,
            resources: strings(notResource ? s.NotResource : s.Resource),
            notResource,
            conditions: conditionsOf(s.Condition),
        });
    });
    return out;
}

/** Compiled patterns: a stack repeats the same few action and principal patterns in thousands of statements. */
const PATTERNS = new Map<string, RegExp>();

/** IAM wildcard matching (`*`, `?`), case-insensitive as IAM action names are. */
export function wildcardMatch(pattern: string, value: string): boolean {
    let re = PATTERNS.get(pattern);
    if (!re) {
        const body = pattern
            .split("")
            .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
            .join("");
        re = new RegExp(`^${body}$`, "i");
        PATTERNS.set(pattern, re);
    }
    return re.test(value);
}

/** The statement's action list covers `action` (for `NotAction`: `action` is not excluded). */
export function coversAction(st: Statement, action: string): boolean {
    const hit = st.actions.some((a) => wildcardMatch(a, action));
    return st.notAction ? !hit : hit;
}

/** The statement covers every KMS action: `*`, `kms:*`, or a `NotAction` that excludes no KMS action. */
export function coversAllKmsActions(st: Statement): boolean {
    if (st.notAction) return !st.actions.some((a) => a === "*" || /^kms:/i.test(a));
    return st.actions.some((a) => a === "*" || /^kms:\*+$/i.test(a));
}

/** Applies to every principal: `"*"`, `{ AWS: "*" }` (or any principal type "*"), or `NotPrincipal`. */
export function appliesToEveryone(st: Statement): boolean {
    return st.notPrincipal || st.principals.some((p) => p.value === "*");
}

const ACCOUNT_ROOT = /^(?:\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/;

/** An account's root principal (`arn:<partition>:iam::<account>:root` or the bare account id). */
export const isAccountRoot = (p: Principal): boolean => p.type.toUpperCase() === "AWS" && ACCOUNT_ROOT.test(p.value);

/** An AWS service principal (`{ Service: "logs.amazonaws.com" }`). */
export const isServicePrincipal = (p: Principal): boolean => p.type.toLowerCase() === "service" && p.value !== "*";

/** Condition keys that pin a statement to an account or organization when compared to fixed values. */
export const DEFAULT_RESTRICTING_KEYS = [
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "kms:CallerAccount",
];

/** A fixed value: no wildcard in the account/organization part, no policy variable. */
function isFixedValue(key: string, v: string): boolean {
    if (v === "" || v.includes("${")) return false;
    if (/orgpaths$/i.test(key)) {
        const org = v.split("/")[0];
        return org !== "" && !/[*?]/.test(org);
    }
    if (v.startsWith("arn:")) {
        const account = v.split(":")[4] ?? "";
        return account !== "" && !/[*?]/.test(account);
    }
    return !/[*?]/.test(v);
}

const sameKey = (keys: readonly string[], key: string) => keys.some((k) => k.toLowerCase() === key.toLowerCase());

/**
 * An Allow statement's condition limits it to fixed accounts/organizations: a positive operator (StringEquals,
 * StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike, optionally ForAnyValue:) on one of `keys` with fixed values.
 * `...IfExists`, `ForAllValues:` and negated operators do not restrict (they are true when the key is absent).
 */
export function isRestrictingCondition(c: Condition, keys: readonly string[]): boolean {
    if (/^ForAllValues:/i.test(c.operator) || /IfExists$/i.test(c.operator)) return false;
    const op = c.operator.replace(/^ForAnyValue:/i, "");
    if (!/^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/i.test(op)) return false;
    return sameKey(keys, c.key) && c.values.length > 0 && c.values.every((v) => isFixedValue(c.key, v));
}

/**
 * A Deny statement for everyone, over all KMS actions, whose only condition is a negated comparison (StringNotEquals,
 * StringNotLike, ArnNotEquals, ArnNotLike, with or without IfExists) of one of `keys` with fixed values: everyone
 * outside those accounts/organizations is denied, which restricts every Allow statement of the document.
 */
export function isOutsiderDeny(st: Statement, keys: readonly string[]): boolean {
    if (st.effect !== "Deny" || !appliesToEveryone(st) || !coversAllKmsActions(st) || st.conditions.length !== 1) return false;
    const [c] = st.conditions;
    const op = c.operator.replace(/^ForAnyValue:/i, "").replace(/IfExists$/i, "");
    if (!/^(StringNotEquals|StringNotEqualsIgnoreCase|StringNotLike|ArnNotEquals|ArnNotLike)$/i.test(op)) return false;
    return sameKey(keys, c.key) && c.values.length > 0 && c.values.every((v) => isFixedValue(c.key, v));
}

/** The condition `Bool: { key: "true" }` (or `"false"`), the only form that is not true when the key is absent. */
export function hasBoolCondition(st: Statement, key: string, value: "true" | "false"): boolean {
    return st.conditions.some((c) => c.operator.toLowerCase() === "bool" && c.key.toLowerCase() === key.toLowerCase() && c.values.length > 0 && c.values.every((v) => v.toLowerCase() === value));
}

/** A KMS key reference that names a customer-managed key: set, and not an AWS managed key alias (`alias/aws/...`). */
export function isCustomerManagedKeyRef(v: unknown): boolean {
    return typeof v === "string" && v.trim() !== "" && !/(^|:)alias\/aws\//i.test(v.trim());
}

/**
 * Whether `obj[name]` names a customer-managed key: undefined when the reference is unknown at preview (a key ARN or
 * alias computed from another resource, which the update-time check will see), never a violation from it.
 */
export function customerManagedKeyRef(obj: Record<string, any>, name: string): boolean | undefined {
    const r = read(obj, name);
    return r.known ? isCustomerManagedKeyRef(r.value) : undefined;
}
