/**
 * Runs a CrossGuard policy pack the way the Pulumi engine does: starts the pack as its analyzer gRPC server
 * (`@pulumi/pulumi/cmd/run-policy-pack`, what `pulumi-analyzer-policy` runs), asks GetAnalyzerInfo, sends Configure
 * with the pack config, then Analyze for every resource and AnalyzeStack once with all of them.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeStruct, WireResource } from "./wire";

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
}

export type EnforcementLevelName = "advisory" | "mandatory" | "disabled" | "remediate";

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
    readonly enforcementLevel: EnforcementLevelName;
    readonly severity?: string;
}

export interface PackRun {
    readonly pack: string;
    readonly version: string;
    readonly policies: PolicyInfo[];
    readonly violations: PolicyViolation[];
}

/** Pack config as `--policy-pack-config` files hold it: `{ "all"?: level, "<policy>": level | {enforcementLevel?, ...props} }`. */
export type PackConfig = Record<string, EnforcementLevelName | ({ enforcementLevel?: EnforcementLevelName } & Record<string, unknown>)>;

/** Analyze calls in flight at once. */
const ANALYZE_WINDOW = 64;

const LEVELS: EnforcementLevelName[] = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES = ["", "low", "medium", "high", "critical"];

export function readPackConfig(file: string): PackConfig {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`policy pack config ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "is not valid JSON"}`);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`policy pack config ${file}: must be a JSON object of policy names`);
    return parsed as PackConfig;
}

export async function runPolicyPack(packDir: string, resources: readonly PolicyResourceInput[], options: { config?: PackConfig } = {}): Promise<PackRun> {
    const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
    const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const pb = require("@pulumi/pulumi/proto/analyzer_pb");
    const dir = path.resolve(packDir);
    if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) throw new Error(`${dir} is not a policy pack (no PulumiPolicy.yaml)`);

    const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
    });
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
        const policies: PolicyInfo[] = info.getPoliciesList().map((p: any) => ({
            name: p.getName(),
            description: p.getDescription(),
            enforcementLevel: LEVELS[p.getEnforcementlevel()],
            ...(SEVERITIES[p.getSeverity?.() ?? 0] ? { severity: SEVERITIES[p.getSeverity()] } : {}),
        }));
        // As the engine does: each policy's config is its schema's defaults with the pack config on top.
        const defaults = new Map<string, Record<string, unknown>>(
            info.getPoliciesList().map((p: any) => {
                const schema = p.getConfigschema?.()?.getProperties?.()?.toJavaScript() ?? {};
                const d = Object.fromEntries(Object.entries(schema as Record<string, any>).filter(([, v]) => v && typeof v === "object" && "default" in v).map(([k, v]) => [k, v.default]));
                return [p.getName(), d];
            }),
        );
        const configure = new pb.ConfigureAnalyzerRequest();
        const map = configure.getPolicyconfigMap();
        for (const p of policies) {
            const entry = policyConfig(options.config ?? {}, p);
            const pc = new pb.PolicyConfig();
            pc.setEnforcementlevel(LEVELS.indexOf(entry.level));
            pc.setProperties(Struct.fromJavaScript({ ...defaults.get(p.name), ...entry.properties } as any));
            map.set(p.name, pc);
        }
        await call("configure", configure);

        // Each resource's properties and options are encoded once, for its Analyze and for AnalyzeStack (wire.ts).
        const wire: WireResource[] = resources.map((r) => {
            const o = new pb.AnalyzerResourceOptions();
            o.setProtect(r.protect ?? false);
            if (r.parent) o.setParent(r.parent);
            return { type: r.type, urn: r.urn, name: r.name, parent: r.parent, properties: encodeStruct(r.props ?? {}), options: o.serializeBinary() };
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
        return { pack: info.getName(), version: info.getVersion(), policies, violations };
    } finally {
        client.close();
        child.kill("SIGTERM");
    }
}

/** The level and properties the engine sends for one policy: its own entry, else `all`, else the policy's default. */
function policyConfig(config: PackConfig, policy: PolicyInfo): { level: EnforcementLevelName; properties: Record<string, unknown> } {
    const own = config[policy.name];
    const all = config.all;
    const levelOf = (v: unknown) => (typeof v === "string" ? (v as EnforcementLevelName) : (v as { enforcementLevel?: EnforcementLevelName } | undefined)?.enforcementLevel);
    const level = levelOf(own) ?? levelOf(all) ?? policy.enforcementLevel;
    if (!LEVELS.includes(level)) throw new Error(`policy pack config: ${policy.name}: enforcement level must be one of ${LEVELS.join(", ")} (got: ${JSON.stringify(level)})`);
    const properties = own && typeof own === "object" ? Object.fromEntries(Object.entries(own).filter(([k]) => k !== "enforcementLevel")) : {};
    return { level, properties };
}
