/**
 * Runs a Pulumi program in-process under `pulumi.runtime.setMocks` and records every registered resource with
 * its type, name, parent, inputs and options: the engine boundary of `keyfabric preview` and of the tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { mockCall, mockResource } from "./mocks";

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Parent URN (the stack for top-level resources). */
    readonly parent: string;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    readonly id?: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly provider?: string;
    /** The `replacementTrigger` option's value, when set. */
    readonly replacementTrigger?: unknown;
}

export interface RecordedCall {
    readonly token: string;
    readonly inputs: Record<string, any>;
}

export interface MockRun {
    readonly resources: RecordedResource[];
    readonly calls: RecordedCall[];
    readonly outputs: Record<string, unknown>;
    readonly project: string;
    readonly stack: string;
    /** The program's entry, relative to the project directory (for reports). */
    readonly programPath?: string;
}

export interface MockRunOptions {
    readonly project?: string;
    readonly stack?: string;
    /** Stack config as `namespace:key` -> value (objects are passed as JSON, as the CLI does). */
    readonly config?: Record<string, unknown>;
}

/** Serialises runs: the Pulumi runtime is process-global. */
let queue: Promise<unknown> = Promise.resolve();

export function runUnderMocks(program: () => unknown, options: MockRunOptions = {}): Promise<MockRun> {
    const run = queue.then(() => runOnce(program, options));
    queue = run.catch(() => undefined);
    return run;
}

async function runOnce(program: () => unknown, options: MockRunOptions): Promise<MockRun> {
    const project = options.project ?? "project";
    const stack = options.stack ?? "dev";
    const inputsByName = new Map<string, { inputs: Record<string, any>; id: string }>();
    const calls: RecordedCall[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const result = mockResource(args);
                inputsByName.set(`${args.type}::${args.name}`, { inputs: args.inputs, id: result.id });
                return result;
            },
            call(args) {
                calls.push({ token: args.token, inputs: args.inputs });
                return mockCall(args);
            },
        },
        project,
        stack,
        true,
    );
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.config ?? {})) config[k] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(config, []);

    const resources: RecordedResource[] = [];
    const monitor = settings.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
        register(req, (err: any, resp: any) => {
            if (!err && resp && req.getType() !== "pulumi:pulumi:Stack") {
                const recorded = inputsByName.get(`${req.getType()}::${req.getName()}`);
                resources.push({
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    inputs: recorded?.inputs ?? {},
                    id: recorded?.id || undefined,
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    provider: req.getProvider() || undefined,
                    replacementTrigger: req.getReplacementTrigger?.()?.toJavaScript(),
                });
            }
            callback(err, resp);
        });

    let failure: unknown;
    const onRejection = (reason: unknown) => {
        failure ??= reason;
    };
    process.on("unhandledRejection", onRejection);
    try {
        let programError: { error: unknown } | undefined;
        const outputs =
            (await runInPulumiStack(async () => {
                try {
                    const result = await program();
                    // A program's exports are its outputs; a lone resource returned by a test program is not.
                    return pulumi.Resource.isInstance(result) ? undefined : result;
                } catch (error) {
                    programError = { error };
                    return undefined;
                }
            })) ?? {};
        await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        if (programError) throw programError.error;
        if (failure) throw failure;
        return { resources, calls, outputs: await resolveOutputs(outputs), project, stack };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const resolved: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs)) {
        resolved[k] = await new Promise((resolve) => (pulumi.output(v) as pulumi.Output<unknown>).apply((x: unknown) => resolve(x)));
    }
    return resolved;
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
