/**
 * A key in a PKCS#11 token as `SealedMaterial`: found and checked against the key the spec declares (type, size,
 * curve, extractable), fingerprinted without its material (./fingerprint.ts), and
 * wrapped inside the token for a cloud's public key:
 *
 * - RSA-AES (CKM_RSA_AES_KEY_WRAP's output): composed in the token from an ephemeral AES-256 session key, C_WrapKey
 *   of it with CKM_RSA_PKCS_OAEP under the cloud's public key, C_WrapKey of the target with CKM_AES_KEY_WRAP_PAD
 *   under it, and the ephemeral key destroyed. pkcs11js cannot pass CK_RSA_AES_KEY_WRAP_PARAMS (a structure with a
 *   pointer to the OAEP parameters), so the composed form is used even where the token has the mechanism.
 * - direct OAEP (AWS RSAES_OAEP_* for symmetric keys, GCP RSA_OAEP_*_SHA256): C_WrapKey with CKM_RSA_PKCS_OAEP.
 *
 * The OAEP hashes the token accepts are probed once per token (SoftHSM2 refuses SHA-256: CKR_ARGUMENTS_BAD).
 */
import * as crypto from "crypto";
import type { MaterialKind } from "../../crypto/material";
import type { OaepHash } from "../../crypto/keywrap";
import type { SealedMaterial } from "../../crypto/sealed";
import { tokenFingerprint } from "./fingerprint";
import { ckrText, Pkcs11SourceError } from "./module";
import { boolAttr, findObjects, Handle, readAttributes, selectorTemplate, TokenSession, ulongAttr } from "./session";
import type { Pkcs11Uri } from "./uri";

const EC_OIDS: Record<string, string> = { "P-256": "06082a8648ce3d030107", "P-384": "06052b81040022" };
const WRAP_BUFFER_BYTES = 16 * 1024;

/** The URI names no key of the declared class in the token. */
export class Pkcs11KeyAbsent extends Pkcs11SourceError {}

const kindName = (k: MaterialKind) => (k.type === "aes" ? "AES-256" : k.type === "hmac" ? "HMAC-256 (generic secret)" : k.type === "rsa" ? `RSA-${k.bits}` : `EC ${k.curve}`);

/** Finds the URI's key and checks it is the declared kind; returns its handle and, for private keys, its public key. */
export function findTokenKey(t: TokenSession, uri: Pkcs11Uri, kind: MaterialKind, where: string): { handle: Handle; publicKey?: crypto.KeyObject; length: number } {
    const p = t.p11;
    const secret = kind.type === "aes" || kind.type === "hmac";
    const cls = secret ? p.CKO_SECRET_KEY : p.CKO_PRIVATE_KEY;
    const wantType = secret ? "secret-key" : "private";
    if (uri.type && uri.type !== wantType) throw new Pkcs11SourceError(`${where}: type=${uri.type}, but the key's algorithm needs ${kindName(kind)} material (allowed: type=${wantType})`);
    const handles = findObjects(t, selectorTemplate(t, uri, cls));
    if (handles.length === 0) {
        const others = findObjects(t, selectorTemplate(t, uri));
        const classes: Record<number, string> = { [p.CKO_SECRET_KEY]: "a secret key", [p.CKO_PRIVATE_KEY]: "a private key", [p.CKO_PUBLIC_KEY]: "a public key", [p.CKO_CERTIFICATE]: "a certificate", [p.CKO_DATA]: "a data object" };
        const what = others.map((h) => classes[ulongAttr(readAttributes(t, h, [p.CKA_CLASS]).get(p.CKA_CLASS)) ?? -1] ?? "another object");
        if (what.length) throw new Pkcs11SourceError(`${where}: is ${[...new Set(what)].sort().join(" and ")}, not ${secret ? "a secret key" : "a private key"} of ${kindName(kind)} (the key's algorithm)`);
        const labels = findObjects(t, [{ type: p.CKA_CLASS, value: cls }])
            .map((h) => readAttributes(t, h, [p.CKA_LABEL]).get(p.CKA_LABEL)?.toString("utf8"))
            .filter((l): l is string => !!l)
            .sort();
        throw new Pkcs11KeyAbsent(`${where}: no such key in token "${t.tokenLabel}" (found ${secret ? "secret keys" : "private keys"}: ${labels.length ? labels.map((l) => `"${l}"`).join(", ") : "none"})`);
    }
    if (handles.length > 1) throw new Pkcs11SourceError(`${where}: ${handles.length} keys match in token "${t.tokenLabel}": add id=<CKA_ID> to name one`);
    const h = handles[0];
    const a = readAttributes(t, h, [p.CKA_KEY_TYPE, p.CKA_VALUE_LEN, p.CKA_MODULUS, p.CKA_PUBLIC_EXPONENT, p.CKA_EC_PARAMS, p.CKA_EXTRACTABLE, p.CKA_WRAP_WITH_TRUSTED, p.CKA_ID, p.CKA_LABEL]);
    const keyType = ulongAttr(a.get(p.CKA_KEY_TYPE));
    const typeNames: Record<number, string> = { [p.CKK_AES]: "AES", [p.CKK_GENERIC_SECRET]: "generic secret", [p.CKK_RSA]: "RSA", [p.CKK_EC]: "EC", [p.CKK_SHA256_HMAC]: "SHA256-HMAC" };
    const got = typeNames[keyType ?? -1] ?? `key type 0x${(keyType ?? 0).toString(16)}`;
    const wrongType = (detail: string) => new Pkcs11SourceError(`${where}: is ${detail}, not ${kindName(kind)} (the key's algorithm)`);
    let publicKey: crypto.KeyObject | undefined;
    let length = 0;
    if (kind.type === "aes" || kind.type === "hmac") {
        const ok = kind.type === "aes" ? keyType === p.CKK_AES : keyType === p.CKK_GENERIC_SECRET || keyType === p.CKK_SHA256_HMAC;
        length = ulongAttr(a.get(p.CKA_VALUE_LEN)) ?? 0;
        if (!ok) throw wrongType(`a ${got} key`);
        if (length !== kind.bytes) throw wrongType(`a ${length * 8}-bit ${got} key`);
    } else if (kind.type === "rsa") {
        if (keyType !== p.CKK_RSA) throw wrongType(`an ${got} private key`);
        const n = a.get(p.CKA_MODULUS);
        const e = a.get(p.CKA_PUBLIC_EXPONENT);
        if (!n || !e) throw new Pkcs11SourceError(`${where}: the token does not show the key's modulus and public exponent; they are needed for its fingerprint`);
        publicKey = crypto.createPublicKey({ key: { kty: "RSA", n: stripZeros(n).toString("base64url"), e: stripZeros(e).toString("base64url") }, format: "jwk" });
        const bits = publicKey.asymmetricKeyDetails?.modulusLength;
        if (bits !== kind.bits) throw wrongType(`RSA-${bits}`);
    } else {
        if (keyType !== p.CKK_EC) throw wrongType(`an ${got} private key`);
        const params = a.get(p.CKA_EC_PARAMS)?.toString("hex");
        const curve = Object.keys(EC_OIDS).find((c) => EC_OIDS[c] === params);
        if (curve !== kind.curve) throw wrongType(`an EC key on ${curve ?? `the curve with parameters ${params}`}`);
        publicKey = ecPublicKey(t, a.get(p.CKA_ID), a.get(p.CKA_LABEL), curve, where);
    }
    if (!boolAttr(a.get(p.CKA_EXTRACTABLE))) {
        throw new Pkcs11SourceError(`${where}: the key is not extractable (CKA_EXTRACTABLE false): it can never leave the token, even wrapped; create it extractable (and sensitive) to bring it to a cloud`);
    }
    if (boolAttr(a.get(p.CKA_WRAP_WITH_TRUSTED))) {
        throw new Pkcs11SourceError(`${where}: the key is CKA_WRAP_WITH_TRUSTED: only a trusted wrapping key of the token may wrap it, and a cloud's public key imported for one wrap is not trusted`);
    }
    return { handle: h, ...(publicKey ? { publicKey } : {}), length };
}

const stripZeros = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    return b.subarray(i);
};

/** An EC private key's public key: the public key object with the same CKA_ID (else label). */
function ecPublicKey(t: TokenSession, id: Buffer | undefined, label: Buffer | undefined, curve: string, where: string): crypto.KeyObject {
    const p = t.p11;
    const by = id && id.length ? { type: p.CKA_ID, value: id } : label && label.length ? { type: p.CKA_LABEL, value: label } : undefined;
    const handles = by ? findObjects(t, [{ type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY }, { type: p.CKA_KEY_TYPE, value: p.CKK_EC }, by]) : [];
    if (handles.length !== 1) {
        throw new Pkcs11SourceError(`${where}: the EC key's public key object (same ${by?.type === p.CKA_ID ? "id" : "label"}) ${handles.length ? "is not unique" : "is not in the token"}: it is needed for the fingerprint (the SHA-256 of the public key)`);
    }
    let point = readAttributes(t, handles[0], [p.CKA_EC_POINT]).get(p.CKA_EC_POINT);
    if (!point) throw new Pkcs11SourceError(`${where}: the EC public key object has no CKA_EC_POINT`);
    // DER OCTET STRING around the uncompressed point, as PKCS#11 specifies (some tokens give the raw point).
    if (point[0] === 0x04 && point.length >= 2 && point[1] === point.length - 2) point = point.subarray(2);
    else if (point[0] === 0x04 && point[1] === 0x81) point = point.subarray(3);
    const size = curve === "P-256" ? 32 : 48;
    if (point.length !== 2 * size + 1 || point[0] !== 0x04) throw new Pkcs11SourceError(`${where}: the EC public key's point is not an uncompressed ${curve} point`);
    const x = point.subarray(1, 1 + size).toString("base64url");
    const y = point.subarray(1 + size).toString("base64url");
    return crypto.createPublicKey({ key: { kty: "EC", crv: curve, x, y }, format: "jwk" });
}

type Template = { type: number; value?: unknown }[];

/** The cloud's public key as a session object that can wrap (destroyed by the caller). */
function wrappingKeyObject(t: TokenSession, pub: crypto.KeyObject): Handle {
    const p = t.p11;
    const jwk = pub.export({ format: "jwk" });
    const template: Template = [
        { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_RSA },
        { type: p.CKA_TOKEN, value: false },
        { type: p.CKA_WRAP, value: true },
        { type: p.CKA_ENCRYPT, value: true },
        { type: p.CKA_MODULUS, value: Buffer.from(jwk.n!, "base64url") },
        { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from(jwk.e!, "base64url") },
    ];
    return t.lib.C_CreateObject(t.session, template as any);
}

/** An ephemeral AES-256 session key: sensitive, extractable only so that OAEP can wrap it, able to wrap. */
function ephemeralAesKey(t: TokenSession): Handle {
    const p = t.p11;
    const template: Template = [
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
        { type: p.CKA_VALUE_LEN, value: 32 },
        { type: p.CKA_TOKEN, value: false },
        { type: p.CKA_PRIVATE, value: true },
        { type: p.CKA_SENSITIVE, value: true },
        { type: p.CKA_EXTRACTABLE, value: true },
        { type: p.CKA_WRAP, value: true },
        { type: p.CKA_ENCRYPT, value: false },
        { type: p.CKA_DECRYPT, value: false },
    ];
    return t.lib.C_GenerateKey(t.session, { mechanism: p.CKM_AES_KEY_GEN }, template as any);
}

function oaepMechanism(t: TokenSession, hash: OaepHash) {
    const p = t.p11;
    return {
        mechanism: p.CKM_RSA_PKCS_OAEP,
        parameter: { type: p.CK_PARAMS_RSA_OAEP, hashAlg: hash === "sha1" ? p.CKM_SHA_1 : p.CKM_SHA256, mgf: hash === "sha1" ? p.CKG_MGF1_SHA1 : p.CKG_MGF1_SHA256, source: 1, sourceData: null as any },
    };
}

function destroy(t: TokenSession, ...handles: (Handle | undefined)[]): void {
    for (const h of handles) {
        if (!h) continue;
        try {
            t.lib.C_DestroyObject(t.session, h);
        } catch {
            /* the session's end destroys it anyway */
        }
    }
}

/** The composed RSA-AES key wrap: OAEP(pub, K) || AES-KWP(K, target), all in the token. */
export function tokenRsaAesWrap(t: TokenSession, target: Handle, pub: crypto.KeyObject, hash: OaepHash, where: string): Buffer {
    let pubObj: Handle | undefined;
    let eph: Handle | undefined;
    try {
        pubObj = wrappingKeyObject(t, pub);
        eph = ephemeralAesKey(t);
        const k = t.lib.C_WrapKey(t.session, oaepMechanism(t, hash) as any, pubObj, eph, Buffer.alloc(WRAP_BUFFER_BYTES));
        let w: Buffer;
        try {
            w = t.lib.C_WrapKey(t.session, { mechanism: t.p11.CKM_AES_KEY_WRAP_PAD }, eph, target, Buffer.alloc(WRAP_BUFFER_BYTES));
        } catch (e) {
            throw new Pkcs11SourceError(`${where}: the token did not wrap the key with CKM_AES_KEY_WRAP_PAD: ${ckrText(e)}`);
        }
        return Buffer.concat([k, w]);
    } catch (e) {
        if (e instanceof Pkcs11SourceError) throw e;
        throw new Pkcs11SourceError(`${where}: the token did not wrap with CKM_RSA_PKCS_OAEP (${hash === "sha1" ? "SHA-1" : "SHA-256"}): ${ckrText(e)}`);
    } finally {
        destroy(t, eph, pubObj);
    }
}

/** RSAES-OAEP of a secret key's value, in the token. */
export function tokenOaepWrap(t: TokenSession, target: Handle, pub: crypto.KeyObject, hash: OaepHash, where: string): Buffer {
    let pubObj: Handle | undefined;
    try {
        pubObj = wrappingKeyObject(t, pub);
        return t.lib.C_WrapKey(t.session, oaepMechanism(t, hash) as any, pubObj, target, Buffer.alloc(WRAP_BUFFER_BYTES));
    } catch (e) {
        throw new Pkcs11SourceError(`${where}: the token did not wrap the key with CKM_RSA_PKCS_OAEP (${hash === "sha1" ? "SHA-1" : "SHA-256"}): ${ckrText(e)}`);
    } finally {
        destroy(t, pubObj);
    }
}

/** A public key used only to learn which OAEP hashes the token wraps with (no secret is ever wrapped under it). */
let probeKey: crypto.KeyObject | undefined;
const oaepSupport = new Map<string, OaepHash[]>();

/** The OAEP hashes the token wraps an ephemeral key with, probed once per token in this process. */
export function tokenOaepHashes(t: TokenSession): OaepHash[] {
    if (!t.mechanisms.has(t.p11.CKM_RSA_PKCS_OAEP)) return [];
    const id = `${t.modulePath}\0${t.tokenSerial}`;
    const known = oaepSupport.get(id);
    if (known) return known;
    probeKey ??= crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const hashes: OaepHash[] = [];
    for (const hash of ["sha256", "sha1"] as const) {
        let pubObj: Handle | undefined;
        let eph: Handle | undefined;
        try {
            pubObj = wrappingKeyObject(t, probeKey);
            eph = ephemeralAesKey(t);
            t.lib.C_WrapKey(t.session, oaepMechanism(t, hash) as any, pubObj, eph, Buffer.alloc(WRAP_BUFFER_BYTES));
            hashes.push(hash);
        } catch {
            /* not this hash */
        } finally {
            destroy(t, eph, pubObj);
        }
    }
    oaepSupport.set(id, hashes);
    return hashes;
}

/** The key as SealedMaterial; `fill(0)` closes the session. */
export function sealedTokenKey(t: TokenSession, uri: Pkcs11Uri, kind: MaterialKind, where: string): SealedMaterial {
    const oaepHashes = tokenOaepHashes(t);
    // Every cloud's import scheme starts with RSA-OAEP under the cloud's wrapping key: without it nothing can be
    // wrapped, so this is refused here (at Check, i.e. at preview), not at Create; and first, so that a key
    // to generate at deploy time (absent now) is refused as well.
    if (oaepHashes.length === 0) {
        throw new Pkcs11SourceError(
            `${where}: the token cannot wrap with RSA-OAEP (CKM_RSA_PKCS_OAEP ${t.mechanisms.has(t.p11.CKM_RSA_PKCS_OAEP) ? "is listed but refused both SHA-1 and SHA-256" : "is not in its mechanism list"}), which every cloud's import scheme needs (allowed: a token with CKM_RSA_PKCS_OAEP, SHA-1 or SHA-256)`,
        );
    }
    const { handle, publicKey, length } = findTokenKey(t, uri, kind, where);
    const fingerprint = tokenFingerprint(t, handle, publicKey, where);
    if (!t.mechanisms.has(t.p11.CKM_AES_KEY_WRAP_PAD) && !(kind.type === "aes" || kind.type === "hmac")) {
        throw new Pkcs11SourceError(`${where}: the token does not offer CKM_AES_KEY_WRAP_PAD, which wrapping a private key for a cloud needs`);
    }
    let open = true;
    const live = () => {
        if (!open) throw new Pkcs11SourceError(`${where}: the token session was already released`);
    };
    const checkHash = (hash: OaepHash) => {
        if (!oaepHashes.includes(hash)) {
            throw new Pkcs11SourceError(`${where}: the token wraps with RSA-OAEP ${oaepHashes.length ? `using ${oaepHashes.map((h) => (h === "sha1" ? "SHA-1" : "SHA-256")).join(" and ")} only` : "not at all"}, not ${hash === "sha1" ? "SHA-1" : "SHA-256"}`);
        }
    };
    return {
        sealed: true,
        description: where,
        length,
        oaepHashes,
        rsaAesMechanism: "composed",
        fingerprint,
        rsaAesKeyWrap(pub, hash) {
            live();
            checkHash(hash);
            return tokenRsaAesWrap(t, handle, pub, hash, where);
        },
        rsaOaepEncrypt(pub, hash) {
            live();
            checkHash(hash);
            if (!(kind.type === "aes" || kind.type === "hmac")) throw new Pkcs11SourceError(`${where}: a private key is too large for RSA-OAEP: it is wrapped with RSA-AES`);
            return tokenOaepWrap(t, handle, pub, hash, where);
        },
        fill() {
            if (!open) return;
            open = false;
            t.close();
        },
    };
}
