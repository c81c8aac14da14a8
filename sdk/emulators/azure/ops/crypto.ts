/** Cryptographic operations on a key version (encrypt, decrypt, wrap, unwrap, sign, verify) and Managed HSM random bytes. */
import * as crypto from "crypto";
import { CryptoParameterError, decrypt, encrypt, sign, unwrapKey, verify, wrapKey } from "../crypto";
import { AzureError, badParameter, forbidden } from "../errors";
import { keyId } from "../model";
import { b64u, binary, requireBody, seconds, type Reply } from "../requests";
import type { VaultOps } from "../vault-ops";

export function keyOperation(dp: VaultOps, name: string, version: string, op: "encrypt" | "decrypt" | "wrapKey" | "unwrapKey" | "sign" | "verify"): Reply {
    const vault = dp.vault;
    const { key, v } = dp.keyVersion(vault, name, version);
    const body = requireBody(dp.req.body);
    if (typeof body.alg !== "string") throw badParameter("The parameter alg is required.");
    const now = seconds(dp.ctx.now());
    if (!v.enabled) throw forbidden(`Operation ${op} is not allowed on a disabled key.`, "KeyDisabled");
    if (v.nbf !== undefined && now < v.nbf) throw forbidden(`Operation ${op} is not allowed on a key that is not yet valid (nbf).`, "KeyNotYetValid");
    if (v.exp !== undefined && now >= v.exp) throw forbidden(`Operation ${op} is not allowed on an expired key.`, "KeyExpired");
    if (!v.keyOps.includes(op)) throw forbidden(`Operation ${op} is not permitted for this key: its key_ops are ${JSON.stringify(v.keyOps)}.`, "KeyOperationForbidden");
    const kid = keyId(dp.origin, key.name, v.version);
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

export function getRandomBytes(dp: VaultOps): Reply {
    const vault = dp.vault;
    if (vault.kind !== "managedHsm") throw badParameter("Random bytes (POST /rng) are only available from a Managed HSM.");
    const body = requireBody(dp.req.body);
    const count = body.count;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 128) {
        // Recorded: the message ends with the Activity ID, which is also the answer's x-ms-request-id.
        const activity = crypto.randomUUID();
        throw new AzureError(400, "BadParameter", `GetRandomBytesRequest: count cannot be greater than 128 or less than 1 (Activity ID: ${activity})`, undefined, { "x-ms-request-id": activity });
    }
    return { status: 200, body: { value: b64u(crypto.randomBytes(count)) } };
}
