/**
 * One deployment of the drift fixture (test/drift/fixture.ts), seeded once into the emulators and snapshotted;
 * each scenario starts fresh emulators from the snapshot, makes its out-of-band changes through the official SDKs,
 * moves the clock if it needs to, and runs drift detection over the matching stack export.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import type { KMSClient } from "@aws-sdk/client-kms";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import type { KeyClient } from "@azure/keyvault-keys";
import type { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { createAwsKmsClient, createAzureArmClient, createAzureKeyClient, createGcpKmsClient } from "../../sdk/clients";
import { detectDrift, DriftOptions, DriftReport, parseStackExport } from "../../sdk/drift";
import { nameOf } from "../../sdk/drift/state";
import { EmulatorSet, EmulatorSetState, ManualClock, startEmulators } from "../../sdk/emulators";
import { runUnderMocks } from "../../sdk/preview/harness";
import { DAY, program } from "./fixture";
import { ExportedResource, fromMockRun, seed, Seeded } from "./support";

export interface Baseline {
    readonly t0: number;
    readonly snapshot: EmulatorSetState;
    readonly seeded: Seeded;
}

/** Deploys the fixture once (under mocks, into fresh emulators) and keeps the emulators' state. */
export async function deployBaseline(): Promise<Baseline> {
    const t0 = Date.now();
    const clock = new ManualClock(t0);
    // The emulator clock is manual: generation that takes time in Cloud KMS would never finish (these scenarios are not about waiting).
    const emu = await startEmulators({ clock, reuseWrappingKeys: true, asyncStates: "instant" });
    try {
        const run = await runUnderMocks(program(t0));
        const seeded = await seed(emu, fromMockRun(run), { now: () => clock.now() });
        return { t0, snapshot: emu.snapshot(), seeded };
    } finally {
        await emu.stop();
    }
}

export class World {
    private readonly awsClients = new Map<string, KMSClient>();
    private gcpClient?: KeyManagementServiceClient;
    readonly exported: Seeded["exported"];

    constructor(
        readonly baseline: Baseline,
        readonly emu: EmulatorSet,
        readonly clock: ManualClock,
    ) {
        this.exported = structuredClone(baseline.seeded.exported);
    }

    static async start(baseline: Baseline): Promise<World> {
        const clock = new ManualClock(baseline.t0);
        const emu = await startEmulators({ clock, state: structuredClone(baseline.snapshot), reuseWrappingKeys: true, asyncStates: "instant" });
        return new World(baseline, emu, clock);
    }

    get env(): NodeJS.ProcessEnv {
        return { ...process.env, ...this.emu.env() };
    }

    /** The resource in this world's export (editable). */
    r(name: string): ExportedResource {
        const found = this.exported.deployment.resources.find((x) => nameOf(x.urn) === name);
        if (!found) throw new Error(`no resource ${name}`);
        return found;
    }

    aws(region = "eu-west-1"): KMSClient {
        let c = this.awsClients.get(region);
        if (!c) this.awsClients.set(region, (c = createAwsKmsClient(region, { env: this.env, maxAttempts: 5 })));
        return c;
    }

    gcp(): KeyManagementServiceClient {
        return (this.gcpClient ??= createGcpKmsClient({ env: this.env }));
    }

    azureKeys(vaultUrl: string): KeyClient {
        return createAzureKeyClient(vaultUrl, { env: this.env, maxAttempts: 5 });
    }

    arm(subscriptionId: string): KeyVaultManagementClient {
        return createAzureArmClient(subscriptionId, { env: this.env, maxAttempts: 5 });
    }

    advanceDays(days: number): void {
        this.clock.advance(days * DAY);
    }

    drift(options: DriftOptions = {}): Promise<DriftReport> {
        return detectDrift(parseStackExport(structuredClone(this.exported), "stack.json"), { env: this.env, now: this.clock.now(), policy: false, ...options });
    }

    async stop(): Promise<void> {
        for (const c of this.awsClients.values()) c.destroy();
        await this.gcpClient?.close();
        await this.emu.stop();
    }
}

/** Runs a scenario in a fresh world. */
export async function scenario(baseline: Baseline, f: (w: World) => Promise<void>, options: DriftOptions = {}): Promise<DriftReport> {
    const w = await World.start(baseline);
    try {
        await f(w);
        return await w.drift(options);
    } finally {
        await w.stop();
    }
}

/** The findings as `name kind` pairs, sorted: what most assertions compare. */
export const kinds = (report: DriftReport) => report.findings.map((f) => `${nameOf(f.urn)} ${f.kind}`).sort();
