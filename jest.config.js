/** Jest only transpiles (SWC); `npm run typecheck` type-checks everything once. */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
    moduleNameMapper: { "^keyfabric$": "<rootDir>/sdk/index.ts" },
    testTimeout: 60000,
    reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
