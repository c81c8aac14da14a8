/**
 * Results of the provider functions (invokes) key programs use, computed offline for `keyfabric preview`.
 *
 * `offlineInvoke(token, inputs, ctx)` answers with:
 * - `{ kind: "local" }` for functions the provider computes without a cloud call, computed as the provider does
 *   (byte for byte where the result is a document: `aws:iam/getPolicyDocument` json/minifiedJson/id,
 *   `gcp:organizations/getIAMPolicy` policyData/id);
 * - `{ kind: "assumed" }` for functions that read a cloud: a plausible result and one sentence naming every value
 *   assumed (the harness records it; `--assume` supplies the real values);
 * - `undefined` for functions not modelled.
 *
 * Inputs are what the Pulumi SDK sends the engine (Pulumi property names, plain JSON values; invokes with unknown
 * inputs never reach here). A provider error (a duplicate Sid, an invalid effect, a bad ARN...) is thrown as an
 * `Error` with the provider's message, as the real invoke would fail.
 */
import { getArn, getPartition, getRegion, providerRegion } from "./aws-local";
import { POLICY_DOCUMENT_TOKEN, policyDocument } from "./aws-policy-document";
import { CALLER_IDENTITY_TOKEN, IAM_ROLE_TOKEN, KMS_ALIAS_TOKEN, KMS_KEY_TOKEN, callerIdentity, iamRole, kmsAlias, kmsKey } from "./aws-reads";
import {
    CLASSIC_CLIENT_CONFIG_TOKEN,
    CLASSIC_KEY_VAULT_TOKEN,
    CLASSIC_SUBSCRIPTION_TOKEN,
    NATIVE_CLIENT_CONFIG_TOKEN,
    NATIVE_MANAGED_HSM_TOKEN,
    NATIVE_ROLE_DEFINITION_TOKEN,
    NATIVE_VAULT_TOKEN,
    classicClientConfig,
    classicKeyVault,
    classicSubscription,
    nativeClientConfig,
    nativeManagedHsm,
    nativeRoleDefinition,
    nativeVault,
} from "./azure-reads";
import { IAM_POLICY_TOKEN, iamPolicy } from "./gcp-iam-policy";
import { CLIENT_CONFIG_TOKEN, CRYPTO_KEY_TOKEN, KEY_RING_TOKEN, PROJECT_TOKEN, clientConfig, cryptoKey, keyRing, project } from "./gcp-reads";
import { InvokeContext, InvokeOutcome, assumed, inputString, local } from "./types";

export type { InvokeContext, InvokeOutcome } from "./types";

export const PARTITION_TOKEN = "aws:index/getPartition:getPartition";
export const REGION_TOKEN = "aws:index/getRegion:getRegion";
export const ARN_TOKEN = "aws:index/getArn:getArn";

/** A local AWS function that depends on the provider's region: assumed (us-east-1) when `aws:region` is not set. */
function regional(token: string, ctx: InvokeContext, compute: (region: string) => Record<string, unknown>, needsRegion = true): InvokeOutcome {
    const { region, assumed: regionAssumed } = providerRegion((k) => ctx.config(k));
    const result = compute(region);
    if (!needsRegion || !regionAssumed) return local(result);
    const partition = typeof result.partition === "string" ? result.partition : typeof result.id === "string" ? result.id : "";
    return assumed(token, result, `region ${region}${token === PARTITION_TOKEN ? ` (partition ${partition})` : ""} assumed because aws:region is not set`);
}

type Handler = (inputs: Record<string, unknown>, ctx: InvokeContext) => InvokeOutcome;

const HANDLERS: Readonly<Record<string, Handler>> = {
    // Computed locally by the providers.
    [POLICY_DOCUMENT_TOKEN]: (inputs) => local(policyDocument(inputs)),
    [IAM_POLICY_TOKEN]: (inputs) => local(iamPolicy(inputs)),
    [ARN_TOKEN]: (inputs) => local(getArn(inputs)),
    [PARTITION_TOKEN]: (_inputs, ctx) => regional(PARTITION_TOKEN, ctx, getPartition),
    [REGION_TOKEN]: (inputs, ctx) => regional(REGION_TOKEN, ctx, (r) => getRegion(inputs, r), !inputString(inputs, "region") && !inputString(inputs, "name") && !inputString(inputs, "endpoint")),
    // Cloud reads.
    [CALLER_IDENTITY_TOKEN]: (_inputs, ctx) => callerIdentity(ctx),
    [KMS_KEY_TOKEN]: kmsKey,
    [KMS_ALIAS_TOKEN]: kmsAlias,
    [IAM_ROLE_TOKEN]: iamRole,
    [CLIENT_CONFIG_TOKEN]: (_inputs, ctx) => clientConfig(ctx),
    [PROJECT_TOKEN]: project,
    [KEY_RING_TOKEN]: keyRing,
    [CRYPTO_KEY_TOKEN]: (inputs) => cryptoKey(inputs),
    [NATIVE_CLIENT_CONFIG_TOKEN]: (_inputs, ctx) => nativeClientConfig(ctx),
    [NATIVE_VAULT_TOKEN]: nativeVault,
    [NATIVE_MANAGED_HSM_TOKEN]: nativeManagedHsm,
    [NATIVE_ROLE_DEFINITION_TOKEN]: (inputs) => nativeRoleDefinition(inputs),
    [CLASSIC_CLIENT_CONFIG_TOKEN]: (_inputs, ctx) => classicClientConfig(ctx),
    [CLASSIC_SUBSCRIPTION_TOKEN]: classicSubscription,
    [CLASSIC_KEY_VAULT_TOKEN]: classicKeyVault,
};

/** Tokens computed exactly as the provider does (when the config they depend on is set). */
export const LOCAL_TOKENS: readonly string[] = [POLICY_DOCUMENT_TOKEN, IAM_POLICY_TOKEN, ARN_TOKEN, PARTITION_TOKEN, REGION_TOKEN];

/** Every token `offlineInvoke` answers. */
export const MODELLED_TOKENS: readonly string[] = Object.keys(HANDLERS);

export function offlineInvoke(token: string, inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome | undefined {
    const handler = Object.prototype.hasOwnProperty.call(HANDLERS, token) ? HANDLERS[token] : undefined;
    return handler ? handler(inputs ?? {}, ctx) : undefined;
}
