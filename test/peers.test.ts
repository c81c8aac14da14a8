/**
 * The cloud packages are optional peers (sdk/peers.ts): importing keyfabric loads none, a hierarchy loads the clouds it
 * declares, and a missing one is named before anything is registered. Each case runs the built package (lib/, as
 * a consumer's project loads it) in a fresh `node`; "missing" hides the package from Node's resolver in that child,
 * which then fails exactly as when it is not installed (MODULE_NOT_FOUND). scripts/consumer-check.js does the same in
 * a real AWS-only install.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

beforeAll(() => {
    if (!fs.existsSync(path.join(root, "lib", "peers.js"))) throw new Error("lib/ is missing: run npm run build (npm ci does it)");
});

/** Runs `body` in a child with keyfabric's lib/ as `kf`, mocks set, `hidden` packages unresolvable; its last stdout line as JSON. */
function child(body: string, hidden: string[] = []): any {
    const script = `
const Module = require("module");
const hidden = ${JSON.stringify(hidden)};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
    if (hidden.some((h) => request === h || request.startsWith(h + "/"))) {
        const e = new Error("Cannot find module '" + request + "'");
        e.code = "MODULE_NOT_FOUND";
        throw e;
    }
    return resolve.call(this, request, ...rest);
};
const loaded = () => [...new Set(Object.keys(require.cache).map((f) => (/node_modules[\\\\/](@pulumi[\\\\/](?:aws|gcp|azure-native|azure))[\\\\/]/.exec(f) || [])[1]).filter(Boolean).map((p) => p.replace(/\\\\/g, "/")))].sort();
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, "p", "s", true);
const registered = [];
const kf = require(${JSON.stringify(path.join(root, "lib", "index.js"))});
const out = (() => { ${body} })();
console.log(JSON.stringify(out));
`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const domain = { name: "d", classification: "internal", keys: [{ name: "k", purpose: "encrypt", algorithm: "AES_256" }] };
const gcpRange = pkg.peerDependencies["@pulumi/gcp"];

test("importing keyfabric loads no cloud package", () => {
    expect(child("return loaded();")).toEqual([]);
});

test("an AWS-only hierarchy loads @pulumi/aws and no other cloud package", () => {
    const out = child(`
        new kf.KeyHierarchy("a", { name: "a", owner: "sec", clouds: { aws: { region: "eu-west-1", accountId: "111122223333" } }, domains: [${JSON.stringify(domain)}] });
        return loaded();`);
    expect(out).toEqual(["@pulumi/aws"]);
});

test("a GCP hierarchy without @pulumi/gcp: KeyfabricMissingPeerError naming the package, range and install command", () => {
    const out = child(
        `try {
            new kf.KeyHierarchy("g", { name: "g", owner: "sec", clouds: { gcp: { project: "p-keys", location: "europe-west1" } }, domains: [${JSON.stringify(domain)}] });
            return "constructed";
        } catch (e) { return { name: e.name, peer: e.peer, message: e.message, isError: e instanceof Error, loaded: loaded() }; }`,
        ["@pulumi/gcp"],
    );
    expect(out).toEqual({
        name: "KeyfabricMissingPeerError",
        peer: "@pulumi/gcp",
        message: `keyfabric: Key hierarchy "g" (clouds: gcp) needs the package @pulumi/gcp (${gcpRange}; for Google Cloud KMS keys (clouds.gcp, GcpKey)), which is not installed: npm install @pulumi/gcp@"${gcpRange}"`,
        isError: true,
        loaded: [],
    });
});

test("a Managed HSM needs @pulumi/azure as well as @pulumi/azure-native: named before anything registers", () => {
    const out = child(
        `try {
            new kf.KeyHierarchy("z", { name: "z", owner: "sec", clouds: { azure: { resourceGroupName: "rg", location: "westeurope", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", managedHsm: { name: "hsm-z" } } }, defaults: { protection: "hsm" }, domains: [${JSON.stringify(domain)}] });
            return "constructed";
        } catch (e) { return { name: e.name, peer: e.peer, loaded: loaded() }; }`,
        ["@pulumi/azure"],
    );
    expect(out).toEqual({ name: "KeyfabricMissingPeerError", peer: "@pulumi/azure", loaded: [] });
});

test("a component used on its own loads its package on first use: AwsKey without @pulumi/aws names it", () => {
    const out = child(
        `try {
            new kf.AwsKey("k", { region: "eu-west-1", accountId: "111122223333", purpose: "encrypt", algorithm: "AES_256" });
            return "constructed";
        } catch (e) { return { name: e.name, peer: e.peer, message: e.message }; }`,
        ["@pulumi/aws"],
    );
    expect(out).toEqual({
        name: "KeyfabricMissingPeerError",
        peer: "@pulumi/aws",
        message: `keyfabric: creating @pulumi/aws/kms resources needs the package @pulumi/aws (${pkg.peerDependencies["@pulumi/aws"]}; for AWS KMS keys (clouds.aws, AwsKey)), which is not installed: npm install @pulumi/aws@"${pkg.peerDependencies["@pulumi/aws"]}"`,
    });
});
