import { rule } from "../../policy-packs/key-management/rules/keyfabric-hierarchy-enforce-consistent-cryptoperiod";
import { checkStackAsEngine, crossCloudSpec, crossCloudStack, labelsFor, named, raw, tagsFor } from "./fixtures-crosscloud";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey";
const MANUAL_RING = "projects/acme-dev/locations/europe-west1/keyRings/manual";

/** A hand-written GCP key claiming `payments/<key>` through keyfabric's labels. */
const rawGcpKey = (key: string, props: Record<string, any> = {}, name = "manual-card-data") =>
    raw(
        CRYPTO_KEY,
        name,
        { keyRing: MANUAL_RING, name: key, purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" }, rotationPeriod: "7776000s", labels: labelsFor(key), ...props },
        { protect: true },
    );

const urnOf = (r: TestResource) => r.urn!;

/** The stack without its KeyHierarchy spec (hand-written keys, or a spec-less state): correlation by tags/labels only. */
function withoutSpec(resources: TestResource[]): TestResource[] {
    return resources.filter((r) => r.type !== "keyfabric:index:KeyHierarchy").map((r) => (r.parent?.type === "keyfabric:index:KeyHierarchy" ? { ...r, parent: undefined } : r));
}

test("the three-cloud hierarchy keyfabric emits is compliant", async () => {
    expect(await checkStack(rule, await crossCloudStack())).toEqual({ violations: [] });
});

test("a hand-written GCP key claiming payments/card-data with another rotation differs from the spec, and the message names both periods", async () => {
    const manual = rawGcpKey("card-data", { rotationPeriod: `${180 * 86400}s` });
    expect(await checkStack(rule, [...(await crossCloudStack()), manual])).toEqual({
        violations: [{ message: "Logical key payments/card-data rotates every 180 days in gcp; its KeyHierarchy declares every 90 days.", urn: urnOf(manual) }],
    });
});

test("no rotation counts as the cryptoperiod 'none'", async () => {
    const { rotationPeriod, ...props } = rawGcpKey("card-data").props;
    void rotationPeriod;
    const manual = raw(CRYPTO_KEY, "manual-card-data", props, { protect: true });
    expect(await checkStack(rule, [...(await crossCloudStack()), manual])).toEqual({
        violations: [{ message: "Logical key payments/card-data does not rotate automatically in gcp; its KeyHierarchy declares every 90 days.", urn: urnOf(manual) }],
    });
    // ...and a rotating instance of a key the spec declares without rotation (a byok key) differs the other way.
    const spec = crossCloudSpec();
    spec.domains[0].keys.push({ name: "imported", purpose: "encrypt", algorithm: "AES_256", origin: "byok", clouds: ["aws", "gcp"] });
    const rotatingImport = rawGcpKey("imported", {}, "manual-imported");
    expect((await checkStack(rule, [...(await crossCloudStack(spec)), rotatingImport])).violations).toEqual([
        { message: "Logical key payments/imported rotates every 90 days in gcp; its KeyHierarchy declares no automatic rotation.", urn: urnOf(rotatingImport) },
    ]);
});

test("Azure rotates every key it generates, so an asymmetric key's cryptoperiod is Azure's; AWS and GCP instances, which cannot rotate it, are not compared", async () => {
    const stack = await crossCloudStack();
    const azureSigning = named(stack, "kf-payments-signing-azure-key");
    expect(azureSigning.props.properties.rotationPolicy.lifetimeActions[0]).toEqual({ action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } });
    delete azureSigning.props.properties.rotationPolicy;
    // A GCP signing key with a rotation period the API would refuse anyway: not its cryptoperiod to choose.
    const gcpSigner = rawGcpKey("signing", { purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm: "EC_SIGN_P384_SHA384", protectionLevel: "HSM" } }, "manual-signing");
    expect(await checkStack(rule, [...stack, gcpSigner])).toEqual({
        violations: [{ message: "Logical key payments/signing does not rotate automatically in azure; its KeyHierarchy declares every 90 days.", urn: urnOf(azureSigning) }],
    });
});

test("a keyfabric instance changed in one cloud is reported on that instance", async () => {
    const stack = await crossCloudStack();
    const awsKey = named(stack, "kf-payments-card-data-aws-key");
    awsKey.props.rotationPeriodInDays = 180;
    expect(await checkStack(rule, stack)).toEqual({
        violations: [{ message: "Logical key payments/card-data rotates every 180 days in aws; its KeyHierarchy declares every 90 days.", urn: urnOf(awsKey) }],
    });
});

test("Azure: the rotation policy's rotate trigger is the cryptoperiod (Managed HSM and Key Vault keys)", async () => {
    const stack = await crossCloudStack();
    const policy = named(stack, "kf-payments-card-data-azure-rotation");
    policy.props.timeAfterCreation = "P180D";
    const hsmKey = named(stack, "kf-payments-card-data-azure-key");
    const vaultKey = named(stack, "kf-payments-signing-azure-key");
    vaultKey.props.properties.rotationPolicy = { lifetimeActions: [{ action: { type: "Rotate" }, trigger: { timeAfterCreate: "P365D" } }] };
    expect(await checkStack(rule, stack)).toEqual({
        violations: [
            { message: "Logical key payments/card-data rotates every 180 days in azure; its KeyHierarchy declares every 90 days.", urn: urnOf(hsmKey) },
            { message: "Logical key payments/signing rotates every 365 days in azure; its KeyHierarchy declares every 90 days.", urn: urnOf(vaultKey) },
        ],
    });
});

test("without a spec, instances are compared with each other and the odd one out is reported", async () => {
    const manual = rawGcpKey("card-data", { rotationPeriod: `${180 * 86400}s` });
    expect(await checkStack(rule, [...withoutSpec(await crossCloudStack()), manual])).toEqual({
        violations: [{ message: "Logical key payments/card-data rotates every 180 days in gcp, but every 90 days in aws, gcp, azure.", urn: urnOf(manual) }],
    });
});

test("hand-written resources are correlated by their tags alone, in any cloud and with GCP's label sanitising", async () => {
    const awsKey = raw("aws:kms/key:Key", "manual-aws", { region: "eu-west-1", enableKeyRotation: true, rotationPeriodInDays: 120, tags: { ...tagsFor("events"), "keyfabric:domain": "Payments" } });
    const gcpKey = rawGcpKey("events", { rotationPeriod: `${120 * 86400}s` }, "manual-gcp-events");
    const azureKey = raw("azure-native:keyvault:Key", "manual-azure", {
        vaultName: "other",
        resourceGroupName: "rg",
        keyName: "events",
        properties: { kty: "RSA-HSM", rotationPolicy: { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P60D" } }] } },
        tags: tagsFor("events"),
    });
    const other = raw("aws:kms/key:Key", "other-hierarchy", { enableKeyRotation: false, tags: { ...tagsFor("events"), "keyfabric:hierarchy": "other" } });
    expect(await checkStack(rule, [awsKey, gcpKey, azureKey, other])).toEqual({
        violations: [{ message: "Logical key payments/events rotates every 60 days in azure, but every 120 days in aws, gcp.", urn: urnOf(azureKey) }],
    });
});

test("toleranceDays lets cryptoperiods differ by a few days", async () => {
    const manual = rawGcpKey("card-data", { rotationPeriod: `${95 * 86400}s` });
    const stack = [...(await crossCloudStack()), manual];
    expect((await checkStack(rule, stack)).violations).toHaveLength(1);
    expect(await checkStack(rule, stack, { toleranceDays: 5 })).toEqual({ violations: [] });
    expect((await checkStack(rule, stack, { toleranceDays: 4 })).violations).toEqual([
        { message: "Logical key payments/card-data rotates every 95 days in gcp; its KeyHierarchy declares every 90 days (at most 4 days apart allowed).", urn: urnOf(manual) },
    ]);
});

test("config: defaults and bounds", () => {
    expect(rule.configSchema?.properties).toMatchObject({
        toleranceDays: { type: "integer", default: 0, minimum: 0, maximum: 365 },
        compareAwsProtection: { type: "boolean", default: false },
    });
});

test("protection: an instance weaker than the spec is reported, a stronger one is not", async () => {
    const stack = await crossCloudStack();
    const azureSigning = named(stack, "kf-payments-signing-azure-key");
    azureSigning.props.properties.kty = "EC";
    const softwareGcp = rawGcpKey("card-data", { versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" } });
    expect(await checkStack(rule, [...stack, softwareGcp])).toEqual({
        violations: [
            { message: "Logical key payments/card-data has weaker key protection in gcp than its KeyHierarchy declares.", urn: urnOf(softwareGcp) },
            { message: "Logical key payments/signing has weaker key protection in azure than its KeyHierarchy declares.", urn: urnOf(azureSigning) },
        ],
    });
});

test("protection without a spec: the strongest instance whose level is a choice sets the bar; AWS's fixed HSMs only on request", async () => {
    const gcpHsm = rawGcpKey("events", {}, "gcp-events");
    const rotation = { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } }] };
    const azureSoftware = raw("azure-native:keyvault:Key", "azure-events", { vaultName: "v", resourceGroupName: "rg", keyName: "events", properties: { kty: "RSA", rotationPolicy: rotation }, tags: tagsFor("events") });
    expect((await checkStack(rule, [gcpHsm, azureSoftware])).violations).toEqual([
        { message: "Logical key payments/events has weaker key protection in azure than in gcp.", urn: urnOf(azureSoftware) },
    ]);

    const awsKey = raw("aws:kms/key:Key", "aws-logs", { enableKeyRotation: true, rotationPeriodInDays: 90, tags: tagsFor("logs") });
    const gcpSoftware = rawGcpKey("logs", { versionTemplate: { protectionLevel: "SOFTWARE" } }, "gcp-logs");
    expect(await checkStack(rule, [awsKey, gcpSoftware])).toEqual({ violations: [] });
    expect(await checkStack(rule, [awsKey, gcpSoftware], { compareAwsProtection: true })).toEqual({
        violations: [{ message: "Logical key payments/logs has weaker key protection in gcp than in aws.", urn: urnOf(gcpSoftware) }],
    });
});

test("values unknown at preview make the instance not applicable, never a violation", async () => {
    const unknownPeriod = rawGcpKey("card-data", { rotationPeriod: UNKNOWN, versionTemplate: UNKNOWN });
    const unknownLabels = rawGcpKey("card-data", { rotationPeriod: "1s", labels: UNKNOWN }, "manual-unknown-labels");
    const stack = await crossCloudStack();
    named(stack, "kf-payments-signing-aws-key").props.enableKeyRotation = UNKNOWN;
    named(stack, "kf-payments-signing-azure-key").props.properties.kty = UNKNOWN;
    expect(await checkStack(rule, [...stack, unknownPeriod, unknownLabels])).toEqual({ violations: [] });
});

test("a Managed HSM rotation policy whose key id is unknown at preview is placed by the component tree", async () => {
    const stack = await crossCloudStack();
    const policy = named(stack, "kf-payments-card-data-azure-rotation");
    policy.props.managedHsmKeyId = UNKNOWN;
    expect(await checkStack(rule, stack)).toEqual({ violations: [] });
    policy.props.timeAfterCreation = "P30D";
    expect((await checkStack(rule, stack)).violations).toEqual([
        { message: "Logical key payments/card-data rotates every 30 days in azure; its KeyHierarchy declares every 90 days.", urn: named(stack, "kf-payments-card-data-azure-key").urn },
    ]);
    // A policy that can be placed neither by id nor by the tree makes the key's cryptoperiod unknown, not "none"...
    policy.parent = undefined;
    expect(await checkStack(rule, stack)).toEqual({ violations: [] });
    // ...unless the engine says which key its managedHsmKeyId comes from.
    const hsmKey = named(stack, "kf-payments-card-data-azure-key");
    expect(await checkStackAsEngine(rule, stack, { dependencies: new Map([[policy, { managedHsmKeyId: [hsmKey] }]]) })).toEqual([
        { message: "Logical key payments/card-data rotates every 30 days in azure; its KeyHierarchy declares every 90 days.", urn: hsmKey.urn },
    ]);
});

test("the spec's own values unknown at preview fall back to comparing the instances", async () => {
    const stack = await crossCloudStack();
    named(stack, "kf").props.spec.domains[0].rotationDays = UNKNOWN;
    const manual = rawGcpKey("card-data", { rotationPeriod: `${180 * 86400}s` });
    expect((await checkStack(rule, [...stack, manual])).violations).toEqual([
        { message: "Logical key payments/card-data rotates every 180 days in gcp, but every 90 days in aws, gcp, azure.", urn: urnOf(manual) },
    ]);
});

test("AWS replicas share their primary's rotation and are not compared on their own", async () => {
    const stack = await crossCloudStack();
    const replica = named(stack, "kf-payments-card-data-aws-replica-eu-central-1");
    expect(replica.props.rotationPeriodInDays).toBeUndefined();
    expect(await checkStack(rule, stack)).toEqual({ violations: [] });
});
