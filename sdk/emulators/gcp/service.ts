/**
 * The Cloud KMS emulator's RPC handlers (KeyManagementService and the IAMPolicy mixin) over its state (./state).
 * Handlers take the request as @grpc/proto-loader decodes it and return the response object; errors are `RpcError`.
 */
import * as crypto from "crypto";
import { promisify } from "util";
import type { Clock } from "../common";
import { DAY_MS, HOUR_MS } from "../common";
import { rsaAesKeyUnwrap, rsaOaepDecrypt, UnwrapError } from "../../crypto/keywrap";
import { checkMaterial, fingerprint, MaterialError } from "../../crypto/material";
import {
    ALGORITHMS,
    AlgorithmSpec,
    ciphertextVersion,
    constantTimeEqual,
    digestLength,
    generateMaterial,
    hmacSign,
    IMPORT_METHODS,
    ImportMethod,
    oaepDecrypt,
    privateKeyOf,
    publicKeyPem,
    Purpose,
    signDigest,
    symmetricDecrypt,
    symmetricEncrypt,
} from "./crypto";
import { CryptoKeyRecord, GcpInspection, GcpState, IamBinding, IamRecord, ImportJobRecord, KeyRingRecord, VersionRecord, VersionStateName } from "./state";
import {
    alreadyExists,
    bytes,
    crc,
    duration,
    invalid,
    isName,
    maskPaths,
    notFound,
    precondition,
    requireId,
    requireName,
    RpcError,
    splitVersionName,
    timestamp,
    toMillis,
    unimplemented,
    verifyCrc,
} from "./wire";

// ---------------------------------------------------------------------------------------------------------------
// Constants

const PURPOSES: readonly Purpose[] = ["ENCRYPT_DECRYPT", "ASYMMETRIC_SIGN", "ASYMMETRIC_DECRYPT", "MAC"];
const PROTECTION_LEVELS = ["SOFTWARE", "HSM"];
const IMPORT_JOB_LIFETIME_MS = 72 * HOUR_MS;
const DEFAULT_DESTROY_SCHEDULED_MS = 30 * DAY_MS;
const MAX_DESTROY_SCHEDULED_MS = 120 * DAY_MS;
const MAX_ROTATION_PERIOD_MS = 876_000 * HOUR_MS;
const MAX_PAYLOAD = 64 * 1024;
const DEFAULT_PAGE_SIZE = 1000;

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const IAM_MEMBER = /^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|principal|principalSet|deleted:user|deleted:serviceAccount|deleted:group|projectOwner|projectEditor|projectViewer):.+)$/;

const generateKeyPair = promisify(crypto.generateKeyPair);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Req = any;
export type Handler = (request: Req) => unknown;

const b64 = (b: Buffer) => b.toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64");
const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------------------------

export interface ServiceSettings {
    /** How many GetImportJob reads a new job stays PENDING_GENERATION. */
    importJobGenerationReads(): number;
}

export class KmsService {
    constructor(
        public state: GcpState,
        private readonly clock: Clock,
        private readonly settings: ServiceSettings,
    ) {}

    /** KeyManagementService handlers by RPC name; the RPCs not listed answer UNIMPLEMENTED. */
    readonly kms: Readonly<Record<string, Handler>> = {
        CreateKeyRing: (r) => this.createKeyRing(r),
        GetKeyRing: (r) => this.keyRingOut(this.keyRing(requireName("keyRing", r.name, "name"))),
        ListKeyRings: (r) => this.listKeyRings(r),
        CreateCryptoKey: (r) => this.createCryptoKey(r),
        GetCryptoKey: (r) => this.cryptoKeyOut(this.cryptoKey(requireName("cryptoKey", r.name, "name"))),
        ListCryptoKeys: (r) => this.listCryptoKeys(r),
        UpdateCryptoKey: (r) => this.updateCryptoKey(r),
        UpdateCryptoKeyPrimaryVersion: (r) => this.updatePrimaryVersion(r),
        CreateCryptoKeyVersion: (r) => this.createCryptoKeyVersion(r),
        GetCryptoKeyVersion: (r) => this.versionOut(...this.version(requireName("cryptoKeyVersion", r.name, "name"))),
        ListCryptoKeyVersions: (r) => this.listCryptoKeyVersions(r),
        UpdateCryptoKeyVersion: (r) => this.updateCryptoKeyVersion(r),
        DestroyCryptoKeyVersion: (r) => this.destroyCryptoKeyVersion(r),
        RestoreCryptoKeyVersion: (r) => this.restoreCryptoKeyVersion(r),
        CreateImportJob: (r) => this.createImportJob(r),
        GetImportJob: (r) => this.getImportJob(r),
        ListImportJobs: (r) => this.listImportJobs(r),
        ImportCryptoKeyVersion: (r) => this.importCryptoKeyVersion(r),
        Encrypt: (r) => this.encrypt(r),
        Decrypt: (r) => this.decrypt(r),
        AsymmetricSign: (r) => this.asymmetricSign(r),
        AsymmetricDecrypt: (r) => this.asymmetricDecrypt(r),
        GetPublicKey: (r) => this.getPublicKey(r),
        MacSign: (r) => this.macSign(r),
        MacVerify: (r) => this.macVerify(r),
        GenerateRandomBytes: (r) => this.generateRandomBytes(r),
    };

    /** google.iam.v1.IAMPolicy handlers (the KMS client's IAM mixin calls this service on the same channel). */
    readonly iam: Readonly<Record<string, Handler>> = {
        GetIamPolicy: (r) => this.policyOut(this.policy(this.iamResource(r.resource))),
        SetIamPolicy: (r) => this.setIamPolicy(r),
        TestIamPermissions: (r) => this.testIamPermissions(r),
    };

    // -----------------------------------------------------------------------------------------------------------
    // Time and deferred transitions

    /**
     * Applies what the clock and earlier calls imply: scheduled destructions, job expiry, automatic rotation and,
     * when `resolveImports`, pending imports (resolved on the next call served after the import).
     */
    tick(resolveImports: boolean): void {
        const now = this.clock.now();
        for (const job of Object.values(this.state.importJobs)) {
            if (job.state !== "EXPIRED" && now >= job.expireTime) {
                job.state = "EXPIRED";
                job.expireEventTime = job.expireTime;
                delete job.privateKey;
            }
        }
        for (const key of Object.values(this.state.cryptoKeys)) {
            for (const v of key.versions) {
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
        const v = this.addVersion(key, { state: "ENABLED", material: b64(crypto.randomBytes(32)) });
        key.primary = v.id;
        if (key.rotationPeriodMs === undefined) {
            delete key.nextRotationTime;
            return;
        }
        const periods = Math.floor((now - key.nextRotationTime) / key.rotationPeriodMs) + 1;
        key.nextRotationTime += periods * key.rotationPeriodMs;
    }

    // -----------------------------------------------------------------------------------------------------------
    // Lookups

    private keyRing(name: string): KeyRingRecord {
        const kr = this.state.keyRings[name];
        if (!kr) throw notFound(name);
        return kr;
    }

    private cryptoKey(name: string): CryptoKeyRecord {
        const key = this.state.cryptoKeys[name];
        if (!key) throw notFound(name);
        return key;
    }

    private version(name: string): [CryptoKeyRecord, VersionRecord] {
        const { key: keyName, id } = splitVersionName(name);
        const key = this.cryptoKey(keyName);
        const v = key.versions.find((x) => x.id === id);
        if (!v) throw notFound(name);
        return [key, v];
    }

    private importJob(name: string): ImportJobRecord {
        const job = this.state.importJobs[name];
        if (!job) throw notFound(name);
        return job;
    }

    private addVersion(key: CryptoKeyRecord, fields: Partial<VersionRecord> & { state: VersionStateName }): VersionRecord {
        const now = this.clock.now();
        const id = key.versions.reduce((m, x) => Math.max(m, x.id), 0) + 1;
        const v: VersionRecord = {
            id,
            algorithm: key.versionTemplate.algorithm,
            protectionLevel: key.versionTemplate.protectionLevel,
            createTime: now,
            ...(fields.material !== undefined ? { generateTime: now } : {}),
            ...fields,
        };
        if (v.material !== undefined && v.fingerprint === undefined) v.fingerprint = materialFingerprint(v.algorithm, unb64(v.material));
        key.versions.push(v);
        return v;
    }

    /** An ENABLED version of `purpose` with its material, for a cryptographic operation. */
    private usable(key: CryptoKeyRecord, v: VersionRecord, purpose: Purpose): { spec: AlgorithmSpec; material: Buffer; name: string } {
        const name = `${key.name}/cryptoKeyVersions/${v.id}`;
        if (key.purpose !== purpose) throw precondition(`Operation requested for Key ${name} has incorrect key purpose: ${key.purpose}`);
        if (v.state !== "ENABLED" || v.material === undefined) throw precondition(`${name} is not enabled, current state is: ${v.state}.`);
        return { spec: ALGORITHMS[v.algorithm], material: unb64(v.material), name };
    }

    private usableByName(name: unknown, purpose: Purpose) {
        const [key, v] = this.version(requireName("cryptoKeyVersion", name, "name"));
        return { key, v, ...this.usable(key, v, purpose) };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Responses

    private keyRingOut(kr: KeyRingRecord) {
        return { name: kr.name, createTime: timestamp(kr.createTime) };
    }

    private versionOut(key: CryptoKeyRecord, v: VersionRecord) {
        const imported = v.importJob !== undefined || v.pendingImport !== undefined;
        return {
            name: `${key.name}/cryptoKeyVersions/${v.id}`,
            state: v.state,
            protectionLevel: v.protectionLevel,
            algorithm: v.algorithm,
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

    private cryptoKeyOut(key: CryptoKeyRecord) {
        const primary = key.purpose === "ENCRYPT_DECRYPT" && key.primary !== undefined ? key.versions.find((v) => v.id === key.primary) : undefined;
        return {
            name: key.name,
            ...(primary ? { primary: this.versionOut(key, primary) } : {}),
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

    private importJobOut(job: ImportJobRecord) {
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
        };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Key rings

    private createKeyRing(r: Req) {
        const parent = requireName("location", r.parent, "parent");
        const name = `${parent}/keyRings/${requireId(r.keyRingId, "key_ring_id")}`;
        if (this.state.keyRings[name]) throw alreadyExists(name);
        const kr = { name, createTime: this.clock.now() };
        this.state.keyRings[name] = kr;
        return this.keyRingOut(kr);
    }

    private listKeyRings(r: Req) {
        const parent = requireName("location", r.parent, "parent");
        const items = Object.values(this.state.keyRings).filter((kr) => kr.name.startsWith(`${parent}/keyRings/`));
        const p = page(query(items, r, {}), r);
        return { keyRings: p.items.map((kr) => this.keyRingOut(kr)), nextPageToken: p.nextPageToken, totalSize: p.totalSize };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Crypto keys

    private async createCryptoKey(r: Req) {
        const parent = requireName("keyRing", r.parent, "parent");
        const name = `${parent}/cryptoKeys/${requireId(r.cryptoKeyId, "crypto_key_id")}`;
        this.keyRing(parent);
        if (this.state.cryptoKeys[name]) throw alreadyExists(name);
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
            createTime: this.clock.now(),
            versionTemplate: { protectionLevel, algorithm: algorithm! },
            labels: checkLabels(ck.labels),
            importOnly,
            destroyScheduledDurationMs: destroyMs,
            versions: [],
        };
        applyRotation(key, toMillis(ck.rotationPeriod), toMillis(ck.nextRotationTime));
        const material = skip ? undefined : await generateMaterial(spec);
        if (this.state.cryptoKeys[name]) throw alreadyExists(name);
        this.state.cryptoKeys[name] = key;
        if (material) {
            const v = this.addVersion(key, { state: "ENABLED", material: b64(material) });
            if (purpose === "ENCRYPT_DECRYPT") key.primary = v.id;
        }
        return this.cryptoKeyOut(key);
    }

    private listCryptoKeys(r: Req) {
        const parent = requireName("keyRing", r.parent, "parent");
        this.keyRing(parent);
        const items = Object.values(this.state.cryptoKeys).filter((k) => k.name.startsWith(`${parent}/cryptoKeys/`));
        const p = page(query(items, r, { purpose: (k) => k.purpose, import_only: (k) => String(k.importOnly) }), r);
        return { cryptoKeys: p.items.map((k) => this.cryptoKeyOut(k)), nextPageToken: p.nextPageToken, totalSize: p.totalSize };
    }

    private updateCryptoKey(r: Req) {
        const ck = r.cryptoKey ?? {};
        const key = this.cryptoKey(requireName("cryptoKey", ck.name, "crypto_key.name"));
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
        return this.cryptoKeyOut(key);
    }

    private updatePrimaryVersion(r: Req) {
        const key = this.cryptoKey(requireName("cryptoKey", r.name, "name"));
        if (key.purpose !== "ENCRYPT_DECRYPT") throw precondition(`${key.name} has purpose ${key.purpose}; only ENCRYPT_DECRYPT keys have a primary version`);
        const id = typeof r.cryptoKeyVersionId === "string" && /^\d+$/.test(r.cryptoKeyVersionId) ? Number(r.cryptoKeyVersionId) : NaN;
        if (Number.isNaN(id)) throw invalid(`crypto_key_version_id: must be a version number (got ${JSON.stringify(r.cryptoKeyVersionId ?? "")})`);
        const [, v] = this.version(`${key.name}/cryptoKeyVersions/${id}`);
        if (v.state !== "ENABLED") throw precondition(`${key.name}/cryptoKeyVersions/${id} is not enabled, current state is: ${v.state}.`);
        key.primary = id;
        return this.cryptoKeyOut(key);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Versions

    private async createCryptoKeyVersion(r: Req) {
        const key = this.cryptoKey(requireName("cryptoKey", r.parent, "parent"));
        if (key.importOnly) throw precondition(`${key.name} is import-only: new versions can only be imported`);
        const material = await generateMaterial(ALGORITHMS[key.versionTemplate.algorithm]);
        return this.versionOut(key, this.addVersion(key, { state: "ENABLED", material: b64(material) }));
    }

    private listCryptoKeyVersions(r: Req) {
        const key = this.cryptoKey(requireName("cryptoKey", r.parent, "parent"));
        const p = page(query(key.versions, r, { state: (v) => v.state, algorithm: (v) => v.algorithm, protection_level: (v) => v.protectionLevel }), r);
        return { cryptoKeyVersions: p.items.map((v) => this.versionOut(key, v)), nextPageToken: p.nextPageToken, totalSize: p.totalSize };
    }

    private updateCryptoKeyVersion(r: Req) {
        const cv = r.cryptoKeyVersion ?? {};
        const [key, v] = this.version(requireName("cryptoKeyVersion", cv.name, "crypto_key_version.name"));
        const paths = maskPaths(r.updateMask);
        if (paths.length !== 1 || paths[0] !== "state") throw invalid("update_mask: only state can be updated");
        if (cv.state !== "ENABLED" && cv.state !== "DISABLED") throw invalid(`crypto_key_version.state: must be ENABLED or DISABLED (got ${cv.state ?? "unspecified"})`);
        if (v.state !== "ENABLED" && v.state !== "DISABLED") throw precondition(`${cv.name} is in state ${v.state}; only ENABLED and DISABLED versions can be updated`);
        v.state = cv.state;
        return this.versionOut(key, v);
    }

    private destroyCryptoKeyVersion(r: Req) {
        const [key, v] = this.version(requireName("cryptoKeyVersion", r.name, "name"));
        if (v.state !== "ENABLED" && v.state !== "DISABLED") throw precondition(`${r.name} is in state ${v.state}; only ENABLED and DISABLED versions can be destroyed`);
        v.state = "DESTROY_SCHEDULED";
        v.destroyTime = this.clock.now() + key.destroyScheduledDurationMs;
        return this.versionOut(key, v);
    }

    private restoreCryptoKeyVersion(r: Req) {
        const [key, v] = this.version(requireName("cryptoKeyVersion", r.name, "name"));
        if (v.state !== "DESTROY_SCHEDULED") throw precondition(`${r.name} is in state ${v.state}; only DESTROY_SCHEDULED versions can be restored`);
        v.state = "DISABLED";
        delete v.destroyTime;
        return this.versionOut(key, v);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Import

    private async createImportJob(r: Req) {
        const parent = requireName("keyRing", r.parent, "parent");
        const name = `${parent}/importJobs/${requireId(r.importJobId, "import_job_id")}`;
        this.keyRing(parent);
        if (this.state.importJobs[name]) throw alreadyExists(name);
        const method = r.importJob?.importMethod as ImportMethod;
        if (!(method in IMPORT_METHODS)) throw invalid(`import_job.import_method: must be one of ${Object.keys(IMPORT_METHODS).join(", ")} (got ${method ?? "unspecified"})`);
        const protectionLevel = r.importJob?.protectionLevel;
        if (!PROTECTION_LEVELS.includes(protectionLevel)) throw invalid(`import_job.protection_level: must be SOFTWARE or HSM (got ${protectionLevel ?? "unspecified"})`);
        const { privateKey, publicKey } = await generateKeyPair("rsa", { modulusLength: IMPORT_METHODS[method].bits });
        if (this.state.importJobs[name]) throw alreadyExists(name);
        const now = this.clock.now();
        const pendingReads = Math.max(0, Math.floor(this.settings.importJobGenerationReads()));
        const job: ImportJobRecord = {
            name,
            importMethod: method,
            protectionLevel,
            createTime: now,
            ...(pendingReads === 0 ? { generateTime: now } : {}),
            expireTime: now + IMPORT_JOB_LIFETIME_MS,
            state: pendingReads === 0 ? "ACTIVE" : "PENDING_GENERATION",
            pendingReads,
            privateKey: b64(privateKey.export({ type: "pkcs8", format: "der" })),
            publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        };
        this.state.importJobs[name] = job;
        return this.importJobOut(job);
    }

    private getImportJob(r: Req) {
        const job = this.importJob(requireName("importJob", r.name, "name"));
        if (job.state === "PENDING_GENERATION") {
            if (job.pendingReads > 0) job.pendingReads--;
            else {
                job.state = "ACTIVE";
                job.generateTime = this.clock.now();
            }
        }
        return this.importJobOut(job);
    }

    private listImportJobs(r: Req) {
        const parent = requireName("keyRing", r.parent, "parent");
        this.keyRing(parent);
        const items = Object.values(this.state.importJobs).filter((j) => j.name.startsWith(`${parent}/importJobs/`));
        const p = page(query(items, r, { state: (j) => j.state, import_method: (j) => j.importMethod, protection_level: (j) => j.protectionLevel }), r);
        return { importJobs: p.items.map((j) => this.importJobOut(j)), nextPageToken: p.nextPageToken, totalSize: p.totalSize };
    }

    private importCryptoKeyVersion(r: Req) {
        const key = this.cryptoKey(requireName("cryptoKey", r.parent, "parent"));
        const job = this.importJob(requireName("importJob", r.importJob, "import_job"));
        const algorithm = r.algorithm as string;
        const spec = checkAlgorithm(algorithm, key.purpose, "algorithm");
        if (job.state !== "ACTIVE" || !job.privateKey) throw precondition(`${job.name} is not ACTIVE, current state is: ${job.state}.`);
        if (job.protectionLevel !== key.versionTemplate.protectionLevel) {
            throw precondition(`${job.name} has protection level ${job.protectionLevel}, but ${key.name} has ${key.versionTemplate.protectionLevel}; they must be equal`);
        }
        const method = IMPORT_METHODS[job.importMethod];
        if (!method.hybrid && spec.material.type === "rsa") throw invalid(`algorithm: ${algorithm} keys are too large for ${job.importMethod}; use an *_AES_256 import method`);
        const wrapped = bytes(r.wrappedKey).length > 0 ? bytes(r.wrappedKey) : bytes(r.rsaAesWrappedKey);
        if (wrapped.length === 0) throw invalid("wrapped_key: is required");

        let existing: VersionRecord | undefined;
        if (r.cryptoKeyVersion) {
            const [owner, v] = this.version(requireName("cryptoKeyVersion", r.cryptoKeyVersion, "crypto_key_version"));
            if (owner !== key) throw invalid(`crypto_key_version: ${r.cryptoKeyVersion} is not a version of ${key.name}`);
            if (v.importJob === undefined) throw precondition(`${r.cryptoKeyVersion} was not created by import and cannot be re-imported`);
            if (v.state !== "DESTROYED" && v.state !== "IMPORT_FAILED") throw precondition(`${r.cryptoKeyVersion} is in state ${v.state}; only DESTROYED or IMPORT_FAILED versions can be re-imported`);
            if (v.algorithm !== algorithm) throw invalid(`algorithm: ${r.cryptoKeyVersion} has algorithm ${v.algorithm} (got ${algorithm})`);
            existing = v;
        }

        const outcome = unwrapAndCheck(job, algorithm, spec, wrapped);
        if (existing && outcome.fingerprint && existing.fingerprint && outcome.fingerprint !== existing.fingerprint) {
            throw precondition(`The key material does not match the material originally imported into ${r.cryptoKeyVersion}`);
        }
        const pendingImport = { importJob: job.name, importTime: this.clock.now(), ...outcome };
        let v: VersionRecord;
        if (existing) {
            v = existing;
            v.state = "PENDING_IMPORT";
            v.pendingImport = pendingImport;
        } else {
            v = this.addVersion(key, { state: "PENDING_IMPORT", algorithm, pendingImport });
        }
        return this.versionOut(key, v);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Cryptographic operations

    private encrypt(r: Req) {
        let key: CryptoKeyRecord;
        let v: VersionRecord | undefined;
        if (isName("cryptoKeyVersion", r.name)) [key, v] = this.version(r.name);
        else {
            key = this.cryptoKey(requireName("cryptoKey", r.name, "name"));
            if (key.purpose === "ENCRYPT_DECRYPT") {
                v = key.versions.find((x) => x.id === key.primary);
                if (!v) throw precondition(`${key.name} has no primary version`);
            }
        }
        if (!v) throw precondition(`Operation requested for Key ${key.name} has incorrect key purpose: ${key.purpose}`);
        const { material, name } = this.usable(key, v, "ENCRYPT_DECRYPT");
        const plaintext = bytes(r.plaintext);
        const aad = bytes(r.additionalAuthenticatedData);
        if (plaintext.length > MAX_PAYLOAD) throw invalid(`plaintext: must be at most ${MAX_PAYLOAD} bytes`);
        if (aad.length > MAX_PAYLOAD) throw invalid(`additional_authenticated_data: must be at most ${MAX_PAYLOAD} bytes`);
        const verifiedPlaintextCrc32c = verifyCrc(r.plaintextCrc32c, plaintext, "plaintext_crc32c", "plaintext");
        const verifiedAdditionalAuthenticatedDataCrc32c = verifyCrc(r.additionalAuthenticatedDataCrc32c, aad, "additional_authenticated_data_crc32c", "additional_authenticated_data");
        const ciphertext = symmetricEncrypt(material, key.name, v.id, plaintext, aad);
        return { name, ciphertext, ciphertextCrc32c: crc(ciphertext), verifiedPlaintextCrc32c, verifiedAdditionalAuthenticatedDataCrc32c, protectionLevel: v.protectionLevel };
    }

    private decrypt(r: Req) {
        const key = this.cryptoKey(requireName("cryptoKey", r.name, "name"));
        const ciphertext = bytes(r.ciphertext);
        const aad = bytes(r.additionalAuthenticatedData);
        verifyCrc(r.ciphertextCrc32c, ciphertext, "ciphertext_crc32c", "ciphertext");
        verifyCrc(r.additionalAuthenticatedDataCrc32c, aad, "additional_authenticated_data_crc32c", "additional_authenticated_data");
        if (key.purpose !== "ENCRYPT_DECRYPT") throw precondition(`Operation requested for Key ${key.name} has incorrect key purpose: ${key.purpose}`);
        const id = ciphertextVersion(ciphertext);
        const v = key.versions.find((x) => x.id === id);
        if (!v) throw invalid("Decryption failed: the ciphertext is invalid.");
        const { material } = this.usable(key, v, "ENCRYPT_DECRYPT");
        const plaintext = symmetricDecrypt(material, key.name, ciphertext, aad);
        if (!plaintext) throw invalid("Decryption failed: verify that 'name' refers to the correct CryptoKey.");
        return { plaintext, plaintextCrc32c: crc(plaintext), usedPrimary: key.primary === v.id, protectionLevel: v.protectionLevel };
    }

    private asymmetricSign(r: Req) {
        const { v, spec, material, name } = this.usableByName(r.name, "ASYMMETRIC_SIGN");
        const hash = spec.sign!.hash;
        const data = bytes(r.data);
        const given = r.digest ? (["sha256", "sha384", "sha512"] as const).filter((h) => bytes(r.digest[h]).length > 0) : [];
        if (given.length > 0 && data.length > 0) throw invalid("Only one of digest and data may be set.");
        let digest: Buffer;
        let verifiedDataCrc32c = false;
        let verifiedDigestCrc32c = false;
        if (given.length > 0) {
            if (given.length > 1 || given[0] !== hash) throw invalid(`digest: ${v.algorithm} needs a ${hash} digest (got ${given.join(", ")})`);
            digest = bytes(r.digest[hash]);
            if (digest.length !== digestLength(hash)) throw invalid(`digest.${hash}: must be ${digestLength(hash)} bytes (got ${digest.length})`);
            verifiedDigestCrc32c = verifyCrc(r.digestCrc32c, digest, "digest_crc32c", "digest");
        } else if (data.length > 0) {
            verifiedDataCrc32c = verifyCrc(r.dataCrc32c, data, "data_crc32c", "data");
            digest = crypto.createHash(hash).update(data).digest();
        } else {
            throw invalid("One of digest and data must be set.");
        }
        const signature = signDigest(spec, material, digest);
        return { signature, signatureCrc32c: crc(signature), verifiedDigestCrc32c, name, verifiedDataCrc32c, protectionLevel: v.protectionLevel };
    }

    private asymmetricDecrypt(r: Req) {
        const { v, spec, material } = this.usableByName(r.name, "ASYMMETRIC_DECRYPT");
        const ciphertext = bytes(r.ciphertext);
        const verifiedCiphertextCrc32c = verifyCrc(r.ciphertextCrc32c, ciphertext, "ciphertext_crc32c", "ciphertext");
        const plaintext = oaepDecrypt(spec, material, ciphertext);
        if (!plaintext) throw invalid("Decryption failed: the ciphertext is invalid for this key.");
        return { plaintext, plaintextCrc32c: crc(plaintext), verifiedCiphertextCrc32c, protectionLevel: v.protectionLevel };
    }

    private getPublicKey(r: Req) {
        const [key, v] = this.version(requireName("cryptoKeyVersion", r.name, "name"));
        if (key.purpose !== "ASYMMETRIC_SIGN" && key.purpose !== "ASYMMETRIC_DECRYPT") {
            throw precondition(`Operation requested for Key ${r.name} has incorrect key purpose: ${key.purpose}`);
        }
        const { material, name } = this.usable(key, v, key.purpose);
        const pem = publicKeyPem(material);
        const out = { pem, algorithm: v.algorithm, pemCrc32c: crc(Buffer.from(pem)), name, protectionLevel: v.protectionLevel };
        if (r.publicKeyFormat === "DER" || r.publicKeyFormat === "PEM") {
            const data = r.publicKeyFormat === "PEM" ? Buffer.from(pem) : (crypto.createPublicKey(privateKeyOf(material)).export({ type: "spki", format: "der" }) as Buffer);
            return { ...out, publicKeyFormat: r.publicKeyFormat, publicKey: { data, crc32cChecksum: crc(data) } };
        }
        if (r.publicKeyFormat && r.publicKeyFormat !== "PUBLIC_KEY_FORMAT_UNSPECIFIED") throw invalid(`public_key_format: ${r.publicKeyFormat} is not supported for ${v.algorithm}`);
        return out;
    }

    private macSign(r: Req) {
        const { v, spec, material, name } = this.usableByName(r.name, "MAC");
        const data = bytes(r.data);
        if (data.length > MAX_PAYLOAD) throw invalid(`data: must be at most ${MAX_PAYLOAD} bytes`);
        const verifiedDataCrc32c = verifyCrc(r.dataCrc32c, data, "data_crc32c", "data");
        const mac = hmacSign(spec, material, data);
        return { name, mac, macCrc32c: crc(mac), verifiedDataCrc32c, protectionLevel: v.protectionLevel };
    }

    private macVerify(r: Req) {
        const { v, spec, material, name } = this.usableByName(r.name, "MAC");
        const data = bytes(r.data);
        const mac = bytes(r.mac);
        const verifiedDataCrc32c = verifyCrc(r.dataCrc32c, data, "data_crc32c", "data");
        const verifiedMacCrc32c = verifyCrc(r.macCrc32c, mac, "mac_crc32c", "mac");
        const success = constantTimeEqual(hmacSign(spec, material, data), mac);
        return { name, success, verifiedDataCrc32c, verifiedMacCrc32c, verifiedSuccessIntegrity: true, protectionLevel: v.protectionLevel };
    }

    private generateRandomBytes(r: Req) {
        requireName("location", r.location, "location");
        const n = Number(r.lengthBytes ?? 0);
        if (!Number.isInteger(n) || n < 8 || n > 1024) throw invalid(`length_bytes: must be between 8 and 1024 (got ${n})`);
        if (r.protectionLevel !== "HSM") throw invalid(`protection_level: only HSM is supported (got ${r.protectionLevel ?? "unspecified"})`);
        const data = crypto.randomBytes(n);
        return { data, dataCrc32c: crc(data) };
    }

    // -----------------------------------------------------------------------------------------------------------
    // IAM

    /** Key rings, crypto keys and import jobs carry IAM policies. */
    private iamResource(resource: unknown): string {
        if (isName("keyRing", resource)) this.keyRing(resource);
        else if (isName("cryptoKey", resource)) this.cryptoKey(resource);
        else if (isName("importJob", resource)) this.importJob(resource);
        else throw invalid(`resource: must be a key ring, crypto key or import job (got ${JSON.stringify(resource ?? "")})`);
        return resource;
    }

    private policy(resource: string): IamRecord {
        return this.state.iam[resource] ?? { version: 1, bindings: [], etag: etagOf(resource, 0, []), serial: 0 };
    }

    private policyOut(p: IamRecord) {
        return { version: p.version, bindings: p.bindings.map((b) => ({ ...b, members: [...b.members] })), etag: unb64(p.etag) };
    }

    private setIamPolicy(r: Req) {
        const resource = this.iamResource(r.resource);
        const current = this.policy(resource);
        const policy = r.policy ?? {};
        const etag = bytes(policy.etag);
        if (etag.length > 0 && !etag.equals(unb64(current.etag))) {
            throw new RpcError(10 /* ABORTED */, "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.");
        }
        const bindings: IamBinding[] = [];
        for (const [i, b] of ((policy.bindings ?? []) as Req[]).entries()) {
            if (typeof b.role !== "string" || !/^(roles|projects\/[^/]+\/roles|organizations\/[^/]+\/roles)\/.+/.test(b.role)) {
                throw invalid(`policy.bindings[${i}].role: must be a role name such as roles/cloudkms.cryptoKeyEncrypterDecrypter (got ${JSON.stringify(b.role ?? "")})`);
            }
            const members = (b.members ?? []) as string[];
            for (const m of members) if (!IAM_MEMBER.test(m)) throw invalid(`policy.bindings[${i}].members: ${JSON.stringify(m)} is not a valid member`);
            if (members.length === 0) continue;
            const binding: IamBinding = { role: b.role, members: [...members] };
            if (b.condition) binding.condition = pick(b.condition, ["expression", "title", "description", "location"]);
            bindings.push(binding);
        }
        const version = Number(policy.version ?? 0) || 1;
        if (![1, 3].includes(version)) throw invalid(`policy.version: must be 1 or 3 (got ${version})`);
        if (bindings.some((b) => b.condition) && version !== 3) throw invalid("policy.version: must be 3 when a binding has a condition");
        const serial = current.serial + 1;
        const next: IamRecord = { version, bindings, etag: etagOf(resource, serial, bindings), serial };
        this.state.iam[resource] = next;
        return this.policyOut(next);
    }

    /** The emulator has no caller identity: every Cloud KMS permission asked about is granted. */
    private testIamPermissions(r: Req) {
        this.iamResource(r.resource);
        return { permissions: ((r.permissions ?? []) as string[]).filter((p) => p.startsWith("cloudkms.")) };
    }

    // -----------------------------------------------------------------------------------------------------------

    inspect(): GcpInspection {
        const s = this.state;
        return {
            keyRings: Object.values(s.keyRings).map((kr) => ({ name: kr.name, createTime: iso(kr.createTime) })),
            cryptoKeys: Object.values(s.cryptoKeys).map((k) => ({
                name: k.name,
                purpose: k.purpose,
                protectionLevel: k.versionTemplate.protectionLevel,
                algorithm: k.versionTemplate.algorithm,
                importOnly: k.importOnly,
                labels: { ...k.labels },
                ...(k.primary !== undefined ? { primary: `${k.name}/cryptoKeyVersions/${k.primary}` } : {}),
                ...(k.rotationPeriodMs !== undefined ? { rotationPeriodSeconds: k.rotationPeriodMs / 1000 } : {}),
                ...(k.nextRotationTime !== undefined ? { nextRotationTime: iso(k.nextRotationTime) } : {}),
                destroyScheduledDurationSeconds: k.destroyScheduledDurationMs / 1000,
                versions: k.versions.map((v) => ({
                    name: `${k.name}/cryptoKeyVersions/${v.id}`,
                    state: v.state,
                    algorithm: v.algorithm,
                    protectionLevel: v.protectionLevel,
                    ...(v.fingerprint !== undefined ? { fingerprint: v.fingerprint } : {}),
                    ...(v.importJob !== undefined ? { importJob: v.importJob } : {}),
                    ...(v.importFailureReason !== undefined ? { importFailureReason: v.importFailureReason } : {}),
                    ...(v.destroyTime !== undefined ? { destroyTime: iso(v.destroyTime) } : {}),
                })),
            })),
            importJobs: Object.values(s.importJobs).map((j) => ({ name: j.name, state: j.state, importMethod: j.importMethod, protectionLevel: j.protectionLevel, expireTime: iso(j.expireTime) })),
            iamPolicies: Object.entries(s.iam).map(([resource, p]) => ({ resource, version: p.version, bindings: JSON.parse(JSON.stringify(p.bindings)), etag: p.etag })),
        };
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function checkAlgorithm(algorithm: unknown, purpose: Purpose, field: string): AlgorithmSpec {
    if (typeof algorithm !== "string" || algorithm === "CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED") throw invalid(`${field}: is required for ${purpose} keys`);
    const spec = ALGORITHMS[algorithm];
    if (!spec) throw invalid(`${field}: ${algorithm} is not supported by the emulator`);
    if (spec.purpose !== purpose) throw invalid(`${field}: ${algorithm} does not fit purpose ${purpose}`);
    return spec;
}

function checkLabels(labels: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    const entries = Object.entries((labels ?? {}) as Record<string, string>);
    if (entries.length > 64) throw invalid("labels: at most 64 labels");
    for (const [k, v] of entries) {
        if (!LABEL_KEY.test(k)) throw invalid(`labels: key ${JSON.stringify(k)} must match [a-z][a-z0-9_-]{0,62}`);
        if (!LABEL_VALUE.test(v)) throw invalid(`labels: value of ${k} must match [a-z0-9_-]{0,63}`);
        out[k] = v;
    }
    return out;
}

/** Validates and sets the rotation schedule (ENCRYPT_DECRYPT only; a period needs a next rotation time). */
function applyRotation(key: CryptoKeyRecord, periodMs: number | undefined, nextMs: number | undefined): void {
    if (periodMs === undefined && nextMs === undefined) return;
    if (key.purpose !== "ENCRYPT_DECRYPT") throw invalid(`rotation_period, next_rotation_time: ${key.purpose} keys do not support automatic rotation`);
    if (periodMs !== undefined) {
        if (periodMs < DAY_MS || periodMs > MAX_ROTATION_PERIOD_MS) throw invalid("rotation_period: must be at least 24 hours and at most 876,000 hours");
        if (nextMs === undefined) throw invalid("next_rotation_time: must be set when rotation_period is set");
        key.rotationPeriodMs = periodMs;
    }
    if (nextMs !== undefined) key.nextRotationTime = nextMs;
}

/** An enum value the caller left unspecified counts as absent. */
function specified<T>(value: T): T | undefined {
    return value === null || value === undefined || String(value).endsWith("_UNSPECIFIED") ? undefined : value;
}

/**
 * List `filter` and `order_by`, the small subset the emulator understands: comparisons `field=value`, `field!=value`
 * or `field:value` on the listed fields, joined by AND; order by `name` (asc or desc). Anything else is UNIMPLEMENTED.
 */
function query<T extends { name?: string; id?: number }>(items: T[], r: Req, fields: Record<string, (item: T) => string>): T[] {
    let out = items;
    if (r.filter) {
        const clauses = String(r.filter)
            .split(/\s+AND\s+/)
            .map((clause) => {
                const m = /^\s*([A-Za-z_]+)\s*(!=|=|:)\s*"?([^"]*?)"?\s*$/.exec(clause);
                if (!m) throw unimplemented(`filter: ${JSON.stringify(clause)} is not supported by the emulator`);
                const get = fields[m[1].replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
                if (!get) throw unimplemented(`filter: field ${m[1]} is not supported by the emulator (supported: ${Object.keys(fields).join(", ") || "none"})`);
                return { get, negate: m[2] === "!=", value: m[3] };
            });
        out = out.filter((item) => clauses.every((c) => (c.get(item) === c.value) !== c.negate));
    }
    if (r.orderBy) {
        const m = /^\s*name(\s+(asc|desc))?\s*$/i.exec(String(r.orderBy));
        if (!m) throw unimplemented(`order_by: ${JSON.stringify(r.orderBy)} is not supported by the emulator (only name)`);
        const key = (x: T) => x.name ?? String(x.id).padStart(12, "0");
        out = [...out].sort((a, b) => key(a).localeCompare(key(b)));
        if (m[2]?.toLowerCase() === "desc") out.reverse();
    }
    return out;
}

function page<T>(items: T[], r: Req): { items: T[]; nextPageToken: string; totalSize: number } {
    let start = 0;
    if (r.pageToken) {
        const m = /^offset:(\d+)$/.exec(Buffer.from(String(r.pageToken), "base64").toString());
        if (!m) throw invalid("page_token: is not a token this service issued");
        start = Number(m[1]);
    }
    const size = Number(r.pageSize ?? 0) > 0 ? Math.min(Number(r.pageSize), DEFAULT_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
    const end = start + size;
    return { items: items.slice(start, end), nextPageToken: end < items.length ? Buffer.from(`offset:${end}`).toString("base64") : "", totalSize: items.length };
}

function materialFingerprint(algorithm: string, material: Buffer): string {
    const spec = ALGORITHMS[algorithm];
    return spec.material.type === "rsa" || spec.material.type === "ec" ? fingerprint(material, privateKeyOf(material)) : fingerprint(material);
}

/** Unwraps with the job's key and checks the material; the failure reason never includes material. */
function unwrapAndCheck(job: ImportJobRecord, algorithm: string, spec: AlgorithmSpec, wrapped: Buffer): { material?: string; fingerprint?: string; failure?: string } {
    const method = IMPORT_METHODS[job.importMethod];
    const jobKey = privateKeyOf(unb64(job.privateKey!));
    let material: Buffer;
    try {
        material = method.hybrid ? rsaAesKeyUnwrap(jobKey, method.hash, wrapped) : rsaOaepDecrypt(jobKey, "sha256", wrapped);
    } catch (e) {
        const why = e instanceof UnwrapError ? e.message : "unwrap failed";
        return { failure: `The wrapped key could not be unwrapped with the key of ${job.name} (${job.importMethod}): ${why}.` };
    }
    try {
        const privateKey = checkMaterial(spec.material, material);
        return { material: b64(material), fingerprint: fingerprint(material, privateKey) };
    } catch (e) {
        const why = e instanceof MaterialError ? e.message : "invalid key material";
        return { failure: `The imported key material is not valid for ${algorithm}: ${why}.` };
    } finally {
        material.fill(0);
    }
}

function etagOf(resource: string, serial: number, bindings: IamBinding[]): string {
    return crypto.createHash("sha256").update(`${resource}\0${serial}\0${JSON.stringify(bindings)}`).digest().subarray(0, 8).toString("base64");
}

function pick<T extends Record<string, unknown>>(o: T, keys: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of keys) if (typeof o[k] === "string" && o[k] !== "") out[k] = o[k] as string;
    return out;
}
