/**
 * User tags (`defaults.tags`, `domains[].tags`, `keys[].tags`), checked against what each cloud that receives them
 * accepts (limits.ts), before anything is created. Every key gets the tags of its hierarchy defaults, its domain and
 * itself (later ones win for the same key) plus keyfabric's correlation tags; in GCP they are labels, which keyfabric
 * lower-cases and sanitises (names.ts), so two tags can become one label.
 */
import { CloudName, CLOUDS, LABEL_KEYS, TAG_KEYS } from "./constants";
import { IssueCollector } from "./errors";
import { AWS_TAG_CHARS, AWS_TAG_CHARS_ALLOWED, AZURE_TAG_NAME_FORBIDDEN, TAG_LIMITS } from "./limits";
import { sanitizeLabelKey } from "./names";
import type { ResolvedDomain } from "./validate";

const isObj = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** keyfabric's correlation tags on every key (AWS, Azure) and labels (GCP). */
const CORRELATION_COUNT = Object.keys(TAG_KEYS).length;

/** A label key before truncation: what `sanitizeLabelKey` makes of it, without cutting it at 63 characters. */
function labelKeyOf(key: string): string {
    const s = key.toLowerCase().replace(/[^a-z0-9_-]/g, "_");
    return /^[a-z]/.test(s) ? s : `k${s}`;
}

const chars = (s: string) => [...s].length;
const joinList = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}` : items[0]);
const tagPath = (source: string, key: string) => (key === "" ? `${source}[""]` : `${source}.${key}`);

interface TagUse {
    readonly path: string;
    readonly key: string;
    readonly value: unknown;
    readonly clouds: Set<CloudName>;
}

/** Checks every user tag for the clouds of the keys it reaches, and each key's merged tags for collisions and counts. */
export function checkTags(spec: Record<string, any>, domains: readonly ResolvedDomain[], issues: IssueCollector): void {
    const uses = new Map<string, TagUse>();
    const rawDomains: unknown[] = Array.isArray(spec.domains) ? spec.domains : [];
    const defaults = isObj(spec.defaults) ? spec.defaults : {};
    for (const d of domains) {
        const di = Number(/^domains\[(\d+)\]$/.exec(d.path)?.[1]);
        const rawDomain = isObj(rawDomains[di]) ? (rawDomains[di] as Record<string, any>) : {};
        for (const k of d.keys) {
            const ki = Number(/\.keys\[(\d+)\]$/.exec(k.path)?.[1]);
            const rawKey = Array.isArray(rawDomain.keys) && isObj(rawDomain.keys[ki]) ? rawDomain.keys[ki] : {};
            const sources: [string, unknown][] = [
                ["defaults.tags", defaults.tags],
                [`${d.path}.tags`, rawDomain.tags],
                [`${k.path}.tags`, rawKey.tags],
            ];
            const clouds = CLOUDS.filter((c) => k.shapes[c] !== undefined);
            const merged = new Map<string, string>(); // tag key -> the path it comes from (the last source wins)
            for (const [source, tags] of sources) {
                if (!isObj(tags)) continue;
                for (const [key, value] of Object.entries(tags)) {
                    const path = tagPath(source, key);
                    const use = uses.get(path) ?? { path, key, value, clouds: new Set<CloudName>() };
                    clouds.forEach((c) => use.clouds.add(c));
                    uses.set(path, use);
                    merged.set(key, path);
                }
            }
            checkMerged(k.path, isObj(rawKey.tags), merged, clouds, issues);
        }
    }
    for (const use of uses.values()) checkTag(use, issues);
    checkOwner(spec.owner, new Set(domains.flatMap((d) => d.keys.flatMap((k) => CLOUDS.filter((c) => k.shapes[c] !== undefined)))), issues);
}

/** `owner` is the value of the keyfabric:owner tag (keyfabric-owner label) on every key. */
function checkOwner(owner: unknown, clouds: Set<CloudName>, issues: IssueCollector): void {
    if (typeof owner !== "string" || owner === "") return;
    if (clouds.has("gcp") && owner.toLowerCase().length > TAG_LIMITS.gcp.valueChars) {
        issues.add({ code: "too_long", path: "owner", message: `is the value of the keyfabric-owner label on every GCP key, and GCP label values have at most ${TAG_LIMITS.gcp.valueChars} characters`, allowed: `at most ${TAG_LIMITS.gcp.valueChars} characters`, got: owner });
    }
    if (clouds.has("aws") && !AWS_TAG_CHARS.test(owner)) {
        issues.add({ code: "invalid_value", path: "owner", message: "is the value of the keyfabric:owner tag on every AWS key, and has characters AWS KMS tag values do not allow", allowed: AWS_TAG_CHARS_ALLOWED, got: owner });
    }
}

/** One tag, for the clouds it reaches. */
function checkTag({ path, key, value, clouds }: TagUse, issues: IssueCollector): void {
    if (key === "__proto__") {
        issues.add({ code: "invalid_value", path, message: "cannot be a tag key: JavaScript objects drop a property named __proto__, so the tag would silently go missing", allowed: "any other tag key", got: key });
        return;
    }
    if (key === "") {
        issues.add({ code: "invalid_value", path, message: "is an empty tag key: every cloud needs at least one character", allowed: "a tag key of 1 character or more", got: key });
        return;
    }
    const lower = key.toLowerCase();
    if (lower.startsWith("keyfabric:") || lower.startsWith("keyfabric-")) {
        issues.add({
            code: "reserved",
            path,
            message: `starts with keyfabric: or keyfabric- (in any case), the prefix of keyfabric's correlation tags (${TAG_KEYS.domain}, ${LABEL_KEYS.domain} as a GCP label, ...), which a user tag must not overwrite`,
            allowed: "a tag key without that prefix",
            got: key,
        });
        return;
    }
    if (clouds.has("aws") && lower.startsWith("aws:")) {
        issues.add({ code: "reserved", path, message: "starts with aws: (in any case), which AWS reserves for its own tags", allowed: "a tag key without that prefix", got: key });
    }
    // Lengths: a GCP label is the sanitised key or value, which keyfabric would otherwise cut at 63 characters.
    const lengths: Record<CloudName, [number, number]> = {
        aws: [chars(key), typeof value === "string" ? chars(value) : 0],
        gcp: [labelKeyOf(key).length, typeof value === "string" ? value.toLowerCase().length : 0],
        azure: [chars(key), typeof value === "string" ? chars(value) : 0],
    };
    for (const i of [0, 1] as const) {
        const over = CLOUDS.filter((c) => clouds.has(c) && lengths[c][i] > TAG_LIMITS[c][i === 0 ? "keyChars" : "valueChars"]);
        if (over.length === 0) continue;
        const limit = (c: CloudName) => TAG_LIMITS[c][i === 0 ? "keyChars" : "valueChars"];
        const noun = (c: CloudName) => TAG_LIMITS[c][i === 0 ? "keyNoun" : "valueNoun"];
        const n = lengths[over[0]][i];
        issues.add({
            code: "too_long",
            path,
            message: `${i === 0 ? "is a tag key" : "has a value"} of ${n} characters, longer than ${joinList(over.map((c) => `${noun(c)} (at most ${limit(c)})`))} allow`,
            allowed: `at most ${Math.min(...over.map(limit))} characters`,
            got: i === 0 ? key : value,
        });
    }
    if (clouds.has("aws")) {
        if (!AWS_TAG_CHARS.test(key)) issues.add({ code: "invalid_value", path, message: "has characters AWS KMS tag keys do not allow", allowed: AWS_TAG_CHARS_ALLOWED, got: key });
        if (typeof value === "string" && !AWS_TAG_CHARS.test(value)) issues.add({ code: "invalid_value", path, message: "has a value with characters AWS KMS tag values do not allow", allowed: AWS_TAG_CHARS_ALLOWED, got: value });
    }
    if (clouds.has("azure") && AZURE_TAG_NAME_FORBIDDEN.test(key)) {
        issues.add({ code: "invalid_value", path, message: "has a character Azure tag names cannot contain", allowed: "any characters but < > % & \\ ? /", got: key });
    }
    if (clouds.has("gcp") && !/[a-z0-9]/.test(key.toLowerCase().replace(/[^a-z0-9_-]/g, "_"))) {
        issues.add({
            code: "invalid_value",
            path,
            message: `has no letter or digit a GCP label key keeps: keyfabric lower-cases label keys and replaces every character but a-z 0-9 _ - with _, which makes it "${sanitizeLabelKey(key)}"`,
            allowed: "a tag key with at least one letter a-z or digit",
            got: key,
        });
    }
}

/** A key's tags after merging: one GCP label for two tags, one Azure tag name for two (names ignore case), counts. */
function checkMerged(kpath: string, ownTags: boolean, merged: Map<string, string>, clouds: readonly CloudName[], issues: IssueCollector): void {
    const keys = [...merged.keys()].filter((k) => k !== "" && k !== "__proto__");
    const same = (cloud: CloudName, of: (k: string) => string, message: (other: string, as: string) => string, allowed: string) => {
        if (!clouds.includes(cloud)) return;
        const first = new Map<string, string>();
        for (const k of keys) {
            const as = of(k);
            const other = first.get(as);
            if (other === undefined) first.set(as, k);
            else issues.add({ code: "collision", path: merged.get(k)!, message: message(merged.get(other)!, as), allowed, got: k });
        }
    };
    same("gcp", (k) => sanitizeLabelKey(k), (other, as) => `becomes the GCP label key "${as}", as does ${other}: keyfabric lower-cases label keys and replaces characters other than a-z 0-9 _ -, so one label would overwrite the other`, "tag keys that stay different as GCP labels");
    same("azure", (k) => k.toLowerCase(), (other) => `is the same Azure tag name as ${other}: Azure tag names ignore case, so one tag would overwrite the other`, "tag keys that differ in more than case");
    const over = clouds.filter((c) => keys.length + CORRELATION_COUNT > TAG_LIMITS[c].count);
    if (over.length > 0) {
        issues.add({
            code: "too_many",
            path: ownTags ? `${kpath}.tags` : kpath,
            message: `gets ${keys.length} tags (defaults, domain and key tags together) besides keyfabric's ${CORRELATION_COUNT} correlation tags, more than ${joinList(over.map((c) => `${TAG_LIMITS[c].noun} (at most ${TAG_LIMITS[c].count} per key)`))} allow`,
            allowed: `at most ${Math.min(...over.map((c) => TAG_LIMITS[c].count)) - CORRELATION_COUNT} tags of your own`,
            got: keys.length,
        });
    }
}
