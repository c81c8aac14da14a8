/**
 * What the plan says about the wrapping scheme a provider chose for a key in a token: the providers pick the clouds'
 * SHA-1 schemes where the token's RSA-OAEP is SHA-1 only (SoftHSM2), and Check says so (a warning at every
 * preview), and refuses a SHA-256 scheme the user asked for that the token cannot do.
 */
import type { OaepHash } from "../../crypto/keywrap";
import { isSealed, KeyMaterial } from "../../crypto/sealed";
import { tokenSha1Only } from "../wrap";

const hashName = (h: OaepHash) => (h === "sha1" ? "SHA-1" : "SHA-256");

/**
 * The warning for a SHA-1 scheme chosen because of the token (undefined for plaintext material, for a token with
 * SHA-256, and when the SHA-256 scheme was chosen). `target` names the cloud key (Check has no URN to log against).
 */
export function sha1SchemeWarning(material: KeyMaterial, target: string, chosen: string, sha256Scheme: string): string | undefined {
    if (!isSealed(material) || !tokenSha1Only(material) || chosen === sha256Scheme) return undefined;
    return `${target}: ${material.description} is wrapped with ${chosen}: the token offers RSA-OAEP with SHA-1 only, so the cloud's SHA-1 scheme is used instead of ${sha256Scheme} (which needs a token with RSA-OAEP SHA-256)`;
}

/** Why the token cannot wrap with `scheme`, whose OAEP hash is `hash` (undefined when it can, or for plaintext material). */
export function tokenSchemeProblem(material: KeyMaterial, scheme: string, hash: OaepHash): string | undefined {
    if (!isSealed(material) || material.oaepHashes.includes(hash)) return undefined;
    const has = material.oaepHashes.length ? `with ${material.oaepHashes.map(hashName).join(" and ")} only` : "not at all";
    return `${material.description}: ${scheme} needs RSA-OAEP with ${hashName(hash)}, and the token does RSA-OAEP ${has}`;
}
