import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { GCP_CONSUMERS } from "../../policy-packs/key-management/lib/consumers-gcp";
import { rule } from "../../policy-packs/key-management/rules/gcp-sql-databaseinstance-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";
const KEY = "projects/acme-prod/locations/europe-west1/keyRings/payments/cryptoKeys/cloudsql";
const compliant = {
    name: "ledger",
    databaseVersion: "POSTGRES_16",
    region: "europe-west1",
    encryptionKeyName: KEY,
    settings: { tier: "db-custom-2-7680", ipConfiguration: { ipv4Enabled: false } },
    deletionProtection: true,
};
const NOT_CMEK = { violations: [{ message: "This Cloud SQL instance does not encrypt with a customer-managed Cloud KMS key." }] };

test("an instance with a Cloud KMS key is compliant", async () => {
    expect(await checkResource(rule, { type: INSTANCE, props: compliant })).toEqual({ violations: [] });
});

test("an instance without encryptionKeyName is a violation", async () => {
    const { encryptionKeyName, ...props } = compliant;
    void encryptionKeyName;
    expect(await checkResource(rule, { type: INSTANCE, props })).toEqual(NOT_CMEK);
    expect(await checkResource(rule, { type: INSTANCE, props: { ...compliant, encryptionKeyName: " " } })).toEqual(NOT_CMEK);
});

test("a read replica needs its own key too", async () => {
    const replica = { ...compliant, name: "ledger-replica", masterInstanceName: "ledger", encryptionKeyName: undefined, replicaConfiguration: { failoverTarget: false } };
    expect(await checkResource(rule, { type: INSTANCE, props: replica })).toEqual(NOT_CMEK);
    expect(await checkResource(rule, { type: INSTANCE, props: { ...replica, encryptionKeyName: KEY } })).toEqual({ violations: [] });
});

test("state shape: Google-managed instances record an empty encryptionKeyName", async () => {
    const state = { ...compliant, connectionName: "acme-prod:europe-west1:ledger", selfLink: "https://sqladmin.googleapis.com/sql/v1beta4/projects/acme-prod/instances/ledger" };
    expect(await checkResource(rule, { type: INSTANCE, props: state })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: INSTANCE, props: { ...state, encryptionKeyName: "" } })).toEqual(NOT_CMEK);
    expect(consumerFor([GCP_CONSUMERS], INSTANCE)!.keyRefs(state)).toEqual([KEY]);
    expect(consumerFor([GCP_CONSUMERS], INSTANCE)!.keyRefs({ ...state, encryptionKeyName: "" })).toEqual([]);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:sql/database:Database", props: { name: "app", instance: "ledger" } })).toEqual({ violations: [] });
});

test("a key unknown at preview (a crypto key created in the same update) makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: INSTANCE, props: { ...compliant, encryptionKeyName: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the key", async () => {
    expect(await remediate(rule, { type: INSTANCE, props: { name: "i" } })).toBeUndefined();
});
