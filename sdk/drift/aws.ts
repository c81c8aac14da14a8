/**
 * AWS KMS drift: keys (`aws:kms/key:Key`, `ExternalKey`, `ReplicaKey`, `ReplicaExternalKey`), keyfabric's imported
 * material (`AwsImportedKeyMaterial`), aliases and stand-alone key policies.
 *
 * Per key: DescribeKey (state, deletion date, origin, ValidTo, multi-Region replicas), GetKeyRotationStatus (symmetric
 * AWS_KMS keys), ListKeyRotations (only when rotation is off and a cryptoperiod is declared), GetKeyPolicy and
 * ListResourceTags. Per alias: DescribeKey of `alias/<name>`.
 */
import type { KeyMetadata, KMSClient } from "@aws-sdk/client-kms";
import { attempts, call, CheckContext, CheckResult, FindingsFor, Handle, missingFields, ROTATION_GRACE_DAYS, whereIn } from "./context";
import { bool, DAY_MS, describeMapDiff, describePolicyDiff, diffMaps, diffPolicies, iso, known, num, relativeDays, str } from "./compare";
import { containsSecret, propsOf, SECRET, StateResource } from "./state";

const sdk = () => require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

const ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

export type AwsKeyRole = "key" | "replica" | "material";

/** The region of a resource: its `region` property, its ARN, its provider's region, or AWS_REGION. */
export function awsRegionOf(r: StateResource, props: Record<string, unknown>, ctx: CheckContext): string | undefined {
    const region = str(props.region);
    if (region) return region;
    for (const v of [props.arn, props.keyArn, props.keyId, props.targetKeyArn, r.id]) {
        const m = typeof v === "string" ? ARN.exec(v) : null;
        if (m) return m[1];
    }
    return ctx.index.providerRegion(r.provider) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}

const noRegion = (r: StateResource, ctx: CheckContext) => `${whereIn(r, ctx)} has no region (no region property, no region in its ARN or its provider), and AWS_REGION is not set`;

function keyTypeName(r: StateResource): string {
    return r.type.split(":").pop() ?? r.type;
}

/** Keys, replicas and imported material: one DescribeKey, then what applies to the key's kind. */
export async function checkAwsKey(r: StateResource, ctx: CheckContext, role: AwsKeyRole): Promise<CheckResult> {
    const f = new FindingsFor(r, "aws");
    const p = propsOf(r);
    const keyRef = role === "material" ? str(p.keyArn) ?? str(p.keyId) ?? r.id : str(p.arn) ?? r.id ?? str(p.keyId);
    if (!keyRef) return f.unreadable(`${missingFields(r, ctx, p, role === "material" ? ["keyArn", "keyId"] : ["arn", "keyId"])} (was its creation interrupted? pulumi refresh records it)`);
    const region = awsRegionOf(r, p, ctx);
    if (!region) return f.unreadable(noRegion(r, ctx));
    const client = ctx.clients.aws(region);
    const kms = sdk();
    const what = `${role === "material" ? "the key of imported material" : keyTypeName(r)} ${keyRef}`;

    let meta: KeyMetadata;
    try {
        meta = (await call(ctx, client.scope, (o) => client.client.send(attempts(new kms.DescribeKeyCommand({ KeyId: keyRef }), o), o.aws))).KeyMetadata!;
    } catch (e) {
        return f.readError("DescribeKey", what, e, keyRef.startsWith("arn:") ? keyRef : undefined);
    }
    const arn = meta.Arn ?? keyRef;
    // Findings about the key itself come from the key resource; the material resource reports them only when the key is not in state.
    const keySpecificity = role === "material" ? 1 : 2;
    const materialSpecificity = role === "material" ? 2 : 1;
    // Live values in the resource type's own property names (for the policy re-run).
    const external = r.type.includes("xternal") || role === "material";
    const enabledProp = r.type === "aws:kms/key:Key" ? "isEnabled" : "enabled";
    const live: Record<string, unknown> = external ? { keyState: meta.KeyState } : {};
    const state = meta.KeyState;

    if (state === "PendingDeletion") {
        const when = meta.DeletionDate ? meta.DeletionDate.getTime() : undefined;
        f.add("key-pending-deletion", {
            expected: { keyState: "Enabled" },
            actual: { keyState: state, deletionDate: when !== undefined ? iso(when) : null },
            message: `${what} is scheduled for deletion${when !== undefined ? ` on ${iso(when)} (${relativeDays(when, ctx.now)})` : ""}: cancel it (CancelKeyDeletion) before then, or data it protects becomes unrecoverable`,
            subject: arn,
            specificity: keySpecificity,
        });
        return { findings: f.findings, live: role === "material" ? live : { ...live, [enabledProp]: false } };
    }

    if (role !== "material") {
        // An EXTERNAL key the provider read back before its material was imported (by keyfabric's own resource) is
        // recorded PendingImport with `enabled` false, as AWS reports such a key: that output is not a declaration;
        // the input is (keyfabric's ExternalKey declares enabled: true, and the import enables the key).
        const recordedPending = str(p.keyState) === "PendingImport";
        const expectedEnabled = (recordedPending ? bool(r.inputs.enabled) ?? true : undefined) ?? bool(p.isEnabled) ?? bool(p.enabled) ?? true;
        if (state === "Disabled" && expectedEnabled) {
            f.add("key-disabled", { expected: { keyState: "Enabled" }, actual: { keyState: state }, message: `${what} is disabled: every encrypt, decrypt, sign or verify with it fails`, subject: arn });
        } else if (state === "Enabled" && !expectedEnabled) {
            f.add("key-enabled", { expected: { keyState: "Disabled" }, actual: { keyState: state }, message: `${what} is enabled although the stack declares it disabled`, subject: arn });
        }
        live[enabledProp] = state === "Enabled";
    }

    checkMaterial(f, p, meta, ctx, role, arn, materialSpecificity, live);

    if (role === "material") return { findings: f.findings, live };

    if (r.type === "aws:kms/key:Key" && meta.KeySpec === "SYMMETRIC_DEFAULT" && meta.KeyUsage === "ENCRYPT_DECRYPT" && meta.Origin === "AWS_KMS") {
        await checkRotation(f, p, meta, client, ctx, what, arn, live);
    }
    if (meta.MultiRegionConfiguration?.MultiRegionKeyType === "PRIMARY") {
        const declared = ctx.index.awsReplicaRegions(arn, str(p.keyId) ?? r.id);
        const extra = (meta.MultiRegionConfiguration.ReplicaKeys ?? []).map((k) => k.Region!).filter((reg) => reg && !declared.has(reg));
        if (extra.length > 0) {
            f.add("replica-added", {
                expected: { replicaRegions: [...declared].sort() },
                actual: { replicaRegions: [...declared, ...extra].sort() },
                message: `${what} has replicas in ${extra.join(", ")} that the stack does not declare: its key material was copied to ${extra.length === 1 ? "that region" : "those regions"} out of band`,
                subject: arn,
            });
        }
    }
    await checkPolicy(f, p.policy, client, ctx, keyRef, what, arn, live);
    await checkTags(f, p, client, ctx, keyRef, what, arn, live);
    return { findings: f.findings, live };
}

/** Imported material: present, expiring, expiry changed (EXTERNAL-origin keys and AwsImportedKeyMaterial). */
function checkMaterial(f: FindingsFor, p: Record<string, unknown>, meta: KeyMetadata, ctx: CheckContext, role: AwsKeyRole, arn: string, specificity: number, live: Record<string, unknown>): void {
    const external = meta.Origin === "EXTERNAL";
    if (!external && role !== "material") return;
    const recordedState = str(p.keyState);
    const expectsMaterial =
        role === "material" || recordedState === "Enabled" || recordedState === "Disabled" || ctx.index.awsMaterialTargets.has(arn) || ctx.index.awsMaterialTargets.has(meta.KeyId ?? "");
    const recordedValidTo = p.validTo !== SECRET ? str(p.validTo) : undefined;
    const liveValidTo = meta.ValidTo ? meta.ValidTo.getTime() : undefined;
    live.validTo = liveValidTo !== undefined ? iso(liveValidTo) : undefined;
    live.expirationModel = meta.ExpirationModel;
    if (meta.KeyState === "PendingImport") {
        if (!expectsMaterial) return; // created import-ready and never imported: as declared
        const expired = recordedValidTo !== undefined && Date.parse(recordedValidTo) <= ctx.now;
        f.add("material-missing", {
            expected: { keyState: recordedState && recordedState !== "PendingImport" ? recordedState : "Enabled", ...(recordedValidTo ? { validTo: recordedValidTo } : {}) },
            actual: { keyState: "PendingImport" },
            message: `the imported key material of ${arn} is gone (${expired ? `it expired on ${recordedValidTo}` : "deleted or expired"}): the key cannot be used until the material is imported again (pulumi up re-imports it; or keyfabric byok import)`,
            subject: arn,
            specificity,
        });
        return;
    }
    if (liveValidTo !== undefined) {
        const left = liveValidTo - ctx.now;
        if (left <= ctx.expiryWarningDays * DAY_MS) {
            f.add("material-expiring", {
                expected: { validForMoreThanDays: ctx.expiryWarningDays },
                actual: { validTo: iso(liveValidTo) },
                message: `the imported key material of ${arn} expires on ${iso(liveValidTo)} (${relativeDays(liveValidTo, ctx.now)}); then the key becomes unusable: re-import it with a later validTo before then`,
                severity: left <= 7 * DAY_MS ? "critical" : "high",
                subject: arn,
                specificity,
            });
        }
    }
    const recordedExpiry = recordedValidTo !== undefined ? Date.parse(recordedValidTo) : str(p.expirationModel) === "KEY_MATERIAL_DOES_NOT_EXPIRE" ? Infinity : undefined;
    const liveExpiry = liveValidTo ?? (meta.ExpirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE" ? Infinity : undefined);
    if (recordedExpiry !== undefined && liveExpiry !== undefined && !Number.isNaN(recordedExpiry) && Math.abs(recordedExpiry - liveExpiry) >= 1000 && recordedExpiry !== liveExpiry) {
        const show = (t: number) => (t === Infinity ? "never" : iso(t));
        f.add("material-expiry-changed", {
            expected: { validTo: show(recordedExpiry) },
            actual: { validTo: show(liveExpiry) },
            message: `the imported key material of ${arn} now expires ${show(liveExpiry) === "never" ? "never" : `on ${show(liveExpiry)}`}, not ${show(recordedExpiry) === "never" ? "never" : `on ${show(recordedExpiry)}`} as in state (re-imported out of band)`,
            subject: arn,
            specificity,
        });
    }
}

async function checkRotation(f: FindingsFor, p: Record<string, unknown>, meta: KeyMetadata, client: Handle<KMSClient>, ctx: CheckContext, what: string, arn: string, live: Record<string, unknown>): Promise<void> {
    const kms = sdk();
    const expected = bool(p.enableKeyRotation);
    const expectedPeriod = num(p.rotationPeriodInDays);
    let status;
    try {
        status = await call(ctx, client.scope, (o) => client.client.send(attempts(new kms.GetKeyRotationStatusCommand({ KeyId: arn }), o), o.aws));
    } catch (e) {
        f.readError("GetKeyRotationStatus", what, e, `${arn}#rotation`);
        return;
    }
    const on = status.KeyRotationEnabled === true;
    live.enableKeyRotation = on;
    live.rotationPeriodInDays = status.RotationPeriodInDays;
    if (expected === true && !on) {
        f.add("rotation-disabled", {
            expected: { enableKeyRotation: true, rotationPeriodInDays: expectedPeriod ?? null },
            actual: { enableKeyRotation: false },
            message: `automatic rotation of ${what} is off (the stack declares ${expectedPeriod ?? 365} days)`,
            subject: arn,
        });
    } else if (expected === false && on) {
        f.add("rotation-enabled", { expected: { enableKeyRotation: false }, actual: { enableKeyRotation: true, rotationPeriodInDays: status.RotationPeriodInDays ?? null }, message: `automatic rotation of ${what} is on although the stack does not declare it`, subject: arn });
    } else if (expected === true && on && expectedPeriod !== undefined && status.RotationPeriodInDays !== undefined && status.RotationPeriodInDays !== expectedPeriod) {
        f.add("rotation-period-changed", {
            expected: { rotationPeriodInDays: expectedPeriod },
            actual: { rotationPeriodInDays: status.RotationPeriodInDays },
            message: `${what} rotates every ${status.RotationPeriodInDays} days, not every ${expectedPeriod} days as declared`,
            severity: status.RotationPeriodInDays > expectedPeriod ? "medium" : "low",
            subject: arn,
        });
    }
    if (expected !== true) return;
    // Overdue: against the declared cryptoperiod, from the last rotation (or creation).
    const period = (expectedPeriod ?? 365) * DAY_MS;
    const grace = ROTATION_GRACE_DAYS * DAY_MS;
    let due: number | undefined;
    let since: string;
    if (on && status.NextRotationDate) {
        due = status.NextRotationDate.getTime();
        since = `it was due on ${iso(due)}`;
    } else {
        let last = meta.CreationDate?.getTime();
        try {
            let marker: string | undefined;
            do {
                const page = await call(ctx, client.scope, (o) => client.client.send(attempts(new kms.ListKeyRotationsCommand({ KeyId: arn, Marker: marker }), o), o.aws));
                for (const rot of page.Rotations ?? []) if (rot.RotationDate && (last === undefined || rot.RotationDate.getTime() > last)) last = rot.RotationDate.getTime();
                marker = page.Truncated ? page.NextMarker : undefined;
            } while (marker);
        } catch (e) {
            f.readError("ListKeyRotations", what, e, `${arn}#rotations`);
            return;
        }
        if (last === undefined) return;
        due = last + period;
        since = `its material dates from ${iso(last)}`;
    }
    if (due !== undefined && ctx.now > due + grace) {
        f.add("rotation-overdue", {
            expected: { rotatedWithinDays: expectedPeriod ?? 365 },
            actual: { dueSince: iso(due) },
            message: `${what} is overdue for rotation: ${since} (${relativeDays(due, ctx.now)}), beyond the declared ${expectedPeriod ?? 365}-day cryptoperiod`,
            subject: arn,
        });
    }
}

async function checkPolicy(f: FindingsFor, expectedPolicy: unknown, client: Handle<KMSClient>, ctx: CheckContext, keyRef: string, what: string, arn: string, live: Record<string, unknown>): Promise<void> {
    if (!known(expectedPolicy)) return; // not in state, or a secret: nothing to compare with
    const kms = sdk();
    let policy: string | undefined;
    try {
        policy = (await call(ctx, client.scope, (o) => client.client.send(attempts(new kms.GetKeyPolicyCommand({ KeyId: keyRef, PolicyName: "default" }), o), o.aws))).Policy;
    } catch (e) {
        f.readError("GetKeyPolicy", what, e, `${arn}#policy`);
        return;
    }
    live.policy = policy;
    const d = diffPolicies(expectedPolicy, policy);
    if (!d) return;
    const pub = d.newlyPublic.length > 0;
    f.add(pub ? "public-access" : "key-policy-changed", {
        expected: { statements: d.expected },
        actual: { statements: d.actual, added: d.added, removed: d.removed, changed: d.changed },
        message: pub
            ? `the key policy of ${what} grants access to everyone (Principal "*" without a condition) in ${d.newlyPublic.map((s) => JSON.stringify(s)).join(", ")}; statements ${describePolicyDiff(d)}`
            : `the key policy of ${what} changed: statements ${describePolicyDiff(d)}`,
        subject: `${arn}#policy`,
    });
}

async function checkTags(f: FindingsFor, p: Record<string, unknown>, client: Handle<KMSClient>, ctx: CheckContext, keyRef: string, what: string, arn: string, live: Record<string, unknown>): Promise<void> {
    const expected = p.tagsAll !== undefined && p.tagsAll !== null ? p.tagsAll : p.tags;
    if (containsSecret(expected)) return;
    const kms = sdk();
    const tags: Record<string, string> = {};
    try {
        let marker: string | undefined;
        do {
            const page = await call(ctx, client.scope, (o) => client.client.send(attempts(new kms.ListResourceTagsCommand({ KeyId: keyRef, Marker: marker }), o), o.aws));
            for (const t of page.Tags ?? []) tags[t.TagKey!] = t.TagValue ?? "";
            marker = page.Truncated ? page.NextMarker : undefined;
        } while (marker);
    } catch (e) {
        f.readError("ListResourceTags", what, e, `${arn}#tags`);
        return;
    }
    live.tags = tags;
    live.tagsAll = tags;
    const d = diffMaps((expected as Record<string, unknown>) ?? {}, tags);
    if (d) f.add("tags-changed", { expected: expected ?? {}, actual: tags, message: `tags of ${what} changed: ${describeMapDiff(d, "tags")}`, subject: `${arn}#tags` });
}

/** An alias: still there, still pointing at the key in state. */
export async function checkAwsAlias(r: StateResource, ctx: CheckContext): Promise<CheckResult> {
    const f = new FindingsFor(r, "aws");
    const p = propsOf(r);
    const name = str(p.name) ?? r.id;
    if (!name || !name.startsWith("alias/")) return f.unreadable(`${missingFields(r, ctx, p, ["name"], "an alias name (alias/...)")}`);
    const region = awsRegionOf(r, p, ctx);
    if (!region) return f.unreadable(noRegion(r, ctx));
    const expectedTarget = ctx.index.awsKeyId(str(p.targetKeyArn) ?? str(p.targetKeyId));
    const kms = sdk();
    const h = ctx.clients.aws(region);
    try {
        const meta = (await call(ctx, h.scope, (o) => h.client.send(attempts(new kms.DescribeKeyCommand({ KeyId: name }), o), o.aws))).KeyMetadata!;
        if (expectedTarget && meta.KeyId !== expectedTarget) {
            f.add("alias-retargeted", {
                expected: { targetKeyId: expectedTarget },
                actual: { targetKeyId: meta.KeyId, targetKeyArn: meta.Arn },
                message: `alias ${name} (${region}) now points at key ${meta.Arn}, not at ${expectedTarget}: callers using the alias use another key`,
            });
        }
        return { findings: f.findings, live: { targetKeyId: meta.KeyId, targetKeyArn: meta.Arn } };
    } catch (e) {
        if ((e as Error).name === "NotFoundException") {
            f.add("alias-missing", {
                expected: { name, targetKeyId: expectedTarget ?? null },
                actual: null,
                message: `alias ${name} (${region}) no longer exists: callers that use it fail`,
            });
            return { findings: f.findings, live: null };
        }
        return f.readError("DescribeKey", `alias ${name} (${region})`, e);
    }
}

/** A stand-alone key policy resource (`aws:kms/keyPolicy:KeyPolicy`). */
export async function checkAwsKeyPolicy(r: StateResource, ctx: CheckContext): Promise<CheckResult> {
    const f = new FindingsFor(r, "aws");
    const p = propsOf(r);
    const keyRef = str(p.keyId) ?? r.id;
    if (!keyRef) return f.unreadable(missingFields(r, ctx, p, ["keyId"]));
    const region = awsRegionOf(r, p, ctx);
    if (!region) return f.unreadable(noRegion(r, ctx));
    const live: Record<string, unknown> = {};
    const arn = ctx.index.awsKeyArn(keyRef) ?? keyRef;
    await checkPolicy(f, p.policy, ctx.clients.aws(region), ctx, keyRef, `the key ${keyRef}`, arn, live);
    return { findings: f.findings, live };
}
