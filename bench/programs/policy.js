"use strict";
/**
 * Policy cost: the resources a `keyfabric preview` registered (a MockRun saved by preview-keyfabric.js --save-run)
 * through a policy pack's analyzer gRPC server, as the preview does (lib/preview/policy.js evaluatePolicies ->
 * lib/policy/analyzer.js runPolicyPack), then the text report.
 *   node policy.js RUN.json [PACK_DIR]
 * The analyzer client's calls are wrapped (timestamps only) to split the pack's start (spawn, loading the pack - for a
 * TypeScript pack, ts-node compiling and type-checking it -, GetAnalyzerInfo, Configure) from the per-resource phase
 * (Analyze per resource, AnalyzeStack). Over that phase it also takes the CPU time of both sides: this process (the
 * client, standing in for the engine) and the pack's server process (from /proc/<pid>/stat, Linux only; null elsewhere),
 * as what the pack itself costs, apart from the client and from other work on the machine.
 */
const fs = require("fs");
const { runChild } = require("./report");

runChild(async () => {
    const run = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const { evaluatePolicies } = require("../../lib/preview/policy");
    const { DEFAULT_POLICY_PACK } = require("../../lib/policy/analyzer");
    const { render } = require("../../lib/preview/render");
    const pack = process.argv[3] ?? DEFAULT_POLICY_PACK;

    // The pack's server process, as runPolicyPack spawns it.
    const childProcess = require("child_process");
    const spawn = childProcess.spawn;
    let server;
    childProcess.spawn = (...args) => (server = spawn(...args));
    const serverCpuMs = () => {
        try {
            const fields = fs.readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1].split(" ");
            return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100) ticks
        } catch {
            return null;
        }
    };
    const clientCpuMs = () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
    };

    const marks = {};
    const cpu = {};
    const mark = (method, wrapped) =>
        function (...args) {
            const callback = args.pop();
            const name = method(args);
            if (marks[`${name}:first`] === undefined) {
                marks[`${name}:first`] = performance.now();
                cpu[`${name}:first`] = { client: clientCpuMs(), server: serverCpuMs() };
            }
            return wrapped.call(this, ...args, (err, resp) => {
                marks[`${name}:done`] = performance.now();
                cpu[`${name}:done`] = { client: clientCpuMs(), server: serverCpuMs() };
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
    const from = cpu["analyze:first"] ?? cpu["analyzeStack:first"];
    const to = cpu["analyzeStack:done"];
    return {
        resources: run.resources.length,
        policies: report.packs[0].policies.length,
        violations: report.violations.length,
        policyMs: t1 - t0,
        startupMs: marks["configure:done"] - t0,
        analyzeMs: marks["analyzeStack:done"] - (marks["analyze:first"] ?? marks["analyzeStack:first"]),
        analyzeStackMs: marks["analyzeStack:done"] - marks["analyzeStack:first"],
        renderMs: t2 - t1,
        clientCpuMs: to.client - from.client,
        serverCpuMs: to.server === null || from.server === null ? null : to.server - from.server,
        reportChars: text.length,
    };
});
