/**
 * The resource monitor `keyfabric preview` runs programs against: `@pulumi/pulumi`'s `MockMonitor` made to answer as
 * the engine does at a first `pulumi preview`.
 *
 * - URNs as the engine builds them (`urn.ts`).
 * - `preview` mode: a new resource's id and every output the provider computes are unknown, inputs echo (unknowns
 *   and secrets kept as the SDK sent them), and names the provider makes up are filled in (`autonames.ts`). The
 *   program sees exactly what a first preview gives it: `apply` callbacks on unknown values do not run.
 * - `update` mode: plausible ids and computed outputs per type (`mocks.ts`), as after `pulumi up`; for tests that
 *   look at outputs.
 * - Invokes: supplied results (`--assume`), else the provider's own result where it computes it locally (a policy
 *   document, an IAM policy), else a plausible value recorded as an assumption (`invokes/`), else the inputs echoed,
 *   recorded as an assumption too.
 * - Each registration is recorded with its inputs as the engine sends them to policy packs (unknowns as the unknown
 *   sentinel, secrets wrapped) and the position in the program that declared it.
 */
import * as path from "path";
import { fileURLToPath } from "url";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { previewState, withAutoName } from "./autonames";
import { mockCall, mockResource } from "./mocks";
import { newUrn, ROOT_STACK_TYPE } from "./urn";

export type PreviewMode = "preview" | "update";

export interface SourceLocation {
    /** Absolute path. */
    readonly file: string;
    readonly line: number;
    readonly column: number;
}

/** A value the preview had to assume because only the cloud or the stack's secrets provider knows it. */
export interface Assumption {
    readonly kind: "invoke" | "config" | "read";
    /** The invoke token, config key, or URN read. */
    readonly subject: string;
    readonly detail: string;
}

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Parent URN (the stack for top-level resources). */
    readonly parent: string;
    readonly custom: boolean;
    /** Inputs as the program declared them (unknowns as `pulumi.unknown` in preview mode). */
    readonly inputs: Record<string, any>;
    /**
     * Inputs as the engine sends them to a policy pack after the provider's Check: auto-names filled in, unknown values
     * as the unknown sentinel, secrets wrapped.
     */
    readonly props: Record<string, unknown>;
    readonly id?: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly provider?: string;
    /** The `replacementTrigger` option's value, when set. */
    readonly replacementTrigger?: unknown;
    /** Where the program declares it: its own registration's first program frame, else its nearest ancestor's. */
    readonly source?: SourceLocation;
    /** The URNs it depends on, as the SDK registered them (inputs' resources and `dependsOn`). */
    readonly dependencies: readonly string[];
    /** Input property -> the URNs of the resources its value came from (only properties that have some). */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

export interface RecordedCall {
    readonly token: string;
    readonly inputs: Record<string, any>;
}

/** Results of invokes supplied by the user (`--assume`), merged over what the preview would otherwise use. */
export type SuppliedInvokes = Readonly<Record<string, Record<string, unknown>>>;

export type OfflineInvoke = (token: string, inputs: Record<string, unknown>) =>
    | { kind: "local"; result: Record<string, unknown> }
    | { kind: "assumed"; result: Record<string, unknown>; assumption: string }
    | undefined;

export interface MonitorOptions {
    readonly project: string;
    readonly stack: string;
    readonly mode: PreviewMode;
    /** Files under these directories (and any `node_modules`) are library code, not the program. */
    readonly libraryDirs: readonly string[];
    readonly invokes?: SuppliedInvokes;
    readonly offlineInvoke?: OfflineInvoke;
}

type Callback = (err: unknown, resp?: unknown) => void;

export class EngineMonitor extends MockMonitor {
    readonly recorded: RecordedResource[] = [];
    readonly calls: RecordedCall[] = [];
    readonly assumptions: Assumption[] = [];
    private readonly byUrn = new Map<string, RecordedResource>();
    private readonly assumed = new Set<string>();

    constructor(private readonly options: MonitorOptions) {
        super({ newResource: () => ({ id: undefined, state: {} }), call: () => ({}) });
    }

    assume(a: Assumption): void {
        const key = `${a.kind}\u0000${a.subject}\u0000${a.detail}`;
        if (this.assumed.has(key)) return;
        this.assumed.add(key);
        this.assumptions.push(a);
    }

    private urn(parent: string, type: string, name: string): string {
        return newUrn(this.options.stack, this.options.project, parent || undefined, type, name);
    }

    private response(kind: "register" | "read", urn: string, id: string | undefined, object: Record<string, unknown>): any {
        const resproto = require("@pulumi/pulumi/proto/resource_pb");
        const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
        const resp = kind === "register" ? new resproto.RegisterResourceResponse() : new resproto.ReadResourceResponse();
        resp.setUrn(urn);
        if (kind === "register") {
            resp.setId(id ?? "");
            resp.setObject(Struct.fromJavaScript(object));
        } else {
            resp.setProperties(Struct.fromJavaScript(object));
        }
        return resp;
    }

    async registerResource(req: any, callback: Callback): Promise<void> {
        try {
            const type: string = req.getType();
            const name: string = req.getName();
            const parent: string = req.getParent();
            const custom: boolean = req.getCustom();
            const urn = this.urn(parent, type, name);
            const sent: Record<string, unknown> = req.getObject()?.toJavaScript() ?? {};
            const props = custom && type !== ROOT_STACK_TYPE ? withAutoName(type, urn, name, sent) : sent;
            // What the program declared (tests read these); `props` adds what the provider's Check fills in.
            const inputs = rpc.deserializeProperties(req.getObject());

            let id: string | undefined;
            let state: Record<string, unknown>;
            if (!custom) {
                state = props;
            } else if (this.options.mode === "preview") {
                // A first preview: the provider has created nothing, so its id and computed outputs are unknown.
                id = req.getImportid() || undefined;
                state = previewState(type, props, rpc.unknownValue);
            } else {
                const checked = props === sent ? inputs : rpc.deserializeProperties(structOf(props));
                const result = mockResource({ type, name, inputs: checked, custom, provider: req.getProvider(), id: req.getImportid() } as MockResourceArgs);
                id = result.id;
                state = await rpc.serializeProperties("", result.state);
            }
            (this as any).resources.set(urn, { urn, id: id ?? null, state });
            if (type !== ROOT_STACK_TYPE) this.record(req, { urn, type, name, parent, custom, inputs, props, id });
            callback(null, this.response("register", urn, id, state));
        } catch (err) {
            callback(err);
        }
    }

    async readResource(req: any, callback: Callback): Promise<void> {
        try {
            const type: string = req.getType();
            const name: string = req.getName();
            const urn = this.urn(req.getParent(), type, name);
            const inputs = rpc.deserializeProperties(req.getProperties());
            const result = mockResource({ type, name, inputs, custom: true, provider: req.getProvider(), id: req.getId() } as MockResourceArgs);
            this.assume({ kind: "read", subject: urn, detail: `the state of existing ${type} ${JSON.stringify(req.getId())} is read from the cloud at preview; offline it is a plausible placeholder` });
            const state = await rpc.serializeProperties("", result.state);
            (this as any).resources.set(urn, { urn, id: result.id ?? null, state });
            callback(null, this.response("read", urn, undefined, state));
        } catch (err) {
            callback(err);
        }
    }

    async invoke(req: any, callback: Callback): Promise<void> {
        const token: string = req.getTok();
        if (token === "pulumi:pulumi:getResource") return super.invoke(req, callback);
        try {
            const inputs = rpc.deserializeProperties(req.getArgs());
            this.calls.push({ token, inputs });
            const result = this.invokeResult(token, inputs);
            const provproto = require("@pulumi/pulumi/proto/provider_pb");
            const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
            const response = new provproto.InvokeResponse();
            response.setReturn(Struct.fromJavaScript(await rpc.serializeProperties("", result)));
            callback(null, response);
        } catch (err) {
            callback(err);
        }
    }

    private invokeResult(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
        const supplied = this.options.invokes?.[token];
        const offline = this.options.offlineInvoke?.(token, inputs);
        if (offline?.kind === "local") return supplied ? { ...offline.result, ...supplied } : offline.result;
        if (supplied) return { ...(offline?.result ?? mockCall({ token, inputs } as any)), ...supplied };
        if (offline) {
            this.assume({ kind: "invoke", subject: token, detail: offline.assumption });
            return offline.result;
        }
        const fallback = mockCall({ token, inputs } as any);
        this.assume({
            kind: "invoke",
            subject: token,
            detail:
                fallback === inputs
                    ? `${token} reads the cloud and has no offline model: its result was taken to be its inputs (supply it with --assume)`
                    : `${token} reads the cloud: a plausible result was assumed (supply it with --assume)`,
        });
        return fallback;
    }

    private record(req: any, base: Omit<RecordedResource, "protect" | "retainOnDelete" | "provider" | "replacementTrigger" | "source" | "dependencies" | "propertyDependencies">): void {
        const source = this.programFrame(req) ?? this.byUrn.get(base.parent)?.source;
        const propertyDependencies: Record<string, string[]> = {};
        for (const [key, deps] of (req.getPropertydependenciesMap?.()?.entries?.() ?? []) as Iterable<[string, any]>) {
            const urns: string[] = deps.getUrnsList();
            if (urns.length) propertyDependencies[key] = urns;
        }
        const r: RecordedResource = {
            ...base,
            id: base.id || undefined,
            protect: req.getProtect() === true,
            retainOnDelete: req.getRetainondelete() === true,
            provider: req.getProvider() || undefined,
            replacementTrigger: req.getReplacementTrigger?.()?.toJavaScript(),
            ...(source ? { source } : {}),
            dependencies: req.getDependenciesList?.() ?? [],
            propertyDependencies,
        };
        this.recorded.push(r);
        this.byUrn.set(r.urn, r);
    }

    /** The innermost frame of the registration's stack trace that is in the program, not in a library. */
    private programFrame(req: any): SourceLocation | undefined {
        const frames: any[] = req.getStacktrace?.()?.getFramesList?.() ?? [];
        const positions = frames.map((f) => f.getPc?.()).filter(Boolean);
        const first = req.getSourceposition?.();
        for (const pos of first ? [first, ...positions] : positions) {
            const uri: string = pos.getUri();
            if (!uri.startsWith("file:")) continue;
            const file = fileURLToPath(uri);
            if (this.isLibrary(file)) continue;
            return { file, line: pos.getLine(), column: pos.getColumn() };
        }
        return undefined;
    }

    private isLibrary(file: string): boolean {
        if (file.split(path.sep).includes("node_modules")) return true;
        return this.options.libraryDirs.some((d) => file === d || file.startsWith(d + path.sep));
    }
}

/** A plain object as the `Struct` the RPC layer would hand the monitor. */
function structOf(obj: Record<string, unknown>): any {
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    return Struct.fromJavaScript(obj);
}
