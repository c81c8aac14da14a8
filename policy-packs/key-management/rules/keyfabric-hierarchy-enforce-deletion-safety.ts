/**
 * Catalogue row 31 (rows 3, 15, 16 and 25 in each cloud's terms): every instance of a logical key can be recovered
 * for at least the configured number of days after deletion, and Pulumi will not delete it by accident.
 *
 * AWS: `deletionWindowInDays` (default 30). GCP: `destroyScheduledDuration` (default 30 days). Azure: the holding
 * Key Vault's soft-delete retention (default 90 days) and purge protection (Managed HSM keys: the HSM is outside the
 * stack, so only the resource option applies). Every instance (and its Key Vault): the `protect` resource option.
 *
 * `retainOnDelete` also keeps a key when Pulumi deletes the resource, but @pulumi/policy 1.21.0 does not pass it to
 * policies (the analyzer's resource options carry `protect` only), so `protect` is what the engine can check; a
 * `retainOnDelete` reported by the host is accepted too.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { days, durationDays } from "../lib/props";
import { at, identityOf, keyLabel, reporter, Stack, TYPES, UNKNOWN } from "../lib/crosscloud";

interface Config {
    minDeletionWindowDays: number;
    requirePurgeProtection: boolean;
    requireProtect: boolean;
}

/** Provider defaults when the window is left out. */
const DEFAULT_WINDOW_DAYS = { aws: 30, gcp: 30, azureVault: 90 } as const;

const kept = (r: PolicyResource) => r.opts?.protect === true || (r.opts as { retainOnDelete?: boolean } | undefined)?.retainOnDelete === true;

export const rule = stackRule(
    {
        name: "keyfabric-hierarchy-enforce-deletion-safety",
        description:
            "Every instance of a logical key must stay recoverable for at least the configured number of days after deletion in its cloud's terms (AWS deletion window, GCP destroy-scheduled duration, Azure Key Vault soft-delete retention with purge protection) and must carry the protect resource option.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "AWS Security Hub", version: "FSBP", reference: "KMS.3 AWS KMS keys should not be deleted unintentionally" },
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.5 Ensure the Key Vault is Recoverable" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_110, CKV_AZURE_42, CKV_AZURE_111 (purge protection, soft delete)" },
            { name: "Checkov", version: "3", reference: "CKV_GCP_82 (KMS keys protected from destroy)" },
            { name: "KICS", version: "2", reference: "kms_key_with_no_deletion_window" },
        ],
        remediation:
            "Set the key's deletion window to at least the configured minimum (AWS deletionWindowInDays, GCP destroyScheduledDuration, Azure vault softDeleteRetentionInDays with enablePurgeProtection: true) and create it with the protect resource option (retainOnDelete as well, to keep it when it leaves the program); keyfabric's KeyHierarchy does all of this unless protectKeys is false.",
        catalogueRows: [31],
        resourceTypes: [TYPES.awsKey, TYPES.awsExternalKey, TYPES.awsReplicaKey, TYPES.awsReplicaExternalKey, TYPES.gcpCryptoKey, TYPES.azureKey, TYPES.azureHsmKey, TYPES.azureImportedKey, TYPES.azureVault],
        configSchema: {
            properties: {
                minDeletionWindowDays: {
                    type: "integer",
                    default: 30,
                    minimum: 7,
                    maximum: 30,
                    description: "The shortest deletion window (days) any instance may have; at most 30, AWS KMS's longest window.",
                },
                requirePurgeProtection: { type: "boolean", default: true, description: "Require purge protection on the Key Vaults that hold logical keys." },
                requireProtect: { type: "boolean", default: true, description: "Require the protect resource option on every instance and on the Key Vaults holding them." },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const config = args.getConfig<Config>();
            const min = config.minDeletionWindowDays ?? 30;
            const report = reporter(reportViolation);
            const stack = new Stack(args.resources);
            /** Key Vaults to check, with the logical keys they hold. */
            const vaults = new Map<string, { vault: PolicyResource; keys: Set<string>; domain?: string }>();

            for (const { id, instances } of stack.logicalKeys().values()) {
                const name = keyLabel(id);
                for (const { r, cloud } of instances) {
                    let window: number | undefined;
                    if (cloud === "aws") {
                        const d = at(r.props, "deletionWindowInDays");
                        window = d === UNKNOWN ? undefined : typeof d === "number" ? d : DEFAULT_WINDOW_DAYS.aws;
                    } else if (r.type === TYPES.gcpCryptoKey) {
                        const d = at(r.props, "destroyScheduledDuration");
                        window = d === UNKNOWN ? undefined : d === undefined || d === null ? DEFAULT_WINDOW_DAYS.gcp : durationDays(d);
                    } else if (r.type === TYPES.azureKey || r.type === TYPES.azureImportedKey) {
                        const vault = stack.vaultOf(r);
                        if (vault !== UNKNOWN && vault) {
                            if (!vaults.has(vault.urn)) vaults.set(vault.urn, { vault, keys: new Set() });
                            vaults.get(vault.urn)!.keys.add(name);
                        }
                    }
                    if (window !== undefined && window < min) report(`Key ${name} in ${cloud} has a deletion window of ${days(window)}; at least ${days(min)} required.`, r.urn);
                    if (config.requireProtect !== false && !kept(r)) report(`Key ${name} in ${cloud} does not have the protect resource option.`, r.urn);
                }
            }

            // Key Vaults of a domain hold its keys even before any key names them.
            for (const r of args.resources) {
                if (r.type !== TYPES.azureVault || vaults.has(r.urn)) continue;
                const id = identityOf(r);
                if (id !== UNKNOWN && id) vaults.set(r.urn, { vault: r, keys: new Set(), domain: id.domain });
            }

            for (const { vault, keys, domain } of vaults.values()) {
                const which = keys.size > 0 ? `holding ${[...keys].sort().join(", ")}` : `of domain ${domain}`;
                const softDelete = at(vault.props, "properties", "enableSoftDelete");
                const retention = at(vault.props, "properties", "softDeleteRetentionInDays");
                if (softDelete !== UNKNOWN && retention !== UNKNOWN) {
                    const retained = softDelete === false ? 0 : typeof retention === "number" ? retention : DEFAULT_WINDOW_DAYS.azureVault;
                    if (retained < min) {
                        const off = softDelete === false ? " (soft delete is off)" : "";
                        report(`The Key Vault ${which} in azure keeps deleted keys for ${days(retained)}${off}; at least ${days(min)} required.`, vault.urn);
                    }
                }
                const purge = at(vault.props, "properties", "enablePurgeProtection");
                if (config.requirePurgeProtection !== false && purge !== UNKNOWN && purge !== true) report(`The Key Vault ${which} in azure does not have purge protection enabled.`, vault.urn);
                if (config.requireProtect !== false && !kept(vault)) report(`The Key Vault ${which} in azure does not have the protect resource option.`, vault.urn);
            }
        },
    },
);
