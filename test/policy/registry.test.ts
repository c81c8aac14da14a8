import * as fs from "fs";
import * as path from "path";
import { policyTable, TABLE_END, TABLE_START } from "../../policy-packs/key-management/lib/docs";
import { NAME_RE } from "../../policy-packs/key-management/lib/rule";
import { rules } from "../../policy-packs/key-management/rules";

const REQUIRED = [
    "aws-kms-key-enable-key-rotation",
    "aws-kms-key-disallow-wildcard-principal",
    "aws-kms-key-configure-deletion-window",
    "aws-kms-externalkey-disallow-plaintext-material",
    "gcp-kms-cryptokey-configure-rotation-period",
    "gcp-kms-cryptokeyiammember-disallow-public-access",
    "azure-keyvault-vault-enable-purge-protection",
    "azure-keyvault-key-configure-expiry",
    "keyfabric-hierarchy-enforce-consistent-cryptoperiod",
    "keyfabric-hierarchy-enforce-separation-of-duties",
    "keyfabric-hierarchy-enforce-residency",
];

test("the required rules exist", () => {
    const names = rules.map((r) => r.name);
    expect(REQUIRED.filter((n) => !names.includes(n))).toEqual([]);
});

test("names are unique and well-formed, and match their files", () => {
    const names = rules.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => !NAME_RE.test(n))).toEqual([]);
    const files = fs.readdirSync(path.join(__dirname, "../../policy-packs/key-management/rules")).filter((f) => f !== "index.ts").map((f) => f.replace(/\.ts$/, ""));
    expect(files.sort()).toEqual([...names].sort());
});

test.each(rules.map((r) => [r.name, r] as const))("%s: complete metadata", (_n, r) => {
    expect(r.description).toMatch(/^[A-Z].+\.$/);
    expect(r.meta.remediation).toMatch(/^[A-Z].+\.$/);
    expect(r.meta.frameworks.length).toBeGreaterThan(0);
    expect(r.meta.catalogueRows.length).toBeGreaterThan(0);
    expect(["low", "medium", "high", "critical"]).toContain(r.severity);
    expect(["advisory", "mandatory", "disabled", "remediate"]).toContain(r.enforcementLevel);
    for (const [k, v] of Object.entries(r.configSchema?.properties ?? {}) as [string, any][]) {
        expect([k, "default" in v]).toEqual([k, true]);
    }
    // Every rule has its own test file.
    expect(fs.existsSync(path.join(__dirname, `${r.name}.test.ts`))).toBe(true);
});

test("critical rules are mandatory by default; the README documents every rule", () => {
    const mandatory = rules.filter((r) => r.enforcementLevel === "mandatory").map((r) => r.name);
    expect(mandatory).toEqual(expect.arrayContaining(["aws-kms-externalkey-disallow-plaintext-material", "aws-kms-key-disallow-wildcard-principal", "gcp-kms-cryptokeyiammember-disallow-public-access"]));
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    const table = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(table).toBe(policyTable(rules));
});
