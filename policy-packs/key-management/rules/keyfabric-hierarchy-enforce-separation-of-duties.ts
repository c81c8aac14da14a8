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
 *
 * Keys of a domain with `separationOfDuties: "strict"` are checked by the effective permissions of the roles
 * (lib/permissions.ts: built-in roles tabled, custom roles read from the stack's RoleDefinition, Managed HSM role
 * definition and IAMCustomRole resources), not by the lists a principal appears in: a principal other than the
 * domain's deployer that may change who uses the key (key policy, grants, IAM policy, role assignments or definitions)
 * is a violation, and so is one whose roles together both manage and use it (Key Vault Crypto Officer, the Managed
 * HSM Crypto User, cloudkms.admin with an encrypter role, `kms:*`, a custom role with both). The AWS account
 * principal is not exempt there: a strict key's policy gives it read-only access.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { wildcardMatch } from "../lib/aws";
import { asArray, isObject, policyDocument } from "../lib/props";
import { awsGrantDuties, awsStatementDuties, AzurePermission, azureBuiltInDuties, azureDuties, Duties, gcpDuties, GCP_ROLE_PERMISSIONS, mergeDuties } from "../lib/permissions";
import {
    at,
    Cloud,
    identityOf,
    Identity,
    keyLabel,
    knownStrings,
    reporter,
    Spec,
    SpecDomain,
    specsOf,
    TYPES,
    UNKNOWN,
} from "../lib/crosscloud";

/** Role definitions whose permissions the rule reads from the stack (custom roles). */
const ROLE_TYPES = {
    azureRoleDefinition: "azure-native:authorization:RoleDefinition",
    azureClassicRoleDefinition: "azure:authorization/roleDefinition:RoleDefinition",
    azureHsmRoleDefinition: "azure:keyvault/managedHardwareSecurityModuleRoleDefinition:ManagedHardwareSecurityModuleRoleDefinition",
    gcpProjectRole: "gcp:projects/iAMCustomRole:IAMCustomRole",
    gcpOrganizationRole: "gcp:organizations/iAMCustomRole:IAMCustomRole",
} as const;

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
    /** Declared duty (keyfabric's Sids and the built-in roles' purpose): the check of standard domains. */
    readonly admin: boolean;
    readonly user: boolean;
    readonly urn: string;
    /** Effective permissions by duty (the check of strict domains); undefined when the role is not known. */
    readonly duties?: Duties;
    /** The AWS account principal (exempt in standard domains with exemptAwsAccountRoot). */
    readonly root?: boolean;
}

const hasDuties = (d: Duties | undefined) => !!d && d.manage.length + d.use.length + d.grant.length > 0;
const lastSegment = (id: string) => id.split("/").filter(Boolean).pop()!.toLowerCase();

/** Custom role definitions in the stack, by GUID (Azure, Managed HSM) or full name (GCP), and by URN. */
interface CustomRoles {
    readonly azure: Map<string, Duties>;
    readonly hsm: Map<string, Duties>;
    readonly gcp: Map<string, Duties>;
    readonly byUrn: Map<string, Duties>;
}

function azurePermissionsOf(r: PolicyResource): AzurePermission[] | undefined {
    const perms = at(r.props, "permissions");
    if (perms === UNKNOWN || !Array.isArray(perms)) return undefined;
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
    return perms.filter(isObject).map((p) => ({ actions: strings(p.actions), notActions: strings(p.notActions), dataActions: strings(p.dataActions), notDataActions: strings(p.notDataActions) }));
}

function customRoles(resources: readonly PolicyResource[]): CustomRoles {
    const out: CustomRoles = { azure: new Map(), hsm: new Map(), gcp: new Map(), byUrn: new Map() };
    for (const r of resources) {
        switch (r.type) {
            case ROLE_TYPES.azureRoleDefinition:
            case ROLE_TYPES.azureClassicRoleDefinition:
            case ROLE_TYPES.azureHsmRoleDefinition: {
                const perms = azurePermissionsOf(r);
                if (!perms) break;
                const duties = azureDuties(perms);
                out.byUrn.set(r.urn, duties);
                const hsm = r.type === ROLE_TYPES.azureHsmRoleDefinition;
                for (const prop of hsm ? ["name", "resourceManagerId", "id"] : ["roleDefinitionId", "id", "roleDefinitionResourceId"]) {
                    const v = at(r.props, prop);
                    if (typeof v === "string" && v !== "") (hsm ? out.hsm : out.azure).set(lastSegment(v), duties);
                }
                break;
            }
            case ROLE_TYPES.gcpProjectRole:
            case ROLE_TYPES.gcpOrganizationRole: {
                const perms = knownStrings(r.props, "permissions");
                if (perms === UNKNOWN || !perms) break;
                const duties = gcpDuties(perms);
                out.byUrn.set(r.urn, duties);
                const [roleId, parent] = [at(r.props, "roleId"), at(r.props, r.type === ROLE_TYPES.gcpProjectRole ? "project" : "orgId")];
                if (typeof roleId === "string" && typeof parent === "string") out.gcp.set(`${r.type === ROLE_TYPES.gcpProjectRole ? "projects" : "organizations"}/${parent}/roles/${roleId}`, duties);
                const name = at(r.props, "name");
                if (typeof name === "string" && name.includes("/roles/")) out.gcp.set(name, duties);
                break;
            }
        }
    }
    return out;
}

/** The duties of the role definition a property depends on (its value unknown at preview). */
function dependedDuties(r: PolicyResource, prop: string, roles: CustomRoles): Duties | undefined {
    const deps = ((r.propertyDependencies ?? {})[prop] ?? []).filter((d) => roles.byUrn.has(d.urn));
    return deps.length === 1 ? roles.byUrn.get(deps[0].urn) : undefined;
}

/** A GCP role's duties: predefined (lib/permissions.ts) or a custom role of the stack. */
function gcpRoleDuties(role: string, roles: CustomRoles): Duties | undefined {
    const builtIn = GCP_ROLE_PERMISSIONS[role];
    return builtIn ? gcpDuties(builtIn) : roles.gcp.get(role);
}

/** An Azure role's duties: built-in (lib/permissions.ts) or a custom role of the stack, by GUID. */
function azureRoleDuties(roleDefinitionId: string, roles: CustomRoles, hsm: boolean): Duties | undefined {
    const guid = lastSegment(roleDefinitionId);
    return azureBuiltInDuties(guid) ?? (hsm ? roles.hsm : roles.azure).get(guid);
}

/** The declared duty of a custom role (not in the built-in tables): what its permissions do. */
const declaredFrom = (d: Duties | undefined) => ({ admin: !!d && d.manage.length + d.grant.length > 0, user: !!d && d.use.length > 0 });

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

function collect(resources: readonly PolicyResource[]): Collected {
    const entries = new Map<string, { cloud: Cloud; list: Entry[] }>();
    const named: Collected["named"] = [];
    const roles = customRoles(resources);
    const add = (cloud: Cloud, scope: string, e: Entry) => {
        if (!e.admin && !e.user && !hasDuties(e.duties)) return;
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
            const duties = awsStatementDuties(st);
            for (const p of principals) {
                if (typeof p !== "string" || p.includes("*")) continue; // wildcard principals: the per-cloud public-access rules
                // The account root delegates to IAM policies: exempt in standard domains (config), never in strict ones.
                add("aws", scope, { principal: p, admin, user, urn, duties, root: ROOT.test(p) });
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
                add("aws", `aws:${target.urn}`, { principal: grantee, admin: false, user: ops.some((o) => AWS_USE_OPERATIONS.has(o.toLowerCase())), urn: r.urn, duties: awsGrantDuties(ops), root: ROOT.test(grantee) });
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
                const duties = typeof role === "string" ? gcpRoleDuties(role, roles) : role === UNKNOWN ? dependedDuties(r, "role", roles) : undefined;
                if (target === undefined || (typeof role !== "string" && !duties)) break;
                const scope = prop === "project" ? `projects/${target.replace(/^projects\//, "")}` : target;
                const members = r.type.endsWith("Member") ? [at(r.props, "member")] : knownStrings(r.props, "members");
                if (members === UNKNOWN || !members) break;
                const declared = typeof role === "string" && (GCP_ADMIN_ROLES.has(role) || GCP_USER_ROLE.test(role)) ? { admin: GCP_ADMIN_ROLES.has(role), user: GCP_USER_ROLE.test(role) } : declaredFrom(GCP_ROLE_PERMISSIONS[role as string] ? undefined : duties);
                for (const m of members) {
                    if (typeof m === "string") add("gcp", scope, { principal: m, ...declared, urn: r.urn, duties });
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
                    const duties = gcpRoleDuties(b.role, roles);
                    const builtIn = GCP_ADMIN_ROLES.has(b.role) || GCP_USER_ROLE.test(b.role);
                    const declared = builtIn ? { admin: GCP_ADMIN_ROLES.has(b.role), user: GCP_USER_ROLE.test(b.role) } : declaredFrom(GCP_ROLE_PERMISSIONS[b.role] ? undefined : duties);
                    for (const m of asArray<unknown>(b.members)) {
                        if (typeof m === "string") add("gcp", target, { principal: m, ...declared, urn: r.urn, duties });
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
                if (typeof scope !== "string" || typeof principal !== "string") break;
                const duties = typeof role === "string" ? azureRoleDuties(role, roles, false) : role === UNKNOWN ? dependedDuties(r, "roleDefinitionId", roles) : undefined;
                const kind = typeof role === "string" ? AZURE_ROLES[lastSegment(role)] : undefined;
                if (kind || duties) add("azure", azureScope(scope), { principal, ...(kind ?? declaredFrom(duties)), urn: r.urn, duties });
                break;
            }
            case TYPES.azureHsmRoleAssignment: {
                const [hsm, scope, principal, role] = [at(r.props, "managedHsmId"), at(r.props, "scope"), at(r.props, "principalId"), at(r.props, "roleDefinitionId")];
                if (typeof hsm !== "string" || typeof scope !== "string" || typeof principal !== "string" || typeof role !== "string") break;
                const duties = azureRoleDuties(role, roles, true);
                const kind = AZURE_ROLES[lastSegment(role)];
                if (kind || duties) add("azure", `mhsm:${hsmName(hsm)}${scope.toLowerCase()}`.replace(/\/+$/, ""), { principal, ...(kind ?? declaredFrom(duties)), urn: r.urn, duties });
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
            "No principal may be both an administrator and a user of the same key in any cloud: AWS key policies, KeyPolicy resources and grants, GCP IAM on projects, key rings and crypto keys, Azure Key Vault and Managed HSM role assignments, and the KeyHierarchy spec's domain admins and users, whether keyfabric or hand-written resources declare the access. For keys of strict domains (separationOfDuties: strict) the roles' effective permissions count, built-in or custom: no principal both manages and uses a key, and only the domain's deployer may change its key policy, IAM policy or role assignments.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Google Cloud Platform Foundation Benchmark", version: "3.0.0", reference: "1.11 Ensure that Separation of duties is enforced while assigning KMS related roles to users" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Access to cryptographic keys restricted to the fewest number of custodians necessary" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.6 Split knowledge and dual control" },
        ],
        remediation:
            "Remove either the administration or the use access of the principal on the key: drop it from the key policy statement, IAM binding or role assignment that grants use (or the one that grants administration), and give the other duty to a different principal; in a KeyHierarchy keep domain admins and users disjoint. For a strict domain, grant roles whose permissions hold one duty only (keyfabric's custom roles), and leave key policy, IAM policy and role assignment changes to the deployer.",
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
            ...Object.values(ROLE_TYPES),
            TYPES.hierarchy,
        ],
        configSchema: {
            properties: {
                exemptAwsAccountRoot: {
                    type: "boolean",
                    default: true,
                    description:
                        "Leave out the AWS account root principal (the key policy statement that delegates access to IAM policies), which has every permission by design. Keys of strict domains never exempt it: their policy gives it read-only access.",
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const config = args.getConfig<Config>();
            const report = reporter(reportViolation);
            const specs = specsOf(args.resources);
            const exemptRoot = config.exemptAwsAccountRoot ?? true;
            const { entries, named } = collect(args.resources);
            const strictDomainOf = (id: Identity): SpecDomain | undefined => {
                const d = specs.get(id.hierarchy)?.domains.get(id.domain);
                return d && d.separationOfDuties === "strict" ? d : undefined;
            };

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
                checkSpecDeployers(spec, report);
            }

            const nameOf = namedScopes(named);

            // Every scope with entries: its own entries and those inherited from enclosing scopes.
            // Declared duties, for everything outside strict domains (their keys and containers are checked below).
            const keep = (e: Entry) => !(exemptRoot && e.root);
            for (const [scope, { cloud, list: own }] of entries) {
                const who = nameOf(scope, cloud);
                if (who && strictDomainOf(who.identity)) continue;
                const list = own.filter(keep);
                const all = [...list, ...enclosing(entries, scope, cloud).filter(keep)];
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

            // Effective permissions, for every key of a strict domain.
            for (const n of named) {
                const domain = n.key ? strictDomainOf(n.identity) : undefined;
                if (domain) checkStrictKey(n, domain, entries, report);
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

type Named = Collected["named"][number];

/** The entries that reach a key: at its scope and every enclosing one (for Azure keys named by suffix, any subscription). */
function reaching(entries: Collected["entries"], n: Named): Entry[] {
    if (n.scope !== undefined) {
        const own = entries.get(n.scope);
        return [...(own && own.cloud === n.cloud ? own.list : []), ...enclosing(entries, n.scope, n.cloud)];
    }
    const out: Entry[] = [];
    for (const [scope, { cloud, list }] of entries) {
        const rest = cloud === n.cloud ? /^\/subscriptions\/[^/]+(.*)$/.exec(scope)?.[1] : undefined;
        if (rest !== undefined && (rest === "" || rest === n.suffix || n.suffix!.startsWith(`${rest}/`))) out.push(...list);
    }
    return out;
}

/**
 * A key of a strict domain, by the effective permissions of every role that reaches it: only the deployer may change
 * who uses it (reported on each resource giving another principal a permission change), and no principal's roles
 * together both manage and use it (reported on each resource giving that principal use). Roles whose permissions are
 * unknown are left out; with the deployer unknown the key is not checked.
 */
function checkStrictKey(n: Named, domain: SpecDomain, entries: Collected["entries"], report: (message: string, urn: string) => void): void {
    const deployer = domain.deployer[n.cloud];
    if (deployer === UNKNOWN) return;
    const deployers = new Set((deployer ?? []).map((p) => principalKey(n.cloud, p)));
    const byPrincipal = new Map<string, Entry[]>();
    for (const e of reaching(entries, n)) {
        if (!e.duties || deployers.has(e.principal)) continue;
        byPrincipal.set(e.principal, [...(byPrincipal.get(e.principal) ?? []), e]);
    }
    const label = keyLabel(n.identity);
    for (const list of byPrincipal.values()) {
        const d = mergeDuties(list.map((e) => e.duties!));
        for (const e of list) {
            if (e.duties!.grant.length > 0) {
                report(`A principal other than the deployer may change who uses ${label} in ${n.cloud}, a key of strict domain ${domain.name} (${e.duties!.grant[0]}): only the deployer may change its key policy, IAM policy or role assignments.`, e.urn);
            }
        }
        if (d.manage.length > 0 && d.use.length > 0) {
            const message = `A principal both manages and uses ${label} in ${n.cloud}, a key of strict domain ${domain.name}: its roles' effective permissions include ${d.manage[0]} and ${d.use[0]}.`;
            for (const e of list) if (e.duties!.use.length > 0) report(message, e.urn);
        }
    }
}

/** The spec of strict domains: a deployer is neither an administrator nor a user (sdk/schema/separation.ts checks it too). */
function checkSpecDeployers(spec: Spec, report: (message: string, urn: string) => void): void {
    for (const [dn, d] of spec.domains) {
        if (d.separationOfDuties !== "strict") continue;
        for (const cloud of ["aws", "gcp", "azure"] as const) {
            const deployer = d.deployer[cloud];
            if (deployer === UNKNOWN || !deployer) continue;
            const deployers = new Set(deployer.map((p) => principalKey(cloud, p)));
            const others = [...listOf(d.admins[cloud]), ...listOf(d.users[cloud]), ...[...d.keys.values()].flatMap((k) => listOf(k.users[cloud]))];
            if (others.some((p) => deployers.has(principalKey(cloud, p)))) {
                report(`The KeyHierarchy makes a deployer of strict domain ${dn} also an administrator or a user in ${cloud}.`, spec.urn);
            }
        }
    }
}
