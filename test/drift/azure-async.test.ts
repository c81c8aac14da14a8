/**
 * Drift waits where Key Vault makes callers wait (issue #14): right after a delete or a recover, GetKey and
 * GetDeletedKey both answer 404 for a few seconds (recorded). With the emulators as the service behaves
 * (`asyncStates: "service"`, a clock that moves), a key recovered a moment ago is checked as live, not reported
 * missing, and a key deleted a moment ago is reported soft-deleted, not gone.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { ManualClock, startEmulators } from "../../sdk/emulators";
import { AZURE_SETTLE_LOOKS, AZURE_SETTLE_PAUSE_MS } from "../../sdk/drift/azure";
import { Baseline, deployBaseline, kinds, World } from "./world";

let base: Baseline;
beforeAll(async () => {
    base = await deployBaseline();
});

/** The system clock, as a ManualClock for World (these scenarios wait in real time). */
class LiveClock extends ManualClock {
    override now(): number {
        return Date.now();
    }
}

async function serviceWorld(): Promise<World> {
    const clock = new LiveClock();
    const emu = await startEmulators({ clock, state: structuredClone(base.snapshot), reuseWrappingKeys: true, asyncStates: "service" });
    return new World(base, emu, clock);
}

const KEY = "kf-payments-signing-azure-key";
const vaultUrlOf = (w: World) => String(w.r(KEY).outputs.keyUri).replace(/\/keys\/.*$/, "");

test("the settle window drift waits covers the emulator's (2 s) and the recorded 5 s", () => {
    expect(AZURE_SETTLE_LOOKS * AZURE_SETTLE_PAUSE_MS).toBeGreaterThanOrEqual(5_000);
});

test("a key recovered a moment ago: GetKey 404 at first, drift looks again and finds it live (no finding)", async () => {
    const w = await serviceWorld();
    try {
        const keys = w.azureKeys(vaultUrlOf(w));
        await (await keys.beginDeleteKey("payments-signing", { intervalInMs: 250 })).pollUntilDone();
        await keys.beginRecoverDeletedKey("payments-signing", { intervalInMs: 60_000 }); // the recover is sent; not waited for
        await expect(keys.getKey("payments-signing")).rejects.toMatchObject({ statusCode: 404 });
        const report = await w.drift({ env: w.env, now: Date.now() });
        expect(report.findings.filter((f) => f.urn.endsWith(`::${KEY}`))).toEqual([]);
    } finally {
        await w.stop();
    }
});

test("a key deleted a moment ago: GetDeletedKey 404 at first, drift looks again and reports it soft-deleted", async () => {
    const w = await serviceWorld();
    try {
        const keys = w.azureKeys(vaultUrlOf(w));
        await keys.beginDeleteKey("payments-signing", { intervalInMs: 60_000 }); // the delete is sent; not waited for
        await expect(keys.getDeletedKey("payments-signing")).rejects.toMatchObject({ statusCode: 404 });
        const report = await w.drift({ env: w.env, now: Date.now() });
        expect(kinds(report).filter((k) => k.startsWith(KEY))).toEqual([`${KEY} resource-missing`]);
        const f = report.findings.find((x) => x.urn.endsWith(`::${KEY}`))!;
        expect(f.actual).toMatchObject({ deleted: true });
        expect(f.message).toMatch(/ was deleted on .* and is soft-deleted: recover it \(RecoverDeletedKey\) before it is purged on /);
    } finally {
        await w.stop();
    }
});
