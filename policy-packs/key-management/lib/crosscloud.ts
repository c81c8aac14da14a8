/**
 * The cross-cloud model the `keyfabric-hierarchy-*` rules share: correlation of resources to logical keys and domains
 * (keyfabric tags/labels, then the component tree), the KeyHierarchy spec, per-cloud cryptoperiod / protection /
 * location / deletion facts, and reporting.
 *
 * Preview honesty: every property is read through `known()`, which turns the policy SDK's `UnknownValueError` into
 * `UNKNOWN`; a fact that is unknown makes the checks that need it not applicable for that resource, never a violation.
 */
import { UnknownValueError } from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import { asArray, durationDays, DYNAMIC, isObject, LABELS, TAGS } from "./props";

// ---------------------------------------------------------------------------------------------------------------
// Reading values safely.

export const UNKNOWN: unique symbol = Symbol("unknown");
export type Maybe<T> = T | typeof UNKNOWN;

/** Runs `read`; a value unknown at preview (the proxy throws `UnknownValueError`) becomes `UNKNOWN`. */
export function known<T>(read: () => T): Maybe<T> {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

/** A plain deep copy of a (proxied) value; throws `UnknownValueError` when anything inside is unknown. */
export function plain(value: unknown): any {
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) out.push(plain(value[i]));
        return out;
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value)) out[k] = plain((value as Record<string, unknown>)[k]);
        return out;
    }
    return value;
}

/** The plain value at `path` under `root` (undefined when absent, `UNKNOWN` when unknown). */
export function at(root: unknown, ...path: (string | number)[]): Maybe<any> {
    return known(() => plain(path.reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), root)));
}

/** The strings of the list at `path`, each read on its own: unknown elements are left out. */
export function knownStrings(root: unknown, ...path: (string | number)[]): Maybe<string[] | undefined> {
    const list = known(() => path.reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), root));
    if (list === UNKNOWN) return UNKNOWN;
    if (list === undefined || list === null) return undefined;
    const len = known(() => (Array.isArray(list) ? list.length : -1));
    if (len === UNKNOWN) return UNKNOWN;
    if (len < 0) return typeof list === "string" ? [list] : undefined;
    const out: string[] = [];
    for (let i = 0; i < len; i++) {
        const v = known(() => list[i]);
        if (typeof v === "string") out.push(v);
    }
    return out;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

// ---------------------------------------------------------------------------------------------------------------
// Resource types.

export type Cloud = "aws" | "gcp" | "azure";
export const CLOUDS: readonly Cloud[] = ["aws", "gcp", "azure"];

export const TYPES = {
    hierarchy: "keyfabric:index:KeyHierarchy",
    domain: "keyfabric:index:KeyDomain",
    awsKey: "aws:kms/key:Key",
    awsExternalKey: "aws:kms/externalKey:ExternalKey",
    awsReplicaKey: "aws:kms/replicaKey:ReplicaKey",
    awsReplicaExternalKey: "aws:kms/replicaExternalKey:ReplicaExternalKey",
    awsKeyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    awsGrant: "aws:kms/grant:Grant",
    gcpKeyRing: "gcp:kms/keyRing:KeyRing",
    gcpCryptoKey: "gcp:kms/cryptoKey:CryptoKey",
    gcpKeyIamMember: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    gcpKeyIamBinding: "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
    gcpKeyIamPolicy: "gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy",
    gcpRingIamMember: "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
    gcpRingIamBinding: "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding",
    gcpRingIamPolicy: "gcp:kms/keyRingIAMPolicy:KeyRingIAMPolicy",
    azureVault: "azure-native:keyvault:Vault",
    azureKey: "azure-native:keyvault:Key",
    azureManagedHsm: "azure-native:keyvault:ManagedHsm",
    azureRoleAssignment: "azure-native:authorization:RoleAssignment",
    azureHsm: "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule",
    azureHsmKey: "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey",
    azureHsmKeyRotation: "azure:keyvault/managedHardwareSecurityModuleKeyRotationPolicy:ManagedHardwareSecurityModuleKeyRotationPolicy",
    azureHsmRoleAssignment: "azure:keyvault/managedHardwareSecurityModuleRoleAssignment:ManagedHardwareSecurityModuleRoleAssignment",
    azureImportedKey: DYNAMIC.azureImportedKey,
} as const;

/** Every resource that is a key instance, with its cloud. */
export const KEY_TYPES: Readonly<Record<string, Cloud>> = {
    [TYPES.awsKey]: "aws",
    [TYPES.awsExternalKey]: "aws",
    [TYPES.awsReplicaKey]: "aws",
    [TYPES.awsReplicaExternalKey]: "aws",
    [TYPES.gcpCryptoKey]: "gcp",
    [TYPES.azureKey]: "azure",
    [TYPES.azureHsmKey]: "azure",
    [TYPES.azureImportedKey]: "azure",
};

/** keyfabric's per-cloud key components: their `identity` input names the logical key of everything under them. */
const KEY_COMPONENTS = new Set(["keyfabric:aws:Key", "keyfabric:gcp:Key", "keyfabric:azure:Key"]);

// ---------------------------------------------------------------------------------------------------------------
// Correlation: tags/labels, else the component tree.

/** How GCP sanitises label values; applied to every name so tags, labels and spec names compare equal. */
export const norm = (v: string) => v.toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, 63);

export interface Identity {
    /** Normalised hierarchy, domain and (for key instances) key names. */
    readonly hierarchy: string;
    readonly domain: string;
    readonly key?: string;
}

export const logicalId = (id: Identity) => `${id.hierarchy}|${id.domain}|${id.key ?? ""}`;
/** The logical key as users write it: `domain/key`. */
export const keyLabel = (id: Identity) => `${id.domain}/${id.key ?? ""}`;

function tagValue(tags: Record<string, unknown>, key: string): string | undefined {
    if (typeof tags[key] === "string") return str(tags[key]);
    const k = Object.keys(tags).find((t) => t.toLowerCase() === key.toLowerCase());
    return k ? str(tags[k]) : undefined;
}

/** The tags (AWS, Azure) or labels (GCP) of `r` as a plain map. */
export function tagsOf(r: PolicyResource): Maybe<Record<string, unknown> | undefined> {
    const v = at(r.props, r.type === TYPES.gcpCryptoKey || r.type === TYPES.gcpKeyRing ? "labels" : "tags");
    if (v === UNKNOWN) return UNKNOWN;
    return isObject(v) ? v : undefined;
}

function identityFromTags(r: PolicyResource): Maybe<Identity | undefined> {
    const tags = tagsOf(r);
    if (tags === UNKNOWN) return UNKNOWN;
    if (!tags) return undefined;
    const keys = r.type === TYPES.gcpCryptoKey || r.type === TYPES.gcpKeyRing ? LABELS : TAGS;
    const hierarchy = tagValue(tags, keys.hierarchy);
    const domain = tagValue(tags, keys.domain);
    if (!hierarchy || !domain) return undefined;
    const key = tagValue(tags, keys.key);
    return { hierarchy: norm(hierarchy), domain: norm(domain), ...(key ? { key: norm(key) } : {}) };
}

/** The identity the component tree gives `r`: the nearest keyfabric key component, KeyDomain and KeyHierarchy. */
export function identityFromTree(r: PolicyResource): Identity | undefined {
    let hierarchy: string | undefined;
    let domain: string | undefined;
    let key: string | undefined;
    for (let p = r.parent, depth = 0; p && depth < 32; p = p.parent, depth++) {
        if (KEY_COMPONENTS.has(p.type) && !key) {
            const id = at(p.props, "identity");
            if (isObject(id) && str(id.key) && str(id.domain) && str(id.hierarchy)) {
                key = norm(id.key);
                domain ??= norm(id.domain);
                hierarchy ??= norm(id.hierarchy);
            }
        } else if (p.type === TYPES.domain && !domain) {
            const d = at(p.props, "domain");
            if (typeof d === "string") domain = norm(d);
        } else if (p.type === TYPES.hierarchy && !hierarchy) {
            const n = at(p.props, "spec", "name");
            if (typeof n === "string") hierarchy = norm(n);
        }
    }
    if (!hierarchy || !domain) return undefined;
    return { hierarchy, domain, ...(key ? { key } : {}) };
}

/**
 * The logical key or domain `r` belongs to: its correlation tags/labels when they name a hierarchy and domain
 * (hand-written resources that claim a logical key are correlated exactly like keyfabric's), else the component tree.
 */
export function identityOf(r: PolicyResource): Maybe<Identity | undefined> {
    const fromTags = identityFromTags(r);
    if (fromTags !== UNKNOWN && fromTags) return fromTags;
    const fromTree = identityFromTree(r);
    if (fromTree) return fromTree;
    return fromTags;
}

// ---------------------------------------------------------------------------------------------------------------
// The KeyHierarchy spec (component inputs, in state since @pulumi/pulumi 3.202).

export type Protection = "software" | "hsm" | "external";
export const PROTECTION_RANK: Record<Protection, number> = { software: 0, hsm: 1, external: 1 };
export type Cryptoperiod = number | "none";
export type PerCloud<T> = { [C in Cloud]?: T };

export interface SpecKey {
    readonly name: string;
    readonly rotation: Maybe<Cryptoperiod>;
    readonly protection: Maybe<Protection>;
    readonly users: PerCloud<Maybe<string[] | undefined>>;
}

export interface SpecDomain {
    readonly name: string;
    /** Allowed regions/locations per cloud (undefined: anywhere). */
    readonly regions: PerCloud<Maybe<string[] | undefined>>;
    readonly admins: PerCloud<Maybe<string[] | undefined>>;
    readonly users: PerCloud<Maybe<string[] | undefined>>;
    readonly keys: ReadonlyMap<string, SpecKey>;
    /** `separationOfDuties` (sdk/schema/separation.ts): "standard" unless the domain says "strict". */
    readonly separationOfDuties: Maybe<"standard" | "strict">;
    /** Strict domains' deployer per cloud: the domain's `deployer`, else the hierarchy's. */
    readonly deployer: PerCloud<Maybe<string[] | undefined>>;
}

export interface Spec {
    readonly urn: string;
    readonly name: string;
    readonly domains: ReadonlyMap<string, SpecDomain>;
}

/** keyfabric's cryptoperiod when the spec sets none: sdk/schema/constants.ts DEFAULTS.rotationDays (the pack does not import the SDK). */
const SPEC_DEFAULT_ROTATION_DAYS = 90;
/** AWS KMS's rotation period when a key with rotation on does not set rotationPeriodInDays. */
const AWS_DEFAULT_ROTATION_DAYS = 365;

/** The specs of every KeyHierarchy in the stack, by normalised hierarchy name. Unknown parts stay `UNKNOWN`. */
export function specsOf(resources: readonly PolicyResource[]): Map<string, Spec> {
    const specs = new Map<string, Spec>();
    for (const r of resources) {
        if (r.type !== TYPES.hierarchy) continue;
        const spec = known(() => r.props.spec);
        if (spec === UNKNOWN || !spec) continue;
        const name = at(spec, "name");
        if (typeof name !== "string") continue;
        const defaults = at(spec, "defaults");
        const ndomains = at(spec, "domains", "length");
        const domains = new Map<string, SpecDomain>();
        for (let di = 0; typeof ndomains === "number" && di < ndomains; di++) {
            const d = known(() => spec.domains[di]);
            if (d === UNKNOWN || !d) continue;
            const dname = at(d, "name");
            if (typeof dname !== "string") continue;
            const perCloud = (field: string, from: unknown = d) => Object.fromEntries(CLOUDS.map((c) => [c, knownStrings(from, field, c)])) as PerCloud<Maybe<string[] | undefined>>;
            const classification = at(d, "classification");
            const nkeys = at(d, "keys", "length");
            const keys = new Map<string, SpecKey>();
            for (let ki = 0; typeof nkeys === "number" && ki < nkeys; ki++) {
                const k = known(() => d.keys[ki]);
                if (k === UNKNOWN || !k) continue;
                const kname = at(k, "name");
                if (typeof kname !== "string") continue;
                keys.set(norm(kname), {
                    name: kname,
                    rotation: resolveRotation(k, d, defaults),
                    protection: resolveProtection(at(k, "protection"), at(d, "protection"), classification, defaults === UNKNOWN ? UNKNOWN : at(defaults, "protection")),
                    users: perCloud("users", k),
                });
            }
            const regions = known(() => d.regions);
            const sod = at(d, "separationOfDuties");
            domains.set(norm(dname), {
                name: dname,
                regions: Object.fromEntries(CLOUDS.map((c) => [c, regions === UNKNOWN ? UNKNOWN : knownStrings(regions, c)])) as PerCloud<Maybe<string[] | undefined>>,
                admins: perCloud("admins"),
                users: perCloud("users"),
                keys,
                separationOfDuties: sod === UNKNOWN ? UNKNOWN : sod === "strict" ? "strict" : "standard",
                deployer: Object.fromEntries(CLOUDS.map((c) => [c, deployerOf(d, spec, c)])) as PerCloud<Maybe<string[] | undefined>>,
            });
        }
        specs.set(norm(name), { urn: r.urn, name, domains });
    }
    return specs;
}

/**
 * sdk/schema/validate.ts: explicit on the key, else inherited by every key a cloud generates and rotates (AES keys in
 * every cloud; every key Azure generates). The instances a cloud cannot rotate (AWS and GCP asymmetric and HMAC keys)
 * are not compared (cryptoperiodOf: undefined), so one declared value serves every cloud.
 */
function resolveRotation(k: unknown, d: unknown, defaults: unknown): Maybe<Cryptoperiod> {
    const explicit = at(k, "rotationDays");
    if (explicit === UNKNOWN) return UNKNOWN;
    if (typeof explicit === "number") return explicit;
    const origin = at(k, "origin");
    if (origin === UNKNOWN) return UNKNOWN;
    if ((origin ?? "cloud") !== "cloud") return "none";
    const dr = at(d, "rotationDays");
    const fr = defaults === UNKNOWN ? UNKNOWN : at(defaults, "rotationDays");
    if (dr === UNKNOWN) return UNKNOWN;
    if (typeof dr === "number") return dr;
    if (fr === UNKNOWN) return UNKNOWN;
    return typeof fr === "number" ? fr : SPEC_DEFAULT_ROTATION_DAYS;
}

/** A domain's deployer in `cloud`: its own `deployer.<cloud>`, else the hierarchy's (sdk/schema/separation.ts). */
function deployerOf(d: unknown, spec: unknown, cloud: Cloud): Maybe<string[] | undefined> {
    const own = knownStrings(d, "deployer", cloud);
    if (own === UNKNOWN || own !== undefined) return own;
    return knownStrings(spec, "deployer", cloud);
}

/** sdk/schema/validate.ts: key, else domain, else HSM for restricted domains, else the defaults, else software. */
function resolveProtection(key: unknown, domain: unknown, classification: unknown, defaults: unknown): Maybe<Protection> {
    for (const v of [key, domain]) {
        if (v === UNKNOWN) return UNKNOWN;
        if (v === "hsm" || v === "software") return v;
    }
    if (classification === UNKNOWN) return UNKNOWN;
    if (classification === "restricted") return "hsm";
    if (defaults === UNKNOWN) return UNKNOWN;
    return defaults === "hsm" ? "hsm" : "software";
}

export function specKeyOf(specs: ReadonlyMap<string, Spec>, id: Identity): SpecKey | undefined {
    return id.key ? specs.get(id.hierarchy)?.domains.get(id.domain)?.keys.get(id.key) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The stack: lookups shared by the rules.

export interface KeyInstance {
    readonly r: PolicyResource;
    readonly cloud: Cloud;
    readonly identity: Maybe<Identity | undefined>;
}

export class Stack {
    readonly specs: Map<string, Spec>;
    readonly keys: KeyInstance[];
    private readonly vaults: PolicyResource[];

    constructor(readonly resources: readonly PolicyResource[]) {
        this.specs = specsOf(resources);
        this.keys = resources.filter((r) => KEY_TYPES[r.type]).map((r) => ({ r, cloud: KEY_TYPES[r.type], identity: identityOf(r) }));
        this.vaults = resources.filter((r) => r.type === TYPES.azureVault);
    }

    /** Key instances grouped by logical key (those correlated to a hierarchy, domain and key). */
    logicalKeys(): Map<string, { id: Identity; instances: KeyInstance[] }> {
        const out = new Map<string, { id: Identity; instances: KeyInstance[] }>();
        for (const k of this.keys) {
            if (k.identity === UNKNOWN || !k.identity?.key) continue;
            const lid = logicalId(k.identity);
            if (!out.has(lid)) out.set(lid, { id: k.identity, instances: [] });
            out.get(lid)!.instances.push(k);
        }
        return out;
    }

    /** The resource a property of `r` depends on (the engine's property dependencies), of one of `types`. */
    dependency(r: PolicyResource, prop: string, types: readonly string[]): PolicyResource | undefined {
        const deps = (r.propertyDependencies ?? {})[prop] ?? [];
        const found = deps.filter((d) => types.includes(d.type));
        return found.length === 1 ? found[0] : undefined;
    }

    /** The Key Vault (in this stack) holding an Azure Key Vault key or imported key; UNKNOWN when it cannot be told. */
    vaultOf(r: PolicyResource): Maybe<PolicyResource | undefined> {
        const dep = this.dependency(r, r.type === TYPES.azureKey ? "vaultName" : "vaultUrl", [TYPES.azureVault]);
        if (dep) return dep;
        let name: Maybe<string | undefined>;
        if (r.type === TYPES.azureKey) {
            name = at(r.props, "vaultName");
        } else if (r.type === TYPES.azureImportedKey) {
            const url = at(r.props, "vaultUrl");
            name = url === UNKNOWN ? UNKNOWN : typeof url === "string" ? /^https:\/\/([^./]+)\.vault\.azure\.net/i.exec(url)?.[1] : undefined;
        } else return undefined;
        if (name === UNKNOWN) return UNKNOWN;
        if (typeof name !== "string") return undefined;
        const rg = at(r.props, "resourceGroupName");
        const matches = this.vaults.filter((v) => {
            const vn = at(v.props, "vaultName");
            if (typeof vn !== "string" || vn.toLowerCase() !== name.toLowerCase()) return false;
            const vrg = at(v.props, "resourceGroupName");
            return typeof rg !== "string" || typeof vrg !== "string" || vrg.toLowerCase() === rg.toLowerCase();
        });
        return matches.length === 1 ? matches[0] : undefined;
    }

    /** The rotation policy of a Managed HSM key: `null` when it has none, UNKNOWN when a policy cannot be placed. */
    hsmRotationOf(key: PolicyResource): Maybe<PolicyResource | null> {
        const policies = this.resources.filter((p) => p.type === TYPES.azureHsmKeyRotation);
        const keyUri = hsmKeyUri(key);
        let unplaced = false;
        for (const p of policies) {
            const dep = this.dependency(p, "managedHsmKeyId", [TYPES.azureHsmKey]);
            if (dep) {
                if (dep.urn === key.urn) return p;
                continue;
            }
            const target = at(p.props, "managedHsmKeyId");
            if (typeof target === "string" && keyUri !== UNKNOWN && keyUri) {
                if (target.toLowerCase().replace(/\/+$/, "") === keyUri) return p;
                continue;
            }
            // keyfabric puts the policy next to its key under one component: a lone sibling key is the target.
            const siblings = this.resources.filter((s) => s.type === TYPES.azureHsmKey && s.parent && p.parent && s.parent.urn === p.parent.urn);
            if (siblings.length === 1) {
                if (siblings[0].urn === key.urn) return p;
                continue;
            }
            unplaced = true;
        }
        return unplaced ? UNKNOWN : null;
    }
}

/** The versionless id of a Managed HSM key (`https://<hsm>.managedhsm.azure.net/keys/<name>`), from state or inputs. */
export function hsmKeyUri(key: PolicyResource): Maybe<string | undefined> {
    const id = at(key.props, "id");
    if (typeof id === "string" && id.startsWith("https://")) return id.toLowerCase().replace(/\/+$/, "");
    const hsmId = at(key.props, "managedHsmId");
    const name = at(key.props, "name");
    if (hsmId === UNKNOWN || name === UNKNOWN) return UNKNOWN;
    if (typeof hsmId !== "string" || typeof name !== "string") return undefined;
    const hsm = hsmId.split("/").filter(Boolean).pop();
    return hsm ? `https://${hsm}.managedhsm.azure.net/keys/${name}`.toLowerCase() : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-cloud facts.

/**
 * The cryptoperiod of a key instance in days, "none" without automatic rotation; undefined when not its own (AWS
 * replicas) or not a choice (AWS and GCP keys their cloud cannot rotate: asymmetric and HMAC keys).
 */
export function cryptoperiodOf(stack: Stack, r: PolicyResource): Maybe<Cryptoperiod | undefined> {
    switch (r.type) {
        case TYPES.awsKey: {
            const spec = at(r.props, "keySpec");
            const cmkSpec = at(r.props, "customerMasterKeySpec");
            if (spec === UNKNOWN || cmkSpec === UNKNOWN) return UNKNOWN;
            if ((spec ?? cmkSpec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT") return undefined; // AWS rotates symmetric keys only
            const on = at(r.props, "enableKeyRotation");
            if (on === UNKNOWN) return UNKNOWN;
            if (on !== true) return "none";
            const days = at(r.props, "rotationPeriodInDays");
            if (days === UNKNOWN) return UNKNOWN;
            return typeof days === "number" ? days : AWS_DEFAULT_ROTATION_DAYS;
        }
        case TYPES.awsExternalKey:
        case TYPES.azureImportedKey:
            return "none"; // imported material is never rotated automatically
        case TYPES.awsReplicaKey:
        case TYPES.awsReplicaExternalKey:
            return undefined; // replicas share the primary's rotation
        case TYPES.gcpCryptoKey: {
            const purpose = at(r.props, "purpose");
            if (purpose === UNKNOWN) return UNKNOWN;
            if ((purpose ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return undefined; // Cloud KMS rotates symmetric encryption keys only
            const period = at(r.props, "rotationPeriod");
            if (period === UNKNOWN) return UNKNOWN;
            if (period === undefined || period === null || period === "") return "none";
            return durationDays(period);
        }
        case TYPES.azureKey: {
            const policy = at(r.props, "properties", "rotationPolicy");
            if (policy === UNKNOWN) return UNKNOWN;
            return azureRotation(asArray(isObject(policy) ? policy.lifetimeActions : undefined), isObject(policy) && isObject(policy.attributes) ? policy.attributes.expiryTime : undefined);
        }
        case TYPES.azureHsmKey: {
            const policy = stack.hsmRotationOf(r);
            if (policy === UNKNOWN) return UNKNOWN;
            if (policy === null) return "none";
            const after = at(policy.props, "timeAfterCreation");
            const before = at(policy.props, "timeBeforeExpiry");
            const expire = at(policy.props, "expireAfter");
            if (after === UNKNOWN || before === UNKNOWN || expire === UNKNOWN) return UNKNOWN;
            if (typeof after === "string") return durationDays(after);
            const e = durationDays(expire);
            const b = durationDays(before);
            return e !== undefined && b !== undefined ? e - b : "none";
        }
        default:
            return undefined;
    }
}

function azureRotation(actions: unknown[], expiryTime: unknown): Cryptoperiod | undefined {
    for (const a of actions) {
        if (!isObject(a) || !isObject(a.action) || String(a.action.type).toLowerCase() !== "rotate" || !isObject(a.trigger)) continue;
        if (typeof a.trigger.timeAfterCreate === "string") return durationDays(a.trigger.timeAfterCreate);
        const e = durationDays(expiryTime);
        const b = durationDays(a.trigger.timeBeforeExpiry);
        if (e !== undefined && b !== undefined) return e - b;
        return undefined;
    }
    return "none";
}

/** The protection level of a key instance (AWS KMS keys are always held in AWS's HSMs). */
export function protectionOf(r: PolicyResource): Maybe<Protection | undefined> {
    switch (r.type) {
        case TYPES.awsKey:
        case TYPES.awsExternalKey:
        case TYPES.awsReplicaKey:
        case TYPES.awsReplicaExternalKey:
        case TYPES.azureHsmKey:
            return "hsm";
        case TYPES.gcpCryptoKey: {
            const level = at(r.props, "versionTemplate", "protectionLevel");
            if (level === UNKNOWN) return UNKNOWN;
            const l = String(level ?? "SOFTWARE").toUpperCase();
            return l === "HSM" ? "hsm" : l.startsWith("EXTERNAL") ? "external" : "software";
        }
        case TYPES.azureKey: {
            const kty = at(r.props, "properties", "kty");
            if (kty === UNKNOWN) return UNKNOWN;
            return typeof kty === "string" ? (kty.toUpperCase().endsWith("-HSM") ? "hsm" : "software") : undefined;
        }
        case TYPES.azureImportedKey: {
            const p = at(r.props, "protection");
            if (p === UNKNOWN) return UNKNOWN;
            return p === "hsm" ? "hsm" : p === "software" ? "software" : undefined;
        }
        default:
            return undefined;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting.

/** Reports each (urn, message) once. */
export function reporter(report: (message: string, urn?: string) => void) {
    const seen = new Set<string>();
    return (message: string, urn: string) => {
        const k = `${urn}\n${message}`;
        if (seen.has(k)) return;
        seen.add(k);
        report(message, urn);
    };
}

/** `aws, gcp` in the clouds' order. */
export const cloudList = (clouds: Iterable<Cloud>) => CLOUDS.filter((c) => new Set(clouds).has(c)).join(", ");
