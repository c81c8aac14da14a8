/**
 * Separation of duties (issue #13 item 2): for each cloud, what each role may do under `standard` (the default) and
 * `strict`, asserted exactly: the AWS key policies statement by statement, the GCP custom role and IAM members, the
 * Azure role definitions and assignments; their effective duties by the policy pack's permission tables; and the
 * spec's validation errors.
 */
import * as pulumi from "@pulumi/pulumi";
import { AwsKey } from "../sdk/aws/key";
import { ADMIN_ACTIONS, DEPLOYER_ACTIONS, STRICT_ACCOUNT_ACTIONS, STRICT_ADMIN_ACTIONS } from "../sdk/aws/actions";
import { AzureKey } from "../sdk/azure/key";
import { KEY_VAULT_STRICT_ADMIN_DATA_ACTIONS, KEY_VAULT_STRICT_USER_DATA_ACTIONS, MANAGED_HSM_STRICT_ADMIN_DATA_ACTIONS, MANAGED_HSM_STRICT_USER_DATA_ACTIONS } from "../sdk/azure/roles";
import { GcpKey } from "../sdk/gcp/key";
import { CLOUDKMS_ADMIN_PERMISSIONS, STRICT_ADMIN_PERMISSIONS } from "../sdk/gcp/roles";
import { KeyHierarchy } from "../sdk/hierarchy";
import { byName, byType, MockRun, runUnderMocks } from "../sdk/preview/harness";
import { KeyfabricValidationError } from "../sdk/schema/errors";
import { validateHierarchy } from "../sdk/schema/validate";
import { awsStatementDuties, azureBuiltInDuties, azureDuties, gcpDuties, GCP_ROLE_PERMISSIONS } from "../policy-packs/key-management/lib/permissions";
import { ACCOUNT, ADMIN_ARN, APP_ARN, AZ_ADMIN, AZ_USER, GCP_ADMIN, GCP_USER, TENANT, validSpec } from "./fixtures/specs";

const SUB = "00000000-0000-4000-8000-000000000000";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const AWS_DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/Deployer`;
const GCP_DEPLOYER = "serviceAccount:deployer@acme-dev.iam.gserviceaccount.com";
const AZ_DEPLOYER = "servicePrincipal:9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
const DEPLOYER = { aws: [AWS_DEPLOYER], gcp: [GCP_DEPLOYER], azure: [AZ_DEPLOYER] };

const SYMMETRIC_USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"];
const statement = (Sid: string, AWS: string[], Action: string | readonly string[]) => ({ Sid, Effect: "Allow", Principal: { AWS }, Action: typeof Action === "string" ? Action : [...Action], Resource: "*" });
const policyOf = (run: MockRun, name: string) => JSON.parse(byName(run, name).inputs.policy);

/** A strict variant of the three-cloud fixture: one strict domain, the deployer on the hierarchy. */
function strictSpec(): any {
    const spec: any = validSpec();
    spec.domains[0].separationOfDuties = "strict";
    spec.deployer = JSON.parse(JSON.stringify(DEPLOYER));
    return spec;
}

function problems(spec: unknown): string[] {
    try {
        validateHierarchy(spec);
    } catch (e) {
        expect(e).toBeInstanceOf(KeyfabricValidationError);
        return (e as KeyfabricValidationError).message.split("\n").slice(1).map((l) => l.replace(/^  - /, ""));
    }
    return [];
}

// ---------------------------------------------------------------------------------------------------------------

describe("AWS KMS", () => {
    test("standard: the account root keeps kms:*, administrators get kms:Put* (the key policy), users use", async () => {
        const run = await runUnderMocks(() => new AwsKey("std", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256", administrators: [ADMIN_ARN], users: [APP_ARN] }));
        expect(policyOf(run, "std-key")).toEqual({
            Version: "2012-10-17",
            Statement: [
                statement("KeyOwners", [ROOT], "kms:*"),
                statement("KeyAdministrators", [ADMIN_ARN], [
                    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:Delete*", "kms:Describe*", "kms:Disable*", "kms:Enable*", "kms:Get*", "kms:ImportKeyMaterial",
                    "kms:List*", "kms:Put*", "kms:ReplicateKey", "kms:Revoke*", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:Update*",
                ]),
                statement("KeyUsers", [APP_ARN], SYMMETRIC_USE),
            ],
        });
    });

    test("strict: the account root read-only, the deployer alone changes the policy and grants, administrators neither use nor grant", async () => {
        const run = await runUnderMocks(
            () =>
                new AwsKey("strict", {
                    region: "eu-west-1",
                    accountId: ACCOUNT,
                    purpose: "encrypt",
                    algorithm: "AES_256",
                    multiRegion: true,
                    replicaRegions: ["eu-central-1"],
                    administrators: [ADMIN_ARN],
                    users: [APP_ARN],
                    separationOfDuties: "strict",
                    deployers: [AWS_DEPLOYER],
                }),
        );
        const expected = {
            Version: "2012-10-17",
            Statement: [
                statement("KeyAccountRead", [ROOT], ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags"]),
                statement("KeyDeployers", [AWS_DEPLOYER], [
                    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:DeleteAlias", "kms:DeleteImportedKeyMaterial", "kms:DescribeKey", "kms:DisableKey",
                    "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:GetParametersForImport",
                    "kms:ImportKeyMaterial", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ReplicateKey",
                    "kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
                    "kms:UpdateKeyDescription", "kms:UpdatePrimaryRegion",
                ]),
                statement("KeyAdministrators", [ADMIN_ARN], [
                    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DeleteImportedKeyMaterial", "kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation",
                    "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations",
                    "kms:ListResourceTags", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
                    "kms:UpdateKeyDescription", "kms:UpdatePrimaryRegion",
                ]),
                statement("KeyUsers", [APP_ARN], SYMMETRIC_USE),
            ],
        };
        expect(policyOf(run, "strict-key")).toEqual(expected);
        // The lockout safety check stays on: the deployer (the caller) keeps kms:PutKeyPolicy.
        expect(byName(run, "strict-key").inputs.bypassPolicyLockoutSafetyCheck).toBe(false);
        expect(byName(run, "strict-replica-eu-central-1").inputs).toMatchObject({ bypassPolicyLockoutSafetyCheck: false });
        expect(JSON.parse(byName(run, "strict-replica-eu-central-1").inputs.policy)).toEqual(expected);
    });

    test("strict sign and MAC keys: signers and MAC users as in standard, beside the same three statements", async () => {
        const run = await runUnderMocks(() => {
            new AwsKey("sig", { region: "us-east-1", accountId: ACCOUNT, purpose: "sign", algorithm: "EC_P256", administrators: [ADMIN_ARN], signers: [APP_ARN], separationOfDuties: "strict", deployers: [AWS_DEPLOYER] });
            new AwsKey("mac", { region: "us-east-1", accountId: ACCOUNT, purpose: "mac", algorithm: "HMAC_256", macUsers: [APP_ARN], separationOfDuties: "strict", deployers: [AWS_DEPLOYER] });
        });
        const sig = policyOf(run, "sig-key").Statement;
        expect(sig.map((s: any) => s.Sid)).toEqual(["KeyAccountRead", "KeyDeployers", "KeyAdministrators", "KeySigners"]);
        expect(sig[3]).toEqual(statement("KeySigners", [APP_ARN], ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify"]));
        expect(policyOf(run, "mac-key").Statement.map((s: any) => [s.Sid, s.Action])).toEqual([
            ["KeyAccountRead", [...STRICT_ACCOUNT_ACTIONS]],
            ["KeyDeployers", [...DEPLOYER_ACTIONS]],
            ["KeyMacUsers", ["kms:DescribeKey", "kms:GenerateMac", "kms:VerifyMac"]],
        ]);
    });

    test("effective duties of each statement (the policy pack's AWS table)", () => {
        const duties = (Action: string | readonly string[]) => awsStatementDuties({ Effect: "Allow", Action: typeof Action === "string" ? Action : [...Action] });
        // standard
        expect(duties("kms:*").grant).toEqual(["kms:CreateGrant", "kms:PutKeyPolicy", "kms:ReplicateKey"]);
        expect(duties(ADMIN_ACTIONS)).toEqual({
            manage: [
                "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DeleteImportedKeyMaterial", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey",
                "kms:EnableKeyRotation", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
                "kms:UpdateKeyDescription", "kms:UpdatePrimaryRegion",
            ],
            use: ["kms:ImportKeyMaterial"],
            grant: ["kms:PutKeyPolicy", "kms:ReplicateKey"],
        });
        expect(duties(SYMMETRIC_USE)).toEqual({
            manage: [],
            use: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
            grant: [],
        });
        // strict
        expect(duties(STRICT_ACCOUNT_ACTIONS)).toEqual({ manage: [], use: [], grant: [] });
        expect(duties(STRICT_ADMIN_ACTIONS)).toEqual({
            manage: [
                "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DeleteImportedKeyMaterial", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey",
                "kms:EnableKeyRotation", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
                "kms:UpdatePrimaryRegion",
            ],
            use: [],
            grant: [],
        });
        expect(duties(DEPLOYER_ACTIONS)).toMatchObject({ use: ["kms:ImportKeyMaterial"], grant: ["kms:CreateGrant", "kms:PutKeyPolicy", "kms:ReplicateKey"] });
        // Grants confined to AWS services acting for the principal are use, not a permission change.
        expect(awsStatementDuties({ Effect: "Allow", Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } })).toEqual({
            manage: [],
            use: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            grant: [],
        });
    });

    test("strict args fail before anything is created, each problem named", async () => {
        const run = await runUnderMocks(() => {
            expect(() => new AwsKey("a", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256", separationOfDuties: "strict", owners: [ROOT], administrators: [ROOT, AWS_DEPLOYER] })).toThrow(
                [
                    'keyfabric:aws:Key "a" is invalid: 3 problems',
                    "  - deployers: is required with separationOfDuties strict: the principal that creates the key, the only one that may change its key policy (allowed: IAM role or user ARNs)",
                    "  - owners: full control (kms:*) cannot be combined with separationOfDuties strict (allowed: leave owners out (the account root keeps read-only access))",
                    `  - administrators[0]: is the account principal, which with separationOfDuties strict would delegate to every IAM policy of the account (got: "${ROOT}")`,
                ].join("\n"),
            );
        });
        expect(run.resources).toEqual([]);
    });

    test("a deployer that is also an administrator or user, and deployers without strict", async () => {
        await runUnderMocks(() => {
            expect(() => new AwsKey("b", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256", separationOfDuties: "strict", deployers: [AWS_DEPLOYER], administrators: [AWS_DEPLOYER], users: [AWS_DEPLOYER] })).toThrow(
                [
                    'keyfabric:aws:Key "b" is invalid: 3 problems',
                    `  - administrators[0]: is also a deployer: the deployer changes the key policy, and neither administers nor uses the key (got: "${AWS_DEPLOYER}")`,
                    `  - users[0]: is also a deployer: the deployer changes the key policy, and neither administers nor uses the key (got: "${AWS_DEPLOYER}")`,
                    `  - users[0]: is also an administrator: separate key administration from key use (got: "${AWS_DEPLOYER}")`,
                ].join("\n"),
            );
            expect(() => new AwsKey("c", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256", deployers: [AWS_DEPLOYER] })).toThrow(
                'keyfabric:aws:Key "c" is invalid: 1 problem\n  - deployers: applies with separationOfDuties strict only (allowed: separationOfDuties: strict, or leave deployers out)',
            );
            expect(() => new AwsKey("d", { region: "us-east-1", accountId: ACCOUNT, purpose: "encrypt", algorithm: "AES_256", separationOfDuties: "paranoid" as any })).toThrow(
                'keyfabric:aws:Key "d" is invalid: 1 problem\n  - separationOfDuties: is not one of the allowed values (allowed: standard, strict, got: "paranoid")',
            );
        });
    });
});

// ---------------------------------------------------------------------------------------------------------------

describe("Google Cloud KMS", () => {
    const ring = "projects/acme-dev/locations/europe-west1/keyRings/r";

    test("standard: admins get roles/cloudkms.admin (setIamPolicy, and use through delegation)", async () => {
        const run = await runUnderMocks(() => new GcpKey("std", { keyRing: ring, purpose: "encrypt", algorithm: "AES_256", admins: [GCP_ADMIN], users: [GCP_USER] }));
        expect(byType(run, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((m) => [m.name, m.inputs.role, m.inputs.member])).toEqual([
            ["std-grant-admin-kms-admins-b0d78729-admin", "roles/cloudkms.admin", GCP_ADMIN],
            ["std-grant-encryptDecrypt-app-b756f1b3-encrypterdecrypter", "roles/cloudkms.cryptoKeyEncrypterDecrypter", GCP_USER],
        ]);
        expect(gcpDuties(GCP_ROLE_PERMISSIONS["roles/cloudkms.admin"])).toEqual({
            manage: [
                "cloudkms.autokeyConfigs.update", "cloudkms.cryptoKeyVersions.create", "cloudkms.cryptoKeyVersions.delete", "cloudkms.cryptoKeyVersions.destroy",
                "cloudkms.cryptoKeyVersions.restore", "cloudkms.cryptoKeyVersions.update", "cloudkms.cryptoKeys.create", "cloudkms.cryptoKeys.delete", "cloudkms.cryptoKeys.update",
                "cloudkms.ekmConfigs.update", "cloudkms.ekmConnections.create", "cloudkms.ekmConnections.update", "cloudkms.ekmConnections.use", "cloudkms.importJobs.create",
                "cloudkms.kajPolicyConfigs.update", "cloudkms.keyHandles.create", "cloudkms.keyRings.create", "cloudkms.keyRings.createTagBinding", "cloudkms.keyRings.deleteTagBinding",
                "cloudkms.locations.optOutKeyDeletionMsa", "cloudkms.singleTenantHsmInstanceProposals.delete", "cloudkms.singleTenantHsmInstances.create", "cloudkms.singleTenantHsmInstances.use",
            ],
            use: ["cloudkms.cryptoKeyVersions.useToDecryptViaDelegation", "cloudkms.cryptoKeyVersions.useToEncryptViaDelegation", "cloudkms.importJobs.useToImport"],
            grant: ["cloudkms.cryptoKeys.setIamPolicy", "cloudkms.ekmConfigs.setIamPolicy", "cloudkms.ekmConnections.setIamPolicy", "cloudkms.importJobs.setIamPolicy", "cloudkms.keyRings.setIamPolicy"],
        });
        expect(gcpDuties(GCP_ROLE_PERMISSIONS["roles/cloudkms.cryptoKeyEncrypterDecrypter"])).toEqual({ manage: [], use: ["cloudkms.cryptoKeyVersions.useToDecrypt", "cloudkms.cryptoKeyVersions.useToEncrypt"], grant: [] });
        expect(gcpDuties(GCP_ROLE_PERMISSIONS["roles/cloudkms.signerVerifier"])).toEqual({ manage: [], use: ["cloudkms.cryptoKeyVersions.useToSign", "cloudkms.cryptoKeyVersions.useToVerify"], grant: [] });
        expect(gcpDuties(GCP_ROLE_PERMISSIONS["roles/cloudkms.cryptoKeyDecrypter"]).use).toEqual(["cloudkms.cryptoKeyVersions.useToDecrypt"]);
    });

    test("strict: a custom role with cloudkms.admin's key management minus setIamPolicy and use; users unchanged", async () => {
        const run = await runUnderMocks(() => new GcpKey("vault", { keyRing: ring, purpose: "encrypt", algorithm: "AES_256", admins: [GCP_ADMIN], users: [GCP_USER], separationOfDuties: "strict" }));
        const role = byName(run, "vault-admin-role");
        expect(role.type).toBe("gcp:projects/iAMCustomRole:IAMCustomRole");
        expect(role.inputs).toEqual({
            project: "acme-dev",
            roleId: "keyfabric_vault_key_admin",
            title: "keyfabric key administrator (vault)",
            description: "Cloud KMS key administration without use or IAM changes (keyfabric separationOfDuties: strict): roles/cloudkms.admin on crypto keys and versions, minus setIamPolicy and use.",
            permissions: [
                "cloudkms.cryptoKeyVersions.create", "cloudkms.cryptoKeyVersions.delete", "cloudkms.cryptoKeyVersions.destroy", "cloudkms.cryptoKeyVersions.get",
                "cloudkms.cryptoKeyVersions.list", "cloudkms.cryptoKeyVersions.restore", "cloudkms.cryptoKeyVersions.update", "cloudkms.cryptoKeys.delete",
                "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.getIamPolicy", "cloudkms.cryptoKeys.update",
            ],
            stage: "GA",
        });
        const members = byType(run, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").sort((a, b) => a.name.localeCompare(b.name));
        expect(members.map((m) => [m.name, m.inputs])).toEqual([
            ["vault-grant-admin-kms-admins-b0d78729-key-admin", { cryptoKeyId: `${ring}/cryptoKeys/vault`, role: "projects/acme-dev/roles/keyfabric_vault_key_admin", member: GCP_ADMIN }],
            ["vault-grant-encryptDecrypt-app-b756f1b3-encrypterdecrypter", { cryptoKeyId: `${ring}/cryptoKeys/vault`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: GCP_USER }],
        ]);
        expect(members[0].dependencies).toContain(role.urn);
        expect(gcpDuties(STRICT_ADMIN_PERMISSIONS)).toEqual({
            manage: [
                "cloudkms.cryptoKeyVersions.create", "cloudkms.cryptoKeyVersions.delete", "cloudkms.cryptoKeyVersions.destroy", "cloudkms.cryptoKeyVersions.restore",
                "cloudkms.cryptoKeyVersions.update", "cloudkms.cryptoKeys.delete", "cloudkms.cryptoKeys.update",
            ],
            use: [],
            grant: [],
        });
    });

    test("the strict role is cloudkms.admin's key-level permissions minus setIamPolicy, use and the key ring's; the SDK and the pack agree on cloudkms.admin", () => {
        expect([...CLOUDKMS_ADMIN_PERMISSIONS]).toEqual([...GCP_ROLE_PERMISSIONS["roles/cloudkms.admin"]]);
        const derived = CLOUDKMS_ADMIN_PERMISSIONS.filter(
            (p) => /^cloudkms\.(cryptoKeys|cryptoKeyVersions)\./.test(p) && !p.endsWith(".setIamPolicy") && !p.includes(".useTo") && !["cloudkms.cryptoKeys.create", "cloudkms.cryptoKeys.list"].includes(p),
        );
        expect([...STRICT_ADMIN_PERMISSIONS]).toEqual(derived);
    });

    test("strict with an Output key ring needs a project (for the custom role) or a given adminRole; adminRole needs strict", async () => {
        await runUnderMocks(() => {
            expect(() => new GcpKey("k", { keyRing: pulumi.output(ring), purpose: "encrypt", algorithm: "AES_256", separationOfDuties: "strict" })).toThrow(
                "  - project: is required with separationOfDuties strict to create the administrators' custom role (the key ring is an Output), unless adminRole is given",
            );
            expect(() => new GcpKey("k", { keyRing: ring, purpose: "encrypt", algorithm: "AES_256", adminRole: { name: "projects/p/roles/r" } })).toThrow(
                "  - adminRole: applies with separationOfDuties strict only (allowed: separationOfDuties: strict, or leave adminRole out)",
            );
        });
    });
});

// ---------------------------------------------------------------------------------------------------------------

describe("Azure Key Vault and Managed HSM", () => {
    const hsmId = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/acme-hsm`;

    test("standard: the built-in roles' effective duties (Crypto Officer also uses keys; the Managed HSM Crypto Officer assigns roles)", () => {
        expect(azureBuiltInDuties("14b46e9e-c2b7-41b4-b07b-48a6ebf60603")).toEqual({
            manage: [
                "Microsoft.KeyVault/vaults/keyrotationpolicies/write", "Microsoft.KeyVault/vaults/keys/backup/action", "Microsoft.KeyVault/vaults/keys/create/action",
                "Microsoft.KeyVault/vaults/keys/delete", "Microsoft.KeyVault/vaults/keys/purge/action", "Microsoft.KeyVault/vaults/keys/recover/action",
                "Microsoft.KeyVault/vaults/keys/restore/action", "Microsoft.KeyVault/vaults/keys/rotate/action", "Microsoft.KeyVault/vaults/keys/update/action",
            ],
            use: [
                "Microsoft.KeyVault/vaults/keys/decrypt/action", "Microsoft.KeyVault/vaults/keys/encrypt/action", "Microsoft.KeyVault/vaults/keys/import/action",
                "Microsoft.KeyVault/vaults/keys/release/action", "Microsoft.KeyVault/vaults/keys/sign/action", "Microsoft.KeyVault/vaults/keys/unwrap/action",
                "Microsoft.KeyVault/vaults/keys/verify/action", "Microsoft.KeyVault/vaults/keys/wrap/action",
            ],
            grant: [],
        });
        expect(azureBuiltInDuties("12338af0-0e69-4776-bea7-57ae8d297424")).toEqual({
            manage: ["Microsoft.KeyVault/vaults/keys/backup/action", "Microsoft.KeyVault/vaults/keys/update/action"],
            use: [
                "Microsoft.KeyVault/vaults/keys/decrypt/action", "Microsoft.KeyVault/vaults/keys/encrypt/action", "Microsoft.KeyVault/vaults/keys/sign/action",
                "Microsoft.KeyVault/vaults/keys/unwrap/action", "Microsoft.KeyVault/vaults/keys/verify/action", "Microsoft.KeyVault/vaults/keys/wrap/action",
            ],
            grant: [],
        });
        expect(azureBuiltInDuties("515eb02d-2335-4d2d-92f2-b1cbdf9c3778")).toEqual({
            manage: [
                "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete", "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action",
                "Microsoft.KeyVault/managedHsm/roleAssignments/delete/action", "Microsoft.KeyVault/managedHsm/roleDefinitions/delete/action",
            ],
            use: [],
            grant: ["Microsoft.KeyVault/managedHsm/roleAssignments/write/action", "Microsoft.KeyVault/managedHsm/roleDefinitions/write/action"],
        });
        expect(azureBuiltInDuties("21dbd100-6940-42c2-9190-5d6cb909625b")).toEqual({
            manage: [
                "Microsoft.KeyVault/managedHsm/keys/backup/action", "Microsoft.KeyVault/managedHsm/keys/create", "Microsoft.KeyVault/managedHsm/keys/delete",
                "Microsoft.KeyVault/managedHsm/keys/restore/action", "Microsoft.KeyVault/managedHsm/keys/rotate/action", "Microsoft.KeyVault/managedHsm/keys/write/action",
            ],
            use: [
                "Microsoft.KeyVault/managedHsm/keys/decrypt/action", "Microsoft.KeyVault/managedHsm/keys/encrypt/action", "Microsoft.KeyVault/managedHsm/keys/import/action",
                "Microsoft.KeyVault/managedHsm/keys/release/action", "Microsoft.KeyVault/managedHsm/keys/sign/action", "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
                "Microsoft.KeyVault/managedHsm/keys/verify/action", "Microsoft.KeyVault/managedHsm/keys/wrap/action",
            ],
            grant: [],
        });
        expect(azureBuiltInDuties("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")).toEqual({
            manage: ["Microsoft.Authorization/roleAssignments/delete", "Microsoft.Authorization/roleDefinitions/delete"],
            use: [],
            grant: ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleDefinitions/write"],
        });
        expect(azureBuiltInDuties("b24988ac-6180-42a0-ab88-20f7382dd24c")).toEqual({ manage: [], use: [], grant: [] });
    });

    test("strict Key Vault key: two custom roles assignable at its vault, admins managing, users using, no role assignment rights", async () => {
        const run = await runUnderMocks(
            () =>
                new AzureKey("sig", {
                    resourceGroupName: "rg",
                    vault: { location: "westeurope", tenantId: TENANT, name: "acme-sig-kv" },
                    purpose: "sign",
                    algorithm: "EC_P256",
                    admins: [AZ_ADMIN],
                    users: [AZ_USER],
                    separationOfDuties: "strict",
                }),
        );
        const vaultId = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-sig-kv`;
        const admin = byName(run, "sig-key-admin-role");
        const user = byName(run, "sig-key-user-role");
        expect(admin.type).toBe("azure-native:authorization:RoleDefinition");
        expect(admin.inputs).toEqual({
            scope: vaultId,
            roleDefinitionId: admin.inputs.roleDefinitionId,
            roleName: "keyfabric key administrator (acme-sig-kv)",
            description: "Key Vault key management without use or role assignments (keyfabric separationOfDuties: strict).",
            roleType: "CustomRole",
            permissions: [
                {
                    actions: [],
                    notActions: [],
                    dataActions: [
                        "Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/create/action", "Microsoft.KeyVault/vaults/keys/update/action",
                        "Microsoft.KeyVault/vaults/keys/delete", "Microsoft.KeyVault/vaults/keys/recover/action", "Microsoft.KeyVault/vaults/keys/purge/action",
                        "Microsoft.KeyVault/vaults/keys/rotate/action", "Microsoft.KeyVault/vaults/keyrotationpolicies/read", "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
                    ],
                    notDataActions: [],
                },
            ],
            assignableScopes: [vaultId],
        });
        expect(user.inputs).toEqual({
            ...admin.inputs,
            roleDefinitionId: user.inputs.roleDefinitionId,
            roleName: "keyfabric key user (acme-sig-kv)",
            description: "Key Vault key use without management (keyfabric separationOfDuties: strict).",
            permissions: [
                {
                    actions: [],
                    notActions: [],
                    dataActions: [
                        "Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/encrypt/action", "Microsoft.KeyVault/vaults/keys/decrypt/action",
                        "Microsoft.KeyVault/vaults/keys/wrap/action", "Microsoft.KeyVault/vaults/keys/unwrap/action", "Microsoft.KeyVault/vaults/keys/sign/action",
                        "Microsoft.KeyVault/vaults/keys/verify/action",
                    ],
                    notDataActions: [],
                },
            ],
        });
        expect(admin.inputs.roleDefinitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        const keyId = byName(run, "sig-key").id;
        const def = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
        const assignments = byType(run, "azure-native:authorization:RoleAssignment");
        expect(assignments.map((a) => a.inputs)).toEqual([
            { scope: keyId, principalId: AZ_ADMIN.split(":")[1], principalType: "Group", roleDefinitionId: def(admin.inputs.roleDefinitionId) },
            { scope: keyId, principalId: AZ_USER.split(":")[1], principalType: "ServicePrincipal", roleDefinitionId: def(user.inputs.roleDefinitionId) },
        ]);
        // The engine learns where the role definition id comes from (policies resolve it at a first preview).
        expect(assignments[0].propertyDependencies.roleDefinitionId).toContain(admin.urn);
        expect(azureDuties(admin.inputs.permissions)).toEqual({
            manage: [
                "Microsoft.KeyVault/vaults/keyrotationpolicies/write", "Microsoft.KeyVault/vaults/keys/create/action", "Microsoft.KeyVault/vaults/keys/delete",
                "Microsoft.KeyVault/vaults/keys/purge/action", "Microsoft.KeyVault/vaults/keys/recover/action", "Microsoft.KeyVault/vaults/keys/rotate/action",
                "Microsoft.KeyVault/vaults/keys/update/action",
            ],
            use: [],
            grant: [],
        });
        expect(azureDuties(user.inputs.permissions)).toEqual({ manage: [], use: azureBuiltInDuties("12338af0-0e69-4776-bea7-57ae8d297424")!.use, grant: [] });
        expect([KEY_VAULT_STRICT_ADMIN_DATA_ACTIONS.length, KEY_VAULT_STRICT_USER_DATA_ACTIONS.length]).toEqual([9, 7]);
    });

    test("strict Managed HSM key: two local custom roles, assignments at the key", async () => {
        const run = await runUnderMocks(
            () => new AzureKey("tde", { resourceGroupName: "rg", managedHsm: { name: "acme-hsm" }, purpose: "encrypt", algorithm: "AES_256", protection: "hsm", admins: [AZ_ADMIN], users: [AZ_USER], separationOfDuties: "strict" }),
        );
        const admin = byName(run, "tde-key-admin-role");
        const user = byName(run, "tde-key-user-role");
        expect(admin.type).toBe("azure:keyvault/managedHardwareSecurityModuleRoleDefinition:ManagedHardwareSecurityModuleRoleDefinition");
        expect(admin.inputs).toEqual({
            managedHsmId: hsmId,
            name: admin.inputs.name,
            roleName: "keyfabric key administrator (acme-hsm)",
            description: "Managed HSM key management without use or role management (keyfabric separationOfDuties: strict).",
            permissions: [{ dataActions: [...MANAGED_HSM_STRICT_ADMIN_DATA_ACTIONS] }],
        });
        expect(user.inputs.permissions).toEqual([{ dataActions: [...MANAGED_HSM_STRICT_USER_DATA_ACTIONS] }]);
        expect(MANAGED_HSM_STRICT_ADMIN_DATA_ACTIONS).toEqual([
            "Microsoft.KeyVault/managedHsm/keys/read/action", "Microsoft.KeyVault/managedHsm/keys/create", "Microsoft.KeyVault/managedHsm/keys/write/action",
            "Microsoft.KeyVault/managedHsm/keys/delete", "Microsoft.KeyVault/managedHsm/keys/rotate/action", "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action",
            "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action", "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete",
        ]);
        expect(MANAGED_HSM_STRICT_USER_DATA_ACTIONS).toEqual([
            "Microsoft.KeyVault/managedHsm/keys/read/action", "Microsoft.KeyVault/managedHsm/keys/encrypt/action", "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
            "Microsoft.KeyVault/managedHsm/keys/wrap/action", "Microsoft.KeyVault/managedHsm/keys/unwrap/action", "Microsoft.KeyVault/managedHsm/keys/sign/action",
            "Microsoft.KeyVault/managedHsm/keys/verify/action",
        ]);
        const ra = byType(run, "azure:keyvault/managedHardwareSecurityModuleRoleAssignment:ManagedHardwareSecurityModuleRoleAssignment").sort((a, b) => a.name.localeCompare(b.name));
        const local = (guid: string) => `/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
        expect(ra.map((r) => [r.inputs.principalId, r.inputs.roleDefinitionId, r.inputs.scope])).toEqual([
            [AZ_ADMIN.split(":")[1], local(admin.inputs.name), "/keys/tde"],
            [AZ_USER.split(":")[1], local(user.inputs.name), "/keys/tde"],
        ]);
        expect(ra[0].dependencies).toContain(admin.urn);
        expect(azureDuties(admin.inputs.permissions)).toEqual({
            manage: [
                "Microsoft.KeyVault/managedHsm/keys/create", "Microsoft.KeyVault/managedHsm/keys/delete", "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete",
                "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action", "Microsoft.KeyVault/managedHsm/keys/rotate/action", "Microsoft.KeyVault/managedHsm/keys/write/action",
            ],
            use: [],
            grant: [],
        });
        expect(azureDuties(user.inputs.permissions)).toEqual({
            manage: [],
            use: [
                "Microsoft.KeyVault/managedHsm/keys/decrypt/action", "Microsoft.KeyVault/managedHsm/keys/encrypt/action", "Microsoft.KeyVault/managedHsm/keys/sign/action",
                "Microsoft.KeyVault/managedHsm/keys/unwrap/action", "Microsoft.KeyVault/managedHsm/keys/verify/action", "Microsoft.KeyVault/managedHsm/keys/wrap/action",
            ],
            grant: [],
        });
    });

    test("separationOfDuties is one of standard, strict", () => {
        expect(() => new AzureKey("x", { resourceGroupName: "rg", vaultName: "v", purpose: "sign", algorithm: "EC_P256", separationOfDuties: "strict-ish" as any })).toThrow(
            '  - separationOfDuties: is not one of the allowed values (allowed: standard, strict, got: "strict-ish")',
        );
    });
});

// ---------------------------------------------------------------------------------------------------------------

describe("KeyHierarchy with separationOfDuties: strict", () => {
    let run: MockRun;
    beforeAll(async () => {
        run = await runUnderMocks(() => new KeyHierarchy("kf", strictSpec()));
    });

    test("adds one GCP custom role per hierarchy and two Azure custom roles per vault; everything else as in standard", async () => {
        const standard = await runUnderMocks(() => new KeyHierarchy("kf", validSpec()));
        const names = (r: MockRun) => r.resources.map((x) => `${x.type} ${x.name}`).sort();
        const added = names(run).filter((n) => !names(standard).includes(n));
        expect(added).toEqual([
            "azure-native:authorization:RoleDefinition kf-payments-vault-westeurope-key-admin-role",
            "azure-native:authorization:RoleDefinition kf-payments-vault-westeurope-key-user-role",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember kf-payments-card-data-gcp-grant-admin-kms-admins-b0d78729-key-admin",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember kf-payments-signing-gcp-grant-admin-kms-admins-b0d78729-key-admin",
            "gcp:projects/iAMCustomRole:IAMCustomRole kf-gcp-key-admin-role",
        ]);
        expect(names(standard).filter((n) => !names(run).includes(n))).toEqual([
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember kf-payments-card-data-gcp-grant-admin-kms-admins-b0d78729-admin",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember kf-payments-signing-gcp-grant-admin-kms-admins-b0d78729-admin",
        ]);
        expect(byName(run, "kf-gcp-key-admin-role").inputs).toMatchObject({ project: "acme-dev", roleId: "keyfabric_acme_key_admin", permissions: [...STRICT_ADMIN_PERMISSIONS] });
        expect(byName(run, "kf-payments-vault-westeurope-key-admin-role").inputs).toMatchObject({
            roleName: "keyfabric key administrator (acme-payments-61a31f5c)",
            assignableScopes: [`/subscriptions/${SUB}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-payments-61a31f5c`],
        });
    });

    test("AWS: every key and replica gets the strict policy with the hierarchy's deployer", () => {
        const card = policyOf(run, "kf-payments-card-data-aws-key");
        expect(card.Statement.map((s: any) => [s.Sid, s.Principal.AWS])).toEqual([
            ["KeyAccountRead", [ROOT]],
            ["KeyDeployers", [AWS_DEPLOYER]],
            ["KeyAdministrators", [ADMIN_ARN]],
            ["KeyUsers", [APP_ARN]],
        ]);
        expect(card.Statement.map((s: any) => s.Action)).toEqual([[...STRICT_ACCOUNT_ACTIONS], [...DEPLOYER_ACTIONS], [...STRICT_ADMIN_ACTIONS], SYMMETRIC_USE]);
        expect(policyOf(run, "kf-payments-card-data-aws-replica-eu-central-1")).toEqual(card);
        expect(policyOf(run, "kf-payments-signing-aws-key").Statement.map((s: any) => s.Sid)).toEqual(["KeyAccountRead", "KeyDeployers", "KeyAdministrators", "KeySigners"]);
    });

    test("GCP and Azure: administrators get the custom roles, users the use-only roles", () => {
        const members = byType(run, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((m) => [m.inputs.member, m.inputs.role]).sort();
        expect(members).toEqual([
            [GCP_ADMIN, "projects/acme-dev/roles/keyfabric_acme_key_admin"],
            [GCP_ADMIN, "projects/acme-dev/roles/keyfabric_acme_key_admin"],
            [GCP_USER, "roles/cloudkms.cryptoKeyEncrypterDecrypter"],
            [GCP_USER, "roles/cloudkms.signerVerifier"],
        ]);
        const def = (name: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${byName(run, name).inputs.roleDefinitionId}`;
        const keyId = byName(run, "kf-payments-signing-azure-key").id;
        expect(byType(run, "azure-native:authorization:RoleAssignment").map((r) => r.inputs)).toEqual([
            { scope: keyId, principalId: AZ_ADMIN.split(":")[1], principalType: "Group", roleDefinitionId: def("kf-payments-vault-westeurope-key-admin-role") },
            { scope: keyId, principalId: AZ_USER.split(":")[1], principalType: "ServicePrincipal", roleDefinitionId: def("kf-payments-vault-westeurope-key-user-role") },
        ]);
    });

    test("a strict domain on the Managed HSM and in an existing vault: the hierarchy's role pairs", async () => {
        const spec = strictSpec();
        spec.clouds.azure.managedHsm = { name: "acme-hsm" };
        spec.clouds.azure.vault = { name: "acme-shared-kv" };
        delete spec.domains[0].keys[0].clouds;
        const out = await runUnderMocks(() => new KeyHierarchy("kf", spec));
        expect(out.resources.filter((r) => /RoleDefinition/.test(r.type)).map((r) => `${r.type} ${r.name} ${r.inputs.roleName}`).sort()).toEqual([
            "azure-native:authorization:RoleDefinition kf-vault-key-admin-role keyfabric key administrator (acme-shared-kv)",
            "azure-native:authorization:RoleDefinition kf-vault-key-user-role keyfabric key user (acme-shared-kv)",
            "azure:keyvault/managedHardwareSecurityModuleRoleDefinition:ManagedHardwareSecurityModuleRoleDefinition kf-managedhsm-key-admin-role keyfabric key administrator (acme-hsm)",
            "azure:keyvault/managedHardwareSecurityModuleRoleDefinition:ManagedHardwareSecurityModuleRoleDefinition kf-managedhsm-key-user-role keyfabric key user (acme-hsm)",
        ]);
        expect(byName(out, "kf-vault-key-admin-role").inputs.assignableScopes).toEqual([`/subscriptions/${SUB}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-shared-kv`]);
    });

    test("at a first preview the role assignments' role definition ids are unknown, and depend on the definitions", async () => {
        const preview = await runUnderMocks(() => new KeyHierarchy("kf", strictSpec()), { mode: "preview" });
        const admin = byName(preview, "kf-payments-signing-azure-grant-admin-5f0c2a44-1861950d");
        expect(admin.propertyDependencies.roleDefinitionId).toContain(byName(preview, "kf-payments-vault-westeurope-key-admin-role").urn);
    });
});

// ---------------------------------------------------------------------------------------------------------------

describe("validation", () => {
    const key1 = (s: any) => s.domains[0].keys[1];
    const cases: [string, (s: any) => void, string[]][] = [
        ["strict is valid with the hierarchy's deployer", () => undefined, []],
        ["strict without a deployer", (s) => delete s.deployer, [
            "domains[0].deployer.aws: is required: domain payments has separationOfDuties strict and aws keys, and only its deployer may change the key policies (kms:PutKeyPolicy) and grants; set it here or in deployer.aws (allowed: IAM role or user ARNs arn:aws:iam::<account>:role/<name>|user/<name>)",
            "domains[0].deployer.gcp: is required: domain payments has separationOfDuties strict and gcp keys, and only its deployer may change the IAM policies (setIamPolicy); set it here or in deployer.gcp (allowed: IAM members user:|group:|serviceAccount:|domain:<id>, principal://, principalSet://)",
            "domains[0].deployer.azure: is required: domain payments has separationOfDuties strict and azure keys, and only its deployer may change the role assignments (Microsoft.Authorization/roleAssignments/write); set it here or in deployer.azure (allowed: Entra object ids <uuid>, optionally prefixed user:, group: or servicePrincipal:)",
        ]],
        ["the domain's own deployer, for one cloud only", (s) => { delete s.deployer; s.domains[0].deployer = { aws: [AWS_DEPLOYER] }; s.domains[0].keys.forEach((k: any) => (k.clouds = ["aws"])); delete s.domains[0].users.gcp; delete s.domains[0].users.azure; delete s.domains[0].admins.gcp; delete s.domains[0].admins.azure; }, []],
        ["a deployer also an admin, a user, a key's user", (s) => { s.deployer = { aws: [ADMIN_ARN], gcp: [GCP_USER], azure: [AZ_DEPLOYER] }; key1(s).users = { azure: [AZ_DEPLOYER] }; }, [
            `domains[0].admins.aws[0]: is also the deployer of domain payments (deployer.aws): the deployer changes who may use the keys, and neither administers nor uses them (got: "${ADMIN_ARN}")`,
            `domains[0].users.gcp[0]: is also the deployer of domain payments (deployer.gcp): the deployer changes who may use the keys, and neither administers nor uses them (got: "${GCP_USER}")`,
            `domains[0].keys[1].users.azure[0]: is also the deployer of domain payments (deployer.azure): the deployer changes who may use the keys, and neither administers nor uses them (got: "${AZ_DEPLOYER}")`,
        ]],
        ["the account principal as deployer or user of a strict domain", (s) => { s.deployer.aws = [ROOT]; s.domains[0].users.aws = [`arn:aws:iam::${ACCOUNT}:root`]; s.domains[0].admins.aws = [`arn:aws:iam::444455556666:root`]; }, [
            `domains[0].admins.aws[0]: is the account principal, which in strict domain payments would delegate to every IAM policy of the account: name the roles (got: "arn:aws:iam::444455556666:root")`,
            `domains[0].users.aws[0]: is also the deployer of domain payments (deployer.aws): the deployer changes who may use the keys, and neither administers nor uses them (got: "${ROOT}")`,
            `deployer.aws[0]: is the account principal, which would let every IAM policy of the account change the key policies: name the role that deploys (got: "${ROOT}")`,
        ]],
        ["a deployer on a standard domain", (s) => { delete s.deployer; delete s.domains[0].separationOfDuties; s.domains[0].deployer = DEPLOYER; }, [
            "domains[0].deployer: applies to domains with separationOfDuties strict, and domain payments is standard (allowed: separationOfDuties: strict, or leave deployer out)",
        ]],
        ["a hierarchy deployer and no strict domain", (s) => delete s.domains[0].separationOfDuties, [
            "deployer: applies to domains with separationOfDuties strict, and no domain is strict (allowed: separationOfDuties: strict on a domain, or leave deployer out)",
        ]],
        ["an unknown mode", (s) => (s.domains[0].separationOfDuties = "paranoid"), [
            'domains[0].separationOfDuties: is not one of the allowed values (allowed: standard, strict, got: "paranoid")',
            "deployer: applies to domains with separationOfDuties strict, and no domain is strict (allowed: separationOfDuties: strict on a domain, or leave deployer out)",
        ]],
        ["a malformed deployer", (s) => (s.deployer.gcp = ["deployer"]), [
            'deployer.gcp[0]: is not a valid gcp principal (allowed: IAM members user:|group:|serviceAccount:|domain:<id>, principal://, principalSet://, got: "deployer")',
        ]],
    ];
    test.each(cases)("%s", (_name, mutate, expected) => {
        const spec = strictSpec();
        mutate(spec);
        expect(problems(spec)).toEqual(expected);
    });

    test("resolved: the mode and the deployer per cloud with keys", () => {
        const resolved = validateHierarchy(strictSpec());
        expect(resolved.domains[0]).toMatchObject({ separationOfDuties: "strict", deployer: DEPLOYER });
        expect(validateHierarchy(validSpec()).domains[0]).toMatchObject({ separationOfDuties: "standard", deployer: {} });
    });
});
