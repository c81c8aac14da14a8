import { days, DYNAMIC } from "../lib/props";
import { resourceRule } from "../lib/rule";
import { AWS, isSet, read } from "../lib/aws";

interface Config {
    maxValidityDays: number;
    requireExpiry: boolean;
}

const EXTERNAL_KEYS = [AWS.externalKey, AWS.replicaExternalKey];
const TYPES = [...EXTERNAL_KEYS, DYNAMIC.awsImportedKeyMaterial];
const DAY_MS = 86_400_000;

/**
 * Catalogue row 14: imported material expires (validTo) no later than the configured maximum from now. ExternalKey and
 * ReplicaExternalKey import material themselves only with keyMaterialBase64; without it (keyfabric imports through its
 * AwsImportedKeyMaterial resource) their validTo is checked when set, and a missing expiry is that resource's finding.
 * On state, expirationModel KEY_MATERIAL_DOES_NOT_EXPIRE also means material without expiry.
 */
export const rule = resourceRule(
    {
        name: "aws-kms-externalkey-limit-material-validity",
        description:
            "Key material imported into AWS KMS must expire (validTo) within the configured maximum number of days; material that never expires is reported when an expiry is required.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.7.4 Cryptographic key changes for keys that have reached the end of their cryptoperiod" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.2 Key-management procedures include secure distribution of cryptographic keys" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.3 Cryptoperiods" },
        ],
        remediation:
            "Set validTo on the import (keyfabric: the key's validTo; aws.kms.ExternalKey / ReplicaExternalKey: validTo) to an RFC 3339 time no more than maxValidityDays ahead, and re-import the same material before it expires.",
        catalogueRows: [14],
        resourceTypes: TYPES,
        configSchema: {
            properties: {
                maxValidityDays: {
                    type: "integer",
                    default: 365,
                    minimum: 1,
                    maximum: 3650,
                    description: "The latest allowed expiry of imported key material, in days from the time the policy runs.",
                },
                requireExpiry: {
                    type: "boolean",
                    default: false,
                    description: "Whether imported key material without an expiry (KEY_MATERIAL_DOES_NOT_EXPIRE) is a violation.",
                },
            },
        },
    },
    {
        // No remediation: a new validTo re-imports the material, which is a deployment decision.
        validateResource: (args, reportViolation) => {
            if (!TYPES.includes(args.type as (typeof TYPES)[number])) return;
            const { maxValidityDays, requireExpiry } = args.getConfig<Config>();
            const validTo = args.props.validTo;
            if (validTo === undefined || validTo === null || validTo === "") {
                if (!requireExpiry) return;
                const model = read(args.props, "expirationModel");
                const importsHere = args.type === DYNAMIC.awsImportedKeyMaterial || isSet(args.props, "keyMaterialBase64");
                if (importsHere || (model.known && model.value === "KEY_MATERIAL_DOES_NOT_EXPIRE")) {
                    reportViolation("The key material imported by this resource never expires.");
                }
                return;
            }
            const t = typeof validTo === "string" ? Date.parse(validTo) : NaN;
            if (Number.isNaN(t)) {
                reportViolation("The expiry of the key material imported by this resource is not a valid RFC 3339 time.");
            } else if (t > Date.now() + maxValidityDays * DAY_MS) {
                // Days from now, rounded up: a number the rule derived, not the validTo text.
                reportViolation(`The key material imported by this resource expires in ${days(Math.ceil((t - Date.now()) / DAY_MS))}; at most ${days(maxValidityDays)} allowed.`);
            }
        },
    },
);
