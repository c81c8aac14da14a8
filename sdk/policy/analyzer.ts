/**
 * Runs a CrossGuard policy pack the way the Pulumi engine does: starts the pack as its analyzer gRPC server
 * (`@pulumi/pulumi/cmd/run-policy-pack`, what `pulumi-analyzer-policy` runs), asks GetAnalyzerInfo, sends Configure
 * with the pack config, then Analyze for every resource and AnalyzeStack once with all of them.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EnforcementLevelName, PackConfig, PackSchema, reconcilePackConfig } from "./config";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeStruct, WireResource } from "./wire";

export { PackConfigError, readPackConfig } from "./config";
export type { EnforcementLevelName, PackConfig } from "./config";

/**
 * The bundled key-management pack: compiled (`lib/policy-packs/key-management`, built by `npm run build`) when this
 * runs from `lib/`, as the CLI does, since Pulumi type-checks a TypeScript pack with ts-node before serving it (about
 * 5 s); otherwise (running from source) the TypeScript pack itself. Both are the same rules and presets.
 */
export const DEFAULT_POLICY_PACK = bundledPack();

function bundledPack(): string {
    const compiled = path.resolve(__dirname, "..", "policy-packs", "key-management");
    return fs.existsSync(path.join(compiled, "PulumiPolicy.yaml")) ? compiled : path.resolve(__dirname, "..", "..", "policy-packs", "key-management");
}

export interface PolicyResourceInput {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs (preview) or outputs (state). */
    readonly props: Record<string, unknown>;
    readonly parent?: string;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    /** URNs it depends on, and per input property the URNs its value came from (sent in AnalyzeStack). */
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface PolicyViolation {
    readonly policy: string;
    readonly pack: string;
    readonly enforcementLevel: EnforcementLevelName;
    /** The resource's urn; empty for stack-level findings with no resource. */
    readonly urn: string;
    readonly message: string;
    readonly description: string;
    readonly severity?: string;
}

export interface PolicyInfo {
    readonly name: string;
    readonly description: string;
    /** The pack's default level for the policy. */
    readonly enforcementLevel: EnforcementLevelName;
    /** The level sent in Configure for this run: the default, `all` or the policy's own entry of the pack config. */
    readonly configuredLevel: EnforcementLevelName;
    readonly severity?: string;
}

export interface PackRun {
    readonly pack: string;
    readonly version: string;
    readonly policies: PolicyInfo[];
    readonly violations: PolicyViolation[];
}

/** Analyze calls in flight at once. */
const ANALYZE_WINDOW = 64;

const LEVELS: EnforcementLevelName[] = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES = ["", "low", "medium", "high", "critical"];

/** A pack served and configured, ready for resources: what the engine holds between Configure and AnalyzeStack. */
export interface OpenPack {
    readonly pack: string;
    readonly version: string;
    readonly policies: PolicyInfo[];
    /** Analyze for every resource, then AnalyzeStack once with all of them; the diagnostics in resource order. */
    analyze(resources: readonly PolicyResourceInput[]): Promise<PolicyViolation[]>;
    close(): void;
}

/** Starts, configures and analyzes with one pack, then stops it. */
export async function runPolicyPack(packDir: string, resources: readonly PolicyResourceInput[], options: { config?: PackConfig } = {}): Promise<PackRun> {
    const pack = await openPolicyPack(packDir, options);
    try {
        const violations = await pack.analyze(resources);
        return { pack: pack.pack, version: pack.version, policies: pack.policies, violations };
    } finally {
        pack.close();
    }
}

/**
 * Starts the pack's analyzer server, asks GetAnalyzerInfo, validates the config as the engine does and sends
 * Configure. A preview opens its packs before the program runs, so a config the engine would refuse stops it first;
 * drift opens its pack while the clouds are read and analyzes the state and the live state with the one server.
 */
export async function openPolicyPack(packDir: string, options: { config?: PackConfig; signal?: AbortSignal } = {}): Promise<OpenPack> {
    const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
    const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const pb = require("@pulumi/pulumi/proto/analyzer_pb");
    const dir = path.resolve(packDir);
    if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) throw new Error(`${dir} is not a policy pack (no PulumiPolicy.yaml)`);

    // The pack's process gets this environment without any variable read as key material (sources.ts).
    const { childProcessEnv } = require("../byok/sources") as typeof import("../byok/sources");
    const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], {
        env: childProcessEnv(),
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
    });
    // Aborted while it starts (a drift run that ends before it needs the pack): the server is stopped, the open fails.
    if (options.signal?.aborted) child.kill("SIGTERM");
    else options.signal?.addEventListener("abort", () => child.kill("SIGTERM"), { once: true });
    let output = "";
    const port = await new Promise<number>((resolve, reject) => {
        child.stdout!.on("data", (d: Buffer) => {
            output += d.toString();
            const m = /^(\d+)\s*$/m.exec(output);
            if (m) resolve(Number(m[1]));
        });
        child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
        child.on("exit", (code) => reject(new Error(`policy pack ${dir} exited (${code}) before serving: ${output.trim().slice(0, 2000)}`)));
    });
    const client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <T>(method: string, req: unknown): Promise<T> =>
        new Promise((resolve, reject) => client[method](req, (err: Error | null, resp: T) => (err ? reject(new Error(`policy pack ${method}: ${err.message}`)) : resolve(resp))));
    try {
        const info: any = await call("getAnalyzerInfo", new Empty());
        // Validated as the engine does (config.ts) before Configure: a config it would refuse stops here, before any
        // resource is analyzed, with every problem.
        const pbConfig = (c: any) => ({ enforcementLevel: LEVELS[c.getEnforcementlevel()], properties: c.getProperties()?.toJavaScript() ?? {} });
        const pack: PackSchema = {
            name: info.getName(),
            version: info.getVersion(),
            supportsConfig: info.getSupportsconfig(),
            policies: info.getPoliciesList().map((p: any) => {
                const schema = p.getConfigschema?.();
                return {
                    name: p.getName(),
                    enforcementLevel: LEVELS[p.getEnforcementlevel()],
                    ...(schema ? { configSchema: { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() } } : {}),
                };
            }),
            // As the engine converts it (convertPolicyConfig): a level left unset in the proto reads as advisory.
            initialConfig: Object.fromEntries(Array.from(info.getInitialconfigMap?.()?.entries() ?? [], ([k, v]: [string, any]) => [k, pbConfig(v)])),
        };
        const configured = reconcilePackConfig(pack, options.config);
        const policies: PolicyInfo[] = info.getPoliciesList().map((p: any) => ({
            name: p.getName(),
            description: p.getDescription(),
            enforcementLevel: LEVELS[p.getEnforcementlevel()],
            configuredLevel: configured.get(p.getName())!.level,
            ...(SEVERITIES[p.getSeverity?.() ?? 0] ? { severity: SEVERITIES[p.getSeverity()] } : {}),
        }));
        const configure = new pb.ConfigureAnalyzerRequest();
        const map = configure.getPolicyconfigMap();
        for (const [name, entry] of configured) {
            const pc = new pb.PolicyConfig();
            pc.setEnforcementlevel(LEVELS.indexOf(entry.level));
            pc.setProperties(Struct.fromJavaScript(entry.properties as any));
            map.set(name, pc);
        }
        if (pack.supportsConfig) await call("configure", configure); // the engine configures only a pack that supports config

        const close = () => {
            client.close();
            child.kill("SIGTERM");
        };
        const analyze = async (resources: readonly PolicyResourceInput[]): Promise<PolicyViolation[]> => {
            // Each resource's properties and options are encoded once, for its Analyze and for AnalyzeStack (wire.ts).
            const wire: WireResource[] = resources.map((r) => {
                const o = new pb.AnalyzerResourceOptions();
                o.setProtect(r.protect ?? false);
                if (r.parent) o.setParent(r.parent);
                return {
                    type: r.type,
                    urn: r.urn,
                    name: r.name,
                    parent: r.parent,
                    properties: encodeStruct(r.props ?? {}),
                    options: o.serializeBinary(),
                    dependencies: r.dependencies,
                    propertyDependencies: r.propertyDependencies,
                };
            });
            // Both answer with an AnalyzeResponse; the requests go out as the bytes wire.ts wrote.
            const send = (method: "analyze" | "analyzeStack", bytes: Uint8Array): Promise<any> =>
                new Promise((resolve, reject) =>
                    client.makeUnaryRequest(
                        rpc.AnalyzerService[method].path,
                        (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
                        (b: Buffer) => pb.AnalyzeResponse.deserializeBinary(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
                        bytes,
                        (err: Error | null, resp: unknown) => (err ? reject(new Error(`policy pack ${method}: ${err.message}`)) : resolve(resp)),
                    ),
                );
            const violations: PolicyViolation[] = [];
            const collect = (resp: any, urn = "") => {
                for (const d of resp.getDiagnosticsList()) {
                    violations.push({
                        policy: d.getPolicyname(),
                        pack: d.getPolicypackname(),
                        enforcementLevel: LEVELS[d.getEnforcementlevel()],
                        urn: d.getUrn() || urn,
                        message: d.getMessage(),
                        description: d.getDescription(),
                        ...(SEVERITIES[d.getSeverity?.() ?? 0] ? { severity: SEVERITIES[d.getSeverity()] } : {}),
                    });
                }
            };
            // Analyze calls are independent (the engine sends them as resources register): keep a window of them in
            // flight instead of waiting out each round trip, and report diagnostics in resource order.
            const responses: unknown[] = new Array(resources.length);
            let next = 0;
            await Promise.all(
                Array.from({ length: Math.min(ANALYZE_WINDOW, resources.length) }, async () => {
                    while (next < resources.length) {
                        const i = next++;
                        responses[i] = await send("analyze", encodeAnalyzeRequest(wire[i]));
                    }
                }),
            );
            responses.forEach((resp, i) => collect(resp, resources[i].urn));
            collect(await send("analyzeStack", encodeAnalyzeStackRequest(wire)));
            return violations;
        };
        return { pack: info.getName(), version: info.getVersion(), policies, analyze, close };
    } catch (e) {
        client.close();
        child.kill("SIGTERM");
        throw e;
    }
}
