import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-enable-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const DISABLED = { violations: [{ message: "This KMS key is disabled." }] };

test("an enabled aws.kms.Key (isEnabled true or unset) is compliant; isEnabled false is a violation", async () => {
    const type = "aws:kms/key:Key";
    expect(await checkResource(rule, { type, props: { description: "d", isEnabled: true } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type, props: { description: "d" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type, props: { description: "d", isEnabled: false } })).toEqual(DISABLED);
});

test.each(["aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"])(
    "%s: enabled true or unset is compliant, enabled false is a violation",
    async (type) => {
        expect(await checkResource(rule, { type, props: { description: "d", enabled: true } })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type, props: { description: "d" } })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type, props: { description: "d", enabled: false } })).toEqual(DISABLED);
    },
);

test("each key type is read through its own property name", async () => {
    expect(await checkResource(rule, { type: "aws:kms/key:Key", props: { enabled: false } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "aws:kms/externalKey:ExternalKey", props: { isEnabled: false } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:kms/alias:Alias", props: { enabled: false } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: "aws:kms/key:Key", props: { isEnabled: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no remediation: a key may have been disabled on purpose", async () => {
    expect(await remediate(rule, { type: "aws:kms/key:Key", props: { isEnabled: false } })).toBeUndefined();
});
