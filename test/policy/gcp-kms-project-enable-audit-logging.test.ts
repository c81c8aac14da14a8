import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/gcp-kms-project-enable-audit-logging";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const RING = "gcp:kms/keyRing:KeyRing";
const KEY = "gcp:kms/cryptoKey:CryptoKey";
const AUDIT = "gcp:projects/iAMAuditConfig:IAMAuditConfig";
const NO_AUDIT = (what: string) => `The project of this Cloud KMS ${what} has no Data Access audit logs (DATA_READ and DATA_WRITE) for Cloud KMS in the stack.`;
const EXEMPT = "The Data Access audit logs for Cloud KMS in the project of this key ring exempt some members.";

const ring = (project: string | undefined = "acme-keys", name = "ring"): TestResource => ({ type: RING, name, urn: `urn:${name}`, props: { name, location: "europe-west1", ...(project ? { project } : {}) } });
const key = (keyRing: unknown, name = "key"): TestResource => ({ type: KEY, name, urn: `urn:${name}`, props: { name, keyRing, purpose: "ENCRYPT_DECRYPT" } });
const audit = (project: unknown, service = "cloudkms.googleapis.com", logTypes = ["DATA_READ", "DATA_WRITE"], exemptedMembers?: string[]): TestResource => ({
    type: AUDIT,
    name: "audit",
    props: { project, service, auditLogConfigs: logTypes.map((logType) => ({ logType, ...(exemptedMembers ? { exemptedMembers } : {}) })) },
});
const policy = (type: string, auditConfigs: unknown[], scope: Record<string, string>): TestResource => ({
    type,
    name: "policy",
    props: { ...scope, policyData: JSON.stringify({ auditConfigs, bindings: [{ role: "roles/viewer", members: ["group:ops@acme.example"] }] }) },
});
const KMS_DATA = [{ service: "cloudkms.googleapis.com", auditLogConfigs: [{ logType: "DATA_READ" }, { logType: "DATA_WRITE" }] }];

test("compliant: an IAMAuditConfig for cloudkms.googleapis.com (or allServices) with DATA_READ and DATA_WRITE on the key ring's project", async () => {
    expect(await checkStack(rule, [ring(), audit("acme-keys")])).toEqual({ violations: [] });
    expect(await checkStack(rule, [ring(), audit("acme-keys", "allServices", ["ADMIN_READ", "DATA_READ", "DATA_WRITE"])])).toEqual({ violations: [] });
    expect(await checkStack(rule, [ring(), audit("acme-keys", "cloudkms.googleapis.com", ["DATA_READ"]), audit("acme-keys", "allServices", ["DATA_WRITE"])])).toEqual({ violations: [] });
});

test("no audit config: one violation per project, on its first key ring", async () => {
    expect(await checkStack(rule, [ring(), ring("acme-keys", "ring2"), ring("acme-other", "ring3")])).toEqual({
        violations: [
            { message: NO_AUDIT("key ring"), urn: "urn:ring" },
            { message: NO_AUDIT("key ring"), urn: "urn:ring3" },
        ],
    });
});

test("DATA_WRITE alone, ADMIN_READ only, another service or another project do not count", async () => {
    const violations = { violations: [{ message: NO_AUDIT("key ring"), urn: "urn:ring" }] };
    expect(await checkStack(rule, [ring(), audit("acme-keys", "cloudkms.googleapis.com", ["DATA_WRITE"])])).toEqual(violations);
    expect(await checkStack(rule, [ring(), audit("acme-keys", "cloudkms.googleapis.com", ["ADMIN_READ"])])).toEqual(violations);
    expect(await checkStack(rule, [ring(), audit("acme-keys", "storage.googleapis.com")])).toEqual(violations);
    expect(await checkStack(rule, [ring(), audit("acme-other")])).toEqual(violations);
});

test("exempted members are a violation of their own", async () => {
    expect(await checkStack(rule, [ring(), audit("acme-keys", "cloudkms.googleapis.com", ["DATA_READ", "DATA_WRITE"], ["serviceAccount:batch@acme-keys.iam.gserviceaccount.com"])])).toEqual({
        violations: [{ message: EXEMPT, urn: "urn:ring" }],
    });
});

test("a project IAMPolicy's auditConfigs count; so do organization and folder audit configs and policies", async () => {
    expect(await checkStack(rule, [ring(), policy("gcp:projects/iAMPolicy:IAMPolicy", KMS_DATA, { project: "acme-keys" })])).toEqual({ violations: [] });
    expect(await checkStack(rule, [ring(), policy("gcp:projects/iAMPolicy:IAMPolicy", KMS_DATA, { project: "acme-other" })])).toEqual({ violations: [{ message: NO_AUDIT("key ring"), urn: "urn:ring" }] });
    expect(await checkStack(rule, [ring(), policy("gcp:organizations/iAMPolicy:IAMPolicy", KMS_DATA, { orgId: "123456789012" })])).toEqual({ violations: [] });
    expect(await checkStack(rule, [ring(), policy("gcp:folder/iAMPolicy:IAMPolicy", KMS_DATA, { folder: "folders/1234" })])).toEqual({ violations: [] });
    const orgAudit = { ...audit(undefined), type: "gcp:organizations/iamAuditConfig:IamAuditConfig", props: { ...audit(undefined).props, orgId: "123456789012" } };
    expect(await checkStack(rule, [ring(), ring("acme-other", "ring2"), orgAudit])).toEqual({ violations: [] });
    const folderAudit = { ...audit(undefined, "allServices"), type: "gcp:folder/iamAuditConfig:IamAuditConfig" };
    expect(await checkStack(rule, [ring(), folderAudit])).toEqual({ violations: [] });
});

test("a crypto key whose key ring is outside the stack: its project comes from the key ring id", async () => {
    const k = key("projects/acme-ext/locations/us/keyRings/shared");
    expect(await checkStack(rule, [k])).toEqual({ violations: [{ message: NO_AUDIT("crypto key"), urn: "urn:key" }] });
    expect(await checkStack(rule, [k, audit("acme-ext")])).toEqual({ violations: [] });
});

test("config: auditedProjects are audited elsewhere; assumeOrgLevel passes every project", async () => {
    expect(await checkStack(rule, [ring(), ring("acme-other", "ring2")], { auditedProjects: ["acme-keys"] })).toEqual({ violations: [{ message: NO_AUDIT("key ring"), urn: "urn:ring2" }] });
    expect(await checkStack(rule, [ring(), ring("acme-other", "ring2")], { assumeOrgLevel: true })).toEqual({ violations: [] });
});

test("a KeyHierarchy whose spec sets audit.gcp.external counts its project as audited", async () => {
    const h = (gcpAudit: unknown): TestResource => ({ type: "keyfabric:index:KeyHierarchy", urn: "urn:h", props: { spec: { name: "acme", clouds: { gcp: { project: "acme-keys", location: "europe-west1" } }, audit: { gcp: gcpAudit } } } });
    expect(await checkStack(rule, [h({ external: true }), ring()])).toEqual({ violations: [] });
    expect(await checkStack(rule, [h({}), ring()])).toEqual({ violations: [{ message: NO_AUDIT("key ring"), urn: "urn:ring" }] });
});

test("a key ring in the provider's project: any Cloud KMS audit config in the stack may be for it", async () => {
    expect(await checkStack(rule, [ring(undefined)])).toEqual({ violations: [{ message: NO_AUDIT("key ring"), urn: "urn:ring" }] });
    expect(await checkStack(rule, [ring(undefined), audit("acme-keys")])).toEqual({ violations: [] });
});

test("not applicable to a stack without Cloud KMS", async () => {
    expect(await checkStack(rule, [audit("acme-keys"), { type: "gcp:storage/bucket:Bucket", props: { name: "b" } }])).toEqual({ violations: [] });
});

describe("unknown values at preview", () => {
    test("a crypto key's key ring id is unknown: its project comes from the key ring it depends on", async () => {
        const r = { type: RING, urn: "urn:ring", name: "ring", props: unknownCheckingProxy({ name: "ring", location: "europe-west1", project: "acme-keys" }), propertyDependencies: {} };
        const k = { type: KEY, urn: "urn:key", name: "key", props: unknownCheckingProxy({ name: "key", keyRing: UNKNOWN }), propertyDependencies: { keyRing: [r] } };
        const a = { type: AUDIT, urn: "urn:a", name: "a", props: unknownCheckingProxy(audit("acme-keys").props), propertyDependencies: {} };
        const violations: { message: string; urn?: string }[] = [];
        const config = { auditedProjects: [], assumeOrgLevel: false };
        await (rule.validateStack as any)({ resources: [k, r], getConfig: () => config, notApplicable: () => undefined }, (message: string, urn?: string) => violations.push({ message, urn }));
        expect(violations).toEqual([{ message: NO_AUDIT("key ring"), urn: "urn:ring" }]);
        violations.length = 0;
        await (rule.validateStack as any)({ resources: [k, r, a], getConfig: () => config, notApplicable: () => undefined }, (message: string, urn?: string) => violations.push({ message, urn }));
        expect(violations).toEqual([]);
    });

    test("a project or key ring that cannot be known yet: the proxy throws (the engine reports can't run)", async () => {
        await expect(checkStack(rule, [ring(UNKNOWN)])).rejects.toThrow(UnknownValueError);
        await expect(checkStack(rule, [key(UNKNOWN)])).rejects.toThrow(UnknownValueError);
        await expect(checkStack(rule, [ring(), audit(UNKNOWN)])).rejects.toThrow(UnknownValueError);
    });
});
