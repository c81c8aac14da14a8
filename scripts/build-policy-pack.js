#!/usr/bin/env node
/**
 * The bundled policy pack, compiled (part of `npm run build`): empties lib/policy-packs/key-management (the pack
 * finds its rules by listing its directory, so a removed rule must not linger there), compiles
 * policy-packs/key-management into it (tsc -p policy-packs/key-management/tsconfig.build.json), and copies what makes
 * the directory a pack: PulumiPolicy.yaml, the presets, and package.json with `main` pointing at the JavaScript.
 * Nothing is done when the compiled pack is up to date with its sources (below).
 * A compiled pack starts in well under a second: Pulumi's run-policy-pack type-checks a TypeScript pack with ts-node
 * (4-5 s for this one). `keyfabric preview` and `keyfabric drift` use it when it is there (sdk/policy/analyzer.ts).
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const source = path.join(__dirname, "..", "policy-packs", "key-management");
const target = path.join(__dirname, "..", "lib", "policy-packs", "key-management");

/** Files under `dir` (relative paths), node_modules left out. */
function files(dir, rel = "") {
    if (!fs.existsSync(path.join(dir, rel))) return [];
    return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
        const p = path.join(rel, e.name);
        return e.isDirectory() ? (e.name === "node_modules" ? [] : files(dir, p)) : [p];
    });
}

/**
 * Whether the compiled pack is the pack as it is now (`npm test` after `npm ci` then builds once): every source file
 * has its output (a .ts its .js, the others their copy) no older than itself, and every .js has a source .ts.
 */
function upToDate() {
    const out = new Set(files(target));
    const outputOf = (f) => (f.endsWith(".ts") ? f.replace(/\.ts$/, ".js") : f);
    const sources = files(source).filter((f) => f !== "tsconfig.json" && f !== "tsconfig.build.json");
    if (sources.length === 0 || !out.has("package.json")) return false;
    for (const f of sources) {
        const o = outputOf(f);
        if (!out.has(o) || fs.statSync(path.join(target, o)).mtimeMs < fs.statSync(path.join(source, f)).mtimeMs) return false;
    }
    const expected = new Set(sources.map(outputOf));
    return [...out].filter((f) => f.endsWith(".js")).every((f) => expected.has(f));
}

if (upToDate()) process.exit(0);
fs.rmSync(target, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(source, "tsconfig.build.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
fs.copyFileSync(path.join(source, "PulumiPolicy.yaml"), path.join(target, "PulumiPolicy.yaml"));
fs.mkdirSync(path.join(target, "presets"), { recursive: true });
for (const f of fs.readdirSync(path.join(source, "presets"))) fs.copyFileSync(path.join(source, "presets", f), path.join(target, "presets", f));
const pkg = JSON.parse(fs.readFileSync(path.join(source, "package.json"), "utf8"));
fs.writeFileSync(path.join(target, "package.json"), `${JSON.stringify({ ...pkg, main: "index.js" }, null, 2)}\n`);
