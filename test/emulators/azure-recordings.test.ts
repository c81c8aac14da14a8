/**
 * Replay of the real Key Vault / Managed HSM recordings in /work/shared/recordings/azure-keyvault-keys/ (see its
 * README): every recorded exchange is sent to the emulator as recorded (method, path, api-version, body; the bearer
 * token only where the recording had one), on the emulator clock driven by the recorded `Date` headers, and every
 * answer is compared: status, `WWW-Authenticate`, error code and message (exact, Activity IDs aside), and the
 * body's shape: the same fields, recursively; the same values for everything that is not random (kty, key_ops, e,
 * attributes, recovery level and days, rotation policies, the imported key's public JWK); ids on the same path
 * with the recorded host replaced by the vault's own port; binaries of the same length; times within 2 s.
 * Values the service made up (key versions, signatures) are carried forward, as the SDK does, into later requests.
 */
import * as fs from "fs";
import * as path from "path";
import { ManualClock } from "../../sdk/emulators/common";
import { startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from "../../sdk/emulators/azure";
import { shared } from "../support/shared";

const ROOT = process.env.KEYFABRIC_RECORDINGS ?? shared("recordings");
const DIR = path.join(ROOT, "azure-keyvault-keys");
const TENANT = "12345678-1234-1234-1234-123456789012";
const RECORDED_VAULT = "https://keyvault_name.vault.azure.net";
const RECORDED_HSM = "https://azure_managedhsm.managedhsm.azure.net";
/** The recorded vault keeps deleted keys 7 days (`CustomizedRecoverable+Purgeable`, `recoverableDays: 7`). */
const RECORDED_RETENTION_DAYS = 7;
const TIME_FIELDS = new Set(["created", "updated", "deletedDate", "scheduledPurgeDate"]);
/** Strings that must be equal, not only of the same length. */
const EXACT_STRINGS = new Set(["kty", "e", "crv", "recoveryLevel", "type", "timeBeforeExpiry", "timeAfterCreate", "expiryTime", "code", "message"]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Entry {
    RequestUri: string;
    RequestMethod: string;
    RequestHeaders: Record<string, string>;
    RequestBody: unknown;
    StatusCode: number;
    ResponseHeaders: Record<string, string>;
    ResponseBody: unknown;
}

const FILES = fs.existsSync(DIR)
    ? fs
          .readdirSync(DIR)
          .flatMap((d) => fs.readdirSync(path.join(DIR, d)).map((f) => path.join(d, f)))
          .sort()
    : [];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Recorded value → the emulator's value, for what the service made up (versions, ids, signatures). */
class Carried {
    private readonly map = new Map<string, string>();
    learn(recorded: unknown, actual: unknown): void {
        if (typeof recorded === "string" && typeof actual === "string") {
            if (recorded !== actual && recorded.length >= 16) this.map.set(recorded, actual);
            const rv = /\/keys\/[^/]+\/([0-9a-f]{32})$/.exec(recorded)?.[1];
            const av = /\/keys\/[^/]+\/([0-9a-f]{32})$/.exec(actual)?.[1];
            if (rv && av) this.map.set(rv, av);
        } else if (Array.isArray(recorded) && Array.isArray(actual)) recorded.forEach((r, i) => this.learn(r, actual[i]));
        else if (isObject(recorded) && isObject(actual)) for (const k of Object.keys(recorded)) this.learn(recorded[k], actual[k]);
    }
    apply(text: string): string {
        let out = text;
        for (const [r, a] of this.map) out = out.split(r).join(a);
        return out;
    }
}

/** Differences between a recorded body and the emulator's, as `path: what` lines (empty: they match). */
function compare(recorded: unknown, actual: unknown, at: string, origins: Record<string, string>, out: string[]): void {
    const field = at.split(".").pop()!;
    if (recorded === null || recorded === undefined) {
        if (actual !== null && actual !== undefined) out.push(`${at}: recorded no value, got ${JSON.stringify(actual).slice(0, 80)}`);
        return;
    }
    if (Array.isArray(recorded)) {
        if (!Array.isArray(actual)) return void out.push(`${at}: recorded an array, got ${JSON.stringify(actual)?.slice(0, 80)}`);
        if (field === "key_ops") {
            if (JSON.stringify(recorded) !== JSON.stringify(actual)) out.push(`${at}: recorded ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`);
            return;
        }
        if (recorded.length !== actual.length) return void out.push(`${at}: recorded ${recorded.length} items, got ${actual.length}`);
        recorded.forEach((r, i) => compare(r, actual[i], `${at}[${i}]`, origins, out));
        return;
    }
    if (isObject(recorded)) {
        if (!isObject(actual)) return void out.push(`${at}: recorded an object, got ${JSON.stringify(actual)?.slice(0, 80)}`);
        const rk = Object.keys(recorded).sort();
        const ak = Object.keys(actual).sort();
        if (JSON.stringify(rk) !== JSON.stringify(ak)) out.push(`${at}: recorded fields ${rk.join(",")}, got ${ak.join(",")}`);
        for (const k of rk) if (k in actual) compare(recorded[k], actual[k], `${at}.${k}`, origins, out);
        return;
    }
    if (typeof recorded === "number") {
        if (typeof actual !== "number") return void out.push(`${at}: recorded a number, got ${JSON.stringify(actual)}`);
        const ok = TIME_FIELDS.has(field) ? Math.abs(recorded - actual) <= 2 : recorded === actual;
        if (!ok) out.push(`${at}: recorded ${recorded}, got ${actual}`);
        return;
    }
    if (typeof recorded === "boolean") {
        if (recorded !== actual) out.push(`${at}: recorded ${recorded}, got ${JSON.stringify(actual)}`);
        return;
    }
    const r = String(recorded);
    if (typeof actual !== "string") return void out.push(`${at}: recorded a string, got ${JSON.stringify(actual)}`);
    for (const [from, to] of Object.entries(origins)) {
        if (r.startsWith(from + "/")) {
            const pattern = new RegExp(`^${escape(to + r.slice(from.length)).replace(/[0-9a-f]{32}/g, "[0-9a-f]{32}")}$`);
            if (!pattern.test(actual)) out.push(`${at}: recorded ${r}, got ${actual} (expected ${pattern})`);
            return;
        }
    }
    if (EXACT_STRINGS.has(field)) {
        if (r.replace(UUID, "<uuid>") !== actual.replace(UUID, "<uuid>")) out.push(`${at}: recorded ${JSON.stringify(r)}, got ${JSON.stringify(actual)}`);
        return;
    }
    if (field === "n" && r.length !== actual.length) return void out.push(`${at}: recorded a ${r.length}-character modulus, got ${actual.length}`);
    if (r.length !== actual.length) out.push(`${at}: recorded ${r.length} characters, got ${actual.length}`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface Replayed {
    readonly entry: number;
    readonly request: string;
    readonly status: number;
    readonly recordedStatus: number;
    readonly differences: string[];
}

/** Replays one recording against a fresh emulator whose clock starts at the recording's first Date. */
async function replay(file: string): Promise<Replayed[]> {
    const { Entries } = JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as { Entries: Entry[] };
    const dates = Entries.map((e) => (e.ResponseHeaders.Date ? Date.parse(e.ResponseHeaders.Date) : undefined));
    const clock = new ManualClock(dates.find((d) => d !== undefined) ?? Date.UTC(2022, 10, 9));
    const emu: AzureKeyVaultEmulator = await startAzureKeyVaultEmulator({ clock, tenantId: TENANT, vaults: ["keyvault-name"], managedHsms: ["azure-managedhsm"] });
    try {
        await setRetention(emu, "keyvault-name", RECORDED_RETENTION_DAYS);
        const origins = { [RECORDED_VAULT]: emu.vaultUrls["keyvault-name"], [RECORDED_HSM]: emu.managedHsmUrls["azure-managedhsm"] };
        const carried = new Carried();
        const out: Replayed[] = [];
        for (const [i, e] of Entries.entries()) {
            if (dates[i] !== undefined && dates[i]! > clock.now()) clock.set(dates[i]!);
            let url = e.RequestUri;
            for (const [from, to] of Object.entries(origins)) if (url.startsWith(from)) url = to + url.slice(from.length);
            url = carried.apply(url);
            const body = e.RequestBody === null || e.RequestBody === undefined || e.RequestBody === "" ? undefined : carried.apply(JSON.stringify(e.RequestBody));
            const headers: Record<string, string> = { "content-type": "application/json" };
            if (e.RequestHeaders.Authorization) headers.authorization = "Bearer recorded-token";
            const res = await fetch(url, { method: e.RequestMethod, headers, body });
            const text = await res.text();
            const actual = text ? JSON.parse(text) : null;
            const differences: string[] = [];
            const recordedChallenge = e.ResponseHeaders["WWW-Authenticate"];
            if (recordedChallenge !== undefined && res.headers.get("www-authenticate") !== recordedChallenge) differences.push(`WWW-Authenticate: recorded ${recordedChallenge}, got ${res.headers.get("www-authenticate")}`);
            compare(e.ResponseBody, actual, "body", origins, differences);
            carried.learn(e.ResponseBody, actual);
            out.push({ entry: i, request: `${e.RequestMethod} ${new URL(e.RequestUri).pathname}`, status: res.status, recordedStatus: e.StatusCode, differences });
        }
        return out;
    } finally {
        await emu.stop();
    }
}

/** The recorded vault's soft-delete retention, set as its owner would: an ARM PUT through the shared port. */
async function setRetention(emu: AzureKeyVaultEmulator, vault: string, days: number): Promise<void> {
    const res = await fetch(`${emu.endpoint}/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/${vault}?api-version=2023-07-01`, {
        method: "PUT",
        headers: { "x-keyfabric-original-host": "management.azure.com", authorization: "Bearer t", "content-type": "application/json" },
        body: JSON.stringify({ location: "northcentralus", properties: { tenantId: TENANT, sku: { family: "A", name: "premium" }, softDeleteRetentionInDays: days } }),
    });
    expect(res.status).toBeLessThan(300);
}

const describeIf = FILES.length > 0 ? describe : describe.skip;

describeIf("every recorded exchange, replayed", () => {
    test("the recordings are there: 14 files", () => {
        expect(FILES).toHaveLength(14);
    });

    test.each(FILES)("azure-keyvault-keys/%s", async (file) => {
        const replayed = await replay(file);
        // One line per exchange, so a difference names the entry, the request and what differs.
        const lines = replayed.map((r) => `#${r.entry} ${r.request}: ${r.status === r.recordedStatus ? r.status : `recorded ${r.recordedStatus}, got ${r.status}`}${r.differences.map((d) => `\n    ${d}`).join("")}`);
        const expected = replayed.map((r) => `#${r.entry} ${r.request}: ${r.recordedStatus}`);
        expect(lines).toEqual(expected);
    });
});

// ---------------------------------------------------------------------------------------------------------------
// The distilled facts (azure-keyvault-keys-facts.json), through the unmodified SDK with a user's options.

interface Facts {
    [k: string]: { _file: string; status?: number; error?: { code: string; message?: string }; [k: string]: unknown };
}
const FACTS_FILE = path.join(ROOT, "azure-keyvault-keys-facts.json");
const facts: Facts = fs.existsSync(FACTS_FILE) ? JSON.parse(fs.readFileSync(FACTS_FILE, "utf8")) : {};
const describeFacts = Object.keys(facts).length > 0 ? describe : describe.skip;

describeFacts("the facts, through an unmodified KeyClient / CryptographyClient", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const sdk = require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
    const credential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const options = { allowInsecureConnection: true, disableChallengeResourceVerification: true };
    let emu: AzureKeyVaultEmulator;
    let keys: InstanceType<typeof sdk.KeyClient>;
    let hsm: InstanceType<typeof sdk.KeyClient>;
    beforeAll(async () => {
        emu = await startAzureKeyVaultEmulator({ tenantId: TENANT, vaults: ["facts-vault"], managedHsms: ["facts-hsm"] });
        keys = new sdk.KeyClient(emu.vaultUrls["facts-vault"], credential, options);
        hsm = new sdk.KeyClient(emu.managedHsmUrls["facts-hsm"], credential, options);
    });
    afterAll(() => emu.stop());

    async function error(p: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
        return p.then(
            () => ({ message: "the call succeeded" }),
            (e: { statusCode?: number; code?: string; message: string }) => ({ statusCode: e.statusCode, code: e.code, message: e.message }),
        );
    }

    test(`createRsa (${facts.createRsa?._file}): key_ops, e, and exportable false`, async () => {
        const key = await keys.createKey("facts-rsa", "RSA");
        const f = facts.createRsa as unknown as { key: { kty: string; key_ops: string[]; e: string }; attributes: { enabled: boolean; exportable: boolean } };
        expect(key.keyType).toBe(f.key.kty);
        expect(key.keyOperations).toEqual(f.key.key_ops);
        expect(Buffer.from(key.key!.e!).toString("base64url")).toBe(f.key.e);
        expect(key.properties.enabled).toBe(f.attributes.enabled);
        expect(key.properties.exportable).toBe(f.attributes.exportable);
    });

    test(`createRsaHsm (${facts.createRsaHsm?._file}): e is AAEAAQ`, async () => {
        const key = await keys.createKey("facts-rsa-hsm", "RSA-HSM");
        expect(Buffer.from(key.key!.e!).toString("base64url")).toBe((facts.createRsaHsm as unknown as { key: { e: string } }).key.e);
    });

    test(`getMissing (${facts.getMissing?._file}): 404 KeyNotFound, the full message`, async () => {
        const name = "CRUDKeyName-deletenonexistingkey-";
        expect(await error(keys.getKey(name))).toEqual({ statusCode: facts.getMissing.status, code: facts.getMissing.error!.code, message: facts.getMissing.error!.message });
    });

    test(`deleteMissing (${facts.deleteMissing?._file}): 404 KeyNotFound`, async () => {
        const e = await error(keys.beginDeleteKey("CRUDKeyName-cantgetadeletedkeythatdoesntexist-").then((p) => p.pollUntilDone()));
        expect({ statusCode: e.statusCode, code: e.code }).toEqual({ statusCode: facts.deleteMissing.status, code: facts.deleteMissing.error!.code });
    });

    test(`emptyName (${facts.emptyName?._file}): 400 BadParameter "Operation not specified"`, async () => {
        expect(await error(keys.createKey("", "RSA"))).toEqual({ statusCode: facts.emptyName.status, code: facts.emptyName.error!.code, message: facts.emptyName.error!.message });
    });

    test(`deletedMissing (${facts.deletedMissing?._file}): right after delete, getDeletedKey is 404 "Deleted Key not found"; later the deleted key, with its purge date`, async () => {
        const name = "CRUDKeyName-candeleteakey-";
        await keys.createKey(name, "RSA");
        await keys.beginDeleteKey(name, { intervalInMs: 100_000 }).catch(() => undefined);
        expect(await error(keys.getDeletedKey(name))).toEqual({ statusCode: facts.deletedMissing.status, code: facts.deletedMissing.error!.code, message: facts.deletedMissing.error!.message });
        await new Promise((r) => setTimeout(r, 2_100));
        const deleted = await keys.getDeletedKey(name);
        expect(deleted.properties.recoveryId).toBe(`${emu.vaultUrls["facts-vault"]}/deletedkeys/${name}`);
        expect(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime()).toBe(90 * 86_400_000);
    });

    test(`recoverMissing (${facts.recoverMissing?._file}): 404 KeyNotFound with the live key's message`, async () => {
        const name = "backupRestoreKeyName-failsifonetriestorecoveranon-existingdeletedkey-";
        const e = await error(keys.beginRecoverDeletedKey(name).then((p) => p.pollUntilDone()));
        expect(e).toEqual({ statusCode: facts.recoverMissing.status, code: facts.recoverMissing.error!.code, message: facts.recoverMissing.error!.message });
    });

    test(`rotationPolicy (${facts.rotationPolicy?._file}): a PUT of only Rotate gets the default Notify action`, async () => {
        await keys.createKey("facts-policy", "RSA");
        const f = facts.rotationPolicy as unknown as { response: { lifetimeActions: { trigger: Record<string, string>; action: { type: string } }[]; attributes: { expiryTime: string } } };
        const put = await keys.updateKeyRotationPolicy("facts-policy", { lifetimeActions: [{ action: "Rotate", timeBeforeExpiry: "P30D" }], expiresIn: "P90D" });
        const got = await keys.getKeyRotationPolicy("facts-policy");
        const asSdk = f.response.lifetimeActions.map((a) => ({ action: a.action.type, ...a.trigger }));
        expect(put.lifetimeActions).toEqual(asSdk);
        expect(got.lifetimeActions).toEqual(asSdk);
        expect(got.expiresIn).toBe(f.response.attributes.expiryTime);
    });

    test(`rotationPolicyMissing (${facts.rotationPolicyMissing?._file}): 404 KeyNotFound`, async () => {
        const e = await error(keys.getKeyRotationPolicy("nonexistentkey-862"));
        expect({ statusCode: e.statusCode, code: e.code }).toEqual({ statusCode: facts.rotationPolicyMissing.status, code: facts.rotationPolicyMissing.error!.code });
    });

    test(`importKey (${facts.importKey?._file}): the recorded JWK (members with a leading 0x00) comes back with n without it`, async () => {
        const f = facts.importKey as unknown as { requestKey: Record<string, unknown>; response: { key: { kty: string; n: string; e: string } } };
        const bin = (k: string) => Uint8Array.from(Buffer.from(f.requestKey[k] as string, "base64url"));
        const jwk = { kty: "RSA" as const, keyOps: f.requestKey.keyOps as import("@azure/keyvault-keys").KeyOperation[], n: bin("n"), e: bin("e"), d: bin("d"), p: bin("p"), q: bin("q"), dp: bin("dp"), dq: bin("dq"), qi: bin("qi") };
        expect(jwk.n[0]).toBe(0);
        const key = await keys.importKey("importKeyName-canimportakey-", jwk);
        expect(key.keyType).toBe(f.response.key.kty);
        expect(Buffer.from(key.key!.n!).toString("base64url")).toBe(f.response.key.n);
        expect(Buffer.from(key.key!.e!).toString("base64url")).toBe(f.response.key.e);
    });

    test(`signRs256 (${facts.signRs256?._file}): sign the recorded 32-byte value, verify → true`, async () => {
        const key = await keys.createKey("RSA-17424", "RSA");
        const crypto = new sdk.CryptographyClient(key, credential, options);
        const f = facts.signRs256 as unknown as { signRequest: { alg: "RS256"; value: string }; verifyResponse: { value: boolean } };
        const digest = Buffer.from(f.signRequest.value, "base64url");
        const signed = await crypto.sign(f.signRequest.alg, digest);
        expect(signed.keyID).toBe(key.id);
        expect((await crypto.verify(f.signRequest.alg, digest, signed.result)).result).toBe(f.verifyResponse.value);
    });

    test(`rngOutOfRange (${facts.rngOutOfRange?._file}): counts -1, 0 and 129 → 400 BadParameter with an Activity ID; 1 and 128 are served`, async () => {
        const pattern = new RegExp(`^${escape(facts.rngOutOfRange.error!.message!).replace("<id>", "[0-9a-f-]{36}")}$`);
        for (const count of [-1, 0, 129]) {
            const e = await error(hsm.getRandomBytes(count));
            expect({ statusCode: e.statusCode, code: e.code }).toEqual({ statusCode: facts.rngOutOfRange.status, code: facts.rngOutOfRange.error!.code });
            expect(e.message).toMatch(pattern);
        }
        expect(await hsm.getRandomBytes(1)).toHaveLength(1);
        expect(await hsm.getRandomBytes(128)).toHaveLength(128);
    });

    test(`challenge (${facts.challenge?._file}): 401 Unauthorized, the recorded message and WWW-Authenticate`, async () => {
        const res = await fetch(`${emu.vaultUrls["facts-vault"]}/keys/x?api-version=7.4`);
        const f = facts.challenge as unknown as { status: number; error: { code: string; message: string }; wwwAuthenticate: string };
        expect(res.status).toBe(f.status);
        expect(await res.json()).toEqual({ error: f.error });
        expect(res.headers.get("www-authenticate")).toBe(f.wwwAuthenticate.replace("<tenant>", TENANT));
    });
});
