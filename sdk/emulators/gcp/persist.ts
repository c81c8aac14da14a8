/**
 * The Cloud KMS emulator's persisted state (`snapshot()`, the `gcp` part of a `--state` file), validated in full
 * before the emulator starts: every record's fields and values, material that fits its version's algorithm, and the
 * references between records (a record is filed under its own name, keys and import jobs belong to a key ring of the
 * state, version ids are unique, the primary is a version of the key).
 */
import * as crypto from "crypto";
import { z } from "zod";
import { checkMaterial, MaterialError } from "../../crypto/material";
import { BASE64, EmulatorStateError, isNewerVersion, parseWith, showValue, type Fits, type ShapeOf, type StateProblem } from "../persist";
import { ALGORITHMS, IMPORT_METHODS, PURPOSES, type ImportMethod } from "./crypto";
import { VERSION_STATES, type CryptoKeyRecord, type GcpState, type IamBinding, type IamRecord, type ImportJobRecord, type KeyRingRecord, type RetiredRecord, type VersionRecord } from "./state";

export const GCP_SNAPSHOT_KIND = "keyfabric/gcp-kms-emulator";
export const GCP_STATE_VERSION = 1;

/** What `snapshot()` returns: the state, marked, with the emulator's one setting that shapes it. */
export interface GcpSnapshot extends GcpState {
    kind: typeof GCP_SNAPSHOT_KIND;
    version: typeof GCP_STATE_VERSION;
    importJobGenerationReads: number;
}

const time = z.number().nonnegative();
const base64 = z.string().regex(BASE64, "must be base64");
const protectionLevel = z.enum(["SOFTWARE", "HSM"]);
const algorithm = z.string().refine((a) => Object.prototype.hasOwnProperty.call(ALGORITHMS, a), `is not an algorithm of the emulator (allowed: ${Object.keys(ALGORITHMS).join(", ")})`);
const KEY_RING_NAME = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+$/;
const keyRingName = z.string().regex(KEY_RING_NAME, "must be a key ring name (projects/P/locations/L/keyRings/R)");

const keyRingShape = { name: keyRingName, createTime: time } satisfies ShapeOf<KeyRingRecord>;

const versionShape = {
    id: z.number().int().positive(),
    state: z.enum(VERSION_STATES as [VersionRecord["state"], ...VersionRecord["state"][]]),
    algorithm,
    protectionLevel,
    createTime: time,
    generateTime: time.optional(),
    readyTime: time.optional(),
    primaryWhenReady: z.boolean().optional(),
    destroyTime: time.optional(),
    destroyEventTime: time.optional(),
    importJob: z.string().optional(),
    importTime: time.optional(),
    importFailureReason: z.string().optional(),
    material: base64.optional(),
    fingerprint: z.string().optional(),
    pendingImport: z
        .strictObject({ importJob: z.string(), importTime: time, material: base64.optional(), fingerprint: z.string().optional(), failure: z.string().optional() })
        .optional(),
} satisfies ShapeOf<VersionRecord>;

const cryptoKeyShape = {
    name: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/, "must be a crypto key name (projects/P/locations/L/keyRings/R/cryptoKeys/K)"),
    purpose: z.enum(PURPOSES as [CryptoKeyRecord["purpose"], ...CryptoKeyRecord["purpose"][]]),
    createTime: time,
    versionTemplate: z.strictObject({ protectionLevel, algorithm }),
    labels: z.record(z.string(), z.string()),
    importOnly: z.boolean(),
    destroyScheduledDurationMs: z.number().int().positive(),
    rotationPeriodMs: z.number().int().positive().optional(),
    nextRotationTime: time.optional(),
    primary: z.number().int().positive().optional(),
    versions: z.array(z.strictObject(versionShape)),
} satisfies ShapeOf<CryptoKeyRecord>;

const importJobShape = {
    name: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/importJobs\/[^/]+$/, "must be an import job name (projects/P/locations/L/keyRings/R/importJobs/J)"),
    importMethod: z.enum(Object.keys(IMPORT_METHODS) as [ImportMethod, ...ImportMethod[]]),
    protectionLevel,
    createTime: time,
    generateTime: time.optional(),
    expireTime: time,
    expireEventTime: time.optional(),
    state: z.enum(["PENDING_GENERATION", "ACTIVE", "EXPIRED"]),
    readyTime: time.optional(),
    pendingReads: z.number().int().nonnegative(),
    privateKey: base64.optional(),
    publicKeyPem: z.string().refine(isRsaPublicKeyPem, "must be an RSA public key (SPKI PEM)"),
} satisfies ShapeOf<ImportJobRecord>;

const bindingShape = {
    role: z.string().min(1),
    members: z.array(z.string()),
    condition: z.strictObject({ expression: z.string().optional(), title: z.string().optional(), description: z.string().optional(), location: z.string().optional() }).optional(),
} satisfies ShapeOf<IamBinding>;

const iamShape = {
    version: z.union([z.literal(1), z.literal(3)]),
    bindings: z.array(z.strictObject(bindingShape)),
    etag: base64,
    serial: z.number().int().nonnegative(),
} satisfies ShapeOf<IamRecord>;

const retiredShape = {
    name: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/retiredResources\/[^/]+$/, "must be a retired resource name (projects/P/locations/L/retiredResources/R)"),
    originalResource: z.string(),
    resourceType: z.string(),
    deleteTime: time,
} satisfies ShapeOf<RetiredRecord>;

const snapshotShape = {
    kind: z.literal(GCP_SNAPSHOT_KIND),
    version: z.literal(GCP_STATE_VERSION),
    importJobGenerationReads: z.number().int().nonnegative(),
    keyRings: z.record(z.string(), z.strictObject(keyRingShape)),
    cryptoKeys: z.record(z.string(), z.strictObject(cryptoKeyShape)),
    importJobs: z.record(z.string(), z.strictObject(importJobShape)),
    iam: z.record(z.string(), z.strictObject(iamShape)),
    retiredResources: z.record(z.string(), z.strictObject(retiredShape)),
} satisfies ShapeOf<GcpSnapshot>;

function isRsaPublicKeyPem(pem: string): boolean {
    try {
        return crypto.createPublicKey(pem).asymmetricKeyType === "rsa";
    } catch {
        return false;
    }
}

const parent = (name: string) => name.split("/").slice(0, 6).join("/");

const snapshotSchema = z
    .strictObject({
        ...snapshotShape,
        // Parts an in-process caller may leave out (a snapshot always has them).
        importJobGenerationReads: snapshotShape.importJobGenerationReads.default(0),
        keyRings: snapshotShape.keyRings.default({}),
        cryptoKeys: snapshotShape.cryptoKeys.default({}),
        importJobs: snapshotShape.importJobs.default({}),
        iam: snapshotShape.iam.default({}),
        retiredResources: snapshotShape.retiredResources.default({}),
    })
    .superRefine((s, ctx) => {
        for (const [name, kr] of Object.entries(s.keyRings)) {
            if (kr.name !== name) ctx.addIssue({ code: "custom", path: ["keyRings", name, "name"], message: "differs from the name the record is filed under", params: { got: kr.name } });
        }
        for (const [name, key] of Object.entries(s.cryptoKeys)) {
            if (key.name !== name) ctx.addIssue({ code: "custom", path: ["cryptoKeys", name, "name"], message: "differs from the name the record is filed under", params: { got: key.name } });
            if (!s.keyRings[parent(key.name)]) ctx.addIssue({ code: "custom", path: ["cryptoKeys", name, "name"], message: `names key ring ${parent(key.name)}, which is not in keyRings` });
            const template = ALGORITHMS[key.versionTemplate.algorithm];
            if (template.purpose !== key.purpose) ctx.addIssue({ code: "custom", path: ["cryptoKeys", name, "versionTemplate", "algorithm"], message: `is a ${template.purpose} algorithm, the key's purpose is ${key.purpose}`, params: { got: key.versionTemplate.algorithm } });
            const ids = new Map<number, number>();
            key.versions.forEach((v, i) => {
                if (ids.has(v.id)) ctx.addIssue({ code: "custom", path: ["cryptoKeys", name, "versions", i, "id"], message: `duplicates versions[${ids.get(v.id)}].id`, params: { got: v.id } });
                else ids.set(v.id, i);
                const spec = ALGORITHMS[v.algorithm];
                for (const [where, material] of [
                    [["material"], v.material],
                    [["pendingImport", "material"], v.pendingImport?.material],
                ] as const) {
                    if (material === undefined) continue;
                    try {
                        checkMaterial(spec.material, Buffer.from(material, "base64"));
                    } catch (e) {
                        const why = e instanceof MaterialError ? e.message : "not key material";
                        ctx.addIssue({ code: "custom", path: ["cryptoKeys", name, "versions", i, ...where], message: `does not fit ${v.algorithm}: ${why}` });
                    }
                }
            });
            if (key.primary !== undefined && !ids.has(key.primary)) ctx.addIssue({ code: "custom", path: ["cryptoKeys", name, "primary"], message: "is not the id of one of the key's versions", params: { got: key.primary } });
        }
        for (const [name, job] of Object.entries(s.importJobs)) {
            if (job.name !== name) ctx.addIssue({ code: "custom", path: ["importJobs", name, "name"], message: "differs from the name the record is filed under", params: { got: job.name } });
            if (!s.keyRings[parent(job.name)]) ctx.addIssue({ code: "custom", path: ["importJobs", name, "name"], message: `names key ring ${parent(job.name)}, which is not in keyRings` });
            if (job.privateKey !== undefined) {
                try {
                    const key = crypto.createPrivateKey({ key: Buffer.from(job.privateKey, "base64"), format: "der", type: "pkcs8" });
                    if (key.asymmetricKeyType !== "rsa" || key.asymmetricKeyDetails?.modulusLength !== IMPORT_METHODS[job.importMethod].bits) throw new Error();
                } catch {
                    ctx.addIssue({ code: "custom", path: ["importJobs", name, "privateKey"], message: `must be an RSA-${IMPORT_METHODS[job.importMethod].bits} private key (DER PKCS#8, base64) for ${job.importMethod}` });
                }
            }
        }
    });

// The schema and the snapshot type stay in step: every field is in a ShapeOf shape, and what the schema accepts is a
// value of the type; a field added to one and not the other fails the type check.
const inStep: Fits<z.output<typeof snapshotSchema>, GcpSnapshot> = true;
void inStep;

function parseGcp(value: unknown): { value?: GcpSnapshot; problems: StateProblem[] } {
    const v = value as { kind?: unknown; version?: unknown } | null;
    if (!v || typeof v !== "object" || Array.isArray(v)) {
        return { problems: [{ path: "", message: `is not a Cloud KMS emulator state (expected an object with kind ${GCP_SNAPSHOT_KIND} and version ${GCP_STATE_VERSION}, got: ${showValue(v)})` }] };
    }
    if (v.kind === GCP_SNAPSHOT_KIND && isNewerVersion(v.version, GCP_STATE_VERSION)) {
        return { problems: [{ path: "", message: `was written by a newer Cloud KMS emulator (state version ${v.version}; this keyfabric reads version ${GCP_STATE_VERSION}): upgrade keyfabric` }] };
    }
    return parseWith(snapshotSchema as unknown as z.ZodType<GcpSnapshot>, value);
}

/** Every problem of a Cloud KMS emulator state (paths relative to it: `cryptoKeys["projects/…"].purpose`). */
export function gcpStateProblems(value: unknown): StateProblem[] {
    return parseGcp(value).problems;
}

/** A validated copy of `state` (a `snapshot()`), or an `EmulatorStateError` listing every problem. */
export function restoreGcpState(state: unknown, subject = "options.state is not a snapshot of the GCP KMS emulator"): GcpSnapshot {
    const { value, problems } = parseGcp(JSON.parse(JSON.stringify(state)));
    if (!value) throw new EmulatorStateError(subject, problems);
    return value;
}
