/**
 * The presets, control by control: the one place each preset's settings live. `npm run docs:policies` writes
 * `presets/<name>.json` (what `--policy-pack-config` reads) and the README's preset tables from these rows;
 * test/policy/presets.test.ts checks that both are up to date and that the engine, reading each JSON file, applies
 * every row's value.
 *
 * Each row: a control of the framework the preset names (its id and title as published), the rules that implement it,
 * and what the preset sets (`level`, `config`) or relies on from the rules' defaults (`defaults`: config keys whose
 * default the control needs, shown in the table, never written to the file). Rules a preset does not name keep their
 * default level and bounds; a preset never lowers a rule that is mandatory by default.
 */
import type { EnforcementLevel } from "@pulumi/policy";

export interface PresetRow {
    /** The control's id in the framework (with its version in the preset's `cites`), e.g. `AWS 3.6`, `3.7.4`, `CKV_GCP_43`. */
    readonly control: string;
    /** Its title as published, or the check's name. */
    readonly title: string;
    readonly rules: readonly string[];
    readonly level?: EnforcementLevel;
    readonly config?: Readonly<Record<string, unknown>>;
    /** Config keys whose rule default the control relies on (shown in the table, not written to the file). */
    readonly defaults?: readonly string[];
    /** Where the preset departs from the letter of the control, or why a value is what it is. */
    readonly note?: string;
}

export interface Preset {
    /** `presets/<name>.json`. */
    readonly name: string;
    /** The frameworks and versions the preset traces to. */
    readonly cites: string;
    /** How the preset maps the framework to levels. */
    readonly intro: string;
    readonly rows: readonly PresetRow[];
}

const M: EnforcementLevel = "mandatory";
const A: EnforcementLevel = "advisory";

/** The 14 AWS, 8 GCP and 5 Azure key-consumer rules (catalogue row 12). */
export const CONSUMER_RULES = {
    aws: [
        "aws-cloudwatch-loggroup-require-customer-managed-key",
        "aws-dynamodb-table-require-customer-managed-key",
        "aws-ebs-volume-require-customer-managed-key",
        "aws-ecr-repository-require-customer-managed-key",
        "aws-efs-filesystem-require-customer-managed-key",
        "aws-eks-cluster-require-customer-managed-key",
        "aws-kinesis-stream-require-customer-managed-key",
        "aws-lambda-function-require-customer-managed-key",
        "aws-rds-storage-require-customer-managed-key",
        "aws-s3-bucket-require-customer-managed-key",
        "aws-secretsmanager-secret-require-customer-managed-key",
        "aws-sns-topic-require-customer-managed-key",
        "aws-sqs-queue-require-customer-managed-key",
        "aws-ssm-parameter-require-customer-managed-key",
    ],
    gcp: [
        "gcp-artifactregistry-repository-require-customer-managed-key",
        "gcp-bigquery-dataset-require-customer-managed-key",
        "gcp-compute-disk-require-customer-managed-key",
        "gcp-container-cluster-require-customer-managed-key",
        "gcp-pubsub-topic-require-customer-managed-key",
        "gcp-secretmanager-secret-require-customer-managed-key",
        "gcp-sql-databaseinstance-require-customer-managed-key",
        "gcp-storage-bucket-require-customer-managed-key",
    ],
    azure: [
        "azure-compute-disk-require-customer-managed-key",
        "azure-containerservice-cluster-require-customer-managed-key",
        "azure-cosmosdb-account-require-customer-managed-key",
        "azure-sql-server-require-customer-managed-key",
        "azure-storage-storageaccount-require-customer-managed-key",
    ],
} as const;

const PLAINTEXT = ["aws-kms-externalkey-disallow-plaintext-material", "gcp-kms-importedkeyversion-disallow-plaintext-material", "azure-keyvault-importedkey-disallow-plaintext-material"];
const RSA = ["aws-kms-key-limit-rsa-key-size", "gcp-kms-cryptokey-limit-rsa-key-size", "azure-keyvault-key-limit-rsa-key-size"];
const AZURE_ROTATION = ["azure-keyvault-key-configure-rotation-policy", "azure-keyvault-managedhsmkey-configure-rotation-policy"];
const NETWORK = ["requirePublicNetworkAccessDisabled", "allowPublicWithDefaultDeny", "requireDefaultDeny", "requirePrivateEndpoint"];

const baseline: Preset = {
    name: "baseline",
    cites: "the catalogue's consensus: Checkov 3 and AWS Security Hub (FSBP), with Trivy, KICS, AWS Control Tower and Pulumi's compliance policies where they agree",
    intro:
        "What the common scanners already ask, at their severity: the critical rules (key material in state, public or wildcard access, bypassing the policy-lockout check) mandatory, the rest advisory at the rules' defaults. Where baseline is stricter or looser than the scanners, the row says so.",
    rows: [
        { control: "Security Hub KMS.5; CKV_AWS_33", title: "KMS keys should not be publicly accessible", rules: ["aws-kms-key-disallow-wildcard-principal"], level: M },
        { control: "Pulumi compliance-policies", title: "aws-kms-key-disallow-bypass-policy-lockout-safety-check", rules: ["aws-kms-key-disallow-bypass-policy-lockout"], level: M },
        { control: "CKV_GCP_112, CKV2_GCP_6, CKV2_GCP_8", title: "Cloud KMS keys and key rings are not publicly accessible", rules: ["gcp-kms-cryptokeyiammember-disallow-public-access"], level: M },
        {
            control: "catalogue row 13",
            title: "No plaintext key material in IaC state",
            rules: PLAINTEXT,
            level: M,
            note: "Stricter than the scanners, which have no such check: material in a resource input is in the stack's state (PCI DSS 4.0.1 3.6.1.2).",
        },
        { control: "CKV_AWS_7; Security Hub KMS.4", title: "Ensure rotation for customer created CMKs is enabled", rules: ["aws-kms-key-enable-key-rotation"], level: A },
        {
            control: "NIST SP 800-57 Pt. 1 5.3",
            title: "Cryptoperiods",
            rules: ["aws-kms-key-configure-rotation-period"],
            level: A,
            defaults: ["maxRotationDays"],
            note: "No scanner bounds the AWS period; 365 is AWS's own default, so only a longer explicit period is reported.",
        },
        { control: "CKV_GCP_43", title: "Ensure KMS encryption keys are rotated within a period of 90 days", rules: ["gcp-kms-cryptokey-configure-rotation-period"], level: A, defaults: ["maxRotationDays"] },
        {
            control: "KICS azure_key_vault_key_rotation_disabled",
            title: "Key Vault key rotation disabled",
            rules: AZURE_ROTATION,
            level: A,
            defaults: ["maxRotationDays"],
            note: "KICS asks for a rotation policy; the 365-day bound is the rules' (NIST SP 800-57), not the scanner's.",
        },
        {
            control: "KICS KMS Key With No Deletion Window; Security Hub KMS.3",
            title: "AWS KMS keys should not be deleted unintentionally",
            rules: ["aws-kms-key-configure-deletion-window"],
            level: A,
            defaults: ["minDeletionWindowDays"],
            note: "Stricter: KICS asks that the window be set (7-30 days), Security Hub that no key be scheduled for deletion. 30 is AWS's default, so only a shortened window is reported.",
        },
        { control: "CKV_AZURE_110, CKV_AZURE_42", title: "Ensure that key vault enables purge protection; Ensure the key vault is recoverable", rules: ["azure-keyvault-vault-enable-purge-protection"], level: A },
        { control: "CKV_AZURE_111, CKV_AZURE_42", title: "Ensure that key vault enables soft delete; Ensure the key vault is recoverable", rules: ["azure-keyvault-vault-enable-soft-delete"], level: A, defaults: ["minRetentionDays"], note: "No retention is asked: 7 days is Azure's minimum." },
        { control: "CKV_AZURE_40", title: "Ensure that the expiration date is set on all keys", rules: ["azure-keyvault-key-configure-expiry"], level: A, defaults: ["acceptRotationPolicyExpiry"], note: "A rotation policy that rotates the key and expires its versions counts as an expiry." },
        { control: "CKV_AZURE_41", title: "Ensure that the expiration date is set on all secrets", rules: ["azure-keyvault-secret-configure-expiry"], level: A },
        {
            control: "CKV_AZURE_109, CKV_AZURE_189; Trivy AVD-AZU-0013",
            title: "Ensure that key vault allows firewall rules settings; Ensure that Azure Key Vault disables public network access",
            rules: ["azure-keyvault-vault-limit-network-exposure"],
            level: A,
            defaults: NETWORK,
            note: "Looser than Checkov: CKV2_AZURE_32 (a private endpoint) is not asked. A vault with public access disabled is reachable from no public network, and an endpoint needs a subnet the stack may not own; cis reports it (advisory), strict-hsm requires it.",
        },
        {
            control: "CKV_AZURE_112",
            title: "Ensure that key vault key is backed by HSM",
            rules: ["azure-keyvault-key-require-hsm-protection", "gcp-kms-cryptokey-require-hsm-protection"],
            level: A,
            defaults: ["appliesTo", "classifications"],
            note: "Looser than Checkov, which asks it of every key: HSM protection for restricted keys (keyfabric's classification); strict-hsm asks it of every key.",
        },
        { control: "CKV2_AWS_64", title: "Ensure KMS key Policy is defined", rules: ["aws-kms-key-require-key-policy"], level: A },
        { control: "CKV_AWS_227", title: "Ensure KMS key is enabled", rules: ["aws-kms-key-enable-key"], level: A },
        {
            control: "AWS Control Tower CT.KMS.PR.2",
            title: "Require that an AWS KMS asymmetric key with RSA key material used for encryption has a key length greater than 2048 bits",
            rules: RSA,
            level: A,
            defaults: ["minRsaBits"],
            note: "Stricter: 3072 bits for every RSA key, signing keys included (NIST SP 800-57's 128-bit strength).",
        },
        { control: "AWS Control Tower CT.KMS.PR.3", title: "Require an AWS KMS key policy to have a statement that limits creation of AWS KMS grants to AWS services", rules: ["aws-kms-grant-limit-to-aws-services"], level: A, defaults: ["allowDirectGrants"] },
    ],
};

const cis: Preset = {
    name: "cis",
    cites: "CIS Amazon Web Services Foundations Benchmark v3.0.0 (AWS), CIS Google Cloud Platform Foundation Benchmark v3.0.0 (GCP), CIS Microsoft Azure Foundations Benchmark v2.0.0 (Azure)",
    intro:
        "Every recommendation of the three benchmarks that the pack can check, Level 1 and Level 2 alike: mandatory where CIS marks the recommendation Automated, advisory where it marks it Manual (its assessment needs a judgement a program does not show: critical data, supported services). Nothing beyond the benchmarks: CIS AWS asks that rotation be on, not a period; CIS Azure asks for soft delete and purge protection, not a retention. Not covered: CIS GCP 4.7 asks customer-supplied keys (CSEK), which a Cloud KMS key is not.",
    rows: [
        {
            control: "AWS 3.6 (L2, Automated)",
            title: "Ensure rotation for customer-created symmetric CMKs is enabled",
            rules: ["aws-kms-key-enable-key-rotation"],
            level: M,
            note: "Rotation on; the period is not part of the control (aws-kms-key-configure-rotation-period keeps its default, advisory), so a key rotating at AWS's default period passes.",
        },
        {
            control: "AWS 3.1 (L1, Automated)",
            title: "Ensure CloudTrail is enabled in all regions",
            rules: ["aws-cloudtrail-trail-enable-kms-logging"],
            level: M,
            note: "For the stack's KMS keys. A trail the account baseline keeps counts when the stack says so: audit.aws.trail (KeyHierarchy), audit.trail (AwsKey) or the rule's assumeAccountTrail.",
        },
        { control: "GCP 1.9 (L1, Automated)", title: "Ensure that Cloud KMS cryptokeys are not anonymously or publicly accessible", rules: ["gcp-kms-cryptokeyiammember-disallow-public-access"], level: M },
        { control: "GCP 1.10 (L1, Automated)", title: "Ensure KMS encryption keys are rotated within a period of 90 days", rules: ["gcp-kms-cryptokey-configure-rotation-period"], level: M, config: { maxRotationDays: 90 } },
        {
            control: "GCP 1.11 (L2, Automated)",
            title: "Ensure that Separation of duties is enforced while assigning KMS related roles to users",
            rules: ["keyfabric-hierarchy-enforce-separation-of-duties"],
            level: M,
            note: "The rule checks the same separation in AWS and Azure too.",
        },
        { control: "GCP 2.1 (L1, Automated)", title: "Ensure that Cloud Audit Logging is configured properly", rules: ["gcp-kms-project-enable-audit-logging"], level: M, note: "For Cloud KMS, in the projects holding the stack's keys; the control asks it of every service." },
        {
            control: "GCP 7.2, 7.3 (L2, Automated)",
            title: "Ensure that all BigQuery Tables are encrypted with Customer-managed encryption key (CMEK); Ensure that a Default Customer-managed encryption key (CMEK) is specified for all BigQuery Data Sets",
            rules: ["gcp-bigquery-dataset-require-customer-managed-key"],
            level: M,
        },
        {
            control: "Azure 8.1, 8.2 (L1, Automated)",
            title: "Ensure that the Expiration Date is set for all Keys in RBAC Key Vaults; ... in Non-RBAC Key Vaults",
            rules: ["azure-keyvault-key-configure-expiry"],
            level: M,
            config: { acceptRotationPolicyExpiry: true },
            note: "A rotation policy that rotates the key and gives its versions an expiry counts; its first version carries no expiry until the first rotation, so the letter of the control needs acceptRotationPolicyExpiry: false and an expiry date on every key.",
        },
        { control: "Azure 8.3, 8.4 (L1, Automated)", title: "Ensure that the Expiration Date is set for all Secrets in RBAC Key Vaults; ... in Non-RBAC Key Vaults", rules: ["azure-keyvault-secret-configure-expiry"], level: M },
        { control: "Azure 8.5 (L1, Automated)", title: "Ensure the Key Vault is Recoverable", rules: ["azure-keyvault-vault-enable-purge-protection"], level: M },
        { control: "Azure 8.5 (L1, Automated)", title: "Ensure the Key Vault is Recoverable", rules: ["azure-keyvault-vault-enable-soft-delete"], level: M, config: { minRetentionDays: 7 }, note: "Soft delete on; no retention is asked (7 days is Azure's minimum)." },
        { control: "Azure 8.6 (L2, Manual)", title: "Enable Role Based Access Control for Azure Key Vault", rules: ["azure-keyvault-vault-enable-rbac-authorization"], level: A },
        { control: "Azure 8.7 (L2, Manual)", title: "Ensure that Private Endpoints are Used for Azure Key Vault", rules: ["azure-keyvault-vault-limit-network-exposure"], level: A, config: { requirePrivateEndpoint: true } },
        {
            control: "Azure 8.8 (L2, Manual)",
            title: "Ensure Automatic Key Rotation is Enabled Within Azure Key Vault for the Supported Services",
            rules: AZURE_ROTATION,
            level: A,
            defaults: ["maxRotationDays"],
            note: "The control asks for rotation, not a period: the 365-day bound is the rules' default.",
        },
        { control: "Azure 5.1.5 (L1, Automated)", title: "Ensure that logging for Azure Key Vault is 'Enabled'", rules: ["azure-keyvault-vault-enable-audit-logging"], level: M },
        { control: "Azure 3.12 (L2, Manual)", title: "Ensure Storage for Critical Data are Encrypted with Customer Managed Keys", rules: ["azure-storage-storageaccount-require-customer-managed-key"], level: A },
        { control: "Azure 4.1.3 (L2, Automated)", title: "Ensure SQL server's Transparent Data Encryption (TDE) protector is encrypted with Customer-managed key", rules: ["azure-sql-server-require-customer-managed-key"], level: M },
        {
            control: "Azure 7.3, 7.4 (L2, Automated)",
            title: "Ensure that 'OS and Data' disks are encrypted with Customer Managed Key (CMK); Ensure that 'Unattached disks' are encrypted with 'Customer Managed Key' (CMK)",
            rules: ["azure-compute-disk-require-customer-managed-key"],
            level: M,
        },
    ],
};

const pci: Preset = {
    name: "pci-dss-4",
    cites: "PCI DSS v4.0.1, requirements 3.6 (cryptographic keys used to protect stored account data are secured) and 3.7 (key-management processes and procedures)",
    intro:
        "PCI DSS leaves the cryptoperiod to the entity (3.7.4: \"as defined by the associated application vendor or key owner\", with NIST SP 800-57 as guidance), so this preset enforces that every key has one and keeps to it: rotation on, in every cloud, at the period the KeyHierarchy declares, with no bound of its own (set maxRotationDays to your cryptoperiod in your own pack config). Strong cryptography is PCI's own floor: 112 bits of effective strength (RSA 2048 and up). A KMS that employs HSMs satisfies 3.6.1.2, so HSM protection is not required. The other requirements (audit logs, 10.2) are outside this preset.",
    rows: [
        {
            control: "3.6.1",
            title: "Procedures are defined and implemented to protect cryptographic keys used to protect stored account data against disclosure and misuse (access to keys is restricted to the fewest number of custodians necessary)",
            rules: ["aws-kms-key-disallow-wildcard-principal", "gcp-kms-cryptokeyiammember-disallow-public-access", "aws-kms-key-disallow-full-permissions", "aws-kms-key-disallow-bypass-policy-lockout", "keyfabric-hierarchy-enforce-separation-of-duties"],
            level: M,
        },
        {
            control: "3.6.1.1",
            title: "A documented description of the cryptographic architecture is maintained (service providers only), including the usage of each key",
            rules: ["aws-kms-key-require-tags", "gcp-kms-cryptokey-require-labels", "azure-keyvault-key-require-tags", "aws-kms-key-require-description"],
            level: A,
            note: "Advisory: the requirement applies to service providers, which a program does not show.",
        },
        {
            control: "3.6.1.2",
            title: "Secret and private keys used to protect stored account data are stored in one (or more) of the following forms at all times (encrypted with a key-encrypting key, within a secure cryptographic device, or as key components)",
            rules: PLAINTEXT,
            level: M,
            note: "Key material in a resource input is stored in the stack's state in none of those forms.",
        },
        {
            control: "3.7.1",
            title: "Key-management policies and procedures are implemented to include generation of strong cryptographic keys used to protect stored account data",
            rules: RSA,
            level: M,
            config: { minRsaBits: 2048 },
            note: "PCI's strong cryptography: at least 112 bits of effective key strength, RSA 2048 and up.",
        },
        {
            control: "3.7.2",
            title: "Key-management policies and procedures are implemented to include secure distribution of cryptographic keys used to protect stored account data",
            rules: ["gcp-kms-keyringimportjob-require-sha256-import-method", "azure-keyvault-importedkey-require-strong-wrapping-key"],
            level: M,
            defaults: ["minWrappingKeyBits"],
            note: "Imported material travels wrapped under RSA-OAEP with SHA-256 and a key of at least 3072 bits (the smallest Cloud KMS and Azure's BYOK offer).",
        },
        {
            control: "3.7.4",
            title: "Key management policies and procedures are implemented for cryptographic key changes for keys that have reached the end of their cryptoperiod, as defined by the associated application vendor or key owner",
            rules: ["aws-kms-key-enable-key-rotation"],
            level: M,
        },
        { control: "3.7.4", title: "(continued: a defined cryptoperiod for each key type in use)", rules: ["gcp-kms-cryptokey-configure-rotation-period", ...AZURE_ROTATION], level: M, config: { maxRotationDays: 3650 }, note: "A rotation at any period the cloud accepts: the period is the key owner's." },
        {
            control: "3.7.4",
            title: "(continued: keys changed at the end of the defined cryptoperiod)",
            rules: ["keyfabric-hierarchy-enforce-consistent-cryptoperiod"],
            level: M,
            defaults: ["toleranceDays"],
            note: "The key owner's cryptoperiod is the KeyHierarchy spec's; every cloud's instance of a key applies it.",
        },
        { control: "3.7.4", title: "(continued: keys are not used beyond their cryptoperiod)", rules: ["azure-keyvault-key-configure-expiry"], level: M, defaults: ["acceptRotationPolicyExpiry"] },
        {
            control: "3.7.4",
            title: "(continued: imported key material)",
            rules: ["aws-kms-externalkey-limit-material-validity"],
            level: M,
            config: { requireExpiry: true, maxValidityDays: 3650 },
            note: "Imported material never rotates: it must expire, at a date the key owner chooses.",
        },
    ],
};

const strict: Preset = {
    name: "strict-hsm",
    cites: "the union of cis and pci-dss-4 at their strictest, and every other rule of the pack",
    intro:
        "The strictest preset: every rule mandatory, HSM protection for every key, every key consumer on a customer-managed key, classified data only under keys of its domain, private endpoints for every vault. Bounds are the strictest one logical key can meet in every cloud: rotation every 90 days (AWS's shortest), deletion windows of 30 days (AWS's longest), soft-delete retention of 90 days (Azure's longest), 4096-bit wrapping keys. keyfabric's components meet it when every key is HSM-protected and the vault settings name a private endpoint.",
    rows: [
        { control: "CKV_AZURE_112; PCI DSS 3.6.1.2", title: "Keys are backed by HSMs", rules: ["gcp-kms-cryptokey-require-hsm-protection", "azure-keyvault-key-require-hsm-protection"], level: M, config: { appliesTo: "all" }, note: "Every key, not only restricted ones; AWS KMS keys are always held in HSMs." },
        {
            control: "catalogue row 12",
            title: "Consuming services use a customer-managed key",
            rules: [...CONSUMER_RULES.aws, ...CONSUMER_RULES.gcp, "azure-compute-disk-require-customer-managed-key", "azure-cosmosdb-account-require-customer-managed-key", "azure-sql-server-require-customer-managed-key", "azure-storage-storageaccount-require-customer-managed-key"],
            level: M,
        },
        { control: "catalogue row 12", title: "AKS: node disks and etcd secrets on customer-managed keys", rules: ["azure-containerservice-cluster-require-customer-managed-key"], level: M, config: { requireKmsEtcdEncryption: true } },
        { control: "issue #12 item 3", title: "Classified data only under keys of its domain, or a stricter one", rules: ["keyfabric-hierarchy-enforce-key-classification"], level: M },
        { control: "AWS 3.6; PCI DSS 3.7.4", title: "Rotation on, every 90 days", rules: ["aws-kms-key-enable-key-rotation"], level: M },
        { control: "AWS 3.6; PCI DSS 3.7.4", title: "Rotation on, every 90 days", rules: ["aws-kms-key-configure-rotation-period", "gcp-kms-cryptokey-configure-rotation-period", ...AZURE_ROTATION], level: M, config: { maxRotationDays: 90 }, note: "90 days: AWS's shortest period, and what CIS GCP 1.10 asks." },
        { control: "PCI DSS 3.7.4", title: "One cryptoperiod per logical key", rules: ["keyfabric-hierarchy-enforce-consistent-cryptoperiod"], level: M, config: { toleranceDays: 0 } },
        { control: "Security Hub KMS.3; CIS Azure 8.5", title: "Deletion windows and soft delete at their longest", rules: ["aws-kms-key-configure-deletion-window"], level: M, config: { minDeletionWindowDays: 30 } },
        { control: "Security Hub KMS.3; CIS Azure 8.5", title: "Deletion windows and soft delete at their longest", rules: ["gcp-kms-cryptokey-configure-destroy-scheduled-duration"], level: M, config: { minDestroyScheduledDays: 30 }, note: "30 days, as in AWS: one window for every instance of a key." },
        { control: "Security Hub KMS.3; CIS Azure 8.5", title: "Deletion windows and soft delete at their longest", rules: ["keyfabric-hierarchy-enforce-deletion-safety"], level: M, config: { minDeletionWindowDays: 30, requirePurgeProtection: true, requireProtect: true } },
        { control: "Security Hub KMS.3; CIS Azure 8.5", title: "Deletion windows and soft delete at their longest", rules: ["azure-keyvault-vault-enable-soft-delete"], level: M, config: { minRetentionDays: 90 } },
        { control: "CIS Azure 8.5", title: "Ensure the Key Vault is Recoverable", rules: ["azure-keyvault-vault-enable-purge-protection", "gcp-kms-cryptokey-require-deletion-protection"], level: M },
        {
            control: "CIS Azure 8.7; CKV_AZURE_109, CKV_AZURE_189, CKV2_AZURE_32",
            title: "Private endpoints, no public network access, deny-by-default firewalls",
            rules: ["azure-keyvault-vault-limit-network-exposure"],
            level: M,
            config: { requirePublicNetworkAccessDisabled: true, allowPublicWithDefaultDeny: false, requireDefaultDeny: true, requirePrivateEndpoint: true },
        },
        { control: "CIS Azure 8.6", title: "Enable Role Based Access Control for Azure Key Vault", rules: ["azure-keyvault-vault-enable-rbac-authorization"], level: M },
        {
            control: "CIS Azure 8.1-8.4",
            title: "Expiration dates on keys and secrets",
            rules: ["azure-keyvault-key-configure-expiry"],
            level: M,
            config: { acceptRotationPolicyExpiry: true },
            note: "A rotation policy that expires every version counts (an expiry date on every key would stop it on a fixed day).",
        },
        { control: "CIS Azure 8.3, 8.4", title: "Ensure that the Expiration Date is set for all Secrets", rules: ["azure-keyvault-secret-configure-expiry"], level: M },
        { control: "CIS AWS 3.1; CIS GCP 2.1; CIS Azure 5.1.5", title: "Audit logging of key use", rules: ["aws-cloudtrail-trail-enable-kms-logging", "gcp-kms-project-enable-audit-logging", "azure-keyvault-vault-enable-audit-logging"], level: M },
        {
            control: "PCI DSS 3.6.1; CIS GCP 1.9, 1.11",
            title: "Access to keys restricted to the fewest custodians",
            rules: ["aws-kms-key-disallow-wildcard-principal", "aws-kms-key-disallow-bypass-policy-lockout", "aws-kms-key-disallow-full-permissions", "gcp-kms-cryptokeyiammember-disallow-public-access", "keyfabric-hierarchy-enforce-separation-of-duties"],
            level: M,
        },
        {
            control: "CT.KMS.PR.3",
            title: "Grants only for AWS services",
            rules: ["aws-kms-grant-limit-to-aws-services"],
            level: M,
            defaults: ["allowDirectGrants"],
            note: "Grant resources (keyfabric's grant()) stay allowed: they name their grantee; key policies may delegate grants only to AWS services.",
        },
        { control: "PCI DSS 3.6.1.2", title: "No plaintext key material in IaC state", rules: PLAINTEXT, level: M },
        { control: "PCI DSS 3.7.1; NIST SP 800-57 Pt. 1 5.6.1", title: "Strong keys and algorithms", rules: RSA, level: M, config: { minRsaBits: 3072 }, note: "3072 bits: 128-bit strength." },
        { control: "PCI DSS 3.7.1; NIST SP 800-57 Pt. 1 5.6.1", title: "Strong keys and algorithms", rules: ["aws-kms-key-limit-key-spec", "gcp-kms-cryptokey-limit-algorithms-and-protection-levels", "azure-keyvault-key-limit-algorithms"], level: M },
        {
            control: "PCI DSS 3.7.2",
            title: "Secure distribution of imported keys",
            rules: ["gcp-kms-keyringimportjob-require-sha256-import-method", "azure-keyvault-importedkey-require-strong-wrapping-key"],
            level: M,
            config: { minWrappingKeyBits: 4096 },
        },
        { control: "PCI DSS 3.7.2", title: "Secure distribution of imported keys", rules: ["gcp-kms-importedkeyversion-require-import-only-key", "gcp-kms-cryptokey-require-skip-initial-version-creation"], level: M },
        { control: "PCI DSS 3.7.4", title: "Imported material expires", rules: ["aws-kms-externalkey-limit-material-validity"], level: M, config: { requireExpiry: true, maxValidityDays: 365 }, note: "365 days: the longest validTo keyfabric accepts." },
        { control: "PCI DSS 3.6.1.1", title: "Every key says who owns it, how it is classified and what it is for", rules: ["aws-kms-key-require-tags", "gcp-kms-cryptokey-require-labels", "azure-keyvault-key-require-tags", "aws-kms-key-require-description"], level: M },
        { control: "CKV2_AWS_64; CKV_AWS_227", title: "Key policy defined; key enabled", rules: ["aws-kms-key-require-key-policy", "aws-kms-key-enable-key"], level: M },
        { control: "CSA CCM DSP-19", title: "Keys only where their domain allows", rules: ["keyfabric-hierarchy-enforce-residency"], level: M },
        { control: "Pulumi compliance-policies", title: "No Azure preview API versions for key resources", rules: ["azure-keyvault-any-disallow-preview-resource"], level: M },
    ],
};

export const PRESETS: readonly Preset[] = [baseline, cis, pci, strict];
