import { resourceRule } from "../lib/rule";
import { DYNAMIC } from "../lib/props";
import { importMaterialRuleText, inlineMaterial } from "../lib/material";

/** Catalogue row 13: no plaintext key material in IaC state, for keyfabric's Cloud KMS imports. */
export const rule = resourceRule(
    {
        name: "gcp-kms-importedkeyversion-disallow-plaintext-material",
        ...importMaterialRuleText("GcpImportedKeyVersion"),
        resourceTypes: [DYNAMIC.gcpImportedKeyVersion],
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== DYNAMIC.gcpImportedKeyVersion) return;
            if (inlineMaterial(args.props.material)) { // never reads __provider
                reportViolation("This Cloud KMS key import carries what looks like key material in its inputs, which Pulumi stores in state.");
            }
        },
        // No automatic remediation: the material must move out of the program, and it may already be in state (rotate it).
    },
);
