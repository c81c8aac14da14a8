/**
 * The pack at the engine boundary: started as its analyzer gRPC server (what `pulumi-analyzer-policy` runs), configured,
 * sent Analyze for every resource and AnalyzeStack once, with the resources captured from the examples, the root
 * program and a deliberately bad raw program. Exact diagnostics.
 */
import * as path from "path";
import { DEFAULT_POLICY_PACK, readPackConfig } from "../../sdk/policy/analyzer";
import { MockRun } from "../../sdk/preview/harness";
import { evaluatePolicies, PolicyReport } from "../../sdk/preview/policy";
import { previewProject } from "../../sdk/preview/project";
import { render } from "../../sdk/preview/render";

const root = path.join(__dirname, "..", "..");
const COMPILED_PACK = path.join(root, "lib", "policy-packs", "key-management");
const runs: Record<string, { run: MockRun; report: PolicyReport }> = {};
const brief = (r: PolicyReport) => r.violations.map((v) => [v.enforcementLevel, v.policy, v.urn.split("::").pop()]).sort();

beforeAll(async () => {
    const projects = ["test/fixtures/bad-raw-program", ".", "examples/three-cloud-hierarchy", "examples/config-driven", "examples/aws-only-key"];
    const previews: MockRun[] = [];
    for (const p of projects) previews.push(await previewProject(path.join(root, p), { registerTs: false }));
    const reports = await Promise.all([
        ...previews.map((run) => evaluatePolicies(run, [{ dir: DEFAULT_POLICY_PACK }])),
        evaluatePolicies(previews[0], [{ dir: DEFAULT_POLICY_PACK, configFile: path.join(DEFAULT_POLICY_PACK, "presets", "cis.json") }]),
        // The compiled pack `npm run build` puts in lib/, which the CLI runs (it starts without ts-node).
        evaluatePolicies(previews[0], [{ dir: COMPILED_PACK, configFile: path.join(COMPILED_PACK, "presets", "cis.json") }]),
        evaluatePolicies(previews[1], [{ dir: COMPILED_PACK }]),
    ]);
    projects.forEach((p, i) => (runs[p] = { run: previews[i], report: reports[i] }));
    runs["bad+cis"] = { run: previews[0], report: reports[projects.length] };
    runs["compiled:bad+cis"] = { run: previews[0], report: reports[projects.length + 1] };
    runs["compiled:."] = { run: previews[1], report: reports[projects.length + 2] };
}, 180_000);

test("a raw program (no keyfabric) gets exactly its five violations, three of them mandatory", () => {
    expect(brief(runs["test/fixtures/bad-raw-program"].report)).toEqual([
        ["advisory", "aws-kms-key-enable-key-rotation", "no-rotation"],
        ["advisory", "azure-keyvault-vault-enable-purge-protection", "vault"],
        ["mandatory", "aws-kms-externalkey-disallow-plaintext-material", "imported"],
        ["mandatory", "aws-kms-key-disallow-wildcard-principal", "wildcard-policy"],
        ["mandatory", "gcp-kms-cryptokeyiammember-disallow-public-access", "public"],
    ]);
    expect(runs["test/fixtures/bad-raw-program"].report.mandatory).toBe(3);
    // Messages never echo values: not the material, not the member, not the policy.
    const text = JSON.stringify(runs["test/fixtures/bad-raw-program"].report.violations);
    expect(text).not.toMatch(/dGVzdC1maXh0dXJl|allUsers"|kms:Decrypt/);
});

test("a preset changes levels and bounds as the engine would: cis makes rotation mandatory, at most 90 days", () => {
    expect(brief(runs["bad+cis"].report).filter(([level]) => level === "mandatory").map(([, p]) => p)).toEqual([
        "aws-kms-externalkey-disallow-plaintext-material",
        "aws-kms-key-configure-rotation-period",
        "aws-kms-key-disallow-wildcard-principal",
        "aws-kms-key-enable-key-rotation",
        "azure-keyvault-vault-enable-purge-protection",
        "gcp-kms-cryptokeyiammember-disallow-public-access",
    ]);
    expect(readPackConfig(path.join(DEFAULT_POLICY_PACK, "presets", "cis.json"))["aws-kms-key-configure-rotation-period"]).toEqual({ enforcementLevel: "mandatory", maxRotationDays: 90 });
});

test("the root program's sample stack has no mandatory violation; its advisories are the Azure ones keyfabric documents", () => {
    const r = runs["."].report;
    expect(r.mandatory).toBe(0);
    expect(brief(r)).toEqual([
        ["advisory", "azure-keyvault-key-configure-expiry", "keyfabric-analytics-exports-azure-key"],
        ["advisory", "azure-keyvault-key-configure-expiry", "keyfabric-payments-receipts-signing-azure-key"],
        ["advisory", "azure-keyvault-key-configure-rotation-policy", "keyfabric-analytics-exports-azure-key"],
        ["advisory", "azure-keyvault-key-configure-rotation-policy", "keyfabric-payments-receipts-signing-azure-key"],
        ["advisory", "azure-keyvault-vault-disallow-public-network-access", "keyfabric-analytics-vault-westeurope"],
        ["advisory", "azure-keyvault-vault-disallow-public-network-access", "keyfabric-payments-vault-westeurope"],
        ["advisory", "azure-keyvault-vault-require-private-endpoint", "keyfabric-analytics-vault-westeurope"],
        ["advisory", "azure-keyvault-vault-require-private-endpoint", "keyfabric-payments-vault-westeurope"],
    ]);
});

test.each([
    ["examples/three-cloud-hierarchy", [
        ["advisory", "azure-keyvault-key-configure-expiry", "corp-customer-data-documents-signing-azure-key"],
        ["advisory", "azure-keyvault-key-configure-rotation-policy", "corp-customer-data-documents-signing-azure-key"],
        ["advisory", "azure-keyvault-vault-disallow-public-network-access", "corp-customer-data-vault-eastus2"],
        ["advisory", "azure-keyvault-vault-require-private-endpoint", "corp-customer-data-vault-eastus2"],
    ]],
    ["examples/config-driven", []],
    ["examples/aws-only-key", []],
])("%s", (p, expected) => {
    expect(brief(runs[p].report)).toEqual(expected);
});

test("JSON, markdown and SARIF outputs of the bad program", () => {
    const { run, report } = runs["test/fixtures/bad-raw-program"];
    const json = JSON.parse(render(run, "json", report));
    expect(json.policyViolations).toHaveLength(5);
    expect(json.policyViolations[0]).toEqual({ policy: expect.any(String), pack: "keyfabric-key-management", enforcementLevel: expect.any(String), urn: expect.stringMatching(/^urn:pulumi:dev::bad-raw-program::/), message: expect.any(String) });
    const md = render(run, "markdown", report);
    expect(md).toContain("**Policy violations: 5** (3 mandatory)");
    // Grouped by resource, each under the line that declares it.
    expect(md).toContain("**`imported`** · `aws:kms/externalKey:ExternalKey` · `index.ts:79`\n\n| level | policy | message |\n|---|---|---|\n| **mandatory** | `aws-kms-externalkey-disallow-plaintext-material` |");
    const sarif = JSON.parse(render(run, "sarif", report));
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].tool.driver.rules.length).toBeGreaterThanOrEqual(50);
    expect(sarif.runs[0].results.map((r: any) => [r.ruleId, r.level]).sort()).toEqual([
        ["aws-kms-externalkey-disallow-plaintext-material", "error"],
        ["aws-kms-key-disallow-wildcard-principal", "error"],
        ["aws-kms-key-enable-key-rotation", "warning"],
        ["azure-keyvault-vault-enable-purge-protection", "warning"],
        ["gcp-kms-cryptokeyiammember-disallow-public-access", "error"],
    ]);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("index.ts");
    const rule = sarif.runs[0].tool.driver.rules[sarif.runs[0].results[0].ruleIndex];
    expect(rule.id).toBe(sarif.runs[0].results[0].ruleId);
});

test("the compiled pack (lib/policy-packs/key-management, what the CLI runs) reports exactly what the TypeScript pack does", () => {
    expect(DEFAULT_POLICY_PACK).toBe(path.join(root, "policy-packs", "key-management"));
    expect(require(path.join(COMPILED_PACK, "package.json")).main).toBe("index.js");
    expect(runs["compiled:bad+cis"].report.violations).toEqual(runs["bad+cis"].report.violations);
    expect(runs["compiled:."].report.violations).toEqual(runs["."].report.violations);
    expect(runs["compiled:."].report.packs).toEqual(runs["."].report.packs);
});
