/**
 * Validation of a whole hierarchy: shapes (zod) plus every cross-field rule, all problems collected and thrown
 * together before any resource is created. The result is the resolved model the components are built from.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    AwsKeyShape,
    AzureKeyShape,
    awsKeyShape,
    azureKeyShape,
    Capability,
    GcpKeyShape,
    gcpKeyShape,
    supportsAutoRotation,
} from "./capabilities";
import {
    Algorithm,
    ALGORITHMS,
    PURPOSES,
    Classification,
    CloudName,
    CLOUDS,
    DEFAULTS,
    LIMITS,
    Origin,
    Protection,
    Purpose,
} from "./constants";
import { IssueCollector, joinPath, ValidationIssue } from "./errors";
import { KeyIdentity } from "./names";
import { MATERIAL_SOURCE_SHAPES, type MaterialSource } from "../byok/sources";
import { checkPrincipalList, Principal } from "./principals";
import { decodeMessage, HierarchySpec, hierarchySchema, PerCloud, plainZodMessage } from "./schema";
import { checkAliasNames, checkCloudNames, checkResourceNames } from "./collisions";
import { checkByok } from "./material";
import { checkTags } from "./tags";
import { checkHierarchyDeployer, resolveSeparation, ResolvedSeparation } from "./separation";

export interface ResolvedKey {
    /** `domain/key`. */
    readonly id: string;
    /** Where the key is declared in the spec, e.g. `domains[0].keys[2]`. */
    readonly path: string;
    readonly identity: KeyIdentity;
    readonly description: string;
    readonly purpose: Purpose;
    readonly algorithm: Algorithm;
    readonly origin: Origin;
    readonly protection: Protection;
    readonly clouds: readonly CloudName[];
    /** The cryptoperiod of symmetric keys in AWS and GCP, and of every key in Azure (undefined: no automatic rotation). */
    readonly rotationDays?: number;
    /**
     * The cryptoperiod in Azure, which rotates every key it generates (a rotation policy): `rotationDays`, or the
     * inherited cryptoperiod for an RSA or EC key that AWS and GCP cannot rotate. Undefined for imported (byok) keys.
     */
    readonly azureRotationDays?: number;
    readonly deletionWindowDays: number;
    readonly admins: PerCloud<Principal[]>;
    readonly users: PerCloud<Principal[]>;
    readonly multiRegion: boolean;
    readonly regions: PerCloud<string[]>;
    readonly aliases: readonly string[];
    readonly tags: Record<string, string>;
    /** BYOK: where the providers read the material (descriptor only). */
    readonly material?: MaterialSource;
    /** BYOK in AWS: material expiry. */
    readonly validTo?: string;
    readonly shapes: { aws?: AwsKeyShape; gcp?: GcpKeyShape; azure?: AzureKeyShape };
}

export interface ResolvedDomain extends ResolvedSeparation {
    readonly name: string;
    readonly classification: Classification;
    readonly path: string;
    readonly keys: readonly ResolvedKey[];
}

/** Audit logging of key use, resolved per cloud (absent: nothing configured for that cloud). */
export interface ResolvedAudit {
    /** AWS: the account baseline's multi-Region trail (`external` or its ARN); keyfabric creates nothing. */
    readonly aws?: { readonly trail: string };
    /** GCP: keyfabric creates the Cloud KMS IAMAuditConfig on `project` unless `external`. */
    readonly gcp?: { readonly external: boolean; readonly project?: string };
    /** Azure: keyfabric creates a diagnostic setting per vault it creates (and the existing ones with `includeExisting`) unless `external`. */
    readonly azure?: {
        readonly external: boolean;
        readonly workspaceId?: pulumi.Input<string>;
        readonly storageAccountId?: pulumi.Input<string>;
        readonly includeExisting: boolean;
    };
}

export interface ResolvedHierarchy {
    readonly spec: HierarchySpec;
    readonly domains: readonly ResolvedDomain[];
    readonly configuredClouds: readonly CloudName[];
    readonly audit: ResolvedAudit;
    /**
     * What the spec allows but a deployment may trip on, found without reading key material: material sources that
     * are missing or unusable here, BYOK keys left import-ready, material that expires soon. `KeyHierarchy` logs each
     * with `pulumi.log.warn`.
     */
    readonly warnings: readonly ValidationIssue[];
}

export interface ValidateOptions {
    /** The `KeyHierarchy` component's name, the prefix of its children's names. @default the spec's name */
    readonly resourceName?: string;
    /** The time `validTo` is compared with. @default now */
    readonly now?: Date;
    /** Look at material sources (files, environment variables, programs) for warnings. @default true */
    readonly checkMaterialSources?: boolean;
}

/** Converts zod issues into ours, with allowed values and the received value. */
export function zodIssues(error: z.ZodError, prefix: readonly (string | number)[] = []): ValidationIssue[] {
    return error.issues.map((iss) => {
        const path = joinPath([...prefix, ...(iss.path as (string | number)[])]);
        const decoded = decodeMessage(plainZodMessage(iss as Parameters<typeof plainZodMessage>[0]) ?? iss.message);
        const input = (iss as { input?: unknown }).input;
        const out: { code: string; path: string; message: string; allowed?: string; got?: unknown } = {
            code: iss.code,
            path,
            message: decoded.message,
        };
        if (decoded.allowed) out.allowed = decoded.allowed;
        if (iss.code === "unrecognized_keys") return out;
        if (input === undefined && (iss.code === "invalid_type" || iss.code === "invalid_value")) {
            out.message = "is required";
        } else if (iss.code !== "custom" || input !== undefined) {
            out.got = input;
        }
        return out;
    });
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isObj = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Validates and resolves a hierarchy spec; throws `KeyfabricValidationError` listing every problem. */
export function validateHierarchy(input: unknown, options: ValidateOptions = {}): ResolvedHierarchy {
    const issues = new IssueCollector();
    const parsed = hierarchySchema.safeParse(input, { reportInput: true });
    if (!parsed.success) zodIssues(parsed.error).forEach((i) => issues.add(i));

    const spec: Record<string, any> = isObj(input) ? input : {};
    const clouds = isObj(spec.clouds) ? spec.clouds : {};
    const configured = CLOUDS.filter((c) => isObj(clouds[c]));
    if (isObj(spec.clouds) && configured.length === 0) {
        issues.add({ code: "no_cloud", path: "clouds", message: "must configure at least one cloud", allowed: CLOUDS.join(", "), got: "none" });
    }
    // The network settings of the vaults keyfabric creates mean nothing for an existing vault.
    const vault = isObj(clouds.azure) && isObj(clouds.azure.vault) ? clouds.azure.vault : {};
    if (typeof vault.name === "string") {
        for (const field of ["ipRules", "privateEndpoint"]) {
            if (vault[field] !== undefined) {
                issues.add({ code: "unsupported", path: `clouds.azure.vault.${field}`, message: "applies to the vaults keyfabric creates, and clouds.azure.vault.name names an existing one", allowed: `leave ${field} out, or clouds.azure.vault.name` });
            }
        }
    }
    const defaults = isObj(spec.defaults) ? spec.defaults : {};
    const domains: ResolvedDomain[] = [];
    const domainNames = new Map<string, number>();
    const aliasOwners = new Map<string, string>();

    asArray(spec.domains).forEach((rawDomain, di) => {
        if (!isObj(rawDomain)) return;
        const dpath = `domains[${di}]`;
        const dname = str(rawDomain.name) ?? `#${di}`;
        if (domainNames.has(dname)) {
            issues.add({ code: "duplicate", path: `${dpath}.name`, message: `duplicates domains[${domainNames.get(dname)}].name`, got: dname });
        } else domainNames.set(dname, di);

        const classification = str(rawDomain.classification) as Classification;
        for (const cloud of CLOUDS) {
            for (const role of ["admins", "users"] as const) {
                const perCloud = isObj(rawDomain[role]) ? rawDomain[role] : {};
                checkPrincipalList(cloud, perCloud[cloud], `${dpath}.${role}.${cloud}`).forEach((i) => issues.add(i));
                if (perCloud[cloud] !== undefined && configured.length > 0 && !configured.includes(cloud)) {
                    issues.add({ code: "cloud_not_configured", path: `${dpath}.${role}.${cloud}`, message: `names ${cloud} principals but clouds.${cloud} is not configured`, allowed: configured.join(", ") });
                }
            }
        }
        for (const cloud of CLOUDS) {
            const dAdmins = asArray(isObj(rawDomain.admins) ? rawDomain.admins[cloud] : undefined);
            asArray(isObj(rawDomain.users) ? rawDomain.users[cloud] : undefined).forEach((u, i) => {
                if (typeof u === "string" && dAdmins.includes(u)) {
                    issues.add({ code: "separation_of_duties", path: `${dpath}.users.${cloud}[${i}]`, message: `is also an admin of domain ${dname}: separate key administration from key use`, got: u });
                }
            });
        }
        const domainProtection = str(rawDomain.protection) as Protection | undefined;
        if (classification === "restricted" && domainProtection === "software") {
            issues.add({ code: "restricted_needs_hsm", path: `${dpath}.protection`, message: "restricted domains keep their keys in HSMs", allowed: "hsm", got: "software" });
        }
        const residency: PerCloud<string[]> = isObj(rawDomain.regions) ? rawDomain.regions : {};
        for (const cloud of CLOUDS) {
            const primary = primaryLocation(cloud, clouds);
            const allowed = residency[cloud];
            // A list with entries that are not region names is reported by the schema; residency waits until it is fixed.
            if (Array.isArray(allowed) && allowed.every((r) => typeof r === "string") && primary && !allowed.includes(primary) && hasKeysIn(rawDomain, cloud, configured)) {
                issues.add({
                    code: "residency",
                    path: `${dpath}.regions.${cloud}`,
                    message: `does not allow clouds.${cloud}.${cloud === "aws" ? "region" : "location"}, where this domain's keys would be created`,
                    allowed: allowed.join(", "),
                    got: primary,
                });
            }
        }

        const keyNames = new Map<string, number>();
        const keys: ResolvedKey[] = [];
        asArray(rawDomain.keys).forEach((rawKey, ki) => {
            if (!isObj(rawKey)) return;
            const kpath = `${dpath}.keys[${ki}]`;
            const kname = str(rawKey.name) ?? `#${ki}`;
            if (keyNames.has(kname)) {
                issues.add({ code: "duplicate", path: `${kpath}.name`, message: `duplicates ${dpath}.keys[${keyNames.get(kname)}].name in domain ${dname}`, got: kname });
            } else keyNames.set(kname, ki);
            const resolved = resolveKey({ rawKey, kpath, rawDomain, dname, spec, clouds, configured, defaults, residency, issues, aliasOwners });
            if (resolved) keys.push(resolved);
        });
        const keyClouds = CLOUDS.filter((c) => keys.some((k) => k.clouds.includes(c)));
        domains.push({ name: dname, classification, path: dpath, keys, ...resolveSeparation(spec, rawDomain, dpath, dname, keyClouds, configured, issues) });
    });
    checkHierarchyDeployer(spec, configured, domains.filter((d) => d.separationOfDuties === "strict").length, issues);

    const audit = resolveAudit(spec, clouds, configured, domains, issues);

    // What the components would create, and the clouds would hold, from these names and tags.
    const names = { spec, resourceName: options.resourceName ?? str(spec.name) ?? "keyfabric" };
    checkTags(spec, domains, issues);
    checkResourceNames(names, domains, issues);
    checkAliasNames(names, domains, issues);
    checkCloudNames(names, domains, issues);
    const warnings = checkByok(domains, options.now ?? new Date(), issues, options.checkMaterialSources ?? true);

    issues.throwIfAny(`Key hierarchy${typeof spec.name === "string" ? ` "${spec.name}"` : ""}`);
    return { spec: input as HierarchySpec, domains, configuredClouds: configured, audit, warnings };
}

/** What each cloud's `audit` entry accepts, for messages. */
const AUDIT_ALLOWED: Record<CloudName, string> = {
    aws: "{trail: external} or {trail: <CloudTrail trail ARN>}",
    gcp: "{} (keyfabric creates the Cloud KMS audit config) or {external: true}",
    azure: "{workspaceId and/or storageAccountId} or {external: true}",
};

/**
 * `audit`: each cloud's entry needs its cloud configured; Azure needs a destination or `external`, and an explicit
 * `includeExisting` when keys go to a vault or Managed HSM keyfabric does not own. Once a spec has `audit`, every
 * cloud holding keys of a restricted domain must be in it.
 */
function resolveAudit(
    spec: Record<string, any>,
    clouds: Record<string, any>,
    configured: readonly CloudName[],
    domains: readonly ResolvedDomain[],
    issues: IssueCollector,
): ResolvedAudit {
    if (!isObj(spec.audit)) return {};
    const raw = spec.audit;
    const audit: { -readonly [C in keyof ResolvedAudit]: ResolvedAudit[C] } = {};
    for (const cloud of CLOUDS) {
        if (raw[cloud] !== undefined && configured.length > 0 && !configured.includes(cloud)) {
            issues.add({ code: "cloud_not_configured", path: `audit.${cloud}`, message: `configures ${cloud} audit logging but clouds.${cloud} is not configured`, allowed: configured.join(", ") });
        }
    }
    const keysIn = (cloud: CloudName) => domains.flatMap((d) => d.keys.filter((k) => k.shapes[cloud] !== undefined));

    if (isObj(raw.aws) && typeof raw.aws.trail === "string") audit.aws = { trail: raw.aws.trail };

    if (isObj(raw.gcp)) {
        const external = raw.gcp.external === true;
        const project = str(clouds.gcp?.project);
        audit.gcp = { external, ...(!external && project ? { project } : {}) };
    }

    if (isObj(raw.azure)) {
        const az = raw.azure;
        const external = az.external === true;
        const destinations = (["workspaceId", "storageAccountId"] as const).filter((f) => az[f] !== undefined);
        if (external) {
            for (const f of [...destinations, ...(az.includeExisting !== undefined ? ["includeExisting"] : [])]) {
                issues.add({
                    code: "conflict",
                    path: `audit.azure.${f}`,
                    message: "cannot be combined with external: true, which says another owner sets the diagnostic settings",
                    allowed: `leave ${f} out, or external: false`,
                });
            }
        } else if (destinations.length === 0) {
            issues.add({ code: "missing_destination", path: "audit.azure", message: "must name where the AuditEvent logs go", allowed: AUDIT_ALLOWED.azure });
        }
        // Vaults and Managed HSMs the keys use that keyfabric does not create.
        const azureKeys = keysIn("azure");
        const existing = [
            ...(isObj(clouds.azure?.vault) && typeof clouds.azure.vault.name === "string" && azureKeys.some((k) => k.shapes.azure!.container === "vault") ? ["an existing vault (clouds.azure.vault.name)"] : []),
            ...(azureKeys.some((k) => k.shapes.azure!.container === "managedHsm") ? ["the Managed HSM (clouds.azure.managedHsm)"] : []),
        ];
        if (!external && az.includeExisting === undefined && existing.length > 0) {
            issues.add({
                code: "missing",
                path: "audit.azure.includeExisting",
                message: `is required: keys go to ${existing.join(" and ")}, which keyfabric does not own; say whether keyfabric sets ${existing.length > 1 ? "their diagnostic settings" : "its diagnostic setting"}`,
                allowed: "true (keyfabric creates it), false (its owner does)",
            });
        }
        if (!external && az.includeExisting === true && existing.length === 0) {
            issues.add({
                code: "unsupported",
                path: "audit.azure.includeExisting",
                message: "applies to an existing vault (clouds.azure.vault.name) or the Managed HSM that keys use, and this hierarchy's keys use neither",
                allowed: "leave includeExisting out",
                got: true,
            });
        }
        audit.azure = {
            external,
            includeExisting: !external && az.includeExisting === true,
            ...(!external && az.workspaceId !== undefined ? { workspaceId: az.workspaceId } : {}),
            ...(!external && az.storageAccountId !== undefined ? { storageAccountId: az.storageAccountId } : {}),
        };
    }

    // Restricted domains: once audit is declared, it covers every cloud that holds their keys.
    for (const cloud of CLOUDS) {
        if (raw[cloud] !== undefined || !configured.includes(cloud)) continue;
        const restricted = domains.find((d) => d.classification === "restricted" && d.keys.some((k) => k.shapes[cloud] !== undefined));
        if (restricted) {
            issues.add({
                code: "audit_required",
                path: `audit.${cloud}`,
                message: `is required: domain ${restricted.name} is restricted and has ${cloud} keys, and a spec with audit covers every cloud that holds restricted keys`,
                allowed: AUDIT_ALLOWED[cloud],
            });
        }
    }
    return audit;
}

function primaryLocation(cloud: CloudName, clouds: Record<string, any>): string | undefined {
    const c = clouds[cloud];
    if (!isObj(c)) return undefined;
    return str(cloud === "aws" ? c.region : c.location);
}

function hasKeysIn(rawDomain: Record<string, any>, cloud: CloudName, configured: readonly CloudName[]): boolean {
    return asArray(rawDomain.keys).some((k) => {
        if (!isObj(k)) return false;
        const kc = Array.isArray(k.clouds) ? k.clouds : configured;
        return kc.includes(cloud);
    });
}

interface KeyContext {
    rawKey: Record<string, any>;
    kpath: string;
    rawDomain: Record<string, any>;
    dname: string;
    spec: Record<string, any>;
    clouds: Record<string, any>;
    configured: readonly CloudName[];
    defaults: Record<string, any>;
    residency: PerCloud<string[]>;
    issues: IssueCollector;
    aliasOwners: Map<string, string>;
}

function resolveKey(ctx: KeyContext): ResolvedKey | undefined {
    const { rawKey, kpath, rawDomain, dname, spec, clouds, configured, defaults, residency, issues } = ctx;
    const kname = str(rawKey.name) ?? "";
    const purpose = str(rawKey.purpose) as Purpose;
    const algorithm = str(rawKey.algorithm) as Algorithm;
    const origin = (str(rawKey.origin) ?? "cloud") as Origin;
    const classification = str(rawDomain.classification) as Classification;
    const protection = (str(rawKey.protection) ??
        str(rawDomain.protection) ??
        (classification === "restricted" ? "hsm" : str(defaults.protection)) ??
        "software") as Protection;
    if (classification === "restricted" && rawKey.protection === "software") {
        issues.add({ code: "restricted_needs_hsm", path: `${kpath}.protection`, message: "keys of restricted domains are kept in HSMs", allowed: "hsm", got: "software" });
    }

    // Which clouds get an instance.
    let keyClouds: CloudName[] = [...configured];
    if (Array.isArray(rawKey.clouds)) {
        keyClouds = [];
        rawKey.clouds.forEach((c: unknown, i: number) => {
            if (typeof c !== "string" || !(CLOUDS as readonly string[]).includes(c)) return; // zod reports it
            if (!configured.includes(c as CloudName)) {
                if (configured.length === 0) return; // "clouds: must configure at least one cloud" covers it
                issues.add({ code: "cloud_not_configured", path: `${kpath}.clouds[${i}]`, message: `is not configured in clouds`, allowed: configured.join(", "), got: c });
            } else if (keyClouds.includes(c as CloudName)) {
                issues.add({ code: "duplicate", path: `${kpath}.clouds[${i}]`, message: "is listed twice", got: c });
            } else keyClouds.push(c as CloudName);
        });
        if (rawKey.clouds.length === 0) {
            issues.add({ code: "no_cloud", path: `${kpath}.clouds`, message: "must list at least one cloud, or be left out for all configured clouds", allowed: configured.join(", "), got: rawKey.clouds });
        }
    }

    // Capabilities per cloud.
    const knownAlgo = ALGORITHMS.includes(algorithm) && PURPOSES.includes(purpose);
    const shapes: ResolvedKey["shapes"] = {};
    const azure = isObj(clouds.azure) ? clouds.azure : {};
    if (knownAlgo) {
        for (const cloud of keyClouds) {
            let cap: Capability<AwsKeyShape | GcpKeyShape | AzureKeyShape>;
            try {
                cap =
                    cloud === "aws"
                        ? awsKeyShape(algorithm, purpose)
                        : cloud === "gcp"
                          ? gcpKeyShape(algorithm, purpose, protection)
                          : azureKeyShape(algorithm, purpose, protection, isObj(azure.managedHsm));
            } catch {
                continue; // unknown algorithm or purpose: zod reports it
            }
            if (!cap.ok) {
                const path = cap.reason.includes("cannot be used to") ? `${kpath}.purpose` : `${kpath}.algorithm`;
                issues.add({ code: "unsupported", path, message: cap.reason, allowed: cap.allowed, got: path.endsWith("purpose") ? purpose : algorithm });
                continue;
            }
            (shapes as any)[cloud] = cap.shape;
            if (cloud === "azure" && cap.shape.cloud === "azure" && cap.shape.vaultSku === "premium" && azure.vault?.sku === "standard") {
                issues.add({ code: "unsupported", path: "clouds.azure.vault.sku", message: `a standard vault cannot hold HSM-protected keys such as ${dname}/${kname}`, allowed: "premium", got: "standard" });
            }
        }
    }

    // Rotation: explicit on the key, else inherited by the keys each cloud generates and rotates (symmetric keys in
    // AWS and GCP; every key Azure generates, through its rotation policy).
    const explicitRotation = typeof rawKey.rotationDays === "number" ? (rawKey.rotationDays as number) : undefined;
    const inherited = typeof rawDomain.rotationDays === "number" ? rawDomain.rotationDays : typeof defaults.rotationDays === "number" ? defaults.rotationDays : DEFAULTS.rotationDays;
    let rotationDays: number | undefined;
    if (explicitRotation !== undefined) {
        if (origin === "byok") {
            issues.add({ code: "unsupported", path: `${kpath}.rotationDays`, message: "imported (byok) material is never rotated by the cloud: rotate by importing new material", allowed: "leave rotationDays out for byok keys", got: explicitRotation });
        } else if (knownAlgo) {
            const without = keyClouds.filter((c) => !supportsAutoRotation(c, algorithm, origin));
            if (without.length > 0) {
                issues.add({
                    code: "unsupported",
                    path: `${kpath}.rotationDays`,
                    message: `${without.join(" and ")} ${without.length > 1 ? "have" : "has"} no automatic rotation for ${algorithm} keys: ${without.includes("azure") ? "Azure has no HMAC keys to rotate" : `${without.length > 1 ? "they rotate" : "it rotates"} only symmetric keys ${without.length > 1 ? "they generate" : "it generates"}`}`,
                    allowed: rotationFix(algorithm, without, configured),
                    got: explicitRotation,
                });
            }
        }
        rotationDays = explicitRotation;
    } else if (origin === "cloud" && algorithm === "AES_256") {
        rotationDays = inherited;
    }
    if (rotationDays !== undefined && isDays(rotationDays) && keyClouds.includes("aws") && (rotationDays < LIMITS.awsRotationDays.min || rotationDays > LIMITS.awsRotationDays.max) && origin === "cloud" && algorithm === "AES_256") {
        const where = explicitRotation !== undefined ? `${kpath}.rotationDays` : typeof rawDomain.rotationDays === "number" ? `${ctx.kpath.replace(/\.keys\[\d+\]$/, "")}.rotationDays` : "defaults.rotationDays";
        issues.add({ code: "out_of_range", path: where, message: `is outside AWS KMS's rotation period range (key ${dname}/${kname})`, allowed: `${LIMITS.awsRotationDays.min}-${LIMITS.awsRotationDays.max}`, got: rotationDays });
    }
    const azureRotationDays =
        rotationDays ?? (explicitRotation === undefined && origin === "cloud" && knownAlgo && supportsAutoRotation("azure", algorithm, origin) ? inherited : undefined);
    if (azureRotationDays !== undefined && keyClouds.includes("azure") && azureRotationDays < LIMITS.azureRotationDays.min) {
        const where = explicitRotation !== undefined ? `${kpath}.rotationDays` : typeof rawDomain.rotationDays === "number" ? `${ctx.kpath.replace(/\.keys\[\d+\]$/, "")}.rotationDays` : "defaults.rotationDays";
        const which = explicitRotation !== undefined ? "" : ` (key ${dname}/${kname})`;
        issues.add({ code: "out_of_range", path: where, message: `is below Azure's minimum rotation period${which}`, allowed: `${LIMITS.azureRotationDays.min}-${LIMITS.azureRotationDays.max}`, got: azureRotationDays });
    }

    // BYOK.
    if (origin === "byok" && keyClouds.includes("azure") && rawKey.material === undefined) {
        issues.add({
            code: "missing_material",
            path: `${kpath}.material`,
            message: "is required for a byok key in Azure: Azure creates imported keys by the import itself",
            allowed: MATERIAL_SOURCE_SHAPES,
        });
    }
    if (origin !== "byok" && rawKey.material !== undefined) {
        issues.add({ code: "unsupported", path: `${kpath}.material`, message: "applies to byok keys only", allowed: "origin: byok", got: origin });
    }
    // Azure's software import is a plaintext JWK: a key that stays in its token goes in only as a BYOK blob (hsm).
    if (origin === "byok" && keyClouds.includes("azure") && isObj(rawKey.material) && typeof rawKey.material.pkcs11 === "string" && protection !== "hsm") {
        const from = rawKey.protection !== undefined ? "" : rawDomain.protection !== undefined ? " (the domain's)" : defaults.protection !== undefined ? " (from defaults)" : " (the default)";
        issues.add({
            code: "unsupported",
            path: `${kpath}.protection`,
            message: `is ${protection}${from}, and a key in a PKCS#11 token is imported into Azure only with protection hsm (a BYOK blob wrapped in the token): a software import would need its plaintext as a JWK`,
            allowed: "hsm (on the key, its domain or defaults), or leave azure out of this key's clouds",
            got: protection,
        });
    }
    if (rawKey.validTo !== undefined && (origin !== "byok" || !keyClouds.includes("aws"))) {
        issues.add({
            code: "unsupported",
            path: `${kpath}.validTo`,
            message: "is the expiry of material imported into AWS: it needs origin byok and an AWS instance",
            allowed: "leave validTo out (Cloud KMS and Azure imported keys do not expire), or origin: byok with aws in clouds",
            got: rawKey.validTo,
        });
    }

    // Principals.
    const keyUsers: PerCloud<unknown> = isObj(rawKey.users) ? rawKey.users : {};
    for (const cloud of CLOUDS) {
        checkPrincipalList(cloud, keyUsers[cloud], `${kpath}.users.${cloud}`).forEach((i) => issues.add(i));
        if (keyUsers[cloud] !== undefined && !keyClouds.includes(cloud)) {
            issues.add({ code: "cloud_not_configured", path: `${kpath}.users.${cloud}`, message: `names ${cloud} principals but the key has no ${cloud} instance`, allowed: keyClouds.join(", ") });
        }
    }
    const admins: PerCloud<Principal[]> = {};
    const users: PerCloud<Principal[]> = {};
    for (const cloud of keyClouds) {
        const dAdmins = asArray(isObj(rawDomain.admins) ? rawDomain.admins[cloud] : undefined) as Principal[];
        const dUsers = asArray(isObj(rawDomain.users) ? rawDomain.users[cloud] : undefined) as Principal[];
        const kUsers = asArray(keyUsers[cloud]) as Principal[];
        admins[cloud] = dedupe(dAdmins);
        users[cloud] = dedupe([...dUsers, ...kUsers]);
        kUsers.forEach((u, i) => {
            if (typeof u === "string" && dAdmins.includes(u)) {
                issues.add({ code: "separation_of_duties", path: `${kpath}.users.${cloud}[${i}]`, message: `is an admin of domain ${dname} and a user of ${dname}/${kname}: separate key administration from key use`, got: u });
            }
        });
    }

    // Regions: multi-Region replicas and residency.
    const regions: PerCloud<string[]> = {};
    const rawRegions = isObj(rawKey.regions) ? rawKey.regions : {};
    const multiRegion = rawKey.multiRegion === true;
    for (const cloud of CLOUDS) {
        const extra = rawRegions[cloud];
        if (!Array.isArray(extra)) continue;
        if (!keyClouds.includes(cloud)) {
            if (configured.length > 0) issues.add({ code: "cloud_not_configured", path: `${kpath}.regions.${cloud}`, message: `lists ${cloud} regions but the key has no ${cloud} instance`, allowed: keyClouds.join(", ") });
            continue;
        }
        if (cloud === "aws" && !multiRegion && extra.length > 0) {
            issues.add({ code: "needs_multi_region", path: `${kpath}.regions.aws`, message: "AWS replicas need a multi-Region key", allowed: "multiRegion: true", got: rawKey.multiRegion ?? false });
        }
        const primary = primaryLocation(cloud, clouds);
        extra.forEach((r: unknown, i: number) => {
            if (typeof r !== "string") return;
            if (r === primary) issues.add({ code: "duplicate", path: `${kpath}.regions.${cloud}[${i}]`, message: `is already the primary ${cloud} location`, got: r });
            const allowed = residency[cloud];
            if (Array.isArray(allowed) && !allowed.includes(r)) {
                issues.add({ code: "residency", path: `${kpath}.regions.${cloud}[${i}]`, message: `is outside the residency of domain ${dname}`, allowed: allowed.join(", "), got: r });
            }
        });
        regions[cloud] = extra.filter((r: unknown): r is string => typeof r === "string" && r !== primary);
    }
    if (multiRegion && !keyClouds.includes("aws") && configured.length > 0) {
        issues.add({ code: "unsupported", path: `${kpath}.multiRegion`, message: "multi-Region keys are an AWS feature and this key has no AWS instance", allowed: "false, or add aws to clouds", got: true });
    }
    if (regions.azure?.length && shapes.azure?.container === "managedHsm") {
        issues.add({ code: "unsupported", path: `${kpath}.regions.azure`, message: "Managed HSM keys live in the one configured Managed HSM", allowed: "leave regions.azure out for AES_256 keys", got: regions.azure });
    }
    if (regions.azure?.length && isObj(azure.vault) && typeof azure.vault.name === "string") {
        issues.add({ code: "unsupported", path: `${kpath}.regions.azure`, message: "clouds.azure.vault.name puts every key in one existing vault, so no other Azure location can be used", allowed: "leave regions.azure out, or clouds.azure.vault.name", got: regions.azure });
    }

    // Aliases: unique across the hierarchy (AWS alias names are unique per account and region).
    const hname = str(spec.name) ?? "";
    const aliases = asArray(rawKey.aliases).filter((a): a is string => typeof a === "string");
    aliases.forEach((a, i) => {
        if (a.startsWith("aws/")) {
            issues.add({ code: "reserved", path: `${kpath}.aliases[${i}]`, message: "alias names starting with aws/ are reserved for AWS managed keys", got: a });
        }
        const owner = ctx.aliasOwners.get(a);
        if (owner) issues.add({ code: "duplicate", path: `${kpath}.aliases[${i}]`, message: `is already an alias of ${owner}`, got: a });
        ctx.aliasOwners.set(a, `${dname}/${kname}`);
    });
    if (aliases.length > 0 && !keyClouds.includes("aws")) {
        issues.add({ code: "unsupported", path: `${kpath}.aliases`, message: "aliases are AWS KMS aliases and this key has no AWS instance", allowed: "add aws to clouds, or leave aliases out" });
    }

    // Tags: the keyfabric: prefix is ours, aws: is AWS's.
    const tagSources: [string, unknown][] = [
        ["defaults.tags", defaults.tags],
        [`${ctx.kpath.replace(/\.keys\[\d+\]$/, "")}.tags`, rawDomain.tags],
        [`${kpath}.tags`, rawKey.tags],
    ];
    const tags: Record<string, string> = {};
    for (const [path, t] of tagSources) {
        if (!isObj(t)) continue;
        // Reserved prefixes, lengths, characters and collisions per cloud: tags.ts.
        for (const [k, v] of Object.entries(t)) if (typeof v === "string" && k !== "__proto__") tags[k] = v;
    }

    const deletionWindowDays = typeof rawDomain.deletionWindowDays === "number" ? rawDomain.deletionWindowDays : typeof defaults.deletionWindowDays === "number" ? defaults.deletionWindowDays : DEFAULTS.deletionWindowDays;
    return {
        id: `${dname}/${kname}`,
        path: kpath,
        identity: { hierarchy: hname, domain: dname, key: kname, owner: str(spec.owner) ?? "", classification },
        description: str(rawKey.description) ?? `${hname}/${dname}/${kname}: ${purpose} key (${algorithm}, ${classification})`,
        purpose,
        algorithm,
        origin,
        protection,
        clouds: keyClouds,
        rotationDays,
        ...(keyClouds.includes("azure") && azureRotationDays !== undefined ? { azureRotationDays } : {}),
        deletionWindowDays,
        admins,
        users,
        multiRegion,
        regions,
        aliases,
        tags,
        ...(isObj(rawKey.material) ? { material: rawKey.material as MaterialSource } : {}),
        ...(typeof rawKey.validTo === "string" ? { validTo: rawKey.validTo } : {}),
        shapes,
    };
}

/** A valid number of days (the schema reports the others). */
const isDays = (n: number) => Number.isInteger(n) && n >= 1 && n <= 3650;

/** What to do about rotationDays on a key that some of its clouds cannot rotate. */
function rotationFix(algorithm: Algorithm, without: readonly CloudName[], configured: readonly CloudName[]): string {
    const rotating = CLOUDS.filter((c) => configured.includes(c) && !without.includes(c) && supportsAutoRotation(c, algorithm, "cloud"));
    const leave = "leave rotationDays out and rotate by creating a new key";
    return rotating.length > 0 ? `${leave}, or limit clouds to ${rotating.join(", ")}, which ${rotating.length > 1 ? "rotate" : "rotates"} ${algorithm} keys` : leave;
}

function dedupe<T>(list: T[]): T[] {
    return list.filter((x, i) => typeof x !== "string" || list.indexOf(x) === i);
}

