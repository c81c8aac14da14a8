#!/usr/bin/env node
/**
 * keyfabric as a library in a user's own project (issue #15): packs this checkout (`npm pack`, from the lib/ that
 * `npm ci` built), creates a temporary project with the README quick start (examples/consumer-quickstart) and
 * installs the tarball with only `@pulumi/pulumi` and `@pulumi/aws` (and typescript / ts-node, as for any Pulumi
 * TypeScript project), then checks, failing on the first difference:
 *   - one copy of @pulumi/pulumi (`npm ls @pulumi/pulumi --all`), at the version asked for, and no @pulumi/gcp,
 *     @pulumi/azure-native or @pulumi/azure installed;
 *   - `tsc --noEmit` type-checks the program against the installed package;
 *   - `require("keyfabric")` loads no cloud package, and a hierarchy that declares GCP fails with the error naming
 *     @pulumi/gcp (before registering anything);
 *   - `keyfabric preview --format json` previews the program: the exact resources, and the policy pack ran;
 * and prints the install size (bytes on disk of node_modules, packages) for BENCHMARKS.md.
 *
 * Usage: node scripts/consumer-check.js [--pulumi <version>] [--aws <version>] [--typescript <version>] [--keep]
 * (default: the versions in this package.json's devDependencies). Needs the npm registry. Runs on the `node` and
 * `npm` on PATH (.ci/run puts Node 22 / 24 first to check the newest @pulumi/pulumi, which needs Node >= 22).
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");
const pkg = require(path.join(root, "package.json"));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
};
const versions = {
    pulumi: arg("pulumi", pkg.devDependencies["@pulumi/pulumi"]),
    aws: arg("aws", pkg.devDependencies["@pulumi/aws"]),
    typescript: arg("typescript", pkg.devDependencies.typescript),
};
const label = `consumer check (node ${process.version}, @pulumi/pulumi ${versions.pulumi}, @pulumi/aws ${versions.aws}, typescript ${versions.typescript})`;

function fail(message) {
    console.error(`${label}: FAILED: ${message}`);
    process.exit(1);
}

function run(cmd, cmdArgs, cwd, { allowFail = false } = {}) {
    const r = spawnSync(cmd, cmdArgs, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
    if (r.error) fail(`${cmd} ${cmdArgs.join(" ")}: ${r.error.message}`);
    if (r.status !== 0 && !allowFail) fail(`${cmd} ${cmdArgs.join(" ")} exited ${r.status}:\n${(r.stdout + r.stderr).trim().slice(-4000)}`);
    return r;
}

function expectEqual(what, actual, expected) {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

/** Bytes on disk under `dir` (allocated blocks, as du counts them). */
function duBytes(dir) {
    let bytes = 0;
    const walk = (d) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, entry.name);
            if (entry.isDirectory()) walk(p);
            else if (entry.isFile()) bytes += fs.statSync(p).blocks * 512;
        }
    };
    walk(dir);
    return bytes;
}

if (!fs.existsSync(path.join(root, "lib", "index.js"))) fail("lib/ is not built: run npm ci (or npm run build) first");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "keyfabric-consumer-"));
const project = path.join(work, "project");
fs.mkdirSync(project);

// The tarball, as `npm publish` would make it (lib/ is already built: no second build).
const packed = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root).stdout);
const tarball = path.join(work, packed[0].filename);
const shipped = packed[0].files.map((f) => f.path);
for (const required of ["LICENSE", "README.md", "lib/index.js", "lib/index.d.ts", "lib/policy-packs/key-management/PulumiPolicy.yaml", "bin/keyfabric.js", "sdk/index.ts"]) {
    if (!shipped.includes(required)) fail(`the tarball does not ship ${required}`);
}
const map = JSON.parse(fs.readFileSync(path.join(root, "lib", "hierarchy.js.map"), "utf8"));
if (!map.sources.every((s) => fs.existsSync(path.resolve(root, "lib", s)) && shipped.includes(path.relative(root, path.resolve(root, "lib", s))))) {
    fail(`lib/hierarchy.js.map's sources ${JSON.stringify(map.sources)} are not shipped`);
}

const example = path.join(root, "examples", "consumer-quickstart");
for (const f of ["index.ts", "Pulumi.yaml", "tsconfig.json"]) fs.copyFileSync(path.join(example, f), path.join(project, f));
fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-central-1\n");
fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "shop-keys", private: true, main: "index.ts", devDependencies: { typescript: versions.typescript, "ts-node": pkg.devDependencies["ts-node"], "@types/node": pkg.devDependencies["@types/node"] } }, null, 2),
);

const started = Date.now();
run("npm", ["install", tarball, `@pulumi/pulumi@${versions.pulumi}`, `@pulumi/aws@${versions.aws}`], project);
const installSeconds = Math.round((Date.now() - started) / 1000);
const installed = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8")).dependencies;
if (!/^file:/.test(installed.keyfabric)) fail(`keyfabric was not installed from the tarball: ${installed.keyfabric}`);

// One Pulumi runtime: every path to @pulumi/pulumi is the project's own copy.
const ls = run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"], project).stdout.trim().split("\n").filter(Boolean);
expectEqual("copies of @pulumi/pulumi (npm ls @pulumi/pulumi --all --parseable)", ls.map((p) => path.relative(project, p)), [path.join("node_modules", "@pulumi", "pulumi")]);
const pulumiVersion = require(path.join(project, "node_modules", "@pulumi", "pulumi", "package.json")).version;
if (!/^\d/.test(versions.pulumi) || versions.pulumi === "latest") console.log(`${label}: @pulumi/pulumi resolved to ${pulumiVersion}`);
else expectEqual("installed @pulumi/pulumi", pulumiVersion, versions.pulumi);
for (const absent of ["gcp", "azure-native", "azure"]) {
    if (fs.existsSync(path.join(project, "node_modules", "@pulumi", absent))) fail(`@pulumi/${absent} was installed, but only @pulumi/aws was asked for`);
}

run(process.execPath, [path.join(project, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "."], project);

const probe = `
const pulumi = require("@pulumi/pulumi");
const kf = require("keyfabric");
const loaded = () => Object.keys(require.cache).filter((f) => /node_modules[\\\\/]@pulumi[\\\\/](aws|gcp|azure-native|azure)[\\\\/]/.test(f)).length;
const atImport = loaded();
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, "shop-keys", "dev", true);
let error;
try {
    new kf.KeyHierarchy("g", { name: "g", owner: "sec", clouds: { gcp: { project: "p-keys", location: "europe-west1" } },
        domains: [{ name: "d", classification: "internal", keys: [{ name: "k", purpose: "encrypt", algorithm: "AES_256" }] }] });
} catch (e) { error = { name: e.name, peer: e.peer, message: e.message }; }
console.log(JSON.stringify({ atImport, error }));
`;
const probed = JSON.parse(run(process.execPath, ["-e", probe], project).stdout.trim().split("\n").pop());
expectEqual("cloud package modules loaded by require(\"keyfabric\")", probed.atImport, 0);
const gcpRange = pkg.peerDependencies["@pulumi/gcp"];
expectEqual("a GCP hierarchy without @pulumi/gcp", probed.error, {
    name: "KeyfabricMissingPeerError",
    peer: "@pulumi/gcp",
    message: `keyfabric: Key hierarchy "g" (clouds: gcp) needs the package @pulumi/gcp (${gcpRange}; for Google Cloud KMS keys (clouds.gcp, GcpKey)), which is not installed: npm install @pulumi/gcp@"${gcpRange}"`,
});

const preview = run(path.join(project, "node_modules", ".bin", "keyfabric"), ["preview", ".", "--stack", "dev", "--format", "json"], project);
const report = JSON.parse(preview.stdout);
const custom = report.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`).sort();
expectEqual("custom resources of the preview", custom, [
    "aws:kms/alias:Alias shop-orders-order-db-aws-alias-shop/orders/order-db",
    "aws:kms/alias:Alias shop-orders-webhook-signing-aws-alias-shop/orders/webhook-signing",
    "aws:kms/key:Key shop-orders-order-db-aws-key",
    "aws:kms/key:Key shop-orders-webhook-signing-aws-key",
]);
expectEqual("keys by cloud", report.summary.keysByCloud, { aws: 2 });
if (!report.policyPacks || report.policyPacks.length !== 1 || report.policyPacks[0].name !== "keyfabric-key-management") fail(`the bundled policy pack did not run: ${JSON.stringify(report.policyPacks)}`);
expectEqual("policy violations of the quick start", report.policyViolations, []);

const bytes = duBytes(path.join(project, "node_modules"));
const packages = run("npm", ["ls", "--all", "--parseable"], project).stdout.trim().split("\n").length - 1;
console.log(`${label}: ok: one @pulumi/pulumi ${pulumiVersion}; tsc --noEmit clean; no cloud package loaded at import; missing @pulumi/gcp named; preview: ${custom.length} resources, ${report.policyPacks[0].policies} policies`);
console.log(`${label}: install: ${(bytes / 1e6).toFixed(0)} MB in node_modules, ${packages} packages, ${installSeconds} s (npm cache warm or not as it was)`);
if (args.includes("--keep")) console.log(`${label}: project kept in ${project}`);
else fs.rmSync(work, { recursive: true, force: true });
