import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { GCP_CONSUMERS } from "../../policy-packs/key-management/lib/consumers-gcp";
import { rule } from "../../policy-packs/key-management/rules/gcp-bigquery-dataset-require-customer-managed-key";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const DATASET = "gcp:bigquery/dataset:Dataset";
const TABLE = "gcp:bigquery/table:Table";
const KEY = "projects/acme-prod/locations/eu/keyRings/analytics/cryptoKeys/bigquery";

const dataset = (name: string, props: Record<string, any> = {}): TestResource => ({
    type: DATASET,
    name,
    props: { datasetId: "payments", location: "EU", defaultEncryptionConfiguration: { kmsKeyName: KEY }, ...props },
});
const table = (name: string, props: Record<string, any> = {}): TestResource => ({
    type: TABLE,
    name,
    props: { datasetId: "payments", tableId: name, deletionProtection: true, schema: '[{"name":"id","type":"STRING"}]', ...props },
});
const urn = (r: TestResource) => `urn:pulumi:test::project::${r.type}::${r.name}`;
const DATASET_MSG = "This BigQuery dataset has no default customer-managed Cloud KMS key.";
const TABLE_MSG = "This BigQuery table does not encrypt with a customer-managed Cloud KMS key: it names none, and its dataset has no default customer-managed key.";

test("a dataset with a default key, and tables using it or their own key, are compliant", async () => {
    const resources = [dataset("payments"), table("cards"), table("refunds", { encryptionConfiguration: { kmsKeyName: KEY } })];
    expect(await checkStack(rule, resources)).toEqual({ violations: [] });
});

test("a dataset without a default key is a violation, and so is each table in it without its own key", async () => {
    const ds = dataset("payments", { defaultEncryptionConfiguration: undefined });
    const cards = table("cards");
    const refunds = table("refunds", { encryptionConfiguration: { kmsKeyName: KEY } });
    expect(await checkStack(rule, [ds, cards, refunds])).toEqual({
        violations: [
            { message: DATASET_MSG, urn: urn(ds) },
            { message: TABLE_MSG, urn: urn(cards) },
        ],
    });
});

test("an empty or blank key is no key", async () => {
    const ds = dataset("payments", { defaultEncryptionConfiguration: { kmsKeyName: "" } });
    const cards = table("cards", { encryptionConfiguration: { kmsKeyName: " " } });
    expect(await checkStack(rule, [ds, cards])).toEqual({
        violations: [
            { message: DATASET_MSG, urn: urn(ds) },
            { message: TABLE_MSG, urn: urn(cards) },
        ],
    });
});

test("a table is matched to its dataset by datasetId and project (unset: the provider's project)", async () => {
    const keyless = dataset("payments", { project: "acme-prod", defaultEncryptionConfiguration: undefined });
    const elsewhere = table("cards", { project: "acme-dev" }); // payments in acme-dev is not in the stack
    const sameProject = table("refunds", { project: "acme-prod" });
    const providerProject = table("chargebacks");
    expect(await checkStack(rule, [keyless, elsewhere, sameProject, providerProject])).toEqual({
        violations: [
            { message: DATASET_MSG, urn: urn(keyless) },
            { message: TABLE_MSG, urn: urn(sameProject) },
            { message: TABLE_MSG, urn: urn(providerProject) },
        ],
    });
    expect(await checkStack(rule, [dataset("ledger", { datasetId: "ledger" }), table("cards")])).toEqual({ violations: [] });
});

test("a table whose dataset is not in the stack is not judged: its default key cannot be seen", async () => {
    expect(await checkStack(rule, [table("cards")])).toEqual({ violations: [] });
});

test("views, external and BigLake tables store no data in BigQuery and are not judged", async () => {
    const ds = dataset("payments", { defaultEncryptionConfiguration: undefined });
    const view = table("cards_view", { view: { query: "SELECT id FROM payments.cards", useLegacySql: false } });
    const external = table("imports", { externalDataConfiguration: { autodetect: true, sourceFormat: "CSV", sourceUris: ["gs://acme-imports/*.csv"] } });
    const biglake = table("lake", { biglakeConfiguration: { connectionId: "eu.lake", storageUri: "gs://acme-lake/cards/", fileFormat: "PARQUET", tableFormat: "ICEBERG" } });
    expect(await checkStack(rule, [ds, view, external, biglake])).toEqual({ violations: [{ message: DATASET_MSG, urn: urn(ds) }] });
});

test("state shape: BigQuery records the key a table uses, inherited from its dataset or its own", async () => {
    const stateTable = table("cards", {
        project: "acme-prod",
        encryptionConfiguration: { kmsKeyName: KEY, kmsKeyVersion: `${KEY}/cryptoKeyVersions/1` },
        selfLink: "https://bigquery.googleapis.com/bigquery/v2/projects/acme-prod/datasets/payments/tables/cards",
    });
    expect(await checkStack(rule, [stateTable])).toEqual({ violations: [] });
    expect(consumerFor([GCP_CONSUMERS], TABLE)!.keyRefs(stateTable.props)).toEqual([KEY]);
    expect(consumerFor([GCP_CONSUMERS], DATASET)!.keyRefs(dataset("payments").props)).toEqual([KEY]);
    const keyless = dataset("payments", { project: "acme-prod", defaultEncryptionConfiguration: null });
    expect(await checkStack(rule, [keyless, table("refunds", { project: "acme-prod", encryptionConfiguration: null })])).toEqual({
        violations: [
            { message: DATASET_MSG, urn: urn(keyless) },
            { message: TABLE_MSG, urn: `urn:pulumi:test::project::${TABLE}::refunds` },
        ],
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkStack(rule, [{ type: "gcp:storage/bucket:Bucket", name: "b", props: { name: "b", location: "EU" } }])).toEqual({ violations: [] });
    expect(await checkStack(rule, [])).toEqual({ violations: [] });
});

test("unknown at preview: a dataset or table whose key or dataset is not known yet is not judged, never a false violation", async () => {
    const unknownKey = dataset("payments", { defaultEncryptionConfiguration: { kmsKeyName: UNKNOWN } });
    const notJudged = { violations: [], notApplicable: "A BigQuery dataset's or table's key, or a table's dataset, is not known until the update." };
    expect(await checkStack(rule, [unknownKey, table("cards")])).toEqual(notJudged);
    expect(await checkStack(rule, [table("cards", { encryptionConfiguration: { kmsKeyName: UNKNOWN } })])).toEqual(notJudged);
    expect(await checkStack(rule, [dataset("payments", { datasetId: UNKNOWN, defaultEncryptionConfiguration: undefined }), table("cards")])).toEqual({
        violations: [{ message: DATASET_MSG, urn: `urn:pulumi:test::project::${DATASET}::payments` }],
    });
    // The table's dataset is not known: the keyless dataset is still reported, the table is not judged.
    const keyless = dataset("payments", { defaultEncryptionConfiguration: undefined });
    expect(await checkStack(rule, [keyless, table("cards", { datasetId: UNKNOWN })])).toEqual({ violations: [{ message: DATASET_MSG, urn: urn(keyless) }] });
});
