/**
 * The AWS KMS emulator's state model: keys, their materials, aliases and grants as state machines over the plain
 * JSON of `./state`, with no HTTP and no wire format (the operations in `./ops/` read requests and shape answers).
 * Time comes from the emulator's clock; what the clock says has happened (scheduled deletion, material expiry,
 * automatic rotation, the end of an on-demand rotation or of a replica's creation) is applied lazily by `sweep()`
 * before each request.
 */
import * as crypto from "crypto";
import { DAY_MS, type AsyncStates, type Clock } from "../common";
import { fingerprint } from "../../crypto/material";
import { kmsError } from "./errors";
import { KEY_SPECS, type KeyUsage } from "./specs";
import type { AliasRecord, AwsEmulatorState, GrantRecord, KeyRecord, KeyState, MaterialRecord } from "./state";

/** Per-request context. */
export interface RequestContext {
    /** From the SigV4 credential scope. */
    readonly region: string;
}

/**
 * How long RotateKeyOnDemand takes with `asyncStates: "service"`. AWS answers at once and rotates later:
 * GetKeyRotationStatus shows `OnDemandRotationStartDate` meanwhile, and DescribeKey keeps the former
 * `CurrentKeyMaterialId`. LocalStack's recorded run of test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_disabled
 * saw the start date gone within its ten one-second polls (6.4 s for the whole test).
 */
export const ON_DEMAND_ROTATION_MS = 5_000;
/** How long a replica made by ReplicateKey stays `Creating` with `asyncStates: "service"` (AWS: "a few seconds"). */
export const REPLICA_CREATION_MS = 5_000;

export const secs = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);
export const b64 = (b: Buffer): string => b.toString("base64");

/** `aws`, `aws-cn` (cn-north-1, cn-northwest-1) or `aws-us-gov` (us-gov-west-1, us-gov-east-1), as AWS names ARNs by Region. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

export function randomMaterialId(): string {
    return crypto.randomBytes(32).toString("hex");
}

/** A fresh AES-256 material (automatic and on-demand rotation of AWS_KMS symmetric keys). */
export function freshSymmetricMaterial(): MaterialRecord {
    const material = crypto.randomBytes(32);
    return { id: randomMaterialId(), secret: b64(material), fingerprint: fingerprint(material), state: "CURRENT" };
}

export class KmsModel {
    constructor(
        readonly state: AwsEmulatorState,
        private readonly clock: Clock,
        readonly asyncStates: AsyncStates = "service",
        readonly reuseWrappingKeys = false,
    ) {}

    now(): number {
        return this.clock.now();
    }

    get grants(): GrantRecord[] {
        return (this.state.grants ??= []);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Names and lookups

    arn(key: KeyRecord): string {
        return this.keyArn(key.region, key.keyId);
    }

    keyArn(region: string, keyId: string): string {
        return `arn:${partitionOf(region)}:kms:${region}:${this.state.accountId}:key/${keyId}`;
    }

    aliasArn(region: string, name: string): string {
        return `arn:${partitionOf(region)}:kms:${region}:${this.state.accountId}:${name}`;
    }

    /**
     * The key a `KeyId` names: key id, key ARN, and, where the operation takes them (`aliases`), alias name or alias
     * ARN. Keys live in one Region: a key of another Region (or account) is not found, as in AWS (whose messages
     * the recordings show: `Invalid keyId 'x'` for what is not a key id, `Invalid arn <region>` for an ARN of
     * another Region, `Key '<arn>' does not exist`).
     */
    key(ctx: RequestContext, id: string, aliases: boolean): KeyRecord {
        let rest = id;
        if (id.startsWith("arn:")) {
            const m = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):((?:key|alias)\/.+)$/.exec(id);
            if (!m || (m[4].startsWith("alias/") && !aliases)) throw kmsError("InvalidArnException", `ARN ${id} is not a valid KMS key${aliases ? " or alias" : ""} ARN`);
            if (m[2] !== ctx.region) throw kmsError("NotFoundException", `Invalid arn ${m[2]}`);
            if (m[3] !== this.state.accountId || m[1] !== partitionOf(ctx.region)) {
                throw kmsError("NotFoundException", m[4].startsWith("alias/") ? `Alias ${id} is not found.` : `Key '${id}' does not exist`);
            }
            rest = m[4].startsWith("key/") ? m[4].slice(4) : m[4];
        }
        if (rest.startsWith("alias/")) {
            const alias = aliases ? this.state.aliases.find((a) => a.region === ctx.region && a.name === rest) : undefined;
            if (!alias) throw kmsError("NotFoundException", `Alias ${this.aliasArn(ctx.region, rest)} is not found.`);
            rest = alias.targetKeyId;
        }
        if (!KEY_ID.test(rest)) throw kmsError("NotFoundException", `Invalid keyId '${rest}'`);
        const key = this.state.keys.find((k) => k.keyId === rest && k.region === ctx.region);
        if (!key) throw kmsError("NotFoundException", `Key '${this.keyArn(ctx.region, rest)}' does not exist`);
        return key;
    }

    /** The keys of a multi-Region key in every Region (the primary first), or just `key`. */
    related(key: KeyRecord): KeyRecord[] {
        if (!key.multiRegion) return [key];
        const all = this.state.keys.filter((k) => k.keyId === key.keyId);
        return [...all.filter((k) => k.primaryRegion === undefined), ...all.filter((k) => k.primaryRegion !== undefined)];
    }

    keyState(key: KeyRecord): KeyState {
        if (key.deletionDate !== undefined) return "PendingDeletion";
        if (key.creatingUntil !== undefined) return "Creating";
        if (key.origin === "EXTERNAL") {
            const live = key.materials.filter((m) => m.state !== "PENDING_ROTATION");
            if (live.length === 0 || live.some((m) => m.secret === undefined)) return "PendingImport";
        }
        return key.enabled ? "Enabled" : "Disabled";
    }

    // -----------------------------------------------------------------------------------------------------------
    // State rules

    /** Cryptographic operations: Enabled only. */
    requireEnabled(key: KeyRecord): void {
        const state = this.keyState(key);
        if (state === "Disabled") throw kmsError("DisabledException", `${this.arn(key)} is disabled.`);
        if (state !== "Enabled") throw kmsError("KMSInvalidStateException", `${this.arn(key)} is ${stateWords(state)}.`);
    }

    requireNotPendingDeletion(key: KeyRecord): void {
        if (key.deletionDate !== undefined) throw kmsError("KMSInvalidStateException", `${this.arn(key)} is pending deletion.`);
        if (key.creatingUntil !== undefined) throw kmsError("KMSInvalidStateException", `${this.arn(key)} is creating.`);
    }

    requireUsage(key: KeyRecord, usage: KeyUsage, operation: string): void {
        if (key.keyUsage !== usage) {
            throw kmsError("InvalidKeyUsageException", `${this.arn(key)} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
        }
    }

    current(key: KeyRecord): MaterialRecord | undefined {
        return key.materials.find((m) => m.state === "CURRENT");
    }

    secretOf(key: KeyRecord, material: MaterialRecord | undefined): Buffer {
        if (!material?.secret) throw kmsError("KMSInvalidStateException", `${this.arn(key)} is pending import.`);
        return Buffer.from(material.secret, "base64");
    }

    privateKey(key: KeyRecord): crypto.KeyObject {
        return crypto.createPrivateKey({ key: this.secretOf(key, this.current(key)), format: "der", type: "pkcs8" });
    }

    // -----------------------------------------------------------------------------------------------------------
    // Clock-driven changes

    /** Applies what the clock says has happened: deletions, material expiry, rotations, replicas created, stale wrapping keys. */
    sweep(): void {
        const now = this.now();
        const deleted = this.state.keys.filter((k) => k.deletionDate !== undefined && k.deletionDate <= now);
        if (deleted.length > 0) {
            const gone = (region: string, keyId: string) => deleted.some((k) => k.region === region && k.keyId === keyId);
            this.state.keys = this.state.keys.filter((k) => !deleted.includes(k));
            this.state.aliases = this.state.aliases.filter((a) => !gone(a.region, a.targetKeyId));
            this.state.grants = this.grants.filter((g) => !gone(g.region, g.keyId));
        }
        for (const key of this.state.keys) {
            if (key.creatingUntil !== undefined && key.creatingUntil <= now) {
                delete key.creatingUntil;
                key.enabled = true;
            }
            for (const m of key.materials) {
                if (m.secret !== undefined && m.validTo !== undefined && m.validTo <= now) this.forgetMaterial(m);
            }
            if (key.onDemandRotation && key.onDemandRotation.completesAt <= now) this.finishOnDemandRotation(key);
            const r = key.rotation;
            while (r.enabled && r.nextRotationDate !== undefined && r.nextRotationDate <= now && this.keyState(key) === "Enabled") {
                this.rotate(key, freshSymmetricMaterial(), r.nextRotationDate, "AUTOMATIC");
                r.nextRotationDate += r.periodInDays * DAY_MS;
            }
        }
        this.state.wrappingKeys = this.state.wrappingKeys.filter((w) => w.expiresAt >= now);
    }

    forgetMaterial(m: MaterialRecord): void {
        delete m.secret;
        delete m.expirationModel;
        delete m.validTo;
        m.importState = "PENDING_IMPORT";
    }

    /**
     * Makes `next` the CURRENT material (pushing it if new); the former CURRENT becomes NON_CURRENT. A multi-Region
     * key rotates in every Region (the replicas share the primary's material).
     */
    rotate(key: KeyRecord, next: MaterialRecord, at: number, type: "AUTOMATIC" | "ON_DEMAND"): void {
        for (const k of this.related(key)) {
            const own = k === key ? next : k.materials.find((m) => m.id === next.id) ?? { ...next };
            for (const m of k.materials) if (m.state === "CURRENT") m.state = "NON_CURRENT";
            own.state = "CURRENT";
            own.rotationDate = at;
            own.rotationType = type;
            if (!k.materials.includes(own)) k.materials.push(own);
        }
    }

    /** RotateKeyOnDemand, accepted: done now (`instant`) or when the clock reaches `completesAt` (`service`). */
    startOnDemandRotation(key: KeyRecord): void {
        const now = this.now();
        key.onDemandRotations++;
        key.onDemandRotation = { startedAt: now, completesAt: now + (this.asyncStates === "instant" ? 0 : ON_DEMAND_ROTATION_MS) };
        if (this.asyncStates === "instant") this.finishOnDemandRotation(key);
    }

    private finishOnDemandRotation(key: KeyRecord): void {
        const at = (key.onDemandRotation as { completesAt: number }).completesAt;
        delete key.onDemandRotation;
        if (key.origin === "EXTERNAL") {
            const pending = key.materials.find((m) => m.state === "PENDING_ROTATION" && m.secret !== undefined);
            // The pending material was deleted meanwhile: nothing to rotate to.
            if (pending) this.rotate(key, pending, at, "ON_DEMAND");
        } else {
            this.rotate(key, freshSymmetricMaterial(), at, "ON_DEMAND");
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Aliases

    findAlias(ctx: RequestContext, name: string): AliasRecord {
        const alias = this.state.aliases.find((a) => a.region === ctx.region && a.name === name);
        if (!alias) throw kmsError("NotFoundException", `Alias ${this.aliasArn(ctx.region, name)} is not found.`);
        return alias;
    }

    isSymmetric(key: KeyRecord): boolean {
        return KEY_SPECS[key.keySpec].family === "symmetric";
    }
}

function stateWords(state: KeyState): string {
    switch (state) {
        case "PendingDeletion":
            return "pending deletion";
        case "PendingImport":
            return "pending import";
        case "Creating":
            return "creating";
        default:
            return state.toLowerCase();
    }
}
