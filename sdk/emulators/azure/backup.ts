/**
 * Key backups (`POST /keys/{name}/backup`, `POST /keys/restore`): as in Key Vault, an opaque blob that only the
 * service can open. Here it is the key's versions (with their material) sealed with AES-256-GCM under a key that
 * lives in this process only: a backup restores into any vault or HSM of the same kind served by this process, and
 * into nothing else (not after a restart, not elsewhere), so a blob that leaves the test reveals no material.
 * Rotation policies are not in a backup.
 */
import * as crypto from "crypto";
import { badParameter } from "./errors";
import { restoreKey, snapshotKey, type KeyRecord, type KeySnapshot, type VaultKind } from "./model";

const MAGIC = Buffer.from("KFAZBK1");
const AAD = Buffer.from("keyfabric azure emulator key backup v1");
/** This process's backup key. */
const SEAL_KEY = crypto.randomBytes(32);

/** The blob for a key of a vault or HSM of `kind`. */
export function sealBackup(kind: VaultKind, key: KeyRecord): Buffer {
    const { rotationPolicy: _policy, ...withoutPolicy } = snapshotKey(key);
    const plain = Buffer.from(JSON.stringify({ kind, key: withoutPolicy }), "utf8");
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", SEAL_KEY, iv).setAAD(AAD);
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    plain.fill(0);
    return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), sealed]);
}

/** The key in a blob, for a vault or HSM of `kind`: 400 BadParameter for anything this process did not seal. */
export function openBackup(kind: VaultKind, blob: Buffer): KeyRecord {
    const bad = () => badParameter("Backup blob contains invalid or corrupt version.");
    if (blob.length < MAGIC.length + 28 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) throw bad();
    const iv = blob.subarray(MAGIC.length, MAGIC.length + 12);
    const tag = blob.subarray(MAGIC.length + 12, MAGIC.length + 28);
    let plain: Buffer;
    try {
        const decipher = crypto.createDecipheriv("aes-256-gcm", SEAL_KEY, iv).setAAD(AAD).setAuthTag(tag);
        plain = Buffer.concat([decipher.update(blob.subarray(MAGIC.length + 28)), decipher.final()]);
    } catch {
        throw bad();
    }
    try {
        const parsed = JSON.parse(plain.toString("utf8")) as { kind: VaultKind; key: KeySnapshot };
        if (parsed.kind !== kind)
            throw badParameter(parsed.kind === "vault" ? "A key vault backup cannot be restored into a Managed HSM." : "A Managed HSM backup cannot be restored into a key vault.");
        return restoreKey(parsed.key);
    } finally {
        plain.fill(0);
    }
}
