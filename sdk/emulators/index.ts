/**
 * The three loopback emulators together: what `keyfabric emulate` runs and what tests start in-process.
 * `env()` gives the `KEYFABRIC_EMULATORS` value that routes the package's client factories here.
 */
import { EmulatorEndpoints, EMULATORS_ENV } from "../clients";
import { AwsKmsEmulator, startAwsKmsEmulator } from "./aws";
import { AsyncStates, Clock, FaultInjector } from "./common";
import { AzureKeyVaultEmulator, startAzureKeyVaultEmulator, type VaultListener } from "./azure";
import { GcpKmsEmulator, startGcpKmsEmulator } from "./gcp";
import { EmulatorStateError } from "./persist";
import { stateProblems } from "./state-file";

export * from "./common";
export { EmulatorStateError, MAX_LISTED_PROBLEMS, type StateProblem } from "./persist";
export { readStateFile, stateProblems, StateSaver, writeStateFile, STATE_FILE_MODE, type StateSaverOptions } from "./state-file";
export { startAwsKmsEmulator, startGcpKmsEmulator, startAzureKeyVaultEmulator };
export type { AwsKmsEmulator, GcpKmsEmulator, AzureKeyVaultEmulator };
export { GENERATION_MS as GCP_GENERATION_MS, type DenyRule as GcpDenyRule } from "./gcp";
export { ON_DEMAND_ROTATION_MS, REPLICA_CREATION_MS } from "./aws";

export interface EmulatorSetOptions {
    readonly awsPort?: number;
    readonly gcpPort?: number;
    readonly azurePort?: number;
    /** One clock for all three. @default the system clock */
    readonly clock?: Clock;
    /** State from `snapshot()` (or a `--state` file) to continue from. */
    readonly state?: EmulatorSetState;
    /** AWS: one wrapping key pair per size instead of one per GetParametersForImport (faster). @default false */
    readonly reuseWrappingKeys?: boolean;
    /** Called after every request any of the three served (state may have changed); see `StateSaver`. */
    readonly onChange?: () => void;
    /** For all three: see `EmulatorOptions.asyncStates`. @default "service" */
    readonly asyncStates?: AsyncStates;
    /** Azure vaults on ports of their own, for unmodified clients (`endpoints.azureVaults`). @default none */
    readonly azureVaults?: readonly VaultListener[];
    /** Azure Managed HSMs on ports of their own (`endpoints.azureManagedHsms`). @default none */
    readonly azureManagedHsms?: readonly VaultListener[];
}

export type EmulatorCloud = "aws" | "gcp" | "azure";
const EMULATOR_NAMES: Record<EmulatorCloud, string> = { aws: "AWS KMS", gcp: "Cloud KMS", azure: "Azure Key Vault" };

/** An emulator that could not start (its port is taken or not allowed, …); the others were stopped again. */
export class EmulatorStartError extends Error {
    constructor(
        readonly cloud: EmulatorCloud,
        /** The port asked for; undefined or 0 for a free one. */
        readonly port: number | undefined,
        readonly cause: Error,
    ) {
        super(`the ${EMULATOR_NAMES[cloud]} emulator cannot listen on 127.0.0.1:${port || "(a free port)"} (${cause.message})`);
        this.name = "EmulatorStartError";
    }
}

export interface EmulatorSetState {
    readonly version: 1;
    readonly aws?: unknown;
    readonly gcp?: unknown;
    readonly azure?: unknown;
}

export interface EmulatorSet {
    readonly aws: AwsKmsEmulator;
    readonly gcp: GcpKmsEmulator;
    readonly azure: AzureKeyVaultEmulator;
    /** The JSON line `keyfabric emulate` prints. */
    readonly endpoints: EmulatorEndpoints;
    /** `{ KEYFABRIC_EMULATORS: "<json>" }`, to pass as a client factory's `env` or to spread into a child's env. */
    env(): Record<string, string>;
    snapshot(): EmulatorSetState;
    stop(): Promise<void>;
}

export async function startEmulators(options: EmulatorSetOptions = {}): Promise<EmulatorSet> {
    if (options.state !== undefined) {
        // Every problem of the three parts at once, before any port is opened.
        const problems = stateProblems(options.state);
        if (problems.length > 0) throw new EmulatorStateError("options.state", problems);
    }
    const common = (state: unknown) => ({ clock: options.clock, state, faults: new FaultInjector(), onChange: options.onChange, asyncStates: options.asyncStates });
    const started = await Promise.allSettled([
        startAwsKmsEmulator({ port: options.awsPort, reuseWrappingKeys: options.reuseWrappingKeys, ...common(options.state?.aws) }),
        startGcpKmsEmulator({ port: options.gcpPort, ...common(options.state?.gcp) }),
        startAzureKeyVaultEmulator({ port: options.azurePort, vaults: options.azureVaults, managedHsms: options.azureManagedHsms, ...common(options.state?.azure) }),
    ] as const);
    const failed = started.findIndex((s) => s.status === "rejected");
    if (failed >= 0) {
        // Stop the ones that did start, then say which one failed and why.
        await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)));
        const reason = (started[failed] as PromiseRejectedResult).reason;
        if (reason instanceof EmulatorStateError) throw reason;
        const cloud = (["aws", "gcp", "azure"] as const)[failed];
        const port = { aws: options.awsPort, gcp: options.gcpPort, azure: options.azurePort }[cloud];
        throw new EmulatorStartError(cloud, port, reason instanceof Error ? reason : new Error(String(reason)));
    }
    const [aws, gcp, azure] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [AwsKmsEmulator, GcpKmsEmulator, AzureKeyVaultEmulator];
    const endpoints: EmulatorEndpoints = {
        aws: aws.endpoint,
        gcp: gcp.endpoint,
        azure: azure.endpoint,
        ...(Object.keys(azure.vaultUrls).length ? { azureVaults: azure.vaultUrls } : {}),
        ...(Object.keys(azure.managedHsmUrls).length ? { azureManagedHsms: azure.managedHsmUrls } : {}),
    };
    return {
        aws,
        gcp,
        azure,
        endpoints,
        env: () => ({ [EMULATORS_ENV]: JSON.stringify(endpoints) }),
        snapshot: () => ({ version: 1, aws: aws.snapshot(), gcp: gcp.snapshot(), azure: azure.snapshot() }),
        stop: async () => {
            await Promise.all([aws.stop(), gcp.stop(), azure.stop()]);
        },
    };
}
