/**
 * Drift reports as text (terminals), JSON (machines), Markdown (issues and PR comments) and SARIF 2.1.0 (code
 * scanning). Values shown are metadata only: state holds no key material, and the checks read none.
 */
import { createHash } from "crypto";
import * as path from "path";
import { plural, Styler, styler } from "../terminal";
import { nameOf } from "./state";
import { DriftReport, Finding, FINDING_KINDS, FindingKind, Severity, SEVERITIES } from "./types";

export const DRIFT_FORMATS = ["text", "json", "markdown", "sarif"] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

/** A marker the scheduled workflow finds its own issue or comment by. */
export const MARKDOWN_MARKER = "<!-- keyfabric-drift-report -->";

/** `colour`: severities and the headline styled, for a terminal that takes colour (text only). */
export function renderDrift(report: DriftReport, format: DriftFormat, options: { colour?: boolean } = {}): string {
    switch (format) {
        case "json":
            return JSON.stringify(report, null, 2);
        case "markdown":
            return markdown(report);
        case "sarif":
            return JSON.stringify(sarif(report), null, 2);
        default:
            return text(report, styler(options.colour === true));
    }
}


function severityCounts(report: DriftReport): string {
    return SEVERITIES.filter((s) => report.summary.bySeverity[s] > 0)
        .map((s) => `${report.summary.bySeverity[s]} ${s}`)
        .join(", ");
}

function headline(report: DriftReport): string {
    const s = report.summary;
    if (s.resources === 0) {
        return s.stateResources === 0
            ? "Nothing to check: the stack has no resources."
            : `Nothing to check: ${plural(s.stateResources, "resource")} read, none of them a key resource (AWS KMS, Cloud KMS, Key Vault / Managed HSM, keyfabric BYOK).`;
    }
    const skipped = s.skipped ? `, ${s.skipped} not compared` : "";
    if (s.unchecked > 0 && s.checked === 0) return `Incomplete: ${s.unchecked === 1 ? "the key resource to compare was not checked" : `none of the ${s.unchecked} key resources to compare was checked`}${skipped}.`;
    if (s.unchecked > 0) {
        const found = s.findings === 0 ? "no drift found in those" : `${plural(s.findings, "finding")} (${severityCounts(report)}) in those`;
        return `Incomplete: ${s.checked} of ${s.checked + s.unchecked} key resources checked, ${s.unchecked} not checked${skipped}; ${found}.`;
    }
    const scope = `${plural(s.checked, "key resource")} checked${skipped}`;
    if (s.findings === 0) return `No drift: ${scope}; the live clouds match the stack.`;
    return `Drift: ${plural(s.findings, "finding")} (${severityCounts(report)}); ${scope}.`;
}

/** The error lines (as the CLI prints them, without "error: "). */
export function errorLines(report: DriftReport): string[] {
    return report.errors.map((e) => (e.scope === "deadline" ? e.message : `${e.scope}: ${e.message}`));
}

function policyLine(report: DriftReport): string {
    const p = report.policy;
    if (p.status === "ran") return `policy pack ${p.pack}${p.version ? `@${p.version}` : ""} re-run over the live state`;
    if (p.status === "skipped") return `policy drift skipped: ${p.note}`;
    return "policy drift not checked (--no-policy)";
}

const short = (v: unknown) => {
    const s = JSON.stringify(v);
    return s === undefined ? "null" : s.length > 300 ? `${s.slice(0, 297)}...` : s;
};

const SEVERITY_STYLE: Record<Severity, Parameters<Styler>[0]> = { critical: ["bold", "red"], high: "red", medium: "yellow", low: "dim" };

function text(report: DriftReport, style: Styler): string {
    const lines = [`keyfabric drift${report.stack ? ` ${report.stack}` : ""} (${report.source}, as of ${report.checkedAt})`, style("bold", headline(report))];
    if (report.summary.resources > 0) lines.push(`  ${policyLine(report)}; expiry window ${report.expiryWarningDays} days`);
    for (const f of report.findings) {
        lines.push("");
        lines.push(`${style(SEVERITY_STYLE[f.severity], f.severity.toUpperCase().padEnd(8))} ${f.kind}  ${f.type}  ${nameOf(f.urn)}`);
        lines.push(`         ${f.message}`);
        lines.push(`         expected: ${short(f.expected)}`);
        lines.push(`         actual:   ${short(f.actual)}`);
    }
    if (report.skipped.length > 0) {
        lines.push("");
        lines.push("Not compared:");
        for (const s of report.skipped) lines.push(`  ${s.type}  ${nameOf(s.urn)}: ${s.reason}`);
    }
    if (report.secrets.length > 0) {
        lines.push("");
        lines.push("Secret in state, not compared (never decrypted):");
        for (const s of report.secrets) lines.push(`  ${s.type}  ${nameOf(s.urn)}: ${s.fields.join(", ")}`);
    }
    return lines.join("\n");
}

const md = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
const SEVERITY_ICON: Record<Severity, string> = { critical: "🔴", high: "🟠", medium: "🟡", low: "⚪" };

function markdown(report: DriftReport): string {
    const s = report.summary;
    const out = [MARKDOWN_MARKER, `## keyfabric drift report${report.stack ? ` — \`${report.stack}\`` : ""}`, "", `**${md(headline(report))}**`, ""];
    out.push(`Checked at ${report.checkedAt} from \`${md(path.basename(report.source))}\`; ${md(policyLine(report))}; expiry window ${report.expiryWarningDays} days.`);
    if (report.errors.length > 0) {
        out.push("", "**Errors: this report covers only what was checked.**", "");
        for (const line of errorLines(report)) out.push(`- ${md(line)}`);
    }
    if (s.findings > 0) {
        out.push("", "| Severity | Kind | Resource | What changed |", "|---|---|---|---|");
        for (const f of report.findings) {
            out.push(`| ${SEVERITY_ICON[f.severity]} ${f.severity} | \`${f.kind}\` | \`${md(nameOf(f.urn))}\`<br><sub>${md(f.type)}</sub> | ${md(f.message)} |`);
        }
        out.push("", "<details><summary>Expected and actual values</summary>", "");
        for (const f of report.findings) {
            out.push(`**\`${md(nameOf(f.urn))}\` — \`${f.kind}\`**`, "", "```json", JSON.stringify({ urn: f.urn, expected: f.expected, actual: f.actual }, null, 2), "```", "");
        }
        out.push("</details>");
    }
    if (report.skipped.length > 0) {
        out.push("", `<details><summary>${plural(report.skipped.length, "resource")} not compared</summary>`, "");
        for (const sk of report.skipped) out.push(`- \`${md(nameOf(sk.urn))}\` (${md(sk.type)}): ${md(sk.reason)}`);
        out.push("", "</details>");
    }
    if (report.secrets.length > 0) {
        out.push("", `<details><summary>${plural(report.secrets.length, "resource")} with secrets in state, not compared</summary>`, "");
        for (const sk of report.secrets) out.push(`- \`${md(nameOf(sk.urn))}\` (${md(sk.type)}): ${sk.fields.map((x) => `\`${md(x)}\``).join(", ")}`);
        out.push("", "</details>");
    }
    return out.join("\n");
}

const SARIF_LEVEL: Record<Severity, "error" | "warning" | "note"> = { critical: "error", high: "error", medium: "warning", low: "note" };
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "7.5", medium: "5.0", low: "2.0" };

function fingerprint(f: Finding): string {
    return createHash("sha256").update(`${f.urn}\u0000${f.kind}\u0000${JSON.stringify(f.expected)}`).digest("hex").slice(0, 32);
}

/** SARIF 2.1.0: one rule per finding kind, one result per finding, located at the resource's URN in the state file. */
function sarif(report: DriftReport): Record<string, unknown> {
    const kinds = Object.keys(FINDING_KINDS) as FindingKind[];
    const artifact = report.source.startsWith("(") ? "stack.json" : report.source.split(path.sep).join("/");
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: "keyfabric drift",
                        version: "1.0.0",
                        rules: kinds.map((k) => ({
                            id: k,
                            name: FINDING_KINDS[k].title.replace(/[^A-Za-z0-9]/g, ""),
                            shortDescription: { text: FINDING_KINDS[k].title },
                            fullDescription: { text: FINDING_KINDS[k].description },
                            defaultConfiguration: { level: SARIF_LEVEL[FINDING_KINDS[k].severity] },
                            properties: { tags: ["security", "drift", "key-management"], "security-severity": SECURITY_SEVERITY[FINDING_KINDS[k].severity] },
                        })),
                    },
                },
                automationDetails: { id: `keyfabric-drift/${report.stack ?? "stack"}/` },
                invocations: [
                    {
                        executionSuccessful: report.errors.length === 0,
                        endTimeUtc: report.checkedAt,
                        ...(report.errors.length > 0 ? { toolExecutionNotifications: errorLines(report).map((text) => ({ level: "error", message: { text } })) } : {}),
                    },
                ],
                results: report.findings.map((f) => ({
                    ruleId: f.kind,
                    ruleIndex: kinds.indexOf(f.kind),
                    level: SARIF_LEVEL[f.severity],
                    message: { text: f.message },
                    locations: [
                        {
                            physicalLocation: { artifactLocation: { uri: artifact } },
                            logicalLocations: [{ name: nameOf(f.urn), fullyQualifiedName: f.urn, kind: "resource" }],
                        },
                    ],
                    partialFingerprints: { "keyfabricDrift/v1": fingerprint(f) },
                    properties: { severity: f.severity, "security-severity": SECURITY_SEVERITY[f.severity], cloud: f.cloud, type: f.type, expected: f.expected, actual: f.actual },
                })),
            },
        ],
    };
}
