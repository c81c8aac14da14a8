/** Backups: a key's sealed blob (`../backup.ts`), and its restore where the name is free. */
import { openBackup, sealBackup } from "../backup";
import { conflict } from "../errors";
import { keyBundle, lower } from "../model";
import { b64u, binary, requireBody, type Reply } from "../requests";
import type { VaultOps } from "../vault-ops";

export function backupKey(dp: VaultOps, name: string): Reply {
    const vault = dp.vault;
    const key = dp.activeKey(vault, name);
    return { status: 200, body: { value: b64u(sealBackup(vault.kind, key)) } };
}

export function restoreKey(dp: VaultOps): Reply {
    const vault = dp.vault;
    const body = requireBody(dp.req.body);
    const key = openBackup(vault.kind, binary(body.value, "value", true));
    const taken = vault.keys.has(lower(key.name)) || vault.deleted.has(lower(key.name));
    if (taken) throw conflict(`There was a conflict restoring the key ${key.name}: a key of that name exists in this vault (or is deleted and not purged).`);
    // Shown at once: no recording says how long a restore takes (the .NET SDK's 4.5.0-beta.1 notes an
    // "ObjectIsBeingRecovered" right after a restore, not how long it lasts).
    vault.keys.set(lower(key.name), key);
    return { status: 200, body: keyBundle(dp.wire, vault, key, key.versions[key.versions.length - 1]) };
}
