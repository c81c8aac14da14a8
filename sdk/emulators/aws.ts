/**
 * An in-process AWS KMS emulator that the unmodified `@aws-sdk/client-kms` talks to over HTTP on 127.0.0.1
 * (JSON 1.1: `POST /`, `X-Amz-Target: TrentService.<Operation>`, blobs base64, timestamps epoch seconds),
 * doing the real cryptography with Node's `crypto`.
 *
 * - Region: from the SigV4 credential scope of the `Authorization` header (default us-east-1); keys and aliases
 *   belong to one region, like in AWS. Signatures are not checked.
 * - Faults: `faults.decide(op)` before serving; a faulted call never changes state, except `drop-after-apply`: the
 *   call is served, then the connection is destroyed without the answer. Every call is in `calls`.
 * - Clock: material expiry, scheduled deletion, automatic rotation and import-token expiry follow `options.clock`,
 *   applied lazily on each request (and on `inspect()`/`snapshot()`).
 * - Slow operations (`options.asyncStates`, default `"service"`): RotateKeyOnDemand answers at once and the new
 *   material becomes CURRENT `ON_DEMAND_ROTATION_MS` later on the clock; a replica made by ReplicateKey is
 *   `Creating` for `REPLICA_CREATION_MS`. `"instant"`: both done when answered.
 * - Errors: HTTP 400 for every refused request, as the real service sends them (500 for internal faults).
 * - Partitions: ARNs by Region (`aws`, `aws-cn` for cn-*, `aws-us-gov` for us-gov-*).
 * - Routing: `./aws/service.ts`; operations, one file per group: `./aws/ops/`; the state model: `./aws/model.ts`;
 *   formats of ciphertext blobs and import tokens: `./aws/envelope.ts`.
 */
import * as crypto from "crypto";
import * as http from "http";
import type { AddressInfo, Socket } from "net";
import { FaultInjector, sleep, systemClock, type Emulator, type EmulatorOptions, type FaultKind } from "./common";
import { errorBody, KmsError } from "./aws/errors";
import { Input } from "./aws/input";
import { metadata } from "./aws/ops/keys";
import { KmsService } from "./aws/service";
export { ON_DEMAND_ROTATION_MS, REPLICA_CREATION_MS } from "./aws/model";
import { restoreAwsState } from "./aws/persist";
import { type AwsEmulatorState, type ExpirationModel, type ImportState, type KeyMaterialState, type KeyState, type RotationType } from "./aws/state";

export const DEFAULT_AWS_ACCOUNT_ID = "111122223333";
export const DEFAULT_AWS_REGION = "us-east-1";

/** One key material of a key, as `inspect()` shows it: never the material, only its fingerprint. */
export interface AwsKeyMaterialInspection {
    readonly keyMaterialId: string;
    readonly state: KeyMaterialState;
    /** EXTERNAL keys only. */
    readonly importState?: ImportState;
    /** Whether the emulator currently holds this material (false once deleted or expired). */
    readonly present: boolean;
    /** `fingerprint()` from `sdk/crypto/material.ts` (for key pairs: of the public key). */
    readonly fingerprint: string;
    readonly expirationModel?: ExpirationModel;
    /** ms since the epoch */
    readonly validTo?: number;
    readonly description?: string;
    /** ms since the epoch */
    readonly rotationDate?: number;
    readonly rotationType?: RotationType;
}

/** A key as `inspect()` shows it. JSON-serialisable; times are ms since the epoch. */
export interface AwsKeyInspection {
    readonly keyId: string;
    readonly arn: string;
    readonly region: string;
    readonly accountId: string;
    readonly keySpec: string;
    readonly keyUsage: string;
    readonly origin: "AWS_KMS" | "EXTERNAL";
    readonly multiRegion: boolean;
    readonly keyState: KeyState;
    readonly enabled: boolean;
    readonly description: string;
    readonly creationDate: number;
    readonly deletionDate?: number;
    /** Alias names (`alias/...`) pointing at the key. */
    readonly aliases: string[];
    readonly tags: Record<string, string>;
    readonly policy: string;
    readonly rotation: {
        readonly enabled: boolean;
        readonly periodInDays: number;
        readonly nextRotationDate?: number;
        readonly onDemandRotations: number;
        /** ms since the epoch: an on-demand rotation is in progress. */
        readonly onDemandRotationStartDate?: number;
    };
    /** Multi-Region keys: the Region of the primary key. */
    readonly primaryRegion?: string;
    readonly grants: { readonly grantId: string; readonly granteePrincipal: string; readonly operations: string[] }[];
    readonly currentKeyMaterialId?: string;
    /** EXTERNAL keys: fingerprint of the current imported material (kept while the material is deleted or expired). */
    readonly importedMaterialFingerprint?: string;
    readonly materials: AwsKeyMaterialInspection[];
}

export interface AwsKmsEmulator extends Emulator {
    /** Test-only inspection: every key with its metadata, aliases, rotation, imported-material fingerprint (never the material), etc. */
    inspect(): AwsKeyInspection[];
}

export type AwsKmsEmulatorOptions = EmulatorOptions & {
    /** @default 111122223333 (or the account of `state`) */
    readonly accountId?: string;
    /**
     * Reuse one RSA wrapping key pair per size for all GetParametersForImport calls (tokens stay per call): much
     * faster for load tests, less faithful (AWS makes a pair per call). @default false
     */
    readonly reuseWrappingKeys?: boolean;
};

export async function startAwsKmsEmulator(options: AwsKmsEmulatorOptions = {}): Promise<AwsKmsEmulator> {
    const clock = options.clock ?? systemClock;
    const faults = options.faults ?? new FaultInjector();
    const state = initialState(options);
    const service = new KmsService(state, clock, options.reuseWrappingKeys ?? false, options.asyncStates ?? "service");
    const model = service.model;
    const calls: { operation: string; fault?: FaultKind }[] = [];
    const sockets = new Set<Socket>();

    const server = http.createServer((req, res) => {
        serve(req, res)
            .catch(() => {
                if (!res.headersSent && !req.socket.destroyed) reply(res, crypto.randomUUID(), 500, errorBody(new KmsError("KMSInternalException", "The emulator failed to serve the request.")));
                else res.destroy();
            })
            .finally(() => options.onChange?.());
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });

    async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const body = await readBody(req);
        const target = headerValue(req, "x-amz-target") ?? "";
        const operation = target.startsWith("TrentService.") ? target.slice("TrentService.".length) : target;
        const { fault, latencyMs } = faults.decide(operation);
        const faultKind: FaultKind | undefined = fault?.kind ?? (latencyMs > 0 ? "latency" : undefined);
        calls.push(faultKind ? { operation, fault: faultKind } : { operation });
        if (latencyMs > 0) await sleep(latencyMs);
        const requestId = crypto.randomUUID();

        switch (fault?.kind) {
            case "drop":
                req.socket.destroy();
                return;
            case "throttle":
                return sendError(res, requestId, new KmsError("ThrottlingException", "Rate exceeded"));
            case "server-error":
                return sendError(res, requestId, new KmsError("KMSInternalException", "An internal error occurred (injected fault). The request can be retried."));
        }

        const handler = req.method === "POST" && Object.prototype.hasOwnProperty.call(service.operations, operation) ? service.operations[operation] : undefined;
        if (!handler) return sendError(res, requestId, new KmsError("UnknownOperationException", `Unknown operation ${target || "(no X-Amz-Target)"}.`));
        let parsed: unknown;
        try {
            parsed = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
        } catch {
            return sendError(res, requestId, new KmsError("SerializationException", "The request body is not valid JSON."));
        }
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
            return sendError(res, requestId, new KmsError("SerializationException", "The request body must be a JSON object."));
        }

        service.sweep();
        let status = 200;
        let answer: string;
        try {
            answer = JSON.stringify(await handler({ region: regionOf(req) }, new Input(parsed as Record<string, unknown>)));
        } catch (e) {
            const err = e instanceof KmsError ? e : new KmsError("KMSInternalException", "The emulator failed to serve the request.");
            status = err.status;
            answer = errorBody(err);
        }
        // Applied (or refused: whatever the call did is in the state), and the answer never arrives.
        if (fault?.kind === "drop-after-apply") {
            req.socket.destroy();
            return;
        }
        reply(res, requestId, status, answer);
    }

    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, "127.0.0.1", () => {
            server.off("error", reject);
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;

    return {
        port,
        endpoint: `http://127.0.0.1:${port}`,
        clock,
        faults,
        calls,
        snapshot() {
            service.sweep();
            return JSON.parse(JSON.stringify(state)) as AwsEmulatorState;
        },
        inspect() {
            service.sweep();
            return state.keys.map((key) => {
                const current = key.materials.find((m) => m.state === "CURRENT");
                return JSON.parse(
                    JSON.stringify({
                        keyId: key.keyId,
                        arn: model.arn(key),
                        region: key.region,
                        accountId: state.accountId,
                        keySpec: key.keySpec,
                        keyUsage: key.keyUsage,
                        origin: key.origin,
                        multiRegion: key.multiRegion,
                        keyState: model.keyState(key),
                        enabled: model.keyState(key) === "Enabled",
                        description: key.description,
                        creationDate: key.creationDate,
                        deletionDate: key.deletionDate,
                        aliases: state.aliases.filter((a) => a.targetKeyId === key.keyId && a.region === key.region).map((a) => a.name).sort(),
                        tags: Object.fromEntries(key.tags.map((t) => [t.TagKey, t.TagValue])),
                        policy: key.policy,
                        rotation: { ...key.rotation, onDemandRotations: key.onDemandRotations, onDemandRotationStartDate: key.onDemandRotation?.startedAt },
                        primaryRegion: key.multiRegion ? (metadata(model, key).MultiRegionConfiguration as { PrimaryKey: { Region: string } }).PrimaryKey.Region : undefined,
                        grants: (state.grants ?? []).filter((g) => g.keyId === key.keyId && g.region === key.region).map((g) => ({ grantId: g.grantId, granteePrincipal: g.granteePrincipal, operations: g.operations })),
                        currentKeyMaterialId: current?.id,
                        importedMaterialFingerprint: key.origin === "EXTERNAL" ? current?.fingerprint : undefined,
                        materials: key.materials.map((m) => ({
                            keyMaterialId: m.id,
                            state: m.state,
                            importState: m.importState,
                            present: m.secret !== undefined,
                            fingerprint: m.fingerprint,
                            expirationModel: m.expirationModel,
                            validTo: m.validTo,
                            description: m.description,
                            rotationDate: m.rotationDate,
                            rotationType: m.rotationType,
                        })),
                    }),
                ) as AwsKeyInspection;
            });
        },
        async stop() {
            for (const socket of sockets) socket.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

function initialState(options: AwsKmsEmulatorOptions): AwsEmulatorState {
    if (options.state !== undefined) {
        const restored = restoreAwsState(options.state);
        if (options.accountId !== undefined && options.accountId !== restored.accountId) {
            throw new Error(`options.accountId ${options.accountId} differs from the snapshot's account ${restored.accountId}`);
        }
        return restored;
    }
    const accountId = options.accountId ?? DEFAULT_AWS_ACCOUNT_ID;
    if (!/^\d{12}$/.test(accountId)) throw new Error(`accountId must be 12 digits (got ${JSON.stringify(accountId)})`);
    return { version: 1, accountId, tokenSecret: crypto.randomBytes(32).toString("base64"), keys: [], aliases: [], wrappingKeys: [], grants: [] };
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
}

/** `Credential=AKID/20240101/us-west-2/kms/aws4_request` → `us-west-2`. */
function regionOf(req: http.IncomingMessage): string {
    const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/kms\/aws4_request/.exec(headerValue(req, "authorization") ?? "");
    return m ? m[1] : DEFAULT_AWS_REGION;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
        req.on("close", () => {
            if (!req.complete) reject(new Error("the client closed the connection before sending the whole request"));
        });
    });
}

function reply(res: http.ServerResponse, requestId: string, status: number, body: string): void {
    res.writeHead(status, {
        "content-type": "application/x-amz-json-1.1",
        "content-length": Buffer.byteLength(body),
        "x-amzn-RequestId": requestId,
    });
    res.end(body);
}

function sendError(res: http.ServerResponse, requestId: string, err: KmsError): void {
    reply(res, requestId, err.status, errorBody(err));
}
