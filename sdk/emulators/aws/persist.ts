/**
 * The AWS KMS emulator's persisted state (`snapshot()`, the `aws` part of a `--state` file), validated in full
 * before the emulator starts: every record's fields and their values, material that fits its key spec, and the
 * references between records (aliases name keys of their region, ids are unique, one CURRENT material per key).
 */
import * as crypto from "crypto";
import { z } from "zod";
import { checkMaterial, MaterialError } from "../../crypto/material";
import { BASE64, EmulatorStateError, isNewerVersion, parseWith, showValue, type Fits, type ShapeOf, type StateProblem } from "../persist";
import { KEY_SPEC_NAMES, KEY_SPECS, KEY_USAGES, type KeySpec, type KeyUsage } from "./specs";
import type { AliasRecord, AwsEmulatorState, GrantRecord, KeyRecord, MaterialRecord, WrappingKeyRecord } from "./state";

export const AWS_STATE_VERSION = 1;

const time = z.number().nonnegative();
const base64 = z.string().regex(BASE64, "must be base64");

const materialShape = {
    id: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters"),
    secret: base64.optional(),
    fingerprint: z.string().min(1),
    state: z.enum(["CURRENT", "NON_CURRENT", "PENDING_ROTATION"]),
    importState: z.enum(["IMPORTED", "PENDING_IMPORT"]).optional(),
    expirationModel: z.enum(["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"]).optional(),
    validTo: time.optional(),
    description: z.string().optional(),
    rotationDate: time.optional(),
    rotationType: z.enum(["AUTOMATIC", "ON_DEMAND"]).optional(),
} satisfies ShapeOf<MaterialRecord>;

const keyShape = {
    keyId: z.string().regex(/^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/, "must be a key id (a UUID, or mrk- and 32 hex characters)"),
    region: z.string().regex(/^[a-z0-9-]+$/, "must be a region name such as eu-west-1"),
    creationDate: time,
    description: z.string(),
    keySpec: z.enum(KEY_SPEC_NAMES as [KeySpec, ...KeySpec[]]),
    keyUsage: z.enum(KEY_USAGES as [KeyUsage, ...KeyUsage[]]),
    origin: z.enum(["AWS_KMS", "EXTERNAL"]),
    multiRegion: z.boolean(),
    policy: z.string(),
    tags: z.array(z.strictObject({ TagKey: z.string(), TagValue: z.string() })),
    enabled: z.boolean(),
    deletionDate: time.optional(),
    pendingWindowInDays: z.number().int().min(7).max(30).optional(),
    rotation: z.strictObject({ enabled: z.boolean(), periodInDays: z.number().int().min(90).max(2560), nextRotationDate: time.optional() }),
    onDemandRotations: z.number().int().nonnegative(),
    materials: z.array(z.strictObject(materialShape)),
    primaryRegion: z.string().regex(/^[a-z0-9-]+$/, "must be a region name such as eu-west-1").optional(),
    creatingUntil: time.optional(),
    onDemandRotation: z.strictObject({ startedAt: time, completesAt: time }).optional(),
} satisfies ShapeOf<KeyRecord>;

const grantShape = {
    grantId: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters"),
    keyId: z.string(),
    region: z.string().regex(/^[a-z0-9-]+$/, "must be a region name such as eu-west-1"),
    name: z.string().optional(),
    granteePrincipal: z.string().min(1),
    retiringPrincipal: z.string().min(1).optional(),
    operations: z.array(z.string()),
    constraints: z.strictObject({ EncryptionContextSubset: z.record(z.string(), z.string()).optional(), EncryptionContextEquals: z.record(z.string(), z.string()).optional() }).optional(),
    creationDate: time,
} satisfies ShapeOf<GrantRecord>;

const aliasShape = {
    name: z.string().regex(/^alias\/[a-zA-Z0-9/_-]+$/, "must be an alias name (alias/ and letters, digits, /, _ or -)"),
    region: z.string().regex(/^[a-z0-9-]+$/, "must be a region name such as eu-west-1"),
    targetKeyId: z.string(),
    creationDate: time,
    lastUpdatedDate: time,
} satisfies ShapeOf<AliasRecord>;

const wrappingKeyShape = {
    id: z.string().min(1),
    privateKeyPem: z.string().refine(isRsaPrivateKeyPem, "must be an RSA private key (PKCS#8 PEM)"),
    expiresAt: time,
} satisfies ShapeOf<WrappingKeyRecord>;

const stateShape = {
    version: z.literal(AWS_STATE_VERSION),
    accountId: z.string().regex(/^\d{12}$/, "must be 12 digits"),
    tokenSecret: base64.min(1),
    keys: z.array(z.strictObject(keyShape)),
    aliases: z.array(z.strictObject(aliasShape)),
    wrappingKeys: z.array(z.strictObject(wrappingKeyShape)),
    grants: z.array(z.strictObject(grantShape)).optional(),
} satisfies ShapeOf<AwsEmulatorState>;

function isRsaPrivateKeyPem(pem: string): boolean {
    try {
        return crypto.createPrivateKey(pem).asymmetricKeyType === "rsa";
    } catch {
        return false;
    }
}

const stateSchema = z.strictObject(stateShape).superRefine((s, ctx) => {
    const keys = new Map<string, number>();
    s.keys.forEach((key, i) => {
        const id = `${key.region}/${key.keyId}`;
        if (keys.has(id)) ctx.addIssue({ code: "custom", path: ["keys", i, "keyId"], message: `duplicates keys[${keys.get(id)}].keyId in ${key.region}` });
        else keys.set(id, i);
        const spec = KEY_SPECS[key.keySpec];
        if (!spec.usages.includes(key.keyUsage)) ctx.addIssue({ code: "custom", path: ["keys", i, "keyUsage"], message: `is not a usage of ${key.keySpec} (allowed: ${spec.usages.join(", ")}, got: ${key.keyUsage})` });
        if (key.materials.filter((m) => m.state === "CURRENT").length > 1) ctx.addIssue({ code: "custom", path: ["keys", i, "materials"], message: "has more than one CURRENT material" });
        key.materials.forEach((m, j) => {
            if (m.secret === undefined) return;
            try {
                checkMaterial(spec.material, Buffer.from(m.secret, "base64"));
            } catch (e) {
                const why = e instanceof MaterialError ? e.message : "not key material";
                ctx.addIssue({ code: "custom", path: ["keys", i, "materials", j, "secret"], message: `does not fit ${key.keySpec}: ${why}` });
            }
        });
    });
    const aliases = new Map<string, number>();
    s.aliases.forEach((a, i) => {
        const id = `${a.region}/${a.name}`;
        if (aliases.has(id)) ctx.addIssue({ code: "custom", path: ["aliases", i, "name"], message: `duplicates aliases[${aliases.get(id)}].name in ${a.region}` });
        else aliases.set(id, i);
        if (!keys.has(`${a.region}/${a.targetKeyId}`)) ctx.addIssue({ code: "custom", path: ["aliases", i, "targetKeyId"], message: `is not the keyId of a key in ${a.region}`, params: { got: a.targetKeyId } });
    });
    (s.grants ?? []).forEach((g, i) => {
        if (!keys.has(`${g.region}/${g.keyId}`)) ctx.addIssue({ code: "custom", path: ["grants", i, "keyId"], message: `is not the keyId of a key in ${g.region}`, params: { got: g.keyId } });
    });
});

// The schema and the state type stay in step: every field is in a ShapeOf shape, and what the schema accepts is a
// value of the type; a field added to one and not the other fails the type check.
const inStep: Fits<z.output<typeof stateSchema>, AwsEmulatorState> = true;
void inStep;

/** Every problem of an AWS KMS emulator state (paths relative to it: `keys[0].origin`); empty when it can be restored. */
export function awsStateProblems(value: unknown): StateProblem[] {
    return parseAws(value).problems;
}

function parseAws(value: unknown): { value?: AwsEmulatorState; problems: StateProblem[] } {
    const v = value as { version?: unknown } | null;
    if (v && typeof v === "object" && !Array.isArray(v) && isNewerVersion(v.version, AWS_STATE_VERSION)) {
        return { problems: [{ path: "", message: `was written by a newer AWS KMS emulator (state version ${v.version}; this keyfabric reads version ${AWS_STATE_VERSION}): upgrade keyfabric` }] };
    }
    if (!v || typeof v !== "object" || Array.isArray(v)) {
        return { problems: [{ path: "", message: `is not an AWS KMS emulator state (expected an object with version ${AWS_STATE_VERSION}, accountId, tokenSecret, keys, aliases and wrappingKeys, got: ${showValue(v)})` }] };
    }
    return parseWith(stateSchema as unknown as z.ZodType<AwsEmulatorState>, value);
}

/** A validated copy of `state` (a `snapshot()`), or an `EmulatorStateError` listing every problem. */
export function restoreAwsState(state: unknown, subject = "options.state is not a snapshot() of the AWS KMS emulator"): AwsEmulatorState {
    const { value, problems } = parseAws(JSON.parse(JSON.stringify(state)));
    if (!value) throw new EmulatorStateError(subject, problems);
    return value;
}
