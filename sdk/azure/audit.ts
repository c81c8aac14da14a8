/**
 * Audit logging of key use in Azure: a diagnostic setting (azure-native `monitor.DiagnosticSetting`, token
 * `azure-native:monitor:DiagnosticSetting`) on a Key Vault or Managed HSM that sends its `AuditEvent` resource logs
 * (every authenticated data-plane request: encrypt, decrypt, sign, wrap, get, ...; and operations on the vault) to a
 * Log Analytics workspace and/or a storage account. Without one, Azure keeps no record of key use at all: the activity
 * log has only control-plane operations.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DiagnosticSetting, DiagnosticSettingArgs } from "@pulumi/azure-native/monitor/diagnosticSetting";
import * as peers from "../peers";
import { ValidationIssue } from "../schema/errors";
import { AZURE_STORAGE_ACCOUNT_ID, AZURE_WORKSPACE_ID } from "../schema/schema";

/** Where AuditEvent logs go: at least one of the two (ARM resource ids). */
export interface AzureAuditDestination {
    /** A Log Analytics workspace: `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>`. */
    readonly workspaceId?: pulumi.Input<string>;
    /** A storage account in the same region as the vault: `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>`. */
    readonly storageAccountId?: pulumi.Input<string>;
}

/** The resource log category of Key Vaults and Managed HSMs that records every request (both have only this one). */
export const AZURE_AUDIT_CATEGORY = "AuditEvent";
/** The name of the diagnostic setting keyfabric creates on a vault or Managed HSM (names are per resource in Azure). */
export const AZURE_AUDIT_SETTING_NAME = "keyfabric-audit";

/** Problems with a destination given to a component (`path` prefixes each issue's path). */
export function checkAzureAuditDestination(dest: AzureAuditDestination, path: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (dest.workspaceId === undefined && dest.storageAccountId === undefined) {
        issues.push({ code: "missing_destination", path, message: "must name where the AuditEvent logs go", allowed: "workspaceId and/or storageAccountId" });
    }
    const formats = [
        ["workspaceId", AZURE_WORKSPACE_ID, "a Log Analytics workspace", "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>"],
        ["storageAccountId", AZURE_STORAGE_ACCOUNT_ID, "a storage account", "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>"],
    ] as const;
    for (const [field, re, what, example] of formats) {
        const v = dest[field];
        if (typeof v === "string" && !re.test(v)) issues.push({ code: "invalid_value", path: `${path}.${field}`, message: `is not the ARM id of ${what}`, allowed: example, got: v });
    }
    return issues;
}

/** The diagnostic setting's inputs: the AuditEvent category, enabled, to each given destination. */
export function auditDiagnosticSettingArgs(resourceUri: pulumi.Input<string>, dest: AzureAuditDestination): DiagnosticSettingArgs {
    return {
        name: AZURE_AUDIT_SETTING_NAME,
        resourceUri,
        logs: [{ category: AZURE_AUDIT_CATEGORY, enabled: true }],
        ...(dest.workspaceId !== undefined ? { workspaceId: dest.workspaceId } : {}),
        ...(dest.storageAccountId !== undefined ? { storageAccountId: dest.storageAccountId } : {}),
    };
}

/** A diagnostic setting sending `resourceUri`'s AuditEvent logs to `dest`. */
export function auditDiagnosticSetting(name: string, resourceUri: pulumi.Input<string>, dest: AzureAuditDestination, opts: pulumi.CustomResourceOptions): DiagnosticSetting {
    return new peers.azureNative.diagnosticSetting.DiagnosticSetting(name, auditDiagnosticSettingArgs(resourceUri, dest), opts);
}
