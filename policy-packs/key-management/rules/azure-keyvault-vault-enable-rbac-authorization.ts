import { resourceRule } from "../lib/rule";
import { CLASSIC, NATIVE, TYPES, vaultProps, vaultResource } from "../lib/azure";

/** Catalogue row 17: data-plane access through Azure RBAC only, no vault access policies. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-vault-enable-rbac-authorization",
        description:
            "Azure Key Vaults must authorize data-plane access with Azure RBAC (azure-native properties.enableRbacAuthorization: true; classic rbacAuthorizationEnabled, or its deprecated alias enableRbacAuthorization, true) and define no access policies, neither inline (properties.accessPolicies / accessPolicies) nor as separate keyvault.AccessPolicy resources of either provider.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.6 Enable Role Based Access Control for Azure Key Vault" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Access to keys is restricted to the fewest custodians necessary; 7.2.1 An access control model is defined" },
        ],
        remediation:
            "Set properties.enableRbacAuthorization: true (azure-native keyvault.Vault) or rbacAuthorizationEnabled: true (classic keyvault.KeyVault), remove the inline access policies and the keyvault.AccessPolicy resources, and grant Key Vault built-in roles (Key Vault Crypto Officer, Crypto User, ...) with a role assignment (azure-native authorization.RoleAssignment, classic authorization.Assignment) at the vault or key scope.",
        catalogueRows: [17],
        resourceTypes: [...TYPES.vault, ...TYPES.accessPolicy],
    },
    {
        validateResource: (args, reportViolation) => {
            if (NATIVE.accessPolicy.test(args.type) || args.type === CLASSIC.accessPolicy) {
                reportViolation("This Key Vault access policy grants data-plane access outside Azure RBAC.");
                return;
            }
            const t = vaultResource(args.type);
            if (t?.kind !== "vault") return; // Managed HSMs always use their local RBAC
            const rbac = vaultProps.rbacAuthorization(t, args.props);
            const count = vaultProps.accessPolicyCount(t, args.props);
            if (!rbac) reportViolation("This Key Vault does not use Azure RBAC for data-plane access.");
            if (count > 0) reportViolation("This Key Vault defines access policies.");
        },
        // No automatic remediation: switching a vault to RBAC immediately voids every access policy, cutting off the
        // applications that rely on them until role assignments exist.
    },
);
