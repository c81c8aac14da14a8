/**
 * Effective permissions of the roles that reach keys, per cloud, as duties: `manage` (a key's configuration and
 * lifecycle), `use` (cryptographic operations, and supplying key material: whoever imports the material can decrypt
 * what it protects), `grant` (changing who may use or manage a key: writing key policies, grants, IAM policies, role
 * assignments and role definitions; removing access, such as revoking a grant or deleting a role assignment, is
 * management). Reads count as none. Built-in roles are tabled here from the clouds' references (cited
 * per table); custom roles' permissions are read from the stack and classified the same way. The
 * separation-of-duties rule uses these for the keys of strict domains.
 */

export type Duty = "manage" | "use" | "grant";
type Class = Duty | "read";

/** A role's effective permissions, by duty (sorted; reads left out). */
export interface Duties {
    readonly manage: readonly string[];
    readonly use: readonly string[];
    readonly grant: readonly string[];
}

export const NO_DUTIES: Duties = { manage: [], use: [], grant: [] };

function dutiesOf(permissions: Iterable<string>, classOf: (p: string) => Class | undefined): Duties {
    const out: Record<Duty, Set<string>> = { manage: new Set(), use: new Set(), grant: new Set() };
    for (const p of permissions) {
        const c = classOf(p);
        if (c && c !== "read") out[c].add(p);
    }
    const sorted = (s: Set<string>) => [...s].sort();
    return { manage: sorted(out.manage), use: sorted(out.use), grant: sorted(out.grant) };
}

/** The union of several roles' duties (a principal's, at a scope). */
export function mergeDuties(list: readonly Duties[]): Duties {
    const union = (k: Duty) => [...new Set(list.flatMap((d) => d[k]))].sort();
    return { manage: union("manage"), use: union("use"), grant: union("grant") };
}

/** Case-insensitive glob (`*` matches anything, slashes included), as AWS and Azure match actions. */
function glob(pattern: string): RegExp {
    return new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i");
}

function expand(patterns: readonly string[], universe: readonly string[]): Set<string> {
    const res = patterns.map(glob);
    return new Set(universe.filter((a) => res.some((re) => re.test(a))));
}

// ---------------------------------------------------------------------------------------------------------------
// AWS KMS: the key-resource actions of the AWS KMS permissions reference (awsdocs/aws-kms-developer-guide,
// kms-api-permissions-reference.md), by duty.

export const AWS_KMS_ACTIONS: Readonly<Record<string, Class>> = {
    "kms:CancelKeyDeletion": "manage",
    "kms:CreateAlias": "manage",
    "kms:CreateGrant": "grant",
    "kms:Decrypt": "use",
    "kms:DeleteAlias": "manage",
    "kms:DeleteImportedKeyMaterial": "manage",
    "kms:DeriveSharedSecret": "use",
    "kms:DescribeKey": "read",
    "kms:DisableKey": "manage",
    "kms:DisableKeyRotation": "manage",
    "kms:EnableKey": "manage",
    "kms:EnableKeyRotation": "manage",
    "kms:Encrypt": "use",
    "kms:GenerateDataKey": "use",
    "kms:GenerateDataKeyPair": "use",
    "kms:GenerateDataKeyPairWithoutPlaintext": "use",
    "kms:GenerateDataKeyWithoutPlaintext": "use",
    "kms:GenerateMac": "use",
    "kms:GetKeyPolicy": "read",
    "kms:GetKeyRotationStatus": "read",
    "kms:GetParametersForImport": "read",
    "kms:GetPublicKey": "read",
    "kms:ImportKeyMaterial": "use",
    "kms:ListGrants": "read",
    "kms:ListKeyPolicies": "read",
    "kms:ListKeyRotations": "read",
    "kms:ListResourceTags": "read",
    "kms:PutKeyPolicy": "grant",
    "kms:ReEncryptFrom": "use",
    "kms:ReEncryptTo": "use",
    // ReplicateKey takes the replica's key policy from the caller.
    "kms:ReplicateKey": "grant",
    "kms:RetireGrant": "manage",
    "kms:RevokeGrant": "manage",
    "kms:RotateKeyOnDemand": "manage",
    "kms:ScheduleKeyDeletion": "manage",
    "kms:Sign": "use",
    "kms:TagResource": "manage",
    "kms:UntagResource": "manage",
    "kms:UpdateAlias": "manage",
    "kms:UpdateKeyDescription": "manage",
    "kms:UpdatePrimaryRegion": "manage",
    "kms:Verify": "use",
    "kms:VerifyMac": "use",
};
const AWS_UNIVERSE = Object.keys(AWS_KMS_ACTIONS);
/** Grant actions that `kms:GrantIsForAWSResource` confines to AWS services acting for the principal: use, not grant. */
const AWS_SERVICE_GRANT_ACTIONS = new Set(["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]);

const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter((x): x is string => typeof x === "string");

/** Whether a statement's Condition has `"Bool": {"kms:GrantIsForAWSResource": "true"}` (any case). */
function grantsForAwsResourcesOnly(condition: unknown): boolean {
    if (typeof condition !== "object" || condition === null) return false;
    return Object.entries(condition as Record<string, unknown>).some(
        ([op, keys]) =>
            op.toLowerCase() === "bool" &&
            typeof keys === "object" &&
            keys !== null &&
            Object.entries(keys as Record<string, unknown>).some(([k, v]) => k.toLowerCase() === "kms:grantisforawsresource" && String(v).toLowerCase() === "true"),
    );
}

/** The duties an Allow statement of a key policy grants (Action or NotAction, over {@link AWS_KMS_ACTIONS}). */
export function awsStatementDuties(st: Record<string, any>): Duties {
    const actions = st.Action !== undefined ? expand(list(st.Action), AWS_UNIVERSE) : st.NotAction !== undefined ? new Set(AWS_UNIVERSE.filter((a) => !expand(list(st.NotAction), AWS_UNIVERSE).has(a))) : new Set<string>();
    const forServices = grantsForAwsResourcesOnly(st.Condition);
    return dutiesOf(actions, (a) => (forServices && AWS_SERVICE_GRANT_ACTIONS.has(a) ? "use" : AWS_KMS_ACTIONS[a]));
}

/** The duties of an `aws.kms.Grant`'s operations (`Decrypt`, `CreateGrant`, ...). */
export function awsGrantDuties(operations: readonly string[]): Duties {
    return dutiesOf(
        operations.map((o) => `kms:${o}`),
        (a) => AWS_KMS_ACTIONS[AWS_UNIVERSE.find((x) => x.toLowerCase() === a.toLowerCase()) ?? ""],
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Google Cloud: permissions by duty, and the predefined roles that reach Cloud KMS keys.

/** A Cloud IAM permission's duty; undefined for permissions that never reach a key. */
export function gcpPermissionClass(p: string): Class | undefined {
    if (/\.setIamPolicy$/.test(p) || p === "iam.roles.update") return "grant";
    if (/^cloudkms\.cryptoKeyVersions\.useTo/.test(p) || p === "cloudkms.importJobs.useToImport") return "use";
    if (!p.startsWith("cloudkms.")) return undefined;
    if (/\.(get|list|getIamPolicy|viewPublicKey|listTagBindings|listEffectiveTags|verifyConnectivity|generateRandomBytes)$/.test(p) || /\.showEffective/.test(p)) return "read";
    return "manage";
}

/**
 * Predefined roles (Google Cloud KMS "Permissions and roles", https://cloud.google.com/kms/docs/reference/permissions-and-roles,
 * 2026-04; iann0036/iam-dataset gcp/roles/*.json): roles/cloudkms.admin in full, the use roles with their use and
 * key-level read permissions. roles/owner holds every permission.
 */
export const GCP_ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
    "roles/cloudkms.admin": [
        "cloudkms.autokeyConfigs.get", "cloudkms.autokeyConfigs.update",
        "cloudkms.cryptoKeyVersions.create", "cloudkms.cryptoKeyVersions.delete", "cloudkms.cryptoKeyVersions.destroy", "cloudkms.cryptoKeyVersions.get",
        "cloudkms.cryptoKeyVersions.list", "cloudkms.cryptoKeyVersions.restore", "cloudkms.cryptoKeyVersions.update",
        "cloudkms.cryptoKeyVersions.useToDecryptViaDelegation", "cloudkms.cryptoKeyVersions.useToEncryptViaDelegation",
        "cloudkms.cryptoKeys.create", "cloudkms.cryptoKeys.delete", "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.getIamPolicy", "cloudkms.cryptoKeys.list",
        "cloudkms.cryptoKeys.setIamPolicy", "cloudkms.cryptoKeys.update",
        "cloudkms.ekmConfigs.get", "cloudkms.ekmConfigs.getIamPolicy", "cloudkms.ekmConfigs.setIamPolicy", "cloudkms.ekmConfigs.update",
        "cloudkms.ekmConnections.create", "cloudkms.ekmConnections.get", "cloudkms.ekmConnections.getIamPolicy", "cloudkms.ekmConnections.list",
        "cloudkms.ekmConnections.setIamPolicy", "cloudkms.ekmConnections.update", "cloudkms.ekmConnections.use", "cloudkms.ekmConnections.verifyConnectivity",
        "cloudkms.importJobs.create", "cloudkms.importJobs.get", "cloudkms.importJobs.getIamPolicy", "cloudkms.importJobs.list", "cloudkms.importJobs.setIamPolicy",
        "cloudkms.importJobs.useToImport",
        "cloudkms.kajPolicyConfigs.get", "cloudkms.kajPolicyConfigs.update",
        "cloudkms.keyHandles.create", "cloudkms.keyHandles.get", "cloudkms.keyHandles.list",
        "cloudkms.keyRings.create", "cloudkms.keyRings.createTagBinding", "cloudkms.keyRings.deleteTagBinding", "cloudkms.keyRings.get", "cloudkms.keyRings.getIamPolicy",
        "cloudkms.keyRings.list", "cloudkms.keyRings.listEffectiveTags", "cloudkms.keyRings.listTagBindings", "cloudkms.keyRings.setIamPolicy",
        "cloudkms.locations.get", "cloudkms.locations.list", "cloudkms.locations.optOutKeyDeletionMsa", "cloudkms.operations.get",
        "cloudkms.projects.showEffectiveAutokeyConfig", "cloudkms.projects.showEffectiveKajEnrollmentConfig", "cloudkms.projects.showEffectiveKajPolicyConfig",
        "cloudkms.retiredResources.get", "cloudkms.retiredResources.list",
        "cloudkms.singleTenantHsmInstanceProposals.delete", "cloudkms.singleTenantHsmInstanceProposals.get", "cloudkms.singleTenantHsmInstanceProposals.list",
        "cloudkms.singleTenantHsmInstances.create", "cloudkms.singleTenantHsmInstances.get", "cloudkms.singleTenantHsmInstances.list", "cloudkms.singleTenantHsmInstances.use",
        "resourcemanager.projects.get",
    ],
    "roles/cloudkms.cryptoKeyEncrypterDecrypter": ["cloudkms.cryptoKeyVersions.useToDecrypt", "cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.list"],
    "roles/cloudkms.cryptoKeyEncrypter": ["cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.list"],
    "roles/cloudkms.cryptoKeyDecrypter": ["cloudkms.cryptoKeyVersions.useToDecrypt", "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.list"],
    "roles/cloudkms.cryptoKeyEncrypterDecrypterViaDelegation": ["cloudkms.cryptoKeyVersions.useToDecryptViaDelegation", "cloudkms.cryptoKeyVersions.useToEncryptViaDelegation"],
    "roles/cloudkms.cryptoKeyEncrypterViaDelegation": ["cloudkms.cryptoKeyVersions.useToEncryptViaDelegation"],
    "roles/cloudkms.cryptoKeyDecrypterViaDelegation": ["cloudkms.cryptoKeyVersions.useToDecryptViaDelegation"],
    "roles/cloudkms.signer": ["cloudkms.cryptoKeyVersions.useToSign"],
    "roles/cloudkms.signerVerifier": ["cloudkms.cryptoKeyVersions.useToSign", "cloudkms.cryptoKeyVersions.useToVerify", "cloudkms.cryptoKeyVersions.viewPublicKey"],
    "roles/cloudkms.verifier": ["cloudkms.cryptoKeyVersions.useToVerify", "cloudkms.cryptoKeyVersions.viewPublicKey"],
    "roles/cloudkms.publicKeyViewer": ["cloudkms.cryptoKeyVersions.viewPublicKey"],
    "roles/cloudkms.decapsulator": ["cloudkms.cryptoKeyVersions.useToDecapsulate", "cloudkms.cryptoKeyVersions.viewPublicKey"],
    "roles/cloudkms.cryptoOperator": [
        "cloudkms.cryptoKeyVersions.useToDecapsulate", "cloudkms.cryptoKeyVersions.useToDecrypt", "cloudkms.cryptoKeyVersions.useToEncrypt",
        "cloudkms.cryptoKeyVersions.useToSign", "cloudkms.cryptoKeyVersions.useToVerify", "cloudkms.cryptoKeyVersions.viewPublicKey", "cloudkms.locations.generateRandomBytes",
    ],
    "roles/cloudkms.importer": ["cloudkms.importJobs.create", "cloudkms.importJobs.get", "cloudkms.importJobs.list", "cloudkms.importJobs.useToImport"],
    "roles/owner": ["*"],
};

const GCP_UNIVERSE = [...new Set([...Object.values(GCP_ROLE_PERMISSIONS).flat().filter((p) => p !== "*"), "cloudkms.cryptoKeyVersions.useToDecrypt", "resourcemanager.projects.setIamPolicy", "iam.roles.update"])];

/** The duties of a list of permissions (a custom role's, or a predefined role's); `*` stands for every permission. */
export function gcpDuties(permissions: readonly string[]): Duties {
    const all = permissions.some((p) => p.includes("*")) ? [...permissions.filter((p) => !p.includes("*")), ...expand(permissions.filter((p) => p.includes("*")), GCP_UNIVERSE)] : permissions;
    return dutiesOf(all, gcpPermissionClass);
}

// ---------------------------------------------------------------------------------------------------------------
// Azure: Key Vault and Managed HSM data actions, the control-plane actions that change access, built-in roles.

/** Key Vault key data actions (MicrosoftDocs/azure-docs, articles/role-based-access-control/permissions/security.md, Microsoft.KeyVault). */
export const KEY_VAULT_DATA_ACTIONS: Readonly<Record<string, Class>> = {
    "Microsoft.KeyVault/vaults/keyrotationpolicies/read": "read",
    "Microsoft.KeyVault/vaults/keyrotationpolicies/write": "manage",
    "Microsoft.KeyVault/vaults/keys/read": "read",
    "Microsoft.KeyVault/vaults/keys/update/action": "manage",
    "Microsoft.KeyVault/vaults/keys/create/action": "manage",
    "Microsoft.KeyVault/vaults/keys/import/action": "use",
    "Microsoft.KeyVault/vaults/keys/recover/action": "manage",
    "Microsoft.KeyVault/vaults/keys/restore/action": "manage",
    "Microsoft.KeyVault/vaults/keys/delete": "manage",
    "Microsoft.KeyVault/vaults/keys/backup/action": "manage",
    "Microsoft.KeyVault/vaults/keys/purge/action": "manage",
    "Microsoft.KeyVault/vaults/keys/encrypt/action": "use",
    "Microsoft.KeyVault/vaults/keys/decrypt/action": "use",
    "Microsoft.KeyVault/vaults/keys/wrap/action": "use",
    "Microsoft.KeyVault/vaults/keys/unwrap/action": "use",
    "Microsoft.KeyVault/vaults/keys/sign/action": "use",
    "Microsoft.KeyVault/vaults/keys/verify/action": "use",
    "Microsoft.KeyVault/vaults/keys/release/action": "use",
    "Microsoft.KeyVault/vaults/keys/rotate/action": "manage",
};

/** Managed HSM local RBAC data actions (MicrosoftDocs/azure-docs, articles/key-vault/managed-hsm/built-in-roles.md). */
export const MANAGED_HSM_DATA_ACTIONS: Readonly<Record<string, Class>> = Object.fromEntries(
    (
        [
            ["securitydomain/download/action", "manage"], ["securitydomain/download/read", "read"], ["securitydomain/upload/action", "manage"],
            ["securitydomain/upload/read", "read"], ["securitydomain/transferkey/read", "read"],
            ["keys/read/action", "read"], ["keys/write/action", "manage"], ["keys/rotate/action", "manage"], ["keys/create", "manage"], ["keys/delete", "manage"],
            ["keys/deletedKeys/read/action", "read"], ["keys/deletedKeys/recover/action", "manage"], ["keys/deletedKeys/delete", "manage"],
            ["keys/backup/action", "manage"], ["keys/restore/action", "manage"], ["keys/release/action", "use"], ["keys/export/action", "use"], ["keys/import/action", "use"],
            ["keys/encrypt/action", "use"], ["keys/decrypt/action", "use"], ["keys/wrap/action", "use"], ["keys/unwrap/action", "use"], ["keys/sign/action", "use"], ["keys/verify/action", "use"],
            ["roleAssignments/read/action", "read"], ["roleAssignments/write/action", "grant"], ["roleAssignments/delete/action", "manage"],
            ["roleDefinitions/read/action", "read"], ["roleDefinitions/write/action", "grant"], ["roleDefinitions/delete/action", "manage"],
            ["backup/start/action", "manage"], ["backup/status/action", "read"], ["restore/start/action", "manage"], ["restore/status/action", "read"], ["rng/action", "read"],
        ] as [string, Class][]
    ).map(([a, c]) => [`Microsoft.KeyVault/managedHsm/${a}`, c]),
);

/** Control-plane actions that change who may use or manage a key (Microsoft.Authorization). */
export const AZURE_CONTROL_ACTIONS: Readonly<Record<string, Class>> = {
    "Microsoft.Authorization/roleAssignments/write": "grant",
    "Microsoft.Authorization/roleDefinitions/write": "grant",
    "Microsoft.Authorization/roleAssignments/delete": "manage",
    "Microsoft.Authorization/roleDefinitions/delete": "manage",
};

export interface AzurePermission {
    readonly actions?: readonly string[];
    readonly notActions?: readonly string[];
    readonly dataActions?: readonly string[];
    readonly notDataActions?: readonly string[];
}

const AZURE_DATA_UNIVERSE = [...Object.keys(KEY_VAULT_DATA_ACTIONS), ...Object.keys(MANAGED_HSM_DATA_ACTIONS)];
const AZURE_CONTROL_UNIVERSE = Object.keys(AZURE_CONTROL_ACTIONS);
const AZURE_CLASS: Readonly<Record<string, Class>> = { ...KEY_VAULT_DATA_ACTIONS, ...MANAGED_HSM_DATA_ACTIONS, ...AZURE_CONTROL_ACTIONS };

/** A role definition's duties: (actions - notActions) and (dataActions - notDataActions), over the tables above. */
export function azureDuties(permissions: readonly AzurePermission[]): Duties {
    const effective = new Set<string>();
    for (const p of permissions) {
        const data = expand(p.dataActions ?? [], AZURE_DATA_UNIVERSE);
        const notData = expand(p.notDataActions ?? [], AZURE_DATA_UNIVERSE);
        const control = expand(p.actions ?? [], AZURE_CONTROL_UNIVERSE);
        const notControl = expand(p.notActions ?? [], AZURE_CONTROL_UNIVERSE);
        for (const a of data) if (!notData.has(a)) effective.add(a);
        for (const a of control) if (!notControl.has(a)) effective.add(a);
    }
    return dutiesOf(effective, (a) => AZURE_CLASS[a]);
}

/**
 * Azure RBAC built-in roles that reach Key Vault keys (MicrosoftDocs/azure-docs, articles/role-based-access-control/
 * built-in-roles/security.md and privileged.md; the GUIDs are the same in every tenant). Only the actions the tables
 * above classify are listed.
 */
export const AZURE_BUILT_IN_ROLES: Readonly<Record<string, { readonly name: string; readonly permissions: readonly AzurePermission[] }>> = {
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": { name: "Key Vault Administrator", permissions: [{ dataActions: ["Microsoft.KeyVault/vaults/*"] }] },
    "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": { name: "Key Vault Crypto Officer", permissions: [{ dataActions: ["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"] }] },
    "12338af0-0e69-4776-bea7-57ae8d297424": {
        name: "Key Vault Crypto User",
        permissions: [
            {
                dataActions: [
                    "Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/update/action", "Microsoft.KeyVault/vaults/keys/backup/action",
                    "Microsoft.KeyVault/vaults/keys/encrypt/action", "Microsoft.KeyVault/vaults/keys/decrypt/action", "Microsoft.KeyVault/vaults/keys/wrap/action",
                    "Microsoft.KeyVault/vaults/keys/unwrap/action", "Microsoft.KeyVault/vaults/keys/sign/action", "Microsoft.KeyVault/vaults/keys/verify/action",
                ],
            },
        ],
    },
    "e147488a-f6f5-4113-8e2d-b22465e65bf6": {
        name: "Key Vault Crypto Service Encryption User",
        permissions: [{ dataActions: ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action", "Microsoft.KeyVault/vaults/keys/unwrap/action"] }],
    },
    "08bbd89e-9f13-488c-ac41-acfcb10c90ab": { name: "Key Vault Crypto Service Release User", permissions: [{ dataActions: ["Microsoft.KeyVault/vaults/keys/release/action"] }] },
    "21090545-7ca7-4776-b22c-e363652d74d2": { name: "Key Vault Reader", permissions: [{ dataActions: ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"] }] },
    "8b54135c-b56d-4d72-a534-26097cfdc8d8": { name: "Key Vault Data Access Administrator", permissions: [{ actions: ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "Microsoft.Authorization/*/read"] }] },
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": { name: "Owner", permissions: [{ actions: ["*"] }] },
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": { name: "User Access Administrator", permissions: [{ actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] }] },
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": { name: "Role Based Access Control Administrator", permissions: [{ actions: ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read", "Microsoft.Support/*"] }] },
    "b24988ac-6180-42a0-ab88-20f7382dd24c": {
        name: "Contributor",
        permissions: [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"] }],
    },
};

const mhsm = (...actions: string[]) => actions.map((a) => `Microsoft.KeyVault/managedHsm/${a}`);

/**
 * Managed HSM local RBAC built-in roles, data action by data action as the "Permitted operations" table of
 * MicrosoftDocs/azure-docs articles/key-vault/managed-hsm/built-in-roles.md lists them (including its Crypto
 * Auditor's keys/deletedKeys/delete). The Crypto Officer manages role assignments and purges; the Crypto User both
 * manages and uses keys.
 */
export const MANAGED_HSM_BUILT_IN_ROLES: Readonly<Record<string, { readonly name: string; readonly dataActions: readonly string[] }>> = {
    "a290e904-7015-4bba-90c8-60543313cdb4": {
        name: "Managed HSM Administrator",
        dataActions: mhsm(
            "securitydomain/download/action", "securitydomain/upload/action", "securitydomain/upload/read", "securitydomain/transferkey/read",
            "roleAssignments/read/action", "roleAssignments/write/action", "roleAssignments/delete/action",
            "roleDefinitions/read/action", "roleDefinitions/write/action", "roleDefinitions/delete/action",
            "backup/start/action", "backup/status/action", "restore/start/action", "restore/status/action",
        ),
    },
    "515eb02d-2335-4d2d-92f2-b1cbdf9c3778": {
        name: "Managed HSM Crypto Officer",
        dataActions: mhsm(
            "keys/deletedKeys/read/action", "keys/deletedKeys/recover/action", "keys/deletedKeys/delete",
            "roleAssignments/read/action", "roleAssignments/write/action", "roleAssignments/delete/action",
            "roleDefinitions/read/action", "roleDefinitions/write/action", "roleDefinitions/delete/action",
        ),
    },
    "21dbd100-6940-42c2-9190-5d6cb909625b": {
        name: "Managed HSM Crypto User",
        dataActions: mhsm(
            "keys/read/action", "keys/write/action", "keys/rotate/action", "keys/create", "keys/delete", "keys/backup/action", "keys/restore/action",
            "keys/release/action", "keys/import/action", "keys/encrypt/action", "keys/decrypt/action", "keys/wrap/action", "keys/unwrap/action",
            "keys/sign/action", "keys/verify/action", "roleAssignments/read/action", "roleDefinitions/read/action",
        ),
    },
    "4bd23610-cdcf-4971-bdee-bdc562cc28e4": {
        name: "Managed HSM Policy Administrator",
        dataActions: mhsm("roleAssignments/read/action", "roleAssignments/write/action", "roleAssignments/delete/action", "roleDefinitions/read/action", "roleDefinitions/write/action", "roleDefinitions/delete/action"),
    },
    "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3": { name: "Managed HSM Crypto Auditor", dataActions: mhsm("keys/read/action", "keys/deletedKeys/delete", "roleAssignments/read/action", "roleDefinitions/read/action") },
    "33413926-3206-4cdd-b39a-83574fe37a17": { name: "Managed HSM Crypto Service Encryption User", dataActions: mhsm("keys/read/action", "keys/wrap/action", "keys/unwrap/action") },
    "21dbd100-6940-42c2-9190-5d6cb909625c": { name: "Managed HSM Crypto Service Release User", dataActions: mhsm("keys/release/action") },
    "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8": { name: "Managed HSM Backup", dataActions: mhsm("keys/backup/action", "backup/start/action", "backup/status/action") },
    "6efe6056-5259-49d2-8b3d-d3d73544b20b": { name: "Managed HSM Restore", dataActions: mhsm("keys/restore/action", "restore/start/action", "restore/status/action") },
};

/** The duties of an Azure built-in role (ARM or Managed HSM local) by GUID; undefined when not tabled. */
export function azureBuiltInDuties(guid: string): Duties | undefined {
    const g = guid.toLowerCase();
    const arm = AZURE_BUILT_IN_ROLES[g];
    if (arm) return azureDuties(arm.permissions);
    const hsm = MANAGED_HSM_BUILT_IN_ROLES[g];
    return hsm ? azureDuties([{ dataActions: hsm.dataActions }]) : undefined;
}
