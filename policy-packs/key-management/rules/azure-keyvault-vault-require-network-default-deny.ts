import { resourceRule } from "../lib/rule";

const VAULT = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Vault$/;
const MANAGED_HSM = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:ManagedHsm$/;

/** Catalogue row 18: the vault firewall denies by default. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-vault-require-network-default-deny",
        description:
            "Azure Key Vaults and Managed HSMs must deny network access by default (properties.networkAcls.defaultAction: \"Deny\"), allowing only the listed IP ranges, virtual networks and trusted services. Without networkAcls, Azure allows every network.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AZURE_109" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0013" },
            { name: "PCI DSS", version: "4.0", reference: "1.3.1 Inbound traffic to the CDE is restricted to that which is necessary" },
        ],
        remediation:
            'Set properties.networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [...], virtualNetworkRules: [...] } on the azure-native keyvault.Vault or ManagedHsm.',
        catalogueRows: [18],
        resourceTypes: ["azure-native:keyvault:Vault", "azure-native:keyvault:ManagedHsm"],
    },
    {
        validateResource: (args, reportViolation) => {
            const what = VAULT.test(args.type) ? "Key Vault" : MANAGED_HSM.test(args.type) ? "Managed HSM" : undefined;
            if (!what) return;
            const action = args.props.properties?.networkAcls?.defaultAction;
            if (typeof action !== "string" || action.toLowerCase() !== "deny") {
                reportViolation(`The firewall of this ${what} does not deny network access by default.`);
            }
        },
        // No automatic remediation: denying by default cuts off every client not yet in ipRules or virtualNetworkRules.
    },
);
