/**
 * Policy drift: the bundled key-management pack (run as its analyzer gRPC server by sdk/policy/analyzer) re-run over
 * the live state. A violation the state does not have is a `policy-violation`; one the state already has is not.
 * One server per run, started while the clouds are read (from source the pack is TypeScript, which Pulumi's
 * run-policy-pack type-checks first: ~25 s of CPU, most of this file's time), and stopped when the run ends.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as path from "path";
import { main } from "../../sdk/cli";
import { detectDrift, parseStackExport } from "../../sdk/drift";
import { nameOf } from "../../sdk/drift/state";
import { DEFAULT_POLICY_PACK } from "../../sdk/policy/analyzer";
import { credentialLessEnv } from "../support/cli-env";
import { Baseline, deployBaseline, scenario, World } from "./world";
import type * as childProcess from "child_process";
import * as fs from "fs";
import * as os from "os";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

let base: Baseline;
beforeAll(async () => {
    base = await deployBaseline();
});

/** The analyzer servers (`run-policy-pack`) started from here on, as they are spawned. */
function packServers(): childProcess.ChildProcess[] {
    const servers: childProcess.ChildProcess[] = [];
    // The module object itself (an `import * as` would be a copy of it): the one sdk/policy/analyzer calls spawn on.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const module = require("child_process") as typeof childProcess;
    const spawn = module.spawn;
    jest.spyOn(module, "spawn").mockImplementation(((...args: Parameters<typeof spawn>) => {
        const child = (spawn as (...a: unknown[]) => childProcess.ChildProcess)(...args);
        if ((args[1] as string[] | undefined)?.some((a) => a.includes("run-policy-pack"))) servers.push(child);
        return child;
    }) as typeof spawn);
    return servers;
}
const exited = (c: childProcess.ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("exit", () => resolve())));

afterEach(() => jest.restoreAllMocks());

test("no change: the pack runs over the live state and reports nothing new (the overlay keeps the state's shapes); one server, started before the reads end, stopped after", async () => {
    const servers = packServers();
    const startedAtProgress: number[] = [];
    const report = await scenario(base, async () => undefined, { policy: {}, onProgress: () => startedAtProgress.push(servers.length) });
    expect(report.policy).toMatchObject({ status: "ran", pack: "keyfabric-key-management", dir: DEFAULT_POLICY_PACK });
    expect(report.findings).toEqual([]);
    // The state and the live state analyzed by one server (not a server each), already starting when the first
    // resource check finished, and stopped once the report is made.
    expect(servers).toHaveLength(1);
    expect(startedAtProgress.length).toBeGreaterThan(10); // one call per check (a check may cover several resources)
    expect(new Set(startedAtProgress)).toEqual(new Set([1]));
    await exited(servers[0]);
    expect(servers[0].signalCode).toBe("SIGTERM");
}, 120_000);

test("a run that ends before the pack is needed (no credentials for any cloud) stops the server it started", async () => {
    const servers = packServers();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-drift-policy-"));
    try {
        const report = await detectDrift(parseStackExport(structuredClone(base.seeded.exported), "stack.json"), { env: credentialLessEnv(dir), now: base.t0, policy: {} });
        expect(report.errors.map((e) => e.scope).sort()).toEqual(["aws", "azure", "gcp"]);
        expect(report.policy.status).toBe("skipped");
        expect(report.policy.note!.replace(/^([a-z, ]+) could not/, (_, c: string) => `${c.split(", ").sort().join(", ")} could not`)).toBe("aws, azure, gcp could not be checked (see the errors)");
        expect(servers).toHaveLength(1);
        await exited(servers[0]);
        expect(servers[0].signalCode).toBe("SIGTERM");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}, 120_000);

test("rotation turned off out of band: keyfabric drift (default: the bundled pack) reports the pack's violation on the live state; --no-policy does not", async () => {
    const w = await World.start(base);
    const saved = process.env.KEYFABRIC_EMULATORS;
    process.env.KEYFABRIC_EMULATORS = JSON.stringify(w.emu.endpoints);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-drift-policy-"));
    try {
        await w.aws().send(new kms.DisableKeyRotationCommand({ KeyId: w.r("kf-payments-card-data-aws-key").outputs.arn }));
        const f = path.join(dir, "stack.json");
        fs.writeFileSync(f, JSON.stringify(w.exported));
        const run = async (...args: string[]) => {
            const out: string[] = [];
            const code = await main(["drift", "--state", f, "--format", "json", "--now", new Date(base.t0).toISOString(), ...args], { out: (t) => out.push(t), err: (t) => out.push(t) });
            return { code, report: JSON.parse(out.join("\n")) };
        };
        const withPolicy = await run();
        expect(withPolicy.code).toBe(2);
        expect(withPolicy.report.policy).toMatchObject({ status: "ran", pack: "keyfabric-key-management" });
        expect(new Set(withPolicy.report.findings.map((x: any) => `${nameOf(x.urn)} ${x.kind}`))).toEqual(new Set(["kf-payments-card-data-aws-key policy-violation", "kf-payments-card-data-aws-key rotation-disabled"]));
        // The pack grows (other rules may also see the change, e.g. a cryptoperiod no longer consistent across clouds):
        // every policy finding is on the changed key, and the rotation rule is among them.
        const v = withPolicy.report.findings.find((x: any) => x.kind === "policy-violation" && x.actual.policy === "aws-kms-key-enable-key-rotation");
        expect(v).toMatchObject({ cloud: "aws", type: "aws:kms/key:Key", severity: "medium", expected: { violated: false }, actual: { pack: "keyfabric-key-management", enforcementLevel: "advisory", violated: true } });
        expect(v.message).toMatch(/^keyfabric-key-management\/aws-kms-key-enable-key-rotation \(advisory\): /);
        const without = await run("--no-policy");
        expect(without.report.policy).toEqual({ status: "disabled" });
        expect(without.report.findings.map((x: any) => x.kind)).toEqual(["rotation-disabled"]);
    } finally {
        process.env.KEYFABRIC_EMULATORS = saved;
        fs.rmSync(dir, { recursive: true, force: true });
        await w.stop();
    }
}, 120_000);
