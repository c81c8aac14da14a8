/**
 * Where findings are: resources by URN, their declaring lines relative to the report root, and findings grouped by
 * resource; shared by the text, markdown and SARIF reports.
 */
import * as path from "path";
import type { PolicyViolation } from "../policy/analyzer";
import type { MockRun, RecordedResource, SourceLocation } from "./harness";

export interface RenderOptions {
    /**
     * Absolute directory that SARIF URIs (and the source paths of the other formats) are relative to: the repository's
     * top level for GitHub code scanning. Default `run.projectDir`.
     */
    readonly sarifRoot?: string;
}

/** The policy SDK sends "description\nmessage": the specific part is enough where the policy name is shown. */
export const specific = (v: { message: string; description: string }) => (v.message.startsWith(`${v.description}\n`) ? v.message.slice(v.description.length + 1) : v.message);
export const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ").trim();

/** A file position relative to the report root. */
export interface Place {
    /** Relative to the root with "/" separators when `relative`; otherwise the absolute path. */
    readonly path: string;
    readonly relative: boolean;
    readonly line: number;
    readonly column?: number;
}

/** Resources by URN and their declarations, relative to the report root (`sarifRoot`, else the project directory). */
export class Sources {
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

export const placeText = (p: Place) => `${p.path}:${p.line}`;

export const LEVEL_ORDER: Record<string, number> = { mandatory: 0, advisory: 1, remediate: 2, disabled: 3 };

export interface Group {
    /** The resource's URN; "" for stack-level findings. */
    readonly urn: string;
    readonly name: string;
    readonly type: string;
    readonly place?: Place;
    readonly violations: PolicyViolation[];
}

/** Violations by resource, in the order the program registered the resources; stack-level findings last. */
export function groupByResource(run: MockRun, violations: readonly PolicyViolation[], sources: Sources): Group[] {
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

/** Markdown: text escaped, and code spans that survive backticks and table pipes. */
export const mdText = (s: string) => oneLine(s).replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
/** A code span; `inTable` escapes "|", which GFM tables split cells on even inside code spans. */
export const mdCode = (s: string, inTable = false) => {
    const t = inTable ? oneLine(s).replace(/\|/g, "\\|") : oneLine(s);
    return t.includes("`") ? `\`\` ${t} \`\`` : `\`${t}\``;
};
