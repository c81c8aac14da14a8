/**
 * The type-check baseline: what examples/three-cloud-hierarchy declares through its KeyHierarchy, written by hand
 * with the cloud packages' submodules (`@pulumi/aws/kms`, `@pulumi/gcp/kms`, `@pulumi/azure-native/keyvault`,
 * `@pulumi/azure-native/authorization`, `@pulumi/azure/keyvault`). Type-checked only (bench/index.ts), never deployed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as kms from "@pulumi/aws/kms";
import * as gcpKms from "@pulumi/gcp/kms";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as authorization from "@pulumi/azure-native/authorization";
import * as classicKeyvault from "@pulumi/azure/keyvault";

const account = "444455556666";
const tenantId = "2b4c6d8e-1a3b-4c5d-8e9f-0a1b2c3d4e5f";
const resourceGroupName = "rg-keys-prod";
const keep: pulumi.CustomResourceOptions = { protect: true, retainOnDelete: true };

interface Domain {
    name: string;
    classification: string;
}
const customerData: Domain = { name: "customer-data", classification: "restricted" };
const telemetry: Domain = { name: "telemetry", classification: "internal" };

const tags = (d: Domain, key?: string): Record<string, string> => ({
    environment: "prod",
    "keyfabric:hierarchy": "corp",
    "keyfabric:domain": d.name,
    "keyfabric:owner": "security-engineering",
    "keyfabric:classification": d.classification,
    ...(key ? { "keyfabric:key": key } : {}),
});
const labels = (d: Domain, key: string): Record<string, string> =>
    Object.fromEntries(Object.entries(tags(d, key)).map(([k, v]) => [k.replace(":", "-"), v]));

// ---- AWS KMS ----
const ADMIN_ACTIONS = ["kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*", "kms:Enable*", "kms:Get*", "kms:ImportKeyMaterial", "kms:List*", "kms:Put*", "kms:ReplicateKey", "kms:Revoke*", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:Update*"];
function keyPolicy(users?: { sid: string; principal: string; actions: string[] }): string {
    const statements: object[] = [
        { Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${account}:root`] }, Action: "kms:*", Resource: "*" },
        { Sid: "KeyAdministrators", Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${account}:role/KeyCustodians`] }, Action: ADMIN_ACTIONS, Resource: "*" },
    ];
    if (users) statements.push({ Sid: users.sid, Effect: "Allow", Principal: { AWS: [users.principal] }, Action: users.actions, Resource: "*" });
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
const customerApi = `arn:aws:iam::${account}:role/CustomerApi`;

const recordsPolicy = keyPolicy({ sid: "KeyUsers", principal: customerApi, actions: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"] });
const recordsAws = new kms.Key(
    "corp-customer-data-records-aws-key",
    {
        region: "us-east-1",
        description: "corp/customer-data/records: encrypt key (AES_256, restricted)",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
        deletionWindowInDays: 30,
        multiRegion: true,
        isEnabled: true,
        enableKeyRotation: true,
        rotationPeriodInDays: 180,
        bypassPolicyLockoutSafetyCheck: false,
        policy: recordsPolicy,
        tags: tags(customerData, "records"),
    },
    keep,
);
const recordsAlias = new kms.Alias("corp-customer-data-records-aws-alias", { name: "alias/corp/customer-data/records", targetKeyId: recordsAws.id, region: "us-east-1" });
const recordsReplica = new kms.ReplicaKey(
    "corp-customer-data-records-aws-replica-us-west-2",
    {
        region: "us-west-2",
        primaryKeyArn: recordsAws.arn,
        description: "corp/customer-data/records: encrypt key (AES_256, restricted)",
        deletionWindowInDays: 30,
        bypassPolicyLockoutSafetyCheck: false,
        policy: recordsPolicy,
        tags: tags(customerData, "records"),
    },
    keep,
);
new kms.Grant("corp-customer-data-records-aws-grant-backup", {
    region: "us-east-1",
    keyId: recordsAws.id,
    granteePrincipal: `arn:aws:iam::${account}:role/Backup`,
    operations: ["Decrypt", "DescribeKey", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"],
});

const signingAws = new kms.Key(
    "corp-customer-data-documents-signing-aws-key",
    {
        region: "us-east-1",
        description: "corp/customer-data/documents-signing: sign key (RSA_3072, restricted)",
        customerMasterKeySpec: "RSA_3072",
        keyUsage: "SIGN_VERIFY",
        deletionWindowInDays: 30,
        multiRegion: false,
        isEnabled: true,
        enableKeyRotation: false,
        bypassPolicyLockoutSafetyCheck: false,
        policy: keyPolicy({ sid: "KeySigners", principal: customerApi, actions: ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify"] }),
        tags: tags(customerData, "documents-signing"),
    },
    keep,
);
const signingAlias = new kms.Alias("corp-customer-data-documents-signing-aws-alias", { name: "alias/corp/customer-data/documents-signing", targetKeyId: signingAws.id, region: "us-east-1" });

const eventsAws = new kms.Key(
    "corp-telemetry-events-aws-key",
    {
        region: "us-east-1",
        description: "corp/telemetry/events: encrypt key (AES_256, internal)",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
        deletionWindowInDays: 30,
        multiRegion: false,
        isEnabled: true,
        enableKeyRotation: true,
        rotationPeriodInDays: 180,
        bypassPolicyLockoutSafetyCheck: false,
        policy: keyPolicy(),
        tags: tags(telemetry, "events"),
    },
    keep,
);
const eventsAlias = new kms.Alias("corp-telemetry-events-aws-alias", { name: "alias/corp/telemetry/events", targetKeyId: eventsAws.id, region: "us-east-1" });

// ---- Google Cloud KMS ----
const customerRing = new gcpKms.KeyRing("corp-customer-data-ring-us-east1", { name: "corp-customer-data", location: "us-east1", project: "corp-keys-prod" }, keep);
const telemetryRing = new gcpKms.KeyRing("corp-telemetry-ring-us-east1", { name: "corp-telemetry", location: "us-east1", project: "corp-keys-prod" }, keep);

function cryptoKey(name: string, ring: gcpKms.KeyRing, args: Omit<gcpKms.CryptoKeyArgs, "keyRing" | "destroyScheduledDuration">): gcpKms.CryptoKey {
    return new gcpKms.CryptoKey(name, { ...args, keyRing: ring.id, destroyScheduledDuration: `${30 * 86400}s` }, keep);
}
function member(name: string, key: gcpKms.CryptoKey, role: string, principal: string): gcpKms.CryptoKeyIAMMember {
    return new gcpKms.CryptoKeyIAMMember(name, { cryptoKeyId: key.id, role, member: principal });
}
const custodians = "group:key-custodians@corp.example";
const customerApiSa = "serviceAccount:customer-api@corp-keys-prod.iam.gserviceaccount.com";

const recordsGcp = cryptoKey("corp-customer-data-records-gcp-key", customerRing, {
    name: "records",
    purpose: "ENCRYPT_DECRYPT",
    versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" },
    rotationPeriod: `${180 * 86400}s`,
    labels: labels(customerData, "records"),
});
member("corp-customer-data-records-gcp-admin", recordsGcp, "roles/cloudkms.admin", custodians);
member("corp-customer-data-records-gcp-user", recordsGcp, "roles/cloudkms.cryptoKeyEncrypterDecrypter", customerApiSa);
member("corp-customer-data-records-gcp-backup", recordsGcp, "roles/cloudkms.cryptoKeyEncrypterDecrypter", "serviceAccount:backup@corp-keys-prod.iam.gserviceaccount.com");

const signingGcp = cryptoKey("corp-customer-data-documents-signing-gcp-key", customerRing, {
    name: "documents-signing",
    purpose: "ASYMMETRIC_SIGN",
    versionTemplate: { algorithm: "RSA_SIGN_PSS_3072_SHA256", protectionLevel: "HSM" },
    labels: labels(customerData, "documents-signing"),
});
member("corp-customer-data-documents-signing-gcp-admin", signingGcp, "roles/cloudkms.admin", custodians);
member("corp-customer-data-documents-signing-gcp-signer", signingGcp, "roles/cloudkms.signerVerifier", customerApiSa);

const eventsGcp = cryptoKey("corp-telemetry-events-gcp-key", telemetryRing, {
    name: "events",
    purpose: "ENCRYPT_DECRYPT",
    versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
    rotationPeriod: `${180 * 86400}s`,
    labels: labels(telemetry, "events"),
});
member("corp-telemetry-events-gcp-admin", eventsGcp, "roles/cloudkms.admin", custodians);

// ---- Azure: a premium Key Vault for the RSA-HSM key, the Managed HSM for the AES key ----
const vault = new keyvault.Vault(
    "corp-customer-data-vault-eastus2",
    {
        vaultName: "corp-customer-2dcc9687",
        resourceGroupName,
        location: "eastus2",
        properties: {
            tenantId,
            sku: { family: "A", name: "premium" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
            enabledForDeployment: false,
            enabledForDiskEncryption: false,
            enabledForTemplateDeployment: false,
            networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
        },
        tags: tags(customerData),
    },
    keep,
);
const signingAzure = new keyvault.Key(
    "corp-customer-data-documents-signing-azure-key",
    {
        keyName: "customer-data-documents-signing",
        vaultName: vault.name,
        resourceGroupName,
        properties: { kty: "RSA-HSM", keySize: 3072, keyOps: ["sign", "verify"], attributes: { enabled: true, exportable: false } },
        tags: tags(customerData, "documents-signing"),
    },
    keep,
);
const roleDefinition = (guid: string) => signingAzure.id.apply((id) => `/subscriptions/${id.split("/")[2]}/providers/Microsoft.Authorization/roleDefinitions/${guid}`);
new authorization.RoleAssignment("corp-customer-data-documents-signing-azure-admin", {
    scope: signingAzure.id,
    principalId: "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    principalType: "Group",
    roleDefinitionId: roleDefinition("14b46e9e-c2b7-41b4-b07b-48a6ebf60603"),
});
new authorization.RoleAssignment("corp-customer-data-documents-signing-azure-signer", {
    scope: signingAzure.id,
    principalId: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
    principalType: "ServicePrincipal",
    roleDefinitionId: roleDefinition("12338af0-0e69-4776-bea7-57ae8d297424"),
});

const hsm = keyvault.getManagedHsmOutput({ name: "corp-mhsm", resourceGroupName });
const recordsAzure = new classicKeyvault.ManagedHardwareSecurityModuleKey(
    "corp-customer-data-records-azure-key",
    {
        name: "customer-data-records",
        managedHsmId: hsm.id,
        keyType: "oct-HSM",
        keySize: 256,
        keyOpts: ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
        tags: tags(customerData, "records"),
    },
    keep,
);
new classicKeyvault.ManagedHardwareSecurityModuleKeyRotationPolicy("corp-customer-data-records-azure-rotation", {
    managedHsmKeyId: recordsAzure.id,
    timeAfterCreation: "P180D",
    expireAfter: "P210D",
});
const hsmRole = (guid: string) => `/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
new classicKeyvault.ManagedHardwareSecurityModuleRoleAssignment("corp-customer-data-records-azure-admin", {
    managedHsmId: hsm.id,
    name: "f0aef3b8-31ed-5ce6-a07f-b029c9debc1b",
    principalId: "7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    roleDefinitionId: hsmRole("515eb02d-2335-4d2d-92f2-b1cbdf9c3778"),
    scope: "/keys/customer-data-records",
});
new classicKeyvault.ManagedHardwareSecurityModuleRoleAssignment("corp-customer-data-records-azure-user", {
    managedHsmId: hsm.id,
    name: "0da8f4d8-42c3-59b8-b447-2f25927cf432",
    principalId: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
    roleDefinitionId: hsmRole("21dbd100-6940-42c2-9190-5d6cb909625b"),
    scope: "/keys/customer-data-records",
});

// ---- The same outputs as the example's `keys` ----
export const keys = {
    "customer-data/records": {
        aws: { keyArn: recordsAws.arn, keyId: recordsAws.id, aliasArns: [recordsAlias.arn], replicaArns: { "us-west-2": recordsReplica.arn } },
        gcp: { cryptoKeyId: recordsGcp.id, keyRingId: customerRing.id },
        azure: { keyId: recordsAzure.id, keyUri: recordsAzure.id },
    },
    "customer-data/documents-signing": {
        aws: { keyArn: signingAws.arn, keyId: signingAws.id, aliasArns: [signingAlias.arn], replicaArns: {} },
        gcp: { cryptoKeyId: signingGcp.id, keyRingId: customerRing.id },
        azure: { keyId: signingAzure.id, keyUri: signingAzure.keyUri },
    },
    "telemetry/events": {
        aws: { keyArn: eventsAws.arn, keyId: eventsAws.id, aliasArns: [eventsAlias.arn], replicaArns: {} },
        gcp: { cryptoKeyId: eventsGcp.id, keyRingId: telemetryRing.id },
    },
};
