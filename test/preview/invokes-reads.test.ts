/**
 * sdk/preview/invokes: the cloud reads. Each answers `kind: "assumed"` with a plausible result shaped as the
 * @pulumi/* result interface and one sentence naming the assumed values.
 */
import { InvokeContext, offlineInvoke } from "../../sdk/preview/invokes";
import { ASSUMED_AWS_ACCOUNT_ID } from "../../sdk/preview/invokes/aws-reads";
import { ASSUMED_SUBSCRIPTION_ID } from "../../sdk/preview/invokes/azure-reads";
import { MOCK_ACCOUNT_ID, MOCK_SUBSCRIPTION_ID } from "../../sdk/preview/mocks";
import { stableUuid } from "../../sdk/schema/names";

const config = (values: Record<string, string>): InvokeContext => ({ config: (k) => values[k] });
const none = config({});
const SUFFIX = " (supply with --assume)";

function assumedOf(token: string, inputs: Record<string, unknown>, c: InvokeContext) {
    const out = offlineInvoke(token, inputs, c);
    if (out?.kind !== "assumed") throw new Error(`expected an assumed result for ${token}, got ${JSON.stringify(out)}`);
    expect(out.assumption.startsWith(`${token}: `)).toBe(true);
    expect(out.assumption.endsWith(SUFFIX)).toBe(true);
    return out;
}

it("uses the fallbacks sdk/preview/mocks.ts uses", () => {
    expect(ASSUMED_AWS_ACCOUNT_ID).toBe(MOCK_ACCOUNT_ID);
    expect(ASSUMED_SUBSCRIPTION_ID).toBe(MOCK_SUBSCRIPTION_ID);
});

describe("AWS", () => {
    const CALLER = "aws:index/getCallerIdentity:getCallerIdentity";
    it("getCallerIdentity: 123456789012 unless the provider config names the account", () => {
        expect(assumedOf(CALLER, {}, config({ "aws:region": "eu-west-1" }))).toEqual({
            kind: "assumed",
            result: { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/preview", id: "123456789012", userId: "AIDAPREVIEW" },
            assumption: `${CALLER}: account 123456789012, caller arn:aws:iam::123456789012:user/preview and user id AIDAPREVIEW assumed${SUFFIX}`,
        });
        expect(assumedOf(CALLER, {}, none).assumption).toBe(`${CALLER}: account 123456789012, caller arn:aws:iam::123456789012:user/preview and user id AIDAPREVIEW assumed with region us-east-1 (aws:region is not set)${SUFFIX}`);
        expect(assumedOf(CALLER, {}, config({ "aws:region": "us-gov-west-1", "aws:allowedAccountIds": '["111122223333","444455556666"]' }))).toEqual({
            kind: "assumed",
            result: { accountId: "111122223333", arn: "arn:aws-us-gov:iam::111122223333:user/preview", id: "111122223333", userId: "AIDAPREVIEW" },
            assumption: `${CALLER}: account 111122223333 (the first of aws:allowedAccountIds), caller arn:aws-us-gov:iam::111122223333:user/preview and user id AIDAPREVIEW assumed${SUFFIX}`,
        });
        expect(assumedOf(CALLER, {}, config({ "aws:region": "eu-west-1", "aws:assumeRoles": '[{"roleArn":"arn:aws:iam::444455556666:role/deployer","sessionName":"ci"}]' }))).toEqual({
            kind: "assumed",
            result: { accountId: "444455556666", arn: "arn:aws:sts::444455556666:assumed-role/deployer/ci", id: "444455556666", userId: "AROAPREVIEW:ci" },
            assumption: `${CALLER}: account 444455556666 (of the aws:assumeRoles role), caller arn:aws:sts::444455556666:assumed-role/deployer/ci and user id AROAPREVIEW:ci assumed${SUFFIX}`,
        });
    });

    const KEY = "aws:kms/getKey:getKey";
    const keyBase = {
        cloudHsmClusterId: "",
        creationDate: "2024-01-01T00:00:00Z",
        customKeyStoreId: "",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        deletionDate: "",
        description: "",
        enabled: true,
        expirationModel: "",
        keyManager: "CUSTOMER",
        keySpec: "SYMMETRIC_DEFAULT",
        keyState: "Enabled",
        keyUsage: "ENCRYPT_DECRYPT",
        origin: "AWS_KMS",
        pendingDeletionWindowInDays: 0,
        validTo: "",
        xksKeyConfigurations: [],
    };
    it("getKey by alias: a stable key id in the caller's account and region", () => {
        const id = stableUuid("aws:kms/getKey", "aws", "eu-west-1", "123456789012", "alias/payments");
        expect(assumedOf(KEY, { keyId: "alias/payments" }, config({ "aws:region": "eu-west-1" }))).toEqual({
            kind: "assumed",
            result: { ...keyBase, arn: `arn:aws:kms:eu-west-1:123456789012:key/${id}`, awsAccountId: "123456789012", id, keyId: "alias/payments", multiRegion: false, multiRegionConfigurations: [], region: "eu-west-1" },
            assumption: `${KEY}: key alias/payments assumed to exist as an enabled customer-managed SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key from AWS_KMS with key id ${id} in account 123456789012${SUFFIX}`,
        });
    });

    it("getKey by key ARN: account, region and key id from the ARN (a multi-Region key is a primary)", () => {
        const arn = "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
        expect(assumedOf(KEY, { keyId: arn, grantTokens: ["t1"] }, config({ "aws:region": "eu-west-1" }))).toEqual({
            kind: "assumed",
            result: {
                ...keyBase,
                arn,
                awsAccountId: "111122223333",
                grantTokens: ["t1"],
                id: "mrk-1234abcd12ab34cd56ef1234567890ab",
                keyId: arn,
                multiRegion: true,
                multiRegionConfigurations: [{ multiRegionKeyType: "PRIMARY", primaryKeys: [{ arn, region: "us-west-2" }], replicaKeys: [] }],
                region: "us-west-2",
            },
            assumption: `${KEY}: key ${arn} assumed to exist as an enabled customer-managed multi-Region primary SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key from AWS_KMS${SUFFIX}`,
        });
        const byId = assumedOf(KEY, { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", region: "ap-south-1" }, none);
        expect(byId.result).toMatchObject({ arn: "arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", id: "1234abcd-12ab-34cd-56ef-1234567890ab", region: "ap-south-1" });
        expect(byId.assumption).toBe(`${KEY}: key 1234abcd-12ab-34cd-56ef-1234567890ab assumed to exist as an enabled customer-managed SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key from AWS_KMS in account 123456789012${SUFFIX}`);
        expect(assumedOf(KEY, { keyId: "alias/aws/s3" }, none).result.keyManager).toBe("AWS");
    });

    it("getAlias: the alias ARN as id, targeting the key getKey would find for the alias", () => {
        const target = stableUuid("aws:kms/getKey", "aws", "eu-west-1", "123456789012", "alias/payments");
        expect(assumedOf("aws:kms/getAlias:getAlias", { name: "alias/payments" }, config({ "aws:region": "eu-west-1" }))).toEqual({
            kind: "assumed",
            result: {
                arn: "arn:aws:kms:eu-west-1:123456789012:alias/payments",
                id: "arn:aws:kms:eu-west-1:123456789012:alias/payments",
                name: "alias/payments",
                region: "eu-west-1",
                targetKeyArn: `arn:aws:kms:eu-west-1:123456789012:key/${target}`,
                targetKeyId: target,
            },
            assumption: `aws:kms/getAlias:getAlias: alias alias/payments assumed to exist in account 123456789012 and region eu-west-1, targeting key ${target}${SUFFIX}`,
        });
    });

    it("getRole: a role trusting its account root", () => {
        const out = assumedOf("aws:iam/getRole:getRole", { name: "deployer" }, config({ "aws:region": "eu-west-1" }));
        expect(out.result).toEqual({
            arn: "arn:aws:iam::123456789012:role/deployer",
            assumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`,
            createDate: "2024-01-01T00:00:00Z",
            description: "",
            id: "deployer",
            maxSessionDuration: 3600,
            name: "deployer",
            path: "/",
            permissionsBoundary: "",
            roleLastUseds: [],
            tags: {},
            uniqueId: expect.stringMatching(/^AROA[0-9A-Z]{17}$/),
        });
        expect(out.assumption).toBe(
            `aws:iam/getRole:getRole: role deployer assumed to exist at path / in account 123456789012, trusting only arn:aws:iam::123456789012:root (sts:AssumeRole), with no permissions boundary and a 3600-second maximum session${SUFFIX}`,
        );
        expect(assumedOf("aws:iam/getRole:getRole", { name: "deployer" }, none).result.uniqueId).toBe(out.result.uniqueId);
    });
});

describe("Google Cloud", () => {
    const CLIENT = "gcp:organizations/getClientConfig:getClientConfig";
    it("getClientConfig: project/region/zone from the stack config, a placeholder token", () => {
        expect(assumedOf(CLIENT, {}, config({ "gcp:project": "acme-kms", "gcp:region": "europe-west1", "gcp:zone": "europe-west1-b", "gcp:defaultLabels": '{"team":"payments"}' }))).toEqual({
            kind: "assumed",
            result: { accessToken: "ya29.keyfabric-preview-placeholder", defaultLabels: { team: "payments" }, id: "projects/acme-kms/regions/europe-west1/zones/europe-west1-b", project: "acme-kms", region: "europe-west1", zone: "europe-west1-b" },
            assumption: `${CLIENT}: a placeholder access token ya29.keyfabric-preview-placeholder assumed, with project acme-kms (from gcp:project), region europe-west1 (from gcp:region) and zone europe-west1-b (from gcp:zone)${SUFFIX}`,
        });
        expect(assumedOf(CLIENT, {}, none)).toEqual({
            kind: "assumed",
            result: { accessToken: "ya29.keyfabric-preview-placeholder", defaultLabels: {}, id: "projects/mock-project/regions//zones/", project: "mock-project", region: "", zone: "" },
            assumption: `${CLIENT}: a placeholder access token ya29.keyfabric-preview-placeholder assumed, with project mock-project (assumed: gcp:project is not set), no region (gcp:region is not set) and no zone (gcp:zone is not set)${SUFFIX}`,
        });
    });

    it("getProject: the project id given or configured, a stable number", () => {
        const out = assumedOf("gcp:organizations/getProject:getProject", {}, config({ "gcp:project": "acme-kms" }));
        expect(out.result).toEqual({
            autoCreateNetwork: true,
            billingAccount: "",
            deletionPolicy: "PREVENT",
            effectiveLabels: {},
            folderId: "",
            id: "projects/acme-kms",
            labels: {},
            name: "acme-kms",
            number: "109572772451",
            orgId: "",
            projectId: "acme-kms",
            pulumiLabels: {},
            tags: {},
        });
        expect(out.assumption).toBe(`gcp:organizations/getProject:getProject: project acme-kms assumed to exist with number 109572772451, name acme-kms, no organization, folder, billing account or labels${SUFFIX}`);
        expect(assumedOf("gcp:organizations/getProject:getProject", { projectId: "other" }, config({ "gcp:project": "acme-kms" })).result).toMatchObject({ id: "projects/other", projectId: "other" });
    });

    it("getKMSKeyRing and getKMSCryptoKey: resource names from the inputs", () => {
        const ring = "projects/acme-kms/locations/europe-west1/keyRings/payments";
        expect(assumedOf("gcp:kms/getKMSKeyRing:getKMSKeyRing", { name: "payments", location: "europe-west1" }, config({ "gcp:project": "acme-kms" }))).toEqual({
            kind: "assumed",
            result: { id: ring, location: "europe-west1", name: "payments", project: "acme-kms" },
            assumption: `gcp:kms/getKMSKeyRing:getKMSKeyRing: key ring ${ring} assumed to exist${SUFFIX}`,
        });
        expect(assumedOf("gcp:kms/getKMSKeyRing:getKMSKeyRing", { name: "r", location: "global", project: "p2" }, none).result.id).toBe("projects/p2/locations/global/keyRings/r");
        const key = `${ring}/cryptoKeys/pay`;
        expect(assumedOf("gcp:kms/getKMSCryptoKey:getKMSCryptoKey", { name: "pay", keyRing: ring }, none)).toEqual({
            kind: "assumed",
            result: {
                cryptoKeyBackend: "",
                deletionPolicy: "",
                destroyScheduledDuration: "2592000s",
                effectiveLabels: {},
                id: key,
                importOnly: false,
                keyAccessJustificationsPolicies: [],
                keyRing: ring,
                labels: {},
                name: "pay",
                primaries: [{ name: `${key}/cryptoKeyVersions/1`, state: "ENABLED" }],
                pulumiLabels: {},
                purpose: "ENCRYPT_DECRYPT",
                rotationPeriod: "",
                skipInitialVersionCreation: false,
                versionTemplates: [{ algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" }],
            },
            assumption: `gcp:kms/getKMSCryptoKey:getKMSCryptoKey: crypto key ${key} assumed to exist as an ENCRYPT_DECRYPT GOOGLE_SYMMETRIC_ENCRYPTION SOFTWARE key with enabled primary version 1, no rotation period and a 2592000s destroy-scheduled duration${SUFFIX}`,
        });
    });
});

describe("Azure", () => {
    const SUB = "00000000-0000-4000-8000-000000000000";
    const TENANT = "00000000-0000-4000-8000-000000000001";
    const CLIENT = "00000000-0000-4000-8000-000000000002";
    const OBJECT = "00000000-0000-4000-8000-000000000003";

    it("azure-native getClientConfig: configured ids, else fixed UUIDs", () => {
        const mine = "11111111-2222-4333-8444-555555555555";
        expect(assumedOf("azure-native:authorization:getClientConfig", {}, config({ "azure-native:subscriptionId": mine, "azure-native:tenantId": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" }))).toEqual({
            kind: "assumed",
            result: { clientId: CLIENT, objectId: OBJECT, subscriptionId: mine, tenantId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" },
            assumption:
                `azure-native:authorization:getClientConfig: signed-in identity with client ${CLIENT} (assumed: azure-native:clientId is not set), object id ${OBJECT} (assumed: the signed-in principal's), ` +
                `subscription ${mine} (from azure-native:subscriptionId), tenant aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee (from azure-native:tenantId)${SUFFIX}`,
        });
    });

    it("classic getClientConfig: the azurerm id (base64 of clientConfigs/...)", () => {
        const out = assumedOf("azure:core/getClientConfig:getClientConfig", {}, none);
        expect(out.result).toEqual({
            clientId: CLIENT,
            id: Buffer.from(`clientConfigs/clientId=${CLIENT};objectId=${OBJECT};subscriptionId=${SUB};tenantId=${TENANT}`).toString("base64"),
            objectId: OBJECT,
            subscriptionId: SUB,
            tenantId: TENANT,
        });
        expect(out.assumption).toBe(
            `azure:core/getClientConfig:getClientConfig: signed-in identity with client ${CLIENT} (assumed: azure:clientId is not set), object id ${OBJECT} (assumed: the signed-in principal's), subscription ${SUB} (assumed: azure:subscriptionId is not set), tenant ${TENANT} (assumed: azure:tenantId is not set)${SUFFIX}`,
        );
    });

    it("classic getSubscription", () => {
        expect(assumedOf("azure:core/getSubscription:getSubscription", {}, config({ "azure:subscriptionId": SUB, "azure:tenantId": TENANT }))).toEqual({
            kind: "assumed",
            result: { displayName: "preview-subscription", id: `/subscriptions/${SUB}`, locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off", state: "Enabled", subscriptionId: SUB, tags: {}, tenantId: TENANT },
            assumption: `azure:core/getSubscription:getSubscription: subscription ${SUB} (from azure:subscriptionId) assumed Enabled, named preview-subscription, in tenant ${TENANT} (from azure:tenantId)${SUFFIX}`,
        });
    });

    it("azure-native getVault and getManagedHsm: what mocks.ts returned, in the configured subscription", () => {
        const mine = "11111111-2222-4333-8444-555555555555";
        expect(assumedOf("azure-native:keyvault:getVault", { resourceGroupName: "rg-keys", vaultName: "kv-pay" }, config({ "azure-native:subscriptionId": mine }))).toEqual({
            kind: "assumed",
            result: { azureApiVersion: "2024-11-01", id: `/subscriptions/${mine}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/kv-pay`, name: "kv-pay", properties: { vaultUri: "https://kv-pay.vault.azure.net/" }, type: "Microsoft.KeyVault/vaults" },
            assumption: `azure-native:keyvault:getVault: vault kv-pay in resource group rg-keys assumed to exist in subscription ${mine} (from azure-native:subscriptionId) with URI https://kv-pay.vault.azure.net/, its other properties (tenant, SKU, RBAC, purge protection, network rules) unknown${SUFFIX}`,
        });
        expect(assumedOf("azure-native:keyvault:getManagedHsm", { resourceGroupName: "rg-keys", name: "hsm-pay" }, none)).toEqual({
            kind: "assumed",
            result: { azureApiVersion: "2024-11-01", id: `/subscriptions/${SUB}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/managedHSMs/hsm-pay`, name: "hsm-pay", properties: { hsmUri: "https://hsm-pay.managedhsm.azure.net/" }, type: "Microsoft.KeyVault/managedHSMs" },
            assumption: `azure-native:keyvault:getManagedHsm: managed HSM hsm-pay in resource group rg-keys assumed to exist in subscription ${SUB} (assumed: azure-native:subscriptionId is not set) with URI https://hsm-pay.managedhsm.azure.net/, its other properties (tenant, SKU, administrators, purge protection, network rules) unknown${SUFFIX}`,
        });
    });

    it("classic getKeyVault", () => {
        expect(assumedOf("azure:keyvault/getKeyVault:getKeyVault", { resourceGroupName: "rg-keys", name: "kv-pay" }, config({ "azure:location": "westeurope" }))).toEqual({
            kind: "assumed",
            result: {
                accessPolicies: [],
                enableRbacAuthorization: true,
                enabledForDeployment: false,
                enabledForDiskEncryption: false,
                enabledForTemplateDeployment: false,
                id: `/subscriptions/${SUB}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/kv-pay`,
                location: "westeurope",
                name: "kv-pay",
                networkAcls: [{ bypass: "AzureServices", defaultAction: "Allow", ipRules: [], virtualNetworkSubnetIds: [] }],
                publicNetworkAccessEnabled: true,
                purgeProtectionEnabled: true,
                rbacAuthorizationEnabled: true,
                resourceGroupName: "rg-keys",
                skuName: "standard",
                tags: {},
                tenantId: TENANT,
                vaultUri: "https://kv-pay.vault.azure.net/",
            },
            assumption:
                `azure:keyvault/getKeyVault:getKeyVault: key vault kv-pay in resource group rg-keys assumed to exist in subscription ${SUB} (assumed: azure:subscriptionId is not set), tenant ${TENANT} (assumed: azure:tenantId is not set), ` +
                `location westeurope, SKU standard, RBAC authorization without access policies, purge protection enabled and public network access allowed, with URI https://kv-pay.vault.azure.net/${SUFFIX}`,
        });
    });

    it("azure-native getRoleDefinition: built-in roles by their fixed ids", () => {
        const scope = `/subscriptions/${SUB}`;
        expect(assumedOf("azure-native:authorization:getRoleDefinition", { roleDefinitionId: "12338af0-0e69-4776-bea7-57ae8d297424", scope }, none)).toEqual({
            kind: "assumed",
            result: {
                assignableScopes: ["/"],
                azureApiVersion: "2022-05-01-preview",
                createdBy: "",
                createdOn: "",
                id: `${scope}/providers/Microsoft.Authorization/roleDefinitions/12338af0-0e69-4776-bea7-57ae8d297424`,
                name: "12338af0-0e69-4776-bea7-57ae8d297424",
                permissions: [],
                roleName: "Key Vault Crypto User",
                roleType: "BuiltInRole",
                systemData: {},
                type: "Microsoft.Authorization/roleDefinitions",
                updatedBy: "",
                updatedOn: "",
            },
            assumption: `azure-native:authorization:getRoleDefinition: role definition 12338af0-0e69-4776-bea7-57ae8d297424 assumed to be the built-in role Key Vault Crypto User, its permissions not modelled${SUFFIX}`,
        });
        const custom = assumedOf("azure-native:authorization:getRoleDefinition", { roleDefinitionId: "9f0c2a3e-0000-4000-8000-00000000abcd", scope }, none);
        expect(custom.result).toMatchObject({ assignableScopes: [scope], roleType: "CustomRole" });
        expect(custom.result.roleName).toBeUndefined();
        expect(custom.assumption).toBe(`azure-native:authorization:getRoleDefinition: role definition 9f0c2a3e-0000-4000-8000-00000000abcd at scope ${scope} assumed to be a custom role with unknown name and no modelled permissions${SUFFIX}`);
    });
});
