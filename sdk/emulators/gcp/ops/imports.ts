/**
 * Import jobs and ImportCryptoKeyVersion (service.proto): the job's wrapping key pair, unwrapping with it, and the
 * imported material checked against the algorithm before the version becomes ENABLED (or IMPORT_FAILED, with a reason).
 */
import * as crypto from "crypto";
import { promisify } from "util";
import { rsaAesKeyUnwrap, rsaOaepDecrypt, UnwrapError } from "../../../crypto/keywrap";
import { checkMaterial, fingerprint, MaterialError } from "../../../crypto/material";
import { AlgorithmSpec, IMPORT_METHODS, ImportMethod, privateKeyOf } from "../crypto";
import { alreadyExists, invalid, precondition } from "../errors";
import { KmsModel, unb64 } from "../model";
import { list } from "../query";
import type { ImportJobRecord, VersionRecord } from "../state";
import { importJobView, versionView } from "../views";
import { bytes, requireId, requireName } from "../wire";
import { checkAlgorithm, Handler, PROTECTION_LEVELS, Req } from "./validate";

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface ImportSettings {
    /** How many GetImportJob reads a new job stays PENDING_GENERATION (besides generation time). */
    importJobGenerationReads(): number;
}

export function importHandlers(model: KmsModel, settings: ImportSettings): Record<string, Handler> {
    const createImportJob = async (r: Req) => {
        const parent = requireName("keyRing", r.parent, "parent");
        const name = `${parent}/importJobs/${requireId(r.importJobId, "import_job_id")}`;
        model.keyRing(parent);
        if (model.state.importJobs[name]) throw alreadyExists("ImportJob", name);
        const method = r.importJob?.importMethod as ImportMethod;
        if (!(method in IMPORT_METHODS)) throw invalid(`import_job.import_method: must be one of ${Object.keys(IMPORT_METHODS).join(", ")} (got ${method ?? "unspecified"})`);
        const protectionLevel = r.importJob?.protectionLevel;
        if (!PROTECTION_LEVELS.includes(protectionLevel)) throw invalid(`import_job.protection_level: must be SOFTWARE or HSM (got ${protectionLevel ?? "unspecified"})`);
        const { privateKey, publicKey } = await generateKeyPair("rsa", { modulusLength: IMPORT_METHODS[method].bits });
        if (model.state.importJobs[name]) throw alreadyExists("ImportJob", name);
        const job = model.addImportJob({
            name,
            importMethod: method,
            protectionLevel,
            pendingReads: Math.max(0, Math.floor(settings.importJobGenerationReads())),
            privateKey: privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
            publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        });
        return importJobView(job);
    };

    const getImportJob = (r: Req) => {
        const job = model.importJob(requireName("importJob", r.name, "name"));
        model.readImportJob(job);
        return importJobView(job);
    };

    const listImportJobs = (r: Req) => {
        const parent = requireName("keyRing", r.parent, "parent");
        model.keyRing(parent);
        const views = Object.values(model.state.importJobs)
            .filter((j) => j.name.startsWith(`${parent}/importJobs/`))
            .map(importJobView);
        const p = list(views, r);
        return { importJobs: p.items, nextPageToken: p.nextPageToken, totalSize: p.totalSize };
    };

    const importCryptoKeyVersion = (r: Req) => {
        const key = model.cryptoKey(requireName("cryptoKey", r.parent, "parent"));
        const job = model.importJob(requireName("importJob", r.importJob, "import_job"));
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
            const [owner, v] = model.version(requireName("cryptoKeyVersion", r.cryptoKeyVersion, "crypto_key_version"));
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
        const pendingImport = { importJob: job.name, importTime: model.now(), ...outcome };
        let v: VersionRecord;
        if (existing) {
            v = existing;
            v.state = "PENDING_IMPORT";
            v.pendingImport = pendingImport;
        } else {
            v = model.addVersion(key, { state: "PENDING_IMPORT", algorithm, pendingImport });
        }
        return versionView(key, v);
    };

    return {
        CreateImportJob: createImportJob,
        GetImportJob: getImportJob,
        ListImportJobs: listImportJobs,
        ImportCryptoKeyVersion: importCryptoKeyVersion,
    };
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
        return { material: material.toString("base64"), fingerprint: fingerprint(material, privateKey) };
    } catch (e) {
        const why = e instanceof MaterialError ? e.message : "invalid key material";
        return { failure: `The imported key material is not valid for ${algorithm}: ${why}.` };
    } finally {
        material.fill(0);
    }
}
