import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { GCP_CONSUMERS } from "../../policy-packs/key-management/lib/consumers-gcp";
import { rule } from "../../policy-packs/key-management/rules/gcp-secretmanager-secret-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const SECRET = "gcp:secretmanager/secret:Secret";
const REGIONAL = "gcp:secretmanager/regionalSecret:RegionalSecret";
const GLOBAL_KEY = "projects/acme-prod/locations/global/keyRings/secrets/cryptoKeys/secret-manager";
const EW1_KEY = "projects/acme-prod/locations/europe-west1/keyRings/secrets/cryptoKeys/secret-manager";
const EW4_KEY = "projects/acme-prod/locations/europe-west4/keyRings/secrets/cryptoKeys/secret-manager";

const auto = { secretId: "db-password", replication: { auto: { customerManagedEncryption: { kmsKeyName: GLOBAL_KEY } } } };
const userManaged = {
    secretId: "api-token",
    replication: {
        userManaged: {
            replicas: [
                { location: "europe-west1", customerManagedEncryption: { kmsKeyName: EW1_KEY } },
                { location: "europe-west4", customerManagedEncryption: { kmsKeyName: EW4_KEY } },
            ],
        },
    },
};
const regional = { secretId: "db-password", location: "europe-west1", customerManagedEncryption: { kmsKeyName: EW1_KEY } };

const msg = (label: string, part?: string) => ({ message: `This ${label} does not encrypt ${part ? `${part} ` : ""}with a customer-managed Cloud KMS key.` });

test("secrets with automatic or user-managed replication under Cloud KMS keys, and regional secrets with one, are compliant", async () => {
    expect(await checkResource(rule, { type: SECRET, props: auto })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: SECRET, props: userManaged })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: REGIONAL, props: regional })).toEqual({ violations: [] });
});

test("automatic replication without a key is a violation", async () => {
    expect(await checkResource(rule, { type: SECRET, props: { secretId: "s", replication: { auto: {} } } })).toEqual({ violations: [msg("Secret Manager secret")] });
    expect(await checkResource(rule, { type: SECRET, props: { secretId: "s", replication: { auto: { customerManagedEncryption: { kmsKeyName: "" } } } } })).toEqual({
        violations: [msg("Secret Manager secret")],
    });
});

test("every user-managed replica needs a key: each replica without one is a violation", async () => {
    const [first, second] = userManaged.replication.userManaged.replicas;
    const oneMissing = { ...userManaged, replication: { userManaged: { replicas: [first, { location: second.location }] } } };
    expect(await checkResource(rule, { type: SECRET, props: oneMissing })).toEqual({ violations: [msg("Secret Manager secret", "replica 2")] });
    const noneKeyed = { ...userManaged, replication: { userManaged: { replicas: [{ location: "europe-west1" }, { location: "europe-west4", customerManagedEncryption: {} }] } } };
    expect(await checkResource(rule, { type: SECRET, props: noneKeyed })).toEqual({
        violations: [msg("Secret Manager secret", "replica 1"), msg("Secret Manager secret", "replica 2")],
    });
});

test("a secret without replication settings uses Google-managed encryption: a violation", async () => {
    expect(await checkResource(rule, { type: SECRET, props: { secretId: "s" } })).toEqual({ violations: [msg("Secret Manager secret")] });
});

test("a regional secret without customerManagedEncryption is a violation", async () => {
    expect(await checkResource(rule, { type: REGIONAL, props: { secretId: "s", location: "europe-west1" } })).toEqual({ violations: [msg("Secret Manager regional secret")] });
});

test("state shape: the replication mode not used is null", async () => {
    const stateAuto = { ...auto, name: "projects/123/secrets/db-password", replication: { auto: auto.replication.auto, userManaged: null } };
    const stateUser = { ...userManaged, name: "projects/123/secrets/api-token", replication: { auto: null, userManaged: userManaged.replication.userManaged } };
    expect(await checkResource(rule, { type: SECRET, props: stateAuto })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: SECRET, props: stateUser })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: SECRET, props: { ...stateAuto, replication: { auto: { customerManagedEncryption: null }, userManaged: null } } })).toEqual({
        violations: [msg("Secret Manager secret")],
    });
    expect(consumerFor([GCP_CONSUMERS], SECRET)!.keyRefs(stateUser)).toEqual([EW1_KEY, EW4_KEY]);
    expect(consumerFor([GCP_CONSUMERS], REGIONAL)!.keyRefs(regional)).toEqual([EW1_KEY]);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:secretmanager/secretVersion:SecretVersion", props: { secret: "s", secretData: "x" } })).toEqual({ violations: [] });
});

test("a key unknown at preview (a crypto key created in the same update) makes the rule not run, never a false violation", async () => {
    const [first, second] = userManaged.replication.userManaged.replicas;
    const unknownReplicaKey = { ...userManaged, replication: { userManaged: { replicas: [first, { ...second, customerManagedEncryption: { kmsKeyName: UNKNOWN } }] } } };
    expect(await checkResource(rule, { type: SECRET, props: unknownReplicaKey })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: SECRET, props: { secretId: "s", replication: { auto: { customerManagedEncryption: { kmsKeyName: UNKNOWN } } } } })).toEqual({
        violations: [],
        unknown: true,
    });
    expect(await checkResource(rule, { type: REGIONAL, props: { ...regional, customerManagedEncryption: { kmsKeyName: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the keys", async () => {
    expect(await remediate(rule, { type: SECRET, props: { secretId: "s" } })).toBeUndefined();
});
