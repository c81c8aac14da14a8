import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { CLASSIC, NATIVE, read, TYPES, UNKNOWN } from "../lib/azure";

/** The storage account an ARM resource id names (lower-cased). */
const ACCOUNT_ID = /\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)\/?$/i;
const filled = (v: unknown) => typeof v === "string" && v.trim() !== "";

/** azure-native: encryption.keySource "Microsoft.Keyvault" with the key's name and vault URI (inputs and state alike). */
function nativeCustomerManaged(props: Record<string, any>): boolean {
    const encryption = props.encryption;
    const source = encryption?.keySource;
    const customer = typeof source === "string" && source.toLowerCase() === "microsoft.keyvault";
    return customer && filled(encryption?.keyVaultProperties?.keyName) && filled(encryption?.keyVaultProperties?.keyVaultUri);
}

/** Classic: the account's own customerManagedKey block with a Key Vault or Managed HSM key id. */
function classicInlineCustomerManaged(props: Record<string, any>): boolean {
    const cmk = props.customerManagedKey;
    return filled(cmk?.keyVaultKeyId) || filled(cmk?.managedHsmKeyId);
}

/** Which classic accounts a separate storage.CustomerManagedKey targets: by property dependency (preview), id, or name. */
function classicKeyTargets(resources: PolicyResource[]) {
    const linkedUrns = new Set<string>();
    const targetIds = new Set<string>();
    const targetNames = new Set<string>();
    let unknownTarget = false;
    for (const cmk of resources.filter((r) => r.type === CLASSIC.storageCustomerManagedKey)) {
        const deps = (cmk.propertyDependencies?.storageAccountId ?? []).filter((d) => d.type === CLASSIC.storageAccount);
        deps.forEach((d) => linkedUrns.add(d.urn));
        const id = read(() => cmk.props.storageAccountId);
        if (id === UNKNOWN) {
            unknownTarget ||= deps.length === 0;
        } else if (typeof id === "string") {
            targetIds.add(id.toLowerCase());
            const m = ACCOUNT_ID.exec(id);
            if (m) targetNames.add(m[1].toLowerCase());
        }
    }
    /** true, false, or UNKNOWN while a key's target or the account's name is not known. */
    return (account: PolicyResource): boolean | typeof UNKNOWN => {
        if (linkedUrns.has(account.urn)) return true;
        const id = read(() => account.props.id);
        if (typeof id === "string" && targetIds.has(id.toLowerCase())) return true;
        const name = read(() => account.props.name);
        if (typeof name === "string" && targetNames.has(name.toLowerCase())) return true;
        return name === UNKNOWN || unknownTarget ? UNKNOWN : false;
    };
}

/** Catalogue row 12: consuming services encrypt under a customer-managed key of the hierarchy. */
export const rule = stackRule(
    {
        name: "azure-storage-storageaccount-require-customer-managed-key",
        description:
            "Azure storage accounts must encrypt with a customer-managed key in Key Vault or Managed HSM, not only Microsoft-managed keys: azure-native storage.StorageAccount encryption.keySource \"Microsoft.Keyvault\" with keyVaultProperties keyName and keyVaultUri; classic storage.Account with a customerManagedKey block (keyVaultKeyId or managedHsmKeyId) or a storage.CustomerManagedKey resource for it in the same stack. During preview, an account whose settings or whose CustomerManagedKey target are not known yet is not judged.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (data keys protected by key-wrapping keys)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures protect the keys that protect stored account data" },
            { name: "Pulumi compliance-policies", version: "1", reference: "*-configure-customer-managed-key" },
        ],
        remediation:
            'Set encryption: { keySource: "Microsoft.Keyvault", keyVaultProperties: { keyName, keyVaultUri }, encryptionIdentity } on the azure-native storage.StorageAccount; on the classic storage.Account set customerManagedKey { keyVaultKeyId, userAssignedIdentityId } or add a storage.CustomerManagedKey { storageAccountId: account.id, keyVaultKeyId }; grant the account\'s identity Key Vault Crypto Service Encryption User on the key.',
        catalogueRows: [12],
        resourceTypes: [...TYPES.storageAccount, CLASSIC.storageCustomerManagedKey],
    },
    {
        validateStack: (args, reportViolation) => {
            const accounts = args.resources.filter((r) => NATIVE.storageAccount.test(r.type) || r.type === CLASSIC.storageAccount);
            if (accounts.length === 0) return;
            const separateKey = accounts.some((r) => r.type === CLASSIC.storageAccount) ? classicKeyTargets(args.resources) : undefined;
            let undecided = 0;
            let reported = 0;
            for (const account of accounts) {
                let compliant: boolean | typeof UNKNOWN;
                if (NATIVE.storageAccount.test(account.type)) {
                    compliant = read(() => nativeCustomerManaged(account.props));
                } else {
                    const inline = read(() => classicInlineCustomerManaged(account.props));
                    const separate = inline === true ? true : separateKey!(account);
                    compliant = inline === true || separate === true ? true : inline === UNKNOWN || separate === UNKNOWN ? UNKNOWN : false;
                }
                if (compliant === UNKNOWN) {
                    undecided++;
                } else if (!compliant) {
                    reportViolation("This storage account does not encrypt with a customer-managed key.", account.urn);
                    reported++;
                }
            }
            if (undecided > 0 && reported === 0) args.notApplicable("A storage account's encryption settings or a customer-managed key's account are not known until the update.");
        },
        // No automatic remediation (stack rules have none): the rule cannot know which key, identity and role
        // assignment to use.
    },
);
