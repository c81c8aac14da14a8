/**
 * `keyfabric emulate`: the three KMS emulators on loopback until SIGINT, SIGTERM or SIGHUP. The first line on stdout
 * is the JSON that `KEYFABRIC_EMULATORS` takes. With `--state FILE`, the file is validated in full before any port
 * is opened (a missing file is an empty start, a missing directory an error), the state is saved atomically within
 * 100 ms of each change and at exit, and a save that fails is reported on stderr while the emulators keep serving.
 * Azure vaults and Managed HSMs for unmodified clients get ports of their own (a default vault and HSM, plus
 * `--azure-vault` / `--azure-hsm`); `--instant` makes the services' slow operations finish at once.
 */
import { Command, InvalidArgumentError } from "commander";
import { HELP } from "./help";
import type { CliIo } from "./io";
import { DEFAULT_HSM_NAME, DEFAULT_VAULT_NAME, VAULT_NAME } from "../emulators/azure/protocol";

function port(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`not a port (allowed: 0-65535, got: ${JSON.stringify(value)})`);
    return n;
}

interface NamedPort {
    readonly name: string;
    readonly port: number;
}

/** `NAME` or `NAME:PORT` (a port of its own for a vault or HSM), collected over repeated options. */
function namedPort(what: string): (value: string, previous: NamedPort[] | undefined) => NamedPort[] {
    return (value, previous) => {
        const m = /^([^:]*)(?::(.*))?$/.exec(value)!;
        if (!VAULT_NAME.test(m[1])) throw new InvalidArgumentError(`not a ${what} name (allowed: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no "--"; optionally :PORT; got: ${JSON.stringify(value)})`);
        const p = m[2] === undefined ? 0 : port(m[2]);
        return [...(previous ?? []).filter((x) => x.name.toLowerCase() !== m[1].toLowerCase()), { name: m[1].toLowerCase(), port: p }];
    };
}

/** The default vault or HSM first (unless named again, with a port), then the named ones. */
function withDefault(name: string, given: NamedPort[] | undefined): NamedPort[] {
    const list = given ?? [];
    return list.some((x) => x.name === name) ? list : [{ name, port: 0 }, ...list];
}

/** The signals that stop the emulators, and their numbers. */
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type StopSignal = keyof typeof SIGNALS;
/** SIGINT and SIGTERM are how the emulators are stopped: 0. SIGHUP (the terminal closed) is reported as 128 + 1. */
const EXIT_CODES: Record<StopSignal, number> = { SIGINT: 0, SIGTERM: 0, SIGHUP: 128 + SIGNALS.SIGHUP };

const PORT_OPTIONS = { aws: "--aws-port", gcp: "--gcp-port", azure: "--azure-port" } as const;

interface EmulateOptions {
    awsPort?: number;
    gcpPort?: number;
    azurePort?: number;
    state?: string;
    azureVault?: NamedPort[];
    azureHsm?: NamedPort[];
    instant?: boolean;
    seed?: string;
}

export const EMULATE_HELP = `
Azure, for unmodified clients:
  Each vault and Managed HSM has a port of its own, printed under
  "azureVaults" and "azureManagedHsms" (a default vault ${DEFAULT_VAULT_NAME} and a
  default HSM ${DEFAULT_HSM_NAME}, plus each --azure-vault / --azure-hsm NAME[:PORT]).
  Give that URL to KeyClient with allowInsecureConnection and
  disableChallengeResourceVerification: ids and links name the same port.
  "azure" is the shared port keyfabric's own client factories use.

Slow operations (--instant):
  By default they take as long as in the services (Azure deletes and
  recovers show after 2 s, GCP asymmetric and HSM versions start
  PENDING_GENERATION, AWS on-demand rotation finishes later); --instant
  finishes them at once, for fast tests.

State (--state FILE):
  The file holds the emulators' keys WITH THEIR KEY MATERIAL IN PLAINTEXT:
  test keys only, never real ones. It is written with mode 0600 (owner
  only), atomically (a temporary file in the same directory, fsync, rename),
  within 100 ms of each change and at exit. A missing file is an empty start
  (its directory must exist); an existing one is validated in full before any
  port is opened, and every problem is listed.

Stopping:
  SIGINT (Ctrl-C) and SIGTERM save the state and exit 0; SIGHUP (terminal
  closed) saves it and exits 129. A save that fails is reported on stderr
  (the file and the OS error, once per kind of failure) while the emulators
  keep serving; if the save at exit fails too, the exit code is 1.`;

/** Two emulators (or vaults) given the same port: refused before either listens. */
function portClash(opts: EmulateOptions): string | undefined {
    const given = [
        ...(["aws", "gcp", "azure"] as const).map((cloud) => ({ label: `${PORT_OPTIONS[cloud]} ${opts[`${cloud}Port`]}`, port: opts[`${cloud}Port`] })),
        ...(opts.azureVault ?? []).map((v) => ({ label: `--azure-vault ${v.name}:${v.port}`, port: v.port })),
        ...(opts.azureHsm ?? []).map((v) => ({ label: `--azure-hsm ${v.name}:${v.port}`, port: v.port })),
    ].filter((p) => p.port !== undefined && p.port !== 0);
    for (let i = 1; i < given.length; i++) {
        const first = given.slice(0, i).find((p) => p.port === given[i].port);
        if (first) return `${given[i].label} is the same port as ${first.label}: each emulator needs a port of its own (or 0, a free one)`;
    }
    return undefined;
}

export function registerEmulate(program: Command, io: CliIo, setExit: (code: number) => void): void {
    program
        .command("emulate")
        .description("Run local AWS KMS, Google Cloud KMS and Azure Key Vault emulators until interrupted")
        .option("--aws-port <n>", "AWS KMS port (default: a free port)", port)
        .option("--gcp-port <n>", "Cloud KMS gRPC port (default: a free port)", port)
        .option("--azure-port <n>", "Key Vault / Managed HSM / ARM port (default: a free port)", port)
        .option("--state <file>", "keep the state in this file: loaded at start, saved on every change and at exit (mode 0600; holds plaintext test key material)")
        .option("--azure-vault <name[:port]>", `serve this Key Vault on a port of its own, for unmodified clients (repeatable; ${DEFAULT_VAULT_NAME} is always served)`, namedPort("Key Vault"))
        .option("--azure-hsm <name[:port]>", `serve this Managed HSM on a port of its own (repeatable; ${DEFAULT_HSM_NAME} is always served)`, namedPort("Managed HSM"))
        .option("--instant", "slow operations (Azure deletes and recovers, GCP key generation, AWS on-demand rotation) finish at once instead of as in the services")
        .option("--seed <file>", "start with the keys of this stack export (pulumi stack export), created as deployed, with its ids")
        .addHelpText("after", EMULATE_HELP)
        .addHelpText("after", HELP.emulate)
        .action(async (opts: EmulateOptions) => setExit(await emulate(opts, io)));
}

async function emulate(opts: EmulateOptions, io: CliIo): Promise<number> {
    const clash = portClash(opts);
    if (clash) {
        io.err(`error: ${clash}`);
        return 1;
    }
    const emulators = await import("../emulators");
    let state: ReturnType<typeof emulators.readStateFile>;
    try {
        state = opts.state ? emulators.readStateFile(opts.state) : undefined;
    } catch (e) {
        io.err(`error: ${(e as Error).message}`);
        return 1;
    }
    // --seed: the export's keys, as deployed (./seed.ts); into a new --state file only, never over one.
    if (opts.seed !== undefined) {
        if (state !== undefined) {
            io.err(`error: --seed cannot start from --state ${opts.state}: the file holds emulator state already (seed into a new --state file, or drop --seed to continue from it)`);
            return 1;
        }
        try {
            const seeded = await (await import("./seed")).seedFromExport(opts.seed);
            state = seeded.state;
            io.err(seeded.summary);
        } catch (e) {
            const message = (e as Error).message;
            io.err(`error: ${message.startsWith("--seed") ? "" : "--seed: "}${message}`);
            return 1;
        }
    }

    let saver: InstanceType<typeof emulators.StateSaver> | undefined;
    // A request served before the saver exists (a client already waiting on a fixed port) is saved all the same.
    let changedEarly = false;
    const onChange = () => (saver ? saver.changed() : (changedEarly = true));
    let set: Awaited<ReturnType<typeof emulators.startEmulators>>;
    try {
        set = await emulators.startEmulators({
            awsPort: opts.awsPort,
            gcpPort: opts.gcpPort,
            azurePort: opts.azurePort,
            state,
            onChange,
            azureVaults: withDefault(DEFAULT_VAULT_NAME, opts.azureVault),
            azureManagedHsms: withDefault(DEFAULT_HSM_NAME, opts.azureHsm),
            ...(opts.instant ? { asyncStates: "instant" as const } : {}),
        });
    } catch (e) {
        if (e instanceof emulators.EmulatorStartError && e.port) io.err(`error: ${PORT_OPTIONS[e.cloud]} ${e.port}: ${e.message}`);
        else io.err(`error: ${(e as Error).message}`);
        return 1;
    }
    if (opts.state) {
        const file = opts.state;
        // What the file holds, as the emulators see it: not rewritten unless something changes.
        const saved = state !== undefined && !changedEarly && opts.seed === undefined ? set.snapshot() : undefined;
        saver = new emulators.StateSaver({ file, snapshot: () => set.snapshot(), report: (m) => io.err(m), saved });
        if (changedEarly || opts.seed !== undefined) saver.changed();
    }

    // Once the terminal is gone (SIGHUP) writing to it fails: there is nowhere left to report to, and the state is
    // saved before anything is written.
    const gone = () => undefined;
    process.stdout.on("error", gone);
    process.stderr.on("error", gone);
    // Handlers first: a signal right after the endpoints line must save, not end the process. A second signal while
    // stopping ends it at once.
    let stopping = false;
    let onSignal: (signal: StopSignal) => void = () => undefined;
    const stopped = new Promise<StopSignal>((resolve) => {
        onSignal = (signal) => {
            if (stopping) process.exit(128 + SIGNALS[signal]);
            stopping = true;
            resolve(signal);
        };
    });
    const handlers = (Object.keys(SIGNALS) as StopSignal[]).map((signal) => [signal, () => onSignal(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    try {
        io.out(JSON.stringify(set.endpoints));
        const signal = await stopped;
        let code = EXIT_CODES[signal];
        const lost = () => {
            io.err(`error: the emulator state could not be saved to ${opts.state} at exit (${saver!.lastError?.message}): the changes since the last save are lost`);
            code = 1;
        };
        // Save first (the process may be killed soon after a SIGHUP), stop, then save what requests that were still
        // being served changed.
        saver?.flush();
        await set.stop();
        if (saver && !saver.flush()) lost();
        saver?.close();
        return code;
    } finally {
        for (const [signal, handler] of handlers) process.off(signal, handler);
        process.stdout.off("error", gone);
        process.stderr.off("error", gone);
    }
}
