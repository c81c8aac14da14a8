import { UnknownValueError } from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import { isSet } from "../lib/aws";
import { asArray } from "../lib/props";
import { stackRule } from "../lib/rule";

/** Key Vaults and Managed HSMs of both providers; `arm` is the segment of their ARM ids (lower-cased). */
const VAULTS: readonly { test: (type: string) => boolean; what: string; arm: string; nativeVault?: true }[] = [
    { test: (t) => /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Vault$/.test(t), what: "Key Vault", arm: "vaults", nativeVault: true },
    { test: (t) => /^azure-native:keyvault(?:\/v[0-9a-z]+)?:ManagedHsm$/.test(t), what: "Managed HSM", arm: "managedhsms" },
    { test: (t) => t === "azure:keyvault/keyVault:KeyVault", what: "Key Vault", arm: "vaults" },
    { test: (t) => t === "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule", what: "Managed HSM", arm: "managedhsms" },
];
const vaultKind = (r: PolicyResource) => VAULTS.find((v) => v.test(r.type));

/** azure-native's DiagnosticSetting: `monitor` since v3, `insights` before, with or without an explicit API version. */
const NATIVE_SETTING = /^azure-native:(?:monitor|insights)(?:\/v[0-9a-z]+)?:DiagnosticSetting$/;
const CLASSIC_SETTING = "azure:monitoring/diagnosticSetting:DiagnosticSetting";

/** Per provider: the property naming the monitored resource, the log entries, and the destinations. */
const SETTINGS = {
    native: { target: "resourceUri", logs: "logs", destinations: ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId"] },
    classic: { target: "targetResourceId", logs: "enabledLogs", destinations: ["logAnalyticsWorkspaceId", "storageAccountId", "eventhubAuthorizationRuleId", "partnerSolutionId"] },
} as const;
const settingKind = (r: PolicyResource) => (NATIVE_SETTING.test(r.type) ? SETTINGS.native : r.type === CLASSIC_SETTING ? SETTINGS.classic : undefined);

/** The Key Vault or Managed HSM an ARM id names. */
const TARGET = /\/providers\/Microsoft\.KeyVault\/(vaults|managedHSMs)\/([^/]+)\/?$/i;
/** A diagnostic setting's own id: `<monitored resource id>/providers/microsoft.insights/diagnosticSettings/<name>` (state). */
const SETTING_ID = /^(.*)\/providers\/microsoft\.insights\/diagnosticSettings\/[^/]+$/i;

const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);

/**
 * The log entry records key use: the AuditEvent category, or the audit / allLogs category group. azure-native entries
 * carry `enabled`; the classic provider's enabledLogs are enabled by being listed.
 */
function recordsAudit(s: (typeof SETTINGS)[keyof typeof SETTINGS], entry: any): boolean {
    if (s === SETTINGS.native && entry?.enabled !== true) return false;
    return lower(entry?.category) === "auditevent" || ["audit", "alllogs"].includes(lower(entry?.categoryGroup) ?? "");
}

const SKIP = Symbol("skip");
/** A value, or SKIP when it is unknown at preview (only where the answer does not depend on it). */
function readOrSkip<T>(f: () => T): T | typeof SKIP {
    try {
        return f();
    } catch (e) {
        if (e instanceof UnknownValueError) return SKIP;
        throw e;
    }
}

/** The hierarchy spec says another owner sets its vaults' diagnostic settings (`audit.azure.external`). */
function externallyAudited(r: PolicyResource): boolean {
    for (let p = r.parent; p; p = p.parent) {
        if (p.type === "keyfabric:index:KeyHierarchy") return p.props.spec?.audit?.azure?.external === true;
    }
    return false;
}

/** Proposed catalogue row 36: audit logging of key use (the catalogue has no row for it yet). */
export const rule = stackRule(
    {
        name: "azure-keyvault-vault-enable-audit-logging",
        description:
            "Every Azure Key Vault and Managed HSM in the stack must have a diagnostic setting in the same stack (azure-native monitor.DiagnosticSetting or azure monitoring.DiagnosticSetting) that targets it, records the AuditEvent category (or the audit or allLogs category group) and sends it to a destination: without one, Azure keeps no record of who used which key. Vaults of a KeyHierarchy whose spec sets audit.azure.external are left to that owner.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "5.1.5 Ensure that logging for Azure Key Vault is 'Enabled'" },
            { name: "PCI DSS", version: "4.0", reference: "10.2.1 Audit logs are enabled and active for all system components and cardholder data" },
            { name: "Azure Policy", version: "built-in", reference: "cf820ca0-f99e-4f3e-84fb-66e913812d21 Resource logs in Key Vault should be enabled" },
        ],
        remediation:
            'Add a diagnostic setting for the vault: azure-native monitor.DiagnosticSetting with resourceUri: vault.id, logs: [{ category: "AuditEvent", enabled: true }] and a workspaceId or storageAccountId (or audit.azure in a KeyHierarchy spec, which creates it); the classic provider\'s monitoring.DiagnosticSetting takes targetResourceId, enabledLogs: [{ category: "AuditEvent" }] and logAnalyticsWorkspaceId or storageAccountId.',
        catalogueRows: [36],
        resourceTypes: [
            "azure-native:keyvault:Vault",
            "azure-native:keyvault:ManagedHsm",
            "azure:keyvault/keyVault:KeyVault",
            "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule",
            "azure-native:monitor:DiagnosticSetting",
            CLASSIC_SETTING,
        ],
    },
    {
        validateStack: (args, reportViolation) => {
            const vaults = args.resources.filter((r) => vaultKind(r) !== undefined);
            if (vaults.length === 0) return;

            const covered = new Set<PolicyResource>(); // vaults a recording setting depends on (known at preview)
            const coveredIds = new Set<string>(); // lower-cased ids of the vaults recording settings target
            for (const setting of args.resources) {
                const s = settingKind(setting);
                if (!s) continue;
                // The target: by property dependency while it is unknown (preview), else by value.
                const deps = setting.propertyDependencies?.[s.target] ?? [];
                const vaultDeps = deps.filter((d) => vaultKind(d) !== undefined);
                let targetId: string | undefined;
                if (vaultDeps.length === 0) {
                    const target = deps.length > 0 ? readOrSkip(() => setting.props[s.target]) : setting.props[s.target];
                    if (target === SKIP) continue; // not known yet, and it depends only on resources that are not vaults
                    const id = target ?? SETTING_ID.exec(String(setting.props.id ?? ""))?.[1];
                    if (typeof id !== "string" || !TARGET.test(id)) continue;
                    targetId = id.toLowerCase().replace(/\/$/, "");
                }
                const logs = asArray<any>(setting.props[s.logs]);
                if (!logs.some((entry) => recordsAudit(s, entry))) continue;
                if (!s.destinations.some((f) => isSet(setting.props, f))) continue;
                vaultDeps.forEach((v) => covered.add(v));
                if (targetId) coveredIds.add(targetId);
            }

            const byName = [...coveredIds].map((id) => TARGET.exec(id)).filter((m): m is RegExpExecArray => m !== null).map((m) => `${m[1]}/${m[2]}`);
            for (const vault of vaults) {
                if (covered.has(vault) || externallyAudited(vault)) continue;
                const kind = vaultKind(vault)!;
                if (coveredIds.size > 0) {
                    const id = lower(vault.props.id);
                    if (id && coveredIds.has(id)) continue;
                    const name = lower(kind.nativeVault ? vault.props.vaultName ?? vault.props.name : vault.props.name);
                    if (name && byName.includes(`${kind.arm}/${name}`)) continue;
                }
                reportViolation(`This ${kind.what} has no diagnostic setting in the stack that sends its AuditEvent logs to a destination.`, vault.urn);
            }
        },
    },
);
