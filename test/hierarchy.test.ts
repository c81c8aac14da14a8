import * as pulumi from "@pulumi/pulumi";
import { KeyHierarchy } from "../sdk/hierarchy";
import { byName, byType, MockRun, runUnderMocks } from "../sdk/preview/harness";
import { KeyfabricValidationError } from "../sdk/schema/errors";
import { ACCOUNT, ADMIN_ARN, APP_ARN, AZ_ADMIN, AZ_USER, GCP_ADMIN, GCP_USER, TENANT, validSpec } from "./fixtures/specs";

let run: MockRun;
let hierarchy: KeyHierarchy;

beforeAll(async () => {
    run = await runUnderMocks(() => {
        hierarchy = new KeyHierarchy("kf", validSpec());
        return { keys: hierarchy.keys };
    });
});

const tags = (key?: string) => ({
    "cost-center": "sec-001",
    "keyfabric:hierarchy": "acme",
    "keyfabric:domain": "payments",
    ...(key ? { "keyfabric:key": key } : {}),
    "keyfabric:owner": "platform-security",
    "keyfabric:classification": "restricted",
});

test("fans out to exactly these resources", () => {
    expect(run.resources.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
        [
            "keyfabric:index:KeyHierarchy kf",
            "keyfabric:index:KeyDomain kf-payments",
            "keyfabric:aws:Key kf-payments-card-data-aws",
            "aws:kms/key:Key kf-payments-card-data-aws-key",
            "aws:kms/alias:Alias kf-payments-card-data-aws-alias-acme/payments/card-data",
            "aws:kms/replicaKey:ReplicaKey kf-payments-card-data-aws-replica-eu-central-1",
            "keyfabric:gcp:Key kf-payments-card-data-gcp",
            "gcp:kms/keyRing:KeyRing kf-payments-ring-europe-west1",
            "gcp:kms/cryptoKey:CryptoKey kf-payments-card-data-gcp-key",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember kf-payments-card-data-gcp-grant-admin-kms-admins-b0d78729-admin",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember kf-payments-card-data-gcp-grant-encryptDecrypt-app-b756f1b3-encrypterdecrypter",
            "keyfabric:aws:Key kf-payments-signing-aws",
            "aws:kms/key:Key kf-payments-signing-aws-key",
            "aws:kms/alias:Alias kf-payments-signing-aws-alias-acme/payments/signing",
            "keyfabric:gcp:Key kf-payments-signing-gcp",
            "gcp:kms/cryptoKey:CryptoKey kf-payments-signing-gcp-key",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember kf-payments-signing-gcp-grant-admin-kms-admins-b0d78729-admin",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember kf-payments-signing-gcp-grant-signVerify-app-b756f1b3-signerverifier",
            "keyfabric:azure:Key kf-payments-signing-azure",
            "azure-native:keyvault:Vault kf-payments-vault-westeurope",
            "azure-native:keyvault:Key kf-payments-signing-azure-key",
            "azure-native:authorization:RoleAssignment kf-payments-signing-azure-grant-admin-5f0c2a44-1861950d",
            "azure-native:authorization:RoleAssignment kf-payments-signing-azure-grant-signVerify-0a1b2c3d-20347c5f",
        ].sort(),
    );
});

test("children hang under the domain, the domain under the hierarchy", () => {
    const urn = (name: string) => byName(run, name).urn;
    expect(byName(run, "kf-payments").parent).toBe(urn("kf"));
    expect(byName(run, "kf-payments-card-data-aws").parent).toBe(urn("kf-payments"));
    expect(byName(run, "kf-payments-card-data-aws-key").parent).toBe(urn("kf-payments-card-data-aws"));
    expect(byName(run, "kf-payments-ring-europe-west1").parent).toBe(urn("kf-payments"));
    expect(byName(run, "kf")).toMatchObject({ custom: false });
});

test("AWS key: symmetric, rotated every 90 days, 30-day window, multi-Region, tagged, protected", () => {
    const key = byName(run, "kf-payments-card-data-aws-key");
    expect(key.inputs).toEqual({
        region: "eu-west-1",
        description: "acme/payments/card-data: encrypt key (AES_256, restricted)",
        deletionWindowInDays: 30,
        multiRegion: true,
        policy: expect.any(String),
        bypassPolicyLockoutSafetyCheck: false,
        tags: tags("card-data"),
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
        isEnabled: true,
        enableKeyRotation: true,
        rotationPeriodInDays: 90,
    });
    expect(key.protect).toBe(true);
    expect(key.retainOnDelete).toBe(true);
});

test("AWS key policy: one statement per non-empty role, fixed Sids", () => {
    const policy = JSON.parse(byName(run, "kf-payments-card-data-aws-key").inputs.policy);
    expect(policy).toEqual({
        Version: "2012-10-17",
        Statement: [
            { Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] }, Action: "kms:*", Resource: "*" },
            {
                Sid: "KeyAdministrators",
                Effect: "Allow",
                Principal: { AWS: [ADMIN_ARN] },
                Action: [
                    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:Delete*", "kms:Describe*", "kms:Disable*", "kms:Enable*", "kms:Get*",
                    "kms:ImportKeyMaterial", "kms:List*", "kms:Put*", "kms:ReplicateKey", "kms:Revoke*", "kms:RotateKeyOnDemand",
                    "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:Update*",
                ],
                Resource: "*",
            },
            {
                Sid: "KeyUsers",
                Effect: "Allow",
                Principal: { AWS: [APP_ARN] },
                Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
                Resource: "*",
            },
        ],
    });
    const signing = JSON.parse(byName(run, "kf-payments-signing-aws-key").inputs.policy);
    expect(signing.Statement.map((s: any) => s.Sid)).toEqual(["KeyOwners", "KeyAdministrators", "KeySigners"]);
    expect(signing.Statement[2].Action).toEqual(["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify"]);
});

test("AWS signing key has no rotation; replica and alias point at the primary", () => {
    expect(byName(run, "kf-payments-signing-aws-key").inputs).toMatchObject({ customerMasterKeySpec: "ECC_NIST_P384", keyUsage: "SIGN_VERIFY", enableKeyRotation: false });
    expect(byName(run, "kf-payments-signing-aws-key").inputs.rotationPeriodInDays).toBeUndefined();
    const primary = byName(run, "kf-payments-card-data-aws-key");
    const replica = byName(run, "kf-payments-card-data-aws-replica-eu-central-1");
    expect(replica.inputs).toMatchObject({ region: "eu-central-1", primaryKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${primary.id}`, deletionWindowInDays: 30, tags: tags("card-data") });
    expect(replica.protect).toBe(true);
    expect(byName(run, "kf-payments-card-data-aws-alias-acme/payments/card-data").inputs).toEqual({ name: "alias/acme/payments/card-data", targetKeyId: primary.id, region: "eu-west-1" });
});

test("GCP: one key ring per domain and location, HSM keys with rotation and labels, IAM members per role", () => {
    expect(byName(run, "kf-payments-ring-europe-west1").inputs).toEqual({ name: "acme-payments", location: "europe-west1", project: "acme-dev" });
    const ring = "projects/acme-dev/locations/europe-west1/keyRings/acme-payments";
    const labels = {
        "cost-center": "sec-001",
        "keyfabric-hierarchy": "acme",
        "keyfabric-domain": "payments",
        "keyfabric-key": "card-data",
        "keyfabric-owner": "platform-security",
        "keyfabric-classification": "restricted",
    };
    expect(byName(run, "kf-payments-card-data-gcp-key").inputs).toEqual({
        keyRing: ring,
        name: "card-data",
        purpose: "ENCRYPT_DECRYPT",
        versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" },
        rotationPeriod: "7776000s",
        destroyScheduledDuration: "2592000s",
        labels,
    });
    expect(byName(run, "kf-payments-signing-gcp-key").inputs).toMatchObject({
        purpose: "ASYMMETRIC_SIGN",
        versionTemplate: { algorithm: "EC_SIGN_P384_SHA384", protectionLevel: "HSM" },
    });
    expect(byName(run, "kf-payments-signing-gcp-key").inputs.rotationPeriod).toBeUndefined();
    const members = byType(run, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((m) => m.inputs);
    expect(members).toEqual(
        expect.arrayContaining([
            { cryptoKeyId: `${ring}/cryptoKeys/card-data`, role: "roles/cloudkms.admin", member: GCP_ADMIN },
            { cryptoKeyId: `${ring}/cryptoKeys/card-data`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: GCP_USER },
            { cryptoKeyId: `${ring}/cryptoKeys/signing`, role: "roles/cloudkms.signerVerifier", member: GCP_USER },
        ]),
    );
    expect(members).toHaveLength(4);
});

test("Azure: a premium, purge-protected, RBAC, deny-by-default vault closed to public networks; an EC-HSM key with the domain's 90-day rotation policy; role assignments on the key", () => {
    const vault = byName(run, "kf-payments-vault-westeurope");
    expect(vault.inputs).toEqual({
        vaultName: "acme-payments-61a31f5c",
        resourceGroupName: "rg-keys",
        location: "westeurope",
        properties: {
            tenantId: TENANT,
            sku: { family: "A", name: "premium" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
            enabledForDeployment: false,
            enabledForDiskEncryption: false,
            enabledForTemplateDeployment: false,
            networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
            // No IP rules: no public network reaches the vault (private endpoints and trusted Microsoft services do).
            publicNetworkAccess: "disabled",
        },
        tags: tags(),
    });
    expect(vault.protect).toBe(true);
    expect(byName(run, "kf-payments-signing-azure-key").inputs).toEqual({
        keyName: "payments-signing",
        vaultName: "acme-payments-61a31f5c",
        resourceGroupName: "rg-keys",
        properties: {
            kty: "EC-HSM",
            curveName: "P-384",
            keyOps: ["sign", "verify"],
            attributes: { enabled: true, exportable: false },
            // Azure rotates every key it generates: the domain's cryptoperiod, which AWS and GCP cannot apply to an EC key.
            rotationPolicy: {
                attributes: { expiryTime: "P120D" },
                lifetimeActions: [
                    { action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } },
                    { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
                ],
            },
        },
        tags: tags("signing"),
    });
    const keyId = byName(run, "kf-payments-signing-azure-key").id;
    const sub = keyId!.split("/")[2];
    const assignments = byType(run, "azure-native:authorization:RoleAssignment").map((r) => r.inputs);
    expect(assignments).toEqual([
        { scope: keyId, principalId: AZ_ADMIN.split(":")[1], principalType: "Group", roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603` },
        { scope: keyId, principalId: AZ_USER.split(":")[1], principalType: "ServicePrincipal", roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/12338af0-0e69-4776-bea7-57ae8d297424` },
    ]);
});

test("outputs map each logical key to its identifiers in every cloud", () => {
    const keys = run.outputs.keys as any;
    expect(Object.keys(keys)).toEqual(["payments/card-data", "payments/signing"]);
    expect(keys["payments/card-data"]).toEqual({
        aws: {
            keyArn: byName(run, "kf-payments-card-data-aws-key").id && `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${byName(run, "kf-payments-card-data-aws-key").id}`,
            keyId: byName(run, "kf-payments-card-data-aws-key").id,
            aliasArns: [`arn:aws:kms:eu-west-1:${ACCOUNT}:alias/acme/payments/card-data`],
            replicaArns: { "eu-central-1": `arn:aws:kms:eu-central-1:${ACCOUNT}:key/${byName(run, "kf-payments-card-data-aws-replica-eu-central-1").id}` },
        },
        gcp: {
            cryptoKeyId: "projects/acme-dev/locations/europe-west1/keyRings/acme-payments/cryptoKeys/card-data",
            keyRingId: "projects/acme-dev/locations/europe-west1/keyRings/acme-payments",
        },
    });
    expect(keys["payments/signing"].azure).toEqual({
        keyId: byName(run, "kf-payments-signing-azure-key").id,
        keyUri: "https://acme-payments-61a31f5c.vault.azure.net/keys/payments-signing",
    });
});

test("key() returns the per-cloud components, and names the known keys for a typo", () => {
    const k = hierarchy.key("payments/signing");
    expect([k.aws?.keyArn, k.gcp?.cryptoKeyId, k.azure?.keyUri].every((o) => pulumi.Output.isInstance(o))).toBe(true);
    expect(() => hierarchy.key("payments/sign")).toThrow(
        'KeyHierarchy.key() is invalid: 1 problem\n  - id: is not a key of this hierarchy (allowed: payments/card-data, payments/signing, got: "payments/sign")',
    );
});

test("no resource is registered when the spec is invalid", async () => {
    const bad: any = validSpec();
    bad.domains[0].keys[0].algorithm = "AES_512";
    await expect(runUnderMocks(() => new KeyHierarchy("bad", bad))).rejects.toThrow(KeyfabricValidationError);
    const again = await runUnderMocks(() => {
        try {
            new KeyHierarchy("bad", bad);
        } catch {
            /* expected */
        }
    });
    expect(again.resources).toEqual([]);
});

test("child names do not depend on the order of domains or keys", async () => {
    const spec: any = validSpec();
    spec.domains[0].keys.reverse();
    const reordered = await runUnderMocks(() => new KeyHierarchy("kf", spec));
    expect(reordered.resources.map((r) => r.urn).sort()).toEqual(run.resources.map((r) => r.urn).sort());
});

test("Output principals are accepted and resolved into the policy", async () => {
    const spec: any = validSpec();
    spec.domains[0].users.aws = [pulumi.output(APP_ARN)];
    const out = await runUnderMocks(() => new KeyHierarchy("kf", spec));
    const policy = JSON.parse(byName(out, "kf-payments-card-data-aws-key").inputs.policy);
    expect(policy.Statement[2]).toMatchObject({ Sid: "KeyUsers", Principal: { AWS: [APP_ARN] } });
});

test("protectKeys: false leaves keys unprotected (for ephemeral test stacks)", async () => {
    const out = await runUnderMocks(() => new KeyHierarchy("kf", validSpec(), { protectKeys: false }));
    expect(byType(out, "aws:kms/key:Key").map((k) => [k.protect, k.retainOnDelete])).toEqual([[false, false], [false, false]]);
});

test("the account is read from the credentials when not configured", async () => {
    const spec: any = validSpec();
    delete spec.clouds.aws.accountId;
    const out = await runUnderMocks(() => new KeyHierarchy("kf", spec));
    expect(out.calls.filter((c) => c.token === "aws:index/getCallerIdentity:getCallerIdentity")).toHaveLength(1);
    expect(JSON.parse(byName(out, "kf-payments-signing-aws-key").inputs.policy).Statement[0].Principal).toEqual({ AWS: ["arn:aws:iam::123456789012:root"] });
});

describe("Azure network access of the vaults keyfabric creates", () => {
    const SUBNET = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-keys/subnets/keys";
    const ZONE = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net";

    test("IP rules open public network access behind the deny-by-default firewall (Azure honours IP rules only then)", async () => {
        const spec: any = validSpec();
        spec.clouds.azure.vault = { ipRules: ["203.0.113.0/24", "198.51.100.7"] };
        const out = await runUnderMocks(() => new KeyHierarchy("kf", spec));
        const props = byName(out, "kf-payments-vault-westeurope").inputs.properties;
        expect([props.publicNetworkAccess, props.networkAcls]).toEqual([
            "enabled",
            { defaultAction: "Deny", bypass: "AzureServices", ipRules: [{ value: "203.0.113.0/24" }, { value: "198.51.100.7" }], virtualNetworkRules: [] },
        ]);
    });

    test("privateEndpoint: one endpoint per created vault in the subnet's location, with a DNS zone group when a zone is given", async () => {
        const spec: any = validSpec();
        spec.clouds.azure.vault = { privateEndpoint: { subnetId: SUBNET, privateDnsZoneId: ZONE } };
        const out = await runUnderMocks(() => new KeyHierarchy("kf", spec));
        const vault = byName(out, "kf-payments-vault-westeurope");
        const endpoint = byName(out, "kf-payments-vault-westeurope-endpoint");
        expect([endpoint.type, endpoint.parent]).toEqual(["azure-native:network:PrivateEndpoint", byName(out, "kf-payments").urn]);
        expect(endpoint.inputs).toEqual({
            privateEndpointName: "acme-payments-61a31f5c-endpoint",
            resourceGroupName: "rg-keys",
            location: "westeurope",
            // azure-native's SubnetArgs defaults, sent by the SDK with the subnet reference.
            subnet: { id: SUBNET, privateEndpointNetworkPolicies: "Disabled", privateLinkServiceNetworkPolicies: "Enabled" },
            privateLinkServiceConnections: [{ name: "vault", privateLinkServiceId: vault.id, groupIds: ["vault"] }],
            tags: { "cost-center": "sec-001", "keyfabric:hierarchy": "acme", "keyfabric:domain": "payments", "keyfabric:owner": "platform-security", "keyfabric:classification": "restricted" },
        });
        expect(byName(out, "kf-payments-vault-westeurope-endpoint-dns").inputs).toEqual({
            resourceGroupName: "rg-keys",
            privateEndpointName: "acme-payments-61a31f5c-endpoint",
            privateDnsZoneGroupName: "vaultcore",
            privateDnsZoneConfigs: [{ name: "vaultcore", privateDnsZoneId: ZONE }],
        });
        // The vault itself stays closed to public networks.
        expect(vault.inputs.properties.publicNetworkAccess).toBe("disabled");
    });

    test("an existing vault takes neither setting; a bad subnet id is refused", () => {
        const spec: any = validSpec();
        spec.clouds.azure.vault = { name: "acme-existing", ipRules: ["203.0.113.0/24"], privateEndpoint: { subnetId: SUBNET } };
        expect(() => new KeyHierarchy("bad", spec)).toThrow(/clouds\.azure\.vault\.ipRules: applies to the vaults keyfabric creates[^\n]*\n\s+- clouds\.azure\.vault\.privateEndpoint: applies to the vaults keyfabric creates/);
        const bad: any = validSpec();
        bad.clouds.azure.vault = { privateEndpoint: { subnetId: "vnet-keys/keys" }, ipRules: ["not-an-ip"] };
        expect(() => new KeyHierarchy("bad", bad)).toThrow(/clouds\.azure\.vault\.ipRules\[0\]: is not an IPv4 address or range[\s\S]*clouds\.azure\.vault\.privateEndpoint\.subnetId: is not the ARM id of a subnet/);
    });
});

test("Azure rotates every key it generates: an RSA or EC key inherits the domain's (or the default 90-day) cryptoperiod there, and only there", async () => {
    const spec: any = validSpec();
    delete spec.domains[0].rotationDays;
    spec.domains[0].keys.push({ name: "wrap", purpose: "encrypt", algorithm: "RSA_3072", clouds: ["aws", "azure"] });
    const out = await runUnderMocks(() => new KeyHierarchy("kf", spec));
    expect(byName(out, "kf-payments-wrap-azure-key").inputs.properties.rotationPolicy.lifetimeActions[0]).toEqual({ action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } });
    expect(byName(out, "kf-payments-wrap-aws-key").inputs).toMatchObject({ customerMasterKeySpec: "RSA_3072", enableKeyRotation: false });
    expect(byName(out, "kf-payments-card-data-aws-key").inputs.rotationPeriodInDays).toBe(90);
});
