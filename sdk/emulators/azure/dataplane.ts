/**
 * The Key Vault / Managed HSM keys data plane (REST, JSON; JWK binaries base64url; times epoch seconds), as
 * `@azure/keyvault-keys` 4.10.2 calls it. `routeDataPlane` maps a request to an operation name (for `calls` and
 * fault injection) and a handler that runs only when the call is served.
 */
import * as crypto from "crypto";
import { rsaAesKeyUnwrap, UnwrapError } from "../../crypto/keywrap";
import { checkMaterial, MaterialError } from "../../crypto/material";
import { DAY_MS } from "../common";
import {
    CryptoParameterError,
    curveOfKey,
    decrypt,
    encrypt,
    generateEc,
    generateOct,
    generateRsa,
    MATERIAL_CURVE,
    materialSize,
    parseCurve,
    sign,
    unwrapKey,
    verify,
    wrapKey,
    type AzureCurve,
    type Material,
} from "./crypto";
import { openBackup, sealBackup } from "./backup";
import { daysOf, parseDuration } from "./durations";
import { AzureError, badParameter, conflict, forbidden, keyNotFound } from "./errors";
import {
    deletedInfo,
    keyBundle,
    keyId,
    keyItem,
    lower,
    materialFingerprint,
    rotationPolicyBody,
    settingsOf,
    vaultHost,
    type KeyOrigin,
    type DeletedKeyRecord,
    type KeyRecord,
    type KeyVersion,
    type Kty,
    type LifetimeAction,
    type ReleasePolicy,
    type VaultRecord,
    type Wire,
} from "./model";

export interface Request {
    readonly method: string;
    /** Decoded path segments, without the leading empty one: `/keys/k/` → `["keys", "k", ""]`. */
    readonly segments: readonly string[];
    readonly query: URLSearchParams;
    readonly body: unknown;
}

export interface Reply {
    readonly status: number;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
}

export interface Route {
    readonly operation: string;
    /** Runs when the call is served (after the fault decision): only here may state change. */
    readonly run: () => Reply | Promise<Reply>;
}

export interface DataPlaneContext {
    /** The vault or Managed HSM, created on first served use. */
    vault(): VaultRecord;
    /** Epoch milliseconds. */
    now(): number;
    /** The origin that ids, recovery ids and next-page links are written with (the address the request came to). */
    readonly origin: string;
    /** Every origin that names this vault (its Azure host and its own emulator port): a KEK id may use any. */
    readonly origins: readonly string[];
    /** How long a delete or a recover takes to show, in ms (`asyncStates`: 0 when instant). */
    readonly settleMs: number;
}

const KEY_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const ALL_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export"];
const CRYPTO_OPS: Record<string, { op: "encrypt" | "decrypt" | "wrapKey" | "unwrapKey" | "sign" | "verify"; name: string }> = {
    encrypt: { op: "encrypt", name: "encrypt" },
    decrypt: { op: "decrypt", name: "decrypt" },
    wrapkey: { op: "wrapKey", name: "wrapKey" },
    unwrapkey: { op: "unwrapKey", name: "unwrapKey" },
    sign: { op: "sign", name: "sign" },
    verify: { op: "verify", name: "verify" },
};
const RSA_SIZES = [2048, 3072, 4096];
const OCT_SIZES = [128, 192, 256];
const MAX_PAGE = 25;
const ROTATION_MIN_EXPIRY_DAYS = 28;
const ROTATION_MIN_TRIGGER_DAYS = 7;
/** The Notify action Key Vault puts in every policy that has none (and answers for a key without a policy). */
export const DEFAULT_NOTIFY_BEFORE_EXPIRY = "P30D";

const seconds = (ms: number) => Math.floor(ms / 1000);
const b64u = (b: Buffer) => b.toString("base64url");
const newVersion = () => crypto.randomBytes(16).toString("hex");
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function routeDataPlane(req: Request, ctx: DataPlaneContext): Route | undefined {
    const [root, name, third, fourth, ...rest] = req.segments;
    const m = req.method;
    if (rest.length > 0) return undefined;
    const dp = new DataPlane(ctx, req);
    if (root === "keys") {
        if (name === undefined) return m === "GET" ? { operation: "listKeys", run: () => dp.listKeys() } : undefined;
        // `POST /keys//create`: Key Vault reads the empty name as a missing operation (recorded).
        if (name === "" && third !== undefined) return { operation: "unsupported", run: () => { throw badParameter("Operation not specified"); } };
        if (third === undefined) {
            if (m === "POST" && name === "restore") return { operation: "restoreKey", run: () => dp.restoreKey() };
            if (m === "GET") return { operation: "getKey", run: () => dp.getKey(name, "") };
            if (m === "PUT") return { operation: "importKey", run: () => dp.importKey(name) };
            if (m === "DELETE") return { operation: "deleteKey", run: () => dp.deleteKey(name) };
            if (m === "PATCH") return { operation: "updateKey", run: () => dp.updateKey(name, "") };
            return undefined;
        }
        if (fourth === undefined) {
            const t = lower(third);
            if (t === "create" && m === "POST") return { operation: "createKey", run: () => dp.createKey(name) };
            if (t === "versions" && m === "GET") return { operation: "listKeyVersions", run: () => dp.listKeyVersions(name) };
            if (t === "rotationpolicy" && m === "GET") return { operation: "getKeyRotationPolicy", run: () => dp.getRotationPolicy(name) };
            if (t === "rotationpolicy" && m === "PUT") return { operation: "updateKeyRotationPolicy", run: () => dp.updateRotationPolicy(name) };
            if (t === "rotate" && m === "POST") return { operation: "rotateKey", run: () => dp.rotateKey(name) };
            if (t === "backup" && m === "POST") return { operation: "backupKey", run: () => dp.backupKey(name) };
            if (t === "release" && m === "POST") return { operation: "releaseKey", run: () => notSupported("releaseKey") };
            if (t === "attestation" && m === "GET") return { operation: "getKeyAttestation", run: () => notSupported("getKeyAttestation") };
            if (m === "GET") return { operation: "getKey", run: () => dp.getKey(name, third) };
            if (m === "PATCH") return { operation: "updateKey", run: () => dp.updateKey(name, third) };
            return undefined;
        }
        const op = CRYPTO_OPS[lower(fourth)];
        if (op && m === "POST") return { operation: op.name, run: () => dp.keyOperation(name, third, op.op) };
        if (lower(fourth) === "release" && m === "POST") return { operation: "releaseKey", run: () => notSupported("releaseKey") };
        if (lower(fourth) === "attestation" && m === "GET") return { operation: "getKeyAttestation", run: () => notSupported("getKeyAttestation") };
        return undefined;
    }
    if (root === "deletedkeys") {
        if (fourth !== undefined) return undefined;
        if (name === undefined) return m === "GET" ? { operation: "listDeletedKeys", run: () => dp.listDeletedKeys() } : undefined;
        if (third === undefined) {
            if (m === "GET") return { operation: "getDeletedKey", run: () => dp.getDeletedKey(name) };
            if (m === "DELETE") return { operation: "purgeDeletedKey", run: () => dp.purgeDeletedKey(name) };
            return undefined;
        }
        if (lower(third) === "recover" && m === "POST") return { operation: "recoverDeletedKey", run: () => dp.recoverDeletedKey(name) };
        return undefined;
    }
    if (root === "rng" && name === undefined && m === "POST") return { operation: "getRandomBytes", run: () => dp.getRandomBytes() };
    return undefined;
}

function notSupported(operation: string): never {
    throw new AzureError(501, "NotImplemented", `${operation} is not supported by the keyfabric Key Vault emulator.`);
}

// ---------------------------------------------------------------------------------------------------------------
// Request parsing

function requireBody(body: unknown): Record<string, unknown> {
    if (!isObject(body)) throw badParameter("The request body must be a JSON object.");
    return body;
}

function binary(value: unknown, field: string, required: true): Buffer;
function binary(value: unknown, field: string, required?: false): Buffer | undefined;
function binary(value: unknown, field: string, required = false): Buffer | undefined {
    if (value === undefined || value === null) {
        if (required) throw badParameter(`The parameter ${field} is required.`);
        return undefined;
    }
    if (typeof value !== "string" || !/^[A-Za-z0-9_\-+/]*=*$/.test(value)) throw badParameter(`The parameter ${field} must be base64url encoded.`);
    return Buffer.from(value, "base64");
}

function checkName(name: string): void {
    if (!KEY_NAME.test(name)) throw badParameter(`The key name ${JSON.stringify(name.slice(0, 130))} is invalid: use 1-127 letters, digits and dashes.`);
}

interface ParsedAttributes {
    enabled?: boolean;
    /** null clears. */
    nbf?: number | null;
    exp?: number | null;
    exportable?: boolean;
}

function parseAttributes(raw: unknown): ParsedAttributes {
    if (raw === undefined || raw === null) return {};
    if (!isObject(raw)) throw badParameter("attributes must be an object.");
    const out: ParsedAttributes = {};
    if (raw.enabled !== undefined && raw.enabled !== null) {
        if (typeof raw.enabled !== "boolean") throw badParameter("attributes.enabled must be a boolean.");
        out.enabled = raw.enabled;
    }
    for (const f of ["nbf", "exp"] as const) {
        const v = raw[f];
        if (v === undefined) continue;
        if (v !== null && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) throw badParameter(`attributes.${f} must be epoch seconds.`);
        out[f] = v as number | null;
    }
    if (raw.exportable !== undefined && raw.exportable !== null) {
        if (typeof raw.exportable !== "boolean") throw badParameter("attributes.exportable must be a boolean.");
        out.exportable = raw.exportable;
    }
    if (typeof out.nbf === "number" && typeof out.exp === "number" && out.nbf >= out.exp) throw badParameter("attributes.nbf must be before attributes.exp.");
    return out;
}

function parseTags(raw: unknown): Record<string, string> | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!isObject(raw)) throw badParameter("tags must be an object of strings.");
    const entries = Object.entries(raw);
    if (entries.length > 15) throw badParameter("A key can have at most 15 tags.");
    for (const [k, v] of entries) {
        if (typeof v !== "string") throw badParameter(`The tag ${JSON.stringify(k)} must have a string value.`);
        if (k.length > 512 || v.length > 256) throw badParameter("Tag names are at most 512 characters and values at most 256.");
    }
    return { ...(raw as Record<string, string>) };
}

function parseReleasePolicy(raw: unknown): ReleasePolicy | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!isObject(raw)) throw badParameter("release_policy must be an object.");
    if (raw.data !== undefined && typeof raw.data !== "string") throw badParameter("release_policy.data must be base64url encoded.");
    if (raw.immutable !== undefined && typeof raw.immutable !== "boolean") throw badParameter("release_policy.immutable must be a boolean.");
    if (raw.contentType !== undefined && typeof raw.contentType !== "string") throw badParameter("release_policy.contentType must be a string.");
    return { ...(raw.contentType !== undefined ? { contentType: raw.contentType as string } : {}), ...(raw.immutable !== undefined ? { immutable: raw.immutable as boolean } : {}), ...(raw.data !== undefined ? { data: raw.data as string } : {}) };
}

const baseType = (kty: Kty) => (kty.startsWith("RSA") ? "RSA" : kty.startsWith("EC") ? "EC" : "oct");

function defaultOps(kty: Kty): string[] {
    switch (baseType(kty)) {
        case "RSA":
            return ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
        case "EC":
            return ["sign", "verify"];
        default:
            return ["encrypt", "decrypt", "wrapKey", "unwrapKey"];
    }
}

/** Validates `key_ops` for a key type; `import` marks a KEK and must be alone (BYOK specification). */
function parseOps(raw: unknown, kty: Kty): string[] | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw) || raw.some((o) => typeof o !== "string")) throw badParameter("key_ops must be an array of strings.");
    const ops = [...new Set(raw as string[])];
    const unknown = ops.filter((o) => !ALL_OPS.includes(o));
    if (unknown.length) throw badParameter(`Unknown key operation ${JSON.stringify(unknown[0])}; allowed: ${ALL_OPS.join(", ")}.`);
    const applicable = [...defaultOps(kty), "export", ...(kty === "RSA-HSM" ? ["import"] : [])];
    const wrong = ops.filter((o) => !applicable.includes(o));
    if (wrong.length) {
        if (wrong.includes("import")) throw badParameter(`Key operation "import" is only valid for an RSA-HSM key exchange key (KEK); this key is ${kty}.`);
        throw badParameter(`Key operation ${JSON.stringify(wrong[0])} is not valid for a ${kty} key; allowed: ${applicable.filter((o) => o !== "import").join(", ")}.`);
    }
    if (ops.includes("import") && ops.length > 1) throw badParameter(`A key exchange key (KEK) must have "import" as its only key operation; got ${JSON.stringify(ops)}.`);
    return ops;
}

function checkExportable(a: ParsedAttributes, releasePolicy: ReleasePolicy | undefined): void {
    if (a.exportable && !releasePolicy) throw badParameter("An exportable key needs a release policy (release_policy).");
}

const isKek = (v: KeyVersion) => v.kty === "RSA-HSM" && v.keyOps.length === 1 && v.keyOps[0] === "import";

// ---------------------------------------------------------------------------------------------------------------

class DataPlane {
    constructor(
        private readonly ctx: DataPlaneContext,
        private readonly req: Request,
    ) {}

    /** Created on first use; deleted keys past their scheduled purge date are already gone. */
    private get vault(): VaultRecord {
        return this.ctx.vault();
    }

    private get host(): string {
        return vaultHost(this.ctx.vault());
    }

    private get origin(): string {
        return this.ctx.origin;
    }

    private get wire(): Wire {
        return { origin: this.ctx.origin, apiVersion: this.req.query.get("api-version") ?? "" };
    }

    /** A key being recovered is not there yet. */
    private visible(key: { visibleAt?: number }): boolean {
        if (key.visibleAt === undefined) return true;
        if (key.visibleAt > this.ctx.now()) return false;
        delete key.visibleAt;
        return true;
    }

    private activeKey(vault: VaultRecord, name: string): KeyRecord {
        const key = vault.keys.get(lower(name));
        if (!key || !this.visible(key)) throw keyNotFound(name);
        return key;
    }

    private keyVersion(vault: VaultRecord, name: string, version: string): { key: KeyRecord; v: KeyVersion } {
        const key = this.activeKey(vault, name);
        const v = version === "" ? key.versions[key.versions.length - 1] : key.versions.find((x) => x.version === lower(version));
        if (!v) throw keyNotFound(name, version);
        return { key, v };
    }

    /** A new key name must not be soft-deleted. */
    private checkNotDeleted(vault: VaultRecord, name: string): void {
        const d = vault.deleted.get(lower(name));
        if (d && !this.visible(d)) throw conflict(`Key ${name} is currently being deleted.`, "ObjectIsBeingDeleted");
        if (d) throw conflict(`Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`, "ObjectIsDeletedButRecoverable");
        const live = vault.keys.get(lower(name));
        if (live && !this.visible(live)) throw conflict(`Key ${name} is currently being recovered.`, "ObjectIsBeingRecovered");
    }

    /** Which key types this vault or HSM accepts. */
    private checkKty(vault: VaultRecord, kty: string): Kty {
        const valid: Kty[] = ["RSA", "RSA-HSM", "EC", "EC-HSM", "oct-HSM"];
        if (!valid.includes(kty as Kty)) throw badParameter(`The key type ${JSON.stringify(kty)} is not supported; use RSA, RSA-HSM, EC, EC-HSM or oct-HSM (Managed HSM).`);
        const t = kty as Kty;
        if (vault.kind === "managedHsm") {
            if (!t.endsWith("-HSM")) throw badParameter(`Managed HSM only holds HSM-protected keys (RSA-HSM, EC-HSM, oct-HSM); got ${t}.`);
        } else {
            if (t === "oct-HSM") throw badParameter("oct-HSM keys are only supported by Managed HSM; a key vault has no AES keys.");
            if (t.endsWith("-HSM") && settingsOf(vault).sku !== "premium") throw badParameter(`${t} keys need a Premium vault; this vault's SKU is standard.`);
        }
        return t;
    }

    private commit(vault: VaultRecord, name: string, v: KeyVersion): KeyRecord {
        this.checkNotDeleted(vault, name);
        let key = vault.keys.get(lower(name));
        if (!key) {
            key = { name, versions: [] };
            vault.keys.set(lower(name), key);
        }
        key.versions.push(v);
        return key;
    }

    private newVersion(args: {
        kty: Kty;
        material: Material;
        keyOps: string[];
        origin: KeyOrigin;
        attributes: ParsedAttributes;
        tags?: Record<string, string>;
        releasePolicy?: ReleasePolicy;
    }): KeyVersion {
        const now = seconds(this.ctx.now());
        const { attributes: a } = args;
        checkExportable(a, args.releasePolicy);
        return {
            version: newVersion(),
            kty: args.kty,
            keyOps: args.keyOps,
            ...(args.material.type === "ec" ? { crv: args.material.curve } : {}),
            material: args.material,
            fingerprint: materialFingerprint(args.material),
            origin: args.origin,
            enabled: a.enabled ?? true,
            ...(typeof a.nbf === "number" ? { nbf: a.nbf } : {}),
            ...(typeof a.exp === "number" ? { exp: a.exp } : {}),
            ...(a.exportable !== undefined ? { exportable: a.exportable } : {}),
            created: now,
            updated: now,
            ...(args.tags ? { tags: args.tags } : {}),
            ...(args.releasePolicy ? { releasePolicy: args.releasePolicy } : {}),
        };
    }

    // ---- create, import, rotate

    async createKey(name: string): Promise<Reply> {
        checkName(name);
        const vault = this.vault;
        const body = requireBody(this.req.body);
        if (typeof body.kty !== "string") throw badParameter("The parameter kty is required.");
        const kty = this.checkKty(vault, body.kty);
        this.checkNotDeleted(vault, name);
        const keyOps = parseOps(body.key_ops, kty) ?? defaultOps(kty);
        const attributes = parseAttributes(body.attributes);
        const tags = parseTags(body.tags);
        const releasePolicy = parseReleasePolicy(body.release_policy);
        if (body.public_exponent !== undefined && body.public_exponent !== null && body.public_exponent !== 65537) throw badParameter("public_exponent must be 65537.");
        const size = body.key_size === undefined || body.key_size === null ? undefined : body.key_size;
        let material: Material;
        if (baseType(kty) === "RSA") {
            const bits = size ?? 2048;
            if (!RSA_SIZES.includes(bits as number)) throw badParameter(`key_size ${JSON.stringify(bits)} is not valid for ${kty}; allowed: ${RSA_SIZES.join(", ")}.`);
            checkExportable(attributes, releasePolicy); // before the slow part
            material = await generateRsa(bits as number);
        } else if (baseType(kty) === "EC") {
            const curve = body.crv === undefined || body.crv === null ? "P-256" : parseCurve(body.crv);
            if (!curve || body.crv === "secp256k1") throw badParameter(`crv ${JSON.stringify(body.crv)} is not valid; allowed: P-256, P-384, P-521, P-256K.`);
            material = generateEc(curve);
        } else {
            const bits = size ?? 256;
            if (!OCT_SIZES.includes(bits as number)) throw badParameter(`key_size ${JSON.stringify(bits)} is not valid for oct-HSM; allowed: ${OCT_SIZES.join(", ")}.`);
            material = generateOct(bits as number);
        }
        const v = this.newVersion({ kty, material, keyOps, origin: "generated", attributes, tags, releasePolicy });
        const key = this.commit(vault, name, v);
        return { status: 200, body: keyBundle(this.wire, vault, key, v) };
    }

    async importKey(name: string): Promise<Reply> {
        checkName(name);
        const vault = this.vault;
        const body = requireBody(this.req.body);
        const jwk = body.key;
        if (!isObject(jwk)) throw badParameter("The parameter key (a JSON web key) is required.");
        if (typeof jwk.kty !== "string") throw badParameter("The parameter key.kty is required.");
        if (body.Hsm !== undefined && body.Hsm !== null && typeof body.Hsm !== "boolean") throw badParameter("Hsm must be a boolean.");
        this.checkNotDeleted(vault, name);
        const attributes = parseAttributes(body.attributes);
        const tags = parseTags(body.tags);
        const releasePolicy = parseReleasePolicy(body.release_policy);
        let kty: Kty;
        let material: Material;
        let origin: KeyOrigin;
        if (jwk.key_hsm !== undefined && jwk.key_hsm !== null) {
            if (!["RSA-HSM", "EC-HSM", "oct-HSM"].includes(jwk.kty)) throw badParameter(`A key transfer blob (key_hsm) imports an RSA-HSM, EC-HSM or oct-HSM key; got kty ${JSON.stringify(jwk.kty)}.`);
            kty = this.checkKty(vault, jwk.kty);
            material = this.unwrapTransferBlob(vault, kty, jwk);
            origin = "byok";
        } else {
            const base = jwk.kty.replace(/-HSM$/, "");
            const hsm = body.Hsm === true || jwk.kty.endsWith("-HSM") || vault.kind === "managedHsm";
            if (!["RSA", "EC", "oct"].includes(base)) throw badParameter(`The key type ${JSON.stringify(jwk.kty)} is not supported for import.`);
            kty = this.checkKty(vault, base === "oct" ? "oct-HSM" : hsm ? `${base}-HSM` : base);
            material = softwareMaterial(kty, jwk);
            origin = "imported";
        }
        const keyOps = parseOps(jwk.key_ops, kty) ?? defaultOps(kty);
        if (keyOps.includes("import")) throw badParameter("A key exchange key (KEK) must be created in the vault or HSM (POST /keys/{name}/create); it cannot be imported.");
        const v = this.newVersion({ kty, material, keyOps, origin, attributes, tags, releasePolicy });
        const key = this.commit(vault, name, v);
        return { status: 200, body: keyBundle(this.wire, vault, key, v) };
    }

    /** BYOK: the transfer blob's KEK must be a key version of this vault with key_ops exactly ["import"]. */
    private unwrapTransferBlob(vault: VaultRecord, kty: Kty, jwk: Record<string, unknown>): Material {
        const raw = jwk.key_hsm;
        if (typeof raw !== "string") throw badParameter("key_hsm must be the base64 encoded key transfer blob.");
        let blob: unknown;
        try {
            const text = raw.trimStart().startsWith("{") ? raw : Buffer.from(raw, "base64").toString("utf8");
            blob = JSON.parse(text);
        } catch {
            throw badParameter("key_hsm is not a base64 encoded JSON key transfer blob.");
        }
        if (!isObject(blob)) throw badParameter("key_hsm is not a JSON key transfer blob.");
        if (blob.schema_version !== "1.0.0") throw badParameter(`The key transfer blob has schema_version ${JSON.stringify(blob.schema_version)}; expected "1.0.0".`);
        const header = blob.header;
        if (!isObject(header)) throw badParameter("The key transfer blob has no header.");
        if (header.alg !== "dir") throw badParameter(`The key transfer blob header.alg must be "dir" (got ${JSON.stringify(header.alg)}).`);
        if (header.enc !== "CKM_RSA_AES_KEY_WRAP") throw badParameter(`The key transfer blob header.enc must be "CKM_RSA_AES_KEY_WRAP" (got ${JSON.stringify(header.enc)}).`);
        if (typeof header.kid !== "string") throw badParameter("The key transfer blob header.kid (the versioned KEK identifier) is required.");
        if (typeof blob.ciphertext !== "string") throw badParameter("The key transfer blob has no ciphertext.");
        const kek = this.findKek(vault, header.kid);
        const ciphertext = binary(blob.ciphertext, "ciphertext", true);
        if (kek.material.type !== "rsa") throw badParameter("The KEK is not an RSA key.");
        let plain: Buffer;
        try {
            plain = rsaAesKeyUnwrap(kek.material.key, "sha1", ciphertext);
        } catch (e) {
            if (e instanceof UnwrapError) throw badParameter(`The key transfer blob could not be unwrapped with the KEK ${header.kid} (CKM_RSA_AES_KEY_WRAP, OAEP SHA-1): ${e.message}.`, "InvalidKeyTransferBlob");
            throw e;
        }
        try {
            return byokMaterial(kty, jwk, plain);
        } finally {
            plain.fill(0);
        }
    }

    private findKek(vault: VaultRecord, kid: string): KeyVersion {
        let url: URL;
        try {
            url = new URL(kid);
        } catch {
            throw badParameter(`The KEK identifier ${JSON.stringify(kid)} is not a URL.`);
        }
        const segs = url.pathname.split("/").slice(1);
        const [keys, kekName, version] = segs;
        if (!this.ctx.origins.some((o) => lower(o) === lower(url.origin))) throw badParameter(`The KEK ${kid} is not in this ${vault.kind === "vault" ? "key vault" : "Managed HSM"} (${this.host}): the KEK must be in the same vault or HSM as the imported key.`, "KekNotInVault");
        if (keys !== "keys" || !kekName || !version || segs.length !== 3) throw badParameter(`The KEK identifier ${kid} must be a versioned key identifier (${this.origin}/keys/{name}/{version}).`);
        const key = vault.keys.get(lower(kekName));
        const v = key?.versions.find((x) => x.version === lower(version));
        if (!v) throw badParameter(`The KEK ${kid} was not found in this vault.`, "KekNotFound");
        if (!isKek(v)) throw badParameter(`The key ${kid} is not a key exchange key: a KEK is RSA-HSM with key_ops exactly ["import"] (it has ${v.kty} ${JSON.stringify(v.keyOps)}).`, "InvalidKek");
        const now = seconds(this.ctx.now());
        if (!v.enabled || (v.nbf !== undefined && now < v.nbf) || (v.exp !== undefined && now >= v.exp)) throw badParameter(`The KEK ${kid} is disabled, not yet valid or expired.`, "InvalidKek");
        return v;
    }

    async rotateKey(name: string): Promise<Reply> {
        const vault = this.vault;
        const key = this.activeKey(vault, name);
        const cur = key.versions[key.versions.length - 1];
        const m = cur.material;
        const material = m.type === "rsa" ? await generateRsa(materialSize(m)!) : m.type === "ec" ? generateEc(m.curve) : generateOct(materialSize(m)!);
        const expiry = parseDuration(key.rotationPolicy?.expiryTime);
        const now = this.ctx.now();
        const v = this.newVersion({
            kty: cur.kty,
            material,
            keyOps: [...cur.keyOps],
            origin: "rotated",
            attributes: { enabled: true, ...(cur.exportable !== undefined ? { exportable: cur.exportable } : {}), ...(expiry !== undefined ? { exp: seconds(now + expiry) } : {}) },
            ...(cur.tags ? { tags: { ...cur.tags } } : {}),
            ...(cur.releasePolicy ? { releasePolicy: { ...cur.releasePolicy } } : {}),
        });
        // The key may have been deleted while an RSA key was generated.
        if (vault.keys.get(lower(name)) !== key) throw keyNotFound(name);
        key.versions.push(v);
        return { status: 200, body: keyBundle(this.wire, vault, key, v) };
    }

    // ---- read, list, update

    getKey(name: string, version: string): Reply {
        const vault = this.vault;
        const { key, v } = this.keyVersion(vault, name, version);
        return { status: 200, body: keyBundle(this.wire, vault, key, v) };
    }

    private page<T>(items: T[], path: string): { value: T[]; nextLink: string | null } {
        const q = this.req.query;
        const maxRaw = q.get("maxresults");
        const max = maxRaw === null || maxRaw === "" ? MAX_PAGE : Number(maxRaw);
        if (!Number.isInteger(max) || max < 1 || max > MAX_PAGE) throw badParameter(`maxresults must be an integer from 1 to ${MAX_PAGE}.`);
        const skipRaw = q.get("$skiptoken");
        const skip = skipRaw === null ? 0 : Number(skipRaw);
        if (!Number.isInteger(skip) || skip < 0) throw badParameter("$skiptoken is invalid.");
        const value = items.slice(skip, skip + max);
        const next = skip + max < items.length ? skip + max : undefined;
        const apiVersion = q.get("api-version") ?? "";
        return { value, nextLink: next === undefined ? null : `${this.origin}${path}?api-version=${encodeURIComponent(apiVersion)}&maxresults=${max}&$skiptoken=${next}` };
    }

    listKeys(): Reply {
        const vault = this.vault;
        const keys = [...vault.keys.values()].filter((k) => this.visible(k)).sort((a, b) => (lower(a.name) < lower(b.name) ? -1 : 1));
        return { status: 200, body: this.page(keys.map((k) => keyItem(this.wire, vault, k, k.versions[k.versions.length - 1], false)), "/keys") };
    }

    listKeyVersions(name: string): Reply {
        const vault = this.vault;
        const key = this.activeKey(vault, name);
        return { status: 200, body: this.page(key.versions.map((v) => keyItem(this.wire, vault, key, v, true)), `/keys/${key.name}/versions`) };
    }

    updateKey(name: string, version: string): Reply {
        const vault = this.vault;
        const { key, v } = this.keyVersion(vault, name, version);
        const body = requireBody(this.req.body);
        const a = parseAttributes(body.attributes);
        const ops = parseOps(body.key_ops, v.kty);
        if (ops && isKek(v) && !(ops.length === 1 && ops[0] === "import")) throw badParameter('A key exchange key (KEK) keeps "import" as its only key operation.');
        if (ops && ops.includes("import") && !isKek(v)) throw badParameter('Only a key created as a key exchange key (KEK) has the "import" operation.');
        const tags = parseTags(body.tags);
        const releasePolicy = parseReleasePolicy(body.release_policy);
        if (a.exportable !== undefined && a.exportable !== (v.exportable ?? false)) throw badParameter("attributes.exportable cannot be changed after the key was created.");
        const nbf = a.nbf === undefined ? v.nbf : (a.nbf ?? undefined);
        const exp = a.exp === undefined ? v.exp : (a.exp ?? undefined);
        if (nbf !== undefined && exp !== undefined && nbf >= exp) throw badParameter("attributes.nbf must be before attributes.exp.");
        // Validated: apply.
        if (a.enabled !== undefined) v.enabled = a.enabled;
        if (nbf === undefined) delete v.nbf;
        else v.nbf = nbf;
        if (exp === undefined) delete v.exp;
        else v.exp = exp;
        if (ops) v.keyOps = ops;
        if (tags) v.tags = tags;
        if (releasePolicy) v.releasePolicy = releasePolicy;
        v.updated = seconds(this.ctx.now());
        return { status: 200, body: keyBundle(this.wire, vault, key, v) };
    }

    // ---- backup, restore

    backupKey(name: string): Reply {
        const vault = this.vault;
        const key = this.activeKey(vault, name);
        return { status: 200, body: { value: b64u(sealBackup(vault.kind, key)) } };
    }

    restoreKey(): Reply {
        const vault = this.vault;
        const body = requireBody(this.req.body);
        const key = openBackup(vault.kind, binary(body.value, "value", true));
        const taken = vault.keys.has(lower(key.name)) || vault.deleted.has(lower(key.name));
        if (taken) throw conflict(`There was a conflict restoring the key ${key.name}: a key of that name exists in this vault (or is deleted and not purged).`);
        // Shown at once: no recording says how long a restore takes (the .NET SDK's 4.5.0-beta.1 notes an
        // "ObjectIsBeingRecovered" right after a restore, not how long it lasts).
        vault.keys.set(lower(key.name), key);
        return { status: 200, body: keyBundle(this.wire, vault, key, key.versions[key.versions.length - 1]) };
    }

    // ---- delete, recover, purge

    deleteKey(name: string): Reply {
        const vault = this.vault;
        const key = this.activeKey(vault, name);
        const now = seconds(this.ctx.now());
        if (!settingsOf(vault).softDelete) {
            // No soft delete: the key is gone for good, and the answer has no recoveryId (the SDK's poller ends on it).
            vault.keys.delete(lower(name));
            return { status: 200, body: keyBundle(this.wire, vault, key, key.versions[key.versions.length - 1]) };
        }
        const d: DeletedKeyRecord = { key, deletedDate: now, scheduledPurgeDate: now + settingsOf(vault).retentionDays * (DAY_MS / 1000), ...(this.ctx.settleMs > 0 ? { visibleAt: this.ctx.now() + this.ctx.settleMs } : {}) };
        vault.keys.delete(lower(name));
        vault.deleted.set(lower(name), d);
        return { status: 200, body: { ...keyBundle(this.wire, vault, key, key.versions[key.versions.length - 1]), ...deletedInfo(this.origin, d) } };
    }

    /** A deleted key, once its deletion shows (right after DeleteKey, Key Vault answers 404 for a few seconds: recorded). */
    private deletedKey(vault: VaultRecord, name: string, missing: () => AzureError = () => new AzureError(404, "KeyNotFound", `Deleted Key not found: ${name}`)) {
        const d = vault.deleted.get(lower(name));
        if (!d || !this.visible(d)) throw missing();
        return d;
    }

    getDeletedKey(name: string): Reply {
        const vault = this.vault;
        const d = this.deletedKey(vault, name);
        return { status: 200, body: { ...keyBundle(this.wire, vault, d.key, d.key.versions[d.key.versions.length - 1]), ...deletedInfo(this.origin, d) } };
    }

    listDeletedKeys(): Reply {
        const vault = this.vault;
        const items = [...vault.deleted.values()]
            .filter((d) => this.visible(d))
            .sort((a, b) => (lower(a.key.name) < lower(b.key.name) ? -1 : 1))
            .map((d) => ({ ...keyItem(this.wire, vault, d.key, d.key.versions[d.key.versions.length - 1], false), ...deletedInfo(this.origin, d) }));
        return { status: 200, body: this.page(items, "/deletedkeys") };
    }

    recoverDeletedKey(name: string): Reply {
        const vault = this.vault;
        // A recover of a key that is not deleted: the live key's "not found" (recorded).
        const d = this.deletedKey(vault, name, () => keyNotFound(name));
        if (vault.keys.has(lower(name))) throw conflict(`A key named ${name} already exists in this vault.`);
        vault.deleted.delete(lower(name));
        // GetKey answers 404 for a few seconds after the recover.
        if (this.ctx.settleMs > 0) d.key.visibleAt = this.ctx.now() + this.ctx.settleMs;
        else delete d.key.visibleAt;
        vault.keys.set(lower(name), d.key);
        return { status: 200, body: keyBundle(this.wire, vault, d.key, d.key.versions[d.key.versions.length - 1]) };
    }

    purgeDeletedKey(name: string): Reply {
        const vault = this.vault;
        this.deletedKey(vault, name);
        if (settingsOf(vault).purgeProtection)
            throw forbidden('Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.', "PurgeProtectionEnabled");
        vault.deleted.delete(lower(name));
        return { status: 204 };
    }

    // ---- rotation policy

    getRotationPolicy(name: string): Reply {
        const vault = this.vault;
        return { status: 200, body: rotationPolicyBody(this.origin, this.activeKey(vault, name)) };
    }

    updateRotationPolicy(name: string): Reply {
        const vault = this.vault;
        const key = this.activeKey(vault, name);
        const body = requireBody(this.req.body);
        const attrs = body.attributes === undefined || body.attributes === null ? {} : body.attributes;
        if (!isObject(attrs)) throw badParameter("attributes must be an object.");
        let expiryMs: number | undefined;
        let expiryTime: string | undefined;
        if (attrs.expiryTime !== undefined && attrs.expiryTime !== null) {
            expiryMs = parseDuration(attrs.expiryTime);
            if (expiryMs === undefined) throw badParameter(`attributes.expiryTime ${JSON.stringify(attrs.expiryTime)} is not an ISO 8601 duration such as P90D.`);
            if (daysOf(expiryMs) < ROTATION_MIN_EXPIRY_DAYS) throw badParameter(`attributes.expiryTime must be at least ${ROTATION_MIN_EXPIRY_DAYS} days (P${ROTATION_MIN_EXPIRY_DAYS}D); got ${attrs.expiryTime}.`);
            expiryTime = attrs.expiryTime as string;
        }
        const rawActions = body.lifetimeActions ?? [];
        if (!Array.isArray(rawActions)) throw badParameter("lifetimeActions must be an array.");
        const actions: LifetimeAction[] = rawActions.map((a, i) => {
            if (!isObject(a) || !isObject(a.trigger) || !isObject(a.action)) throw badParameter(`lifetimeActions[${i}] needs a trigger and an action.`);
            const type = typeof a.action.type === "string" ? { rotate: "Rotate" as const, notify: "Notify" as const }[a.action.type.toLowerCase()] : undefined;
            if (!type) throw badParameter(`lifetimeActions[${i}].action.type must be Rotate or Notify.`);
            const { timeAfterCreate, timeBeforeExpiry } = a.trigger as { timeAfterCreate?: unknown; timeBeforeExpiry?: unknown };
            const has = (x: unknown) => x !== undefined && x !== null;
            if (has(timeAfterCreate) === has(timeBeforeExpiry)) throw badParameter(`lifetimeActions[${i}].trigger needs exactly one of timeAfterCreate and timeBeforeExpiry.`);
            const field = has(timeAfterCreate) ? "timeAfterCreate" : "timeBeforeExpiry";
            const text = has(timeAfterCreate) ? timeAfterCreate : timeBeforeExpiry;
            const ms = parseDuration(text);
            if (ms === undefined) throw badParameter(`lifetimeActions[${i}].trigger.${field} ${JSON.stringify(text)} is not an ISO 8601 duration.`);
            if (daysOf(ms) < ROTATION_MIN_TRIGGER_DAYS) throw badParameter(`lifetimeActions[${i}].trigger.${field} must be at least ${ROTATION_MIN_TRIGGER_DAYS} days.`);
            if (type === "Notify" && field !== "timeBeforeExpiry") throw badParameter(`lifetimeActions[${i}]: a Notify action is triggered by timeBeforeExpiry.`);
            if (expiryMs !== undefined && ms >= expiryMs) throw badParameter(`lifetimeActions[${i}].trigger.${field} must be shorter than attributes.expiryTime.`);
            if (field === "timeBeforeExpiry" && expiryMs === undefined) throw badParameter(`lifetimeActions[${i}].trigger.timeBeforeExpiry needs attributes.expiryTime.`);
            return { trigger: { [field]: text as string }, action: { type } };
        });
        for (const t of ["Rotate", "Notify"]) if (actions.filter((a) => a.action.type === t).length > 1) throw badParameter(`A rotation policy has at most one ${t} action.`);
        // A policy without a Notify action gets the service's default one (recorded: a PUT of only Rotate answers both).
        if (!actions.some((a) => a.action.type === "Notify")) actions.push({ trigger: { timeBeforeExpiry: DEFAULT_NOTIFY_BEFORE_EXPIRY }, action: { type: "Notify" } });
        const now = seconds(this.ctx.now());
        key.rotationPolicy = { lifetimeActions: actions, ...(expiryTime ? { expiryTime } : {}), created: key.rotationPolicy?.created ?? now, updated: now };
        return { status: 200, body: rotationPolicyBody(this.origin, key) };
    }

    // ---- cryptography

    keyOperation(name: string, version: string, op: "encrypt" | "decrypt" | "wrapKey" | "unwrapKey" | "sign" | "verify"): Reply {
        const vault = this.vault;
        const { key, v } = this.keyVersion(vault, name, version);
        const body = requireBody(this.req.body);
        if (typeof body.alg !== "string") throw badParameter("The parameter alg is required.");
        const now = seconds(this.ctx.now());
        if (!v.enabled) throw forbidden(`Operation ${op} is not allowed on a disabled key.`, "KeyDisabled");
        if (v.nbf !== undefined && now < v.nbf) throw forbidden(`Operation ${op} is not allowed on a key that is not yet valid (nbf).`, "KeyNotYetValid");
        if (v.exp !== undefined && now >= v.exp) throw forbidden(`Operation ${op} is not allowed on an expired key.`, "KeyExpired");
        if (!v.keyOps.includes(op)) throw forbidden(`Operation ${op} is not permitted for this key: its key_ops are ${JSON.stringify(v.keyOps)}.`, "KeyOperationForbidden");
        const kid = keyId(this.origin, key.name, v.version);
        const alg = body.alg;
        try {
            switch (op) {
                case "encrypt": {
                    const r = encrypt(v.material, { alg, value: binary(body.value, "value", true), iv: binary(body.iv, "iv"), aad: binary(body.aad, "aad") });
                    return { status: 200, body: { kid, value: b64u(r.value), ...(r.iv ? { iv: b64u(r.iv) } : {}), ...(r.tag ? { tag: b64u(r.tag) } : {}), ...(r.aad ? { aad: b64u(r.aad) } : {}) } };
                }
                case "decrypt": {
                    const r = decrypt(v.material, { alg, value: binary(body.value, "value", true), iv: binary(body.iv, "iv"), aad: binary(body.aad, "aad"), tag: binary(body.tag, "tag") });
                    return { status: 200, body: { kid, value: b64u(r.value) } };
                }
                case "wrapKey":
                    return { status: 200, body: { kid, value: b64u(wrapKey(v.material, alg, binary(body.value, "value", true))) } };
                case "unwrapKey":
                    return { status: 200, body: { kid, value: b64u(unwrapKey(v.material, alg, binary(body.value, "value", true))) } };
                case "sign":
                    return { status: 200, body: { kid, value: b64u(sign(v.material, alg, binary(body.value, "value", true))) } };
                case "verify":
                    return { status: 200, body: { value: verify(v.material, alg, binary(body.digest, "digest", true), binary(body.value, "value", true)) } };
            }
        } catch (e) {
            if (e instanceof CryptoParameterError) throw badParameter(e.message);
            throw e;
        }
    }

    getRandomBytes(): Reply {
        const vault = this.vault;
        if (vault.kind !== "managedHsm") throw badParameter("Random bytes (POST /rng) are only available from a Managed HSM.");
        const body = requireBody(this.req.body);
        const count = body.count;
        if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 128) {
            // Recorded: the message ends with the Activity ID, which is also the answer's x-ms-request-id.
            const activity = crypto.randomUUID();
            throw new AzureError(400, "BadParameter", `GetRandomBytesRequest: count cannot be greater than 128 or less than 1 (Activity ID: ${activity})`, undefined, { "x-ms-request-id": activity });
        }
        return { status: 200, body: { value: b64u(crypto.randomBytes(count)) } };
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Material from imports

function asMaterialError(e: unknown): never {
    if (e instanceof MaterialError) throw badParameter(`The imported key material does not fit the key type: ${e.message}.`, "InvalidKeyMaterial");
    throw e;
}

/** Checks BYOK plaintext against the target: RSA 2048/3072/4096 PKCS#8, EC PKCS#8 on `crv`, oct 16/24/32 bytes. */
function byokMaterial(kty: Kty, jwk: Record<string, unknown>, plain: Buffer): Material {
    try {
        if (kty === "oct-HSM") {
            const bytes = [16, 24, 32];
            if (!bytes.includes(plain.length)) throw new MaterialError(`expected 16, 24 or 32 raw bytes (AES-128/192/256), got ${plain.length} bytes`);
            if (jwk.key_size !== undefined && jwk.key_size !== null && jwk.key_size !== plain.length * 8) throw new MaterialError(`expected ${jwk.key_size}-bit AES key material, got ${plain.length} bytes`);
            checkMaterial({ type: "aes", bytes: plain.length as 16 | 24 | 32 }, plain);
            return { type: "oct", bytes: Buffer.from(plain) };
        }
        if (kty === "RSA-HSM") {
            const probe = parsePkcs8(plain, "an RSA private key as DER PKCS#8");
            const bits = probe.asymmetricKeyType === "rsa" ? probe.asymmetricKeyDetails?.modulusLength : undefined;
            if (bits !== undefined && !RSA_SIZES.includes(bits)) throw new MaterialError(`expected an RSA-2048, RSA-3072 or RSA-4096 private key as DER PKCS#8, got RSA-${bits}`);
            const key = checkMaterial({ type: "rsa", bits: (bits ?? 2048) as 2048 | 3072 | 4096 }, plain)!;
            return { type: "rsa", key };
        }
        const probe = parsePkcs8(plain, "an EC private key as DER PKCS#8");
        let curve: AzureCurve | undefined;
        if (jwk.crv !== undefined && jwk.crv !== null) {
            curve = parseCurve(jwk.crv);
            if (!curve) throw badParameter(`crv ${JSON.stringify(jwk.crv)} is not valid; allowed: P-256, P-384, P-521, P-256K.`);
        } else {
            curve = probe.asymmetricKeyType === "ec" ? curveOfKey(probe) : undefined;
        }
        const key = checkMaterial({ type: "ec", curve: MATERIAL_CURVE[curve ?? "P-256"] }, plain)!;
        return { type: "ec", key, curve: curve ?? "P-256" };
    } catch (e) {
        return asMaterialError(e);
    }
}

function parsePkcs8(plain: Buffer, what: string): crypto.KeyObject {
    try {
        return crypto.createPrivateKey({ key: plain, format: "der", type: "pkcs8" });
    } catch {
        throw new MaterialError(`expected ${what}, got ${plain.length} bytes that are not a DER PKCS#8 private key`);
    }
}

const RSA_PRIVATE = ["n", "e", "d", "p", "q", "dp", "dq", "qi"];

/** n = p·q, and a signature made with the private members verifies with (n, e). */
function rsaConsistent(key: crypto.KeyObject, members: Record<string, string>): boolean {
    const int = (f: string) => BigInt(`0x${Buffer.from(members[f], "base64url").toString("hex") || "0"}`);
    if (int("p") * int("q") !== int("n")) return false;
    try {
        const probe = crypto.randomBytes(32);
        const pub = crypto.createPublicKey({ key: { kty: "RSA", n: members.n, e: members.e }, format: "jwk" });
        return crypto.verify("sha256", probe, pub, crypto.sign("sha256", probe, key));
    } catch {
        return false;
    }
}

/** A software import: a JWK with its private members (base64url), checked against its own public part. */
function softwareMaterial(kty: Kty, jwk: Record<string, unknown>): Material {
    const str = (f: string) => {
        const v = jwk[f];
        if (typeof v !== "string" || v.length === 0) throw badParameter(`The imported ${kty} key needs the JWK member ${f} (private key material).`);
        return v;
    };
    try {
        if (baseType(kty) === "oct") {
            const bytes = Buffer.from(str("k"), "base64");
            if (![16, 24, 32].includes(bytes.length)) throw new MaterialError(`expected 16, 24 or 32 raw bytes (AES-128/192/256), got ${bytes.length} bytes`);
            return { type: "oct", bytes };
        }
        if (baseType(kty) === "RSA") {
            const members = Object.fromEntries(RSA_PRIVATE.map((f) => [f, Buffer.from(str(f), "base64").toString("base64url")]));
            let key: crypto.KeyObject;
            try {
                key = crypto.createPrivateKey({ key: { kty: "RSA", ...members }, format: "jwk" });
            } catch {
                throw badParameter("The imported RSA key is not a valid JSON web key.");
            }
            const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
            if (!RSA_SIZES.includes(bits)) throw new MaterialError(`expected an RSA-2048, RSA-3072 or RSA-4096 key, got RSA-${bits}`);
            if (!rsaConsistent(key, members)) throw badParameter("The imported RSA key's private members do not match its public modulus and exponent.");
            return { type: "rsa", key };
        }
        const curve = parseCurve(jwk.crv);
        if (!curve) throw badParameter(`crv ${JSON.stringify(jwk.crv)} is not valid; allowed: P-256, P-384, P-521, P-256K.`);
        const nodeCrv = curve === "P-256K" ? "secp256k1" : curve;
        const [x, y, d] = [str("x"), str("y"), str("d")].map((s) => Buffer.from(s, "base64").toString("base64url"));
        let key: crypto.KeyObject;
        try {
            key = crypto.createPrivateKey({ key: { kty: "EC", crv: nodeCrv, x, y, d }, format: "jwk" });
        } catch {
            throw badParameter("The imported EC key is not a valid JSON web key for its curve.");
        }
        const derived = crypto.createPublicKey(key).export({ format: "jwk" }) as { x: string; y: string };
        if (derived.x !== x || derived.y !== y) throw badParameter("The imported EC key's private member d does not match its public point.");
        return { type: "ec", key, curve };
    } catch (e) {
        return asMaterialError(e);
    }
}
