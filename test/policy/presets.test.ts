import * as fs from "fs";
import * as path from "path";
import { rules } from "../../policy-packs/key-management/rules";

const dir = path.join(__dirname, "../../policy-packs/key-management/presets");
const presets = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];

test("the four presets exist", () => {
    expect(presets.sort()).toEqual(["baseline.json", "cis.json", "pci-dss-4.json", "strict-hsm.json"]);
});

/** Checks a value against a rule's JSON schema property (the subset the rules use). */
function fits(schema: any, value: unknown): boolean {
    if (schema.enum && !schema.enum.includes(value)) return false;
    if (schema.type === "number" || schema.type === "integer") {
        if (typeof value !== "number" || (schema.type === "integer" && !Number.isInteger(value))) return false;
        if (schema.minimum !== undefined && value < schema.minimum) return false;
        if (schema.maximum !== undefined && value > schema.maximum) return false;
    }
    if (schema.type === "boolean" && typeof value !== "boolean") return false;
    if (schema.type === "string" && typeof value !== "string") return false;
    if (schema.type === "array" && !Array.isArray(value)) return false;
    return true;
}

test.each(presets)("%s names real rules, levels and in-bounds config only", (file) => {
    const preset = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const problems: string[] = [];
    for (const [name, value] of Object.entries<any>(preset)) {
        const rule = rules.find((r) => r.name === name);
        if (!rule) {
            problems.push(`${name}: no such rule`);
            continue;
        }
        const level = typeof value === "string" ? value : value.enforcementLevel;
        if (level !== undefined && !LEVELS.includes(level)) problems.push(`${name}: bad level ${level}`);
        if (typeof value === "object") {
            for (const [k, v] of Object.entries(value)) {
                if (k === "enforcementLevel") continue;
                const schema = rule.configSchema?.properties?.[k];
                if (!schema) problems.push(`${name}.${k}: not in the rule's config schema`);
                else if (!fits(schema, v)) problems.push(`${name}.${k}: ${JSON.stringify(v)} is out of bounds`);
            }
        }
    }
    expect(problems).toEqual([]);
});

test("the critical rules are mandatory in every preset", () => {
    for (const file of presets) {
        const preset = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
        for (const name of ["aws-kms-externalkey-disallow-plaintext-material", "aws-kms-key-disallow-wildcard-principal", "gcp-kms-cryptokeyiammember-disallow-public-access"]) {
            expect([file, preset[name]]).toEqual([file, "mandatory"]);
        }
    }
});
