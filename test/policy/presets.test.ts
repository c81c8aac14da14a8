/**
 * The presets, control by control: each row of lib/presets.ts (the README's preset tables) is what the engine applies
 * when it reads presets/<name>.json, the JSON files and the README tables are generated from those rows, and the
 * values are those of the controls they cite (a few controls checked against resources).
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel } from "@pulumi/policy";
import { presetConfig, presetJson, presetTables, PRESETS_END, PRESETS_START, presetValue } from "../../policy-packs/key-management/lib/docs";
import { CONSUMER_RULES, PRESETS } from "../../policy-packs/key-management/lib/presets";
import type { KeyfabricResourceRule, KeyfabricRule } from "../../policy-packs/key-management/lib/rule";
import { rules } from "../../policy-packs/key-management/rules";
import { readPackConfig } from "../../sdk/policy/analyzer";
import { checkResource, TestResource } from "./harness";

const dir = path.join(__dirname, "../../policy-packs/key-management/presets");
const presets = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];
const ruleNamed = (name: string) => rules.find((r) => r.name === name);
const CRITICAL = ["aws-kms-externalkey-disallow-plaintext-material", "aws-kms-key-disallow-wildcard-principal", "gcp-kms-cryptokeyiammember-disallow-public-access", "aws-kms-key-disallow-bypass-policy-lockout"];

/** What the engine applies to `rule` under `preset`: the file's level, else the rule's; the file's config over the schema defaults. */
function effective(preset: string, rule: KeyfabricRule): { level: EnforcementLevel; config: Record<string, unknown> } {
    const entry = readPackConfig(path.join(dir, `${preset}.json`))[rule.name] as string | Record<string, unknown> | undefined;
    const defaults = Object.fromEntries(Object.entries(rule.configSchema?.properties ?? {}).map(([k, v]: [string, any]) => [k, v.default]));
    const own = rule.enforcementLevel ?? "advisory";
    if (entry === undefined) return { level: own, config: defaults };
    if (typeof entry === "string") return { level: entry as EnforcementLevel, config: defaults };
    const { enforcementLevel, ...config } = entry;
    return { level: (enforcementLevel as EnforcementLevel | undefined) ?? own, config: { ...defaults, ...config } };
}

/** The mandatory violations `resource` gets from the pack's resource rules under `preset`, as [rule, message]. */
async function mandatoryUnder(preset: string, resource: TestResource): Promise<string[][]> {
    const out: string[][] = [];
    for (const rule of rules.filter((r): r is KeyfabricResourceRule => "validateResource" in r)) {
        const { level, config } = effective(preset, rule);
        if (level !== "mandatory") continue;
        for (const v of (await checkResource(rule, resource, config)).violations) out.push([rule.name, v.message]);
    }
    return out;
}

test("the four presets exist, one file per preset of lib/presets.ts", () => {
    expect(presets.sort()).toEqual(["baseline.json", "cis.json", "pci-dss-4.json", "strict-hsm.json"]);
    expect(PRESETS.map((p) => `${p.name}.json`).sort()).toEqual(presets);
});

test.each(PRESETS.map((p) => [p.name, p] as const))("presets/%s.json is generated from its rows (npm run docs:policies)", (name, preset) => {
    expect(fs.readFileSync(path.join(dir, `${name}.json`), "utf8")).toBe(presetJson(preset));
});

test("the README's preset tables are generated from the same rows", () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    expect(readme.slice(readme.indexOf(PRESETS_START), readme.indexOf(PRESETS_END) + PRESETS_END.length)).toBe(presetTables(PRESETS, rules));
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
        const rule = ruleNamed(name);
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

describe.each(PRESETS.map((p) => [p.name, p] as const))("%s: every row of its table is what the engine applies", (name, preset) => {
    test.each(preset.rows.map((r, i) => [`${r.control} -> ${r.rules.join(", ")}: ${presetValue(r, rules)}`, i] as const))("%s", (_label, i) => {
        const row = preset.rows[i];
        const file = readPackConfig(path.join(dir, `${name}.json`));
        for (const ruleName of row.rules) {
            const rule = ruleNamed(ruleName);
            expect([ruleName, rule !== undefined]).toEqual([ruleName, true]);
            const got = effective(name, rule!);
            expect([ruleName, got.level]).toEqual([ruleName, row.level ?? rule!.enforcementLevel]);
            for (const [k, v] of Object.entries(row.config ?? {})) expect([ruleName, k, got.config[k]]).toEqual([ruleName, k, v]);
            for (const k of row.defaults ?? []) {
                // Relied on, never written: the rule's default applies, and it is the one the table shows.
                const entry = file[ruleName];
                expect([ruleName, k, typeof entry === "object" && entry !== null && k in entry]).toEqual([ruleName, k, false]);
                expect([ruleName, k, got.config[k]]).toEqual([ruleName, k, (rule!.configSchema!.properties as any)[k].default]);
                expect(presetValue(row, rules)).toContain(`\`${k}\` = ${JSON.stringify(got.config[k])} (default)`);
            }
        }
    });
});

test("rows of one preset never disagree, and a preset never lowers a rule that is mandatory by default", () => {
    for (const preset of PRESETS) {
        expect(() => presetConfig(preset)).not.toThrow();
        for (const rule of rules.filter((r) => r.enforcementLevel === "mandatory")) expect([preset.name, rule.name, effective(preset.name, rule).level]).toEqual([preset.name, rule.name, "mandatory"]);
    }
});

test("the critical rules are mandatory under every preset", () => {
    for (const preset of PRESETS) for (const name of CRITICAL) expect([preset.name, name, effective(preset.name, ruleNamed(name)!).level]).toEqual([preset.name, name, "mandatory"]);
});

describe("baseline: the scanners' consensus", () => {
    test("sets levels only: every bound is the rule's own default, so baseline and a pack without config judge alike", () => {
        const baseline = PRESETS.find((p) => p.name === "baseline")!;
        expect(baseline.rows.filter((r) => r.config !== undefined)).toEqual([]);
        expect(baseline.rows.filter((r) => r.level === "mandatory").flatMap((r) => r.rules).sort()).toEqual(
            [...CRITICAL, "gcp-kms-importedkeyversion-disallow-plaintext-material", "azure-keyvault-importedkey-disallow-plaintext-material"].sort(),
        );
    });
    test("the defaults are the consensus values: GCP rotation within 90 days (CKV_GCP_43), any soft-delete retention (CKV_AZURE_111), no private endpoint required", () => {
        expect(effective("baseline", ruleNamed("gcp-kms-cryptokey-configure-rotation-period")!).config.maxRotationDays).toBe(90);
        expect(effective("baseline", ruleNamed("azure-keyvault-vault-enable-soft-delete")!).config.minRetentionDays).toBe(7);
        expect(effective("baseline", ruleNamed("azure-keyvault-vault-limit-network-exposure")!).config).toMatchObject({ requirePublicNetworkAccessDisabled: true, requireDefaultDeny: true, requirePrivateEndpoint: false });
    });
});

describe("cis: the benchmarks as published", () => {
    test("Pulumi's langserve example (a key with rotation on at AWS's default period) passes: CIS AWS 3.6 asks that rotation be on, not a period", async () => {
        const langserve: TestResource = { type: "aws:kms/key:Key", props: { description: "KMS key for the langserve app", enableKeyRotation: true } };
        expect(await mandatoryUnder("cis", langserve)).toEqual([]);
        expect(await mandatoryUnder("cis", { ...langserve, props: { ...langserve.props, enableKeyRotation: false } })).toEqual([
            ["aws-kms-key-enable-key-rotation", "Automatic rotation is not enabled on this symmetric KMS key."],
        ]);
    });
    test("CIS GCP 1.10: a Cloud KMS key rotating every 365 days fails, every 90 days passes", async () => {
        const key = (rotationPeriod: string): TestResource => ({ type: "gcp:kms/cryptoKey:CryptoKey", props: { keyRing: "projects/p/locations/l/keyRings/r", name: "k", rotationPeriod, labels: { "keyfabric-owner": "o", "keyfabric-classification": "internal" } }, protect: true });
        expect(await mandatoryUnder("cis", key("31536000s"))).toEqual([["gcp-kms-cryptokey-configure-rotation-period", "This Cloud KMS key rotates every 365 days; at most 90 days allowed."]]);
        expect(await mandatoryUnder("cis", key("7776000s"))).toEqual([]);
    });
    test("CIS Azure 8.5: a vault with soft delete (7 days, Azure's minimum) and purge protection is recoverable", async () => {
        const vault: TestResource = { type: "azure:keyvault/keyVault:KeyVault", props: { name: "acme", tenantId: "t", skuName: "premium", softDeleteRetentionDays: 7, purgeProtectionEnabled: true, rbacAuthorizationEnabled: true } };
        expect(await mandatoryUnder("cis", vault)).toEqual([]);
        expect(await mandatoryUnder("cis", { ...vault, props: { ...vault.props, purgeProtectionEnabled: false } })).toEqual([["azure-keyvault-vault-enable-purge-protection", "Purge protection is not enabled on this Key Vault."]]);
    });
    test("only CIS controls are made mandatory beyond the pack's own critical rules; Manual recommendations stay advisory", () => {
        const cis = PRESETS.find((p) => p.name === "cis")!;
        for (const row of cis.rows) {
            expect(row.control).toMatch(/^(AWS|GCP|Azure) [\d.]+(, [\d.]+)? \(L[12], (Automated|Manual)\)$/);
            expect([row.control, row.level]).toEqual([row.control, row.control.endsWith("Automated)") ? "mandatory" : "advisory"]);
        }
    });
});

describe("pci-dss-4: requirements 3.6 and 3.7 of PCI DSS 4.0.1", () => {
    const gcpKey = (rotationPeriod?: string): TestResource => ({ type: "gcp:kms/cryptoKey:CryptoKey", props: { keyRing: "projects/p/locations/l/keyRings/r", name: "k", ...(rotationPeriod ? { rotationPeriod } : {}) }, protect: true });
    test("3.7.4: the cryptoperiod is the key owner's: any period passes, no rotation fails", async () => {
        expect(await mandatoryUnder("pci-dss-4", gcpKey(`${400 * 86400}s`))).toEqual([]);
        expect(await mandatoryUnder("pci-dss-4", gcpKey())).toEqual([["gcp-kms-cryptokey-configure-rotation-period", "Automatic rotation is not configured on this Cloud KMS encryption key."]]);
    });
    test("3.7.1: strong cryptography is RSA 2048 and up; 3.6.1.2: HSM protection is not required (a KMS that employs SCDs is acceptable)", async () => {
        const rsa = (bits: number): TestResource => ({ type: "aws:kms/key:Key", props: { description: "d", customerMasterKeySpec: `RSA_${bits}`, keyUsage: "SIGN_VERIFY" } });
        expect(await mandatoryUnder("pci-dss-4", rsa(2048))).toEqual([]);
        const software: TestResource = { ...gcpKey("7776000s"), props: { ...gcpKey("7776000s").props, versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" } } };
        expect(await mandatoryUnder("pci-dss-4", software)).toEqual([]);
    });
    test("every row cites a requirement of 3.6 or 3.7", () => {
        for (const row of PRESETS.find((p) => p.name === "pci-dss-4")!.rows) expect(row.control).toMatch(/^3\.[67]\.\d+(\.\d+)?$/);
    });
});

describe("strict-hsm: the strictest", () => {
    test("every rule of the pack is mandatory, the 27 key-consumer rules and the classification rule included", () => {
        expect(rules.filter((r) => effective("strict-hsm", r).level !== "mandatory").map((r) => r.name)).toEqual([]);
        expect([CONSUMER_RULES.aws.length, CONSUMER_RULES.gcp.length, CONSUMER_RULES.azure.length]).toEqual([14, 8, 5]);
        expect(rules.filter((r) => r.name.endsWith("-require-customer-managed-key")).map((r) => r.name).sort()).toEqual([...CONSUMER_RULES.aws, ...CONSUMER_RULES.gcp, ...CONSUMER_RULES.azure].sort());
        expect(effective("strict-hsm", ruleNamed("azure-containerservice-cluster-require-customer-managed-key")!).config.requireKmsEtcdEncryption).toBe(true);
        expect(effective("strict-hsm", ruleNamed("keyfabric-hierarchy-enforce-key-classification")!).level).toBe("mandatory");
    });
    test("HSM protection everywhere: a software Cloud KMS key is a mandatory violation", async () => {
        const key: TestResource = { type: "gcp:kms/cryptoKey:CryptoKey", props: { keyRing: "projects/p/locations/l/keyRings/r", name: "k", rotationPeriod: "7776000s", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" }, labels: { "keyfabric-owner": "o", "keyfabric-classification": "internal" } }, protect: true };
        expect((await mandatoryUnder("strict-hsm", key)).map(([r]) => r)).toEqual(["gcp-kms-cryptokey-require-hsm-protection"]);
    });
    test("no bound of cis or pci-dss-4 is stricter than strict-hsm's", () => {
        for (const rule of rules) {
            const strict = effective("strict-hsm", rule).config;
            for (const other of ["cis", "pci-dss-4", "baseline"]) {
                const c = effective(other, rule).config;
                for (const [k, schema] of Object.entries<any>(rule.configSchema?.properties ?? {})) {
                    if (schema.type !== "integer") continue;
                    const stricter = /^max/.test(k) ? (c[k] as number) < (strict[k] as number) : /^min/.test(k) ? (c[k] as number) > (strict[k] as number) : false;
                    expect([rule.name, k, other, stricter]).toEqual([rule.name, k, other, false]);
                }
            }
        }
    });
});
