/** One line of the benchmark table, and the table itself (Markdown, so BENCHMARKS.md can hold it as printed). */

export type Verdict = "yes" | "no" | "info" | "error" | "pending";

export interface Row {
    readonly section: string;
    readonly name: string;
    /** The measured figure of keyfabric (median). */
    readonly candidate: string;
    /** The same figure of the baseline, measured side by side (median). */
    readonly baseline: string;
    /** candidate / baseline of the medians, or the figure the goal is stated in. */
    readonly ratio: string;
    readonly goal: string;
    readonly holds: Verdict;
    readonly notes?: string;
    /** Raw numbers for --json. */
    readonly data?: Record<string, unknown>;
}

export interface RunOptions {
    readonly runs: number;
    readonly quick: boolean;
    /** Preview sizes (keys) instead of the defaults. */
    readonly sizes?: readonly number[];
    readonly log: (msg: string) => void;
}

export function errorRow(section: string, name: string, goal: string, error: string | undefined): Row {
    return { section, name, candidate: "-", baseline: "-", ratio: "-", goal, holds: "error", notes: `error: ${error ?? "unknown"}` };
}

export function renderTable(rows: readonly Row[]): string {
    const header = ["benchmark", "keyfabric", "baseline", "ratio", "goal", "holds", "notes"];
    const body = rows.map((r) => [`${r.section}: ${r.name}`, r.candidate, r.baseline, r.ratio, r.goal, r.holds, r.notes ?? ""]);
    const esc = (s: string) => s.replace(/\|/g, "\\|");
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => esc(b[i]).length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => esc(c).padEnd(i === 6 ? 0 : widths[i])).join(" | ")} |`;
    return [line(header), `|${widths.map((w, i) => "-".repeat((i === 6 ? 5 : w) + 2)).join("|")}|`, ...body.map(line)].join("\n");
}
