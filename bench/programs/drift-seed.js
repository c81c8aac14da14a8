"use strict";
/**
 * Drift benchmark setup (untimed): a KeyHierarchy of N keys (spec.js DRIFT_SHAPES) recorded under mocks, created in
 * the emulators (KEYFABRIC_EMULATORS, from emulators.js) and written as the `pulumi stack export` a deployment would
 * leave, with the drift tests' own seeding code (test/drift/support.ts, loaded through ts-node).
 *   node -r ts-node/register/transpile-only drift-seed.js N EXPORT.json
 */
process.env.METADATA_SERVER_DETECTION = "none";
const { runChild } = require("./report");

runChild(async () => {
    const [nArg, out] = process.argv.slice(2);
    const n = Number(nArg);
    const { runUnderMocks } = require("../../lib/preview/harness");
    const { KeyHierarchy } = require("keyfabric");
    const { hierarchySpec, DRIFT_SHAPES } = require("./spec");
    const { seed, fromMockRun } = require("../../test/drift/support");
    const run = await runUnderMocks(() => {
        // A hierarchy name per size: the emulators keep the smaller stack's aliases, key rings and vaults.
        new KeyHierarchy("bench", hierarchySpec(n, DRIFT_SHAPES, `drift${n}`));
    }, { project: "bench", stack: "bench" });
    const emulators = { env: () => ({ KEYFABRIC_EMULATORS: process.env.KEYFABRIC_EMULATORS }) };
    const t0 = performance.now();
    const seeded = await seed(emulators, fromMockRun(run), { now: () => Date.now(), project: "bench", stack: "bench" });
    seeded.write(out);
    return { keys: n, resources: run.resources.length, seedMs: performance.now() - t0 };
});
