import { rule } from "../../policy-packs/key-management/rules/keyfabric-hierarchy-enforce-separation-of-duties";
import { ACCOUNT, AWS_ADMIN, AWS_USER, AZ_ADMIN_ID, AZ_USER, checkStackAsEngine, crossCloudStack, GCP_ADMIN, GCP_USER, named, raw, RING, tagsFor } from "./fixtures-crosscloud";
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
