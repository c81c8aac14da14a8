/**
 * What can be said of a `{pkcs11}` source offline, without loading the library or opening the token: as warnings,
 * since the deployment may run where the HSM is (the providers refuse the same problems as errors).
 */
import * as fs from "fs";
import { modulePathFor, Pkcs11SourceError } from "./module";
import { parsePkcs11Uri } from "./uri";

export interface Pkcs11Warning {
    readonly message: string;
    readonly got?: string;
}

export function pkcs11Warnings(uriText: string, env: NodeJS.ProcessEnv = process.env, resolvePackage: () => void = () => require.resolve("pkcs11js")): Pkcs11Warning[] {
    const { uri } = parsePkcs11Uri(uriText);
    if (!uri) return [];
    const out: Pkcs11Warning[] = [];
    try {
        resolvePackage();
    } catch {
        out.push({ message: "needs the pkcs11js package, which is not installed here (npm install pkcs11js@2.1.7): the import at deploy time would fail unless it is installed there" });
    }
    try {
        modulePathFor(uri, "");
    } catch (e) {
        if (e instanceof Pkcs11SourceError) out.push({ message: `names a PKCS#11 library that is not here (${e.message.replace(/^: /, "")}): the import at deploy time would fail unless it is there`, ...(uri.modulePath ?? uri.moduleName ? { got: uri.modulePath ?? uri.moduleName } : {}) });
    }
    const pin = uri.pinSource;
    if (pin && "env" in pin && !env[pin.env]) out.push({ message: `pin-source env:${pin.env}: the environment variable is not set here: the import at deploy time would fail unless it is set there`, got: pin.env });
    if (pin && "file" in pin && !fs.existsSync(pin.file)) out.push({ message: `pin-source file:${pin.file}: no such file here: the import at deploy time would fail unless it exists there`, got: pin.file });
    return out;
}
