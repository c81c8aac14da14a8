/**
 * Azure drift: Key Vault keys (`azure-native:keyvault:Key`), Managed HSM keys (classic
 * `azure:keyvault/managedHardwareSecurityModuleKey` with its rotation policy resource), keyfabric's imported keys
 * (`AzureImportedKey`), and vault settings through the ARM management plane (`azure-native:keyvault:Vault`).
 *
 * Per key (data plane): GetKey (enabled, exp/nbf, current version, key operations, tags), GetKeyRotationPolicy, and
 * GetDeletedKey only when the key is gone. Per vault: ARM vaults.get (soft delete, purge protection, RBAC, network
 * ACLs, public network access, SKU, tags).
 */
import type { KeyClient, KeyRotationPolicy, KeyVaultKey } from "@azure/keyvault-keys";
import type { Vault } from "@azure/arm-keyvault";
import { call, CheckContext, CheckResult, classifyError, describeError, FindingsFor, Handle, isRunStop, missingFields, ROTATION_GRACE_DAYS } from "./context";
import { asStringMap, bool, DAY_MS, describeMapDiff, diffMaps, iso, isoDurationDays, num, relativeDays, str, timeMs } from "./compare";
import { containsSecret, propsOf, SECRET, StateResource } from "./state";

/** The tag keyfabric's Azure import puts on the versions it imports (its material's fingerprint: sdk/byok/azure.ts). */
const AZURE_FINGERPRINT_TAG = "keyfabric-fingerprint";

/** What state declares about a key, whichever resource type declared it. `undefined` fields are not compared. */
interface KeyExpectation {
    readonly vaultUrl: string;
    readonly name: string;
    readonly enabled?: boolean;
    /** epoch ms; null: declared without expiry */
    readonly expires?: number | null;
    readonly notBefore?: number | null;
    /** null: declared without a rotate action; undefined: unknown */
    readonly rotation?: Rotation | null;
    readonly versions?: string[];
    readonly tags?: Record<string, unknown>;
    /** Tags keyfabric itself sets on the key's versions (not declared in state): not compared. */
    readonly ownTags?: readonly string[];
    readonly keyOps?: string[];
}

interface Rotation {
    readonly afterCreate?: string;
    readonly beforeExpiry?: string;
    readonly expiresIn?: string;
}

const secondsToMs = (v: unknown) => (num(v) !== undefined ? num(v)! * 1000 : undefined);

/** `https://<vault>.vault.azure.net/keys/<name>[/<version>]` → the vault URL and key name. */
function splitKeyUri(uri: string | undefined): { vaultUrl: string; name: string; version?: string } | undefined {
    const m = uri ? /^(https:\/\/[^/]+)\/keys\/([^/]+)(?:\/([^/]+))?\/?$/.exec(uri) : null;
    return m ? { vaultUrl: m[1], name: m[2], ...(m[3] ? { version: m[3] } : {}) } : undefined;
}

/** ARM id `/subscriptions/S/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/V[/keys/K]`. */
function parseArmId(id: string | undefined): { subscriptionId: string; resourceGroup: string; vault: string; key?: string } | undefined {
    const m = id ? /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)(?:\/keys\/([^/]+))?$/i.exec(id) : null;
    return m ? { subscriptionId: m[1], resourceGroup: m[2], vault: m[3], ...(m[4] ? { key: m[4] } : {}) } : undefined;
}

function rotationFromArm(policy: unknown): Rotation | null | undefined {
    if (policy === SECRET) return undefined;
    const p = asStringMap(policy);
    if (!p) return null;
    let afterCreate: string | undefined;
    let beforeExpiry: string | undefined;
    for (const a of Array.isArray(p.lifetimeActions) ? p.lifetimeActions : []) {
        const type = String(asStringMap(asStringMap(a)?.action)?.type ?? "").toLowerCase();
        const trigger = asStringMap(asStringMap(a)?.trigger);
        if (type !== "rotate") continue;
        afterCreate = str(trigger?.timeAfterCreate);
        beforeExpiry = str(trigger?.timeBeforeExpiry);
    }
    const expiresIn = str(asStringMap(p.attributes)?.expiryTime);
    if (!afterCreate && !beforeExpiry) return null;
    return { afterCreate, beforeExpiry, expiresIn };
}

function rotationFromLive(policy: KeyRotationPolicy | undefined): Rotation | null {
    const rotate = policy?.lifetimeActions?.find((a) => String(a.action).toLowerCase() === "rotate");
    if (!rotate) return null;
    return { afterCreate: rotate.timeAfterCreate, beforeExpiry: rotate.timeBeforeExpiry, expiresIn: policy?.expiresIn };
}

const sameDuration = (a: string | undefined, b: string | undefined) => {
    if (a === undefined || b === undefined) return a === b;
    if (a.toUpperCase() === b.toUpperCase()) return true;
    const da = isoDurationDays(a);
    const db = isoDurationDays(b);
    return da !== undefined && db !== undefined && Math.abs(da - db) < 1e-6;
};

const describeRotation = (r: Rotation | null) =>
    r ? [r.afterCreate ? `rotate ${r.afterCreate} after creation` : "", r.beforeExpiry ? `rotate ${r.beforeExpiry} before expiry` : "", r.expiresIn ? `versions expire after ${r.expiresIn}` : ""].filter(Boolean).join(", ") : "no rotation";

/** Runs the data-plane checks of one key against an expectation. */
async function checkKey(f: FindingsFor, exp: KeyExpectation, ctx: CheckContext): Promise<CheckResult> {
    const client = ctx.clients.azureKeys(exp.vaultUrl);
    const what = `key ${exp.name} in ${exp.vaultUrl.replace(/^https:\/\//, "")}`;
    const subject = `${exp.vaultUrl}/keys/${exp.name}`;
    let key: KeyVaultKey;
    try {
        key = await call(ctx, client.scope, (o) => client.client.getKey(exp.name, o.azure));
    } catch (e) {
        if (classifyError(e) !== "not-found") return f.readError("GetKey", what, e, subject);
        const later = await settled(client, exp, ctx);
        if (later === undefined) return missing(f, client, exp, what, subject, ctx, e);
        if ("error" in later) return f.readError("GetKey", what, later.error, subject);
        key = later.key;
    }
    const props = key.properties;
    const live: Record<string, unknown> = { enabled: props.enabled !== false, tags: { ...(props.tags ?? {}) } };
    const liveExpires = props.expiresOn?.getTime();
    const liveNbf = props.notBefore?.getTime();
    const version = props.version;

    if (exp.enabled !== false && props.enabled === false) {
        f.add("key-disabled", { expected: { enabled: true }, actual: { enabled: false, version: version ?? null }, message: `${what} is disabled: every operation with it fails`, subject });
    } else if (exp.enabled === false && props.enabled !== false) {
        f.add("key-enabled", { expected: { enabled: false }, actual: { enabled: true }, message: `${what} is enabled although the stack declares it disabled`, subject });
    }

    // Rotation policy.
    let liveRotation: Rotation | null = null;
    try {
        liveRotation = rotationFromLive(await call(ctx, client.scope, (o) => client.client.getKeyRotationPolicy(exp.name, o.azure)));
        live.rotation = liveRotation;
    } catch (e) {
        f.readError("GetKeyRotationPolicy", `the rotation policy of ${what}`, e, `${subject}#rotation`);
    }
    if (exp.rotation !== undefined) {
        const declared = exp.rotation;
        if (declared && !liveRotation) {
            f.add("rotation-disabled", { expected: declared, actual: null, message: `${what} has no rotate action in its rotation policy (the stack declares: ${describeRotation(declared)})`, subject });
        } else if (!declared && liveRotation) {
            f.add("rotation-enabled", { expected: null, actual: liveRotation, message: `${what} has a rotation policy that rotates it (${describeRotation(liveRotation)}) although the stack declares none`, subject });
        } else if (declared && liveRotation) {
            const changed = !sameDuration(declared.afterCreate, liveRotation.afterCreate) || !sameDuration(declared.beforeExpiry, liveRotation.beforeExpiry) || (declared.expiresIn !== undefined && !sameDuration(declared.expiresIn, liveRotation.expiresIn));
            if (changed) {
                f.add("rotation-period-changed", { expected: declared, actual: liveRotation, message: `the rotation policy of ${what} changed: ${describeRotation(liveRotation)} (declared: ${describeRotation(declared)})`, subject });
            }
        }
        // Overdue against the declared cryptoperiod.
        const created = props.createdOn?.getTime();
        if (declared && created !== undefined) {
            const after = isoDurationDays(declared.afterCreate);
            const before = isoDurationDays(declared.beforeExpiry);
            const due = after !== undefined ? created + after * DAY_MS : before !== undefined && liveExpires !== undefined ? liveExpires - before * DAY_MS : undefined;
            if (due !== undefined && ctx.now > due + ROTATION_GRACE_DAYS * DAY_MS) {
                f.add("rotation-overdue", {
                    expected: declared,
                    actual: { version: version ?? null, createdOn: iso(created) },
                    message: `${what} is overdue for rotation: its current version dates from ${iso(created)}, rotation was due ${relativeDays(due, ctx.now)} (${describeRotation(declared)})`,
                    subject,
                });
            }
        }
    }

    // Versions: a current version the stack does not know, unless a rotation policy explains it.
    const knownVersion = version !== undefined && exp.versions !== undefined && exp.versions.includes(version);
    if (exp.versions && exp.versions.length > 0 && version && !knownVersion && !liveRotation) {
        f.add("key-version-changed", {
            expected: { versions: exp.versions },
            actual: { version },
            message: `the current version of ${what} is ${version}, not one in state: a version was created out of band (rotate, import or create)`,
            subject: `${subject}#version`,
        });
    }

    // exp: within the warning window (or past) first; then exp / nbf against state (only for a version the stack
    // knows: rotation sets new dates). An expiry that changed and is now near is reported once, as expiring.
    const show = (t: number | null | undefined) => (t === null || t === undefined ? null : iso(t));
    let expiryReported = false;
    if (liveExpires !== undefined) {
        const rotatesFirst =
            liveRotation &&
            (() => {
                const created = props.createdOn?.getTime();
                const after = isoDurationDays(liveRotation.afterCreate);
                const before = isoDurationDays(liveRotation.beforeExpiry);
                const next = after !== undefined && created !== undefined ? created + after * DAY_MS : before !== undefined ? liveExpires - before * DAY_MS : undefined;
                return next !== undefined && next < liveExpires && next > ctx.now;
            })();
        const changed = exp.expires !== undefined && !sameMs(exp.expires, liveExpires) && (knownVersion || exp.versions === undefined);
        const note = changed ? ` (state: ${show(exp.expires) ?? "no expiry"})` : "";
        if (liveExpires <= ctx.now) {
            f.add("key-expired", { expected: { expires: show(exp.expires) }, actual: { expires: iso(liveExpires) }, message: `${what} expired on ${iso(liveExpires)}${note}: it no longer encrypts, wraps or signs`, subject: `${subject}#expiry` });
            expiryReported = true;
        } else if (liveExpires - ctx.now <= ctx.expiryWarningDays * DAY_MS && !rotatesFirst) {
            f.add("key-expiring", {
                expected: { validForMoreThanDays: ctx.expiryWarningDays, expires: show(exp.expires) },
                actual: { expires: iso(liveExpires) },
                message: `${what} expires on ${iso(liveExpires)} (${relativeDays(liveExpires, ctx.now)})${note} and no rotation is due before then`,
                severity: liveExpires - ctx.now <= 7 * DAY_MS ? "critical" : "high",
                subject: `${subject}#expiry`,
            });
            expiryReported = true;
        }
    }
    if (knownVersion || exp.versions === undefined) {
        const diffs: Record<string, [string | null, string | null]> = {};
        if (exp.expires !== undefined && !sameMs(exp.expires, liveExpires) && !expiryReported) diffs.expires = [show(exp.expires), show(liveExpires)];
        if (exp.notBefore !== undefined && !sameMs(exp.notBefore, liveNbf)) diffs.notBefore = [show(exp.notBefore), show(liveNbf)];
        if (Object.keys(diffs).length > 0) {
            f.add("key-validity-changed", {
                expected: Object.fromEntries(Object.entries(diffs).map(([k, [e]]) => [k, e])),
                actual: Object.fromEntries(Object.entries(diffs).map(([k, [, a]]) => [k, a])),
                message: `the validity of ${what} changed: ${Object.entries(diffs).map(([k, [e, a]]) => `${k} ${a ?? "none"} (state: ${e ?? "none"})`).join(", ")}`,
                subject: `${subject}#validity`,
            });
        }
    }

    if (exp.keyOps) {
        const want = [...new Set(exp.keyOps)].sort();
        const have = [...new Set((key.keyOperations ?? []).map(String))].sort();
        if (want.join(",") !== have.join(",")) {
            f.add("key-settings-changed", { expected: { keyOps: want }, actual: { keyOps: have }, message: `the permitted operations of ${what} changed: ${have.join(", ") || "none"} (state: ${want.join(", ")})`, subject: `${subject}#ops` });
        }
        live.keyOps = have;
    }
    if (exp.tags) {
        const own = new Set(exp.ownTags ?? []);
        const liveTags = Object.fromEntries(Object.entries(props.tags ?? {}).filter(([k]) => !own.has(k)));
        const d = diffMaps(exp.tags, liveTags);
        if (d) f.add("tags-changed", { expected: exp.tags, actual: liveTags, message: `tags of ${what} changed: ${describeMapDiff(d, "tags")}`, subject: `${subject}#tags` });
    }
    live.expires = liveExpires !== undefined ? Math.floor(liveExpires / 1000) : undefined;
    live.notBefore = liveNbf !== undefined ? Math.floor(liveNbf / 1000) : undefined;
    live.version = version;
    return { findings: f.findings, live };
}

const sameMs = (a: number | null | undefined, b: number | undefined) => (a === null || a === undefined ? b === undefined : b !== undefined && Math.abs(a - b) < 1000);

/**
 * Right after a delete or a recover, Key Vault answers 404 to both GetKey and GetDeletedKey for a few seconds
 * (recorded: 404 right after DeleteKey, 200 within 5 s; the emulators do the same with `asyncStates: "service"`).
 * A key neither live nor deleted is looked at again over that window before it is reported missing: a key being
 * recovered is then checked as live, one being deleted is reported soft-deleted.
 */
export const AZURE_SETTLE_LOOKS = 2;
export const AZURE_SETTLE_PAUSE_MS = 2_500;

async function settled(client: Handle<KeyClient>, exp: KeyExpectation, ctx: CheckContext): Promise<{ key: KeyVaultKey } | { error: unknown } | undefined> {
    for (let i = 0; i < AZURE_SETTLE_LOOKS; i++) {
        try {
            await call(ctx, client.scope, (o) => client.client.getDeletedKey(exp.name, o.azure));
            return undefined; // soft-deleted: missing() reports it
        } catch (e) {
            if (isRunStop(e)) throw e;
        }
        await pause(AZURE_SETTLE_PAUSE_MS, ctx.clients.deadline);
        try {
            return { key: await call(ctx, client.scope, (o) => client.client.getKey(exp.name, o.azure)) };
        } catch (e) {
            if (isRunStop(e)) throw e;
            if (classifyError(e) !== "not-found") return { error: e };
        }
    }
    return undefined;
}

/** Waits `ms`, or less when the run's deadline passes first (the next call then stops the check). */
function pause(ms: number, deadline: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
        if (deadline?.aborted) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            deadline?.removeEventListener("abort", done);
            resolve();
        }
        deadline?.addEventListener("abort", done, { once: true });
    });
}

async function missing(f: FindingsFor, client: Handle<KeyClient>, exp: KeyExpectation, what: string, subject: string, ctx: CheckContext, e: unknown): Promise<CheckResult> {
    let deleted: { deletedOn?: Date; scheduledPurgeDate?: Date } | undefined;
    try {
        deleted = (await call(ctx, client.scope, (o) => client.client.getDeletedKey(exp.name, o.azure))).properties;
    } catch (e2) {
        if (isRunStop(e2)) throw e2;
        /* purged, or no permission to read deleted keys: plain "missing" */
    }
    const purge = deleted?.scheduledPurgeDate?.getTime();
    f.add("resource-missing", {
        expected: "exists",
        actual: deleted ? { deleted: true, deletedOn: deleted.deletedOn ? iso(deleted.deletedOn.getTime()) : null, scheduledPurgeDate: purge !== undefined ? iso(purge) : null } : null,
        message: deleted
            ? `${what} was deleted${deleted.deletedOn ? ` on ${iso(deleted.deletedOn.getTime())}` : ""} and is soft-deleted: recover it (RecoverDeletedKey)${purge !== undefined ? ` before it is purged on ${iso(purge)} (${relativeDays(purge, ctx.now)})` : ""}`
            : `${what} no longer exists (GetKey: ${describeError(e)})`,
        subject,
    });
    return { findings: f.findings, live: null };
}

/** `azure-native:keyvault:Key`. */
export async function checkAzureNativeKey(r: StateResource, ctx: CheckContext): Promise<CheckResult> {
    const f = new FindingsFor(r, "azure");
    const p = propsOf(r);
    const arm = parseArmId(r.id ?? str(p.id));
    const fromUri = splitKeyUri(str(p.keyUri)) ?? splitKeyUri(str(p.keyUriWithVersion));
    const name = str(p.keyName) ?? fromUri?.name ?? arm?.key ?? str(p.name);
    const vaultUrl = fromUri?.vaultUrl ?? (arm ? `https://${arm.vault.toLowerCase()}.vault.azure.net` : str(p.vaultName) ? `https://${String(p.vaultName).toLowerCase()}.vault.azure.net` : undefined);
    if (!name || !vaultUrl) return f.unreadable(missingFields(r, ctx, p, ["keyUri", "keyName", "vaultName"], "a Key Vault key's ARM id (/subscriptions/S/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/V/keys/K)"));
    const properties = p.properties === SECRET ? undefined : asStringMap(p.properties);
    const attributes = asStringMap(properties?.attributes);
    const version = splitKeyUri(str(p.keyUriWithVersion))?.version ?? splitKeyUri(str(properties?.keyUriWithVersion))?.version;
    return checkKey(
        f,
        {
            vaultUrl,
            name,
            enabled: bool(attributes?.enabled) ?? true,
            ...(properties ? { expires: secondsToMs(attributes?.expires) ?? null, notBefore: secondsToMs(attributes?.notBefore) ?? null, rotation: rotationFromArm(properties.rotationPolicy) } : {}),
            ...(version ? { versions: [version] } : {}),
            tags: containsSecret(p.tags) ? undefined : (asStringMap(p.tags) ?? {}),
            ...(Array.isArray(properties?.keyOps) ? { keyOps: (properties!.keyOps as unknown[]).map(String) } : {}),
        },
        ctx,
    ).then((res) => ({ ...res, live: res.live ? armKeyLive(res.live, p) : res.live }));
}

/** Live values in the azure-native Key's property shape, for the policy re-run. */
function armKeyLive(live: Record<string, unknown>, p: Record<string, unknown>): Record<string, unknown> {
    const properties = asStringMap(p.properties) ?? {};
    const rotation = live.rotation as Rotation | null | undefined;
    return {
        tags: live.tags,
        properties: {
            ...properties,
            attributes: { ...(asStringMap(properties.attributes) ?? {}), enabled: live.enabled, expires: live.expires, notBefore: live.notBefore },
            ...(live.keyOps ? { keyOps: live.keyOps } : {}),
            rotationPolicy:
                rotation === undefined
                    ? properties.rotationPolicy
                    : rotation === null
                      ? undefined
                      : {
                            ...(rotation.expiresIn ? { attributes: { expiryTime: rotation.expiresIn } } : {}),
                            lifetimeActions: [{ action: { type: "rotate" }, trigger: { ...(rotation.afterCreate ? { timeAfterCreate: rotation.afterCreate } : {}), ...(rotation.beforeExpiry ? { timeBeforeExpiry: rotation.beforeExpiry } : {}) } }],
                        },
        },
    };
}

/** Classic `azure:keyvault/managedHardwareSecurityModuleKey`, with its rotation policy resource when in state. */
export async function checkAzureHsmKey(r: StateResource, ctx: CheckContext): Promise<CheckResult> {
    const f = new FindingsFor(r, "azure");
    const p = propsOf(r);
    const uri = splitKeyUri(r.id) ?? splitKeyUri(str(p.versionedId));
    const hsm = str(p.managedHsmId)?.split("/").pop();
    const name = str(p.name) ?? uri?.name;
    const vaultUrl = uri?.vaultUrl ?? (hsm ? `https://${hsm.toLowerCase()}.managedhsm.azure.net` : undefined);
    if (!name || !vaultUrl) return f.unreadable(missingFields(r, ctx, p, ["versionedId", "managedHsmId"], "a Managed HSM key id (https://H.managedhsm.azure.net/keys/K)"));
    const policy = ctx.index.azureHsmRotation.get(`${vaultUrl}/keys/${name}`.toLowerCase());
    const pp = policy ? propsOf(policy) : undefined;
    const rotation: Rotation | null | undefined = pp
        ? str(pp.timeAfterCreation) || str(pp.timeBeforeExpiry)
            ? { afterCreate: str(pp.timeAfterCreation), beforeExpiry: str(pp.timeBeforeExpiry), expiresIn: str(pp.expireAfter) }
            : null
        : null;
    const version = splitKeyUri(str(p.versionedId))?.version;
    const expires = timeMs(p.expirationDate);
    const notBefore = timeMs(p.notBeforeDate);
    const res = await checkKey(
        f,
        {
            vaultUrl,
            name,
            enabled: true,
            expires: p.expirationDate === SECRET ? undefined : (expires ?? null),
            notBefore: p.notBeforeDate === SECRET ? undefined : (notBefore ?? null),
            rotation,
            ...(version ? { versions: [version] } : {}),
            tags: containsSecret(p.tags) ? undefined : (asStringMap(p.tags) ?? {}),
            ...(Array.isArray(p.keyOpts) ? { keyOps: (p.keyOpts as unknown[]).map(String) } : {}),
        },
        ctx,
    );
    const live = res.live;
    return {
        findings: res.findings,
        live: live
            ? { tags: live.tags, ...(live.keyOps ? { keyOpts: live.keyOps } : {}), expirationDate: typeof live.expires === "number" ? iso(live.expires * 1000).replace(/\.\d{3}Z$/, "Z") : undefined }
            : live,
    };
}

/** keyfabric's `AzureImportedKey` (BYOK): the key exists, is enabled, its current version is one that was imported. */
export async function checkAzureImportedKey(r: StateResource, ctx: CheckContext): Promise<CheckResult> {
    const f = new FindingsFor(r, "azure");
    const p = propsOf(r);
    const uri = splitKeyUri(str(p.versionlessId) ?? r.id);
    const vaultUrl = str(p.vaultUrl)?.replace(/\/$/, "") ?? uri?.vaultUrl;
    const name = str(p.keyName) ?? uri?.name;
    if (!name || !vaultUrl) return f.unreadable(missingFields(r, ctx, p, ["versionlessId", "vaultUrl", "keyName"], "a key id (https://V.vault.azure.net/keys/K)"));
    const versions = Array.isArray(p.versions) ? (p.versions as unknown[]).map(String) : str(p.version) ? [str(p.version)!] : undefined;
    const res = await checkKey(
        f,
        { vaultUrl, name, enabled: true, rotation: null, ...(versions ? { versions } : {}), tags: containsSecret(p.tags) ? undefined : (asStringMap(p.tags) ?? {}), ownTags: [AZURE_FINGERPRINT_TAG] },
        ctx,
    );
    return { findings: res.findings, live: res.live ? { enabled: res.live.enabled, tags: res.live.tags, version: res.live.version } : res.live };
}

// ---------------------------------------------------------------------------------------------------------------
// Vaults (ARM)

const normIp = (v: string) => v.replace(/\/32$/, "");

/** `azure-native:keyvault:Vault`: soft delete, purge protection, RBAC, firewall, SKU and tags against state. */
export async function checkAzureVault(r: StateResource, ctx: CheckContext): Promise<CheckResult> {
    const f = new FindingsFor(r, "azure");
    const p = propsOf(r);
    const arm = parseArmId(r.id ?? str(p.id));
    if (!arm) return f.unreadable(missingFields(r, ctx, p, [], "a Key Vault ARM id (/subscriptions/S/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/V)"));
    const what = `Key Vault ${arm.vault}`;
    let vault: Vault;
    try {
        const h = ctx.clients.azureArm(arm.subscriptionId);
        vault = await call(ctx, h.scope, (o) => h.client.vaults.get(arm.resourceGroup, arm.vault, o.azure));
    } catch (e) {
        return f.readError("vaults.get (ARM)", what, e, r.id);
    }
    const expected = p.properties === SECRET ? undefined : (asStringMap(p.properties) ?? {});
    const actual = vault.properties as unknown as Record<string, unknown>;
    if (expected) {
        const expSoft = bool(expected.enableSoftDelete) ?? true;
        const liveSoft = actual.enableSoftDelete !== false;
        const expRetention = num(expected.softDeleteRetentionInDays);
        const liveRetention = num(actual.softDeleteRetentionInDays);
        if ((expSoft && !liveSoft) || (expRetention !== undefined && liveRetention !== undefined && liveRetention < expRetention)) {
            f.add("vault-soft-delete-off", {
                expected: { enableSoftDelete: expSoft, softDeleteRetentionInDays: expRetention ?? null },
                actual: { enableSoftDelete: liveSoft, softDeleteRetentionInDays: liveRetention ?? null },
                message: !liveSoft ? `soft delete is off on ${what}: deleted keys are gone at once` : `${what} keeps deleted keys ${liveRetention} days, not ${expRetention} as in state`,
            });
        }
        if (bool(expected.enablePurgeProtection) === true && actual.enablePurgeProtection !== true) {
            f.add("vault-purge-protection-off", {
                expected: { enablePurgeProtection: true },
                actual: { enablePurgeProtection: actual.enablePurgeProtection ?? null },
                message: `${what} has no purge protection (the stack declares it; it cannot be turned off, so the vault was recreated or replaced out of band): deleted keys can be purged at once`,
            });
        }
        const expRbac = bool(expected.enableRbacAuthorization);
        if (expRbac === true && actual.enableRbacAuthorization !== true) {
            f.add("vault-rbac-off", { expected: { enableRbacAuthorization: true }, actual: { enableRbacAuthorization: actual.enableRbacAuthorization ?? false }, message: `${what} uses access policies instead of Azure RBAC: key access is no longer governed by role assignments` });
        }
        checkNetwork(f, what, expected, actual);
        const settings: Record<string, [unknown, unknown]> = {};
        for (const k of ["enabledForDeployment", "enabledForDiskEncryption", "enabledForTemplateDeployment"]) {
            const e = bool(expected[k]);
            if (e !== undefined && e !== (actual[k] === true)) settings[k] = [e, actual[k] === true];
        }
        if (expRbac === false && actual.enableRbacAuthorization === true) settings.enableRbacAuthorization = [false, true];
        const expSku = str(asStringMap(expected.sku)?.name);
        const liveSku = str(asStringMap(actual.sku)?.name);
        if (expSku && liveSku && expSku.toLowerCase() !== liveSku.toLowerCase()) settings["sku.name"] = [expSku, liveSku];
        if (Object.keys(settings).length > 0) {
            f.add("vault-settings-changed", {
                expected: Object.fromEntries(Object.entries(settings).map(([k, [e]]) => [k, e])),
                actual: Object.fromEntries(Object.entries(settings).map(([k, [, a]]) => [k, a])),
                message: `settings of ${what} changed: ${Object.keys(settings).join(", ")}`,
            });
        }
    }
    if (!containsSecret(p.tags)) {
        const d = diffMaps(asStringMap(p.tags) ?? {}, vault.tags ?? {});
        if (d) f.add("tags-changed", { expected: asStringMap(p.tags) ?? {}, actual: vault.tags ?? {}, message: `tags of ${what} changed: ${describeMapDiff(d, "tags")}` });
    }
    return { findings: f.findings, live: { properties: { ...(expected ?? {}), ...structuredClone(actual) }, tags: vault.tags ?? {} } };
}

function checkNetwork(f: FindingsFor, what: string, expected: Record<string, unknown>, actual: Record<string, unknown>): void {
    const acl = (v: unknown) => {
        const a = asStringMap(v);
        return {
            defaultAction: str(a?.defaultAction) ?? "Allow",
            bypass: str(a?.bypass) ?? "AzureServices",
            ipRules: (Array.isArray(a?.ipRules) ? a!.ipRules : []).map((x) => normIp(String(asStringMap(x)?.value ?? ""))).sort(),
            virtualNetworkRules: (Array.isArray(a?.virtualNetworkRules) ? a!.virtualNetworkRules : []).map((x) => String(asStringMap(x)?.id ?? "").toLowerCase()).sort(),
        };
    };
    if (expected.networkAcls === SECRET) return;
    const e = acl(expected.networkAcls);
    const a = acl(actual.networkAcls);
    const access = (v: unknown) => (str(v)?.toLowerCase() === "disabled" ? "Disabled" : "Enabled");
    const ePublic = access(expected.publicNetworkAccess);
    const aPublic = access(actual.publicNetworkAccess);
    const opened: string[] = [];
    if (e.defaultAction === "Deny" && a.defaultAction === "Allow") opened.push("the firewall's default action is Allow");
    if (ePublic === "Disabled" && aPublic === "Enabled") opened.push("public network access is enabled");
    const newIps = a.ipRules.filter((ip) => !e.ipRules.includes(ip));
    if (newIps.length && a.defaultAction === "Deny") opened.push(`IP rules added: ${newIps.join(", ")}`);
    const newVnets = a.virtualNetworkRules.filter((v) => !e.virtualNetworkRules.includes(v));
    if (newVnets.length && a.defaultAction === "Deny") opened.push(`network rules added: ${newVnets.join(", ")}`);
    if (e.bypass === "None" && a.bypass !== "None") opened.push(`trusted Azure services bypass the firewall (${a.bypass})`);
    const expectedView = { ...e, publicNetworkAccess: ePublic };
    const actualView = { ...a, publicNetworkAccess: aPublic };
    if (opened.length > 0) {
        f.add("vault-network-open", { expected: expectedView, actual: actualView, message: `the network rules of ${what} were opened: ${opened.join("; ")}` });
    } else if (JSON.stringify(expectedView) !== JSON.stringify(actualView)) {
        f.add("vault-network-changed", { expected: expectedView, actual: actualView, message: `the network rules of ${what} changed (without opening it)` });
    }
}
