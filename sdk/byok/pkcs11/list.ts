/**
 * The keys of a token, as `keyfabric hsm keys` lists them: attributes only (label, id, class, type, size,
 * sensitive, extractable); a value is never asked for.
 */
import { ckrText, Pkcs11SourceError } from "./module";
import { boolAttr, findObjects, openTokenSession, readAttributes, readPin, selectorTemplate, ulongAttr } from "./session";
import { describePkcs11, Pkcs11Uri } from "./uri";

export interface TokenKeyInfo {
    readonly label: string;
    /** CKA_ID, hex. */
    readonly id: string;
    readonly class: "secret-key" | "private" | "public";
    readonly type: string;
    /** Bits: AES/generic secret CKA_VALUE_LEN * 8, RSA CKA_MODULUS_BITS, EC the curve. */
    readonly size?: string;
    readonly sensitive: boolean;
    readonly extractable: boolean;
}

const CURVES: Record<string, string> = { "06082a8648ce3d030107": "P-256", "06052b81040022": "P-384", "06052b81040023": "P-521" };

export function listTokenKeys(uri: Omit<Pkcs11Uri, "object"> & { object?: string }, uriText: string): TokenKeyInfo[] {
    const token = uri.token !== undefined ? `token "${uri.token}"` : uri.serial !== undefined ? `token with serial ${uri.serial}` : `slot ${uri.slotId}`;
    const where = uri.object !== undefined ? `${describePkcs11(uriText)}` : `PKCS#11 ${token}`;
    const t = openTokenSession(uri, where, readPin(uri, where));
    try {
        const p = t.p11;
        const classes = [
            [p.CKO_SECRET_KEY, "secret-key"],
            [p.CKO_PRIVATE_KEY, "private"],
            [p.CKO_PUBLIC_KEY, "public"],
        ] as const;
        const types: Record<number, string> = { [p.CKK_AES]: "AES", [p.CKK_GENERIC_SECRET]: "generic secret", [p.CKK_RSA]: "RSA", [p.CKK_EC]: "EC", [p.CKK_SHA256_HMAC]: "SHA256-HMAC" };
        const out: TokenKeyInfo[] = [];
        for (const [cls, name] of classes) {
            for (const h of findObjects(t, selectorTemplate(t, uri, cls))) {
                const a = readAttributes(t, h, [p.CKA_LABEL, p.CKA_ID, p.CKA_KEY_TYPE, p.CKA_VALUE_LEN, p.CKA_MODULUS_BITS, p.CKA_MODULUS, p.CKA_EC_PARAMS, p.CKA_SENSITIVE, p.CKA_EXTRACTABLE]);
                const keyType = ulongAttr(a.get(p.CKA_KEY_TYPE)) ?? -1;
                const bits = keyType === p.CKK_RSA ? (ulongAttr(a.get(p.CKA_MODULUS_BITS)) ?? (a.get(p.CKA_MODULUS)?.length ?? 0) * 8) : undefined;
                const len = ulongAttr(a.get(p.CKA_VALUE_LEN));
                const size = bits ? String(bits) : keyType === p.CKK_EC ? (CURVES[a.get(p.CKA_EC_PARAMS)?.toString("hex") ?? ""] ?? "other curve") : len ? String(len * 8) : undefined;
                out.push({
                    label: a.get(p.CKA_LABEL)?.toString("utf8") ?? "",
                    id: a.get(p.CKA_ID)?.toString("hex") ?? "",
                    class: name,
                    type: types[keyType] ?? `0x${keyType.toString(16)}`,
                    ...(size ? { size } : {}),
                    sensitive: boolAttr(a.get(p.CKA_SENSITIVE)),
                    extractable: boolAttr(a.get(p.CKA_EXTRACTABLE)),
                });
            }
        }
        return out.sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : x.class < y.class ? -1 : 1));
    } catch (e) {
        if (e instanceof Pkcs11SourceError) throw e;
        throw new Pkcs11SourceError(`${where}: ${ckrText(e)}`);
    } finally {
        t.close();
    }
}
