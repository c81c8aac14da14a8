/**
 * Rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand (asynchronous, as in
 * AWS: answered at once, the new material becomes CURRENT later, see `KmsModel.startOnDemandRotation`),
 * ListKeyRotations.
 */
import { DAY_MS } from "../../common";
import { kmsError } from "../errors";
import type { Input } from "../input";
import { secs, type KmsModel, type RequestContext } from "../model";
import type { KeyRecord } from "../state";
import { paginate, type Json, type Operations } from "./types";

/** AWS's limit (the recording test_key_rotations_limits; the developer guide says 25, the API reference 10). */
export const MAX_ON_DEMAND_ROTATIONS = 10;
/** AWS refuses an on-demand rotation while an automatic rotation is due within 20 minutes (ConflictException). */
const AUTOMATIC_ROTATION_CONFLICT_MS = 20 * 60_000;

function requireSymmetric(m: KmsModel, key: KeyRecord, operation: string): void {
    if (!m.isSymmetric(key)) {
        throw kmsError("UnsupportedOperationException", `${m.arn(key)} key spec ${key.keySpec} does not support ${operation}: only symmetric encryption keys do.`);
    }
}

function setKeyRotation(m: KmsModel, ctx: RequestContext, input: Input, enabled: boolean): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const period = enabled ? input.int("RotationPeriodInDays", 90, 2560) : undefined;
    requireSymmetric(m, key, enabled ? "EnableKeyRotation" : "DisableKeyRotation");
    if (key.origin !== "AWS_KMS") {
        throw kmsError("UnsupportedOperationException", `${m.arn(key)} origin is ${key.origin} which is not valid for this operation.`);
    }
    m.requireEnabled(key);
    if (enabled) key.rotation = { enabled: true, periodInDays: period ?? 365, nextRotationDate: m.now() + (period ?? 365) * DAY_MS };
    else key.rotation = { enabled: false, periodInDays: key.rotation.periodInDays };
    return {};
}

/**
 * Checks in the order the recordings show: the key exists; its state (a disabled key is DisabledException, a key
 * without material KMSInvalidStateException, before the key spec is looked at); symmetric (UnsupportedOperation,
 * with AWS's empty message); for EXTERNAL keys material in PENDING_ROTATION; the limit of 10.
 */
function rotateKeyOnDemand(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    m.requireEnabled(key);
    if (!m.isSymmetric(key)) throw kmsError("UnsupportedOperationException", "");
    if (key.primaryRegion !== undefined) throw kmsError("UnsupportedOperationException", `${m.arn(key)} is not a multi-Region primary key.`);
    if (key.origin === "EXTERNAL" && !key.materials.some((mat) => mat.state === "PENDING_ROTATION" && mat.secret !== undefined)) {
        throw kmsError("KMSInvalidStateException", `No available key material pending rotation for the key: ${m.arn(key)}.`);
    }
    if (key.onDemandRotation) {
        // Decision: AWS documents ConflictException for a rotation in progress (automatic); an on-demand one in progress is refused alike.
        throw kmsError("ConflictException", `An on-demand rotation of ${m.arn(key)} is in progress.`);
    }
    const r = key.rotation;
    if (r.enabled && r.nextRotationDate !== undefined && r.nextRotationDate - m.now() <= AUTOMATIC_ROTATION_CONFLICT_MS) {
        throw kmsError("ConflictException", `An automatic rotation of ${m.arn(key)} is scheduled to begin within the next 20 minutes.`);
    }
    if (key.onDemandRotations >= MAX_ON_DEMAND_ROTATIONS) {
        throw kmsError(
            "LimitExceededException",
            `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${m.arn(key)}`,
        );
    }
    m.startOnDemandRotation(key);
    return { KeyId: m.arn(key) };
}

function listKeyRotations(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const include = input.enumOf("IncludeKeyMaterial", ["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"] as const) ?? "ROTATIONS_ONLY";
    requireSymmetric(m, key, "ListKeyRotations");
    const external = key.origin === "EXTERNAL";
    const entries = key.materials
        .filter((mat) => include === "ALL_KEY_MATERIAL" || (mat.rotationDate !== undefined && mat.state !== "PENDING_ROTATION"))
        .map((mat) => ({
            KeyId: key.keyId,
            KeyMaterialId: mat.id,
            KeyMaterialDescription: external ? mat.description : undefined,
            ImportState: external ? mat.importState : undefined,
            KeyMaterialState: mat.state,
            ExpirationModel: external ? mat.expirationModel : undefined,
            ValidTo: external ? secs(mat.validTo) : undefined,
            RotationDate: secs(mat.rotationDate),
            RotationType: mat.rotationType,
        }));
    const page = paginate(entries, input, 1000, 100);
    return { Rotations: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
}

export const rotationOperations: Operations = {
    EnableKeyRotation: (m, ctx, input) => setKeyRotation(m, ctx, input, true),
    DisableKeyRotation: (m, ctx, input) => setKeyRotation(m, ctx, input, false),
    GetKeyRotationStatus: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        requireSymmetric(m, key, "GetKeyRotationStatus");
        const r = key.rotation;
        return {
            KeyRotationEnabled: r.enabled,
            KeyId: m.arn(key),
            RotationPeriodInDays: r.enabled ? r.periodInDays : undefined,
            NextRotationDate: r.enabled ? secs(r.nextRotationDate) : undefined,
            OnDemandRotationStartDate: secs(key.onDemandRotation?.startedAt),
        };
    },
    RotateKeyOnDemand: rotateKeyOnDemand,
    ListKeyRotations: listKeyRotations,
};
