import { resourceRule } from "../lib/rule";

const VAULT = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Vault$/;
const MANAGED_HSM = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:ManagedHsm$/;

/** Catalogue row 19: no public network access (configurable: or only through a default-deny firewall). */
export const rule = resourceRule(
    {
        name: "azure-keyvault-vault-disallow-public-network-access",
        description:
            "Azure Key Vaults and Managed HSMs must disable public network access (properties.publicNetworkAccess: \"Disabled\"; Azure's default is enabled). With allowWithDefaultDenyFirewall, public access is accepted when the firewall denies by default (selected networks only).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AZURE_189" },
            { name: "PCI DSS", version: "4.0", reference: "1.4.1 NSCs are implemented between trusted and untrusted networks" },
        ],
        remediation:
            'Set properties.publicNetworkAccess: "Disabled" and reach the vault through a private endpoint (or, with allowWithDefaultDenyFirewall, set networkAcls.defaultAction: "Deny").',
        catalogueRows: [19],
        resourceTypes: ["azure-native:keyvault:Vault", "azure-native:keyvault:ManagedHsm"],
        configSchema: {
            properties: {
                allowWithDefaultDenyFirewall: {
                    type: "boolean",
                    default: false,
                    description: 'Accept public network access when properties.networkAcls.defaultAction is "Deny" (access from selected networks only).',
                },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            const what = VAULT.test(args.type) ? "Key Vault" : MANAGED_HSM.test(args.type) ? "Managed HSM" : undefined;
            if (!what) return;
            const access = args.props.properties?.publicNetworkAccess;
            if (typeof access === "string" && access.toLowerCase() === "disabled") return;
            const { allowWithDefaultDenyFirewall } = args.getConfig<{ allowWithDefaultDenyFirewall: boolean }>();
            if (allowWithDefaultDenyFirewall) {
                const action = args.props.properties?.networkAcls?.defaultAction;
                if (typeof action === "string" && action.toLowerCase() === "deny") return;
            }
            reportViolation(`Public network access is not disabled on this ${what}.`);
        },
        // No automatic remediation: disabling public access cuts off every client without a private endpoint.
    },
);
