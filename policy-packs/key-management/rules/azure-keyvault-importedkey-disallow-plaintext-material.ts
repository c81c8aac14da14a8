import { resourceRule } from "../lib/rule";
import { DYNAMIC } from "../lib/props";
import { importMaterialRuleText, inlineMaterial } from "../lib/material";

/** Catalogue row 13: no plaintext key material in IaC state, for keyfabric's Key Vault / Managed HSM imports. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-importedkey-disallow-plaintext-material",
        ...importMaterialRuleText("AzureImportedKey"),
        resourceTypes: [DYNAMIC.azureImportedKey],
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== DYNAMIC.azureImportedKey) return;
            if (inlineMaterial(args.props.material)) { // never reads __provider
                reportViolation("This Key Vault key import carries what looks like key material in its inputs, which Pulumi stores in state.");
            }
        },
        // No automatic remediation: the material must move out of the program, and it may already be in state (rotate it).
    },
);
