/**
 * AWS KMS action lists: the one place the key policy statements and grants take their permissions from.
 */
import { GrantRole } from "../spec/constants";

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
    administrators: "KeyAdministrators",
    users: "KeyUsers",
    signers: "KeySigners",
    macUsers: "KeyMacUsers",
    serviceUsers: "KeyServiceUsers",
} as const;
