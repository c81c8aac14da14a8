/**
 * The names validation checks are the names the components register: `plannedResources` (sdk/schema/collisions.ts)
 * against a run of `KeyHierarchy` under the engine-twin monitor; and spec warnings reach the engine (`pulumi.log.warn`),
 * recorded by `withEngineLog` under `keyfabric preview`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { KeyHierarchy } from "../sdk/hierarchy";
import { withEngineLog } from "../sdk/preview/engineLog";
import { runUnderMocks } from "../sdk/preview/harness";
import { plannedResources } from "../sdk/schema/collisions";
import { KeyfabricValidationError } from "../sdk/schema/errors";
import { HierarchySpec } from "../sdk/schema/schema";
import { validateHierarchy } from "../sdk/schema/validate";
import { ACCOUNT, APP_ARN, AZ_ADMIN, AZ_USER, GCP_ADMIN, GCP_USER, reviewSpec, TENANT } from "./fixtures/specs";

/** Every kind of child: replicas, extra GCP and Azure locations, aliases, BYOK imports, grants (one of them for an Output principal), a Managed HSM key. */
function richSpec(): HierarchySpec {
    return {
        name: "acme",
        owner: "platform-security",
        clouds: {
            aws: { region: "eu-west-1", accountId: ACCOUNT },
            gcp: { project: "acme-dev", location: "europe-west1" },
            azure: { resourceGroupName: "rg-keys", location: "westeurope", tenantId: TENANT, managedHsm: { name: "acme-hsm" } },
        },
        domains: [
            {
                name: "payments",
                classification: "restricted",
                admins: { gcp: [GCP_ADMIN], azure: [AZ_ADMIN] },
                users: { aws: [APP_ARN], gcp: [GCP_USER, pulumi.output("serviceAccount:late@acme-dev.iam.gserviceaccount.com")], azure: [AZ_USER] },
                keys: [
                    { name: "card-data", purpose: "encrypt", algorithm: "AES_256", multiRegion: true, regions: { aws: ["eu-central-1"], gcp: ["europe-west4"] }, aliases: ["payments-cmk"] },
                    { name: "signing", purpose: "sign", algorithm: "RSA_3072", regions: { azure: ["northeurope"] } },
                    { name: "kek", purpose: "encrypt", algorithm: "RSA_2048", origin: "byok", material: { env: "KF_NAMES_TEST_KEY" } },
                    { name: "mac", purpose: "mac", algorithm: "HMAC_256", clouds: ["aws", "gcp"], origin: "byok", material: { env: "KF_NAMES_TEST_KEY" } },
                ],
            },
            { name: "analytics", classification: "internal", keys: [{ name: "events", purpose: "encrypt", algorithm: "AES_256", clouds: ["aws", "gcp"] }] },
        ],
        audit: { aws: { trail: "external" }, gcp: { external: true }, azure: { workspaceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w", includeExisting: true } },
    };
}

test("the resources validation checks for collisions are the ones KeyHierarchy registers", async () => {
    process.env.KF_NAMES_TEST_KEY = "00".repeat(32);
    const spec = richSpec();
    const run = await runUnderMocks(() => new KeyHierarchy("kf", spec));
    const resolved = validateHierarchy(spec, { resourceName: "kf" });
    const planned = plannedResources({ spec: spec as Record<string, any>, resourceName: "kf" }, resolved.domains).map((r) => `${r.type} ${r.name}`);
    // Below the KeyHierarchy: its own audit resources have fixed names and are not planned.
    const registered = run.resources.filter((r) => r.type !== "keyfabric:index:KeyHierarchy" && r.parent !== run.resources.find((x) => x.type === "keyfabric:index:KeyHierarchy")!.urn || r.type === "keyfabric:index:KeyDomain");
    expect(planned.sort()).toEqual(registered.map((r) => `${r.type} ${r.name}`).sort());
    expect(planned.length).toBeGreaterThan(70);
    delete process.env.KF_NAMES_TEST_KEY;
});

test("a collision is refused before any resource is registered", async () => {
    const spec: any = reviewSpec();
    spec.domains = [
        { name: "pay-ments", classification: "confidential", keys: [{ name: "x", purpose: "encrypt", algorithm: "AES_256" }] },
        { name: "pay", classification: "confidential", keys: [{ name: "ments-x", purpose: "encrypt", algorithm: "AES_256" }] },
    ];
    const error = await runUnderMocks(() => new KeyHierarchy("kf", spec)).catch((e) => e);
    expect(error).toBeInstanceOf(KeyfabricValidationError);
    // The names are those of the component: "kf-...", not the spec's "acme-...".
    expect((error as KeyfabricValidationError).issues.map((i) => i.message)).toEqual([
        'key pay/ments-x and key pay-ments/x (domains[0].keys[0].name) would both create the Pulumi resources keyfabric:aws:Key "kf-pay-ments-x-aws" and keyfabric:gcp:Key "kf-pay-ments-x-gcp": resource names join the hierarchy, domain and key names with hyphens, and must be unique',
    ]);
    // The base it changes is fine: the review's 8 resources.
    expect((await runUnderMocks(() => new KeyHierarchy("kf", reviewSpec()))).resources.length).toBe(8);
});

describe("warnings", () => {
    let dir: string;
    beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-names-"))));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const byokSpec = (file: string): HierarchySpec => {
        const spec: any = reviewSpec();
        Object.assign(spec.domains[0].keys[0], { origin: "byok", clouds: ["aws"], material: { file } });
        return spec;
    };

    test("validateHierarchy returns them; errors still throw", () => {
        const missing = path.join(dir, "missing.bin");
        expect(validateHierarchy(byokSpec(missing)).warnings).toEqual([
            {
                code: "material_unavailable",
                path: "domains[0].keys[0].material.file",
                message: `does not exist here: ${missing}; the import at deploy time would fail unless it exists there`,
                allowed: "the path of a regular file holding the key material",
                got: missing,
            },
        ]);
        expect(validateHierarchy(byokSpec(missing), { checkMaterialSources: false }).warnings).toEqual([]);
    });

    test("KeyHierarchy logs each with pulumi.log.warn, on the hierarchy; under keyfabric preview, withEngineLog records them", async () => {
        const missing = path.join(dir, "missing.bin");
        const echoed: string[] = [];
        const run = await withEngineLog(() => runUnderMocks(() => new KeyHierarchy("kf", byokSpec(missing))), (l) => echoed.push(l));
        const message = `Key hierarchy "acme": domains[0].keys[0].material.file: does not exist here: ${missing}; the import at deploy time would fail unless it exists there (allowed: the path of a regular file holding the key material, got: "${missing}")`;
        expect(run.warnings).toEqual([{ severity: "warning", message, urn: run.resources.find((r) => r.type === "keyfabric:index:KeyHierarchy")!.urn }]);
        expect(echoed).toEqual([`warning: ${message}`]);
        // The import still goes ahead as declared: a warning, not an error.
        expect(run.resources.map((r) => r.type)).toContain("pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial");
    });

    test("runUnderMocks records them itself (the harness runs every program under withEngineLog), echoed to stderr", async () => {
        const write = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
        try {
            const run = await runUnderMocks(() => new KeyHierarchy("kf", byokSpec(path.join(dir, "missing.bin"))));
            expect(run.warnings?.map((w) => [w.severity, w.message.split(": ").slice(0, 3).join(": ")])).toEqual([["warning", 'Key hierarchy "acme": domains[0].keys[0].material.file: does not exist here']]);
            expect(write.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith("warning: "))).toHaveLength(1);
        } finally {
            write.mockRestore();
        }
    });
});
