/**
 * The human-readable reports (markdown for the pull-request comment, text for the terminal) and the JSON, from
 * hand-built runs and reports: findings grouped by resource with where the program declares it, the rules that could
 * not be evaluated at preview, and the run's assumptions.
 */
import * as path from "path";
import type { MockRun, RecordedResource } from "../../sdk/preview/harness";
import type { PolicyReport } from "../../sdk/preview/policy";
import type { PolicyViolation } from "../../sdk/policy/analyzer";
import { policyText, render } from "../../sdk/preview/render";

const ROOT = path.resolve("/repo");
const PROJECT = path.join(ROOT, "infra");
const STACK_URN = "urn:pulumi:dev::acme::pulumi:pulumi:Stack::acme-dev";

const resource = (type: string, name: string, line?: number, parent = STACK_URN): RecordedResource => ({
    urn: `urn:pulumi:dev::acme::${type}::${name}`,
    type,
    name,
    parent,
    custom: true,
    inputs: {},
    props: {},
    protect: false,
    retainOnDelete: false,
    dependencies: [],
    propertyDependencies: {},
    ...(line ? { source: { file: path.join(PROJECT, "index.ts"), line, column: 1 } } : {}),
});

const key = resource("aws:kms/key:Key", "shared", 7);
const ring = resource("gcp:kms/keyRing:KeyRing", "ring");
const run: MockRun = {
    resources: [key, ring],
    calls: [],
    outputs: {},
    project: "acme",
    stack: "dev",
    mode: "preview",
    assumptions: [{ kind: "invoke", subject: "aws:index/getCallerIdentity:getCallerIdentity", detail: "account 111122223333 (from the stack's aws:allowedAccountIds)" }],
    programPath: "index.ts",
    projectDir: PROJECT,
};

const violation = (policy: string, enforcementLevel: "mandatory" | "advisory", urn: string, message: string): PolicyViolation => ({
    policy,
    pack: "keyfabric-key-management",
    enforcementLevel,
    urn,
    description: "A description.",
    message: `A description.\n${message}`,
});
const violations = [
    violation("aws-kms-key-require-description", "advisory", key.urn, "This KMS key has no description."),
    violation("aws-kms-key-disallow-wildcard-principal", "mandatory", key.urn, 'Principal "*" with kms:* | no condition.'),
    violation("gcp-kms-cryptokey-require-deletion-protection", "advisory", ring.urn, "This key ring is not protected."),
    violation("keyfabric-hierarchy-enforce-residency", "advisory", "", "A key of payments is outside\nits domain's regions."),
];
const report: PolicyReport = {
    packs: [{ pack: "keyfabric-key-management", version: "0.1.0", policies: [], violations }],
    violations,
    notEvaluated: [
        { policy: "aws-kms-key-require-key-policy", pack: "keyfabric-key-management", enforcementLevel: "advisory", urn: key.urn, property: "policy", reason: "the string value at policy is unknown until the resources it depends on are created" },
    ],
    mandatory: 1,
};

test("markdown: findings by resource, not evaluated, assumptions", () => {
    expect(render(run, "markdown", report, { sarifRoot: ROOT })).toBe(
        [
            "### keyfabric preview: acme / dev",
            "",
            "2 resources (2 cloud resources, 0 components); keys: aws 1.",
            "",
            "| type | count |",
            "|---|---|",
            "| `aws:kms/key:Key` | 1 |",
            "| `gcp:kms/keyRing:KeyRing` | 1 |",
            "",
            "**Policy violations: 4** (1 mandatory)",
            "",
            "**`shared`** · `aws:kms/key:Key` · `infra/index.ts:7`",
            "",
            "| level | policy | message |",
            "|---|---|---|",
            '| **mandatory** | `aws-kms-key-disallow-wildcard-principal` | Principal "\\*" with kms:\\* \\| no condition. |',
            "| advisory | `aws-kms-key-require-description` | This KMS key has no description. |",
            "",
            "**`ring`** · `gcp:kms/keyRing:KeyRing`",
            "",
            "| level | policy | message |",
            "|---|---|---|",
            "| advisory | `gcp-kms-cryptokey-require-deletion-protection` | This key ring is not protected. |",
            "",
            "**Stack** `acme/dev`",
            "",
            "| level | policy | message |",
            "|---|---|---|",
            "| advisory | `keyfabric-hierarchy-enforce-residency` | A key of payments is outside its domain's regions. |",
            "",
            "**Could not be evaluated at preview: 1** (a value the rule reads is unknown until the resources exist)",
            "",
            "| level | policy | resource | property | reason |",
            "|---|---|---|---|---|",
            "| advisory | `aws-kms-key-require-key-policy` | `shared` · `infra/index.ts:7` | `policy` | the string value at policy is unknown until the resources it depends on are created |",
            "",
            "<details><summary><b>Assumptions: 1</b> (what the offline run used in place of the clouds)</summary>",
            "",
            "| kind | subject | detail |",
            "|---|---|---|",
            "| invoke | `aws:index/getCallerIdentity:getCallerIdentity` | account 111122223333 (from the stack's aws:allowedAccountIds) |",
            "",
            "</details>",
            "",
            "```mermaid",
            "flowchart TD",
            '    n0["aws:kms/key:Key<br/>shared"]',
            '    n1["gcp:kms/keyRing:KeyRing<br/>ring"]',
            "```",
            "",
            "<details><summary>Resource tree</summary>",
            "",
            "```",
            "├─ aws:kms/key:Key  shared",
            "└─ gcp:kms/keyRing:KeyRing  ring",
            "```",
            "",
            "</details>",
        ].join("\n"),
    );
});

test("markdown: paths relative to the project directory by default; no violations; no assumptions", () => {
    const md = render({ ...run, assumptions: [] }, "markdown", { ...report, violations: [], mandatory: 0 });
    expect(md).toContain("**Policy:** no violations.\n\n**Could not be evaluated at preview: 1**");
    expect(md).toContain("| `shared` · `index.ts:7` |");
    expect(md).not.toContain("Assumptions");
    // Without policies, the assumptions still show.
    expect(render(run, "markdown")).toContain("<b>Assumptions: 1</b>");
});

test("text: two lines per finding, level and policy on the first, within the width", () => {
    const lines = policyText(run, report, { sarifRoot: ROOT }, 60);
    expect(lines.slice(0, 8)).toEqual([
        "Policy violations: 4 (1 mandatory)",
        "",
        "shared  aws:kms/key:Key  infra/index.ts:7",
        "  mandatory  aws-kms-key-disallow-wildcard-principal",
        '             Principal "*" with kms:* | no condition.',
        "  advisory   aws-kms-key-require-description",
        "             This KMS key has no description.",
        "",
    ]);
    expect(lines).toContain("(stack) acme/dev");
    expect(lines.join("\n")).toContain("\nCould not be evaluated at preview: 1 (a value the rule reads\nis unknown until the resources exist)\n");
    expect(lines.slice(-4)).toEqual([
        "  advisory   aws-kms-key-require-key-policy",
        "             shared (aws:kms/key:Key) at infra/index.ts:7:",
        "             policy: the string value at policy is unknown",
        "             until the resources it depends on are created",
    ]);
    const text = render(run, "text", report);
    expect(text).toContain("Assumptions: 1 (what the offline run used in place of the clouds)\n  invoke  aws:index/getCallerIdentity:getCallerIdentity\n          account 111122223333");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    // Not a TTY: 100 columns.
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
});

test("json: notEvaluated next to policyViolations, assumptions, resource sources relative to the root", () => {
    const out = JSON.parse(render(run, "json", report, { sarifRoot: ROOT }));
    expect(out.resources[0].source).toEqual({ file: "infra/index.ts", line: 7, column: 1 });
    expect(out.resources[1]).not.toHaveProperty("source");
    expect(out.notEvaluated).toEqual([{ policy: "aws-kms-key-require-key-policy", pack: "keyfabric-key-management", enforcementLevel: "advisory", urn: key.urn, property: "policy", reason: report.notEvaluated[0].reason }]);
    expect(out.policyViolations).toHaveLength(4);
    expect(out.assumptions).toEqual(run.assumptions);
    expect(JSON.parse(render(run, "json")).resources[0].source.file).toBe("index.ts");
});
