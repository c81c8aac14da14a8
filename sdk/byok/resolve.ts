/**
 * Every material source resolved the same way for the providers and the CLI: plaintext sources (`file`, `env`,
 * `command`) read into a buffer that is zeroed after use; a `pkcs11` source to a key that stays in its token and is
 * wrapped there. Either way `material.fill(0)` ends it.
 */
import type { MaterialKind } from "../crypto/material";
import { resolvePkcs11Material } from "./pkcs11";
import { algorithmForKind, generateTokenKey } from "./pkcs11/generate";
import { Pkcs11SourceError } from "./pkcs11/module";
import { MaterialSource, MaterialSourceError, resolveMaterial, ResolvedMaterial, ResolveOptions } from "./sources";

/**
 * The material, to wrap and import (Create, Update, the CLI). A `{pkcs11, generate: true}` key absent from its
 * token is created there first (label-idempotent).
 */
export function resolveKeyMaterial(source: MaterialSource, kind: MaterialKind, options: ResolveOptions & { allowPinValue?: boolean } = {}): ResolvedMaterial {
    if ("pkcs11" in source && typeof source.pkcs11 === "string") {
        if (source.generate === true) {
            try {
                generateTokenKey(source.pkcs11, algorithmForKind(kind), { allowPinValue: options.allowPinValue });
            } catch (e) {
                if (e instanceof Pkcs11SourceError) throw new MaterialSourceError(null, e.message);
                throw e;
            }
        }
        return resolvePkcs11Material(source.pkcs11, kind, { allowPinValue: options.allowPinValue });
    }
    return resolveMaterial(source, kind, options);
}

/**
 * The material, to fingerprint it (Check, at every preview): never creates anything. A `{pkcs11, generate: true}`
 * key not yet in its token is `undefined` (it will be created at deploy time), not an error.
 */
export function checkKeyMaterial(source: MaterialSource, kind: MaterialKind): ResolvedMaterial | undefined {
    if ("pkcs11" in source && typeof source.pkcs11 === "string") return resolvePkcs11Material(source.pkcs11, kind, { absentOk: source.generate === true });
    return resolveMaterial(source, kind);
}
