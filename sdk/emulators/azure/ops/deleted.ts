/** Deleted keys: delete (soft, or for good without soft delete), get and list deleted keys, recover, purge. */
import { DAY_MS } from "../../common";
import { AzureError, conflict, forbidden, keyNotFound } from "../errors";
import { deletedInfo, keyBundle, keyItem, lower, settingsOf, type DeletedKeyRecord, type VaultRecord } from "../model";
import { seconds, type Reply } from "../requests";
import type { VaultOps } from "../vault-ops";

export function deleteKey(dp: VaultOps, name: string): Reply {
    const vault = dp.vault;
    const key = dp.activeKey(vault, name);
    const now = seconds(dp.ctx.now());
    if (!settingsOf(vault).softDelete) {
        // No soft delete: the key is gone for good, and the answer has no recoveryId (the SDK's poller ends on it).
        vault.keys.delete(lower(name));
        return { status: 200, body: keyBundle(dp.wire, vault, key, key.versions[key.versions.length - 1]) };
    }
    const d: DeletedKeyRecord = { key, deletedDate: now, scheduledPurgeDate: now + settingsOf(vault).retentionDays * (DAY_MS / 1000), ...(dp.ctx.settleMs > 0 ? { visibleAt: dp.ctx.now() + dp.ctx.settleMs } : {}) };
    vault.keys.delete(lower(name));
    vault.deleted.set(lower(name), d);
    return { status: 200, body: { ...keyBundle(dp.wire, vault, key, key.versions[key.versions.length - 1]), ...deletedInfo(dp.origin, d) } };
}

/** A deleted key, once its deletion shows (right after DeleteKey, Key Vault answers 404 for a few seconds: recorded). */
function deletedKey(dp: VaultOps, vault: VaultRecord, name: string, missing: () => AzureError = () => new AzureError(404, "KeyNotFound", `Deleted Key not found: ${name}`)) {
    const d = vault.deleted.get(lower(name));
    if (!d || !dp.visible(d)) throw missing();
    return d;
}

export function getDeletedKey(dp: VaultOps, name: string): Reply {
    const vault = dp.vault;
    const d = deletedKey(dp, vault, name);
    return { status: 200, body: { ...keyBundle(dp.wire, vault, d.key, d.key.versions[d.key.versions.length - 1]), ...deletedInfo(dp.origin, d) } };
}

export function listDeletedKeys(dp: VaultOps): Reply {
    const vault = dp.vault;
    const items = [...vault.deleted.values()]
        .filter((d) => dp.visible(d))
        .sort((a, b) => (lower(a.key.name) < lower(b.key.name) ? -1 : 1))
        .map((d) => ({ ...keyItem(dp.wire, vault, d.key, d.key.versions[d.key.versions.length - 1], false), ...deletedInfo(dp.origin, d) }));
    return { status: 200, body: dp.page(items, "/deletedkeys") };
}

export function recoverDeletedKey(dp: VaultOps, name: string): Reply {
    const vault = dp.vault;
    // A recover of a key that is not deleted: the live key's "not found" (recorded).
    const d = deletedKey(dp, vault, name, () => keyNotFound(name));
    if (vault.keys.has(lower(name))) throw conflict(`A key named ${name} already exists in this vault.`);
    vault.deleted.delete(lower(name));
    // GetKey answers 404 for a few seconds after the recover.
    if (dp.ctx.settleMs > 0) d.key.visibleAt = dp.ctx.now() + dp.ctx.settleMs;
    else delete d.key.visibleAt;
    vault.keys.set(lower(name), d.key);
    return { status: 200, body: keyBundle(dp.wire, vault, d.key, d.key.versions[d.key.versions.length - 1]) };
}

export function purgeDeletedKey(dp: VaultOps, name: string): Reply {
    const vault = dp.vault;
    deletedKey(dp, vault, name);
    if (settingsOf(vault).purgeProtection)
        throw forbidden('Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.', "PurgeProtectionEnabled");
    vault.deleted.delete(lower(name));
    return { status: 204 };
}
