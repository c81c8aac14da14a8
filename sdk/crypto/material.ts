/**
 * Key material checks and fingerprints. Messages never include the material.
 */
import * as crypto from "crypto";
import type { Purpose } from "../schema/constants";
import { isSealed, KeyMaterial } from "./sealed";

/** What a piece of plaintext key material must be. */
export type MaterialKind =
    | { readonly type: "aes"; readonly bytes: 16 | 24 | 32 }
    | { readonly type: "hmac"; readonly bytes: number }
    | { readonly type: "rsa"; readonly bits: 2048 | 3072 | 4096 }
    | { readonly type: "ec"; readonly curve: "P-256" | "P-384" | "P-521" | "secp256k1" };

export class MaterialError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MaterialError";
    }
}

/**
 * The largest material keyfabric reads, from any source, in any encoding: the largest key it accepts is RSA-4096,
 * whose PKCS#8 DER is about 2,375 bytes; its largest accepted encoding is hex (about 4,750 characters; PEM is about
 * 3,270 and a private JWK about 3,150). 8 KiB leaves room for line breaks and JWK metadata, and nothing larger can be
 * key material: a source that is larger is refused, and never read past this bound.
 */
export const MAX_MATERIAL_BYTES = 8192;

/** The only RSA public exponent keyfabric accepts, for material and for wrapping keys (NIST SP 800-56B, FIPS 186-5 use it). */
export const RSA_PUBLIC_EXPONENT = 65537n;

const CURVE_NAMES: Record<string, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", secp256k1: "secp256k1" };
/** OpenSSL curve names as JOSE names. */
export const JOSE_CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521", secp256k1: "secp256k1" };

export function describeKind(kind: MaterialKind): string {
    switch (kind.type) {
        case "aes":
            return `${kind.bytes} raw bytes (AES-${kind.bytes * 8})`;
        case "hmac":
            return `${kind.bytes} raw bytes (HMAC)`;
        case "rsa":
            return `an RSA-${kind.bits} private key as DER PKCS#8`;
        case "ec":
            return `an EC ${kind.curve} private key as DER PKCS#8`;
    }
}

/**
 * Checks that `material` is what `kind` needs; returns the parsed private key for asymmetric kinds.
 * Throws `MaterialError` saying what was expected and what was found (sizes and types only).
 * This is the fit check the emulators share with the clouds; `checkKeyQuality` adds keyfabric's own rules.
 */
export function checkMaterial(kind: MaterialKind, material: Buffer): crypto.KeyObject | undefined {
    if (kind.type === "aes" || kind.type === "hmac") {
        if (material.length !== kind.bytes) throw new MaterialError(`expected ${describeKind(kind)}, got ${material.length} bytes`);
        return undefined;
    }
    let key: crypto.KeyObject;
    try {
        key = crypto.createPrivateKey({ key: material, format: "der", type: "pkcs8" });
    } catch {
        throw new MaterialError(`expected ${describeKind(kind)}, got ${material.length} bytes that are not a DER PKCS#8 private key`);
    }
    const details = key.asymmetricKeyDetails ?? {};
    if (kind.type === "rsa") {
        if (key.asymmetricKeyType !== "rsa") throw new MaterialError(`expected ${describeKind(kind)}, got a ${key.asymmetricKeyType} key`);
        if (details.modulusLength !== kind.bits) throw new MaterialError(`expected ${describeKind(kind)}, got RSA-${details.modulusLength}`);
    } else {
        if (key.asymmetricKeyType !== "ec") throw new MaterialError(`expected ${describeKind(kind)}, got a ${key.asymmetricKeyType} key`);
        if (details.namedCurve !== CURVE_NAMES[kind.curve]) throw new MaterialError(`expected ${describeKind(kind)}, got curve ${details.namedCurve}`);
    }
    return key;
}

/**
 * keyfabric's rules on top of the fit: an RSA key has public exponent 65537 and parts that agree (n = p·q, d the inverse
 * of e, the CRT values derived from them); an EC key's public point is its private scalar's. A key whose parts disagree
 * behaves differently depending on which parts an HSM uses, so it is refused before any import.
 */
export function checkKeyQuality(kind: MaterialKind, key: crypto.KeyObject | undefined): void {
    if (!key) return;
    if (kind.type === "rsa") {
        const e = key.asymmetricKeyDetails?.publicExponent;
        if (e !== RSA_PUBLIC_EXPONENT) throw new MaterialError(`expected ${describeKind(kind)}, got public exponent ${e} (allowed: 65537)`);
        const problem = rsaInconsistency(key);
        if (problem) throw new MaterialError(`is an inconsistent RSA private key: ${problem} (its parts disagree; export it again from where it was generated)`);
    } else if (kind.type === "ec") {
        if (!ecConsistent(key)) throw new MaterialError("is an inconsistent EC private key: its public point is not the one of its private scalar d (export it again from where it was generated)");
    }
}

const big = (b64u: string | undefined): bigint | undefined => (b64u === undefined ? undefined : BigInt(`0x${Buffer.from(b64u, "base64url").toString("hex") || "0"}`));

function rsaInconsistency(key: crypto.KeyObject): string | undefined {
    // JS BigInts cannot be zeroed; they are temporaries the GC frees, like the key's own JWK export.
    const j = key.export({ format: "jwk" }) as Record<string, string | undefined>;
    const [n, e, d, p, q, dp, dq, qi] = ["n", "e", "d", "p", "q", "dp", "dq", "qi"].map((m) => big(j[m]));
    if (n === undefined || e === undefined || d === undefined) return "it has no private exponent d";
    if (p === undefined || q === undefined || dp === undefined || dq === undefined || qi === undefined) return "it has no CRT values (p, q, dp, dq, qi)";
    if (p <= 1n || q <= 1n || p === q || p * q !== n) return "n is not p·q";
    if (d <= 1n || d >= n) return "d is out of range";
    if ((d * e) % (p - 1n) !== 1n || (d * e) % (q - 1n) !== 1n) return "d is not the inverse of e";
    if (dp !== d % (p - 1n)) return "dp is not d mod (p-1)";
    if (dq !== d % (q - 1n)) return "dq is not d mod (q-1)";
    if ((qi * q) % p !== 1n) return "qi is not the inverse of q mod p";
    return undefined;
}

function ecConsistent(key: crypto.KeyObject): boolean {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const j = key.export({ format: "jwk" }) as Record<string, string | undefined>;
    if (!curve || !j.d || !j.x || !j.y) return false;
    const d = Buffer.from(j.d, "base64url");
    try {
        const ecdh = crypto.createECDH(curve);
        ecdh.setPrivateKey(d);
        const derived = ecdh.getPublicKey();
        const given = Buffer.concat([Buffer.from([4]), Buffer.from(j.x, "base64url"), Buffer.from(j.y, "base64url")]);
        return derived.equals(given);
    } catch {
        return false;
    } finally {
        d.fill(0);
    }
}

// ---- JWKs (RFC 7517, 7518) ----

export const JWK_KEY_OPS = ["sign", "verify", "encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits"] as const;
const SIG_OPS = ["sign", "verify"];
const ENC_OPS = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];
const JWK_META = ["kty", "use", "key_ops", "alg", "kid", "ext"];
const JWK_X509 = ["x5u", "x5c", "x5t", "x5t#S256"];
/** The members a private JWK of each kty may have (the X.509 members only where a certificate can exist). */
const JWK_MEMBERS: Record<string, readonly string[]> = {
    oct: [...JWK_META, "k"],
    RSA: [...JWK_META, ...JWK_X509, "n", "e", "d", "p", "q", "dp", "dq", "qi"],
    EC: [...JWK_META, ...JWK_X509, "crv", "x", "y", "d"],
};
const BINARY_MEMBERS = ["k", "n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "x5t", "x5t#S256"];
const B64URL = /^[A-Za-z0-9_-]+$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`);
const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);

/**
 * Checks the members of a JWK: none unknown for its kty, strings where strings go, binary members base64url.
 * `allowed` overrides the member list (public wrapping keys). Returns the kty. Messages follow "the JWK ..." or "is ...".
 */
export function checkJwkMembers(jwk: unknown, ktys: readonly string[], allowed?: readonly string[]): string {
    if (!isObject(jwk)) throw new MaterialError(`is JSON but not a JWK (allowed: a JSON object with kty, got: ${typeName(jwk)})`);
    const kty = jwk.kty;
    if (typeof kty !== "string" || !ktys.includes(kty)) {
        throw new MaterialError(`is a JWK with kty ${typeof kty === "string" ? quote(kty) : typeName(kty)} (allowed: ${ktys.join(", ")})`);
    }
    const members = allowed ?? JWK_MEMBERS[kty];
    for (const m of Object.keys(jwk)) {
        if (m === "oth" && kty === "RSA") throw new MaterialError("is a multi-prime RSA JWK (oth), which no cloud imports");
        if (!members.includes(m)) throw new MaterialError(`is a JWK with unknown member ${quote(m)} (allowed for kty ${kty}: ${members.join(", ")})`);
    }
    for (const m of Object.keys(jwk)) {
        const v = jwk[m];
        if (m === "key_ops" || m === "x5c") {
            if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "string")) throw new MaterialError(`the JWK's ${m} must be a non-empty list of strings (got: ${typeName(v)})`);
        } else if (m === "ext") {
            if (typeof v !== "boolean") throw new MaterialError(`the JWK's ext must be true or false (got: ${typeName(v)})`);
        } else if (typeof v !== "string") {
            throw new MaterialError(`the JWK's ${m} must be a string (got: ${typeName(v)})`);
        } else if (BINARY_MEMBERS.includes(m) && !B64URL.test(v)) {
            throw new MaterialError(`the JWK's ${m} is not base64url (allowed: A-Z a-z 0-9 - _, without padding)`);
        }
    }
    return kty;
}

/** What a key may do, for messages and JWK checks. */
export interface KeyUsage {
    /** Describes the key for messages, e.g. "purpose encrypt" or "a wrapping key". */
    readonly what: string;
    readonly use: readonly ("sig" | "enc")[];
    readonly ops: readonly string[];
    readonly algs: readonly string[];
}

const RSA_SIG_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const RSA_ENC_ALGS = ["RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"];
const EC_ALGS: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512", secp256k1: "ES256K" };

/** The use, key_ops and alg a private JWK of this kind (and purpose, when known) may declare. */
export function usageFor(kind: MaterialKind, purpose?: Purpose): KeyUsage {
    switch (kind.type) {
        case "aes":
            return { what: "an AES key (purpose encrypt)", use: ["enc"], ops: ENC_OPS, algs: ["A256GCM", "A256KW", "A256GCMKW"] };
        case "hmac":
            return { what: "an HMAC key (purpose mac)", use: ["sig"], ops: SIG_OPS, algs: ["HS256"] };
        case "ec":
            return { what: "an EC key (purpose sign)", use: ["sig"], ops: SIG_OPS, algs: [EC_ALGS[kind.curve]] };
        case "rsa":
            if (purpose === "encrypt") return { what: "purpose encrypt", use: ["enc"], ops: ENC_OPS, algs: RSA_ENC_ALGS };
            if (purpose === "sign") return { what: "purpose sign", use: ["sig"], ops: SIG_OPS, algs: RSA_SIG_ALGS };
            return { what: "an RSA key", use: ["sig", "enc"], ops: [...SIG_OPS, ...ENC_OPS], algs: [...RSA_SIG_ALGS, ...RSA_ENC_ALGS] };
    }
}

/** `use`, `key_ops` and `alg` must be known values, agree with each other (RFC 7517 §4.3) and fit `usage`. */
export function checkJwkUsage(jwk: Record<string, unknown>, usage: KeyUsage): void {
    const use = jwk.use as string | undefined;
    const ops = jwk.key_ops as string[] | undefined;
    const alg = jwk.alg as string | undefined;
    if (use !== undefined && use !== "sig" && use !== "enc") throw new MaterialError(`the JWK's use is ${quote(use)} (allowed: sig, enc)`);
    if (ops) {
        for (const [i, op] of ops.entries()) {
            const known = [...JWK_KEY_OPS, ...usage.ops.filter((o) => !(JWK_KEY_OPS as readonly string[]).includes(o))];
            if (!known.includes(op)) throw new MaterialError(`the JWK's key_ops has ${quote(op)} (allowed: ${known.join(", ")})`);
            if (ops.indexOf(op) !== i) throw new MaterialError(`the JWK's key_ops lists ${op} twice`);
        }
        if (use !== undefined) {
            const fits = use === "sig" ? SIG_OPS : [...ENC_OPS, "deriveKey", "deriveBits", ...(usage.ops.includes("import") ? ["import"] : [])];
            const bad = ops.filter((o) => !fits.includes(o));
            if (bad.length) throw new MaterialError(`the JWK's use ${use} and key_ops ${bad.join(", ")} disagree (allowed with use ${use}: ${fits.join(", ")})`);
        }
    }
    if (use !== undefined && !usage.use.includes(use as "sig" | "enc")) {
        throw new MaterialError(`the JWK's use contradicts ${usage.what} (allowed: ${usage.use.join(", ")}, got: ${quote(use)})`);
    }
    const badOps = (ops ?? []).filter((o) => !usage.ops.includes(o));
    if (badOps.length) throw new MaterialError(`the JWK's key_ops contradict ${usage.what} (allowed: ${usage.ops.join(", ")}, got: ${badOps.join(", ")})`);
    if (alg !== undefined && !usage.algs.includes(alg)) throw new MaterialError(`the JWK's alg contradicts ${usage.what} (allowed: ${usage.algs.join(", ")}, got: ${quote(alg)})`);
}

/** A JWK's certificate members must be of its own key: x5c[0] certifies the JWK's public key; x5t / x5t#S256 are x5c[0]'s thumbprints. */
export function checkJwkCertificate(jwk: Record<string, unknown>, publicKey: crypto.KeyObject): void {
    const x5c = jwk.x5c as string[] | undefined;
    if (!x5c) return;
    const ders = x5c.map((c, i) => {
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(c)) throw new MaterialError(`the JWK's x5c[${i}] is not base64 (x5c holds standard base64 DER certificates)`);
        return Buffer.from(c, "base64");
    });
    let cert: crypto.X509Certificate;
    try {
        cert = new crypto.X509Certificate(ders[0]);
    } catch {
        throw new MaterialError("the JWK's x5c[0] is not a DER X.509 certificate");
    }
    const spki = (k: crypto.KeyObject) => k.export({ type: "spki", format: "der" });
    if (!spki(cert.publicKey).equals(spki(publicKey))) throw new MaterialError("the JWK's parts disagree: x5c[0] certifies another key than the JWK's own");
    for (const [m, hash] of [["x5t", "sha1"], ["x5t#S256", "sha256"]] as const) {
        const t = jwk[m] as string | undefined;
        if (t !== undefined && t !== crypto.createHash(hash).update(ders[0]).digest("base64url")) {
            throw new MaterialError(`the JWK's parts disagree: ${m} is not the thumbprint of x5c[0]`);
        }
    }
}

/**
 * The material a private JWK holds: raw bytes for `oct`, DER PKCS#8 for RSA and EC, after checking its members, its
 * use/key_ops/alg against `kind` and `purpose`, and its certificate against its key. Zero the result after use.
 */
export function materialFromJwk(jwk: unknown, kind: MaterialKind, purpose?: Purpose): Buffer {
    const kty = checkJwkMembers(jwk, ["oct", "RSA", "EC"]);
    const j = jwk as Record<string, unknown>;
    const wanted = kind.type === "aes" || kind.type === "hmac" ? "oct" : kind.type === "rsa" ? "RSA" : "EC";
    if (kty !== wanted) throw new MaterialError(`is an ${kty} JWK, and ${kind.type.toUpperCase()} material is needed`);
    checkJwkUsage(j, usageFor(kind, purpose));
    if (kty === "oct") {
        if (typeof j.k !== "string") throw new MaterialError("is an oct JWK without k");
        return Buffer.from(j.k, "base64url");
    }
    if (j.d === undefined) throw new MaterialError(`is a public JWK (it has no d): the private key is needed`);
    if (kty === "RSA") {
        const missing = ["n", "e", "p", "q", "dp", "dq", "qi"].filter((m) => j[m] === undefined);
        if (missing.length) throw new MaterialError(`is an RSA JWK without ${missing.join(", ")} (allowed: a private JWK with n, e, d, p, q, dp, dq, qi)`);
    } else {
        const missing = ["crv", "x", "y"].filter((m) => j[m] === undefined);
        if (missing.length) throw new MaterialError(`is an EC JWK without ${missing.join(", ")} (allowed: a private JWK with crv, x, y, d)`);
    }
    let key: crypto.KeyObject;
    try {
        const { kty: _k, n, e, d, p, q, dp, dq, qi, crv, x, y } = j as Record<string, string>;
        void _k;
        key = crypto.createPrivateKey({ key: kty === "RSA" ? { kty, n, e, d, p, q, dp, dq, qi } : { kty, crv, x, y, d }, format: "jwk" });
    } catch (e) {
        throw new MaterialError(`is not a valid private JWK (${cryptoReason(e)})`);
    }
    checkJwkCertificate(j, crypto.createPublicKey(key));
    return key.export({ type: "pkcs8", format: "der" });
}

/** OpenSSL's and Node's crypto errors in words: the reason without the `error:0200006E:` code. */
export function cryptoReason(e: unknown): string {
    const err = e as { reason?: string; message?: string; code?: string };
    if (typeof err?.reason === "string" && err.reason) return err.reason;
    const m = /^error:[0-9A-Fa-f]{8}:[^:]*:[^:]*:(.*)$/.exec(err?.message ?? "");
    return (m ? m[1] : err?.message ?? String(e)).trim() || "unknown error";
}

/**
 * A non-reversible fingerprint for state and inspection: for symmetric material, SHA-256 over a domain-separation
 * prefix and the material; for asymmetric material, SHA-256 of the public key's SPKI DER.
 */
export function fingerprint(material: KeyMaterial, privateKey?: crypto.KeyObject): string {
    if (isSealed(material)) return material.fingerprint;
    if (privateKey) {
        const spki = crypto.createPublicKey(privateKey).export({ type: "spki", format: "der" });
        return `sha256-spki:${crypto.createHash("sha256").update(spki).digest("hex")}`;
    }
    return `sha256:${crypto.createHash("sha256").update("keyfabric/material-fingerprint/v1\0").update(material).digest("hex")}`;
}
