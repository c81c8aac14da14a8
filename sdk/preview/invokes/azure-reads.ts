/**
 * Azure functions that read ARM, Microsoft Graph or the credentials: plausible results with what was assumed.
 * Neither azure-native nor classic azure (azurerm) has a purely local function a key program would use: even the
 * client-config functions read the signed-in identity. Shapes follow @pulumi/azure-native and @pulumi/azure result
 * interfaces; azurerm's `azurerm_client_config` id is the base64 of
 * `clientConfigs/clientId=<c>;objectId=<o>;subscriptionId=<s>;tenantId=<t>` (internal/services/authorization/
 * client_config_data_source.go), `azurerm_subscription`'s `/subscriptions/<s>`.
 * getVault/getManagedHsm keep what `sdk/preview/mocks.ts` `mockCall` returned, with the configured subscription.
 */
import { InvokeContext, InvokeOutcome, assumed, inputString, requireString } from "./types";

/** `sdk/preview/mocks.ts` MOCK_SUBSCRIPTION_ID. */
export const ASSUMED_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000000";
export const ASSUMED_TENANT_ID = "00000000-0000-4000-8000-000000000001";
export const ASSUMED_CLIENT_ID = "00000000-0000-4000-8000-000000000002";
export const ASSUMED_OBJECT_ID = "00000000-0000-4000-8000-000000000003";
export const ASSUMED_LOCATION = "eastus";

export const NATIVE_CLIENT_CONFIG_TOKEN = "azure-native:authorization:getClientConfig";
export const NATIVE_VAULT_TOKEN = "azure-native:keyvault:getVault";
export const NATIVE_MANAGED_HSM_TOKEN = "azure-native:keyvault:getManagedHsm";
export const NATIVE_ROLE_DEFINITION_TOKEN = "azure-native:authorization:getRoleDefinition";
export const CLASSIC_CLIENT_CONFIG_TOKEN = "azure:core/getClientConfig:getClientConfig";
export const CLASSIC_SUBSCRIPTION_TOKEN = "azure:core/getSubscription:getSubscription";
export const CLASSIC_KEY_VAULT_TOKEN = "azure:keyvault/getKeyVault:getKeyVault";

interface Identity {
    subscriptionId: string;
    tenantId: string;
    clientId: string;
    objectId: string;
    /** e.g. "subscription 0000... (azure-native:subscriptionId is not set)" */
    describe(which: Array<"subscription" | "tenant" | "client" | "object">): string;
}

/** The signed-in identity for a provider namespace ("azure-native" or "azure"): configured ids, else fixed UUIDs. */
function identity(ctx: InvokeContext, ns: "azure-native" | "azure"): Identity {
    const pick = (key: string, fallback: string) => {
        const v = ctx.config(`${ns}:${key}`);
        return v ? { value: v, note: `from ${ns}:${key}` } : { value: fallback, note: `assumed: ${ns}:${key} is not set` };
    };
    const sub = pick("subscriptionId", ASSUMED_SUBSCRIPTION_ID);
    const tenant = pick("tenantId", ASSUMED_TENANT_ID);
    const client = pick("clientId", ASSUMED_CLIENT_ID);
    const parts = {
        subscription: `subscription ${sub.value} (${sub.note})`,
        tenant: `tenant ${tenant.value} (${tenant.note})`,
        client: `client ${client.value} (${client.note})`,
        object: `object id ${ASSUMED_OBJECT_ID} (assumed: the signed-in principal's)`,
    };
    return {
        subscriptionId: sub.value,
        tenantId: tenant.value,
        clientId: client.value,
        objectId: ASSUMED_OBJECT_ID,
        describe: (which) => which.map((w) => parts[w]).join(", "),
    };
}

export function nativeClientConfig(ctx: InvokeContext): InvokeOutcome {
    const id = identity(ctx, "azure-native");
    return assumed(
        NATIVE_CLIENT_CONFIG_TOKEN,
        { clientId: id.clientId, objectId: id.objectId, subscriptionId: id.subscriptionId, tenantId: id.tenantId },
        `signed-in identity with ${id.describe(["client", "object", "subscription", "tenant"])}`,
    );
}

export function classicClientConfig(ctx: InvokeContext): InvokeOutcome {
    const id = identity(ctx, "azure");
    const raw = `clientConfigs/clientId=${id.clientId};objectId=${id.objectId};subscriptionId=${id.subscriptionId};tenantId=${id.tenantId}`;
    return assumed(
        CLASSIC_CLIENT_CONFIG_TOKEN,
        { clientId: id.clientId, id: Buffer.from(raw, "utf8").toString("base64"), objectId: id.objectId, subscriptionId: id.subscriptionId, tenantId: id.tenantId },
        `signed-in identity with ${id.describe(["client", "object", "subscription", "tenant"])}`,
    );
}

export function classicSubscription(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const id = identity(ctx, "azure");
    const given = inputString(inputs, "subscriptionId");
    const subscriptionId = given ?? id.subscriptionId;
    return assumed(
        CLASSIC_SUBSCRIPTION_TOKEN,
        {
            displayName: "preview-subscription",
            id: `/subscriptions/${subscriptionId}`,
            locationPlacementId: "Public_2014-09-01",
            quotaId: "PayAsYouGo_2014-09-01",
            spendingLimit: "Off",
            state: "Enabled",
            subscriptionId,
            tags: {},
            tenantId: id.tenantId,
        },
        `${given ? `subscription ${subscriptionId}` : id.describe(["subscription"])} assumed Enabled, named preview-subscription, in ${id.describe(["tenant"])}`,
    );
}

const vaultId = (sub: string, rg: string, kind: "vaults" | "managedHSMs", name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/${kind}/${name}`;

export function nativeVault(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const rg = requireString(NATIVE_VAULT_TOKEN, inputs, "resourceGroupName");
    const name = requireString(NATIVE_VAULT_TOKEN, inputs, "vaultName");
    const id = identity(ctx, "azure-native");
    const vaultUri = `https://${name}.vault.azure.net/`;
    return assumed(
        NATIVE_VAULT_TOKEN,
        { azureApiVersion: "2024-11-01", id: vaultId(id.subscriptionId, rg, "vaults", name), name, properties: { vaultUri }, type: "Microsoft.KeyVault/vaults" },
        `vault ${name} in resource group ${rg} assumed to exist in ${id.describe(["subscription"])} with URI ${vaultUri}, its other properties (tenant, SKU, RBAC, purge protection, network rules) unknown`,
    );
}

export function nativeManagedHsm(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const rg = requireString(NATIVE_MANAGED_HSM_TOKEN, inputs, "resourceGroupName");
    const name = requireString(NATIVE_MANAGED_HSM_TOKEN, inputs, "name");
    const id = identity(ctx, "azure-native");
    const hsmUri = `https://${name}.managedhsm.azure.net/`;
    return assumed(
        NATIVE_MANAGED_HSM_TOKEN,
        { azureApiVersion: "2024-11-01", id: vaultId(id.subscriptionId, rg, "managedHSMs", name), name, properties: { hsmUri }, type: "Microsoft.KeyVault/managedHSMs" },
        `managed HSM ${name} in resource group ${rg} assumed to exist in ${id.describe(["subscription"])} with URI ${hsmUri}, its other properties (tenant, SKU, administrators, purge protection, network rules) unknown`,
    );
}

export function classicKeyVault(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const rg = requireString(CLASSIC_KEY_VAULT_TOKEN, inputs, "resourceGroupName");
    const name = requireString(CLASSIC_KEY_VAULT_TOKEN, inputs, "name");
    const id = identity(ctx, "azure");
    const location = ctx.config("azure:location") ?? ASSUMED_LOCATION;
    const vaultUri = `https://${name}.vault.azure.net/`;
    return assumed(
        CLASSIC_KEY_VAULT_TOKEN,
        {
            accessPolicies: [],
            enableRbacAuthorization: true,
            enabledForDeployment: false,
            enabledForDiskEncryption: false,
            enabledForTemplateDeployment: false,
            id: vaultId(id.subscriptionId, rg, "vaults", name),
            location,
            name,
            networkAcls: [{ bypass: "AzureServices", defaultAction: "Allow", ipRules: [], virtualNetworkSubnetIds: [] }],
            publicNetworkAccessEnabled: true,
            purgeProtectionEnabled: true,
            rbacAuthorizationEnabled: true,
            resourceGroupName: rg,
            skuName: "standard",
            tags: {},
            tenantId: id.tenantId,
            vaultUri,
        },
        `key vault ${name} in resource group ${rg} assumed to exist in ${id.describe(["subscription", "tenant"])}, location ${location}${ctx.config("azure:location") ? "" : " (azure:location is not set)"}, SKU standard, RBAC authorization without access policies, purge protection enabled and public network access allowed, with URI ${vaultUri}`,
    );
}

/** Built-in role names by role definition id (Azure's fixed ids). */
const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
    "12338af0-0e69-4776-bea7-57ae8d297424": "Key Vault Crypto User",
    "e147488a-f6f5-4113-8e2d-b22465e65bf6": "Key Vault Crypto Service Encryption User",
    "21090545-7ca7-4776-b22c-e363652d74d2": "Key Vault Reader",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
};

export function nativeRoleDefinition(inputs: Record<string, unknown>): InvokeOutcome {
    const roleDefinitionId = requireString(NATIVE_ROLE_DEFINITION_TOKEN, inputs, "roleDefinitionId");
    const scope = requireString(NATIVE_ROLE_DEFINITION_TOKEN, inputs, "scope");
    const roleName = BUILT_IN_ROLES[roleDefinitionId.toLowerCase()];
    const result: Record<string, unknown> = {
        assignableScopes: roleName ? ["/"] : [scope],
        azureApiVersion: "2022-05-01-preview",
        createdBy: "",
        createdOn: "",
        id: `${scope.replace(/\/$/, "")}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionId}`,
        name: roleDefinitionId,
        permissions: [],
        roleType: roleName ? "BuiltInRole" : "CustomRole",
        systemData: {},
        type: "Microsoft.Authorization/roleDefinitions",
        updatedBy: "",
        updatedOn: "",
    };
    if (roleName) result.roleName = roleName;
    return assumed(
        NATIVE_ROLE_DEFINITION_TOKEN,
        result,
        roleName
            ? `role definition ${roleDefinitionId} assumed to be the built-in role ${roleName}, its permissions not modelled`
            : `role definition ${roleDefinitionId} at scope ${scope} assumed to be a custom role with unknown name and no modelled permissions`,
    );
}
