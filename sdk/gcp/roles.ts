/**
 * Cloud KMS IAM roles per grant role and key kind: the one place GCP permissions come from.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IAMCustomRole } from "@pulumi/gcp/projects/iamcustomRole";
import * as peers from "../peers";
import { GcpKeyShape } from "../schema/capabilities";
import { GrantRole } from "../schema/constants";

export const GCP_ROLES = {
    admin: "roles/cloudkms.admin",
    encrypterDecrypter: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    decrypter: "roles/cloudkms.cryptoKeyDecrypter",
    publicKeyViewer: "roles/cloudkms.publicKeyViewer",
    signerVerifier: "roles/cloudkms.signerVerifier",
} as const;

/**
 * `roles/cloudkms.admin`'s permissions, as Google's Cloud KMS "Permissions and roles" reference lists them
 * (https://cloud.google.com/kms/docs/reference/permissions-and-roles, 2026-04; the same list as
 * iann0036/iam-dataset gcp/roles/cloudkms.admin.json plus the permissions added since: cryptoKeys.delete,
 * cryptoKeyVersions.delete, retiredResources.*, singleTenantHsm*). It includes `setIamPolicy` on crypto keys, key
 * rings, import jobs and EKM resources (an administrator can make itself a user) and use through delegation
 * (`useTo{En,De}cryptViaDelegation`).
 */
export const CLOUDKMS_ADMIN_PERMISSIONS = [
    "cloudkms.autokeyConfigs.get",
    "cloudkms.autokeyConfigs.update",
    "cloudkms.cryptoKeyVersions.create",
    "cloudkms.cryptoKeyVersions.delete",
    "cloudkms.cryptoKeyVersions.destroy",
    "cloudkms.cryptoKeyVersions.get",
    "cloudkms.cryptoKeyVersions.list",
    "cloudkms.cryptoKeyVersions.restore",
    "cloudkms.cryptoKeyVersions.update",
    "cloudkms.cryptoKeyVersions.useToDecryptViaDelegation",
    "cloudkms.cryptoKeyVersions.useToEncryptViaDelegation",
    "cloudkms.cryptoKeys.create",
    "cloudkms.cryptoKeys.delete",
    "cloudkms.cryptoKeys.get",
    "cloudkms.cryptoKeys.getIamPolicy",
    "cloudkms.cryptoKeys.list",
    "cloudkms.cryptoKeys.setIamPolicy",
    "cloudkms.cryptoKeys.update",
    "cloudkms.ekmConfigs.get",
    "cloudkms.ekmConfigs.getIamPolicy",
    "cloudkms.ekmConfigs.setIamPolicy",
    "cloudkms.ekmConfigs.update",
    "cloudkms.ekmConnections.create",
    "cloudkms.ekmConnections.get",
    "cloudkms.ekmConnections.getIamPolicy",
    "cloudkms.ekmConnections.list",
    "cloudkms.ekmConnections.setIamPolicy",
    "cloudkms.ekmConnections.update",
    "cloudkms.ekmConnections.use",
    "cloudkms.ekmConnections.verifyConnectivity",
    "cloudkms.importJobs.create",
    "cloudkms.importJobs.get",
    "cloudkms.importJobs.getIamPolicy",
    "cloudkms.importJobs.list",
    "cloudkms.importJobs.setIamPolicy",
    "cloudkms.importJobs.useToImport",
    "cloudkms.kajPolicyConfigs.get",
    "cloudkms.kajPolicyConfigs.update",
    "cloudkms.keyHandles.create",
    "cloudkms.keyHandles.get",
    "cloudkms.keyHandles.list",
    "cloudkms.keyRings.create",
    "cloudkms.keyRings.createTagBinding",
    "cloudkms.keyRings.deleteTagBinding",
    "cloudkms.keyRings.get",
    "cloudkms.keyRings.getIamPolicy",
    "cloudkms.keyRings.list",
    "cloudkms.keyRings.listEffectiveTags",
    "cloudkms.keyRings.listTagBindings",
    "cloudkms.keyRings.setIamPolicy",
    "cloudkms.locations.get",
    "cloudkms.locations.list",
    "cloudkms.locations.optOutKeyDeletionMsa",
    "cloudkms.operations.get",
    "cloudkms.projects.showEffectiveAutokeyConfig",
    "cloudkms.projects.showEffectiveKajEnrollmentConfig",
    "cloudkms.projects.showEffectiveKajPolicyConfig",
    "cloudkms.retiredResources.get",
    "cloudkms.retiredResources.list",
    "cloudkms.singleTenantHsmInstanceProposals.delete",
    "cloudkms.singleTenantHsmInstanceProposals.get",
    "cloudkms.singleTenantHsmInstanceProposals.list",
    "cloudkms.singleTenantHsmInstances.create",
    "cloudkms.singleTenantHsmInstances.get",
    "cloudkms.singleTenantHsmInstances.list",
    "cloudkms.singleTenantHsmInstances.use",
    "resourcemanager.projects.get",
] as const;

/**
 * `separationOfDuties: "strict"`: the administrators' custom role. keyfabric grants administrators on each crypto key,
 * where only permissions on the CryptoKey and CryptoKeyVersion resource types take effect: these are
 * {@link CLOUDKMS_ADMIN_PERMISSIONS} on those two types, minus `cloudkms.cryptoKeys.setIamPolicy` (permission
 * changes: the deployer's) and `useTo{En,De}cryptViaDelegation` (use), and minus `cryptoKeys.create` / `cryptoKeys.list`,
 * which Cloud KMS checks on the key ring. Importing material (`importJobs.useToImport`) is the deployer's too.
 */
export const STRICT_ADMIN_PERMISSIONS = [
    "cloudkms.cryptoKeyVersions.create",
    "cloudkms.cryptoKeyVersions.delete",
    "cloudkms.cryptoKeyVersions.destroy",
    "cloudkms.cryptoKeyVersions.get",
    "cloudkms.cryptoKeyVersions.list",
    "cloudkms.cryptoKeyVersions.restore",
    "cloudkms.cryptoKeyVersions.update",
    "cloudkms.cryptoKeys.delete",
    "cloudkms.cryptoKeys.get",
    "cloudkms.cryptoKeys.getIamPolicy",
    "cloudkms.cryptoKeys.update",
] as const;

/** A custom role to grant: its full name (`projects/<project>/roles/<roleId>`) and the resource, for dependsOn. */
export interface GcpCustomRoleRef {
    readonly name: string;
    readonly resource?: pulumi.Resource;
}

/** A role id for the administrators' custom role: `keyfabric_<base>_key_admin` (letters, digits, `_`; 3-64). */
export function strictAdminRoleId(base: string): string {
    const core = base.replace(/[^a-zA-Z0-9_]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 64 - "keyfabric__key_admin".length);
    return `keyfabric_${core}_key_admin`;
}

/** The administrators' custom role of a strict domain's keys in `project` (`gcp.projects.IAMCustomRole`). */
export function strictAdminRole(name: string, project: string, roleId: string, label: string, opts: pulumi.CustomResourceOptions): { ref: GcpCustomRoleRef; role: IAMCustomRole } {
    const role = new peers.gcp.iamCustomRole.IAMCustomRole(
        name,
        {
            project,
            roleId,
            title: `keyfabric key administrator (${label})`,
            description: "Cloud KMS key administration without use or IAM changes (keyfabric separationOfDuties: strict): roles/cloudkms.admin on crypto keys and versions, minus setIamPolicy and use.",
            permissions: [...STRICT_ADMIN_PERMISSIONS],
            stage: "GA",
        },
        opts,
    );
    return { role, ref: { name: `projects/${project}/roles/${roleId}`, resource: role } };
}

/**
 * The IAM roles a grant gives. Asymmetric decryption keys: decrypt plus reading the public key (encryption with
 * it happens outside Cloud KMS). MAC keys use the signer/verifier role (MacSign/MacVerify need useToSign/useToVerify).
 * With `adminRole` (strict), administrators get that custom role instead of `roles/cloudkms.admin`; users' roles
 * are use-only either way.
 */
export function gcpRolesFor(role: GrantRole, shape: GcpKeyShape, adminRole?: GcpCustomRoleRef): string[] {
    switch (role) {
        case "admin":
            return [adminRole ? adminRole.name : GCP_ROLES.admin];
        case "encryptDecrypt":
            return shape.purpose === "ENCRYPT_DECRYPT" ? [GCP_ROLES.encrypterDecrypter] : [GCP_ROLES.decrypter, GCP_ROLES.publicKeyViewer];
        case "signVerify":
        case "macGenerateVerify":
            return [GCP_ROLES.signerVerifier];
    }
}
