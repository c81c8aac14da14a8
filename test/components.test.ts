import * as pulumi from "@pulumi/pulumi";
import { AwsKey } from "../sdk/aws/key";
import { AzureKey } from "../sdk/azure/key";
import { GcpKey } from "../sdk/gcp/key";
import { byName, byType, runUnderMocks } from "../sdk/preview/harness";
import { ACCOUNT, ADMIN_ARN, APP_ARN, AZ_USER, GCP_USER, TENANT } from "./fixtures/specs";

describe("keyfabric:aws:Key on its own", () => {
    test("secure defaults: rotation every 90 days, 30-day window, owner statement for the account root, protected", async () => {
        const run = await runUnderMocks(() => new AwsKey("app", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256" }));
        expect(run.resources.map((r) => `${r.type} ${r.name}`)).toEqual(["keyfabric:aws:Key app", "aws:kms/key:Key app-key"]);
        const key = byName(run, "app-key");
        expect(key.inputs).toMatchObject({ enableKeyRotation: true, rotationPeriodInDays: 90, deletionWindowInDays: 30, multiRegion: false, isEnabled: true, tags: {} });
        expect(JSON.parse(key.inputs.policy)).toEqual({
            Version: "2012-10-17",
            Statement: [{ Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] }, Action: "kms:*", Resource: "*" }],
        });
        expect([key.protect, key.retainOnDelete]).toEqual([true, true]);
    });

    test("service users get grant actions only for AWS resources", async () => {
        const run = await runUnderMocks(() => new AwsKey("svc", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256", serviceUsers: [APP_ARN] }));
        expect(JSON.parse(byName(run, "svc-key").inputs.policy).Statement[1]).toEqual({
            Sid: "KeyServiceUsers",
            Effect: "Allow",
            Principal: { AWS: [APP_ARN] },
            Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            Resource: "*",
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        });
    });

    test("byok: an EXTERNAL-origin key with no key material input, and replicas as ReplicaExternalKey", async () => {
        const run = await runUnderMocks(
            () => new AwsKey("imp", { region: "eu-west-1", accountId: ACCOUNT, purpose: "sign", algorithm: "RSA_3072", origin: "byok", multiRegion: true, replicaRegions: ["eu-central-1"] }),
        );
        const key = byName(run, "imp-key");
        expect(key.type).toBe("aws:kms/externalKey:ExternalKey");
        expect(key.inputs).toMatchObject({ keySpec: "RSA_3072", keyUsage: "SIGN_VERIFY", enabled: true, multiRegion: true });
        expect(Object.keys(key.inputs)).not.toContain("keyMaterialBase64");
        expect(byName(run, "imp-replica-eu-central-1").type).toBe("aws:kms/replicaExternalKey:ReplicaExternalKey");
    });

    test("grants: one aws.kms.Grant per call with the operations of the key's kind", async () => {
        const run = await runUnderMocks(() => {
            const sym = new AwsKey("sym", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256" });
            sym.grantEncryptDecrypt(APP_ARN);
            const rsa = new AwsKey("rsa", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "RSA_4096" });
            rsa.grantEncryptDecrypt(pulumi.output(APP_ARN), { name: "app" });
            const hmac = new AwsKey("mac", { region: "us-east-1", accountId: ACCOUNT, purpose: "mac", algorithm: "HMAC_256" });
            hmac.grantMacGenerateVerify(APP_ARN);
        });
        const grants = byType(run, "aws:kms/grant:Grant").sort((a, b) => (a.name.startsWith("sym") ? -1 : b.name.startsWith("sym") ? 1 : a.name.localeCompare(b.name)));
        expect(grants.map((g) => [g.name, g.inputs.operations])).toEqual([
            ["sym-grant-encryptDecrypt-app-f65893bc", ["Decrypt", "DescribeKey", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"]],
            ["mac-grant-macGenerateVerify-app-f65893bc", ["DescribeKey", "GenerateMac", "VerifyMac"]],
            ["rsa-grant-encryptDecrypt-app", ["Decrypt", "DescribeKey", "Encrypt", "GetPublicKey", "ReEncryptFrom", "ReEncryptTo"]],
        ]);
        expect(grants[0].inputs).toMatchObject({ granteePrincipal: APP_ARN, keyId: byName(run, "sym-key").id, region: "us-east-1" });
    });

    test("grants that cannot apply throw, naming the allowed roles", async () => {
        await runUnderMocks(() => {
            const key = new AwsKey("k", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256" });
            expect(() => key.grantSignVerify(APP_ARN)).toThrow('Grant on k is invalid: 1 problem\n  - role: cannot be granted on a encrypt key (allowed: admin, encryptDecrypt, got: "signVerify")');
            expect(() => key.grantAdmin(ADMIN_ARN)).toThrow("AWS KMS grants cannot confer key administration; administrators belong in the key policy");
            expect(() => key.grantEncryptDecrypt("*")).toThrow("principal: public or wildcard principals are never allowed on keys");
            expect(() => key.grantEncryptDecrypt(pulumi.output(APP_ARN))).toThrow("opts.name: is required when the principal is an Output, to name the grant");
        });
    });

    test("bad args fail before anything is created, every problem listed", async () => {
        const run = await runUnderMocks(() => {
            expect(
                () =>
                    new AwsKey("bad", {
                        region: "nowhere",
                        purpose: "sign",
                        algorithm: "EC_P256",
                        rotationDays: 365,
                        deletionWindowDays: 60,
                        replicaRegions: ["eu-west-1"],
                        users: [APP_ARN],
                        administrators: [APP_ARN],
                        signers: [APP_ARN],
                    }),
            ).toThrow(
                [
                    'keyfabric:aws:Key "bad" is invalid: 7 problems',
                    '  - region: is not an AWS region (allowed: e.g. us-east-1, eu-west-1, got: "nowhere")',
                    "  - rotationDays: AWS KMS has no automatic rotation for EC_P256 keys (allowed: leave rotationDays out, got: 365)",
                    "  - users: applies to encrypt keys, and this is a sign key (allowed: signers)",
                    "  - deletionWindowDays: is outside AWS KMS's deletion window (allowed: 7-30, got: 60)",
                    "  - replicaRegions: replicas need a multi-Region key (allowed: multiRegion: true, got: false)",
                    `  - users[0]: is also an administrator: separate key administration from key use (got: "${APP_ARN}")`,
                    `  - signers[0]: is also an administrator: separate key administration from key use (got: "${APP_ARN}")`,
                ].join("\n"),
            );
        });
        expect(run.resources).toEqual([]);
    });

    test("audit.trail records the account baseline's trail (recorded in the component's inputs, nothing created); anything else is refused", async () => {
        const run = await runUnderMocks(() => new AwsKey("app", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256", audit: { trail: "external" } }));
        expect(run.resources.map((r) => r.type)).toEqual(["keyfabric:aws:Key", "aws:kms/key:Key"]);
        expect(byName(run, "app").inputs.audit).toEqual({ trail: "external" });
        expect(() => new AwsKey("bad", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256", audit: { trail: "my-trail" } })).toThrow(
            'keyfabric:aws:Key "bad" is invalid: 1 problem\n  - audit.trail: is not external or a CloudTrail trail ARN (allowed: external, arn:aws:cloudtrail:<region>:<account>:trail/<name>, got: "my-trail")',
        );
    });
});

describe("keyfabric:gcp:Key on its own", () => {
    test("creates its key ring when none is given; import-only for byok; grants add IAM members", async () => {
        const run = await runUnderMocks(() => {
            const key = new GcpKey("vault-unseal", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256", origin: "byok", protection: "hsm" });
            key.grantEncryptDecrypt(GCP_USER);
        });
        expect(byName(run, "vault-unseal-ring").inputs).toEqual({ name: "vault-unseal", project: "acme-dev", location: "europe-west1" });
        expect(byName(run, "vault-unseal-key").inputs).toEqual({
            keyRing: "projects/acme-dev/locations/europe-west1/keyRings/vault-unseal",
            name: "vault-unseal",
            purpose: "ENCRYPT_DECRYPT",
            versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" },
            destroyScheduledDuration: "2592000s",
            importOnly: true,
            skipInitialVersionCreation: true,
            labels: {},
        });
        expect(byType(run, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((m) => m.inputs.role)).toEqual(["roles/cloudkms.cryptoKeyEncrypterDecrypter"]);
    });

    test("asymmetric decryption users get decrypter and public key viewer", async () => {
        const run = await runUnderMocks(() => new GcpKey("rsa", { keyRing: "projects/p1-abcdef/locations/us/keyRings/r", purpose: "encrypt", algorithm: "RSA_3072", users: [GCP_USER] }));
        expect(byName(run, "rsa-key").inputs).toMatchObject({ purpose: "ASYMMETRIC_DECRYPT", versionTemplate: { algorithm: "RSA_DECRYPT_OAEP_3072_SHA256", protectionLevel: "SOFTWARE" } });
        expect(byType(run, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((m) => m.inputs.role)).toEqual(["roles/cloudkms.cryptoKeyDecrypter", "roles/cloudkms.publicKeyViewer"]);
        expect(run.resources.some((r) => r.type === "gcp:kms/keyRing:KeyRing")).toBe(false);
    });
});

describe("keyfabric:azure:Key on its own", () => {
    test("AES_256 becomes an oct-HSM key on the Managed HSM with a rotation policy and local RBAC", async () => {
        const run = await runUnderMocks(() => new AzureKey("tde", { resourceGroupName: "rg", managedHsm: { name: "acme-hsm" }, purpose: "encrypt", algorithm: "AES_256", protection: "hsm", users: [AZ_USER] }));
        const hsmId = `/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/acme-hsm`;
        expect(byName(run, "tde-key").inputs).toEqual({ name: "tde", managedHsmId: hsmId, keyType: "oct-HSM", keySize: 256, keyOpts: ["encrypt", "decrypt", "wrapKey", "unwrapKey"], tags: {} });
        expect(byName(run, "tde-rotation").inputs).toEqual({ managedHsmKeyId: "https://acme-hsm.managedhsm.azure.net/keys/tde", timeAfterCreation: "P90D", expireAfter: "P120D" });
        const ra = byType(run, "azure:keyvault/managedHardwareSecurityModuleRoleAssignment:ManagedHardwareSecurityModuleRoleAssignment");
        expect(ra.map((r) => r.inputs)).toEqual([
            {
                managedHsmId: hsmId,
                name: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
                principalId: AZ_USER.split(":")[1],
                roleDefinitionId: "/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b",
                scope: "/keys/tde",
            },
        ]);
    });

    test("AES_256 without a Managed HSM is refused, saying where AES keys can live", () => {
        expect(() => new AzureKey("aes", { resourceGroupName: "rg", vaultName: "v", purpose: "encrypt", algorithm: "AES_256", protection: "hsm" })).toThrow(
            'algorithm: AES_256 in Azure needs oct-HSM, which only a Managed HSM offers (a Key Vault has no symmetric keys) (allowed: set clouds.azure.managedHsm, or leave azure out of this key\'s clouds, got: "AES_256")',
        );
    });

    test("an EC key in its own vault: a 90-day rotation policy by default (Azure rotates every key it generates), a vault closed to public networks", async () => {
        const run = await runUnderMocks(() => new AzureKey("sig", { resourceGroupName: "rg", vault: { location: "westeurope", tenantId: TENANT, name: "acme-sig-kv" }, purpose: "sign", algorithm: "EC_P256" }));
        expect(byName(run, "sig-key").inputs.properties).toEqual({
            kty: "EC",
            curveName: "P-256",
            keyOps: ["sign", "verify"],
            attributes: { enabled: true, exportable: false },
            rotationPolicy: {
                attributes: { expiryTime: "P120D" },
                lifetimeActions: [
                    { action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } },
                    { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
                ],
            },
        });
        const props = byName(run, "sig-vault").inputs.properties;
        expect([props.publicNetworkAccess, props.networkAcls]).toEqual(["disabled", { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] }]);
        expect(run.resources.map((r) => r.type)).toEqual(["keyfabric:azure:Key", "azure-native:keyvault:Vault", "azure-native:keyvault:Key"]);
    });

    test("vault settings: IP rules open public access behind the firewall; privateEndpoint adds an endpoint to the vault in that subnet", async () => {
        const subnetId = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/keys";
        const run = await runUnderMocks(
            () =>
                new AzureKey("sig", {
                    resourceGroupName: "rg",
                    vault: { location: "westeurope", tenantId: TENANT, name: "acme-sig-kv", ipRules: ["203.0.113.0/24"], privateEndpoint: { subnetId, location: "northeurope" } },
                    purpose: "sign",
                    algorithm: "EC_P256",
                }),
        );
        const vault = byName(run, "sig-vault");
        expect([vault.inputs.properties.publicNetworkAccess, vault.inputs.properties.networkAcls.ipRules]).toEqual(["enabled", [{ value: "203.0.113.0/24" }]]);
        const endpoint = byName(run, "sig-vault-endpoint");
        expect([endpoint.type, endpoint.parent, endpoint.protect]).toEqual(["azure-native:network:PrivateEndpoint", byName(run, "sig").urn, false]);
        expect(endpoint.inputs).toEqual({
            privateEndpointName: "acme-sig-kv-endpoint",
            resourceGroupName: "rg",
            location: "northeurope",
            subnet: { id: subnetId, privateEndpointNetworkPolicies: "Disabled", privateLinkServiceNetworkPolicies: "Enabled" },
            privateLinkServiceConnections: [{ name: "vault", privateLinkServiceId: vault.id, groupIds: ["vault"] }],
            tags: {},
        });
        expect(() =>
            new AzureKey("bad", { resourceGroupName: "rg", vault: { location: "westeurope", tenantId: TENANT, name: "acme-bad-kv", privateEndpoint: { subnetId: "keys" } }, purpose: "sign", algorithm: "EC_P256" }),
        ).toThrow("vault.privateEndpoint.subnetId: is not the ARM id of a subnet");
    });

    test("an RSA key with its own vault and an explicit rotation policy and expiry", async () => {
        const run = await runUnderMocks(
            () =>
                new AzureKey("wrap", {
                    resourceGroupName: "rg",
                    vault: { location: "westeurope", tenantId: TENANT, name: "acme-wrap-kv" },
                    purpose: "encrypt",
                    algorithm: "RSA_3072",
                    rotationDays: 180,
                    expiresAt: "2027-06-30T00:00:00Z",
                }),
        );
        expect(byName(run, "wrap-vault").inputs.properties.sku).toEqual({ family: "A", name: "standard" });
        expect(byName(run, "wrap-key").inputs.properties).toEqual({
            kty: "RSA",
            keySize: 3072,
            keyOps: ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
            attributes: { enabled: true, exportable: false, expires: 1814313600 },
            rotationPolicy: {
                attributes: { expiryTime: "P210D" },
                lifetimeActions: [
                    { action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } },
                    { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
                ],
            },
        });
    });
});
