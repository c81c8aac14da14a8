/**
 * Fixtures of `keyfabric-hierarchy-enforce-key-classification`: the three-cloud hierarchy of `fixtures-crosscloud.ts`
 * with an internal domain next to the restricted one, the stack as it is after `pulumi up` (the mock providers'
 * ids, ARNs and URIs), classified data stores of each cloud, and a runner that answers as the policy SDK does for a
 * stack rule that reads an unknown value (its violations, plus "can't run policy").
 */
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import type { KeyfabricStackRule } from "../../policy-packs/key-management/lib/rule";
import { KeyHierarchy } from "../../sdk/hierarchy";
import { runUnderMocks } from "../../sdk/preview/harness";
import { mockResource } from "../../sdk/preview/mocks";
import { HierarchySpec } from "../../sdk/schema/schema";
import { cloneStack, crossCloudSpec, crossCloudStack, HSM_NAME, raw } from "./fixtures-crosscloud";
import type { TestResource } from "./harness";

/**
 * `crossCloudSpec()` plus `payments/ledger` (RSA-3072 encryption key in the restricted domain's Azure Key Vault) and
 * an `analytics` domain classified internal: `analytics/events` (AES-256, AWS and GCP) and `analytics/records`
 * (RSA-3072, Azure Key Vault), same residency as payments.
 */
export function classificationSpec(): HierarchySpec {
    const spec = crossCloudSpec();
    spec.domains[0].keys.push({ name: "ledger", purpose: "encrypt", algorithm: "RSA_3072", clouds: ["azure"] });
    spec.domains.push({
        name: "analytics",
        classification: "internal",
        regions: { aws: ["eu-west-1"], gcp: ["europe-west1"], azure: ["westeurope"] },
        keys: [
            { name: "events", purpose: "encrypt", algorithm: "AES_256", clouds: ["aws", "gcp"] },
            { name: "records", purpose: "encrypt", algorithm: "RSA_3072", clouds: ["azure"] },
        ],
    });
    return spec;
}

/** The resources of `classificationSpec()` as planned inputs (a preview), or as state after `pulumi up` (`deployed`). */
export const classifiedStack = () => crossCloudStack(classificationSpec());

/** The stack as state: each custom resource's props are the mock provider's outputs (ids, ARNs, key URIs) and its id. */
export function deployed(resources: TestResource[]): TestResource[] {
    const out = cloneStack(resources);
    for (const r of out) {
        if (r.type.startsWith("keyfabric:")) continue; // components: their inputs are their state
        const { id, state } = mockResource({ type: r.type, name: r.name ?? "r", inputs: r.props, custom: true } as any);
        r.props = { ...state, id };
    }
    return out;
}

export const AWS_KEYS = { cardData: "kf-payments-card-data-aws-key", cardDataReplica: "kf-payments-card-data-aws-replica-eu-central-1", events: "kf-analytics-events-aws-key" };
export const GCP_KEYS = { cardData: "kf-payments-card-data-gcp-key", events: "kf-analytics-events-gcp-key" };
export const AZURE_KEYS = { ledger: "kf-payments-ledger-azure-key", records: "kf-analytics-records-azure-key", cardDataHsm: "kf-payments-card-data-azure-key" };

/** A GCP crypto key's id, from its key ring and name. */
export const cryptoKeyId = (key: TestResource) => `${key.props.keyRing}/cryptoKeys/${key.props.name}`;
/** An azure-native Key Vault key's versionless URI, from its vault name and key name. */
export const vaultKeyUri = (key: TestResource) => `https://${key.props.vaultName}.vault.azure.net/keys/${key.props.keyName}`;
export const HSM_URI = `https://${HSM_NAME}.managedhsm.azure.net/`;

const classified = (classification: string | undefined, key: string) => (classification === undefined ? {} : { [key]: classification });

/** An S3 bucket (BucketV2) tagged with a classification, and its encryption configuration naming `keyRef`. */
export function s3Store(name: string, classification: string | undefined, keyRef: unknown): { bucket: TestResource; encryption: TestResource } {
    const bucket = raw("aws:s3/bucketV2:BucketV2", name, { bucket: `${name}-bucket`, region: "eu-west-1", tags: { team: "payments", ...classified(classification, "keyfabric:classification") } });
    const encryption = raw("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", `${name}-sse`, {
        bucket: `${name}-bucket`,
        region: "eu-west-1",
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyRef }, bucketKeyEnabled: true }],
    });
    return { bucket, encryption };
}

/** A Cloud Storage bucket labelled with a classification, encrypting with `keyRef`. */
export const gcsStore = (name: string, classification: string | undefined, keyRef: unknown) =>
    raw("gcp:storage/bucket:Bucket", name, { name, location: "EUROPE-WEST1", project: "acme-dev", labels: { team: "payments", ...classified(classification, "keyfabric-classification") }, encryption: { defaultKmsKeyName: keyRef } });

/** An azure-native storage account tagged with a classification, encrypting with the key `keyName` of the vault (or Managed HSM) at `keyVaultUri`. */
export const azureStore = (name: string, classification: string | undefined, keyVaultUri: unknown, keyName: unknown) =>
    raw("azure-native:storage:StorageAccount", name, {
        accountName: name,
        resourceGroupName: "rg-data",
        location: "westeurope",
        kind: "StorageV2",
        sku: { name: "Standard_ZRS" },
        tags: { team: "payments", ...classified(classification, "keyfabric:classification") },
        encryption: { keySource: "Microsoft.Keyvault", keyVaultProperties: { keyVaultUri, keyName }, services: { blob: { enabled: true, keyType: "Account" } } },
    });

export interface Analysis {
    violations: { message: string; urn?: string }[];
    /** The SDK's diagnostic when the rule read a value unknown at preview: "can't run policy ... during preview: ...". */
    cantRun?: string;
}

/**
 * Runs a stack rule as the policy SDK's `AnalyzeStack` does (`@pulumi/policy` server.js): props behind the
 * unknown-checking proxy, parents, providers and property dependencies as resources, violations kept as reported; an
 * UnknownValueError escaping the rule adds "can't run policy '<name>' ... during preview: <message>" (advisory).
 */
export async function analyze(
    rule: KeyfabricStackRule,
    resources: TestResource[],
    dependencies: Map<TestResource, Record<string, TestResource[]>> = new Map(),
    config: Record<string, unknown> = {},
): Promise<Analysis> {
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
        const deps = dependencies.get(r) ?? {};
        for (const [prop, on] of Object.entries(deps)) {
            for (const d of on) if (!resources.includes(d)) throw new Error(`dependency ${d.name} of ${r.name} is not in the stack`);
            policyResources[i].propertyDependencies[prop] = on.map((d) => policyResources[resources.indexOf(d)]);
        }
        policyResources[i].dependencies = [...new Set(Object.values(deps).flat())].map((d) => policyResources[resources.indexOf(d)]);
    });
    const before = JSON.stringify(resources.map((r) => r.props));
    const defaults = Object.fromEntries(Object.entries(rule.configSchema?.properties ?? {}).map(([k, v]: [string, any]) => [k, v.default]));
    const violations: Analysis["violations"] = [];
    let cantRun: string | undefined;
    try {
        await (rule.validateStack as any)(
            { resources: policyResources, stackTags: new Map(), getConfig: () => ({ ...defaults, ...config }), notApplicable: () => undefined },
            (message: string, urn?: string) => violations.push(urn ? { message, urn } : { message }),
        );
    } catch (e) {
        if (!(e instanceof UnknownValueError)) throw e;
        cantRun = `can't run policy '${rule.name}' from policy pack 'keyfabric-key-management@v0.1.0' during preview: ${(e as Error).message}`;
    }
    if (JSON.stringify(resources.map((r) => r.props)) !== before) throw new Error(`${rule.name} changed the props it was given`);
    return cantRun === undefined ? { violations } : { violations, cantRun };
}

/**
 * A program as `keyfabric preview` runs it (a first `pulumi preview`: ids and computed outputs unknown), with the
 * hierarchy of `classificationSpec()` and one restricted store per cloud on the keys `keys` names
 * (`domain/key`): the stores' props and property dependencies exactly as the engine twin records them.
 */
export async function previewProgram(keys: { aws: string; gcp: string; azure: string }): Promise<{ resources: TestResource[]; dependencies: Map<TestResource, Record<string, TestResource[]>> }> {
    const run = await runUnderMocks(
        () => {
            /* eslint-disable @typescript-eslint/no-var-requires */
            const s3 = require("@pulumi/aws/s3");
            const storage = require("@pulumi/gcp/storage");
            const azureStorage = require("@pulumi/azure-native/storage");
            /* eslint-enable @typescript-eslint/no-var-requires */
            const h = new KeyHierarchy("kf", classificationSpec());
            const bucket = new s3.Bucket("cards", { tags: { "keyfabric:classification": "restricted" } });
            new s3.BucketServerSideEncryptionConfiguration("cards-sse", {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: h.key(keys.aws).aws!.keyArn } }],
            });
            new storage.Bucket("cards-eu", { location: "EUROPE-WEST1", labels: { "keyfabric-classification": "restricted" }, encryption: { defaultKmsKeyName: h.key(keys.gcp).gcp!.cryptoKeyId } });
            const uri = h.key(keys.azure).azure!.keyUri;
            new azureStorage.StorageAccount("cardsacme", {
                resourceGroupName: "rg-data",
                kind: "StorageV2",
                sku: { name: "Standard_ZRS" },
                tags: { "keyfabric:classification": "restricted" },
                encryption: { keySource: "Microsoft.Keyvault", keyVaultProperties: { keyVaultUri: uri.apply((u: string) => u.split("/keys/")[0]), keyName: uri.apply((u: string) => u.split("/").pop()!) } },
            });
            return { keys: h.keys };
        },
        { mode: "preview" },
    );
    const byUrn = new Map<string, TestResource>();
    const resources = run.resources.map((r) => {
        const t: TestResource = { type: r.type, name: r.name, urn: r.urn, props: JSON.parse(JSON.stringify(r.props)), protect: r.protect, retainOnDelete: r.retainOnDelete };
        byUrn.set(r.urn, t);
        return t;
    });
    const dependencies = new Map<TestResource, Record<string, TestResource[]>>();
    run.resources.forEach((r, i) => {
        const parent = byUrn.get(r.parent);
        if (parent) resources[i].parent = parent;
        const deps = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, urns]) => [k, urns.map((u) => byUrn.get(u)).filter((d): d is TestResource => d !== undefined)]));
        if (Object.keys(deps).length) dependencies.set(resources[i], deps);
    });
    return { resources, dependencies };
}
