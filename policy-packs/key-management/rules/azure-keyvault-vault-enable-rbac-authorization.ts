import { resourceRule } from "../lib/rule";

const VAULT = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Vault$/;
const ACCESS_POLICY = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:AccessPolicy$/;

/** Catalogue row 17: data-plane access through Azure RBAC only, no vault access policies. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-vault-enable-rbac-authorization",
        description:
            "Azure Key Vaults must authorize data-plane access with Azure RBAC (properties.enableRbacAuthorization: true) and define no access policies, neither in properties.accessPolicies nor as separate keyvault.AccessPolicy resources.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.6 Enable Role Based Access Control for Azure Key Vault" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Access to keys is restricted to the fewest custodians necessary; 7.2.1 An access control model is defined" },
        ],
        remediation:
            "Set properties.enableRbacAuthorization: true, remove accessPolicies and keyvault.AccessPolicy resources, and grant Key Vault built-in roles (Key Vault Crypto Officer, Crypto User, ...) with authorization.RoleAssignment at the vault or key scope.",
        catalogueRows: [17],
        resourceTypes: ["azure-native:keyvault:Vault", "azure-native:keyvault:AccessPolicy"],
    },
    {
        validateResource: (args, reportViolation) => {
            if (ACCESS_POLICY.test(args.type)) {
                reportViolation("This Key Vault access policy grants data-plane access outside Azure RBAC.");
                return;
            }
            if (!VAULT.test(args.type)) return;
            const rbac = args.props.properties?.enableRbacAuthorization;
            const policies = args.props.properties?.accessPolicies;
            const count = Array.isArray(policies) ? policies.length : policies === undefined || policies === null ? 0 : 1;
            if (rbac !== true) reportViolation("This Key Vault does not use Azure RBAC for data-plane access.");
            if (count > 0) reportViolation("This Key Vault defines access policies.");
        },
        // No automatic remediation: switching a vault to RBAC immediately voids every access policy, cutting off the
        // applications that rely on them until role assignments exist.
    },
);
