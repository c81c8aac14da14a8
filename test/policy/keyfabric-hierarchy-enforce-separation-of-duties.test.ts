import { rule } from "../../policy-packs/key-management/rules/keyfabric-hierarchy-enforce-separation-of-duties";
import { ACCOUNT, AWS_ADMIN, AWS_USER, AZ_ADMIN_ID, AZ_USER, checkStackAsEngine, crossCloudSpec, crossCloudStack, GCP_ADMIN, GCP_USER, named, ofType, raw, RING, tagsFor } from "./fixtures-crosscloud";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const SUB = "00000000-0000-4000-8000-000000000000";
const VAULT_ID = `/subscriptions/${SUB}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/acme-payments-61a31f5c`;
const HSM_ID = `/subscriptions/${SUB}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/managedHSMs/acme-hsm`;
const roleDef = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424";
const KV_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483";

const msg = (what: string, cloud: string) => `A principal is both an administrator and a user of ${what} in ${cloud}.`;

test("the three-cloud hierarchy keyfabric emits is compliant (the account root's kms:* is IAM delegation, not a person)", async () => {
    expect(await checkStack(rule, await crossCloudStack())).toEqual({ violations: [] });
});

test("GCP: an admin also made a user by a hand-written CryptoKeyIAMMember", async () => {
    const extra = raw(MEMBER, "admin-can-decrypt", { cryptoKeyId: `${RING}/cryptoKeys/card-data`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: GCP_ADMIN });
    expect(await checkStack(rule, [...(await crossCloudStack()), extra])).toEqual({ violations: [{ message: msg("payments/card-data", "gcp"), urn: extra.urn }] });
});

test("GCP: bindings, short ids, key-ring and project IAM count too", async () => {
    const binding = raw("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", "signers", { cryptoKeyId: "acme-dev/europe-west1/acme-payments/signing", role: "roles/cloudkms.signerVerifier", members: [GCP_USER, GCP_ADMIN] });
    expect((await checkStack(rule, [...(await crossCloudStack()), binding])).violations).toEqual([{ message: msg("payments/signing", "gcp"), urn: binding.urn }]);

    // Use on the key ring reaches every key in it: reported once per key, on the ring-level grant.
    const ringUser = raw("gcp:kms/keyRingIAMMember:KeyRingIAMMember", "ring-user", { keyRingId: RING, role: "roles/cloudkms.cryptoKeyDecrypter", member: GCP_ADMIN });
    expect((await checkStack(rule, [...(await crossCloudStack()), ringUser])).violations).toEqual([
        { message: msg("payments/signing", "gcp"), urn: ringUser.urn },
        { message: msg("payments/card-data", "gcp"), urn: ringUser.urn },
    ]);

    // The CIS control's own case: both roles on the project, no key in the stack.
    const projectAdmin = raw("gcp:projects/iAMMember:IAMMember", "p-admin", { project: "other-project", role: "roles/cloudkms.admin", member: "user:ops@acme.example" });
    const projectUser = raw("gcp:projects/iAMMember:IAMMember", "p-user", { project: "other-project", role: "roles/cloudkms.cryptoKeyEncrypter", member: "user:ops@acme.example" });
    expect(await checkStack(rule, [projectAdmin, projectUser])).toEqual({ violations: [{ message: msg("keys outside any key hierarchy", "gcp"), urn: projectUser.urn }] });
});

test("AWS: an administrator added to the key users statement of the key policy", async () => {
    const stack = await crossCloudStack();
    const key = named(stack, "kf-payments-card-data-aws-key");
    const policy = JSON.parse(key.props.policy);
    policy.Statement.find((s: any) => s.Sid === "KeyUsers").Principal.AWS.push(AWS_ADMIN);
    key.props.policy = JSON.stringify(policy);
    expect(await checkStack(rule, stack)).toEqual({ violations: [{ message: msg("payments/card-data", "aws"), urn: key.urn }] });
});

test("AWS: a hand-written key claiming a logical key, with kms:* for a role, by actions alone (no keyfabric Sids)", async () => {
    const policy = { Version: "2012-10-17", Statement: [{ Sid: "Everything", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Ops` }, Action: "kms:*", Resource: "*" }] };
    const manual = raw("aws:kms/key:Key", "manual", { policy: JSON.stringify(policy), tags: tagsFor("card-data") });
    expect(await checkStack(rule, [...(await crossCloudStack()), manual])).toEqual({ violations: [{ message: msg("payments/card-data", "aws"), urn: manual.urn }] });

    const notAction = { Statement: [{ Effect: "Allow", Principal: { AWS: [AWS_USER] }, NotAction: ["kms:Decrypt"], Resource: "*" }] };
    const untagged = raw("aws:kms/key:Key", "untagged", { policy: notAction });
    expect(await checkStack(rule, [untagged])).toEqual({ violations: [{ message: msg("a key outside any key hierarchy", "aws"), urn: untagged.urn }] });
});

test("AWS: grants and separate KeyPolicy resources on a key (matched by ARN in state)", async () => {
    const stack = await crossCloudStack();
    const key = named(stack, "kf-payments-card-data-aws-key");
    const arn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/mrk-1234`;
    key.props.arn = arn; // as in state
    const adminGrant = raw("aws:kms/grant:Grant", "admin-grant", { keyId: arn, granteePrincipal: AWS_ADMIN, operations: ["Decrypt", "DescribeKey"] });
    const userGrant = raw("aws:kms/grant:Grant", "user-grant", { keyId: arn, granteePrincipal: AWS_USER, operations: ["Decrypt"] });
    expect(await checkStack(rule, [...stack, adminGrant, userGrant])).toEqual({ violations: [{ message: msg("payments/card-data", "aws"), urn: adminGrant.urn }] });

    // A KeyPolicy making the key's user an administrator: reported on every resource that grants that user use.
    const keyPolicy = raw("aws:kms/keyPolicy:KeyPolicy", "override", {
        keyId: arn,
        policy: JSON.stringify({ Statement: [{ Sid: "KeyAdministrators", Effect: "Allow", Principal: { AWS: [AWS_USER] }, Action: ["kms:Put*"], Resource: "*" }] }),
    });
    expect(await checkStack(rule, [...stack, userGrant, keyPolicy])).toEqual({
        violations: [
            { message: msg("payments/card-data", "aws"), urn: key.urn },
            { message: msg("payments/card-data", "aws"), urn: userGrant.urn },
        ],
    });
});

test("AWS: the account root is exempt by default, and counted with exemptAwsAccountRoot false", async () => {
    const stack = await crossCloudStack();
    const keys = ["kf-payments-signing-aws-key", "kf-payments-card-data-aws-key", "kf-payments-card-data-aws-replica-eu-central-1"].map((n) => named(stack, n));
    const violations = (await checkStack(rule, stack, { exemptAwsAccountRoot: false })).violations;
    expect(violations).toHaveLength(3);
    expect(violations).toEqual(expect.arrayContaining(keys.map((k) => ({ message: msg(k.name!.includes("signing") ? "payments/signing" : "payments/card-data", "aws"), urn: k.urn }))));
    expect(rule.configSchema?.properties).toMatchObject({ exemptAwsAccountRoot: { type: "boolean", default: true } });
});

test("Azure: Crypto User for the Crypto Officer on the key, or on the vault above it", async () => {
    const keyScope = `${VAULT_ID}/keys/payments-signing`;
    const onKey = raw(ROLE_ASSIGNMENT, "officer-uses", { scope: keyScope, principalId: AZ_ADMIN_ID.toUpperCase(), roleDefinitionId: roleDef(CRYPTO_USER) });
    expect(await checkStack(rule, [...(await crossCloudStack()), onKey])).toEqual({ violations: [{ message: msg("payments/signing", "azure"), urn: onKey.urn }] });

    const onVault = raw(ROLE_ASSIGNMENT, "officer-uses-vault", { scope: VAULT_ID, principalId: AZ_ADMIN_ID, roleDefinitionId: roleDef(CRYPTO_USER) });
    expect(await checkStack(rule, [...(await crossCloudStack()), onVault])).toEqual({ violations: [{ message: msg("payments/signing", "azure"), urn: onVault.urn }] });
});

test("Azure: Key Vault Administrator both administers and uses keys", async () => {
    const admin = raw(ROLE_ASSIGNMENT, "kv-admin", { scope: VAULT_ID, principalId: "11111111-2222-4333-8444-555555555555", roleDefinitionId: roleDef(KV_ADMINISTRATOR) });
    expect(await checkStack(rule, [...(await crossCloudStack()), admin])).toEqual({ violations: [{ message: msg("the keys of domain payments", "azure"), urn: admin.urn }] });
});

test("Azure Managed HSM: Crypto User at the HSM root for the Crypto Officer of a key", async () => {
    const user = raw("azure:keyvault/managedHardwareSecurityModuleRoleAssignment:ManagedHardwareSecurityModuleRoleAssignment", "hsm-wide-user", {
        managedHsmId: HSM_ID,
        name: "1f5c0b7e-0000-4000-8000-000000000001",
        principalId: AZ_ADMIN_ID,
        roleDefinitionId: "/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b",
        scope: "/",
    });
    expect(await checkStack(rule, [...(await crossCloudStack()), user])).toEqual({ violations: [{ message: msg("payments/card-data", "azure"), urn: user.urn }] });
});

test("the KeyHierarchy spec: a domain admin also listed as a user (state written without keyfabric's validation)", async () => {
    const stack = await crossCloudStack();
    const hierarchy = named(stack, "kf");
    hierarchy.props.spec.domains[0].users.gcp.push(GCP_ADMIN);
    hierarchy.props.spec.domains[0].keys[1].users = { azure: [`user:${AZ_ADMIN_ID}`] };
    expect(await checkStack(rule, stack)).toEqual({
        violations: [
            { message: "The KeyHierarchy makes a principal both an administrator and a user of payments/card-data in gcp.", urn: hierarchy.urn },
            { message: "The KeyHierarchy makes a principal both an administrator and a user of payments/signing in gcp.", urn: hierarchy.urn },
            { message: "The KeyHierarchy makes a principal both an administrator and a user of payments/signing in azure.", urn: hierarchy.urn },
        ],
    });
});

test("values unknown at preview are skipped, never violations", async () => {
    const stack = await crossCloudStack();
    const awsKey = named(stack, "kf-payments-card-data-aws-key");
    awsKey.props.policy = UNKNOWN; // an Output principal makes the whole policy unknown at preview
    awsKey.props.arn = "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234";
    const grantToAdmin = raw("aws:kms/grant:Grant", "grant-to-admin", { keyId: awsKey.props.arn, granteePrincipal: AWS_ADMIN, operations: ["Decrypt"] });
    const hierarchy = named(stack, "kf");
    hierarchy.props.spec.domains[0].admins.gcp = [UNKNOWN];
    hierarchy.props.spec.domains[0].users.gcp.push(GCP_ADMIN); // the admin it would clash with is unknown
    const unknownMember = raw(MEMBER, "unknown-member", { cryptoKeyId: `${RING}/cryptoKeys/card-data`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: UNKNOWN });
    const unknownKey = raw(MEMBER, "unknown-key", { cryptoKeyId: UNKNOWN, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: GCP_ADMIN });
    const unknownScope = raw(ROLE_ASSIGNMENT, "unknown-scope", { scope: UNKNOWN, principalId: AZ_ADMIN_ID, roleDefinitionId: roleDef(CRYPTO_USER) });
    const unknownGrant = raw("aws:kms/grant:Grant", "unknown-grant", { keyId: UNKNOWN, granteePrincipal: AWS_ADMIN, operations: ["Decrypt"] });
    expect(await checkStack(rule, [...stack, grantToAdmin, unknownMember, unknownKey, unknownScope, unknownGrant])).toEqual({ violations: [] });
});

test("at a first preview ids are unknown: GCP grants are placed through the resources they depend on", async () => {
    const stack = await crossCloudStack();
    const ring = named(stack, "kf-payments-ring-europe-west1");
    const key = named(stack, "kf-payments-card-data-gcp-key");
    key.props.keyRing = UNKNOWN;
    const members = stack.filter((r) => r.type === MEMBER && r.name!.startsWith("kf-payments-card-data-gcp-grant"));
    members.forEach((m) => (m.props.cryptoKeyId = UNKNOWN));
    const extra = raw(MEMBER, "admin-can-decrypt", { cryptoKeyId: UNKNOWN, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: GCP_ADMIN });
    const all = [...stack, extra];
    expect(await checkStack(rule, all)).toEqual({ violations: [] }); // without the links: not applicable
    const dependencies = new Map<TestResource, Record<string, TestResource[]>>([[key, { keyRing: [ring] }], ...[...members, extra].map((m): [TestResource, Record<string, TestResource[]>] => [m, { cryptoKeyId: [key] }])]);
    expect(await checkStackAsEngine(rule, all, { dependencies })).toEqual([{ message: msg("payments/card-data", "gcp"), urn: extra.urn }]);
});

test("principals are compared per cloud: the same string in two clouds is no conflict", async () => {
    const awsStyle = raw(MEMBER, "odd-member", { cryptoKeyId: `${RING}/cryptoKeys/card-data`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: AWS_ADMIN });
    const azureUser = raw(ROLE_ASSIGNMENT, "az-user", { scope: `${VAULT_ID}/keys/payments-signing`, principalId: AZ_USER.split(":")[1], roleDefinitionId: roleDef(CRYPTO_USER) });
    expect(await checkStack(rule, [...(await crossCloudStack()), awsStyle, azureUser])).toEqual({ violations: [] });
});

// ---------------------------------------------------------------------------------------------------------------
// Strict domains (separationOfDuties: "strict"): effective permissions of the roles.

const AWS_DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/Deployer`;
const GCP_DEPLOYER = "serviceAccount:deployer@acme-dev.iam.gserviceaccount.com";
const AZ_DEPLOYER_ID = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
/** An Azure principal with no role in the hierarchy. */
const OPS_ID = "11111111-2222-4333-8444-555555555555";
const KEY_SCOPE = `${VAULT_ID}/keys/payments-signing`;
const HSM_ASSIGNMENT = "azure:keyvault/managedHardwareSecurityModuleRoleAssignment:ManagedHardwareSecurityModuleRoleAssignment";
const hsmRole = (guid: string) => `/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

function strictSpec() {
    const spec: any = crossCloudSpec();
    spec.domains[0].separationOfDuties = "strict";
    spec.deployer = { aws: [AWS_DEPLOYER], gcp: [GCP_DEPLOYER], azure: [`servicePrincipal:${AZ_DEPLOYER_ID}`] };
    return spec;
}
const strictStack = () => crossCloudStack(strictSpec());

const both = (key: string, cloud: string, manage: string, use: string) =>
    `A principal both manages and uses payments/${key} in ${cloud}, a key of strict domain payments: its roles' effective permissions include ${manage} and ${use}.`;
const grants = (key: string, cloud: string, permission: string) =>
    `A principal other than the deployer may change who uses payments/${key} in ${cloud}, a key of strict domain payments (${permission}): only the deployer may change its key policy, IAM policy or role assignments.`;

describe("strict domains", () => {
    test("the strict hierarchy keyfabric emits is compliant: custom roles, the deployer's statement, the account root read-only", async () => {
        expect(await checkStack(rule, await strictStack())).toEqual({ violations: [] });
        // ... also without the account root exemption: a strict key's policy gives the root nothing to exempt.
        expect(await checkStack(rule, await strictStack(), { exemptAwsAccountRoot: false })).toEqual({ violations: [] });
    });

    test("AWS: an administrator given kms:PutKeyPolicy in the key policy may change who uses the key", async () => {
        const stack = await strictStack();
        const key = named(stack, "kf-payments-card-data-aws-key");
        const policy = JSON.parse(key.props.policy);
        policy.Statement.find((st: any) => st.Sid === "KeyAdministrators").Action.push("kms:PutKeyPolicy");
        key.props.policy = JSON.stringify(policy);
        expect(await checkStack(rule, stack)).toEqual({ violations: [{ message: grants("card-data", "aws", "kms:PutKeyPolicy"), urn: key.urn }] });
    });

    test("AWS: the account root back to kms:* is no longer exempt (it would delegate everything to IAM policies)", async () => {
        const stack = await strictStack();
        const replica = named(stack, "kf-payments-card-data-aws-replica-eu-central-1");
        const policy = JSON.parse(replica.props.policy);
        policy.Statement[0].Action = "kms:*";
        replica.props.policy = JSON.stringify(policy);
        expect(await checkStack(rule, stack)).toEqual({
            violations: [
                { message: grants("card-data", "aws", "kms:CreateGrant"), urn: replica.urn },
                { message: both("card-data", "aws", "kms:CancelKeyDeletion", "kms:Decrypt"), urn: replica.urn },
            ],
        });
    });

    test("AWS: an administrator's grant to decrypt, and a KeyPolicy resource with kms:* for a role", async () => {
        const stack = await strictStack();
        const key = named(stack, "kf-payments-signing-aws-key");
        const arn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234`;
        key.props.arn = arn;
        const grant = raw("aws:kms/grant:Grant", "admin-signs", { keyId: arn, granteePrincipal: AWS_ADMIN, operations: ["Sign", "DescribeKey"] });
        expect(await checkStack(rule, [...stack, grant])).toEqual({ violations: [{ message: both("signing", "aws", "kms:CancelKeyDeletion", "kms:Sign"), urn: grant.urn }] });

        const ops = raw("aws:kms/keyPolicy:KeyPolicy", "ops", {
            keyId: arn,
            policy: JSON.stringify({ Statement: [{ Sid: "Ops", Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/Ops`] }, Action: "kms:*", Resource: "*" }] }),
        });
        expect(await checkStack(rule, [...stack, ops])).toEqual({
            violations: [
                { message: grants("signing", "aws", "kms:CreateGrant"), urn: ops.urn },
                { message: both("signing", "aws", "kms:CancelKeyDeletion", "kms:Decrypt"), urn: ops.urn },
            ],
        });
    });

    test("GCP: roles/cloudkms.admin on a strict key (setIamPolicy, and use through delegation)", async () => {
        const member = raw(MEMBER, "ops-admin", { cryptoKeyId: `${RING}/cryptoKeys/card-data`, role: "roles/cloudkms.admin", member: "user:ops@acme.example" });
        expect(await checkStack(rule, [...(await strictStack()), member])).toEqual({
            violations: [
                { message: grants("card-data", "gcp", "cloudkms.cryptoKeys.setIamPolicy"), urn: member.urn },
                { message: both("card-data", "gcp", "cloudkms.autokeyConfigs.update", "cloudkms.cryptoKeyVersions.useToDecryptViaDelegation"), urn: member.urn },
            ],
        });
    });

    test("GCP: the administrators' custom role plus an encrypter role for the same group", async () => {
        const member = raw(MEMBER, "admin-decrypts", { cryptoKeyId: `${RING}/cryptoKeys/card-data`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: GCP_ADMIN });
        expect(await checkStack(rule, [...(await strictStack()), member])).toEqual({
            violations: [{ message: both("card-data", "gcp", "cloudkms.cryptoKeyVersions.create", "cloudkms.cryptoKeyVersions.useToDecrypt"), urn: member.urn }],
        });
    });

    test("GCP: a custom role with management and use, bound on the key ring, reaches every key in it", async () => {
        const role = raw("gcp:projects/iAMCustomRole:IAMCustomRole", "mixed", { project: "acme-dev", roleId: "mixed", title: "mixed", permissions: ["cloudkms.cryptoKeys.update", "cloudkms.cryptoKeyVersions.useToSign"] });
        const member = raw("gcp:kms/keyRingIAMMember:KeyRingIAMMember", "mixed-ops", { keyRingId: RING, role: "projects/acme-dev/roles/mixed", member: "user:ops@acme.example" });
        expect(await checkStack(rule, [...(await strictStack()), role, member])).toEqual({
            violations: [
                { message: both("signing", "gcp", "cloudkms.cryptoKeys.update", "cloudkms.cryptoKeyVersions.useToSign"), urn: member.urn },
                { message: both("card-data", "gcp", "cloudkms.cryptoKeys.update", "cloudkms.cryptoKeyVersions.useToSign"), urn: member.urn },
            ],
        });
    });

    test("GCP: a project owner other than the deployer; the deployer itself is exempt", async () => {
        const owner = raw("gcp:projects/iAMMember:IAMMember", "owner", { project: "acme-dev", role: "roles/owner", member: "user:cto@acme.example" });
        const deployer = raw("gcp:projects/iAMMember:IAMMember", "deployer-owner", { project: "acme-dev", role: "roles/owner", member: GCP_DEPLOYER });
        expect(await checkStack(rule, [...(await strictStack()), owner, deployer])).toEqual({
            violations: [
                { message: grants("signing", "gcp", "cloudkms.cryptoKeys.setIamPolicy"), urn: owner.urn },
                { message: both("signing", "gcp", "cloudkms.autokeyConfigs.update", "cloudkms.cryptoKeyVersions.useToDecapsulate"), urn: owner.urn },
                { message: grants("card-data", "gcp", "cloudkms.cryptoKeys.setIamPolicy"), urn: owner.urn },
                { message: both("card-data", "gcp", "cloudkms.autokeyConfigs.update", "cloudkms.cryptoKeyVersions.useToDecapsulate"), urn: owner.urn },
            ],
        });
    });

    test("Azure: Key Vault Crypto Officer manages and uses; Owner on the resource group may assign roles", async () => {
        const officer = raw(ROLE_ASSIGNMENT, "officer", { scope: KEY_SCOPE, principalId: AZ_ADMIN_ID, roleDefinitionId: roleDef("14b46e9e-c2b7-41b4-b07b-48a6ebf60603") });
        const owner = raw(ROLE_ASSIGNMENT, "rg-owner", { scope: `/subscriptions/${SUB}/resourceGroups/rg-keys`, principalId: "11111111-2222-4333-8444-555555555555", roleDefinitionId: roleDef("8e3af657-a8ff-443c-a75c-2fe8c4bcb635") });
        expect(await checkStack(rule, [...(await strictStack()), officer, owner])).toEqual({
            violations: [
                { message: both("signing", "azure", "Microsoft.KeyVault/vaults/keyrotationpolicies/write", "Microsoft.KeyVault/vaults/keys/decrypt/action"), urn: officer.urn },
                { message: grants("signing", "azure", "Microsoft.Authorization/roleAssignments/write"), urn: owner.urn },
            ],
        });
    });

    test("Azure: a custom role definition with both duties, read from the stack (at preview, through the property dependency)", async () => {
        const mixed = raw("azure-native:authorization:RoleDefinition", "mixed", {
            scope: VAULT_ID,
            roleDefinitionId: "7a4d2d8e-1b0c-4f5e-9a8b-3c2d1e0f9a8b",
            roleName: "mixed",
            permissions: [{ actions: [], dataActions: ["Microsoft.KeyVault/vaults/keys/*"], notDataActions: ["Microsoft.KeyVault/vaults/keys/release/action"] }],
            assignableScopes: [VAULT_ID],
        });
        const assignment = raw(ROLE_ASSIGNMENT, "mixed-user", { scope: KEY_SCOPE, principalId: OPS_ID, roleDefinitionId: roleDef("7a4d2d8e-1b0c-4f5e-9a8b-3c2d1e0f9a8b") });
        const expected = [{ message: both("signing", "azure", "Microsoft.KeyVault/vaults/keys/backup/action", "Microsoft.KeyVault/vaults/keys/decrypt/action"), urn: assignment.urn }];
        expect(await checkStack(rule, [...(await strictStack()), mixed, assignment])).toEqual({ violations: expected });

        assignment.props.roleDefinitionId = UNKNOWN;
        const all = [...(await strictStack()), mixed, assignment];
        expect(await checkStack(rule, all)).toEqual({ violations: [] }); // without the link: not applicable
        expect(await checkStackAsEngine(rule, all, { dependencies: new Map([[assignment, { roleDefinitionId: [mixed] }]]) })).toEqual(expected);
    });

    test("Azure Managed HSM: the built-in Crypto User both manages and uses, the Crypto Officer manages role assignments", async () => {
        const hsmAssignment = (name: string, principalId: string, guid: string) =>
            raw(HSM_ASSIGNMENT, name, { managedHsmId: HSM_ID, name: `0000000${name.length}-0000-4000-8000-000000000001`, principalId, roleDefinitionId: hsmRole(guid), scope: "/keys/payments-card-data" });
        const user = hsmAssignment("user", OPS_ID, "21dbd100-6940-42c2-9190-5d6cb909625b");
        const officer = hsmAssignment("officer", "22222222-3333-4444-8555-666666666666", "515eb02d-2335-4d2d-92f2-b1cbdf9c3778");
        expect(await checkStack(rule, [...(await strictStack()), user, officer])).toEqual({
            violations: [
                { message: both("card-data", "azure", "Microsoft.KeyVault/managedHsm/keys/backup/action", "Microsoft.KeyVault/managedHsm/keys/decrypt/action"), urn: user.urn },
                { message: grants("card-data", "azure", "Microsoft.KeyVault/managedHsm/roleAssignments/write/action"), urn: officer.urn },
            ],
        });
    });

    test("the KeyHierarchy spec: a deployer also listed as an administrator (state written without keyfabric's validation)", async () => {
        const stack = await strictStack();
        const hierarchy = named(stack, "kf");
        hierarchy.props.spec.domains[0].admins.gcp.push(GCP_DEPLOYER);
        expect(await checkStack(rule, stack)).toEqual({ violations: [{ message: "The KeyHierarchy makes a deployer of strict domain payments also an administrator or a user in gcp.", urn: hierarchy.urn }] });
    });

    test("the same access is judged by declared duties in a standard domain: an owner's role assignment is no violation there", async () => {
        const owner = raw(ROLE_ASSIGNMENT, "rg-owner", { scope: `/subscriptions/${SUB}/resourceGroups/rg-keys`, principalId: "11111111-2222-4333-8444-555555555555", roleDefinitionId: roleDef("8e3af657-a8ff-443c-a75c-2fe8c4bcb635") });
        expect(await checkStack(rule, [...(await crossCloudStack()), owner])).toEqual({ violations: [] });
        expect(ofType(await strictStack(), "azure-native:authorization:RoleDefinition").map((r) => r.name).sort()).toEqual(["kf-payments-vault-westeurope-key-admin-role", "kf-payments-vault-westeurope-key-user-role"]);
    });
});
