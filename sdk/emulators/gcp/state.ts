/**
 * The Cloud KMS emulator's state (plain JSON: times in epoch milliseconds, key material base64, so that
 * `snapshot()` is a deep copy) and what `inspect()` shows of it.
 */
import type { ImportMethod, Purpose } from "./crypto";

export type VersionStateName = "PENDING_GENERATION" | "ENABLED" | "DISABLED" | "DESTROYED" | "DESTROY_SCHEDULED" | "PENDING_IMPORT" | "IMPORT_FAILED" | "GENERATION_FAILED";
export const VERSION_STATES: readonly VersionStateName[] = ["PENDING_GENERATION", "ENABLED", "DISABLED", "DESTROYED", "DESTROY_SCHEDULED", "PENDING_IMPORT", "IMPORT_FAILED", "GENERATION_FAILED"];
export type ImportJobStateName = "PENDING_GENERATION" | "ACTIVE" | "EXPIRED";

export interface KeyRingRecord {
    name: string;
    createTime: number;
}

export interface VersionRecord {
    id: number;
    state: VersionStateName;
    algorithm: string;
    protectionLevel: string;
    createTime: number;
    generateTime?: number;
    /** PENDING_GENERATION until this time on the emulator clock (asyncStates "service"), then ENABLED. */
    readyTime?: number;
    /** A version of automatic rotation: it becomes the primary once generated (the primary stays usable meanwhile). */
    primaryWhenReady?: boolean;
    destroyTime?: number;
    destroyEventTime?: number;
    importJob?: string;
    importTime?: number;
    importFailureReason?: string;
    /** Key material, base64: raw bytes (symmetric) or DER PKCS#8 (asymmetric). Absent once destroyed. */
    material?: string;
    /** `fingerprint()` of the material; kept after destruction so a re-import can be matched. */
    fingerprint?: string;
    /** The outcome of an import, applied on the next call the emulator serves. */
    pendingImport?: { importJob: string; importTime: number; material?: string; fingerprint?: string; failure?: string };
}

export interface CryptoKeyRecord {
    name: string;
    purpose: Purpose;
    createTime: number;
    versionTemplate: { protectionLevel: string; algorithm: string };
    labels: Record<string, string>;
    importOnly: boolean;
    destroyScheduledDurationMs: number;
    rotationPeriodMs?: number;
    nextRotationTime?: number;
    primary?: number;
    versions: VersionRecord[];
}

export interface ImportJobRecord {
    name: string;
    importMethod: ImportMethod;
    protectionLevel: string;
    createTime: number;
    generateTime?: number;
    expireTime: number;
    expireEventTime?: number;
    state: ImportJobStateName;
    /** PENDING_GENERATION until this time on the emulator clock (HSM jobs, asyncStates "service"). */
    readyTime?: number;
    /** GetImportJob reads left before a PENDING_GENERATION job becomes ACTIVE. */
    pendingReads: number;
    /** The wrapping key, DER PKCS#8 base64; discarded when the job expires. */
    privateKey?: string;
    publicKeyPem: string;
}

export interface IamBinding {
    role: string;
    members: string[];
    condition?: { expression?: string; title?: string; description?: string; location?: string };
}

export interface IamRecord {
    version: number;
    bindings: IamBinding[];
    /** base64 */
    etag: string;
    serial: number;
}

/** The record of a deleted crypto key: its name cannot be used again (google.cloud.kms.v1.RetiredResource). */
export interface RetiredRecord {
    name: string;
    originalResource: string;
    resourceType: string;
    deleteTime: number;
}

export interface GcpState {
    keyRings: Record<string, KeyRingRecord>;
    cryptoKeys: Record<string, CryptoKeyRecord>;
    importJobs: Record<string, ImportJobRecord>;
    iam: Record<string, IamRecord>;
    /** By original crypto key name. */
    retiredResources: Record<string, RetiredRecord>;
}

export const emptyState = (): GcpState => ({ keyRings: {}, cryptoKeys: {}, importJobs: {}, iam: {}, retiredResources: {} });

/** What `inspect()` shows: everything but key material (fingerprints instead). JSON-serialisable. */
export interface GcpInspection {
    keyRings: { name: string; createTime: string }[];
    cryptoKeys: {
        name: string;
        purpose: string;
        protectionLevel: string;
        algorithm: string;
        importOnly: boolean;
        labels: Record<string, string>;
        primary?: string;
        rotationPeriodSeconds?: number;
        nextRotationTime?: string;
        destroyScheduledDurationSeconds: number;
        versions: {
            name: string;
            state: string;
            algorithm: string;
            protectionLevel: string;
            fingerprint?: string;
            importJob?: string;
            importFailureReason?: string;
            destroyTime?: string;
        }[];
    }[];
    importJobs: { name: string; state: string; importMethod: string; protectionLevel: string; expireTime: string }[];
    iamPolicies: { resource: string; version: number; bindings: IamBinding[]; etag: string }[];
}
