/**
 * Key rings and crypto keys: Create/Get/List KeyRing, Create/Get/List/Update/Delete CryptoKey,
 * UpdateCryptoKeyPrimaryVersion, and the RetiredResources that deleted keys leave (service.proto).
 */
import { DAY_MS } from "../../common";
import { generateMaterial, Purpose, PURPOSES } from "../crypto";
import { alreadyExists, invalid, notFound, precondition } from "../errors";
import type { KmsModel } from "../model";
import { list } from "../query";
import type { CryptoKeyRecord } from "../state";
import { cryptoKeyView, keyRingView, retiredView } from "../views";
import { maskPaths, requireId, requireName, toMillis } from "../wire";
import { stringField } from "../protobuf";
import type { OperationStore } from "./mixins";
import { applyRotation, checkAlgorithm, checkLabels, Handler, PROTECTION_LEVELS, Req, specified } from "./validate";

const DEFAULT_DESTROY_SCHEDULED_MS = 30 * DAY_MS;
const MAX_DESTROY_SCHEDULED_MS = 120 * DAY_MS;

export function keyHandlers(model: KmsModel, operations: OperationStore): Record<string, Handler> {
    const createKeyRing = (r: Req) => {
        const parent = requireName("location", r.parent, "parent");
        const name = `${parent}/keyRings/${requireId(r.keyRingId, "key_ring_id")}`;
        if (model.state.keyRings[name]) throw alreadyExists("KeyRing", name);
        const kr = { name, createTime: model.now() };
        model.state.keyRings[name] = kr;
        return keyRingView(kr);
    };

    const listKeyRings = (r: Req) => {
        const parent = requireName("location", r.parent, "parent");
        const views = Object.values(model.state.keyRings)
            .filter((kr) => kr.name.startsWith(`${parent}/keyRings/`))
            .map(keyRingView);
        const p = list(views, r);
        return { keyRings: p.items, nextPageToken: p.nextPageToken, totalSize: p.totalSize };
    };

    const createCryptoKey = async (r: Req) => {
        const parent = requireName("keyRing", r.parent, "parent");
        const name = `${parent}/cryptoKeys/${requireId(r.cryptoKeyId, "crypto_key_id")}`;
        model.keyRing(parent);
        if (model.state.cryptoKeys[name] || model.state.retiredResources[name]) throw alreadyExists("CryptoKey", name);
        const ck = r.cryptoKey ?? {};
        const purpose = ck.purpose as Purpose;
        if (!PURPOSES.includes(purpose)) throw invalid(`crypto_key.purpose: must be one of ${PURPOSES.join(", ")} (got ${ck.purpose ?? "unspecified"})`);
        const protectionLevel = specified(ck.versionTemplate?.protectionLevel) ?? "SOFTWARE";
        if (!PROTECTION_LEVELS.includes(protectionLevel)) throw invalid(`crypto_key.version_template.protection_level: must be SOFTWARE or HSM (got ${protectionLevel})`);
        const algorithm = specified(ck.versionTemplate?.algorithm) ?? (purpose === "ENCRYPT_DECRYPT" ? "GOOGLE_SYMMETRIC_ENCRYPTION" : undefined);
        const spec = checkAlgorithm(algorithm, purpose, "crypto_key.version_template.algorithm");
        const importOnly = ck.importOnly === true;
        const skip = r.skipInitialVersionCreation === true;
        if (importOnly && !skip) throw invalid("skip_initial_version_creation: must be true for import_only keys");
        const destroyMs = toMillis(ck.destroyScheduledDuration) ?? DEFAULT_DESTROY_SCHEDULED_MS;
        if (destroyMs < DAY_MS || destroyMs > MAX_DESTROY_SCHEDULED_MS) throw invalid("crypto_key.destroy_scheduled_duration: must be between 1 day and 120 days");
        const key: CryptoKeyRecord = {
            name,
            purpose,
            createTime: model.now(),
            versionTemplate: { protectionLevel, algorithm: algorithm! },
            labels: checkLabels(ck.labels),
            importOnly,
            destroyScheduledDurationMs: destroyMs,
            versions: [],
        };
        applyRotation(key, toMillis(ck.rotationPeriod), toMillis(ck.nextRotationTime));
        const material = skip ? undefined : await generateMaterial(spec);
        if (model.state.cryptoKeys[name]) throw alreadyExists("CryptoKey", name);
        model.state.cryptoKeys[name] = key;
        if (material) {
            const v = model.addGenerated(key, material);
            if (purpose === "ENCRYPT_DECRYPT") key.primary = v.id;
        }
        return cryptoKeyView(key);
    };

    const listCryptoKeys = (r: Req) => {
        const parent = requireName("keyRing", r.parent, "parent");
        model.keyRing(parent);
        const views = Object.values(model.state.cryptoKeys)
            .filter((k) => k.name.startsWith(`${parent}/cryptoKeys/`))
            .map(cryptoKeyView);
        const p = list(views, r);
        return { cryptoKeys: p.items, nextPageToken: p.nextPageToken, totalSize: p.totalSize };
    };

    const updateCryptoKey = (r: Req) => {
        const ck = r.cryptoKey ?? {};
        const key = model.cryptoKey(requireName("cryptoKey", ck.name, "crypto_key.name"));
        const paths = maskPaths(r.updateMask);
        if (paths.length === 0) throw invalid("update_mask: must name at least one field");
        const next = { ...key, versionTemplate: { ...key.versionTemplate }, labels: { ...key.labels } };
        let rotationPeriod = key.rotationPeriodMs;
        let nextRotation = key.nextRotationTime;
        for (const path of paths) {
            switch (path) {
                case "labels":
                    next.labels = checkLabels(ck.labels);
                    break;
                case "rotation_period":
                    rotationPeriod = toMillis(ck.rotationPeriod);
                    break;
                case "next_rotation_time":
                    nextRotation = toMillis(ck.nextRotationTime);
                    break;
                case "version_template.algorithm":
                case "version_template": {
                    const algorithm = ck.versionTemplate?.algorithm;
                    checkAlgorithm(algorithm, key.purpose, "crypto_key.version_template.algorithm");
                    if (path === "version_template" && (ck.versionTemplate?.protectionLevel ?? key.versionTemplate.protectionLevel) !== key.versionTemplate.protectionLevel) {
                        throw invalid("crypto_key.version_template.protection_level: is immutable");
                    }
                    next.versionTemplate.algorithm = algorithm;
                    break;
                }
                default:
                    throw invalid(`update_mask: ${path} cannot be updated (updatable: labels, rotation_period, next_rotation_time, version_template.algorithm)`);
            }
        }
        delete next.rotationPeriodMs;
        delete next.nextRotationTime;
        applyRotation(next, rotationPeriod, nextRotation);
        Object.assign(key, next);
        if (next.rotationPeriodMs === undefined) delete key.rotationPeriodMs;
        if (next.nextRotationTime === undefined) delete key.nextRotationTime;
        return cryptoKeyView(key);
    };

    const updatePrimaryVersion = (r: Req) => {
        const key = model.cryptoKey(requireName("cryptoKey", r.name, "name"));
        if (key.purpose !== "ENCRYPT_DECRYPT") throw precondition(`${key.name} has purpose ${key.purpose}; only ENCRYPT_DECRYPT keys have a primary version`);
        const id = typeof r.cryptoKeyVersionId === "string" && /^\d+$/.test(r.cryptoKeyVersionId) ? Number(r.cryptoKeyVersionId) : NaN;
        if (Number.isNaN(id)) throw invalid(`crypto_key_version_id: must be a version number (got ${JSON.stringify(r.cryptoKeyVersionId ?? "")})`);
        const [, v] = model.version(`${key.name}/cryptoKeyVersions/${id}`);
        if (v.state !== "ENABLED") throw precondition(`${key.name}/cryptoKeyVersions/${id} is not enabled, current state is: ${v.state}.`);
        key.primary = id;
        return cryptoKeyView(key);
    };

    const deleteCryptoKey = (r: Req) => {
        const key = model.cryptoKey(requireName("cryptoKey", r.name, "name"));
        model.deleteKey(key);
        const retired = model.state.retiredResources[key.name];
        return operations.finished(key.name, { type: "google.cloud.kms.v1.DeleteCryptoKeyMetadata", value: stringField(1, retired.name) });
    };

    const retired = () => Object.values(model.state.retiredResources);

    return {
        CreateKeyRing: createKeyRing,
        GetKeyRing: (r) => keyRingView(model.keyRing(requireName("keyRing", r.name, "name"))),
        ListKeyRings: listKeyRings,
        CreateCryptoKey: createCryptoKey,
        GetCryptoKey: (r) => cryptoKeyView(model.cryptoKey(requireName("cryptoKey", r.name, "name"))),
        ListCryptoKeys: listCryptoKeys,
        UpdateCryptoKey: updateCryptoKey,
        UpdateCryptoKeyPrimaryVersion: updatePrimaryVersion,
        DeleteCryptoKey: deleteCryptoKey,
        ListRetiredResources: (r) => {
            const parent = requireName("location", r.parent, "parent");
            const p = list(retired().filter((x) => x.name.startsWith(`${parent}/retiredResources/`)).map(retiredView), r);
            return { retiredResources: p.items, nextPageToken: p.nextPageToken, totalSize: p.totalSize };
        },
        GetRetiredResource: (r) => {
            const found = retired().find((x) => x.name === r.name);
            if (!found) throw notFound("RetiredResource", String(r.name ?? ""));
            return retiredView(found);
        },
    };
}

