/**
 * The `keyfabric` command line.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, InvalidArgumentError } from "commander";
import { styler } from "../terminal";
import { registerByok } from "./byok";
import { registerDrift } from "./drift";
import { registerEmulate } from "./emulate";
import { describeError } from "./errors";
import { describeProgram } from "./help";
import { CliIo, processIo } from "./io";
import { registerPreview } from "./preview";

export type { CliIo };
export { describeError };

/** The package's version, from its package.json (sdk/cli/ and lib/cli/ are both two levels below it). */
export function packageVersion(): string {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
}

/**
 * The AWS SDK warns once per process, on Node < 22, that its releases after January 2027 need Node 22 (@aws-sdk/core
 * emitWarningIfUnsupportedVersion: seven lines on stderr at the first client). The CLI's output is reports and
 * error lines that CI reads, so the CLI turns that one warning off the way AWS documents
 * (aws/aws-sdk-js-v3#7983: AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true), unless the variable is set
 * already. Every other warning still reaches stderr.
 */
export const AWS_NODE_WARNING_ENV = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
    process.env[AWS_NODE_WARNING_ENV] ??= "true";
    const errStyle = styler(io.errColour === true);
    // "error:" and "warning:" at the start of a line in red / yellow on a terminal that takes colour.
    const cli: CliIo = {
        out: (t) => io.out(t),
        err: (t) => io.err(io.errColour ? t.replace(/^(error|warning):/gm, (m) => errStyle(m === "error:" ? ["bold", "red"] : ["bold", "yellow"], m)) : t),
        outColour: io.outColour,
        errColour: io.errColour,
        columns: io.columns,
        progress: io.progress,
    };
    let exitCode = 0;
    const program = describeProgram(new Command(), styler(io.outColour === true))
        .name("keyfabric")
        .description("Multi-cloud key management for Pulumi")
        .version(packageVersion(), "-V, --version", "print keyfabric's version")
        .exitOverride()
        .configureOutput({
            writeOut: (s) => cli.out(s),
            writeErr: (s) => cli.err(s),
            getOutHasColors: () => io.outColour === true,
            getErrHasColors: () => io.errColour === true,
            getOutHelpWidth: () => io.columns ?? 80,
            getErrHelpWidth: () => io.columns ?? 80,
        });

    registerPreview(program, cli, (code) => (exitCode = code));
    registerByok(program, cli, (code) => (exitCode = code));
    registerEmulate(program, cli, (code) => (exitCode = code));
    registerDrift(program, cli, (code) => (exitCode = code));
    require("./hsm").registerHsm(program, cli, (code: number) => (exitCode = code));

    try {
        await program.parseAsync(["node", "keyfabric", ...argv]);
    } catch (e: any) {
        if (e?.code === "commander.helpDisplayed" || e?.code === "commander.version") return 0;
        if (e instanceof InvalidArgumentError || typeof e?.code === "string") return e.exitCode === 0 ? 0 : 1;
        cli.err(describeError(e, false));
        return 1;
    }
    return exitCode;
}

/**
 * Exits with `code` once stdout and stderr have handed everything written to the OS: `process.exit()` at once drops
 * what a pipe has not taken yet (writes to pipes are asynchronous: a `--format sarif` report of 150 KB piped to a
 * file or another program was cut short on Node 24). A write's callback runs after the writes before it.
 */
export function exitWhenFlushed(code: number): void {
    let pending = 2;
    const flushed = () => {
        if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", flushed);
    process.stderr.write("", flushed);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(exitWhenFlushed);
}
