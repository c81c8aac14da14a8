import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/azure-sql-server-require-customer-managed-key";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const NATIVE_SERVER = "azure-native:sql:Server";
const NATIVE_SERVER_KEY = "azure-native:sql:ServerKey";
const NATIVE_PROTECTOR = "azure-native:sql:EncryptionProtector";
const CLASSIC_SERVER = "azure:mssql/server:Server";
const CLASSIC_TDE = "azure:mssql/serverTransparentDataEncryption:ServerTransparentDataEncryption";

const SUB = "/subscriptions/00000000-0000-4000-8000-000000000000";
const SERVER_ID = `${SUB}/resourceGroups/rg-data/providers/Microsoft.Sql/servers/acme-payments-sql`;
const IDENTITY_ID = `${SUB}/resourceGroups/rg-data/providers/Microsoft.ManagedIdentity/userAssignedIdentities/sql-tde`;
const KEY = "https://acme-payments.vault.azure.net/keys/sql-tde/0123456789abcdef0123456789abcdef";
const SERVER_KEY_NAME = "acme-payments_sql-tde_0123456789abcdef0123456789abcdef";

const SERVER_URN = "urn:pulumi:dev::project::sql::server";
const PROTECTOR_URN = "urn:pulumi:dev::project::sql::protector";
const SERVER_MSG = "This SQL server's TDE protector is not a customer-managed key: the server names no Key Vault key and no encryption protector in the stack gives it one.";
const PROTECTOR_MSG = "This SQL server TDE protector is not a customer-managed key in Key Vault or Managed HSM.";

const identity = { type: "UserAssigned", userAssignedIdentities: { [IDENTITY_ID]: {} } };
const nativeServer = (extra: Record<string, unknown> = {}): TestResource => ({
    type: NATIVE_SERVER,
    urn: SERVER_URN,
    props: { serverName: "acme-payments-sql", resourceGroupName: "rg-data", location: "westeurope", version: "12.0", identity, primaryUserAssignedIdentityId: IDENTITY_ID, keyId: KEY, ...extra },
});
const classicServer = (extra: Record<string, unknown> = {}): TestResource => ({
    type: CLASSIC_SERVER,
    urn: SERVER_URN,
    props: {
        name: "acme-payments-sql",
        resourceGroupName: "rg-data",
        location: "westeurope",
        version: "12.0",
        identity: { type: "UserAssigned", identityIds: [IDENTITY_ID] },
        primaryUserAssignedIdentityId: IDENTITY_ID,
        transparentDataEncryptionKeyVaultKeyId: KEY,
        ...extra,
    },
});
const serverKey = (extra: Record<string, unknown> = {}): TestResource => ({
    type: NATIVE_SERVER_KEY,
    props: { serverName: "acme-payments-sql", resourceGroupName: "rg-data", keyName: SERVER_KEY_NAME, serverKeyType: "AzureKeyVault", uri: KEY, ...extra },
});
const protector = (extra: Record<string, unknown> = {}): TestResource => ({
    type: NATIVE_PROTECTOR,
    urn: PROTECTOR_URN,
    props: { serverName: "acme-payments-sql", resourceGroupName: "rg-data", encryptionProtectorName: "current", serverKeyType: "AzureKeyVault", serverKeyName: SERVER_KEY_NAME, autoRotationEnabled: true, ...extra },
});
const tde = (extra: Record<string, unknown> = {}): TestResource => ({
    type: CLASSIC_TDE,
    urn: PROTECTOR_URN,
    props: { serverId: SERVER_ID, keyVaultKeyId: KEY, autoRotationEnabled: true, ...extra },
});

describe("azure-native", () => {
    test("a server created with a Key Vault key (keyId) is compliant", async () => {
        expect(await checkStack(rule, [nativeServer()])).toEqual({ violations: [] });
    });

    test("a server whose encryption protector is a Key Vault server key is compliant", async () => {
        expect(await checkStack(rule, [nativeServer({ keyId: undefined }), serverKey(), protector()])).toEqual({ violations: [] });
    });

    test("a server without a key and without a protector in the stack is a violation, reported on the server", async () => {
        expect(await checkStack(rule, [nativeServer({ keyId: undefined })])).toEqual({ violations: [{ message: SERVER_MSG, urn: SERVER_URN }] });
    });

    test("a service-managed protector is a violation, reported on the protector, even for a server created with a key", async () => {
        const serviceManaged = protector({ serverKeyType: "ServiceManaged", serverKeyName: "ServiceManaged" });
        expect(await checkStack(rule, [nativeServer({ keyId: undefined }), serviceManaged])).toEqual({ violations: [{ message: PROTECTOR_MSG, urn: PROTECTOR_URN }] });
        expect(await checkStack(rule, [nativeServer(), serviceManaged])).toEqual({ violations: [{ message: PROTECTOR_MSG, urn: PROTECTOR_URN }] });
    });

    test("a Key Vault protector without a server key name is a violation", async () => {
        expect(await checkStack(rule, [nativeServer({ keyId: undefined }), protector({ serverKeyName: undefined })])).toEqual({ violations: [{ message: PROTECTOR_MSG, urn: PROTECTOR_URN }] });
    });

    test("the key type is compared case-insensitively", async () => {
        expect(await checkStack(rule, [nativeServer({ keyId: undefined }), protector({ serverKeyType: "azureKeyVault" })])).toEqual({ violations: [] });
    });

    test("a protector for another server, or for a server of the same name in another resource group, does not count", async () => {
        expect(await checkStack(rule, [nativeServer({ keyId: undefined }), protector({ serverName: "other-sql" })])).toEqual({ violations: [{ message: SERVER_MSG, urn: SERVER_URN }] });
        expect(await checkStack(rule, [nativeServer({ keyId: undefined }), protector({ resourceGroupName: "rg-other" })])).toEqual({ violations: [{ message: SERVER_MSG, urn: SERVER_URN }] });
    });

    test("state: the protector is placed by its id, and its uri names the key", async () => {
        const server: TestResource = { type: NATIVE_SERVER, urn: SERVER_URN, props: { id: SERVER_ID, name: "acme-payments-sql", fullyQualifiedDomainName: "acme-payments-sql.database.windows.net", state: "Ready" } };
        const ep = (serverKeyType: string, uri?: string): TestResource => ({
            type: NATIVE_PROTECTOR,
            urn: PROTECTOR_URN,
            props: { id: `${SERVER_ID}/encryptionProtector/current`, name: "current", kind: serverKeyType.toLowerCase(), serverKeyType, serverKeyName: uri ? SERVER_KEY_NAME : "ServiceManaged", uri: uri ?? "", thumbprint: "t" },
        });
        expect(await checkStack(rule, [server, ep("AzureKeyVault", KEY)])).toEqual({ violations: [] });
        expect(await checkStack(rule, [server, ep("ServiceManaged")])).toEqual({ violations: [{ message: PROTECTOR_MSG, urn: PROTECTOR_URN }] });
        expect(await checkStack(rule, [server])).toEqual({ violations: [{ message: SERVER_MSG, urn: SERVER_URN }] });
    });

    test("explicit API versions are the same resources", async () => {
        const server = { ...nativeServer({ keyId: undefined }), type: "azure-native:sql/v20230801:Server" };
        expect(await checkStack(rule, [server])).toEqual({ violations: [{ message: SERVER_MSG, urn: SERVER_URN }] });
        expect(await checkStack(rule, [server, { ...protector(), type: "azure-native:sql/v20230801:EncryptionProtector" }])).toEqual({ violations: [] });
    });
});

describe("classic", () => {
    test("a server created with a Key Vault key (transparentDataEncryptionKeyVaultKeyId) is compliant", async () => {
        expect(await checkStack(rule, [classicServer()])).toEqual({ violations: [] });
    });

    test("a server whose ServerTransparentDataEncryption names a Key Vault key is compliant", async () => {
        expect(await checkStack(rule, [classicServer({ transparentDataEncryptionKeyVaultKeyId: undefined }), tde()])).toEqual({ violations: [] });
        expect(await checkStack(rule, [classicServer({ transparentDataEncryptionKeyVaultKeyId: undefined }), tde({ keyVaultKeyId: undefined, managedHsmKeyId: "https://acme-hsm.managedhsm.azure.net/keys/sql-tde/0123" })])).toEqual({
            violations: [],
        });
    });

    test("a server without a key and without a ServerTransparentDataEncryption is a violation, reported on the server", async () => {
        expect(await checkStack(rule, [classicServer({ transparentDataEncryptionKeyVaultKeyId: undefined })])).toEqual({ violations: [{ message: SERVER_MSG, urn: SERVER_URN }] });
    });

    test("a ServerTransparentDataEncryption without a key (service-managed) is a violation, reported on it", async () => {
        expect(await checkStack(rule, [classicServer(), tde({ keyVaultKeyId: undefined })])).toEqual({ violations: [{ message: PROTECTOR_MSG, urn: PROTECTOR_URN }] });
    });

    test("a ServerTransparentDataEncryption for another server does not count", async () => {
        const other = `${SUB}/resourceGroups/rg-data/providers/Microsoft.Sql/servers/other-sql`;
        expect(await checkStack(rule, [classicServer({ transparentDataEncryptionKeyVaultKeyId: undefined }), tde({ serverId: other })])).toEqual({ violations: [{ message: SERVER_MSG, urn: SERVER_URN }] });
    });

    test("state: the same names, the server also by its id", async () => {
        const server: TestResource = { type: CLASSIC_SERVER, urn: SERVER_URN, props: { id: SERVER_ID, name: "acme-payments-sql", resourceGroupName: "rg-data", fullyQualifiedDomainName: "f", transparentDataEncryptionKeyVaultKeyId: "" } };
        expect(await checkStack(rule, [server, tde({ id: `${SERVER_ID}/encryptionProtector/current` })])).toEqual({ violations: [] });
        expect(await checkStack(rule, [server])).toEqual({ violations: [{ message: SERVER_MSG, urn: SERVER_URN }] });
    });
});

test("a protector resource of either provider places the server of the other by its id", async () => {
    expect(await checkStack(rule, [nativeServer({ keyId: undefined }), tde()])).toEqual({ violations: [] });
});

test("a protector for a server outside the stack is still judged", async () => {
    expect(await checkStack(rule, [tde({ keyVaultKeyId: undefined })])).toEqual({ violations: [{ message: PROTECTOR_MSG, urn: PROTECTOR_URN }] });
    expect(await checkStack(rule, [protector()])).toEqual({ violations: [] });
});

test("not applicable to stacks without SQL servers or protectors", async () => {
    expect(await checkStack(rule, [{ type: "azure-native:sql:Database", props: { databaseName: "orders", serverName: "acme-payments-sql" } }, serverKey()])).toEqual({ violations: [] });
});

test("messages never echo property values", async () => {
    const r = await checkStack(rule, [nativeServer({ keyId: undefined }), protector({ serverKeyType: "ServiceManaged" })]);
    expect(JSON.stringify(r)).not.toContain("acme-payments");
});

describe("unknown values at preview", () => {
    test("the server's own key unknown, with no protector, makes the rule not run (the engine reports it), never a false violation", async () => {
        await expect(checkStack(rule, [nativeServer({ keyId: UNKNOWN })])).rejects.toBeInstanceOf(UnknownValueError);
        await expect(checkStack(rule, [classicServer({ transparentDataEncryptionKeyVaultKeyId: UNKNOWN })])).rejects.toBeInstanceOf(UnknownValueError);
    });

    test("an unknown server key name or protector target without a property dependency makes the rule not run", async () => {
        await expect(checkStack(rule, [nativeServer(), protector({ serverKeyName: UNKNOWN })])).rejects.toBeInstanceOf(UnknownValueError);
        await expect(checkStack(rule, [classicServer(), tde({ serverId: UNKNOWN })])).rejects.toBeInstanceOf(UnknownValueError);
    });

    test("a protector in the stack for the server: its own key is not read", async () => {
        expect(await checkStack(rule, [nativeServer({ keyId: UNKNOWN }), protector()])).toEqual({ violations: [] });
    });

    test("the protector's property dependency on the server decides while the server's name or id is unknown (as the engine reports it)", async () => {
        // The harness does not model property dependencies; the engine passes them (propertyDependencies.serverName / serverId).
        const run = async (server: TestResource, p: TestResource, prop: string) => {
            const s = { type: server.type, urn: SERVER_URN, name: "server", props: unknownCheckingProxy(server.props) };
            const pr = { type: p.type, urn: PROTECTOR_URN, name: "protector", props: unknownCheckingProxy(p.props), propertyDependencies: { [prop]: [s] } };
            const violations: { message: string; urn?: string }[] = [];
            await (rule.validateStack as any)({ resources: [s, pr], getConfig: () => ({}), notApplicable: () => { throw new Error("not applicable"); } }, (message: string, urn?: string) =>
                violations.push({ message, urn }),
            );
            return violations;
        };
        expect(await run(nativeServer({ keyId: UNKNOWN, serverName: UNKNOWN }), protector({ serverName: UNKNOWN }), "serverName")).toEqual([]);
        expect(await run(classicServer({ transparentDataEncryptionKeyVaultKeyId: undefined }), tde({ serverId: UNKNOWN }), "serverId")).toEqual([]);
        expect(await run(classicServer({ transparentDataEncryptionKeyVaultKeyId: undefined }), tde({ serverId: UNKNOWN, keyVaultKeyId: undefined }), "serverId")).toEqual([{ message: PROTECTOR_MSG, urn: PROTECTOR_URN }]);
    });
});
