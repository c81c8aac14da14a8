/**
 * `keyfabric emulate`: the three KMS emulators on loopback until SIGINT/SIGTERM. The first line on stdout is the JSON
 * that `KEYFABRIC_EMULATORS` takes; with `--state FILE`, state is loaded at start and saved at exit.
 */
import { Command, InvalidArgumentError } from "commander";
import type { CliIo } from "./io";

function port(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`not a port (allowed: 0-65535, got: ${JSON.stringify(value)})`);
    return n;
}

export function registerEmulate(program: Command, io: CliIo, setExit: (code: number) => void): void {
    program
        .command("emulate")
        .description("Run local AWS KMS, Google Cloud KMS and Azure Key Vault emulators until interrupted")
        .option("--aws-port <n>", "AWS KMS port (default: a free port)", port)
        .option("--gcp-port <n>", "Cloud KMS gRPC port (default: a free port)", port)
        .option("--azure-port <n>", "Key Vault / Managed HSM / ARM port (default: a free port)", port)
        .option("--state <file>", "load state from this file at start and save it there at exit (test keys only)")
        .action(async (opts: { awsPort?: number; gcpPort?: number; azurePort?: number; state?: string }) => {
            const emulators = await import("../emulators");
            let set: Awaited<ReturnType<typeof emulators.startEmulators>>;
            try {
                const state = opts.state ? emulators.readStateFile(opts.state) : undefined;
                set = await emulators.startEmulators({ awsPort: opts.awsPort, gcpPort: opts.gcpPort, azurePort: opts.azurePort, state });
            } catch (e) {
                io.err(`error: ${(e as Error).message}`);
                setExit(1);
                return;
            }
            io.out(JSON.stringify(set.endpoints));
            await new Promise<void>((resolve) => {
                const stop = () => resolve();
                process.once("SIGINT", stop);
                process.once("SIGTERM", stop);
            });
            if (opts.state) emulators.writeStateFile(opts.state, set.snapshot());
            await set.stop();
        });
}
