#!/usr/bin/env node
/**
 * The bundled policy pack, compiled (part of `npm run build`): empties lib/policy-packs/key-management (the pack
 * finds its rules by listing its directory, so a removed rule must not linger there), compiles
 * policy-packs/key-management into it (tsc -p policy-packs/key-management/tsconfig.build.json), and copies what makes
 * the directory a pack: PulumiPolicy.yaml, the presets, and package.json with `main` pointing at the JavaScript.
 * A compiled pack starts in well under a second: Pulumi's run-policy-pack type-checks a TypeScript pack with ts-node
 * (4-5 s for this one). `keyfabric preview` and `keyfabric drift` use it when it is there (sdk/policy/analyzer.ts).
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const source = path.join(__dirname, "..", "policy-packs", "key-management");
const target = path.join(__dirname, "..", "lib", "policy-packs", "key-management");
fs.rmSync(target, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(source, "tsconfig.build.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
fs.copyFileSync(path.join(source, "PulumiPolicy.yaml"), path.join(target, "PulumiPolicy.yaml"));
fs.mkdirSync(path.join(target, "presets"), { recursive: true });
for (const f of fs.readdirSync(path.join(source, "presets"))) fs.copyFileSync(path.join(source, "presets", f), path.join(target, "presets", f));
const pkg = JSON.parse(fs.readFileSync(path.join(source, "package.json"), "utf8"));
fs.writeFileSync(path.join(target, "package.json"), `${JSON.stringify({ ...pkg, main: "index.js" }, null, 2)}\n`);
