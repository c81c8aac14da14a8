/**
 * Audit logging of key use in Google Cloud: Cloud KMS writes Admin Activity audit logs (ADMIN_WRITE: key and key
 * ring changes) always, but Data Access audit logs only when the project, a folder or the organization enables them:
 * DATA_READ and DATA_WRITE for the cryptographic operations (encrypt, decrypt, sign, MAC, ...), ADMIN_READ for
 * metadata reads (GetCryptoKey, ListKeyRings, GetIamPolicy, ...). keyfabric enables them for `cloudkms.googleapis.com` on the project with a `gcp.projects.IAMAuditConfig`
 * (token `gcp:projects/iAMAuditConfig:IAMAuditConfig`), which is authoritative for that one service in that project.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IAMAuditConfig, IAMAuditConfigArgs } from "@pulumi/gcp/projects/iamauditConfig";
import * as peers from "../peers";

export const GCP_KMS_SERVICE = "cloudkms.googleapis.com";
/** The log types keyfabric enables, with no exempted members. */
export const GCP_KMS_AUDIT_LOG_TYPES = ["ADMIN_READ", "DATA_READ", "DATA_WRITE"] as const;

export function kmsAuditConfigArgs(project: pulumi.Input<string>): IAMAuditConfigArgs {
    return { project, service: GCP_KMS_SERVICE, auditLogConfigs: GCP_KMS_AUDIT_LOG_TYPES.map((logType) => ({ logType })) };
}

/** Cloud KMS Data Access (and Admin Read) audit logs on `project`. */
export function kmsAuditConfig(name: string, project: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): IAMAuditConfig {
    return new peers.gcp.iamAuditConfig.IAMAuditConfig(name, kmsAuditConfigArgs(project), opts);
}
