import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { GCP_CONSUMERS } from "../../policy-packs/key-management/lib/consumers-gcp";
import { rule } from "../../policy-packs/key-management/rules/gcp-container-cluster-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const CLUSTER = "gcp:container/cluster:Cluster";
const KEY = "projects/acme-prod/locations/europe-west1/keyRings/gke/cryptoKeys/etcd-secrets";
const compliant = {
    name: "payments",
    location: "europe-west1",
    enableAutopilot: true,
    databaseEncryption: { state: "ENCRYPTED", keyName: KEY },
    deletionProtection: true,
};
const NOT_CMEK = { violations: [{ message: "This GKE cluster does not encrypt Kubernetes Secrets with a customer-managed Cloud KMS key." }] };

test("a cluster with application-layer secrets encryption under a Cloud KMS key is compliant", async () => {
    expect(await checkResource(rule, { type: CLUSTER, props: compliant })).toEqual({ violations: [] });
});

test("a cluster without databaseEncryption is a violation", async () => {
    const { databaseEncryption, ...props } = compliant;
    void databaseEncryption;
    expect(await checkResource(rule, { type: CLUSTER, props })).toEqual(NOT_CMEK);
});

test("a DECRYPTED cluster is a violation, even with a key named", async () => {
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, databaseEncryption: { state: "DECRYPTED", keyName: KEY } } })).toEqual(NOT_CMEK);
    expect(consumerFor([GCP_CONSUMERS], CLUSTER)!.keyRefs({ ...compliant, databaseEncryption: { state: "DECRYPTED", keyName: KEY } })).toEqual([]);
});

test("ENCRYPTED without a key is a violation", async () => {
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, databaseEncryption: { state: "ENCRYPTED" } } })).toEqual(NOT_CMEK);
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, databaseEncryption: { state: "ENCRYPTED", keyName: "" } } })).toEqual(NOT_CMEK);
});

test("state shape: a cluster without the feature records state DECRYPTED and an empty keyName", async () => {
    const state = { ...compliant, endpoint: "34.0.0.1", selfLink: "https://container.googleapis.com/v1/projects/acme-prod/locations/europe-west1/clusters/payments" };
    expect(await checkResource(rule, { type: CLUSTER, props: state })).toEqual({ violations: [] });
    expect(consumerFor([GCP_CONSUMERS], CLUSTER)!.keyRefs(state)).toEqual([KEY]);
    expect(await checkResource(rule, { type: CLUSTER, props: { ...state, databaseEncryption: { state: "DECRYPTED", keyName: "" } } })).toEqual(NOT_CMEK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:container/nodePool:NodePool", props: { cluster: "payments", nodeCount: 1 } })).toEqual({ violations: [] });
});

test("unknown at preview makes the rule not run, never a false violation; a DECRYPTED cluster's key is not read", async () => {
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, databaseEncryption: { state: "ENCRYPTED", keyName: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, databaseEncryption: { state: UNKNOWN, keyName: KEY } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, databaseEncryption: { state: "DECRYPTED", keyName: UNKNOWN } } })).toEqual(NOT_CMEK);
});

test("no automatic remediation: the rule cannot choose the key", async () => {
    expect(await remediate(rule, { type: CLUSTER, props: { name: "c" } })).toBeUndefined();
});
