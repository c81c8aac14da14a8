/**
 * The emulator's state: plain JSON, so `snapshot()` is a deep copy and `options.state` a validated parse
 * (`./persist.ts`).
 * Key material is kept as base64 because this is the emulator's own test state; nothing here is ever returned by
 * an operation, and `inspect()` shows only fingerprints.
 */
import type { KeySpec, KeyUsage } from "./specs";
import type { Tag } from "./input";

export type Origin = "AWS_KMS" | "EXTERNAL";
export type KeyState = "Creating" | "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport";
export type KeyMaterialState = "CURRENT" | "NON_CURRENT" | "PENDING_ROTATION";
export type ImportState = "IMPORTED" | "PENDING_IMPORT";
export type ExpirationModel = "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE";
export type RotationType = "AUTOMATIC" | "ON_DEMAND";

export interface MaterialRecord {
    /** KeyMaterialId: 64 hex characters. For imported material, derived from the key id and the material, like AWS. */
    id: string;
    /** base64 of the raw bytes (symmetric, HMAC) or DER PKCS#8 (key pairs); absent while deleted or expired. */
    secret?: string;
    /** `fingerprint()` of the material: how a re-import is recognised even while `secret` is absent. */
    fingerprint: string;
    state: KeyMaterialState;
    /** EXTERNAL keys only. */
    importState?: ImportState;
    expirationModel?: ExpirationModel;
    /** ms since the epoch */
    validTo?: number;
    description?: string;
    /** ms since the epoch; absent for the first material and for PENDING_ROTATION material. */
    rotationDate?: number;
    rotationType?: RotationType;
}

export interface KeyRecord {
    keyId: string;
    region: string;
    /** ms since the epoch */
    creationDate: number;
    description: string;
    keySpec: KeySpec;
    keyUsage: KeyUsage;
    origin: Origin;
    multiRegion: boolean;
    policy: string;
    tags: Tag[];
    /** The Enabled/Disabled switch; the reported KeyState also depends on deletion and missing material. */
    enabled: boolean;
    deletionDate?: number;
    pendingWindowInDays?: number;
    rotation: { enabled: boolean; periodInDays: number; nextRotationDate?: number };
    onDemandRotations: number;
    materials: MaterialRecord[];
    /** Multi-Region replicas: the Region of the primary key (absent on a primary key and on single-Region keys). */
    primaryRegion?: string;
    /** A replica made by ReplicateKey is `Creating` until then (ms since the epoch). */
    creatingUntil?: number;
    /** An on-demand rotation in progress: started at `startedAt`, finishes (the new material becomes CURRENT) at `completesAt`. */
    onDemandRotation?: { startedAt: number; completesAt: number };
}

export interface GrantRecord {
    grantId: string;
    /** The key (id and Region) the grant is for. */
    keyId: string;
    region: string;
    name?: string;
    granteePrincipal: string;
    retiringPrincipal?: string;
    operations: string[];
    constraints?: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> };
    /** ms since the epoch */
    creationDate: number;
}

export interface AliasRecord {
    name: string;
    region: string;
    targetKeyId: string;
    creationDate: number;
    lastUpdatedDate: number;
}

export interface WrappingKeyRecord {
    id: string;
    /** PKCS#8 PEM of the RSA private key of a GetParametersForImport answer. */
    privateKeyPem: string;
    expiresAt: number;
}

export interface AwsEmulatorState {
    version: 1;
    accountId: string;
    /** base64 HMAC key that authenticates import tokens. */
    tokenSecret: string;
    keys: KeyRecord[];
    aliases: AliasRecord[];
    wrappingKeys: WrappingKeyRecord[];
    /** Grants of every key (absent in states written before grants existed). */
    grants?: GrantRecord[];
}
