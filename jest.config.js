/** Jest only transpiles (SWC); `npm run typecheck` type-checks everything once. */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
    moduleNameMapper: { "^keyfabric$": "<rootDir>/sdk/index.ts" },
    testTimeout: 60000,
    // Test files each load the cloud packages afresh; in one long-lived process that grows past 20 GB over the suite
    // (an OOM kill on a 24 GB machine). A worker is replaced once its memory passes this after a file (and a limit
    // makes Jest use a worker even with one core to spare).
    workerIdleMemoryLimit: "2GB",
    // Two workers on two cores (Jest's default is cores - 1): much of the suite waits (child processes, emulators' service
    // delays, gRPC), so the second worker roughly halves the run; set JEST_MAX_WORKERS to change it.
    maxWorkers: Number(process.env.JEST_MAX_WORKERS) || 2,
    reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
