/**
 * The model of `keyfabric-hierarchy-enforce-key-classification`: which data stores (key consumers, `consumers.ts`)
 * carry a data classification, which key of the stack each one encrypts with, and that key's domain, domain
 * classification and location.
 *
 * - A consumer's classification is its `keyfabric:classification` tag (AWS, Azure) or `keyfabric-classification`
 *   label (GCP): the keys keyfabric tags its own keys with (`sdk/schema/names.ts` `correlationTags`/`correlationLabels`),
 *   the tag key compared case-insensitively. On state the provider-merged maps (`tagsAll`, `effectiveLabels`) and the
 *   AWS provider's `defaultTags` / GCP provider's `defaultLabels` count too. Resources that only attach a key to a data
 *   store (an S3 bucket encryption configuration, a classic storage CustomerManagedKey, SQL TDE protectors, ...) take
 *   the classification of the store they attach to (`HOLDERS`).
 * - The keys a consumer names (`KeyConsumer.keyRefs`) are matched to the stack's key resources: AWS key ARNs, key ids,
 *   `alias/...` names and alias ARNs (through `aws:kms/alias:Alias` resources, then the aliases a KeyHierarchy spec
 *   gives its keys), GCP crypto key ids, Azure Key Vault / Managed HSM key URIs (versioned or not), ARM key ids and SQL
 *   server key names (`<vault>_<key>_<version>`), and disk encryption sets (whose own entry names their key).
 * - At preview a key reference computed from a key (`key.arn`) is unknown. The engine still sends which resources
 *   each input property's value came from (`PolicyResource.propertyDependencies`, `AnalyzerResource.propertyDependencies`
 *   in analyzer.proto): the key, alias or disk encryption set the unknown property depends on is the key used.
 *
 * Values unknown at preview are read through the policy SDK's proxy: a fact that stays unknown throws its
 * UnknownValueError, which the rule rethrows once it has judged every consumer it can (the engine then reports
 * "can't run policy" for the rule, next to the violations already reported).
 */
import { UnknownValueError } from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import type { KeyConsumer } from "./consumers";
import { Cloud, Identity, identityOf, KEY_TYPES, norm, plain, Stack, TYPES, UNKNOWN } from "./crosscloud";
import { asArray, isObject, LABELS, TAGS } from "./props";

// ---------------------------------------------------------------------------------------------------------------
// Classifications.

/** The hierarchy's domain classifications, least to most sensitive. */
export const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const classificationRank = (c: Classification): number => CLASSIFICATIONS.indexOf(c);

/** A classification value (trimmed, any case); undefined for anything else. */
export function parseClassification(v: unknown): Classification | undefined {
    if (typeof v !== "string") return undefined;
    const c = v.trim().toLowerCase();
    return (CLASSIFICATIONS as readonly string[]).includes(c) ? (c as Classification) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading values: unknowns are kept as their UnknownValueError, so that the rule can rethrow the first one.

/** A value unknown at preview, with the proxy's error (its message names the property). */
export class UnknownAt {
    constructor(readonly error: Error) {}
}

/** Runs `read`; an UnknownValueError becomes an `UnknownAt`. */
export function attempt<T>(read: () => T): T | UnknownAt {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) return new UnknownAt(e as Error);
        throw e;
    }
}

/** The value, or throws the unknown's error. */
export function must<T>(v: T | UnknownAt): T {
    if (v instanceof UnknownAt) throw v.error;
    return v;
}

/** A fact that cannot be decided without an UnknownValueError to show for it: the consumer is left undecided. */
export class Undecided extends Error {}

/** Throws the UnknownValueError `read` throws; an `Undecided` when it throws none. */
function rethrowUnknown(read: () => unknown): never {
    read();
    throw new Undecided("a value is not known during preview");
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** The value of the tag `key` (case-insensitive) of a tags/labels map, reading only that value. */
function tagOf(map: unknown, key: string): unknown {
    if (!isObject(map)) return undefined;
    const k = Object.keys(map).find((t) => t.toLowerCase() === key.toLowerCase());
    return k === undefined ? undefined : map[k];
}

// ---------------------------------------------------------------------------------------------------------------
// Resource types.

/** azure-native tokens with an explicit API version are the same resource: `azure-native:keyvault/v20230701:Key`. */
export const baseType = (type: string) => type.replace(/^azure-native:([a-z0-9]+)\/v[0-9a-z]+:/i, "azure-native:$1:");

export const K = {
    awsAlias: "aws:kms/alias:Alias",
    azureClassicKey: "azure:keyvault/key:Key",
    azureClassicVault: "azure:keyvault/keyVault:KeyVault",
    azureNativeDes: "azure-native:compute:DiskEncryptionSet",
    azureClassicDes: "azure:compute/diskEncryptionSet:DiskEncryptionSet",
} as const;

const AWS_KEYS = new Set<string>([TYPES.awsKey, TYPES.awsExternalKey, TYPES.awsReplicaKey, TYPES.awsReplicaExternalKey]);
const AWS_PRIMARY_KEYS = new Set<string>([TYPES.awsKey, TYPES.awsExternalKey]);

/** Every key resource a consumer can name, with its cloud. */
export const KEY_RESOURCES: Readonly<Record<string, Cloud>> = { ...KEY_TYPES, [K.azureClassicKey]: "azure" };

export const keyCloud = (r: PolicyResource): Cloud | undefined => KEY_RESOURCES[baseType(r.type)];

/** Resources that hold a key for others: a disk encryption set's own consumer entry names its key. */
const KEY_SETS = new Set<string>([K.azureNativeDes, K.azureClassicDes]);

// ---------------------------------------------------------------------------------------------------------------
// Consumers that only attach a key to a data store: their classification is the store's.

interface Holder {
    /** The property naming the store (its dependency at preview). */
    readonly prop: string;
    /** The store's types. */
    readonly types: readonly string[];
    /** The names the store is known by (lower-cased), compared with the property's value (lower-cased, see `value`). */
    readonly names: (props: any) => unknown[];
    /** The name in the property's value: the whole value, or the last segment of an id. */
    readonly value?: (v: string) => string;
    /** The attachment sets the store's encryption: the store's own key settings (on state, copied from it) are not judged. */
    readonly supersedes?: boolean;
}

const lastSegment = (v: string) => v.replace(/\/+$/, "").split("/").pop() ?? v;

export const HOLDERS: Readonly<Record<string, Holder>> = {
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        prop: "bucket",
        types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
        names: (p) => [p.bucket, p.id],
        supersedes: true,
    },
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {
        prop: "bucket",
        types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
        names: (p) => [p.bucket, p.id],
        supersedes: true,
    },
    "aws:efs/replicationConfiguration:ReplicationConfiguration": {
        prop: "sourceFileSystemId",
        types: ["aws:efs/fileSystem:FileSystem"],
        names: (p) => [p.id],
    },
    "aws:dynamodb/tableReplica:TableReplica": {
        prop: "globalTableArn",
        types: ["aws:dynamodb/table:Table"],
        names: (p) => [p.arn, p.name],
        value: (v) => (/:table\/([^/]+)$/.exec(v)?.[1] ?? v),
    },
    "azure:storage/customerManagedKey:CustomerManagedKey": {
        prop: "storageAccountId",
        types: ["azure:storage/account:Account"],
        names: (p) => [p.name],
        value: lastSegment,
        supersedes: true,
    },
    "azure-native:sql:EncryptionProtector": {
        prop: "serverName",
        types: ["azure-native:sql:Server"],
        names: (p) => [p.serverName, p.name],
    },
    "azure-native:sql:ServerKey": {
        prop: "serverName",
        types: ["azure-native:sql:Server"],
        names: (p) => [p.serverName, p.name],
    },
    "azure:mssql/serverTransparentDataEncryption:ServerTransparentDataEncryption": {
        prop: "serverId",
        types: ["azure:mssql/server:Server"],
        names: (p) => [p.name],
        value: lastSegment,
    },
};

// ---------------------------------------------------------------------------------------------------------------
// Key references.

export type KeyRef =
    | { readonly cloud: "aws"; readonly kind: "arn"; readonly region: string; readonly keyId: string; readonly arn: string }
    | { readonly cloud: "aws"; readonly kind: "id"; readonly keyId: string }
    | { readonly cloud: "aws"; readonly kind: "alias"; readonly alias: string; readonly region?: string }
    | { readonly cloud: "gcp"; readonly project: string; readonly location: string; readonly ring: string; readonly key: string }
    | { readonly cloud: "azure"; readonly kind: "key"; readonly host: "vault" | "managedhsm"; readonly container: string; readonly key: string }
    | { readonly cloud: "azure"; readonly kind: "des"; readonly name: string; readonly id: string };

const AWS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/;
const AWS_ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;
const AWS_KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const GCP_KEY = /^(?:\/\/cloudkms\.googleapis\.com\/)?projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+)(?:\/cryptoKeyVersions\/[^/]+)?\/?$/;
const AZURE_KEY_URI = /^https:\/\/([^./]+)\.(vault|managedhsm)\.[a-z0-9.-]+(?::443)?\/keys\/([^/?#]+)(?:\/[^/?#]*)?\/?$/i;
const AZURE_ARM_KEY = /\/providers\/Microsoft\.KeyVault\/(vaults|managedHSMs)\/([^/]+)\/keys\/([^/]+)(?:\/versions\/[^/]+)?\/?$/i;
const AZURE_DES = /\/providers\/Microsoft\.Compute\/diskEncryptionSets\/([^/]+)\/?$/i;
/** Azure SQL's name for a server key: `<vault>_<key>_<version>` (vault names have no underscore). */
const AZURE_SQL_KEY = /^([0-9A-Za-z-]{3,24})_([0-9A-Za-z-]{1,127})_([0-9a-fA-F]{32})$/;

/** What a key reference names; undefined for a form none of the clouds uses (not judged). */
export function parseKeyRef(ref: string): KeyRef | undefined {
    const v = ref.trim();
    let m: RegExpExecArray | null;
    if ((m = AWS_KEY_ARN.exec(v))) return { cloud: "aws", kind: "arn", region: m[1], keyId: m[3].toLowerCase(), arn: v.toLowerCase() };
    if ((m = AWS_ALIAS_ARN.exec(v))) return { cloud: "aws", kind: "alias", alias: m[3], region: m[1] };
    if (v.startsWith("alias/")) return { cloud: "aws", kind: "alias", alias: v };
    if (AWS_KEY_ID.test(v)) return { cloud: "aws", kind: "id", keyId: v.toLowerCase() };
    if ((m = GCP_KEY.exec(v))) return { cloud: "gcp", project: m[1], location: m[2], ring: m[3], key: m[4] };
    if ((m = AZURE_KEY_URI.exec(v))) return { cloud: "azure", kind: "key", host: m[2].toLowerCase() as "vault" | "managedhsm", container: m[1].toLowerCase(), key: m[3].toLowerCase() };
    if ((m = AZURE_ARM_KEY.exec(v))) return { cloud: "azure", kind: "key", host: m[1].toLowerCase() === "vaults" ? "vault" : "managedhsm", container: m[2].toLowerCase(), key: m[3].toLowerCase() };
    if ((m = AZURE_DES.exec(v))) return { cloud: "azure", kind: "des", name: m[1].toLowerCase(), id: v.toLowerCase().replace(/\/+$/, "") };
    if ((m = AZURE_SQL_KEY.exec(v))) return { cloud: "azure", kind: "key", host: "vault", container: m[1].toLowerCase(), key: m[2].toLowerCase() };
    return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The key references a consumer names, and the properties whose value is unknown.

/** A view of `props` without the top-level properties in `masked` (read as absent). */
function withoutProps(props: any, masked: ReadonlySet<string>): any {
    if (masked.size === 0) return props;
    const hidden = (p: string | symbol) => typeof p === "string" && masked.has(p);
    return new Proxy(props, {
        get: (t, p) => (hidden(p) ? undefined : Reflect.get(t, p)),
        has: (t, p) => !hidden(p) && Reflect.has(t, p),
        getOwnPropertyDescriptor: (t, p) => (hidden(p) ? undefined : Reflect.getOwnPropertyDescriptor(t, p)),
        ownKeys: (t) => Reflect.ownKeys(t).filter((k) => !hidden(k)),
    });
}

export interface ConsumerRefs {
    /** The references read. */
    readonly refs: string[];
    /** Top-level properties whose value (or a value inside) is unknown, with the proxy's error. */
    readonly unknown: { readonly prop: string; readonly error: Error }[];
}

/**
 * `consumer.keyRefs(props)`; when it meets a value unknown at preview, the top-level property holding it is set aside
 * (read as absent) and `keyRefs` runs again, so that every known reference is still read.
 */
export function refsOf(consumer: KeyConsumer, props: any): ConsumerRefs {
    const masked = new Set<string>();
    const unknown: { prop: string; error: Error }[] = [];
    for (;;) {
        try {
            return { refs: consumer.keyRefs(withoutProps(props, masked)).filter((r): r is string => typeof r === "string" && r.trim() !== ""), unknown };
        } catch (e) {
            if (!(e instanceof UnknownValueError)) throw e;
            const top = (e as unknown as { props?: unknown[] }).props?.[0];
            if (typeof top !== "string" || masked.has(top)) throw e;
            masked.add(top);
            unknown.push({ prop: top, error: e as Error });
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The stack's keys: names, identities, classifications, locations.

interface AwsNames {
    readonly arn?: string;
    readonly keyId?: string;
    /** `UnknownAt` when unknown; undefined when nothing says. */
    readonly region: string | undefined | UnknownAt;
}

interface ContainerNames {
    readonly host: "vault" | "managedhsm";
    readonly container: string;
    readonly key: string;
}

interface GcpNames {
    readonly project?: string;
    readonly location: string;
    readonly ring: string;
    readonly key: string;
}

/** A key's facts for the rule. */
export interface KeyFacts {
    readonly cloud: Cloud;
    /** Its logical key / domain; undefined when no hierarchy claims it. */
    readonly identity?: Identity;
    /** Its domain's classification; undefined when none can be found. */
    readonly classification?: Classification;
    /** Where it is (region / location); undefined when the stack does not say. */
    readonly location?: string;
    /** The locations its domain allows (undefined: anywhere). */
    readonly allowed?: readonly string[];
}

/** What a key reference comes to: a key of the stack, or a key the stack does not declare. */
export type Target = { readonly key: PolicyResource } | { readonly absent: true };

const normLocation = (cloud: Cloud, l: string) => (cloud === "azure" ? l.replace(/\s+/g, "") : l.trim()).toLowerCase();

/** The KeyHierarchy-derived facts the rule reads, and the stack's keys matched by the names consumers use (names cached per key). */
export class KeyModel {
    private readonly awsKeys: PolicyResource[];
    private readonly gcpKeys: PolicyResource[];
    private readonly azureKeys: PolicyResource[];
    private readonly aliases: PolicyResource[];
    private readonly keySets: PolicyResource[];
    /** `hierarchy|domain` -> classification, from the specs and the KeyDomain components. */
    private readonly domainClassifications = new Map<string, Classification | UnknownAt | undefined>();
    /** Spec alias names (`alias/<hierarchy>/<domain>/<key>` and the keys' own aliases) -> logical key. */
    private readonly specAliases = new Map<string, Identity>();
    private readonly cache = new Map<string, unknown>();

    constructor(
        readonly stack: Stack,
        /** The consumer entry of a type, for disk encryption sets. */
        readonly consumerOf: (type: string) => KeyConsumer | undefined,
    ) {
        const rs = stack.resources;
        this.awsKeys = rs.filter((r) => keyCloud(r) === "aws");
        this.gcpKeys = rs.filter((r) => keyCloud(r) === "gcp");
        this.azureKeys = rs.filter((r) => keyCloud(r) === "azure");
        this.aliases = rs.filter((r) => r.type === K.awsAlias);
        this.keySets = rs.filter((r) => KEY_SETS.has(baseType(r.type)));
        this.readSpecs(rs);
    }

    private memo<T>(kind: string, r: PolicyResource, f: () => T): T | UnknownAt {
        const k = `${kind}\n${r.urn}`;
        if (!this.cache.has(k)) this.cache.set(k, attempt(f));
        return this.cache.get(k) as T | UnknownAt;
    }

    private readSpecs(rs: readonly PolicyResource[]): void {
        for (const h of rs.filter((r) => r.type === TYPES.hierarchy)) {
            const spec = attempt(() => h.props.spec);
            if (spec instanceof UnknownAt || !isObject(spec)) continue;
            const name = attempt(() => str(spec.name));
            if (typeof name !== "string") continue;
            const domains = attempt(() => asArray<any>(spec.domains).length);
            if (typeof domains !== "number") continue;
            for (let i = 0; i < domains; i++) {
                const dname = attempt(() => str(spec.domains[i]?.name));
                if (typeof dname !== "string") continue;
                const cls = attempt(() => parseClassification(spec.domains[i].classification));
                this.domainClassifications.set(`${norm(name)}|${norm(dname)}`, cls);
                const keys = attempt(() => asArray<any>(spec.domains[i].keys).length);
                for (let j = 0; typeof keys === "number" && j < keys; j++) {
                    const kname = attempt(() => str(spec.domains[i].keys[j]?.name));
                    if (typeof kname !== "string") continue;
                    const id: Identity = { hierarchy: norm(name), domain: norm(dname), key: norm(kname) };
                    this.specAliases.set(`alias/${name}/${dname}/${kname}`, id); // sdk/hierarchy.ts: the key's default alias
                    const own = attempt(() => asArray<unknown>(plain(spec.domains[i].keys[j].aliases)));
                    if (Array.isArray(own)) for (const a of own) if (typeof a === "string") this.specAliases.set(`alias/${a}`, id);
                }
            }
        }
        // KeyDomain components (`{domain, classification}` inputs) for stacks whose spec is not readable.
        for (const d of rs.filter((r) => r.type === TYPES.domain)) {
            const h = d.parent?.type === TYPES.hierarchy ? attempt(() => str(d.parent!.props.spec?.name)) : undefined;
            const dname = attempt(() => str(d.props.domain));
            if (typeof h !== "string" || typeof dname !== "string") continue;
            const k = `${norm(h)}|${norm(dname)}`;
            if (this.domainClassifications.get(k) === undefined) this.domainClassifications.set(k, attempt(() => parseClassification(d.props.classification)));
        }
    }

    // --- facts of a key ---------------------------------------------------------------------------------------

    /** The facts of a key resource; throws the UnknownValueError of a fact it needs that is unknown. */
    facts(key: PolicyResource): KeyFacts {
        const cloud = keyCloud(key)!;
        const id = identityOf(key);
        if (id === UNKNOWN) rethrowUnknown(() => plain(key.props[key.type === TYPES.gcpCryptoKey ? "labels" : "tags"]));
        if (!id) return { cloud };
        const classification = this.domainClassification(key, id);
        if (!classification) return { cloud, identity: id };
        const allowed = this.allowedLocations(id, cloud);
        const location = allowed ? must(this.location(key)) : undefined;
        return { cloud, identity: id, classification, ...(location !== undefined ? { location } : {}), ...(allowed ? { allowed } : {}) };
    }

    /** The domain's classification: the KeyHierarchy spec's (or KeyDomain's), else the key's own classification tag/label. */
    private domainClassification(key: PolicyResource, id: Identity): Classification | undefined {
        const fromSpec = this.domainClassifications.get(`${id.hierarchy}|${id.domain}`);
        if (fromSpec !== undefined) return must(fromSpec);
        const tagKey = key.type === TYPES.gcpCryptoKey ? LABELS.classification : TAGS.classification;
        return parseClassification(tagOf(key.props[key.type === TYPES.gcpCryptoKey ? "labels" : "tags"], tagKey));
    }

    /** The locations the domain allows in `cloud`, as the residency rule reads them (the spec's `domains[].regions`). */
    private allowedLocations(id: Identity, cloud: Cloud): string[] | undefined {
        const regions = this.stack.specs.get(id.hierarchy)?.domains.get(id.domain)?.regions[cloud];
        if (regions === UNKNOWN) {
            const h = this.stack.resources.find((r) => r.type === TYPES.hierarchy && this.stack.specs.get(id.hierarchy)?.urn === r.urn);
            rethrowUnknown(() => plain(h?.props.spec));
        }
        return regions ?? undefined;
    }

    /** Whether a location is one the facts' domain allows (true when the domain allows any, or the location is not known). */
    static resident(f: KeyFacts): boolean {
        if (!f.allowed || f.location === undefined) return true;
        const here = normLocation(f.cloud, f.location);
        return f.allowed.some((l) => normLocation(f.cloud, l) === here);
    }

    /** Where a key is: AWS region, GCP key ring location, Azure vault / Managed HSM location. */
    location(key: PolicyResource): string | undefined | UnknownAt {
        return this.memo("location", key, () => {
            switch (keyCloud(key)) {
                case "aws":
                    return must(this.awsNames(key).region);
                case "gcp":
                    return this.gcpNames(key)?.location;
                case "azure":
                    return this.azureLocation(key);
                default:
                    return undefined;
            }
        });
    }

    private azureLocation(key: PolicyResource): string | undefined {
        const type = baseType(key.type);
        let container: PolicyResource | undefined;
        if (type === TYPES.azureKey || type === TYPES.azureImportedKey) {
            const v = this.stack.vaultOf(key);
            if (v === UNKNOWN) rethrowUnknown(() => (type === TYPES.azureKey ? key.props.vaultName : key.props.vaultUrl));
            container = v;
        } else {
            const names = this.azureNames(key);
            if (!names) return undefined;
            const types: string[] = names.host === "vault" ? [K.azureClassicVault, TYPES.azureVault] : [TYPES.azureManagedHsm, TYPES.azureHsm];
            container =
                this.stack.dependency(key, type === K.azureClassicKey ? "keyVaultId" : "managedHsmId", types) ??
                this.stack.resources.find((c) => types.includes(baseType(c.type)) && [c.props.name, c.props.vaultName].some((n) => typeof n === "string" && n.toLowerCase() === names.container));
        }
        return container ? str(container.props.location) : undefined;
    }

    // --- names of a key ---------------------------------------------------------------------------------------

    private awsNames(key: PolicyResource): AwsNames {
        return must(
            this.memo("aws", key, () => {
                // A key being created has no ARN or id yet: no string can name it (only a dependency can).
                const arn = attempt(() => str(key.props.arn)?.toLowerCase());
                const keyId = attempt(() => str(key.props.keyId) ?? str(key.props.id));
                const region = attempt((): string | undefined => {
                    const own = str(key.props.region);
                    if (own) return own;
                    const fromArn = typeof arn === "string" ? AWS_KEY_ARN.exec(arn)?.[1] : undefined;
                    if (fromArn) return fromArn;
                    return str(key.provider?.props?.region);
                });
                return {
                    ...(typeof arn === "string" ? { arn } : {}),
                    ...(typeof keyId === "string" ? { keyId: keyId.toLowerCase() } : {}),
                    region,
                };
            }),
        );
    }

    /** A crypto key's project (when known), location, key ring and name: from its id, else its key ring and name. */
    private gcpNames(key: PolicyResource): GcpNames | undefined {
        return must(
            this.memo("gcp", key, (): GcpNames | undefined => {
                const id = attempt(() => str(key.props.id));
                const parsed = typeof id === "string" ? GCP_KEY.exec(id) : null;
                if (parsed) return { project: parsed[1], location: parsed[2], ring: parsed[3], key: parsed[4] };
                const name = str(key.props.name);
                if (!name) return undefined;
                const ring = attempt(() => str(key.props.keyRing));
                if (typeof ring === "string") {
                    const long = /^(?:\/\/cloudkms\.googleapis\.com\/)?projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/?$/.exec(ring);
                    if (long) return { project: long[1], location: long[2], ring: long[3], key: name };
                    const short = ring.split("/");
                    if (short.length === 3) return { project: short[0], location: short[1], ring: short[2], key: name };
                    return undefined;
                }
                const dep = this.stack.dependency(key, "keyRing", [TYPES.gcpKeyRing]);
                if (!dep) return must(ring) ?? undefined;
                const location = str(dep.props.location);
                const ringName = str(dep.props.name);
                if (!location || !ringName) return undefined;
                const project = str(dep.props.project);
                return { ...(project ? { project } : {}), location, ring: ringName, key: name };
            }),
        );
    }

    /** An Azure key's container (vault or Managed HSM name) and key name, lower-cased. */
    private azureNames(key: PolicyResource): ContainerNames | undefined {
        return must(
            this.memo("azure", key, (): ContainerNames | undefined => {
                const type = baseType(key.type);
                const fromUri = (v: unknown): ContainerNames | undefined => {
                    const s = str(v);
                    const ref = s ? parseKeyRef(s) : undefined;
                    return ref?.cloud === "azure" && ref.kind === "key" ? { host: ref.host, container: ref.container, key: ref.key } : undefined;
                };
                const state = [attempt(() => key.props.keyUri), attempt(() => key.props.versionlessId), attempt(() => key.props.id)].map(fromUri).find(Boolean);
                if (state) return state;
                const named = (host: "vault" | "managedhsm", container: string | undefined, name: string | undefined) =>
                    container && name ? { host, container: container.toLowerCase(), key: name.toLowerCase() } : undefined;
                switch (type) {
                    case TYPES.azureKey: {
                        const vault = this.stack.vaultOf(key);
                        if (vault === UNKNOWN) rethrowUnknown(() => key.props.vaultName);
                        const vaultName = vault ? str(vault.props.vaultName) : str(key.props.vaultName);
                        return named("vault", vaultName, str(key.props.keyName));
                    }
                    case K.azureClassicKey: {
                        const dep = this.stack.dependency(key, "keyVaultId", [K.azureClassicVault]);
                        const vaultName = dep ? str(dep.props.name) : str(key.props.keyVaultId)?.replace(/\/+$/, "").split("/").pop();
                        return named("vault", vaultName, str(key.props.name));
                    }
                    case TYPES.azureHsmKey: {
                        const dep = this.stack.dependency(key, "managedHsmId", [TYPES.azureHsm]);
                        const hsm = dep ? str(dep.props.name) : str(key.props.managedHsmId)?.replace(/\/+$/, "").split("/").pop();
                        return named("managedhsm", hsm, str(key.props.name));
                    }
                    case TYPES.azureImportedKey: {
                        const url = str(key.props.vaultUrl);
                        const m = url ? /^https:\/\/([^./]+)\.(vault|managedhsm)\./i.exec(url) : null;
                        return m ? named(m[2].toLowerCase() as "vault" | "managedhsm", m[1], str(key.props.keyName)) : undefined;
                    }
                    default:
                        return undefined;
                }
            }),
        );
    }

    // --- resolving references ---------------------------------------------------------------------------------

    /**
     * The keys a reference can name: one target, several when it cannot tell them apart (an AWS key id in every
     * Region of a multi-Region key), none for a form it does not know. Throws the UnknownValueError of a candidate
     * key whose name is unknown when no known key matches.
     */
    resolve(ref: string, consumer: PolicyResource, depth = 0): Target[] {
        const parsed = parseKeyRef(ref);
        if (!parsed) return [];
        switch (parsed.cloud) {
            case "aws":
                return this.resolveAws(parsed, consumer, depth);
            case "gcp":
                return this.match(this.gcpKeys, (k) => {
                    const n = this.gcpNames(k);
                    return !!n && n.location === parsed.location && n.ring === parsed.ring && n.key === parsed.key && (n.project === undefined || n.project === parsed.project);
                });
            case "azure":
                if (parsed.kind === "des") return this.resolveKeySet(parsed, consumer, depth);
                return this.match(this.azureKeys, (k) => {
                    const n = this.azureNames(k);
                    return !!n && n.host === parsed.host && n.container === parsed.container && n.key === parsed.key;
                });
        }
    }

    /** The keys of `candidates` that `matches`; `[absent]` when none; throws a candidate's unknown when it could have matched. */
    private match(candidates: readonly PolicyResource[], matches: (k: PolicyResource) => boolean): Target[] {
        let unknown: UnknownAt | undefined;
        const found: Target[] = [];
        for (const k of candidates) {
            const m = attempt(() => matches(k));
            if (m instanceof UnknownAt) unknown ??= m;
            else if (m) found.push({ key: k });
        }
        if (found.length) return found;
        if (unknown) throw unknown.error;
        return [{ absent: true }];
    }

    private consumerRegion(consumer: PolicyResource): string | undefined {
        const r = attempt(() => str(consumer.props.region) ?? str(consumer.provider?.props?.region));
        return typeof r === "string" ? r : undefined;
    }

    private resolveAws(ref: Extract<KeyRef, { cloud: "aws" }>, consumer: PolicyResource, depth: number): Target[] {
        const inRegion = (targets: Target[], region: string | undefined) => {
            if (!region || targets.length < 2) return targets;
            const here = targets.filter((t) => "key" in t && this.awsNames(t.key).region === region);
            return here.length ? here : targets;
        };
        switch (ref.kind) {
            case "arn":
                return this.match(this.awsKeys, (k) => {
                    const n = this.awsNames(k);
                    return n.arn === ref.arn || (n.keyId === ref.keyId && n.region === ref.region);
                });
            case "id":
                return inRegion(
                    this.match(this.awsKeys, (k) => this.awsNames(k).keyId === ref.keyId),
                    this.consumerRegion(consumer),
                );
            case "alias": {
                const region = ref.region ?? this.consumerRegion(consumer);
                let aliases = this.aliases.filter((a) => attempt(() => str(a.props.name)) === ref.alias);
                if (region && aliases.length > 1) {
                    const here = aliases.filter((a) => attempt(() => str(a.props.region) ?? str(a.provider?.props?.region)) === region);
                    if (here.length) aliases = here;
                }
                if (aliases.length) return aliases.flatMap((a) => this.aliasTarget(a, depth));
                const id = this.specAliases.get(ref.alias);
                if (id) {
                    const keys = this.awsKeys.filter((k) => {
                        const kid = identityOf(k);
                        return AWS_PRIMARY_KEYS.has(k.type) && kid !== UNKNOWN && kid?.hierarchy === id.hierarchy && kid.domain === id.domain && kid.key === id.key;
                    });
                    if (keys.length) return keys.map((key) => ({ key }));
                }
                const unnamed = this.aliases.find((a) => attempt(() => a.props.name) instanceof UnknownAt);
                if (unnamed) rethrowUnknown(() => unnamed.props.name);
                return [{ absent: true }];
            }
        }
    }

    /** The key an alias points to: its target's dependency, its target id / ARN, else the key beside it in a keyfabric key component. */
    private aliasTarget(alias: PolicyResource, depth: number): Target[] {
        const dep = this.stack.dependency(alias, "targetKeyId", [...AWS_KEYS]);
        if (dep) return [{ key: dep }];
        // keyfabric puts an alias next to its key, under one component.
        const siblings = alias.parent ? this.awsKeys.filter((k) => AWS_PRIMARY_KEYS.has(k.type) && k.parent?.urn === alias.parent!.urn) : [];
        const sibling = siblings.length === 1 ? siblings[0] : undefined;
        for (const prop of ["targetKeyArn", "targetKeyId"]) {
            const v = attempt(() => str(alias.props[prop]));
            if (typeof v !== "string" || /(^|:)alias\//.test(v)) continue;
            const targets = this.resolve(v, alias, depth + 1);
            // A target id that names no key of the stack is its sibling's when the sibling's own id is not known
            // (planned inputs carry no key ids): nothing contradicts it.
            if (sibling && targets.every((t) => "absent" in t) && this.awsNames(sibling).keyId === undefined && this.awsNames(sibling).arn === undefined) return [{ key: sibling }];
            return targets;
        }
        if (sibling) return [{ key: sibling }];
        rethrowUnknown(() => alias.props.targetKeyId);
    }

    /** The keys a disk encryption set of the stack names (its own consumer entry); `[absent]` for one the stack does not declare. */
    private resolveKeySet(ref: Extract<KeyRef, { kind: "des" }>, consumer: PolicyResource, depth: number): Target[] {
        const sets = this.keySets.filter((s) => {
            const id = attempt(() => str(s.props.id)?.toLowerCase().replace(/\/+$/, ""));
            if (id === ref.id) return true;
            const name = attempt(() => str(s.props.diskEncryptionSetName) ?? str(s.props.name));
            return typeof name === "string" && name.toLowerCase() === ref.name;
        });
        if (!sets.length) return [{ absent: true }];
        return sets.flatMap((s) => this.keysOf(s, depth + 1));
    }

    /**
     * The keys a resource depends on through property `prop`: keys, aliases (their targets) and disk encryption sets
     * (their keys); `[]` when it depends on none.
     */
    dependencyTargets(r: PolicyResource, prop: string, depth = 0): Target[] {
        const deps = (r.propertyDependencies ?? {})[prop] ?? [];
        return deps.flatMap((d) => {
            if (keyCloud(d)) return [{ key: d }];
            if (d.type === K.awsAlias) return this.aliasTarget(d, depth + 1);
            if (KEY_SETS.has(baseType(d.type))) return this.keysOf(d, depth + 1);
            return [];
        });
    }

    /** Every key a resource names through its consumer entry (references, then the dependencies of unknown properties). */
    keysOf(r: PolicyResource, depth: number): Target[] {
        const consumer = this.consumerOf(r.type);
        if (!consumer || depth > 4) return [];
        const { refs, unknown } = refsOf(consumer, r.props);
        const out = refs.flatMap((ref) => this.resolve(ref, r, depth));
        for (const u of unknown) {
            const targets = this.dependencyTargets(r, u.prop, depth);
            if (!targets.length) throw u.error;
            out.push(...targets);
        }
        return out;
    }

    private readonly classifiedStores = new Map<string, boolean>();

    /** Whether some resource of `types` carries a classification (or one not known yet). */
    someClassified(types: readonly string[]): boolean {
        const k = types.join("\n");
        if (!this.classifiedStores.has(k)) {
            this.classifiedStores.set(
                k,
                this.stack.resources.some((c) => types.includes(baseType(c.type)) && attempt(() => ownClassification(c)) !== undefined),
            );
        }
        return this.classifiedStores.get(k)!;
    }

    /** The data store an attachment (`HOLDERS`) attaches its key to: the dependency at preview, else by name. */
    holderOf(r: PolicyResource): PolicyResource | undefined {
        const h = HOLDERS[baseType(r.type)];
        if (!h) return undefined;
        const dep = this.stack.dependency(r, h.prop, h.types);
        if (dep) return dep;
        const v = must(attempt(() => str(r.props[h.prop])));
        if (v === undefined) return undefined;
        const name = (h.value ?? ((x: string) => x))(v).toLowerCase();
        const found = this.stack.resources.filter((c) => h.types.includes(baseType(c.type)) && h.names(c.props).some((n) => typeof n === "string" && n.toLowerCase() === name));
        return found.length === 1 ? found[0] : undefined;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A consumer's classification.

/** The classification tag/label a resource carries itself (tags, labels, the provider-merged maps, provider defaults). */
export function ownClassification(r: PolicyResource): Classification | undefined | "other" {
    const gcp = r.type.startsWith("gcp:");
    const key = gcp ? LABELS.classification : TAGS.classification;
    const maps: (() => unknown)[] = gcp
        ? [() => r.props.labels, () => r.props.effectiveLabels, () => r.provider?.props?.defaultLabels]
        : [() => r.props.tags, () => r.props.tagsAll, () => (r.type.startsWith("aws:") ? r.provider?.props?.defaultTags?.tags : undefined)];
    for (const map of maps) {
        const v = tagOf(map(), key);
        if (v === undefined || v === null || v === "") continue;
        return parseClassification(v) ?? "other";
    }
    return undefined;
}

/** The classification of a consumer: its own, else (for an attachment) its data store's. Throws an unknown it needs. */
export function classificationOf(model: KeyModel, r: PolicyResource): Classification | undefined {
    const own = ownClassification(r);
    if (own !== undefined) return own === "other" ? undefined : own;
    const h = HOLDERS[baseType(r.type)];
    if (!h) return undefined;
    // An attachment whose store cannot be told needs it only when some store it could attach to is classified.
    if (!model.someClassified(h.types)) return undefined;
    const holder = model.holderOf(r);
    if (!holder) return undefined;
    const c = ownClassification(holder);
    return c === "other" ? undefined : c;
}
