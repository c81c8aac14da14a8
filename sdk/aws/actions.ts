/**
 * AWS KMS action lists: the one place the key policy statements and grants take their permissions from.
 */
import { GrantRole } from "../schema/constants";

/**
 * Key administration without use (terraform-aws-modules/kms `key_administrators`, plus on-demand rotation), except
 * that `kms:Create*` is narrowed to `kms:CreateAlias`: `kms:CreateGrant` would let an administrator grant itself use.
 */
export const ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:ImportKeyMaterial",
    "kms:List*",
    "kms:Put*",
    "kms:ReplicateKey",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
] as const;

/**
 * `separationOfDuties: "strict"`: key administration with neither use nor permission changes, listed action by action
 * (no wildcard picks up an operation AWS adds later). Left out of {@link ADMIN_ACTIONS}: `kms:PutKeyPolicy` (a
 * permission change: the deployer's), `kms:RevokeGrant` (grants are the deployer's), `kms:ImportKeyMaterial` (who
 * supplies the material can decrypt what it protects), `kms:ReplicateKey` (the caller writes the replica's key
 * policy), `kms:GetPublicKey`, `kms:GetParametersForImport`. The actions are those of the AWS KMS permissions reference
 * (awsdocs/aws-kms-developer-guide, kms-api-permissions-reference.md; key-policy-default.md for the default
 * administrators statement).
 */
export const STRICT_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DeleteImportedKeyMaterial",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
    "kms:UpdatePrimaryRegion",
] as const;

/**
 * `strict`: what the account principal keeps, in place of `kms:*`. AWS's default statement for the account both
 * delegates every action to IAM policies and keeps the key manageable (key-policy-default.md, "Allows access to the
 * AWS account and enables IAM policies"); in a strict domain IAM policies may only read the key (drift checks,
 * auditors), so no IAM policy can give anyone use, administration or the key policy. The key stays manageable
 * through the deployer, whom the lockout safety check (BypassPolicyLockoutSafetyCheck false) requires to keep
 * `kms:PutKeyPolicy`; without it, AWS documents that only AWS Support restores access.
 */
export const STRICT_ACCOUNT_ACTIONS = [
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
] as const;

/**
 * `strict`: the deployer, the only principal that changes the key policy (`kms:PutKeyPolicy`, which the lockout safety
 * check requires of the principal that creates the key) and grants (`kms:CreateGrant`, `kms:RetireGrant`,
 * `kms:RevokeGrant`); also what a deployment does: administration, replicas, BYOK imports. No cryptographic use.
 */
export const DEPLOYER_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:DeleteAlias",
    "kms:DeleteImportedKeyMaterial",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:GetParametersForImport",
    "kms:ImportKeyMaterial",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReplicateKey",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
    "kms:UpdatePrimaryRegion",
] as const;

/** Use of a symmetric encryption key. */
export const SYMMETRIC_USER_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"] as const;

/** Use of an asymmetric (RSA) encryption key. */
export const ASYMMETRIC_ENCRYPT_USER_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GetPublicKey", "kms:ReEncrypt*"] as const;

/** Use of a signing key. */
export const SIGN_USER_ACTIONS = ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify"] as const;

/** Use of an HMAC key. */
export const MAC_USER_ACTIONS = ["kms:DescribeKey", "kms:GenerateMac", "kms:VerifyMac"] as const;

/** AWS services acting for a principal (EBS, RDS, ...) create grants; only for AWS resources. */
export const SERVICE_USER_ACTIONS = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"] as const;

/** Grant operations (`aws.kms.Grant.operations`) per role and key kind. AWS grants cannot confer administration. */
export const GRANT_OPERATIONS: Record<Exclude<GrantRole, "admin">, { symmetric: readonly string[]; asymmetric: readonly string[] }> = {
    encryptDecrypt: {
        symmetric: ["Decrypt", "DescribeKey", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"],
        asymmetric: ["Decrypt", "DescribeKey", "Encrypt", "GetPublicKey", "ReEncryptFrom", "ReEncryptTo"],
    },
    signVerify: { symmetric: [], asymmetric: ["DescribeKey", "GetPublicKey", "Sign", "Verify"] },
    macGenerateVerify: { symmetric: [], asymmetric: ["DescribeKey", "GenerateMac", "VerifyMac"] },
};

/** Fixed statement ids: policies and drift checks find statements by these. */
export const SIDS = {
    owners: "KeyOwners",
    /** `strict`: the account principal's read-only statement, in place of KeyOwners. */
    accountRead: "KeyAccountRead",
    /** `strict`: the deployer's statement. */
    deployers: "KeyDeployers",
    administrators: "KeyAdministrators",
    users: "KeyUsers",
    signers: "KeySigners",
    macUsers: "KeyMacUsers",
    serviceUsers: "KeyServiceUsers",
} as const;
