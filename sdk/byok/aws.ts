/**
 * `AwsImportedKeyMaterial`: imports customer material into an EXTERNAL-origin AWS KMS key.
 * GetParametersForImport (RSA_4096) -> wrap locally -> ImportKeyMaterial; new material on a symmetric key is
 * ImportKeyMaterial NEW_KEY_MATERIAL -> RotateKeyOnDemand. The plaintext is read inside the provider at deploy time
 * and zeroed; state holds the key ARN, state, expiry, material id and a fingerprint.
 *
 * Neither ImportKeyMaterial NEW_KEY_MATERIAL nor RotateKeyOnDemand may be repeated once applied (the repeat is
 * refused: IncorrectKeyMaterialException, KMSInvalidStateException), and a lost answer does not say whether the call
 * applied. So every step is decided from the key's live state, read before it and again after any failure:
 * DescribeKey (`KeyState`, `CurrentKeyMaterialId`, `ExpirationModel`, `ValidTo`) and, for symmetric keys,
 * ListKeyRotations with ALL_KEY_MATERIAL (each material's `KeyMaterialId`, `KeyMaterialState` CURRENT / NON_CURRENT /
 * PENDING_ROTATION, `ImportState`, `ExpirationModel`, `ValidTo`, `KeyMaterialDescription`). keyfabric labels the
 * symmetric material it imports with the `KeyMaterialDescription` `keyfabric <fingerprint>` (the fingerprint state
 * already holds: a domain-separated SHA-256, nothing that weakens the material), which is how its material is found
 * again. The mutating calls go out without the SDK's retries; throttling and uncertain failures (no answer, 5xx) are
 * followed by a fresh look at the key, never by a blind repeat. RotateKeyOnDemand finishes after its answer: before
 * rotating, and until the declared material is CURRENT, the provider reads GetKeyRotationStatus and waits while
 * `OnDemandRotationStartDate` says a rotation is in progress (a ConflictException too means: wait).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createAwsKmsClient } from "../clients";
import { checkMaterial, fingerprint as fingerprintOf } from "../crypto/material";
import { isSealed, KeyMaterial } from "../crypto/sealed";
import { ALGORITHMS, Algorithm } from "../schema/constants";
import { backoffMs, checkWithFingerprint, cloudError, httpStatusOf, isUnknown, schemeChanged, sleep, withMaterial } from "./common";
import { byokProvider, PROVIDER_VERSION, ProviderImpl } from "./provider";
import { MaterialSource, materialSourceSchema } from "./sources";
import { sha1SchemeWarning } from "./pkcs11/scheme";
import { AWS_WRAPPING_ALGORITHMS, awsWrappingAlgorithmFor, materialKindFor, wrapForAws } from "./wrap";

const MAX_VALID_DAYS = 365;

export const awsImportInputs = z.strictObject({
    providerVersion: z.string(),
    keyId: z.string().min(1),
    region: z.string().regex(/^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/, { error: "is not an AWS region" }),
    algorithm: z.enum(ALGORITHMS),
    material: materialSourceSchema,
    validTo: z.iso.datetime({ offset: true }).optional(),
    fingerprint: z.string().optional(),
    /** Chosen by Check from the material (shown in the plan): SHA-256, or SHA-1 for a token whose RSA-OAEP is SHA-1 only. */
    wrappingAlgorithm: z.enum(AWS_WRAPPING_ALGORITHMS).optional(),
});
export type AwsImportInputs = z.infer<typeof awsImportInputs>;

export interface AwsImportOutputs extends AwsImportInputs {
    keyArn: string;
    keyState: string;
    expirationModel: string;
    keyMaterialId?: string;
    importedAt: string;
}

const symmetric = (a: Algorithm) => a === "AES_256";

/** The `KeyMaterialDescription` keyfabric gives the symmetric material it imports. */
const DESCRIPTION_PREFIX = "keyfabric ";
export const awsMaterialDescription = (materialFingerprint: string) => `${DESCRIPTION_PREFIX}${materialFingerprint}`;

/** Failed attempts (throttled or uncertain) of the mutating steps before giving up, and the time budget. */
const MAX_FAILED_ATTEMPTS = 10;
const RECONCILE_BUDGET_MS = 5 * 60_000;
/**
 * RotateKeyOnDemand is asynchronous: AWS answers at once and makes the pending material CURRENT later (meanwhile
 * GetKeyRotationStatus has `OnDemandRotationStartDate`, the material stays PENDING_ROTATION, and a second request is
 * refused). How often the key is looked at again while it rotates.
 */
const ROTATION_POLL_MS = 1_000;

interface LiveMaterial {
    readonly id: string;
    readonly state: string;
    readonly imported: boolean;
    readonly description?: string;
    readonly expirationModel?: string;
    /** ms since the epoch */
    readonly validTo?: number;
}

interface LiveKey {
    readonly arn: string;
    readonly keyState: string;
    readonly currentKeyMaterialId?: string;
    readonly expirationModel?: string;
    readonly validTo?: number;
    /** Symmetric keys: every material (ListKeyRotations ALL_KEY_MATERIAL); undefined where the key cannot list them. */
    readonly materials?: LiveMaterial[];
}

type Step =
    | { readonly kind: "done"; readonly keyMaterialId?: string }
    | { readonly kind: "import"; readonly importType?: "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL"; readonly keyMaterialId?: string }
    | { readonly kind: "rotate" }
    | { readonly kind: "delete-pending"; readonly keyMaterialId: string };

export interface AwsReconcileArgs {
    readonly region: string;
    readonly keyId: string;
    readonly algorithm: Algorithm;
    readonly material: KeyMaterial;
    /** `fingerprint()` of `material`. */
    readonly fingerprint: string;
    readonly validTo?: string;
    /** Symmetric keys: whether new material may take over from the current one (NEW_KEY_MATERIAL + RotateKeyOnDemand). */
    readonly rotate: boolean;
    /** The KeyMaterialId that state records for this fingerprint. */
    readonly knownMaterialId?: string;
    /** State records this fingerprint's material as imported into the key. */
    readonly knownPresent?: boolean;
    readonly env?: NodeJS.ProcessEnv;
}

export interface AwsReconcileResult {
    readonly keyArn: string;
    readonly keyState: string;
    readonly expirationModel?: string;
    readonly validTo?: string;
    readonly keyMaterialId?: string;
    /** Whether anything was (or may have been) changed in the key. */
    readonly changed: boolean;
}

type Failure = "throttled" | "uncertain" | "definite";

/** Throttled: refused, not applied. Uncertain: no answer, or a 5xx: may have applied. Anything else: refused. */
function classify(e: unknown): Failure {
    const status = httpStatusOf(e);
    if ((e as Error)?.name === "ThrottlingException" || status === 429) return "throttled";
    if (status === undefined || status >= 500) return "uncertain";
    return "definite";
}

const present = (keyState: string | undefined) => keyState === "Enabled" || keyState === "Disabled";

/** Reads the key's live state (idempotent reads: the SDK's retries apply). */
async function observe(kms: typeof import("@aws-sdk/client-kms"), reader: import("@aws-sdk/client-kms").KMSClient, keyId: string, listMaterials: boolean): Promise<LiveKey> {
    let meta;
    try {
        meta = (await reader.send(new kms.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    } catch (e) {
        throw cloudError("AWS KMS", "DescribeKey", keyId, e);
    }
    let materials: LiveMaterial[] | undefined;
    if (listMaterials) {
        try {
            materials = [];
            let marker: string | undefined;
            do {
                const page = await reader.send(new kms.ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL", Limit: 1000, ...(marker ? { Marker: marker } : {}) }));
                for (const r of page.Rotations ?? []) {
                    materials.push({
                        id: r.KeyMaterialId!,
                        state: String(r.KeyMaterialState),
                        imported: r.ImportState === "IMPORTED",
                        ...(r.KeyMaterialDescription !== undefined ? { description: r.KeyMaterialDescription } : {}),
                        ...(r.ExpirationModel ? { expirationModel: r.ExpirationModel } : {}),
                        ...(r.ValidTo ? { validTo: r.ValidTo.getTime() } : {}),
                    });
                }
                marker = page.Truncated ? page.NextMarker : undefined;
            } while (marker);
        } catch (e) {
            const name = (e as Error).name;
            // A key that cannot list its materials (in some states): decide from DescribeKey alone.
            if (name === "UnsupportedOperationException" || name === "KMSInvalidStateException") materials = undefined;
            else throw cloudError("AWS KMS", "ListKeyRotations", keyId, e);
        }
    }
    return {
        arn: meta.Arn!,
        keyState: String(meta.KeyState),
        ...(meta.CurrentKeyMaterialId ? { currentKeyMaterialId: meta.CurrentKeyMaterialId } : {}),
        ...(meta.ExpirationModel ? { expirationModel: meta.ExpirationModel } : {}),
        ...(meta.ValidTo ? { validTo: meta.ValidTo.getTime() } : {}),
        materials,
    };
}

/** Whether an on-demand rotation of the key is in progress (GetKeyRotationStatus `OnDemandRotationStartDate`). */
async function rotationInProgress(kms: typeof import("@aws-sdk/client-kms"), reader: import("@aws-sdk/client-kms").KMSClient, keyId: string): Promise<boolean> {
    try {
        return (await reader.send(new kms.GetKeyRotationStatusCommand({ KeyId: keyId }))).OnDemandRotationStartDate !== undefined;
    } catch (e) {
        throw cloudError("AWS KMS", "GetKeyRotationStatus", keyId, e);
    }
}

/** The next step towards "this material is the key's current material, with this expiry". */
function decide(live: LiveKey, args: AwsReconcileArgs, verified: boolean): Step {
    if (!present(live.keyState) && live.keyState !== "PendingImport") {
        throw new Error(`AWS KMS key ${live.arn} is ${live.keyState}: key material cannot be imported into it`);
    }
    const wantValidTo = args.validTo === undefined ? undefined : Date.parse(args.validTo);
    const expiryOk = (model: string | undefined, validTo: number | undefined) =>
        wantValidTo === undefined ? model === "KEY_MATERIAL_DOES_NOT_EXPIRE" : model === "KEY_MATERIAL_EXPIRES" && validTo === wantValidTo;

    if (!symmetric(args.algorithm) || live.materials === undefined) {
        // One material for the key's life (asymmetric, HMAC), or materials that cannot be listed. A re-import of the
        // same material is idempotent, and AWS refuses other material (IncorrectKeyMaterialException).
        const known = symmetric(args.algorithm) ? args.knownMaterialId !== undefined && live.currentKeyMaterialId === args.knownMaterialId : args.knownPresent === true;
        if (present(live.keyState) && expiryOk(live.expirationModel, live.validTo) && (known || verified)) return { kind: "done", keyMaterialId: live.currentKeyMaterialId };
        if (symmetric(args.algorithm) && args.knownMaterialId) return { kind: "import", importType: "EXISTING_KEY_MATERIAL", keyMaterialId: args.knownMaterialId };
        return { kind: "import" };
    }

    const mats = live.materials;
    const label = awsMaterialDescription(args.fingerprint);
    const ours = mats.find((m) => m.description === label) ?? (args.knownMaterialId ? mats.find((m) => m.id === args.knownMaterialId) : undefined);
    if (ours) {
        const fresh = ours.imported && expiryOk(ours.expirationModel, ours.validTo);
        switch (ours.state) {
            case "CURRENT":
                return fresh ? { kind: "done", keyMaterialId: ours.id } : { kind: "import", importType: "EXISTING_KEY_MATERIAL", keyMaterialId: ours.id };
            case "PENDING_ROTATION":
                // Imported earlier (this run, or a run that failed after it): rotate to it, once.
                return fresh ? { kind: "rotate" } : { kind: "import", importType: "EXISTING_KEY_MATERIAL", keyMaterialId: ours.id };
            case "NON_CURRENT":
                throw new Error(
                    `AWS KMS key ${live.arn}: the declared material (key material ${ours.id}) is a former material of the key (NON_CURRENT); AWS KMS rotates only to new material: declare new material`,
                );
            default:
                throw new Error(`AWS KMS key ${live.arn}: the declared material (key material ${ours.id}) is ${ours.state}: import it into every replica Region key first`);
        }
    }
    // The first material: ImportType defaults to NEW_KEY_MATERIAL, and a repeat of an applied import is a re-import.
    if (mats.length === 0) return { kind: "import" };
    // Material of an earlier import without keyfabric's label: a re-import succeeds (and labels it) only if it is
    // this material; AWS refuses other material (IncorrectKeyMaterialException).
    if (!args.rotate) return { kind: "import", importType: "EXISTING_KEY_MATERIAL" };
    const pending = mats.find((m) => m.state.startsWith("PENDING_"));
    if (pending) {
        // Left by an earlier run whose declared material has changed since: not permanently associated, so removable.
        if (pending.description?.startsWith(DESCRIPTION_PREFIX)) return { kind: "delete-pending", keyMaterialId: pending.id };
        throw new Error(
            `AWS KMS key ${live.arn} has other key material (${pending.id}) in ${pending.state} that keyfabric did not import: rotate to it or delete it (DeleteImportedKeyMaterial with its KeyMaterialId) first`,
        );
    }
    return { kind: "import", importType: "NEW_KEY_MATERIAL" };
}

const STEP_OPERATION: Record<Exclude<Step["kind"], "done">, string> = { import: "ImportKeyMaterial", rotate: "RotateKeyOnDemand", "delete-pending": "DeleteImportedKeyMaterial" };

/**
 * Brings the key to "`material` is its current material, expiring at `validTo` (or never)", one step at a time, each
 * decided from the live state; re-running after any failure continues from where the key is.
 */
export async function reconcileAwsMaterial(args: AwsReconcileArgs): Promise<AwsReconcileResult> {
    const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const reader = createAwsKmsClient(args.region, { maxAttempts: 8, env: args.env });
    // Not idempotent: no SDK retries; this loop looks at the key again instead.
    const writer = createAwsKmsClient(args.region, { maxAttempts: 1, env: args.env });
    const wrappingAlgorithm = awsWrappingAlgorithmFor(materialKindFor(args.algorithm), args.material);
    const listMaterials = symmetric(args.algorithm);
    const deadline = Date.now() + RECONCILE_BUDGET_MS;
    let params: { token: Uint8Array; publicKey: Uint8Array } | undefined;
    let tokenRenewed = false;
    let failures = 0;
    let changed = false;
    /** An import of this material is known to have applied (for keys whose material cannot be told apart). */
    let verified = false;
    let importedId: string | undefined;
    const finish = (live: LiveKey, keyMaterialId: string | undefined): AwsReconcileResult => ({
        keyArn: live.arn,
        keyState: live.keyState,
        ...(live.expirationModel ? { expirationModel: live.expirationModel } : {}),
        ...(live.validTo !== undefined ? { validTo: new Date(live.validTo).toISOString() } : {}),
        ...((keyMaterialId ?? importedId) ? { keyMaterialId: keyMaterialId ?? importedId } : {}),
        changed,
    });
    try {
        for (;;) {
            const live = await observe(kms, reader, args.keyId, listMaterials);
            const step = decide(live, args, verified);
            if (step.kind === "done") return finish(live, step.keyMaterialId);
            const presentBefore = present(live.keyState);
            if (step.kind === "import" && !params) {
                // Safe to repeat (each call is a new token and wrapping key): the SDK's retries apply.
                try {
                    const p = await reader.send(new kms.GetParametersForImportCommand({ KeyId: args.keyId, WrappingAlgorithm: wrappingAlgorithm, WrappingKeySpec: "RSA_4096" }));
                    params = { token: p.ImportToken!, publicKey: p.PublicKey! };
                } catch (e) {
                    throw cloudError("AWS KMS", "GetParametersForImport", args.keyId, e);
                }
            }
            if (step.kind === "rotate" && (await rotationInProgress(kms, reader, args.keyId))) {
                // Rotating already (this run's request, or one whose answer was lost): wait for it, never ask twice.
                if (Date.now() > deadline) throw new Error(`AWS KMS key ${live.arn}: the on-demand rotation to the declared material did not finish within ${RECONCILE_BUDGET_MS / 60_000} minutes; re-running continues from the key's state`);
                await sleep(ROTATION_POLL_MS);
                continue;
            }
            try {
                if (step.kind === "import") {
                    if (!params) throw new Error("unreachable: no import parameters");
                    const wrapped = wrapForAws(args.material, params.publicKey, wrappingAlgorithm);
                    try {
                        const r = await writer.send(
                            new kms.ImportKeyMaterialCommand({
                                KeyId: args.keyId,
                                ImportToken: params.token,
                                EncryptedKeyMaterial: wrapped,
                                ...(args.validTo ? { ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: new Date(args.validTo) } : { ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
                                ...(step.importType ? { ImportType: step.importType } : {}),
                                ...(step.keyMaterialId ? { KeyMaterialId: step.keyMaterialId } : {}),
                                ...(listMaterials ? { KeyMaterialDescription: awsMaterialDescription(args.fingerprint) } : {}),
                            }),
                        );
                        importedId = r.KeyMaterialId ?? importedId;
                        verified = true;
                    } finally {
                        wrapped.fill(0);
                    }
                } else if (step.kind === "rotate") {
                    await writer.send(new kms.RotateKeyOnDemandCommand({ KeyId: args.keyId }));
                } else {
                    await writer.send(new kms.DeleteImportedKeyMaterialCommand({ KeyId: args.keyId, KeyMaterialId: step.keyMaterialId }));
                }
                changed = true;
            } catch (e) {
                if (step.kind === "import" && (e as Error).name === "ExpiredImportTokenException" && !tokenRenewed) {
                    tokenRenewed = true;
                    params = undefined;
                    continue;
                }
                if (step.kind === "rotate" && (e as Error).name === "ConflictException") {
                    // A rotation is in progress (or an automatic one is due within 20 minutes): look again later.
                    if (Date.now() > deadline) throw cloudError("AWS KMS", STEP_OPERATION[step.kind], args.keyId, e);
                    await sleep(ROTATION_POLL_MS);
                    continue;
                }
                const failure = classify(e);
                if (failure === "definite") {
                    // Refused now, but an earlier attempt whose answer was lost may have done it: look once more.
                    const again = await observe(kms, reader, args.keyId, listMaterials);
                    const next = decide(again, args, verified);
                    if (next.kind === "done") return finish(again, next.keyMaterialId);
                    throw cloudError("AWS KMS", STEP_OPERATION[step.kind], args.keyId, e);
                }
                if (failure === "uncertain") {
                    changed = true;
                    // A key that had no material and has some now got it from this import.
                    if (step.kind === "import" && !presentBefore) verified = true;
                }
                failures++;
                if (failures >= MAX_FAILED_ATTEMPTS || Date.now() > deadline) {
                    const err = cloudError("AWS KMS", STEP_OPERATION[step.kind], args.keyId, e);
                    err.message += ` (after ${failures} failed attempts; re-running continues from the key's state)`;
                    throw err;
                }
                await sleep(backoffMs(failures));
            }
        }
    } finally {
        reader.destroy();
        writer.destroy();
    }
}

/** Imports (or re-imports) material into an EXTERNAL key, reconciled from its live state (the CLI's `byok import`). */
export async function importAwsMaterial(args: {
    region: string;
    keyId: string;
    algorithm: Algorithm;
    material: KeyMaterial;
    validTo?: string;
    env?: NodeJS.ProcessEnv;
}): Promise<{ keyArn: string; keyMaterialId?: string }> {
    const privateKey = isSealed(args.material) ? undefined : checkMaterial(materialKindFor(args.algorithm), args.material);
    const r = await reconcileAwsMaterial({ ...args, fingerprint: fingerprintOf(args.material, privateKey), rotate: false });
    return { keyArn: r.keyArn, ...(r.keyMaterialId ? { keyMaterialId: r.keyMaterialId } : {}) };
}

async function describe(region: string, keyId: string) {
    const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const client = createAwsKmsClient(region, { maxAttempts: 8 });
    try {
        return (await client.send(new kms.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    } finally {
        client.destroy();
    }
}

function outputs(inputs: AwsImportInputs, r: AwsReconcileResult, olds?: Record<string, any>): AwsImportOutputs {
    const keyMaterialId = r.keyMaterialId ?? olds?.keyMaterialId;
    return {
        ...inputs,
        keyArn: r.keyArn,
        keyState: r.keyState,
        expirationModel: r.expirationModel ?? (inputs.validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE"),
        ...(r.validTo ? { validTo: r.validTo } : {}),
        ...(keyMaterialId ? { keyMaterialId } : {}),
        importedAt: !r.changed && typeof olds?.importedAt === "string" ? olds.importedAt : new Date().toISOString(),
    };
}

export const awsImportedKeyMaterial: ProviderImpl = {
    async check(_olds, news) {
        return checkWithFingerprint(awsImportInputs, news, (inputs, failures) => {
            if (inputs.validTo === undefined) return inputs;
            const t = Date.parse(inputs.validTo);
            if (t <= Date.now() || t > Date.now() + MAX_VALID_DAYS * 86_400_000) {
                failures.push({ property: "validTo", reason: `validTo: must be in the future and at most ${MAX_VALID_DAYS} days ahead (got: ${JSON.stringify(inputs.validTo)})` });
            }
            // Normalised, so the expiry AWS reports back compares equal.
            return { ...inputs, validTo: new Date(inputs.validTo).toISOString() };
        }, (inputs, material) => {
            const kind = materialKindFor(inputs.algorithm);
            const wrappingAlgorithm = awsWrappingAlgorithmFor(kind, material);
            const target = isUnknown(inputs.keyId) ? "AWS KMS import (into a key not created yet)" : `AWS KMS key ${inputs.keyId}`;
            const warning = sha1SchemeWarning(material, target, wrappingAlgorithm, awsWrappingAlgorithmFor(kind));
            return { inputs: { wrappingAlgorithm }, ...(warning ? { warning } : {}) };
        });
    },

    async diff(_id, olds, news) {
        const replaces = ["keyId", "region", "algorithm"].filter((k) => !isUnknown(news[k]) && olds[k] !== news[k]);
        if (isUnknown(news.keyId)) replaces.push("keyId");
        const materialChanged = olds.fingerprint !== news.fingerprint;
        // Asymmetric and HMAC keys can never take new material: the key (and this import) must be replaced.
        if (materialChanged && !symmetric(news.algorithm)) replaces.push("fingerprint");
        const updates = ["fingerprint", "validTo", "material", "providerVersion"].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        if (schemeChanged(olds, news, "wrappingAlgorithm")) updates.push("wrappingAlgorithm");
        const drifted = olds.keyState !== undefined && olds.keyState !== "Enabled" && olds.keyState !== "Disabled";
        const diffs = [...new Set([...replaces, ...updates, ...(drifted ? ["keyState"] : [])])];
        return { changes: diffs.length > 0, replaces, diffs, deleteBeforeReplace: replaces.length > 0 };
    },

    async create(raw) {
        const inputs = awsImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), async (m) => {
            const r = await reconcileAwsMaterial({ ...inputs, material: m.material, fingerprint: m.fingerprint, rotate: false });
            const outs = outputs({ ...inputs, fingerprint: m.fingerprint, wrappingAlgorithm: awsWrappingAlgorithmFor(materialKindFor(inputs.algorithm), m.material) }, r);
            return { id: outs.keyArn, outs };
        });
    },

    async read(id, props) {
        let meta;
        try {
            meta = await describe(props.region, id);
        } catch (e) {
            if ((e as Error).name === "NotFoundException") return {};
            throw cloudError("AWS KMS", "DescribeKey", id, e);
        }
        const present = meta.KeyState === "Enabled" || meta.KeyState === "Disabled";
        const live = {
            ...props,
            keyState: meta.KeyState,
            // No material in the key: the fingerprint no longer matches, so `up` re-imports.
            fingerprint: present ? props.fingerprint : "none",
            ...(meta.ValidTo ? { validTo: meta.ValidTo.toISOString() } : {}),
            ...(meta.ExpirationModel ? { expirationModel: meta.ExpirationModel } : {}),
        };
        return { id, props: live, inputs: strip(live) };
    },

    async update(_id, olds, raw) {
        const inputs = awsImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), async (m) => {
            const same = olds.fingerprint === m.fingerprint;
            // New material on a symmetric key is a rotation (asymmetric and HMAC keys are replaced instead: diff).
            // After out-of-band deletion ("none") only the same material can come back.
            const rotate = symmetric(inputs.algorithm) && !same && olds.fingerprint !== "none";
            const r = await reconcileAwsMaterial({
                ...inputs,
                material: m.material,
                fingerprint: m.fingerprint,
                rotate,
                ...(same && typeof olds.keyMaterialId === "string" ? { knownMaterialId: olds.keyMaterialId } : {}),
                knownPresent: same && present(olds.keyState),
            });
            const wrappingAlgorithm = awsWrappingAlgorithmFor(materialKindFor(inputs.algorithm), m.material);
            return { outs: outputs({ ...inputs, fingerprint: m.fingerprint, wrappingAlgorithm }, r, same ? olds : { importedAt: undefined }) };
        });
    },

    async delete(id, props) {
        const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const client = createAwsKmsClient(props.region, { maxAttempts: 8 });
        try {
            await client.send(new kms.DeleteImportedKeyMaterialCommand({ KeyId: id }));
        } catch (e) {
            const name = (e as Error).name;
            // Already gone: the key was deleted or is pending deletion, which removes its material anyway.
            if (name !== "NotFoundException" && name !== "KMSInvalidStateException") throw cloudError("AWS KMS", "DeleteImportedKeyMaterial", id, e);
        } finally {
            client.destroy();
        }
    },
};

function strip(raw: Record<string, any>): Record<string, any> {
    const { __provider, keyArn, keyState, expirationModel, keyMaterialId, importedAt, ...rest } = raw;
    void __provider, keyArn, keyState, expirationModel, keyMaterialId, importedAt;
    return rest;
}

export interface AwsImportedKeyMaterialArgs {
    /** The EXTERNAL-origin key (id or ARN). */
    readonly keyId: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    /** The key's logical algorithm: decides the material format and the wrapping algorithm. */
    readonly algorithm: Algorithm;
    /** Where the provider reads the material at deploy time. Only this descriptor is stored. */
    readonly material: MaterialSource;
    /** When the imported material expires (ISO 8601, at most 365 days ahead). @default no expiry */
    readonly validTo?: pulumi.Input<string>;
}

export class AwsImportedKeyMaterial extends pulumi.dynamic.Resource {
    declare readonly keyArn: pulumi.Output<string>;
    declare readonly keyState: pulumi.Output<string>;
    declare readonly keyMaterialId: pulumi.Output<string | undefined>;
    declare readonly expirationModel: pulumi.Output<string>;
    declare readonly validTo: pulumi.Output<string | undefined>;
    /** Non-reversible fingerprint of the imported material. */
    declare readonly fingerprint: pulumi.Output<string>;
    /** The wrapping algorithm the provider chose (RSAES_OAEP_* for symmetric material, RSA_AES_KEY_WRAP_* otherwise). */
    declare readonly wrappingAlgorithm: pulumi.Output<string>;

    constructor(name: string, args: AwsImportedKeyMaterialArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            byokProvider("aws.js", "awsImportedKeyMaterial"),
            name,
            { ...args, providerVersion: PROVIDER_VERSION, keyArn: undefined, keyState: undefined, keyMaterialId: undefined, expirationModel: undefined, fingerprint: undefined, importedAt: undefined, wrappingAlgorithm: undefined },
            opts,
            "keyfabric",
            "AwsImportedKeyMaterial",
        );
    }
}
