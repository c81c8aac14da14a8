/**
 * Catalogue row 26: no principal both administers and uses a key, in any cloud, whoever declared the access
 * (keyfabric, hand-written resources, or the KeyHierarchy spec).
 *
 * Access is gathered as entries (principal, administers?, uses?, declaring resource) at a scope: an AWS key (its key
 * policy, KeyPolicy resources and grants), a GCP project / key ring / crypto key (IAM members, bindings, policies),
 * an Azure scope (ARM role assignments) or a Managed HSM scope (`/`, `/keys`, `/keys/<name>`). An entry at a scope
 * applies to everything under it. A principal with an entry at a scope and both kinds of access there (its own
 * entries plus those of enclosing scopes) is reported on each resource that grants it use. The KeyHierarchy spec is
 * checked on its own: domain admins against domain and key users, reported on the KeyHierarchy.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { wildcardMatch } from "../lib/aws";
import { asArray, isObject, policyDocument } from "../lib/props";
import {
    at,
    Cloud,
    identityOf,
    Identity,
    keyLabel,
    knownStrings,
    reporter,
    specsOf,
    TYPES,
    UNKNOWN,
} from "../lib/crosscloud";

// ---------------------------------------------------------------------------------------------------------------
// What counts as administration and as use, per cloud.

/** AWS key policy Sids keyfabric writes (sdk/aws/actions.ts SIDS). */
const AWS_ADMIN_SIDS = new Set(["KeyAdministrators"]);
const AWS_USER_SIDS = new Set(["KeyUsers", "KeySigners", "KeyMacUsers"]);

/** Actions that change a key's configuration or lifecycle (read-only and grant-management actions excluded). */
const AWS_ADMIN_ACTIONS = [
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKeyRotation",
    "kms:RotateKeyOnDemand",
    "kms:UpdateKeyDescription",
    "kms:UpdatePrimaryRegion",
    "kms:ReplicateKey",
    "kms:CreateAlias",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ImportKeyMaterial",
    "kms:DeleteImportedKeyMaterial",
];

/** Cryptographic use of a key. */
const AWS_USE_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:Sign",
    "kms:Verify",
    "kms:GenerateMac",
    "kms:VerifyMac",
    "kms:DeriveSharedSecret",
];

const AWS_USE_OPERATIONS = new Set(AWS_USE_ACTIONS.map((a) => a.slice(4).toLowerCase()));

const GCP_ADMIN_ROLES = new Set(["roles/cloudkms.admin"]);
const GCP_USER_ROLE = /^roles\/cloudkms\.(cryptoKey(Encrypter|Decrypter|EncrypterDecrypter)(ViaDelegation)?|signer|signerVerifier|verifier|cryptoOperator)$/;

/** Built-in role GUIDs (sdk/azure/roles.ts, plus Key Vault Administrator, which can also use every key). */
const AZURE_ROLES: Record<string, { admin: boolean; user: boolean }> = {
    "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": { admin: true, user: false }, // Key Vault Crypto Officer
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": { admin: true, user: true }, // Key Vault Administrator (all data actions)
    "12338af0-0e69-4776-bea7-57ae8d297424": { admin: false, user: true }, // Key Vault Crypto User
    "e147488a-f6f5-4113-8e2d-b22465e65bf6": { admin: false, user: true }, // Key Vault Crypto Service Encryption User
    "515eb02d-2335-4d2d-92f2-b1cbdf9c3778": { admin: true, user: false }, // Managed HSM Crypto Officer
    "21dbd100-6940-42c2-9190-5d6cb909625b": { admin: false, user: true }, // Managed HSM Crypto User
    "33413926-3206-4cdd-b39a-83574fe37a17": { admin: false, user: true }, // Managed HSM Crypto Service Encryption User
};

const ROOT = /^(arn:aws[-a-z]*:iam::\d{12}:root|\d{12})$/i;

/** Whether an Allow statement grants any of `actions` (Action matches, or NotAction does not exclude it). */
function grantsAny(st: Record<string, any>, actions: readonly string[]): boolean {
    if (st.Action !== undefined) {
        const patterns = asArray<unknown>(st.Action).filter((a): a is string => typeof a === "string");
        return actions.some((a) => patterns.some((p) => wildcardMatch(p, a)));
    }
    if (st.NotAction !== undefined) {
        const patterns = asArray<unknown>(st.NotAction).filter((a): a is string => typeof a === "string");
        return actions.some((a) => !patterns.some((p) => wildcardMatch(p, a)));
    }
    return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Entries and scopes.

interface Entry {
    readonly principal: string;
    readonly admin: boolean;
    readonly user: boolean;
    readonly urn: string;
}

const principalKey = (cloud: Cloud, p: string) => (cloud === "azure" ? p.replace(/^(user|group|servicePrincipal):/i, "") : p).trim().toLowerCase();

/** GCP ids in either long (`projects/p/locations/l/keyRings/r[/cryptoKeys/k]`) or short (`p/l/r[/k]`) form. */
function gcpScope(id: string): string {
    const s = id.replace(/^\/\/cloudkms\.googleapis\.com\//, "").replace(/\/+$/, "");
    if (s.startsWith("projects/")) return s;
    const parts = s.split("/");
    if (parts.length === 3) return `projects/${parts[0]}/locations/${parts[1]}/keyRings/${parts[2]}`;
    if (parts.length === 4) return `projects/${parts[0]}/locations/${parts[1]}/keyRings/${parts[2]}/cryptoKeys/${parts[3]}`;
    return s;
}

const azureScope = (s: string) => s.trim().toLowerCase().replace(/\/+$/, "");
const hsmName = (managedHsmId: string) => managedHsmId.split("/").filter(Boolean).pop()?.toLowerCase();

interface Collected {
    /** Entries by scope. */
    readonly entries: Map<string, { cloud: Cloud; list: Entry[] }>;
    /** In-stack keys and containers that name a scope: exact scopes, and Azure suffixes (ids without the subscription). */
    readonly named: { scope?: string; suffix?: string; cloud: Cloud; identity: Identity; key: boolean }[];
}

interface Config {
    exemptAwsAccountRoot: boolean;
}

function collect(resources: readonly PolicyResource[], config: Config): Collected {
    const entries = new Map<string, { cloud: Cloud; list: Entry[] }>();
    const named: Collected["named"] = [];
    const add = (cloud: Cloud, scope: string, e: Entry) => {
        if (!e.admin && !e.user) return;
        if (!entries.has(scope)) entries.set(scope, { cloud, list: [] });
        entries.get(scope)!.list.push({ ...e, principal: principalKey(cloud, e.principal) });
    };
    const awsKeys = resources.filter((r) => r.type === TYPES.awsKey || r.type === TYPES.awsExternalKey || r.type === TYPES.awsReplicaKey || r.type === TYPES.awsReplicaExternalKey);

    /** The in-stack AWS key a KeyPolicy or Grant targets (by the engine's property dependencies, or by id/ARN in state). */
    const awsTarget = (r: PolicyResource): PolicyResource | undefined => {
        const deps = (r.propertyDependencies ?? {}).keyId ?? [];
        const dep = deps.filter((d) => awsKeys.some((k) => k.urn === d.urn));
        if (dep.length === 1) return dep[0];
        const keyId = at(r.props, "keyId");
        if (typeof keyId !== "string") return undefined;
        return awsKeys.find((k) => ["arn", "keyId", "id"].some((p) => at(k.props, p) === keyId));
    };

    const awsPolicyEntries = (scope: string, urn: string, policy: unknown) => {
        const doc = policyDocument(policy);
        if (!doc) return;
        for (const st of asArray<unknown>(doc.Statement)) {
            if (!isObject(st) || String(st.Effect).toLowerCase() !== "allow" || st.NotPrincipal !== undefined) continue;
            const principals = isObject(st.Principal) ? asArray<unknown>(st.Principal.AWS) : [];
            const sid = typeof st.Sid === "string" ? st.Sid : "";
            const admin = AWS_ADMIN_SIDS.has(sid) || grantsAny(st, AWS_ADMIN_ACTIONS);
            const user = AWS_USER_SIDS.has(sid) || grantsAny(st, AWS_USE_ACTIONS);
            for (const p of principals) {
                if (typeof p !== "string" || p.includes("*")) continue; // wildcard principals: the per-cloud public-access rules
                if (config.exemptAwsAccountRoot && ROOT.test(p)) continue; // the account root delegates to IAM policies
                add("aws", scope, { principal: p, admin, user, urn });
            }
        }
    };

    for (const r of resources) {
        switch (r.type) {
            case TYPES.awsKey:
            case TYPES.awsExternalKey:
            case TYPES.awsReplicaKey:
            case TYPES.awsReplicaExternalKey: {
                const id = identityOf(r);
                if (id !== UNKNOWN && id?.key) named.push({ scope: `aws:${r.urn}`, cloud: "aws", identity: id, key: true });
                const policy = at(r.props, "policy");
                if (policy !== UNKNOWN) awsPolicyEntries(`aws:${r.urn}`, r.urn, policy);
                break;
            }
            case TYPES.awsKeyPolicy: {
                const policy = at(r.props, "policy");
                if (policy === UNKNOWN) break;
                const target = awsTarget(r);
                awsPolicyEntries(`aws:${(target ?? r).urn}`, r.urn, policy);
                break;
            }
            case TYPES.awsGrant: {
                const target = awsTarget(r);
                const grantee = at(r.props, "granteePrincipal");
                const ops = knownStrings(r.props, "operations");
                if (!target || typeof grantee !== "string" || ops === UNKNOWN || !ops) break;
                if (config.exemptAwsAccountRoot && ROOT.test(grantee)) break;
                add("aws", `aws:${target.urn}`, { principal: grantee, admin: false, user: ops.some((o) => AWS_USE_OPERATIONS.has(o.toLowerCase())), urn: r.urn });
                break;
            }
            case TYPES.gcpCryptoKey: {
                const id = identityOf(r);
                const scope = gcpKeyScope(r);
                if (id !== UNKNOWN && id?.key && typeof scope === "string") named.push({ scope, cloud: "gcp", identity: id, key: true });
                break;
            }
            case TYPES.gcpKeyRing: {
                const id = identityOf(r);
                const scope = gcpRingScope(r);
                if (id !== UNKNOWN && id && scope) named.push({ scope, cloud: "gcp", identity: id, key: false });
                break;
            }
            case TYPES.gcpKeyIamMember:
            case TYPES.gcpKeyIamBinding:
            case TYPES.gcpRingIamMember:
            case TYPES.gcpRingIamBinding:
            case "gcp:projects/iAMMember:IAMMember":
            case "gcp:projects/iAMBinding:IAMBinding": {
                const prop = r.type.includes("cryptoKey") ? "cryptoKeyId" : r.type.includes("keyRing") ? "keyRingId" : "project";
                const target = gcpTarget(r, prop);
                const role = at(r.props, "role");
                if (target === undefined || typeof role !== "string") break;
                const scope = prop === "project" ? `projects/${target.replace(/^projects\//, "")}` : target;
                const members = r.type.endsWith("Member") ? [at(r.props, "member")] : knownStrings(r.props, "members");
                if (members === UNKNOWN || !members) break;
                for (const m of members) {
                    if (typeof m === "string") add("gcp", scope, { principal: m, admin: GCP_ADMIN_ROLES.has(role), user: GCP_USER_ROLE.test(role), urn: r.urn });
                }
                break;
            }
            case TYPES.gcpKeyIamPolicy:
            case TYPES.gcpRingIamPolicy: {
                const target = gcpTarget(r, r.type === TYPES.gcpKeyIamPolicy ? "cryptoKeyId" : "keyRingId");
                const data = policyDocument(at(r.props, "policyData"));
                if (target === undefined || !data) break;
                for (const b of asArray<unknown>(data.bindings)) {
                    if (!isObject(b) || typeof b.role !== "string") continue;
                    for (const m of asArray<unknown>(b.members)) {
                        if (typeof m === "string") add("gcp", target, { principal: m, admin: GCP_ADMIN_ROLES.has(b.role), user: GCP_USER_ROLE.test(b.role), urn: r.urn });
                    }
                }
                break;
            }
            case TYPES.azureKey: {
                const id = identityOf(r);
                if (id === UNKNOWN || !id?.key) break;
                const armId = at(r.props, "id");
                const [rg, vault, name] = [at(r.props, "resourceGroupName"), at(r.props, "vaultName"), at(r.props, "keyName")];
                if (typeof armId === "string" && armId.startsWith("/")) named.push({ scope: azureScope(armId), cloud: "azure", identity: id, key: true });
                else if (typeof rg === "string" && typeof vault === "string" && typeof name === "string") {
                    named.push({ suffix: azureScope(`/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${vault}/keys/${name}`), cloud: "azure", identity: id, key: true });
                }
                break;
            }
            case TYPES.azureVault: {
                const id = identityOf(r);
                const [rg, vault] = [at(r.props, "resourceGroupName"), at(r.props, "vaultName")];
                if (id !== UNKNOWN && id && typeof rg === "string" && typeof vault === "string") {
                    named.push({ suffix: azureScope(`/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${vault}`), cloud: "azure", identity: id, key: false });
                }
                break;
            }
            case TYPES.azureHsmKey: {
                const id = identityOf(r);
                const [hsm, name] = [at(r.props, "managedHsmId"), at(r.props, "name")];
                if (id !== UNKNOWN && id?.key && typeof hsm === "string" && typeof name === "string") named.push({ scope: `mhsm:${hsmName(hsm)}/keys/${name.toLowerCase()}`, cloud: "azure", identity: id, key: true });
                break;
            }
            case TYPES.azureRoleAssignment: {
                const [scope, principal, role] = [at(r.props, "scope"), at(r.props, "principalId"), at(r.props, "roleDefinitionId")];
                if (typeof scope !== "string" || typeof principal !== "string" || typeof role !== "string") break;
                const kind = AZURE_ROLES[role.split("/").pop()!.toLowerCase()];
                if (kind) add("azure", azureScope(scope), { principal, ...kind, urn: r.urn });
                break;
            }
            case TYPES.azureHsmRoleAssignment: {
                const [hsm, scope, principal, role] = [at(r.props, "managedHsmId"), at(r.props, "scope"), at(r.props, "principalId"), at(r.props, "roleDefinitionId")];
                if (typeof hsm !== "string" || typeof scope !== "string" || typeof principal !== "string" || typeof role !== "string") break;
                const kind = AZURE_ROLES[role.split("/").pop()!.toLowerCase()];
                if (kind) add("azure", `mhsm:${hsmName(hsm)}${scope.toLowerCase()}`.replace(/\/+$/, ""), { principal, ...kind, urn: r.urn });
                break;
            }
        }
    }
    return { entries, named };
}

/** The single in-stack resource of one of `types` that property `prop` of `r` depends on (the engine sends these). */
function dependency(r: PolicyResource, prop: string, types: readonly string[]): PolicyResource | undefined {
    const found = ((r.propertyDependencies ?? {})[prop] ?? []).filter((d) => types.includes(d.type));
    return found.length === 1 ? found[0] : undefined;
}

/** The id of a key ring: from state, else `projects/<project>/locations/<location>/keyRings/<name>`. */
function gcpRingScope(r: PolicyResource): string | undefined {
    const id = at(r.props, "id");
    if (typeof id === "string" && id.includes("/keyRings/")) return gcpScope(id);
    const [project, location, name] = [at(r.props, "project"), at(r.props, "location"), at(r.props, "name")];
    return typeof project === "string" && typeof location === "string" && typeof name === "string" ? `projects/${project}/locations/${location}/keyRings/${name}` : undefined;
}

/**
 * The id of a crypto key: from state, else `<keyRing>/cryptoKeys/<name>`, where a key ring id still unknown at
 * preview is rebuilt from the KeyRing resource the engine says it depends on.
 */
function gcpKeyScope(r: PolicyResource): string | undefined {
    const id = at(r.props, "id");
    if (typeof id === "string" && id.includes("/cryptoKeys/")) return gcpScope(id);
    const name = at(r.props, "name");
    if (typeof name !== "string") return undefined;
    const ring = at(r.props, "keyRing");
    if (typeof ring === "string") return `${gcpScope(ring)}/cryptoKeys/${name}`;
    const dep = ring === UNKNOWN ? dependency(r, "keyRing", [TYPES.gcpKeyRing]) : undefined;
    const ringScope = dep ? gcpRingScope(dep) : undefined;
    return ringScope ? `${ringScope}/cryptoKeys/${name}` : undefined;
}

/** The scope an IAM resource grants on: its id, or (unknown at preview) the in-stack key or key ring it depends on. */
function gcpTarget(r: PolicyResource, prop: string): string | undefined {
    const v = at(r.props, prop);
    if (typeof v === "string") return gcpScope(v);
    if (v !== UNKNOWN) return undefined;
    if (prop === "cryptoKeyId") {
        const key = dependency(r, prop, [TYPES.gcpCryptoKey]);
        return key ? gcpKeyScope(key) : undefined;
    }
    if (prop === "keyRingId") {
        const ring = dependency(r, prop, [TYPES.gcpKeyRing]);
        return ring ? gcpRingScope(ring) : undefined;
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The rule.

export const rule = stackRule(
    {
        name: "keyfabric-hierarchy-enforce-separation-of-duties",
        description:
            "No principal may be both an administrator and a user of the same key in any cloud: AWS key policies, KeyPolicy resources and grants, GCP IAM on projects, key rings and crypto keys, Azure Key Vault and Managed HSM role assignments, and the KeyHierarchy spec's domain admins and users, whether keyfabric or hand-written resources declare the access.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Google Cloud Platform Foundation Benchmark", version: "3.0.0", reference: "1.11 Ensure that Separation of duties is enforced while assigning KMS related roles to users" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Access to cryptographic keys restricted to the fewest number of custodians necessary" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.6 Split knowledge and dual control" },
        ],
        remediation:
            "Remove either the administration or the use access of the principal on the key: drop it from the key policy statement, IAM binding or role assignment that grants use (or the one that grants administration), and give the other duty to a different principal; in a KeyHierarchy keep domain admins and users disjoint.",
        catalogueRows: [26],
        resourceTypes: [
            TYPES.awsKey,
            TYPES.awsExternalKey,
            TYPES.awsReplicaKey,
            TYPES.awsReplicaExternalKey,
            TYPES.awsKeyPolicy,
            TYPES.awsGrant,
            TYPES.gcpKeyIamMember,
            TYPES.gcpKeyIamBinding,
            TYPES.gcpKeyIamPolicy,
            TYPES.gcpRingIamMember,
            TYPES.gcpRingIamBinding,
            TYPES.gcpRingIamPolicy,
            "gcp:projects/iAMMember:IAMMember",
            "gcp:projects/iAMBinding:IAMBinding",
            TYPES.azureRoleAssignment,
            TYPES.azureHsmRoleAssignment,
            TYPES.hierarchy,
        ],
        configSchema: {
            properties: {
                exemptAwsAccountRoot: {
                    type: "boolean",
                    default: true,
                    description: "Leave out the AWS account root principal (the key policy statement that delegates access to IAM policies), which has every permission by design.",
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const config = args.getConfig<Config>();
            const report = reporter(reportViolation);
            const specs = specsOf(args.resources);
            const { entries, named } = collect(args.resources, { exemptAwsAccountRoot: config.exemptAwsAccountRoot ?? true });

            // The spec itself: domain admins against domain and key users, per cloud.
            for (const spec of specs.values()) {
                for (const [dn, d] of spec.domains) {
                    for (const [kn, k] of d.keys) {
                        for (const cloud of ["aws", "gcp", "azure"] as const) {
                            const admins = d.admins[cloud];
                            if (admins === UNKNOWN || !admins) continue;
                            const users = [...listOf(d.users[cloud]), ...listOf(k.users[cloud])];
                            const a = new Set(admins.map((p) => principalKey(cloud, p)));
                            if (users.some((u) => a.has(principalKey(cloud, u)))) {
                                report(`The KeyHierarchy makes a principal both an administrator and a user of ${keyLabel({ hierarchy: "", domain: dn, key: kn })} in ${cloud}.`, spec.urn);
                            }
                        }
                    }
                }
            }

            const nameOf = namedScopes(named);

            // Every scope with entries: its own entries and those inherited from enclosing scopes.
            for (const [scope, { cloud, list }] of entries) {
                const who = nameOf(scope, cloud);
                const all = [...list, ...enclosing(entries, scope, cloud)];
                const byPrincipal = new Map<string, Entry[]>();
                for (const e of all) {
                    const mine = byPrincipal.get(e.principal);
                    if (mine) mine.push(e);
                    else byPrincipal.set(e.principal, [e]);
                }
                for (const p of new Set(list.map((e) => e.principal))) {
                    const mine = byPrincipal.get(p)!;
                    if (!mine.some((e) => e.admin)) continue;
                    const user = mine.filter((e) => e.user);
                    if (user.length === 0) continue;
                    const what = who?.key ? keyLabel(who.identity) : who ? `the keys of domain ${who.identity.domain}` : scope.startsWith("aws:") || /\/(cryptokeys|keys)\/[^/]+$/i.test(scope) ? "a key outside any key hierarchy" : "keys outside any key hierarchy";
                    const message = `A principal is both an administrator and a user of ${what} in ${cloud}.`;
                    for (const e of user) report(message, e.urn);
                }
            }
        },
    },
);

/**
 * The entries of the scopes enclosing `scope` in the same cloud: the scopes `s` with `scope` starting with `${s}/`,
 * i.e. `scope` cut at each of its slashes, looked up instead of compared with every scope of the stack.
 */
function enclosing(entries: Collected["entries"], scope: string, cloud: Cloud): Entry[] {
    const out: Entry[] = [];
    for (let i = scope.indexOf("/"); i !== -1; i = scope.indexOf("/", i + 1)) {
        const e = entries.get(scope.slice(0, i));
        if (e && e.cloud === cloud) out.push(...e.list);
    }
    return out;
}

/**
 * The first in-stack key or container (in `named` order) that names a scope: by its exact scope, or for Azure by its
 * id without the subscription (`/subscriptions/<id>` followed by the suffix). Indexed once instead of scanned per scope.
 */
function namedScopes(named: Collected["named"]): (scope: string, cloud: Cloud) => Collected["named"][number] | undefined {
    const exact = new Map<string, number>();
    const suffix = new Map<string, number>();
    named.forEach((n, i) => {
        if (n.scope !== undefined && !exact.has(`${n.cloud} ${n.scope}`)) exact.set(`${n.cloud} ${n.scope}`, i);
        if (n.suffix !== undefined && !suffix.has(`${n.cloud} ${n.suffix}`)) suffix.set(`${n.cloud} ${n.suffix}`, i);
    });
    return (scope, cloud) => {
        const bySuffix = /^\/subscriptions\/[^/]+(.*)$/.exec(scope);
        const candidates = [exact.get(`${cloud} ${scope}`), bySuffix ? suffix.get(`${cloud} ${bySuffix[1]}`) : undefined].filter((i): i is number => i !== undefined);
        return candidates.length ? named[Math.min(...candidates)] : undefined;
    };
}

const listOf = (v: string[] | undefined | typeof UNKNOWN): string[] => (v === UNKNOWN || !v ? [] : v);
