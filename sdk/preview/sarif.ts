/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per policy, one result per violation at the line that declares the
 * resource, fingerprints stable per rule and URN, and the rules that could not be evaluated at preview as review results.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { PolicyInfo, PolicyViolation } from "../policy/analyzer";
import type { MockRun } from "./harness";
import { mdCode, mdText, oneLine, Place, RenderOptions, Sources, specific } from "./places";
import type { NotEvaluated, PolicyReport } from "./policy";

type SarifLevel = "none" | "note" | "warning" | "error";
const SARIF_LEVEL: Record<string, SarifLevel> = { mandatory: "error", advisory: "warning", remediate: "warning", disabled: "note" };
const sarifLevel = (enforcementLevel: string): SarifLevel => SARIF_LEVEL[enforcementLevel] ?? "warning";

/**
 * GitHub code scanning's `security-severity` scores: it shows > 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium,
 * 0.1-3.9 low (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
 */
export const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };
const PROBLEM_SEVERITY: Record<string, string> = { critical: "error", high: "error", medium: "warning", low: "recommendation" };

/** The key of keyfabric's `partialFingerprints`: sha256 of policy, NUL, URN (and, for not-evaluated, NUL, property). */
export const FINGERPRINT_KEY = "keyfabric/v1";
const sha256 = (...parts: string[]) => createHash("sha256").update(parts.join("\u0000")).digest("hex");

/** The SARIF rule of the not-evaluated results of a policy (no security severity: nothing was found). */
export const notEvaluatedRuleId = (policy: string) => `${policy}/not-evaluated`;

const SRCROOT = "%SRCROOT%";
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

let packageVersion: string | undefined;
/** keyfabric's version, from its package.json (two levels up from both sdk/preview and lib/preview). */
function keyfabricVersion(): string {
    if (packageVersion === undefined) {
        try {
            packageVersion = String(JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "package.json"), "utf8")).version ?? "0.0.0");
        } catch {
            packageVersion = "0.0.0";
        }
    }
    return packageVersion;
}

/** A relative path as a URI reference: each segment percent-encoded, so "#", "?", ":" and spaces survive. */
const uriPath = (p: string) =>
    p
        .split("/")
        .map((s) => encodeURIComponent(s))
        .join("/");

function artifactLocation(p: Place): Record<string, string> {
    return p.relative ? { uri: uriPath(p.path), uriBaseId: SRCROOT } : { uri: pathToFileURL(p.path).href };
}

function dirUri(dir: string): string {
    const href = pathToFileURL(dir).href;
    return href.endsWith("/") ? href : `${href}/`;
}

/** The first sentence of a description (what GitHub shows as the rule's title). */
function firstSentence(text: string): string {
    const m = /^(.*?[.!?])\s+(?=[A-Z])/s.exec(text.trim());
    return oneLine(m ? m[1] : text);
}

/** Adds ":2", ":3", ... to repeated fingerprints (the same rule reporting twice on one resource), as CodeQL does. */
function occurrences(): (hash: string) => string {
    const seen = new Map<string, number>();
    return (hash) => {
        const n = (seen.get(hash) ?? 0) + 1;
        seen.set(hash, n);
        return n === 1 ? hash : `${hash}:${n}`;
    };
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per policy, one result per violation, located where the program
 * declares the resource (relative to `options.sarifRoot`, default the project directory, as `%SRCROOT%`), with a
 * fingerprint per policy and URN; rules that could not decide at preview become `kind: "review"` results.
 */
export function sarif(run: MockRun, policy: PolicyReport | undefined, options: RenderOptions = {}): Record<string, unknown> {
    const sources = new Sources(run, options);
    const rules: Record<string, unknown>[] = [];
    const ruleIndex = new Map<string, number>();
    const addRule = (id: string, rule: Record<string, unknown>) => {
        if (ruleIndex.has(id)) return;
        ruleIndex.set(id, rules.length);
        rules.push({ id, name: id, ...rule });
    };
    const policyRule = (info: { description: string; enforcementLevel: string; severity?: string }, pack: string, version?: string) => {
        const level = sarifLevel(info.enforcementLevel);
        const description = oneLine(info.description) || "(no description)";
        const where = (packName: string) => `Policy pack ${packName}${version ? ` ${version}` : ""}; enforcement level ${info.enforcementLevel}${info.severity ? `, severity ${info.severity}` : ""}.`;
        return {
            shortDescription: { text: firstSentence(description) },
            fullDescription: { text: description },
            help: { text: `${description}\n\n${where(pack)}`, markdown: `${mdText(description)}\n\n${where(mdCode(pack))}` },
            defaultConfiguration: { level, ...(info.enforcementLevel === "disabled" ? { enabled: false } : {}) },
            properties: {
                tags: ["security", pack],
                ...(info.severity && SECURITY_SEVERITY[info.severity] ? { "security-severity": SECURITY_SEVERITY[info.severity] } : {}),
                ...(info.severity && PROBLEM_SEVERITY[info.severity] ? { "problem.severity": PROBLEM_SEVERITY[info.severity] } : {}),
            },
        };
    };
    // The level a rule runs at in this preview: its configured level (pack config), else the pack's default.
    const effective = (info: PolicyInfo) => ({ ...info, enforcementLevel: (info as { configuredLevel?: string }).configuredLevel ?? info.enforcementLevel });
    for (const p of policy?.packs ?? []) for (const info of p.policies) addRule(info.name, policyRule(effective(info), p.pack, p.version));
    // Violations of policies the packs did not describe (a pack that reported a name its GetAnalyzerInfo left out).
    for (const v of policy?.violations ?? []) addRule(v.policy, policyRule(v, v.pack));
    const notEvaluated = policy?.notEvaluated ?? [];
    for (const n of notEvaluated) addRule(n.policy, policyRule({ description: "", enforcementLevel: n.enforcementLevel }, n.pack));
    for (const n of notEvaluated) {
        addRule(notEvaluatedRuleId(n.policy), {
            shortDescription: { text: `${n.policy} could not be evaluated at preview` },
            fullDescription: {
                text: `The policy ${n.policy} reads a value that is unknown until the resources exist (an output of another resource, for example), so the offline preview could not decide. Review the resource, or run the policy pack with pulumi preview against the clouds.`,
            },
            defaultConfiguration: { level: "none" },
            relationships: [{ target: { id: n.policy, index: ruleIndex.get(n.policy) }, kinds: ["relevant"] }],
            properties: { tags: ["not-evaluated", n.pack] },
        });
    }

    const location = (urn: string) => {
        const place = sources.located(urn);
        const { name, type } = urn ? sources.describe(urn) : { name: `${run.project}-${run.stack}`, type: "pulumi:pulumi:Stack" };
        return {
            physicalLocation: { artifactLocation: artifactLocation(place), region: { startLine: place.line, ...(place.column ? { startColumn: place.column } : {}) } },
            logicalLocations: [{ name, fullyQualifiedName: urn || `${run.project}/${run.stack}`, kind: "resource" }],
        };
    };
    const subject = (urn: string) => {
        if (!urn) return `Stack ${run.project}/${run.stack}`;
        const { name, type } = sources.describe(urn);
        return type ? `${name} (${type})` : name;
    };

    const violationPrint = occurrences();
    const results: Record<string, unknown>[] = (policy?.violations ?? []).map((v) => ({
        ruleId: v.policy,
        ruleIndex: ruleIndex.get(v.policy),
        kind: "fail",
        level: sarifLevel(v.enforcementLevel),
        message: { text: `${subject(v.urn)}: ${oneLine(specific(v))}` },
        locations: [location(v.urn)],
        partialFingerprints: { [FINGERPRINT_KEY]: violationPrint(sha256(v.policy, v.urn)) },
        properties: { pack: v.pack, enforcementLevel: v.enforcementLevel },
    }));
    const reviewPrint = occurrences();
    for (const n of notEvaluated) {
        const id = notEvaluatedRuleId(n.policy);
        results.push({
            ruleId: id,
            ruleIndex: ruleIndex.get(id),
            // SARIF 2.1.0 3.27.9: a result whose kind is not "fail" has level "none".
            kind: "review",
            level: "none",
            message: { text: `${subject(n.urn)}: ${n.policy} could not be evaluated at preview: ${n.property}: ${oneLine(n.reason)}` },
            locations: [location(n.urn)],
            partialFingerprints: { [FINGERPRINT_KEY]: reviewPrint(sha256(n.policy, n.urn, n.property)) },
            properties: { policy: n.policy, pack: n.pack, enforcementLevel: n.enforcementLevel, property: n.property },
        });
    }

    const version = keyfabricVersion();
    return {
        $schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: { name: "keyfabric", version, ...(SEMVER.test(version) ? { semanticVersion: version } : {}), informationUri: "https://github.com/keyfabric/keyfabric", rules },
                    ...(policy?.packs.length ? { extensions: policy.packs.map((p) => ({ name: p.pack, version: p.version })) } : {}),
                },
                ...(sources.root ? { originalUriBaseIds: { [SRCROOT]: { uri: dirUri(sources.root) } } } : {}),
                columnKind: "utf16CodeUnits",
                results,
            },
        ],
    };
}
