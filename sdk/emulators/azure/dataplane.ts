/**
 * The Key Vault / Managed HSM keys data plane (REST, JSON; JWK binaries base64url; times epoch seconds), as
 * `@azure/keyvault-keys` 4.10.2 calls it. `routeDataPlane` maps a request to an operation name (for `calls` and
 * fault injection) and a handler that runs only when the call is served. The handlers are in `./ops/` per
 * operation group (keys, deleted keys, rotation policies, cryptography, backups) over the state in `./model.ts`;
 * request parsing is in `./requests.ts`.
 */
import { AzureError, badParameter } from "./errors";
import { lower } from "./model";
import { backupKey, restoreKey } from "./ops/backup";
import { getRandomBytes, keyOperation } from "./ops/crypto";
import { deleteKey, getDeletedKey, listDeletedKeys, purgeDeletedKey, recoverDeletedKey } from "./ops/deleted";
import { createKey, getKey, importKey, listKeys, listKeyVersions, rotateKey, updateKey } from "./ops/keys";
import { getRotationPolicy, updateRotationPolicy } from "./ops/rotation";
import type { Request, Route } from "./requests";
import { VaultOps, type DataPlaneContext } from "./vault-ops";

export type { Reply, Request, Route } from "./requests";
export type { DataPlaneContext } from "./vault-ops";

const CRYPTO_OPS: Record<string, { op: "encrypt" | "decrypt" | "wrapKey" | "unwrapKey" | "sign" | "verify"; name: string }> = {
    encrypt: { op: "encrypt", name: "encrypt" },
    decrypt: { op: "decrypt", name: "decrypt" },
    wrapkey: { op: "wrapKey", name: "wrapKey" },
    unwrapkey: { op: "unwrapKey", name: "unwrapKey" },
    sign: { op: "sign", name: "sign" },
    verify: { op: "verify", name: "verify" },
};

export function routeDataPlane(req: Request, ctx: DataPlaneContext): Route | undefined {
    const [root, name, third, fourth, ...rest] = req.segments;
    const m = req.method;
    if (rest.length > 0) return undefined;
    const dp = new VaultOps(ctx, req);
    if (root === "keys") {
        if (name === undefined) return m === "GET" ? { operation: "listKeys", run: () => listKeys(dp) } : undefined;
        // `POST /keys//create`: Key Vault reads the empty name as a missing operation (recorded).
        if (name === "" && third !== undefined) return { operation: "unsupported", run: () => { throw badParameter("Operation not specified"); } };
        if (third === undefined) {
            if (m === "POST" && name === "restore") return { operation: "restoreKey", run: () => restoreKey(dp) };
            if (m === "GET") return { operation: "getKey", run: () => getKey(dp, name, "") };
            if (m === "PUT") return { operation: "importKey", run: () => importKey(dp, name) };
            if (m === "DELETE") return { operation: "deleteKey", run: () => deleteKey(dp, name) };
            if (m === "PATCH") return { operation: "updateKey", run: () => updateKey(dp, name, "") };
            return undefined;
        }
        if (fourth === undefined) {
            const t = lower(third);
            if (t === "create" && m === "POST") return { operation: "createKey", run: () => createKey(dp, name) };
            if (t === "versions" && m === "GET") return { operation: "listKeyVersions", run: () => listKeyVersions(dp, name) };
            if (t === "rotationpolicy" && m === "GET") return { operation: "getKeyRotationPolicy", run: () => getRotationPolicy(dp, name) };
            if (t === "rotationpolicy" && m === "PUT") return { operation: "updateKeyRotationPolicy", run: () => updateRotationPolicy(dp, name) };
            if (t === "rotate" && m === "POST") return { operation: "rotateKey", run: () => rotateKey(dp, name) };
            if (t === "backup" && m === "POST") return { operation: "backupKey", run: () => backupKey(dp, name) };
            if (t === "release" && m === "POST") return { operation: "releaseKey", run: () => notSupported("releaseKey") };
            if (t === "attestation" && m === "GET") return { operation: "getKeyAttestation", run: () => notSupported("getKeyAttestation") };
            if (m === "GET") return { operation: "getKey", run: () => getKey(dp, name, third) };
            if (m === "PATCH") return { operation: "updateKey", run: () => updateKey(dp, name, third) };
            return undefined;
        }
        const op = CRYPTO_OPS[lower(fourth)];
        if (op && m === "POST") return { operation: op.name, run: () => keyOperation(dp, name, third, op.op) };
        if (lower(fourth) === "release" && m === "POST") return { operation: "releaseKey", run: () => notSupported("releaseKey") };
        if (lower(fourth) === "attestation" && m === "GET") return { operation: "getKeyAttestation", run: () => notSupported("getKeyAttestation") };
        return undefined;
    }
    if (root === "deletedkeys") {
        if (fourth !== undefined) return undefined;
        if (name === undefined) return m === "GET" ? { operation: "listDeletedKeys", run: () => listDeletedKeys(dp) } : undefined;
        if (third === undefined) {
            if (m === "GET") return { operation: "getDeletedKey", run: () => getDeletedKey(dp, name) };
            if (m === "DELETE") return { operation: "purgeDeletedKey", run: () => purgeDeletedKey(dp, name) };
            return undefined;
        }
        if (lower(third) === "recover" && m === "POST") return { operation: "recoverDeletedKey", run: () => recoverDeletedKey(dp, name) };
        return undefined;
    }
    if (root === "rng" && name === undefined && m === "POST") return { operation: "getRandomBytes", run: () => getRandomBytes(dp) };
    return undefined;
}

function notSupported(operation: string): never {
    throw new AzureError(501, "NotImplemented", `${operation} is not supported by the keyfabric Key Vault emulator.`);
}
