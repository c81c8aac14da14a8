/**
 * The pack at the engine boundary: started as its analyzer gRPC server (what `pulumi-analyzer-policy` runs), configured
 * with each preset file as `--policy-pack-config` passes it, sent Analyze for every resource and AnalyzeStack once,
 * with the resources captured from every example, the root program (the sample stack `npm start` previews), the
 * README's YAML and TypeScript snippets, and a deliberately bad raw program. Exact diagnostics for each preset.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_POLICY_PACK, readPackConfig } from "../../sdk/policy/analyzer";
import { MockRun } from "../../sdk/preview/harness";
import { evaluatePolicies, openPacks, PolicyReport } from "../../sdk/preview/policy";
import { previewProject } from "../../sdk/preview/project";
import { render } from "../../sdk/preview/render";

const root = path.join(__dirname, "..", "..");
const COMPILED_PACK = path.join(root, "lib", "policy-packs", "key-management");
const PRESETS = ["baseline", "cis", "pci-dss-4", "strict-hsm"] as const;
/** The rules' defaults (no config), then each preset. */
const CONFIGS = ["defaults", ...PRESETS] as const;
type Config = (typeof CONFIGS)[number];

const BAD = "test/fixtures/bad-raw-program";
const README_YAML = "README: In stack config (YAML)";
const README_TS = "README: In TypeScript";
/** Every program keyfabric ships: they must pass every preset. */
const GOOD = [".", "examples/three-cloud-hierarchy", "examples/config-driven", "examples/aws-only-key", README_YAML, README_TS];

const runs: Record<string, MockRun> = {};
const reports: Record<string, Record<Config, PolicyReport>> = {};
const brief = (r: PolicyReport) => r.violations.map((v) => [v.enforcementLevel, v.policy, v.urn.split("::").pop()]).sort();
let tmp: string;

/** The fenced block of `lang` that follows `heading` in the README (the nth one, from 0). */
function snippet(readme: string, heading: string, lang: string, nth = 0): string {
    const section = readme.slice(readme.indexOf(`\n${heading}\n`));
    const blocks = [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))];
    return blocks[nth][1];
}

/** The README's snippets as Pulumi projects: the YAML one is the stack config of the TypeScript program after it. */
function readmeProjects(): Record<string, string> {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyfabric-readme-"));
    const write = (dir: string, files: Record<string, string>) => {
        fs.mkdirSync(path.join(tmp, dir));
        for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(tmp, dir, f), text);
        return path.join(tmp, dir);
    };
    return {
        [README_YAML]: write("yaml", {
            "Pulumi.yaml": "name: readme-yaml\nruntime: nodejs\n",
            "Pulumi.dev.yaml": snippet(readme, "### In stack config (YAML)", "yaml"),
            "index.ts": snippet(readme, "### In stack config (YAML)", "ts"),
        }),
        [README_TS]: write("ts", { "Pulumi.yaml": "name: readme-ts\nruntime: nodejs\n", "index.ts": snippet(readme, "### In TypeScript", "ts") }),
    };
}

beforeAll(async () => {
    const dirs: Record<string, string> = { ...Object.fromEntries([BAD, ...GOOD.slice(0, 4)].map((p) => [p, path.join(root, p)])), ...readmeProjects() };
    for (const [name, dir] of Object.entries(dirs)) runs[name] = await previewProject(dir, { registerTs: false });
    // One analyzer server per config, as the engine starts one per pack and --policy-pack-config; every program through each.
    const packs = await Promise.all(CONFIGS.map((c) => openPacks([{ dir: DEFAULT_POLICY_PACK, ...(c === "defaults" ? {} : { configFile: path.join(DEFAULT_POLICY_PACK, "presets", `${c}.json`) }) }])));
    try {
        for (const name of Object.keys(runs)) {
            const byConfig = await Promise.all(packs.map((p) => p.evaluate(runs[name])));
            reports[name] = Object.fromEntries(CONFIGS.map((c, i) => [c, byConfig[i]])) as Record<Config, PolicyReport>;
        }
    } finally {
        packs.forEach((p) => p.close());
    }
}, 300_000);

afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test.each(GOOD.flatMap((p) => CONFIGS.map((c) => [p, c] as const)))("%s under %s: no violation at all", (p, c) => {
    expect(brief(reports[p][c])).toEqual([]);
    expect(reports[p][c].notEvaluated).toEqual([]);
});

test("npm start previews the sample stack that passes: the root program under the rules' defaults", () => {
    expect(reports["."].defaults.packs.map((p) => [p.pack, p.version, p.violations])).toEqual([["keyfabric-key-management", "0.1.0", []]]);
    expect(runs["."].resources.filter((r) => r.type === "azure-native:network:PrivateEndpoint").map((r) => r.name).sort()).toEqual([
        "keyfabric-analytics-vault-westeurope-endpoint",
        "keyfabric-payments-vault-westeurope-endpoint",
    ]);
});

const AUDIT = [
    ["aws-cloudtrail-trail-enable-kms-logging", ""],
    ["azure-keyvault-vault-enable-audit-logging", "vault"],
    ["gcp-kms-project-enable-audit-logging", "ring"],
] as const;
const at = (level: string, rows: readonly (readonly [string, string])[]) => rows.map(([p, u]) => [level, p, u]);
const sorted = (rows: unknown[][]) => [...rows].sort();

test("a raw program (no keyfabric) gets exactly its eight violations under the rules' defaults, three of them mandatory", () => {
    const r = reports[BAD].defaults;
    expect(brief(r)).toEqual(
        sorted([
            ["advisory", "aws-kms-key-enable-key-rotation", "no-rotation"],
            ["advisory", "azure-keyvault-vault-enable-purge-protection", "vault"],
            ["mandatory", "aws-kms-externalkey-disallow-plaintext-material", "imported"],
            ["mandatory", "aws-kms-key-disallow-wildcard-principal", "wildcard-policy"],
            ["mandatory", "gcp-kms-cryptokeyiammember-disallow-public-access", "public"],
            ...at("advisory", AUDIT),
        ]),
    );
    expect(r.mandatory).toBe(3);
    expect(brief(reports[BAD].baseline)).toEqual(brief(r));
    // Messages never echo values: not the material, not the member, not the policy.
    const text = JSON.stringify(CONFIGS.map((c) => reports[BAD][c].violations));
    expect(text).not.toMatch(/dGVzdC1maXh0dXJl|allUsers"|kms:Decrypt/);
});

test("cis makes each Automated CIS recommendation mandatory: rotation on (AWS 3.6), recoverable vaults (Azure 8.5), audit logging (AWS 3.1, GCP 2.1, Azure 5.1.5)", () => {
    expect(brief(reports[BAD].cis)).toEqual(
        sorted([
            ["mandatory", "aws-kms-externalkey-disallow-plaintext-material", "imported"],
            ["mandatory", "aws-kms-key-disallow-wildcard-principal", "wildcard-policy"],
            ["mandatory", "aws-kms-key-enable-key-rotation", "no-rotation"],
            ["mandatory", "azure-keyvault-vault-enable-purge-protection", "vault"],
            ["mandatory", "gcp-kms-cryptokeyiammember-disallow-public-access", "public"],
            ...at("mandatory", AUDIT),
        ]),
    );
    // CIS AWS asks that rotation be on, not a period: the raw key rotating at AWS's default 365 days is not reported.
    expect(readPackConfig(path.join(DEFAULT_POLICY_PACK, "presets", "cis.json"))["aws-kms-key-configure-rotation-period"]).toBeUndefined();
});

test("pci-dss-4: rotation on and imported material that expires (3.7.4), no material in state (3.6.1.2); audit logs are outside 3.6/3.7", () => {
    expect(brief(reports[BAD]["pci-dss-4"])).toEqual(
        sorted([
            ["advisory", "azure-keyvault-vault-enable-purge-protection", "vault"],
            ["mandatory", "aws-kms-externalkey-disallow-plaintext-material", "imported"],
            ["mandatory", "aws-kms-externalkey-limit-material-validity", "imported"],
            ["mandatory", "aws-kms-key-disallow-wildcard-principal", "wildcard-policy"],
            ["mandatory", "aws-kms-key-enable-key-rotation", "no-rotation"],
            ["mandatory", "gcp-kms-cryptokeyiammember-disallow-public-access", "public"],
            ...at("advisory", AUDIT),
        ]),
    );
});

test("strict-hsm: every finding mandatory, and the 90-day bound reports the raw key rotating at AWS's default", () => {
    expect(brief(reports[BAD]["strict-hsm"])).toEqual(
        sorted([
            ["mandatory", "aws-kms-externalkey-disallow-plaintext-material", "imported"],
            ["mandatory", "aws-kms-externalkey-limit-material-validity", "imported"],
            ["mandatory", "aws-kms-key-configure-rotation-period", "wildcard-policy"],
            ["mandatory", "aws-kms-key-disallow-wildcard-principal", "wildcard-policy"],
            ["mandatory", "aws-kms-key-enable-key-rotation", "no-rotation"],
            ["mandatory", "azure-keyvault-vault-enable-purge-protection", "vault"],
            ["mandatory", "gcp-kms-cryptokeyiammember-disallow-public-access", "public"],
            ...at("mandatory", AUDIT),
        ]),
    );
    expect(reports[BAD]["strict-hsm"].violations.find((v) => v.policy === "aws-kms-key-configure-rotation-period")!.message).toMatch(
        /This KMS key rotates every 365 days; at most 90 days allowed\.$/,
    );
});

test("JSON, markdown and SARIF outputs of the bad program", () => {
    const run = runs[BAD];
    const report = reports[BAD].defaults;
    const json = JSON.parse(render(run, "json", report));
    expect(json.policyViolations).toHaveLength(8);
    expect(json.policyViolations[0]).toEqual({ policy: expect.any(String), pack: "keyfabric-key-management", enforcementLevel: expect.any(String), urn: expect.stringMatching(/^urn:pulumi:dev::bad-raw-program::/), message: expect.any(String) });
    const md = render(run, "markdown", report);
    expect(md).toContain("**Policy violations: 8** (3 mandatory)");
    // Grouped by resource, each under the line that declares it.
    expect(md).toContain("**`imported`** · `aws:kms/externalKey:ExternalKey` · `index.ts:79`\n\n| level | policy | message |\n|---|---|---|\n| **mandatory** | `aws-kms-externalkey-disallow-plaintext-material` |");
    const sarif = JSON.parse(render(run, "sarif", report));
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].tool.driver.rules.length).toBeGreaterThanOrEqual(50);
    expect(sarif.runs[0].results.map((r: any) => [r.ruleId, r.level]).sort()).toEqual([
        ["aws-cloudtrail-trail-enable-kms-logging", "warning"],
        ["aws-kms-externalkey-disallow-plaintext-material", "error"],
        ["aws-kms-key-disallow-wildcard-principal", "error"],
        ["aws-kms-key-enable-key-rotation", "warning"],
        ["azure-keyvault-vault-enable-audit-logging", "warning"],
        ["azure-keyvault-vault-enable-purge-protection", "warning"],
        ["gcp-kms-cryptokeyiammember-disallow-public-access", "error"],
        ["gcp-kms-project-enable-audit-logging", "warning"],
    ]);
    const located = sarif.runs[0].results.find((r: any) => r.ruleId === "aws-kms-externalkey-disallow-plaintext-material");
    expect(located.locations[0].physicalLocation.artifactLocation.uri).toBe("index.ts");
    const rule = sarif.runs[0].tool.driver.rules[located.ruleIndex];
    expect(rule.id).toBe(located.ruleId);
});

test("the compiled pack (lib/policy-packs/key-management, what the CLI runs) reports exactly what the TypeScript pack does, presets included", async () => {
    expect(DEFAULT_POLICY_PACK).toBe(path.join(root, "policy-packs", "key-management"));
    expect(require(path.join(COMPILED_PACK, "package.json")).main).toBe("index.js");
    for (const preset of PRESETS) {
        expect(fs.readFileSync(path.join(COMPILED_PACK, "presets", `${preset}.json`), "utf8")).toBe(fs.readFileSync(path.join(DEFAULT_POLICY_PACK, "presets", `${preset}.json`), "utf8"));
    }
    const [badCis, sample] = await Promise.all([
        evaluatePolicies(runs[BAD], [{ dir: COMPILED_PACK, configFile: path.join(COMPILED_PACK, "presets", "cis.json") }]),
        evaluatePolicies(runs["."], [{ dir: COMPILED_PACK }]),
    ]);
    expect(badCis.violations).toEqual(reports[BAD].cis.violations);
    expect(sample.violations).toEqual(reports["."].defaults.violations);
    expect(sample.packs).toEqual(reports["."].defaults.packs);
}, 120_000);
