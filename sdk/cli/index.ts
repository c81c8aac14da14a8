/**
 * The `keyfabric` command line.
 */
import { Command, InvalidArgumentError } from "commander";
import { registerByok } from "./byok";
import { registerDrift } from "./drift";
import { registerEmulate } from "./emulate";
import { describeError } from "./errors";
import { CliIo, processIo } from "./io";
import { registerPreview } from "./preview";

export type { CliIo };
export { describeError };

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
    let exitCode = 0;
    const program = new Command()
        .name("keyfabric")
        .description("Multi-cloud key management for Pulumi")
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

    registerPreview(program, io, (code) => (exitCode = code));
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

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
