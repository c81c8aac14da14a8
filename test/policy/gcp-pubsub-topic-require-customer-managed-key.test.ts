import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { GCP_CONSUMERS } from "../../policy-packs/key-management/lib/consumers-gcp";
import { rule } from "../../policy-packs/key-management/rules/gcp-pubsub-topic-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const TOPIC = "gcp:pubsub/topic:Topic";
const KEY = "projects/acme-prod/locations/europe-west1/keyRings/payments/cryptoKeys/pubsub";
const compliant = { name: "payment-events", kmsKeyName: KEY, messageRetentionDuration: "86600s", messageStoragePolicy: { allowedPersistenceRegions: ["europe-west1"] } };
const NOT_CMEK = { violations: [{ message: "This Pub/Sub topic does not encrypt with a customer-managed Cloud KMS key." }] };

test("a topic with a Cloud KMS key is compliant", async () => {
    expect(await checkResource(rule, { type: TOPIC, props: compliant })).toEqual({ violations: [] });
});

test("a topic without kmsKeyName is a violation", async () => {
    const { kmsKeyName, ...props } = compliant;
    void kmsKeyName;
    expect(await checkResource(rule, { type: TOPIC, props })).toEqual(NOT_CMEK);
    expect(await checkResource(rule, { type: TOPIC, props: { ...compliant, kmsKeyName: "" } })).toEqual(NOT_CMEK);
});

test("state shape: the same kmsKeyName, with the provider's computed outputs", async () => {
    const state = { ...compliant, id: "projects/acme-prod/topics/payment-events", project: "acme-prod", effectiveLabels: {}, pulumiLabels: {} };
    expect(await checkResource(rule, { type: TOPIC, props: state })).toEqual({ violations: [] });
    expect(consumerFor([GCP_CONSUMERS], TOPIC)!.keyRefs(state)).toEqual([KEY]);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:pubsub/subscription:Subscription", props: { name: "s", topic: "payment-events" } })).toEqual({ violations: [] });
});

test("a key unknown at preview (a crypto key created in the same update) makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: TOPIC, props: { ...compliant, kmsKeyName: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the key", async () => {
    expect(await remediate(rule, { type: TOPIC, props: { name: "t" } })).toBeUndefined();
});
