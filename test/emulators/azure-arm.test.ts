/**
 * The Azure emulator's ARM `Microsoft.KeyVault/vaults` plane (through `KeyVaultManagementClient` from the
 * factory), fault injection, snapshot and restore, and that plaintext key material never leaves it.
 */
import * as crypto from "crypto";
import { FaultInjector } from "../../sdk/emulators/common";
import { startAzureKeyVaultEmulator } from "../../sdk/emulators/azure";
import { Exchange, HSM, SUB, TENANT, armClient, clock, createKek, emu, env, envFor, keyClient, keyOf, nowS, publicKeyOf, rejects, sha, transferBlob, vaultOf, useSharedEmulator } from "./azure-support";

useSharedEmulator();
describe("ARM Microsoft.KeyVault/vaults", () => {
    const properties = {
        tenantId: TENANT,
        sku: { family: "A" as const, name: "premium" as const },
        enableSoftDelete: true,
        softDeleteRetentionInDays: 30,
        enablePurgeProtection: true,
        enableRbacAuthorization: true,
        networkAcls: { defaultAction: "Deny" as const, bypass: "AzureServices" as const, ipRules: [{ value: "203.0.113.0/24" }], virtualNetworkRules: [{ id: `/subscriptions/${SUB}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/s` }] },
        publicNetworkAccess: "Disabled",
    };

    test("PUT (LRO done on the first answer), GET back: purge protection, RBAC, network ACL deny", async () => {
        const arm = armClient();
        const before = emu.calls.length;
        const put = await arm.vaults.beginCreateOrUpdateAndWait("rg-sec", "secure", { location: "westeurope", tags: { env: "prod" }, properties });
        expect(emu.calls.slice(before)).toEqual([{ operation: "armPutVault" }]);
        const got = await arm.vaults.get("rg-sec", "secure");
        for (const v of [put, got]) {
            expect(v).toMatchObject({ id: `/subscriptions/${SUB}/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/secure`, name: "secure", type: "Microsoft.KeyVault/vaults", location: "westeurope", tags: { env: "prod" } });
            expect(v.properties).toMatchObject({ ...properties, vaultUri: "https://secure.vault.azure.net/", provisioningState: "Succeeded", accessPolicies: [] });
        }
        expect(vaultOf(emu, "secure.vault.azure.net").arm!.properties.networkAcls).toEqual(properties.networkAcls);
        const listed: string[] = [];
        for await (const v of arm.vaults.listByResourceGroup("rg-sec")) listed.push(v.name!);
        expect(listed).toEqual(["secure"]);
        // PUT again (update, 200): also finished on the first answer.
        const mark = emu.calls.length;
        const again = await arm.vaults.beginCreateOrUpdateAndWait("rg-sec", "secure", { location: "westeurope", tags: { env: "prod", owner: "sec" }, properties });
        expect([again.tags, emu.calls.slice(mark)]).toEqual([{ env: "prod", owner: "sec" }, [{ operation: "armPutVault" }]]);
        await rejects(arm.vaults.beginCreateOrUpdateAndWait("rg-elsewhere", "secure", { location: "westeurope", properties }), 409, "VaultAlreadyExists");
    });

    test("purge protection cannot be turned off (PATCH or PUT → 400); retention is fixed; other updates apply", async () => {
        const arm = armClient();
        await rejects(arm.vaults.update("rg-sec", "secure", { properties: { enablePurgeProtection: false } }), 400, "BadRequest", /cannot be set to false/);
        await rejects(arm.vaults.beginCreateOrUpdateAndWait("rg-sec", "secure", { location: "westeurope", properties: { ...properties, enablePurgeProtection: false } }), 400, "BadRequest", /irreversible/);
        await rejects(arm.vaults.update("rg-sec", "secure", { properties: { softDeleteRetentionInDays: 60 } }), 400, "BadRequest", /softDeleteRetentionInDays/);
        await rejects(arm.vaults.update("rg-sec", "secure", { properties: { enableSoftDelete: false } }), 400, "BadRequest", /enableSoftDelete/);
        expect((await arm.vaults.get("rg-sec", "secure")).properties.enablePurgeProtection).toBe(true);
        const patched = await arm.vaults.update("rg-sec", "secure", { properties: { networkAcls: { defaultAction: "Allow", bypass: "None" } } });
        expect(patched.properties.networkAcls).toEqual({ defaultAction: "Allow", bypass: "None", ipRules: [], virtualNetworkRules: [] });
        expect(patched.properties).toMatchObject({ enablePurgeProtection: true, enableRbacAuthorization: true, softDeleteRetentionInDays: 30 });
    });

    test("soft delete off (a vault created with enableSoftDelete false): keys are Purgeable and deleted for good; once on, it cannot be turned off", async () => {
        const arm = armClient();
        const created = await arm.vaults.beginCreateOrUpdateAndWait("rg-legacy", "nosoft", { location: "westeurope", properties: { tenantId: TENANT, sku: { family: "A", name: "premium" }, enableSoftDelete: false } });
        expect(created.properties.enableSoftDelete).toBe(false);
        await rejects(arm.vaults.beginCreateOrUpdateAndWait("rg-legacy", "nosoft2", { location: "westeurope", properties: { tenantId: TENANT, sku: { family: "A", name: "premium" }, enableSoftDelete: false, enablePurgeProtection: true } }), 400, "BadRequest", /purge protection is effective only if soft delete is also enabled/);
        const client = keyClient("https://nosoft.vault.azure.net");
        const key = await client.createKey("gone", "EC", { curve: "P-256" });
        expect([key.properties.recoveryLevel, key.properties.recoverableDays]).toEqual(["Purgeable", undefined]);
        const deleted = await (await client.beginDeleteKey("gone")).pollUntilDone();
        expect(deleted.properties.recoveryId).toBeUndefined();
        await rejects(client.getDeletedKey("gone"), 404, "KeyNotFound", "Deleted Key not found: gone");
        await rejects(client.getKey("gone"), 404, "KeyNotFound");
        expect(keyOf(emu, "nosoft.vault.azure.net", "gone")).toBeUndefined();
        // The name is free again at once.
        expect((await client.createKey("gone", "EC", { curve: "P-256" })).name).toBe("gone");
        // Turning it on is allowed; turning it off again is not.
        expect((await arm.vaults.update("rg-legacy", "nosoft", { properties: { enableSoftDelete: true } })).properties.enableSoftDelete).toBe(true);
        await rejects(arm.vaults.update("rg-legacy", "nosoft", { properties: { enableSoftDelete: false } }), 400, "BadRequest", `The property "enableSoftDelete" cannot be set to false. Enabling the 'soft delete' functionality is an irreversible action.`);
    });

    test("unknown vault or wrong resource group → 404 ResourceNotFound; invalid properties → 400", async () => {
        const arm = armClient();
        await rejects(arm.vaults.get("rg-sec", "nosuchvault"), 404, "ResourceNotFound", /Microsoft.KeyVault\/vaults\/nosuchvault/);
        await rejects(arm.vaults.get("rg-other", "secure"), 404, "ResourceNotFound");
        // A vault known only from the data plane has no ARM resource.
        await keyClient("https://dataonly.vault.azure.net").createKey("k", "EC");
        await rejects(arm.vaults.get("rg-sec", "dataonly"), 404, "ResourceNotFound");
        await rejects(arm.vaults.beginCreateOrUpdateAndWait("rg-sec", "badret", { location: "westeurope", properties: { ...properties, softDeleteRetentionInDays: 3 } }), 400, "BadRequest", /7 to 90/);
        await rejects(arm.vaults.beginCreateOrUpdateAndWait("rg-sec", "badacl", { location: "westeurope", properties: { ...properties, networkAcls: { defaultAction: "Deny", ipRules: [{ value: "300.1.1.1" }] } } }), 400, "BadRequest", /not an IPv4/);
        expect(emu.inspect().vaults.map((v) => v.name)).not.toContain("badret");
    });

    test("the data plane follows ARM: retention and purge protection, and a standard SKU has no HSM keys", async () => {
        const c = keyClient("https://secure.vault.azure.net");
        const key = await c.createKey("guarded", "RSA-HSM", { keySize: 2048 });
        expect(key.properties).toMatchObject({ recoverableDays: 30, recoveryLevel: "CustomizedRecoverable" });
        const deleted = await (await c.beginDeleteKey("guarded")).pollUntilDone();
        expect(deleted.properties.scheduledPurgeDate).toEqual(new Date((nowS() + 30 * 86400) * 1000));
        await rejects(c.purgeDeletedKey("guarded"), 403, "Forbidden", /purge protection is enabled/);
        expect(vaultOf(emu, "secure.vault.azure.net").deletedKeys.map((k) => k.name)).toEqual(["guarded"]);

        const arm = armClient();
        await arm.vaults.beginCreateOrUpdateAndWait("rg-std", "plain", { location: "westeurope", properties: { tenantId: TENANT, sku: { family: "A", name: "standard" } } });
        const plain = keyClient("https://plain.vault.azure.net");
        await rejects(plain.createKey("hsm", "RSA-HSM"), 400, "BadParameter", /Premium vault/);
        expect((await plain.createKey("soft", "RSA")).keyType).toBe("RSA");
        const got = await arm.vaults.get("rg-std", "plain");
        expect(got.properties).toMatchObject({ enableSoftDelete: true, softDeleteRetentionInDays: 90, enableRbacAuthorization: true, publicNetworkAccess: "Enabled" });
        expect(got.properties.enablePurgeProtection).toBeUndefined();
    });
});

describe("fault injection", () => {
    test("throttle 30%: 200 mixed operations through a retrying client complete, no lost or duplicated versions", async () => {
        const faults = new FaultInjector(7).add({ kind: "throttle", rate: 0.3 });
        const e = await startAzureKeyVaultEmulator({ faults });
        try {
            const c = keyClient("https://flaky.vault.azure.net", { env: envFor(e), maxAttempts: 12 });
            const expected = new Map<string, number>();
            for (let i = 0; i < 200; i++) {
                const name = `k${i % 10}`;
                switch (i % 5) {
                    case 0:
                    case 3:
                        await c.createKey(name, "EC", { tags: { i: String(i) } });
                        expected.set(name, (expected.get(name) ?? 0) + 1);
                        break;
                    case 1:
                        if (expected.has(name)) expect((await c.getKey(name)).name).toBe(name);
                        else await rejects(c.getKey(name), 404, "KeyNotFound");
                        break;
                    case 2:
                        if (expected.has(name)) await c.updateKeyProperties(name, { tags: { updated: String(i) } });
                        break;
                    case 4: {
                        let n = 0;
                        for await (const _ of c.listPropertiesOfKeys()) n++;
                        expect(n).toBe(expected.size);
                        break;
                    }
                }
            }
            const keys = vaultOf(e, "flaky.vault.azure.net").keys;
            expect(Object.fromEntries(keys.map((k) => [k.name, k.versions.length]))).toEqual(Object.fromEntries([...expected].sort()));
            expect(new Set(keys.flatMap((k) => k.versions.map((v) => v.version))).size).toBe(keys.reduce((n, k) => n + k.versions.length, 0));
            expect(faults.injected.throttle).toBeGreaterThan(20);
            expect(e.calls.filter((x) => x.fault === "throttle")).toHaveLength(faults.injected.throttle);
            expect(e.calls.filter((x) => x.operation === "createKey" && !x.fault)).toHaveLength([...expected.values()].reduce((a, b) => a + b, 0));
            expect(e.inspect().challenges.total).toBe(1);
        } finally {
            await e.stop();
        }
    });

    test("server-error (503) and a dropped connection are retried; the dropped create was not applied, so one version exists", async () => {
        const faults = new FaultInjector(3).add({ operation: "createKey", kind: "drop", next: 1 }).add({ operation: "getKey", kind: "server-error", next: 1 }).add({ operation: "getKey", kind: "latency", latencyMs: 30, next: 1 });
        const e = await startAzureKeyVaultEmulator({ faults });
        try {
            const c = keyClient("https://drops.vault.azure.net", { env: envFor(e), maxAttempts: 3 });
            const key = await c.createKey("once", "EC");
            expect((await c.getKey("once")).id).toBe(key.id);
            expect(e.calls).toEqual([{ operation: "createKey", fault: "drop" }, { operation: "createKey" }, { operation: "getKey", fault: "server-error" }, { operation: "getKey" }]);
            expect(keyOf(e, "drops.vault.azure.net", "once")!.versions).toHaveLength(1);
            expect(faults.injected).toEqual({ throttle: 0, "server-error": 1, drop: 1, "drop-after-apply": 0, latency: 1 });
            // Without retries the fault reaches the caller.
            faults.add({ operation: "getKey", kind: "throttle", next: 1 });
            await rejects(keyClient("https://drops.vault.azure.net", { env: envFor(e), maxAttempts: 1 }).getKey("once"), 429, "Throttled");
        } finally {
            await e.stop();
        }
    });
    test("drop-after-apply: the create is applied and the connection closes; a retrying client creates a second version", async () => {
        const faults = new FaultInjector(5).add({ operation: "createKey", kind: "drop-after-apply", next: 2 });
        const e = await startAzureKeyVaultEmulator({ faults });
        try {
            const once = keyClient("https://lost.vault.azure.net", { env: envFor(e), maxAttempts: 1 });
            const err = await once.createKey("applied", "EC").then(
                () => undefined,
                (x: { code?: string; statusCode?: number; message: string }) => x,
            );
            expect(err).toMatchObject({ code: "ECONNRESET", statusCode: undefined });
            expect(keyOf(e, "lost.vault.azure.net", "applied")!.versions).toHaveLength(1);
            // The SDK's retry policy repeats the applied, non-idempotent call: a duplicate version.
            await keyClient("https://lost.vault.azure.net", { env: envFor(e), maxAttempts: 3 }).createKey("twice", "EC");
            expect(keyOf(e, "lost.vault.azure.net", "twice")!.versions).toHaveLength(2);
            expect(e.calls).toEqual([
                { operation: "createKey", fault: "drop-after-apply" },
                { operation: "createKey", fault: "drop-after-apply" },
                { operation: "createKey" },
            ]);
            expect(faults.injected["drop-after-apply"]).toBe(2);
        } finally {
            await e.stop();
        }
    });
});

describe("snapshot and restore", () => {
    test("a snapshot is JSON; a new emulator continues from it with the same keys, deleted keys, policies and ARM vaults", async () => {
        const a = await startAzureKeyVaultEmulator({ clock, asyncStates: "instant" });
        const envA = envFor(a);
        const c = keyClient("https://snap.vault.azure.net", { env: envA });
        const rsa = await c.createKey("rsa", "RSA", { keySize: 2048 });
        const ec = await c.createKey("ec", "EC-HSM", { curve: "P-256" });
        await c.updateKeyRotationPolicy("ec", { expiresIn: "P60D", lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P30D" }] });
        await c.createKey("del", "EC");
        await (await c.beginDeleteKey("del")).pollUntilDone();
        await keyClient("https://snap-hsm.managedhsm.azure.net", { env: envA }).createOctKey("aes", { hsm: true, keySize: 128 });
        await armClient({ env: envA }).vaults.beginCreateOrUpdateAndWait("rg", "snap", { location: "northeurope", properties: { tenantId: TENANT, sku: { family: "A", name: "premium" }, enablePurgeProtection: true } });
        const state = JSON.parse(JSON.stringify(a.snapshot()));
        const inspected = a.inspect();
        await a.stop();

        const b = await startAzureKeyVaultEmulator({ clock, state, asyncStates: "instant" });
        try {
            const { challenges: _a, ...restA } = inspected;
            const { challenges: _b, ...restB } = b.inspect();
            expect(restB).toEqual(restA);
            const envB = envFor(b);
            const d = keyClient("https://snap.vault.azure.net", { env: envB });
            expect((await d.getKey("rsa")).id).toBe(rsa.id);
            const ct = crypto.publicEncrypt({ key: publicKeyOf(rsa), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, Buffer.from("restored"));
            expect(Buffer.from((await d.getCryptographyClient("rsa").decrypt("RSA-OAEP-256", ct)).result).toString()).toBe("restored");
            const sig = await d.getCryptographyClient("ec").sign("ES256", sha("sha256", "m"));
            expect(crypto.verify("sha256", Buffer.from("m"), { key: publicKeyOf(ec), dsaEncoding: "ieee-p1363" }, Buffer.from(sig.result))).toBe(true);
            expect((await d.getKeyRotationPolicy("ec")).expiresIn).toBe("P60D");
            expect((await d.getDeletedKey("del")).name).toBe("del");
            expect((await armClient({ env: envB }).vaults.get("rg", "snap")).properties.enablePurgeProtection).toBe(true);
        } finally {
            await b.stop();
        }
        await expect(startAzureKeyVaultEmulator({ state: { format: "something else" } })).rejects.toThrow(/invalid Azure emulator state/);
    });

    test("starts and stops fast; stop closes kept-alive connections", async () => {
        const t0 = Date.now();
        const e = await startAzureKeyVaultEmulator();
        expect(e.endpoint).toBe(`http://127.0.0.1:${e.port}`);
        await keyClient("https://quick.vault.azure.net", { env: envFor(e) }).createKey("k", "EC");
        await e.stop();
        await e.stop();
        expect(Date.now() - t0).toBeLessThan(1500);
        await expect(keyClient("https://quick.vault.azure.net", { env: envFor(e) }).getKey("k")).rejects.toThrow();
    });
});

describe("plaintext key material never leaves the emulator", () => {
    test("imported oct material (BYOK and software JWK) is absent from every response and from inspect(), hex, base64 or base64url", async () => {
        const log: Exchange[] = [];
        const h = keyClient(HSM, { log });
        const byok = crypto.randomBytes(32);
        const soft = crypto.randomBytes(32);
        const { kid, pub } = await createKek(h, "leak-kek");
        await h.importKey("leak-byok", { kty: "oct-HSM", keyOps: ["wrapKey", "unwrapKey", "encrypt", "decrypt"], t: transferBlob(kid, pub, byok) });
        await h.importKey("leak-soft", { kty: "oct-HSM", k: soft });
        for (const name of ["leak-byok", "leak-soft"]) {
            await h.getKey(name);
            for await (const _ of h.listPropertiesOfKeyVersions(name));
            const aes = h.getCryptographyClient(name);
            await aes.unwrapKey("A256KW", (await aes.wrapKey("A256KW", crypto.randomBytes(16))).result);
            await h.rotateKey(name);
            await (await h.beginDeleteKey(name)).pollUntilDone();
            await h.getDeletedKey(name);
        }
        const texts = [...log.map((x) => x.body ?? ""), JSON.stringify(emu.inspect())];
        expect(log.length).toBeGreaterThan(15);
        for (const m of [byok, soft]) {
            for (const form of [m.toString("hex"), m.toString("base64"), m.toString("base64url"), m.toString("base64").replace(/=+$/, "")]) {
                for (const t of texts) expect(t.includes(form)).toBe(false);
            }
        }
        // The snapshot is the emulator's own test-only state: it does carry the material.
        expect(JSON.stringify(emu.snapshot())).toContain(byok.toString("base64"));
    });
});
