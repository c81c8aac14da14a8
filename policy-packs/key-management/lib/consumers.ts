/**
 * Key consumers: the data services that encrypt with a key, and how each names the customer-managed key it uses.
 *
 * One table per cloud (`consumers-aws.ts`, `consumers-gcp.ts`, `consumers-azure.ts`), one entry per resource type
 * (both Azure providers where both exist). The per-service "require customer-managed key" rules read their entry;
 * the cross-cloud classification rule (`keyfabric-hierarchy-enforce-key-classification`) reads them all to find
 * which key each consumer uses. A value unknown at preview is left to the policy SDK's proxy: reading it throws its
 * UnknownValueError, so the rule reports "can't run" instead of guessing; never catch it.
 */
export interface KeyConsumer {
    /** Pulumi type tokens, e.g. `aws:sqs/queue:Queue`, or both `azure-native:storage:StorageAccount` and `azure:storage/account:Account`. */
    readonly types: readonly string[];
    /** What it is, for messages: "SQS queue". */
    readonly label: string;
    /**
     * The customer-managed keys this resource's props name: AWS key ARNs, key ids or `alias/...` names (never the
     * AWS managed `alias/aws/*` keys), GCP `projects/.../cryptoKeys/...` ids, Azure key ids / URIs. `[]` when it uses
     * no customer-managed key (unencrypted, or provider- / Microsoft-managed keys).
     */
    keyRefs(props: any): string[];
}

/** The consumer entry for a type, from the tables given (each cloud's table is an array of `KeyConsumer`). */
export function consumerFor(tables: readonly (readonly KeyConsumer[])[], type: string): KeyConsumer | undefined {
    for (const table of tables) for (const c of table) if (c.types.includes(type)) return c;
    return undefined;
}
