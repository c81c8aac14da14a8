/**
 * Loads a TypeScript program as the Pulumi Node.js language host does (`@pulumi/pulumi/cmd/run/run.js`, 3.248):
 *
 * - `typescript` and `ts-node` from the project (the host resolves them from its own `@pulumi/pulumi`, i.e. the
 *   project's `node_modules`), else keyfabric's;
 * - the project's `tsconfig.json` when the project directory has one (`skipProject` otherwise), its raw
 *   `compilerOptions` spread over the host's defaults `{target: "ES2020", module: "nodenext", moduleResolution:
 *   "nodenext", sourceMap: true}` (`commonjs`/`node` before TypeScript 4.7), so the project's own `module` wins;
 * - type-checked unless `PULUMI_NODEJS_TRANSPILE_ONLY` is `true` or the tsconfig sets `noCheck`
 *   (`--transpile-only` does the same here).
 *
 * Type errors surface as ts-node's `TSError` when the program is required; `formatTypeErrors` renders them.
 */
import * as fs from "fs";
import * as path from "path";
import { ProjectError } from "./errors";

export interface TypeScriptOptions {
    /** Skip type-checking. @default PULUMI_NODEJS_TRANSPILE_ONLY === "true", else the tsconfig's `noCheck` */
    readonly transpileOnly?: boolean;
}

function resolveFrom(request: string, dirs: readonly string[]): string | undefined {
    try {
        return require.resolve(request, { paths: [...dirs] });
    } catch {
        return undefined;
    }
}

export function registerTypeScript(projectDir: string, options: TypeScriptOptions = {}): void {
    if (require.extensions[".ts"]) return;
    const dirs = [projectDir, __dirname];
    const tsNodePath = resolveFrom("ts-node", dirs);
    const typescriptPath = resolveFrom("typescript", dirs);
    if (!tsNodePath || !typescriptPath) throw new ProjectError("ts-node and typescript are needed to preview TypeScript programs: npm install --save-dev ts-node typescript");
    const ts = require(typescriptPath) as typeof import("typescript");
    const tsconfig = path.join(projectDir, "tsconfig.json");
    const hasTsconfig = fs.existsSync(tsconfig);
    let own: Record<string, unknown> = {};
    if (hasTsconfig) {
        const parsed = ts.parseConfigFileTextToJson(tsconfig, fs.readFileSync(tsconfig, "utf8"));
        if (parsed.error) throw new ProjectError(`${tsconfig}: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, " ")}`);
        own = (parsed.config?.compilerOptions ?? {}) as Record<string, unknown>;
    }
    const env = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
    const transpileOnly = options.transpileOnly ?? (env ? env === "true" : own.noCheck === true);
    const [major, minor] = ts.version.split(".").map(Number);
    const nodeNext = major > 4 || (major === 4 && minor >= 7);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require(tsNodePath).register({
        compiler: typescriptPath,
        transpileOnly,
        project: hasTsconfig ? tsconfig : undefined,
        skipProject: !hasTsconfig,
        compilerOptions: {
            target: "ES2020",
            module: nodeNext ? "nodenext" : "commonjs",
            moduleResolution: nodeNext ? "nodenext" : "node",
            sourceMap: true,
            ...own,
        },
    });
}

interface DiagnosticLike {
    readonly file?: { readonly fileName: string; getLineAndCharacterOfPosition(pos: number): { line: number; character: number } };
    readonly start?: number;
    readonly code: number;
    readonly messageText: string | { messageText: string; next?: unknown[] };
}

function flatten(text: DiagnosticLike["messageText"], indent = 0): string {
    if (typeof text === "string") return text;
    const rest = ((text.next ?? []) as DiagnosticLike["messageText"][]).map((n) => `\n${"  ".repeat(indent + 1)}${flatten(n, indent + 1)}`);
    return text.messageText + rest.join("");
}

/** ts-node's `TSError` as `file:line:column - error TSnnnn: message` lines, paths relative to the current directory. */
export function formatTypeErrors(err: { diagnostics?: readonly DiagnosticLike[]; message: string }): string | undefined {
    const diagnostics = err.diagnostics ?? [];
    if (diagnostics.length === 0) return undefined;
    const lines = diagnostics.map((d) => {
        let where = "";
        if (d.file && d.start !== undefined) {
            const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
            where = `${path.relative(process.cwd(), d.file.fileName).split(path.sep).join("/")}:${line + 1}:${character + 1} - `;
        }
        return `${where}error TS${d.code}: ${flatten(d.messageText)}`;
    });
    return `the program does not type-check (${lines.length === 1 ? "1 error" : `${lines.length} errors`}; --transpile-only skips the check):\n${lines.map((l) => `  ${l}`).join("\n")}`;
}
