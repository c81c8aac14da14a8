import { rule } from "../../policy-packs/key-management/rules/keyfabric-hierarchy-enforce-deletion-safety";
import { crossCloudSpec, crossCloudStack, labelsFor, named, raw } from "./fixtures-crosscloud";
import { checkStack, UNKNOWN } from "./harness";

const rawGcpKey = (props: Record<string, any>, opts: { protect?: boolean; retainOnDelete?: boolean } = { protect: true }) =>
    raw("gcp:kms/cryptoKey:CryptoKey", "manual-card-data", { keyRing: "acme-dev/europe-west1/manual", name: "card-data", labels: labelsFor("card-data"), ...props }, opts);

const VAULT = "The Key Vault holding payments/signing in azure";

test("the three-cloud hierarchy keyfabric emits is compliant", async () => {
    expect(await checkStack(rule, await crossCloudStack())).toEqual({ violations: [] });
});

test("a hand-written GCP instance of payments/card-data with a one-day destroy-scheduled duration", async () => {
    const manual = rawGcpKey({ destroyScheduledDuration: "86400s" });
    expect(await checkStack(rule, [...(await crossCloudStack()), manual])).toEqual({
        violations: [{ message: "Key payments/card-data in gcp has a deletion window of 1 day; at least 30 days required.", urn: manual.urn }],
    });
});

test("a hand-written instance without the protect option (GCP's default 30-day duration is enough)", async () => {
    const manual = rawGcpKey({}, {});
    expect(await checkStack(rule, [...(await crossCloudStack()), manual])).toEqual({
        violations: [{ message: "Key payments/card-data in gcp does not have the protect resource option.", urn: manual.urn }],
    });
    // retainOnDelete is accepted when the host reports it (@pulumi/policy 1.21.0 itself passes only protect).
    expect(await checkStack(rule, [...(await crossCloudStack()), rawGcpKey({}, { retainOnDelete: true })])).toEqual({ violations: [] });
});

test("AWS: the deletion window against minDeletionWindowDays", async () => {
    const stack = await crossCloudStack();
    const key = named(stack, "kf-payments-signing-aws-key");
    key.props.deletionWindowInDays = 7;
    expect(await checkStack(rule, stack)).toEqual({ violations: [{ message: "Key payments/signing in aws has a deletion window of 7 days; at least 30 days required.", urn: key.urn }] });
    expect(await checkStack(rule, stack, { minDeletionWindowDays: 7 })).toEqual({ violations: [] });
    expect((await checkStack(rule, stack, { minDeletionWindowDays: 8 })).violations).toEqual([
        { message: "Key payments/signing in aws has a deletion window of 7 days; at least 8 days required.", urn: key.urn },
    ]);
});

test("Azure: the holding vault's soft-delete retention, purge protection and protect option", async () => {
    const stack = await crossCloudStack();
    const vault = named(stack, "kf-payments-vault-westeurope");
    vault.props.properties.softDeleteRetentionInDays = 7;
    vault.props.properties.enablePurgeProtection = false;
    vault.protect = false;
    vault.retainOnDelete = false;
    expect(await checkStack(rule, stack)).toEqual({
        violations: [
            { message: `${VAULT} keeps deleted keys for 7 days; at least 30 days required.`, urn: vault.urn },
            { message: `${VAULT} does not have purge protection enabled.`, urn: vault.urn },
            { message: `${VAULT} does not have the protect resource option.`, urn: vault.urn },
        ],
    });
    expect(await checkStack(rule, stack, { minDeletionWindowDays: 7, requirePurgeProtection: false, requireProtect: false })).toEqual({ violations: [] });
});

test("a domain's vault is checked before any key names it; soft delete off keeps nothing", async () => {
    const stack = (await crossCloudStack()).filter((r) => !r.name?.startsWith("kf-payments-signing-azure"));
    const vault = named(stack, "kf-payments-vault-westeurope");
    vault.props.properties.enableSoftDelete = false;
    expect(await checkStack(rule, stack)).toEqual({
        violations: [{ message: "The Key Vault of domain payments in azure keeps deleted keys for 0 days (soft delete is off); at least 30 days required.", urn: vault.urn }],
    });
});

test("a hierarchy created with protectKeys: false is reported on every instance and on its vault", async () => {
    const stack = await crossCloudStack(crossCloudSpec(), { protectKeys: false });
    const violations = (await checkStack(rule, stack)).violations;
    const expected = [
        ["kf-payments-card-data-aws-key", "Key payments/card-data in aws"],
        ["kf-payments-card-data-aws-replica-eu-central-1", "Key payments/card-data in aws"],
        ["kf-payments-card-data-gcp-key", "Key payments/card-data in gcp"],
        ["kf-payments-card-data-azure-key", "Key payments/card-data in azure"],
        ["kf-payments-signing-aws-key", "Key payments/signing in aws"],
        ["kf-payments-signing-gcp-key", "Key payments/signing in gcp"],
        ["kf-payments-signing-azure-key", "Key payments/signing in azure"],
        ["kf-payments-vault-westeurope", VAULT],
    ].map(([n, subject]) => ({ message: `${subject} does not have the protect resource option.`, urn: named(stack, n).urn }));
    expect(violations).toHaveLength(expected.length);
    expect(violations).toEqual(expect.arrayContaining(expected));
});

test("only instances of logical keys: an uncorrelated key is the per-cloud rules' business", async () => {
    const lone = raw("aws:kms/key:Key", "lone", { deletionWindowInDays: 7 });
    expect(await checkStack(rule, [...(await crossCloudStack()), lone])).toEqual({ violations: [] });
});

test("values unknown at preview are skipped", async () => {
    const stack = await crossCloudStack();
    named(stack, "kf-payments-signing-aws-key").props.deletionWindowInDays = UNKNOWN;
    const vault = named(stack, "kf-payments-vault-westeurope");
    vault.props.properties.softDeleteRetentionInDays = UNKNOWN;
    vault.props.properties.enablePurgeProtection = UNKNOWN;
    expect(await checkStack(rule, [...stack, rawGcpKey({ destroyScheduledDuration: UNKNOWN })])).toEqual({ violations: [] });
});

test("config: defaults and bounds", () => {
    expect(rule.configSchema?.properties).toMatchObject({
        minDeletionWindowDays: { type: "integer", default: 30, minimum: 7, maximum: 30 },
        requirePurgeProtection: { type: "boolean", default: true },
        requireProtect: { type: "boolean", default: true },
    });
});
