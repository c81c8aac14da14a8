/**
 * Addressing that needs nothing from keyfabric (issue #14): unmodified `KeyClient` / `CryptographyClient` from
 * @azure/keyvault-keys with `allowInsecureConnection` and `disableChallengeResourceVerification` and any
 * TokenCredential, pointed at a vault's own URL; every id and link they get back leads to the emulator. And the
 * factories' routing by original host, on the shared port, keeps the real `https://<vault>.vault.azure.net` ids.
 */
import { createHash, randomBytes } from "crypto";
import * as http from "http";
import { CryptographyClient, KeyClient, type KeyVaultKey } from "@azure/keyvault-keys";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelineRequest, SendRequest } from "@azure/core-rest-pipeline";
import { createAzureKeyClient } from "../../sdk/clients";
import { startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from "../../sdk/emulators/azure";

const credential: TokenCredential = { getToken: async () => ({ token: "any-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
const options = { allowInsecureConnection: true, disableChallengeResourceVerification: true };

let emu: AzureKeyVaultEmulator;
let vaultUrl: string;
let hsmUrl: string;

beforeAll(async () => {
    emu = await startAzureKeyVaultEmulator({ vaults: ["acme-keys"], managedHsms: ["acme-hsm"] });
    vaultUrl = emu.vaultUrls["acme-keys"];
    hsmUrl = emu.managedHsmUrls["acme-hsm"];
});
afterAll(() => emu.stop());

const portOf = (url: string) => Number(new URL(url).port);

describe("a port per vault and per Managed HSM", () => {
    test("vaultUrls and managedHsmUrls name one loopback port each, none of them the shared port", () => {
        expect(Object.keys(emu.vaultUrls)).toEqual(["acme-keys"]);
        expect(Object.keys(emu.managedHsmUrls)).toEqual(["acme-hsm"]);
        expect(vaultUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(hsmUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(new Set([portOf(vaultUrl), portOf(hsmUrl), emu.port]).size).toBe(3);
    });

    test("serveVault is idempotent, opens further vaults, and refuses a name Key Vault would refuse", async () => {
        const again = await emu.serveVault("acme-keys");
        expect(again).toBe(vaultUrl);
        const other = await emu.serveVault("second-vault");
        expect(other).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(emu.vaultUrls).toEqual({ "acme-keys": vaultUrl, "second-vault": other });
        await expect(emu.serveVault("x")).rejects.toThrow('a Key Vault name is 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without "--" (got: "x")');
        await expect(emu.serveVault("bad--name", { kind: "managedHsm" })).rejects.toThrow('a Managed HSM name is 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without "--" (got: "bad--name")');
    });
});

describe("unmodified KeyClient and CryptographyClient", () => {
    test("create: the key id names the vault's own port; CryptographyClient(key) signs, verifies, encrypts and decrypts there", async () => {
        const keys = new KeyClient(vaultUrl, credential, options);
        const key = await keys.createRsaKey("addr-rsa", { keySize: 2048 });
        expect(key.id).toMatch(new RegExp(`^${vaultUrl}/keys/addr-rsa/[0-9a-f]{32}$`));
        expect(key.properties.vaultUrl).toBe(vaultUrl);
        const crypto = new CryptographyClient(key, credential, options);
        expect(crypto.vaultUrl).toBe(vaultUrl);
        const digest = createHash("sha256").update("addressing").digest();
        const signed = await crypto.sign("RS256", digest);
        expect(signed.keyID).toBe(key.id);
        expect((await crypto.verify("RS256", digest, signed.result)).result).toBe(true);
        const plaintext = randomBytes(32);
        const enc = await crypto.encrypt({ algorithm: "RSA-OAEP-256", plaintext });
        expect(Buffer.from((await crypto.decrypt({ algorithm: "RSA-OAEP-256", ciphertext: enc.result })).result)).toEqual(plaintext);
        // A CryptographyClient built from the id string alone reaches the same key.
        const byId = new CryptographyClient(key.id!, credential, options);
        expect((await byId.verify("RS256", digest, signed.result)).result).toBe(true);
    });

    test("paging with maxresults 2: every nextLink names the vault's own port and the pages hold every key once", async () => {
        // The user's own options: a policy that records the URLs the client requests (the pages after the first are
        // the nextLinks the emulator sent).
        const requested: string[] = [];
        const recorder = { name: "recorder", sendRequest: (req: PipelineRequest, next: SendRequest) => (requested.push(req.url), next(req)) };
        const keys = new KeyClient(vaultUrl, credential, { ...options, additionalPolicies: [{ policy: recorder, position: "perCall" }] });
        const names = ["page-a", "page-b", "page-c", "page-d", "page-e"];
        for (const n of names) await keys.createEcKey(n, { curve: "P-256" });
        requested.length = 0;
        const seen: string[] = [];
        for await (const page of keys.listPropertiesOfKeys().byPage({ maxPageSize: 2 })) {
            seen.push(...page.map((p) => p.name));
            for (const p of page) expect(p.id).toBe(`${vaultUrl}/keys/${p.name}`);
        }
        const links = requested.slice(1);
        expect(requested[0].startsWith(`${vaultUrl}/keys?`)).toBe(true);
        expect(links.length).toBeGreaterThanOrEqual(2);
        for (const l of links) expect(l).toMatch(new RegExp(`^${vaultUrl}/keys\\?api-version=[^&]+&maxresults=2&\\$skiptoken=\\d+$`));
        expect(seen.filter((n) => names.includes(n)).sort()).toEqual(names);
        expect(new Set(seen).size).toBe(seen.length);
        const versions: string[] = [];
        for await (const page of keys.listPropertiesOfKeyVersions("page-a").byPage({ maxPageSize: 1 })) versions.push(...page.map((p) => p.id!));
        expect(versions).toHaveLength(1);
        expect(versions[0]).toMatch(new RegExp(`^${vaultUrl}/keys/page-a/[0-9a-f]{32}$`));
    });

    test("delete and recover pollers wait out the service's delay (asyncStates service) and end on the emulator", async () => {
        const keys = new KeyClient(vaultUrl, credential, options);
        await keys.createEcKey("addr-deleted", { curve: "P-256" });
        const started = Date.now();
        const deleting = await keys.beginDeleteKey("addr-deleted", { intervalInMs: 250 });
        const deleted = await deleting.pollUntilDone();
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
        expect(deleted.properties.recoveryId).toBe(`${vaultUrl}/deletedkeys/addr-deleted`);
        expect(deleted.id).toMatch(new RegExp(`^${vaultUrl}/keys/addr-deleted/[0-9a-f]{32}$`));
        const deletedNames: string[] = [];
        for await (const d of keys.listDeletedKeys()) deletedNames.push(d.name);
        expect(deletedNames).toContain("addr-deleted");
        const recovering = await keys.beginRecoverDeletedKey("addr-deleted", { intervalInMs: 250 });
        const recovered: KeyVaultKey = await recovering.pollUntilDone();
        expect(recovered.id).toMatch(new RegExp(`^${vaultUrl}/keys/addr-deleted/[0-9a-f]{32}$`));
        expect((await keys.getKey("addr-deleted")).id).toBe(recovered.id);
    });

    test("a Managed HSM on its own port: AES keys, random bytes, ids on that port", async () => {
        const keys = new KeyClient(hsmUrl, credential, options);
        const key = await keys.createOctKey("addr-aes", { hsm: true, keySize: 256 });
        expect(key.id).toMatch(new RegExp(`^${hsmUrl}/keys/addr-aes/[0-9a-f]{32}$`));
        expect(key.keyType).toBe("oct-HSM");
        const crypto = new CryptographyClient(key, credential, options);
        const wrapped = await crypto.wrapKey("A256KW", randomBytes(32));
        expect(wrapped.keyID).toBe(key.id);
        expect(await keys.getRandomBytes(16)).toHaveLength(16);
    });

    test("the vault reached by its own port and by its Azure host through the factory is one vault; each answer names the address it was asked on", async () => {
        const direct = new KeyClient(vaultUrl, credential, options);
        await direct.createEcKey("addr-shared", { curve: "P-384" });
        const env = { KEYFABRIC_EMULATORS: JSON.stringify({ azure: emu.endpoint }) };
        const viaFactory = createAzureKeyClient("https://acme-keys.vault.azure.net", { env, maxAttempts: 1 });
        const got = await viaFactory.getKey("addr-shared");
        expect(got.id).toMatch(/^https:\/\/acme-keys\.vault\.azure\.net\/keys\/addr-shared\/[0-9a-f]{32}$/);
        expect(got.id!.split("/").pop()).toBe((await direct.getKey("addr-shared")).properties.version);
        // A factory-built CryptographyClient from a real-host id keeps going through the factory's routing.
        const crypto = viaFactory.getCryptographyClient("addr-shared");
        const digest = createHash("sha384").update("x").digest();
        const signed = await crypto.sign("ES384", digest);
        expect(signed.keyID).toBe(got.id);
        expect((await new CryptographyClient(`${vaultUrl}/keys/addr-shared/${got.properties.version}`, credential, options).verify("ES384", digest, signed.result)).result).toBe(true);
    });

    test("ids name the loopback address the client used (127.0.0.1 or localhost); any other Host header gets 127.0.0.1", async () => {
        const port = portOf(vaultUrl);
        const kidFor = (host: string) =>
            new Promise<string>((resolve, reject) => {
                const req = http.request({ host: "127.0.0.1", port, method: "GET", path: "/keys/addr-rsa/?api-version=7.4", headers: { host, authorization: "Bearer x" } }, (res) => {
                    let text = "";
                    res.on("data", (c: Buffer) => (text += c.toString()));
                    res.on("end", () => resolve((JSON.parse(text) as { key: { kid: string } }).key.kid));
                });
                req.on("error", reject);
                req.end();
            });
        expect(await kidFor(`localhost:${port}`)).toMatch(new RegExp(`^http://localhost:${port}/keys/addr-rsa/[0-9a-f]{32}$`));
        expect(await kidFor(`127.0.0.1:${port}`)).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/keys/addr-rsa/[0-9a-f]{32}$`));
        expect(await kidFor("attacker.example")).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/keys/addr-rsa/[0-9a-f]{32}$`));
    });

    test("an unmodified client pointed at the shared port is told which URLs to use", async () => {
        const keys = new KeyClient(emu.endpoint, credential, options);
        const err = await keys.getKey("anything").then(
            () => undefined,
            (e: { statusCode?: number; code?: string; message: string }) => e,
        );
        expect(err?.statusCode).toBe(400);
        expect(err?.code).toBe("BadParameter");
        expect(err?.message).toContain(`An unmodified client takes a vault's own URL: acme-keys: ${vaultUrl}, `);
        expect(err?.message).toContain(`acme-hsm: ${hsmUrl}`);
    });

    test("a KEK created through an HSM's own port: its id on that port, its exponent in four bytes as Managed HSM writes it", async () => {
        const keys = new KeyClient(hsmUrl, credential, options);
        const kek = await keys.createRsaKey("addr-kek", { hsm: true, keySize: 2048, keyOps: ["import"] });
        expect(kek.id!.startsWith(`${hsmUrl}/keys/addr-kek/`)).toBe(true);
        expect(kek.key!.e).toEqual(Uint8Array.from([0, 1, 0, 1]));
    });
});
