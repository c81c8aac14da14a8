/**
 * Renders a mock run: resource tree, Mermaid picture of the hierarchy, summary, policy findings; as text, JSON,
 * Markdown, Mermaid or SARIF 2.1.0 (for GitHub code scanning).
 */
import Table from "cli-table3";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { PolicyViolation } from "../policy/analyzer";
import { Assumption, MockRun, RecordedResource } from "./harness";
import { groupByResource, mdCode, mdText, oneLine, placeText, RenderOptions, Sources, specific } from "./places";
import type { PolicyReport } from "./policy";
import { sarif } from "./sarif";
import { plural, Styler, styler, visibleLength } from "../terminal";

export type { RenderOptions } from "./places";

/** Text output on a terminal: colour (see sdk/terminal.ts colourEnabled) and the width to fit (its columns). */
export interface TextOptions extends RenderOptions {
    readonly colour?: boolean;
    readonly width?: number;
}

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


export function render(run: MockRun, format: Format, policy?: PolicyReport, options: TextOptions = {}): string {
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
                    warnings: (run.warnings ?? []).map((w) => ({ severity: w.severity, message: w.message, ...(w.urn ? { urn: w.urn } : {}) })),
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
                `${counts(summary)}; keys: ${cloudCounts(summary)}.`,
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
            const width = terminalWidth(options.width);
            const style = styler(options.colour === true);
            return [
                style("bold", `Preview of ${run.project} (stack ${run.stack}), offline under mocks`),
                "",
                ...tree(run),
                "",
                typeTable(summary, width),
                `${counts(summary)}; keys: ${cloudCounts(summary)}`,
                ...(policy ? ["", ...policyText(run, policy, options, width, style)] : []),
                ...assumptionsText(run, width),
            ].join("\n");
        }
    }
}

function cloudCounts(summary: Summary): string {
    const parts = Object.entries(summary.keysByCloud).map(([c, n]) => `${c} ${n}`);
    return parts.length ? parts.join(", ") : "none";
}

const counts = (s: Summary) => `${plural(s.total, "resource")} (${plural(s.custom, "cloud resource")}, ${plural(s.components, "component")})`;

/** The width text is fitted to: the terminal's (or COLUMNS), else 100; never below 40. */
function terminalWidth(columns?: number): number {
    return Math.max(40, columns || 100);
}

/** Resource types and their counts, as a table no wider than `width` (long type tokens wrap inside their cell). */
function typeTable(summary: Summary, width: number): string {
    const rows = Object.entries(summary.byType);
    // Cell widths include one space of padding on each side; three vertical borders.
    const countWidth = Math.max("count".length, ...rows.map(([, n]) => String(n).length)) + 2;
    const typeWidth = Math.max(8, Math.min(Math.max("type".length, ...rows.map(([t]) => t.length)) + 2, width - countWidth - 3));
    const table = new Table({ head: ["type", "count"], colWidths: [typeWidth, countWidth], wordWrap: true, wrapOnWordBoundary: false, style: { head: [], border: [] } });
    for (const [t, n] of rows) table.push([t, n]);
    return table.toString();
}

/** "name  type  file:line" on one line when it fits the width, else the name, then the rest on lines of their own. */
function resourceHeading(name: string, rest: string[], width: number): string[] {
    const one = [name, ...rest].join("  ");
    return visibleLength(one) <= width ? [one] : [name, ...rest.map((r) => `  ${r}`)];
}

const LEVEL_STYLE: Record<string, Parameters<Styler>[0]> = { mandatory: ["bold", "red"], advisory: "yellow", disabled: "dim" };

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
function finding(level: string, name: string, message: string, width: number, style: Styler): string[] {
    const indent = " ".repeat(13);
    return [`  ${style(LEVEL_STYLE[level] ?? [], level.padEnd(9))}  ${name}`, ...wrap(message, width - indent.length).map((l) => indent + l)];
}

export function policyText(run: MockRun, policy: PolicyReport, options: RenderOptions = {}, width = terminalWidth(), style: Styler = styler(false)): string[] {
    const sources = new Sources(run, options);
    const lines: string[] = [];
    if (policy.violations.length === 0) lines.push(`Policy: no violations (${policy.packs.map((p) => `${p.pack} ${p.version}`).join(", ")})`);
    else {
        lines.push(style("bold", `Policy violations: ${policy.violations.length} (${policy.mandatory} mandatory)`));
        for (const g of groupByResource(run, policy.violations, sources)) {
            lines.push("", ...(g.urn ? resourceHeading(style("bold", g.name), [g.type ?? "", g.place ? placeText(g.place) : ""].filter(Boolean), width) : [`(stack) ${run.project}/${run.stack}`]));
            for (const v of g.violations) lines.push(...finding(v.enforcementLevel, v.policy, oneLine(specific(v)), width, style));
        }
    }
    const notEvaluated = policy.notEvaluated ?? [];
    if (notEvaluated.length) {
        lines.push("", ...wrap(`Could not be evaluated at preview: ${notEvaluated.length} (a value the rule reads is unknown until the resources exist)`, width));
        for (const n of notEvaluated) {
            const where = n.urn ? describeResource(sources, n.urn) : "(stack)";
            lines.push(...finding(n.enforcementLevel, n.policy, `${where}: ${n.property}: ${oneLine(n.reason)}`, width, style));
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
