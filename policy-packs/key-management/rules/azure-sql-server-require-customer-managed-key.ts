import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { AZURE_TYPES, isAzureType, sqlProtectorKeyRefs, sqlServerKeyRefs } from "../lib/consumers-azure";

const SERVERS = [AZURE_TYPES.nativeSqlServer, AZURE_TYPES.classicSqlServer];
const NATIVE_PROTECTOR = AZURE_TYPES.nativeSqlEncryptionProtector;
const CLASSIC_PROTECTOR = AZURE_TYPES.classicSqlTransparentDataEncryption;
const PROTECTORS = [NATIVE_PROTECTOR, CLASSIC_PROTECTOR];

/** A SQL server's ARM id, or the id of something under it (`.../servers/<name>/encryptionProtector/current`). */
const SERVER_ID = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/servers\/([^/]+)/i;

const filled = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
const lower = (v: unknown): string | undefined => (filled(v) ? v.trim().toLowerCase() : undefined);

interface Place {
    readonly name?: string;
    readonly resourceGroup?: string;
}

function parseServerId(id: unknown): Place {
    const m = typeof id === "string" ? SERVER_ID.exec(id) : null;
    return m ? { resourceGroup: m[1].toLowerCase(), name: m[2].toLowerCase() } : {};
}

/**
 * Where a server is: inputs have its name (azure-native serverName, classic name; both auto-named before preview)
 * and resourceGroupName; azure-native state has `name` and the ARM `id` only.
 */
function serverPlace(server: PolicyResource): Place {
    const props = server.props;
    const name = lower(props.serverName) ?? lower(props.name);
    const resourceGroup = lower(props.resourceGroupName);
    if (name && resourceGroup) return { name, resourceGroup };
    const fromId = parseServerId(props.id);
    return { name: name ?? fromId.name, resourceGroup: resourceGroup ?? fromId.resourceGroup };
}

/**
 * The server a protector belongs to: the server resources its server property depends on (as the engine reports
 * them, known at preview while the name or id is not), else the server its props name: azure-native serverName and
 * resourceGroupName (inputs) or its id (state), classic serverId.
 */
function protectorTarget(protector: PolicyResource): { readonly urns: readonly string[] } | Place {
    const property = isAzureType(protector.type, NATIVE_PROTECTOR) ? "serverName" : "serverId";
    const deps = (protector.propertyDependencies?.[property] ?? []).filter((d) => isAzureType(d.type, ...SERVERS));
    if (deps.length > 0) return { urns: deps.map((d) => d.urn) };
    const props = protector.props;
    if (property === "serverId") return parseServerId(props.serverId);
    const name = lower(props.serverName);
    if (name) return { name, resourceGroup: lower(props.resourceGroupName) };
    return parseServerId(props.id);
}

function targets(target: { readonly urns: readonly string[] } | Place, server: PolicyResource, place: () => Place): boolean {
    if ("urns" in target) return target.urns.includes(server.urn);
    if (!target.name) return false;
    const p = place();
    return p.name === target.name && (!target.resourceGroup || !p.resourceGroup || p.resourceGroup === target.resourceGroup);
}

/**
 * Catalogue row 12 (Azure SQL): the TDE protector of every SQL server is a Key Vault key. A server's protector is
 * the key it is created with (azure-native Server keyId, classic mssql Server transparentDataEncryptionKeyVaultKeyId)
 * unless a separate protector resource in the stack replaces it (azure-native EncryptionProtector, classic
 * ServerTransparentDataEncryption), so this is a stack rule: a protector is judged on its own (reported on the
 * protector), and a server without one in the stack on its own key (reported on the server). Servers outside the
 * stack are not judged; a protector for one still is.
 */
export const rule = stackRule(
    {
        name: "azure-sql-server-require-customer-managed-key",
        description:
            "Every Azure SQL server's transparent data encryption (TDE) protector must be a customer-managed key in Key Vault or Managed HSM: an azure-native sql.EncryptionProtector or azure mssql.ServerTransparentDataEncryption in the stack with serverKeyType \"AzureKeyVault\" and a server key, or keyVaultKeyId; or, when the stack has no protector resource for the server, the key the server is created with (azure-native sql.Server keyId, azure mssql.Server transparentDataEncryptionKeyVaultKeyId).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "4.1.3 Ensure SQL server's Transparent Data Encryption (TDE) protector is encrypted with Customer-managed key" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
        ],
        remediation:
            'Set keyId (azure-native sql.Server, with primaryUserAssignedIdentityId) or transparentDataEncryptionKeyVaultKeyId (azure mssql.Server, with a user-assigned identity) to a Key Vault key the server\'s identity can get, wrap and unwrap with; for an existing server, add an azure-native sql.ServerKey { serverKeyType: "AzureKeyVault", uri } and sql.EncryptionProtector { serverKeyType: "AzureKeyVault", serverKeyName }, or an azure mssql.ServerTransparentDataEncryption { serverId, keyVaultKeyId }.',
        catalogueRows: [12],
        resourceTypes: [...SERVERS, ...PROTECTORS],
    },
    {
        validateStack: (args, reportViolation) => {
            const servers = args.resources.filter((r) => isAzureType(r.type, ...SERVERS));
            const protectors = args.resources.filter((r) => isAzureType(r.type, ...PROTECTORS));
            if (servers.length === 0 && protectors.length === 0) return;

            // Every protector resource decides its server's protector: judged on its own.
            for (const p of protectors) {
                if (sqlProtectorKeyRefs(p.props).length === 0) {
                    reportViolation("This SQL server TDE protector is not a customer-managed key in Key Vault or Managed HSM.", p.urn);
                }
            }

            // A server without a protector resource keeps the key it is created with (service-managed without one).
            const protectorTargets = protectors.map(protectorTarget);
            for (const s of servers) {
                let place: Place | undefined;
                const placeOf = () => (place ??= serverPlace(s));
                if (protectorTargets.some((t) => targets(t, s, placeOf))) continue;
                if (sqlServerKeyRefs(s.props).length === 0) {
                    reportViolation("This SQL server's TDE protector is not a customer-managed key: the server names no Key Vault key and no encryption protector in the stack gives it one.", s.urn);
                }
            }
        },
    },
);
