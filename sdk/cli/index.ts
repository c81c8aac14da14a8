/**
 * The `keyfabric` command line.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { KeyfabricValidationError } from "../spec/errors";
import { previewProject, ProjectError } from "../preview/project";
import { Format, FORMATS, render } from "../preview/render";

import { registerByok } from "./byok";
import { registerDrift } from "./drift";
import { registerEmulate } from "./emulate";
import { CliIo, processIo } from "./io";

export type { CliIo };

const collect = (value: string, previous: string[]) => [...previous, value];

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
    let exitCode = 0;
    const program = new Command()
        .name("keyfabric")
        .description("Multi-cloud key management for Pulumi")
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

    program
        .command("preview")
        .description("Run a Pulumi TypeScript program offline under mocks and print its resources, hierarchy and summary")
        .argument("[dir]", "the Pulumi project directory", ".")
        .option("-s, --stack <name>", "the stack whose Pulumi.<stack>.yaml config to use")
        .addOption(
            new Option("-f, --format <format>", "output format").choices(FORMATS as unknown as string[]).default("text"),
        )
        .option("--policy-pack <dir>", "a policy pack to run, as the engine does (repeatable; default: the bundled key-management pack)", collect, [])
        .option("--policy-pack-config <file>", "config for the policy pack in the same position (repeatable)", collect, [])
        .option("--no-policy", "do not run policy packs")
        .option("--verbose", "print stack traces of errors")
        .action(async (dir: string, opts: { stack?: string; format: Format; verbose?: boolean; policy: boolean; policyPack: string[]; policyPackConfig: string[] }) => {
            try {
                const run = await previewProject(dir, { stack: opts.stack });
                let report;
                if (opts.policy) {
                    const { evaluatePolicies } = await import("../preview/policy");
                    const { DEFAULT_POLICY_PACK } = await import("../policy/analyzer");
                    const packs = opts.policyPack.length ? opts.policyPack : [DEFAULT_POLICY_PACK];
                    if (opts.policyPackConfig.length > packs.length) throw new Error("--policy-pack-config: more config files than policy packs (they pair up in order)");
                    report = await evaluatePolicies(run, packs.map((d, i) => ({ dir: d, configFile: opts.policyPackConfig[i] })));
                }
                io.out(render(run, opts.format, report));
                if (report && report.mandatory > 0) exitCode = 1;
            } catch (e) {
                io.err(describeError(e, opts.verbose === true));
                exitCode = 1;
            }
        });

    registerByok(program, io, (code) => (exitCode = code));
    registerEmulate(program, io, (code) => (exitCode = code));
    registerDrift(program, io, (code) => (exitCode = code));

    try {
        await program.parseAsync(["node", "keyfabric", ...argv]);
    } catch (e: any) {
        if (e?.code === "commander.helpDisplayed" || e?.code === "commander.version") return 0;
        if (e instanceof InvalidArgumentError || typeof e?.code === "string") return e.exitCode === 0 ? 0 : 1;
        io.err(describeError(e, false));
        return 1;
    }
    return exitCode;
}

/** An error for people: the message (validation reports list every problem), the stack only with --verbose. */
export function describeError(e: unknown, verbose: boolean): string {
    const err = unwrap(e);
    if (verbose && err instanceof Error && err.stack) return `error: ${err.stack}`;
    if (err instanceof KeyfabricValidationError || err instanceof ProjectError) return `error: ${err.message}`;
    if (err instanceof Error) return `error: ${err.message}`;
    return `error: ${String(err)}`;
}

/** Pulumi wraps program errors ("Running program ... failed with an unhandled exception"); keep the cause. */
function unwrap(e: unknown): unknown {
    let cur = e as any;
    for (let i = 0; i < 5 && cur && typeof cur === "object" && cur.cause; i++) cur = cur.cause;
    return cur;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
