/**
 * The three loopback emulators together: what `keyfabric emulate` runs and what tests start in-process.
 * `env()` gives the `KEYFABRIC_EMULATORS` value that routes the package's client factories here.
 */
import * as fs from "fs";
import { EmulatorEndpoints, EMULATORS_ENV } from "../clients";
import { AwsKmsEmulator, startAwsKmsEmulator } from "./aws";
import { Clock, FaultInjector } from "./common";
import { AzureKeyVaultEmulator, startAzureKeyVaultEmulator } from "./azure";
import { GcpKmsEmulator, startGcpKmsEmulator } from "./gcp";

export * from "./common";
export { startAwsKmsEmulator, startGcpKmsEmulator, startAzureKeyVaultEmulator };
export type { AwsKmsEmulator, GcpKmsEmulator, AzureKeyVaultEmulator };

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
    const common = (state: unknown) => ({ clock: options.clock, state, faults: new FaultInjector() });
    const [aws, gcp, azure] = await Promise.all([
        startAwsKmsEmulator({ port: options.awsPort, reuseWrappingKeys: options.reuseWrappingKeys, ...common(options.state?.aws) }),
        startGcpKmsEmulator({ port: options.gcpPort, ...common(options.state?.gcp) }),
        startAzureKeyVaultEmulator({ port: options.azurePort, ...common(options.state?.azure) }),
    ]);
    const endpoints: EmulatorEndpoints = { aws: aws.endpoint, gcp: gcp.endpoint, azure: azure.endpoint };
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

/** Reads a `--state` file; a missing file is an empty start. */
export function readStateFile(file: string): EmulatorSetState | undefined {
    if (!fs.existsSync(file)) return undefined;
    const parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    if (parsed?.version !== 1) throw new Error(`${file} is not a keyfabric emulator state file (version 1)`);
    return parsed as EmulatorSetState;
}

/** Writes state atomically (temp file, then rename), readable by the owner only: it holds the emulators' test keys. */
export function writeStateFile(file: string, state: EmulatorSetState): void {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    fs.renameSync(tmp, file);
}
