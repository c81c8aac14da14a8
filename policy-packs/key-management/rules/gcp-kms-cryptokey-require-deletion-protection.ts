import { resourceRule } from "../lib/rule";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
/** CryptoKey deletionPolicy values that keep the key when Pulumi deletes the resource. */
const KEEPING_POLICIES = ["PREVENT", "ABANDON"];

/**
 * Catalogue row 25: Cloud KMS keys are protected from `pulumi destroy` and accidental replacement. Key rings are not
 * judged: Cloud KMS cannot delete a key ring (deleting the resource only removes it from the state), so there is
 * nothing to protect.
 */
export const rule = resourceRule(
    {
        name: "gcp-kms-cryptokey-require-deletion-protection",
        description:
            "Cloud KMS crypto keys must be protected from deletion by Pulumi: the protect resource option (or retainOnDelete, where the policy engine passes it), or deletionPolicy PREVENT or ABANDON. Deleting a CryptoKey resource destroys all its versions, and with them the data they encrypt. Key rings are not judged: Cloud KMS cannot delete them.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_GCP_82 (KMS keys are protected from deletion: prevent_destroy)" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "6 Protection Requirements for Cryptographic Information (availability of keying material)" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.5 Retirement, replacement or destruction of keys follows defined procedures" },
        ],
        remediation:
            'Create the gcp.kms.CryptoKey with { protect: true } (and retainOnDelete: true to keep it when it leaves the program), or set deletionPolicy: "PREVENT" on it.',
        catalogueRows: [25],
        resourceTypes: [KEY],
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== KEY) return;
            // retainOnDelete is read where the engine passes it: the analyzer protocol behind @pulumi/policy 1.21 sends
            // only protect, ignoreChanges, deleteBeforeReplace, aliases, customTimeouts and additionalSecretOutputs.
            const { retainOnDelete } = args.opts as { retainOnDelete?: boolean };
            if (args.opts.protect || retainOnDelete) return;
            if (KEEPING_POLICIES.includes(args.props.deletionPolicy)) return;
            reportViolation("This Cloud KMS key is not protected from deletion (no protect or retainOnDelete option, deletionPolicy is not PREVENT or ABANDON).");
        },
        // No automatic remediation: protect and retainOnDelete are resource options, which a policy cannot set, and
        // deletionPolicy PREVENT would make every later `pulumi destroy` fail: an operator's decision.
    },
);
