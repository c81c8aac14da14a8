/**
 * SARIF for GitHub code scanning, from hand-built runs and reports (no program, no policy pack): valid against the
 * OASIS SARIF 2.1.0 schema, located where the program declares each resource, fingerprinted per rule and URN.
 */
import Ajv from "ajv";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { MockRun, RecordedResource, SourceLocation } from "../../sdk/preview/harness";
import type { NotEvaluated, PolicyReport } from "../../sdk/preview/policy";
import type { PolicyViolation } from "../../sdk/policy/analyzer";
import { render } from "../../sdk/preview/render";

/**
 * The OASIS schema (sarif-2.1/schema/sarif-schema-2.1.0.json of oasis-tcs/sarif-spec, errata 01) is draft-04, which
 * Ajv 8 does not read: its only draft-04 construct is the top-level `id`, so it is compiled as draft-07 with `$id`
 * (same meaning for every keyword it uses). Formats (uri, date-time) are not checked: ajv-formats is not a dependency.
 */
const schemaFile = path.join(__dirname, "..", "fixtures", "sarif", "sarif-schema-2.1.0.json");
const { id, $schema: _draft04, ...schemaBody } = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile({ $schema: "http://json-schema.org/draft-07/schema#", $id: id, ...schemaBody });

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const version = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;

const ROOT = path.resolve("/repo");
const PROJECT = path.join(ROOT, "infra");
const STACK_URN = "urn:pulumi:dev::acme::pulumi:pulumi:Stack::acme-dev";
const urn = (type: string, name: string, parentType?: string) => `urn:pulumi:dev::acme::${parentType ? `${parentType}$` : ""}${type}::${name}`;

const at = (file: string, line: number, column = 1): SourceLocation => ({ file: path.join(PROJECT, file), line, column });
const resource = (type: string, name: string, source?: SourceLocation, parent = STACK_URN, parentType?: string): RecordedResource => ({
    urn: urn(type, name, parentType),
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
    ...(source ? { source } : {}),
});

const KEY = "aws:kms/key:Key";
function fixture(cardDataLine = 12) {
    const cardData = resource(KEY, "card-data", at("index.ts", cardDataLine, 5));
    const receipts = resource(KEY, "receipts", at("lib/keys.ts", 30, 9));
    // A grant registered by library code: no declaration of its own, so its parent's.
    const grant = resource("aws:kms/grant:Grant", "card-data-grant", undefined, cardData.urn, KEY);
    const orphan = resource("gcp:kms/keyRing:KeyRing", "ring");
    const run: MockRun = {
        resources: [cardData, receipts, grant, orphan],
        calls: [],
        outputs: {},
        project: "acme",
        stack: "dev",
        mode: "preview",
        assumptions: [],
        programPath: "index.ts",
        projectDir: PROJECT,
    };
    const violation = (policy: string, enforcementLevel: "mandatory" | "advisory", on: string, message: string, severity: string): PolicyViolation => ({
        policy,
        pack: "keyfabric-key-management",
        enforcementLevel,
        urn: on,
        description: `${policy} description.`,
        message: `${policy} description.\n${message}`,
        severity,
    });
    const violations = [
        violation("aws-kms-key-require-description", "advisory", cardData.urn, "This KMS key has no description.", "low"),
        violation("aws-kms-key-require-description", "advisory", receipts.urn, "This KMS key has no description.", "low"),
        violation("aws-kms-key-disallow-wildcard-principal", "mandatory", receipts.urn, 'The key policy allows every principal ("*").', "critical"),
        violation("aws-kms-grant-limit-to-aws-services", "advisory", grant.urn, "This grant allows its grantee to create grants.", "medium"),
        violation("gcp-kms-cryptokey-require-deletion-protection", "advisory", orphan.urn, "This key ring is not protected.", "high"),
        violation("keyfabric-hierarchy-enforce-residency", "advisory", "", "A key is outside its domain's regions.", "high"),
    ];
    const notEvaluated: NotEvaluated[] = [
        {
            policy: "aws-kms-key-disallow-wildcard-principal",
            pack: "keyfabric-key-management",
            enforcementLevel: "mandatory",
            urn: cardData.urn,
            property: "policy",
            reason: "the string value at policy is unknown until the resources it depends on are created",
        },
    ];
    const names = [...new Set(violations.map((v) => v.policy))];
    const report: PolicyReport = {
        packs: [
            {
                pack: "keyfabric-key-management",
                version: "0.1.0",
                policies: [
                    ...names.map((name) => {
                        const v = violations.find((x) => x.policy === name)!;
                        return { name, description: v.description, enforcementLevel: v.enforcementLevel, configuredLevel: v.enforcementLevel, severity: v.severity };
                    }),
                    // No violation; made mandatory by the pack config of this run.
                    { name: "aws-kms-key-enable-key-rotation", description: "Keys rotate. More text.", enforcementLevel: "advisory", configuredLevel: "mandatory", severity: "medium" },
                ],
                violations,
            },
        ],
        violations,
        notEvaluated,
        mandatory: 1,
    };
    return { run, report, cardData, receipts, grant, orphan };
}

const sarifOf = (run: MockRun, report: PolicyReport | undefined, options: { sarifRoot?: string } = { sarifRoot: ROOT }) => JSON.parse(render(run, "sarif", report, options));

test("validates against the OASIS SARIF 2.1.0 schema with no errors", () => {
    const { run, report } = fixture();
    expect(validate(sarifOf(run, report))).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(validate(sarifOf(run, undefined))).toBe(true);
    expect(validate(sarifOf({ ...run, projectDir: undefined }, report, {}))).toBe(true);
    // The schema is in force: a region needs a start line (or offset).
    expect(validate({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, results: [{ message: { text: "m" }, locations: [{ physicalLocation: { artifactLocation: { uri: "a" }, region: { startColumn: 2 } } }] }] }] })).toBe(false);
});

test("the fields GitHub code scanning reads", () => {
    const { run, report, cardData, receipts } = fixture();
    const log = sarifOf(run, report);
    const r = log.runs[0];
    expect(r.tool.driver).toMatchObject({ name: "keyfabric", version, semanticVersion: version });
    expect(r.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: "file:///repo/" } });

    const [first, second, wildcard] = r.results;
    expect(first).toMatchObject({
        ruleId: "aws-kms-key-require-description",
        level: "warning",
        message: { text: "card-data (aws:kms/key:Key): This KMS key has no description." },
        partialFingerprints: { "keyfabric/v1": sha256(`aws-kms-key-require-description\u0000${cardData.urn}`) },
    });
    expect(first.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "infra/index.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 12, startColumn: 5 } });
    expect(first.locations[0].logicalLocations).toEqual([{ name: "card-data", fullyQualifiedName: cardData.urn, kind: "resource" }]);
    expect(r.tool.driver.rules[first.ruleIndex].id).toBe("aws-kms-key-require-description");

    // Two resources, one rule: two alerts.
    expect(second.ruleId).toBe(first.ruleId);
    expect(second.partialFingerprints["keyfabric/v1"]).toBe(sha256(`aws-kms-key-require-description\u0000${receipts.urn}`));
    expect(second.partialFingerprints["keyfabric/v1"]).not.toBe(first.partialFingerprints["keyfabric/v1"]);
    expect(second.locations[0].physicalLocation.artifactLocation.uri).toBe("infra/lib/keys.ts");
    expect(second.locations[0].physicalLocation.region.startLine).toBe(30);

    expect(wildcard).toMatchObject({ ruleId: "aws-kms-key-disallow-wildcard-principal", level: "error", kind: "fail" });
    expect(r.tool.driver.rules[wildcard.ruleIndex]).toMatchObject({
        id: "aws-kms-key-disallow-wildcard-principal",
        defaultConfiguration: { level: "error" },
        fullDescription: { text: "aws-kms-key-disallow-wildcard-principal description." },
        properties: { "security-severity": "9.5", tags: expect.arrayContaining(["security"]) },
    });
    expect(r.tool.driver.rules.find((rule: { id: string }) => rule.id === "aws-kms-key-enable-key-rotation")).toMatchObject({
        shortDescription: { text: "Keys rotate." },
        fullDescription: { text: "Keys rotate. More text." },
        defaultConfiguration: { level: "error" },
    });
    const severity = (id: string) => r.tool.driver.rules.find((rule: { id: string }) => rule.id === id).properties["security-severity"];
    expect(["aws-kms-key-disallow-wildcard-principal", "gcp-kms-cryptokey-require-deletion-protection", "aws-kms-grant-limit-to-aws-services", "aws-kms-key-require-description"].map(severity)).toEqual(["9.5", "8.0", "5.5", "3.0"]);
});

test("the same finding at another line keeps its fingerprint", () => {
    const a = sarifOf(fixture(12).run, fixture(12).report).runs[0].results[0];
    const b = sarifOf(fixture(40).run, fixture(40).report).runs[0].results[0];
    expect(b.locations[0].physicalLocation.region.startLine).toBe(40);
    expect(b.partialFingerprints).toEqual(a.partialFingerprints);
});

test("locations: a resource without a declaration takes its parent's; without either, or stack-level, the program entry", () => {
    const { run, report, grant, orphan } = fixture();
    const results = sarifOf(run, report).runs[0].results;
    const of = (u: string, policy: string) => results.find((x: { ruleId: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) => x.ruleId === policy && x.locations[0].logicalLocations[0].fullyQualifiedName === u);
    expect(of(grant.urn, "aws-kms-grant-limit-to-aws-services").locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "infra/index.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 12, startColumn: 5 } });
    expect(of(orphan.urn, "gcp-kms-cryptokey-require-deletion-protection").locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "infra/index.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 1 } });
    const stack = of("acme/dev", "keyfabric-hierarchy-enforce-residency");
    expect(stack.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "infra/index.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 1 } });
    expect(stack.partialFingerprints["keyfabric/v1"]).toBe(sha256("keyfabric-hierarchy-enforce-residency\u0000"));
    expect(stack.message.text).toBe("Stack acme/dev: A key is outside its domain's regions.");
});

test("URIs are relative to the project directory without sarifRoot; absolute file URIs outside the root", () => {
    const { run, report } = fixture();
    const log = sarifOf(run, report, {});
    expect(log.runs[0].originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: "file:///repo/infra/" } });
    expect(log.runs[0].results[1].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "lib/keys.ts", uriBaseId: "%SRCROOT%" });
    const outside = sarifOf(run, report, { sarifRoot: path.join(ROOT, "elsewhere") });
    expect(outside.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "file:///repo/infra/index.ts" });
    expect(validate(outside)).toBe(true);
});

test("not-evaluated rules are review results of their own rule, without a security severity", () => {
    const { run, report, cardData } = fixture();
    const r = sarifOf(run, report).runs[0];
    const review = r.results.filter((x: { kind: string }) => x.kind === "review");
    expect(review).toHaveLength(1);
    expect(review[0]).toMatchObject({
        ruleId: "aws-kms-key-disallow-wildcard-principal/not-evaluated",
        kind: "review",
        level: "none",
        message: {
            text: "card-data (aws:kms/key:Key): aws-kms-key-disallow-wildcard-principal could not be evaluated at preview: policy: the string value at policy is unknown until the resources it depends on are created",
        },
        partialFingerprints: { "keyfabric/v1": sha256(`aws-kms-key-disallow-wildcard-principal\u0000${cardData.urn}\u0000policy`) },
        properties: { policy: "aws-kms-key-disallow-wildcard-principal", property: "policy", enforcementLevel: "mandatory" },
    });
    expect(review[0].locations[0].physicalLocation.region).toEqual({ startLine: 12, startColumn: 5 });
    const rule = r.tool.driver.rules[review[0].ruleIndex];
    expect(rule.id).toBe("aws-kms-key-disallow-wildcard-principal/not-evaluated");
    expect(rule.defaultConfiguration).toEqual({ level: "none" });
    expect(rule.properties["security-severity"]).toBeUndefined();
    expect(rule.properties.tags).not.toContain("security");
    expect(r.tool.driver.rules[rule.relationships[0].target.index].id).toBe("aws-kms-key-disallow-wildcard-principal");
});

test("one rule reporting twice on one resource: the second fingerprint gets an occurrence suffix", () => {
    const { run, report, cardData } = fixture();
    const again = { ...report.violations[0], message: `${report.violations[0].description}\nAnother finding.` };
    const log = sarifOf(run, { ...report, violations: [...report.violations, again] });
    const prints = log.runs[0].results.filter((x: { ruleId: string }) => x.ruleId === "aws-kms-key-require-description").map((x: { partialFingerprints: Record<string, string> }) => x.partialFingerprints["keyfabric/v1"]);
    const base = sha256(`aws-kms-key-require-description\u0000${cardData.urn}`);
    expect(prints).toEqual([base, sha256(`aws-kms-key-require-description\u0000${fixture().receipts.urn}`), `${base}:2`]);
    expect(validate(log)).toBe(true);
});
