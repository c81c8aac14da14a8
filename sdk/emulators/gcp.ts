/**
 * An in-process Google Cloud KMS emulator: a gRPC server on 127.0.0.1 that the official, unmodified
 * `@google-cloud/kms` client talks to (see `createGcpKmsClient`), doing the real cryptography with Node's crypto.
 *
 * - This file is the protocol layer: service definitions, wire decoding, faults, errors as gRPC statuses, routing to
 *   the operation groups of ./gcp/ops (./gcp/service) over the state model (./gcp/model).
 * - Service definitions come from the protos the SDK ships (`@google-cloud/kms/build/protos/protos.json`) and, for
 *   the mixins the client calls on the same channel (`google.iam.v1.IAMPolicy`, `google.cloud.location.Locations`,
 *   `google.longrunning.Operations`), from google-gax's `iam_service.json`, `locations.json`, `operations.json`.
 * - `asyncStates` (default "service"): asymmetric and HSM versions and HSM import jobs start PENDING_GENERATION and
 *   are ENABLED / ACTIVE after `GENERATION_MS` of the emulator clock; "instant" skips that.
 * - `deny(rule)` makes calls answer PERMISSION_DENIED as IAM does (./gcp/ops/iam).
 * - Every call is recorded in `calls`; `faults` decides per call: latency sleeps, `throttle` answers
 *   RESOURCE_EXHAUSTED, `server-error` UNAVAILABLE, `drop` UNAVAILABLE too (grpc-js gives a unary handler no way to
 *   cut the connection mid-call, so a drop is an UNAVAILABLE status with nothing applied). A faulted call changes
 *   no state, except `drop-after-apply`: the call is served (its effect stays), then answered UNAVAILABLE
 *   "Connection dropped", the status grpc-js gives a caller whose connection was lost.
 * - State is plain JSON: `snapshot()` returns it (including the emulator's own test key material) and
 *   `options.state` restores it. `inspect()` shows it without material.
 */
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { Clock, Emulator, EmulatorOptions, FaultInjector, FaultKind, sleep, systemClock } from "./common";
import { KmsError } from "./gcp/errors";
import { PRINCIPAL_HEADER, type DenyRule } from "./gcp/ops/iam";
import { preconditionStatus } from "./gcp/protobuf";
import { Handler, KmsService } from "./gcp/service";
import { GCP_SNAPSHOT_KIND, restoreGcpState, type GcpSnapshot } from "./gcp/persist";
import { emptyState, GcpInspection, GcpState } from "./gcp/state";

export type { GcpInspection } from "./gcp/state";
export type { DenyRule } from "./gcp/ops/iam";
export { GENERATION_MS } from "./gcp/model";

export interface GcpKmsEmulator extends Emulator {
    /** Key rings, crypto keys (versions with state, algorithm, protection level, material fingerprint), import jobs, IAM policies. */
    inspect(): GcpInspection;
    /** How many GetImportJob reads a new job stays PENDING_GENERATION besides its generation time (default 0). */
    importJobGenerationReads: number;
    /**
     * From now on, calls matching `rule` answer PERMISSION_DENIED as IAM words it (`Permission '<permission>' denied on
     * resource '<name>' (or it may not exist).`), before anything is looked up; TestIamPermissions leaves the
     * permission out. A rule names a permission (or "*"), optionally a resource (and its children) and a principal
     * (the caller's `x-goog-iam-principal` request header).
     */
    deny(rule: DenyRule): void;
    /** Removes every deny rule. */
    clearDenials(): void;
}

type ServiceKey = "kms" | "iam" | "locations" | "operations";

const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: false, oneofs: true };

let services: Record<ServiceKey, grpc.ServiceDefinition> | undefined;

/** The KeyManagementService and mixin service definitions, loaded once from the shipped JSON protos. */
function loadServices(): Record<ServiceKey, grpc.ServiceDefinition> {
    if (services) return services;
    const load = (file: string) => grpc.loadPackageDefinition(protoLoader.fromJSON(JSON.parse(fs.readFileSync(file, "utf8")), LOADER_OPTIONS));
    // The google-gax the SDK itself uses; its package exports hide the protos directory, so go from its entry point.
    const gaxEntry = require.resolve("google-gax", { paths: [path.dirname(require.resolve("@google-cloud/kms/package.json"))] });
    const gaxProtos = path.join(path.dirname(gaxEntry), "..", "protos");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const kms = load(require.resolve("@google-cloud/kms/build/protos/protos.json")) as any;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const iam = load(path.join(gaxProtos, "iam_service.json")) as any;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const locations = load(path.join(gaxProtos, "locations.json")) as any;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const operations = load(path.join(gaxProtos, "operations.json")) as any;
    services = {
        kms: kms.google.cloud.kms.v1.KeyManagementService.service,
        iam: iam.google.iam.v1.IAMPolicy.service,
        locations: locations.google.cloud.location.Locations.service,
        operations: operations.google.longrunning.Operations.service,
    };
    return services;
}

function statusError(code: grpc.status, details: string, violation?: { type: string; subject: string }): grpc.ServerErrorResponse {
    if (!violation) return Object.assign(new Error(details), { code, details });
    const metadata = new grpc.Metadata();
    metadata.set("grpc-status-details-bin", preconditionStatus(code, details, violation));
    return Object.assign(new Error(details), { code, details, metadata });
}

function restore(state: unknown): { state: GcpState; importJobGenerationReads?: number } {
    if (state === undefined) return { state: emptyState() };
    const copy = restoreGcpState(state);
    return {
        state: { keyRings: copy.keyRings ?? {}, cryptoKeys: copy.cryptoKeys ?? {}, importJobs: copy.importJobs ?? {}, iam: copy.iam ?? {}, retiredResources: copy.retiredResources ?? {} },
        importJobGenerationReads: copy.importJobGenerationReads,
    };
}

class GcpKmsEmulatorImpl implements GcpKmsEmulator {
    port = 0;
    endpoint = "";
    readonly clock: Clock;
    readonly faults: FaultInjector;
    readonly calls: { operation: string; fault?: FaultKind }[] = [];
    importJobGenerationReads = 0;
    readonly server = new grpc.Server();
    private readonly service: KmsService;
    private readonly onChange?: () => void;

    constructor(options: EmulatorOptions) {
        this.clock = options.clock ?? systemClock;
        this.onChange = options.onChange;
        this.faults = options.faults ?? new FaultInjector();
        const restored = restore(options.state);
        this.importJobGenerationReads = restored.importJobGenerationReads ?? 0;
        this.service = new KmsService(restored.state, this.clock, options.asyncStates ?? "service", { importJobGenerationReads: () => this.importJobGenerationReads });
        const definitions = loadServices();
        for (const key of ["kms", "iam", "locations", "operations"] as const) {
            this.server.addService(definitions[key], this.implement(definitions[key], this.service.handlers[key]));
        }
    }

    deny(rule: DenyRule): void {
        this.service.denials.deny(rule);
    }

    clearDenials(): void {
        this.service.denials.clear();
    }

    /** One unary handler per RPC of `definition`; those without a handler answer UNIMPLEMENTED. */
    private implement(definition: grpc.ServiceDefinition, handlers: Readonly<Record<string, Handler>>): grpc.UntypedServiceImplementation {
        const impl: grpc.UntypedServiceImplementation = {};
        for (const [operation, method] of Object.entries(definition)) {
            if (method.requestStream || method.responseStream) continue; // grpc-js answers UNIMPLEMENTED
            impl[operation] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
                const principal = call.metadata.get(PRINCIPAL_HEADER)[0];
                this.serve(operation, handlers[operation], call.request, principal === undefined ? undefined : String(principal))
                    .then(
                        (response) => callback(null, response),
                        (error: grpc.ServerErrorResponse) => callback(error),
                    )
                    .finally(() => this.onChange?.());
            };
        }
        return impl;
    }

    private async serve(operation: string, handler: Handler | undefined, request: unknown, principal: string | undefined): Promise<unknown> {
        const { fault, latencyMs } = this.faults.decide(operation);
        const kind: FaultKind | undefined = fault?.kind ?? (latencyMs > 0 ? "latency" : undefined);
        this.calls.push(kind ? { operation, fault: kind } : { operation });
        if (latencyMs > 0) await sleep(latencyMs);
        switch (fault?.kind) {
            case "throttle":
                throw statusError(grpc.status.RESOURCE_EXHAUSTED, "Quota exceeded for quota metric 'Cryptographic requests' (emulated throttle).");
            case "server-error":
                throw statusError(grpc.status.UNAVAILABLE, "The service is currently unavailable (emulated server error).");
            case "drop":
                throw statusError(grpc.status.UNAVAILABLE, "Connection dropped (emulated): the call was not applied.");
        }
        if (!handler) throw statusError(grpc.status.UNIMPLEMENTED, `${operation} is not implemented by the keyfabric Cloud KMS emulator.`);
        let outcome: { response: unknown } | { error: grpc.ServerErrorResponse };
        try {
            this.service.denials.authorize(operation, request, principal);
            this.service.tick(true);
            outcome = { response: await handler(request, { principal }) };
        } catch (e) {
            if (e instanceof KmsError) outcome = { error: statusError(grpc.status[e.code], e.message, e.violation) };
            else outcome = { error: statusError(grpc.status.INTERNAL, `Internal error in the emulator: ${e instanceof Error ? e.message : String(e)}`) };
        }
        // Applied, and the answer is lost: the client sees what grpc-js reports when the connection drops.
        if (fault?.kind === "drop-after-apply") throw statusError(grpc.status.UNAVAILABLE, "Connection dropped");
        if ("error" in outcome) throw outcome.error;
        return outcome.response;
    }

    inspect(): GcpInspection {
        this.service.tick(false);
        return this.service.inspect();
    }

    snapshot(): GcpSnapshot {
        this.service.tick(false);
        return { kind: GCP_SNAPSHOT_KIND, version: 1, importJobGenerationReads: this.importJobGenerationReads, ...JSON.parse(JSON.stringify(this.service.state)) };
    }

    async stop(): Promise<void> {
        this.server.forceShutdown();
    }
}

export async function startGcpKmsEmulator(options: EmulatorOptions = {}): Promise<GcpKmsEmulator> {
    const asyncStates: unknown = options.asyncStates;
    if (asyncStates !== undefined && asyncStates !== "service" && asyncStates !== "instant") {
        throw new TypeError(`options.asyncStates: must be "service" or "instant" (got ${JSON.stringify(asyncStates)})`);
    }
    const emulator = new GcpKmsEmulatorImpl(options);
    emulator.port = await new Promise<number>((resolve, reject) =>
        emulator.server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    emulator.endpoint = `127.0.0.1:${emulator.port}`;
    return emulator;
}
