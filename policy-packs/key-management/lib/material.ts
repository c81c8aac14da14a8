/**
 * Detecting key material where only a material source descriptor (sdk/byok/sources.ts) belongs: the BYOK resources'
 * `material` input. Shared by the per-cloud `*-disallow-plaintext-material` rules for keyfabric's import resources.
 */
import { isObject } from "./props";
import type { RuleMeta } from "./rule";

/**
 * What the `*-disallow-plaintext-material` rules for keyfabric's import resources say, besides their names: one text for
 * every cloud's import resource (`resource` names it in the description).
 */
export function importMaterialRuleText(resource: string): Pick<RuleMeta, "description" | "severity" | "enforcementLevel" | "frameworks" | "remediation" | "catalogueRows"> {
    return {
        description: `Key imports with keyfabric's ${resource} must name where key material comes from (a file, an environment variable or a command) and never carry the material itself: its inputs are stored in Pulumi state. Commands whose arguments look like key material (a PEM private key, a JWK, long hex, or long high-entropy base64) are flagged too; the check is a heuristic.`,
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.2 Secret and private keys are stored only in approved forms (encrypted, in an SCD, or as key components)" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (confidentiality of secret and private keys)" },
        ],
        remediation:
            "Pass material: { file: <path> } or { env: <VARIABLE> }, or a command that fetches the material (e.g. from a secret manager) without the material among its arguments.",
        catalogueRows: [13],
    };
}

/** The members of a material source descriptor (sdk/byok/sources.ts): names, paths and argv, never material. */
const DESCRIPTOR_FIELDS = ["file", "env", "command", "format", "timeoutMs"];

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
    const counts = new Map<string, number>();
    for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
    let h = 0;
    for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
    return h;
}

/**
 * Whether a command argument looks like key material rather than a program, flag, path, name or digest: a PEM private
 * key, a JWK with private members, 128+ bits of hex, or 40+ characters of high-entropy base64 (a 256-bit key is 44),
 * also after `--flag=` / `NAME=`. Digests (sha256:..., --sha256=...) are not material.
 */
function looksLikeMaterial(arg: unknown): boolean {
    if (typeof arg !== "string") return false;
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(arg)) return true;
    if (/"kty"\s*:/.test(arg) && /"(d|k)"\s*:/.test(arg)) return true;
    const eq = arg.indexOf("=");
    const split = eq > 0 && !/^[A-Za-z0-9+/]+={1,2}$/.test(arg);
    const name = split ? arg.slice(0, eq) : "";
    const value = split ? arg.slice(eq + 1) : arg;
    if (/sha|digest|hash|fingerprint|checksum/i.test(name) || /^(sha\d*|md5):/i.test(value)) return false;
    if (/^(0x)?[0-9a-fA-F]{32,}$/.test(value)) return true;
    return /^[A-Za-z0-9+/_-]{40,}={0,2}$/.test(value) && entropy(value) >= 4.25;
}

/** Whether a BYOK resource's `material` input carries material instead of (or inside) a source descriptor. */
export function inlineMaterial(material: unknown): boolean {
    if (!isObject(material)) return false;
    if (Object.keys(material).some((k) => !DESCRIPTOR_FIELDS.includes(k))) return true;
    const command = material.command;
    if (command === undefined) return false;
    const argv = command as ArrayLike<unknown>;
    for (let i = 0; i < argv.length; i++) if (looksLikeMaterial(argv[i])) return true;
    return false;
}
