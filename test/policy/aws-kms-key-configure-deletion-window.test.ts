import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-configure-deletion-window";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const compliant = { description: "app data", deletionWindowInDays: 30 };
/** The message names the window and the configured minimum. */
const SHORT = (days: number, min = 30) => ({ violations: [{ message: `The deletion waiting period of this KMS key is ${days} days; at least ${min} days required.` }] });

test.each(["aws:kms/key:Key", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"])(
    "%s: a 30-day window is compliant, a 7-day window is a violation",
    async (type) => {
        expect(await checkResource(rule, { type, props: compliant })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type, props: { ...compliant, deletionWindowInDays: 7 } })).toEqual(SHORT(7));
    },
);

test("an unset window is AWS's 30 days: compliant", async () => {
    expect(await checkResource(rule, { type: KEY, props: { description: "app data" } })).toEqual({ violations: [] });
});

test("a custom minimum is honoured at its boundary", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, deletionWindowInDays: 14 } }, { minDeletionWindowDays: 14 })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, deletionWindowInDays: 13 } }, { minDeletionWindowDays: 14 })).toEqual(SHORT(13, 14));
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, deletionWindowInDays: 7 } }, { minDeletionWindowDays: 7 })).toEqual({ violations: [] });
});

test("the config schema has the default and AWS's bounds", () => {
    expect(rule.configSchema?.properties.minDeletionWindowDays).toMatchObject({ type: "integer", default: 30, minimum: 7, maximum: 30 });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:kms/grant:Grant", props: { deletionWindowInDays: 7 } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, deletionWindowInDays: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("remediation lengthens the window to the minimum and changes nothing else", async () => {
    expect(await remediate(rule, { type: KEY, props: { ...compliant, deletionWindowInDays: 7 } })).toEqual(compliant);
    expect(await remediate(rule, { type: "aws:kms/replicaKey:ReplicaKey", props: { ...compliant, deletionWindowInDays: 7 } }, { minDeletionWindowDays: 10 })).toEqual({
        ...compliant,
        deletionWindowInDays: 10,
    });
    expect(await remediate(rule, { type: KEY, props: compliant })).toBeUndefined();
    expect(await remediate(rule, { type: KEY, props: { description: "app data" } })).toBeUndefined();
});
