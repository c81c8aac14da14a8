/**
 * Catalogue row 34: every key, in every cloud, says who owns it and how it is classified.
 *
 * AWS keys and replicas, Azure Key Vault keys, Managed HSM keys and imported keys: `tags` (with `tagsAll`, the
 * provider's default tags, when the stack knows it); GCP crypto keys: `labels` (with `effectiveLabels`). A required
 * tag missing from `tags` while `tagsAll` is still unknown at preview may come from the provider: not applicable then.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { isObject, LABELS, TAGS } from "../lib/props";
import { at, identityOf, KEY_TYPES, keyLabel, reporter, TYPES, UNKNOWN } from "../lib/crosscloud";

interface Config {
    requiredTags: string[];
    requiredLabels: string[];
}

/** The present, non-empty tag keys (lower-cased for Azure, whose tag names are case-insensitive); UNKNOWN when not known. */
function presentKeys(r: PolicyResource): Set<string> | typeof UNKNOWN {
    const gcp = r.type === TYPES.gcpCryptoKey;
    const own = at(r.props, gcp ? "labels" : "tags");
    if (own === UNKNOWN) return UNKNOWN;
    const effective = at(r.props, gcp ? "effectiveLabels" : "tagsAll");
    const keys = new Set<string>();
    for (const map of [own, effective]) {
        if (!isObject(map)) continue;
        for (const [k, v] of Object.entries(map)) if (typeof v === "string" && v.trim() !== "") keys.add(KEY_TYPES[r.type] === "azure" ? k.toLowerCase() : k);
    }
    return effective === UNKNOWN ? new Set([...keys, "\u0000effective-unknown"]) : keys;
}

export const rule = stackRule(
    {
        name: "keyfabric-hierarchy-require-owner-tags",
        description:
            "Every key in every cloud (AWS KMS keys and replicas, GCP crypto keys, Azure Key Vault, Managed HSM and imported keys) must carry non-empty owner and classification tags (labels in GCP), keyfabric:owner and keyfabric:classification by default.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.1 Documented description of the cryptographic architecture (key inventory and usage)" },
            { name: "CSA Cloud Controls Matrix", version: "4.0", reference: "CEK-21 Key Inventory Management" },
        ],
        remediation:
            "Add the owner and classification tags (GCP: labels) to the key, e.g. keyfabric:owner and keyfabric:classification (GCP keyfabric-owner and keyfabric-classification); keys a KeyHierarchy creates get them from the spec's owner and domain classification.",
        catalogueRows: [34],
        resourceTypes: Object.keys(KEY_TYPES),
        configSchema: {
            properties: {
                requiredTags: {
                    type: "array",
                    items: { type: "string", minLength: 1 },
                    default: [TAGS.owner, TAGS.classification],
                    description: "Tag names every AWS and Azure key must carry with a non-empty value.",
                },
                requiredLabels: {
                    type: "array",
                    items: { type: "string", minLength: 1, pattern: "^[a-z][a-z0-9_-]{0,62}$" },
                    default: [LABELS.owner, LABELS.classification],
                    description: "Label names every GCP crypto key must carry with a non-empty value.",
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const config = args.getConfig<Config>();
            const report = reporter(reportViolation);
            for (const r of args.resources) {
                const cloud = KEY_TYPES[r.type];
                if (!cloud) continue;
                const present = presentKeys(r);
                if (present === UNKNOWN) continue;
                const gcp = r.type === TYPES.gcpCryptoKey;
                const required = (gcp ? config.requiredLabels : config.requiredTags) ?? [];
                const missing = required.filter((t) => !present.has(cloud === "azure" ? t.toLowerCase() : t));
                if (missing.length === 0) continue;
                if (present.has("\u0000effective-unknown")) continue; // may come from the provider's default tags/labels
                const id = identityOf(r);
                const subject = id !== UNKNOWN && id?.key ? `Key ${keyLabel(id)} in ${cloud}` : id !== UNKNOWN && id ? `A key of domain ${id.domain} in ${cloud}` : `A key outside any key hierarchy in ${cloud}`;
                const noun = gcp ? (missing.length > 1 ? "labels" : "label") : missing.length > 1 ? "tags" : "tag";
                report(`${subject} is missing the ${noun} ${missing.join(", ")}.`, r.urn);
            }
        },
    },
);
