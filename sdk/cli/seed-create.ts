/**
 * Creating a stack's key resources in the emulators through the official SDKs, as a deployment would have: each
 * resource with its declared settings, in dependency order (key rings, vaults and keys before what refers to them),
 * the ids the export's inputs refer to mapped to the ids the emulators gave. `keyfabric emulate --seed` and the
 * script that makes the sample stack export (scripts/generate-drift-sample.ts) both create through here.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import { createAwsKmsClient, createAzureArmClient, createAzureKeyClient, createGcpKmsClient } from "../clients";

/** A resource to create: from a stack export (its inputs, with the export's ids) or a program run under mocks. */
export interface SeedResource {
    readonly urn: string;
    readonly type: string;
    readonly custom: boolean;
    readonly id?: string;
    readonly inputs: Record<string, any>;
}

export interface CreatedResource {
    /** The id the emulators gave (the resource's id after a deployment). */
    readonly id?: string;
    /** The inputs with the ids they refer to replaced by the emulators' ids. */
    readonly inputs: Record<string, any>;
    /** The outputs a provider would add to the inputs (ARNs, key ids, versions, URIs). */
    readonly outputs: Record<string, any>;
}

export interface SeedResult {
    readonly created: Map<string, CreatedResource>;
    /** The id (and ARN) each input id was replaced by: export or mock id → the emulators' id. */
    readonly ids: Map<string, { id: string; arn?: string }>;
    /** Key resources not created, and why. */
    readonly notCreated: { urn: string; type: string; reason: string }[];
}

export const SEED_TYPES = {
    awsKey: "aws:kms/key:Key",
    awsExternal: "aws:kms/externalKey:ExternalKey",
    awsReplica: "aws:kms/replicaKey:ReplicaKey",
    awsReplicaExternal: "aws:kms/replicaExternalKey:ReplicaExternalKey",
    awsAlias: "aws:kms/alias:Alias",
    gcpRing: "gcp:kms/keyRing:KeyRing",
    gcpKey: "gcp:kms/cryptoKey:CryptoKey",
    gcpMember: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    vault: "azure-native:keyvault:Vault",
    azKey: "azure-native:keyvault:Key",
    hsmKey: "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey",
    hsmRotation: "azure:keyvault/managedHardwareSecurityModuleKeyRotationPolicy:ManagedHardwareSecurityModuleKeyRotationPolicy",
} as const;

const T = SEED_TYPES;
const CREATED: readonly string[] = Object.values(SEED_TYPES);
/** BYOK material: a stack export holds its descriptor and fingerprint, never the material. */
const MATERIAL = /^pulumi-nodejs:dynamic\/keyfabric:(AwsImportedKeyMaterial|GcpImportedKeyVersion|AzureImportedKey)$/;

/** Creation order: containers and keys first, then what refers to them. */
function phase(type: string): number {
    if ([T.awsKey, T.awsExternal, T.gcpRing, T.vault].includes(type as never)) return 0;
    if ([T.awsReplica, T.awsReplicaExternal, T.awsAlias, T.gcpKey, T.azKey, T.hsmKey].includes(type as never)) return 1;
    return 2;
}

const seconds = (v: unknown) => (typeof v === "string" ? Number(/^(\d+(?:\.\d+)?)s$/.exec(v)?.[1]) || undefined : undefined);

/** Deep string replacement of ids by the emulators' (a key id → its id; any ARN of that key → its ARN). */
export function replaceIds<V>(v: V, map: ReadonlyMap<string, { id: string; arn?: string }>): V {
    if (typeof v === "string") {
        let s: string = v;
        for (const [from, to] of map) {
            if (!s.includes(from)) continue;
            if (to.arn) s = s.replace(new RegExp(`arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/${from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "g"), to.arn);
            s = s.split(from).join(to.id);
        }
        return s as unknown as V;
    }
    if (Array.isArray(v)) return v.map((x) => replaceIds(x, map)) as unknown as V;
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceIds(x, map)])) as V;
    return v;
}

/** The key id an AWS resource's id or ARN names (`arn:...:key/<id>` or the id itself). */
const awsKeyIdOf = (v: string | undefined) => (v ? (/:key\/(.+)$/.exec(v)?.[1] ?? v) : undefined);

/** Creates `resources` in the emulators `env` points at (KEYFABRIC_EMULATORS). */
export async function createInEmulators(env: NodeJS.ProcessEnv, resources: readonly SeedResource[], options: { now: () => number; concurrency?: number }): Promise<SeedResult> {
    const awsClients = new Map<string, KMSClient>();
    const aws = (region: string) => {
        let c = awsClients.get(region);
        if (!c) awsClients.set(region, (c = createAwsKmsClient(region, { env, maxAttempts: 5 })));
        return c;
    };
    const gcp = createGcpKmsClient({ env });
    const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const ids = new Map<string, { id: string; arn?: string }>();
    const created = new Map<string, CreatedResource>();
    const notCreated: SeedResult["notCreated"] = [];
    const iamQueue = new Map<string, { role: string; member: string }[]>();
    const outputsByArn = new Map<string, Record<string, any>>();

    for (const r of resources) {
        if (r.custom && MATERIAL.test(r.type)) notCreated.push({ urn: r.urn, type: r.type, reason: "BYOK material is not in a stack export (import it with keyfabric byok import)" });
    }
    const todo = resources.filter((r) => r.custom && CREATED.includes(r.type));

    async function create(r: SeedResource, inputs: Record<string, any>): Promise<{ id?: string; outputs: Record<string, any> }> {
        switch (r.type) {
            case T.awsKey:
            case T.awsExternal:
            case T.awsReplica:
            case T.awsReplicaExternal: {
                const external = r.type === T.awsExternal || r.type === T.awsReplicaExternal;
                const replica = r.type === T.awsReplica || r.type === T.awsReplicaExternal;
                const region = inputs.region ?? /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(r.id ?? "")?.[1];
                const primary = replica ? outputsByArn.get(inputs.primaryKeyArn) : undefined;
                const spec = replica ? (primary?.customerMasterKeySpec ?? primary?.keySpec) : (inputs.customerMasterKeySpec ?? inputs.keySpec);
                const usage = replica ? primary?.keyUsage : inputs.keyUsage;
                const tags = Object.entries(inputs.tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue: String(TagValue) }));
                // A replica of an AWS_KMS primary is made as AWS makes it: ReplicateKey in the primary's Region (the
                // replica has the primary's key id); a replica of an EXTERNAL primary is a multi-Region EXTERNAL key.
                const replicated =
                    r.type === T.awsReplica && primary
                        ? (
                              await aws(String(inputs.primaryKeyArn).split(":")[3]).send(
                                  new kms.ReplicateKeyCommand({ KeyId: inputs.primaryKeyArn, ReplicaRegion: region, Description: inputs.description, Policy: inputs.policy, ...(tags.length > 0 ? { Tags: tags } : {}) }),
                              )
                          ).ReplicaKeyMetadata
                        : undefined;
                const meta =
                    replicated ??
                    (
                        await aws(region).send(
                            new kms.CreateKeyCommand({
                                KeySpec: spec,
                                KeyUsage: usage,
                                Description: inputs.description,
                                MultiRegion: replica ? true : inputs.multiRegion,
                                Policy: inputs.policy,
                                Tags: tags,
                                ...(external ? { Origin: "EXTERNAL" } : {}),
                            }),
                        )
                    ).KeyMetadata!;
                if (inputs.enableKeyRotation) await aws(region).send(new kms.EnableKeyRotationCommand({ KeyId: meta.Arn, RotationPeriodInDays: inputs.rotationPeriodInDays }));
                if (inputs.isEnabled === false || inputs.enabled === false) await aws(region).send(new kms.DisableKeyCommand({ KeyId: meta.Arn }));
                const from = awsKeyIdOf(r.id);
                // A replica's id is its primary's: the primary's ARN stays the one its id maps to.
                if (from && !ids.has(from)) ids.set(from, { id: meta.KeyId!, arn: meta.Arn! });
                const outputs = {
                    arn: meta.Arn,
                    keyId: meta.KeyId,
                    tagsAll: inputs.tags ?? {},
                    ...(replica ? { keySpec: spec, keyUsage: usage, enabled: true, keyRotationEnabled: false } : {}),
                    // As the provider reads it back after creating it: an EXTERNAL key (a replica too) without material
                    // is PendingImport and not enabled (DescribeKey: KeyState PendingImport, Enabled false), whatever
                    // `enabled` the program declares; keyfabric imports the material afterwards, in its own resource.
                    ...(external ? { keyState: meta.KeyState, enabled: meta.Enabled === true, expirationModel: "" } : {}),
                };
                outputsByArn.set(meta.Arn!, { ...inputs, ...outputs });
                return { id: meta.KeyId, outputs };
            }
            case T.awsAlias: {
                const region = inputs.region;
                await aws(region).send(new kms.CreateAliasCommand({ AliasName: inputs.name, TargetKeyId: inputs.targetKeyId }));
                const key = (await aws(region).send(new kms.DescribeKeyCommand({ KeyId: inputs.targetKeyId }))).KeyMetadata!;
                return { id: inputs.name, outputs: { arn: key.Arn!.replace(/key\/.*$/, inputs.name), targetKeyArn: key.Arn } };
            }
            case T.gcpRing: {
                const parent = `projects/${inputs.project}/locations/${inputs.location}`;
                await gcp.createKeyRing({ parent, keyRingId: inputs.name });
                return { id: `${parent}/keyRings/${inputs.name}`, outputs: {} };
            }
            case T.gcpKey: {
                const period = seconds(inputs.rotationPeriod);
                const labels = { ...(inputs.labels ?? {}), "goog-pulumi-provisioned": "true" };
                const [key] = await gcp.createCryptoKey({
                    parent: inputs.keyRing,
                    cryptoKeyId: inputs.name,
                    cryptoKey: {
                        purpose: inputs.purpose,
                        versionTemplate: inputs.versionTemplate,
                        ...(period ? { rotationPeriod: { seconds: period }, nextRotationTime: { seconds: Math.floor(options.now() / 1000) + period } } : {}),
                        ...(seconds(inputs.destroyScheduledDuration) ? { destroyScheduledDuration: { seconds: seconds(inputs.destroyScheduledDuration) } } : {}),
                        importOnly: inputs.importOnly === true,
                        // The provider adds its own label (effectiveLabels) to the key.
                        labels,
                    },
                    skipInitialVersionCreation: inputs.skipInitialVersionCreation === true,
                } as any);
                return {
                    id: key.name!,
                    outputs: { primaries: key.primary ? [{ name: key.primary.name, state: String(key.primary.state) }] : [], effectiveLabels: labels, pulumiLabels: { "goog-pulumi-provisioned": "true" } },
                };
            }
            case T.gcpMember: {
                const list = iamQueue.get(inputs.cryptoKeyId) ?? [];
                list.push({ role: inputs.role, member: inputs.member });
                iamQueue.set(inputs.cryptoKeyId, list);
                return { id: `${inputs.cryptoKeyId}/${inputs.role}/${inputs.member}`, outputs: {} };
            }
            case T.vault: {
                const id = r.id ?? `/subscriptions/${inputs.subscriptionId}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${inputs.vaultName}`;
                const arm = createAzureArmClient(id.split("/")[2], { env, maxAttempts: 5 });
                const v = await arm.vaults.beginCreateOrUpdateAndWait(inputs.resourceGroupName, inputs.vaultName, { location: inputs.location, properties: inputs.properties, tags: inputs.tags });
                return { id, outputs: { name: v.name, properties: { ...inputs.properties, vaultUri: v.properties.vaultUri } } };
            }
            case T.azKey: {
                const vaultUrl = `https://${inputs.vaultName}.vault.azure.net`;
                const client = createAzureKeyClient(vaultUrl, { env, maxAttempts: 5 });
                const p = inputs.properties;
                const key = await client.createKey(inputs.keyName, p.kty, {
                    ...(p.keySize ? { keySize: p.keySize } : {}),
                    ...(p.curveName ? { curve: p.curveName } : {}),
                    keyOps: p.keyOps,
                    enabled: p.attributes?.enabled !== false,
                    ...(p.attributes?.expires ? { expiresOn: new Date(p.attributes.expires * 1000) } : {}),
                    tags: inputs.tags,
                });
                if (p.rotationPolicy) {
                    const rotate = p.rotationPolicy.lifetimeActions.find((a: any) => a.action.type === "rotate");
                    await client.updateKeyRotationPolicy(inputs.keyName, {
                        expiresIn: p.rotationPolicy.attributes?.expiryTime,
                        lifetimeActions: [
                            ...(rotate ? [{ action: "Rotate" as const, timeAfterCreate: rotate.trigger.timeAfterCreate }] : []),
                            ...p.rotationPolicy.lifetimeActions.filter((a: any) => a.action.type === "notify").map((a: any) => ({ action: "Notify" as const, timeBeforeExpiry: a.trigger.timeBeforeExpiry })),
                        ],
                    });
                }
                const uri = `${vaultUrl}/keys/${inputs.keyName}`;
                return { id: r.id, outputs: { name: inputs.keyName, keyUri: uri, keyUriWithVersion: key.id, properties: { ...p, keyUri: uri, keyUriWithVersion: key.id } } };
            }
            case T.hsmKey: {
                const hsm = String(inputs.managedHsmId).split("/").pop();
                const vaultUrl = `https://${hsm}.managedhsm.azure.net`;
                const key = await createAzureKeyClient(vaultUrl, { env, maxAttempts: 5 }).createKey(inputs.name, inputs.keyType, {
                    keySize: inputs.keySize,
                    keyOps: inputs.keyOpts,
                    tags: inputs.tags,
                    hsm: true,
                    ...(inputs.expirationDate ? { expiresOn: new Date(inputs.expirationDate) } : {}),
                } as any);
                const id = `${vaultUrl}/keys/${inputs.name}`;
                if (r.id) ids.set(r.id, { id });
                return { id, outputs: { versionedId: key.id } };
            }
            case T.hsmRotation: {
                const m = /^(https:\/\/[^/]+)\/keys\/([^/]+)/.exec(inputs.managedHsmKeyId)!;
                await createAzureKeyClient(m[1], { env, maxAttempts: 5 }).updateKeyRotationPolicy(m[2], {
                    expiresIn: inputs.expireAfter,
                    lifetimeActions: [{ action: "Rotate", ...(inputs.timeAfterCreation ? { timeAfterCreate: inputs.timeAfterCreation } : {}), ...(inputs.timeBeforeExpiry ? { timeBeforeExpiry: inputs.timeBeforeExpiry } : {}) }],
                });
                return { id: `${inputs.managedHsmKeyId}/rotationpolicy`, outputs: {} };
            }
            default:
                throw new Error(`no way to create ${r.type}`);
        }
    }

    try {
        for (const ph of [0, 1, 2]) {
            const batch = todo.filter((r) => phase(r.type) === ph);
            let next = 0;
            await Promise.all(
                Array.from({ length: Math.min(options.concurrency ?? 8, batch.length) }, async () => {
                    while (next < batch.length) {
                        const r = batch[next++];
                        const { __provider, ...recorded } = r.inputs;
                        void __provider;
                        const inputs = replaceIds(Object.fromEntries(Object.entries(recorded).filter(([, v]) => v !== undefined)), ids);
                        try {
                            const res = await create(r, inputs);
                            created.set(r.urn, { id: res.id, inputs, outputs: res.outputs });
                        } catch (e) {
                            throw new Error(`${r.urn}: cannot be created in the emulators: ${(e as Error).message}`);
                        }
                    }
                }),
            );
        }
        // IAM members of a key: one read-modify-write per key.
        for (const [resource, members] of iamQueue) {
            const [policy] = await gcp.getIamPolicy({ resource } as any);
            const bindings = [...(policy.bindings ?? [])].map((b) => ({ role: b.role!, members: [...(b.members ?? [])] }));
            for (const m of members) {
                const b = bindings.find((x) => x.role === m.role);
                if (b) b.members.push(m.member);
                else bindings.push({ role: m.role, members: [m.member] });
            }
            await gcp.setIamPolicy({ resource, policy: { bindings } } as any);
        }
    } finally {
        for (const c of awsClients.values()) c.destroy();
        await gcp.close();
    }
    return { created, ids, notCreated };
}
