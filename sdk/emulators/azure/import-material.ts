/**
 * Key material that an import brings (the state model's side of ImportKey): BYOK plaintext unwrapped from a
 * transfer blob, checked against the target key type, and software JWKs checked against their own public part.
 */
import * as crypto from "crypto";
import { checkMaterial, MaterialError } from "../../crypto/material";
import { curveOfKey, MATERIAL_CURVE, parseCurve, type AzureCurve, type Material } from "./crypto";
import { badParameter } from "./errors";
import { baseType, RSA_SIZES } from "./keytypes";
import type { Kty } from "./model";


function asMaterialError(e: unknown): never {
    if (e instanceof MaterialError) throw badParameter(`The imported key material does not fit the key type: ${e.message}.`, "InvalidKeyMaterial");
    throw e;
}

/** Checks BYOK plaintext against the target: RSA 2048/3072/4096 PKCS#8, EC PKCS#8 on `crv`, oct 16/24/32 bytes. */
export function byokMaterial(kty: Kty, jwk: Record<string, unknown>, plain: Buffer): Material {
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
export function softwareMaterial(kty: Kty, jwk: Record<string, unknown>): Material {
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
