/** Keys: create, import (software JWK or BYOK transfer blob under a KEK), rotate, get, list, update. */
import { rsaAesKeyUnwrap, UnwrapError } from "../../../crypto/keywrap";
import { generateEc, generateOct, generateRsa, materialSize, parseCurve, type Material } from "../crypto";
import { parseDuration } from "../durations";
import { badParameter, keyNotFound } from "../errors";
import { byokMaterial, softwareMaterial } from "../import-material";
import { baseType, defaultOps, isKek, OCT_SIZES, parseOps, RSA_SIZES, checkExportable } from "../keytypes";
import { keyBundle, keyItem, lower, type KeyOrigin, type KeyVersion, type Kty, type VaultRecord } from "../model";
import { binary, checkName, isObject, parseAttributes, parseReleasePolicy, parseTags, requireBody, seconds, type Reply } from "../requests";
import type { VaultOps } from "../vault-ops";

export async function createKey(dp: VaultOps, name: string): Promise<Reply> {
    checkName(name);
    const vault = dp.vault;
    const body = requireBody(dp.req.body);
    if (typeof body.kty !== "string") throw badParameter("The parameter kty is required.");
    const kty = dp.checkKty(vault, body.kty);
    dp.checkNotDeleted(vault, name);
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
    const v = dp.newVersion({ kty, material, keyOps, origin: "generated", attributes, tags, releasePolicy });
    const key = dp.commit(vault, name, v);
    return { status: 200, body: keyBundle(dp.wire, vault, key, v) };
}

export async function importKey(dp: VaultOps, name: string): Promise<Reply> {
    checkName(name);
    const vault = dp.vault;
    const body = requireBody(dp.req.body);
    const jwk = body.key;
    if (!isObject(jwk)) throw badParameter("The parameter key (a JSON web key) is required.");
    if (typeof jwk.kty !== "string") throw badParameter("The parameter key.kty is required.");
    if (body.Hsm !== undefined && body.Hsm !== null && typeof body.Hsm !== "boolean") throw badParameter("Hsm must be a boolean.");
    dp.checkNotDeleted(vault, name);
    const attributes = parseAttributes(body.attributes);
    const tags = parseTags(body.tags);
    const releasePolicy = parseReleasePolicy(body.release_policy);
    let kty: Kty;
    let material: Material;
    let origin: KeyOrigin;
    if (jwk.key_hsm !== undefined && jwk.key_hsm !== null) {
        if (!["RSA-HSM", "EC-HSM", "oct-HSM"].includes(jwk.kty)) throw badParameter(`A key transfer blob (key_hsm) imports an RSA-HSM, EC-HSM or oct-HSM key; got kty ${JSON.stringify(jwk.kty)}.`);
        kty = dp.checkKty(vault, jwk.kty);
        material = unwrapTransferBlob(dp, vault, kty, jwk);
        origin = "byok";
    } else {
        const base = jwk.kty.replace(/-HSM$/, "");
        const hsm = body.Hsm === true || jwk.kty.endsWith("-HSM") || vault.kind === "managedHsm";
        if (!["RSA", "EC", "oct"].includes(base)) throw badParameter(`The key type ${JSON.stringify(jwk.kty)} is not supported for import.`);
        kty = dp.checkKty(vault, base === "oct" ? "oct-HSM" : hsm ? `${base}-HSM` : base);
        material = softwareMaterial(kty, jwk);
        origin = "imported";
    }
    const keyOps = parseOps(jwk.key_ops, kty) ?? defaultOps(kty);
    if (keyOps.includes("import")) throw badParameter("A key exchange key (KEK) must be created in the vault or HSM (POST /keys/{name}/create); it cannot be imported.");
    const v = dp.newVersion({ kty, material, keyOps, origin, attributes, tags, releasePolicy });
    const key = dp.commit(vault, name, v);
    return { status: 200, body: keyBundle(dp.wire, vault, key, v) };
}

/** BYOK: the transfer blob's KEK must be a key version of this vault with key_ops exactly ["import"]. */
function unwrapTransferBlob(dp: VaultOps, vault: VaultRecord, kty: Kty, jwk: Record<string, unknown>): Material {
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
    const kek = findKek(dp, vault, header.kid);
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

function findKek(dp: VaultOps, vault: VaultRecord, kid: string): KeyVersion {
    let url: URL;
    try {
        url = new URL(kid);
    } catch {
        throw badParameter(`The KEK identifier ${JSON.stringify(kid)} is not a URL.`);
    }
    const segs = url.pathname.split("/").slice(1);
    const [keys, kekName, version] = segs;
    if (!dp.ctx.origins.some((o) => lower(o) === lower(url.origin))) throw badParameter(`The KEK ${kid} is not in this ${vault.kind === "vault" ? "key vault" : "Managed HSM"} (${dp.host}): the KEK must be in the same vault or HSM as the imported key.`, "KekNotInVault");
    if (keys !== "keys" || !kekName || !version || segs.length !== 3) throw badParameter(`The KEK identifier ${kid} must be a versioned key identifier (${dp.origin}/keys/{name}/{version}).`);
    const key = vault.keys.get(lower(kekName));
    const v = key?.versions.find((x) => x.version === lower(version));
    if (!v) throw badParameter(`The KEK ${kid} was not found in this vault.`, "KekNotFound");
    if (!isKek(v)) throw badParameter(`The key ${kid} is not a key exchange key: a KEK is RSA-HSM with key_ops exactly ["import"] (it has ${v.kty} ${JSON.stringify(v.keyOps)}).`, "InvalidKek");
    const now = seconds(dp.ctx.now());
    if (!v.enabled || (v.nbf !== undefined && now < v.nbf) || (v.exp !== undefined && now >= v.exp)) throw badParameter(`The KEK ${kid} is disabled, not yet valid or expired.`, "InvalidKek");
    return v;
}

export async function rotateKey(dp: VaultOps, name: string): Promise<Reply> {
    const vault = dp.vault;
    const key = dp.activeKey(vault, name);
    const cur = key.versions[key.versions.length - 1];
    const m = cur.material;
    const material = m.type === "rsa" ? await generateRsa(materialSize(m)!) : m.type === "ec" ? generateEc(m.curve) : generateOct(materialSize(m)!);
    const expiry = parseDuration(key.rotationPolicy?.expiryTime);
    const now = dp.ctx.now();
    const v = dp.newVersion({
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
    return { status: 200, body: keyBundle(dp.wire, vault, key, v) };
}

export function getKey(dp: VaultOps, name: string, version: string): Reply {
    const vault = dp.vault;
    const { key, v } = dp.keyVersion(vault, name, version);
    return { status: 200, body: keyBundle(dp.wire, vault, key, v) };
}

export function listKeys(dp: VaultOps): Reply {
    const vault = dp.vault;
    const keys = [...vault.keys.values()].filter((k) => dp.visible(k)).sort((a, b) => (lower(a.name) < lower(b.name) ? -1 : 1));
    return { status: 200, body: dp.page(keys.map((k) => keyItem(dp.wire, vault, k, k.versions[k.versions.length - 1], false)), "/keys") };
}

export function listKeyVersions(dp: VaultOps, name: string): Reply {
    const vault = dp.vault;
    const key = dp.activeKey(vault, name);
    return { status: 200, body: dp.page(key.versions.map((v) => keyItem(dp.wire, vault, key, v, true)), `/keys/${key.name}/versions`) };
}

export function updateKey(dp: VaultOps, name: string, version: string): Reply {
    const vault = dp.vault;
    const { key, v } = dp.keyVersion(vault, name, version);
    const body = requireBody(dp.req.body);
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
    v.updated = seconds(dp.ctx.now());
    return { status: 200, body: keyBundle(dp.wire, vault, key, v) };
}
