import type { PolicyResource } from "@pulumi/policy";
import { KMS_KEY_TYPES } from "../lib/aws";
import { asArray, isObject } from "../lib/props";
import { stackRule } from "../lib/rule";

const TRAIL = "aws:cloudtrail/trail:Trail";
const HIERARCHY = "keyfabric:index:KeyHierarchy";
const AWS_KEY_COMPONENT = "keyfabric:aws:Key";
const KMS = "kms.amazonaws.com";

/** One KMS management event, as advanced event selectors see it (Encrypt, Decrypt and GenerateDataKey are read-only events). */
type Event = { readonly eventCategory: string; readonly eventSource: string; readonly readOnly: string };

/** An advanced field selector's conditions against one event field (every listed operator must hold; a field the event has not fails). */
function fieldMatches(f: any, event: Event): boolean {
    const value = (event as Record<string, string>)[String(f?.field)];
    if (value === undefined) return false;
    const list = (name: string) => asArray<unknown>(f[name]).filter((x): x is string => typeof x === "string");
    const checks: [string, (v: string, x: string) => boolean, boolean][] = [
        ["equals", (v, x) => v === x, true],
        ["startsWiths", (v, x) => v.startsWith(x), true],
        ["endsWiths", (v, x) => v.endsWith(x), true],
        ["notEquals", (v, x) => v !== x, false],
        ["notStartsWiths", (v, x) => !v.startsWith(x), false],
        ["notEndsWiths", (v, x) => !v.endsWith(x), false],
    ];
    return checks.every(([name, test, any]) => {
        const xs = list(name);
        if (xs.length === 0) return true;
        return any ? xs.some((x) => test(value, x)) : xs.every((x) => test(value, x));
    });
}

/** Whether the trail's selectors record `event`: advanced selectors when present, else basic ones (none: every management event). */
function records(trail: PolicyResource, event: Event): boolean {
    const advanced = asArray<any>(trail.props.advancedEventSelectors);
    if (advanced.length > 0) return advanced.some((s) => asArray<any>(s?.fieldSelectors).every((f) => fieldMatches(f, event)));
    const basic = asArray<any>(trail.props.eventSelectors);
    if (basic.length === 0) return true;
    const wanted = event.readOnly === "true" ? "ReadOnly" : "WriteOnly";
    return basic.some(
        (s) =>
            isObject(s) &&
            s.includeManagementEvents !== false &&
            [undefined, "All", wanted].includes(s.readWriteType) &&
            !asArray(s.excludeManagementEventSources).includes(KMS),
    );
}

/** A multi-Region trail that is logging and records KMS management events, read and write. */
function coversKms(trail: PolicyResource): boolean {
    if (trail.props.isMultiRegionTrail !== true) return false;
    if (trail.props.enableLogging === false || trail.props.includeGlobalServiceEvents === false) return false;
    return ["true", "false"].every((readOnly) => records(trail, { eventCategory: "Management", eventSource: KMS, readOnly }));
}

/** Proposed catalogue row 36: audit logging of key use (the catalogue has no row for it yet). */
export const rule = stackRule(
    {
        name: "aws-cloudtrail-trail-enable-kms-logging",
        description:
            "A stack that declares AWS KMS keys must also declare a multi-Region CloudTrail trail that is logging and records management events, read and write, without excluding kms.amazonaws.com (KMS records every use of a key only as CloudTrail management events), unless the account or organization baseline keeps one: the rule's assumeAccountTrail, a KeyHierarchy whose spec sets audit.aws.trail, or a keyfabric AwsKey whose args set audit.trail. One finding for the stack.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS AWS Foundations Benchmark", version: "3.0.0", reference: "3.1 Ensure CloudTrail is enabled in all regions" },
            { name: "AWS Security Hub", version: "FSBP", reference: "CloudTrail.1 CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events" },
            { name: "PCI DSS", version: "4.0", reference: "10.2.1 Audit logs are enabled and active for all system components and cardholder data" },
        ],
        remediation:
            'Declare an aws.cloudtrail.Trail with isMultiRegionTrail: true that records management events with readWriteType "All" (the default without event selectors) and does not list kms.amazonaws.com in excludeManagementEventSources; if the account or organization baseline keeps such a trail, set audit.aws.trail in the KeyHierarchy spec (external, or the trail ARN), audit.trail on a keyfabric AwsKey, or the rule\'s assumeAccountTrail.',
        catalogueRows: [36],
        resourceTypes: [...KMS_KEY_TYPES, TRAIL],
        configSchema: {
            properties: {
                assumeAccountTrail: {
                    type: "boolean",
                    default: false,
                    description: "The account or organization baseline (outside this stack) keeps a multi-Region trail that records management events.",
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            if (!args.resources.some((r) => KMS_KEY_TYPES.includes(r.type))) return;
            if (args.getConfig<{ assumeAccountTrail: boolean }>().assumeAccountTrail) return;
            const declared = args.resources.some(
                (r) => (r.type === HIERARCHY && typeof r.props.spec?.audit?.aws?.trail === "string") || (r.type === AWS_KEY_COMPONENT && typeof r.props.audit?.trail === "string"),
            );
            if (declared) return;
            if (args.resources.some((r) => r.type === TRAIL && coversKms(r))) return;
            reportViolation("The stack declares AWS KMS keys but no multi-Region CloudTrail trail that records their management events, read and write.");
        },
    },
);
