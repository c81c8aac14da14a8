/**
 * `{pkcs11: "<RFC 7512 URI>"}` resolved to a key that stays in its token: parse, read the PIN, open a logged-in
 * session, find and check the key, fingerprint it; wrapping happens later, in the token (`SealedMaterial`). Every
 * problem is a `MaterialSourceError` naming the source; whatever fails, the session is closed.
 */
import type { MaterialKind } from "../../crypto/material";
import type { SealedMaterial } from "../../crypto/sealed";
import { MaterialSourceError } from "../sources";
import { Pkcs11KeyAbsent, sealedTokenKey } from "./key";
import { Pkcs11SourceError } from "./module";
import { readPin, openTokenSession } from "./session";
import { describePkcs11, parsePkcs11Uri } from "./uri";

export { parsePkcs11Uri, describePkcs11 } from "./uri";
export type { Pkcs11Uri } from "./uri";

export interface Pkcs11ResolveOptions {
    /** Accept `pin-value` (the CLI and tests; never a spec, whose descriptor is kept in state). */
    readonly allowPinValue?: boolean;
    readonly env?: NodeJS.ProcessEnv;
    /** A key that is not in the token is `undefined`, not an error (a key keyfabric is to create). */
    readonly absentOk?: boolean;
}

/** The token's key as sealed material, with its fingerprint; `material.fill(0)` releases the token. */
export function resolvePkcs11Material(uriText: string, kind: MaterialKind, options: Pkcs11ResolveOptions & { absentOk: true }): { material: SealedMaterial; fingerprint: string } | undefined;
export function resolvePkcs11Material(uriText: string, kind: MaterialKind, options?: Pkcs11ResolveOptions): { material: SealedMaterial; fingerprint: string };
export function resolvePkcs11Material(uriText: string, kind: MaterialKind, options: Pkcs11ResolveOptions = {}): { material: SealedMaterial; fingerprint: string } | undefined {
    const where = `key material from ${describePkcs11(uriText)}`;
    const { uri, issues } = parsePkcs11Uri(uriText, { allowPinValue: options.allowPinValue });
    if (!uri) {
        const i = issues[0];
        const extras = [...(i.allowed ? [`allowed: ${i.allowed}`] : []), ...(i.got !== undefined ? [`got: ${JSON.stringify(i.got)}`] : [])];
        throw new MaterialSourceError(null, `material.pkcs11: ${i.attribute ? `${i.attribute} ` : ""}${i.message}${extras.length ? ` (${extras.join(", ")})` : ""}`);
    }
    try {
        const pin = readPin(uri, where, options.env);
        const session = openTokenSession(uri, where, pin);
        try {
            const material = sealedTokenKey(session, uri, kind, where);
            return { material, fingerprint: material.fingerprint };
        } catch (e) {
            session.close();
            throw e;
        }
    } catch (e) {
        if (e instanceof Pkcs11KeyAbsent && options.absentOk) return undefined;
        if (e instanceof Pkcs11SourceError) throw new MaterialSourceError(null, e.message);
        throw e;
    }
}
