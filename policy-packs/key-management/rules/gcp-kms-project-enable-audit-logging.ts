import type { PolicyResource } from "@pulumi/policy";
import { asArray, isObject, policyDocument } from "../lib/props";
import { stackRule } from "../lib/rule";

const KEY_RING = "gcp:kms/keyRing:KeyRing";
const CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey";
const HIERARCHY = "keyfabric:index:KeyHierarchy";

/** Audit configs and the IAM policies that carry them: on one project, or on a folder or the organization (every project under it). */
const PROJECT_AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig";
const PROJECT_POLICY = "gcp:projects/iAMPolicy:IAMPolicy";
const WIDE_AUDIT_CONFIGS = ["gcp:organizations/iamAuditConfig:IamAuditConfig", "gcp:folder/iamAuditConfig:IamAuditConfig"];
const WIDE_POLICIES = ["gcp:organizations/iAMPolicy:IAMPolicy", "gcp:folder/iAMPolicy:IAMPolicy"];

/** The services whose audit config covers Cloud KMS. */
const SERVICES = ["cloudkms.googleapis.com", "allServices"];
/** A key ring with no `project` is in the provider's project, which policies cannot see. */
const PROVIDER_PROJECT = Symbol("provider project");
type Project = string | typeof PROVIDER_PROJECT;

interface Coverage {
    read: boolean;
    write: boolean;
    exempted: boolean;
}
const none = (): Coverage => ({ read: false, write: false, exempted: false });

/** Adds one audit config (`service`, `auditLogConfigs: [{logType, exemptedMembers}]`) to `into`, when it covers Cloud KMS. */
function addAuditConfig(into: Coverage, service: unknown, logConfigs: unknown): void {
    if (typeof service !== "string" || !SERVICES.includes(service)) return;
    for (const c of asArray<any>(logConfigs)) {
        const type = c?.logType;
        if (type !== "DATA_READ" && type !== "DATA_WRITE") continue;
        if (type === "DATA_READ") into.read = true;
        else into.write = true;
        if (asArray(c.exemptedMembers).length > 0) into.exempted = true;
    }
}

/** The audit configs of an IAM policy document (`policyData`). */
function addPolicy(into: Coverage, policyData: unknown): void {
    const doc = policyDocument(policyData);
    for (const a of asArray<any>(doc?.auditConfigs)) if (isObject(a)) addAuditConfig(into, a.service, a.auditLogConfigs);
}

/** The project of a key ring: its `project` (the provider's when unset). */
function ringProject(ring: PolicyResource): Project {
    const p = ring.props.project;
    return typeof p === "string" && p !== "" ? p : PROVIDER_PROJECT;
}

/** The project of a crypto key: its key ring's, through the property dependency, else from the key ring id. */
function keyProject(key: PolicyResource): Project | undefined {
    const ring = (key.propertyDependencies?.keyRing ?? []).find((d) => d.type === KEY_RING);
    if (ring) return ringProject(ring);
    const id = key.props.keyRing;
    const m = typeof id === "string" ? /^projects\/([^/]+)\/locations\//.exec(id) : null;
    return m ? m[1] : undefined;
}

/** Proposed catalogue row 36: audit logging of key use (the catalogue has no row for it yet). */
export const rule = stackRule(
    {
        name: "gcp-kms-project-enable-audit-logging",
        description:
            "Every project holding Cloud KMS key rings or keys in the stack must have Data Access audit logs (DATA_READ and DATA_WRITE, no exempted members) for cloudkms.googleapis.com or allServices, from an IAMAuditConfig or IAMPolicy of that project, or of a folder or the organization, in the same stack: Cloud KMS records key use only when they are on. Projects audited elsewhere are listed in auditedProjects (or all, with assumeOrgLevel); a KeyHierarchy whose spec sets audit.gcp.external counts its project as audited.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Google Cloud Platform Foundation Benchmark", version: "2.0.0", reference: "2.1 Ensure that Cloud Audit Logging is configured properly" },
            { name: "PCI DSS", version: "4.0", reference: "10.2.1 Audit logs are enabled and active for all system components and cardholder data" },
            { name: "Checkov", version: "3", reference: "CKV2_GCP_5 Ensure that Cloud Audit Logging is configured properly across all services and all users from a project" },
        ],
        remediation:
            'Add a gcp.projects.IAMAuditConfig for the project with service "cloudkms.googleapis.com" (or "allServices") and auditLogConfigs [{ logType: "DATA_READ" }, { logType: "DATA_WRITE" }] and no exemptedMembers (audit.gcp in a KeyHierarchy spec creates it, with ADMIN_READ too); if a folder or the organization sets it outside this stack, list the project in auditedProjects or set assumeOrgLevel.',
        catalogueRows: [36],
        resourceTypes: [KEY_RING, CRYPTO_KEY, PROJECT_AUDIT_CONFIG, PROJECT_POLICY, ...WIDE_AUDIT_CONFIGS, ...WIDE_POLICIES],
        configSchema: {
            properties: {
                auditedProjects: {
                    type: "array",
                    items: { type: "string" },
                    default: [],
                    description: "Projects whose Cloud KMS Data Access audit logs are enabled outside this stack (at the folder or organization level, or by another stack).",
                },
                assumeOrgLevel: {
                    type: "boolean",
                    default: false,
                    description: "The organization (or the folders above every project) enables Data Access audit logs for Cloud KMS: the rule passes.",
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const config = args.getConfig<{ auditedProjects: string[]; assumeOrgLevel: boolean }>();
            // The first key ring (else crypto key) of each project, to report on.
            const projects = new Map<Project, PolicyResource>();
            for (const r of args.resources.filter((x) => x.type === KEY_RING)) if (!projects.has(ringProject(r))) projects.set(ringProject(r), r);
            for (const r of args.resources.filter((x) => x.type === CRYPTO_KEY)) {
                const p = keyProject(r);
                if (p !== undefined && !projects.has(p)) projects.set(p, r);
            }
            if (projects.size === 0 || config.assumeOrgLevel) return;

            const audited = new Set<Project>(config.auditedProjects);
            for (const h of args.resources.filter((r) => r.type === HIERARCHY)) {
                if (h.props.spec?.audit?.gcp?.external !== true) continue;
                const project = h.props.spec.clouds?.gcp?.project;
                if (typeof project === "string") audited.add(project);
            }

            const wide = none();
            const byProject = new Map<string, Coverage>();
            const of = (project: unknown) => {
                if (typeof project !== "string") return undefined;
                if (!byProject.has(project)) byProject.set(project, none());
                return byProject.get(project);
            };
            for (const r of args.resources) {
                if (r.type === PROJECT_AUDIT_CONFIG) {
                    const c = of(r.props.project);
                    if (c) addAuditConfig(c, r.props.service, r.props.auditLogConfigs);
                } else if (r.type === PROJECT_POLICY) {
                    const c = of(r.props.project);
                    if (c) addPolicy(c, r.props.policyData);
                } else if (WIDE_AUDIT_CONFIGS.includes(r.type)) {
                    addAuditConfig(wide, r.props.service, r.props.auditLogConfigs);
                } else if (WIDE_POLICIES.includes(r.type)) {
                    addPolicy(wide, r.props.policyData);
                }
            }

            for (const [project, first] of projects) {
                if (audited.has(project)) continue;
                // A key ring in the provider's project: any project's Cloud KMS audit config in the stack may be it.
                const own = project === PROVIDER_PROJECT ? [...byProject.values()].find((c) => c.read && c.write) : byProject.get(project);
                const read = wide.read || own?.read === true;
                const write = wide.write || own?.write === true;
                const what = first.type === KEY_RING ? "key ring" : "crypto key";
                if (!read || !write) {
                    reportViolation(`The project of this Cloud KMS ${what} has no Data Access audit logs (DATA_READ and DATA_WRITE) for Cloud KMS in the stack.`, first.urn);
                } else if (wide.exempted || own?.exempted) {
                    reportViolation(`The Data Access audit logs for Cloud KMS in the project of this ${what} exempt some members.`, first.urn);
                }
            }
        },
    },
);
