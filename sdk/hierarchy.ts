/**
 * `keyfabric:index:KeyHierarchy`: one declaration that fans out to each cloud's keys, containers, IAM and rotation.
 *
 * Tree: KeyHierarchy -> KeyDomain (`<name>-<domain>`) -> key rings / vaults and per-cloud Key components
 * (`<name>-<domain>-<key>-<cloud>[-<location>]`). Child names derive from spec names only, so reordering domains or
 * keys changes nothing; renaming one replaces it (use `aliases` in resource options to move).
 */
import * as pulumi from "@pulumi/pulumi";
import type * as gcpKms from "@pulumi/gcp/kms";
import type * as keyvault from "@pulumi/azure-native/keyvault";
import * as peers from "./peers";
import { AwsKey, AwsKeyArgs } from "./aws/key";
import type { DiagnosticSetting } from "@pulumi/azure-native/monitor/diagnosticSetting";
import type { IAMAuditConfig } from "@pulumi/gcp/projects/iamauditConfig";
import { auditDiagnosticSetting } from "./azure/audit";
import { AzureKey, AzureKeyArgs, AzureManagedHsmRef, secureVaultArgs } from "./azure/key";
import { vaultPrivateEndpoint } from "./azure/network";
import type { PrivateEndpoint } from "@pulumi/azure-native/network/privateEndpoint";
import { kmsAuditConfig } from "./gcp/audit";
import { GcpKey, GcpKeyArgs } from "./gcp/key";
import { GcpCustomRoleRef, strictAdminRole, strictAdminRoleId } from "./gcp/roles";
import { AzureStrictRoles, keyVaultStrictRoles, managedHsmStrictRoles } from "./azure/roles";
import { hierarchyConfigValue } from "./schema/config";
import { formatIssue, KeyfabricValidationError } from "./schema/errors";
import { azureVaultName, correlationLabels, correlationTags, KeyIdentity } from "./schema/names";
import { HierarchySpec } from "./schema/schema";
import { ResolvedAudit, ResolvedDomain, ResolvedHierarchy, ResolvedKey, validateHierarchy } from "./schema/validate";

import type { AwsKeyIds, AzureKeyIds, GcpKeyIds, LogicalKeyIds } from "./keyIds";
export type { AwsKeyIds, AzureKeyIds, GcpKeyIds, LogicalKeyIds } from "./keyIds";

/** The per-cloud components of one logical key, for grants and wiring. */
export interface LogicalKey {
    readonly id: string;
    readonly spec: ResolvedKey;
    readonly aws?: AwsKey;
    readonly gcp?: GcpKey;
    readonly azure?: AzureKey;
    /** Every GCP / Azure instance by location, the primary included. */
    readonly gcpByLocation: Record<string, GcpKey>;
    readonly azureByLocation: Record<string, AzureKey>;
}

/** A domain: a tier of the hierarchy (environment or data classification) holding its containers and keys. */
export class KeyDomain extends pulumi.ComponentResource {
    readonly keyRings: Record<string, gcpKms.KeyRing> = {};
    readonly vaults: Record<string, keyvault.Vault> = {};
    /** The AuditEvent diagnostic setting of each created vault, by location (with `audit.azure`). */
    readonly vaultAudit: Record<string, DiagnosticSetting> = {};
    /** The private endpoint of each created vault, by location (with `clouds.azure.vault.privateEndpoint`). */
    readonly vaultEndpoints: Record<string, PrivateEndpoint> = {};
    /** Strict domains: the custom roles of each created vault, by location. */
    readonly vaultRoles: Record<string, AzureStrictRoles> = {};

    constructor(name: string, args: { domain: string; classification: string }, opts: pulumi.ComponentResourceOptions) {
        super("keyfabric:index:KeyDomain", name, args, opts);
    }

    /** @internal */
    done(): void {
        this.registerOutputs({
            keyRingIds: Object.fromEntries(Object.entries(this.keyRings).map(([l, r]) => [l, r.id])),
            vaultNames: Object.fromEntries(Object.entries(this.vaults).map(([l, v]) => [l, v.name])),
        });
    }
}

export interface KeyHierarchyOptions extends pulumi.ComponentResourceOptions {
    /** Protect keys, key rings and vaults from deletion and keep them when removed from the program. @default true */
    readonly protectKeys?: boolean;
}

export class KeyHierarchy extends pulumi.ComponentResource {
    /** The validated, resolved spec (effective rotation, protection, principals per key and cloud). */
    readonly resolved: ResolvedHierarchy;
    readonly domains: Record<string, KeyDomain> = {};
    /**
     * Audit logging of key use that the hierarchy owns (see `audit` in the spec): the Cloud KMS IAMAuditConfig, and
     * the diagnostic settings of the existing vault and Managed HSM (`audit.azure.includeExisting`).
     */
    readonly audit: { gcp?: IAMAuditConfig; azure: { vault?: DiagnosticSetting; managedHsm?: DiagnosticSetting } } = { azure: {} };
    private readonly logical: Record<string, LogicalKey> = {};
    /** `keys` as plain nesting with the resources' Outputs as leaves: what is registered as the `keys` output. */
    private readonly keyIds: Record<string, pulumi.Input<LogicalKeyIds>>;
    private keysOutput?: pulumi.Output<Record<string, LogicalKeyIds>>;

    /**
     * @param spec the hierarchy, from TypeScript or stack config (`new pulumi.Config("keyfabric").requireObject("hierarchy")`).
     *   Validated in full before anything is created: every problem is listed in one error.
     */
    constructor(name: string, spec: HierarchySpec, opts: KeyHierarchyOptions = {}) {
        const resolved = validateHierarchy(spec, { resourceName: name });
        // Each cloud's package is an optional peer: one that is missing is named before anything is registered.
        peers.requirePeers(peers.peersForClouds(spec.clouds), `Key hierarchy "${spec.name}" (clouds: ${Object.keys(spec.clouds).join(", ")})`);
        const { protectKeys, ...componentOpts } = opts;
        super("keyfabric:index:KeyHierarchy", name, { spec }, componentOpts);
        // What the spec allows but a deployment may trip on (a material file missing here, ...): engine warnings.
        for (const w of resolved.warnings) void pulumi.log.warn(`Key hierarchy "${spec.name}": ${formatIssue(w)}`, this);
        this.resolved = resolved;
        // The work is split into small functions: Pulumi captures a stack trace for every promise of a resource
        // (dozens per resource), and V8's cost for a frame grows with how far into its function the call is.
        const clouds = spec.clouds;
        const accountId = clouds.aws ? (clouds.aws.accountId ?? peers.aws.getCallerIdentity.getCallerIdentityOutput({}, { parent: this }).accountId) : undefined;
        const ctx: BuildContext = { name, spec, protect: protectKeys ?? true, accountId, hierarchy: this, managedHsm: {}, audit: resolved.audit, existingVault: {}, strictRoles: {} };
        for (const domain of resolved.domains) this.addDomain(ctx, domain);
        addAudit(ctx);

        // Registered as plain nesting (the engine awaits each leaf Output, and a partly unknown map stays partly
        // known in a preview); the `keys` Output over it is only built when read: ~8 Outputs per key, plus the
        // Outputs and promises `pulumi.output` makes to lift every level of the map.
        this.keyIds = Object.fromEntries(Object.entries(this.logical).map(([id, k]) => [id, logicalIds(k, spec)]));
        this.registerOutputs({ keys: this.keyIds });
    }

    /** `domain/key` -> identifiers in each cloud. */
    get keys(): pulumi.Output<Record<string, LogicalKeyIds>> {
        return (this.keysOutput ??= pulumi.output(this.keyIds) as pulumi.Output<Record<string, LogicalKeyIds>>);
    }

    private addDomain(ctx: BuildContext, domain: ResolvedDomain): void {
        const dn = `${ctx.name}-${domain.name}`;
        const domainComponent = new KeyDomain(dn, { domain: domain.name, classification: domain.classification }, { parent: this });
        this.domains[domain.name] = domainComponent;
        const d: DomainContext = { ...ctx, domain, dn, component: domainComponent };
        for (const key of domain.keys) this.logical[key.id] = addKey(d, key);
        domainComponent.done();
    }

    /** The per-cloud components of `domain/key`; throws naming the declared keys when there is no such key. */
    key(id: string): LogicalKey {
        const k = this.logical[id];
        if (!k) {
            throw new KeyfabricValidationError("KeyHierarchy.key()", [
                { code: "unknown_key", path: "id", message: "is not a key of this hierarchy", allowed: Object.keys(this.logical), got: id },
            ]);
        }
        return k;
    }

    /** Every logical key, `domain/key` -> components. */
    allKeys(): Readonly<Record<string, LogicalKey>> {
        return this.logical;
    }
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
    return list && list.length > 0 ? list : undefined;
}

function needsPremium(domain: ResolvedDomain, location: string, primary: string): boolean {
    return domain.keys.some(
        (k) => k.shapes.azure?.vaultSku === "premium" && (location === primary || (k.regions.azure ?? []).includes(location)),
    );
}

function logicalIds(k: LogicalKey, spec: HierarchySpec): pulumi.Input<LogicalKeyIds> {
    const gcpIds = (g: GcpKey) => ({ cryptoKeyId: g.cryptoKeyId, keyRingId: g.keyRingId });
    const azureIds = (a: AzureKey) => ({ keyId: a.keyId, keyUri: a.keyUri });
    const extra = <T, R>(byLoc: Record<string, T>, primary: string | undefined, f: (x: T) => R) =>
        Object.fromEntries(Object.entries(byLoc).filter(([l]) => l !== primary).map(([l, x]) => [l, f(x)]));
    const ids: Record<string, unknown> = {};
    if (k.aws) ids.aws = { keyArn: k.aws.keyArn, keyId: k.aws.keyId, aliasArns: k.aws.aliases.map((a) => a.arn), replicaArns: Object.fromEntries(Object.entries(k.aws.replicas).map(([r, x]) => [r, x.arn])) };
    if (k.gcp) ids.gcp = gcpIds(k.gcp);
    if (k.azure) ids.azure = azureIds(k.azure);
    const gl = extra(k.gcpByLocation, spec.clouds.gcp?.location, gcpIds);
    if (Object.keys(gl).length) ids.gcpLocations = gl;
    const al = extra(k.azureByLocation, spec.clouds.azure?.location, azureIds);
    if (Object.keys(al).length) ids.azureLocations = al;
    return ids as pulumi.Input<LogicalKeyIds>;
}

/** Reads a hierarchy spec from stack config (`<namespace>:<key>`, default `keyfabric:hierarchy`). Call it in the program. */
export function hierarchyFromConfig(namespace = "keyfabric", key = "hierarchy"): HierarchySpec {
    return hierarchyConfigValue(namespace, key);
}

interface BuildContext {
    readonly name: string;
    readonly spec: HierarchySpec;
    readonly protect: boolean;
    readonly accountId: pulumi.Input<string> | undefined;
    readonly hierarchy: KeyHierarchy;
    /** One getManagedHsm lookup for every key on the Managed HSM (as for the account), not one per key. */
    readonly managedHsm: { ref?: AzureManagedHsmRef };
    readonly audit: ResolvedAudit;
    /** Whether a key went to the existing vault (clouds.azure.vault.name). */
    readonly existingVault: { used?: boolean };
    /** Strict domains' custom roles shared by the hierarchy, created on first use. */
    readonly strictRoles: { gcp?: GcpCustomRoleRef; existingVault?: AzureStrictRoles; managedHsm?: AzureStrictRoles };
}

interface DomainContext extends BuildContext {
    readonly domain: ResolvedDomain;
    /** The domain component's name, the prefix of its children's. */
    readonly dn: string;
    readonly component: KeyDomain;
}

function addKey(d: DomainContext, key: ResolvedKey): LogicalKey {
    const logical: { -readonly [K in keyof LogicalKey]: LogicalKey[K] } = { id: key.id, spec: key, gcpByLocation: {}, azureByLocation: {} };
    const kn = `${d.dn}-${key.identity.key}`;
    if (key.shapes.aws) logical.aws = awsKeyOf(d, key, kn);
    if (key.shapes.gcp) {
        const gcp = d.spec.clouds.gcp!;
        for (const location of [gcp.location, ...(key.regions.gcp ?? [])]) logical.gcpByLocation[location] = gcpKeyOf(d, key, kn, location, location === gcp.location);
        logical.gcp = logical.gcpByLocation[gcp.location];
    }
    if (key.shapes.azure) {
        const az = d.spec.clouds.azure!;
        for (const location of [az.location, ...(key.regions.azure ?? [])]) logical.azureByLocation[location] = azureKeyOf(d, key, kn, location, location === az.location);
        logical.azure = logical.azureByLocation[az.location];
    }
    return logical;
}

function awsKeyOf(d: DomainContext, key: ResolvedKey, kn: string): AwsKey {
    return new AwsKey(`${kn}-aws`, awsKeyArgs(d, key), { parent: d.component });
}

function gcpKeyOf(d: DomainContext, key: ResolvedKey, kn: string, location: string, primary: boolean): GcpKey {
    return new GcpKey(primary ? `${kn}-gcp` : `${kn}-gcp-${location}`, gcpKeyArgs(d, key, location), { parent: d.component });
}

function azureKeyOf(d: DomainContext, key: ResolvedKey, kn: string, location: string, primary: boolean): AzureKey {
    return new AzureKey(primary ? `${kn}-azure` : `${kn}-azure-${location}`, azureKeyArgs(d, key, location), { parent: d.component });
}

function commonArgs(d: DomainContext, key: ResolvedKey) {
    return { purpose: key.purpose, algorithm: key.algorithm, identity: key.identity, protect: d.protect };
}

function awsKeyArgs(d: DomainContext, key: ResolvedKey): AwsKeyArgs {
    const users = key.users.aws;
    return {
        ...commonArgs(d, key),
        region: d.spec.clouds.aws!.region,
        accountId: d.accountId,
        origin: key.origin,
        description: key.description,
        rotationDays: key.rotationDays,
        deletionWindowDays: key.deletionWindowDays,
        multiRegion: key.multiRegion,
        replicaRegions: key.regions.aws,
        aliases: [`${d.spec.name}/${d.domain.name}/${key.identity.key}`, ...key.aliases],
        ...(key.material ? { material: key.material } : {}),
        ...(key.validTo ? { validTo: key.validTo } : {}),
        administrators: nonEmpty(key.admins.aws),
        ...(key.purpose === "encrypt" ? { users: nonEmpty(users) } : key.purpose === "sign" ? { signers: nonEmpty(users) } : { macUsers: nonEmpty(users) }),
        tags: key.tags,
        ...(d.domain.separationOfDuties === "strict" ? { separationOfDuties: "strict" as const, deployers: d.domain.deployer.aws } : {}),
    };
}

function gcpKeyArgs(d: DomainContext, key: ResolvedKey, location: string): GcpKeyArgs {
    return {
        ...commonArgs(d, key),
        keyRing: keyRingFor(d, location).id,
        keyName: key.identity.key,
        protection: key.protection,
        origin: key.origin,
        rotationDays: key.rotationDays,
        deletionWindowDays: key.deletionWindowDays,
        ...(key.material ? { material: key.material } : {}),
        admins: nonEmpty(key.admins.gcp),
        users: nonEmpty(key.users.gcp),
        labels: correlationLabels(undefined, key.tags),
        ...(d.domain.separationOfDuties === "strict" ? { separationOfDuties: "strict" as const, adminRole: gcpAdminRole(d) } : {}),
    };
}

/** Strict domains: the administrators' custom role, one per hierarchy in clouds.gcp.project (`<name>-gcp-key-admin-role`). */
function gcpAdminRole(ctx: BuildContext): GcpCustomRoleRef {
    return (ctx.strictRoles.gcp ??= strictAdminRole(`${ctx.name}-gcp-key-admin-role`, ctx.spec.clouds.gcp!.project, strictAdminRoleId(ctx.spec.name), ctx.spec.name, { parent: ctx.hierarchy }).ref);
}

/**
 * Strict domains: the custom roles of the keys' vault or Managed HSM. A created vault's pair is the domain's
 * (`<name>-<domain>-vault-<location>-key-{admin,user}-role`, assignable at that vault); the existing vault's and the
 * Managed HSM's are the hierarchy's (`<name>-vault-key-…`, `<name>-managedhsm-key-…`).
 */
function azureStrictRoles(d: DomainContext, location: string, onHsm: boolean): AzureStrictRoles {
    const az = d.spec.clouds.azure!;
    if (onHsm) {
        const hsm = managedHsmRef(d);
        return (d.strictRoles.managedHsm ??= managedHsmStrictRoles(`${d.name}-managedhsm`, hsm.id!, hsm.name, `${d.spec.name}/${hsm.name}`, { parent: d.hierarchy }));
    }
    if (az.vault?.name) {
        const name = az.vault.name;
        const id = peers.azureNative.keyvault.getVaultOutput({ vaultName: name, resourceGroupName: az.resourceGroupName }, { parent: d.hierarchy }).id;
        return (d.strictRoles.existingVault ??= keyVaultStrictRoles(`${d.name}-vault`, id, name, `${d.spec.name}/${name}`, { parent: d.hierarchy }));
    }
    vaultFor(d, location);
    const vault = d.component.vaults[location];
    const vaultName = azureVaultName(d.spec.name, d.domain.name, location);
    return (d.component.vaultRoles[location] ??= keyVaultStrictRoles(`${d.dn}-vault-${location}`, vault.id, vaultName, vaultName, { parent: d.component }));
}

function azureKeyArgs(d: DomainContext, key: ResolvedKey, location: string): AzureKeyArgs {
    const az = d.spec.clouds.azure!;
    const onHsm = key.shapes.azure!.container === "managedHsm";
    return {
        ...commonArgs(d, key),
        resourceGroupName: az.resourceGroupName,
        ...(onHsm ? { managedHsm: managedHsmRef(d) } : { vaultName: vaultFor(d, location) }),
        keyName: `${d.domain.name}-${key.identity.key}`,
        protection: key.protection,
        origin: key.origin,
        ...(key.material ? { material: key.material } : {}),
        rotationDays: key.azureRotationDays,
        admins: nonEmpty(key.admins.azure),
        users: nonEmpty(key.users.azure),
        tags: key.tags,
        ...(d.domain.separationOfDuties === "strict" ? { separationOfDuties: "strict" as const, strictRoles: azureStrictRoles(d, location, onHsm) } : {}),
    };
}

/** The domain's key ring in `location`, created on first use. */
function keyRingFor(d: DomainContext, location: string): gcpKms.KeyRing {
    return (d.component.keyRings[location] ??= newKeyRing(d, location));
}

function newKeyRing(d: DomainContext, location: string): gcpKms.KeyRing {
    const args = { name: `${d.spec.name}-${d.domain.name}`, location, project: d.spec.clouds.gcp!.project };
    return new peers.gcp.kms.KeyRing(`${d.dn}-ring-${location}`, args, { parent: d.component, protect: d.protect, retainOnDelete: d.protect });
}

/** The vault for `location`: the configured one, else the domain's, created on first use. */
function vaultFor(d: DomainContext, location: string): pulumi.Input<string> {
    const az = d.spec.clouds.azure!;
    if (az.vault?.name) {
        d.existingVault.used = true;
        return az.vault.name;
    }
    return (d.component.vaults[location] ??= newVault(d, location)).name;
}

function newVault(d: DomainContext, location: string): keyvault.Vault {
    const az = d.spec.clouds.azure!;
    const sku = az.vault?.sku ?? (needsPremium(d.domain, location, az.location) ? "premium" : "standard");
    const containerId: KeyIdentity = { hierarchy: d.spec.name, domain: d.domain.name, key: "", owner: d.spec.owner, classification: d.domain.classification };
    const tags = { ...d.spec.defaults?.tags, ...correlationTags(containerId) };
    const vaultName = azureVaultName(d.spec.name, d.domain.name, location);
    const args = secureVaultArgs(vaultName, az.resourceGroupName, { location, tenantId: az.tenantId, ipRules: az.vault?.ipRules }, sku, tags);
    const vault = new peers.azureNative.keyvault.Vault(`${d.dn}-vault-${location}`, args, { parent: d.component, protect: d.protect, retainOnDelete: d.protect });
    const dest = azureAuditDestination(d.audit);
    if (dest) d.component.vaultAudit[location] = auditDiagnosticSetting(`${d.dn}-vault-${location}-audit`, vault.id, dest, { parent: d.component });
    const pe = az.vault?.privateEndpoint;
    if (pe) {
        // One subnet serves every vault of the hierarchy: the endpoint lives in its virtual network's location.
        const settings = { subnetId: pe.subnetId, privateDnsZoneId: pe.privateDnsZoneId, location: pe.location ?? az.location };
        d.component.vaultEndpoints[location] = vaultPrivateEndpoint(`${d.dn}-vault-${location}-endpoint`, vaultName, vault.id, az.resourceGroupName, location, settings, tags, { parent: d.component }).endpoint;
    }
    return vault;
}

/** Where keyfabric sends Azure AuditEvent logs, when it sets diagnostic settings at all. */
function azureAuditDestination(audit: ResolvedAudit) {
    const az = audit.azure;
    return az && !az.external ? { workspaceId: az.workspaceId, storageAccountId: az.storageAccountId } : undefined;
}

/**
 * What `audit` asks of the hierarchy itself (the created vaults' settings are made with the vaults): the Cloud KMS
 * audit config on the project, and the diagnostic settings of the existing vault and Managed HSM the keys used.
 */
function addAudit(ctx: BuildContext): void {
    const h = ctx.hierarchy;
    const gcp = ctx.audit.gcp;
    if (gcp && !gcp.external && gcp.project) h.audit.gcp = kmsAuditConfig(`${ctx.name}-cloudkms-audit`, gcp.project, { parent: h });
    const dest = azureAuditDestination(ctx.audit);
    if (!dest || !ctx.audit.azure!.includeExisting) return;
    const az = ctx.spec.clouds.azure!;
    if (ctx.existingVault.used && az.vault?.name) {
        const id = peers.azureNative.keyvault.getVaultOutput({ vaultName: az.vault.name, resourceGroupName: az.resourceGroupName }, { parent: h }).id;
        h.audit.azure.vault = auditDiagnosticSetting(`${ctx.name}-vault-audit`, id, dest, { parent: h });
    }
    if (ctx.managedHsm.ref?.id !== undefined) {
        h.audit.azure.managedHsm = auditDiagnosticSetting(`${ctx.name}-managedhsm-audit`, ctx.managedHsm.ref.id, dest, { parent: h });
    }
}

function managedHsmRef(ctx: BuildContext): AzureManagedHsmRef {
    if (!ctx.managedHsm.ref) {
        const az = ctx.spec.clouds.azure!;
        const hsm = az.managedHsm!;
        const id = peers.azureNative.keyvault.getManagedHsmOutput({ name: hsm.name, resourceGroupName: hsm.resourceGroupName ?? az.resourceGroupName }, { parent: ctx.hierarchy }).id;
        ctx.managedHsm.ref = { ...hsm, id };
    }
    return ctx.managedHsm.ref;
}
