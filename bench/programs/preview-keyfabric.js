"use strict";
/**
 * The candidate of the preview benchmark: a KeyHierarchy of N generated keys (spec.js) from the built package
 * (`require("keyfabric")`, lib/), run under keyfabric's mocks (lib/preview/harness.js runUnderMocks).
 *   node preview-keyfabric.js N [--record FILE] [--save-run FILE]
 * --record writes every resource it registered (type, name, parent name, custom, inputs, protect, retainOnDelete)
 * for the plain program (preview-plain.js) to declare the custom ones directly; --save-run writes the MockRun (what
 * `keyfabric preview` hands to the policy packs) for policy.js.
 */
const { runChild } = require("./report");

runChild(async () => {
    const n = Number(process.argv[2]);
    const flag = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
    const tStart = performance.now();
    const { runUnderMocks } = require("../../lib/preview/harness");
    const { KeyHierarchy } = require("keyfabric");
    const { hierarchySpec } = require("./spec");
    const spec = hierarchySpec(n);
    const tLoaded = performance.now();
    const run = await runUnderMocks(() => {
        new KeyHierarchy("bench", spec);
    }, { project: "bench", stack: "bench" });
    const tDone = performance.now();
    const custom = run.resources.filter((r) => r.custom);
    if (flag("--record")) {
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        const byId = new Map(custom.filter((r) => r.id).map((r) => [r.id, r.name]));
        const vaults = new Map(custom.filter((r) => r.type === "azure-native:keyvault:Vault").map((r) => [r.inputs.vaultName, r.name]));
        const records = run.resources.map((r) => ({
            type: r.type,
            name: r.name,
            custom: r.custom,
            parent: byUrn.get(r.parent)?.name,
            inputs: r.inputs,
            refs: r.custom ? references(r, byId, vaults) : undefined,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
        }));
        require("fs").writeFileSync(flag("--record"), JSON.stringify(records));
    }
    if (flag("--save-run")) require("fs").writeFileSync(flag("--save-run"), JSON.stringify(run));
    return { keys: n, resources: run.resources.length, customResources: custom.length, loadMs: tLoaded - tStart, runMs: tDone - tLoaded };
});

/**
 * The inputs of `r` that are another resource's output, for preview-plain.js --wired (a raw program passes
 * `key.id`, `key.arn`, `vault.name` there, as keyfabric does): [path, resource name, output] per input.
 */
function references(r, byId, vaults) {
    const refs = [];
    const walk = (v, path) => {
        if (typeof v === "string") {
            const arn = /:key\/([^/]+)$/.exec(v);
            if (byId.has(v) && byId.get(v) !== r.name) refs.push([path, byId.get(v), "id"]);
            else if (arn && byId.has(arn[1])) refs.push([path, byId.get(arn[1]), "arn"]);
            else if (r.type === "azure-native:keyvault:Key" && path.join(".") === "vaultName" && vaults.has(v)) refs.push([path, vaults.get(v), "name"]);
        } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(r.inputs, []);
    return refs.length ? refs : undefined;
}
