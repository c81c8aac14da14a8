/**
 * What every data-plane operation group shares (`./ops/*`): the vault or HSM of the request, how its answers are
 * written (origin, api-version), key lookups that honour the asynchronous states (a key being recovered is not
 * there yet), new versions, and paging.
 */
import * as crypto from "crypto";
import { conflict, badParameter, keyNotFound } from "./errors";
import { checkExportable } from "./keytypes";
import { lower, materialFingerprint, settingsOf, vaultHost, type KeyOrigin, type KeyRecord, type KeyVersion, type Kty, type ReleasePolicy, type VaultRecord, type Wire } from "./model";
import type { Material } from "./crypto";
import { seconds, type ParsedAttributes, type Request } from "./requests";

export interface DataPlaneContext {
    /** The vault or Managed HSM, created on first served use. */
    vault(): VaultRecord;
    /** Epoch milliseconds. */
    now(): number;
    /** The origin that ids, recovery ids and next-page links are written with (the address the request came to). */
    readonly origin: string;
    /** Every origin that names this vault (its Azure host and its own emulator port): a KEK id may use any. */
    readonly origins: readonly string[];
    /** How long a delete or a recover takes to show, in ms (`asyncStates`: 0 when instant). */
    readonly settleMs: number;
}

const MAX_PAGE = 25;
const newVersion = () => crypto.randomBytes(16).toString("hex");

export class VaultOps {
    constructor(
        readonly ctx: DataPlaneContext,
        readonly req: Request,
    ) {}

    /** Created on first use; deleted keys past their scheduled purge date are already gone. */
    get vault(): VaultRecord {
        return this.ctx.vault();
    }

    get host(): string {
        return vaultHost(this.ctx.vault());
    }

    get origin(): string {
        return this.ctx.origin;
    }

    get wire(): Wire {
        return { origin: this.ctx.origin, apiVersion: this.req.query.get("api-version") ?? "" };
    }

    /** A key being recovered is not there yet. */
    visible(key: { visibleAt?: number }): boolean {
        if (key.visibleAt === undefined) return true;
        if (key.visibleAt > this.ctx.now()) return false;
        delete key.visibleAt;
        return true;
    }

    activeKey(vault: VaultRecord, name: string): KeyRecord {
        const key = vault.keys.get(lower(name));
        if (!key || !this.visible(key)) throw keyNotFound(name);
        return key;
    }

    keyVersion(vault: VaultRecord, name: string, version: string): { key: KeyRecord; v: KeyVersion } {
        const key = this.activeKey(vault, name);
        const v = version === "" ? key.versions[key.versions.length - 1] : key.versions.find((x) => x.version === lower(version));
        if (!v) throw keyNotFound(name, version);
        return { key, v };
    }

    /** A new key name must not be soft-deleted. */
    checkNotDeleted(vault: VaultRecord, name: string): void {
        const d = vault.deleted.get(lower(name));
        if (d && !this.visible(d)) throw conflict(`Key ${name} is currently being deleted.`, "ObjectIsBeingDeleted");
        if (d) throw conflict(`Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`, "ObjectIsDeletedButRecoverable");
        const live = vault.keys.get(lower(name));
        if (live && !this.visible(live)) throw conflict(`Key ${name} is currently being recovered.`, "ObjectIsBeingRecovered");
    }

    /** Which key types this vault or HSM accepts. */
    checkKty(vault: VaultRecord, kty: string): Kty {
        const valid: Kty[] = ["RSA", "RSA-HSM", "EC", "EC-HSM", "oct-HSM"];
        if (!valid.includes(kty as Kty)) throw badParameter(`The key type ${JSON.stringify(kty)} is not supported; use RSA, RSA-HSM, EC, EC-HSM or oct-HSM (Managed HSM).`);
        const t = kty as Kty;
        if (vault.kind === "managedHsm") {
            if (!t.endsWith("-HSM")) throw badParameter(`Managed HSM only holds HSM-protected keys (RSA-HSM, EC-HSM, oct-HSM); got ${t}.`);
        } else {
            if (t === "oct-HSM") throw badParameter("oct-HSM keys are only supported by Managed HSM; a key vault has no AES keys.");
            if (t.endsWith("-HSM") && settingsOf(vault).sku !== "premium") throw badParameter(`${t} keys need a Premium vault; this vault's SKU is standard.`);
        }
        return t;
    }

    commit(vault: VaultRecord, name: string, v: KeyVersion): KeyRecord {
        this.checkNotDeleted(vault, name);
        let key = vault.keys.get(lower(name));
        if (!key) {
            key = { name, versions: [] };
            vault.keys.set(lower(name), key);
        }
        key.versions.push(v);
        return key;
    }

    newVersion(args: {
        kty: Kty;
        material: Material;
        keyOps: string[];
        origin: KeyOrigin;
        attributes: ParsedAttributes;
        tags?: Record<string, string>;
        releasePolicy?: ReleasePolicy;
    }): KeyVersion {
        const now = seconds(this.ctx.now());
        const { attributes: a } = args;
        checkExportable(a, args.releasePolicy);
        return {
            version: newVersion(),
            kty: args.kty,
            keyOps: args.keyOps,
            ...(args.material.type === "ec" ? { crv: args.material.curve } : {}),
            material: args.material,
            fingerprint: materialFingerprint(args.material),
            origin: args.origin,
            enabled: a.enabled ?? true,
            ...(typeof a.nbf === "number" ? { nbf: a.nbf } : {}),
            ...(typeof a.exp === "number" ? { exp: a.exp } : {}),
            ...(a.exportable !== undefined ? { exportable: a.exportable } : {}),
            created: now,
            updated: now,
            ...(args.tags ? { tags: args.tags } : {}),
            ...(args.releasePolicy ? { releasePolicy: args.releasePolicy } : {}),
        };
    }


    page<T>(items: T[], path: string): { value: T[]; nextLink: string | null } {
        const q = this.req.query;
        const maxRaw = q.get("maxresults");
        const max = maxRaw === null || maxRaw === "" ? MAX_PAGE : Number(maxRaw);
        if (!Number.isInteger(max) || max < 1 || max > MAX_PAGE) throw badParameter(`maxresults must be an integer from 1 to ${MAX_PAGE}.`);
        const skipRaw = q.get("$skiptoken");
        const skip = skipRaw === null ? 0 : Number(skipRaw);
        if (!Number.isInteger(skip) || skip < 0) throw badParameter("$skiptoken is invalid.");
        const value = items.slice(skip, skip + max);
        const next = skip + max < items.length ? skip + max : undefined;
        const apiVersion = q.get("api-version") ?? "";
        return { value, nextLink: next === undefined ? null : `${this.origin}${path}?api-version=${encodeURIComponent(apiVersion)}&maxresults=${max}&$skiptoken=${next}` };
    }
}
