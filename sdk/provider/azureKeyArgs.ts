/**
 * The inputs of `keyfabric:azure:Key` (`AzureKey`) as the component package publishes them: `AzureKeyArgs` of
 * `sdk/azure/key.ts` field for field, in types the schema analyzer can express, except `strictRoles` (the custom
 * role definitions as resources, which a KeyHierarchy passes): without it a strict key creates its own pair of roles,
 * as it does in TypeScript. The component checks the args as it does for TypeScript (`checkAzureKeyArgs`);
 * `test/component-provider.test.ts` checks the field names at compile time.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { KeyIdentity } from "./awsKeyArgs";
import type { Algorithm, AzureVaultSku, Origin, Protection, Purpose, SeparationOfDuties } from "./enums";
import type { AzurePrivateEndpoint, MaterialSource } from "./hierarchyArgs";

/** Where a created vault's AuditEvent logs go. */
export interface AzureAuditDestination {
    /** ARM id of a Log Analytics workspace. */
    workspaceId?: pulumi.Input<string>;
    /** ARM id of a storage account in the vault's region. */
    storageAccountId?: pulumi.Input<string>;
}

/** The Key Vault an AzureKey creates for itself. */
export interface AzureKeyVaultSettings {
    /** The vault's location, e.g. `westeurope`. */
    location: string;
    /** The Entra ID tenant (a UUID) of the vault. */
    tenantId: string;
    /** The vault name (3-24 characters, globally unique). Default: derived from the component name. */
    name?: string;
    /** The vault's SKU. Default: `premium` when the key is HSM-protected, else `standard`. */
    sku?: AzureVaultSku;
    /** Public IPv4 addresses or ranges allowed through the deny-by-default firewall; with none, public network access is disabled. */
    ipRules?: string[];
    /** A private endpoint `<name>-vault-endpoint` in this subnet. */
    privateEndpoint?: AzurePrivateEndpoint;
    /** Send the vault's AuditEvent logs there (a diagnostic setting `<name>-vault-audit`). */
    audit?: AzureAuditDestination;
}

/** An existing Managed HSM, for AES (`oct-HSM`) keys. */
export interface AzureManagedHsmRef {
    /** The Managed HSM's name. */
    name: string;
    /** Its resource group. Default: the key's `resourceGroupName`. */
    resourceGroupName?: string;
    /** Its ARM resource id, when known: skips the lookup (`getManagedHsm`). */
    id?: pulumi.Input<string>;
}

/** The inputs of an AzureKey: one Key Vault or Managed HSM key with its rotation policy and role assignments. */
export interface AzureKeyArgs {
    /** The resource group of the vault. */
    resourceGroupName: pulumi.Input<string>;
    /** An existing Key Vault for RSA/EC keys. */
    vaultName?: pulumi.Input<string>;
    /** Create a Key Vault for the key (when `vaultName` is not given). */
    vault?: AzureKeyVaultSettings;
    /** An existing Managed HSM, required for AES_256 (`oct-HSM`) keys. */
    managedHsm?: AzureManagedHsmRef;
    /** The key name in the vault. Default: the component name. */
    keyName?: string;
    /** What the key is for. */
    purpose: Purpose;
    /** The key algorithm. */
    algorithm: Algorithm;
    /** Protection level. Default: `software`. */
    protection?: Protection;
    /** `byok`: the key is created by importing `material`. Default: `cloud`. */
    origin?: Origin;
    /** BYOK: where the provider reads the material. Required with origin `byok`. */
    material?: MaterialSource;
    /** Rotation policy period in days (at least 7); versions expire 30 days after. Default: 90 for keys Azure generates. */
    rotationDays?: number;
    /** A fixed expiry of the key (ISO 8601 date-time). */
    expiresAt?: string;
    /** Principals (`user:`, `group:`, `servicePrincipal:` object ids) who administer the key. */
    admins?: pulumi.Input<string>[];
    /** Principals who use the key. */
    users?: pulumi.Input<string>[];
    /** Tags of the key. */
    tags?: { [key: string]: string };
    /** The logical key this instance belongs to; adds the keyfabric correlation tags. */
    identity?: KeyIdentity;
    /** Protect the key (and a created vault) from deletion and keep them when removed. Default: true. */
    protect?: boolean;
    /** `strict`: custom roles, admins with key management only, users with key use only. Default: `standard`. */
    separationOfDuties?: SeparationOfDuties;
}
