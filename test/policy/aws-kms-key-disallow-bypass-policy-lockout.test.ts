import { rule } from "../../policy-packs/key-management/rules/aws-kms-key-disallow-bypass-policy-lockout";
import { checkResource, remediate, UNKNOWN } from "./harness";

const KEY = "aws:kms/key:Key";
const compliant = { description: "app data", policy: "{}", bypassPolicyLockoutSafetyCheck: false };
const BYPASS = { violations: [{ message: "This key policy bypasses the policy lockout safety check." }] };

test.each(["aws:kms/key:Key", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey", "aws:kms/keyPolicy:KeyPolicy"])(
    "%s: the check on (or unset) is compliant, bypassing it is a violation",
    async (type) => {
        expect(await checkResource(rule, { type, props: compliant })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type, props: { policy: "{}" } })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type, props: { ...compliant, bypassPolicyLockoutSafetyCheck: true } })).toEqual(BYPASS);
    },
);

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:iam/policy:Policy", props: { bypassPolicyLockoutSafetyCheck: true } })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: KEY, props: { ...compliant, bypassPolicyLockoutSafetyCheck: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("mandatory and high by default", () => {
    expect([rule.enforcementLevel, rule.severity]).toEqual(["mandatory", "high"]);
});

test("remediation turns the safety check back on and changes nothing else", async () => {
    expect(await remediate(rule, { type: KEY, props: { ...compliant, bypassPolicyLockoutSafetyCheck: true } })).toEqual(compliant);
    expect(await remediate(rule, { type: "aws:kms/keyPolicy:KeyPolicy", props: { keyId: "k", policy: "{}", bypassPolicyLockoutSafetyCheck: true } })).toEqual({
        keyId: "k",
        policy: "{}",
        bypassPolicyLockoutSafetyCheck: false,
    });
    expect(await remediate(rule, { type: KEY, props: compliant })).toBeUndefined();
});
