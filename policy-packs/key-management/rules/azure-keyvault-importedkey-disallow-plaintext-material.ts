import { resourceRule } from "../lib/rule";
import { DYNAMIC } from "../lib/props";
import { inlineMaterial } from "../lib/material";

/** Catalogue row 13: no plaintext key material in IaC state, for keyfabric's Key Vault / Managed HSM imports. */
export const rule = resourceRule(
    {
        name: "azure-keyvault-importedkey-disallow-plaintext-material",
        description:
            "Key imports with keyfabric's AzureImportedKey must name where key material comes from (a file, an environment variable or a command) and never carry the material itself: its inputs are stored in Pulumi state. Commands whose arguments look like key material (a PEM private key, a JWK, long hex, or long high-entropy base64) are flagged too; the check is a heuristic.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.2 Secret and private keys are stored only in approved forms (encrypted, in an SCD, or as key components)" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (confidentiality of secret and private keys)" },
        ],
        remediation:
            "Pass material: { file: <path> } or { env: <VARIABLE> }, or a command that fetches the material (e.g. from a secret manager) without the material among its arguments.",
        catalogueRows: [13],
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
