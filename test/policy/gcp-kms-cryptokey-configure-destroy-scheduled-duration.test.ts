import { rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokey-configure-destroy-scheduled-duration";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const compliant = {
    keyRing: "projects/acme-dev/locations/europe-west1/keyRings/payments",
    name: "card-data",
    purpose: "ENCRYPT_DECRYPT",
    rotationPeriod: "7776000s",
    destroyScheduledDuration: "2592000s",
};

test("a 30-day destroy-scheduled duration is compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: compliant })).toEqual({ violations: [] });
});

test("a duration shorter than the minimum is a violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, destroyScheduledDuration: "86400s" } })).toEqual({
        violations: [{ message: "This Cloud KMS key keeps destroyed versions for 1 day; at least 30 days required." }],
    });
});

test("a duration that is not a duration is a violation, without echoing it", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, destroyScheduledDuration: "soon" } })).toEqual({
        violations: [{ message: 'The destroy-scheduled duration of this Cloud KMS key is not a duration in seconds (such as "2592000s").' }],
    });
});

test("without a duration, Cloud KMS's 30 days apply: compliant at the default minimum", async () => {
    const { destroyScheduledDuration, ...props } = compliant;
    void destroyScheduledDuration;
    expect(await checkResource(rule, { type: KEY, props })).toEqual({ violations: [] });
});

test("without a duration, a minimum above 30 days is not met", async () => {
    const { destroyScheduledDuration, ...props } = compliant;
    void destroyScheduledDuration;
    expect(await checkResource(rule, { type: KEY, props }, { minDestroyScheduledDays: 60 })).toEqual({
        violations: [{ message: "This Cloud KMS key keeps destroyed versions for 30 days (Cloud KMS's default without destroyScheduledDuration); at least 60 days required." }],
    });
});

describe("minDestroyScheduledDays", () => {
    test("declares its default and bounds (1-120, what Cloud KMS accepts)", () => {
        expect(rule.configSchema?.properties.minDestroyScheduledDays).toMatchObject({ type: "integer", default: 30, minimum: 1, maximum: 120 });
    });
    test("at the lower bound, a one-day duration passes", async () => {
        expect(await checkResource(rule, { type: KEY, props: { ...compliant, destroyScheduledDuration: "86400s" } }, { minDestroyScheduledDays: 1 })).toEqual({ violations: [] });
    });
    test("at the upper bound, only 120 days pass", async () => {
        expect(await checkResource(rule, { type: KEY, props: { ...compliant, destroyScheduledDuration: `${120 * 86400}s` } }, { minDestroyScheduledDays: 120 })).toEqual({ violations: [] });
        expect((await checkResource(rule, { type: KEY, props: { ...compliant, destroyScheduledDuration: `${119 * 86400}s` } }, { minDestroyScheduledDays: 120 })).violations).toHaveLength(1);
    });
});

test("applies to every purpose, including asymmetric and import-only keys", async () => {
    for (const extra of [{ purpose: "ASYMMETRIC_SIGN" }, { importOnly: true, skipInitialVersionCreation: true }, { purpose: "MAC" }]) {
        expect((await checkResource(rule, { type: KEY, props: { ...compliant, ...extra, destroyScheduledDuration: "86400s" } })).violations).toHaveLength(1);
    }
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:kms/cryptoKeyVersion:CryptoKeyVersion", props: { cryptoKey: "k" } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, destroyScheduledDuration: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the duration is fixed at creation, so changing it would replace the key", async () => {
    expect(rule.remediateResource).toBeUndefined();
    expect(await remediate(rule, { type: KEY, props: { ...compliant, destroyScheduledDuration: "86400s" } })).toBeUndefined();
});
