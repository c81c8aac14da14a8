"use strict";
/**
 * Drift cost: `keyfabric drift --state EXPORT --no-policy --format json [--concurrency N]` through the built CLI's
 * main() (what bin/keyfabric.js runs), against the emulators (KEYFABRIC_EMULATORS). Exit 0 (no drift) and 2 (drift
 * found) are both a completed run.
 *   node drift.js EXPORT.json [CONCURRENCY]
 */
const { runChild } = require("./report");

runChild(async () => {
    const [state, concurrency] = process.argv.slice(2);
    const { main } = require("../../lib/cli/index");
    let out = "";
    let err = "";
    const io = { out: (s) => (out += s), err: (s) => (err += s) };
    const args = ["drift", "--state", state, "--no-policy", "--no-progress", "--format", "json", ...(concurrency ? ["--concurrency", concurrency] : [])];
    const t0 = performance.now();
    const code = await main(args, io);
    const ms = performance.now() - t0;
    if (code !== 0 && code !== 2) throw new Error(`keyfabric drift exited ${code}: ${err.trim().slice(0, 500)}`);
    const report = JSON.parse(out);
    return { ms, code, checked: report.summary?.checked, findings: report.summary?.findings, calls: report.summary?.calls };
});
