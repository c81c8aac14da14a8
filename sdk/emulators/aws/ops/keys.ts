/**
 * Keys: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey/DisableKey, ScheduleKeyDeletion,
 * CancelKeyDeletion, and the KeyMetadata every key answer carries.
 */
import * as crypto from "crypto";
import { DAY_MS } from "../../common";
import { fingerprint } from "../../../crypto/material";
import { kmsError } from "../errors";
import { b64, randomMaterialId, secs, type KmsModel, type RequestContext } from "../model";
import { algorithmsFor, generateMaterial, KEY_SPEC_NAMES, KEY_SPECS, KEY_USAGES, type KeySpec, type KeyUsage } from "../specs";
import type { Input } from "../input";
import type { KeyRecord, MaterialRecord, Origin } from "../state";
import { checkPolicy, defaultPolicy } from "./policies";
import { checkTags } from "./tags";
import { paginate, type Json, type Operations } from "./types";

/** AWS key specs this emulator does not implement (answered with UnsupportedOperationException, not ValidationException). */
const OTHER_AWS_KEY_SPECS = ["ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024", "SM2"];
/** The key specs in the order of AWS's recorded ValidationException (test_hmac_create_key_invalid_operations). */
const KEY_SPECS_AS_AWS_LISTS = ["RSA_2048", "ECC_NIST_P384", "ECC_NIST_P256", "ECC_NIST_P521", "HMAC_384", "RSA_3072", "ECC_SECG_P256K1", "RSA_4096", "SYMMETRIC_DEFAULT", "HMAC_256", "HMAC_224", "HMAC_512"];

export function materialFingerprint(spec: KeySpec, material: Buffer): string {
    const family = KEY_SPECS[spec].family;
    if (family === "rsa" || family === "ec") return fingerprint(material, crypto.createPrivateKey({ key: material, format: "der", type: "pkcs8" }));
    return fingerprint(material);
}

export function metadata(m: KmsModel, key: KeyRecord): Json {
    const state = m.keyState(key);
    const current = m.current(key);
    const imported = key.origin === "EXTERNAL" && current?.importState === "IMPORTED" ? current : undefined;
    const related = m.related(key);
    const primary = related.find((k) => k.primaryRegion === undefined) ?? key;
    return {
        AWSAccountId: m.state.accountId,
        KeyId: key.keyId,
        Arn: m.arn(key),
        CreationDate: secs(key.creationDate),
        Enabled: state === "Enabled",
        Description: key.description,
        KeyUsage: key.keyUsage,
        KeyState: state,
        DeletionDate: secs(key.deletionDate),
        ValidTo: secs(imported?.validTo),
        Origin: key.origin,
        ExpirationModel: imported?.expirationModel,
        KeyManager: "CUSTOMER",
        CustomerMasterKeySpec: key.keySpec,
        KeySpec: key.keySpec,
        ...algorithmsFor(key.keySpec, key.keyUsage),
        MultiRegion: key.multiRegion,
        MultiRegionConfiguration: key.multiRegion
            ? {
                  MultiRegionKeyType: key.primaryRegion === undefined ? "PRIMARY" : "REPLICA",
                  PrimaryKey: { Arn: m.arn(primary), Region: primary.region },
                  ReplicaKeys: related.filter((k) => k !== primary).map((k) => ({ Arn: m.arn(k), Region: k.region })),
              }
            : undefined,
        CurrentKeyMaterialId: m.isSymmetric(key) && state !== "Creating" ? current?.id : undefined,
    };
}

async function createKey(m: KmsModel, ctx: RequestContext, input: Input): Promise<Json> {
    if (input.has("KeySpec") && input.has("CustomerMasterKeySpec")) {
        throw kmsError("ValidationException", "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
    }
    const specName = input.has("KeySpec") ? "KeySpec" : "CustomerMasterKeySpec";
    const rawSpec = input.str(specName);
    if (rawSpec !== undefined && OTHER_AWS_KEY_SPECS.includes(rawSpec)) {
        throw kmsError("UnsupportedOperationException", `KeySpec ${rawSpec} is not supported by the keyfabric AWS KMS emulator.`);
    }
    const keySpec: KeySpec = input.enumOf(specName, KEY_SPEC_NAMES, KEY_SPECS_AS_AWS_LISTS) ?? "SYMMETRIC_DEFAULT";
    const rawUsage = input.str("KeyUsage");
    if (rawUsage === "KEY_AGREEMENT" || rawUsage === "ENCAPSULATE_DECAPSULATE") {
        throw kmsError("UnsupportedOperationException", `KeyUsage ${rawUsage} is not supported by the keyfabric AWS KMS emulator.`);
    }
    const usageInput = input.enumOf("KeyUsage", KEY_USAGES);
    if (usageInput === undefined && keySpec !== "SYMMETRIC_DEFAULT") {
        throw kmsError("ValidationException", "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.");
    }
    const keyUsage: KeyUsage = usageInput ?? "ENCRYPT_DECRYPT";
    if (!KEY_SPECS[keySpec].usages.includes(keyUsage)) throw kmsError("ValidationException", `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
    const rawOrigin = input.str("Origin");
    if (rawOrigin === "AWS_CLOUDHSM" || rawOrigin === "EXTERNAL_KEY_STORE" || input.has("CustomKeyStoreId") || input.has("XksKeyId")) {
        throw kmsError("UnsupportedOperationException", "Custom key stores are not supported by the keyfabric AWS KMS emulator.");
    }
    const origin: Origin = input.enumOf("Origin", ["AWS_KMS", "EXTERNAL"] as const) ?? "AWS_KMS";
    const description = input.str("Description", { max: 8192 }) ?? "";
    const tags = checkTags(input.tags("Tags") ?? []);
    const multiRegion = input.bool("MultiRegion") ?? false;
    const bypass = input.bool("BypassPolicyLockoutSafetyCheck") ?? false;
    const policy = input.has("Policy") ? checkPolicy(m, ctx.region, input.reqStr("Policy", { max: 131072 }), bypass) : defaultPolicy(m, ctx.region);
    const keyId = multiRegion ? `mrk-${crypto.randomBytes(16).toString("hex")}` : crypto.randomUUID();

    const materials: MaterialRecord[] = [];
    if (origin === "AWS_KMS") {
        const material = await generateMaterial(keySpec);
        materials.push({ id: randomMaterialId(), secret: b64(material), fingerprint: materialFingerprint(keySpec, material), state: "CURRENT" });
    }
    const key: KeyRecord = {
        keyId,
        region: ctx.region,
        creationDate: m.now(),
        description,
        keySpec,
        keyUsage,
        origin,
        multiRegion,
        policy,
        tags,
        enabled: origin === "AWS_KMS",
        rotation: { enabled: false, periodInDays: 365 },
        onDemandRotations: 0,
        materials,
    };
    m.state.keys.push(key);
    return { KeyMetadata: metadata(m, key) };
}

function setEnabled(m: KmsModel, ctx: RequestContext, input: Input, enabled: boolean): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const state = m.keyState(key);
    if (state !== "Enabled" && state !== "Disabled") m.requireEnabled(key);
    key.enabled = enabled;
    return {};
}

export const keyOperations: Operations = {
    CreateKey: createKey,
    DescribeKey: (m, ctx, input) => ({ KeyMetadata: metadata(m, m.key(ctx, input.reqStr("KeyId"), true)) }),
    ListKeys: (m, ctx, input) => {
        const keys = m.state.keys.filter((k) => k.region === ctx.region).map((k) => ({ KeyId: k.keyId, KeyArn: m.arn(k) }));
        const page = paginate(keys, input, 1000, 100);
        return { Keys: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
    },
    UpdateKeyDescription: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        const description = input.str("Description", { max: 8192 });
        if (description === undefined) throw kmsError("ValidationException", "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null");
        m.requireNotPendingDeletion(key);
        key.description = description;
        return {};
    },
    EnableKey: (m, ctx, input) => setEnabled(m, ctx, input, true),
    DisableKey: (m, ctx, input) => setEnabled(m, ctx, input, false),
    ScheduleKeyDeletion: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        const days = input.int("PendingWindowInDays", 7, 30) ?? 30;
        m.requireNotPendingDeletion(key);
        // Simplification: AWS holds a primary key that still has replicas in PendingReplicaDeletion until they are
        // deleted; here its waiting period starts at once.
        key.deletionDate = m.now() + days * DAY_MS;
        key.pendingWindowInDays = days;
        key.enabled = false;
        return { KeyId: m.arn(key), DeletionDate: secs(key.deletionDate), KeyState: "PendingDeletion", PendingWindowInDays: days };
    },
    CancelKeyDeletion: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        if (key.deletionDate === undefined) throw kmsError("KMSInvalidStateException", `${m.arn(key)} is not pending deletion.`);
        delete key.deletionDate;
        delete key.pendingWindowInDays;
        key.enabled = false;
        return { KeyId: m.arn(key) };
    },
};
