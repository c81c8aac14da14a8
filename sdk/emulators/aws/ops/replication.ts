/**
 * Multi-Region keys: ReplicateKey and UpdatePrimaryRegion. A replica shares the key id and the key material of its
 * primary (ciphertext of one decrypts in the other), has its own policy, description, tags, aliases, grants and
 * Enabled state, and rotates with the primary. With `asyncStates: "service"` a new replica is `Creating` (as the
 * recording test_replicate_key shows: `Enabled: false, KeyState: Creating` in the answer) for `REPLICA_CREATION_MS`.
 */
import { kmsError } from "../errors";
import type { Input } from "../input";
import { REPLICA_CREATION_MS, type KmsModel, type RequestContext } from "../model";
import type { KeyRecord } from "../state";
import { metadata } from "./keys";
import { checkPolicy, defaultPolicy } from "./policies";
import { checkTags } from "./tags";
import type { Json, Operations } from "./types";

const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;

/** As recorded (test_replicate_replica_key_should_fail): `<mrk-key-arn> is not a multi-region primary key.` */
function requirePrimary(m: KmsModel, key: KeyRecord): void {
    if (!key.multiRegion || key.primaryRegion !== undefined) throw kmsError("UnsupportedOperationException", `${m.arn(key)} is not a multi-region primary key.`);
}

function replicateKey(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const region = input.reqStr("ReplicaRegion", { max: 32 });
    if (!REGION.test(region)) throw kmsError("ValidationException", `ReplicaRegion ${region} is not a Region name (such as eu-west-1).`);
    const description = input.str("Description", { max: 8192 }) ?? "";
    const tags = checkTags(input.tags("Tags") ?? []);
    const bypass = input.bool("BypassPolicyLockoutSafetyCheck") ?? false;
    const policy = input.has("Policy") ? checkPolicy(m, region, input.reqStr("Policy", { max: 131072 }), bypass) : defaultPolicy(m, region);
    requirePrimary(m, key);
    m.requireNotPendingDeletion(key);
    const existing = m.related(key).find((k) => k.region === region);
    if (existing) throw kmsError("AlreadyExistsException", `${m.arn(existing)} already exists: ${m.arn(key)} has a key in ${region}.`);
    const now = m.now();
    const external = key.origin === "EXTERNAL";
    const replica: KeyRecord = {
        keyId: key.keyId,
        region,
        creationDate: now,
        description,
        keySpec: key.keySpec,
        keyUsage: key.keyUsage,
        origin: key.origin,
        multiRegion: true,
        policy,
        tags,
        enabled: m.asyncStates === "instant",
        rotation: { enabled: false, periodInDays: key.rotation.periodInDays },
        onDemandRotations: 0,
        // The same material; imported material must be imported into each replica (PendingImport until then).
        materials: key.materials.map((mat) => {
            const copy = { ...mat };
            if (external) {
                delete copy.secret;
                delete copy.expirationModel;
                delete copy.validTo;
                copy.importState = "PENDING_IMPORT";
            }
            return copy;
        }),
        primaryRegion: key.region,
        ...(m.asyncStates === "instant" ? {} : { creatingUntil: now + REPLICA_CREATION_MS }),
    };
    m.state.keys.push(replica);
    // As recorded (test_replicate_key): no ReplicaTags member when the request had no tags.
    return { ReplicaKeyMetadata: metadata(m, replica), ReplicaPolicy: policy, ReplicaTags: input.has("Tags") ? tags : undefined };
}

function updatePrimaryRegion(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const region = input.reqStr("PrimaryRegion", { max: 32 });
    if (!REGION.test(region)) throw kmsError("ValidationException", `PrimaryRegion ${region} is not a Region name (such as eu-west-1).`);
    if (!key.multiRegion) throw kmsError("UnsupportedOperationException", `${m.arn(key)} is not a multi-region key.`);
    requirePrimary(m, key);
    m.requireEnabled(key);
    if (region === key.region) return {};
    const next = m.related(key).find((k) => k.region === region);
    if (!next) throw kmsError("NotFoundException", `Key '${m.keyArn(region, key.keyId)}' does not exist`);
    m.requireEnabled(next);
    // Simplification: AWS shows both keys `Updating` for a while; here the change is immediate.
    for (const k of m.related(key)) {
        if (k === next) delete k.primaryRegion;
        else k.primaryRegion = region;
    }
    return {};
}

export const replicationOperations: Operations = {
    ReplicateKey: replicateKey,
    UpdatePrimaryRegion: updatePrimaryRegion,
};
