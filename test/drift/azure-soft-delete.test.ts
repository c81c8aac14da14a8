/**
 * Drift of Key Vault soft delete (issue #14): the management plane will not turn it off once on, so a live vault
 * without it is one that was replaced out of band by a vault created with `enableSoftDelete: false`. Such a vault is
 * reported (`vault-soft-delete-off`, and no purge protection), and a key deleted from it is gone for good: drift
 * reports it missing, not soft-deleted.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import type { EmulatorSetState } from "../../sdk/emulators";
import { Baseline, deployBaseline, kinds, scenario } from "./world";

let base: Baseline;
beforeAll(async () => {
    base = await deployBaseline();
});

const VAULT = "kf-payments-vault-westeurope";

/** The baseline, with the payments vault replaced by one created without soft delete (nor purge protection). */
function withVaultWithoutSoftDelete(b: Baseline, vaultName: string): Baseline {
    const snapshot = structuredClone(b.snapshot) as EmulatorSetState & { azure: { vaults: { name: string; arm?: { properties: Record<string, unknown> } }[] } };
    const vault = snapshot.azure.vaults.find((v) => v.name === vaultName && v.arm);
    if (!vault) throw new Error(`no ARM vault ${vaultName} in the baseline`);
    vault.arm!.properties.enableSoftDelete = false;
    delete vault.arm!.properties.enablePurgeProtection;
    return { ...b, snapshot };
}

test("turning soft delete off through ARM is refused, and nothing drifts", async () => {
    let refused: { statusCode?: number; code?: string; message?: string } | undefined;
    const report = await scenario(base, async (w) => {
        const v = w.r(VAULT);
        const sub = String(v.id).split("/")[2];
        refused = await w
            .arm(sub)
            .vaults.update("rg-keys", v.outputs.name, { properties: { enableSoftDelete: false } })
            .then(
                () => ({}),
                (e: { statusCode?: number; code?: string; message?: string }) => ({ statusCode: e.statusCode, code: e.code, message: e.message }),
            );
    });
    expect(refused).toEqual({ statusCode: 400, code: "BadRequest", message: `The property "enableSoftDelete" cannot be set to false. Enabling the 'soft delete' functionality is an irreversible action.` });
    expect(report.findings).toEqual([]);
});

test("a vault replaced by one without soft delete: vault-soft-delete-off and vault-purge-protection-off, once each", async () => {
    const v0 = base.seeded.exported.deployment.resources.find((r) => r.urn.endsWith(`::${VAULT}`))!;
    const report = await scenario(withVaultWithoutSoftDelete(base, String(v0.outputs.name)), async () => undefined);
    expect(kinds(report)).toEqual([`${VAULT} vault-purge-protection-off`, `${VAULT} vault-soft-delete-off`]);
    const f = report.findings.find((x) => x.kind === "vault-soft-delete-off")!;
    expect(f.expected).toEqual({ enableSoftDelete: true, softDeleteRetentionInDays: 90 });
    expect(f.actual).toEqual({ enableSoftDelete: false, softDeleteRetentionInDays: 90 });
    expect(f.message).toBe(`soft delete is off on Key Vault ${v0.outputs.name}: deleted keys are gone at once`);
});

test("a key deleted from a vault without soft delete is gone for good: missing, with no soft-deleted copy to recover", async () => {
    const v0 = base.seeded.exported.deployment.resources.find((r) => r.urn.endsWith(`::${VAULT}`))!;
    let recoveryId: string | undefined = "not deleted";
    const report = await scenario(withVaultWithoutSoftDelete(base, String(v0.outputs.name)), async (w) => {
        const key = w.r("kf-payments-signing-azure-key");
        const vaultUrl = String(key.outputs.keyUri).replace(/\/keys\/.*$/, "");
        const deleted = await (await w.azureKeys(vaultUrl).beginDeleteKey("payments-signing")).pollUntilDone();
        recoveryId = deleted.properties.recoveryId;
    });
    expect(recoveryId).toBeUndefined();
    expect(kinds(report)).toEqual([`${VAULT} vault-purge-protection-off`, `${VAULT} vault-soft-delete-off`, "kf-payments-signing-azure-key resource-missing"].sort());
    const missing = report.findings.find((x) => x.kind === "resource-missing")!;
    expect(missing.actual).toBeNull();
    expect(missing.message).toMatch(/ no longer exists \(GetKey: RestError: A key with \(name\/id\) payments-signing was not found in this key vault\. /);
});
