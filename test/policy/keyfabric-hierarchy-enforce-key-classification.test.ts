import { UnknownValueError } from "@pulumi/policy";
import { rule } from "../../policy-packs/key-management/rules/keyfabric-hierarchy-enforce-key-classification";
import {
    analyze,
    AWS_KEYS,
    AZURE_KEYS,
    azureStore,
    classifiedStack,
    cryptoKeyId,
    deployed,
    GCP_KEYS,
    gcsStore,
    HSM_URI,
    previewProgram,
    s3Store,
    vaultKeyUri,
} from "./fixtures-classification";
import { named, raw, tagsFor } from "./fixtures-crosscloud";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const S3 = "S3 bucket encryption configuration";
const GCS = "Cloud Storage bucket";
const AZ = "storage account";

const weaker = (label: string, c: string, key: string, domain: string, dc: string) =>
    `This ${label} (data classified ${c}) encrypts with key ${key} of domain ${domain}, classified ${dc}: ${c} data needs a key of a ${c} or stricter domain.`;
const nonResident = (label: string, c: string, key: string, domain: string, dc: string, cloud: string) =>
    `This ${label} (data classified ${c}) encrypts with key ${key} of domain ${domain} (${dc}) held in ${cloud} outside the ${cloud === "aws" ? "regions" : "locations"} that domain allows.`;
const notDeclared = (label: string, c: string) => `This ${label} (data classified ${c}) uses a key outside the hierarchy: the key it names is not declared in this stack.`;
const unclaimed = (label: string, c: string) => `This ${label} (data classified ${c}) uses a key outside the hierarchy: no KeyHierarchy domain with a classification claims the key.`;

/** State after `pulumi up`: the key references are the keys' real ARNs, ids and URIs. */
const state = async () => deployed(await classifiedStack());

/** One restricted store per cloud, each on the restricted domain's key, as state. */
async function compliantState() {
    const stack = await state();
    const s3 = s3Store("cards", "restricted", named(stack, AWS_KEYS.cardData).props.arn);
    const gcs = gcsStore("cards-eu", "restricted", named(stack, GCP_KEYS.cardData).props.id);
    const az = azureStore("cardsacme", "restricted", `https://${named(stack, AZURE_KEYS.ledger).props.vaultName}.vault.azure.net/`, named(stack, AZURE_KEYS.ledger).props.keyName);
    return { stack, s3, gcs, az, all: [...stack, s3.bucket, s3.encryption, gcs, az] };
}

describe("state (pulumi policy analyze, keyfabric drift): references are known", () => {
    test("a compliant three-cloud stack: one restricted store per cloud on the restricted domain's key", async () => {
        const { all } = await compliantState();
        expect(await analyze(rule, all)).toEqual({ violations: [] });
        expect(await checkStack(rule, all)).toEqual({ violations: [] });
    });

    test("AWS: a restricted S3 bucket encrypted with the internal domain's key", async () => {
        const stack = await state();
        const { bucket, encryption } = s3Store("cards", "restricted", named(stack, AWS_KEYS.events).props.arn);
        expect(await analyze(rule, [...stack, bucket, encryption])).toEqual({
            violations: [{ message: weaker(S3, "restricted", "analytics/events", "analytics", "internal"), urn: encryption.urn }],
        });
    });

    test("GCP: a restricted Cloud Storage bucket encrypted with the internal domain's key", async () => {
        const stack = await state();
        const gcs = gcsStore("cards-eu", "restricted", named(stack, GCP_KEYS.events).props.id);
        expect(await analyze(rule, [...stack, gcs])).toEqual({ violations: [{ message: weaker(GCS, "restricted", "analytics/events", "analytics", "internal"), urn: gcs.urn }] });
        // A key version, as Cloud Storage may record it, names the same key.
        const versioned = gcsStore("cards-v", "restricted", `${named(stack, GCP_KEYS.events).props.id}/cryptoKeyVersions/3`);
        expect((await analyze(rule, [...stack, versioned])).violations).toEqual([{ message: weaker(GCS, "restricted", "analytics/events", "analytics", "internal"), urn: versioned.urn }]);
    });

    test("Azure: a restricted storage account encrypted with the internal domain's Key Vault key", async () => {
        const stack = await state();
        const records = named(stack, AZURE_KEYS.records);
        const az = azureStore("cardsacme", "restricted", `https://${records.props.vaultName}.vault.azure.net/`, records.props.keyName);
        expect(await analyze(rule, [...stack, az])).toEqual({ violations: [{ message: weaker(AZ, "restricted", "analytics/records", "analytics", "internal"), urn: az.urn }] });
    });

    test("a key in a region its domain does not allow (the residency rule reports the key, this rule the data store)", async () => {
        const stack = await state();
        const key = raw("aws:kms/key:Key", "manual-card-data", { region: "us-east-1", arn: "arn:aws:kms:us-east-1:111122223333:key/0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c", keyId: "0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c", tags: tagsFor("card-data") });
        const { bucket, encryption } = s3Store("cards", "restricted", key.props.arn);
        expect(await analyze(rule, [...stack, key, bucket, encryption])).toEqual({
            violations: [{ message: nonResident(S3, "restricted", "payments/card-data", "payments", "restricted", "aws"), urn: encryption.urn }],
        });

        // GCP: the key ring's location; the multi-Region replica in eu-central-1 is allowed.
        const moved = await state();
        const gcpKey = named(moved, GCP_KEYS.cardData);
        gcpKey.props.id = undefined; // the id says europe-west1; the ring it is in says otherwise
        gcpKey.props.keyRing = "acme-dev/us-central1/acme-payments";
        const gcs = gcsStore("cards-us", "restricted", "projects/acme-dev/locations/us-central1/keyRings/acme-payments/cryptoKeys/card-data");
        const replica = s3Store("cards-fra", "restricted", named(moved, AWS_KEYS.cardDataReplica).props.arn);
        expect((await analyze(rule, [...moved, gcs, replica.bucket, replica.encryption])).violations).toEqual([
            { message: nonResident(GCS, "restricted", "payments/card-data", "payments", "restricted", "gcp"), urn: gcs.urn },
        ]);
    });

    test("a key outside the hierarchy: not declared in the stack, or claimed by no domain", async () => {
        const stack = await state();
        const rawKey = raw("aws:kms/key:Key", "untagged", { region: "eu-west-1", arn: "arn:aws:kms:eu-west-1:111122223333:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", keyId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", tags: { team: "x" } });
        const byRawKey = s3Store("raw", "restricted", rawKey.props.arn);
        const byForeignArn = s3Store("foreign", "confidential", "arn:aws:kms:eu-west-1:999988887777:key/9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f");
        const byKeyId = s3Store("by-id", "internal", "9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f");
        const byAlias = s3Store("by-alias", "internal", "alias/someone-elses");
        const gcs = gcsStore("foreign-gcs", "restricted", "projects/other/locations/europe-west1/keyRings/r/cryptoKeys/k");
        const az = azureStore("foreignacme", "restricted", "https://other-vault.vault.azure.net/", "k");
        expect(await analyze(rule, [...stack, rawKey, ...Object.values(byRawKey), ...Object.values(byForeignArn), ...Object.values(byKeyId), ...Object.values(byAlias), gcs, az])).toEqual({
            violations: [
                { message: unclaimed(S3, "restricted"), urn: byRawKey.encryption.urn },
                { message: notDeclared(S3, "confidential"), urn: byForeignArn.encryption.urn },
                { message: notDeclared(S3, "internal"), urn: byKeyId.encryption.urn },
                { message: notDeclared(S3, "internal"), urn: byAlias.encryption.urn },
                { message: notDeclared(GCS, "restricted"), urn: gcs.urn },
                { message: notDeclared(AZ, "restricted"), urn: az.urn },
            ],
        });
    });

    test("keys named by key id, alias, alias ARN, and the Managed HSM key URI", async () => {
        const stack = await state();
        const events = named(stack, AWS_KEYS.events);
        const byId = s3Store("by-id", "restricted", events.props.keyId);
        const byAlias = s3Store("by-alias", "restricted", "alias/acme/analytics/events");
        const byAliasArn = s3Store("by-alias-arn", "restricted", "arn:aws:kms:eu-west-1:111122223333:alias/acme/analytics/events");
        const okAlias = s3Store("ok-alias", "restricted", "alias/acme/payments/card-data");
        const hsm = azureStore("hsmacme", "restricted", HSM_URI, "payments-card-data");
        expect((await analyze(rule, [...stack, ...Object.values(byId), ...Object.values(byAlias), ...Object.values(byAliasArn), ...Object.values(okAlias), hsm])).violations).toEqual([
            { message: weaker(S3, "restricted", "analytics/events", "analytics", "internal"), urn: byId.encryption.urn },
            { message: weaker(S3, "restricted", "analytics/events", "analytics", "internal"), urn: byAlias.encryption.urn },
            { message: weaker(S3, "restricted", "analytics/events", "analytics", "internal"), urn: byAliasArn.encryption.urn },
        ]);
    });

    test("the bucket and its encryption configuration are one finding (state records the configuration's key on the bucket too)", async () => {
        const stack = await state();
        const arn = named(stack, AWS_KEYS.events).props.arn;
        const { bucket, encryption } = s3Store("cards", "restricted", arn);
        bucket.props.serverSideEncryptionConfigurations = [{ rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: arn }] }] }];
        expect((await analyze(rule, [...stack, bucket, encryption])).violations).toEqual([{ message: weaker(S3, "restricted", "analytics/events", "analytics", "internal"), urn: encryption.urn }]);
        // Without a separate configuration, the bucket's own (inline) setting is judged.
        expect((await analyze(rule, [...stack, bucket])).violations).toEqual([{ message: weaker("S3 bucket", "restricted", "analytics/events", "analytics", "internal"), urn: bucket.urn }]);
    });
});

test("an unclassified data store is not judged, nor one without a customer-managed key (the require-customer-managed-key rules report it)", async () => {
    const stack = await state();
    const events = named(stack, AWS_KEYS.events).props.arn;
    const untagged = s3Store("untagged", undefined, events);
    const unknownClass = s3Store("odd", "top-secret", events);
    const gcs = gcsStore("plain", undefined, named(stack, GCP_KEYS.events).props.id);
    const noCmk = s3Store("sse-s3", "restricted", undefined);
    noCmk.encryption.props.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" };
    const awsManaged = s3Store("aws-managed", "restricted", "alias/aws/s3");
    const gcsNoCmk = gcsStore("google-managed", "restricted", undefined);
    delete gcsNoCmk.props.encryption;
    expect(
        await analyze(rule, [...stack, ...Object.values(untagged), ...Object.values(unknownClass), gcs, ...Object.values(noCmk), ...Object.values(awsManaged), gcsNoCmk]),
    ).toEqual({ violations: [] });
});

test("a stricter key than the data store needs is fine", async () => {
    const stack = await state();
    const internal = s3Store("events", "internal", named(stack, AWS_KEYS.cardData).props.arn);
    const confidential = gcsStore("reports", "confidential", named(stack, GCP_KEYS.cardData).props.id);
    const publicData = azureStore("siteacme", "Public", HSM_URI, "payments-card-data");
    const sameLevel = gcsStore("metrics", "internal", named(stack, GCP_KEYS.events).props.id);
    expect(await analyze(rule, [...stack, ...Object.values(internal), confidential, publicData, sameLevel])).toEqual({ violations: [] });
});

describe("preview: key references computed from keys are unknown", () => {
    /** The planned stack (a first preview) with restricted stores whose key references are unknown. */
    async function preview(keys: { aws: string; gcp: string; azure: string }) {
        const stack = await classifiedStack();
        const s3 = s3Store("cards", "restricted", UNKNOWN);
        s3.encryption.props.bucket = UNKNOWN; // bucket.id
        const gcs = gcsStore("cards-eu", "restricted", UNKNOWN);
        const az = azureStore("cardsacme", "restricted", UNKNOWN, UNKNOWN); // vault.properties.vaultUri, key.name
        const azKey = named(stack, keys.azure);
        const deps = new Map<TestResource, Record<string, TestResource[]>>([
            [s3.encryption, { bucket: [s3.bucket], rules: [named(stack, keys.aws)] }],
            [gcs, { encryption: [named(stack, keys.gcp)] }],
            [az, { encryption: [stack.find((r) => r.type === "azure-native:keyvault:Vault" && r.props.vaultName === azKey.props.vaultName)!, azKey] }],
        ]);
        return { stack, s3, gcs, az, deps, all: [...stack, s3.bucket, s3.encryption, gcs, az] };
    }

    test("the key is the one the property depends on: compliant, and a weaker key in each cloud", async () => {
        const ok = await preview({ aws: AWS_KEYS.cardData, gcp: GCP_KEYS.cardData, azure: AZURE_KEYS.ledger });
        expect(await analyze(rule, ok.all, ok.deps)).toEqual({ violations: [] });

        const weak = await preview({ aws: AWS_KEYS.events, gcp: GCP_KEYS.events, azure: AZURE_KEYS.records });
        expect(await analyze(rule, weak.all, weak.deps)).toEqual({
            violations: [
                { message: weaker(S3, "restricted", "analytics/events", "analytics", "internal"), urn: weak.s3.encryption.urn },
                { message: weaker(GCS, "restricted", "analytics/events", "analytics", "internal"), urn: weak.gcs.urn },
                { message: weaker(AZ, "restricted", "analytics/records", "analytics", "internal"), urn: weak.az.urn },
            ],
        });
    });

    test("through an alias the reference depends on, and a Managed HSM key named by known inputs", async () => {
        const stack = await classifiedStack();
        const alias = named(stack, "kf-analytics-events-aws-alias-acme/analytics/events");
        alias.props.targetKeyId = UNKNOWN; // key.id
        const { bucket, encryption } = s3Store("cards", "restricted", UNKNOWN);
        const hsm = azureStore("hsmacme", "restricted", HSM_URI, "payments-card-data");
        expect(await analyze(rule, [...stack, bucket, encryption, hsm], new Map([[encryption, { rules: [alias] }]]))).toEqual({
            violations: [{ message: weaker(S3, "restricted", "analytics/events", "analytics", "internal"), urn: encryption.urn }],
        });
    });

    test("unknown values behave as the SDK does: what can be decided is reported, then the rule can't run", async () => {
        const ok = await preview({ aws: AWS_KEYS.events, gcp: GCP_KEYS.events, azure: AZURE_KEYS.records });
        // The engine did not say where the S3 key comes from: that store is undecided; the others are still judged.
        ok.deps.set(ok.s3.encryption, { bucket: [ok.s3.bucket] });
        expect(await analyze(rule, ok.all, ok.deps)).toEqual({
            violations: [
                { message: weaker(GCS, "restricted", "analytics/events", "analytics", "internal"), urn: ok.gcs.urn },
                { message: weaker(AZ, "restricted", "analytics/records", "analytics", "internal"), urn: ok.az.urn },
            ],
            cantRun: `can't run policy '${rule.name}' from policy pack 'keyfabric-key-management@v0.1.0' during preview: string value at .rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId can't be known during preview`,
        });
        // Without the engine's dependencies (the harness's checkStack), the rule throws the proxy's error.
        await expect(checkStack(rule, ok.all)).rejects.toThrow(UnknownValueError);

        // An unknown classification tag: undecided.
        const stack = await state();
        const store = gcsStore("tagged-later", "restricted", named(stack, GCP_KEYS.events).props.id);
        store.props.labels = { "keyfabric-classification": UNKNOWN };
        expect(await analyze(rule, [...stack, store])).toEqual({
            violations: [],
            cantRun: `can't run policy '${rule.name}' from policy pack 'keyfabric-key-management@v0.1.0' during preview: string value at .labels.keyfabric-classification can't be known during preview`,
        });
        // Values the rule does not need may stay unknown.
        const fine = gcsStore("fine", "restricted", named(stack, GCP_KEYS.cardData).props.id);
        fine.props.labels.team = UNKNOWN;
        fine.props.project = UNKNOWN;
        expect(await analyze(rule, [...stack, fine])).toEqual({ violations: [] });
    });

    test("a property depending on several keys is decided only when they all give the same answer", async () => {
        // e.g. hierarchy.keys.apply(k => k["payments/card-data"].aws.keyArn): the Output carries every key of the hierarchy.
        const stack = await classifiedStack();
        const every = [AWS_KEYS.cardData, AWS_KEYS.cardDataReplica, AWS_KEYS.events].map((n) => named(stack, n));
        const restricted = s3Store("cards", "restricted", UNKNOWN);
        const internal = s3Store("events", "internal", UNKNOWN);
        const result = await analyze(rule, [...stack, ...Object.values(restricted), ...Object.values(internal)], new Map([
            [restricted.encryption, { rules: every }],
            [internal.encryption, { rules: every }],
        ]));
        expect(result.violations).toEqual([]);
        expect(result.cantRun).toMatch(/during preview: string value at \.rules\.0\.applyServerSideEncryptionByDefault\.kmsMasterKeyId can't be known during preview$/);
        // Every candidate is at least internal and resident: the internal store is decided compliant.
        expect(await analyze(rule, [...stack, ...Object.values(internal)], new Map([[internal.encryption, { rules: every }]]))).toEqual({ violations: [] });
    });
});

test("a program as keyfabric preview runs it: the stores' keys found through the property dependencies the engine sends", async () => {
    const weak = await previewProgram({ aws: "analytics/events", gcp: "analytics/events", azure: "analytics/records" });
    const urn = (name: string) => weak.resources.find((r) => r.name === name)!.urn;
    // At a first preview every key reference is unknown.
    expect(weak.resources.find((r) => r.name === "cards-sse")!.props.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).toBe(UNKNOWN);
    expect(await analyze(rule, weak.resources, weak.dependencies)).toEqual({
        violations: [
            { message: weaker(S3, "restricted", "analytics/events", "analytics", "internal"), urn: urn("cards-sse") },
            { message: weaker(GCS, "restricted", "analytics/events", "analytics", "internal"), urn: urn("cards-eu") },
            { message: weaker(AZ, "restricted", "analytics/records", "analytics", "internal"), urn: urn("cardsacme") },
        ],
    });
    const ok = await previewProgram({ aws: "payments/card-data", gcp: "payments/card-data", azure: "payments/ledger" });
    expect(await analyze(rule, ok.resources, ok.dependencies)).toEqual({ violations: [] });
    // Without them (what an analyzer client that sends no property dependencies gives), the rule cannot run.
    expect((await analyze(rule, ok.resources)).cantRun).toMatch(/during preview: string value at \.bucket can't be known during preview$/);
});
