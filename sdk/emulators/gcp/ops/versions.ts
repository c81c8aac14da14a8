/**
 * Crypto key versions: Create/Get/List/Update/Destroy/Restore/Delete CryptoKeyVersion (service.proto), over the
 * version state machine of ../model.
 */
import { ALGORITHMS, generateMaterial } from "../crypto";
import { invalid, precondition } from "../errors";
import type { KmsModel } from "../model";
import { list } from "../query";
import { versionView } from "../views";
import { maskPaths, requireName } from "../wire";
import type { OperationStore } from "./mixins";
import type { Handler, Req } from "./validate";

export function versionHandlers(model: KmsModel, operations: OperationStore): Record<string, Handler> {
    const byName = (name: unknown, field = "name") => model.version(requireName("cryptoKeyVersion", name, field));

    return {
        CreateCryptoKeyVersion: async (r: Req) => {
            const key = model.cryptoKey(requireName("cryptoKey", r.parent, "parent"));
            if (key.importOnly) throw precondition(`${key.name} is import-only: new versions can only be imported`);
            const material = await generateMaterial(ALGORITHMS[key.versionTemplate.algorithm]);
            return versionView(key, model.addGenerated(key, material));
        },
        GetCryptoKeyVersion: (r: Req) => versionView(...byName(r.name)),
        ListCryptoKeyVersions: (r: Req) => {
            const key = model.cryptoKey(requireName("cryptoKey", r.parent, "parent"));
            const p = list(
                key.versions.map((v) => versionView(key, v)),
                r,
            );
            return { cryptoKeyVersions: p.items, nextPageToken: p.nextPageToken, totalSize: p.totalSize };
        },
        UpdateCryptoKeyVersion: (r: Req) => {
            const cv = r.cryptoKeyVersion ?? {};
            const [key, v] = byName(cv.name, "crypto_key_version.name");
            const paths = maskPaths(r.updateMask);
            if (paths.length !== 1 || paths[0] !== "state") throw invalid("update_mask: only state can be updated");
            if (cv.state !== "ENABLED" && cv.state !== "DISABLED") throw invalid(`crypto_key_version.state: must be ENABLED or DISABLED (got ${cv.state ?? "unspecified"})`);
            model.setEnabled(key, v, cv.state);
            return versionView(key, v);
        },
        DestroyCryptoKeyVersion: (r: Req) => {
            const [key, v] = byName(r.name);
            model.scheduleDestroy(key, v);
            return versionView(key, v);
        },
        RestoreCryptoKeyVersion: (r: Req) => {
            const [key, v] = byName(r.name);
            model.restore(key, v);
            return versionView(key, v);
        },
        DeleteCryptoKeyVersion: (r: Req) => {
            const [key, v] = byName(r.name);
            model.deleteVersion(key, v);
            return operations.finished(key.name, { type: "google.cloud.kms.v1.DeleteCryptoKeyVersionMetadata", value: Buffer.alloc(0) });
        },
    };
}
