/**
 * Plausible ids and outputs per resource type for offline previews (`pulumi.runtime.setMocks`).
 */
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";
import { stableUuid } from "../schema/names";

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000000";

function awsAccount(inputs: Record<string, any>): string {
    const m = /arn:aws[-a-z]*:iam::(\d{12}):root/.exec(typeof inputs.policy === "string" ? inputs.policy : "");
    return m ? m[1] : MOCK_ACCOUNT_ID;
}

/** Ids and state for a registered resource; inputs pass through as outputs. */
/** Key id -> account, so aliases and grants of a key report the key's account. */
const keyAccounts = new Map<string, string>();

export function mockResource(args: MockResourceArgs): { id: string; state: Record<string, any> } {
    const inputs: Record<string, any> = args.inputs ?? {};
    const uuid = stableUuid(args.type, args.name);
    const region = inputs.region ?? "us-east-1";
    const withId = (id: string, extra: Record<string, any> = {}) => ({ id, state: { ...inputs, ...extra } });
    switch (args.type) {
        case "aws:kms/key:Key":
        case "aws:kms/externalKey:ExternalKey":
        case "aws:kms/replicaKey:ReplicaKey":
        case "aws:kms/replicaExternalKey:ReplicaExternalKey": {
            const mrk = inputs.multiRegion || args.type.includes("replica") ? `mrk-${uuid.replace(/-/g, "")}` : uuid;
            keyAccounts.set(mrk, awsAccount(inputs));
            return withId(mrk, { arn: `arn:aws:kms:${region}:${awsAccount(inputs)}:key/${mrk}`, keyId: mrk });
        }
        case "aws:kms/alias:Alias": {
            const account = keyAccounts.get(inputs.targetKeyId) ?? MOCK_ACCOUNT_ID;
            return withId(inputs.name, { arn: `arn:aws:kms:${region}:${account}:${inputs.name}`, targetKeyArn: `arn:aws:kms:${region}:${account}:key/${inputs.targetKeyId}` });
        }
        case "aws:kms/grant:Grant": {
            const grantId = stableUuid("grant", args.name).replace(/-/g, "");
            return withId(`${inputs.keyId}:${grantId}`, { grantId, grantToken: `mock-token-${grantId.slice(0, 8)}` });
        }
        case "gcp:kms/keyRing:KeyRing":
            return withId(`projects/${inputs.project ?? "mock-project"}/locations/${inputs.location}/keyRings/${inputs.name}`);
        case "gcp:kms/cryptoKey:CryptoKey":
            return withId(`${inputs.keyRing}/cryptoKeys/${inputs.name}`, { primaries: [] });
        case "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":
            return withId(`${inputs.cryptoKeyId}/${inputs.role}/${inputs.member}`, { etag: "BwXmockEtag=" });
        case "azure-native:keyvault:Vault": {
            const rg = inputs.resourceGroupName;
            return withId(`/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${inputs.vaultName}`, {
                name: inputs.vaultName,
                properties: { ...inputs.properties, vaultUri: `https://${inputs.vaultName}.vault.azure.net/` },
            });
        }
        case "azure-native:keyvault:Key": {
            const id = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${inputs.vaultName}/keys/${inputs.keyName}`;
            const uri = `https://${inputs.vaultName}.vault.azure.net/keys/${inputs.keyName}`;
            return withId(id, { name: inputs.keyName, keyUri: uri, keyUriWithVersion: `${uri}/${uuid.replace(/-/g, "")}` });
        }
        case "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey": {
            const hsm = String(inputs.managedHsmId ?? "").split("/").pop() ?? "hsm";
            const uri = `https://${hsm}.managedhsm.azure.net/keys/${inputs.name}`;
            return withId(uri, { versionedId: `${uri}/${uuid.replace(/-/g, "")}` });
        }
        case "pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial":
            return withId(inputs.keyId, { keyArn: inputs.keyId, keyState: "Enabled", fingerprint: "sha256:preview", expirationModel: inputs.validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE" });
        case "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion":
            return withId(inputs.cryptoKey, { version: `${inputs.cryptoKey}/cryptoKeyVersions/1`, versions: [`${inputs.cryptoKey}/cryptoKeyVersions/1`], state: "ENABLED", fingerprint: "sha256:preview" });
        case "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey": {
            const versionlessId = `${String(inputs.vaultUrl).replace(/\/$/, "")}/keys/${inputs.keyName}`;
            return withId(versionlessId, { versionlessId, keyId: `${versionlessId}/${uuid.replace(/-/g, "")}`, version: uuid.replace(/-/g, ""), enabled: true, fingerprint: "sha256:preview" });
        }
        case "pulumi-nodejs:dynamic/keyfabric:MaterialFingerprint":
            // Offline previews never read material: a stable placeholder.
            return withId("material-fingerprint", { fingerprint: "sha256:preview" });
        case "azure-native:authorization:RoleAssignment":
            return withId(`${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${uuid}`, { name: uuid });
        default:
            return withId(args.custom === false ? "" : `${args.name}-id`);
    }
}

/** Results of provider functions the components call. */
export function mockCall(args: MockCallArgs): Record<string, any> {
    switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/preview`, userId: "AIDAPREVIEW", id: MOCK_ACCOUNT_ID };
        case "azure-native:keyvault:getVault":
            return {
                id: `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${args.inputs.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${args.inputs.vaultName}`,
                name: args.inputs.vaultName,
                properties: { vaultUri: `https://${args.inputs.vaultName}.vault.azure.net/` },
            };
        case "azure-native:keyvault:getManagedHsm":
            return {
                id: `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${args.inputs.resourceGroupName}/providers/Microsoft.KeyVault/managedHSMs/${args.inputs.name}`,
                name: args.inputs.name,
                properties: { hsmUri: `https://${args.inputs.name}.managedhsm.azure.net/` },
            };
        default:
            return args.inputs;
    }
}
