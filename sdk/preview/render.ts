/**
 * Renders a mock run: resource tree, Mermaid picture of the hierarchy, summary; as text, JSON, Markdown or Mermaid.
 */
import Table from "cli-table3";
import { MockRun, RecordedResource } from "./harness";
import type { PolicyReport } from "./policy";

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

export function render(run: MockRun, format: Format, policy?: PolicyReport): string {
    const summary = summarize(run);
    const violations = (policy?.violations ?? []).map((v) => ({ policy: v.policy, pack: v.pack, enforcementLevel: v.enforcementLevel, urn: v.urn, message: v.message }));
    switch (format) {
        case "sarif":
            return JSON.stringify(sarif(run, policy), null, 2);
        case "json":
            return JSON.stringify(
                {
                    project: run.project,
                    stack: run.stack,
                    resources: run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, custom: r.custom, protect: r.protect })),
                    summary,
                    ...(policy ? { policyViolations: violations, policyPacks: policy.packs.map((p) => ({ name: p.pack, version: p.version, policies: p.policies.length })) } : {}),
                    mermaid: mermaid(run),
                },
                null,
                2,
            );
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
                ...(policy ? policyMarkdown(policy) : []),
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
            return [
                `Preview of ${run.project} (stack ${run.stack}), offline under mocks`,
                "",
                ...tree(run),
                "",
                table.toString(),
                `${summary.total} resources (${summary.custom} cloud resources, ${summary.components} components); keys: ${cloudCounts(summary)}`,
                ...(policy ? ["", ...policyText(policy)] : []),
            ].join("\n");
        }
    }
}

function cloudCounts(summary: Summary): string {
    const parts = Object.entries(summary.keysByCloud).map(([c, n]) => `${c} ${n}`);
    return parts.length ? parts.join(", ") : "none";
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
/** The policy SDK sends "description\nmessage": the specific part is enough where the policy name is shown. */
const specific = (v: { message: string; description: string }) => (v.message.startsWith(`${v.description}\n`) ? v.message.slice(v.description.length + 1) : v.message);
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ").trim();

function policyText(policy: PolicyReport): string[] {
    if (policy.violations.length === 0) return [`Policy: no violations (${policy.packs.map((p) => `${p.pack} ${p.version}`).join(", ")})`];
    const table = new Table({ head: ["level", "policy", "resource", "message"], style: { head: [], border: [] }, colWidths: [11, 58, 36, 60], wordWrap: true });
    for (const v of policy.violations) table.push([v.enforcementLevel, v.policy, nameOf(v.urn) || "(stack)", oneLine(specific(v))]);
    return [`Policy violations: ${policy.violations.length} (${policy.mandatory} mandatory)`, table.toString()];
}

function policyMarkdown(policy: PolicyReport): string[] {
    const esc = (s: string) => oneLine(s).replace(/\|/g, "\\|");
    if (policy.violations.length === 0) return ["**Policy:** no violations.", ""];
    return [
        `**Policy violations: ${policy.violations.length}** (${policy.mandatory} mandatory)`,
        "",
        "| level | policy | resource | message |",
        "|---|---|---|---|",
        ...policy.violations.map((v) => `| ${v.enforcementLevel === "mandatory" ? "**mandatory**" : v.enforcementLevel} | \`${v.policy}\` | \`${nameOf(v.urn) || "(stack)"}\` | ${esc(specific(v))} |`),
        "",
    ];
}

/** SARIF 2.1.0 for GitHub code scanning: one rule per policy, one result per violation, located at the program. */
export function sarif(run: MockRun, policy: PolicyReport | undefined): Record<string, unknown> {
    const policies = new Map<string, { name: string; description: string; severity?: string }>();
    for (const p of policy?.packs ?? []) for (const info of p.policies) policies.set(info.name, info);
    const rules = [...policies.values()].map((p) => ({
        id: p.name,
        name: p.name,
        shortDescription: { text: p.description },
        ...(p.severity ? { properties: { "problem.severity": p.severity === "critical" || p.severity === "high" ? "error" : p.severity === "medium" ? "warning" : "recommendation" } } : {}),
    }));
    const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: "keyfabric", informationUri: "https://github.com/keyfabric/keyfabric", rules } },
                results: (policy?.violations ?? []).map((v) => ({
                    ruleId: v.policy,
                    ruleIndex: ruleIndex.get(v.policy) ?? -1,
                    level: v.enforcementLevel === "mandatory" ? "error" : "warning",
                    message: { text: oneLine(specific(v)) },
                    locations: [
                        {
                            physicalLocation: { artifactLocation: { uri: run.programPath ?? "Pulumi.yaml" }, region: { startLine: 1 } },
                            logicalLocations: [{ fullyQualifiedName: v.urn || `${run.project}/${run.stack}`, kind: "resource" }],
                        },
                    ],
                })),
            },
        ],
    };
}
