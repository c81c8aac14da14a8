/**
 * The PKCS#11 library layer: `pkcs11js` loaded lazily (an optional dependency: users without an HSM install nothing
 * native), the module path resolved (default: SoftHSM2 where installed), and one initialized library per path in
 * this process, shared by reference count (C_Initialize may be called once per process), finalized when the last
 * user releases it. Cryptoki return codes become words.
 */
import * as fs from "fs";
import * as path from "path";
import type { Pkcs11Uri } from "./uri";

export type Pkcs11Js = typeof import("pkcs11js");
export type Pkcs11Lib = InstanceType<Pkcs11Js["PKCS11"]>;

/** Where distributions install SoftHSM2's library (Debian/Ubuntu, Fedora/RHEL, Alpine, Homebrew, from source). */
export const SOFTHSM2_PATHS = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/lib/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
] as const;
/** Where p11-kit-style `module-name`s are looked up. */
const MODULE_DIRS = ["/usr/lib/x86_64-linux-gnu/pkcs11", "/usr/lib/aarch64-linux-gnu/pkcs11", "/usr/lib64/pkcs11", "/usr/lib/pkcs11", "/usr/local/lib/pkcs11", "/usr/lib/softhsm", "/usr/local/lib/softhsm"];

/** A PKCS#11 problem; the message names the source (never the PIN). */
export class Pkcs11SourceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "Pkcs11SourceError";
    }
}

/** `pkcs11js`, or an error that names the package and how to install it. */
export function loadPkcs11js(where: string): Pkcs11Js {
    try {
        return require("pkcs11js") as Pkcs11Js;
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "MODULE_NOT_FOUND" || /Cannot find module/.test(String((e as Error).message))) {
            throw new Pkcs11SourceError(`${where}: the pkcs11js package is not installed; a pkcs11 material source needs it (npm install pkcs11js@2.1.7, an optional dependency of keyfabric, built with node-gyp)`);
        }
        throw new Pkcs11SourceError(`${where}: the pkcs11js package could not be loaded (${(e as Error).message.split("\n")[0]}); rebuild it (npm rebuild pkcs11js)`);
    }
}

/** The library to load: `module-path`, `module-name` in the usual directories, or SoftHSM2 where installed. */
export function modulePathFor(uri: Pkcs11Uri, where: string, exists: (p: string) => boolean = fs.existsSync): string {
    if (uri.modulePath) {
        if (!exists(uri.modulePath)) throw new Pkcs11SourceError(`${where}: module-path ${uri.modulePath}: no such file (allowed: the absolute path of the token's PKCS#11 library, e.g. ${SOFTHSM2_PATHS[0]})`);
        return uri.modulePath;
    }
    if (uri.moduleName) {
        const names = [uri.moduleName, `${uri.moduleName}.so`, `lib${uri.moduleName}.so`];
        const found = MODULE_DIRS.flatMap((d) => names.map((n) => path.join(d, n))).find(exists);
        if (!found) throw new Pkcs11SourceError(`${where}: module-name ${uri.moduleName}: not found in ${MODULE_DIRS.join(", ")} (allowed: a library in one of them, or module-path=<absolute path>)`);
        return found;
    }
    const softhsm = SOFTHSM2_PATHS.find(exists);
    if (!softhsm) throw new Pkcs11SourceError(`${where}: module-path is missing and SoftHSM2 is not installed here (looked in ${SOFTHSM2_PATHS.join(", ")}); give module-path=<the HSM's PKCS#11 library>`);
    return softhsm;
}

interface Loaded {
    readonly lib: Pkcs11Lib;
    users: number;
}
const loaded = new Map<string, Loaded>();

/** An initialized library for `modulePath`, shared; call the returned `release` once when done. */
export function acquireLibrary(modulePath: string, where: string): { lib: Pkcs11Lib; p11: Pkcs11Js; release: () => void } {
    const p11 = loadPkcs11js(where);
    let entry = loaded.get(modulePath);
    if (!entry) {
        const lib = new p11.PKCS11();
        try {
            lib.load(modulePath);
        } catch (e) {
            throw new Pkcs11SourceError(`${where}: module-path ${modulePath} is not a PKCS#11 library that can be loaded (${(e as Error).message.split("\n")[0]})`);
        }
        try {
            lib.C_Initialize();
        } catch (e) {
            if (ckr(e) !== "CKR_CRYPTOKI_ALREADY_INITIALIZED") {
                try {
                    lib.close();
                } catch {
                    /* nothing to close */
                }
                throw new Pkcs11SourceError(`${where}: C_Initialize of ${modulePath} failed: ${ckrText(e)}${/SOFTHSM|softhsm/.test(modulePath) ? " (SoftHSM2 reads its configuration from SOFTHSM2_CONF)" : ""}`);
            }
        }
        entry = { lib, users: 0 };
        loaded.set(modulePath, entry);
    }
    entry.users++;
    const e = entry;
    let released = false;
    return {
        lib: e.lib,
        p11,
        release: () => {
            if (released) return;
            released = true;
            if (--e.users > 0) return;
            loaded.delete(modulePath);
            try {
                e.lib.C_Finalize();
            } catch {
                /* already finalized */
            }
            try {
                e.lib.close();
            } catch {
                /* already closed */
            }
        },
    };
}

/** The Cryptoki return code name of a pkcs11js error (`CKR_PIN_INCORRECT`), if it is one. */
export function ckr(e: unknown): string | undefined {
    const m = /\b(CKR_[A-Z0-9_]+)\b/.exec(String((e as Error)?.message ?? ""));
    return m?.[1];
}

const WORDS: Record<string, string> = {
    CKR_PIN_INCORRECT: "the PIN is wrong",
    CKR_PIN_LOCKED: "the PIN is locked (too many wrong PINs); the security officer must unlock it",
    CKR_PIN_EXPIRED: "the PIN has expired; set a new one",
    CKR_PIN_LEN_RANGE: "the PIN has a length the token does not accept",
    CKR_TOKEN_NOT_PRESENT: "the token is not present",
    CKR_DEVICE_REMOVED: "the token was removed",
    CKR_KEY_UNEXTRACTABLE: "the key is not extractable (CKA_EXTRACTABLE false): it can never leave the token, even wrapped",
    CKR_KEY_NOT_WRAPPABLE: "the token cannot wrap this key with this mechanism",
    CKR_MECHANISM_INVALID: "the token does not offer this mechanism",
    CKR_MECHANISM_PARAM_INVALID: "the token does not accept these mechanism parameters",
    CKR_ARGUMENTS_BAD: "the token refused the arguments (for OAEP: a hash it does not offer)",
    CKR_KEY_FUNCTION_NOT_PERMITTED: "the key's attributes do not permit this use",
    CKR_KEY_TYPE_INCONSISTENT: "the key is of a type this mechanism does not take",
    CKR_USER_PIN_NOT_INITIALIZED: "the token's user PIN is not initialized",
    CKR_GENERAL_ERROR: "the token reported a general error",
};

/** `CKR_X (in words)` for a pkcs11js error; the PIN is never part of one. */
export function ckrText(e: unknown): string {
    const code = ckr(e);
    if (!code) return (e as Error)?.message?.split("\n")[0] ?? String(e);
    return WORDS[code] ? `${WORDS[code]} (${code})` : code;
}
