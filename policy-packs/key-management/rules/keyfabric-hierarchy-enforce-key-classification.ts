/**
 * Catalogue rows 12 and 33: a data store classified `public` < `internal` < `confidential` < `restricted` (its
 * `keyfabric:classification` tag, `keyfabric-classification` label on GCP) encrypts with a key of a KeyHierarchy
 * domain of that classification or a stricter one, held in a region or location that domain allows, in every cloud.
 *
 * The data stores are the key consumers of the three clouds' tables (`lib/consumers-{aws,gcp,azure}.ts`); which key
 * each one uses, its logical key, domain, domain classification and location come from `lib/classification.ts` over
 * `lib/crosscloud.ts`. One finding per problem:
 * - a store that names no customer-managed key is left to the per-service `*-require-customer-managed-key` rules;
 * - a store that names a key the stack does not declare, or a key no hierarchy domain (with a classification) claims,
 *   "uses a key outside the hierarchy";
 * - a key whose domain is less strict than the store, and a key outside its domain's residency, are each reported
 *   on the store (the residency rule reports the key itself);
 * - unclassified stores (no tag/label, or a value that is not one of the four) are not judged.
 *
 * At preview, a store whose key reference is unknown is judged by the key its property depends on (the engine's
 * `propertyDependencies`); when several keys could be meant, it is judged only if all of them give the same answer.
 * A fact still unknown leaves that store undecided: the rule reports every store it can decide, then rethrows the
 * first UnknownValueError, so the engine adds its "can't run policy" (advisory) as for any rule reading an unknown.
 */
import { UnknownValueError } from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import { consumerFor, type KeyConsumer } from "../lib/consumers";
import { AWS_CONSUMERS } from "../lib/consumers-aws";
import { AZURE_CONSUMERS } from "../lib/consumers-azure";
import { GCP_CONSUMERS } from "../lib/consumers-gcp";
import {
    attempt,
    baseType,
    Classification,
    classificationOf,
    classificationRank,
    HOLDERS,
    K,
    KEY_RESOURCES,
    KeyModel,
    refsOf,
    Target,
    Undecided,
    UnknownAt,
} from "../lib/classification";
import { keyLabel, reporter, Stack, TYPES } from "../lib/crosscloud";
import { stackRule } from "../lib/rule";

const TABLES: readonly (readonly KeyConsumer[])[] = [AWS_CONSUMERS, GCP_CONSUMERS, AZURE_CONSUMERS];

/** The consumer entry of a type (azure-native tokens with or without an explicit API version). */
const consumerOf = (type: string): KeyConsumer | undefined => consumerFor(TABLES, type) ?? consumerFor(TABLES, baseType(type));

/** What a store (classified `c`) using one key comes to: the messages of its problems, `[]` when compliant. */
function verdict(model: KeyModel, label: string, c: Classification, target: Target): string[] {
    const subject = `This ${label} (data classified ${c})`;
    if ("absent" in target) return [`${subject} uses a key outside the hierarchy: the key it names is not declared in this stack.`];
    const f = model.facts(target.key);
    if (!f.identity || !f.classification) return [`${subject} uses a key outside the hierarchy: no KeyHierarchy domain with a classification claims the key.`];
    const key = f.identity.key ? `key ${keyLabel(f.identity)}` : "a key";
    const out: string[] = [];
    if (classificationRank(f.classification) < classificationRank(c)) {
        out.push(`${subject} encrypts with ${key} of domain ${f.identity.domain}, classified ${f.classification}: ${c} data needs a key of a ${c} or stricter domain.`);
    }
    if (!KeyModel.resident(f)) {
        out.push(`${subject} encrypts with ${key} of domain ${f.identity.domain} (${f.classification}) held in ${f.cloud} outside the ${f.cloud === "aws" ? "regions" : "locations"} that domain allows.`);
    }
    return out;
}

/** One answer for several candidate keys: theirs when they all agree, else `undefined`. */
function agreed(answers: string[][]): string[] | undefined {
    const [first, ...rest] = answers.map((a) => [...a].sort());
    return rest.every((a) => a.join("\n") === first.join("\n")) ? first : undefined;
}

/** The problems of one consumer; throws an UnknownValueError (or `Undecided`) when it cannot be decided. */
function judge(model: KeyModel, consumer: KeyConsumer, r: PolicyResource): string[] {
    const c = classificationOf(model, r);
    if (!c) return [];
    const { refs, unknown } = refsOf(consumer, r.props);
    const out: string[] = [];
    for (const ref of refs) {
        const targets = model.resolve(ref, r);
        if (targets.length === 0) continue; // a reference in a form no cloud uses: not judged
        const answer = agreed(targets.map((t) => verdict(model, consumer.label, c, t)));
        if (!answer) throw new Undecided("the reference names several keys that give different answers");
        out.push(...answer);
    }
    for (const u of unknown) {
        // The value is unknown at preview; the resource it came from (the engine's property dependencies) is known.
        const targets = model.dependencyTargets(r, u.prop);
        if (targets.length === 0) throw u.error;
        const answer = agreed(targets.map((t) => verdict(model, consumer.label, c, t)));
        if (!answer) throw u.error;
        out.push(...answer);
    }
    return out;
}

const CONSUMER_TYPES = [...new Set(TABLES.flatMap((t) => t.flatMap((c) => [...c.types])))];

export const rule = stackRule(
    {
        name: "keyfabric-hierarchy-enforce-key-classification",
        description:
            "Data stores tagged or labelled with a data classification (keyfabric:classification, or the keyfabric-classification label on GCP: public < internal < confidential < restricted) must encrypt with a key of a KeyHierarchy domain of that classification or a stricter one, held in a region or location that domain allows, in every cloud; a classified data store that names a key outside the hierarchy (not declared in the stack, or claimed by no domain) is reported too. Data stores without a customer-managed key are left to the require-customer-managed-key rules.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.2 Key Usage (a key for one purpose: keys of one domain protect that domain's data)" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures protect the keys that protect stored account data (key-encrypting keys at least as strong as the data-encrypting keys they protect)" },
            { name: "PCI DSS", version: "4.0", reference: "3.5.1 PAN is rendered unreadable anywhere it is stored (strong cryptography with key-management processes)" },
            { name: "ISO/IEC 27001", version: "2022", reference: "A.8.24 Use of cryptography (protection level from the information's classification)" },
        ],
        remediation:
            "Encrypt the data store with a key of a domain classified at least as strictly as the store (for restricted data, a key of a restricted domain, e.g. hierarchy.key(\"payments/card-data\").aws.keyArn), in a region or location that domain allows; if the store's keyfabric:classification tag (keyfabric-classification label on GCP) is wrong, correct it.",
        catalogueRows: [12, 33],
        resourceTypes: [...CONSUMER_TYPES, ...Object.keys(KEY_RESOURCES), K.awsAlias, TYPES.hierarchy, TYPES.domain],
    },
    {
        validateStack: (args, reportViolation) => {
            const report = reporter(reportViolation);
            const consumers = args.resources.filter((r) => consumerOf(r.type));
            if (consumers.length === 0) return;
            const model = new KeyModel(new Stack(args.resources), consumerOf);

            // A data store whose encryption a separate resource sets (an S3 bucket encryption configuration, a classic
            // storage CustomerManagedKey) is judged through that resource: on state the store records the same key.
            const superseded = new Set<string>();
            for (const r of consumers) {
                if (!HOLDERS[baseType(r.type)]?.supersedes) continue;
                const holder = attempt(() => model.holderOf(r));
                if (holder && !(holder instanceof UnknownAt)) superseded.add(holder.urn);
            }

            let pending: Error | undefined;
            for (const r of consumers) {
                if (superseded.has(r.urn)) continue;
                try {
                    for (const message of judge(model, consumerOf(r.type)!, r)) report(message, r.urn);
                } catch (e) {
                    if (e instanceof UnknownValueError) pending ??= e as Error;
                    else if (!(e instanceof Undecided)) throw e;
                }
            }
            // As the SDK does for a rule that reads an unknown value: "can't run policy ... during preview".
            if (pending) throw pending;
        },
    },
);
