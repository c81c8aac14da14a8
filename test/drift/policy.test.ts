/**
 * Policy drift: the bundled key-management pack (run as its analyzer gRPC server by sdk/policy/analyzer) re-run over
 * the live state. A violation the state does not have is a `policy-violation`; one the state already has is not.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as path from "path";
import { main } from "../../sdk/cli";
import { nameOf } from "../../sdk/drift/state";
import { Baseline, deployBaseline, scenario, World } from "./world";
import * as fs from "fs";
import * as os from "os";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

let base: Baseline;
beforeAll(async () => {
    base = await deployBaseline();
});

test("no change: the pack runs over the live state and reports nothing new (the overlay keeps the state's shapes)", async () => {
    const report = await scenario(base, async () => undefined, { policy: {} });
    expect(report.policy.status).toBe("ran");
    expect(report.findings).toEqual([]);
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
