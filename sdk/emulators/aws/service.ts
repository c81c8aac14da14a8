/**
 * The AWS KMS operations: one handler per `TrentService.<Operation>`, over the plain-JSON state in `./state`.
 * Handlers read the request with `Input`, throw `KmsError`s, and return the response object (blobs as base64,
 * timestamps as epoch seconds). Time comes from the emulator's clock, and clock-driven changes (material expiry,
 * scheduled deletion, automatic rotation) are applied lazily by `sweep()` before each request.
 */
import * as crypto from "crypto";
import { promisify } from "util";
import { DAY_MS, HOUR_MS, type Clock } from "../common";
import { rsaAesKeyUnwrap, rsaOaepDecrypt, UnwrapError, type OaepHash } from "../../crypto/keywrap";
import { checkMaterial, fingerprint, MaterialError } from "../../crypto/material";
import { kmsError } from "./errors";
import { issueImportToken, parseSymmetric, readImportToken, sealSymmetric, type WrappingAlgorithm } from "./envelope";
import { Input, type Tag } from "./input";
import { sign, verify, type MessageType } from "./signing";
import {
    algorithmsFor,
    generateMaterial,
    KEY_SPEC_NAMES,
    KEY_SPECS,
    KEY_USAGES,
    MAC_HASH,
    SIGNING,
    type EncryptionAlgorithm,
    type KeySpec,
    type KeyUsage,
    type MacAlgorithm,
    type SigningAlgorithm,
} from "./specs";
import type { AliasRecord, AwsEmulatorState, ExpirationModel, KeyRecord, KeyState, MaterialRecord, Origin } from "./state";

const generateKeyPair = promisify(crypto.generateKeyPair);

/** Per-request context. */
export interface RequestContext {
    /** From the SigV4 credential scope. */
    readonly region: string;
}

type Json = Record<string, unknown>;
export type Handler = (ctx: RequestContext, input: Input) => Json | Promise<Json>;

/** AWS key specs this emulator does not implement (answered with UnsupportedOperationException, not ValidationException). */
const OTHER_AWS_KEY_SPECS = ["ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024", "SM2"];
const WRAPPING_ALGORITHMS: readonly WrappingAlgorithm[] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"];
const WRAPPING_KEY_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const ENCRYPTION_ALGORITHMS: readonly EncryptionAlgorithm[] = ["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
const SIGNING_ALGORITHMS = Object.keys(SIGNING) as SigningAlgorithm[];
const MAC_ALGORITHMS = Object.keys(MAC_HASH) as MacAlgorithm[];
const EXPIRATION_MODELS: readonly ExpirationModel[] = ["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"];

export const IMPORT_PARAMETERS_VALIDITY_MS = 24 * HOUR_MS;
export const MAX_ON_DEMAND_ROTATIONS = 25;
const MAX_VALID_TO_MS = 365 * DAY_MS;
const MAX_TAGS = 50;
const MAX_POLICY_BYTES = 32 * 1024;

const secs = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);
const b64 = (b: Buffer): string => b.toString("base64");

export class KmsService {
    constructor(
        readonly state: AwsEmulatorState,
        private readonly clock: Clock,
        private readonly reuseWrappingKeys = false,
    ) {}

    /** Operation name → handler. */
    readonly operations: Readonly<Record<string, Handler>> = {
        CreateKey: (c, i) => this.createKey(c, i),
        DescribeKey: (c, i) => ({ KeyMetadata: this.metadata(this.key(c, i.reqStr("KeyId"), true)) }),
        ListKeys: (c, i) => this.listKeys(c, i),
        UpdateKeyDescription: (c, i) => this.updateKeyDescription(c, i),
        CreateAlias: (c, i) => this.createAlias(c, i),
        UpdateAlias: (c, i) => this.updateAlias(c, i),
        DeleteAlias: (c, i) => this.deleteAlias(c, i),
        ListAliases: (c, i) => this.listAliases(c, i),
        GetKeyPolicy: (c, i) => this.getKeyPolicy(c, i),
        PutKeyPolicy: (c, i) => this.putKeyPolicy(c, i),
        EnableKeyRotation: (c, i) => this.setKeyRotation(c, i, true),
        DisableKeyRotation: (c, i) => this.setKeyRotation(c, i, false),
        GetKeyRotationStatus: (c, i) => this.getKeyRotationStatus(c, i),
        RotateKeyOnDemand: (c, i) => this.rotateKeyOnDemand(c, i),
        ListKeyRotations: (c, i) => this.listKeyRotations(c, i),
        EnableKey: (c, i) => this.setEnabled(c, i, true),
        DisableKey: (c, i) => this.setEnabled(c, i, false),
        ScheduleKeyDeletion: (c, i) => this.scheduleKeyDeletion(c, i),
        CancelKeyDeletion: (c, i) => this.cancelKeyDeletion(c, i),
        GetParametersForImport: (c, i) => this.getParametersForImport(c, i),
        ImportKeyMaterial: (c, i) => this.importKeyMaterial(c, i),
        DeleteImportedKeyMaterial: (c, i) => this.deleteImportedKeyMaterial(c, i),
        Encrypt: (c, i) => this.encrypt(c, i),
        Decrypt: (c, i) => this.decrypt(c, i),
        GenerateDataKey: (c, i) => this.generateDataKey(c, i, true),
        GenerateDataKeyWithoutPlaintext: (c, i) => this.generateDataKey(c, i, false),
        GenerateRandom: (_c, i) => ({ Plaintext: b64(crypto.randomBytes(i.int("NumberOfBytes", 1, 1024) ?? 32)) }),
        GetPublicKey: (c, i) => this.getPublicKey(c, i),
        Sign: (c, i) => this.sign(c, i),
        Verify: (c, i) => this.verify(c, i),
        GenerateMac: (c, i) => this.generateMac(c, i),
        VerifyMac: (c, i) => this.verifyMac(c, i),
        TagResource: (c, i) => this.tagResource(c, i),
        UntagResource: (c, i) => this.untagResource(c, i),
        ListResourceTags: (c, i) => this.listResourceTags(c, i),
    };

    private now(): number {
        return this.clock.now();
    }

    // -----------------------------------------------------------------------------------------------------------
    // Names, lookups and state rules

    arn(key: KeyRecord): string {
        return this.keyArn(key.region, key.keyId);
    }

    private keyArn(region: string, keyId: string): string {
        return `arn:aws:kms:${region}:${this.state.accountId}:key/${keyId}`;
    }

    private aliasArn(region: string, name: string): string {
        return `arn:aws:kms:${region}:${this.state.accountId}:${name}`;
    }

    /**
     * The key a `KeyId` names: key id, key ARN, and, where the operation takes them (`aliases`), alias name or alias ARN.
     * Keys live in one region: a key of another region (or account) is not found, as in AWS.
     */
    key(ctx: RequestContext, id: string, aliases: boolean): KeyRecord {
        let region = ctx.region;
        let rest = id;
        if (id.startsWith("arn:")) {
            const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):((?:key|alias)\/.+)$/.exec(id);
            if (!m) throw kmsError("InvalidArnException", `ARN ${id} is not a valid KMS key or alias ARN`);
            if (m[2] !== this.state.accountId || m[1] !== ctx.region) {
                throw kmsError("NotFoundException", m[3].startsWith("alias/") ? `Alias ${id} is not found.` : `Key '${id}' does not exist`);
            }
            region = m[1];
            rest = m[3].startsWith("key/") ? m[3].slice(4) : m[3];
        }
        if (rest.startsWith("alias/")) {
            const alias = aliases ? this.state.aliases.find((a) => a.region === region && a.name === rest) : undefined;
            if (!alias) throw kmsError("NotFoundException", `Alias ${this.aliasArn(region, rest)} is not found.`);
            rest = alias.targetKeyId;
        }
        const key = this.state.keys.find((k) => k.keyId === rest && k.region === region);
        if (!key) throw kmsError("NotFoundException", `Key '${this.keyArn(region, rest)}' does not exist`);
        return key;
    }

    keyState(key: KeyRecord): KeyState {
        if (key.deletionDate !== undefined) return "PendingDeletion";
        if (key.origin === "EXTERNAL") {
            const live = key.materials.filter((m) => m.state !== "PENDING_ROTATION");
            if (live.length === 0 || live.some((m) => m.secret === undefined)) return "PendingImport";
        }
        return key.enabled ? "Enabled" : "Disabled";
    }

    /** Cryptographic operations: Enabled only. */
    private requireEnabled(key: KeyRecord): void {
        const state = this.keyState(key);
        if (state === "Disabled") throw kmsError("DisabledException", `${this.arn(key)} is disabled.`);
        if (state === "PendingDeletion") throw kmsError("KMSInvalidStateException", `${this.arn(key)} is pending deletion.`);
        if (state === "PendingImport") throw kmsError("KMSInvalidStateException", `${this.arn(key)} is pending import.`);
    }

    private requireNotPendingDeletion(key: KeyRecord): void {
        if (key.deletionDate !== undefined) throw kmsError("KMSInvalidStateException", `${this.arn(key)} is pending deletion.`);
    }

    private requireUsage(key: KeyRecord, usage: KeyUsage, operation: string): void {
        if (key.keyUsage !== usage) {
            throw kmsError("InvalidKeyUsageException", `${this.arn(key)} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
        }
    }

    private current(key: KeyRecord): MaterialRecord | undefined {
        return key.materials.find((m) => m.state === "CURRENT");
    }

    private secretOf(key: KeyRecord, material: MaterialRecord | undefined): Buffer {
        if (!material?.secret) throw kmsError("KMSInvalidStateException", `${this.arn(key)} is pending import.`);
        return Buffer.from(material.secret, "base64");
    }

    private privateKey(key: KeyRecord): crypto.KeyObject {
        return crypto.createPrivateKey({ key: this.secretOf(key, this.current(key)), format: "der", type: "pkcs8" });
    }

    private dryRun(input: Input): void {
        if (input.bool("DryRun")) throw kmsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
    }

    // -----------------------------------------------------------------------------------------------------------
    // Clock-driven changes

    /** Applies what the clock says has happened: deletions, material expiry, automatic rotations, stale wrapping keys. */
    sweep(): void {
        const now = this.now();
        const deleted = new Set(this.state.keys.filter((k) => k.deletionDate !== undefined && k.deletionDate <= now).map((k) => k.keyId));
        if (deleted.size > 0) {
            this.state.keys = this.state.keys.filter((k) => !deleted.has(k.keyId));
            this.state.aliases = this.state.aliases.filter((a) => !deleted.has(a.targetKeyId));
        }
        for (const key of this.state.keys) {
            for (const m of key.materials) {
                if (m.secret !== undefined && m.validTo !== undefined && m.validTo <= now) this.forgetMaterial(m);
            }
            const r = key.rotation;
            while (r.enabled && r.nextRotationDate !== undefined && r.nextRotationDate <= now && this.keyState(key) === "Enabled") {
                const material = crypto.randomBytes(32);
                this.rotate(key, { id: randomMaterialId(), secret: b64(material), fingerprint: fingerprint(material), state: "CURRENT" }, r.nextRotationDate, "AUTOMATIC");
                r.nextRotationDate += r.periodInDays * DAY_MS;
            }
        }
        this.state.wrappingKeys = this.state.wrappingKeys.filter((w) => w.expiresAt >= now);
    }

    private forgetMaterial(m: MaterialRecord): void {
        delete m.secret;
        delete m.expirationModel;
        delete m.validTo;
        m.importState = "PENDING_IMPORT";
    }

    /** Makes `next` the CURRENT material (pushing it if new); the former CURRENT becomes NON_CURRENT. */
    private rotate(key: KeyRecord, next: MaterialRecord, at: number, type: "AUTOMATIC" | "ON_DEMAND"): void {
        for (const m of key.materials) if (m.state === "CURRENT") m.state = "NON_CURRENT";
        next.state = "CURRENT";
        next.rotationDate = at;
        next.rotationType = type;
        if (!key.materials.includes(next)) key.materials.push(next);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Keys

    metadata(key: KeyRecord): Json {
        const state = this.keyState(key);
        const current = this.current(key);
        const imported = key.origin === "EXTERNAL" && current?.importState === "IMPORTED" ? current : undefined;
        return {
            AWSAccountId: this.state.accountId,
            KeyId: key.keyId,
            Arn: this.arn(key),
            CreationDate: secs(key.creationDate),
            Enabled: state === "Enabled",
            Description: key.description,
            KeyUsage: key.keyUsage,
            KeyState: state,
            DeletionDate: secs(key.deletionDate),
            ValidTo: secs(imported?.validTo),
            Origin: key.origin,
            ExpirationModel: imported?.expirationModel,
            KeyManager: "CUSTOMER",
            CustomerMasterKeySpec: key.keySpec,
            KeySpec: key.keySpec,
            ...algorithmsFor(key.keySpec, key.keyUsage),
            MultiRegion: key.multiRegion,
            MultiRegionConfiguration: key.multiRegion
                ? { MultiRegionKeyType: "PRIMARY", PrimaryKey: { Arn: this.arn(key), Region: key.region }, ReplicaKeys: [] }
                : undefined,
            CurrentKeyMaterialId: KEY_SPECS[key.keySpec].family === "symmetric" ? current?.id : undefined,
        };
    }

    private async createKey(ctx: RequestContext, input: Input): Promise<Json> {
        if (input.has("KeySpec") && input.has("CustomerMasterKeySpec")) {
            throw kmsError("ValidationException", "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
        }
        const specName = input.has("KeySpec") ? "KeySpec" : "CustomerMasterKeySpec";
        const rawSpec = input.str(specName);
        if (rawSpec !== undefined && OTHER_AWS_KEY_SPECS.includes(rawSpec)) {
            throw kmsError("UnsupportedOperationException", `KeySpec ${rawSpec} is not supported by the keyfabric AWS KMS emulator.`);
        }
        const keySpec: KeySpec = input.enumOf(specName, KEY_SPEC_NAMES) ?? "SYMMETRIC_DEFAULT";
        const rawUsage = input.str("KeyUsage");
        if (rawUsage === "KEY_AGREEMENT" || rawUsage === "ENCAPSULATE_DECAPSULATE") {
            throw kmsError("UnsupportedOperationException", `KeyUsage ${rawUsage} is not supported by the keyfabric AWS KMS emulator.`);
        }
        const keyUsage: KeyUsage = input.enumOf("KeyUsage", KEY_USAGES) ?? "ENCRYPT_DECRYPT";
        if (!KEY_SPECS[keySpec].usages.includes(keyUsage)) {
            throw kmsError("ValidationException", `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}.`);
        }
        const rawOrigin = input.str("Origin");
        if (rawOrigin === "AWS_CLOUDHSM" || rawOrigin === "EXTERNAL_KEY_STORE" || input.has("CustomKeyStoreId") || input.has("XksKeyId")) {
            throw kmsError("UnsupportedOperationException", "Custom key stores are not supported by the keyfabric AWS KMS emulator.");
        }
        const origin: Origin = input.enumOf("Origin", ["AWS_KMS", "EXTERNAL"] as const) ?? "AWS_KMS";
        const description = input.str("Description", { max: 8192 }) ?? "";
        const tags = this.checkTags(input.tags("Tags") ?? []);
        const multiRegion = input.bool("MultiRegion") ?? false;
        const keyId = multiRegion ? `mrk-${crypto.randomBytes(16).toString("hex")}` : crypto.randomUUID();
        const policy = input.has("Policy") ? checkPolicy(input.reqStr("Policy")) : this.defaultPolicy();

        const materials: MaterialRecord[] = [];
        if (origin === "AWS_KMS") {
            const material = await generateMaterial(keySpec);
            materials.push({ id: randomMaterialId(), secret: b64(material), fingerprint: materialFingerprint(keySpec, material), state: "CURRENT" });
        }
        const key: KeyRecord = {
            keyId,
            region: ctx.region,
            creationDate: this.now(),
            description,
            keySpec,
            keyUsage,
            origin,
            multiRegion,
            policy,
            tags: dedupeTags(tags),
            enabled: origin === "AWS_KMS",
            rotation: { enabled: false, periodInDays: 365 },
            onDemandRotations: 0,
            materials,
        };
        this.state.keys.push(key);
        return { KeyMetadata: this.metadata(key) };
    }

    private defaultPolicy(): string {
        return JSON.stringify(
            {
                Version: "2012-10-17",
                Id: "key-default-1",
                Statement: [
                    {
                        Sid: "Enable IAM User Permissions",
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${this.state.accountId}:root` },
                        Action: "kms:*",
                        Resource: "*",
                    },
                ],
            },
            null,
            2,
        );
    }

    private listKeys(ctx: RequestContext, input: Input): Json {
        const keys = this.state.keys.filter((k) => k.region === ctx.region).map((k) => ({ KeyId: k.keyId, KeyArn: this.arn(k) }));
        const page = paginate(keys, input, 1000, 100);
        return { Keys: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
    }

    private updateKeyDescription(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const description = input.str("Description", { max: 8192 });
        if (description === undefined) throw kmsError("ValidationException", "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null");
        this.requireNotPendingDeletion(key);
        key.description = description;
        return {};
    }

    private setEnabled(ctx: RequestContext, input: Input, enabled: boolean): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const state = this.keyState(key);
        if (state === "PendingDeletion" || state === "PendingImport") {
            throw kmsError("KMSInvalidStateException", `${this.arn(key)} is pending ${state === "PendingDeletion" ? "deletion" : "import"}.`);
        }
        key.enabled = enabled;
        return {};
    }

    private scheduleKeyDeletion(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const days = input.int("PendingWindowInDays", 7, 30) ?? 30;
        this.requireNotPendingDeletion(key);
        key.deletionDate = this.now() + days * DAY_MS;
        key.pendingWindowInDays = days;
        key.enabled = false;
        return { KeyId: this.arn(key), DeletionDate: secs(key.deletionDate), KeyState: "PendingDeletion", PendingWindowInDays: days };
    }

    private cancelKeyDeletion(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        if (key.deletionDate === undefined) throw kmsError("KMSInvalidStateException", `${this.arn(key)} is not pending deletion.`);
        delete key.deletionDate;
        delete key.pendingWindowInDays;
        key.enabled = false;
        return { KeyId: this.arn(key) };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Aliases

    private aliasName(input: Input, member = "AliasName"): string {
        const name = input.reqStr(member, { max: 256 });
        if (!name.startsWith("alias/")) throw kmsError("InvalidAliasNameException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`);
        if (name.startsWith("alias/aws/")) throw kmsError("InvalidAliasNameException", "Alias names that begin with alias/aws/ are reserved for AWS managed keys.");
        if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) throw kmsError("InvalidAliasNameException", `Alias ${name} contains characters that are not allowed: use a-z, A-Z, 0-9, /, _ and -.`);
        return name;
    }

    private createAlias(ctx: RequestContext, input: Input): Json {
        const name = this.aliasName(input);
        const key = this.key(ctx, input.reqStr("TargetKeyId"), false);
        this.requireNotPendingDeletion(key);
        if (this.state.aliases.some((a) => a.region === ctx.region && a.name === name)) {
            throw kmsError("AlreadyExistsException", `An alias with the name ${this.aliasArn(ctx.region, name)} already exists`);
        }
        const now = this.now();
        this.state.aliases.push({ name, region: ctx.region, targetKeyId: key.keyId, creationDate: now, lastUpdatedDate: now });
        return {};
    }

    private findAlias(ctx: RequestContext, name: string): AliasRecord {
        const alias = this.state.aliases.find((a) => a.region === ctx.region && a.name === name);
        if (!alias) throw kmsError("NotFoundException", `Alias ${this.aliasArn(ctx.region, name)} is not found.`);
        return alias;
    }

    private updateAlias(ctx: RequestContext, input: Input): Json {
        const name = this.aliasName(input);
        const alias = this.findAlias(ctx, name);
        const key = this.key(ctx, input.reqStr("TargetKeyId"), false);
        this.requireNotPendingDeletion(key);
        const old = this.state.keys.find((k) => k.keyId === alias.targetKeyId);
        if (old && (KEY_SPECS[old.keySpec].family === "symmetric") !== (KEY_SPECS[key.keySpec].family === "symmetric")) {
            throw kmsError("ValidationException", `${this.arn(key)} is not the same type of key as the current target of ${name}.`);
        }
        if (old && old.keyUsage !== key.keyUsage) {
            throw kmsError("ValidationException", `${this.arn(key)} has key usage ${key.keyUsage}, but the current target of ${name} has ${old.keyUsage}.`);
        }
        alias.targetKeyId = key.keyId;
        alias.lastUpdatedDate = this.now();
        return {};
    }

    private deleteAlias(ctx: RequestContext, input: Input): Json {
        const name = input.reqStr("AliasName", { max: 256 });
        const alias = this.findAlias(ctx, name);
        this.state.aliases = this.state.aliases.filter((a) => a !== alias);
        return {};
    }

    private listAliases(ctx: RequestContext, input: Input): Json {
        const keyId = input.str("KeyId");
        const key = keyId === undefined ? undefined : this.key(ctx, keyId, false);
        const aliases = this.state.aliases
            .filter((a) => a.region === ctx.region && (!key || a.targetKeyId === key.keyId))
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
            .map((a) => ({
                AliasName: a.name,
                AliasArn: this.aliasArn(a.region, a.name),
                TargetKeyId: a.targetKeyId,
                CreationDate: secs(a.creationDate),
                LastUpdatedDate: secs(a.lastUpdatedDate),
            }));
        const page = paginate(aliases, input, 100, 50);
        return { Aliases: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Policies and tags

    private policyName(input: Input): string {
        const name = input.str("PolicyName") ?? "default";
        if (name !== "default") throw kmsError("NotFoundException", `Policy ${name} does not exist: the only key policy name is "default".`);
        return name;
    }

    private getKeyPolicy(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        return { Policy: key.policy, PolicyName: this.policyName(input) };
    }

    private putKeyPolicy(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        this.policyName(input);
        key.policy = checkPolicy(input.reqStr("Policy"));
        return {};
    }

    private checkTags(tags: Tag[]): Tag[] {
        for (const t of tags) {
            if (t.TagKey.length < 1 || t.TagKey.length > 128) throw kmsError("TagException", `Tag key must be 1 to 128 characters long (got ${t.TagKey.length}).`);
            if (t.TagValue.length > 256) throw kmsError("TagException", `Tag value must be at most 256 characters long (got ${t.TagValue.length}).`);
            if (t.TagKey.toLowerCase().startsWith("aws:")) throw kmsError("TagException", "Tags beginning with aws: are reserved.");
        }
        return tags;
    }

    private tagResource(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const tags = input.tags("Tags");
        if (!tags) throw kmsError("ValidationException", "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
        this.checkTags(tags);
        this.requireNotPendingDeletion(key);
        const merged = dedupeTags([...key.tags, ...tags]);
        if (merged.length > MAX_TAGS) throw kmsError("LimitExceededException", `A KMS key can have at most ${MAX_TAGS} tags.`);
        key.tags = merged;
        return {};
    }

    private untagResource(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const keys = input.stringList("TagKeys");
        if (!keys) throw kmsError("ValidationException", "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
        this.requireNotPendingDeletion(key);
        key.tags = key.tags.filter((t) => !keys.includes(t.TagKey));
        return {};
    }

    private listResourceTags(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const page = paginate(key.tags, input, 50, 50);
        return { Tags: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Rotation

    private requireSymmetric(key: KeyRecord, operation: string): void {
        if (KEY_SPECS[key.keySpec].family !== "symmetric") {
            throw kmsError("UnsupportedOperationException", `${this.arn(key)} key spec ${key.keySpec} does not support ${operation}: only symmetric encryption keys do.`);
        }
    }

    private setKeyRotation(ctx: RequestContext, input: Input, enabled: boolean): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const period = enabled ? input.int("RotationPeriodInDays", 90, 2560) : undefined;
        const operation = enabled ? "EnableKeyRotation" : "DisableKeyRotation";
        this.requireSymmetric(key, operation);
        if (key.origin !== "AWS_KMS") {
            throw kmsError("UnsupportedOperationException", `${this.arn(key)} origin is ${key.origin}: automatic rotation is only for keys with AWS_KMS origin.`);
        }
        this.requireEnabled(key);
        if (enabled) {
            key.rotation = { enabled: true, periodInDays: period ?? 365, nextRotationDate: this.now() + (period ?? 365) * DAY_MS };
        } else {
            key.rotation = { enabled: false, periodInDays: key.rotation.periodInDays };
        }
        return {};
    }

    private getKeyRotationStatus(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        this.requireSymmetric(key, "GetKeyRotationStatus");
        const r = key.rotation;
        return {
            KeyRotationEnabled: r.enabled,
            KeyId: this.arn(key),
            RotationPeriodInDays: r.enabled ? r.periodInDays : undefined,
            NextRotationDate: r.enabled ? secs(r.nextRotationDate) : undefined,
        };
    }

    private rotateKeyOnDemand(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        this.requireSymmetric(key, "RotateKeyOnDemand");
        this.requireEnabled(key);
        if (key.onDemandRotations >= MAX_ON_DEMAND_ROTATIONS) {
            throw kmsError("LimitExceededException", `${this.arn(key)} has reached the limit of ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`);
        }
        let next: MaterialRecord;
        if (key.origin === "EXTERNAL") {
            // Decision: AWS documents only that PENDING_ROTATION material must exist; without it the key's material
            // is not in a state this operation can use, so KMSInvalidStateException.
            const pending = key.materials.find((m) => m.state === "PENDING_ROTATION" && m.secret !== undefined);
            if (!pending) {
                throw kmsError("KMSInvalidStateException", `${this.arn(key)} has no key material in PENDING_ROTATION state: import new key material with ImportType NEW_KEY_MATERIAL first.`);
            }
            next = pending;
        } else {
            const material = crypto.randomBytes(32);
            next = { id: randomMaterialId(), secret: b64(material), fingerprint: fingerprint(material), state: "CURRENT" };
        }
        this.rotate(key, next, this.now(), "ON_DEMAND");
        key.onDemandRotations++;
        return { KeyId: key.keyId };
    }

    private listKeyRotations(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const include = input.enumOf("IncludeKeyMaterial", ["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"] as const) ?? "ROTATIONS_ONLY";
        this.requireSymmetric(key, "ListKeyRotations");
        const external = key.origin === "EXTERNAL";
        const entries = key.materials
            .filter((m) => include === "ALL_KEY_MATERIAL" || (m.rotationDate !== undefined && m.state !== "PENDING_ROTATION"))
            .map((m) => ({
                KeyId: key.keyId,
                KeyMaterialId: m.id,
                KeyMaterialDescription: external ? m.description : undefined,
                ImportState: external ? m.importState : undefined,
                KeyMaterialState: m.state,
                ExpirationModel: external ? m.expirationModel : undefined,
                ValidTo: external ? secs(m.validTo) : undefined,
                RotationDate: secs(m.rotationDate),
                RotationType: m.rotationType,
            }));
        const page = paginate(entries, input, 1000, 100);
        return { Rotations: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Import (BYOK)

    private requireExternal(key: KeyRecord): void {
        if (key.origin !== "EXTERNAL") {
            throw kmsError("UnsupportedOperationException", `${this.arn(key)} origin is ${key.origin} which is not valid for this operation: key material can only be imported into keys with EXTERNAL origin.`);
        }
    }

    /** With `reuseWrappingKeys`, one RSA pair per size for the emulator's life (tokens stay per call); else a fresh pair. */
    private readonly wrappingPairs = new Map<number, Promise<{ publicKey: crypto.KeyObject; privateKey: crypto.KeyObject }>>();
    private wrappingPair(bits: number): Promise<{ publicKey: crypto.KeyObject; privateKey: crypto.KeyObject }> {
        if (!this.reuseWrappingKeys) return generateKeyPair("rsa", { modulusLength: bits });
        let pair = this.wrappingPairs.get(bits);
        if (!pair) {
            pair = generateKeyPair("rsa", { modulusLength: bits });
            this.wrappingPairs.set(bits, pair);
        }
        return pair;
    }

    private async getParametersForImport(ctx: RequestContext, input: Input): Promise<Json> {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const rawAlgorithm = input.reqStr("WrappingAlgorithm");
        const rawSpec = input.reqStr("WrappingKeySpec");
        this.requireExternal(key);
        this.requireNotPendingDeletion(key);
        if (rawAlgorithm === "RSAES_PKCS1_V1_5" || rawAlgorithm === "SM2PKE") {
            throw kmsError("UnsupportedOperationException", `WrappingAlgorithm ${rawAlgorithm} is not supported.`);
        }
        if (rawSpec === "SM2") throw kmsError("UnsupportedOperationException", "WrappingKeySpec SM2 is only available in China Regions.");
        const algorithm = input.reqEnum("WrappingAlgorithm", WRAPPING_ALGORITHMS);
        const bits = WRAPPING_KEY_BITS[input.reqEnum("WrappingKeySpec", ["RSA_2048", "RSA_3072", "RSA_4096"] as const)];

        const { publicKey, privateKey } = await this.wrappingPair(bits);
        const expiresAt = this.now() + IMPORT_PARAMETERS_VALIDITY_MS;
        const wrappingKeyId = crypto.randomUUID();
        this.state.wrappingKeys.push({ id: wrappingKeyId, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string, expiresAt });
        const token = issueImportToken(Buffer.from(this.state.tokenSecret, "base64"), { keyId: key.keyId, wrappingKeyId, algorithm, expiresAt });
        return {
            KeyId: this.arn(key),
            ImportToken: b64(token),
            PublicKey: b64(publicKey.export({ type: "spki", format: "der" })),
            ParametersValidTo: secs(expiresAt),
        };
    }

    /**
     * Checks in the order AWS documents: key exists and is EXTERNAL; not PendingDeletion; token genuine, for this key,
     * not expired; unwrap; material fits the key spec; re-import is the same material; ExpirationModel/ValidTo.
     * (Malformed members, and the symmetric-only members on other keys, are ValidationException before the token.)
     *
     * Decision on wrong-size/wrong-type material (e.g. 31 bytes for SYMMETRIC_DEFAULT, a P-384 key for ECC_NIST_P256):
     * IncorrectKeyMaterialException, which the SDK documents as "the key material in the request is, expired,
     * invalid, or does not meet expectations" (ValidationException is for malformed request parameters).
     */
    private importKeyMaterial(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const tokenBytes = input.reqBlob("ImportToken");
        const wrapped = input.reqBlob("EncryptedKeyMaterial");
        const expirationModel = input.enumOf("ExpirationModel", EXPIRATION_MODELS) ?? "KEY_MATERIAL_EXPIRES";
        const validTo = input.time("ValidTo");
        const importTypeInput = input.enumOf("ImportType", ["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"] as const);
        const materialDescription = input.str("KeyMaterialDescription", { max: 256 });
        const materialIdInput = input.str("KeyMaterialId", { min: 64, max: 64 });
        if (materialDescription !== undefined && !/^[a-zA-Z0-9:/_\s.-]*$/.test(materialDescription)) {
            throw kmsError("ValidationException", "KeyMaterialDescription may only contain a-z, A-Z, 0-9, :, /, _, whitespace, . and -.");
        }

        this.requireExternal(key);
        this.requireNotPendingDeletion(key);
        const symmetric = KEY_SPECS[key.keySpec].family === "symmetric";
        if (!symmetric && (importTypeInput !== undefined || materialDescription !== undefined || materialIdInput !== undefined)) {
            throw kmsError("ValidationException", "ImportType, KeyMaterialDescription and KeyMaterialId are only valid for symmetric encryption keys.");
        }

        const token = readImportToken(Buffer.from(this.state.tokenSecret, "base64"), tokenBytes);
        if (!token) throw kmsError("InvalidImportTokenException", "The import token is not valid: use the ImportToken of a GetParametersForImport response.");
        if (token.keyId !== key.keyId) throw kmsError("InvalidImportTokenException", `The import token was issued for a different KMS key, not ${this.arn(key)}.`);
        const now = this.now();
        if (now > token.expiresAt) throw kmsError("ExpiredImportTokenException", "The import token has expired: call GetParametersForImport for a new public key and import token.");
        const wrapping = this.state.wrappingKeys.find((w) => w.id === token.wrappingKeyId);
        if (!wrapping) throw kmsError("InvalidImportTokenException", "The import token does not match any import parameters of this emulator.");

        const material = unwrap(wrapping.privateKeyPem, token.algorithm, wrapped);
        let privateKey: crypto.KeyObject | undefined;
        try {
            privateKey = checkMaterial(KEY_SPECS[key.keySpec].material, material);
        } catch (e) {
            if (e instanceof MaterialError) throw kmsError("IncorrectKeyMaterialException", `The key material does not fit ${key.keySpec}: ${e.message}.`);
            throw e;
        }
        const fp = fingerprint(material, privateKey);

        // Which material this import is: a new one, or one the key already knows.
        let target: MaterialRecord | undefined;
        let isNew: boolean;
        if (symmetric) {
            const importType = importTypeInput ?? (key.materials.length === 0 ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL");
            if (importType === "NEW_KEY_MATERIAL") {
                if (materialIdInput !== undefined) throw kmsError("ValidationException", "You cannot specify KeyMaterialId with ImportType NEW_KEY_MATERIAL.");
                if (key.materials.some((m) => m.fingerprint === fp)) {
                    throw kmsError("IncorrectKeyMaterialException", `The key material is already associated with ${this.arn(key)}: import it with ImportType EXISTING_KEY_MATERIAL.`);
                }
                const pending = key.materials.find((m) => m.state === "PENDING_ROTATION");
                if (pending) {
                    // As AWS answers (recording test_import_key_material_raises_if_there_is_already_key_material_pending).
                    throw kmsError(
                        "KMSInvalidStateException",
                        `New key material (id: ${derivedMaterialId(key.keyId, fp)}) cannot be imported into KMS key ${key.keyId}, because another key material (id: ${pending.id}) is pending rotation.`,
                    );
                }
                isNew = true;
            } else {
                target = key.materials.find((m) => m.fingerprint === fp);
                if (!target) throw kmsError("IncorrectKeyMaterialException", `The key material is not the key material previously imported into ${this.arn(key)}.`);
                if (materialIdInput !== undefined && materialIdInput !== target.id) {
                    throw kmsError("IncorrectKeyMaterialException", `The key material does not have KeyMaterialId ${materialIdInput}.`);
                }
                isNew = false;
            }
        } else {
            target = key.materials[0];
            if (target && target.fingerprint !== fp) {
                throw kmsError("IncorrectKeyMaterialException", `The key material is not the key material previously imported into ${this.arn(key)}.`);
            }
            isNew = !target;
        }

        if (expirationModel === "KEY_MATERIAL_EXPIRES") {
            if (validTo === undefined) throw kmsError("ValidationException", "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.");
            if (validTo <= now) throw kmsError("ValidationException", "ValidTo must be in the future.");
            if (validTo > now + MAX_VALID_TO_MS) throw kmsError("ValidationException", "ValidTo must be at most 365 days from now.");
        } else if (validTo !== undefined) {
            throw kmsError("ValidationException", "ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.");
        }

        const wasPendingImport = this.keyState(key) === "PendingImport";
        if (isNew) {
            target = { id: derivedMaterialId(key.keyId, fp), fingerprint: fp, state: key.materials.length === 0 ? "CURRENT" : "PENDING_ROTATION" };
            key.materials.push(target);
        }
        const m = target as MaterialRecord;
        m.secret = b64(material);
        m.importState = "IMPORTED";
        m.expirationModel = expirationModel;
        if (validTo !== undefined) m.validTo = validTo;
        else delete m.validTo;
        if (materialDescription !== undefined) m.description = materialDescription;
        if (wasPendingImport && this.keyState(key) !== "PendingImport") key.enabled = true;
        material.fill(0);
        return { KeyId: this.arn(key), KeyMaterialId: m.id };
    }

    private deleteImportedKeyMaterial(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), false);
        const materialId = input.str("KeyMaterialId");
        this.requireExternal(key);
        const target = materialId === undefined ? this.current(key) : key.materials.find((m) => m.id === materialId);
        if (materialId !== undefined && !target) throw kmsError("NotFoundException", `Key material ${materialId} is not associated with ${this.arn(key)}.`);
        if (target?.state === "PENDING_ROTATION") {
            // Pending material is not permanently associated with the key: deleting it removes it.
            key.materials = key.materials.filter((m) => m !== target);
        } else if (target) {
            this.forgetMaterial(target);
        }
        return { KeyId: this.arn(key), KeyMaterialId: target?.id };
    }

    // -----------------------------------------------------------------------------------------------------------
    // Cryptographic operations

    private encrypt(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), true);
        const plaintext = input.reqBlob("Plaintext", { max: 4096 });
        const context = input.stringMap("EncryptionContext");
        const algorithm = input.enumOf("EncryptionAlgorithm", ENCRYPTION_ALGORITHMS) ?? "SYMMETRIC_DEFAULT";
        this.requireEnabled(key);
        this.requireUsage(key, "ENCRYPT_DECRYPT", "Encrypt");
        this.requireEncryptionAlgorithm(key, algorithm);
        let blob: Buffer;
        if (algorithm === "SYMMETRIC_DEFAULT") {
            const current = this.current(key);
            blob = sealSymmetric(key.keyId, (current as MaterialRecord).id, this.secretOf(key, current), plaintext, context);
        } else {
            if (context !== undefined) throw kmsError("ValidationException", "EncryptionContext is not supported with asymmetric KMS keys.");
            const publicKey = crypto.createPublicKey(this.privateKey(key));
            const hash = oaepHash(algorithm);
            const max = (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8 - 2 * (hash === "sha1" ? 20 : 32) - 2;
            if (plaintext.length > max) throw kmsError("ValidationException", `Plaintext is too long for ${key.keySpec} with ${algorithm}: at most ${max} bytes.`);
            blob = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext);
        }
        this.dryRun(input);
        return { CiphertextBlob: b64(blob), KeyId: this.arn(key), EncryptionAlgorithm: algorithm };
    }

    private requireEncryptionAlgorithm(key: KeyRecord, algorithm: EncryptionAlgorithm): void {
        if (!(algorithmsFor(key.keySpec, key.keyUsage).EncryptionAlgorithms ?? []).includes(algorithm)) {
            throw kmsError("InvalidKeyUsageException", `The encryption algorithm ${algorithm} is not valid for ${this.arn(key)} (${key.keySpec}).`);
        }
    }

    private decrypt(ctx: RequestContext, input: Input): Json {
        const blob = input.reqBlob("CiphertextBlob", { max: 6144 });
        const keyIdInput = input.str("KeyId");
        const context = input.stringMap("EncryptionContext");
        const algorithm = input.enumOf("EncryptionAlgorithm", ENCRYPTION_ALGORITHMS) ?? "SYMMETRIC_DEFAULT";
        const named = keyIdInput === undefined ? undefined : this.key(ctx, keyIdInput, true);

        if (named && KEY_SPECS[named.keySpec].family === "rsa") {
            this.requireEnabled(named);
            this.requireUsage(named, "ENCRYPT_DECRYPT", "Decrypt");
            this.requireEncryptionAlgorithm(named, algorithm);
            let plaintext: Buffer;
            try {
                plaintext = crypto.privateDecrypt({ key: this.privateKey(named), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) }, blob);
            } catch {
                throw kmsError("InvalidCiphertextException", "The ciphertext could not be decrypted with this key and encryption algorithm.");
            }
            this.dryRun(input);
            return { KeyId: this.arn(named), Plaintext: b64(plaintext), EncryptionAlgorithm: algorithm };
        }

        const parsed = parseSymmetric(blob);
        if (!parsed) throw kmsError("InvalidCiphertextException", "The ciphertext is not a ciphertext of this emulator's symmetric keys.");
        if (named && named.keyId !== parsed.keyId) {
            throw kmsError("IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.");
        }
        const key = named ?? this.key(ctx, parsed.keyId, false);
        this.requireEnabled(key);
        this.requireUsage(key, "ENCRYPT_DECRYPT", "Decrypt");
        this.requireEncryptionAlgorithm(key, algorithm);
        const material = key.materials.find((m) => m.id === parsed.keyMaterialId && m.state !== "PENDING_ROTATION");
        if (!material) throw kmsError("InvalidCiphertextException", "The ciphertext refers to key material that this key does not have.");
        let plaintext: Buffer;
        try {
            plaintext = parsed.open(this.secretOf(key, material), context);
        } catch {
            throw kmsError("InvalidCiphertextException", "The ciphertext or its encryption context is not valid.");
        }
        this.dryRun(input);
        return { KeyId: this.arn(key), Plaintext: b64(plaintext), EncryptionAlgorithm: "SYMMETRIC_DEFAULT", KeyMaterialId: material.id };
    }

    private generateDataKey(ctx: RequestContext, input: Input, withPlaintext: boolean): Json {
        const operation = withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
        const key = this.key(ctx, input.reqStr("KeyId"), true);
        const spec = input.enumOf("KeySpec", ["AES_256", "AES_128"] as const);
        const count = input.int("NumberOfBytes", 1, 1024);
        const context = input.stringMap("EncryptionContext");
        if ((spec === undefined) === (count === undefined)) throw kmsError("ValidationException", "Specify either KeySpec or NumberOfBytes, but not both.");
        this.requireEnabled(key);
        this.requireUsage(key, "ENCRYPT_DECRYPT", operation);
        if (KEY_SPECS[key.keySpec].family !== "symmetric") throw kmsError("InvalidKeyUsageException", `${this.arn(key)} key spec ${key.keySpec} is not valid for ${operation}.`);
        const data = crypto.randomBytes(count ?? (spec === "AES_128" ? 16 : 32));
        const current = this.current(key) as MaterialRecord;
        const blob = sealSymmetric(key.keyId, current.id, this.secretOf(key, current), data, context);
        this.dryRun(input);
        return { CiphertextBlob: b64(blob), Plaintext: withPlaintext ? b64(data) : undefined, KeyId: this.arn(key), KeyMaterialId: current.id };
    }

    private getPublicKey(ctx: RequestContext, input: Input): Json {
        const key = this.key(ctx, input.reqStr("KeyId"), true);
        const family = KEY_SPECS[key.keySpec].family;
        if (family !== "rsa" && family !== "ec") throw kmsError("UnsupportedOperationException", `${this.arn(key)} key spec ${key.keySpec} has no public key.`);
        this.requireEnabled(key);
        return {
            KeyId: this.arn(key),
            PublicKey: b64(crypto.createPublicKey(this.privateKey(key)).export({ type: "spki", format: "der" })),
            CustomerMasterKeySpec: key.keySpec,
            KeySpec: key.keySpec,
            KeyUsage: key.keyUsage,
            ...algorithmsFor(key.keySpec, key.keyUsage),
        };
    }

    private signingInput(ctx: RequestContext, input: Input, operation: string) {
        const key = this.key(ctx, input.reqStr("KeyId"), true);
        const message = input.reqBlob("Message", { max: 4096 });
        const rawType = input.str("MessageType");
        if (rawType === "EXTERNAL_MU") throw kmsError("UnsupportedOperationException", "MessageType EXTERNAL_MU is only for ML-DSA keys.");
        const messageType: MessageType = input.enumOf("MessageType", ["RAW", "DIGEST"] as const) ?? "RAW";
        const algorithm = input.reqEnum("SigningAlgorithm", SIGNING_ALGORITHMS);
        this.requireEnabled(key);
        this.requireUsage(key, "SIGN_VERIFY", operation);
        if (!(algorithmsFor(key.keySpec, key.keyUsage).SigningAlgorithms ?? []).includes(algorithm)) {
            throw kmsError("InvalidKeyUsageException", `The signing algorithm ${algorithm} is not valid for ${this.arn(key)} (${key.keySpec}).`);
        }
        if (messageType === "DIGEST" && message.length !== SIGNING[algorithm].digestBytes) {
            throw kmsError("ValidationException", `Digest is invalid length for algorithm ${algorithm}: expected ${SIGNING[algorithm].digestBytes} bytes.`);
        }
        return { key, message, messageType, algorithm };
    }

    private sign(ctx: RequestContext, input: Input): Json {
        const { key, message, messageType, algorithm } = this.signingInput(ctx, input, "Sign");
        const signature = sign(this.privateKey(key), algorithm, message, messageType);
        this.dryRun(input);
        return { KeyId: this.arn(key), Signature: b64(signature), SigningAlgorithm: algorithm };
    }

    private verify(ctx: RequestContext, input: Input): Json {
        const { key, message, messageType, algorithm } = this.signingInput(ctx, input, "Verify");
        const signature = input.reqBlob("Signature", { max: 6144 });
        const valid = verify(crypto.createPublicKey(this.privateKey(key)), algorithm, message, messageType, signature);
        this.dryRun(input);
        if (!valid) throw kmsError("KMSInvalidSignatureException", "The signature is not valid for this message, key and signing algorithm.");
        return { KeyId: this.arn(key), SignatureValid: true, SigningAlgorithm: algorithm };
    }

    private macInput(ctx: RequestContext, input: Input, operation: string) {
        const key = this.key(ctx, input.reqStr("KeyId"), true);
        const message = input.reqBlob("Message", { max: 4096 });
        const algorithm = input.reqEnum("MacAlgorithm", MAC_ALGORITHMS);
        this.requireEnabled(key);
        this.requireUsage(key, "GENERATE_VERIFY_MAC", operation);
        if (!(algorithmsFor(key.keySpec, key.keyUsage).MacAlgorithms ?? []).includes(algorithm)) {
            throw kmsError("InvalidKeyUsageException", `The MAC algorithm ${algorithm} is not valid for ${this.arn(key)} (${key.keySpec}).`);
        }
        const mac = crypto.createHmac(MAC_HASH[algorithm], this.secretOf(key, this.current(key))).update(message).digest();
        return { key, algorithm, mac };
    }

    private generateMac(ctx: RequestContext, input: Input): Json {
        const { key, algorithm, mac } = this.macInput(ctx, input, "GenerateMac");
        this.dryRun(input);
        return { Mac: b64(mac), MacAlgorithm: algorithm, KeyId: this.arn(key) };
    }

    private verifyMac(ctx: RequestContext, input: Input): Json {
        const { key, algorithm, mac } = this.macInput(ctx, input, "VerifyMac");
        const given = input.reqBlob("Mac", { max: 6144 });
        this.dryRun(input);
        if (given.length !== mac.length || !crypto.timingSafeEqual(given, mac)) throw kmsError("KMSInvalidMacException", "The MAC is not valid for this message, key and MAC algorithm.");
        return { KeyId: this.arn(key), MacValid: true, MacAlgorithm: algorithm };
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function randomMaterialId(): string {
    return crypto.randomBytes(32).toString("hex");
}

/** Like AWS: the id of imported material is derived from the key id and the material (here, its fingerprint). */
function derivedMaterialId(keyId: string, materialFingerprint: string): string {
    return crypto.createHash("sha256").update(`keyfabric/aws-key-material-id/v1\0${keyId}\0${materialFingerprint}`).digest("hex");
}

function materialFingerprint(spec: KeySpec, material: Buffer): string {
    const family = KEY_SPECS[spec].family;
    if (family === "rsa" || family === "ec") return fingerprint(material, crypto.createPrivateKey({ key: material, format: "der", type: "pkcs8" }));
    return fingerprint(material);
}

function oaepHash(algorithm: EncryptionAlgorithm): OaepHash {
    return algorithm === "RSAES_OAEP_SHA_1" ? "sha1" : "sha256";
}

/** Unwraps with the private key and algorithm the token names; any failure is InvalidCiphertextException. */
function unwrap(privateKeyPem: string, algorithm: WrappingAlgorithm, wrapped: Buffer): Buffer {
    const privateKey = crypto.createPrivateKey(privateKeyPem);
    const hash: OaepHash = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
    try {
        return algorithm.startsWith("RSAES_OAEP") ? rsaOaepDecrypt(privateKey, hash, wrapped) : rsaAesKeyUnwrap(privateKey, hash, wrapped);
    } catch (e) {
        if (e instanceof UnwrapError) {
            throw kmsError("InvalidCiphertextException", `The EncryptedKeyMaterial could not be unwrapped with the import parameters' private key and ${algorithm}.`);
        }
        throw e;
    }
}

function checkPolicy(policy: string): string {
    if (Buffer.byteLength(policy, "utf8") > MAX_POLICY_BYTES) throw kmsError("LimitExceededException", `The key policy exceeds ${MAX_POLICY_BYTES} bytes.`);
    let parsed: unknown;
    try {
        parsed = JSON.parse(policy);
    } catch {
        throw kmsError("MalformedPolicyDocumentException", "The new key policy is not valid JSON.");
    }
    const statement = (parsed as { Statement?: unknown } | null)?.Statement;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || !statement || typeof statement !== "object") {
        throw kmsError("MalformedPolicyDocumentException", "The new key policy must be a JSON object with a Statement.");
    }
    return policy;
}

/** Later tags with the same key replace earlier ones, keeping the first position. */
function dedupeTags(tags: Tag[]): Tag[] {
    const out: Tag[] = [];
    for (const t of tags) {
        const i = out.findIndex((o) => o.TagKey === t.TagKey);
        if (i >= 0) out[i] = t;
        else out.push(t);
    }
    return out;
}

/** Offset-based pagination with an opaque marker. */
function paginate<T>(items: T[], input: Input, max: number, defaultLimit: number): { items: T[]; truncated: boolean; nextMarker?: string } {
    const limit = input.int("Limit", 1, max) ?? defaultLimit;
    const marker = input.str("Marker");
    let start = 0;
    if (marker !== undefined) {
        const m = /^o:(\d+)$/.exec(Buffer.from(marker, "base64url").toString("utf8"));
        if (!m || Number(m[1]) > items.length) throw kmsError("InvalidMarkerException", "The Marker is not valid: use NextMarker of the previous response.");
        start = Number(m[1]);
    }
    const end = Math.min(items.length, start + limit);
    const truncated = end < items.length;
    return { items: items.slice(start, end), truncated, nextMarker: truncated ? Buffer.from(`o:${end}`).toString("base64url") : undefined };
}
