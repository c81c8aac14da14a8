/**
 * `keyfabric preview [dir]`: runs a Pulumi TypeScript program offline as a first `pulumi preview` would (engine-twin
 * monitor, type-checked as the language host does), runs policy packs as the engine does, and reports. Exit 0: no
 * mandatory violation; 1: a mandatory violation, a mandatory rule left undecided with `--fail-on-unknown`, or an
 * error (the last line of stderr says which).
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { Command, Option } from "commander";
import { describeError } from "./errors";
import { HELP } from "./help";
import { CliIo } from "./io";
import type { Format } from "../preview/render";
import { plural } from "../terminal";

const FORMATS = ["text", "json", "markdown", "mermaid", "sarif"] as const;
const collect = (value: string, previous: string[]) => [...previous, value];

interface PreviewOpts {
    stack?: string;
    format: Format;
    verbose?: boolean;
    policy: boolean;
    policyPack: string[];
    policyPackConfig: string[];
    transpileOnly?: boolean;
    assume?: string;
    failOnUnknown?: boolean;
    sarifRoot?: string;
}

/** The repository root SARIF paths are relative to: the git top level of the project, else the project. */
function gitTopLevel(dir: string): string | undefined {
    try {
        const { childProcessEnv } = require("../byok/sources") as typeof import("../byok/sources");
        return execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: dir, env: childProcessEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 }).trim() || undefined;
    } catch {
        return undefined;
    }
}

const nameOf = (urn: string) => (urn ? urn.split("::").slice(3).join("::") : "stack");

export function registerPreview(program: Command, io: CliIo, setExit: (code: number) => void): void {
    program
        .command("preview")
        .description("Run a Pulumi TypeScript program offline as a first `pulumi preview` would, with policy packs, and report")
        .argument("[dir]", "the Pulumi project directory", ".")
        .option("-s, --stack <name>", "the stack whose Pulumi.<stack>.yaml config to use")
        .addOption(new Option("-f, --format <format>", "output format").choices(FORMATS as unknown as string[]).default("text"))
        .option("--policy-pack <dir>", "a policy pack to run, as the engine does (repeatable; default: the bundled key-management pack)", collect, [])
        .option("--policy-pack-config <file>", "config for the policy pack in the same position (repeatable)", collect, [])
        .option("--no-policy", "do not run policy packs")
        .option("--fail-on-unknown", "exit 1 when a mandatory rule could not be evaluated because a value is unknown at preview")
        .option("--assume <file>", "YAML/JSON with invoke results and secret config values the preview cannot know offline")
        .option("--transpile-only", "do not type-check the program (as PULUMI_NODEJS_TRANSPILE_ONLY=true)")
        .option("--sarif-root <dir>", "the directory SARIF paths are relative to (default: the git top level, else the project)")
        .option("--verbose", "print stack traces of errors")
        .addHelpText("after", HELP.preview)
        .action(async (dir: string, opts: PreviewOpts) => {
            try {
                setExit(await preview(dir, opts, io));
            } catch (e) {
                io.err(describeError(e, opts.verbose === true));
                setExit(1);
            }
        });
}

async function preview(dir: string, opts: PreviewOpts, io: CliIo): Promise<number> {
    if (!opts.policy && (opts.policyPack.length || opts.policyPackConfig.length || opts.failOnUnknown)) {
        const given = [opts.policyPack.length && "--policy-pack", opts.policyPackConfig.length && "--policy-pack-config", opts.failOnUnknown && "--fail-on-unknown"].filter(Boolean).join(", ");
        throw new Error(`--no-policy cannot be combined with ${given}: drop one`);
    }
    const { DEFAULT_POLICY_PACK } = await import("../policy/analyzer");
    const packs = opts.policy ? (opts.policyPack.length ? opts.policyPack : [DEFAULT_POLICY_PACK]) : [];
    if (opts.policyPackConfig.length > packs.length) throw new Error("--policy-pack-config: more config files than policy packs (they pair up in order)");
    const { readAssumptions } = await import("../preview/assume");
    const assumptions = opts.assume ? readAssumptions(opts.assume) : undefined;

    // As the engine does, the packs start and their config is checked before the program runs.
    const { openPacks } = await import("../preview/policy");
    const open = packs.length ? await openPacks(packs.map((d, i) => ({ dir: d, configFile: opts.policyPackConfig[i] }))) : undefined;
    let run;
    let report;
    try {
        const { previewProject } = await import("../preview/project");
        run = await previewProject(dir, { stack: opts.stack, transpileOnly: opts.transpileOnly, assumptions });
        report = open ? await open.evaluate(run) : undefined;
    } finally {
        open?.close();
    }
    const { render } = await import("../preview/render");
    const sarifRoot = path.resolve(opts.sarifRoot ?? gitTopLevel(run.projectDir ?? dir) ?? run.projectDir ?? dir);
    io.out((render as (...a: unknown[]) => string)(run, opts.format, report, { sarifRoot, colour: io.outColour === true, width: io.columns }));
    if (!report) return 0;
    const reasons: string[] = [];
    const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
    if (mandatory.length) reasons.push(`${plural(mandatory.length, "mandatory policy violation")}: ${mandatory.map((v) => `${v.policy} (${nameOf(v.urn)})`).join(", ")}`);
    const undecided = opts.failOnUnknown ? report.notEvaluated.filter((n) => n.enforcementLevel === "mandatory") : [];
    if (undecided.length) reasons.push(`${plural(undecided.length, "mandatory policy", "mandatory policies")} not evaluated (value unknown at preview; --fail-on-unknown): ${undecided.map((n) => `${n.policy} (${nameOf(n.urn)}: ${n.property})`).join(", ")}`);
    if (reasons.length === 0) return 0;
    io.err(`error: ${reasons.join("; ")}`);
    return 1;
}
