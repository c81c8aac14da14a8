/**
 * From state to check units: which key-related resources are compared and how, which are covered by another
 * resource's check (IAM members by their key's check, a Managed HSM rotation policy by its key's), and which are not
 * compared (with the reason). Also the index of state the checks look things up in.
 */
import { checkAwsAlias, checkAwsKey, checkAwsKeyPolicy } from "./aws";
import { checkAzureHsmKey, checkAzureImportedKey, checkAzureNativeKey, checkAzureVault } from "./azure";
import type { CheckContext, CheckResult } from "./context";
import { memberDomain, str } from "./compare";
import { checkGcpCryptoKey, checkGcpIamOnly, checkGcpKeyRing, checkGcpVersion, pair } from "./gcp";
import { canonicalType, containsSecret, keyResourceCloud, propsOf, StackState, StateResource } from "./state";
import type { Cloud, SkippedResource } from "./types";

/** IAM members state grants on one key or key ring. */
export interface DeclaredIam {
    /** `role member` pairs. */
    readonly pairs: Set<string>;
    /** Some member or policy in state is a secret: the expected set is unknown. */
    unknown: boolean;
    /** The IAM resources declaring them. */
    readonly urns: string[];
}

const DYN = "pulumi-nodejs:dynamic/keyfabric:";
const AWS_KEY_TYPES = new Set(["aws:kms/key:Key", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"]);
const GCP_KEY_IAM = /^gcp:kms\/cryptoKeyIAM(Member|Binding|Policy):/;
const GCP_RING_IAM = /^gcp:kms\/keyRingIAM(Member|Binding|Policy):/;
const HSM_KEY = "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey";
const HSM_ROTATION = "azure:keyvault/managedHardwareSecurityModuleKeyRotationPolicy:ManagedHardwareSecurityModuleKeyRotationPolicy";

export class StateIndex {
    readonly byUrn = new Map<string, StateResource>();
    /** AWS keys by ARN and by key id → the ARN. */
    private readonly awsArns = new Map<string, string>();
    /** ARNs (and ids) of AWS keys that keyfabric's AwsImportedKeyMaterial imports into. */
    readonly awsMaterialTargets = new Set<string>();
    /** Primary key ARN (or id) → regions of its replicas in state. */
    private readonly awsReplicas = new Map<string, Set<string>>();
    readonly gcpIam = new Map<string, DeclaredIam>();
    /** Domains of every GCP IAM member in state: a new member from another domain is "foreign". */
    readonly gcpKnownDomains = new Set<string>();
    readonly gcpKeyRings = new Set<string>();
    readonly gcpCryptoKeys = new Set<string>();
    /** Lower-cased versionless Managed HSM key id → its rotation policy resource. */
    readonly azureHsmRotation = new Map<string, StateResource>();
    readonly azureHsmKeys = new Set<string>();
    /** Crypto key → versions keyfabric's GcpImportedKeyVersion imported (the expected primaries of BYOK keys). */
    readonly gcpImportedVersions = new Map<string, string[]>();

    constructor(readonly state: StackState) {
        for (const r of state.resources) this.byUrn.set(r.urn, r);
        for (const r of state.resources) {
            if (r.delete) continue;
            const type = canonicalType(r.type);
            const p = propsOf(r);
            if (AWS_KEY_TYPES.has(type)) {
                const arn = str(p.arn);
                for (const k of [arn, str(p.keyId), r.id]) if (k && arn) this.awsArns.set(k, arn);
                const primary = str(p.primaryKeyArn);
                const region = str(p.region) ?? (arn ? arn.split(":")[3] : undefined);
                if (primary && region) {
                    const set = this.awsReplicas.get(primary) ?? new Set<string>();
                    set.add(region);
                    this.awsReplicas.set(primary, set);
                }
            } else if (type === `${DYN}AwsImportedKeyMaterial`) {
                for (const k of [str(p.keyArn), str(p.keyId), r.id]) if (k) this.awsMaterialTargets.add(k);
            } else if (GCP_KEY_IAM.test(type) || GCP_RING_IAM.test(type)) {
                const target = str(GCP_KEY_IAM.test(type) ? p.cryptoKeyId : p.keyRingId);
                if (!target) continue;
                const declared = this.gcpIam.get(target) ?? { pairs: new Set<string>(), unknown: false, urns: [] };
                declared.urns.push(r.urn);
                if (containsSecret(p)) declared.unknown = true;
                const role = str(p.role);
                const members: string[] = type.includes("IAMMember:") ? [str(p.member) ?? ""] : type.includes("IAMBinding:") && Array.isArray(p.members) ? (p.members as unknown[]).map(String) : [];
                if (type.includes("IAMPolicy:")) {
                    try {
                        const policy = JSON.parse(String(p.policyData ?? "{}")) as { bindings?: { role: string; members?: string[] }[] };
                        for (const b of policy.bindings ?? []) for (const m of b.members ?? []) this.addMember(declared, b.role, m);
                    } catch {
                        declared.unknown = true;
                    }
                } else if (role) {
                    for (const m of members) if (m) this.addMember(declared, role, m);
                }
                this.gcpIam.set(target, declared);
            } else if (type === `${DYN}GcpImportedKeyVersion`) {
                const key = str(p.cryptoKey) ?? r.id;
                const versions = Array.isArray(p.versions) ? (p.versions as unknown[]).map(String) : str(p.version) ? [str(p.version)!] : [];
                if (key) this.gcpImportedVersions.set(key, [...(this.gcpImportedVersions.get(key) ?? []), ...versions]);
            } else if (type === "gcp:kms/keyRing:KeyRing") {
                if (r.id) this.gcpKeyRings.add(r.id);
            } else if (type === "gcp:kms/cryptoKey:CryptoKey") {
                if (r.id) this.gcpCryptoKeys.add(r.id);
            } else if (type === HSM_ROTATION) {
                const keyId = str(p.managedHsmKeyId);
                if (keyId) this.azureHsmRotation.set(versionless(keyId).toLowerCase(), r);
            } else if (type === HSM_KEY) {
                if (r.id) this.azureHsmKeys.add(versionless(r.id).toLowerCase());
            }
        }
    }

    private addMember(declared: DeclaredIam, role: string, member: string): void {
        declared.pairs.add(pair(role, member));
        const d = memberDomain(member);
        if (d) this.gcpKnownDomains.add(d);
    }

    /** The ARN of an AWS key in state, by ARN or key id. */
    awsKeyArn(idOrArn: string | undefined): string | undefined {
        return idOrArn ? (this.awsArns.get(idOrArn) ?? (idOrArn.startsWith("arn:") ? idOrArn : undefined)) : undefined;
    }

    /** The key id of an ARN or id (`arn:...:key/ID` → `ID`). */
    awsKeyId(idOrArn: string | undefined): string | undefined {
        if (!idOrArn) return undefined;
        const arn = this.awsKeyArn(idOrArn) ?? idOrArn;
        const m = /:key\/(.+)$/.exec(arn);
        return m ? m[1] : idOrArn;
    }

    awsReplicaRegions(arn: string, id?: string): Set<string> {
        return new Set([...(this.awsReplicas.get(arn) ?? []), ...(id ? (this.awsReplicas.get(id) ?? []) : [])]);
    }

    /** The region configured on a provider resource (`urn::id` reference). */
    providerRegion(ref: string | undefined): string | undefined {
        if (!ref) return undefined;
        const urn = ref.includes("::") ? ref.slice(0, ref.lastIndexOf("::")) : ref;
        const provider = this.byUrn.get(urn);
        return provider ? (str(provider.outputs.region) ?? str(provider.inputs.region)) : undefined;
    }
}

const versionless = (id: string) => id.replace(/^(https:\/\/[^/]+\/keys\/[^/]+)\/[^/]+$/, "$1");

/** One unit of work: a resource's check (and the resources it covers). */
export interface CheckUnit {
    readonly urn: string;
    readonly type: string;
    readonly cloud: Cloud;
    /** Other resources this check also verifies (IAM members, rotation policies). */
    readonly covers: readonly string[];
    run(ctx: CheckContext): Promise<CheckResult>;
}

export interface Plan {
    readonly units: CheckUnit[];
    readonly skipped: SkippedResource[];
    /** Key-related custom resources in state. */
    readonly keyResources: number;
}

const NOT_COMPARED: Record<string, string> = {
    "aws:kms/grant:Grant": "grants are not compared (their operations and constraints are fixed at creation; ListGrants is not read)",
    "aws:kms/ciphertext:Ciphertext": "a ciphertext is data, not key configuration",
    "aws:kms/customKeyStore:CustomKeyStore": "custom key stores are not compared",
    "gcp:kms/keyRingImportJob:KeyRingImportJob": "import jobs expire by design; not compared",
    "gcp:kms/secretCiphertext:SecretCiphertext": "a ciphertext is data, not key configuration",
    [`${DYN}MaterialFingerprint`]: "a local fingerprint of material: no cloud object to compare",
    [HSM_ROTATION]: "its key is not in state (rotation policies are compared with their key)",
};

/** Units for every key-related custom resource in state, in state order. */
export function planChecks(state: StackState, index: StateIndex): Plan {
    const units: CheckUnit[] = [];
    const skipped: SkippedResource[] = [];
    let keyResources = 0;
    const unit = (r: StateResource, cloud: Cloud, run: (ctx: CheckContext) => Promise<CheckResult>, covers: string[] = []) => units.push({ urn: r.urn, type: r.type, cloud, covers, run });

    // Key rings not in state that keys in state live in: one public-member check each, on the first key (by urn).
    const ringOwners = new Map<string, string>();
    for (const r of state.resources) {
        if (r.delete || canonicalType(r.type) !== "gcp:kms/cryptoKey:CryptoKey" || !r.id) continue;
        const ring = r.id.replace(/\/cryptoKeys\/[^/]+$/, "");
        if (index.gcpKeyRings.has(ring)) continue;
        const cur = ringOwners.get(ring);
        if (!cur || r.urn < cur) ringOwners.set(ring, r.urn);
    }
    const ringCheckFor = new Map([...ringOwners].map(([ring, urn]) => [urn, ring]));
    const iamCovered = new Set<string>();
    for (const [target, declared] of index.gcpIam) {
        if (index.gcpCryptoKeys.has(target) || index.gcpKeyRings.has(target)) declared.urns.forEach((u) => iamCovered.add(u));
    }
    const iamOnlyDone = new Set<string>();

    for (const r of state.resources) {
        const cloud = keyResourceCloud(r.type);
        if (!cloud || !r.custom) continue;
        keyResources++;
        const type = canonicalType(r.type);
        if (r.delete) {
            skipped.push({ urn: r.urn, type: r.type, reason: "marked for deletion in state (the old half of a replacement)" });
            continue;
        }
        if (AWS_KEY_TYPES.has(type)) unit(r, "aws", (ctx) => checkAwsKey(r, ctx, type.includes("eplica") ? "replica" : "key"));
        else if (type === `${DYN}AwsImportedKeyMaterial`) unit(r, "aws", (ctx) => checkAwsKey(r, ctx, "material"));
        else if (type === "aws:kms/alias:Alias") unit(r, "aws", (ctx) => checkAwsAlias(r, ctx));
        else if (type === "aws:kms/keyPolicy:KeyPolicy") unit(r, "aws", (ctx) => checkAwsKeyPolicy(r, ctx));
        else if (type === "gcp:kms/cryptoKey:CryptoKey") {
            const covers = r.id ? (index.gcpIam.get(r.id)?.urns ?? []) : [];
            const ring = ringCheckFor.get(r.urn);
            unit(r, "gcp", (ctx) => checkGcpCryptoKey(r, ctx, ring ? { ringPublicCheck: ring } : {}), covers);
        } else if (type === "gcp:kms/keyRing:KeyRing") unit(r, "gcp", (ctx) => checkGcpKeyRing(r, ctx), r.id ? (index.gcpIam.get(r.id)?.urns ?? []) : []);
        else if (GCP_KEY_IAM.test(type) || GCP_RING_IAM.test(type)) {
            if (iamCovered.has(r.urn)) continue; // checked with its key or key ring
            const p = propsOf(r);
            const target = str(GCP_KEY_IAM.test(type) ? p.cryptoKeyId : p.keyRingId);
            if (!target) {
                skipped.push({ urn: r.urn, type: r.type, reason: "no cryptoKeyId or keyRingId in state" });
                continue;
            }
            if (iamOnlyDone.has(target)) continue;
            iamOnlyDone.add(target);
            unit(r, "gcp", (ctx) => checkGcpIamOnly(r, ctx, target), (index.gcpIam.get(target)?.urns ?? []).filter((u) => u !== r.urn));
        } else if (type === "gcp:kms/cryptoKeyVersion:CryptoKeyVersion" || type === `${DYN}GcpImportedKeyVersion`) unit(r, "gcp", (ctx) => checkGcpVersion(r, ctx));
        else if (type === `${DYN}AzureImportedKey`) unit(r, "azure", (ctx) => checkAzureImportedKey(r, ctx));
        else if (type === "azure-native:keyvault:Vault") unit(r, "azure", (ctx) => checkAzureVault(r, ctx));
        else if (type === "azure-native:keyvault:Key") unit(r, "azure", (ctx) => checkAzureNativeKey(r, ctx));
        else if (type === HSM_KEY) {
            const policy = r.id ? index.azureHsmRotation.get(versionless(r.id).toLowerCase()) : undefined;
            unit(r, "azure", (ctx) => checkAzureHsmKey(r, ctx), policy ? [policy.urn] : []);
        } else if (type === HSM_ROTATION) {
            const keyId = str(propsOf(r).managedHsmKeyId);
            if (keyId && index.azureHsmKeys.has(versionless(keyId).toLowerCase())) continue; // checked with its key
            skipped.push({ urn: r.urn, type: r.type, reason: NOT_COMPARED[HSM_ROTATION] });
        } else {
            skipped.push({ urn: r.urn, type: r.type, reason: NOT_COMPARED[type] ?? "this resource type is not compared by keyfabric drift" });
        }
    }
    return { units, skipped, keyResources };
}
