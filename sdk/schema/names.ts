/**
 * Names, tags and labels: how logical names become cloud names, and the correlation tags every instance gets.
 */
import { createHash } from "crypto";
import { Classification, LABEL_KEYS, TAG_KEYS } from "./constants";

/** Lowercase letters, digits and hyphens, starting with a letter: valid as a part of every cloud's names. */
export const NAME_RE = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const NAME_FORMAT = "1-32 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen";

/** A short, stable hex digest of the parts: for child names and cloud names that must stay unique. */
export function shortHash(...parts: string[]): string {
    return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 8);
}

/** A deterministic UUID (version-5 layout over SHA-256) for resources whose names must be GUIDs. */
export function stableUuid(...parts: string[]): string {
    const h = createHash("sha256").update(parts.join("\u0000")).digest();
    h[6] = (h[6] & 0x0f) | 0x50;
    h[8] = (h[8] & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString("hex");
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * A readable, name-safe slug of a principal or other id: `arn:aws:iam::1:role/App` -> `app`,
 * `serviceAccount:etl@p.iam.gserviceaccount.com` -> `etl`, `group:<uuid>` -> the uuid's first 8 characters.
 */
export function slug(value: string, max = 24): string {
    let v = value;
    if (v.startsWith("arn:")) v = v.split(/[/:]/).filter(Boolean).pop() ?? v;
    else v = v.replace(/^[a-zA-Z]+:(\/\/)?/, "").split("@")[0];
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(v)) v = v.slice(0, 8);
    const s = v.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return (s || "x").slice(0, max).replace(/-+$/, "");
}

/** GCP label values: lowercase letters, digits, `_` and `-`, at most 63 characters. */
export function sanitizeLabelValue(value: string): string {
    return value.toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, 63);
}

/** GCP label keys: like values, and starting with a lowercase letter. */
export function sanitizeLabelKey(key: string): string {
    const s = sanitizeLabelValue(key);
    return /^[a-z]/.test(s) ? s : `k${s}`.slice(0, 63);
}

export interface KeyIdentity {
    readonly hierarchy: string;
    readonly domain: string;
    /** The logical key; empty for a domain's shared containers (key rings, vaults). */
    readonly key: string;
    readonly owner: string;
    readonly classification: Classification;
}

/** AWS and Azure tags: user tags first, keyfabric's correlation tags last (they win). */
export function correlationTags(id: KeyIdentity | undefined, extra: Record<string, string> = {}): Record<string, string> {
    if (!id) return { ...extra };
    const tags: Record<string, string> = { ...extra, [TAG_KEYS.hierarchy]: id.hierarchy, [TAG_KEYS.domain]: id.domain };
    if (id.key) tags[TAG_KEYS.key] = id.key;
    tags[TAG_KEYS.owner] = id.owner;
    tags[TAG_KEYS.classification] = id.classification;
    return tags;
}

/** GCP labels: the same, sanitised to GCP's charset. */
export function correlationLabels(id: KeyIdentity | undefined, extra: Record<string, string> = {}): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(extra)) labels[sanitizeLabelKey(k)] = sanitizeLabelValue(v);
    if (!id) return labels;
    labels[LABEL_KEYS.hierarchy] = sanitizeLabelValue(id.hierarchy);
    labels[LABEL_KEYS.domain] = sanitizeLabelValue(id.domain);
    if (id.key) labels[LABEL_KEYS.key] = sanitizeLabelValue(id.key);
    labels[LABEL_KEYS.owner] = sanitizeLabelValue(id.owner);
    labels[LABEL_KEYS.classification] = sanitizeLabelValue(id.classification);
    return labels;
}

/** Azure vault names: 3-24 letters, digits and hyphens, globally unique; a readable prefix plus a stable hash. */
export function azureVaultName(hierarchy: string, domain: string, location: string): string {
    const prefix = `${hierarchy}-${domain}`.replace(/-+/g, "-").slice(0, 14).replace(/-+$/, "");
    return `${prefix}-${shortHash(hierarchy, domain, location)}`;
}
