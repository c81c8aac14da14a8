/**
 * The Azure Key Vault / Managed HSM emulator's persisted state (`snapshot()`, the `azure` part of a `--state` file),
 * validated in full before the emulator starts: every vault, key, version, deleted key, rotation policy and ARM
 * record; material that parses and is of its version's key type (and curve); names unique per vault (Key Vault
 * names are case-insensitive).
 */
import { z } from "zod";
import { BASE64, EmulatorStateError, parseWith, showValue, type Fits, type ShapeOf, type StateProblem } from "../persist";
import { AZURE_CURVES, importMaterial, type AzureCurve } from "./crypto";
import { SNAPSHOT_FORMAT, type ArmRecord, type ArmVaultProperties, type AzureSnapshot, type NetworkAcls, type RotationPolicy } from "./model";

type VaultSnapshot = AzureSnapshot["vaults"][number];
type KeySnapshot = VaultSnapshot["keys"][number];
type VersionSnapshot = KeySnapshot["versions"][number];
type DeletedKeySnapshot = VaultSnapshot["deletedKeys"][number];

const time = z.number().nonnegative();
const base64 = z.string().regex(BASE64, "must be base64");
const tags = z.record(z.string(), z.string());

const rotationPolicyShape = {
    lifetimeActions: z.array(
        z.strictObject({
            trigger: z.strictObject({ timeAfterCreate: z.string().optional(), timeBeforeExpiry: z.string().optional() }),
            action: z.strictObject({ type: z.enum(["Rotate", "Notify"]) }),
        }),
    ),
    expiryTime: z.string().optional(),
    created: time,
    updated: time,
} satisfies ShapeOf<RotationPolicy>;

const versionShape = {
    version: z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lowercase hex characters"),
    kty: z.enum(["RSA", "RSA-HSM", "EC", "EC-HSM", "oct-HSM"]),
    keyOps: z.array(z.string()),
    crv: z.enum(AZURE_CURVES as [AzureCurve, ...AzureCurve[]]).optional(),
    material: z.strictObject({ pkcs8: base64.optional(), raw: base64.optional() }),
    origin: z.enum(["generated", "imported", "byok", "rotated"]),
    enabled: z.boolean(),
    nbf: time.optional(),
    exp: time.optional(),
    exportable: z.boolean().optional(),
    created: time,
    updated: time,
    tags: tags.optional(),
    releasePolicy: z.strictObject({ contentType: z.string().optional(), immutable: z.boolean().optional(), data: z.string().optional() }).optional(),
} satisfies ShapeOf<VersionSnapshot>;

const keyShape = {
    name: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, "must be a key name (1-127 letters, digits and hyphens)"),
    versions: z.array(z.strictObject(versionShape)).min(1),
    rotationPolicy: z.strictObject(rotationPolicyShape).optional(),
} satisfies ShapeOf<KeySnapshot>;

const networkAclsShape = {
    defaultAction: z.enum(["Allow", "Deny"]),
    bypass: z.enum(["AzureServices", "None"]),
    ipRules: z.array(z.strictObject({ value: z.string() })),
    virtualNetworkRules: z.array(z.strictObject({ id: z.string().min(1), ignoreMissingVnetServiceEndpoint: z.boolean().optional() })),
} satisfies ShapeOf<NetworkAcls>;

const propertiesShape = {
    tenantId: z.string(),
    sku: z.strictObject({ family: z.string(), name: z.enum(["standard", "premium"]) }),
    accessPolicies: z.array(z.record(z.string(), z.unknown())),
    enabledForDeployment: z.boolean(),
    enabledForDiskEncryption: z.boolean(),
    enabledForTemplateDeployment: z.boolean(),
    enableSoftDelete: z.boolean(),
    softDeleteRetentionInDays: z.number().int().min(7).max(90),
    enableRbacAuthorization: z.boolean(),
    enablePurgeProtection: z.boolean().optional(),
    networkAcls: z.strictObject(networkAclsShape).optional(),
    publicNetworkAccess: z.enum(["Enabled", "Disabled"]),
} satisfies ShapeOf<ArmVaultProperties>;

const armShape = {
    subscriptionId: z.string(),
    resourceGroup: z.string(),
    location: z.string(),
    tags: tags.optional(),
    properties: z.strictObject(propertiesShape),
    createdAt: time,
    updatedAt: time,
} satisfies ShapeOf<ArmRecord>;

const deletedKeyShape = { key: z.strictObject(keyShape), deletedDate: time, scheduledPurgeDate: time } satisfies ShapeOf<DeletedKeySnapshot>;

const vaultShape = {
    kind: z.enum(["vault", "managedHsm"]),
    name: z.string().regex(/^[a-zA-Z0-9-]{3,24}$/, "must be a vault or HSM name (3-24 letters, digits and hyphens)"),
    arm: z.strictObject(armShape).optional(),
    keys: z.array(z.strictObject(keyShape)),
    deletedKeys: z.array(z.strictObject(deletedKeyShape)),
} satisfies ShapeOf<VaultSnapshot>;

const snapshotShape = {
    format: z.literal(SNAPSHOT_FORMAT),
    vaults: z.array(
        z.strictObject({
            ...vaultShape,
            // Parts an in-process caller may leave out (a snapshot always has them).
            keys: vaultShape.keys.default([]),
            deletedKeys: vaultShape.deletedKeys.default([]),
        }),
    ),
} satisfies ShapeOf<AzureSnapshot>;

const BASE_TYPE = { RSA: "rsa", "RSA-HSM": "rsa", EC: "ec", "EC-HSM": "ec", "oct-HSM": "oct" } as const;

/** The problem with a version's material, if any: it must parse, and be of the version's kty (and crv). */
function materialProblem(v: z.output<z.ZodObject<typeof versionShape>>): string | undefined {
    const { pkcs8, raw } = v.material;
    if ((pkcs8 === undefined) === (raw === undefined)) return "must have one of pkcs8 (RSA, EC) or raw (oct)";
    let m: ReturnType<typeof importMaterial>;
    try {
        m = importMaterial(v.material);
    } catch {
        return pkcs8 !== undefined ? "pkcs8 must be an RSA or EC (P-256, P-384, P-521, P-256K) private key as DER PKCS#8, base64" : "raw must be base64";
    }
    if (m.type !== BASE_TYPE[v.kty]) return `is ${m.type === "oct" ? "a symmetric" : `an ${m.type.toUpperCase()}`} key, the version's kty is ${v.kty}`;
    if (m.type === "ec" && v.crv !== m.curve) return `is on curve ${m.curve}, the version's crv is ${v.crv ?? "missing"}`;
    return undefined;
}

const snapshotSchema = z.strictObject(snapshotShape).superRefine((s, ctx) => {
    const vaults = new Map<string, number>();
    s.vaults.forEach((vault, i) => {
        const id = `${vault.kind}:${vault.name.toLowerCase()}`;
        if (vaults.has(id)) ctx.addIssue({ code: "custom", path: ["vaults", i, "name"], message: `duplicates vaults[${vaults.get(id)}].name (names are case-insensitive)`, params: { got: vault.name } });
        else vaults.set(id, i);
        const check = (list: KeySnapshot[], field: "keys" | "deletedKeys", keyOf: (j: number) => (string | number)[]) => {
            const names = new Map<string, number>();
            list.forEach((key, j) => {
                const lower = key.name.toLowerCase();
                if (names.has(lower)) ctx.addIssue({ code: "custom", path: ["vaults", i, ...keyOf(j), "name"], message: `duplicates ${field}[${names.get(lower)}] (names are case-insensitive)`, params: { got: key.name } });
                else names.set(lower, j);
                key.versions.forEach((v, k) => {
                    const problem = materialProblem(v);
                    if (problem) ctx.addIssue({ code: "custom", path: ["vaults", i, ...keyOf(j), "versions", k, "material"], message: problem });
                });
            });
        };
        check(vault.keys, "keys", (j) => ["keys", j]);
        check(
            vault.deletedKeys.map((d) => d.key),
            "deletedKeys",
            (j) => ["deletedKeys", j, "key"],
        );
    });
});

// The schema and the snapshot type stay in step: every field is in a ShapeOf shape, and what the schema accepts is a
// value of the type; a field added to one and not the other fails the type check.
const inStep: Fits<z.output<typeof snapshotSchema>, AzureSnapshot> = true;
void inStep;

function parseAzure(value: unknown): { value?: AzureSnapshot; problems: StateProblem[] } {
    const v = value as { format?: unknown } | null;
    if (!v || typeof v !== "object" || Array.isArray(v)) {
        return { problems: [{ path: "", message: `is not an Azure Key Vault emulator state (expected an object with format ${SNAPSHOT_FORMAT}, got: ${showValue(v)})` }] };
    }
    const newer = typeof v.format === "string" ? /^keyfabric\/azure-keyvault-emulator\/v(\d+)$/.exec(v.format) : null;
    const supported = Number(/\/v(\d+)$/.exec(SNAPSHOT_FORMAT)![1]);
    if (newer && Number(newer[1]) > supported) {
        return { problems: [{ path: "", message: `was written by a newer Azure Key Vault emulator (format ${v.format}; this keyfabric reads ${SNAPSHOT_FORMAT}): upgrade keyfabric` }] };
    }
    return parseWith(snapshotSchema as unknown as z.ZodType<AzureSnapshot>, value);
}

/** Every problem of an Azure Key Vault emulator state (paths relative to it: `vaults[0].keys[1].versions[0].kty`). */
export function azureStateProblems(value: unknown): StateProblem[] {
    return parseAzure(value).problems;
}

/** A validated copy of `state` (a `snapshot()`), or an `EmulatorStateError` listing every problem. */
export function parseAzureSnapshot(state: unknown, subject = "invalid Azure emulator state in options.state"): AzureSnapshot {
    const { value, problems } = parseAzure(JSON.parse(JSON.stringify(state)));
    if (!value) throw new EmulatorStateError(subject, problems);
    return value;
}
