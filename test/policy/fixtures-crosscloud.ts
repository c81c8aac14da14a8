/**
 * Shared fixtures of the cross-cloud (`keyfabric-hierarchy-*`) stack rules: a real three-cloud KeyHierarchy run
 * under mocks (`runUnderMocks`), converted to the policy harness's `TestResource` shape, so the tests check exactly
 * what keyfabric emits; plus helpers to change one thing and to add hand-written raw resources.
 */
import { unknownCheckingProxy } from "@pulumi/policy";
import type { KeyfabricStackRule } from "../../policy-packs/key-management/lib/rule";
import { KeyHierarchy, KeyHierarchyOptions } from "../../sdk/hierarchy";
import { MockRun, runUnderMocks } from "../../sdk/preview/harness";
import { HierarchySpec } from "../../sdk/schema/schema";
import type { TestResource } from "./harness";

export const ACCOUNT = "111122223333";
export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const AWS_ADMIN = `arn:aws:iam::${ACCOUNT}:role/KeyAdmins`;
export const AWS_USER = `arn:aws:iam::${ACCOUNT}:role/App`;
export const GCP_ADMIN = "group:kms-admins@acme.example";
export const GCP_USER = "serviceAccount:app@acme-dev.iam.gserviceaccount.com";
export const AZ_ADMIN_ID = "5f0c2a44-2d3e-4b0a-9d1e-6a7b8c9d0e1f";
export const AZ_USER_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
export const AZ_ADMIN = `group:${AZ_ADMIN_ID}`;
export const AZ_USER = `servicePrincipal:${AZ_USER_ID}`;
export const HSM_NAME = "acme-hsm";

/**
 * A three-cloud hierarchy: `payments/card-data` (AES-256, every cloud: AWS multi-Region key with an eu-central-1
 * replica, GCP HSM key, Azure Managed HSM oct-HSM key; 90-day cryptoperiod) and `payments/signing` (EC P-384, every
 * cloud: Azure rotates it every 90 days, AWS and GCP have no automatic rotation for it), residency
 * eu-west-1/eu-central-1, europe-west1, westeurope.
 */
export function crossCloudSpec(): HierarchySpec {
    return {
        name: "acme",
        owner: "platform-security",
        clouds: {
            aws: { region: "eu-west-1", accountId: ACCOUNT },
            gcp: { project: "acme-dev", location: "europe-west1" },
            azure: { resourceGroupName: "rg-keys", location: "westeurope", tenantId: TENANT, managedHsm: { name: HSM_NAME } },
        },
        defaults: { tags: { "cost-center": "sec-001" } },
        domains: [
            {
                name: "payments",
                classification: "restricted",
                regions: { aws: ["eu-west-1", "eu-central-1"], gcp: ["europe-west1"], azure: ["westeurope"] },
                admins: { aws: [AWS_ADMIN], gcp: [GCP_ADMIN], azure: [AZ_ADMIN] },
                users: { aws: [AWS_USER], gcp: [GCP_USER], azure: [AZ_USER] },
                rotationDays: 90,
                keys: [
                    { name: "card-data", purpose: "encrypt", algorithm: "AES_256", multiRegion: true, regions: { aws: ["eu-central-1"] } },
                    { name: "signing", purpose: "sign", algorithm: "EC_P384" },
                ],
            },
        ],
    };
}

/** Converts a mock run's recorded resources to the harness's shape (inputs as props, parents as references). */
export function toTestResources(run: MockRun): TestResource[] {
    const byUrn = new Map<string, TestResource>();
    const out = run.resources.map((r) => {
        const t: TestResource = { type: r.type, name: r.name, urn: r.urn, props: JSON.parse(JSON.stringify(r.inputs)), protect: r.protect, retainOnDelete: r.retainOnDelete };
        byUrn.set(r.urn, t);
        return t;
    });
    run.resources.forEach((r, i) => {
        const parent = byUrn.get(r.parent);
        if (parent) out[i].parent = parent;
    });
    return out;
}

const runs = new Map<string, Promise<TestResource[]>>();

/** The resources of `spec` (default: `crossCloudSpec()`) as keyfabric emits them; each call returns a fresh deep copy. */
export async function crossCloudStack(spec: HierarchySpec = crossCloudSpec(), opts: KeyHierarchyOptions = {}): Promise<TestResource[]> {
    const cacheKey = JSON.stringify([spec, opts]);
    if (!runs.has(cacheKey)) {
        runs.set(
            cacheKey,
            runUnderMocks(() => {
                const h = new KeyHierarchy("kf", spec, opts);
                return { keys: h.keys };
            }).then(toTestResources),
        );
    }
    return cloneStack(await runs.get(cacheKey)!);
}

/** A deep copy that keeps parent links inside the copy. */
export function cloneStack(resources: TestResource[]): TestResource[] {
    const copies = resources.map((r) => ({ ...r, props: JSON.parse(JSON.stringify(r.props)) as Record<string, any> }));
    resources.forEach((r, i) => {
        if (r.parent) copies[i].parent = copies[resources.indexOf(r.parent)];
    });
    return copies;
}

/** The resource named `name` (throws listing the names when there is none). */
export function named(resources: TestResource[], name: string): TestResource {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}; have: ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

export function ofType(resources: TestResource[], type: string): TestResource[] {
    return resources.filter((r) => r.type === type);
}

/** A hand-written top-level resource (not under any component), as a program would declare it. */
export function raw(type: string, name: string, props: Record<string, any>, opts: { protect?: boolean; retainOnDelete?: boolean; parent?: TestResource } = {}): TestResource {
    return { type, name, urn: `urn:pulumi:dev::project::${type}::${name}`, props, ...opts };
}

/** keyfabric's correlation tags (AWS, Azure) for `payments/<key>` of `acme`. */
export const tagsFor = (key: string, extra: Record<string, string> = {}) => ({
    ...extra,
    "keyfabric:hierarchy": "acme",
    "keyfabric:domain": "payments",
    "keyfabric:key": key,
    "keyfabric:owner": "platform-security",
    "keyfabric:classification": "restricted",
});

/** keyfabric's correlation labels (GCP) for `payments/<key>` of `acme`. */
export const labelsFor = (key: string) => ({
    "keyfabric-hierarchy": "acme",
    "keyfabric-domain": "payments",
    "keyfabric-key": key,
    "keyfabric-owner": "platform-security",
    "keyfabric-classification": "restricted",
});

export const RING = "projects/acme-dev/locations/europe-west1/keyRings/acme-payments";

/**
 * Runs a stack rule the way the engine calls it, with what `checkStack` leaves out: the providers of resources and
 * the property dependencies (which resource a property's value comes from, known even while the value is unknown).
 */
export async function checkStackAsEngine(
    rule: KeyfabricStackRule,
    resources: TestResource[],
    links: { dependencies?: Map<TestResource, Record<string, TestResource[]>>; providers?: Map<TestResource, { type: string; name: string; props: Record<string, any> }> } = {},
    config: Record<string, unknown> = {},
): Promise<{ message: string; urn?: string }[]> {
    const urnOf = (r: TestResource) => r.urn ?? `urn:pulumi:test::project::${r.type}::${r.name ?? "r"}`;
    const policyResources: any[] = resources.map((r) => ({
        type: r.type,
        props: unknownCheckingProxy(r.props),
        urn: urnOf(r),
        name: r.name ?? "r",
        opts: { protect: r.protect ?? false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        dependencies: [],
        propertyDependencies: {},
    }));
    resources.forEach((r, i) => {
        if (r.parent && resources.includes(r.parent)) policyResources[i].parent = policyResources[resources.indexOf(r.parent)];
        for (const [prop, deps] of Object.entries(links.dependencies?.get(r) ?? {})) policyResources[i].propertyDependencies[prop] = deps.map((d) => policyResources[resources.indexOf(d)]);
        const provider = links.providers?.get(r);
        if (provider) policyResources[i].provider = { ...provider, urn: `urn:pulumi:test::project::${provider.type}::${provider.name}`, props: unknownCheckingProxy(provider.props) };
    });
    const defaults = Object.fromEntries(Object.entries(rule.configSchema?.properties ?? {}).map(([k, v]: [string, any]) => [k, v.default]));
    const violations: { message: string; urn?: string }[] = [];
    await (rule.validateStack as any)(
        { resources: policyResources, stackTags: new Map(), getConfig: () => ({ ...defaults, ...config }), notApplicable: () => undefined },
        (message: string, urn?: string) => violations.push(urn ? { message, urn } : { message }),
    );
    return violations;
}
