import { bigQueryDatasetOf, GCP_CONSUMER, typesOf } from "../lib/consumers-gcp";
import { known, UNKNOWN } from "../lib/crosscloud";
import type { Maybe } from "../lib/crosscloud";
import { stackRule } from "../lib/rule";

const DATASET = GCP_CONSUMER.bigqueryDataset;
const TABLE = GCP_CONSUMER.bigqueryTable;

interface DatasetFacts {
    readonly datasetId: Maybe<string | undefined>;
    readonly project: Maybe<string | undefined>;
    /** The dataset has a default customer-managed key. */
    readonly hasKey: Maybe<boolean>;
}

/** The dataset may be the table's: same datasetId, and the same project unless one of them leaves it to the provider. */
function mayMatch(d: DatasetFacts, datasetId: string, project: string | undefined): boolean | typeof UNKNOWN {
    if (d.datasetId === UNKNOWN || d.project === UNKNOWN) return UNKNOWN;
    return d.datasetId === datasetId && (d.project === undefined || project === undefined || d.project === project);
}

/**
 * Catalogue row 12 (BigQuery). A stack rule, because a table that names no key of its own is encrypted with its
 * dataset's default key (defaultEncryptionConfiguration), which only the dataset's props show. On state BigQuery
 * records the key a table uses, inherited or not, so a table shows its dataset's key there.
 *
 * Not judged: a table whose dataset is not in the stack (its default key cannot be seen; set encryptionConfiguration
 * to have it checked), views, external and BigLake tables (no data in BigQuery storage), and, during preview, a dataset
 * or table whose key, datasetId or project is not known yet.
 */
export const rule = stackRule(
    {
        name: "gcp-bigquery-dataset-require-customer-managed-key",
        description:
            "BigQuery datasets must have a default customer-managed Cloud KMS key (defaultEncryptionConfiguration.kmsKeyName), and BigQuery tables must be encrypted with one: their own encryptionConfiguration.kmsKeyName, or the default key of their dataset in the stack. Tables whose dataset is outside the stack, views and external tables are not judged, nor, during preview, resources whose key or dataset is not known yet.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Google Cloud Platform Foundation Benchmark", version: "3.0.0", reference: "7.3 Ensure That a Default Customer-Managed Encryption Key (CMEK) Is Specified for All BigQuery Data Sets" },
            { name: "CIS Google Cloud Platform Foundation Benchmark", version: "3.0.0", reference: "7.2 Ensure That All BigQuery Tables Are Encrypted With Customer-Managed Encryption Key (CMEK)" },
            { name: "Checkov", version: "3", reference: "CKV_GCP_81 (google_bigquery_dataset default_encryption_configuration), CKV_GCP_80 (google_bigquery_table encryption_configuration)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set defaultEncryptionConfiguration: { kmsKeyName: <crypto key id> } on every gcp.bigquery.Dataset (tables created in it afterwards use the key), or encryptionConfiguration: { kmsKeyName } on the gcp.bigquery.Table, with a key in the dataset's location, and grant the project's BigQuery service account (gcp.bigquery.getDefaultServiceAccount) roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.",
        catalogueRows: [12],
        resourceTypes: typesOf([DATASET, TABLE]),
    },
    {
        validateStack: (args, reportViolation) => {
            const isDataset = (type: string) => DATASET.types.includes(type);
            const isTable = (type: string) => TABLE.types.includes(type);
            let undecided = 0;
            let reported = 0;

            const datasets: DatasetFacts[] = [];
            for (const r of args.resources.filter((x) => isDataset(x.type))) {
                const parts = known(() => DATASET.parts(r.props));
                const where = known(() => bigQueryDatasetOf(r.props));
                datasets.push({
                    datasetId: where === UNKNOWN ? UNKNOWN : where.datasetId,
                    project: where === UNKNOWN ? UNKNOWN : where.project,
                    hasKey: parts === UNKNOWN ? UNKNOWN : parts.every((p) => p.key !== undefined),
                });
                if (parts === UNKNOWN) {
                    undecided++;
                    continue;
                }
                if (parts.some((p) => p.key === undefined)) {
                    reportViolation("This BigQuery dataset has no default customer-managed Cloud KMS key.", r.urn);
                    reported++;
                }
            }

            for (const r of args.resources.filter((x) => isTable(x.type))) {
                const parts = known(() => TABLE.parts(r.props));
                if (parts === UNKNOWN) {
                    undecided++;
                    continue;
                }
                if (parts.every((p) => p.key !== undefined)) continue; // its own key, or nothing to judge
                const where = known(() => bigQueryDatasetOf(r.props));
                if (where === UNKNOWN || where.datasetId === undefined) {
                    if (where === UNKNOWN) undecided++;
                    continue;
                }
                const { datasetId, project } = where;
                const candidates = datasets.filter((d) => mayMatch(d, datasetId, project) === true);
                if (candidates.some((d) => d.hasKey === true)) continue; // the dataset's default key applies
                if (candidates.some((d) => d.hasKey === UNKNOWN) || datasets.some((d) => mayMatch(d, datasetId, project) === UNKNOWN)) {
                    undecided++;
                    continue;
                }
                if (candidates.length === 0) continue; // its dataset is not in the stack
                reportViolation("This BigQuery table does not encrypt with a customer-managed Cloud KMS key: it names none, and its dataset has no default customer-managed key.", r.urn);
                reported++;
            }

            if (undecided > 0 && reported === 0) args.notApplicable("A BigQuery dataset's or table's key, or a table's dataset, is not known until the update.");
        },
    },
);
