import * as path from "path";
import { byName, byType } from "../sdk/preview/harness";
import { previewProject } from "../sdk/preview/project";

// Every example (and the root program) runs under mocks here; `npm run typecheck` type-checks them all.
const dir = (p: string) => path.join(__dirname, "..", p);
const count = (run: { resources: { type: string }[] }, type: string) => run.resources.filter((r) => r.type === type).length;

test("root program: the sample dev stack across three clouds", async () => {
    const run = await previewProject(dir("."), { registerTs: false, mode: "update" });
    expect(run.stack).toBe("dev");
    expect(count(run, "keyfabric:index:KeyHierarchy")).toBe(1);
    expect(count(run, "keyfabric:index:KeyDomain")).toBe(2);
    expect(count(run, "aws:kms/key:Key")).toBe(5);
    expect(count(run, "aws:kms/externalKey:ExternalKey")).toBe(1);
    expect(count(run, "gcp:kms/cryptoKey:CryptoKey")).toBe(6);
    expect(count(run, "azure-native:keyvault:Key")).toBe(2);
    expect(byName(run, "keyfabric-payments-hsm-import-gcp-key").inputs).toMatchObject({ importOnly: true, skipInitialVersionCreation: true });
    expect(Object.keys(run.outputs.keys as object).sort()).toEqual([
        "analytics/exports", "analytics/tokens", "analytics/warehouse", "payments/card-data", "payments/hsm-import", "payments/receipts-signing",
    ]);
});

test("three-cloud-hierarchy: Managed HSM AES keys, replicas and extra grants", async () => {
    const run = await previewProject(dir("examples/three-cloud-hierarchy"), { registerTs: false });
    expect(byName(run, "corp-customer-data-records-azure-key").type).toBe("azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey");
    expect(byName(run, "corp-customer-data-records-aws-replica-us-west-2").inputs.region).toBe("us-west-2");
    expect(byName(run, "corp-customer-data-documents-signing-azure-key").inputs.properties).toMatchObject({ kty: "RSA-HSM", keySize: 3072 });
    expect(byType(run, "aws:kms/grant:Grant").map((g) => g.name)).toEqual([expect.stringMatching(/^corp-customer-data-records-aws-grant-encryptDecrypt-backup-[0-9a-f]{8}$/)]);
    expect(count(run, "azure-native:keyvault:Vault")).toBe(1);
});

test("config-driven: the spec comes from Pulumi.dev.yaml", async () => {
    const run = await previewProject(dir("examples/config-driven"), { registerTs: false, stack: "dev" });
    expect(run.resources.map((r) => r.name).filter((n) => n.endsWith("-key")).sort()).toEqual([
        "keys-orders-order-db-aws-key", "keys-orders-order-db-gcp-key", "keys-orders-webhook-mac-aws-key", "keys-orders-webhook-mac-gcp-key",
    ]);
    expect(byName(run, "keys-orders-webhook-mac-gcp-key").inputs).toMatchObject({ purpose: "MAC", versionTemplate: { algorithm: "HMAC_SHA256", protectionLevel: "HSM" } });
});

test("aws-only-key: the component alone", async () => {
    const run = await previewProject(dir("examples/aws-only-key"), { registerTs: false, mode: "update" });
    expect(run.resources.map((r) => r.type).sort()).toEqual(["aws:kms/alias:Alias", "aws:kms/grant:Grant", "aws:kms/key:Key", "keyfabric:aws:Key"]);
    expect(run.outputs.aliasArns).toEqual(["arn:aws:kms:us-west-2:123456789012:alias/app/data"]);
});
