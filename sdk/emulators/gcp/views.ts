/**
 * The resources as the Cloud KMS API returns them (resources.proto), from the state model's records: output-only
 * fields present exactly when the service sets them, timestamps as google.protobuf.Timestamp.
 */
import * as crypto from "crypto";
import * as zlib from "zlib";
import { ALGORITHMS, privateKeyOf } from "./crypto";
import { unb64, versionName } from "./model";
import type { CryptoKeyRecord, ImportJobRecord, KeyRingRecord, RetiredRecord, VersionRecord } from "./state";
import { duration, timestamp } from "./wire";

export function keyRingView(kr: KeyRingRecord) {
    return { name: kr.name, createTime: timestamp(kr.createTime) };
}

/**
 * KeyOperationAttestation (resources.proto): "Statement that was generated and signed by the HSM at key creation time
 * ... Only provided for key versions with protection_level HSM", `format` an AttestationFormat and `content` "the
 * attestation data provided by the HSM", gzip-compressed (CAVIUM_V2_COMPRESSED: "Cavium HSM attestation V2 compressed
 * with gzip"). The emulator has no HSM and no Marvell or Google certificate to chain to: its content is a gzip'd
 * statement of the emulator's own (naming the version, its algorithm and, for asymmetric keys, its public key; never
 * material) and the certificate chains are empty. Present once the version has key material (not while
 * PENDING_GENERATION or PENDING_IMPORT).
 */
export function attestation(key: CryptoKeyRecord, v: VersionRecord) {
    if (v.protectionLevel !== "HSM" || v.generateTime === undefined) return undefined;
    const spec = ALGORITHMS[v.algorithm];
    const asymmetric = spec.material.type === "rsa" || spec.material.type === "ec";
    const publicKey =
        asymmetric && v.material !== undefined ? (crypto.createPublicKey(privateKeyOf(unb64(v.material))).export({ type: "spki", format: "der" }) as Buffer).toString("base64") : undefined;
    return statementOf({
        keyVersion: versionName(key, v),
        algorithm: v.algorithm,
        protectionLevel: "HSM",
        generateTime: new Date(v.generateTime).toISOString(),
        ...(v.importTime !== undefined ? { imported: true } : {}),
        ...(publicKey ? { publicKeySpki: publicKey } : {}),
    });
}

/** ImportJob.attestation (resources.proto): "Only present if the chosen ImportMethod is one with a protection level of HSM"; once generated. */
export function importJobAttestation(job: ImportJobRecord) {
    if (job.protectionLevel !== "HSM" || job.generateTime === undefined) return undefined;
    const spki = (crypto.createPublicKey(job.publicKeyPem).export({ type: "spki", format: "der" }) as Buffer).toString("base64");
    return statementOf({ importJob: job.name, importMethod: job.importMethod, protectionLevel: "HSM", generateTime: new Date(job.generateTime).toISOString(), publicKeySpki: spki });
}

export const ATTESTATION_STATEMENT = "keyfabric Cloud KMS emulator attestation (not a Cavium attestation; cannot be verified with Google's scripts)";

function statementOf(fields: Record<string, unknown>) {
    return {
        format: "CAVIUM_V2_COMPRESSED",
        content: zlib.gzipSync(Buffer.from(JSON.stringify({ statement: ATTESTATION_STATEMENT, ...fields }))),
        certChains: { caviumCerts: [], googleCardCerts: [], googlePartitionCerts: [] },
    };
}

export function versionView(key: CryptoKeyRecord, v: VersionRecord) {
    const imported = v.importJob !== undefined || v.pendingImport !== undefined;
    const att = attestation(key, v);
    return {
        name: versionName(key, v),
        state: v.state,
        protectionLevel: v.protectionLevel,
        algorithm: v.algorithm,
        ...(att ? { attestation: att } : {}),
        createTime: timestamp(v.createTime),
        ...(v.generateTime !== undefined ? { generateTime: timestamp(v.generateTime) } : {}),
        ...(v.destroyTime !== undefined ? { destroyTime: timestamp(v.destroyTime) } : {}),
        ...(v.destroyEventTime !== undefined ? { destroyEventTime: timestamp(v.destroyEventTime) } : {}),
        ...(v.importJob !== undefined ? { importJob: v.importJob } : {}),
        ...(v.importTime !== undefined ? { importTime: timestamp(v.importTime) } : {}),
        ...(v.state === "IMPORT_FAILED" && v.importFailureReason ? { importFailureReason: v.importFailureReason } : {}),
        ...(imported ? { reimportEligible: true } : {}),
    };
}

export function cryptoKeyView(key: CryptoKeyRecord) {
    const primary = key.purpose === "ENCRYPT_DECRYPT" && key.primary !== undefined ? key.versions.find((v) => v.id === key.primary) : undefined;
    return {
        name: key.name,
        ...(primary ? { primary: versionView(key, primary) } : {}),
        purpose: key.purpose,
        createTime: timestamp(key.createTime),
        ...(key.nextRotationTime !== undefined ? { nextRotationTime: timestamp(key.nextRotationTime) } : {}),
        ...(key.rotationPeriodMs !== undefined ? { rotationPeriod: duration(key.rotationPeriodMs) } : {}),
        versionTemplate: { ...key.versionTemplate },
        labels: { ...key.labels },
        importOnly: key.importOnly,
        destroyScheduledDuration: duration(key.destroyScheduledDurationMs),
    };
}

export function importJobView(job: ImportJobRecord) {
    const att = importJobAttestation(job);
    return {
        name: job.name,
        importMethod: job.importMethod,
        protectionLevel: job.protectionLevel,
        createTime: timestamp(job.createTime),
        ...(job.generateTime !== undefined ? { generateTime: timestamp(job.generateTime) } : {}),
        expireTime: timestamp(job.expireTime),
        ...(job.expireEventTime !== undefined ? { expireEventTime: timestamp(job.expireEventTime) } : {}),
        state: job.state,
        ...(job.state === "ACTIVE" ? { publicKey: { pem: job.publicKeyPem } } : {}),
        ...(att ? { attestation: att } : {}),
    };
}

export function retiredView(r: RetiredRecord) {
    return { name: r.name, originalResource: r.originalResource, resourceType: r.resourceType, deleteTime: timestamp(r.deleteTime) };
}
