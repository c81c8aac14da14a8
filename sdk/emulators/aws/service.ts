/**
 * The AWS KMS emulator's routing: `TrentService.<Operation>` → its handler, one file per operation group in
 * `./ops/` (the protocol side: reading requests with `Input`, shaping answers, AWS's errors), over the state model
 * of `./model.ts` (keys, materials, aliases, grants; the state machines, no HTTP), as moto separates `responses`
 * from `models`.
 */
import type { AsyncStates, Clock } from "../common";
import type { Input } from "./input";
import { KmsModel, type RequestContext } from "./model";
import { aliasOperations } from "./ops/aliases";
import { asymmetricOperations } from "./ops/asymmetric";
import { cryptoOperations } from "./ops/crypto";
import { grantOperations } from "./ops/grants";
import { importOperations } from "./ops/import";
import { keyOperations } from "./ops/keys";
import { policyOperations } from "./ops/policies";
import { replicationOperations } from "./ops/replication";
import { rotationOperations } from "./ops/rotation";
import { tagOperations } from "./ops/tags";
import type { Json, Operations } from "./ops/types";
import type { AwsEmulatorState } from "./state";

export type { RequestContext } from "./model";
export type Handler = (ctx: RequestContext, input: Input) => Json | Promise<Json>;

const GROUPS: Operations[] = [
    keyOperations,
    aliasOperations,
    policyOperations,
    tagOperations,
    rotationOperations,
    importOperations,
    cryptoOperations,
    asymmetricOperations,
    grantOperations,
    replicationOperations,
];

const ALL: Operations = Object.assign({}, ...GROUPS);

/** Every operation the emulator serves. */
export const AWS_KMS_OPERATIONS: readonly string[] = Object.keys(ALL).sort();

export class KmsService {
    readonly model: KmsModel;
    /** Operation name → handler. */
    readonly operations: Readonly<Record<string, Handler>>;

    constructor(state: AwsEmulatorState, clock: Clock, reuseWrappingKeys = false, asyncStates: AsyncStates = "service") {
        this.model = new KmsModel(state, clock, asyncStates, reuseWrappingKeys);
        this.operations = Object.fromEntries(Object.entries(ALL).map(([name, op]) => [name, (ctx: RequestContext, input: Input) => op(this.model, ctx, input)]));
    }

    sweep(): void {
        this.model.sweep();
    }
}
