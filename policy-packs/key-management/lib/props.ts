/**
 * Reading resource properties the same way on inputs (preview) and on state (`pulumi policy analyze --file`), and
 * helpers shared by the rules. Never echo property values in messages: secrets reach policies as plain values.
 */

/** The dynamic resources keyfabric's BYOK providers register (`pulumi.dynamic.Resource(..., "keyfabric", Type)`). */
export const DYNAMIC = {
    awsImportedKeyMaterial: "pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial",
    gcpImportedKeyVersion: "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion",
    azureImportedKey: "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey",
    materialFingerprint: "pulumi-nodejs:dynamic/keyfabric:MaterialFingerprint",
} as const;

/** keyfabric's correlation tags (AWS, Azure) and labels (GCP). */
export const TAGS = { hierarchy: "keyfabric:hierarchy", domain: "keyfabric:domain", key: "keyfabric:key", owner: "keyfabric:owner", classification: "keyfabric:classification" } as const;
export const LABELS = { hierarchy: "keyfabric-hierarchy", domain: "keyfabric-domain", key: "keyfabric-key", owner: "keyfabric-owner", classification: "keyfabric-classification" } as const;

export const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Duration in days from GCP's "7776000s" or an ISO 8601 "P90D" / "P3M" / "P1Y" (months 30 d, years 365 d). */
export function durationDays(value: unknown): number | undefined {
    if (typeof value !== "string") return undefined;
    const s = /^(\d+(?:\.\d+)?)s$/.exec(value);
    if (s) return Number(s[1]) / 86400;
    const iso = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(value);
    if (iso && value !== "P") return Number(iso[1] ?? 0) * 365 + Number(iso[2] ?? 0) * 30 + Number(iso[3] ?? 0) * 7 + Number(iso[4] ?? 0);
    return undefined;
}

/**
 * A number of days for a violation message: "1 day", "90 days", "0.5 days" (two decimals, more when two would round
 * a fraction to a whole number: "90.000012 days"). Messages name the threshold and the number the rule derived (days,
 * bits), never the property's own text.
 */
export function days(n: number): string {
    let v = Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2)));
    if (!Number.isInteger(n) && Number.isInteger(Number(v))) v = String(Number(n.toFixed(6)));
    return `${v} ${v === "1" ? "day" : "days"}`;
}

/** The frameworks both Azure rotation-policy rules (Key Vault keys, Managed HSM keys) implement. */
export const AZURE_ROTATION_FRAMEWORKS = [
    { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.8 Ensure Automatic Key Rotation is Enabled Within Azure Key Vault for the Supported Services" },
    { name: "KICS", version: "2", reference: "azure_key_vault_key_rotation_disabled" },
    { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.3 Cryptoperiods" },
    { name: "PCI DSS", version: "4.0", reference: "3.7.4 Key changes for keys that have reached the end of their cryptoperiod" },
] as const;

/**
 * Days after a version is created at which an Azure rotation policy rotates it: the trigger's time after creation,
 * else the expiry minus the time before expiry. undefined when it cannot be computed.
 */
export function rotateAfterDays(timeAfterCreate: unknown, timeBeforeExpiry: unknown, expiryTime: unknown): number | undefined {
    const after = durationDays(timeAfterCreate);
    if (after !== undefined) return after;
    const before = durationDays(timeBeforeExpiry);
    const expiry = durationDays(expiryTime);
    return before !== undefined && expiry !== undefined ? expiry - before : undefined;
}

/** A key policy as an object, from a JSON string or an object; undefined when absent or not JSON. */
export function policyDocument(policy: unknown): Record<string, any> | undefined {
    if (isObject(policy)) return policy;
    if (typeof policy !== "string" || policy.trim() === "") return undefined;
    try {
        const parsed = JSON.parse(policy);
        return isObject(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

export const asArray = <T = unknown>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : v === undefined || v === null ? [] : [v as T]);
