/**
 * Runs a Pulumi program in-process against a mock resource monitor (`pulumi.runtime.setMocks`'s, made to answer as
 * the engine does: `monitor.ts`) and records every registered resource with its type, name, parent, inputs, options
 * and declaring source line: the engine boundary of `keyfabric preview` and of the tests.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/runtime/stack";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { EngineLogEntry, withEngineLog } from "./engineLog";
import { offlineInvoke } from "./invokes";
import { Assumption, EngineMonitor, OfflineInvoke, PreviewMode, RecordedCall, RecordedResource, SuppliedInvokes } from "./monitor";

export type { Assumption, PreviewMode, RecordedCall, RecordedResource, SourceLocation, SuppliedInvokes } from "./monitor";

export interface MockRun {
    readonly resources: RecordedResource[];
    readonly calls: RecordedCall[];
    readonly outputs: Record<string, unknown>;
    readonly project: string;
    readonly stack: string;
    readonly mode: PreviewMode;
    /** What the preview had to assume: cloud reads, secrets it could not decrypt, existing resources it read. */
    readonly assumptions: Assumption[];
    /** The program's entry, relative to the project directory (for reports). */
    readonly programPath?: string;
    /** The project directory (absolute), when run from a project. */
    readonly projectDir?: string;
    /** The program's `pulumi.log` warnings and errors (a KeyHierarchy's spec warnings among them), in order. */
    readonly warnings?: EngineLogEntry[];
}

export interface MockRunOptions {
    readonly project?: string;
    readonly stack?: string;
    /**
     * `preview`: as a first `pulumi preview` (ids and computed outputs unknown); `update`: as after `pulumi up`, with
     * plausible computed values (component tests that read outputs). @default "update"
     */
    readonly mode?: PreviewMode;
    /** Stack config as `namespace:key` -> value (objects are passed as JSON, as the CLI does). */
    readonly config?: Record<string, unknown>;
    /** Config keys whose values are secrets (`secure:` in the stack file). */
    readonly secretKeys?: readonly string[];
    /** The secret keys whose value is a placeholder: reading one is recorded as an assumption. */
    readonly placeholderKeys?: readonly string[];
    /** Invoke results supplied by the user (`--assume`). */
    readonly invokes?: SuppliedInvokes;
    /** Directories of library code besides `node_modules` (default: keyfabric's own `lib/` and `sdk/`). */
    readonly libraryDirs?: readonly string[];
}

/** Serialises runs: the Pulumi runtime is process-global. */
let queue: Promise<unknown> = Promise.resolve();

export function runUnderMocks(program: () => unknown, options: MockRunOptions = {}): Promise<MockRun> {
    const run = queue.then(() => withEngineLog(() => runOnce(program, options)));
    queue = run.catch(() => undefined);
    return run;
}

const KEYFABRIC_ROOT = path.resolve(__dirname, "..", "..");

async function runOnce(program: () => unknown, options: MockRunOptions): Promise<MockRun> {
    const project = options.project ?? "project";
    const stack = options.stack ?? "dev";
    const mode = options.mode ?? "update";
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.config ?? {})) config[k] = typeof v === "string" ? v : JSON.stringify(v);
    const monitor = new EngineMonitor({
        project,
        stack,
        mode,
        libraryDirs: options.libraryDirs ?? [path.join(KEYFABRIC_ROOT, "lib"), path.join(KEYFABRIC_ROOT, "sdk")],
        invokes: options.invokes,
        offlineInvoke: offlineInvokeFor(config),
    });
    settings.setMockOptions(monitor, project, stack, mode === "preview");
    // As setMocks does (the store is internal to @pulumi/pulumi).
    const store = (require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> }).getStore();
    Object.assign(store, {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsReplaceWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: false,
        supportsParameterization: true,
        supportsResourceHooks: true,
        supportsErrorHooks: true,
    });
    const secretKeys = new Set(options.secretKeys ?? []);
    pulumi.runtime.setAllConfig(config, [...secretKeys]);
    const restoreConfig = watchSecretReads(new Set(options.placeholderKeys ?? []), (key) =>
        monitor.assume({ kind: "config", subject: key, detail: `${key} is a secret (secure:) the preview cannot decrypt: the program read a placeholder, ${JSON.stringify(config[key])} (supply it with --assume)` }),
    );

    let failure: unknown;
    const onRejection = (reason: unknown) => {
        failure ??= reason;
    };
    process.on("unhandledRejection", onRejection);
    try {
        let programError: { error: unknown } | undefined;
        // As runInPulumiStack, but the exports are read with their unknowns (its promise() drops them all when one is).
        const root = new Stack(async () => {
            try {
                const result = await program();
                // A program's exports are its outputs; a lone resource returned by a test program is not.
                return (pulumi.Resource.isInstance(result) ? undefined : result) as pulumi.Inputs;
            } catch (error) {
                programError = { error };
                return undefined as unknown as pulumi.Inputs;
            }
        }) as unknown as { outputs: { promise(withUnknowns: boolean): Promise<Record<string, unknown> | undefined> } };
        const outputs = (await root.outputs.promise(true)) ?? {};
        await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        if (programError) throw programError.error;
        if (failure) throw failure;
        return {
            resources: monitor.recorded,
            calls: monitor.calls,
            outputs: await resolveOutputs(outputs as Record<string, unknown>),
            project,
            stack,
            mode,
            assumptions: monitor.assumptions,
        };
    } finally {
        restoreConfig();
        process.off("unhandledRejection", onRejection);
    }
}

/** Records reads of the given config keys (the runtime reads every key through `runtime/config.getConfig`). */
function watchSecretReads(keys: ReadonlySet<string>, onRead: (key: string) => void): () => void {
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { getConfig(k: string): string | undefined };
    const original = runtimeConfig.getConfig;
    if (keys.size === 0) return () => undefined;
    runtimeConfig.getConfig = (k: string) => {
        const v = original(k);
        if (v !== undefined && keys.has(k)) onRead(k);
        return v;
    };
    return () => {
        runtimeConfig.getConfig = original;
    };
}

function offlineInvokeFor(config: Record<string, string>): OfflineInvoke {
    return (token, inputs) => offlineInvoke(token, inputs, { config: (k: string) => config[k] });
}

/** Exports as known values; a value (or part of one) still unknown at preview is left `undefined`. */
async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const known = (v: unknown): unknown => {
        if (pulumi.Output.isInstance(v) || v === (pulumi as unknown as { unknown?: unknown }).unknown) return undefined;
        if (v && typeof v === "object" && (v as object).constructor?.name === "Unknown") return undefined;
        if (Array.isArray(v)) return v.map(known);
        if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, known(x)]));
        return v;
    };
    return known(outputs) as Record<string, unknown>;
}

/** Resource lookups for tests and renderers. */
export function byType(run: MockRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function byName(run: MockRun, name: string): RecordedResource {
    const found = run.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}; have: ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
}
