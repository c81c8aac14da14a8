/**
 * The Cloud KMS emulator's routing: which handler serves each RPC of each service on the channel
 * (KeyManagementService, and the IAMPolicy, Locations and Operations mixins), over one state model.
 * The operation groups are in ./ops, the state machines in ./model, the response shapes in ./views.
 */
import type { AsyncStates, Clock } from "../common";
import { KmsModel } from "./model";
import { cryptoHandlers } from "./ops/cryptographic";
import { Denials, iamHandlers } from "./ops/iam";
import { importHandlers, type ImportSettings } from "./ops/imports";
import { keyHandlers } from "./ops/keys";
import { locationHandlers, OperationStore, operationHandlers } from "./ops/mixins";
import { versionHandlers } from "./ops/versions";
import type { Handler } from "./ops/validate";
import { inspect } from "./inspect";
import type { GcpInspection, GcpState } from "./state";

export type { CallContext, Handler } from "./ops/validate";

export class KmsService {
    readonly model: KmsModel;
    readonly denials = new Denials();
    private readonly operations = new OperationStore();
    /** Handlers by service (the proto's full name) and RPC name; the RPCs not listed answer UNIMPLEMENTED. */
    readonly handlers: Readonly<Record<"kms" | "iam" | "locations" | "operations", Readonly<Record<string, Handler>>>>;

    constructor(state: GcpState, clock: Clock, asyncStates: AsyncStates, settings: ImportSettings) {
        this.model = new KmsModel(state, clock, asyncStates);
        this.handlers = {
            kms: {
                ...keyHandlers(this.model, this.operations),
                ...versionHandlers(this.model, this.operations),
                ...importHandlers(this.model, settings),
                ...cryptoHandlers(this.model),
            },
            iam: iamHandlers(this.model, this.denials),
            locations: locationHandlers(this.model),
            operations: operationHandlers(this.operations),
        };
    }

    get state(): GcpState {
        return this.model.state;
    }

    tick(resolveImports: boolean): void {
        this.model.tick(resolveImports);
    }

    inspect(): GcpInspection {
        return inspect(this.model.state);
    }
}
