/**
 * Azure built-in role definitions for keys: Key Vault (Azure RBAC, ARM role assignments) and Managed HSM
 * (local RBAC). Ids from Microsoft's built-in role tables; they are the same in every tenant.
 */
import { GrantRole } from "../spec/constants";

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
