/**
 * The engine's side of a component provider, for tests: a resource monitor and an engine log service over gRPC (the
 * monitor is `keyfabric preview`'s `EngineMonitor`, answering as the engine does at a first preview), and the plugin
 * started as the engine starts a Node.js source plugin: the language host runs `@pulumi/pulumi/cmd/run-plugin
 * <plugin dir> <engine address>` (pulumi-language-nodejs `RunPlugin`) in the program's directory, and the engine
 * reads the provider's port from the first line of its stdout.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import type { EngineLogEntry } from "../../sdk/preview/engineLog";
import { offlineInvoke } from "../../sdk/preview/invokes";
import { EngineMonitor, PreviewMode } from "../../sdk/preview/monitor";

const grpc = require("@grpc/grpc-js");
const resrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resproto = require("@pulumi/pulumi/proto/resource_pb");
const engrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engproto = require("@pulumi/pulumi/proto/engine_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const ROOT = path.join(__dirname, "..", "..");
type Callback = (err: unknown, resp?: unknown) => void;

export interface FakeEngine {
    readonly monitor: EngineMonitor;
    /** `127.0.0.1:<port>` of the resource monitor (ConstructRequest.monitorEndpoint). */
    readonly monitorAddress: string;
    /** `127.0.0.1:<port>` of the engine service (the plugin's first argument). */
    readonly engineAddress: string;
    readonly logs: EngineLogEntry[];
    close(): void;
}

const SEVERITIES: Record<number, EngineLogEntry["severity"]> = { 0: "debug", 1: "info", 2: "warning", 3: "error" };

/** Features as `runUnderMocks` declares them (output values and transforms off, as the SDK's own mocks have them). */
const UNSUPPORTED = new Set(["outputValues", "transforms", "invokeTransforms"]);

async function listen(server: any): Promise<string> {
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: unknown, p: number) => (err ? reject(err) : resolve(p))),
    );
    return `127.0.0.1:${port}`;
}

export async function startEngine(options: { project: string; stack: string; mode?: PreviewMode; stackUrn: string }): Promise<FakeEngine> {
    const monitor = new EngineMonitor({
        project: options.project,
        stack: options.stack,
        mode: options.mode ?? "preview",
        libraryDirs: [path.join(ROOT, "lib"), path.join(ROOT, "sdk")],
        offlineInvoke: (token, inputs) => offlineInvoke(token, inputs, { config: () => undefined }),
    });
    const logs: EngineLogEntry[] = [];
    const m = monitor as any;
    const server = new grpc.Server();
    server.addService(resrpc.ResourceMonitorService, {
        supportsFeature: (call: any, cb: Callback) => {
            const resp = new resproto.SupportsFeatureResponse();
            resp.setHassupport(!UNSUPPORTED.has(call.request.getId()));
            cb(null, resp);
        },
        registerResource: (call: any, cb: Callback) => void monitor.registerResource(call.request, cb),
        registerResourceOutputs: (call: any, cb: Callback) => m.registerResourceOutputs(call.request, (err: unknown) => cb(err, err ? undefined : new Empty())),
        invoke: (call: any, cb: Callback) => void monitor.invoke(call.request, cb),
        readResource: (call: any, cb: Callback) => void monitor.readResource(call.request, cb),
        call: (call: any, cb: Callback) => m.call(call.request, cb),
        registerStackTransform: (_call: any, cb: Callback) => cb(new Error("transforms are not supported here")),
    });
    const engine = new grpc.Server();
    engine.addService(engrpc.EngineService, {
        log: (call: any, cb: Callback) => {
            const r = call.request;
            logs.push({ severity: SEVERITIES[r.getSeverity()] ?? "info", message: r.getMessage(), ...(r.getUrn() ? { urn: r.getUrn() } : {}) });
            cb(null, new Empty());
        },
        getRootResource: (_call: any, cb: Callback) => {
            const resp = new engproto.GetRootResourceResponse();
            resp.setUrn(options.stackUrn);
            cb(null, resp);
        },
        setRootResource: (_call: any, cb: Callback) => cb(null, new engproto.SetRootResourceResponse()),
    });
    const [monitorAddress, engineAddress] = await Promise.all([listen(server), listen(engine)]);
    return {
        monitor,
        monitorAddress,
        engineAddress,
        logs,
        close: () => {
            server.forceShutdown();
            engine.forceShutdown();
        },
    };
}

export interface Plugin {
    readonly process: ChildProcess;
    /** A ResourceProvider client connected to the port the plugin printed. */
    readonly client: any;
    readonly stderr: () => string;
    stop(): void;
}

/** Starts the plugin in `pluginDir` as the engine does, from `cwd` (the program's directory), and connects to it. */
export async function startPlugin(pluginDir: string, engineAddress: string, cwd: string, timeoutMs = 240_000): Promise<Plugin> {
    const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin");
    const child = spawn(process.execPath, [runPlugin, pluginDir, engineAddress], { cwd, env: { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    const port = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the plugin printed no port within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
        child.stdout!.on("data", (d) => {
            out += d;
            const line = out.split("\n");
            if (line.length > 1) {
                clearTimeout(timer);
                resolve(line[0].trim());
            }
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the plugin exited (${code}) before printing its port; stderr:\n${err}`));
        });
    });
    if (!/^\d+$/.test(port)) throw new Error(`the plugin's first line is not a port: ${JSON.stringify(port)}`);
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        process: child,
        client,
        stderr: () => err,
        stop: () => {
            client.close();
            child.kill("SIGTERM");
        },
    };
}

/** A unary call as a promise. */
export function rpcCall<T = any>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (err: unknown, resp: T) => (err ? reject(err) : resolve(resp))));
}
