/**
 * Loads a Pulumi project (Pulumi.yaml, Pulumi.<stack>.yaml) and runs its TypeScript program under mocks.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { MockRun, runUnderMocks } from "./harness";

export interface ProjectInfo {
    readonly dir: string;
    readonly name: string;
    readonly runtime: string;
    /** Absolute path of the program entry (file or directory). */
    readonly main: string;
}

export class ProjectError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProjectError";
    }
}

export function readProject(dir: string): ProjectInfo {
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) throw new ProjectError(`no Pulumi.yaml in ${dir}`);
    const doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    if (typeof doc.name !== "string") throw new ProjectError(`${file}: name is required`);
    if (runtime !== "nodejs") throw new ProjectError(`${file}: runtime must be nodejs for keyfabric preview (got: ${runtime ?? "nothing"})`);
    return { dir, name: doc.name, runtime, main: path.resolve(dir, typeof doc.main === "string" ? doc.main : ".") };
}

/** The stacks that have a config file, e.g. `Pulumi.dev.yaml` -> `dev`. */
export function listStacks(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

/** Stack config as `namespace:key` -> value; keys without a namespace belong to the project. */
export function readStackConfig(project: ProjectInfo, stack: string): Record<string, unknown> {
    const file = [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`].map((f) => path.join(project.dir, f)).find((f) => fs.existsSync(f));
    if (!file) return {};
    const doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    const config: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
        if (v && typeof v === "object" && "secure" in (v as object)) {
            throw new ProjectError(`${file}: ${k} is an encrypted secret; keyfabric preview runs without the stack's secrets provider`);
        }
        config[k.includes(":") ? k : `${project.name}:${k}`] = v;
    }
    return config;
}

export function chooseStack(dir: string, requested?: string): string {
    if (requested) return requested;
    const stacks = listStacks(dir);
    if (stacks.length === 1) return stacks[0];
    if (stacks.includes("dev")) return "dev";
    return stacks[0] ?? "dev";
}

/** Makes `.ts` programs loadable in a plain Node process (transpile only: `tsc --noEmit` type-checks). */
export function registerTypeScript(dir: string): void {
    if (require.extensions[".ts"]) return;
    let tsNodePath: string;
    try {
        tsNodePath = require.resolve("ts-node", { paths: [dir, __dirname] });
    } catch {
        throw new ProjectError("ts-node is needed to preview TypeScript programs: npm install --save-dev ts-node typescript");
    }
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require(tsNodePath).register({ transpileOnly: true, compilerOptions: { module: "commonjs" }, dir });
}

export interface PreviewOptions {
    readonly stack?: string;
    /** Register ts-node for `.ts` programs (the CLI does; jest already transforms). @default true */
    readonly registerTs?: boolean;
}

/** Runs the project's program under mocks with its stack config. */
export async function previewProject(dir: string, options: PreviewOptions = {}): Promise<MockRun> {
    const project = readProject(path.resolve(dir));
    const stack = chooseStack(project.dir, options.stack);
    const config = readStackConfig(project, stack);
    if (options.registerTs ?? true) registerTypeScript(project.dir);
    const entry = require.resolve(project.main);
    const run = await runUnderMocks(() => require(entry), { project: project.name, stack, config });
    return { ...run, programPath: path.relative(project.dir, entry).split(path.sep).join("/") };
}
