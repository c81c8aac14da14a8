/**
 * A stack export that matches what a deployment leaves: a program's resources (recorded under mocks, or synthesised)
 * are created in the emulators through the official SDKs with the same names and settings, and their real ids,
 * ARNs, versions and URIs are written into the export's outputs (deployment format v3, as `pulumi stack export`).
 * BYOK material is generated here, put in the environment variable its source names, and imported with the
 * providers' own import functions.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { KMSClient } from "@aws-sdk/client-kms";
import { importAwsMaterial } from "../../sdk/byok/aws";
import { importAzureKey, azureImportInputs } from "../../sdk/byok/azure";
import { importGcpVersion } from "../../sdk/byok/gcp";
import { resolveMaterial } from "../../sdk/byok/sources";
import { materialKindFor } from "../../sdk/byok/wrap";
import { fingerprint } from "../../sdk/crypto/material";
import { createAwsKmsClient, createAzureArmClient, createAzureKeyClient, createGcpKmsClient } from "../../sdk/clients";
import type { EmulatorSet } from "../../sdk/emulators";
import type { MockRun } from "../../sdk/preview/harness";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const awsSdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

/** A resource as the mock harness records it (or a test synthesises it). */
export interface ProgramResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    readonly id?: string;
    readonly protect?: boolean;
}

export interface ExportedResource {
    urn: string;
    type: string;
    custom: boolean;
    id?: string;
    parent?: string;
    provider?: string;
    protect?: boolean;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
}

export interface Seeded {
    /** The `pulumi stack export` document. */
    readonly exported: { version: 3; deployment: { manifest: Record<string, unknown>; secrets_providers: Record<string, unknown>; resources: ExportedResource[] } };
    /** The exported resource by its name (the last URN part). */
    byName(name: string): ExportedResource;
    /** Writes the export to a temp file; returns its path. */
    write(file?: string): string;
}

const TYPES = {
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
    awsMaterial: "pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial",
    gcpMaterial: "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion",
    azMaterial: "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey",
} as const;

/** Creation order: containers and keys first, then what refers to them. */
function phase(type: string): number {
    if ([TYPES.awsKey, TYPES.awsExternal, TYPES.gcpRing, TYPES.vault].includes(type as never)) return 0;
    if ([TYPES.awsReplica, TYPES.awsReplicaExternal, TYPES.awsAlias, TYPES.gcpKey, TYPES.azKey, TYPES.hsmKey].includes(type as never)) return 1;
    return 2;
}

const seconds = (v: unknown) => (typeof v === "string" ? Number(/^(\d+)s$/.exec(v)?.[1]) : undefined);

/** Deep string replacement of mock ids by real ones (mock key id → real key id; any ARN of the mock key → the real ARN). */
function replaceIds<T>(v: T, map: Map<string, { id: string; arn?: string }>): T {
    if (typeof v === "string") {
        let s: string = v;
        for (const [from, to] of map) {
            if (!s.includes(from)) continue;
            if (to.arn) s = s.replace(new RegExp(`arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/${from}`, "g"), to.arn);
            s = s.split(from).join(to.id);
        }
        return s as unknown as T;
    }
    if (Array.isArray(v)) return v.map((x) => replaceIds(x, map)) as unknown as T;
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceIds(x, map)])) as T;
    return v;
}

async function inChunks<T>(items: T[], n: number, f: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
        while (next < items.length) await f(items[next++]);
    }));
}

/** Generates material for a BYOK source (an env variable) and sets the variable, as an operator would. */
function provideMaterial(source: { env?: string }, algorithm: string): void {
    if (!source.env || process.env[source.env]) return;
    if (algorithm === "AES_256" || algorithm === "HMAC_256") process.env[source.env] = crypto.randomBytes(32).toString("base64");
    else if (algorithm.startsWith("EC_")) process.env[source.env] = crypto.generateKeyPairSync("ec", { namedCurve: algorithm === "EC_P256" ? "P-256" : "P-384" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    else process.env[source.env] = crypto.generateKeyPairSync("rsa", { modulusLength: Number(algorithm.split("_")[1]) }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
}

export interface SeedOptions {
    /** Epoch ms "now" of the emulators (for GCP's first next_rotation_time). */
    readonly now: () => number;
    readonly project?: string;
    readonly stack?: string;
    /** Concurrency of creation calls. @default 16 */
    readonly concurrency?: number;
}

/** Seeds the emulators with `resources` and returns the matching export. */
export async function seed(emu: EmulatorSet, resources: readonly ProgramResource[], options: SeedOptions): Promise<Seeded> {
    const env = emu.env();
    const project = options.project ?? "project";
    const stack = options.stack ?? "dev";
    const stackUrn = `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
    const awsClients = new Map<string, KMSClient>();
    const aws = (region: string) => {
        let c = awsClients.get(region);
        if (!c) awsClients.set(region, (c = createAwsKmsClient(region, { env, maxAttempts: 10 })));
        return c;
    };
    const gcp = createGcpKmsClient({ env });
    const ids = new Map<string, { id: string; arn?: string }>();
    const out = new Map<string, ExportedResource>();
    const gcpIamQueue = new Map<string, { role: string; member: string }[]>();

    const custom = resources.filter((r) => r.custom);
    try {
        for (const ph of [0, 1, 2]) {
            await inChunks(
                custom.filter((r) => phase(r.type) === ph),
                options.concurrency ?? 16,
                async (r) => {
                    const { __provider, ...recorded } = r.inputs;
                    void __provider;
                    const inputs = replaceIds(Object.fromEntries(Object.entries(recorded).filter(([, v]) => v !== undefined)), ids);
                    const res = await create(r, inputs);
                    out.set(r.urn, {
                        urn: r.urn,
                        type: r.type,
                        custom: true,
                        id: res.id,
                        parent: r.parent,
                        ...(r.protect ? { protect: true } : {}),
                        inputs,
                        outputs: { ...inputs, ...res.outputs },
                    });
                },
            );
        }
        // IAM members of a key: one read-modify-write per key.
        for (const [resource, members] of gcpIamQueue) {
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

    async function create(r: ProgramResource, inputs: Record<string, any>): Promise<{ id?: string; outputs: Record<string, any> }> {
        switch (r.type) {
            case TYPES.awsKey:
            case TYPES.awsExternal:
            case TYPES.awsReplica:
            case TYPES.awsReplicaExternal: {
                const external = r.type === TYPES.awsExternal || r.type === TYPES.awsReplicaExternal;
                const replica = r.type === TYPES.awsReplica || r.type === TYPES.awsReplicaExternal;
                const region = inputs.region;
                const primary = replica ? [...out.values()].find((o) => o.outputs.arn === inputs.primaryKeyArn) : undefined;
                const spec = replica ? (primary?.outputs.customerMasterKeySpec ?? primary?.outputs.keySpec) : (inputs.customerMasterKeySpec ?? inputs.keySpec);
                const usage = replica ? primary?.outputs.keyUsage : inputs.keyUsage;
                const tags = Object.entries(inputs.tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue: String(TagValue) }));
                // A replica of an AWS_KMS primary is made as AWS makes it: ReplicateKey in the primary's Region.
                const replicated =
                    r.type === TYPES.awsReplica && primary
                        ? (
                              await aws(String(inputs.primaryKeyArn).split(":")[3]).send(
                                  new awsSdk.ReplicateKeyCommand({ KeyId: inputs.primaryKeyArn, ReplicaRegion: region, Description: inputs.description, Policy: inputs.policy, ...(tags.length > 0 ? { Tags: tags } : {}) }),
                              )
                          ).ReplicaKeyMetadata
                        : undefined;
                const meta =
                    replicated ??
                    (
                    await aws(region).send(
                        new awsSdk.CreateKeyCommand({
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
                if (inputs.enableKeyRotation) await aws(region).send(new awsSdk.EnableKeyRotationCommand({ KeyId: meta.Arn, RotationPeriodInDays: inputs.rotationPeriodInDays }));
                if (r.id) ids.set(r.id, { id: meta.KeyId!, arn: meta.Arn! });
                return {
                    id: meta.KeyId,
                    outputs: {
                        arn: meta.Arn,
                        keyId: meta.KeyId,
                        tagsAll: inputs.tags ?? {},
                        ...(external ? { keyState: meta.KeyState, enabled: true, expirationModel: "" } : {}),
                        ...(replica ? { keySpec: spec, keyUsage: usage, enabled: true, keyRotationEnabled: false } : {}),
                    },
                };
            }
            case TYPES.awsAlias: {
                const region = inputs.region;
                await aws(region).send(new awsSdk.CreateAliasCommand({ AliasName: inputs.name, TargetKeyId: inputs.targetKeyId }));
                const key = (await aws(region).send(new awsSdk.DescribeKeyCommand({ KeyId: inputs.targetKeyId }))).KeyMetadata!;
                return { id: inputs.name, outputs: { arn: key.Arn!.replace(/key\/.*$/, inputs.name), targetKeyArn: key.Arn } };
            }
            case TYPES.gcpRing: {
                const parent = `projects/${inputs.project}/locations/${inputs.location}`;
                await gcp.createKeyRing({ parent, keyRingId: inputs.name });
                return { id: `${parent}/keyRings/${inputs.name}`, outputs: {} };
            }
            case TYPES.gcpKey: {
                const period = seconds(inputs.rotationPeriod);
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
                        labels: { ...(inputs.labels ?? {}), "goog-pulumi-provisioned": "true" },
                    },
                    skipInitialVersionCreation: inputs.skipInitialVersionCreation === true,
                } as any);
                return {
                    id: key.name!,
                    outputs: {
                        primaries: key.primary ? [{ name: key.primary.name, state: String(key.primary.state) }] : [],
                        effectiveLabels: { ...(inputs.labels ?? {}), "goog-pulumi-provisioned": "true" },
                        pulumiLabels: { "goog-pulumi-provisioned": "true" },
                    },
                };
            }
            case TYPES.gcpMember: {
                const list = gcpIamQueue.get(inputs.cryptoKeyId) ?? [];
                list.push({ role: inputs.role, member: inputs.member });
                gcpIamQueue.set(inputs.cryptoKeyId, list);
                return { id: `${inputs.cryptoKeyId}/${inputs.role}/${inputs.member}`, outputs: { etag: "BwYdriftEtag=" } };
            }
            case TYPES.vault: {
                const id = r.id!;
                const sub = id.split("/")[2];
                const arm = createAzureArmClient(sub, { env });
                const v = await arm.vaults.beginCreateOrUpdateAndWait(inputs.resourceGroupName, inputs.vaultName, { location: inputs.location, properties: inputs.properties, tags: inputs.tags });
                return { id, outputs: { name: v.name, properties: { ...inputs.properties, vaultUri: v.properties.vaultUri } } };
            }
            case TYPES.azKey: {
                const vaultUrl = `https://${inputs.vaultName}.vault.azure.net`;
                const client = createAzureKeyClient(vaultUrl, { env });
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
                            { action: "Rotate", timeAfterCreate: rotate.trigger.timeAfterCreate },
                            ...p.rotationPolicy.lifetimeActions.filter((a: any) => a.action.type === "notify").map((a: any) => ({ action: "Notify" as const, timeBeforeExpiry: a.trigger.timeBeforeExpiry })),
                        ],
                    });
                }
                const uri = `${vaultUrl}/keys/${inputs.keyName}`;
                return { id: r.id, outputs: { name: inputs.keyName, keyUri: uri, keyUriWithVersion: key.id, properties: { ...p, keyUri: uri, keyUriWithVersion: key.id } } };
            }
            case TYPES.hsmKey: {
                const hsm = String(inputs.managedHsmId).split("/").pop();
                const vaultUrl = `https://${hsm}.managedhsm.azure.net`;
                const key = await createAzureKeyClient(vaultUrl, { env }).createKey(inputs.name, inputs.keyType, {
                    keySize: inputs.keySize,
                    keyOps: inputs.keyOpts,
                    tags: inputs.tags,
                    hsm: true,
                    ...(inputs.expirationDate ? { expiresOn: new Date(inputs.expirationDate) } : {}),
                } as any);
                const id = `${vaultUrl}/keys/${inputs.name}`;
                ids.set(r.id!, { id });
                return { id, outputs: { versionedId: key.id } };
            }
            case TYPES.hsmRotation: {
                const m = /^(https:\/\/[^/]+)\/keys\/([^/]+)/.exec(inputs.managedHsmKeyId)!;
                await createAzureKeyClient(m[1], { env }).updateKeyRotationPolicy(m[2], {
                    expiresIn: inputs.expireAfter,
                    lifetimeActions: [{ action: "Rotate", ...(inputs.timeAfterCreation ? { timeAfterCreate: inputs.timeAfterCreation } : {}), ...(inputs.timeBeforeExpiry ? { timeBeforeExpiry: inputs.timeBeforeExpiry } : {}) }],
                });
                return { id: `${inputs.managedHsmKeyId}/rotationpolicy`, outputs: {} };
            }
            case TYPES.awsMaterial: {
                provideMaterial(inputs.material, inputs.algorithm);
                const m = resolveMaterial(inputs.material, materialKindFor(inputs.algorithm));
                const validTo = inputs.validTo ? new Date(inputs.validTo).toISOString() : undefined;
                const res = await importAwsMaterial({ region: inputs.region, keyId: inputs.keyId, algorithm: inputs.algorithm, material: m.material, validTo, env });
                return {
                    id: res.keyArn,
                    outputs: {
                        ...(validTo ? { validTo } : {}),
                        fingerprint: m.fingerprint,
                        keyArn: res.keyArn,
                        keyState: "Enabled",
                        expirationModel: validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
                        ...(res.keyMaterialId ? { keyMaterialId: res.keyMaterialId } : {}),
                        importedAt: new Date(options.now()).toISOString(),
                    },
                };
            }
            case TYPES.gcpMaterial: {
                provideMaterial(inputs.material, inputs.algorithm);
                const m = resolveMaterial(inputs.material, materialKindFor(inputs.algorithm));
                const res = await importGcpVersion({ cryptoKey: inputs.cryptoKey, material: m.material, env });
                return {
                    id: inputs.cryptoKey,
                    outputs: { fingerprint: m.fingerprint, version: res.version, versions: [res.version], state: "ENABLED", importJob: res.importJob, gcpAlgorithm: res.algorithm, protectionLevel: res.protectionLevel },
                };
            }
            case TYPES.azMaterial: {
                provideMaterial(inputs.material, inputs.algorithm);
                const m = resolveMaterial(inputs.material, materialKindFor(inputs.algorithm));
                const parsed = azureImportInputs.parse({ ...inputs, providerVersion: inputs.providerVersion ?? "1.0.0" });
                const res = await importAzureKey(parsed, m.material, m.privateKey, env);
                const versionlessId = `${String(inputs.vaultUrl).replace(/\/$/, "")}/keys/${inputs.keyName}`;
                return {
                    id: versionlessId,
                    outputs: { fingerprint: m.fingerprint, keyId: res.keyId, versionlessId, version: res.version, versions: [res.version], kty: res.kty, enabled: res.enabled, ...(res.kekId ? { kekId: res.kekId } : {}) },
                };
            }
            default:
                // Not created in the emulators (grants, role assignments...): the mock's id and outputs.
                return { id: r.id, outputs: {} };
        }
    }

    const exportedResources: ExportedResource[] = [
        { urn: stackUrn, type: "pulumi:pulumi:Stack", custom: false, inputs: {}, outputs: {} },
        ...resources.map((r) => (r.custom ? out.get(r.urn)! : { urn: r.urn, type: r.type, custom: false, parent: r.parent, inputs: r.inputs, outputs: {} })),
    ];
    for (const r of exportedResources) {
        if (r.custom && r.outputs.__provider === undefined && r.type.startsWith("pulumi-nodejs:dynamic/")) {
            // What a dynamic resource's state holds: the serialized provider (never executed by drift detection).
            r.inputs = { __provider: "exports.handler = __f0; function __f0() { /* serialized provider */ }", ...r.inputs };
            r.outputs = { __provider: r.inputs.__provider, ...r.outputs };
        }
    }
    const exported = {
        version: 3 as const,
        deployment: {
            manifest: { time: new Date(options.now()).toISOString(), magic: crypto.randomBytes(32).toString("hex"), version: "v3.200.0" },
            secrets_providers: { type: "passphrase", state: { salt: `v1:${crypto.randomBytes(8).toString("base64")}:v1:${crypto.randomBytes(12).toString("base64")}:${crypto.randomBytes(16).toString("base64")}` } },
            resources: exportedResources,
        },
    };
    return {
        exported,
        byName(name: string) {
            const found = exportedResources.find((r) => r.urn.endsWith(`::${name}`));
            if (!found) throw new Error(`no resource named ${name}; have: ${exportedResources.map((r) => r.urn.split("::").pop()).join(", ")}`);
            return found;
        },
        write(file?: string) {
            const f = file ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kf-drift-")), "stack.json");
            fs.writeFileSync(f, JSON.stringify(exported, null, 2));
            return f;
        },
    };
}

/** The resources of a mock run, as `seed` takes them. */
export const fromMockRun = (run: MockRun): ProgramResource[] => run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, custom: r.custom, inputs: r.inputs, id: r.id, protect: r.protect }));

/** A Pulumi secret value as it appears in an export (never decrypted by drift detection). */
export const secretValue = () => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: `v1:${crypto.randomBytes(12).toString("base64")}:${crypto.randomBytes(24).toString("base64")}` });

export { fingerprint };
