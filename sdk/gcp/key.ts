/**
 * `keyfabric:gcp:Key`: a Cloud KMS crypto key in a given or created key ring, with IAM members for its roles.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as kms from "@pulumi/gcp/kms";
import * as peers from "../peers";
import type { IAMCustomRole } from "@pulumi/gcp/projects/iamcustomRole";
import { KeyComponent } from "../keyComponent";
import { gcpKeyShape, GcpKeyShape, supportsAutoRotation } from "../schema/capabilities";
import {
    Algorithm,
    ALGORITHMS,
    DEFAULTS,
    GrantRole,
    LIMITS,
    Origin,
    ORIGINS,
    Protection,
    PROTECTIONS,
    Purpose,
    PURPOSES,
} from "../schema/constants";
import { IssueCollector, KeyfabricValidationError } from "../schema/errors";
import { correlationLabels, KeyIdentity, slug } from "../schema/names";
import { checkPrincipalList, Principal } from "../schema/principals";
import { GcpCustomRoleRef, gcpRolesFor, strictAdminRole, strictAdminRoleId } from "./roles";
import { SEPARATION_MODES, SeparationOfDuties } from "../schema/separation";
import { GcpImportedKeyVersion } from "../byok/gcp";
import { MATERIAL_SOURCE_SHAPES, MaterialSource, materialSourceSchema } from "../byok/sources";
import { GcpImportMethod } from "../byok/wrap";

const KEY_ID = /^[a-zA-Z0-9_-]{1,63}$/;

export interface GcpKeyArgs {
    /** An existing key ring id (`projects/P/locations/L/keyRings/R`). Without it, one is created from `project`/`location`. */
    readonly keyRing?: pulumi.Input<string>;
    /** Project of the created key ring. */
    readonly project?: string;
    /** Location of the created key ring. */
    readonly location?: string;
    /** Name of the created key ring. @default the component name */
    readonly keyRingName?: string;
    /** The crypto key id. @default the component name */
    readonly keyName?: string;
    readonly purpose: Purpose;
    readonly algorithm: Algorithm;
    /** @default "software" */
    readonly protection?: Protection;
    /** `byok` creates an import-only key with no initial version. @default "cloud" */
    readonly origin?: Origin;
    /** Automatic rotation period in days; symmetric keys only. @default 365 for symmetric `cloud` keys */
    readonly rotationDays?: number;
    /** How long a destroyed version stays restorable, in days. @default 30 */
    readonly deletionWindowDays?: number;
    /** Members with `roles/cloudkms.admin` on the key. */
    readonly admins?: readonly Principal[];
    /** Members who use the key (the role follows the purpose). */
    readonly users?: readonly Principal[];
    readonly labels?: Record<string, string>;
    readonly identity?: KeyIdentity;
    /** Protect the key (and a created key ring) from deletion and keep it when removed. @default true */
    readonly protect?: boolean;
    /** BYOK: where the provider reads the material to import as the key's first version. Only the descriptor is stored. */
    readonly material?: MaterialSource;
    /** BYOK: the import job's method. @default "RSA_OAEP_4096_SHA256_AES_256" */
    readonly importMethod?: GcpImportMethod;
    /**
     * `standard`: admins get `roles/cloudkms.admin` (which includes `setIamPolicy`). `strict`: admins get a custom role
     * with its management permissions minus `setIamPolicy` and use (sdk/gcp/roles.ts STRICT_ADMIN_PERMISSIONS), and
     * only the deployer changes the key's IAM policy. @default "standard"
     */
    readonly separationOfDuties?: SeparationOfDuties;
    /**
     * `strict`: the administrators' custom role to grant (a KeyHierarchy creates one per project). Without it the key
     * creates its own `gcp.projects.IAMCustomRole` `<name>-admin-role` in `project` (or the key ring's project).
     */
    readonly adminRole?: GcpCustomRoleRef;
}

export function checkGcpKeyArgs(name: string, args: GcpKeyArgs): IssueCollector {
    const issues = new IssueCollector();
    if (!PURPOSES.includes(args.purpose)) issues.add({ code: "invalid_value", path: "purpose", message: "is not a purpose", allowed: PURPOSES, got: args.purpose });
    if (!ALGORITHMS.includes(args.algorithm)) issues.add({ code: "invalid_value", path: "algorithm", message: "is not an algorithm", allowed: ALGORITHMS, got: args.algorithm });
    const protection = args.protection ?? "software";
    if (!PROTECTIONS.includes(protection)) issues.add({ code: "invalid_value", path: "protection", message: "is not a protection level", allowed: PROTECTIONS, got: protection });
    const origin = args.origin ?? "cloud";
    if (!ORIGINS.includes(origin)) issues.add({ code: "invalid_value", path: "origin", message: "is not an origin", allowed: ORIGINS, got: origin });
    if (args.keyRing === undefined && (!args.project || !args.location)) {
        issues.add({ code: "missing", path: "keyRing", message: "is required unless project and location are given to create a key ring" });
    }
    const keyName = args.keyName ?? name;
    if (!KEY_ID.test(keyName)) issues.add({ code: "invalid_value", path: "keyName", message: "is not a valid crypto key id", allowed: "1-63 letters, digits, _ and -", got: keyName });
    if (args.keyRing === undefined && !KEY_ID.test(args.keyRingName ?? name)) {
        issues.add({ code: "invalid_value", path: "keyRingName", message: "is not a valid key ring id", allowed: "1-63 letters, digits, _ and -", got: args.keyRingName ?? name });
    }
    if (PURPOSES.includes(args.purpose) && ALGORITHMS.includes(args.algorithm) && PROTECTIONS.includes(protection)) {
        const cap = gcpKeyShape(args.algorithm, args.purpose, protection);
        if (!cap.ok) issues.add({ code: "unsupported", path: "purpose", message: cap.reason, allowed: cap.allowed, got: args.purpose });
        if (args.rotationDays !== undefined && !supportsAutoRotation("gcp", args.algorithm, origin)) {
            issues.add({ code: "unsupported", path: "rotationDays", message: origin === "byok" ? "Cloud KMS never rotates imported keys automatically" : `Cloud KMS has no automatic rotation for ${args.algorithm} keys`, allowed: "leave rotationDays out", got: args.rotationDays });
        }
    }
    if (args.rotationDays !== undefined && (!Number.isInteger(args.rotationDays) || args.rotationDays < LIMITS.gcpRotationDays.min || args.rotationDays > LIMITS.gcpRotationDays.max)) {
        issues.add({ code: "out_of_range", path: "rotationDays", message: "is out of range", allowed: `${LIMITS.gcpRotationDays.min}-${LIMITS.gcpRotationDays.max}`, got: args.rotationDays });
    }
    const dw = args.deletionWindowDays;
    if (dw !== undefined && (!Number.isInteger(dw) || dw < 1 || dw > 120)) {
        issues.add({ code: "out_of_range", path: "deletionWindowDays", message: "is outside Cloud KMS's destroy-scheduled duration", allowed: "1-120", got: dw });
    }
    if (args.material !== undefined) {
        if (origin !== "byok") issues.add({ code: "unsupported", path: "material", message: "applies to byok keys only", allowed: "origin: byok", got: origin });
        if (!materialSourceSchema.safeParse(args.material).success) {
            issues.add({ code: "invalid_value", path: "material", message: "is not a material source", allowed: MATERIAL_SOURCE_SHAPES, got: args.material });
        }
    }
    checkGcpSeparation(args, issues);
    checkPrincipalList("gcp", args.admins, "admins").forEach((i) => issues.add(i));
    checkPrincipalList("gcp", args.users, "users").forEach((i) => issues.add(i));
    (args.users ?? []).forEach((u, i) => {
        if (typeof u === "string" && (args.admins ?? []).includes(u)) {
            issues.add({ code: "separation_of_duties", path: `users[${i}]`, message: "is also an admin: separate key administration from key use", got: u });
        }
    });
    return issues;
}

/** The project a strict key's own custom role goes to: `project`, else the key ring id's. */
function roleProject(args: GcpKeyArgs): string | undefined {
    if (args.project) return args.project;
    return typeof args.keyRing === "string" ? /^projects\/([^/]+)\//.exec(args.keyRing)?.[1] : undefined;
}

function checkGcpSeparation(args: GcpKeyArgs, issues: IssueCollector): void {
    const mode = args.separationOfDuties ?? "standard";
    if (!SEPARATION_MODES.includes(mode)) {
        issues.add({ code: "invalid_value", path: "separationOfDuties", message: "is not one of the allowed values", allowed: SEPARATION_MODES, got: mode });
    } else if (mode !== "strict" && args.adminRole !== undefined) {
        issues.add({ code: "unsupported", path: "adminRole", message: "applies with separationOfDuties strict only", allowed: "separationOfDuties: strict, or leave adminRole out" });
    } else if (mode === "strict" && args.adminRole === undefined && !roleProject(args)) {
        issues.add({ code: "missing", path: "project", message: "is required with separationOfDuties strict to create the administrators' custom role (the key ring is an Output), unless adminRole is given" });
    }
}

const days = (d: number) => `${d * 86400}s`;

function cryptoKeyArgs(name: string, args: GcpKeyArgs, origin: Origin, shape: GcpKeyShape, keyRing: pulumi.Input<string>): kms.CryptoKeyArgs {
    const rotationDays = args.rotationDays ?? (supportsAutoRotation("gcp", args.algorithm, origin) ? DEFAULTS.rotationDays : undefined);
    return {
        keyRing,
        name: args.keyName ?? name,
        purpose: shape.purpose,
        versionTemplate: { algorithm: shape.algorithm, protectionLevel: shape.protectionLevel },
        ...(rotationDays !== undefined ? { rotationPeriod: days(rotationDays) } : {}),
        destroyScheduledDuration: days(args.deletionWindowDays ?? DEFAULTS.deletionWindowDays),
        ...(origin === "byok" ? { importOnly: true, skipInitialVersionCreation: true } : {}),
        labels: correlationLabels(args.identity, args.labels),
    };
}

export class GcpKey extends KeyComponent {
    readonly keyRing?: kms.KeyRing;
    readonly keyRingId: pulumi.Output<string>;
    readonly cryptoKey: kms.CryptoKey;
    /** `projects/P/locations/L/keyRings/R/cryptoKeys/K`. */
    readonly cryptoKeyId: pulumi.Output<string>;
    readonly members: pulumi.Resource[];
    /** BYOK: the imported version(s). */
    readonly imported?: GcpImportedKeyVersion;
    readonly shape: GcpKeyShape;
    /** `strict`: the custom role administrators get (given, or created by this key: {@link GcpKey.createdAdminRole}). */
    readonly adminRole?: GcpCustomRoleRef;
    /** `strict` without `adminRole`: the custom role this key created. */
    readonly createdAdminRole?: IAMCustomRole;

    constructor(name: string, args: GcpKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        checkGcpKeyArgs(name, args).throwIfAny(`keyfabric:gcp:Key "${name}"`);
        super("keyfabric:gcp:Key", name, "gcp", args.purpose, args, opts);
        const cap = gcpKeyShape(args.algorithm, args.purpose, args.protection ?? "software");
        if (!cap.ok) throw new KeyfabricValidationError(name, [{ code: "unsupported", path: "algorithm", message: cap.reason }]);
        this.shape = cap.shape;
        const origin = args.origin ?? "cloud";
        const protect = args.protect ?? true;
        const keepOpts: pulumi.CustomResourceOptions = { parent: this, protect, retainOnDelete: protect };

        if (args.keyRing !== undefined) {
            // An Output (a hierarchy's key ring id) is used as is: `pulumi.output` would wrap it in two more.
            this.keyRingId = pulumi.Output.isInstance(args.keyRing) ? (args.keyRing as pulumi.Output<string>) : pulumi.output(args.keyRing);
        } else {
            this.keyRing = new peers.gcp.kms.KeyRing(`${name}-ring`, { name: args.keyRingName ?? name, project: args.project, location: args.location! }, keepOpts);
            this.keyRingId = this.keyRing.id;
        }
        // Children are created in short methods: Pulumi captures a stack trace for every promise of a resource,
        // and V8's cost for a frame grows with how far into its function the call is.
        this.cryptoKey = this.createCryptoKey(name, args, origin, keepOpts);
        this.cryptoKeyId = this.cryptoKey.id;
        if (origin === "byok" && args.material) {
            this.imported = new GcpImportedKeyVersion(
                `${name}-material`,
                { cryptoKey: this.cryptoKey.id, algorithm: args.algorithm, material: args.material, ...(args.importMethod ? { importMethod: args.importMethod } : {}) },
                { parent: this },
            );
        }

        if ((args.separationOfDuties ?? "standard") === "strict") {
            if (args.adminRole) this.adminRole = args.adminRole;
            else {
                const created = strictAdminRole(`${name}-admin-role`, roleProject(args)!, strictAdminRoleId(name), name, { parent: this });
                this.adminRole = created.ref;
                this.createdAdminRole = created.role;
            }
        }
        this.members = this.grantRoles(args.admins, args.users);

        this.registerOutputs({ keyRingId: this.keyRingId, cryptoKeyId: this.cryptoKeyId });
    }

    private createCryptoKey(name: string, args: GcpKeyArgs, origin: Origin, keepOpts: pulumi.CustomResourceOptions): kms.CryptoKey {
        return new peers.gcp.kms.CryptoKey(`${name}-key`, cryptoKeyArgs(name, args, origin, this.shape, this.keyRingId), keepOpts);
    }

    protected checkGrant(): void {
        /* every role maps to a Cloud KMS IAM role */
    }

    protected createGrant(role: GrantRole, principal: Principal, childName: string): kms.CryptoKeyIAMMember[] {
        const custom = this.adminRole;
        return gcpRolesFor(role, this.shape, custom).map(
            (iamRole) =>
                new peers.gcp.kms.CryptoKeyIAMMember(
                    `${childName}-${custom && iamRole === custom.name ? "key-admin" : slug(iamRole.replace(/^roles\/cloudkms\.(cryptoKey)?/, ""), 24)}`,
                    { cryptoKeyId: this.cryptoKey.id, role: iamRole, member: principal },
                    custom?.resource && iamRole === custom.name ? { parent: this, dependsOn: [custom.resource] } : { parent: this },
                ),
        );
    }
}

