import { rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokey-require-deletion-protection";
import { runUnderMocks } from "../../sdk/preview/harness";
import { GcpKey } from "../../sdk/gcp/key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const RING = "gcp:kms/keyRing:KeyRing";
const key = { keyRing: "projects/acme-dev/locations/europe-west1/keyRings/payments", name: "card-data", rotationPeriod: "7776000s" };
const ring = { project: "acme-dev", location: "europe-west1", name: "payments" };
const KEY_MSG = "This Cloud KMS key is not protected from deletion (no protect or retainOnDelete option, deletionPolicy is not PREVENT or ABANDON).";

test("a protected key is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: key, protect: true })).toEqual({ violations: [] });
});

test("an unprotected key is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: key })).toEqual({ violations: [{ message: KEY_MSG }] });
});

test("key rings are not judged, protected or not: Cloud KMS cannot delete a key ring", async () => {
    expect(await checkResource(rule, { type: RING, props: ring })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: RING, props: ring, protect: true })).toEqual({ violations: [] });
});

test("deletionPolicy DELETE (the provider default) does not protect", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...key, deletionPolicy: "DELETE" } })).toEqual({ violations: [{ message: KEY_MSG }] });
});

test.each(["PREVENT", "ABANDON"])("deletionPolicy %s protects a key", async (deletionPolicy) => {
    expect(await checkResource(rule, { type: KEY, props: { ...key, deletionPolicy } })).toEqual({ violations: [] });
});

test("retainOnDelete counts where the engine reports it (the analyzer protocol of @pulumi/policy 1.21 does not)", async () => {
    expect(await checkResource(rule, { type: KEY, props: key, retainOnDelete: true })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:kms/cryptoKeyVersion:CryptoKeyVersion", props: { cryptoKey: "k" } })).toEqual({ violations: [] });
});

test("resource options are always known; an unknown deletionPolicy of an unprotected key makes the rule not run", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...key, deletionPolicy: UNKNOWN }, protect: true })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { ...key, deletionPolicy: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation (resource options cannot be set by a policy)", async () => {
    expect(await remediate(rule, { type: KEY, props: key })).toBeUndefined();
});

test("keyfabric's GcpKey protects its key unless protect is false (its key ring is not judged)", async () => {
    const run = await runUnderMocks(() => {
        new GcpKey("kept", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256" });
        new GcpKey("loose", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256", protect: false });
    });
    const results = await Promise.all(
        run.resources.filter((r) => r.type === KEY || r.type === RING).map(async (r) => [r.name, (await checkResource(rule, { type: r.type, props: r.inputs, protect: r.protect })).violations.length]),
    );
    expect(Object.fromEntries(results)).toEqual({ "kept-ring": 0, "kept-key": 0, "loose-ring": 0, "loose-key": 1 });
});
