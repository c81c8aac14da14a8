/**
 * Every material source resolved the same way for the providers and the CLI: plaintext sources (`file`, `env`,
 * `command`) read into a buffer that is zeroed after use; a `pkcs11` source to a key that stays in its token and is
 * wrapped there. Either way `material.fill(0)` ends it.
 */
import type { MaterialKind } from "../crypto/material";
import { resolvePkcs11Material } from "./pkcs11";
import { MaterialSource, resolveMaterial, ResolvedMaterial, ResolveOptions } from "./sources";

export function resolveKeyMaterial(source: MaterialSource, kind: MaterialKind, options: ResolveOptions & { allowPinValue?: boolean } = {}): ResolvedMaterial {
    if ("pkcs11" in source && typeof source.pkcs11 === "string") return resolvePkcs11Material(source.pkcs11, kind, { allowPinValue: options.allowPinValue });
    return resolveMaterial(source, kind, options);
}
