/**
 * Key policies (GetKeyPolicy, PutKeyPolicy, ListKeyPolicies) and the policy checks CreateKey shares: size, JSON
 * with a Statement, and the policy lockout safety check.
 */
import { kmsError } from "../errors";
import type { Input } from "../input";
import { partitionOf, type KmsModel } from "../model";
import { paginate, type Operations } from "./types";

const MAX_POLICY_BYTES = 32 * 1024;

export function defaultPolicy(model: KmsModel, region: string): string {
    return JSON.stringify(
        {
            Version: "2012-10-17",
            Id: "key-default-1",
            Statement: [
                {
                    Sid: "Enable IAM User Permissions",
                    Effect: "Allow",
                    Principal: { AWS: `arn:${partitionOf(region)}:iam::${model.state.accountId}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
            ],
        },
        null,
        2,
    );
}

type Statement = { Effect?: unknown; Principal?: unknown; Action?: unknown; NotAction?: unknown; Condition?: unknown };

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * The policy lockout safety check (CreateKey and PutKeyPolicy without BypassPolicyLockoutSafetyCheck): the policy
 * must let a principal of this account call PutKeyPolicy again. AWS checks the calling principal; the emulator does
 * not authenticate callers, so any principal of the account counts (its root, the account id, a role or user ARN of
 * the account, or `*`), through an unconditional Allow of `kms:PutKeyPolicy`, `kms:*` or `*`.
 */
function allowsPolicyUpdates(statements: Statement[], accountId: string, region: string): boolean {
    const ofAccount = (p: unknown) =>
        p === "*" || p === accountId || (typeof p === "string" && p.startsWith(`arn:${partitionOf(region)}:iam::${accountId}:`));
    return statements.some((s) => {
        if (s.Effect !== "Allow" || s.Condition !== undefined || s.NotAction !== undefined) return false;
        const actions = list(s.Action).map((a) => String(a).toLowerCase());
        if (!actions.some((a) => a === "*" || a === "kms:*" || a === "kms:putkeypolicy")) return false;
        const principals = s.Principal === "*" ? ["*"] : list((s.Principal as { AWS?: unknown } | undefined)?.AWS);
        return principals.some(ofAccount);
    });
}

export function checkPolicy(model: KmsModel, region: string, policy: string, bypassLockoutCheck: boolean): string {
    if (Buffer.byteLength(policy, "utf8") > MAX_POLICY_BYTES) throw kmsError("LimitExceededException", `The key policy exceeds ${MAX_POLICY_BYTES} bytes.`);
    let parsed: unknown;
    try {
        parsed = JSON.parse(policy);
    } catch {
        throw kmsError("MalformedPolicyDocumentException", "The new key policy is not valid JSON.");
    }
    const statement = (parsed as { Statement?: unknown } | null)?.Statement;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || !statement || typeof statement !== "object") {
        throw kmsError("MalformedPolicyDocumentException", "The new key policy must be a JSON object with a Statement.");
    }
    if (!bypassLockoutCheck && !allowsPolicyUpdates(list(statement) as Statement[], model.state.accountId, region)) {
        throw kmsError("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.");
    }
    return policy;
}

function policyName(input: Input): string {
    const name = input.str("PolicyName", { min: 1, max: 128 }) ?? "default";
    if (name !== "default") throw kmsError("NotFoundException", `Policy ${name} does not exist: the only key policy name is "default".`);
    return name;
}

export const policyOperations: Operations = {
    GetKeyPolicy: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        return { Policy: key.policy, PolicyName: policyName(input) };
    },
    PutKeyPolicy: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        policyName(input);
        const policy = input.reqStr("Policy", { max: 131072 });
        key.policy = checkPolicy(m, ctx.region, policy, input.bool("BypassPolicyLockoutSafetyCheck") ?? false);
        return {};
    },
    ListKeyPolicies: (m, ctx, input) => {
        m.key(ctx, input.reqStr("KeyId"), false);
        const page = paginate(["default"], input, 1000, 100);
        return { PolicyNames: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
    },
};
