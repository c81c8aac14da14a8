/**
 * An in-process Google Cloud KMS emulator: a gRPC server on 127.0.0.1 that the official, unmodified
 * `@google-cloud/kms` client talks to (see `createGcpKmsClient`), doing the real cryptography with Node's crypto.
 *
 * - Service definitions come from the protos the SDK ships (`@google-cloud/kms/build/protos/protos.json`) and, for
 *   the IAM mixin (`client.getIamPolicy`/`setIamPolicy` call `google.iam.v1.IAMPolicy` on the same channel),
 *   from google-gax's `iam_service.json`.
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
import { Handler, KmsService } from "./gcp/service";
import { GCP_SNAPSHOT_KIND, restoreGcpState, type GcpSnapshot } from "./gcp/persist";
import { emptyState, GcpInspection, GcpState } from "./gcp/state";
import { RpcError } from "./gcp/wire";

export type { GcpInspection } from "./gcp/state";

export interface GcpKmsEmulator extends Emulator {
    /** Key rings, crypto keys (versions with state, algorithm, protection level, material fingerprint), import jobs, IAM policies. */
    inspect(): GcpInspection;
    /** How many GetImportJob reads a new job stays PENDING_GENERATION (default 0: ACTIVE on creation). */
    importJobGenerationReads: number;
}

const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: false, oneofs: true };

let services: { kms: grpc.ServiceDefinition; iam: grpc.ServiceDefinition } | undefined;

/** The KeyManagementService and IAMPolicy service definitions, loaded once from the shipped JSON protos. */
function loadServices(): { kms: grpc.ServiceDefinition; iam: grpc.ServiceDefinition } {
    if (services) return services;
    const load = (file: string) => grpc.loadPackageDefinition(protoLoader.fromJSON(JSON.parse(fs.readFileSync(file, "utf8")), LOADER_OPTIONS));
    // The google-gax the SDK itself uses; its package exports hide the protos directory, so go from its entry point.
    const gaxEntry = require.resolve("google-gax", { paths: [path.dirname(require.resolve("@google-cloud/kms/package.json"))] });
    const gaxProtos = path.join(path.dirname(gaxEntry), "..", "protos");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const kms = load(require.resolve("@google-cloud/kms/build/protos/protos.json")) as any;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const iam = load(path.join(gaxProtos, "iam_service.json")) as any;
    services = { kms: kms.google.cloud.kms.v1.KeyManagementService.service, iam: iam.google.iam.v1.IAMPolicy.service };
    return services;
}

function statusError(code: grpc.status, details: string): grpc.ServerErrorResponse {
    return Object.assign(new Error(details), { code, details });
}

function restore(state: unknown): { state: GcpState; importJobGenerationReads?: number } {
    if (state === undefined) return { state: emptyState() };
    const copy = restoreGcpState(state);
    return {
        state: { keyRings: copy.keyRings ?? {}, cryptoKeys: copy.cryptoKeys ?? {}, importJobs: copy.importJobs ?? {}, iam: copy.iam ?? {} },
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
        this.service = new KmsService(restored.state, this.clock, { importJobGenerationReads: () => this.importJobGenerationReads });
        const { kms, iam } = loadServices();
        this.server.addService(kms, this.implement(kms, this.service.kms));
        this.server.addService(iam, this.implement(iam, this.service.iam));
    }

    /** One unary handler per RPC of `definition`; those without a handler answer UNIMPLEMENTED. */
    private implement(definition: grpc.ServiceDefinition, handlers: Readonly<Record<string, Handler>>): grpc.UntypedServiceImplementation {
        const impl: grpc.UntypedServiceImplementation = {};
        for (const [operation, method] of Object.entries(definition)) {
            if (method.requestStream || method.responseStream) continue; // grpc-js answers UNIMPLEMENTED
            impl[operation] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
                this.serve(operation, handlers[operation], call.request)
                    .then(
                        (response) => callback(null, response),
                        (error: grpc.ServerErrorResponse) => callback(error),
                    )
                    .finally(() => this.onChange?.());
            };
        }
        return impl;
    }

    private async serve(operation: string, handler: Handler | undefined, request: unknown): Promise<unknown> {
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
            this.service.tick(true);
            outcome = { response: await handler(request) };
        } catch (e) {
            if (e instanceof RpcError) outcome = { error: statusError(e.code, e.message) };
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
    const emulator = new GcpKmsEmulatorImpl(options);
    emulator.port = await new Promise<number>((resolve, reject) =>
        emulator.server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    emulator.endpoint = `127.0.0.1:${emulator.port}`;
    return emulator;
}
