/**
 * Azure built-in role definitions for keys: Key Vault (Azure RBAC, ARM role assignments) and Managed HSM
 * (local RBAC). Ids from Microsoft's built-in role tables; they are the same in every tenant.
 */
import * as pulumi from "@pulumi/pulumi";
import * as peers from "../peers";
import { GrantRole } from "../schema/constants";
import { stableUuid } from "../schema/names";

/** Key Vault built-in roles (Azure RBAC). */
export const KEY_VAULT_ROLES = {
    /** Key Vault Crypto Officer: every action on keys except managing permissions. */
    cryptoOfficer: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    /** Key Vault Crypto User: cryptographic operations with keys. */
    cryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
    /** Key Vault Crypto Service Encryption User: read keys and wrap/unwrap (customer-managed keys of services). */
    cryptoServiceEncryptionUser: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
} as const;

/** Managed HSM local RBAC built-in roles. */
export const MANAGED_HSM_ROLES = {
    /** Managed HSM Crypto Officer: role management, purge/recover, export; no key use. */
    cryptoOfficer: "515eb02d-2335-4d2d-92f2-b1cbdf9c3778",
    /** Managed HSM Crypto User: key operations except purge, recover and export. */
    cryptoUser: "21dbd100-6940-42c2-9190-5d6cb909625b",
    /** Managed HSM Crypto Service Encryption User: use a key for service encryption. */
    cryptoServiceEncryptionUser: "33413926-3206-4cdd-b39a-83574fe37a17",
} as const;

export function keyVaultRoleFor(role: GrantRole): string {
    return role === "admin" ? KEY_VAULT_ROLES.cryptoOfficer : KEY_VAULT_ROLES.cryptoUser;
}

export function managedHsmRoleFor(role: GrantRole): string {
    return role === "admin" ? MANAGED_HSM_ROLES.cryptoOfficer : MANAGED_HSM_ROLES.cryptoUser;
}

/** ARM role definition id at the subscription of `resourceId`. */
export function armRoleDefinitionId(resourceId: string, roleGuid: string): string {
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1];
    if (!subscription) throw new Error(`cannot find the subscription in the resource id ${resourceId}`);
    return `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/** Managed HSM local role definition id. */
export function managedHsmRoleDefinitionId(roleGuid: string): string {
    return `/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

// ---------------------------------------------------------------------------------------------------------------
// separationOfDuties: "strict": custom roles with exactly the data actions each duty needs.

/**
 * Key Vault key management without use (MicrosoftDocs/azure-docs, articles/role-based-access-control/permissions/
 * security.md, Microsoft.KeyVault data actions; Key Vault Crypto Officer has `vaults/keys/*` and
 * `vaults/keyrotationpolicies/*`). Left out: encrypt, decrypt, wrap, unwrap, sign, verify and release (use); import
 * (who supplies the material can decrypt what it protects); backup and restore (they move a key into another vault,
 * where other role assignments apply). No control-plane action: no `Microsoft.Authorization/roleAssignments/write`.
 */
export const KEY_VAULT_STRICT_ADMIN_DATA_ACTIONS = [
    "Microsoft.KeyVault/vaults/keys/read",
    "Microsoft.KeyVault/vaults/keys/create/action",
    "Microsoft.KeyVault/vaults/keys/update/action",
    "Microsoft.KeyVault/vaults/keys/delete",
    "Microsoft.KeyVault/vaults/keys/recover/action",
    "Microsoft.KeyVault/vaults/keys/purge/action",
    "Microsoft.KeyVault/vaults/keys/rotate/action",
    "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
    "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
] as const;

/** Key Vault key use without management: Key Vault Crypto User minus `keys/update/action` and `keys/backup/action`. */
export const KEY_VAULT_STRICT_USER_DATA_ACTIONS = [
    "Microsoft.KeyVault/vaults/keys/read",
    "Microsoft.KeyVault/vaults/keys/encrypt/action",
    "Microsoft.KeyVault/vaults/keys/decrypt/action",
    "Microsoft.KeyVault/vaults/keys/wrap/action",
    "Microsoft.KeyVault/vaults/keys/unwrap/action",
    "Microsoft.KeyVault/vaults/keys/sign/action",
    "Microsoft.KeyVault/vaults/keys/verify/action",
] as const;

/**
 * Managed HSM key management without use or role management (MicrosoftDocs/azure-docs, articles/key-vault/managed-hsm/
 * built-in-roles.md, "Permitted operations"; setting a rotation policy needs keys/write/action, rotating on demand
 * keys/rotate/action: key-rotation.md). The built-in Crypto Officer manages role assignments and purges; the Crypto User
 * both manages and uses keys. Left out: the cryptographic operations, release, export, import, backup, restore, and
 * every roleAssignments / roleDefinitions write or delete.
 */
export const MANAGED_HSM_STRICT_ADMIN_DATA_ACTIONS = [
    "Microsoft.KeyVault/managedHsm/keys/read/action",
    "Microsoft.KeyVault/managedHsm/keys/create",
    "Microsoft.KeyVault/managedHsm/keys/write/action",
    "Microsoft.KeyVault/managedHsm/keys/delete",
    "Microsoft.KeyVault/managedHsm/keys/rotate/action",
    "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action",
    "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action",
    "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete",
] as const;

/** Managed HSM key use without management: read and the cryptographic operations. */
export const MANAGED_HSM_STRICT_USER_DATA_ACTIONS = [
    "Microsoft.KeyVault/managedHsm/keys/read/action",
    "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
    "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
    "Microsoft.KeyVault/managedHsm/keys/wrap/action",
    "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
    "Microsoft.KeyVault/managedHsm/keys/sign/action",
    "Microsoft.KeyVault/managedHsm/keys/verify/action",
] as const;

/** A custom role to assign: its GUID and the definition (for dependsOn). */
export interface AzureRoleRef {
    readonly guid: string;
    readonly resource: pulumi.CustomResource;
}

/** The administrators' and users' custom roles of a strict domain's keys in one vault or Managed HSM. */
export interface AzureStrictRoles {
    readonly admin: AzureRoleRef;
    readonly user: AzureRoleRef;
}

/**
 * Two custom Azure RBAC role definitions (azure-native `authorization.RoleDefinition`) assignable at one vault only:
 * `<name>-key-admin-role` and `<name>-key-user-role`, with stable GUIDs from `seed` and names unique in the tenant
 * (vault names are globally unique). Assignments reference them as `/subscriptions/<id>/providers/
 * Microsoft.Authorization/roleDefinitions/<guid>`.
 */
export function keyVaultStrictRoles(name: string, vaultId: pulumi.Input<string>, vaultName: pulumi.Input<string>, seed: string, opts: pulumi.CustomResourceOptions): AzureStrictRoles {
    const define = (duty: "admin" | "user", dataActions: readonly string[], title: string, what: string) => {
        const guid = stableUuid("keyfabric", "key-vault-role", duty, seed);
        const resource = new peers.azureNative.roleDefinition.RoleDefinition(
            `${name}-key-${duty}-role`,
            {
                scope: vaultId,
                roleDefinitionId: guid,
                roleName: pulumi.interpolate`keyfabric key ${title} (${vaultName})`,
                description: what,
                roleType: "CustomRole",
                permissions: [{ actions: [], notActions: [], dataActions: [...dataActions], notDataActions: [] }],
                assignableScopes: [vaultId],
            },
            opts,
        );
        return { guid, resource };
    };
    return {
        admin: define("admin", KEY_VAULT_STRICT_ADMIN_DATA_ACTIONS, "administrator", "Key Vault key management without use or role assignments (keyfabric separationOfDuties: strict)."),
        user: define("user", KEY_VAULT_STRICT_USER_DATA_ACTIONS, "user", "Key Vault key use without management (keyfabric separationOfDuties: strict)."),
    };
}

/**
 * Two Managed HSM local RBAC custom role definitions: `<name>-key-admin-role` and `<name>-key-user-role`, named by
 * stable GUIDs from `seed` (assignments reference `/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/<guid>`).
 */
export function managedHsmStrictRoles(name: string, managedHsmId: pulumi.Input<string>, hsmName: string, seed: string, opts: pulumi.CustomResourceOptions): AzureStrictRoles {
    const define = (duty: "admin" | "user", dataActions: readonly string[], title: string, what: string) => {
        const guid = stableUuid("keyfabric", "managed-hsm-role", duty, seed);
        const resource = new peers.azureClassic.hsmRoleDefinition.ManagedHardwareSecurityModuleRoleDefinition(
            `${name}-key-${duty}-role`,
            { managedHsmId, name: guid, roleName: `keyfabric key ${title} (${hsmName})`, description: what, permissions: [{ dataActions: [...dataActions] }] },
            opts,
        );
        return { guid, resource };
    };
    return {
        admin: define("admin", MANAGED_HSM_STRICT_ADMIN_DATA_ACTIONS, "administrator", "Managed HSM key management without use or role management (keyfabric separationOfDuties: strict)."),
        user: define("user", MANAGED_HSM_STRICT_USER_DATA_ACTIONS, "user", "Managed HSM key use without management (keyfabric separationOfDuties: strict)."),
    };
}
