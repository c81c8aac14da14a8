/**
 * Renders a mock run: resource tree, Mermaid picture of the hierarchy, summary, policy findings; as text, JSON,
 * Markdown, Mermaid or SARIF 2.1.0 (for GitHub code scanning).
 */
import Table from "cli-table3";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { PolicyInfo, PolicyViolation } from "../policy/analyzer";
import { Assumption, MockRun, RecordedResource, SourceLocation } from "./harness";
import type { NotEvaluated, PolicyReport } from "./policy";

export const FORMATS = ["text", "json", "markdown", "mermaid", "sarif"] as const;
export type Format = (typeof FORMATS)[number];

export interface Summary {
    total: number;
    custom: number;
    components: number;
    byType: Record<string, number>;
    /** Keys per cloud: aws / gcp / azure. */
    keysByCloud: Record<string, number>;
}

const KEY_TYPES: Record<string, string> = {
    "aws:kms/key:Key": "aws",
    "aws:kms/externalKey:ExternalKey": "aws",
    "aws:kms/replicaKey:ReplicaKey": "aws",
    "aws:kms/replicaExternalKey:ReplicaExternalKey": "aws",
    "gcp:kms/cryptoKey:CryptoKey": "gcp",
    "azure-native:keyvault:Key": "azure",
    "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey": "azure",
};

export function summarize(run: MockRun): Summary {
    const byType: Record<string, number> = {};
    const keysByCloud: Record<string, number> = {};
    for (const r of run.resources) {
        byType[r.type] = (byType[r.type] ?? 0) + 1;
        const cloud = KEY_TYPES[r.type];
        if (cloud) keysByCloud[cloud] = (keysByCloud[cloud] ?? 0) + 1;
    }
    const sorted = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b)));
    const custom = run.resources.filter((r) => r.custom).length;
    return { total: run.resources.length, custom, components: run.resources.length - custom, byType: sorted, keysByCloud };
}

function children(run: MockRun): Map<string, RecordedResource[]> {
    const map = new Map<string, RecordedResource[]>();
    for (const r of run.resources) {
        const list = map.get(r.parent) ?? [];
        list.push(r);
        map.set(r.parent, list);
    }
    return map;
}

function roots(run: MockRun): RecordedResource[] {
    const urns = new Set(run.resources.map((r) => r.urn));
    return run.resources.filter((r) => !urns.has(r.parent));
}

/** The hierarchy as a Mermaid flowchart: keyfabric components, key rings, vaults and keys (grants left out). */
export function mermaid(run: MockRun): string {
    const shown = run.resources.filter((r) => r.type.startsWith("keyfabric:") || KEY_TYPES[r.type] || /keyRing:KeyRing|keyvault:Vault$/.test(r.type));
    const ids = new Map(shown.map((r, i) => [r.urn, `n${i}`]));
    const lines = ["flowchart TD"];
    for (const r of shown) {
        const label = `${r.type.replace(/^keyfabric:(index|aws|gcp|azure):/, "keyfabric:$1:")}<br/>${r.name}`.replace(/"/g, "'");
        lines.push(`    ${ids.get(r.urn)}${r.custom ? `["${label}"]` : `(["${label}"])`}`);
    }
    const shownUrns = new Set(shown.map((r) => r.urn));
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    for (const r of shown) {
        // Link to the nearest shown ancestor.
        let p = r.parent;
        while (p && !shownUrns.has(p)) p = byUrn.get(p)?.parent ?? "";
        if (p) lines.push(`    ${ids.get(p)} --> ${ids.get(r.urn)}`);
    }
    return lines.join("\n");
}

function tree(run: MockRun): string[] {
    const kids = children(run);
    const lines: string[] = [];
    const walk = (r: RecordedResource, prefix: string, last: boolean) => {
        lines.push(`${prefix}${last ? "└─ " : "├─ "}${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`);
        const list = kids.get(r.urn) ?? [];
        list.forEach((c, i) => walk(c, prefix + (last ? "   " : "│  "), i === list.length - 1));
    };
    const top = roots(run);
    top.forEach((r, i) => walk(r, "", i === top.length - 1));
    return lines;
}

export interface RenderOptions {
    /**
     * Absolute directory that SARIF URIs (and the source paths of the other formats) are relative to: the repository's
     * top level for GitHub code scanning. Default `run.projectDir`.
     */
    readonly sarifRoot?: string;
}

export function render(run: MockRun, format: Format, policy?: PolicyReport, options: RenderOptions = {}): string {
    const summary = summarize(run);
    const sources = new Sources(run, options);
    switch (format) {
        case "sarif":
            return JSON.stringify(sarif(run, policy, options), null, 2);
        case "json": {
            const violations = (policy?.violations ?? []).map((v) => ({ policy: v.policy, pack: v.pack, enforcementLevel: v.enforcementLevel, urn: v.urn, message: v.message }));
            const notEvaluated = (policy?.notEvaluated ?? []).map((n) => ({ policy: n.policy, pack: n.pack, enforcementLevel: n.enforcementLevel, urn: n.urn, property: n.property, reason: n.reason }));
            return JSON.stringify(
                {
                    project: run.project,
                    stack: run.stack,
                    resources: run.resources.map((r) => ({
                        urn: r.urn,
                        type: r.type,
                        name: r.name,
                        parent: r.parent,
                        custom: r.custom,
                        protect: r.protect,
                        ...(r.source ? { source: { file: sources.relative(r.source.file).path, line: r.source.line, column: r.source.column } } : {}),
                    })),
                    summary,
                    ...(policy
                        ? {
                              policyViolations: violations,
                              notEvaluated,
                              policyPacks: policy.packs.map((p) => ({ name: p.pack, version: p.version, policies: p.policies.length })),
                          }
                        : {}),
                    assumptions: (run.assumptions ?? []).map((a) => ({ kind: a.kind, subject: a.subject, detail: a.detail })),
                    mermaid: mermaid(run),
                },
                null,
                2,
            );
        }
        case "mermaid":
            return mermaid(run);
        case "markdown": {
            const rows = Object.entries(summary.byType).map(([t, n]) => `| \`${t}\` | ${n} |`);
            return [
                `### keyfabric preview: ${run.project} / ${run.stack}`,
                "",
                `${summary.total} resources (${summary.custom} cloud resources, ${summary.components} components); keys: ${cloudCounts(summary)}.`,
                "",
                "| type | count |",
                "|---|---|",
                ...rows,
                "",
                ...(policy ? policyMarkdown(run, policy, options) : []),
                ...assumptionsMarkdown(run),
                "```mermaid",
                mermaid(run),
                "```",
                "",
                "<details><summary>Resource tree</summary>",
                "",
                "```",
                ...tree(run),
                "```",
                "",
                "</details>",
            ].join("\n");
        }
        case "text": {
            const table = new Table({ head: ["type", "count"], style: { head: [], border: [] } });
            for (const [t, n] of Object.entries(summary.byType)) table.push([t, n]);
            const width = terminalWidth();
            return [
                `Preview of ${run.project} (stack ${run.stack}), offline under mocks`,
                "",
                ...tree(run),
                "",
                table.toString(),
                `${summary.total} resources (${summary.custom} cloud resources, ${summary.components} components); keys: ${cloudCounts(summary)}`,
                ...(policy ? ["", ...policyText(run, policy, options, width)] : []),
                ...assumptionsText(run, width),
            ].join("\n");
        }
    }
}

function cloudCounts(summary: Summary): string {
    const parts = Object.entries(summary.keysByCloud).map(([c, n]) => `${c} ${n}`);
    return parts.length ? parts.join(", ") : "none";
}

/** The policy SDK sends "description\nmessage": the specific part is enough where the policy name is shown. */
const specific = (v: { message: string; description: string }) => (v.message.startsWith(`${v.description}\n`) ? v.message.slice(v.description.length + 1) : v.message);
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ").trim();

/** A file position relative to the report root. */
interface Place {
    /** Relative to the root with "/" separators when `relative`; otherwise the absolute path. */
    readonly path: string;
    readonly relative: boolean;
    readonly line: number;
    readonly column?: number;
}

/** Resources by URN and their declarations, relative to the report root (`sarifRoot`, else the project directory). */
class Sources {
    readonly root?: string;
    private readonly byUrn: Map<string, RecordedResource>;

    constructor(
        private readonly run: MockRun,
        options: RenderOptions,
    ) {
        this.root = options.sarifRoot ?? run.projectDir;
        this.byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    }

    /** Name and type of a resource; from the URN itself for one the run did not record. */
    describe(urn: string): { name: string; type: string } {
        const r = this.byUrn.get(urn);
        if (r) return { name: r.name, type: r.type };
        const parts = urn.split("::");
        if (parts.length < 4) return { name: urn, type: "" };
        return { name: parts.slice(3).join("::"), type: parts[2].split("$").pop() ?? parts[2] };
    }

    relative(file: string): { path: string; relative: boolean } {
        if (!this.root) return { path: file, relative: false };
        const rel = path.relative(this.root, file);
        if (rel === "" || rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return { path: file, relative: false };
        return { path: rel.split(path.sep).join("/"), relative: true };
    }

    /** Where the program declares the resource (or its nearest ancestor that has a known declaration). */
    declaration(urn: string): Place | undefined {
        const seen = new Set<string>();
        for (let r = this.byUrn.get(urn); r && !seen.has(r.urn); r = this.byUrn.get(r.parent)) {
            seen.add(r.urn);
            if (r.source) return this.place(r.source);
        }
        return undefined;
    }

    /** The program's entry, line 1: where findings without a resource or a declaration are reported. */
    entry(): Place {
        const programPath = this.run.programPath ?? "Pulumi.yaml";
        if (this.run.projectDir) return { ...this.relative(path.resolve(this.run.projectDir, programPath)), line: 1 };
        return { path: programPath.split(path.sep).join("/"), relative: !path.isAbsolute(programPath), line: 1 };
    }

    located(urn: string): Place {
        return (urn ? this.declaration(urn) : undefined) ?? this.entry();
    }

    private place(source: SourceLocation): Place {
        return { ...this.relative(source.file), line: source.line, column: source.column };
    }
}

const placeText = (p: Place) => `${p.path}:${p.line}`;

const LEVEL_ORDER: Record<string, number> = { mandatory: 0, advisory: 1, remediate: 2, disabled: 3 };

interface Group {
    /** The resource's URN; "" for stack-level findings. */
    readonly urn: string;
    readonly name: string;
    readonly type: string;
    readonly place?: Place;
    readonly violations: PolicyViolation[];
}

/** Violations by resource, in the order the program registered the resources; stack-level findings last. */
function groupByResource(run: MockRun, violations: readonly PolicyViolation[], sources: Sources): Group[] {
    const order = new Map(run.resources.map((r, i) => [r.urn, i]));
    const byUrn = new Map<string, PolicyViolation[]>();
    for (const v of violations) byUrn.set(v.urn, [...(byUrn.get(v.urn) ?? []), v]);
    const rank = (urn: string) => (urn === "" ? Number.MAX_SAFE_INTEGER : (order.get(urn) ?? run.resources.length));
    return [...byUrn.keys()]
        .map((urn, i) => ({ urn, i }))
        .sort((a, b) => rank(a.urn) - rank(b.urn) || a.i - b.i)
        .map(({ urn }) => ({
            urn,
            ...(urn ? sources.describe(urn) : { name: "(stack)", type: "" }),
            place: urn ? sources.declaration(urn) : undefined,
            violations: [...(byUrn.get(urn) ?? [])].sort((a, b) => (LEVEL_ORDER[a.enforcementLevel] ?? 9) - (LEVEL_ORDER[b.enforcementLevel] ?? 9)),
        }));
}

function terminalWidth(): number {
    const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
    return Math.max(60, columns || 100);
}

function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(/\s+/).filter(Boolean)) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else line = line ? `${line} ${word}` : word;
    }
    if (line || lines.length === 0) lines.push(line);
    return lines;
}

/** A finding as two lines (or more, wrapped to the width): "  level      policy" then the message, indented. */
function finding(level: string, name: string, message: string, width: number): string[] {
    const indent = " ".repeat(13);
    return [`  ${level.padEnd(9)}  ${name}`, ...wrap(message, width - indent.length).map((l) => indent + l)];
}

export function policyText(run: MockRun, policy: PolicyReport, options: RenderOptions = {}, width = terminalWidth()): string[] {
    const sources = new Sources(run, options);
    const lines: string[] = [];
    if (policy.violations.length === 0) lines.push(`Policy: no violations (${policy.packs.map((p) => `${p.pack} ${p.version}`).join(", ")})`);
    else {
        lines.push(`Policy violations: ${policy.violations.length} (${policy.mandatory} mandatory)`);
        for (const g of groupByResource(run, policy.violations, sources)) {
            lines.push("", g.urn ? [g.name, g.type, g.place ? placeText(g.place) : ""].filter(Boolean).join("  ") : `(stack) ${run.project}/${run.stack}`);
            for (const v of g.violations) lines.push(...finding(v.enforcementLevel, v.policy, oneLine(specific(v)), width));
        }
    }
    const notEvaluated = policy.notEvaluated ?? [];
    if (notEvaluated.length) {
        lines.push("", ...wrap(`Could not be evaluated at preview: ${notEvaluated.length} (a value the rule reads is unknown until the resources exist)`, width));
        for (const n of notEvaluated) {
            const where = n.urn ? describeResource(sources, n.urn) : "(stack)";
            lines.push(...finding(n.enforcementLevel, n.policy, `${where}: ${n.property}: ${oneLine(n.reason)}`, width));
        }
    }
    return lines;
}

function describeResource(sources: Sources, urn: string): string {
    const { name, type } = sources.describe(urn);
    const place = sources.declaration(urn);
    return `${name}${type ? ` (${type})` : ""}${place ? ` at ${placeText(place)}` : ""}`;
}

function assumptionsText(run: MockRun, width: number): string[] {
    const assumptions = run.assumptions ?? [];
    if (!assumptions.length) return [];
    const indent = " ".repeat(10);
    return [
        "",
        ...wrap(`Assumptions: ${assumptions.length} (what the offline run used in place of the clouds)`, width),
        ...assumptions.flatMap((a) => [`  ${a.kind.padEnd(6)}  ${a.subject}`, ...wrap(oneLine(a.detail), width - indent.length).map((l) => indent + l)]),
    ];
}

/** Text for a Markdown table cell or paragraph: one line, Markdown punctuation escaped. */
const mdText = (s: string) => oneLine(s).replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
/** A code span; `inTable` escapes "|", which GFM tables split cells on even inside code spans. */
const mdCode = (s: string, inTable = false) => {
    const t = inTable ? oneLine(s).replace(/\|/g, "\\|") : oneLine(s);
    return t.includes("`") ? `\`\` ${t} \`\`` : `\`${t}\``;
};
const mdLevel = (level: string) => (level === "mandatory" ? "**mandatory**" : level);

export function policyMarkdown(run: MockRun, policy: PolicyReport, options: RenderOptions = {}): string[] {
    const sources = new Sources(run, options);
    const lines: string[] = [];
    if (policy.violations.length === 0) lines.push("**Policy:** no violations.", "");
    else {
        lines.push(`**Policy violations: ${policy.violations.length}** (${policy.mandatory} mandatory)`, "");
        for (const g of groupByResource(run, policy.violations, sources)) {
            const heading = g.urn
                ? [`**${mdCode(g.name)}**`, ...(g.type ? [mdCode(g.type)] : []), ...(g.place ? [mdCode(placeText(g.place))] : [])].join(" · ")
                : `**Stack** ${mdCode(`${run.project}/${run.stack}`)}`;
            lines.push(heading, "", "| level | policy | message |", "|---|---|---|");
            for (const v of g.violations) lines.push(`| ${mdLevel(v.enforcementLevel)} | ${mdCode(v.policy, true)} | ${mdText(specific(v))} |`);
            lines.push("");
        }
    }
    const notEvaluated = policy.notEvaluated ?? [];
    if (notEvaluated.length) {
        lines.push(`**Could not be evaluated at preview: ${notEvaluated.length}** (a value the rule reads is unknown until the resources exist)`, "");
        lines.push("| level | policy | resource | property | reason |", "|---|---|---|---|---|");
        for (const n of notEvaluated) {
            let resource = "(stack)";
            if (n.urn) {
                const place = sources.declaration(n.urn);
                resource = `${mdCode(sources.describe(n.urn).name, true)}${place ? ` · ${mdCode(placeText(place), true)}` : ""}`;
            }
            lines.push(`| ${mdLevel(n.enforcementLevel)} | ${mdCode(n.policy, true)} | ${resource} | ${mdCode(n.property, true)} | ${mdText(n.reason)} |`);
        }
        lines.push("");
    }
    return lines;
}

function assumptionsMarkdown(run: MockRun): string[] {
    const assumptions: readonly Assumption[] = run.assumptions ?? [];
    if (!assumptions.length) return [];
    return [
        `<details><summary><b>Assumptions: ${assumptions.length}</b> (what the offline run used in place of the clouds)</summary>`,
        "",
        "| kind | subject | detail |",
        "|---|---|---|",
        ...assumptions.map((a) => `| ${a.kind} | ${mdCode(a.subject, true)} | ${mdText(a.detail)} |`),
        "",
        "</details>",
        "",
    ];
}

// ---------------------------------------------------------------------------------------------------------------
// SARIF

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
