import { rule } from "../../policy-packs/key-management/rules/keyfabric-hierarchy-enforce-residency";
import { checkStackAsEngine, crossCloudSpec, crossCloudStack, labelsFor, named, raw, tagsFor } from "./fixtures-crosscloud";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const outside = (subject: string, cloud: string) => `${subject} in ${cloud} is outside the ${cloud === "aws" ? "regions" : "locations"} allowed for domain payments.`;

const rawAwsKey = (region: unknown, key = "card-data") => raw("aws:kms/key:Key", `manual-${key}`, { region, enableKeyRotation: true, rotationPeriodInDays: 90, tags: tagsFor(key) }, { protect: true });

function withoutSpec(resources: TestResource[]): TestResource[] {
    return resources.filter((r) => r.type !== "keyfabric:index:KeyHierarchy").map((r) => (r.parent?.type === "keyfabric:index:KeyHierarchy" ? { ...r, parent: undefined } : r));
}

test("the three-cloud hierarchy keyfabric emits is compliant", async () => {
    expect(await checkStack(rule, await crossCloudStack())).toEqual({ violations: [] });
});

test("a hand-written AWS key claiming payments/card-data in a region outside the domain's residency", async () => {
    const manual = rawAwsKey("us-east-1");
    expect(await checkStack(rule, [...(await crossCloudStack()), manual])).toEqual({ violations: [{ message: outside("Key payments/card-data", "aws"), urn: manual.urn }] });
    expect(await checkStack(rule, [...(await crossCloudStack()), rawAwsKey("eu-central-1")])).toEqual({ violations: [] });
});

test("a multi-Region replica outside the residency", async () => {
    const stack = await crossCloudStack();
    const replica = named(stack, "kf-payments-card-data-aws-replica-eu-central-1");
    replica.props.region = "us-west-2";
    expect(await checkStack(rule, stack)).toEqual({ violations: [{ message: outside("Key payments/card-data", "aws"), urn: replica.urn }] });
});

test("AWS keys without a region input take their provider's region", async () => {
    const noRegion = { ...rawAwsKey(undefined), urn: "urn:pulumi:dev::project::aws:kms/key:Key::no-region" };
    // The harness gives resources no provider: without any region the check is not applicable.
    expect(await checkStack(rule, [...(await crossCloudStack()), noRegion])).toEqual({ violations: [] });

    // The engine gives each resource its provider, with the provider's inputs.
    const stack = await crossCloudStack();
    const providers = new Map([[noRegion, { type: "pulumi:providers:aws", name: "us", props: { region: "us-east-1" } }]]);
    expect(await checkStackAsEngine(rule, [...stack, noRegion], { providers })).toEqual([{ message: outside("Key payments/card-data", "aws"), urn: noRegion.urn }]);
});

test("at a first preview the key ring id is unknown: the key is located through the KeyRing it depends on", async () => {
    const stack = await crossCloudStack();
    const ring = named(stack, "kf-payments-ring-europe-west1");
    const key = named(stack, "kf-payments-card-data-gcp-key");
    key.props.keyRing = UNKNOWN;
    ring.props.location = "us-central1";
    expect(await checkStack(rule, stack)).toEqual({ violations: [{ message: outside("A key ring of domain payments", "gcp"), urn: ring.urn }] });
    expect(await checkStackAsEngine(rule, stack, { dependencies: new Map([[key, { keyRing: [ring] }]]) })).toEqual([
        { message: outside("A key ring of domain payments", "gcp"), urn: ring.urn },
        { message: outside("Key payments/card-data", "gcp"), urn: key.urn },
    ]);
});

test("GCP: a key ring of the domain (by the component tree) and keys by their key ring's location", async () => {
    const stack = await crossCloudStack();
    const ring = named(stack, "kf-payments-ring-europe-west1");
    ring.props.location = "us-central1";
    expect(await checkStack(rule, stack)).toEqual({ violations: [{ message: outside("A key ring of domain payments", "gcp"), urn: ring.urn }] });

    const longId = raw("gcp:kms/cryptoKey:CryptoKey", "manual-long", { keyRing: "projects/acme-dev/locations/us-central1/keyRings/manual", name: "signing", labels: labelsFor("signing") });
    const shortId = raw("gcp:kms/cryptoKey:CryptoKey", "manual-short", { keyRing: "acme-dev/asia-east1/manual", name: "card-data", labels: labelsFor("card-data") });
    const allowed = raw("gcp:kms/cryptoKey:CryptoKey", "manual-ok", { keyRing: "acme-dev/europe-west1/manual", name: "card-data", labels: labelsFor("card-data") });
    expect(await checkStack(rule, [...(await crossCloudStack()), longId, shortId, allowed])).toEqual({
        violations: [
            { message: outside("Key payments/signing", "gcp"), urn: longId.urn },
            { message: outside("Key payments/card-data", "gcp"), urn: shortId.urn },
        ],
    });
});

test("a resource under the KeyDomain is the domain's even without tags", async () => {
    const stack = await crossCloudStack();
    const domain = named(stack, "kf-payments");
    const extraRing = raw("gcp:kms/keyRing:KeyRing", "extra-ring", { name: "extra", location: "us-east1", project: "acme-dev" }, { parent: domain });
    expect(await checkStack(rule, [...stack, extraRing])).toEqual({ violations: [{ message: outside("A key ring of domain payments", "gcp"), urn: extraRing.urn }] });
});

test("Azure: the vault's location, and the keys it holds", async () => {
    const stack = await crossCloudStack();
    const vault = named(stack, "kf-payments-vault-westeurope");
    vault.props.location = "East US";
    expect(await checkStack(rule, stack)).toEqual({
        violations: [
            { message: outside("A Key Vault of domain payments", "azure"), urn: vault.urn },
            { message: outside("Key payments/signing", "azure"), urn: named(stack, "kf-payments-signing-azure-key").urn },
        ],
    });
    vault.props.location = "West Europe"; // display names compare equal to westeurope
    expect(await checkStack(rule, stack)).toEqual({ violations: [] });
});

test("Azure Managed HSM keys: located by the Managed HSM when the stack declares it", async () => {
    const hsm = raw("azure-native:keyvault:ManagedHsm", "hsm", { name: "acme-hsm", location: "northeurope", resourceGroupName: "rg-keys" });
    const stack = await crossCloudStack();
    expect(await checkStack(rule, [...stack, hsm])).toEqual({ violations: [{ message: outside("Key payments/card-data", "azure"), urn: named(stack, "kf-payments-card-data-azure-key").urn }] });
});

test("domainRegions config: residency for stacks without a spec, and narrowing a spec", async () => {
    const noSpec = withoutSpec(await crossCloudStack());
    const manual = rawAwsKey("us-east-1");
    expect(await checkStack(rule, [...noSpec, manual])).toEqual({ violations: [] });
    expect(await checkStack(rule, [...noSpec, manual], { domainRegions: { "acme/payments": { aws: ["eu-west-1", "eu-central-1"] } } })).toEqual({
        violations: [{ message: outside("Key payments/card-data", "aws"), urn: manual.urn }],
    });
    const stack = await crossCloudStack();
    expect(await checkStack(rule, stack, { domainRegions: { payments: { aws: ["eu-west-1"] } } })).toEqual({
        violations: [{ message: outside("Key payments/card-data", "aws"), urn: named(stack, "kf-payments-card-data-aws-replica-eu-central-1").urn }],
    });
    expect(rule.configSchema?.properties).toMatchObject({ domainRegions: { type: "object", default: {} } });
});

test("a domain without regions for a cloud allows any location there", async () => {
    const spec = crossCloudSpec();
    delete spec.domains[0].regions!.aws;
    const stack = await crossCloudStack(spec);
    expect(await checkStack(rule, [...stack, rawAwsKey("ap-south-1")])).toEqual({ violations: [] });
});

test("values unknown at preview make the check not applicable", async () => {
    const stack = await crossCloudStack();
    named(stack, "kf-payments-card-data-aws-replica-eu-central-1").props.region = UNKNOWN;
    named(stack, "kf-payments-signing-azure-key").props.vaultName = UNKNOWN; // keyfabric passes vault.name, unknown on create
    named(stack, "kf-payments-vault-westeurope").props.location = UNKNOWN;
    const unknownRing = raw("gcp:kms/cryptoKey:CryptoKey", "unknown-ring", { keyRing: UNKNOWN, name: "card-data", labels: labelsFor("card-data") });
    const unknownTags = raw("aws:kms/key:Key", "unknown-tags", { region: "us-east-1", tags: UNKNOWN });
    expect(await checkStack(rule, [...stack, unknownRing, unknownTags])).toEqual({ violations: [] });

    const unknownResidency = await crossCloudStack();
    named(unknownResidency, "kf").props.spec.domains[0].regions = UNKNOWN;
    expect(await checkStack(rule, [...unknownResidency, rawAwsKey("us-east-1")])).toEqual({ violations: [] });
});
