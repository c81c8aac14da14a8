/**
 * A token key's fingerprint, computed without its material ever leaving the token:
 *
 * - a private key: the SHA-256 of its public key (SPKI DER), as for a plaintext source of the same key;
 * - a secret key: the token's SHA-256 of the fingerprint prefix and the key (C_DigestKey), which is the fingerprint a
 *   plaintext source of the same material has (sdk/crypto/material.ts `fingerprint`);
 * - a secret key the token will not digest (real HSMs refuse C_DigestKey on sensitive keys: CKR_KEY_INDIGESTIBLE,
 *   CKR_KEY_FUNCTION_NOT_PERMITTED): a MAC the token computes with the key over a fixed, domain-separated message
 *   (HMAC-SHA256 for an HMAC / generic secret key, AES-CMAC for an AES key), where the key may sign (CKA_SIGN). A MAC
 *   reveals nothing of the key; this fingerprint differs from the plaintext sources' one (its own prefix says which).
 *   A key that may not sign either is a clear error naming what the token refused.
 */
import * as crypto from "crypto";
import { ckr, ckrText, Pkcs11SourceError } from "./module";
import { boolAttr, Handle, readAttributes, TokenSession, ulongAttr } from "./session";

/** The domain-separation prefix of plaintext fingerprints (sdk/crypto/material.ts `fingerprint`). */
const FINGERPRINT_PREFIX = "keyfabric/material-fingerprint/v1\0";
/** The message the fallback MAC is computed over: nothing else is ever MACed with it. */
export const TOKEN_MAC_MESSAGE = "keyfabric/token-key-fingerprint/v1\0";
/** The token's refusals of C_DigestKey that the MAC fallback answers (any other failure is an error). */
const DIGEST_REFUSALS = new Set(["CKR_KEY_INDIGESTIBLE", "CKR_KEY_FUNCTION_NOT_PERMITTED", "CKR_KEY_TYPE_INCONSISTENT", "CKR_MECHANISM_INVALID", "CKR_FUNCTION_NOT_SUPPORTED"]);

/** The fingerprint: SHA-256 of the SPKI (asymmetric), the token's SHA-256 of prefix || key, else the token's MAC. */
export function tokenFingerprint(t: TokenSession, handle: Handle, publicKey: crypto.KeyObject | undefined, where: string): string {
    if (publicKey) return `sha256-spki:${crypto.createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex")}`;
    let refusal: unknown;
    try {
        return digestKey(t, handle);
    } catch (e) {
        if (!DIGEST_REFUSALS.has(ckr(e) ?? "")) throw new Pkcs11SourceError(`${where}: the token cannot digest the key (C_DigestKey: ${ckrText(e)}), which keyfabric needs for a fingerprint without the material`);
        refusal = e;
        // A refused C_DigestKey may leave the digest operation active (CKR_OPERATION_ACTIVE for the next one): end it.
        // What it finishes is a digest of the prefix alone.
        try {
            t.lib.C_DigestFinal(t.session, Buffer.alloc(32));
        } catch {
            /* already ended */
        }
    }
    return macFingerprint(t, handle, where, `C_DigestKey: ${ckrText(refusal)}`);
}

function digestKey(t: TokenSession, handle: Handle): string {
    t.lib.C_DigestInit(t.session, { mechanism: t.p11.CKM_SHA256 });
    t.lib.C_DigestUpdate(t.session, Buffer.from(FINGERPRINT_PREFIX, "utf8"));
    t.lib.C_DigestKey(t.session, handle);
    return `sha256:${t.lib.C_DigestFinal(t.session, Buffer.alloc(32)).toString("hex")}`;
}

/** `hmac-sha256-token:<hex>` or `aes-cmac-token:<hex>`: the token's MAC of TOKEN_MAC_MESSAGE with the key. */
function macFingerprint(t: TokenSession, handle: Handle, where: string, refused: string): string {
    const p = t.p11;
    const a = readAttributes(t, handle, [p.CKA_KEY_TYPE, p.CKA_SIGN]);
    const aes = ulongAttr(a.get(p.CKA_KEY_TYPE)) === p.CKK_AES;
    const [mechanism, name, prefix] = aes ? [p.CKM_AES_CMAC, "CKM_AES_CMAC", "aes-cmac-token"] : [p.CKM_SHA256_HMAC, "CKM_SHA256_HMAC", "hmac-sha256-token"];
    const fail = (why: string) =>
        new Pkcs11SourceError(`${where}: the token refused to digest the key (${refused}) and ${why}, so keyfabric has no fingerprint without the material (allowed: a key the token digests, or one with CKA_SIGN and a token with ${name})`);
    if (!boolAttr(a.get(p.CKA_SIGN))) throw fail("the key may not sign (CKA_SIGN false) for a MAC fingerprint");
    if (!t.mechanisms.has(mechanism)) throw fail(`the token does not offer ${name} for a MAC fingerprint`);
    try {
        t.lib.C_SignInit(t.session, { mechanism }, handle);
        return `${prefix}:${t.lib.C_Sign(t.session, Buffer.from(TOKEN_MAC_MESSAGE, "utf8"), Buffer.alloc(64)).toString("hex")}`;
    } catch (e) {
        throw fail(`did not compute ${name} with it (${ckrText(e)})`);
    }
}
