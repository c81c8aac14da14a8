/**
 * The Cloud KMS emulator's state model (no gRPC, no wire decoding): lookups with the service's NOT_FOUND wording,
 * and the state machines of key versions and import jobs on the emulator clock.
 *
 * Versions: PENDING_GENERATION → ENABLED (generated), ENABLED ⇄ DISABLED, → DESTROY_SCHEDULED → DESTROYED
 * (RestoreCryptoKeyVersion back to DISABLED), PENDING_IMPORT → ENABLED | IMPORT_FAILED (re-import from DESTROYED or
 * IMPORT_FAILED). Import jobs: PENDING_GENERATION → ACTIVE → EXPIRED (72 hours after creation).
 *
 * What starts PENDING_GENERATION with `asyncStates: "service"` (the default): versions of asymmetric keys and of HSM
 * keys, and HSM import jobs. Cloud KMS documents that "creation of an asymmetric signing or asymmetric encryption key
 * version may take a few minutes" (cloud.google.com/kms/docs/faq, "pending generation") and that an import job's
 * wrapping key "is still being generated" in PENDING_GENERATION (resources.proto, ImportJob.ImportJobState); the
 * emulator takes `GENERATION_MS` of its clock for each, so that code which does not wait fails here as it would there.
 */
import * as crypto from "crypto";
import type { AsyncStates, Clock } from "../common";
import { HOUR_MS } from "../common";
import { fingerprint } from "../../crypto/material";
import { ALGORITHMS, AlgorithmSpec, privateKeyOf, Purpose } from "./crypto";
import { notFound, precondition } from "./errors";
import type { CryptoKeyRecord, GcpState, ImportJobRecord, KeyRingRecord, VersionRecord, VersionStateName } from "./state";
import { splitVersionName } from "./wire";

/** How long generation takes on the emulator clock with asyncStates "service" (versions and HSM import jobs). */
export const GENERATION_MS = 1500;
export const IMPORT_JOB_LIFETIME_MS = 72 * HOUR_MS;

const b64 = (b: Buffer) => b.toString("base64");
export const unb64 = (s: string) => Buffer.from(s, "base64");

export const versionName = (key: CryptoKeyRecord, v: VersionRecord) => `${key.name}/cryptoKeyVersions/${v.id}`;

/** Cloud KMS generates these versions in the background: asymmetric keys and every HSM key. */
export const generatesAsync = (purpose: Purpose, protectionLevel: string) => protectionLevel === "HSM" || purpose === "ASYMMETRIC_SIGN" || purpose === "ASYMMETRIC_DECRYPT";

export class KmsModel {
    constructor(
        public state: GcpState,
        readonly clock: Clock,
        readonly asyncStates: AsyncStates,
    ) {}

    now(): number {
        return this.clock.now();
    }

    // -----------------------------------------------------------------------------------------------------------
    // Time and deferred transitions

    /**
     * Applies what the clock and earlier calls imply: generation that finished, scheduled destructions, job expiry,
     * automatic rotation and, when `resolveImports`, pending imports (resolved on the next call served after it).
     */
    tick(resolveImports: boolean): void {
        const now = this.now();
        for (const job of Object.values(this.state.importJobs)) {
            if (job.state === "PENDING_GENERATION" && job.readyTime !== undefined && now >= job.readyTime && job.pendingReads === 0) {
                job.state = "ACTIVE";
                job.generateTime = job.readyTime;
                delete job.readyTime;
            }
            if (job.state !== "EXPIRED" && now >= job.expireTime) {
                job.state = "EXPIRED";
                job.expireEventTime = job.expireTime;
                delete job.readyTime;
                delete job.privateKey;
            }
        }
        for (const key of Object.values(this.state.cryptoKeys)) {
            for (const v of key.versions) {
                if (v.state === "PENDING_GENERATION" && v.readyTime !== undefined && now >= v.readyTime) {
                    v.state = "ENABLED";
                    v.generateTime = v.readyTime;
                    delete v.readyTime;
                    if (v.primaryWhenReady) key.primary = v.id;
                    delete v.primaryWhenReady;
                }
                if (v.state === "DESTROY_SCHEDULED" && v.destroyTime !== undefined && now >= v.destroyTime) {
                    v.state = "DESTROYED";
                    v.destroyEventTime = v.destroyTime;
                    delete v.material;
                }
                if (resolveImports && v.pendingImport) this.resolveImport(v);
            }
            this.rotateIfDue(key, now);
        }
    }

    private resolveImport(v: VersionRecord): void {
        const p = v.pendingImport!;
        delete v.pendingImport;
        v.importJob = p.importJob;
        if (p.failure !== undefined) {
            v.state = "IMPORT_FAILED";
            v.importFailureReason = p.failure;
            return;
        }
        v.state = "ENABLED";
        v.material = p.material;
        v.fingerprint = p.fingerprint;
        v.importTime = p.importTime;
        v.generateTime = p.importTime;
        delete v.importFailureReason;
        delete v.destroyTime;
        delete v.destroyEventTime;
    }

    /** Automatic rotation of ENCRYPT_DECRYPT keys: one new primary version, then the next time in the future. */
    private rotateIfDue(key: CryptoKeyRecord, now: number): void {
        if (key.purpose !== "ENCRYPT_DECRYPT" || key.importOnly || key.nextRotationTime === undefined || now < key.nextRotationTime) return;
        const v = this.addGenerated(key, crypto.randomBytes(32));
        // The new version is the primary once it can be used (at once, unless an HSM key generates it first).
        if (v.state === "ENABLED") key.primary = v.id;
        else v.primaryWhenReady = true;
        if (key.rotationPeriodMs === undefined) {
            delete key.nextRotationTime;
            return;
        }
        const periods = Math.floor((now - key.nextRotationTime) / key.rotationPeriodMs) + 1;
        key.nextRotationTime += periods * key.rotationPeriodMs;
    }

    // -----------------------------------------------------------------------------------------------------------
    // Lookups

    keyRing(name: string): KeyRingRecord {
        const kr = this.state.keyRings[name];
        if (!kr) throw notFound("KeyRing", name);
        return kr;
    }

    cryptoKey(name: string): CryptoKeyRecord {
        const key = this.state.cryptoKeys[name];
        if (!key) throw notFound("CryptoKey", name);
        return key;
    }

    version(name: string): [CryptoKeyRecord, VersionRecord] {
        const { key: keyName, id } = splitVersionName(name);
        const key = this.cryptoKey(keyName);
        const v = key.versions.find((x) => x.id === id);
        if (!v) throw notFound("CryptoKeyVersion", name);
        return [key, v];
    }

    importJob(name: string): ImportJobRecord {
        const job = this.state.importJobs[name];
        if (!job) throw notFound("ImportJob", name);
        return job;
    }

    // -----------------------------------------------------------------------------------------------------------
    // Versions

    /** A new version with generated material: PENDING_GENERATION for `GENERATION_MS` where the service generates in the background. */
    addGenerated(key: CryptoKeyRecord, material: Buffer): VersionRecord {
        const now = this.now();
        const pending = this.asyncStates === "service" && generatesAsync(key.purpose, key.versionTemplate.protectionLevel);
        return this.addVersion(key, pending ? { state: "PENDING_GENERATION", readyTime: now + GENERATION_MS, material: b64(material), generateTime: undefined } : { state: "ENABLED", material: b64(material) });
    }

    addVersion(key: CryptoKeyRecord, fields: Partial<VersionRecord> & { state: VersionStateName }): VersionRecord {
        const now = this.now();
        const id = key.versions.reduce((m, x) => Math.max(m, x.id), 0) + 1;
        const v: VersionRecord = {
            id,
            algorithm: key.versionTemplate.algorithm,
            protectionLevel: key.versionTemplate.protectionLevel,
            createTime: now,
            ...(fields.material !== undefined ? { generateTime: now } : {}),
            ...fields,
        };
        if (v.generateTime === undefined) delete v.generateTime;
        if (v.material !== undefined && v.fingerprint === undefined) v.fingerprint = materialFingerprint(v.algorithm, unb64(v.material));
        key.versions.push(v);
        return v;
    }

    /**
     * An ENABLED version of `purpose` with its material, for a cryptographic operation. Otherwise FAILED_PRECONDITION
     * as the service words it: `<version> is not enabled, current state is: PENDING_GENERATION.`, with a
     * google.rpc.PreconditionFailure violation of type KEY_PENDING_GENERATION naming the version (both seen from the
     * real service in hashicorp/terraform-provider-google#5895 and flow-hydraulics/flow-wallet-api#267).
     */
    usable(key: CryptoKeyRecord, v: VersionRecord, purpose: Purpose): { spec: AlgorithmSpec; material: Buffer; name: string } {
        const name = versionName(key, v);
        if (key.purpose !== purpose) throw precondition(`Operation requested for Key ${name} has incorrect key purpose: ${key.purpose}`);
        if (v.state === "PENDING_GENERATION") throw precondition(`${name} is not enabled, current state is: ${v.state}.`, { type: "KEY_PENDING_GENERATION", subject: name });
        if (v.state !== "ENABLED" || v.material === undefined) throw precondition(`${name} is not enabled, current state is: ${v.state}.`);
        return { spec: ALGORITHMS[v.algorithm], material: unb64(v.material), name };
    }

    setEnabled(key: CryptoKeyRecord, v: VersionRecord, state: "ENABLED" | "DISABLED"): void {
        if (v.state !== "ENABLED" && v.state !== "DISABLED") throw precondition(`${versionName(key, v)} is in state ${v.state}; only ENABLED and DISABLED versions can be updated`);
        v.state = state;
    }

    scheduleDestroy(key: CryptoKeyRecord, v: VersionRecord): void {
        if (v.state !== "ENABLED" && v.state !== "DISABLED") throw precondition(`${versionName(key, v)} is in state ${v.state}; only ENABLED and DISABLED versions can be destroyed`);
        v.state = "DESTROY_SCHEDULED";
        v.destroyTime = this.now() + key.destroyScheduledDurationMs;
    }

    restore(key: CryptoKeyRecord, v: VersionRecord): void {
        if (v.state !== "DESTROY_SCHEDULED") throw precondition(`${versionName(key, v)} is in state ${v.state}; only DESTROY_SCHEDULED versions can be restored`);
        v.state = "DISABLED";
        delete v.destroyTime;
    }

    /**
     * DeleteCryptoKeyVersion (service.proto): "Only possible if the version has not been previously imported and if its
     * state is one of DESTROYED, IMPORT_FAILED, or GENERATION_FAILED. Successfully imported CryptoKeyVersions cannot be
     * deleted at this time."
     */
    deleteVersion(key: CryptoKeyRecord, v: VersionRecord): void {
        const name = versionName(key, v);
        if (v.importTime !== undefined) throw precondition(`${name} was imported; imported CryptoKeyVersions cannot be deleted.`);
        if (v.state !== "DESTROYED" && v.state !== "IMPORT_FAILED" && v.state !== "GENERATION_FAILED") {
            throw precondition(`${name} is in state ${v.state}; only DESTROYED, IMPORT_FAILED or GENERATION_FAILED versions can be deleted.`);
        }
        key.versions = key.versions.filter((x) => x !== v);
        if (key.primary === v.id) delete key.primary;
    }

    /**
     * DeleteCryptoKey (service.proto): "All child CryptoKeyVersions must have been previously deleted"; the key is
     * deleted at once and a RetiredResource keeps its name from being used again.
     */
    deleteKey(key: CryptoKeyRecord): void {
        if (key.versions.length > 0) {
            throw precondition(`CryptoKey ${key.name} has ${key.versions.length} CryptoKeyVersion(s) that have not been deleted; delete them (DeleteCryptoKeyVersion) first.`);
        }
        const location = key.name.split("/").slice(0, 4).join("/");
        const id = crypto.createHash("sha256").update(key.name).digest("hex").slice(0, 20);
        this.state.retiredResources[key.name] = { name: `${location}/retiredResources/${id}`, originalResource: key.name, resourceType: "cloudkms.googleapis.com/CryptoKey", deleteTime: this.now() };
        delete this.state.cryptoKeys[key.name];
        delete this.state.iam[key.name];
    }

    // -----------------------------------------------------------------------------------------------------------
    // Import jobs

    /** A new job, ACTIVE at once, or PENDING_GENERATION (HSM jobs with asyncStates "service"; or `pendingReads` GetImportJob reads). */
    addImportJob(fields: Omit<ImportJobRecord, "createTime" | "expireTime" | "state" | "generateTime" | "readyTime">): ImportJobRecord {
        const now = this.now();
        const generating = this.asyncStates === "service" && fields.protectionLevel === "HSM";
        const pending = generating || fields.pendingReads > 0;
        const job: ImportJobRecord = {
            ...fields,
            createTime: now,
            ...(pending ? {} : { generateTime: now }),
            ...(pending ? { readyTime: now + (generating ? GENERATION_MS : 0) } : {}),
            expireTime: now + IMPORT_JOB_LIFETIME_MS,
            state: pending ? "PENDING_GENERATION" : "ACTIVE",
        };
        this.state.importJobs[job.name] = job;
        return job;
    }

    /** GetImportJob reads count down a job's `pendingReads` (the emulator's older knob, `importJobGenerationReads`). */
    readImportJob(job: ImportJobRecord): void {
        if (job.state !== "PENDING_GENERATION") return;
        if (job.pendingReads > 0) job.pendingReads--;
        else this.tick(false);
    }
}

export function materialFingerprint(algorithm: string, material: Buffer): string {
    const spec = ALGORITHMS[algorithm];
    return spec.material.type === "rsa" || spec.material.type === "ec" ? fingerprint(material, privateKeyOf(material)) : fingerprint(material);
}
