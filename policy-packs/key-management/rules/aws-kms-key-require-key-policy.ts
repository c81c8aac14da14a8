import type { PolicyResource } from "@pulumi/policy";
import { policyDocument } from "../lib/props";
import { stackRule } from "../lib/rule";
import { AWS, KMS_KEY_TYPES, read } from "../lib/aws";

/** The `Id` AWS gives the default key policy it attaches when none is given (seen on state, never in a program). */
const AWS_DEFAULT_POLICY_ID = "key-default-1";

/** The key's own `policy` is explicit: a non-empty document that is not AWS's default policy read back into state. */
function explicitPolicy(policy: unknown): boolean {
    if (policy === undefined || policy === null) return false;
    if (typeof policy === "string" && policy.trim() === "") return false;
    const doc = policyDocument(policy);
    const id = doc ? read(doc, "Id") : undefined;
    return !(id?.known && id.value === AWS_DEFAULT_POLICY_ID);
}

const knownString = (props: Record<string, any>, name: string): string | undefined => {
    const r = read(props, name);
    return r.known && typeof r.value === "string" && r.value !== "" ? r.value : undefined;
};

/**
 * Catalogue row 4. A stack rule, not a resource rule: a key's policy may come from a separate aws.kms.KeyPolicy,
 * which only a view of the whole stack can see. The KeyPolicy is matched to its key by the `keyId` property
 * dependency (preview and update) or by its `keyId` value against the key's id or ARN (state).
 */
export const rule = stackRule(
    {
        name: "aws-kms-key-require-key-policy",
        description:
            "AWS KMS keys must have an explicitly defined key policy, on the key or in an aws.kms.KeyPolicy of the same stack, rather than the AWS default policy.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV2_AWS_64 Ensure KMS key Policy is defined" },
            { name: "PCI DSS", version: "4.0", reference: "7.2.1 An access control model is defined" },
        ],
        remediation:
            "Give the key a policy (the policy input of aws.kms.Key, ExternalKey, ReplicaKey or ReplicaExternalKey) or manage it with an aws.kms.KeyPolicy in the same stack, naming its administrators and users explicitly.",
        catalogueRows: [4],
        resourceTypes: [...KMS_KEY_TYPES, AWS.keyPolicy],
    },
    {
        validateStack: (args, reportViolation) => {
            const keys = args.resources.filter((r) => KMS_KEY_TYPES.includes(r.type));
            if (keys.length === 0) return;
            const byDependency = new Set<PolicyResource>();
            const byId = new Set<string>();
            let unresolved = false;
            for (const p of args.resources.filter((r) => r.type === AWS.keyPolicy)) {
                const deps = p.propertyDependencies?.keyId ?? [];
                deps.forEach((d) => byDependency.add(d));
                const id = read(p.props, "keyId");
                if (id.known && typeof id.value === "string" && id.value !== "") byId.add(id.value);
                else if (deps.length === 0) unresolved = true; // targets a key we cannot identify: never guess a violation
            }
            for (const key of keys) {
                const policy = read(key.props, "policy");
                if (!policy.known) continue; // set from values unknown at preview: explicitly defined
                if (explicitPolicy(policy.value)) continue;
                if (byDependency.has(key)) continue;
                const ids = ["keyId", "arn", "id"].map((n) => knownString(key.props, n)).filter((v): v is string => v !== undefined);
                if (ids.some((id) => byId.has(id) || [...byId].some((t) => t.endsWith(`/${id}`)))) continue;
                if (unresolved) continue;
                reportViolation("This KMS key has no explicit key policy, so AWS applies its default policy that delegates all access to IAM.", key.urn);
            }
        },
    },
);
