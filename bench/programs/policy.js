"use strict";
/**
 * Policy cost: the resources a `keyfabric preview` registered (a MockRun saved by preview-keyfabric.js --save-run)
 * through a policy pack's analyzer gRPC server, as the preview does (lib/preview/policy.js evaluatePolicies ->
 * lib/policy/analyzer.js runPolicyPack), then the text report.
 *   node policy.js RUN.json [PACK_DIR]
 * The analyzer client's calls are wrapped (timestamps only) to split the pack's start (spawn, ts-node compiling and
 * type-checking the pack, GetAnalyzerInfo, Configure) from the per-resource phase (Analyze per resource, AnalyzeStack).
 */
const fs = require("fs");
const { runChild } = require("./report");

runChild(async () => {
    const run = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const { evaluatePolicies } = require("../../lib/preview/policy");
    const { DEFAULT_POLICY_PACK } = require("../../lib/policy/analyzer");
    const { render } = require("../../lib/preview/render");
    const pack = process.argv[3] ?? DEFAULT_POLICY_PACK;

    const marks = {};
    const mark = (method, wrapped) =>
        function (...args) {
            const callback = args.pop();
            marks[`${method(args)}:first`] ??= performance.now();
            return wrapped.call(this, ...args, (err, resp) => {
                marks[`${method(args)}:done`] = performance.now();
                callback(err, resp);
            });
        };
    const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
    for (const method of ["getAnalyzerInfo", "configure"]) AnalyzerClient.prototype[method] = mark(() => method, AnalyzerClient.prototype[method]);
    // Analyze and AnalyzeStack go out as pre-encoded bytes through grpc-js's makeUnaryRequest (lib/policy/wire.js).
    const { Client } = require("@grpc/grpc-js");
    const names = { "/pulumirpc.Analyzer/Analyze": "analyze", "/pulumirpc.Analyzer/AnalyzeStack": "analyzeStack" };
    Client.prototype.makeUnaryRequest = mark((args) => names[args[0]] ?? args[0], Client.prototype.makeUnaryRequest);

    const t0 = performance.now();
    const report = await evaluatePolicies(run, [{ dir: pack }]);
    const t1 = performance.now();
    const text = render(run, "text", report);
    const t2 = performance.now();
    return {
        resources: run.resources.length,
        policies: report.packs[0].policies.length,
        violations: report.violations.length,
        policyMs: t1 - t0,
        startupMs: marks["configure:done"] - t0,
        analyzeMs: marks["analyzeStack:done"] - (marks["analyze:first"] ?? marks["analyzeStack:first"]),
        analyzeStackMs: marks["analyzeStack:done"] - marks["analyzeStack:first"],
        renderMs: t2 - t1,
        reportChars: text.length,
    };
});
