import * as pulumi from "@pulumi/pulumi";
import { AzureKey } from "../sdk/azure/key";
import { KeyHierarchy } from "../sdk/hierarchy";
import { byName, byType, MockRun, runUnderMocks } from "../sdk/preview/harness";
import { KeyfabricValidationError } from "../sdk/schema/errors";
import { validateHierarchy } from "../sdk/schema/validate";
import { TENANT, validSpec } from "./fixtures/specs";

const SUB = "/subscriptions/00000000-0000-4000-8000-000000000000";
const WORKSPACE = `${SUB}/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/sec-logs`;
const STORAGE = `${SUB}/resourceGroups/rg-sec/providers/Microsoft.Storage/storageAccounts/acmeauditlogs`;
const TRAIL_ARN = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail";
const SETTING = "azure-native:monitor:DiagnosticSetting";
const AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig";

/** validSpec with an audit block covering its three clouds (its domain is restricted). */
function auditedSpec(audit: Record<string, unknown> = {}): any {
    return { ...validSpec(), audit: { aws: { trail: "external" }, gcp: {}, azure: { workspaceId: WORKSPACE }, ...audit } };
}

function problems(spec: unknown): string[] {
    try {
        validateHierarchy(spec);
    } catch (e) {
        expect(e).toBeInstanceOf(KeyfabricValidationError);
        return (e as KeyfabricValidationError).message.split("\n").slice(1).map((l) => l.replace(/^ {2}- /, ""));
    }
    return [];
}

const names = (run: MockRun) => run.resources.map((r) => `${r.type} ${r.name}`).sort();

describe("KeyHierarchy audit", () => {
    let plain: MockRun;
    let audited: MockRun;
    let hierarchy: KeyHierarchy;
    beforeAll(async () => {
        plain = await runUnderMocks(() => new KeyHierarchy("kf", validSpec()));
        audited = await runUnderMocks(() => {
            hierarchy = new KeyHierarchy("kf", auditedSpec({ azure: { workspaceId: WORKSPACE, storageAccountId: STORAGE } }));
        });
    });

    test("adds exactly a diagnostic setting per created vault and the Cloud KMS audit config; nothing for AWS", () => {
        const added = names(audited).filter((n) => !names(plain).includes(n));
        expect(added).toEqual([`${SETTING} kf-payments-vault-westeurope-audit`, `${AUDIT_CONFIG} kf-cloudkms-audit`]);
        expect(names(plain).filter((n) => !names(audited).includes(n))).toEqual([]);
    });

    test("Azure: the AuditEvent category of the vault, to the workspace and the storage account, under the domain", () => {
        const setting = byName(audited, "kf-payments-vault-westeurope-audit");
        expect(setting.inputs).toEqual({
            name: "keyfabric-audit",
            resourceUri: byName(audited, "kf-payments-vault-westeurope").id,
            logs: [{ category: "AuditEvent", enabled: true }],
            workspaceId: WORKSPACE,
            storageAccountId: STORAGE,
        });
        expect(setting.parent).toBe(byName(audited, "kf-payments").urn);
        expect([setting.protect, setting.retainOnDelete]).toEqual([false, false]);
        expect(hierarchy.domains.payments.vaultAudit.westeurope).toBeDefined();
    });

    test("GCP: DATA_READ, DATA_WRITE and ADMIN_READ for cloudkms.googleapis.com on the hierarchy's project, under the hierarchy", () => {
        const config = byName(audited, "kf-cloudkms-audit");
        expect(config.inputs).toEqual({
            project: "acme-dev",
            service: "cloudkms.googleapis.com",
            auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
        });
        expect(config.parent).toBe(byName(audited, "kf").urn);
        expect(hierarchy.audit.gcp).toBeDefined();
    });

    test("external owners: nothing is created", async () => {
        const run = await runUnderMocks(() => new KeyHierarchy("kf", auditedSpec({ aws: { trail: TRAIL_ARN }, gcp: { external: true }, azure: { external: true } })));
        expect(names(run)).toEqual(names(plain));
    });

    test("a vault in each extra location gets its own setting", async () => {
        const spec = auditedSpec();
        spec.domains[0].regions.azure = ["westeurope", "northeurope"];
        spec.domains[0].keys[1].regions = { azure: ["northeurope"] };
        const run = await runUnderMocks(() => new KeyHierarchy("kf", spec));
        expect(byType(run, SETTING).map((s) => [s.name, s.inputs.resourceUri])).toEqual([
            ["kf-payments-vault-westeurope-audit", byName(run, "kf-payments-vault-westeurope").id],
            ["kf-payments-vault-northeurope-audit", byName(run, "kf-payments-vault-northeurope").id],
        ]);
        expect(byType(run, SETTING).map((s) => s.inputs.workspaceId)).toEqual([WORKSPACE, WORKSPACE]);
    });

    test("includeExisting: the existing vault and the Managed HSM the keys use, under the hierarchy", async () => {
        const spec = auditedSpec({ azure: { storageAccountId: STORAGE, includeExisting: true } });
        spec.clouds.azure.vault = { name: "acme-shared-kv" };
        spec.clouds.azure.managedHsm = { name: "acme-hsm" };
        delete spec.domains[0].keys[0].clouds; // card-data: AES_256, on the Managed HSM
        delete spec.domains[0].keys[0].regions;
        spec.domains[0].keys[0].multiRegion = false;
        const run = await runUnderMocks(() => new KeyHierarchy("kf", spec));
        const settings = byType(run, SETTING).sort((a, b) => b.name.localeCompare(a.name));
        expect(settings.map((s) => s.name)).toEqual(["kf-vault-audit", "kf-managedhsm-audit"]);
        expect(settings.map((s) => s.inputs)).toEqual([
            { name: "keyfabric-audit", resourceUri: `${SUB}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-shared-kv`, logs: [{ category: "AuditEvent", enabled: true }], storageAccountId: STORAGE },
            { name: "keyfabric-audit", resourceUri: `${SUB}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/managedHSMs/acme-hsm`, logs: [{ category: "AuditEvent", enabled: true }], storageAccountId: STORAGE },
        ]);
        expect(settings.map((s) => s.parent)).toEqual([byName(run, "kf").urn, byName(run, "kf").urn]);
        expect(byType(run, "azure-native:keyvault:Vault")).toEqual([]);
    });

    test("includeExisting: false leaves the existing vault's settings to its owner", async () => {
        const spec = auditedSpec({ azure: { workspaceId: WORKSPACE, includeExisting: false } });
        spec.clouds.azure.vault = { name: "acme-shared-kv" };
        const run = await runUnderMocks(() => new KeyHierarchy("kf", spec));
        expect(byType(run, SETTING)).toEqual([]);
    });

    test("destinations may be Outputs", async () => {
        const run = await runUnderMocks(() => new KeyHierarchy("kf", auditedSpec({ azure: { workspaceId: pulumi.output(WORKSPACE) } })));
        expect(byName(run, "kf-payments-vault-westeurope-audit").inputs.workspaceId).toBe(WORKSPACE);
    });

    test("no audit block: nothing is created and nothing is required", () => {
        expect(byType(plain, SETTING).concat(byType(plain, AUDIT_CONFIG))).toEqual([]);
        expect(problems(validSpec())).toEqual([]);
    });
});

describe("audit validation", () => {
    test("the audited fixture is valid", () => {
        expect(problems(auditedSpec())).toEqual([]);
        expect(validateHierarchy(auditedSpec()).audit).toEqual({ aws: { trail: "external" }, gcp: { external: false, project: "acme-dev" }, azure: { external: false, includeExisting: false, workspaceId: WORKSPACE } });
    });

    const cases: [string, any, string[]][] = [
        ["a restricted domain's clouds must all be covered once audit is declared", { ...validSpec(), audit: { azure: { workspaceId: WORKSPACE } } }, [
            "audit.aws: is required: domain payments is restricted and has aws keys, and a spec with audit covers every cloud that holds restricted keys (allowed: {trail: external} or {trail: <CloudTrail trail ARN>})",
            "audit.gcp: is required: domain payments is restricted and has gcp keys, and a spec with audit covers every cloud that holds restricted keys (allowed: {} (keyfabric creates the Cloud KMS audit config) or {external: true})",
        ]],
        ["Azure needs a destination", auditedSpec({ azure: {} }), ["audit.azure: must name where the AuditEvent logs go (allowed: {workspaceId and/or storageAccountId} or {external: true})"]],
        ["external excludes destinations", auditedSpec({ azure: { external: true, workspaceId: WORKSPACE, includeExisting: true } }), [
            "audit.azure.workspaceId: cannot be combined with external: true, which says another owner sets the diagnostic settings (allowed: leave workspaceId out, or external: false)",
            "audit.azure.includeExisting: cannot be combined with external: true, which says another owner sets the diagnostic settings (allowed: leave includeExisting out, or external: false)",
        ]],
        ["a workspace id that is not one", auditedSpec({ azure: { workspaceId: "sec-logs" } }), [
            'audit.azure.workspaceId: is not the ARM id of a Log Analytics workspace (allowed: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>, got: "sec-logs")',
        ]],
        ["a storage account id that names a workspace", auditedSpec({ azure: { storageAccountId: WORKSPACE } }), [
            `audit.azure.storageAccountId: is not the ARM id of a storage account (allowed: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>, got: "${WORKSPACE.slice(0, 77)}...")`,
        ]],
        ["a destination that is neither a string nor an Output", auditedSpec({ azure: { workspaceId: 42 } }), [
            "audit.azure.workspaceId: must be the ARM id of a Log Analytics workspace or an Output<string> (allowed: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>, got: 42)",
        ]],
        ["AWS needs the trail", auditedSpec({ aws: {} }), ["audit.aws.trail: is required (allowed: external, arn:aws:cloudtrail:<region>:<account>:trail/<name>)"]],
        ["a trail that is not an ARN", auditedSpec({ aws: { trail: "org-trail" } }), ['audit.aws.trail: is not external or a CloudTrail trail ARN (allowed: external, arn:aws:cloudtrail:<region>:<account>:trail/<name>, got: "org-trail")']],
        ["GCP audit goes on the key rings' project only", auditedSpec({ gcp: { project: "acme-logs" } }), ["audit.gcp: has unknown field project (allowed: external)"]],
        ["unknown audit cloud", auditedSpec({ oci: {} }), ["audit: has unknown field oci (allowed: aws, gcp, azure)"]],
        ["a cloud that is not configured", (() => {
            const s = auditedSpec();
            delete s.clouds.gcp;
            s.domains[0].keys[0].clouds = ["aws"];
            delete s.domains[0].admins.gcp;
            delete s.domains[0].users.gcp;
            delete s.domains[0].regions.gcp;
            return s;
        })(), ["audit.gcp: configures gcp audit logging but clouds.gcp is not configured (allowed: aws, azure)"]],
        ["keys in an existing vault need an explicit includeExisting", (() => {
            const s = auditedSpec();
            s.clouds.azure.vault = { name: "acme-shared-kv" };
            return s;
        })(), [
            "audit.azure.includeExisting: is required: keys go to an existing vault (clouds.azure.vault.name), which keyfabric does not own; say whether keyfabric sets its diagnostic setting (allowed: true (keyfabric creates it), false (its owner does))",
        ]],
        ["includeExisting with nothing existing", auditedSpec({ azure: { workspaceId: WORKSPACE, includeExisting: true } }), [
            "audit.azure.includeExisting: applies to an existing vault (clouds.azure.vault.name) or the Managed HSM that keys use, and this hierarchy's keys use neither (allowed: leave includeExisting out, got: true)",
        ]],
        ["external is a boolean", auditedSpec({ gcp: { external: "yes" } }), ['audit.gcp.external: must be true or false (got: "yes")']],
    ];
    test.each(cases)("%s", (_name, spec, expected) => {
        expect(problems(spec)).toEqual(expected);
    });

    test("not restricted: a partial audit block is fine", () => {
        const spec: any = { ...validSpec(), audit: { azure: { workspaceId: WORKSPACE } } };
        spec.domains[0].classification = "confidential";
        expect(problems(spec)).toEqual([]);
    });

    test("no resource is registered when audit is invalid", async () => {
        const again = await runUnderMocks(() => {
            try {
                new KeyHierarchy("kf", auditedSpec({ azure: {} }));
            } catch {
                /* expected */
            }
        });
        expect(again.resources).toEqual([]);
    });
});

describe("AzureKey vault.audit", () => {
    test("the vault it creates gets an AuditEvent diagnostic setting, under the key component", async () => {
        const run = await runUnderMocks(
            () =>
                new AzureKey("wrap", {
                    resourceGroupName: "rg",
                    vault: { location: "westeurope", tenantId: TENANT, name: "acme-wrap-kv", audit: { workspaceId: WORKSPACE } },
                    purpose: "encrypt",
                    algorithm: "RSA_3072",
                }),
        );
        const setting = byName(run, "wrap-vault-audit");
        expect(setting.type).toBe(SETTING);
        expect(setting.inputs).toEqual({ name: "keyfabric-audit", resourceUri: byName(run, "wrap-vault").id, logs: [{ category: "AuditEvent", enabled: true }], workspaceId: WORKSPACE });
        expect(setting.parent).toBe(byName(run, "wrap").urn);
    });

    test("an audit destination is checked with the other arguments", () => {
        expect(() => new AzureKey("wrap", { resourceGroupName: "rg", vault: { location: "westeurope", tenantId: TENANT, audit: { storageAccountId: "logs" } }, purpose: "sign", algorithm: "EC_P256" })).toThrow(
            [
                'keyfabric:azure:Key "wrap" is invalid: 1 problem',
                '  - vault.audit.storageAccountId: is not the ARM id of a storage account (allowed: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>, got: "logs")',
            ].join("\n"),
        );
        expect(() => new AzureKey("wrap", { resourceGroupName: "rg", vault: { location: "westeurope", tenantId: TENANT, audit: {} }, purpose: "sign", algorithm: "EC_P256" })).toThrow(
            "vault.audit: must name where the AuditEvent logs go (allowed: workspaceId and/or storageAccountId)",
        );
    });
});
