/**
 * Cloud KMS drift of the fields no API call can change (resources.proto: `import_only` and
 * `destroy_scheduled_duration` are IMMUTABLE): a live value other than the state's means the key in the cloud is not
 * the one the stack created (a key recreated under that name elsewhere, a state restored from another stack). The
 * scenarios start from the baseline's emulator state with that one field changed, as such a key would read; and
 * drift does not report a version that Cloud KMS is still generating (PENDING_GENERATION: it becomes ENABLED by
 * itself, resources.proto CryptoKeyVersionState).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { nameOf } from "../../sdk/drift/state";
import { ManualClock, startEmulators } from "../../sdk/emulators";
import { GENERATION_MS } from "../../sdk/emulators/gcp";
import { DAY } from "./fixture";
import { Baseline, deployBaseline, kinds, scenario, World } from "./world";

let base: Baseline;
beforeAll(async () => {
    base = await deployBaseline();
});

const RING = "projects/acme-drift/locations/europe-west1/keyRings/acme-payments";

/** The baseline with one crypto key's record in the Cloud KMS emulator's state edited. */
function withKey(name: string, edit: (key: Record<string, unknown>) => void): Baseline {
    const snapshot = structuredClone(base.snapshot);
    const keys = (snapshot.gcp as { cryptoKeys: Record<string, Record<string, unknown>> }).cryptoKeys;
    expect(keys[name]).toBeDefined();
    edit(keys[name]);
    return { ...base, snapshot };
}

test("the baseline has no drift", async () => {
    expect((await scenario(base, async () => undefined)).findings).toEqual([]);
});

test("destroy-scheduled duration shorter than the state's: key-settings-changed, with both durations", async () => {
    const name = `${RING}/cryptoKeys/card-data`;
    const report = await scenario(
        withKey(name, (k) => (k.destroyScheduledDurationMs = 1 * DAY)),
        async () => undefined,
    );
    expect(kinds(report)).toEqual(["kf-payments-card-data-gcp-key key-settings-changed"]);
    const f = report.findings[0];
    expect(f).toMatchObject({ cloud: "gcp", expected: { destroyScheduledDuration: `${30 * 86400}s` }, actual: { destroyScheduledDuration: "86400s" } });
    expect(f.message).toBe(
        "settings of crypto key keyRings/acme-payments/cryptoKeys/card-data differ from state: destroyScheduledDuration (a shorter destroy-scheduled duration leaves less time to restore a destroyed version)",
    );
});

test("an import-only key that is not import-only in the cloud: key-settings-changed on importOnly", async () => {
    const name = `${RING}/cryptoKeys/kek`;
    const report = await scenario(
        withKey(name, (k) => (k.importOnly = false)),
        async () => undefined,
    );
    expect(kinds(report)).toEqual(["kf-payments-kek-gcp-key key-settings-changed"]);
    expect(report.findings[0]).toMatchObject({ expected: { importOnly: true }, actual: { importOnly: false } });
    expect(report.findings[0].message).toBe("settings of crypto key keyRings/acme-payments/cryptoKeys/kek differ from state: importOnly");
});

test('with asyncStates "service": a new version still PENDING_GENERATION is not drift; once generated and disabled, it is', async () => {
    const clock = new ManualClock(base.t0);
    const emu = await startEmulators({ clock, state: structuredClone(base.snapshot), reuseWrappingKeys: true, asyncStates: "service" });
    const w = new World(base, emu, clock);
    try {
        const key = `${RING}/cryptoKeys/signing`;
        const [v] = await w.gcp().createCryptoKeyVersion({ parent: key });
        expect(v.state).toBe("PENDING_GENERATION");
        expect((await w.drift()).findings).toEqual([]);
        clock.advance(GENERATION_MS);
        await w.gcp().updateCryptoKeyVersion({ cryptoKeyVersion: { name: v.name, state: "DISABLED" }, updateMask: { paths: ["state"] } });
        const report = await w.drift();
        expect(kinds(report)).toEqual(["kf-payments-signing-gcp-key version-disabled"]);
        expect(nameOf(report.findings[0].urn)).toBe("kf-payments-signing-gcp-key");
        expect(report.findings[0]).toMatchObject({ expected: { state: "ENABLED" }, actual: { state: "DISABLED" } });
        expect(report.findings[0].message).toBe("the newest version 2 of crypto key keyRings/acme-payments/cryptoKeys/signing is disabled: operations with it fail");
    } finally {
        await w.stop();
    }
});
