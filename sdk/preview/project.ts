/**
 * Loads a Pulumi project (Pulumi.yaml, Pulumi.<stack>.yaml) and runs its TypeScript program under the engine-twin
 * monitor, loading TypeScript as the Pulumi Node.js language host does (`typescript.ts`).
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { Assumptions } from "./assume";
import { ProjectError } from "./errors";
import { MockRun, PreviewMode, runUnderMocks } from "./harness";
import { registerTypeScript } from "./typescript";

export { registerTypeScript } from "./typescript";

export interface ProjectInfo {
    readonly dir: string;
    readonly name: string;
    readonly runtime: string;
    /** Absolute path of the program entry as Pulumi.yaml gives it (file or directory), or the project directory. */
    readonly main: string;
    /** Whether Pulumi.yaml sets `main` (else package.json's `exports`/`main` decide, as for the language host). */
    readonly hasMain: boolean;
}

export { ProjectError };

/** A YAML file as a plain value; syntax errors name the file, line and column. */
export function readYamlFile(file: string): any {
    const doc = parseDocument(fs.readFileSync(file, "utf8"), { prettyErrors: true });
    if (doc.errors.length) throw new ProjectError(`${file}: invalid YAML: ${doc.errors[0].message.split("\n")[0].replace(/:$/, "")}`);
    try {
        // Aliases are bounded: a "billion laughs" document is refused, not expanded.
        return doc.toJS({ maxAliasCount: 100 }) ?? {};
    } catch (e) {
        throw new ProjectError(`${file}: invalid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
}

export function readProject(dir: string): ProjectInfo {
    if (!fs.existsSync(dir)) throw new ProjectError(`${dir}: no such directory`);
    if (!fs.statSync(dir).isDirectory()) throw new ProjectError(`${dir} is a file: give the Pulumi project's directory`);
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) throw new ProjectError(`no Pulumi.yaml in ${dir}`);
    const doc = readYamlFile(file);
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    if (typeof doc.name !== "string") throw new ProjectError(`${file}: name is required`);
    if (runtime !== "nodejs") throw new ProjectError(`${file}: runtime must be nodejs for keyfabric preview (got: ${runtime ?? "nothing"})`);
    const hasMain = typeof doc.main === "string" && doc.main !== "." && doc.main !== "";
    return { dir, name: doc.name, runtime, main: path.resolve(dir, hasMain ? doc.main : "."), hasMain };
}

/**
 * The file the language host runs. A directory is a directory (its `package.json` main or `index`), never a sibling
 * file of the same name (`infra/` over `infra.json`); without `main` in Pulumi.yaml the project's package.json
 * `exports` / `main` decide, as in `@pulumi/pulumi/cmd/run/run.js`.
 */
export function resolveEntry(project: ProjectInfo): string {
    let target = project.main;
    if (!project.hasMain) {
        const pkgFile = path.join(project.dir, "package.json");
        const pkg = fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, "utf8")) : {};
        const exp = typeof pkg.exports === "string" ? pkg.exports : pkg.exports?.["."];
        const entry = typeof exp === "string" ? exp : exp && typeof exp === "object" ? (exp.default ?? exp.require ?? exp.import) : pkg.main;
        if (typeof entry === "string") target = path.resolve(project.dir, entry);
    }
    const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
    try {
        return require.resolve(isDir ? target + path.sep : target);
    } catch {
        const shown = path.relative(process.cwd(), target) || ".";
        const from = project.hasMain ? "main in Pulumi.yaml" : "the project";
        if (!isDir && !fs.existsSync(target) && !["", ".ts", ".js"].some((ext) => fs.existsSync(target + ext))) throw new ProjectError(`${shown} (${from}): no such file or directory`);
        throw new ProjectError(`${shown} (${from}): no program to run (expected ${isDir ? "an index.ts or index.js, or a package.json main, in that directory" : "a .ts or .js file"})`);
    }
}

/** The stacks that have a config file, e.g. `Pulumi.dev.yaml` -> `dev`. */
export function listStacks(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

export interface StackConfig {
    /** `namespace:key` -> value; keys without a namespace belong to the project. */
    readonly config: Record<string, unknown>;
    /** Keys holding a `secure:` value (whole or nested). */
    readonly secretKeys: string[];
    /** The secret keys that hold a placeholder (no value supplied with `--assume`). */
    readonly placeholderKeys: string[];
}

/** The placeholder a `secure:` value reads as offline, unless `--assume` supplies one. */
export const SECRET_PLACEHOLDER = "[secret]";

/**
 * Stack config. `secure:` values cannot be decrypted offline: each becomes a secret holding the value `--assume`
 * supplies for that key, else a placeholder; reading it is recorded as an assumption (harness.ts).
 */
export function readStackConfig(project: ProjectInfo, stack: string, assumptions?: Assumptions): StackConfig {
    const file = stackFile(project.dir, stack);
    if (!file) return { config: {}, secretKeys: [], placeholderKeys: [] };
    const doc = readYamlFile(file);
    const config: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    const placeholderKeys: string[] = [];
    for (const [k, v] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
        const key = k.includes(":") ? k : `${project.name}:${k}`;
        const supplied = assumptions?.config[key];
        let secret = false;
        const replaced = replaceSecure(v, () => {
            secret = true;
            return SECRET_PLACEHOLDER;
        });
        config[key] = secret && supplied !== undefined ? supplied : replaced;
        if (secret) secretKeys.push(key);
        if (secret && supplied === undefined) placeholderKeys.push(key);
    }
    return { config, secretKeys, placeholderKeys };
}

function replaceSecure(v: unknown, placeholder: () => string): unknown {
    if (Array.isArray(v)) return v.map((x) => replaceSecure(x, placeholder));
    if (v && typeof v === "object") {
        const keys = Object.keys(v);
        if (keys.length === 1 && keys[0] === "secure") return placeholder();
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceSecure(x, placeholder)]));
    }
    return v;
}

function stackFile(dir: string, stack: string): string | undefined {
    return [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
}

/** The requested stack, which must have a config file; else `dev`, the only stack, or the first one. */
export function chooseStack(dir: string, requested?: string): string {
    const stacks = listStacks(dir);
    if (requested) {
        if (!stackFile(dir, requested)) {
            const found = stacks.length ? `stacks with a config file here: ${stacks.join(", ")}` : "no Pulumi.<stack>.yaml here";
            throw new ProjectError(`stack ${requested}: no Pulumi.${requested}.yaml in ${dir} (${found})`);
        }
        return requested;
    }
    if (stacks.length === 1) return stacks[0];
    if (stacks.includes("dev")) return "dev";
    return stacks[0] ?? "dev";
}

export interface PreviewOptions {
    readonly stack?: string;
    /** Register ts-node for `.ts` programs (the CLI does; jest already transforms). @default true */
    readonly registerTs?: boolean;
    /** Skip type-checking, as `PULUMI_NODEJS_TRANSPILE_ONLY=true` does. @default false */
    readonly transpileOnly?: boolean;
    /** @default "preview" */
    readonly mode?: PreviewMode;
    /** Values supplied for what the preview cannot know (`--assume`). */
    readonly assumptions?: Assumptions;
}

/** Runs the project's program under the engine-twin monitor with its stack config. */
export async function previewProject(dir: string, options: PreviewOptions = {}): Promise<MockRun> {
    const project = readProject(path.resolve(dir));
    const stack = chooseStack(project.dir, options.stack);
    const { config, secretKeys, placeholderKeys } = readStackConfig(project, stack, options.assumptions);
    if (options.registerTs ?? true) registerTypeScript(project.dir, { transpileOnly: options.transpileOnly });
    const entry = resolveEntry(project);
    const run = await runUnderMocks(() => require(entry), {
        project: project.name,
        stack,
        config,
        secretKeys,
        placeholderKeys,
        mode: options.mode ?? "preview",
        invokes: options.assumptions?.invokes,
    });
    return { ...run, programPath: path.relative(project.dir, entry).split(path.sep).join("/"), projectDir: project.dir };
}
