/** Jest only transpiles (SWC); `npm run typecheck` type-checks everything once. */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
    moduleNameMapper: { "^keyfabric$": "<rootDir>/sdk/index.ts" },
    testTimeout: 60000,
    // A new worker process for every test file (0 = always restart; Jest >= 30). Each file loads the cloud packages
    // afresh, and a long-lived worker kept what they took: its JS heap stayed near 1 GB, but its resident set grew by
    // ~150 MB a file (native memory, which the heap-based limit Jest offers does not see) to 13-14 GB by the end of
    // the suite, and two of them were OOM-killed on a 24 GB machine (seen in CI and reproduced here). A restart costs
    // ~0.5 s a file; with it, memory is back to the start after every file.
    workerIdleMemoryLimit: 0,
    // Two workers on two cores (Jest's default is cores - 1): much of the suite waits (child processes, emulators' service
    // delays, gRPC), so the second worker roughly halves the run; set JEST_MAX_WORKERS to change it.
    maxWorkers: Number(process.env.JEST_MAX_WORKERS) || 2,
    reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
