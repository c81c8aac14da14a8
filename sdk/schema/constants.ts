/**
 * The closed vocabularies of a key hierarchy. Every list the validator prints as "allowed" comes from here.
 */

export const CLOUDS = ["aws", "gcp", "azure"] as const;
export type CloudName = (typeof CLOUDS)[number];

export const PURPOSES = ["encrypt", "sign", "mac"] as const;
export type Purpose = (typeof PURPOSES)[number];

export const ALGORITHMS = ["AES_256", "RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P384", "HMAC_256"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const PROTECTIONS = ["hsm", "software"] as const;
export type Protection = (typeof PROTECTIONS)[number];

export const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const ORIGINS = ["cloud", "byok"] as const;
export type Origin = (typeof ORIGINS)[number];

export const AZURE_VAULT_SKUS = ["standard", "premium"] as const;
export type AzureVaultSku = (typeof AZURE_VAULT_SKUS)[number];

/** Secure defaults shared by the hierarchy and the per-cloud components. */
export const DEFAULTS = {
    /**
     * Cryptoperiod of the keys each cloud rotates (symmetric keys everywhere; every key Azure generates): 90 days, what
     * CIS GCP 1.10 and Checkov CKV_GCP_43 ask of Cloud KMS keys, and one period for every cloud so that the instances
     * of a logical key agree (AWS accepts 90-2560 days, Azure at least 7).
     */
    rotationDays: 90,
    /** AWS KMS's maximum pending-deletion window; also GCP's destroy-scheduled duration. */
    deletionWindowDays: 30,
    /** Soft-delete retention of the Key Vaults keyfabric creates (the Azure maximum). */
    azureSoftDeleteRetentionDays: 90,
    /** Days before an Azure key version expires that Key Vault sends a near-expiry event. */
    azureNotifyBeforeExpiryDays: 30,
} as const;

/** Bounds enforced before anything is created. */
export const LIMITS = {
    /** AWS KMS `RotationPeriodInDays`. */
    awsRotationDays: { min: 90, max: 2560 },
    /** Azure rotation policy: `timeAfterCreate` of at least 7 days. */
    azureRotationDays: { min: 7, max: 3650 },
    /** GCP `rotationPeriod`: at least one day. */
    gcpRotationDays: { min: 1, max: 3650 },
    /** The span every cloud accepts for a deletion window: AWS 7-30, GCP 1-120, Azure 7-90. */
    deletionWindowDays: { min: 7, max: 30 },
} as const;

/** Tag (AWS, Azure) and label (GCP) keys that correlate the instances of one logical key across clouds. */
export const TAG_KEYS = {
    hierarchy: "keyfabric:hierarchy",
    domain: "keyfabric:domain",
    key: "keyfabric:key",
    owner: "keyfabric:owner",
    classification: "keyfabric:classification",
} as const;

/** GCP label keys allow only `[a-z0-9_-]`: the same keys, sanitised. */
export const LABEL_KEYS = {
    hierarchy: "keyfabric-hierarchy",
    domain: "keyfabric-domain",
    key: "keyfabric-key",
    owner: "keyfabric-owner",
    classification: "keyfabric-classification",
} as const;

/** The grant roles every per-cloud key understands; each cloud maps them in its own `roles.ts`. */
export const GRANT_ROLES = ["admin", "encryptDecrypt", "signVerify", "macGenerateVerify"] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

/** Which grant role the users of a key of each purpose get. */
export const USER_ROLE_FOR_PURPOSE: Record<Purpose, GrantRole> = {
    encrypt: "encryptDecrypt",
    sign: "signVerify",
    mac: "macGenerateVerify",
};
