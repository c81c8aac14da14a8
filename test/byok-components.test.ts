import { KeyHierarchy } from "../sdk/hierarchy";
import { byName, byType, runUnderMocks } from "../sdk/preview/harness";
import { validSpec } from "./fixtures/specs";

/** 180 days from now, to the second: within the 365 days AWS takes, whenever the test runs (not a fixed date). */
const VALID_TO = new Date(Math.floor(Date.now() / 1000) * 1000 + 180 * 86_400_000).toISOString().replace(".000Z", "Z");

// Under mocks the providers never run: the program only wires descriptors; no material is read.
test("byok keys register the import resources with descriptors only", async () => {
    const spec: any = validSpec();
    spec.domains[0].keys = [
        { name: "vault-kek", purpose: "encrypt", algorithm: "AES_256", origin: "byok", clouds: ["aws", "gcp"], material: { env: "KF_TEST_AES" }, validTo: VALID_TO, multiRegion: true, regions: { aws: ["eu-central-1"] } },
        { name: "signer", purpose: "sign", algorithm: "EC_P256", origin: "byok", material: { file: "/secure/signer.pem", format: "pem" } },
    ];
    const run = await runUnderMocks(() => new KeyHierarchy("kf", spec));
    const t = (type: string) => byType(run, `pulumi-nodejs:dynamic/keyfabric:${type}`).map((r) => r.name).sort();
    expect(t("AwsImportedKeyMaterial")).toEqual(["kf-payments-signer-aws-material", "kf-payments-vault-kek-aws-material", "kf-payments-vault-kek-aws-material-eu-central-1"]);
    expect(t("GcpImportedKeyVersion")).toEqual(["kf-payments-signer-gcp-material", "kf-payments-vault-kek-gcp-material"]);
    expect(t("AzureImportedKey")).toEqual(["kf-payments-signer-azure-key"]);
    // Only the asymmetric AWS key needs a fingerprint trigger (symmetric keys rotate to new material instead).
    expect(t("MaterialFingerprint")).toEqual(["kf-payments-signer-aws-fingerprint"]);

    const aws = byName(run, "kf-payments-vault-kek-aws-material").inputs;
    const key = byName(run, "kf-payments-vault-kek-aws-key");
    expect(aws).toMatchObject({ keyId: `arn:aws:kms:eu-west-1:111122223333:key/${key.id}`, region: "eu-west-1", algorithm: "AES_256", material: { env: "KF_TEST_AES" }, validTo: VALID_TO, providerVersion: "1.0.0" });
    expect(byName(run, "kf-payments-vault-kek-aws-material-eu-central-1").inputs).toMatchObject({ region: "eu-central-1" });
    expect(byName(run, "kf-payments-signer-gcp-material").inputs).toMatchObject({
        cryptoKey: "projects/acme-dev/locations/europe-west1/keyRings/acme-payments/cryptoKeys/signer",
        algorithm: "EC_P256",
        material: { file: "/secure/signer.pem", format: "pem" },
    });
    expect(byName(run, "kf-payments-signer-azure-key").inputs).toMatchObject({
        vaultUrl: "https://acme-payments-61a31f5c.vault.azure.net",
        keyName: "payments-signer",
        purpose: "sign",
        algorithm: "EC_P256",
        protection: "hsm",
    });
    expect(byName(run, "kf-payments-signer-azure-key").protect).toBe(true);
    // The Azure key is the import: no azure-native Key for it, and role assignments are scoped to the key's ARM id.
    expect(byType(run, "azure-native:keyvault:Key")).toEqual([]);
    expect(byType(run, "azure-native:authorization:RoleAssignment").map((r) => r.inputs.scope)).toEqual([
        "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-payments-61a31f5c/keys/payments-signer",
        "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-payments-61a31f5c/keys/payments-signer",
    ]);
    // The serialized provider holds a module path and an export name, nothing else.
    const provider = String(aws.__provider);
    expect(provider).toContain('exportName: "awsImportedKeyMaterial"');
    expect(provider).not.toMatch(/accessKey|secret|token|BEGIN|KF_TEST_AES=/i);
    // GCP import-only key and AWS EXTERNAL key shapes.
    expect(byName(run, "kf-payments-signer-gcp-key").inputs).toMatchObject({ importOnly: true, skipInitialVersionCreation: true });
    expect(byName(run, "kf-payments-signer-aws-key").type).toBe("aws:kms/externalKey:ExternalKey");
    // New material replaces an asymmetric key (visible in preview); a symmetric key rotates to it instead.
    expect(byName(run, "kf-payments-signer-aws-key").replacementTrigger).toBe("sha256:preview");
    expect(byName(run, "kf-payments-vault-kek-aws-key").replacementTrigger).toBeUndefined();
});
