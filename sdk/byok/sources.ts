/**
 * Material sources: a non-secret descriptor (`{file}`, `{env}`, `{command}`) that is resolved to key material only
 * inside a BYOK provider or the CLI, at the moment of wrapping. Errors name the source, never its content.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import { z } from "zod";
import { checkMaterial, fingerprint, MaterialError, MaterialKind } from "../crypto/material";

export const MATERIAL_FORMATS = ["raw", "hex", "base64", "pem", "der", "jwk"] as const;
export type MaterialFormat = (typeof MATERIAL_FORMATS)[number];

export const materialSourceSchema = z.union([
    z.strictObject({ file: z.string().min(1), format: z.enum(MATERIAL_FORMATS).optional() }),
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), format: z.enum(MATERIAL_FORMATS).optional() }),
    z.strictObject({ command: z.array(z.string()).min(1), format: z.enum(MATERIAL_FORMATS).optional(), timeoutMs: z.number().int().positive().optional() }),
]);

/** Where material comes from. The descriptor is safe to keep in state; the material is not. */
export type MaterialSource = z.infer<typeof materialSourceSchema>;

export class MaterialSourceError extends Error {
    constructor(source: MaterialSource, problem: string) {
        super(`key material from ${describeSource(source)}: ${problem}`);
        this.name = "MaterialSourceError";
    }
}

/** A description for messages: the file path, variable name or program name; never content or arguments' values. */
export function describeSource(source: MaterialSource): string {
    if ("file" in source) return `file ${source.file}`;
    if ("env" in source) return `environment variable ${source.env}`;
    return `command ${source.command[0]} (${source.command.length - 1} argument${source.command.length === 2 ? "" : "s"})`;
}

export interface ResolvedMaterial {
    /** Raw bytes (symmetric) or DER PKCS#8 (asymmetric). Zero it after use. */
    readonly material: Buffer;
    readonly privateKey?: crypto.KeyObject;
    readonly fingerprint: string;
}

/** Reads, decodes and checks material against `kind`. */
export function resolveMaterial(source: MaterialSource, kind: MaterialKind): ResolvedMaterial {
    const raw = readSource(source);
    let material: Buffer;
    try {
        material = decode(raw, source.format ?? guessFormat(source, raw, kind), kind);
    } catch (e) {
        raw.fill(0);
        throw new MaterialSourceError(source, (e as Error).message);
    }
    raw.fill(0);
    try {
        const privateKey = checkMaterial(kind, material);
        return { material, privateKey, fingerprint: fingerprint(material, privateKey) };
    } catch (e) {
        material.fill(0);
        if (e instanceof MaterialError) throw new MaterialSourceError(source, e.message);
        throw e;
    }
}

function readSource(source: MaterialSource): Buffer {
    if ("file" in source) {
        try {
            return fs.readFileSync(source.file);
        } catch (e: any) {
            throw new MaterialSourceError(source, e?.code === "ENOENT" ? "no such file" : e?.code === "EACCES" ? "permission denied" : `cannot be read (${e?.code ?? "error"})`);
        }
    }
    if ("env" in source) {
        const v = process.env[source.env];
        if (v === undefined || v === "") throw new MaterialSourceError(source, "is not set");
        return Buffer.from(v.trim(), "utf8");
    }
    const r = spawnSync(source.command[0], source.command.slice(1), { timeout: source.timeoutMs ?? 30_000, maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "pipe"] });
    if (r.error) throw new MaterialSourceError(source, (r.error as any).code === "ENOENT" ? "program not found" : (r.error as any).code === "ETIMEDOUT" ? "timed out" : "could not be run");
    if (r.status !== 0) throw new MaterialSourceError(source, `exited with status ${r.status}`);
    return r.stdout;
}

function guessFormat(source: MaterialSource, raw: Buffer, kind: MaterialKind): MaterialFormat {
    const symmetricBytes = kind.type === "aes" || kind.type === "hmac" ? kind.bytes : undefined;
    // A file of exactly the key's size is the raw key (random bytes can look like text).
    if ("file" in source && symmetricBytes !== undefined && raw.length === symmetricBytes) return "raw";
    const text = raw.toString("utf8").trim();
    if (text.startsWith("-----BEGIN")) return "pem";
    if (text.startsWith("{") && text.endsWith("}")) return "jwk";
    if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) return "hex";
    if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return "base64";
    return symmetricBytes !== undefined ? "raw" : "der";
}

function decode(raw: Buffer, format: MaterialFormat, kind: MaterialKind): Buffer {
    const text = () => raw.toString("utf8").trim();
    switch (format) {
        case "raw":
        case "der":
            return Buffer.from(raw);
        case "hex":
            if (!/^(?:[0-9a-fA-F]{2})+$/.test(text())) throw new Error("is not valid hex");
            return Buffer.from(text(), "hex");
        case "base64": {
            const t = text();
            if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) throw new Error("is not valid base64");
            return Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
        }
        case "pem": {
            const t = text();
            if (/ENCRYPTED/.test(t)) throw new Error("is a password-protected PEM; decrypt it first (keyfabric never handles key passwords)");
            try {
                return crypto.createPrivateKey({ key: t, format: "pem" }).export({ type: "pkcs8", format: "der" });
            } catch {
                throw new Error("is not a PEM private key");
            }
        }
        case "jwk": {
            let jwk: any;
            try {
                jwk = JSON.parse(text());
            } catch {
                throw new Error("is not valid JSON (JWK)");
            }
            if (jwk?.kty === "oct") {
                if (kind.type !== "aes" && kind.type !== "hmac") throw new Error(`is an oct JWK, and ${kind.type.toUpperCase()} material is needed`);
                if (typeof jwk.k !== "string") throw new Error("is an oct JWK without k");
                return Buffer.from(jwk.k, "base64url");
            }
            try {
                return crypto.createPrivateKey({ key: jwk, format: "jwk" }).export({ type: "pkcs8", format: "der" });
            } catch {
                throw new Error("is not a private JWK");
            }
        }
    }
}
