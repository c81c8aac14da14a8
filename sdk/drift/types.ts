/**
 * What drift detection reports: the closed list of finding kinds (with a default severity and a description each),
 * findings, and the report.
 */

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Cloud = "aws" | "gcp" | "azure";

interface KindInfo {
    readonly severity: Severity;
    readonly title: string;
    readonly description: string;
}

/**
 * Every kind of finding `keyfabric drift` can report. Closed: renderers, SARIF rules and tests rely on this list.
 * The severity is the default; a few checks raise or lower it (e.g. a foreign IAM member is high, not medium).
 */
export const FINDING_KINDS = {
    "resource-missing": { severity: "critical", title: "Resource missing", description: "The resource in state no longer exists in the cloud (deleted, or soft-deleted)." },
    "read-failed": { severity: "medium", title: "Read failed", description: "The resource could not be read (permission denied, no id in state, or an error): its drift is unknown." },
    "key-disabled": { severity: "high", title: "Key disabled", description: "The key is disabled although the stack declares it enabled: every use of it fails." },
    "key-enabled": { severity: "low", title: "Key enabled", description: "The key is enabled although the stack declares it disabled." },
    "key-pending-deletion": { severity: "critical", title: "Key pending deletion", description: "The key is scheduled for deletion; after the date, data it protects is unrecoverable." },
    "key-settings-changed": { severity: "medium", title: "Key settings changed", description: "Settings of the key (key operations, destroy-scheduled duration, import-only, purpose, protection) differ from state." },
    "rotation-disabled": { severity: "medium", title: "Rotation disabled", description: "Automatic rotation is off although the stack declares it." },
    "rotation-enabled": { severity: "low", title: "Rotation enabled", description: "Automatic rotation is on although the stack does not declare it." },
    "rotation-period-changed": { severity: "low", title: "Rotation period changed", description: "The rotation period (or rotation policy) differs from the declared one." },
    "rotation-overdue": { severity: "medium", title: "Rotation overdue", description: "The current key material is older than the declared cryptoperiod." },
    "key-policy-changed": { severity: "high", title: "Key policy changed", description: "The AWS key policy differs from state; the finding names the statements (Sids) added, removed or changed." },
    "public-access": { severity: "critical", title: "Public access", description: "A key policy statement or IAM binding grants access to everyone (\"*\", allUsers, allAuthenticatedUsers)." },
    "alias-missing": { severity: "medium", title: "Alias missing", description: "An alias in state no longer exists: callers using it fail." },
    "alias-retargeted": { severity: "high", title: "Alias retargeted", description: "An alias in state points at another key than the one in state." },
    "replica-added": { severity: "high", title: "Replica added", description: "A multi-Region key has a replica in a region the stack does not declare: key material copied out of band." },
    "material-missing": { severity: "critical", title: "Imported material missing", description: "Imported key material is gone (deleted, expired or the import failed): the key cannot be used." },
    "material-expiring": { severity: "high", title: "Imported material expiring", description: "Imported key material expires within the warning window." },
    "material-expiry-changed": { severity: "low", title: "Material expiry changed", description: "Imported material's expiry (ValidTo) differs from state." },
    "version-disabled": { severity: "high", title: "Key version disabled", description: "The primary (or only usable) key version is disabled." },
    "version-destroyed": { severity: "critical", title: "Key version destroyed", description: "A key version is destroyed or scheduled for destruction: data encrypted under it becomes unrecoverable." },
    "primary-changed": { severity: "high", title: "Primary version changed", description: "The key's primary version is not the one in state, and automatic rotation does not explain it." },
    "key-version-changed": { severity: "medium", title: "Key version changed", description: "The key's current version is not one in state, and no rotation policy explains it." },
    "iam-member-added": { severity: "medium", title: "IAM member added", description: "A member was granted a role on a key or key ring outside the stack (high when from a foreign domain)." },
    "iam-member-removed": { severity: "medium", title: "IAM member removed", description: "A member the stack grants a role on a key or key ring no longer has it." },
    "labels-changed": { severity: "low", title: "Labels changed", description: "GCP labels differ from state." },
    "tags-changed": { severity: "low", title: "Tags changed", description: "AWS or Azure tags differ from state." },
    "key-expiring": { severity: "high", title: "Key expiring", description: "An Azure key's expiry date (exp) falls within the warning window." },
    "key-expired": { severity: "critical", title: "Key expired", description: "An Azure key's expiry date (exp) has passed: it no longer encrypts or signs." },
    "key-validity-changed": { severity: "medium", title: "Key validity changed", description: "An Azure key's expiry (exp) or activation (nbf) date differs from state." },
    "vault-soft-delete-off": { severity: "high", title: "Vault soft delete off", description: "The Key Vault's soft delete is off or its retention differs from state." },
    "vault-purge-protection-off": { severity: "high", title: "Vault purge protection off", description: "The Key Vault has no purge protection although the stack declares it: deleted keys can be purged at once." },
    "vault-rbac-off": { severity: "medium", title: "Vault RBAC off", description: "The Key Vault uses access policies instead of Azure RBAC, unlike the stack." },
    "vault-network-open": { severity: "high", title: "Vault network opened", description: "The Key Vault's firewall is more open than in state (default action Allow, public access on, new IP or network rules)." },
    "vault-network-changed": { severity: "low", title: "Vault network rules changed", description: "The Key Vault's network rules differ from state without opening it." },
    "vault-settings-changed": { severity: "low", title: "Vault settings changed", description: "Other Key Vault settings (SKU, template/deployment/disk encryption access) differ from state." },
    "policy-violation": { severity: "medium", title: "Policy violation", description: "The key-management policy pack, re-run over the live state, reports a violation it does not report for the state." },
} as const satisfies Record<string, KindInfo>;

export type FindingKind = keyof typeof FINDING_KINDS;
export const FINDING_KIND_NAMES = Object.keys(FINDING_KINDS) as FindingKind[];

/** One difference between the stack's state and the live cloud. JSON-serialisable; never holds key material. */
export interface Finding {
    readonly urn: string;
    readonly type: string;
    /** The resource's cloud; "stack" for a stack-level policy violation. */
    readonly cloud: Cloud | "stack";
    readonly kind: FindingKind;
    readonly severity: Severity;
    /** What the state (or the declared settings) says; null when there is nothing to compare with. */
    readonly expected: unknown;
    /** What the cloud says now; null when the resource is gone or could not be read. */
    readonly actual: unknown;
    readonly message: string;
}

export interface SkippedResource {
    readonly urn: string;
    readonly type: string;
    readonly reason: string;
}

export interface DriftSummary {
    /** Resources read from the state (all of them, key-related or not). */
    readonly stateResources: number;
    /** Key-related resources in state (custom resources only). */
    readonly resources: number;
    /** Of those, the ones compared with the cloud (directly, or as part of their key's check, e.g. IAM members). */
    readonly checked: number;
    /** Of those, the ones to compare that were not: their cloud could not be used, or the deadline passed (see `errors`). */
    readonly unchecked: number;
    /** Of those, the ones not compared (see `skipped`). */
    readonly skipped: number;
    readonly findings: number;
    readonly bySeverity: Record<Severity, number>;
    readonly byKind: Partial<Record<FindingKind, number>>;
    /** Cloud API calls made (including retries the SDKs did not expose: those are not counted). */
    readonly calls: number;
    readonly durationMs: number;
}

/** Why the run is incomplete: a cloud it could not use, or the deadline. Any error makes the exit code 1. */
export interface DriftError {
    /** The cloud, or "deadline". */
    readonly scope: Cloud | "deadline";
    /** One line: what is missing or failing (e.g. "127.0.0.1:4566 refused the connection"). */
    readonly message: string;
    /** Key resources not checked because of it. */
    readonly unchecked: number;
}

/** A key resource whose secret properties were not compared (they are never decrypted). */
export interface SecretFields {
    readonly urn: string;
    readonly type: string;
    /** Top-level property names (inputs or outputs). */
    readonly fields: string[];
}

export interface PolicyRunInfo {
    /** "ran", "disabled" (--no-policy), or "skipped" (with a reason in `note`). */
    readonly status: "ran" | "disabled" | "skipped";
    readonly pack?: string;
    readonly version?: string;
    readonly dir?: string;
    readonly note?: string;
}

export interface DriftReport {
    /** Report format version. */
    readonly version: 1;
    /** Where the state came from (a file path, or "(in memory)"). */
    readonly source: string;
    /** `organization/project/stack` as far as the URNs say (`project/stack`). */
    readonly stack?: string;
    /** When time-based findings were evaluated (ISO 8601). */
    readonly checkedAt: string;
    readonly expiryWarningDays: number;
    readonly summary: DriftSummary;
    readonly findings: Finding[];
    readonly skipped: SkippedResource[];
    /** Key resources to compare that were not (their cloud could not be used, or the deadline passed), with why. */
    readonly notChecked: SkippedResource[];
    /** Cloud and deadline errors: the report covers only what was checked. Empty when the run is complete. */
    readonly errors: DriftError[];
    /** Key resources with secret properties, which were not compared. */
    readonly secrets: SecretFields[];
    readonly policy: PolicyRunInfo;
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
