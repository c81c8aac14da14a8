/**
 * The session layer over pkcs11js: the token named by the URI (label, serial, manufacturer, model or slot-id), a
 * session logged in with the user PIN from `pin-source`, and the key named by `object` / `id` / `type`. Whatever
 * fails, everything opened is closed (the session, and the library when nothing else in the process uses it).
 * Errors name the source and say what was found instead; never the PIN.
 */
import { readBoundedFile } from "../sources";
import { acquireLibrary, ckr, ckrText, modulePathFor, Pkcs11Js, Pkcs11Lib, Pkcs11SourceError } from "./module";
import type { Pkcs11Uri } from "./uri";

export type Handle = Buffer;

export interface TokenSession {
    readonly lib: Pkcs11Lib;
    readonly p11: Pkcs11Js;
    readonly session: Handle;
    readonly slot: Handle;
    readonly modulePath: string;
    readonly tokenLabel: string;
    readonly tokenSerial: string;
    /** The mechanisms the token offers (CKM_* numbers). */
    readonly mechanisms: ReadonlySet<number>;
    /** Closes the session and releases the library. Idempotent. */
    close(): void;
}

/** The largest PIN file read. */
const MAX_PIN_BYTES = 256;

/** The user PIN from `pin-value` (CLI, tests) or `pin-source` (`env:NAME`, `file:<path>`, trailing newline dropped). */
export function readPin(uri: Pkcs11Uri, where: string, env: NodeJS.ProcessEnv = process.env): string {
    if (uri.pinValue !== undefined) return uri.pinValue;
    const src = uri.pinSource;
    if (!src) throw new Pkcs11SourceError(`${where}: pin-source is missing (allowed: pin-source=env:<NAME> or pin-source=file:<path>)`);
    if ("env" in src) {
        const v = env[src.env];
        if (v === undefined) throw new Pkcs11SourceError(`${where}: pin-source env:${src.env}: the environment variable is not set`);
        if (v === "") throw new Pkcs11SourceError(`${where}: pin-source env:${src.env}: the environment variable is empty`);
        return v;
    }
    const raw = readBoundedFile(src.file, MAX_PIN_BYTES, (p) => new Pkcs11SourceError(`${where}: pin-source file:${src.file} ${p}`), { what: "a PIN file" });
    try {
        const pin = raw.toString("utf8").replace(/\r?\n$/, "");
        if (pin === "") throw new Pkcs11SourceError(`${where}: pin-source file:${src.file} is empty`);
        return pin;
    } finally {
        raw.fill(0);
    }
}

const trimPadded = (s: string) => s.replace(/[ \0]+$/, "");

/** Opens a logged-in session on the URI's token. */
export function openTokenSession(uri: Pkcs11Uri, where: string, pin: string): TokenSession {
    const modulePath = modulePathFor(uri, where);
    const { lib, p11, release } = acquireLibrary(modulePath, where);
    let session: Handle | undefined;
    const close = () => {
        if (session) {
            try {
                lib.C_CloseSession(session);
            } catch {
                /* already closed */
            }
            session = undefined;
        }
        release();
    };
    try {
        const slots = lib.C_GetSlotList(true);
        const tokens = slots.map((slot) => ({ slot, info: lib.C_GetTokenInfo(slot), id: slot.readUIntLE(0, Math.min(slot.length, 6)) }));
        const label = (t: (typeof tokens)[number]) => trimPadded(t.info.label);
        const matching = tokens.filter(
            (t) =>
                (uri.token === undefined || label(t) === uri.token) &&
                (uri.serial === undefined || trimPadded(t.info.serialNumber) === uri.serial) &&
                (uri.manufacturer === undefined || trimPadded(t.info.manufacturerID) === uri.manufacturer) &&
                (uri.model === undefined || trimPadded(t.info.model) === uri.model) &&
                (uri.slotId === undefined || t.id === uri.slotId),
        );
        const initialized = (t: (typeof tokens)[number]) => (t.info.flags & p11.CKF_TOKEN_INITIALIZED) !== 0;
        const found = tokens.filter(initialized).map((t) => `"${label(t)}" (serial ${trimPadded(t.info.serialNumber)}, slot ${t.id})`);
        const wanted = [uri.token !== undefined ? `token "${uri.token}"` : "", uri.serial !== undefined ? `serial ${uri.serial}` : "", uri.slotId !== undefined ? `slot-id ${uri.slotId}` : ""].filter(Boolean).join(", ");
        if (matching.length === 0) throw new Pkcs11SourceError(`${where}: no token matches (${wanted}) in ${modulePath} (found: ${found.length ? found.join(", ") : "no initialized token"})`);
        if (matching.length > 1) throw new Pkcs11SourceError(`${where}: ${matching.length} tokens match (${wanted}): add serial=<serial> to name one (found: ${found.join(", ")})`);
        const t = matching[0];
        if (!initialized(t)) throw new Pkcs11SourceError(`${where}: the token in slot ${t.id} is not initialized`);
        session = lib.C_OpenSession(t.slot, p11.CKF_SERIAL_SESSION | p11.CKF_RW_SESSION);
        try {
            lib.C_Login(session, p11.CKU_USER, pin);
        } catch (e) {
            if (ckr(e) !== "CKR_USER_ALREADY_LOGGED_IN") throw new Pkcs11SourceError(`${where}: login to token "${label(t)}" failed: ${ckrText(e)}`);
        }
        const s = session;
        return {
            lib,
            p11,
            session: s,
            slot: t.slot,
            modulePath,
            tokenLabel: label(t),
            tokenSerial: trimPadded(t.info.serialNumber),
            mechanisms: new Set(lib.C_GetMechanismList(t.slot)),
            close,
        };
    } catch (e) {
        close();
        if (e instanceof Pkcs11SourceError) throw e;
        throw new Pkcs11SourceError(`${where}: ${ckrText(e)}`);
    }
}

/** Every object matching `template` (at most 100). */
export function findObjects(t: TokenSession, template: { type: number; value?: unknown }[]): Handle[] {
    t.lib.C_FindObjectsInit(t.session, template as any);
    try {
        return t.lib.C_FindObjects(t.session, 100);
    } finally {
        t.lib.C_FindObjectsFinal(t.session);
    }
}

/** The URI's object selectors as a template (label, id, class). */
export function selectorTemplate(t: TokenSession, uri: Pkcs11Uri, cls?: number): { type: number; value?: unknown }[] {
    const p = t.p11;
    return [
        ...(cls !== undefined ? [{ type: p.CKA_CLASS, value: cls }] : []),
        ...(uri.object !== undefined ? [{ type: p.CKA_LABEL, value: uri.object }] : []),
        ...(uri.id !== undefined ? [{ type: p.CKA_ID, value: uri.id }] : []),
    ];
}

/** Attribute values that are not sensitive (a sensitive one is refused by the token, never read here). */
export function readAttributes(t: TokenSession, handle: Handle, types: number[]): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    for (const type of types) {
        try {
            const [a] = t.lib.C_GetAttributeValue(t.session, handle, [{ type }]);
            if (a.value !== undefined) out.set(type, a.value as Buffer);
        } catch {
            /* not an attribute of this object */
        }
    }
    return out;
}

export const boolAttr = (b: Buffer | undefined) => b !== undefined && b.length > 0 && b[0] !== 0;
export const ulongAttr = (b: Buffer | undefined) => (b === undefined ? undefined : Number(b.length >= 8 ? b.readBigUInt64LE(0) : b.readUInt32LE(0)));
