/**
 * `keyfabric:aws:Key`: an AWS KMS key (or an EXTERNAL-origin key for BYOK) with aliases, a key policy built
 * from roles, and multi-Region replicas.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as kms from "@pulumi/aws/kms";
import * as peers from "../peers";
import { KeyComponent } from "../keyComponent";
import { awsKeyShape, AwsKeyShape, supportsAutoRotation } from "../schema/capabilities";
import { Algorithm, ALGORITHMS, DEFAULTS, GrantRole, LIMITS, Origin, ORIGINS, Purpose, PURPOSES } from "../schema/constants";
import { IssueCollector, KeyfabricValidationError } from "../schema/errors";
import { correlationTags, KeyIdentity } from "../schema/names";
import { awsPartition, checkPrincipalList, Principal } from "../schema/principals";
import { GRANT_OPERATIONS } from "./actions";
import { AwsImportedKeyMaterial } from "../byok/aws";
import { MaterialFingerprint } from "../byok/fingerprint";
import { MATERIAL_SOURCE_SHAPES, MaterialSource, materialSourceSchema } from "../byok/sources";
import { keyPolicy } from "./policy";
import { SEPARATION_MODES, SeparationOfDuties } from "../schema/separation";
import { AWS_TRAIL } from "../schema/schema";

const AWS_REGION = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/;

export interface AwsKeyArgs {
    /** The region of the key (AWS provider v7 per-resource region). */
    readonly region: string;
    /** The key's account, for the owner statement. @default the caller's account (sts:GetCallerIdentity) */
    readonly accountId?: pulumi.Input<string>;
    readonly purpose: Purpose;
    readonly algorithm: Algorithm;
    /** `byok` creates an EXTERNAL-origin key awaiting imported material. @default "cloud" */
    readonly origin?: Origin;
    readonly description?: pulumi.Input<string>;
    /**
     * Automatic rotation period in days (90-2560); only for symmetric keys AWS generates.
     * @default 365 for symmetric `cloud` keys, none otherwise
     */
    readonly rotationDays?: number;
    /** Waiting period before deletion, 7-30 days. @default 30 */
    readonly deletionWindowDays?: number;
    /** Create a multi-Region primary key. @default false */
    readonly multiRegion?: boolean;
    /** Regions for replicas of a multi-Region key. @default [] */
    readonly replicaRegions?: readonly string[];
    /** Alias names without the `alias/` prefix. @default [] */
    readonly aliases?: readonly string[];
    /** Principals with full control (`kms:*`). @default the account root (IAM policies then decide) */
    readonly owners?: readonly Principal[];
    /** Principals who administer but cannot use the key. */
    readonly administrators?: readonly Principal[];
    /** Principals who encrypt and decrypt (encrypt keys). */
    readonly users?: readonly Principal[];
    /** Principals who sign and verify (sign keys). */
    readonly signers?: readonly Principal[];
    /** Principals who generate and verify MACs (mac keys). */
    readonly macUsers?: readonly Principal[];
    /** Principals whose AWS services may create grants on the key (`kms:GrantIsForAWSResource`). */
    readonly serviceUsers?: readonly Principal[];
    /**
     * `standard`: the owners (the account root) keep `kms:*` and administrators may change the key policy (`kms:Put*`).
     * `strict`: the account root may only read the key, administrators get {@link STRICT_ADMIN_ACTIONS} (no use, no
     * policy or grant changes), and only `deployers` may change the key policy. @default "standard"
     */
    readonly separationOfDuties?: SeparationOfDuties;
    /**
     * `strict` only, required: the principals that deploy the key (the role Pulumi runs as: the lockout safety check
     * requires the principal that creates the key to keep `kms:PutKeyPolicy`). They get {@link DEPLOYER_ACTIONS}.
     */
    readonly deployers?: readonly Principal[];
    readonly tags?: Record<string, string>;
    /** The logical key this instance belongs to; adds the keyfabric correlation tags. */
    readonly identity?: KeyIdentity;
    /** Protect the key (and replicas) from deletion and keep them when removed from the program. @default true */
    readonly protect?: boolean;
    /** BYOK: where the provider reads the material to import (into the key and every replica). Only the descriptor is stored. */
    readonly material?: MaterialSource;
    /** BYOK: when the imported material expires (ISO 8601, at most 365 days ahead). @default no expiry */
    readonly validTo?: string;
    /**
     * Where the key's use is recorded: KMS calls are CloudTrail management events, and the multi-Region trail belongs
     * to the account or organization baseline (`external`, or the trail's ARN). keyfabric creates nothing; the policy
     * pack's aws-cloudtrail-trail-enable-kms-logging reads it, as it reads a KeyHierarchy's `audit.aws.trail`.
     */
    readonly audit?: { readonly trail: string };
}

/** Problems with the args, all of them; empty when valid. */
export function checkAwsKeyArgs(args: AwsKeyArgs): IssueCollector {
    const issues = new IssueCollector();
    if (typeof args.region !== "string" || !AWS_REGION.test(args.region)) {
        issues.add({ code: "invalid_value", path: "region", message: "is not an AWS region", allowed: "e.g. us-east-1, eu-west-1", got: args.region });
    }
    if (!PURPOSES.includes(args.purpose)) issues.add({ code: "invalid_value", path: "purpose", message: "is not a purpose", allowed: PURPOSES, got: args.purpose });
    if (!ALGORITHMS.includes(args.algorithm)) issues.add({ code: "invalid_value", path: "algorithm", message: "is not an algorithm", allowed: ALGORITHMS, got: args.algorithm });
    const origin = args.origin ?? "cloud";
    if (!ORIGINS.includes(origin)) issues.add({ code: "invalid_value", path: "origin", message: "is not an origin", allowed: ORIGINS, got: origin });
    if (args.audit !== undefined && (typeof args.audit?.trail !== "string" || !AWS_TRAIL.test(args.audit.trail))) {
        issues.add({ code: "invalid_value", path: "audit.trail", message: "is not external or a CloudTrail trail ARN", allowed: "external, arn:aws:cloudtrail:<region>:<account>:trail/<name>", got: args.audit?.trail });
    }
    if (PURPOSES.includes(args.purpose) && ALGORITHMS.includes(args.algorithm)) {
        const cap = awsKeyShape(args.algorithm, args.purpose);
        if (!cap.ok) issues.add({ code: "unsupported", path: "purpose", message: cap.reason, allowed: cap.allowed, got: args.purpose });
        if (args.rotationDays !== undefined) {
            if (!supportsAutoRotation("aws", args.algorithm, origin)) {
                issues.add({
                    code: "unsupported",
                    path: "rotationDays",
                    message: origin === "byok" ? "AWS never rotates imported material automatically" : `AWS KMS has no automatic rotation for ${args.algorithm} keys`,
                    allowed: "leave rotationDays out",
                    got: args.rotationDays,
                });
            } else if (!Number.isInteger(args.rotationDays) || args.rotationDays < LIMITS.awsRotationDays.min || args.rotationDays > LIMITS.awsRotationDays.max) {
                issues.add({ code: "out_of_range", path: "rotationDays", message: "is outside AWS KMS's rotation period range", allowed: `${LIMITS.awsRotationDays.min}-${LIMITS.awsRotationDays.max}`, got: args.rotationDays });
            }
        }
        const roleFits: [keyof AwsKeyArgs, Purpose][] = [["users", "encrypt"], ["signers", "sign"], ["macUsers", "mac"]];
        for (const [role, purpose] of roleFits) {
            if (args[role] !== undefined && args.purpose !== purpose) {
                issues.add({ code: "unsupported", path: role, message: `applies to ${purpose} keys, and this is a ${args.purpose} key`, allowed: roleFits.filter(([, p]) => p === args.purpose).map(([r]) => r) });
            }
        }
    }
    const dw = args.deletionWindowDays;
    if (dw !== undefined && (!Number.isInteger(dw) || dw < LIMITS.deletionWindowDays.min || dw > LIMITS.deletionWindowDays.max)) {
        issues.add({ code: "out_of_range", path: "deletionWindowDays", message: "is outside AWS KMS's deletion window", allowed: `${LIMITS.deletionWindowDays.min}-${LIMITS.deletionWindowDays.max}`, got: dw });
    }
    if ((args.replicaRegions?.length ?? 0) > 0 && !args.multiRegion) {
        issues.add({ code: "needs_multi_region", path: "replicaRegions", message: "replicas need a multi-Region key", allowed: "multiRegion: true", got: args.multiRegion ?? false });
    }
    (args.replicaRegions ?? []).forEach((r, i) => {
        if (!AWS_REGION.test(r)) issues.add({ code: "invalid_value", path: `replicaRegions[${i}]`, message: "is not an AWS region", allowed: "e.g. us-east-1, eu-west-1", got: r });
        else if (r === args.region) issues.add({ code: "duplicate", path: `replicaRegions[${i}]`, message: "is the primary region", got: r });
    });
    for (const role of ["owners", "administrators", "users", "signers", "macUsers", "serviceUsers"] as const) {
        checkPrincipalList("aws", args[role], role).forEach((i) => issues.add(i));
    }
    checkAwsSeparation(args, issues);
    for (const admin of args.administrators ?? []) {
        for (const role of ["users", "signers", "macUsers"] as const) {
            if (typeof admin === "string" && (args[role] ?? []).includes(admin)) {
                issues.add({ code: "separation_of_duties", path: `${role}[${(args[role] ?? []).indexOf(admin)}]`, message: "is also an administrator: separate key administration from key use", got: admin });
            }
        }
    }
    if (args.material !== undefined) {
        if (origin !== "byok") issues.add({ code: "unsupported", path: "material", message: "applies to byok keys only", allowed: "origin: byok", got: origin });
        if (!materialSourceSchema.safeParse(args.material).success) {
            issues.add({ code: "invalid_value", path: "material", message: "is not a material source", allowed: MATERIAL_SOURCE_SHAPES, got: args.material });
        }
    }
    if (args.validTo !== undefined && (args.material === undefined || Number.isNaN(Date.parse(args.validTo)))) {
        issues.add({ code: "invalid_value", path: "validTo", message: "is the ISO 8601 expiry of imported material and needs material", allowed: "e.g. 2027-06-30T00:00:00Z with material", got: args.validTo });
    }
    (args.aliases ?? []).forEach((a, i) => {
        if (!/^[a-zA-Z0-9/_-]{1,200}$/.test(a) || a.startsWith("aws/")) {
            issues.add({ code: "invalid_value", path: `aliases[${i}]`, message: "is not a valid alias name", allowed: "letters, digits, / _ -, not starting with aws/", got: a });
        }
    });
    return issues;
}

/** `separationOfDuties` and `deployers`: strict needs deployers, who are neither administrators nor users; no root. */
function checkAwsSeparation(args: AwsKeyArgs, issues: IssueCollector): void {
    const mode = args.separationOfDuties ?? "standard";
    if (!SEPARATION_MODES.includes(mode)) {
        issues.add({ code: "invalid_value", path: "separationOfDuties", message: "is not one of the allowed values", allowed: SEPARATION_MODES, got: mode });
        return;
    }
    checkPrincipalList("aws", args.deployers, "deployers").forEach((i) => issues.add(i));
    if (mode !== "strict") {
        if (args.deployers !== undefined) issues.add({ code: "unsupported", path: "deployers", message: "applies with separationOfDuties strict only", allowed: "separationOfDuties: strict, or leave deployers out" });
        return;
    }
    if (!args.deployers || args.deployers.length === 0) {
        issues.add({ code: "missing_deployer", path: "deployers", message: "is required with separationOfDuties strict: the principal that creates the key, the only one that may change its key policy", allowed: "IAM role or user ARNs" });
    }
    if (args.owners !== undefined) {
        issues.add({ code: "unsupported", path: "owners", message: "full control (kms:*) cannot be combined with separationOfDuties strict", allowed: "leave owners out (the account root keeps read-only access)" });
    }
    const root = /^arn:aws[-a-z]*:iam::\d{12}:root$/;
    for (const role of ["deployers", "administrators", "users", "signers", "macUsers", "serviceUsers"] as const) {
        (args[role] ?? []).forEach((p, i) => {
            if (typeof p !== "string") return;
            if (root.test(p)) issues.add({ code: "separation_of_duties", path: `${role}[${i}]`, message: "is the account principal, which with separationOfDuties strict would delegate to every IAM policy of the account", got: p });
            else if (role !== "deployers" && (args.deployers ?? []).includes(p)) issues.add({ code: "separation_of_duties", path: `${role}[${i}]`, message: "is also a deployer: the deployer changes the key policy, and neither administers nor uses the key", got: p });
        });
    }
}

type KeyOptions = { -readonly [K in keyof pulumi.CustomResourceOptions]: pulumi.CustomResourceOptions[K] };
type CommonKeyArgs = ReturnType<typeof commonKeyArgs>;

/** The inputs the key and its replicas share. */
function commonKeyArgs(args: AwsKeyArgs, policy: pulumi.Input<string>) {
    return {
        region: args.region,
        description: args.description ?? `keyfabric ${args.purpose} key (${args.algorithm})`,
        deletionWindowInDays: args.deletionWindowDays ?? DEFAULTS.deletionWindowDays,
        multiRegion: args.multiRegion ?? false,
        policy,
        bypassPolicyLockoutSafetyCheck: false,
        tags: correlationTags(args.identity, args.tags),
    };
}

function cloudKeyArgs(args: AwsKeyArgs, origin: Origin, shape: AwsKeyShape, common: CommonKeyArgs): kms.KeyArgs {
    const rotationDays = args.rotationDays ?? (supportsAutoRotation("aws", args.algorithm, origin) ? DEFAULTS.rotationDays : undefined);
    return {
        ...common,
        customerMasterKeySpec: shape.keySpec,
        keyUsage: shape.keyUsage,
        isEnabled: true,
        enableKeyRotation: rotationDays !== undefined,
        ...(rotationDays !== undefined ? { rotationPeriodInDays: rotationDays } : {}),
    };
}

export class AwsKey extends KeyComponent {
    /** The key (`aws.kms.Key`, or `aws.kms.ExternalKey` for BYOK). */
    readonly key: kms.Key | kms.ExternalKey;
    readonly keyArn: pulumi.Output<string>;
    readonly keyId: pulumi.Output<string>;
    readonly aliases: kms.Alias[];
    readonly replicas: Record<string, kms.ReplicaKey | kms.ReplicaExternalKey>;
    /** BYOK: the material imports (key first, then replicas). */
    readonly imports: AwsImportedKeyMaterial[];
    /** BYOK, asymmetric/HMAC: the fingerprint that replaces the key when the material changes. */
    readonly materialFingerprint?: MaterialFingerprint;
    readonly shape: AwsKeyShape;
    private readonly region: string;
    /** The key policy: a plain string unless a principal or the account is an `Output`. */
    private readonly policyInput: pulumi.Input<string>;
    // The Output properties below are built when first read: the component registers plain lists and maps of the
    // resources' Outputs instead (the same values), which spares the Outputs `pulumi.all` / `pulumi.output` create.
    private aliasArnsOutput?: pulumi.Output<string[]>;
    private replicaArnsOutput?: pulumi.Output<Record<string, string>>;
    private policyOutput?: pulumi.Output<string>;

    constructor(name: string, args: AwsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        const issues = checkAwsKeyArgs(args);
        issues.throwIfAny(`keyfabric:aws:Key "${name}"`);
        super("keyfabric:aws:Key", name, "aws", args.purpose, args, opts);
        // Kept short, each child created in a small method: Pulumi captures a stack trace for every promise of a
        // resource (dozens per resource), and V8's cost for a frame grows with how far into its function the call is.
        const cap = awsKeyShape(args.algorithm, args.purpose);
        if (!cap.ok) throw new KeyfabricValidationError(name, [{ code: "unsupported", path: "algorithm", message: cap.reason }]);
        this.shape = cap.shape;
        this.region = args.region;
        const origin = args.origin ?? "cloud";
        const protect = args.protect ?? true;
        const keyOpts: KeyOptions = { parent: this, protect, retainOnDelete: protect };
        // A plain string when every principal is one: inputs that are Outputs cost the engine an await per resource.
        this.policyInput = this.keyPolicyOf(args);
        const common = commonKeyArgs(args, this.policyInput);
        if (origin === "byok" && args.material && !cap.shape.symmetric) {
            // Asymmetric and HMAC keys can never take new material: new material replaces the key, visibly in preview.
            this.materialFingerprint = new MaterialFingerprint(`${name}-fingerprint`, { algorithm: args.algorithm, material: args.material }, { parent: this });
            keyOpts.replacementTrigger = this.materialFingerprint.fingerprint;
        }
        this.key = origin === "byok" ? this.externalKey(name, common, keyOpts) : this.cloudKey(name, args, origin, common, keyOpts);
        this.keyArn = this.key.arn;
        this.keyId = this.key.id;
        this.aliases = this.createAliases(name, args);
        this.replicas = this.createReplicas(name, origin, common, keyOpts, args.replicaRegions ?? []);
        this.imports = origin === "byok" && args.material ? this.importMaterial(name, args) : [];

        this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasArns: this.aliasArnList(), replicaArns: this.replicaArnMap(), policy: this.policyInput });
    }

    get aliasArns(): pulumi.Output<string[]> {
        return (this.aliasArnsOutput ??= pulumi.all(this.aliasArnList()));
    }

    get replicaArns(): pulumi.Output<Record<string, string>> {
        return (this.replicaArnsOutput ??= pulumi.all(this.replicaArnMap()));
    }

    /** The key policy document as JSON. */
    get policy(): pulumi.Output<string> {
        return (this.policyOutput ??= pulumi.output(this.policyInput));
    }

    /** The aliases' ARNs, one Output each. */
    private aliasArnList(): pulumi.Output<string>[] {
        return this.aliases.map((a) => a.arn);
    }

    /** Region -> the replica's ARN. */
    private replicaArnMap(): Record<string, pulumi.Output<string>> {
        return Object.fromEntries(Object.entries(this.replicas).map(([r, k]) => [r, k.arn]));
    }

    /** The key policy from the roles; the owners default to the account root. */
    private keyPolicyOf(args: AwsKeyArgs): pulumi.Input<string> {
        const accountId = args.accountId ?? peers.aws.getCallerIdentity.getCallerIdentityOutput({}, { parent: this }).accountId;
        const root = (account: string) => `arn:${awsPartition(args.region)}:iam::${account}:root`;
        const owners = args.owners ?? [typeof accountId === "string" ? root(accountId) : pulumi.output(accountId).apply(root)];
        const separation = args.separationOfDuties ?? "standard";
        const roles = { owners, administrators: args.administrators, users: args.users, signers: args.signers, macUsers: args.macUsers, serviceUsers: args.serviceUsers };
        return separation === "strict" ? keyPolicy(this.shape, { ...roles, deployers: args.deployers }, separation) : keyPolicy(this.shape, roles);
    }

    private cloudKey(name: string, args: AwsKeyArgs, origin: Origin, common: CommonKeyArgs, keyOpts: KeyOptions): kms.Key {
        return new peers.aws.kms.Key(`${name}-key`, cloudKeyArgs(args, origin, this.shape, common), keyOpts);
    }

    /** No keyMaterialBase64: the material is imported by keyfabric's BYOK provider and never enters state. */
    private externalKey(name: string, common: CommonKeyArgs, keyOpts: KeyOptions): kms.ExternalKey {
        return new peers.aws.kms.ExternalKey(`${name}-key`, { ...common, keySpec: this.shape.keySpec, keyUsage: this.shape.keyUsage, enabled: true }, keyOpts);
    }

    private createAliases(name: string, args: AwsKeyArgs): kms.Alias[] {
        return (args.aliases ?? []).map((alias) => this.alias(name, alias, args.region));
    }

    private alias(name: string, alias: string, region: string): kms.Alias {
        return new peers.aws.kms.Alias(`${name}-alias-${alias}`, { name: `alias/${alias}`, targetKeyId: this.key.id, region }, { parent: this });
    }

    private createReplicas(name: string, origin: Origin, common: CommonKeyArgs, keyOpts: KeyOptions, regions: readonly string[]): AwsKey["replicas"] {
        const replicas: AwsKey["replicas"] = {};
        for (const region of regions) replicas[region] = this.replica(name, origin, common, keyOpts, region);
        return replicas;
    }

    private replica(name: string, origin: Origin, common: CommonKeyArgs, keyOpts: KeyOptions, region: string): kms.ReplicaKey | kms.ReplicaExternalKey {
        const replicaArgs = {
            primaryKeyArn: this.key.arn,
            region,
            description: common.description,
            deletionWindowInDays: common.deletionWindowInDays,
            policy: common.policy,
            bypassPolicyLockoutSafetyCheck: false,
            tags: common.tags,
        };
        return origin === "byok"
            ? new peers.aws.kms.ReplicaExternalKey(`${name}-replica-${region}`, replicaArgs, keyOpts)
            : new peers.aws.kms.ReplicaKey(`${name}-replica-${region}`, replicaArgs, keyOpts);
    }

    /** BYOK: imports the material into the key, then into every replica. */
    private importMaterial(name: string, args: AwsKeyArgs): AwsImportedKeyMaterial[] {
        const importInto = (childName: string, keyId: pulumi.Input<string>, region: string) =>
            new AwsImportedKeyMaterial(childName, { keyId, region, algorithm: args.algorithm, material: args.material!, ...(args.validTo ? { validTo: args.validTo } : {}) }, { parent: this });
        const imports = [importInto(`${name}-material`, this.key.arn, args.region)];
        for (const [region, replica] of Object.entries(this.replicas)) imports.push(importInto(`${name}-material-${region}`, replica.arn, region));
        return imports;
    }

    protected checkGrant(role: GrantRole): void {
        if (role === "admin") {
            throw new KeyfabricValidationError(`Grant on ${this.baseName}`, [
                {
                    code: "unsupported",
                    path: "role",
                    message: "AWS KMS grants cannot confer key administration; administrators belong in the key policy",
                    allowed: "the administrators argument (or domain admins in a hierarchy)",
                    got: role,
                },
            ]);
        }
    }

    protected createGrant(role: GrantRole, principal: Principal, childName: string): pulumi.Resource[] {
        const ops = GRANT_OPERATIONS[role as Exclude<GrantRole, "admin">];
        const operations = this.shape.symmetric ? ops.symmetric : ops.asymmetric;
        return [
            new peers.aws.kms.Grant(
                childName,
                { keyId: this.key.id, granteePrincipal: principal, operations: [...operations], region: this.region },
                { parent: this },
            ),
        ];
    }
}
