/**
 * `keyfabric drift --state FILE`: compares a stack export's key resources with the live clouds. Exit 0: no drift;
 * 2: drift found (the report lists it); 1: an error (unreadable state, bad option, a client that cannot be built,
 * a policy pack that fails, a cloud that cannot be used, the --timeout deadline), with a message that says which
 * file, resource or cloud and why. After a cloud error or the deadline the report of what was checked is printed
 * too, then one `error:` line per cloud (and one for the deadline).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { DriftFormat } from "../drift/render";
import { HELP } from "./help";
import { CliIo } from "./io";

const FORMATS = ["text", "json", "markdown", "sarif"] as const;

const intIn = (name: string, min: number, max: number) => (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max} (got: ${JSON.stringify(value)})`);
    return n;
};

function isoTime(value: string): number {
    const t = Date.parse(value);
    if (Number.isNaN(t)) throw new InvalidArgumentError(`not an ISO 8601 date-time (e.g. 2027-01-31T00:00:00Z; got: ${JSON.stringify(value)})`);
    return t;
}

/** A progress bar (cli-progress) on stderr, only when stderr is a terminal; cleared when done. */
function terminalProgress(enabled: boolean): { update(done: number, total: number): void; end(): void } {
    if (!enabled || !process.stderr.isTTY) return { update: () => undefined, end: () => undefined };
    const { SingleBar, Presets } = require("cli-progress") as typeof import("cli-progress");
    const bar = new SingleBar({ format: "checking key resources [{bar}] {value}/{total}", clearOnComplete: true, stream: process.stderr, fps: 10 }, Presets.legacy);
    let started = false;
    return {
        update(done, total) {
            if (!started) {
                bar.start(total, done);
                started = true;
            } else bar.update(done);
        },
        end() {
            if (started) bar.stop();
        },
    };
}

export function registerDrift(program: Command, io: CliIo, setExit: (code: number) => void): void {
    program
        .command("drift")
        .description("Compare a stack's key resources (from pulumi stack export) with the live clouds; exit 0 no drift, 2 drift, 1 error")
        .requiredOption("--state <file>", "the output of pulumi stack export, deployment version 3")
        .addOption(new Option("-f, --format <format>", "output format").choices([...FORMATS]).default("text"))
        .option("--expiry-warning-days <n>", "report imported material and Key Vault keys expiring within N days", intIn("--expiry-warning-days", 0, 3650), 30)
        .option("--concurrency <n>", "resources checked at once", intIn("--concurrency", 1, 256), 8)
        .option("--policy-pack <dir>", "the policy pack to re-run over the live state (default: the bundled key-management pack)")
        .option("--policy-pack-config <file>", "policy pack config (JSON, as for pulumi preview --policy-pack-config)")
        .option("--no-policy", "do not re-run the policy pack (no policy-violation findings)")
        .option("--now <iso>", "evaluate time-based findings (expiry, overdue rotation) as of this time (default: now)", isoTime)
        .option("--timeout <seconds>", "stop after this long, report what was checked and exit 1", intIn("--timeout", 1, 86_400), 300)
        .option("--call-timeout <seconds>", "time one cloud call may take, the SDK's retries included; a cloud that does not answer within it is an error", intIn("--call-timeout", 1, 600), 30)
        .option("--no-progress", "no progress line on a terminal")
        .addHelpText("after", HELP.drift)
        .action(
            async (opts: {
                state: string;
                format: DriftFormat;
                expiryWarningDays: number;
                concurrency: number;
                policyPack?: string;
                policyPackConfig?: string;
                policy: boolean;
                now?: number;
                timeout: number;
                callTimeout: number;
                progress: boolean;
            }) => {
                const progress = terminalProgress(opts.progress && io.progress === true);
                try {
                    const { detectDrift, errorLines, readStackExport, renderDrift } = await import("../drift");
                    const state = readStackExport(opts.state);
                    let config: Record<string, unknown> | undefined;
                    if (opts.policy && opts.policyPack) (await import("../drift/policy")).checkPolicyPackDir(opts.policyPack);
                    if (opts.policy && opts.policyPackConfig) {
                        const { readPackConfig } = await import("../policy/analyzer");
                        config = readPackConfig(opts.policyPackConfig);
                    }
                    const report = await detectDrift(state, {
                        now: opts.now,
                        expiryWarningDays: opts.expiryWarningDays,
                        concurrency: opts.concurrency,
                        timeoutMs: opts.timeout * 1000,
                        callTimeoutMs: opts.callTimeout * 1000,
                        policy: opts.policy ? { ...(opts.policyPack ? { packDir: opts.policyPack } : {}), ...(config ? { config } : {}) } : false,
                        onProgress: (done, total) => progress.update(done, total),
                    });
                    progress.end();
                    io.out(renderDrift(report, opts.format, { colour: io.outColour === true }));
                    // The report covers what was checked; a cloud that could not be used or the deadline is an error.
                    for (const line of errorLines(report)) io.err(`error: ${line}`);
                    setExit(report.errors.length > 0 ? 1 : report.findings.length > 0 ? 2 : 0);
                } catch (e) {
                    progress.end();
                    io.err(`error: ${(e as Error)?.message ?? String(e)}`);
                    setExit(1);
                }
            },
        );
}
