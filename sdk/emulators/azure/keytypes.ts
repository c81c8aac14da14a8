/**
 * Key types and their operations, as Key Vault and Managed HSM allow them: default `key_ops` per type, which
 * operations a type may have, key exchange keys (RSA-HSM with `import` alone), sizes.
 */
import { badParameter } from "./errors";
import type { KeyVersion, Kty, ReleasePolicy } from "./model";
import type { ParsedAttributes } from "./requests";

export const ALL_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export"];
export const RSA_SIZES = [2048, 3072, 4096];
export const OCT_SIZES = [128, 192, 256];

export const baseType = (kty: Kty) => (kty.startsWith("RSA") ? "RSA" : kty.startsWith("EC") ? "EC" : "oct");

export function defaultOps(kty: Kty): string[] {
    switch (baseType(kty)) {
        case "RSA":
            return ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
        case "EC":
            return ["sign", "verify"];
        default:
            return ["encrypt", "decrypt", "wrapKey", "unwrapKey"];
    }
}

/** Validates `key_ops` for a key type; `import` marks a KEK and must be alone (BYOK specification). */
export function parseOps(raw: unknown, kty: Kty): string[] | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw) || raw.some((o) => typeof o !== "string")) throw badParameter("key_ops must be an array of strings.");
    const ops = [...new Set(raw as string[])];
    const unknown = ops.filter((o) => !ALL_OPS.includes(o));
    if (unknown.length) throw badParameter(`Unknown key operation ${JSON.stringify(unknown[0])}; allowed: ${ALL_OPS.join(", ")}.`);
    const applicable = [...defaultOps(kty), "export", ...(kty === "RSA-HSM" ? ["import"] : [])];
    const wrong = ops.filter((o) => !applicable.includes(o));
    if (wrong.length) {
        if (wrong.includes("import")) throw badParameter(`Key operation "import" is only valid for an RSA-HSM key exchange key (KEK); this key is ${kty}.`);
        throw badParameter(`Key operation ${JSON.stringify(wrong[0])} is not valid for a ${kty} key; allowed: ${applicable.filter((o) => o !== "import").join(", ")}.`);
    }
    if (ops.includes("import") && ops.length > 1) throw badParameter(`A key exchange key (KEK) must have "import" as its only key operation; got ${JSON.stringify(ops)}.`);
    return ops;
}

export function checkExportable(a: ParsedAttributes, releasePolicy: ReleasePolicy | undefined): void {
    if (a.exportable && !releasePolicy) throw badParameter("An exportable key needs a release policy (release_policy).");
}

export const isKek = (v: KeyVersion) => v.kty === "RSA-HSM" && v.keyOps.length === 1 && v.keyOps[0] === "import";
