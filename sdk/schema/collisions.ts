/**
 * Names that must be unique, checked before anything is created: the Pulumi name of every resource `KeyHierarchy` and
 * its per-cloud components would register (a duplicate URN fails the deployment half-way), and the names the clouds
 * hold in one namespace (AWS aliases per account and region, Azure keys in one vault or Managed HSM), plus the ids
 * that are longer than the cloud takes (a GCP key ring id is `<hierarchy>-<domain>`).
 *
 * Child names join spec names with hyphens (`<name>-<domain>-<key>-aws`), so two different (domain, key) pairs can
 * give one name: domain `pay-ments` key `x` and domain `pay` key `ments-x` are both `<name>-pay-ments-x-aws`.
 */
import * as pulumi from "@pulumi/pulumi";
import { gcpRolesFor } from "../gcp/roles";
import { USER_ROLE_FOR_PURPOSE } from "./constants";
import { IssueCollector } from "./errors";
import { GCP_ID_FORMAT, ID_LIMITS } from "./limits";
import { shortHash, slug } from "./names";
import type { Principal } from "./principals";
import type { ResolvedDomain, ResolvedKey } from "./validate";

/** One resource as `KeyHierarchy` would register it. */
export interface PlannedResource {
    readonly type: string;
    readonly name: string;
    /** The parent's type chain (`a$b$c`), which is part of the URN, and the parent's own planned resource. */
    readonly parent?: PlannedResource;
    /** Where in the spec it comes from, and what to call that in messages. */
    readonly path: string;
    readonly label: string;
}

const T = {
    hierarchy: "keyfabric:index:KeyHierarchy",
    domain: "keyfabric:index:KeyDomain",
    awsKey: "keyfabric:aws:Key",
    gcpKey: "keyfabric:gcp:Key",
    azureKey: "keyfabric:azure:Key",
    keyRing: "gcp:kms/keyRing:KeyRing",
    vault: "azure-native:keyvault:Vault",
    diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
    kmsKey: "aws:kms/key:Key",
    kmsExternalKey: "aws:kms/externalKey:ExternalKey",
    kmsAlias: "aws:kms/alias:Alias",
    kmsReplica: "aws:kms/replicaKey:ReplicaKey",
    kmsReplicaExternal: "aws:kms/replicaExternalKey:ReplicaExternalKey",
    awsMaterial: "pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial",
    fingerprint: "pulumi-nodejs:dynamic/keyfabric:MaterialFingerprint",
    cryptoKey: "gcp:kms/cryptoKey:CryptoKey",
    gcpMaterial: "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion",
    cryptoKeyMember: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    vaultKey: "azure-native:keyvault:Key",
    hsmKey: "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey",
    hsmRotation: "azure:keyvault/managedHardwareSecurityModuleKeyRotationPolicy:ManagedHardwareSecurityModuleKeyRotationPolicy",
    azureImported: "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    hsmRoleAssignment: "azure:keyvault/managedHardwareSecurityModuleRoleAssignment:ManagedHardwareSecurityModuleRoleAssignment",
} as const;

interface Context {
    readonly spec: Record<string, any>;
    /** The `KeyHierarchy` component's name: the prefix of every child name. */
    readonly resourceName: string;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every resource a hierarchy registers below its `KeyHierarchy`, as hierarchy.ts and the per-cloud components name
 * them (the hierarchy-level audit resources have fixed names and are left out).
 */
export function plannedResources(ctx: Context, domains: readonly ResolvedDomain[]): PlannedResource[] {
    const out: PlannedResource[] = [];
    const add = (r: PlannedResource) => (out.push(r), r);
    const root: PlannedResource = { type: T.hierarchy, name: ctx.resourceName, path: "name", label: "the hierarchy" };
    const clouds = isObj(ctx.spec.clouds) ? ctx.spec.clouds : {};
    const gcpPrimary: string | undefined = clouds.gcp?.location;
    const azPrimary: string | undefined = clouds.azure?.location;
    const existingVault = typeof clouds.azure?.vault?.name === "string";
    const azureAudit = isObj(ctx.spec.audit) && isObj(ctx.spec.audit.azure) && ctx.spec.audit.azure.external !== true;

    for (const d of domains) {
        const dn = `${ctx.resourceName}-${d.name}`;
        const domain = add({ type: T.domain, name: dn, parent: root, path: `${d.path}.name`, label: `domain ${d.name}` });
        const rings = new Set<string>();
        const vaults = new Set<string>();
        for (const k of d.keys) {
            if (k.shapes.gcp && gcpPrimary) for (const l of [gcpPrimary, ...(k.regions.gcp ?? [])]) rings.add(l);
            if (k.shapes.azure?.container === "vault" && !existingVault && azPrimary) for (const l of [azPrimary, ...(k.regions.azure ?? [])]) vaults.add(l);
        }
        for (const l of rings) add({ type: T.keyRing, name: `${dn}-ring-${l}`, parent: domain, path: `${d.path}.name`, label: `domain ${d.name}` });
        for (const l of vaults) {
            add({ type: T.vault, name: `${dn}-vault-${l}`, parent: domain, path: `${d.path}.name`, label: `domain ${d.name}` });
            if (azureAudit) add({ type: T.diagnosticSetting, name: `${dn}-vault-${l}-audit`, parent: domain, path: `${d.path}.name`, label: `domain ${d.name}` });
        }
        for (const k of d.keys) keyResources(ctx, k, dn, domain, add);
    }
    return out;
}

function keyResources(ctx: Context, k: ResolvedKey, dn: string, domain: PlannedResource, add: (r: PlannedResource) => PlannedResource): void {
    const kn = `${dn}-${k.identity.key}`;
    const at = { path: `${k.path}.name`, label: `key ${k.id}` };
    const clouds = ctx.spec.clouds ?? {};
    const byok = k.origin === "byok";
    const material = k.material !== undefined;
    if (k.shapes.aws) {
        const c = add({ type: T.awsKey, name: `${kn}-aws`, parent: domain, ...at });
        const child = (type: string, suffix: string) => add({ type, name: `${c.name}-${suffix}`, parent: c, ...at });
        if (byok && material && !k.shapes.aws.symmetric) child(T.fingerprint, "fingerprint");
        child(byok ? T.kmsExternalKey : T.kmsKey, "key");
        for (const alias of [`${ctx.spec.name}/${k.identity.domain}/${k.identity.key}`, ...k.aliases]) child(T.kmsAlias, `alias-${alias}`);
        for (const r of k.regions.aws ?? []) child(byok ? T.kmsReplicaExternal : T.kmsReplica, `replica-${r}`);
        if (byok && material) {
            child(T.awsMaterial, "material");
            for (const r of k.regions.aws ?? []) child(T.awsMaterial, `material-${r}`);
        }
    }
    if (k.shapes.gcp && clouds.gcp) {
        const shape = k.shapes.gcp;
        for (const l of [clouds.gcp.location as string, ...(k.regions.gcp ?? [])]) {
            const c = add({ type: T.gcpKey, name: l === clouds.gcp.location ? `${kn}-gcp` : `${kn}-gcp-${l}`, parent: domain, ...at });
            add({ type: T.cryptoKey, name: `${c.name}-key`, parent: c, ...at });
            if (byok && material) add({ type: T.gcpMaterial, name: `${c.name}-material`, parent: c, ...at });
            for (const [role, suffix] of grants(k.admins.gcp, k.users.gcp, k)) {
                for (const iamRole of gcpRolesFor(role, shape)) {
                    add({ type: T.cryptoKeyMember, name: `${c.name}-grant-${role}-${suffix}-${slug(iamRole.replace(/^roles\/cloudkms\.(cryptoKey)?/, ""), 24)}`, parent: c, ...at });
                }
            }
        }
    }
    if (k.shapes.azure && clouds.azure) {
        const onHsm = k.shapes.azure.container === "managedHsm";
        for (const l of [clouds.azure.location as string, ...(k.regions.azure ?? [])]) {
            const c = add({ type: T.azureKey, name: l === clouds.azure.location ? `${kn}-azure` : `${kn}-azure-${l}`, parent: domain, ...at });
            add({ type: byok ? T.azureImported : onHsm ? T.hsmKey : T.vaultKey, name: `${c.name}-key`, parent: c, ...at });
            // Every Managed HSM key Azure generates gets a rotation policy (AzureKey's default cryptoperiod).
            if (!byok && onHsm) add({ type: T.hsmRotation, name: `${c.name}-rotation`, parent: c, ...at });
            for (const [role, suffix] of grants(k.admins.azure, k.users.azure, k)) {
                add({ type: onHsm ? T.hsmRoleAssignment : T.roleAssignment, name: `${c.name}-grant-${role}-${suffix}`, parent: c, ...at });
            }
        }
    }
}

/** The grants a key component makes for its admins and users, with the name suffix `KeyComponent.grant` gives each. */
function grants(admins: Principal[] | undefined, users: Principal[] | undefined, k: ResolvedKey): [ReturnType<typeof userRole> | "admin", string][] {
    const named = (list: readonly Principal[] = []) => {
        let n = 0;
        return list.map((p) => (pulumi.Output.isInstance(p) ? `output-${++n}` : `${slug(p as string, 20)}-${shortHash(p as string)}`));
    };
    return [...named(admins).map((s) => ["admin", s] as ["admin", string]), ...named(users).map((s) => [userRole(k), s] as [ReturnType<typeof userRole>, string])];
}

const userRole = (k: ResolvedKey) => USER_ROLE_FOR_PURPOSE[k.purpose];

const chain = (r: PlannedResource | undefined): string => (r ? `${chain(r.parent)}$${r.type}` : "");
const idOf = (r: PlannedResource) => `${chain(r.parent)}::${r.type}::${r.name}`;

/**
 * Pulumi names: two resources with one type under parents of one type chain have one URN. A collision is reported
 * once, for the outermost resources that collide (the children of two colliding components collide too), and once per
 * pair of spec entries, listing the names they share.
 */
export function checkResourceNames(ctx: Context, domains: readonly ResolvedDomain[], issues: IssueCollector): void {
    const planned = plannedResources(ctx, domains).filter((r) => r.type !== T.kmsAlias); // aliases: checkAliasNames
    const first = new Map<string, PlannedResource>();
    const colliding = new Set<PlannedResource>();
    const pairs = new Map<string, { earlier: PlannedResource; later: PlannedResource; names: string[] }>();
    for (const r of planned) {
        const id = idOf(r);
        const earlier = first.get(id);
        if (!earlier) {
            first.set(id, r);
            continue;
        }
        colliding.add(r);
        // The parents collide already (or are one spec entry listed twice, reported as a duplicate name).
        if (r.parent && colliding.has(r.parent)) continue;
        // One spec entry, or two with the same names (reported as a duplicate name).
        if (earlier.path === r.path || earlier.label === r.label) continue;
        const key = `${earlier.path}\u0000${r.path}`;
        const pair = pairs.get(key) ?? { earlier, later: r, names: [] };
        pair.names.push(`${r.type} "${r.name}"`);
        pairs.set(key, pair);
    }
    for (const { earlier, later, names } of pairs.values()) {
        const list = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0];
        issues.add({
            code: "name_collision",
            path: later.path,
            message: `${later.label} and ${earlier.label} (${earlier.path}) would both create the Pulumi resource${names.length > 1 ? "s" : ""} ${list}: resource names join the hierarchy, domain and key names with hyphens, and must be unique`,
            allowed: "domain and key names that do not join to the same name (rename one of them)",
            got: later.path.endsWith(".name") ? nameAt(ctx.spec, later.path) : undefined,
        });
    }
}

function nameAt(spec: Record<string, any>, path: string): unknown {
    const m = /^domains\[(\d+)\](?:\.keys\[(\d+)\])?\.name$/.exec(path);
    if (!m) return undefined;
    const d = spec.domains?.[Number(m[1])];
    return m[2] === undefined ? d?.name : d?.keys?.[Number(m[2])]?.name;
}

/**
 * AWS alias names are unique per account and region: a user alias must not be another key's (or its own key's)
 * default alias `<hierarchy>/<domain>/<key>`. (Two user aliases that are the same are reported where they are read.)
 */
export function checkAliasNames(ctx: Context, domains: readonly ResolvedDomain[], issues: IssueCollector): void {
    const defaults = new Map<string, ResolvedKey>();
    const keys = domains.flatMap((d) => d.keys).filter((k) => k.shapes.aws);
    for (const k of keys) defaults.set(`${ctx.spec.name}/${k.identity.domain}/${k.identity.key}`, k);
    for (const k of keys) {
        k.aliases.forEach((a, i) => {
            const owner = defaults.get(a);
            if (!owner) return;
            issues.add({
                code: "name_collision",
                path: `${k.path}.aliases[${i}]`,
                message: owner === k ? "is this key's default alias already (alias/<hierarchy>/<domain>/<key>)" : `is the default alias of key ${owner.id} (alias/<hierarchy>/<domain>/<key>): AWS alias names are unique per account and Region`,
                allowed: "an alias name no key of the hierarchy has by default",
                got: a,
            });
        });
    }
}

/**
 * Cloud-side names and ids: GCP key ring ids (`<hierarchy>-<domain>`, at most 63 characters); Azure key names
 * (`<domain>-<key>`), which must be unique in the one existing vault (`clouds.azure.vault.name`) or Managed HSM every
 * key of the hierarchy shares.
 */
export function checkCloudNames(ctx: Context, domains: readonly ResolvedDomain[], issues: IssueCollector): void {
    const hname = typeof ctx.spec.name === "string" ? ctx.spec.name : "";
    for (const d of domains) {
        if (!d.keys.some((k) => k.shapes.gcp)) continue;
        const id = `${hname}-${d.name}`;
        if (id.length > ID_LIMITS.gcpKeyRingIdChars) {
            issues.add({
                code: "too_long",
                path: `${d.path}.name`,
                message: `makes the GCP key ring id "${id}" ${id.length} characters long: the id is <hierarchy name>-<domain name>, and Cloud KMS key ring ids have at most ${ID_LIMITS.gcpKeyRingIdChars}`,
                allowed: `${GCP_ID_FORMAT}: hierarchy and domain names of at most ${ID_LIMITS.gcpKeyRingIdChars - 1} characters together`,
                got: d.name,
            });
        }
    }
    const vaultName = ctx.spec.clouds?.azure?.vault?.name;
    const shared: [string, (k: ResolvedKey) => boolean][] = [
        ...(typeof vaultName === "string" ? ([[`the existing Key Vault ${vaultName} (clouds.azure.vault.name)`, (k: ResolvedKey) => k.shapes.azure?.container === "vault"]] as [string, (k: ResolvedKey) => boolean][]) : []),
        ["the Managed HSM (clouds.azure.managedHsm)", (k) => k.shapes.azure?.container === "managedHsm"],
    ];
    for (const [where, holds] of shared) {
        const seen = new Map<string, ResolvedKey>();
        for (const k of domains.flatMap((d) => d.keys).filter(holds)) {
            const name = `${k.identity.domain}-${k.identity.key}`.toLowerCase(); // Key Vault object names ignore case
            const earlier = seen.get(name);
            if (earlier) {
                issues.add({
                    code: "name_collision",
                    path: `${k.path}.name`,
                    message: `key ${k.id} and key ${earlier.id} (${earlier.path}) would both be the Azure key "${name}" in ${where}: Azure key names are <domain>-<key>`,
                    allowed: "domain and key names that do not join to the same name (rename one of them)",
                    got: k.identity.key,
                });
            } else seen.set(name, k);
        }
    }
}
