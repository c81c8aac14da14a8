/**
 * `keyfabric:index:KeyHierarchy`: one declaration that fans out to each cloud's keys, containers, IAM and rotation.
 *
 * Tree: KeyHierarchy -> KeyDomain (`<name>-<domain>`) -> key rings / vaults and per-cloud Key components
 * (`<name>-<domain>-<key>-<cloud>[-<location>]`). Child names derive from spec names only, so reordering domains or
 * keys changes nothing; renaming one replaces it (use `aliases` in resource options to move).
 */
import * as pulumi from "@pulumi/pulumi";
import * as gcpKms from "@pulumi/gcp/kms";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { AwsKey } from "./aws/key";
import { AzureKey, AzureManagedHsmRef, secureVaultArgs } from "./azure/key";
import { GcpKey } from "./gcp/key";
import { KeyfabricValidationError } from "./spec/errors";
import { azureVaultName, correlationLabels, correlationTags, KeyIdentity } from "./spec/names";
import { HierarchySpec } from "./spec/schema";
import { ResolvedDomain, ResolvedHierarchy, ResolvedKey, validateHierarchy } from "./spec/validate";

export interface AwsKeyIds {
    keyArn: string;
    keyId: string;
    aliasArns: string[];
    replicaArns: Record<string, string>;
}
export interface GcpKeyIds {
    cryptoKeyId: string;
    keyRingId: string;
}
export interface AzureKeyIds {
    /** ARM id (Key Vault) or versionless key id (Managed HSM). */
    keyId: string;
    /** Versionless key URI. */
    keyUri: string;
}

/** Identifiers of one logical key in every cloud; `gcpLocations`/`azureLocations` hold instances in extra locations. */
export interface LogicalKeyIds {
    aws?: AwsKeyIds;
    gcp?: GcpKeyIds;
    azure?: AzureKeyIds;
    gcpLocations?: Record<string, GcpKeyIds>;
    azureLocations?: Record<string, AzureKeyIds>;
}

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
    private readonly logical: Record<string, LogicalKey> = {};
    /** `keys` as plain nesting with the resources' Outputs as leaves: what is registered as the `keys` output. */
    private readonly keyIds: Record<string, pulumi.Input<LogicalKeyIds>>;
    private keysOutput?: pulumi.Output<Record<string, LogicalKeyIds>>;

    /**
     * @param spec the hierarchy, from TypeScript or stack config (`new pulumi.Config("keyfabric").requireObject("hierarchy")`).
     *   Validated in full before anything is created: every problem is listed in one error.
     */
    constructor(name: string, spec: HierarchySpec, opts: KeyHierarchyOptions = {}) {
        const resolved = validateHierarchy(spec);
        const { protectKeys, ...componentOpts } = opts;
        super("keyfabric:index:KeyHierarchy", name, { spec }, componentOpts);
        this.resolved = resolved;
        const protect = protectKeys ?? true;
        const clouds = spec.clouds;
        const accountId = clouds.aws ? (clouds.aws.accountId ?? getCallerIdentityOutput({}, { parent: this }).accountId) : undefined;
        // One getManagedHsm lookup for every key on the Managed HSM (as for the account above), not one per key.
        let managedHsm: AzureManagedHsmRef | undefined;
        const managedHsmRef = (): AzureManagedHsmRef => {
            if (!managedHsm) {
                const hsm = clouds.azure!.managedHsm!;
                const id = keyvault.getManagedHsmOutput({ name: hsm.name, resourceGroupName: hsm.resourceGroupName ?? clouds.azure!.resourceGroupName }, { parent: this }).id;
                managedHsm = { ...hsm, id };
            }
            return managedHsm;
        };

        for (const domain of resolved.domains) {
            const dn = `${name}-${domain.name}`;
            const domainComponent = new KeyDomain(dn, { domain: domain.name, classification: domain.classification }, { parent: this });
            this.domains[domain.name] = domainComponent;
            const containerId: KeyIdentity = { hierarchy: spec.name, domain: domain.name, key: "", owner: spec.owner, classification: domain.classification };
            const keyRingFor = (location: string) => {
                if (!domainComponent.keyRings[location]) {
                    domainComponent.keyRings[location] = new gcpKms.KeyRing(
                        `${dn}-ring-${location}`,
                        { name: `${spec.name}-${domain.name}`, location, project: clouds.gcp!.project },
                        { parent: domainComponent, protect, retainOnDelete: protect },
                    );
                }
                return domainComponent.keyRings[location];
            };
            const vaultFor = (location: string): pulumi.Input<string> => {
                if (clouds.azure!.vault?.name) return clouds.azure!.vault.name;
                if (!domainComponent.vaults[location]) {
                    const sku = clouds.azure!.vault?.sku ?? (needsPremium(domain, location, clouds.azure!.location) ? "premium" : "standard");
                    domainComponent.vaults[location] = new keyvault.Vault(
                        `${dn}-vault-${location}`,
                        secureVaultArgs(
                            azureVaultName(spec.name, domain.name, location),
                            clouds.azure!.resourceGroupName,
                            { location, tenantId: clouds.azure!.tenantId },
                            sku,
                            { ...spec.defaults?.tags, ...correlationTags(containerId) },
                        ),
                        { parent: domainComponent, protect, retainOnDelete: protect },
                    );
                }
                return domainComponent.vaults[location].name;
            };

            for (const key of domain.keys) {
                const kn = `${dn}-${key.identity.key}`;
                const common = { purpose: key.purpose, algorithm: key.algorithm, identity: key.identity, protect };
                const logical: { -readonly [K in keyof LogicalKey]: LogicalKey[K] } = { id: key.id, spec: key, gcpByLocation: {}, azureByLocation: {} };
                if (key.shapes.aws) {
                    const users = key.users.aws;
                    logical.aws = new AwsKey(
                        `${kn}-aws`,
                        {
                            ...common,
                            region: clouds.aws!.region,
                            accountId,
                            origin: key.origin,
                            description: key.description,
                            rotationDays: key.rotationDays,
                            deletionWindowDays: key.deletionWindowDays,
                            multiRegion: key.multiRegion,
                            replicaRegions: key.regions.aws,
                            aliases: [`${spec.name}/${domain.name}/${key.identity.key}`, ...key.aliases],
                            ...(key.material ? { material: key.material } : {}),
                            ...(key.validTo ? { validTo: key.validTo } : {}),
                            administrators: nonEmpty(key.admins.aws),
                            ...(key.purpose === "encrypt" ? { users: nonEmpty(users) } : key.purpose === "sign" ? { signers: nonEmpty(users) } : { macUsers: nonEmpty(users) }),
                            tags: key.tags,
                        },
                        { parent: domainComponent },
                    );
                }
                if (key.shapes.gcp) {
                    for (const location of [clouds.gcp!.location, ...(key.regions.gcp ?? [])]) {
                        const primary = location === clouds.gcp!.location;
                        logical.gcpByLocation[location] = new GcpKey(
                            primary ? `${kn}-gcp` : `${kn}-gcp-${location}`,
                            {
                                ...common,
                                keyRing: keyRingFor(location).id,
                                keyName: key.identity.key,
                                protection: key.protection,
                                origin: key.origin,
                                rotationDays: key.rotationDays,
                                deletionWindowDays: key.deletionWindowDays,
                                ...(key.material ? { material: key.material } : {}),
                                admins: nonEmpty(key.admins.gcp),
                                users: nonEmpty(key.users.gcp),
                                labels: correlationLabels(undefined, key.tags),
                            },
                            { parent: domainComponent },
                        );
                    }
                    logical.gcp = logical.gcpByLocation[clouds.gcp!.location];
                }
                if (key.shapes.azure) {
                    const az = clouds.azure!;
                    for (const location of [az.location, ...(key.regions.azure ?? [])]) {
                        const primary = location === az.location;
                        const onHsm = key.shapes.azure.container === "managedHsm";
                        logical.azureByLocation[location] = new AzureKey(
                            primary ? `${kn}-azure` : `${kn}-azure-${location}`,
                            {
                                ...common,
                                resourceGroupName: az.resourceGroupName,
                                ...(onHsm ? { managedHsm: managedHsmRef() } : { vaultName: vaultFor(location) }),
                                keyName: `${domain.name}-${key.identity.key}`,
                                protection: key.protection,
                                origin: key.origin,
                                ...(key.material ? { material: key.material } : {}),
                                rotationDays: key.rotationDays,
                                admins: nonEmpty(key.admins.azure),
                                users: nonEmpty(key.users.azure),
                                tags: key.tags,
                            },
                            { parent: domainComponent },
                        );
                    }
                    logical.azure = logical.azureByLocation[az.location];
                }
                this.logical[key.id] = logical;
            }
            domainComponent.done();
        }

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
    if (k.aws) ids.aws = { keyArn: k.aws.keyArn, keyId: k.aws.keyId, aliasArns: k.aws.aliasArnList(), replicaArns: k.aws.replicaArnMap() };
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
    return new pulumi.Config(namespace).requireObject<HierarchySpec>(key);
}

