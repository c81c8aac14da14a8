/**
 * Cloud KMS drift: key rings, crypto keys, crypto key versions, keyfabric's imported versions, and the IAM members
 * on keys and rings.
 *
 * Per crypto key: GetCryptoKey (primary version and its state, rotation period and next rotation, destroy-scheduled
 * duration, import-only, labels), ListCryptoKeyVersions (versions scheduled for destruction; the newest version of
 * keys without a primary), GetIamPolicy (members added or removed, against the IAM resources in state). Per key
 * ring: GetKeyRing and GetIamPolicy. Key rings not in state get one public-member check.
 */
import type { KeyManagementServiceClient, protos } from "@google-cloud/kms";
import { call, CheckContext, CheckResult, classifyError, FindingsFor, Handle, missingFields, ROTATION_GRACE_DAYS, whereIn } from "./context";
import { asStringMap, bool, DAY_MS, describeMapDiff, diffMaps, gcpDurationSeconds, iso, memberDomain, PUBLIC_MEMBERS, relativeDays, str, timeMs } from "./compare";
import type { DeclaredIam } from "./plan";
import { propsOf, SECRET, StateResource } from "./state";

type CryptoKey = protos.google.cloud.kms.v1.ICryptoKey;
type Version = protos.google.cloud.kms.v1.ICryptoKeyVersion;

const GOOGLE_MANAGED_LABELS = new Set(["goog-pulumi-provisioned"]);
const versionId = (name: string | null | undefined) => Number(String(name ?? "").split("/").pop());
const shortName = (name: string) => name.replace(/^projects\/[^/]+\/locations\/[^/]+\//, "");

export async function checkGcpCryptoKey(r: StateResource, ctx: CheckContext, options: { ringPublicCheck?: string } = {}): Promise<CheckResult> {
    const f = new FindingsFor(r, "gcp");
    const p = propsOf(r);
    const name = r.id ?? str(p.id);
    if (!name || !name.includes("/cryptoKeys/")) return f.unreadable(missingFields(r, ctx, p, [], "a crypto key name (projects/P/locations/L/keyRings/R/cryptoKeys/K)"));
    const client = ctx.clients.gcp();
    const what = `crypto key ${shortName(name)}`;
    let key: CryptoKey;
    try {
        [key] = await call(ctx, client.scope, (o) => client.client.getCryptoKey({ name }, o.gcp));
    } catch (e) {
        return f.readError("GetCryptoKey", what, e, name);
    }
    const live: Record<string, unknown> = {
        purpose: key.purpose,
        rotationPeriod: key.rotationPeriod ? `${gcpDurationSeconds(key.rotationPeriod)}s` : undefined,
        destroyScheduledDuration: key.destroyScheduledDuration ? `${gcpDurationSeconds(key.destroyScheduledDuration)}s` : undefined,
        importOnly: key.importOnly === true,
        labels: { ...(key.labels ?? {}) },
        effectiveLabels: { ...(key.labels ?? {}) },
        versionTemplate: { algorithm: key.versionTemplate?.algorithm, protectionLevel: key.versionTemplate?.protectionLevel },
        primaries: key.primary ? [{ name: key.primary.name, state: String(key.primary.state) }] : [],
    };
    const symmetric = String(key.purpose) === "ENCRYPT_DECRYPT";

    // Rotation: on/off and period against state, then overdue against the declared cryptoperiod.
    const expectedPeriod = p.rotationPeriod === SECRET ? undefined : gcpDurationSeconds(p.rotationPeriod);
    const livePeriod = gcpDurationSeconds(key.rotationPeriod);
    const declaresRotation = p.rotationPeriod !== undefined && p.rotationPeriod !== SECRET;
    if (expectedPeriod !== undefined && livePeriod === undefined) {
        f.add("rotation-disabled", { expected: { rotationPeriod: `${expectedPeriod}s` }, actual: { rotationPeriod: null }, message: `automatic rotation of ${what} is off (the stack declares every ${expectedPeriod / 86400} days)`, subject: name });
    } else if (!declaresRotation && livePeriod !== undefined && symmetric) {
        f.add("rotation-enabled", { expected: { rotationPeriod: null }, actual: { rotationPeriod: `${livePeriod}s` }, message: `automatic rotation of ${what} is on although the stack does not declare it`, subject: name });
    } else if (expectedPeriod !== undefined && livePeriod !== undefined && Math.abs(expectedPeriod - livePeriod) >= 1) {
        f.add("rotation-period-changed", {
            expected: { rotationPeriod: `${expectedPeriod}s` },
            actual: { rotationPeriod: `${livePeriod}s` },
            message: `${what} rotates every ${round(livePeriod / 86400)} days, not every ${round(expectedPeriod / 86400)} days as declared`,
            severity: livePeriod > expectedPeriod ? "medium" : "low",
            subject: name,
        });
    }
    if (expectedPeriod !== undefined && symmetric) {
        // Against the declared cryptoperiod: the primary version's age (whatever the next rotation time says).
        const next = timeMs(key.nextRotationTime);
        const primaryBorn = timeMs(key.primary?.generateTime) ?? timeMs(key.primary?.createTime);
        const due = primaryBorn !== undefined ? primaryBorn + expectedPeriod * 1000 : undefined;
        if (due !== undefined && ctx.now > due + ROTATION_GRACE_DAYS * DAY_MS) {
            f.add("rotation-overdue", {
                expected: { rotatedWithinDays: round(expectedPeriod / 86400) },
                actual: { primaryCreated: iso(primaryBorn!), nextRotationTime: next !== undefined ? iso(next) : null },
                message: `${what} is overdue for rotation: its primary version dates from ${iso(primaryBorn!)}, rotation was due ${relativeDays(due, ctx.now)} (declared cryptoperiod ${round(expectedPeriod / 86400)} days)${next !== undefined ? `; the next rotation is set for ${iso(next)}` : "; no rotation is scheduled"}`,
                subject: name,
            });
        }
    }

    // Settings that should never change (most are immutable: a difference means the key was recreated).
    const settings: Record<string, [unknown, unknown]> = {};
    const cmp = (field: string, expected: unknown, actual: unknown) => {
        if (expected === undefined || expected === null || expected === SECRET) return;
        if (String(expected) !== String(actual ?? "")) settings[field] = [expected, actual ?? null];
    };
    const expectedDestroy = gcpDurationSeconds(p.destroyScheduledDuration);
    const liveDestroy = gcpDurationSeconds(key.destroyScheduledDuration);
    if (expectedDestroy !== undefined && liveDestroy !== undefined && Math.abs(expectedDestroy - liveDestroy) >= 1) settings.destroyScheduledDuration = [`${expectedDestroy}s`, `${liveDestroy}s`];
    cmp("importOnly", bool(p.importOnly) ?? (p.importOnly === undefined ? undefined : false), key.importOnly === true);
    cmp("purpose", str(p.purpose), key.purpose);
    const tmpl = asStringMap(p.versionTemplate);
    cmp("versionTemplate.protectionLevel", str(tmpl?.protectionLevel), key.versionTemplate?.protectionLevel);
    cmp("versionTemplate.algorithm", str(tmpl?.algorithm), key.versionTemplate?.algorithm);
    if (Object.keys(settings).length > 0) {
        f.add("key-settings-changed", {
            expected: Object.fromEntries(Object.entries(settings).map(([k, [e]]) => [k, e])),
            actual: Object.fromEntries(Object.entries(settings).map(([k, [, a]]) => [k, a])),
            message: `settings of ${what} differ from state: ${Object.keys(settings).join(", ")}${"destroyScheduledDuration" in settings ? " (a shorter destroy-scheduled duration leaves less time to restore a destroyed version)" : ""}`,
            subject: `${name}#settings`,
        });
    }

    // Labels: effectiveLabels include provider defaults; with only labels, ignore the provider's own.
    const effective = asStringMap(p.effectiveLabels);
    const expectedLabels = effective ?? asStringMap(p.labels);
    if (expectedLabels && p.labels !== SECRET && p.effectiveLabels !== SECRET) {
        const d = diffMaps(expectedLabels, key.labels ?? {}, (k) => !effective && GOOGLE_MANAGED_LABELS.has(k));
        if (d) f.add("labels-changed", { expected: expectedLabels, actual: { ...(key.labels ?? {}) }, message: `labels of ${what} changed: ${describeMapDiff(d, "labels")}`, subject: `${name}#labels` });
    }

    // Versions: the primary (symmetric keys), versions scheduled for destruction, the newest version otherwise.
    let versions: Version[] = [];
    try {
        [versions] = await call(ctx, client.scope, (o) => client.client.listCryptoKeyVersions({ parent: name }, o.gcp));
    } catch (e) {
        f.readError("ListCryptoKeyVersions", what, e, `${name}#versions`);
    }
    if (symmetric) {
        // The primary in state; for import-only keys, the versions keyfabric imported (the key's state predates them).
        const imported = ctx.index.gcpImportedVersions.get(name) ?? [];
        const expectedPrimary = primaryOf(p) ?? (imported.length ? imported[imported.length - 1] : undefined);
        const livePrimary = key.primary?.name ?? undefined;
        if (expectedPrimary && livePrimary && livePrimary !== expectedPrimary && !imported.includes(livePrimary)) {
            // Automatic rotation moves the primary forward; anything else (a rollback, a version made primary by hand
            // on a key that does not rotate, an import outside keyfabric) is drift.
            const rotatedForward = livePeriod !== undefined && versionId(livePrimary) > versionId(expectedPrimary);
            if (!rotatedForward) {
                f.add("primary-changed", {
                    expected: { primary: expectedPrimary },
                    actual: { primary: livePrimary },
                    message: `the primary version of ${what} is ${versionId(livePrimary)}, not ${versionId(expectedPrimary)}: new data is encrypted under a version the stack did not create`,
                    subject: `${name}#primary`,
                });
            }
        }
        if (key.primary) versionFinding(f, key.primary, what, ctx, 1, "primary ");
    } else if (versions.length > 0) {
        const newest = versions.reduce((a, b) => (versionId(b.name) > versionId(a.name) ? b : a));
        if (String(newest.state) === "DISABLED" || String(newest.state) === "DESTROYED") versionFinding(f, newest, what, ctx, 1, "newest ");
    }
    for (const v of versions) {
        if (String(v.state) === "DESTROY_SCHEDULED") versionFinding(f, v, what, ctx, 1, "");
    }

    await checkIam(f, name, ctx.index.gcpIam.get(name), client, ctx, what);
    if (options.ringPublicCheck) await checkRingPublic(f, options.ringPublicCheck, client, ctx);
    return { findings: f.findings, live };
}

const round = (x: number) => Math.round(x * 100) / 100;

function primaryOf(p: Record<string, unknown>): string | undefined {
    const primaries = p.primaries;
    if (Array.isArray(primaries) && primaries.length > 0) return str((primaries[0] as Record<string, unknown>)?.name);
    return str(asStringMap(p.primary)?.name);
}

/** A version not usable as it should be: disabled, scheduled for destruction, destroyed, or an import that failed. */
function versionFinding(f: FindingsFor, v: Version, what: string, ctx: CheckContext, specificity: number, role: string): void {
    const state = String(v.state);
    const name = v.name!;
    const id = versionId(name);
    if (state === "DISABLED") {
        f.add("version-disabled", { expected: { state: "ENABLED" }, actual: { state }, message: `the ${role}version ${id} of ${what} is disabled: operations with it fail`, subject: name, specificity });
    } else if (state === "DESTROY_SCHEDULED") {
        const when = timeMs(v.destroyTime);
        f.add("version-destroyed", {
            expected: { state: "ENABLED" },
            actual: { state, destroyTime: when !== undefined ? iso(when) : null },
            message: `the ${role}version ${id} of ${what} is scheduled for destruction${when !== undefined ? ` on ${iso(when)} (${relativeDays(when, ctx.now)})` : ""}: restore it (RestoreCryptoKeyVersion) before then, or data encrypted under it becomes unrecoverable`,
            severity: "high",
            subject: name,
            specificity,
        });
    } else if (state === "DESTROYED") {
        f.add("version-destroyed", { expected: { state: "ENABLED" }, actual: { state }, message: `the ${role}version ${id} of ${what} is destroyed: data encrypted under it is unrecoverable`, subject: name, specificity });
    } else if (state === "IMPORT_FAILED" || state === "PENDING_IMPORT") {
        f.add("material-missing", {
            expected: { state: "ENABLED" },
            actual: { state, ...(v.importFailureReason ? { importFailureReason: v.importFailureReason } : {}) },
            message: `the ${role}version ${id} of ${what} has no usable imported material (${state}${v.importFailureReason ? `: ${v.importFailureReason}` : ""})`,
            subject: name,
            specificity,
        });
    }
}

/** Members on a key or key ring against the IAM resources in state. */
async function checkIam(f: FindingsFor, resource: string, declared: DeclaredIam | undefined, client: Handle<KeyManagementServiceClient>, ctx: CheckContext, what: string): Promise<void> {
    let bindings: { role?: string | null; members?: string[] | null }[];
    try {
        const [policy] = await call(ctx, client.scope, (o) => client.client.getIamPolicy({ resource, options: { requestedPolicyVersion: 3 } } as any, o.gcp));
        bindings = (policy.bindings ?? []) as typeof bindings;
    } catch (e) {
        f.readError("GetIamPolicy", `the IAM policy of ${what}`, e, `${resource}#iam`);
        return;
    }
    if (declared?.unknown) return; // a member or policy in state is a secret: cannot tell what is expected
    const expected = declared?.pairs ?? new Set<string>();
    const livePairs = new Set<string>();
    for (const b of bindings) for (const m of b.members ?? []) livePairs.add(pair(b.role ?? "", m));
    for (const key of [...livePairs].sort()) {
        if (expected.has(key)) continue;
        const [role, member] = splitPair(key);
        iamAdded(f, resource, what, role, member, ctx);
    }
    for (const key of [...expected].sort()) {
        if (livePairs.has(key)) continue;
        const [role, member] = splitPair(key);
        f.add("iam-member-removed", {
            expected: { role, member },
            actual: null,
            message: `${member} no longer has ${role} on ${what} (granted by the stack)`,
            subject: `${resource}#iam#${key}`,
        });
    }
}

function iamAdded(f: FindingsFor, resource: string, what: string, role: string, member: string, ctx: CheckContext): void {
    if (PUBLIC_MEMBERS.has(member)) {
        f.add("public-access", {
            expected: null,
            actual: { role, member },
            message: `${member} has ${role} on ${what}: everyone${member === "allAuthenticatedUsers" ? " with a Google account" : ""} can use it`,
            subject: `${resource}#iam#${pair(role, member)}`,
        });
        return;
    }
    const domain = memberDomain(member);
    const known = ctx.index.gcpKnownDomains;
    const foreign = domain !== undefined && known.size > 0 && !known.has(domain);
    f.add("iam-member-added", {
        expected: null,
        actual: { role, member },
        message: `${member} was granted ${role} on ${what} outside the stack${foreign ? ` (${domain} is a foreign domain: no member in state is from it)` : ""}`,
        severity: foreign || role === "roles/owner" || role === "roles/cloudkms.admin" ? "high" : "medium",
        subject: `${resource}#iam#${pair(role, member)}`,
    });
}

/** Key rings not in state: only public members are reported (nothing says which others are expected). */
async function checkRingPublic(f: FindingsFor, ring: string, client: Handle<KeyManagementServiceClient>, ctx: CheckContext): Promise<void> {
    try {
        const [policy] = await call(ctx, client.scope, (o) => client.client.getIamPolicy({ resource: ring, options: { requestedPolicyVersion: 3 } } as any, o.gcp));
        for (const b of policy.bindings ?? []) {
            for (const m of b.members ?? []) {
                if (PUBLIC_MEMBERS.has(m)) iamAdded(f, ring, `key ring ${shortName(ring)}`, b.role ?? "", m, ctx);
            }
        }
    } catch (e) {
        if (classifyError(e) === "not-found") return; // the key's own check reports the key missing
        f.readError("GetIamPolicy", `the IAM policy of key ring ${shortName(ring)}`, e, `${ring}#iam`);
    }
}

export const pair = (role: string, member: string) => `${role} ${member}`;
const splitPair = (key: string): [string, string] => {
    const i = key.indexOf(" ");
    return [key.slice(0, i), key.slice(i + 1)];
};

export async function checkGcpKeyRing(r: StateResource, ctx: CheckContext): Promise<CheckResult> {
    const f = new FindingsFor(r, "gcp");
    const p = propsOf(r);
    const name = r.id ?? str(p.id);
    if (!name || !name.includes("/keyRings/")) return f.unreadable(missingFields(r, ctx, p, [], "a key ring name (projects/P/locations/L/keyRings/R)"));
    const client = ctx.clients.gcp();
    const what = `key ring ${shortName(name)}`;
    try {
        await call(ctx, client.scope, (o) => client.client.getKeyRing({ name }, o.gcp));
    } catch (e) {
        return f.readError("GetKeyRing", what, e, name);
    }
    const live: Record<string, unknown> = {};
    await checkIam(f, name, ctx.index.gcpIam.get(name), client, ctx, what);
    return { findings: f.findings, live };
}

/** IAM resources whose key or key ring is not in state. */
export async function checkGcpIamOnly(r: StateResource, ctx: CheckContext, resource: string): Promise<CheckResult> {
    const f = new FindingsFor(r, "gcp");
    const live: Record<string, unknown> = {};
    const what = resource.includes("/cryptoKeys/") ? `crypto key ${shortName(resource)}` : `key ring ${shortName(resource)}`;
    await checkIam(f, resource, ctx.index.gcpIam.get(resource), ctx.clients.gcp(), ctx, what);
    return { findings: f.findings, live };
}

/** `gcp:kms/cryptoKeyVersion:CryptoKeyVersion` and keyfabric's `GcpImportedKeyVersion`: the version's state. */
export async function checkGcpVersion(r: StateResource, ctx: CheckContext): Promise<CheckResult> {
    const f = new FindingsFor(r, "gcp");
    const p = propsOf(r);
    const dynamic = r.type.startsWith("pulumi-nodejs:");
    const name = dynamic ? str(p.version) : (r.id ?? str(p.name));
    if (!name || !name.includes("/cryptoKeyVersions/")) return f.unreadable(dynamic ? `${whereIn(r, ctx)} has no version (.../cryptoKeys/K/cryptoKeyVersions/N) in its outputs or inputs` : missingFields(r, ctx, p, [], "a crypto key version name (.../cryptoKeys/K/cryptoKeyVersions/N)"));
    const what = `crypto key ${shortName(name.replace(/\/cryptoKeyVersions\/.*$/, ""))}`;
    let v: Version;
    try {
        [v] = await call(ctx, ctx.clients.gcp().scope, (o) => ctx.clients.gcp().client.getCryptoKeyVersion({ name }, o.gcp));
    } catch (e) {
        return f.readError("GetCryptoKeyVersion", `version ${versionId(name)} of ${what}`, e, name);
    }
    const state = String(v.state);
    const expected = str(p.state) ?? "ENABLED";
    if (!(state === "DISABLED" && expected === "DISABLED")) versionFinding(f, v, what, ctx, 2, "");
    return { findings: f.findings, live: { state } };
}
