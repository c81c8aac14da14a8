/**
 * Key Vault's asynchronous states on the emulator clock (issue #14): with `asyncStates: "service"` (the default), a
 * key just deleted is not yet a deleted key, and a key just recovered is not yet a key, for `AZURE_SETTLE_MS` of the
 * emulator's clock (recorded: GetDeletedKey 404 right after DeleteKey, 200 within 5 s); with "instant", at once.
 * Through an unmodified KeyClient on the vault's own port, the clock moved by hand.
 */
import { KeyClient } from "@azure/keyvault-keys";
import { ManualClock } from "../../sdk/emulators/common";
import { AZURE_SETTLE_MS, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from "../../sdk/emulators/azure";

const credential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }) };
const options = { allowInsecureConnection: true, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } };

async function error(p: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
    return p.then(
        () => ({ message: "the call succeeded" }),
        (e: { statusCode?: number; code?: string; message: string }) => ({ statusCode: e.statusCode, code: e.code, message: e.message }),
    );
}

async function names(it: AsyncIterable<{ name: string }>): Promise<string[]> {
    const out: string[] = [];
    for await (const x of it) out.push(x.name);
    return out;
}

describe('asyncStates "service"', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    let emu: AzureKeyVaultEmulator;
    let keys: KeyClient;
    beforeAll(async () => {
        emu = await startAzureKeyVaultEmulator({ clock, vaults: ["async-vault"] });
        keys = new KeyClient(emu.vaultUrls["async-vault"], credential, options);
    });
    afterAll(() => emu.stop());

    test("delete: 404 to GetDeletedKey, not listed, the name busy (409 ObjectIsBeingDeleted) until 2 s have passed", async () => {
        await keys.createEcKey("k1", { curve: "P-256" });
        await keys.beginDeleteKey("k1", { intervalInMs: 3_600_000 }).catch(() => undefined);
        expect(await error(keys.getDeletedKey("k1"))).toEqual({ statusCode: 404, code: "KeyNotFound", message: "Deleted Key not found: k1" });
        expect(await names(keys.listDeletedKeys())).toEqual([]);
        expect(await error(keys.getKey("k1"))).toMatchObject({ statusCode: 404, code: "KeyNotFound" });
        expect(await error(keys.createEcKey("k1", { curve: "P-256" }))).toEqual({ statusCode: 409, code: "Conflict", message: "Key k1 is currently being deleted." });
        clock.advance(AZURE_SETTLE_MS - 1);
        expect(await error(keys.getDeletedKey("k1"))).toMatchObject({ statusCode: 404 });
        clock.advance(1);
        expect((await keys.getDeletedKey("k1")).properties.recoveryId).toBe(`${emu.vaultUrls["async-vault"]}/deletedkeys/k1`);
        expect(await names(keys.listDeletedKeys())).toEqual(["k1"]);
        expect(await error(keys.createEcKey("k1", { curve: "P-256" }))).toMatchObject({ statusCode: 409, code: "Conflict" });
    });

    test("recover: 404 to GetKey, not listed, the name busy (409 ObjectIsBeingRecovered) until 2 s have passed", async () => {
        await keys.beginRecoverDeletedKey("k1", { intervalInMs: 3_600_000 }).catch(() => undefined);
        expect(await error(keys.getKey("k1"))).toEqual({
            statusCode: 404,
            code: "KeyNotFound",
            message: "A key with (name/id) k1 was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
        });
        expect(await names(keys.listPropertiesOfKeys())).toEqual([]);
        expect(await error(keys.getDeletedKey("k1"))).toMatchObject({ statusCode: 404 });
        expect(await error(keys.createEcKey("k1", { curve: "P-256" }))).toEqual({ statusCode: 409, code: "Conflict", message: "Key k1 is currently being recovered." });
        clock.advance(AZURE_SETTLE_MS);
        expect((await keys.getKey("k1")).name).toBe("k1");
        expect(await names(keys.listPropertiesOfKeys())).toEqual(["k1"]);
    });
});

describe('asyncStates "instant"', () => {
    test("a delete and a recover show at once", async () => {
        const emu = await startAzureKeyVaultEmulator({ clock: new ManualClock(Date.UTC(2026, 0, 1)), vaults: ["instant-vault"], asyncStates: "instant" });
        try {
            const keys = new KeyClient(emu.vaultUrls["instant-vault"], credential, options);
            await keys.createEcKey("k2", { curve: "P-256" });
            await (await keys.beginDeleteKey("k2", { intervalInMs: 10 })).pollUntilDone();
            expect((await keys.getDeletedKey("k2")).name).toBe("k2");
            await (await keys.beginRecoverDeletedKey("k2", { intervalInMs: 10 })).pollUntilDone();
            expect((await keys.getKey("k2")).name).toBe("k2");
        } finally {
            await emu.stop();
        }
    });
});
