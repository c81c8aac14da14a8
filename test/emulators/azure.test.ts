/**
 * The Azure Key Vault / Managed HSM emulator's data plane, driven only through the official clients built by the
 * `sdk/clients` factories (`KeyClient`, its `CryptographyClient`): challenge, keys, cryptography, soft delete,
 * rotation, BYOK. ARM, faults, snapshots and leaks: azure-arm.test.ts.
 */
import * as crypto from "crypto";
import type { CryptographyClient, KeyVaultKey } from "@azure/keyvault-keys";
import { aesKwUnwrap } from "../../sdk/crypto/keywrap";
import { fingerprint } from "../../sdk/crypto/material";
import { DAY_MS } from "../../sdk/emulators/common";
import { Exchange, HSM, RSA_OPS, TENANT, VAULT, VERSIONED, b64u, clock, createKek, emu, keyClient, keyOf, nowS, pkcs8, publicKeyOf, rejects, sdkJwk, sha, spkiFingerprint, transferBlob, vaultOf, useSharedEmulator } from "./azure-support";

useSharedEmulator();

describe("challenge authentication", () => {
    test("the first request of each client is challenged without body or token; the SDK retries with a bearer token for the vault resource", async () => {
        const log: Exchange[] = [];
        const client = keyClient("https://chal.vault.azure.net", { log });
        const before = emu.calls.length;
        await client.createKey("c1", "EC", { curve: "P-256" });
        await client.getKey("c1");
        expect(log.map((x) => [x.method, x.status, x.authorization ?? null, x.hadBody])).toEqual([
            ["POST", 401, null, false],
            ["POST", 200, "Bearer emulator", true],
            ["GET", 200, "Bearer emulator", false],
        ]);
        // As recorded (azure-keyvault-keys/keys_client__create_read_update_and_delete_operations/recording_can_delete_a_key.json).
        expect(log[0].wwwAuthenticate).toBe(`Bearer authorization="https://login.windows.net/${TENANT}", resource="https://vault.azure.net"`);
        expect(log[0].url).toMatch(/^https:\/\/chal\.vault\.azure\.net\/keys\/c1\/create\?api%2Dversion=2025-07-01$/);
        // The challenge is counted apart, is no call and no fault, and changed nothing.
        expect(emu.calls.slice(before)).toEqual([{ operation: "createKey" }, { operation: "getKey" }]);
        expect(emu.inspect().challenges.byHost["chal.vault.azure.net"]).toBe(1);
        expect(keyOf(emu, "chal.vault.azure.net", "c1")!.versions).toHaveLength(1);
        // A second client is challenged once more.
        await keyClient("https://chal.vault.azure.net").getKey("c1");
        expect(emu.inspect().challenges.byHost["chal.vault.azure.net"]).toBe(2);
    });

    test("a Managed HSM challenges with the managedhsm.azure.net resource", async () => {
        const log: Exchange[] = [];
        await keyClient("https://chal-hsm.managedhsm.azure.net", { log }).createKey("h1", "oct-HSM", { keySize: 128 });
        expect(log[0].status).toBe(401);
        expect(log[0].wwwAuthenticate).toBe(`Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://managedhsm.azure.net"`);
        expect(emu.inspect().challenges.byHost["chal-hsm.managedhsm.azure.net"]).toBe(1);
    });
});

describe("keys: create, get, list, update", () => {
    const client = () => keyClient();

    test("createKey RSA 2048: versioned kid on the original host, default operations, attributes in epoch seconds", async () => {
        const key = await client().createKey("rsa-a", "RSA", { keySize: 2048, tags: { team: "core" } });
        expect(key.id).toMatch(VERSIONED("acme.vault.azure.net", "rsa-a"));
        expect(key.name).toBe("rsa-a");
        expect(key.keyType).toBe("RSA");
        expect(key.keyOperations).toEqual(RSA_OPS);
        expect(key.key!.n).toHaveLength(256);
        expect(Array.from(key.key!.e!)).toEqual([1, 0, 1]);
        expect(key.key!.d).toBeUndefined();
        expect(key.properties).toMatchObject({
            enabled: true,
            createdOn: new Date(nowS() * 1000),
            updatedOn: new Date(nowS() * 1000),
            recoverableDays: 90,
            recoveryLevel: "Recoverable+Purgeable",
            tags: { team: "core" },
            vaultUrl: VAULT,
        });
        const inspected = keyOf(emu, "acme.vault.azure.net", "rsa-a")!;
        expect(inspected.versions).toEqual([
            {
                version: key.properties.version,
                kid: key.id,
                kty: "RSA",
                keySize: 2048,
                keyOps: RSA_OPS,
                origin: "generated",
                fingerprint: spkiFingerprint(publicKeyOf(key)),
                attributes: { enabled: true, created: nowS(), updated: nowS() },
                tags: { team: "core" },
            },
        ]);
    });

    test("createKey EC-HSM P-384 with operations, validity window and tags; RSA-HSM 3072", async () => {
        const nbf = new Date((nowS() - 60) * 1000);
        const exp = new Date((nowS() + 30 * 86400) * 1000);
        const ec = await client().createKey("ec-a", "EC-HSM", { curve: "P-384", keyOps: ["sign", "verify"], notBefore: nbf, expiresOn: exp });
        expect(ec.keyType).toBe("EC-HSM");
        expect(ec.key!.crv).toBe("P-384");
        expect([ec.key!.x!.length, ec.key!.y!.length]).toEqual([48, 48]);
        expect(ec.keyOperations).toEqual(["sign", "verify"]);
        expect([ec.properties.notBefore, ec.properties.expiresOn]).toEqual([nbf, exp]);
        const rsa = await client().createRsaKey("rsa-hsm-a", { hsm: true, keySize: 3072 });
        expect([rsa.keyType, rsa.key!.n!.length]).toEqual(["RSA-HSM", 384]);
    });

    test("createKey oct-HSM on a Managed HSM: no key material in the answer", async () => {
        const key = await keyClient(HSM).createOctKey("aes-a", { hsm: true, keySize: 256 });
        expect(key.id).toMatch(VERSIONED("acme-hsm.managedhsm.azure.net", "aes-a"));
        expect(key.keyType).toBe("oct-HSM");
        expect(key.keyOperations).toEqual(["encrypt", "decrypt", "wrapKey", "unwrapKey"]);
        expect(key.key!.k).toBeUndefined();
        expect(keyOf(emu, "acme-hsm.managedhsm.azure.net", "aes-a")!.versions[0]).toMatchObject({ kty: "oct-HSM", keySize: 256, fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    });

    test("invalid creations are refused with 400 BadParameter and leave no key", async () => {
        await rejects(client().createKey("aes-v", "oct-HSM", { keySize: 256 }), 400, "BadParameter", /only supported by Managed HSM/);
        await rejects(client().createKey("bad-size", "RSA", { keySize: 1024 }), 400, "BadParameter", /key_size 1024/);
        await rejects(client().createKey("bad-ops", "EC", { keyOps: ["encrypt"] }), 400, "BadParameter", /not valid for a EC key/);
        await rejects(keyClient(HSM).createKey("sw", "RSA"), 400, "BadParameter", /only holds HSM-protected keys/);
        await rejects(client().createKey("bad_name", "EC"), 400, "BadParameter", /key name/);
        await rejects(client().createKey("bad-kty", "oct"), 400, "BadParameter", /not supported/);
        for (const n of ["aes-v", "bad-size", "bad-ops", "bad-kty"]) expect(keyOf(emu, "acme.vault.azure.net", n)).toBeUndefined();
    });

    test("getKey: latest version (GET /keys/{name}/) or a given version; unknown key or version → 404 KeyNotFound", async () => {
        const log: Exchange[] = [];
        const c = keyClient(VAULT, { log });
        const v1 = await c.createKey("multi", "EC");
        const v2 = await c.createKey("multi", "EC", { tags: { second: "yes" } });
        expect((await c.getKey("multi")).id).toBe(v2.id);
        expect((await c.getKey("multi", { version: v1.properties.version })).id).toBe(v1.id);
        expect(log.filter((x) => x.method === "GET").map((x) => new URL(x.url).pathname)).toEqual(["/keys/multi/", `/keys/multi/${v1.properties.version}`]);
        await rejects(c.getKey("missing"), 404, "KeyNotFound", /missing was not found/);
        await rejects(c.getKey("multi", { version: "0123456789abcdef0123456789abcdef" }), 404, "KeyNotFound");
    });

    test("list keys (paged by maxresults with nextLink) and key versions", async () => {
        const c = keyClient("https://pages.vault.azure.net");
        for (let i = 0; i < 12; i++) await c.createKey(`k${String(i).padStart(2, "0")}`, "EC");
        await c.createKey("k00", "EC");
        const pages: string[][] = [];
        for await (const page of c.listPropertiesOfKeys().byPage({ maxPageSize: 5 })) pages.push(page.map((p) => p.id!));
        expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
        expect(pages.flat()).toEqual(Array.from({ length: 12 }, (_, i) => `https://pages.vault.azure.net/keys/k${String(i).padStart(2, "0")}`));
        const versions: string[] = [];
        for await (const p of c.listPropertiesOfKeyVersions("k00")) versions.push(p.id!);
        expect(versions).toEqual(keyOf(emu, "pages.vault.azure.net", "k00")!.versions.map((v) => v.kid));
        expect(versions).toHaveLength(2);
        await rejects(c.listPropertiesOfKeyVersions("nope").next(), 404, "KeyNotFound");
    });

    test("updateKeyProperties: enabled, expiry, tags and operations of one version", async () => {
        const c = client();
        const key = await c.createKey("upd", "RSA", { tags: { a: "1" } });
        clock.advance(5_000);
        const exp = new Date((nowS() + 86400) * 1000);
        const updated = await c.updateKeyProperties("upd", key.properties.version!, { enabled: false, expiresOn: exp, tags: { b: "2" }, keyOps: ["sign", "verify"] });
        expect(updated.properties).toMatchObject({ enabled: false, expiresOn: exp, tags: { b: "2" }, updatedOn: new Date(nowS() * 1000), createdOn: new Date((nowS() - 5) * 1000) });
        expect(updated.keyOperations).toEqual(["sign", "verify"]);
        expect(keyOf(emu, "acme.vault.azure.net", "upd")!.versions[0].attributes).toEqual({ enabled: false, exp: nowS() + 86400, created: nowS() - 5, updated: nowS() });
        await rejects(c.updateKeyProperties("upd", key.properties.version!, { keyOps: ["import"] }), 400, "BadParameter", /import/);
        await rejects(c.updateKeyProperties("nope", "0123456789abcdef0123456789abcdef", { enabled: true }), 404, "KeyNotFound");
    });

    test("importKey: a software RSA JWK with private parts; the answer holds only the public JWK", async () => {
        const log: Exchange[] = [];
        const c = keyClient(VAULT, { log });
        const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        const jwk = sdkJwk(privateKey.export({ format: "jwk" }), { kty: "RSA", keyOps: ["sign", "verify", "decrypt", "encrypt"] });
        const key = await c.importKey("sw-rsa", jwk, { tags: { src: "byo" } });
        expect(key.keyType).toBe("RSA");
        expect(key.keyOperations).toEqual(["sign", "verify", "decrypt", "encrypt"]);
        expect(b64u(key.key!.n!)).toBe(publicKey.export({ format: "jwk" }).n);
        const answer = JSON.parse(log[log.length - 1].body!);
        expect(Object.keys(answer.key).sort()).toEqual(["e", "key_ops", "kid", "kty", "n"]);
        expect(keyOf(emu, "acme.vault.azure.net", "sw-rsa")!.versions[0]).toMatchObject({ origin: "imported", kty: "RSA", keySize: 2048, fingerprint: fingerprint(Buffer.alloc(0), privateKey) });
        // The imported key works: RS256 signature by the vault verifies locally; local OAEP ciphertext decrypts remotely.
        const crypt = c.getCryptographyClient("sw-rsa");
        const sig = await crypt.sign("RS256", sha("sha256", "payload"));
        expect(crypto.verify("sha256", Buffer.from("payload"), publicKey, Buffer.from(sig.result))).toBe(true);
        const ct = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, Buffer.from("secret"));
        expect(Buffer.from((await crypt.decrypt("RSA-OAEP-256", ct)).result).toString()).toBe("secret");
        // hardwareProtected makes it RSA-HSM; a JWK without private parts or with a foreign modulus is refused.
        expect((await c.importKey("sw-rsa-hsm", jwk, { hardwareProtected: true })).keyType).toBe("RSA-HSM");
        const pub = sdkJwk(publicKey.export({ format: "jwk" }), { kty: "RSA" });
        await rejects(c.importKey("sw-pub", pub), 400, "BadParameter", /private key material/);
        const other = sdkJwk(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }), { kty: "RSA" });
        await rejects(c.importKey("sw-mix", { ...jwk, n: other.n }), 400, "BadParameter");
    });
});

describe("other operations", () => {
    test("getRandomBytes comes from a Managed HSM only", async () => {
        expect(await keyClient(HSM).getRandomBytes(16)).toHaveLength(16);
        await rejects(keyClient().getRandomBytes(16), 400, "BadParameter", /only available from a Managed HSM/);
        await rejects(keyClient(HSM).getRandomBytes(129), 400, "BadParameter", /^GetRandomBytesRequest: count cannot be greater than 128 or less than 1 \(Activity ID: [0-9a-f-]{36}\)$/);
        expect(emu.calls.slice(-3).map((c) => c.operation)).toEqual(["getRandomBytes", "getRandomBytes", "getRandomBytes"]);
    });

    test("backup and restore: an opaque blob (no material in it) restores every version, ids and attributes into a vault where the name is free", async () => {
        const client = keyClient("https://bk-src.vault.azure.net");
        const v1 = await client.createKey("bk", "EC", { curve: "P-256", tags: { team: "a" } });
        const v2 = await client.rotateKey("bk");
        await client.updateKeyProperties("bk", v1.properties.version!, { enabled: false });
        const blob = await client.backupKey("bk");
        expect(blob).toBeInstanceOf(Uint8Array);
        // The blob is sealed: neither the private scalar nor the PKCS#8 of any version is in it.
        const text = Buffer.from(blob!).toString("latin1");
        expect(text.startsWith("KFAZBK1")).toBe(true);
        const snap = emu.snapshot() as { vaults: { name: string; keys: { name: string; versions: { material: { pkcs8: string } }[] }[] }[] };
        const pkcs8 = snap.vaults.find((v) => v.name === "bk-src")!.keys.find((k) => k.name === "bk")!.versions.map((v) => Buffer.from(v.material.pkcs8, "base64"));
        expect(pkcs8).toHaveLength(2);
        for (const der of pkcs8) {
            expect(Buffer.from(blob!).includes(der)).toBe(false);
            expect(text.includes(der.toString("base64"))).toBe(false);
            expect(text.includes(der.toString("base64url"))).toBe(false);
        }
        // The name is taken where the key still is.
        await rejects(client.restoreKeyBackup(blob!), 409, "Conflict", /There was a conflict restoring the key bk/);
        const dst = keyClient("https://bk-dst.vault.azure.net");
        const restored = await dst.restoreKeyBackup(blob!);
        expect(restored.id).toBe(`https://bk-dst.vault.azure.net/keys/bk/${v2.properties.version}`);
        expect(Buffer.from(restored.key!.x!)).toEqual(Buffer.from(v2.key!.x!));
        const versions: { version?: string; enabled?: boolean }[] = [];
        for await (const p of dst.listPropertiesOfKeyVersions("bk")) versions.push({ version: p.version, enabled: p.enabled });
        expect(versions.sort((a, b) => (a.version! < b.version! ? -1 : 1))).toEqual([{ version: v1.properties.version, enabled: false }, { version: v2.properties.version, enabled: true }].sort((a, b) => (a.version! < b.version! ? -1 : 1)));
        expect((await dst.getKey("bk")).properties.tags).toEqual({ team: "a" });
        // The restored key signs; its signature verifies with the source's public key.
        const digest = crypto.createHash("sha256").update("bk").digest();
        const sig = await dst.getCryptographyClient("bk").sign("ES256", digest);
        expect((await client.getCryptographyClient("bk").verify("ES256", digest, sig.result)).result).toBe(true);
        // Not into a Managed HSM; and a blob this emulator did not seal is refused.
        await rejects(keyClient(HSM).restoreKeyBackup(blob!), 400, "BadParameter", "A key vault backup cannot be restored into a Managed HSM.");
        const tampered = Uint8Array.from(blob!);
        tampered[tampered.length - 1] ^= 1;
        await rejects(dst.restoreKeyBackup(tampered), 400, "BadParameter", "Backup blob contains invalid or corrupt version.");
        await rejects(dst.restoreKeyBackup(Uint8Array.from([1, 2, 3])), 400, "BadParameter", "Backup blob contains invalid or corrupt version.");
        await rejects(client.backupKey("missing"), 404, "KeyNotFound");
    });
});

describe("cryptography through CryptographyClient", () => {
    let rsa: CryptographyClient;
    let rsaKey: KeyVaultKey;

    beforeAll(async () => {
        const c = keyClient();
        rsaKey = await c.createKey("crypt-rsa", "RSA-HSM", { keySize: 2048 });
        rsa = c.getCryptographyClient("crypt-rsa");
    });

    test("RSA encrypt/decrypt: RSA-OAEP, RSA-OAEP-256 and RSA1_5 round trips; wrapKey/unwrapKey", async () => {
        for (const alg of ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] as const) {
            const enc = await rsa.encrypt(alg, Buffer.from(`plain ${alg}`));
            expect(Buffer.from((await rsa.decrypt(alg, enc.result)).result).toString()).toBe(`plain ${alg}`);
        }
        const dek = crypto.randomBytes(32);
        const wrapped = await rsa.wrapKey("RSA-OAEP-256", dek);
        expect(wrapped.result).toHaveLength(256);
        expect(Buffer.from((await rsa.unwrapKey("RSA-OAEP-256", wrapped.result)).result).equals(dek)).toBe(true);
        // The vault's OAEP-256 ciphertext is standard: the local public key gives one the vault decrypts.
        const local = crypto.publicEncrypt({ key: publicKeyOf(rsaKey), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, dek);
        expect(Buffer.from((await rsa.unwrapKey("RSA-OAEP-256", local)).result).equals(dek)).toBe(true);
    });

    test("RSA sign over a digest: RS256/PS256/PS384 verify locally and through the vault", async () => {
        const pub = publicKeyOf(rsaKey);
        for (const [alg, hash, padding] of [
            ["RS256", "sha256", crypto.constants.RSA_PKCS1_PADDING],
            ["PS256", "sha256", crypto.constants.RSA_PKCS1_PSS_PADDING],
            ["PS384", "sha384", crypto.constants.RSA_PKCS1_PSS_PADDING],
        ] as const) {
            const digest = sha(hash, `data ${alg}`);
            const sig = Buffer.from((await rsa.sign(alg, digest)).result);
            expect(crypto.verify(hash, Buffer.from(`data ${alg}`), { key: pub, padding, saltLength: hash === "sha256" ? 32 : 48 }, sig)).toBe(true);
            expect((await rsa.verify(alg, digest, sig)).result).toBe(true);
            sig[7] ^= 1;
            expect((await rsa.verify(alg, digest, sig)).result).toBe(false);
        }
    });

    test("EC sign ES256/ES256K (r ‖ s over the digest) verifies with Node; verify through the vault", async () => {
        const c = keyClient();
        for (const [crv, alg] of [
            ["P-256", "ES256"],
            ["P-256K", "ES256K"],
        ] as const) {
            const key = await c.createKey(`crypt-ec-${crv.toLowerCase()}`, "EC", { curve: crv });
            const ec = c.getCryptographyClient(key.name);
            const sig = Buffer.from((await ec.sign(alg, sha("sha256", "hello"))).result);
            expect(sig).toHaveLength(64);
            expect(crypto.verify("sha256", Buffer.from("hello"), { key: publicKeyOf(key), dsaEncoding: "ieee-p1363" }, sig)).toBe(true);
            expect((await ec.verify(alg, sha("sha256", "hello"), sig)).result).toBe(true);
            expect((await ec.verify(alg, sha("sha256", "other"), sig)).result).toBe(false);
        }
    });

    test("oct-HSM: A256GCM (the HSM picks the iv and returns the tag), A256CBCPAD and A256KW round trips", async () => {
        const h = keyClient(HSM);
        await h.createOctKey("crypt-aes", { hsm: true, keySize: 256 });
        const aes = h.getCryptographyClient("crypt-aes");
        const aad = Buffer.from("context");
        const enc = await aes.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("gcm plaintext"), additionalAuthenticatedData: aad });
        expect([enc.iv?.length, enc.authenticationTag?.length]).toEqual([12, 16]);
        const dec = await aes.decrypt({ algorithm: "A256GCM", ciphertext: enc.result, iv: enc.iv!, authenticationTag: enc.authenticationTag!, additionalAuthenticatedData: aad });
        expect(Buffer.from(dec.result).toString()).toBe("gcm plaintext");
        await rejects(aes.decrypt({ algorithm: "A256GCM", ciphertext: enc.result, iv: enc.iv!, authenticationTag: Buffer.alloc(16), additionalAuthenticatedData: aad }), 400, "BadParameter", /authentication tag/);
        const iv = crypto.randomBytes(16);
        const cbc = await aes.encrypt({ algorithm: "A256CBCPAD", plaintext: Buffer.from("cbc"), iv });
        expect(Buffer.from((await aes.decrypt({ algorithm: "A256CBCPAD", ciphertext: cbc.result, iv })).result).toString()).toBe("cbc");
        const dek = crypto.randomBytes(32);
        const wrapped = await aes.wrapKey("A256KW", dek);
        expect(wrapped.result).toHaveLength(40);
        expect(Buffer.from((await aes.unwrapKey("A256KW", wrapped.result)).result).equals(dek)).toBe(true);
        await rejects(aes.wrapKey("A128KW", dek), 400, "BadParameter", /128-bit key/);
    });

    test("refusals: disabled key 403, expired or not-yet-valid key 403, wrong algorithm or digest 400, bad ciphertext 400", async () => {
        const c = keyClient();
        const key = await c.createKey("crypt-off", "RSA", { keySize: 2048 });
        const cc = c.getCryptographyClient("crypt-off");
        const ct = (await cc.encrypt("RSA-OAEP", Buffer.from("x"))).result;
        await c.updateKeyProperties("crypt-off", key.properties.version!, { enabled: false });
        const before = keyOf(emu, "acme.vault.azure.net", "crypt-off");
        await rejects(cc.decrypt("RSA-OAEP", ct), 403, "Forbidden", /^Operation decrypt is not allowed on a disabled key\.$/);
        await rejects(cc.sign("RS256", sha("sha256", "x")), 403, "Forbidden", /disabled key/);
        expect(keyOf(emu, "acme.vault.azure.net", "crypt-off")).toEqual(before);

        // Validity is judged on the emulator's clock; the SDK checks nbf/exp on the real one first, so the windows are
        // chosen to pass there and fail in the vault.
        const t0 = clock.now();
        await c.createKey("crypt-exp", "EC", { expiresOn: new Date((nowS() + 3600) * 1000) });
        const ec = c.getCryptographyClient("crypt-exp");
        await ec.sign("ES256", sha("sha256", "ok"));
        clock.set(t0 + 2 * 3600_000);
        await rejects(ec.sign("ES256", sha("sha256", "late")), 403, "Forbidden", /^Operation sign is not allowed on an expired key\.$/);
        clock.set(t0);
        await c.createKey("crypt-nbf", "EC", { notBefore: new Date((Math.floor(Date.now() / 1000) - 60) * 1000) });
        clock.set(Date.now() - 3600_000);
        await rejects(c.getCryptographyClient("crypt-nbf").sign("ES256", sha("sha256", "early")), 403, "Forbidden", /not yet valid/);
        clock.set(t0);

        await rejects(rsa.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("x") }), 400, "BadParameter", /not supported for encrypt/);
        await rejects(rsa.sign("RS256", sha("sha384", "x")), 400, "BadParameter", /32-byte SHA256 digest/);
        await rejects(rsa.decrypt("RSA-OAEP", crypto.randomBytes(256)), 400, "BadParameter", /Decryption failed/);
        await rejects(keyClient().getCryptographyClient("missing").sign("RS256", sha("sha256", "x")), 404, "KeyNotFound");
    });
});

describe("soft delete, recover, purge", () => {
    test("delete → deleted key with recoveryId and scheduled purge; name is taken (409); recover brings every version back", async () => {
        const c = keyClient();
        const v1 = await c.createKey("life", "EC");
        const v2 = await c.createKey("life", "EC");
        const poller = await c.beginDeleteKey("life");
        const deleted = await poller.pollUntilDone();
        expect(deleted.id).toBe(v2.id);
        expect(deleted.properties).toMatchObject({
            recoveryId: `${VAULT}/deletedkeys/life`,
            deletedOn: new Date(nowS() * 1000),
            scheduledPurgeDate: new Date((nowS() + 90 * 86400) * 1000),
            recoveryLevel: "Recoverable+Purgeable",
        });
        await rejects(c.getKey("life"), 404, "KeyNotFound");
        expect((await c.getDeletedKey("life")).properties.recoveryId).toBe(`${VAULT}/deletedkeys/life`);
        const listed: string[] = [];
        for await (const d of c.listDeletedKeys()) listed.push(d.properties.recoveryId!);
        expect(listed).toContain(`${VAULT}/deletedkeys/life`);
        await rejects(c.createKey("life", "EC"), 409, "Conflict", /deleted but recoverable state/);
        await rejects(c.importKey("life", sdkJwk(crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }), { kty: "EC", crv: "P-256" })), 409, "Conflict");
        expect(vaultOf(emu, "acme.vault.azure.net").deletedKeys.find((k) => k.name === "life")!.versions).toHaveLength(2);

        const recovered = await (await c.beginRecoverDeletedKey("life")).pollUntilDone();
        expect(recovered.id).toBe(v2.id);
        expect((await c.getKey("life", { version: v1.properties.version })).id).toBe(v1.id);
        await rejects(c.getDeletedKey("life"), 404, "KeyNotFound");
    });

    test("purge removes a deleted key for good; unknown deleted key → 404; retention elapses → purged automatically", async () => {
        const c = keyClient();
        await c.createKey("gone", "EC");
        await (await c.beginDeleteKey("gone")).pollUntilDone();
        await c.purgeDeletedKey("gone");
        await rejects(c.getDeletedKey("gone"), 404, "KeyNotFound");
        await rejects(c.purgeDeletedKey("gone"), 404, "KeyNotFound");
        expect(vaultOf(emu, "acme.vault.azure.net").deletedKeys.map((k) => k.name)).not.toContain("gone");
        // The name is free again.
        expect((await c.createKey("gone", "EC")).name).toBe("gone");

        const r = keyClient("https://retention.vault.azure.net");
        await r.createKey("old", "EC");
        await (await r.beginDeleteKey("old")).pollUntilDone();
        clock.advance(90 * DAY_MS + 1000);
        await rejects(r.getDeletedKey("old"), 404, "KeyNotFound");
        expect(vaultOf(emu, "retention.vault.azure.net").deletedKeys).toEqual([]);
    });
});

describe("rotation policy and rotate", () => {
    test("a key without a policy answers Key Vault's default; a valid policy is stored and echoed", async () => {
        const c = keyClient();
        await c.createKey("rot", "RSA", { keySize: 2048, keyOps: ["wrapKey", "unwrapKey"], tags: { t: "1" } });
        const def = await c.getKeyRotationPolicy("rot");
        expect(def).toMatchObject({ id: `${VAULT}/keys/rot/rotationpolicy`, lifetimeActions: [{ action: "Notify", timeBeforeExpiry: "P30D" }] });
        expect(def.expiresIn).toBeUndefined();
        const set = await c.updateKeyRotationPolicy("rot", {
            expiresIn: "P90D",
            lifetimeActions: [
                { action: "Rotate", timeAfterCreate: "P30D" },
                { action: "Notify", timeBeforeExpiry: "P7D" },
            ],
        });
        expect(set).toMatchObject({
            id: `${VAULT}/keys/rot/rotationpolicy`,
            expiresIn: "P90D",
            createdOn: new Date(nowS() * 1000),
            lifetimeActions: [
                { action: "Rotate", timeAfterCreate: "P30D", timeBeforeExpiry: undefined },
                { action: "Notify", timeAfterCreate: undefined, timeBeforeExpiry: "P7D" },
            ],
        });
        expect(keyOf(emu, "acme.vault.azure.net", "rot")!.rotationPolicy).toEqual({
            lifetimeActions: [
                { trigger: { timeAfterCreate: "P30D" }, action: { type: "Rotate" } },
                { trigger: { timeBeforeExpiry: "P7D" }, action: { type: "Notify" } },
            ],
            expiryTime: "P90D",
            created: nowS(),
            updated: nowS(),
        });
    });

    test.each([
        ["expiry shorter than 28 days", { expiresIn: "P27D" }, /at least 28 days/],
        ["expiry not an ISO 8601 duration", { expiresIn: "90 days" }, /not an ISO 8601 duration/],
        ["rotation sooner than 7 days", { expiresIn: "P90D", lifetimeActions: [{ action: "Rotate" as const, timeAfterCreate: "P1D" }] }, /at least 7 days/],
        ["notify after creation", { expiresIn: "P90D", lifetimeActions: [{ action: "Notify" as const, timeAfterCreate: "P30D" }] }, /Notify action is triggered by timeBeforeExpiry/],
        ["both triggers", { expiresIn: "P90D", lifetimeActions: [{ action: "Rotate" as const, timeAfterCreate: "P30D", timeBeforeExpiry: "P30D" }] }, /exactly one/],
        ["rotation after expiry", { expiresIn: "P28D", lifetimeActions: [{ action: "Rotate" as const, timeAfterCreate: "P60D" }] }, /shorter than attributes.expiryTime/],
    ])("rotation policy refused: %s → 400 BadParameter", async (_n, policy, message) => {
        await rejects(keyClient().updateKeyRotationPolicy("rot", policy), 400, "BadParameter", message);
        expect(keyOf(emu, "acme.vault.azure.net", "rot")!.rotationPolicy?.expiryTime).toBe("P90D");
    });

    test("rotate creates a new version with the same type, size and operations, expiring per the policy", async () => {
        const c = keyClient();
        const before = await c.getKey("rot");
        const rotated = await c.rotateKey("rot");
        expect(rotated.id).toMatch(VERSIONED("acme.vault.azure.net", "rot"));
        expect(rotated.id).not.toBe(before.id);
        expect([rotated.keyType, rotated.key!.n!.length, rotated.keyOperations, rotated.properties.tags]).toEqual(["RSA", 256, ["wrapKey", "unwrapKey"], { t: "1" }]);
        expect(rotated.properties.expiresOn).toEqual(new Date((nowS() + 90 * 86400) * 1000));
        expect((await c.getKey("rot")).id).toBe(rotated.id);
        const versions = keyOf(emu, "acme.vault.azure.net", "rot")!.versions;
        expect(versions.map((v) => v.origin)).toEqual(["generated", "rotated"]);
        expect(versions[0].fingerprint).not.toBe(versions[1].fingerprint);
        await rejects(c.rotateKey("missing"), 404, "KeyNotFound");
        await rejects(c.getKeyRotationPolicy("missing"), 404, "KeyNotFound");
    });
});

describe("BYOK (key_hsm transfer blobs)", () => {
    let kek: { kid: string; pub: crypto.KeyObject };
    let hsmKek: { kid: string; pub: crypto.KeyObject };

    beforeAll(async () => {
        kek = await createKek(keyClient(), "kek");
        hsmKek = await createKek(keyClient(HSM), "hsm-kek");
    });

    test("the KEK: RSA-HSM with import as its only operation; mixing import with anything else is refused", async () => {
        expect((await keyClient().getKey("kek")).keyOperations).toEqual(["import"]);
        expect(kek.kid).toMatch(VERSIONED("acme.vault.azure.net", "kek"));
        await rejects(keyClient().createKey("kek-bad", "RSA-HSM", { keySize: 2048, keyOps: ["import", "sign"] }), 400, "BadParameter", /"import" as its only key operation/);
        await rejects(keyClient().createKey("kek-sw", "RSA", { keySize: 2048, keyOps: ["import"] }), 400, "BadParameter", /only valid for an RSA-HSM/);
        expect(keyOf(emu, "acme.vault.azure.net", "kek-bad")).toBeUndefined();
    });

    test.each([2048, 3072, 4096])("RSA-HSM %i: import, public JWK back, local encryption decrypts in the vault", async (bits) => {
        const log: Exchange[] = [];
        const c = keyClient(VAULT, { log });
        const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: bits });
        const name = `byok-rsa-${bits}`;
        const key = await c.importKey(name, { kty: "RSA-HSM", keyOps: ["encrypt", "decrypt"], t: transferBlob(kek.kid, kek.pub, pkcs8(privateKey)) }, { enabled: true });
        expect([key.keyType, key.keyOperations, key.key!.n!.length]).toEqual(["RSA-HSM", ["encrypt", "decrypt"], bits / 8]);
        expect(b64u(key.key!.n!)).toBe(publicKey.export({ format: "jwk" }).n);
        expect(Object.keys(JSON.parse(log[log.length - 1].body!).key).sort()).toEqual(["e", "key_ops", "kid", "kty", "n"]);
        expect(keyOf(emu, "acme.vault.azure.net", name)!.versions[0]).toMatchObject({ origin: "byok", kty: "RSA-HSM", keySize: bits, fingerprint: fingerprint(Buffer.alloc(0), privateKey) });
        const ct = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, Buffer.from(`byok ${bits}`));
        expect(Buffer.from((await c.getCryptographyClient(name).decrypt("RSA-OAEP", ct)).result).toString()).toBe(`byok ${bits}`);
    });

    test.each([
        ["P-256", "ES256", "sha256"],
        ["P-384", "ES384", "sha384"],
    ] as const)("EC-HSM %s: import, sign through the SDK, verify locally", async (crv, alg, hash) => {
        const c = keyClient();
        const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: crv });
        const name = `byok-ec-${crv.toLowerCase()}`;
        const key = await c.importKey(name, { kty: "EC-HSM", crv, keyOps: ["sign", "verify"], t: transferBlob(kek.kid, kek.pub, pkcs8(privateKey)) });
        expect([key.keyType, key.key!.crv, b64u(key.key!.x!)]).toEqual(["EC-HSM", crv, publicKey.export({ format: "jwk" }).x]);
        const sig = await c.getCryptographyClient(name).sign(alg, sha(hash, "signed in the HSM"));
        expect(crypto.verify(hash, Buffer.from("signed in the HSM"), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(sig.result))).toBe(true);
    });

    test("oct-HSM 256 on a Managed HSM: wrapKey in the HSM unwraps locally; encrypt/decrypt round trip; fingerprint matches", async () => {
        const h = keyClient(HSM);
        const material = crypto.randomBytes(32);
        const key = await h.importKey("byok-aes", { kty: "oct-HSM", keyOps: ["wrapKey", "unwrapKey", "encrypt", "decrypt"], t: transferBlob(hsmKek.kid, hsmKek.pub, material) });
        expect([key.keyType, key.key!.k]).toEqual(["oct-HSM", undefined]);
        const aes = h.getCryptographyClient("byok-aes");
        const dek = crypto.randomBytes(32);
        const wrapped = await aes.wrapKey("A256KW", dek);
        expect(aesKwUnwrap(material, Buffer.from(wrapped.result)).equals(dek)).toBe(true);
        const enc = await aes.encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("aes byok") });
        const local = crypto.createDecipheriv("aes-256-gcm", material, Buffer.from(enc.iv!));
        local.setAuthTag(Buffer.from(enc.authenticationTag!));
        expect(Buffer.concat([local.update(Buffer.from(enc.result)), local.final()]).toString()).toBe("aes byok");
        expect(keyOf(emu, "acme-hsm.managedhsm.azure.net", "byok-aes")!.versions[0]).toMatchObject({ origin: "byok", keySize: 256, fingerprint: fingerprint(material) });
    });

    test("refused imports (400 BadParameter) leave no key", async () => {
        const c = keyClient();
        const h = keyClient(HSM);
        const rsa2048 = pkcs8(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
        const ecP256 = pkcs8(crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
        const notKek = await c.createKey("not-kek", "RSA-HSM", { keySize: 2048, keyOps: ["encrypt", "decrypt"] });
        const other = await createKek(keyClient("https://other.vault.azure.net"), "kek");
        const cases: [string, Promise<unknown>, RegExp][] = [
            ["kek-other-vault", c.importKey("x1", { kty: "RSA-HSM", t: transferBlob(other.kid, other.pub, rsa2048) }), /same vault or HSM/],
            ["kek-not-import-only", c.importKey("x2", { kty: "RSA-HSM", t: transferBlob(notKek.id!, publicKeyOf(notKek), rsa2048) }), /not a key exchange key/],
            ["kek-unversioned", c.importKey("x3", { kty: "RSA-HSM", t: transferBlob(`${VAULT}/keys/kek`, kek.pub, rsa2048) }), /versioned key identifier/],
            ["tampered-rsa-part", c.importKey("x4", { kty: "RSA-HSM", t: transferBlob(kek.kid, kek.pub, rsa2048, (w) => (w[10] ^= 0x01)) }), /could not be unwrapped/],
            ["tampered-kwp-part", c.importKey("x5", { kty: "RSA-HSM", t: transferBlob(kek.kid, kek.pub, rsa2048, (w) => (w[w.length - 1] ^= 0x01)) }), /could not be unwrapped/],
            ["ec-for-rsa", c.importKey("x6", { kty: "RSA-HSM", t: transferBlob(kek.kid, kek.pub, ecP256) }), /expected an RSA-2048 private key as DER PKCS#8, got a ec key/],
            ["wrong-curve", c.importKey("x7", { kty: "EC-HSM", crv: "P-384", t: transferBlob(kek.kid, kek.pub, ecP256) }), /got curve prime256v1/],
            ["oct-31-bytes", h.importKey("x8", { kty: "oct-HSM", t: transferBlob(hsmKek.kid, hsmKek.pub, crypto.randomBytes(31)) }), /expected 16, 24 or 32 raw bytes \(AES-128\/192\/256\), got 31 bytes/],
            ["oct-on-vault", c.importKey("x9", { kty: "oct-HSM", t: transferBlob(kek.kid, kek.pub, crypto.randomBytes(32)) }), /only supported by Managed HSM/],
            ["not-a-blob", c.importKey("x10", { kty: "RSA-HSM", t: Buffer.from("not json") }), /not a base64 encoded JSON key transfer blob/],
            ["wrong-enc", c.importKey("x11", { kty: "RSA-HSM", t: Buffer.from(JSON.stringify({ ...JSON.parse(transferBlob(kek.kid, kek.pub, rsa2048).toString()), header: { kid: kek.kid, alg: "dir", enc: "RSA-OAEP" } })) }), /CKM_RSA_AES_KEY_WRAP/],
        ];
        for (const [label, p, message] of cases) {
            try {
                await rejects(p, 400, "BadParameter", message);
            } catch (e) {
                throw new Error(`${label}: ${(e as Error).message}`);
            }
        }
        const names = vaultOf(emu, "acme.vault.azure.net").keys.map((k) => k.name);
        for (let i = 1; i <= 11; i++) expect(names).not.toContain(`x${i}`);
        expect(vaultOf(emu, "acme-hsm.managedhsm.azure.net").keys.map((k) => k.name)).not.toContain("x8");
    });
});
