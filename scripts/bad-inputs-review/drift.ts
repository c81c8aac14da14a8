/**
 * The `drift --state` rows: the inputs of test/fixtures/bad-inputs-drift.ts (the table test's), through the built
 * CLI, against a `keyfabric emulate` child process holding the keys the rows read; the `bare` row (D29) in an
 * environment without any cloud credentials, emulators or metadata lookups.
 */
import * as fs from "fs";
import * as path from "path";
import { Expect } from "./classify";
import { startEmulate } from "./emulate-child";
import { killGroup, ROOT, runCli } from "./exec";
import { RowRun } from "./rows";
import { createLiveKeys, credentialFreeEnv, driftInputs, LiveKeys } from "../../test/fixtures/bad-inputs-drift";

const EXPECT: Record<string, Expect> = {
    D1: { field: "D1.json", got: "is not JSON", allowed: "pulumi stack export" },
    D2: { field: "D2.json", got: "is empty", allowed: "pulumi stack export" },
    D3: { field: "D3.json", got: "is not a stack export", allowed: "version and deployment" },
    D4: { field: "D4.json", got: "is not a stack export", allowed: "version and deployment" },
    D5: { field: "D5.json", accept: "a UTF-8 byte order mark before a valid export is what some editors write: it is skipped and the export read (nothing to check in it, said so)" },
    D6: { field: "D6.json", got: "version 1", allowed: "reads version 3" },
    D7: { field: "D7.json", got: "version 2", allowed: "reads version 3" },
    D8: { field: "D8.json", got: 'version "3"', allowed: "reads version 3" },
    D9: { field: "D9.json", got: 'has no "version"', allowed: '{"version": 3' },
    D10: { field: "D10.json", got: '"deployment" is missing' },
    D11: { field: "D11.json", got: "deployment.resources is not a list" },
    D12: { field: "deployment.resources[0]", got: "has no valid urn" },
    D13: { field: "deployment.resources[0]", got: "has no type" },
    D14: { field: "k1", accept: "secrets in a stack export are ordinary (Pulumi encrypts them): drift never decrypts them, lists them as not compared, and the live key matches the rest: no drift (exit 0)" },
    D15: { field: "deployment.resources[2]", got: "has no id" },
    D16: { field: "deployment.resources[1]", got: "inputs is a string, not an object" },
    D17: { field: "D17.json", accept: "a large export without key resources is a legitimate stack: nothing to check, and the run says how many resources it read (exit 0)" },
    D18: { field: "outputs.deep", got: "more than 100 levels deep", allowed: "up to 100 levels deep" },
    D19: { field: "outputs.deep", got: "more than 100 levels deep", allowed: "up to 100 levels deep" },
    D20: { field: "--state", got: "no such file", allowed: "pulumi stack export --file" },
    D21: { field: "--state", got: "is a directory" },
    D22: { field: "--concurrency", got: '"0"', allowed: "1 to 256" },
    D23: { field: "--now", got: '"yesterday-ish"', allowed: "ISO 8601" },
    D24: { field: "--expiry-warning-days", got: '"-1"', allowed: "0 to 3650" },
    D25: { field: "--format", got: "'xml'", allowed: "text, json, markdown, sarif" },
    D26: { field: "--policy-pack /nonexistent/pack", got: "no PulumiPolicy.yaml" },
    D27: { field: "policy pack config", got: "is not valid JSON" },
    D28: { field: "error: aws:", got: "refused the connection" },
    D29: { field: "error: aws:", got: "no credentials", allowed: "set AWS_PROFILE or AWS_ACCESS_KEY_ID" },
    D30: { field: "resource-missing", got: "no longer exists" },
};

export async function runDriftRows(work: string): Promise<{ rows: RowRun[]; cleanup: () => void }> {
    const dir = path.join(work, "drift");
    fs.mkdirSync(path.join(dir, "home"), { recursive: true });
    const emulate = await startEmulate(work);
    try {
        const live: LiveKeys = {};
        await createLiveKeys({ ...process.env, KEYFABRIC_EMULATORS: emulate.endpoints }, live);
        const { ROWS } = driftInputs(dir, live);
        const rows: RowRun[] = [];
        // One at a time: D17 and D30 write and read 50 MB exports.
        for (const row of ROWS) {
            const run = await row.make();
            const env = run.bare ? undefined : { KEYFABRIC_EMULATORS: emulate.endpoints, ...run.env };
            const result = await runCli(["drift", ...run.args], { cwd: ROOT, env, baseEnv: run.bare ? credentialFreeEnv(path.join(dir, "home")) : undefined, limitMs: 120_000 });
            for (const f of fs.readdirSync(dir)) if (/^D1[79]|^D30/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
            rows.push({ id: row.id, how: `keyfabric drift${run.bare ? " (no credentials)" : ""}`, result, expect: EXPECT[row.id] ?? { field: "(no expectation)" } });
        }
        return { rows, cleanup: () => undefined };
    } finally {
        killGroup(emulate.child.pid);
    }
}
