/**
 * Catalogue rows 30 and 32: one logical key, one cryptoperiod and one protection level, in every cloud.
 */
import { stackRule } from "../lib/rule";
import { days } from "../lib/props";
import { Cryptoperiod, KEY_TYPES, KeyInstance, PROTECTION_RANK, Protection, Stack, TYPES, UNKNOWN, at, cloudList, cryptoperiodOf, keyLabel, protectionOf, reporter, specKeyOf } from "../lib/crosscloud";

// ---------------------------------------------------------------------------------------------------------------
// The rule.

interface Config {
    toleranceDays: number;
    compareAwsProtection: boolean;
}

const differs = (a: Cryptoperiod, b: Cryptoperiod, tolerance: number) => (a === "none" || b === "none" ? a !== b : Math.abs(a - b) > tolerance);

/** "rotates every 90 days" / "does not rotate automatically": the periods the rule derived, never property text. */
const rotates = (v: Cryptoperiod) => (v === "none" ? "does not rotate automatically" : `rotates every ${days(v)}`);
const declares = (v: Cryptoperiod) => (v === "none" ? "no automatic rotation" : `every ${days(v)}`);
/** The configured tolerance, named when there is one. */
const within = (tolerance: number) => (tolerance > 0 ? ` (at most ${days(tolerance)} apart allowed)` : "");

/** The value most instances agree with (ties: a period over none, then the shortest period). */
function consensus(values: Cryptoperiod[], tolerance: number): Cryptoperiod {
    let best: { v: Cryptoperiod; n: number } | undefined;
    for (const v of values) {
        const n = values.filter((w) => !differs(v, w, tolerance)).length;
        const better =
            !best ||
            n > best.n ||
            (n === best.n && best.v === "none" && v !== "none") ||
            (n === best.n && v !== "none" && best.v !== "none" && v < best.v);
        if (better) best = { v, n };
    }
    return best!.v;
}

export const rule = stackRule(
    {
        name: "keyfabric-hierarchy-enforce-consistent-cryptoperiod",
        description:
            "Every instance of a logical key (correlated by keyfabric's hierarchy, domain and key tags or labels, or by the KeyHierarchy component tree) must have the same cryptoperiod and no weaker protection level in every cloud, and must match its KeyHierarchy spec when the stack has one.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Pt.1", version: "Rev.5", reference: "5.3 Cryptoperiods" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.4 Cryptographic key changes at the end of the defined cryptoperiod" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1.2 Secret and private keys stored in a secure cryptographic device" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_112 (HSM-backed keys)" },
        ],
        remediation:
            "Give every instance of the logical key the cryptoperiod its KeyHierarchy declares (AWS enableKeyRotation and rotationPeriodInDays, GCP rotationPeriod, Azure rotation policy timeAfterCreate), and the same protection level (GCP versionTemplate.protectionLevel HSM, Azure kty RSA-HSM/EC-HSM/oct-HSM); or declare the key once in the KeyHierarchy instead of by hand.",
        catalogueRows: [30, 32],
        resourceTypes: [...Object.keys(KEY_TYPES), TYPES.hierarchy, TYPES.azureHsmKeyRotation],
        configSchema: {
            properties: {
                toleranceDays: { type: "integer", default: 0, minimum: 0, maximum: 365, description: "How many days two cryptoperiods may differ and still count as the same." },
                compareAwsProtection: {
                    type: "boolean",
                    default: false,
                    description:
                        "Count AWS instances (always HSM-protected, with no software option) when finding the strongest protection of a key without a spec; off by default so software-tier keys are not flagged for AWS's fixed level.",
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const config = args.getConfig<Config>();
            const tolerance = config.toleranceDays ?? 0;
            const report = reporter(reportViolation);
            const stack = new Stack(args.resources);

            for (const { id, instances } of stack.logicalKeys().values()) {
                const name = keyLabel(id);
                const specKey = specKeyOf(stack.specs, id);

                // Cryptoperiod.
                const periods = instances
                    .map((i) => ({ i, v: cryptoperiodOf(stack, i.r) }))
                    .filter((x): x is { i: KeyInstance; v: Cryptoperiod } => x.v !== UNKNOWN && x.v !== undefined);
                if (specKey && specKey.rotation !== UNKNOWN) {
                    const declared = specKey.rotation;
                    for (const { i, v } of periods) {
                        if (differs(v, declared, tolerance)) report(`Logical key ${name} ${rotates(v)} in ${i.cloud}; its KeyHierarchy declares ${declares(declared)}${within(tolerance)}.`, i.r.urn);
                    }
                } else if (periods.length > 1) {
                    const ref = consensus(periods.map((p) => p.v), tolerance);
                    const agreeing = periods.filter((p) => !differs(p.v, ref, tolerance)).map((p) => p.i.cloud);
                    for (const { i, v } of periods) {
                        if (differs(v, ref, tolerance)) report(`Logical key ${name} ${rotates(v)} in ${i.cloud}, but ${declares(ref)} in ${cloudList(agreeing)}${within(tolerance)}.`, i.r.urn);
                    }
                }

                // Protection: no instance weaker than the spec, or than the strongest instance whose level is a choice.
                const levels = instances
                    .map((i) => ({ i, v: protectionOf(i.r) }))
                    .filter((x): x is { i: KeyInstance; v: Protection } => x.v !== UNKNOWN && x.v !== undefined);
                if (specKey && specKey.protection !== UNKNOWN) {
                    const declared = PROTECTION_RANK[specKey.protection];
                    for (const { i, v } of levels) {
                        if (PROTECTION_RANK[v] < declared) report(`Logical key ${name} has weaker key protection in ${i.cloud} than its KeyHierarchy declares.`, i.r.urn);
                    }
                } else {
                    const setters = levels.filter((l) => config.compareAwsProtection || l.i.cloud !== "aws");
                    if (setters.length === 0) continue;
                    const top = Math.max(...setters.map((l) => PROTECTION_RANK[l.v]));
                    const strongest = setters.filter((l) => PROTECTION_RANK[l.v] === top).map((l) => l.i.cloud);
                    for (const { i, v } of levels) {
                        if (PROTECTION_RANK[v] < top) report(`Logical key ${name} has weaker key protection in ${i.cloud} than in ${cloudList(strongest)}.`, i.r.urn);
                    }
                }
            }
        },
    },
);
