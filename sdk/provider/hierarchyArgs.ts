/**
 * The inputs of `keyfabric:index:KeyHierarchy` as the component package publishes them: the hierarchy spec of
 * `sdk/schema/schema.ts` written as interfaces the SDK's schema analyzer can express (no unions, arrays and maps of
 * plain types, enums as `as const` objects). Field for field the spec, with two differences that `toHierarchySpec`
 * (convert.ts) undoes: a BYOK `material` source is one object with optional fields (the spec's four alternative
 * shapes), the `{command}` source's variables in `commandEnv`; `protectKeys` is the component option of that name.
 * Everything else is checked where the TypeScript component checks it: the zod schema and `validateHierarchy`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Algorithm, AzureVaultSku, Classification, Cloud, MaterialFormat, Origin, Protection, Purpose, SeparationOfDuties } from "./enums";

/** Principals per cloud: AWS IAM ARNs, GCP IAM members (`user:`, `group:`, `serviceAccount:`, ...), Azure `user:`/`group:`/`servicePrincipal:<object id>`. */
export interface Principals {
    /** AWS principals: IAM role, user or account ARNs. */
    aws?: pulumi.Input<string>[];
    /** GCP IAM members, e.g. `group:kms-admins@example.com`, `serviceAccount:app@p.iam.gserviceaccount.com`. */
    gcp?: pulumi.Input<string>[];
    /** Azure principals, e.g. `group:<object id>`, `servicePrincipal:<object id>`. */
    azure?: pulumi.Input<string>[];
}

/** Regions or locations per cloud. */
export interface Regions {
    /** AWS regions, e.g. `eu-central-1`. */
    aws?: string[];
    /** GCP locations, e.g. `europe-west4`. */
    gcp?: string[];
    /** Azure locations, e.g. `northeurope`. */
    azure?: string[];
}

/** AWS: where the keys are created. */
export interface AwsCloud {
    /** The primary region: every AWS key is created here, e.g. `eu-west-1`. */
    region: string;
    /** The account the keys belong to, 12 digits; read from the credentials (sts:GetCallerIdentity) when left out. */
    accountId?: string;
}

/** Google Cloud: the project and location of the key rings. */
export interface GcpCloud {
    /** The project id of the key rings (6-30 lowercase letters, digits, hyphens). */
    project: string;
    /** The location of the key rings, e.g. `europe-west1`, `us`, `global`. */
    location: string;
}

/** A private endpoint for each vault keyfabric creates. */
export interface AzurePrivateEndpoint {
    /** ARM id of the subnet the endpoints go into. */
    subnetId: pulumi.Input<string>;
    /** ARM id of a `privatelink.vaultcore.azure.net` private DNS zone to register the endpoints in. */
    privateDnsZoneId?: pulumi.Input<string>;
    /** The location of the subnet's virtual network. Default: `clouds.azure.location`. */
    location?: string;
}

/** Key Vault settings. */
export interface AzureVault {
    /** An existing Key Vault: every Azure key goes there. Without it, keyfabric creates one vault per domain and location. */
    name?: string;
    /** SKU of the vaults keyfabric creates. Default: `premium` where HSM keys need it, else `standard`. */
    sku?: AzureVaultSku;
    /** Public IPv4 addresses or CIDR ranges allowed through the created vaults' deny-by-default firewall; with none, public network access is disabled. */
    ipRules?: string[];
    /** A private endpoint per created vault. */
    privateEndpoint?: AzurePrivateEndpoint;
}

/** An existing Managed HSM, for AES (`oct-HSM`) keys. */
export interface AzureManagedHsm {
    /** The Managed HSM's name. */
    name: string;
    /** Its resource group. Default: `clouds.azure.resourceGroupName`. */
    resourceGroupName?: string;
}

/** Azure: where the vaults and keys are. */
export interface AzureCloud {
    /** The resource group of the vaults keyfabric creates (and of the existing vault). */
    resourceGroupName: string;
    /** The primary location, e.g. `westeurope`. */
    location: string;
    /** The Entra ID tenant (a UUID) of the vaults. */
    tenantId: string;
    /** Key Vault settings. */
    vault?: AzureVault;
    /** An existing Managed HSM, for AES keys. */
    managedHsm?: AzureManagedHsm;
}

/** The clouds the hierarchy spans; at least one. */
export interface Clouds {
    /** AWS KMS: the region (and account) of the keys. */
    aws?: AwsCloud;
    /** Google Cloud KMS: the project and location of the key rings. */
    gcp?: GcpCloud;
    /** Azure Key Vault / Managed HSM: resource group, location, tenant, vault settings. */
    azure?: AzureCloud;
}

/** Defaults for every domain and key. */
export interface Defaults {
    /** Cryptoperiod in days, where the cloud rotates the key. Default: 90. */
    rotationDays?: number;
    /** Waiting period before a deleted key is destroyed, 7-30 days. Default: 30. */
    deletionWindowDays?: number;
    /** Protection level. Default: `software` (`hsm` for restricted domains). */
    protection?: Protection;
    /** Tags (AWS, Azure) and labels (GCP) of every key. */
    tags?: { [key: string]: string };
}

/** AWS audit: KMS calls are CloudTrail management events; keyfabric creates no trail. */
export interface AwsAudit {
    /** `external` (the account or organization baseline keeps a trail) or that trail's ARN. */
    trail: string;
}

/** GCP audit: a Cloud KMS IAMAuditConfig on `clouds.gcp.project`. */
export interface GcpAudit {
    /** The organization, a folder or another stack sets the project's audit config: keyfabric creates none. Default: false. */
    external?: boolean;
}

/** Azure audit: an AuditEvent diagnostic setting per vault keyfabric creates. */
export interface AzureAudit {
    /** ARM id of a Log Analytics workspace to send the logs to. */
    workspaceId?: pulumi.Input<string>;
    /** ARM id of a storage account (in the vault's region) to archive the logs to. */
    storageAccountId?: pulumi.Input<string>;
    /** Also set the diagnostic setting of the existing vault and Managed HSM the keys use. */
    includeExisting?: boolean;
    /** Another owner (e.g. an Azure Policy assignment) sets the diagnostic settings. Default: false. */
    external?: boolean;
}

/** Audit logging of key use, per cloud. */
export interface Audit {
    /** AWS: the CloudTrail trail that records KMS calls. */
    aws?: AwsAudit;
    /** GCP: Cloud KMS Data Access audit logs. */
    gcp?: GcpAudit;
    /** Azure: Key Vault / Managed HSM AuditEvent logs. */
    azure?: AzureAudit;
}

/**
 * Where a BYOK provider reads the key material at deploy time; exactly one of `file`, `env`, `command`, `pkcs11`.
 * Only this descriptor is stored, never the material.
 */
export interface MaterialSource {
    /** A file holding the material. */
    file?: string;
    /** An environment variable holding the material. */
    env?: string;
    /** A program and its arguments, run without a shell, that prints the material. */
    command?: string[];
    /** With `command`: environment variables passed to the program besides `PATH` (the spec's `env` of a command source). */
    commandEnv?: string[];
    /** With `command`: how long it may run, in milliseconds. Default: 30000; at most 300000. */
    timeoutMs?: number;
    /** How the material is encoded (not with `pkcs11`). Default: `raw`. */
    format?: MaterialFormat;
    /** A key in a PKCS#11 token (RFC 7512 URI), wrapped inside the token. */
    pkcs11?: string;
}

/** A logical key: one instance in each of its clouds. */
export interface Key {
    /** The key's name (lowercase letters, digits, hyphens), unique in its domain. */
    name: string;
    /** What the key is for. */
    purpose: Purpose;
    /** The key algorithm. */
    algorithm: Algorithm;
    /** A description (AWS key description; at most 8192 characters). */
    description?: string;
    /** Which clouds get an instance. Default: every configured cloud. */
    clouds?: Cloud[];
    /** `byok` keys are created import-ready. Default: `cloud`. */
    origin?: Origin;
    /** Cryptoperiod in days, where the cloud rotates the key. Default: the domain's, else `defaults.rotationDays`. */
    rotationDays?: number;
    /** Protection level. Default: the domain's. */
    protection?: Protection;
    /** BYOK: where the material is read at deploy time. Without it, AWS and GCP keys are created import-ready. */
    material?: MaterialSource;
    /** BYOK, AWS: when the imported material expires (ISO 8601, at most 365 days ahead). Default: no expiry. */
    validTo?: string;
    /** Extra users of this key, per cloud, on top of the domain's users. */
    users?: Principals;
    /** AWS multi-Region key (needed for `regions.aws` replicas). Default: false. */
    multiRegion?: boolean;
    /** Extra regions: AWS replicas of a multi-Region key; further GCP/Azure instances in those locations. */
    regions?: Regions;
    /** AWS alias names (without `alias/`), on top of `<hierarchy>/<domain>/<key>`. */
    aliases?: string[];
    /** Tags (AWS, Azure) and labels (GCP) of this key, over the domain's and the defaults'. */
    tags?: { [key: string]: string };
}

/** A domain: a tier of the hierarchy (environment or data classification) with its principals and keys. */
export interface Domain {
    /** The domain's name (lowercase letters, digits, hyphens). */
    name: string;
    /** Data classification; `restricted` implies HSM protection. */
    classification: Classification;
    /** Residency: where this domain's keys may live, per cloud. Unset means anywhere. */
    regions?: Regions;
    /** Key administrators, per cloud. */
    admins?: Principals;
    /** Key users, per cloud. */
    users?: Principals;
    /** Cryptoperiod in days for the domain's keys. */
    rotationDays?: number;
    /** Deletion window in days for the domain's keys, 7-30. */
    deletionWindowDays?: number;
    /** Protection level of the domain's keys. */
    protection?: Protection;
    /** Tags of the domain's keys. */
    tags?: { [key: string]: string };
    /** The domain's keys; at least one. */
    keys: Key[];
    /** `strict`: administrators manage without use or permission changes; only the deployer changes them. Default: `standard`. */
    separationOfDuties?: SeparationOfDuties;
    /** Strict domains: the principals that deploy the keys, per cloud (else the hierarchy's `deployer`). */
    deployer?: Principals;
}

/** The inputs of a KeyHierarchy: the hierarchy spec, plus the `protectKeys` option. */
export interface KeyHierarchyArgs {
    /** The hierarchy's name: in tags, aliases and key ring names (lowercase letters, digits, hyphens). */
    name: string;
    /** The owning team or person (1-128 characters), a tag of every key. */
    owner: string;
    /** The clouds and where in each the keys go. */
    clouds: Clouds;
    /** Defaults for every domain and key. */
    defaults?: Defaults;
    /** The domains; at least one. */
    domains: Domain[];
    /** Audit logging of key use, per cloud. */
    audit?: Audit;
    /** The principals that deploy the keys of strict domains, per cloud (a domain's own `deployer` takes precedence). */
    deployer?: Principals;
    /** Protect keys, key rings and vaults from deletion and keep them when removed from the program. Default: true. */
    protectKeys?: boolean;
}
