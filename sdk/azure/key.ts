/**
 * `keyfabric:azure:Key`: a Key Vault key (RSA/EC, software or HSM) in a given or created vault, or an `oct-HSM`
 * key on a Managed HSM, with a rotation policy and role assignments for its roles.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as keyvault from "@pulumi/azure-native/keyvault";
import type * as authorization from "@pulumi/azure-native/authorization";
import type * as classicKeyvault from "@pulumi/azure/keyvault";
import * as peers from "../peers";
import { KeyComponent } from "../keyComponent";
import { azureKeyShape, AzureKeyShape, supportsAutoRotation } from "../schema/capabilities";
import {
    Algorithm,
    ALGORITHMS,
    AZURE_VAULT_SKUS,
    AzureVaultSku,
    DEFAULTS,
    GrantRole,
    LIMITS,
    Origin,
    Protection,
    PROTECTIONS,
    Purpose,
    PURPOSES,
} from "../schema/constants";
import { IssueCollector, KeyfabricValidationError } from "../schema/errors";
import { correlationTags, KeyIdentity, stableUuid } from "../schema/names";
import { checkPrincipalList, Principal, splitAzurePrincipal, UUID_RE } from "../schema/principals";
import { armRoleDefinitionId, AzureStrictRoles, keyVaultRoleFor, keyVaultStrictRoles, managedHsmRoleDefinitionId, managedHsmRoleFor, managedHsmStrictRoles } from "./roles";
import { SEPARATION_MODES, SeparationOfDuties } from "../schema/separation";
import { AzureImportedKey } from "../byok/azure";
import { auditDiagnosticSetting, AzureAuditDestination, checkAzureAuditDestination } from "./audit";
import type { DiagnosticSetting } from "@pulumi/azure-native/monitor/diagnosticSetting";
import type { PrivateEndpoint } from "@pulumi/azure-native/network/privateEndpoint";
import { AzureVaultPrivateEndpoint, checkVaultPrivateEndpoint, vaultNetworkProperties, vaultPrivateEndpoint } from "./network";
import { MATERIAL_SOURCE_SHAPES, MaterialSource, materialSourceSchema } from "../byok/sources";

export interface AzureVaultSettings {
    readonly location: string;
    readonly tenantId: string;
    /** The vault name (3-24 characters, globally unique). @default derived from the component name */
    readonly name?: string;
    /** @default "premium" when the key is HSM-protected, else "standard" */
    readonly sku?: AzureVaultSku;
    /**
     * Public IPv4 addresses or ranges allowed through the firewall (default action Deny). With none, public network
     * access is disabled: only private endpoints and trusted Microsoft services reach the vault. @default []
     */
    readonly ipRules?: readonly string[];
    /** Reach the vault from a virtual network: a private endpoint `<name>-vault-endpoint` in that subnet. @default none */
    readonly privateEndpoint?: AzureVaultPrivateEndpoint;
    /** Send the created vault's AuditEvent logs there (a diagnostic setting `<name>-vault-audit`). @default none */
    readonly audit?: AzureAuditDestination;
}

export interface AzureManagedHsmRef {
    readonly name: string;
    /** @default the key's resourceGroupName */
    readonly resourceGroupName?: string;
    /** Its ARM resource id, when known: skips the lookup (`getManagedHsm`). A KeyHierarchy looks it up once for all its keys. */
    readonly id?: pulumi.Input<string>;
}

export interface AzureKeyArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    /** An existing Key Vault for RSA/EC keys. */
    readonly vaultName?: pulumi.Input<string>;
    /** Create a Key Vault for the key (when `vaultName` is not given). */
    readonly vault?: AzureVaultSettings;
    /** An existing Managed HSM, required for AES_256 (`oct-HSM`) keys. */
    readonly managedHsm?: AzureManagedHsmRef;
    /** The key name in the vault. @default the component name */
    readonly keyName?: string;
    readonly purpose: Purpose;
    readonly algorithm: Algorithm;
    /** @default "software" */
    readonly protection?: Protection;
    /** `byok`: the key is created by importing `material` (BYOK transfer blob for HSM, JWK for software). @default "cloud" */
    readonly origin?: Origin;
    /** BYOK: where the provider reads the material. Required with origin `byok`; only the descriptor is stored. */
    readonly material?: MaterialSource;
    /** Rotation policy period in days (at least 7); versions expire 30 days after. @default 90 for every key Azure generates, none for byok keys */
    readonly rotationDays?: number;
    /** A fixed expiry of the key (ISO 8601 date-time). */
    readonly expiresAt?: string;
    /** Principals (object ids) who administer the key. */
    readonly admins?: readonly Principal[];
    /** Principals who use the key. */
    readonly users?: readonly Principal[];
    readonly tags?: Record<string, string>;
    readonly identity?: KeyIdentity;
    /** Protect the key (and a created vault) from deletion and keep them when removed. @default true */
    readonly protect?: boolean;
    /**
     * `standard`: admins get Key Vault Crypto Officer (which also encrypts, decrypts and signs) or the Managed HSM Crypto
     * Officer (which manages role assignments), users Crypto User (which also manages keys in a Managed HSM). `strict`:
     * custom roles, admins with key management only, users with key use only (sdk/azure/roles.ts), and no role
     * assignment permission for either. @default "standard"
     */
    readonly separationOfDuties?: SeparationOfDuties;
    /**
     * `strict`: the custom roles to assign (a KeyHierarchy creates one pair per vault and per Managed HSM). Without them
     * the key creates its own pair, `<name>-key-admin-role` and `<name>-key-user-role`, assignable at its vault.
     */
    readonly strictRoles?: AzureStrictRoles;
}

export function checkAzureKeyArgs(name: string, args: AzureKeyArgs): IssueCollector {
    const issues = new IssueCollector();
    if (!PURPOSES.includes(args.purpose)) issues.add({ code: "invalid_value", path: "purpose", message: "is not a purpose", allowed: PURPOSES, got: args.purpose });
    if (!ALGORITHMS.includes(args.algorithm)) issues.add({ code: "invalid_value", path: "algorithm", message: "is not an algorithm", allowed: ALGORITHMS, got: args.algorithm });
    const protection = args.protection ?? "software";
    if (!PROTECTIONS.includes(protection)) issues.add({ code: "invalid_value", path: "protection", message: "is not a protection level", allowed: PROTECTIONS, got: protection });
    const origin = args.origin ?? "cloud";
    if (origin === "byok" && args.material === undefined) {
        issues.add({ code: "missing", path: "material", message: "is required for byok keys: Azure creates imported keys by the import itself", allowed: MATERIAL_SOURCE_SHAPES });
    }
    if (args.material !== undefined) {
        if (origin !== "byok") issues.add({ code: "unsupported", path: "material", message: "applies to byok keys only", allowed: "origin: byok", got: origin });
        if (!materialSourceSchema.safeParse(args.material).success) {
            issues.add({ code: "invalid_value", path: "material", message: "is not a material source", allowed: MATERIAL_SOURCE_SHAPES, got: args.material });
        }
    }
    const keyName = args.keyName ?? name;
    if (!/^[0-9a-zA-Z-]{1,127}$/.test(keyName)) issues.add({ code: "invalid_value", path: "keyName", message: "is not a valid Key Vault key name", allowed: "1-127 letters, digits, hyphens", got: keyName });
    if (PURPOSES.includes(args.purpose) && ALGORITHMS.includes(args.algorithm) && PROTECTIONS.includes(protection)) {
        const cap = azureKeyShape(args.algorithm, args.purpose, protection, args.managedHsm !== undefined);
        if (!cap.ok) {
            issues.add({ code: "unsupported", path: cap.reason.includes("cannot be used") ? "purpose" : "algorithm", message: cap.reason, allowed: cap.allowed, got: cap.reason.includes("cannot be used") ? args.purpose : args.algorithm });
        } else if (cap.shape.container === "vault") {
            if (args.vaultName === undefined && args.vault === undefined) {
                issues.add({ code: "missing", path: "vaultName", message: "is required unless vault settings are given to create one" });
            }
            if (args.vault?.sku === "standard" && cap.shape.vaultSku === "premium") {
                issues.add({ code: "unsupported", path: "vault.sku", message: `a standard vault cannot hold ${cap.shape.kty} keys`, allowed: "premium", got: "standard" });
            }
        }
    }
    if (args.vault) {
        if (!UUID_RE.test(args.vault.tenantId)) issues.add({ code: "invalid_value", path: "vault.tenantId", message: "is not a tenant id", allowed: "a UUID", got: args.vault.tenantId });
        if (args.vault.sku !== undefined && !AZURE_VAULT_SKUS.includes(args.vault.sku)) {
            issues.add({ code: "invalid_value", path: "vault.sku", message: "is not a vault SKU", allowed: AZURE_VAULT_SKUS, got: args.vault.sku });
        }
        if (args.vault.audit !== undefined) checkAzureAuditDestination(args.vault.audit, "vault.audit").forEach((i) => issues.add(i));
        if (args.vault.privateEndpoint !== undefined) checkVaultPrivateEndpoint(args.vault.privateEndpoint, "vault.privateEndpoint").forEach((i) => issues.add(i));
        const vname = args.vault.name ?? name;
        if (!/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(vname)) {
            issues.add({ code: "invalid_value", path: "vault.name", message: "is not a valid Key Vault name", allowed: "3-24 letters, digits, single hyphens, starting with a letter", got: vname });
        }
    }
    if (args.rotationDays !== undefined) {
        if (ALGORITHMS.includes(args.algorithm) && !supportsAutoRotation("azure", args.algorithm, args.origin ?? "cloud")) {
            issues.add({ code: "unsupported", path: "rotationDays", message: `Azure has no rotation for ${args.algorithm} keys`, allowed: "leave rotationDays out", got: args.rotationDays });
        } else if (!Number.isInteger(args.rotationDays) || args.rotationDays < LIMITS.azureRotationDays.min || args.rotationDays > LIMITS.azureRotationDays.max) {
            issues.add({ code: "out_of_range", path: "rotationDays", message: "is outside Azure's rotation policy range", allowed: `${LIMITS.azureRotationDays.min}-${LIMITS.azureRotationDays.max}`, got: args.rotationDays });
        }
    }
    if (args.expiresAt !== undefined && Number.isNaN(Date.parse(args.expiresAt))) {
        issues.add({ code: "invalid_value", path: "expiresAt", message: "is not an ISO 8601 date-time", allowed: "e.g. 2027-06-30T00:00:00Z", got: args.expiresAt });
    }
    checkPrincipalList("azure", args.admins, "admins").forEach((i) => issues.add(i));
    checkPrincipalList("azure", args.users, "users").forEach((i) => issues.add(i));
    checkAzureSeparation(args, issues);
    (args.users ?? []).forEach((u, i) => {
        if (typeof u === "string" && (args.admins ?? []).includes(u)) {
            issues.add({ code: "separation_of_duties", path: `users[${i}]`, message: "is also an admin: separate key administration from key use", got: u });
        }
    });
    return issues;
}

function checkAzureSeparation(args: AzureKeyArgs, issues: IssueCollector): void {
    const mode = args.separationOfDuties ?? "standard";
    if (!SEPARATION_MODES.includes(mode)) {
        issues.add({ code: "invalid_value", path: "separationOfDuties", message: "is not one of the allowed values", allowed: SEPARATION_MODES, got: mode });
    } else if (mode !== "strict" && args.strictRoles !== undefined) {
        issues.add({ code: "unsupported", path: "strictRoles", message: "applies with separationOfDuties strict only", allowed: "separationOfDuties: strict, or leave strictRoles out" });
    }
}

/**
 * The secure vault every keyfabric-created Key Vault gets: RBAC, soft delete 90 days, purge protection, a deny-by-default
 * firewall, and public network access disabled unless the settings list IP rules.
 */
export function secureVaultArgs(
    vaultName: string,
    resourceGroupName: pulumi.Input<string>,
    settings: AzureVaultSettings,
    sku: AzureVaultSku,
    tags: Record<string, string>,
): keyvault.VaultArgs {
    return {
        vaultName,
        resourceGroupName,
        location: settings.location,
        properties: {
            tenantId: settings.tenantId,
            sku: { family: "A", name: sku },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: DEFAULTS.azureSoftDeleteRetentionDays,
            enablePurgeProtection: true,
            enabledForDeployment: false,
            enabledForDiskEncryption: false,
            enabledForTemplateDeployment: false,
            ...vaultNetworkProperties(settings.ipRules),
        },
        tags,
    };
}

/** The Managed HSM's id: the one given, else looked up (`getManagedHsm`) with the key component as parent. */
function managedHsmId(hsm: AzureManagedHsmRef, resourceGroupName: pulumi.Input<string>, parent: pulumi.Resource): pulumi.Input<string> {
    if (hsm.id !== undefined) return hsm.id;
    return peers.azureNative.keyvault.getManagedHsmOutput({ name: hsm.name, resourceGroupName: hsm.resourceGroupName ?? resourceGroupName }, { parent }).id;
}

function hsmKeyArgs(
    keyName: string,
    managedHsmId: pulumi.Input<string>,
    shape: AzureKeyShape,
    expiresAt: string | undefined,
    tags: Record<string, string>,
): classicKeyvault.ManagedHardwareSecurityModuleKeyArgs {
    return {
        name: keyName,
        managedHsmId,
        keyType: shape.kty,
        keySize: shape.keySize,
        keyOpts: [...shape.keyOps],
        ...(expiresAt ? { expirationDate: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z") } : {}),
        tags,
    };
}

function vaultKeyArgs(
    keyName: string,
    vaultName: pulumi.Input<string>,
    resourceGroupName: pulumi.Input<string>,
    shape: AzureKeyShape,
    expires: number | undefined,
    rotationDays: number | undefined,
    tags: Record<string, string>,
): keyvault.KeyArgs {
    const d = rotationDays !== undefined ? rotationDurations(rotationDays) : undefined;
    return {
        keyName,
        vaultName,
        resourceGroupName,
        properties: {
            kty: shape.kty,
            ...(shape.keySize !== undefined ? { keySize: shape.keySize } : {}),
            ...(shape.curveName !== undefined ? { curveName: shape.curveName } : {}),
            keyOps: [...shape.keyOps],
            attributes: { enabled: true, exportable: false, ...(expires !== undefined ? { expires } : {}) },
            ...(d
                ? {
                      rotationPolicy: {
                          attributes: { expiryTime: d.expiryTime },
                          lifetimeActions: [
                              { action: { type: "rotate" }, trigger: { timeAfterCreate: d.timeAfterCreate } },
                              { action: { type: "notify" }, trigger: { timeBeforeExpiry: d.timeBeforeExpiry } },
                          ],
                      },
                  }
                : {}),
        },
        tags,
    };
}

/** ISO 8601 durations of a rotation policy: rotate after N days, versions expire 30 days later. */
export function rotationDurations(rotationDays: number): { timeAfterCreate: string; expiryTime: string; timeBeforeExpiry: string } {
    return {
        timeAfterCreate: `P${rotationDays}D`,
        expiryTime: `P${rotationDays + DEFAULTS.azureNotifyBeforeExpiryDays}D`,
        timeBeforeExpiry: `P${DEFAULTS.azureNotifyBeforeExpiryDays}D`,
    };
}

export class AzureKey extends KeyComponent {
    readonly vault?: keyvault.Vault;
    /** The created vault's AuditEvent diagnostic setting (with `vault.audit`). */
    readonly vaultAudit?: DiagnosticSetting;
    /** The created vault's private endpoint (with `vault.privateEndpoint`). */
    readonly vaultEndpoint?: PrivateEndpoint;
    /** The Key Vault key, for RSA/EC keys. */
    readonly vaultKey?: keyvault.Key;
    /** The Managed HSM key, for AES keys. */
    readonly hsmKey?: classicKeyvault.ManagedHardwareSecurityModuleKey;
    /** BYOK: the key created by importing customer material. */
    readonly imported?: AzureImportedKey;
    /** ARM resource id (Key Vault keys) or versionless key id (Managed HSM keys). */
    readonly keyId: pulumi.Output<string>;
    /** The versionless key URI, for services' customer-managed key settings. */
    readonly keyUri: pulumi.Output<string>;
    readonly shape: AzureKeyShape;
    private readonly managedHsmId?: pulumi.Input<string>;
    private readonly onManagedHsm: boolean;
    private readonly keyName: string;
    /** `strict`: the custom roles assignments use (given, or created by this key). */
    private strictRoles?: AzureStrictRoles;

    constructor(name: string, args: AzureKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        checkAzureKeyArgs(name, args).throwIfAny(`keyfabric:azure:Key "${name}"`);
        // A given Managed HSM id only saves the lookup: it stays out of the component's inputs (and so out of state).
        const { id: _hsmId, ...managedHsm } = args.managedHsm ?? { name: "" };
        super("keyfabric:azure:Key", name, "azure", args.purpose, args.managedHsm?.id !== undefined ? { ...args, managedHsm } : args, opts);
        const cap = azureKeyShape(args.algorithm, args.purpose, args.protection ?? "software", args.managedHsm !== undefined);
        if (!cap.ok) throw new KeyfabricValidationError(name, [{ code: "unsupported", path: "algorithm", message: cap.reason }]);
        this.shape = cap.shape;
        this.keyName = args.keyName ?? name;
        const protect = args.protect ?? true;
        const keepOpts: pulumi.CustomResourceOptions = { parent: this, protect, retainOnDelete: protect };
        const tags = correlationTags(args.identity, args.tags);
        // Every key Azure generates gets a rotation policy (imported material never rotates: byok keys get none).
        const rotationDays = args.rotationDays ?? (supportsAutoRotation("azure", args.algorithm, args.origin ?? "cloud") ? DEFAULTS.rotationDays : undefined);
        const expires = args.expiresAt ? Math.floor(Date.parse(args.expiresAt) / 1000) : undefined;

        this.onManagedHsm = cap.shape.container === "managedHsm";
        if ((args.origin ?? "cloud") === "byok") {
            // The import creates the key: no key resource, no rotation policy (imported material never auto-rotates).
            let vaultUrl: pulumi.Input<string>;
            let armVaultId: pulumi.Output<string> | undefined;
            if (this.onManagedHsm) {
                const hsm = args.managedHsm!;
                this.managedHsmId = managedHsmId(hsm, args.resourceGroupName, this);
                vaultUrl = `https://${hsm.name}.managedhsm.azure.net`;
            } else if (args.vaultName !== undefined) {
                vaultUrl = pulumi.interpolate`https://${args.vaultName}.vault.azure.net`;
                armVaultId = peers.azureNative.keyvault.getVaultOutput({ vaultName: args.vaultName, resourceGroupName: args.resourceGroupName }, { parent: this }).id;
            } else {
                const settings = args.vault!;
                this.vault = new peers.azureNative.keyvault.Vault(`${name}-vault`, secureVaultArgs(settings.name ?? name, args.resourceGroupName, settings, settings.sku ?? cap.shape.vaultSku ?? "standard", tags), keepOpts);
                this.vaultAudit = this.auditVault(name, this.vault, settings);
                this.vaultEndpoint = this.vaultPrivateEndpoint(name, this.vault, args.resourceGroupName, settings, tags);
                vaultUrl = pulumi.interpolate`https://${this.vault.name}.vault.azure.net`;
                armVaultId = this.vault.id;
            }
            this.imported = new AzureImportedKey(
                `${name}-key`,
                { vaultUrl, keyName: this.keyName, purpose: args.purpose, algorithm: args.algorithm, protection: args.protection ?? "software", material: args.material!, tags },
                keepOpts,
            );
            this.keyUri = this.imported.versionlessId;
            // Role assignments need the ARM id of the key (Key Vault) or its id on the Managed HSM.
            this.keyId = armVaultId ? pulumi.all([armVaultId, this.imported.versionlessId]).apply(([v]) => `${v}/keys/${this.keyName}`) : this.imported.versionlessId;
        } else if (cap.shape.container === "managedHsm") {
            // Children are created in short methods: Pulumi captures a stack trace for every promise of a resource,
            // and V8's cost for a frame grows with how far into its function the call is.
            this.managedHsmId = managedHsmId(args.managedHsm!, args.resourceGroupName, this);
            this.hsmKey = this.createHsmKey(name, hsmKeyArgs(this.keyName, this.managedHsmId, this.shape, args.expiresAt, tags), keepOpts);
            if (rotationDays !== undefined) this.hsmRotationPolicy(name, this.hsmKey, rotationDays);
            this.keyId = this.hsmKey.id;
            this.keyUri = this.hsmKey.id;
        } else {
            let vaultName: pulumi.Input<string>;
            if (args.vaultName !== undefined) {
                vaultName = args.vaultName;
            } else {
                this.vault = this.createVault(name, args, tags, keepOpts);
                this.vaultAudit = this.auditVault(name, this.vault, args.vault!);
                this.vaultEndpoint = this.vaultPrivateEndpoint(name, this.vault, args.resourceGroupName, args.vault!, tags);
                vaultName = this.vault.name;
            }
            this.vaultKey = this.createVaultKey(name, vaultKeyArgs(this.keyName, vaultName, args.resourceGroupName, this.shape, expires, rotationDays, tags), keepOpts);
            this.keyId = this.vaultKey.id;
            this.keyUri = this.vaultKey.keyUri;
        }

        if ((args.separationOfDuties ?? "standard") === "strict") this.strictRoles = args.strictRoles ?? this.ownStrictRoles(name, args);
        this.grantRoles(args.admins, args.users);

        this.registerOutputs({ keyId: this.keyId, keyUri: this.keyUri });
    }

    private createHsmKey(name: string, args: classicKeyvault.ManagedHardwareSecurityModuleKeyArgs, keepOpts: pulumi.CustomResourceOptions) {
        return new peers.azureClassic.keyvault.ManagedHardwareSecurityModuleKey(`${name}-key`, args, keepOpts);
    }

    private hsmRotationPolicy(name: string, hsmKey: classicKeyvault.ManagedHardwareSecurityModuleKey, rotationDays: number) {
        const d = rotationDurations(rotationDays);
        const args = { managedHsmKeyId: hsmKey.id, timeAfterCreation: d.timeAfterCreate, expireAfter: d.expiryTime };
        return new peers.azureClassic.keyvault.ManagedHardwareSecurityModuleKeyRotationPolicy(`${name}-rotation`, args, { parent: this });
    }

    private createVault(name: string, args: AzureKeyArgs, tags: Record<string, string>, keepOpts: pulumi.CustomResourceOptions): keyvault.Vault {
        const settings = args.vault!;
        const sku = settings.sku ?? this.shape.vaultSku ?? "standard";
        return new peers.azureNative.keyvault.Vault(`${name}-vault`, secureVaultArgs(settings.name ?? name, args.resourceGroupName, settings, sku, tags), keepOpts);
    }

    private auditVault(name: string, vault: keyvault.Vault, settings: AzureVaultSettings): DiagnosticSetting | undefined {
        return settings.audit ? auditDiagnosticSetting(`${name}-vault-audit`, vault.id, settings.audit, { parent: this }) : undefined;
    }

    private vaultPrivateEndpoint(name: string, vault: keyvault.Vault, resourceGroupName: pulumi.Input<string>, settings: AzureVaultSettings, tags: Record<string, string>): PrivateEndpoint | undefined {
        if (!settings.privateEndpoint) return undefined;
        return vaultPrivateEndpoint(`${name}-vault-endpoint`, settings.name ?? name, vault.id, resourceGroupName, settings.location, settings.privateEndpoint, tags, { parent: this }).endpoint;
    }

    private createVaultKey(name: string, args: keyvault.KeyArgs, keepOpts: pulumi.CustomResourceOptions): keyvault.Key {
        return new peers.azureNative.keyvault.Key(`${name}-key`, args, keepOpts);
    }

    /** `strict` without given roles: a pair of custom roles assignable at this key's vault or on its Managed HSM. */
    private ownStrictRoles(name: string, args: AzureKeyArgs): AzureStrictRoles {
        const opts = { parent: this };
        if (this.onManagedHsm) return managedHsmStrictRoles(name, this.managedHsmId!, args.managedHsm!.name, name, opts);
        const vaultId = this.vault ? this.vault.id : peers.azureNative.keyvault.getVaultOutput({ vaultName: args.vaultName!, resourceGroupName: args.resourceGroupName }, opts).id;
        return keyVaultStrictRoles(name, vaultId, this.vault ? this.vault.name : args.vaultName!, name, opts);
    }

    protected checkGrant(): void {
        /* every role maps to a built-in Key Vault / Managed HSM role, or (strict) to the custom roles */
    }

    protected createGrant(role: GrantRole, principal: Principal, childName: string): pulumi.Resource[] {
        // Plain principals are split here; only Output principals need an apply (Output inputs cost an await each).
        const parsed = <T>(f: (p: ReturnType<typeof splitAzurePrincipal>) => T): pulumi.Input<T> =>
            typeof principal === "string" ? f(splitAzurePrincipal(principal)) : pulumi.output(principal).apply((p) => f(splitAzurePrincipal(p)));
        const custom = this.strictRoles ? (role === "admin" ? this.strictRoles.admin : this.strictRoles.user) : undefined;
        if (this.onManagedHsm) {
            const roleGuid = custom ? custom.guid : managedHsmRoleFor(role);
            return [
                this.hsmRoleAssignment(
                    childName,
                    {
                        managedHsmId: this.managedHsmId!,
                        name: parsed((p) => stableUuid(this.keyName, roleGuid, p.objectId)),
                        principalId: parsed((p) => p.objectId),
                        roleDefinitionId: managedHsmRoleDefinitionId(roleGuid),
                        scope: `/keys/${this.keyName}`,
                    },
                    custom?.resource,
                ),
            ];
        }
        const roleGuid = custom ? custom.guid : keyVaultRoleFor(role);
        // A custom role's id depends on its definition, so the assignment waits for it (and the engine knows where it comes from).
        const roleDefinitionId = custom ? pulumi.all([this.keyId, custom.resource.id]).apply(([id]) => armRoleDefinitionId(id, roleGuid)) : this.keyId.apply((id) => armRoleDefinitionId(id, roleGuid));
        return [
            this.roleAssignment(childName, {
                scope: this.keyId,
                principalId: parsed((p) => p.objectId),
                principalType: parsed((p) => p.principalType as string),
                roleDefinitionId,
            }),
        ];
    }

    private hsmRoleAssignment(childName: string, args: classicKeyvault.ManagedHardwareSecurityModuleRoleAssignmentArgs, definition?: pulumi.Resource) {
        return new peers.azureClassic.keyvault.ManagedHardwareSecurityModuleRoleAssignment(childName, args, definition ? { parent: this, dependsOn: [definition] } : { parent: this });
    }

    private roleAssignment(childName: string, args: authorization.RoleAssignmentArgs) {
        return new peers.azureNative.authorization.RoleAssignment(childName, args, { parent: this });
    }
}
