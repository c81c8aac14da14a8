import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-require-description";
import { checkResource, remediate, UNKNOWN } from "./harness";

const MISSING = { violations: [{ message: "This KMS key has no description." }] };

test.each(["aws:kms/key:Key", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"])(
    "%s: a description is compliant; none, empty or blank is a violation",
    async (type) => {
        expect(await checkResource(rule, { type, props: { description: "payments data key (team payments)" } })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type, props: {} })).toEqual(MISSING);
        expect(await checkResource(rule, { type, props: { description: "" } })).toEqual(MISSING);
        expect(await checkResource(rule, { type, props: { description: "   " } })).toEqual(MISSING);
    },
);

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:kms/grant:Grant", props: {} })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: "aws:kms/key:Key", props: { description: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("advisory and low; no remediation (only a person can describe a key)", async () => {
    expect([rule.enforcementLevel, rule.severity]).toEqual(["advisory", "low"]);
    expect(await remediate(rule, { type: "aws:kms/key:Key", props: {} })).toBeUndefined();
});
