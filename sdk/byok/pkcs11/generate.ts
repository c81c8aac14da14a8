/**
 * Keys created in the token, for BYOK: label-idempotent (a key with the URI's label that is the declared kind is
 * kept, one of another kind is an error), token objects, private, sensitive (CKA_VALUE never readable) and
 * extractable (only wrapped: a sensitive key leaves the token under a wrapping key alone), with the uses the key
 * type has (AES: encrypt, decrypt, unwrap; HMAC: sign, verify; RSA/EC: sign, verify, and RSA decrypt/encrypt).
 * The key's CKA_ID is the URI's `id`, else 16 random bytes; the public key of a pair gets the same label and id.
 */
import * as crypto from "crypto";
import type { MaterialKind } from "../../crypto/material";
import type { Algorithm } from "../../schema/constants";
import { materialKindFor } from "../wrap";
import { findTokenKey } from "./key";
import { ckrText, Pkcs11SourceError } from "./module";
import { findObjects, openTokenSession, readPin, selectorTemplate } from "./session";
import { describePkcs11, parsePkcs11Uri } from "./uri";

const EC_PARAMS: Record<string, string> = { EC_P256: "06082a8648ce3d030107", EC_P384: "06052b81040022" };

export interface GeneratedKey {
    readonly created: boolean;
    /** CKA_ID, hex. */
    readonly id: string;
    readonly label: string;
}

type Template = { type: number; value?: unknown }[];

/** The algorithm whose material is `kind` (the inverse of materialKindFor). */
export function algorithmForKind(kind: MaterialKind): Algorithm {
    if (kind.type === "aes") return "AES_256";
    if (kind.type === "hmac") return "HMAC_256";
    if (kind.type === "rsa") return `RSA_${kind.bits}` as Algorithm;
    return kind.curve === "P-256" ? "EC_P256" : "EC_P384";
}

/** Creates the URI's key (by `object` label) as `algorithm` needs, unless it is there already. */
export function generateTokenKey(uriText: string, algorithm: Algorithm, options: { allowPinValue?: boolean; env?: NodeJS.ProcessEnv } = {}): GeneratedKey {
    const where = `key material from ${describePkcs11(uriText)}`;
    const { uri, issues } = parsePkcs11Uri(uriText, { allowPinValue: options.allowPinValue });
    if (!uri) throw new Pkcs11SourceError(`material.pkcs11: ${issues[0].attribute} ${issues[0].message}${issues[0].allowed ? ` (allowed: ${issues[0].allowed})` : ""}`);
    if (uri.object === undefined) throw new Pkcs11SourceError(`${where}: object (the label) is needed to create a key`);
    const kind = materialKindFor(algorithm);
    const t = openTokenSession(uri, where, readPin(uri, where, options.env));
    try {
        const p = t.p11;
        if (findObjects(t, selectorTemplate(t, { object: uri.object, ...(uri.id ? { id: uri.id } : {}) })).length) {
            // There already: it must be the declared kind (findTokenKey says what it is otherwise).
            const k = findTokenKey(t, uri, kind, where);
            const id = t.lib.C_GetAttributeValue(t.session, k.handle, [{ type: p.CKA_ID }])[0].value as Buffer | undefined;
            return { created: false, id: (id ?? Buffer.alloc(0)).toString("hex"), label: uri.object };
        }
        const id = uri.id ?? crypto.randomBytes(16);
        const common: Template = [
            { type: p.CKA_TOKEN, value: true },
            { type: p.CKA_LABEL, value: uri.object },
            { type: p.CKA_ID, value: id },
        ];
        const secretAttrs: Template = [
            ...common,
            { type: p.CKA_PRIVATE, value: true },
            { type: p.CKA_SENSITIVE, value: true },
            { type: p.CKA_EXTRACTABLE, value: true },
        ];
        try {
            if (kind.type === "aes" || kind.type === "hmac") {
                const aes = kind.type === "aes";
                const template: Template = [
                    { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
                    { type: p.CKA_KEY_TYPE, value: aes ? p.CKK_AES : p.CKK_GENERIC_SECRET },
                    { type: p.CKA_VALUE_LEN, value: kind.bytes },
                    ...secretAttrs,
                    ...(aes ? [{ type: p.CKA_ENCRYPT, value: true }, { type: p.CKA_DECRYPT, value: true }, { type: p.CKA_UNWRAP, value: true }] : [{ type: p.CKA_SIGN, value: true }, { type: p.CKA_VERIFY, value: true }]),
                ];
                t.lib.C_GenerateKey(t.session, { mechanism: aes ? p.CKM_AES_KEY_GEN : p.CKM_GENERIC_SECRET_KEY_GEN }, template as any);
            } else {
                const rsa = kind.type === "rsa";
                const pub: Template = [
                    ...common,
                    { type: p.CKA_VERIFY, value: true },
                    ...(rsa ? [{ type: p.CKA_MODULUS_BITS, value: kind.bits }, { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }, { type: p.CKA_ENCRYPT, value: true }] : [{ type: p.CKA_EC_PARAMS, value: Buffer.from(EC_PARAMS[algorithm], "hex") }]),
                ];
                const priv: Template = [...secretAttrs, { type: p.CKA_SIGN, value: true }, ...(rsa ? [{ type: p.CKA_DECRYPT, value: true }] : [])];
                t.lib.C_GenerateKeyPair(t.session, { mechanism: rsa ? p.CKM_RSA_PKCS_KEY_PAIR_GEN : p.CKM_EC_KEY_PAIR_GEN }, pub as any, priv as any);
            }
        } catch (e) {
            throw new Pkcs11SourceError(`${where}: the token did not create the ${algorithm} key: ${ckrText(e)}`);
        }
        return { created: true, id: id.toString("hex"), label: uri.object };
    } finally {
        t.close();
    }
}
