/**
 * `--policy-pack-config` validated as the Pulumi engine validates it (pkg/resource/analyzer/config.go), before the
 * pack analyzes anything: exact messages for bad configs, every preset accepted, and a valid override that changes
 * what the pack reports.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PolicyResourceInput, runPolicyPack } from "../../sdk/policy/analyzer";
import { PackConfig, PackSchema, readPackConfig, reconcilePackConfig } from "../../sdk/policy/config";
import { rules } from "../../policy-packs/key-management/rules";

const root = path.join(__dirname, "..", "..");
const PRESETS = path.join(root, "policy-packs", "key-management", "presets");
/** The compiled pack (`npm run build`), which starts in under a second; the same rules and presets. */
const COMPILED_PACK = path.join(root, "lib", "policy-packs", "key-management");
const { version } = require(path.join(root, "policy-packs", "key-management", "package.json"));
const PACK = `keyfabric-key-management ${version}`;

/** What GetAnalyzerInfo tells about the pack, from its rules (checked against the running pack below). */
const pack: PackSchema = {
    name: "keyfabric-key-management",
    version,
    supportsConfig: true,
    policies: rules.map((r) => ({ name: r.name, enforcementLevel: r.enforcementLevel ?? "advisory", ...(r.configSchema ? { configSchema: r.configSchema as any } : {}) })),
};

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-"))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
};
/** The message a config file is refused with, `<file>` standing for its path; undefined when it is accepted. */
function refusal(file: string, run = () => reconcilePackConfig(pack, readPackConfig(file))): string | undefined {
    try {
        run();
        return undefined;
    } catch (e) {
        return file ? (e as Error).message.split(file).join("<file>") : (e as Error).message;
    }
}

const ROTATION = "aws-kms-key-configure-rotation-period";
const LEVELS = "allowed: advisory, mandatory, remediate, disabled";
const head = `policy pack config <file> for ${PACK}`;

test.each<[string, string, string]>([
    ["an unknown policy (a typo)", `{"aws-kms-key-configure-rotation-periods": "mandatory"}`, `${head}: aws-kms-key-configure-rotation-periods: unknown policy (allowed: the ${rules.length} policies of ${PACK}, and "all"; did you mean "${ROTATION}"?)`],
    ["an unknown policy", `{"no-such-policy": {"maxRotationDays": 90}}`, `${head}: no-such-policy: unknown policy (allowed: the ${rules.length} policies of ${PACK}, and "all")`],
    ["a property of the wrong type", `{"${ROTATION}": {"maxRotationDays": "abc"}}`, `${head}: ${ROTATION}: maxRotationDays: Invalid type. Expected: integer, given: string (allowed: integer 90-2560, got: "abc")`],
    ["a fraction for an integer", `{"${ROTATION}": {"maxRotationDays": 120.5}}`, `${head}: ${ROTATION}: maxRotationDays: Invalid type. Expected: integer, given: number (allowed: integer 90-2560, got: 120.5)`],
    ["a value below the minimum", `{"${ROTATION}": {"maxRotationDays": 30}}`, `${head}: ${ROTATION}: maxRotationDays: Must be greater than or equal to 90 (allowed: integer 90-2560, got: 30)`],
    ["a value above the maximum", `{"${ROTATION}": {"enforcementLevel": "mandatory", "maxRotationDays": 3000}}`, `${head}: ${ROTATION}: maxRotationDays: Must be less than or equal to 2560 (allowed: integer 90-2560, got: 3000)`],
    ["a value not in the enum", `{"aws-kms-key-limit-rsa-key-size": {"minRsaBits": 1024}}`, `${head}: aws-kms-key-limit-rsa-key-size: minRsaBits: minRsaBits must be one of the following: 2048, 3072, 4096 (got: 1024)`],
    ["a bad array item", `{"gcp-kms-cryptokey-require-labels": {"requiredLabels": ["owner", "Cost-Centre"]}}`, `${head}: gcp-kms-cryptokey-require-labels: requiredLabels.1: Does not match pattern '^[a-z][a-z0-9_-]{0,62}$' (allowed: string (matching ^[a-z][a-z0-9_-]{0,62}$), got: "Cost-Centre")`],
    ["an unknown level", `{"aws-kms-key-enable-key": "strict"}`, `${head}: parsing enforcement level for "aws-kms-key-enable-key": "strict" is not a valid enforcement level (${LEVELS})`],
    ["an unknown enforcementLevel", `{"${ROTATION}": {"enforcementLevel": "warn", "maxRotationDays": 180}}`, `${head}: parsing enforcement level for "${ROTATION}": "warn" is not a valid enforcement level (${LEVELS})`],
    ["an enforcementLevel that is not a string", `{"${ROTATION}": {"enforcementLevel": 1}}`, `${head}: parsing enforcement level for "${ROTATION}": 1 is not a valid enforcement level; must be a string (${LEVELS})`],
    ["an entry neither a level nor an object", `{"aws-kms-key-enable-key": true}`, `${head}: parsing "aws-kms-key-enable-key": true is not a valid value; must be a string or object (allowed: an enforcement level, or an object of enforcementLevel and properties)`],
    ["a bad level for all", `{"all": "mandatroy"}`, `${head}: parsing enforcement level for "all": "mandatroy" is not a valid enforcement level (${LEVELS})`],
    ["properties for all", `{"all": {"enforcementLevel": "mandatory", "maxRotationDays": 90}}`, `${head}: all: only an enforcement level applies to every policy (got properties: maxRotationDays; set them on each policy)`],
    ["ESC environments", `{"environments": ["acme/policy-config"]}`, `${head}: environments: ESC environments are not supported by keyfabric (the engine, too, refuses them on a backend without ESC; got: ["acme/policy-config"])`],
    ["a file that is not an object", `["aws-kms-key-enable-key"]`, `policy pack config <file>: must be a JSON object of policy names (got: array)`],
    ["invalid JSON", `{\n  "all": "mandatory",\n}`, `policy pack config <file>: is not valid JSON: Expected double-quoted property name in JSON at position 24 (line 3, column 1)`],
    [
        "several problems, all reported, sorted by policy",
        `{"no-such-policy": "advisory", "${ROTATION}": {"maxRotationDays": "abc"}, "aws-kms-key-require-tags": {"requiredTags": ["", 5]}}`,
        [
            `${head}: 4 problems`,
            `  - aws-kms-key-configure-rotation-period: maxRotationDays: Invalid type. Expected: integer, given: string (allowed: integer 90-2560, got: "abc")`,
            `  - aws-kms-key-require-tags: requiredTags.0: String length must be greater than or equal to 1 (allowed: string (at least 1 character), got: "")`,
            `  - aws-kms-key-require-tags: requiredTags.1: Invalid type. Expected: string, given: integer (allowed: string (at least 1 character), got: 5)`,
            `  - no-such-policy: unknown policy (allowed: the ${rules.length} policies of ${PACK}, and "all")`,
        ].join("\n"),
    ],
])("refuses %s", (name, text, message) => {
    expect(refusal(write(`${name.replace(/\W+/g, "-")}.json`, text))).toBe(message);
});

test("refuses a missing file", () => {
    const file = path.join(dir, "missing.json");
    expect(refusal(file)).toBe("policy pack config <file>: no such file");
});

test("a required property with no default must be given (the engine validates the merged config)", () => {
    const custom: PackSchema = { name: "custom", version: "1.2.3", supportsConfig: true, policies: [{ name: "p", enforcementLevel: "advisory", configSchema: { properties: { owner: { type: "string", minLength: 1 } }, required: ["owner"] } }] };
    expect(refusal("", () => reconcilePackConfig(custom, {}))).toBe(`policy pack config for custom 1.2.3: p: owner is required (allowed: string (at least 1 character), got: nothing)`);
    expect(reconcilePackConfig(custom, { p: { owner: "team-a" } }).get("p")).toEqual({ level: "advisory", properties: { owner: "team-a" } });
});

test.each(fs.readdirSync(PRESETS).filter((f) => f.endsWith(".json")))("accepts the preset %s", (file) => {
    const config = readPackConfig(path.join(PRESETS, file));
    const result = reconcilePackConfig(pack, config);
    for (const [name, value] of Object.entries(config)) {
        const { enforcementLevel, ...props } = typeof value === "string" ? { enforcementLevel: value } : value;
        expect(result.get(name)).toEqual({ level: enforcementLevel ?? pack.policies.find((p) => p.name === name)!.enforcementLevel, properties: expect.objectContaining(props) });
    }
});

test("an empty file, null and {} are no config; defaults fill in; all sets every level below a policy's own entry", () => {
    for (const text of ["", " \n", "null", "{}"]) {
        expect(reconcilePackConfig(pack, readPackConfig(write("empty.json", text))).get(ROTATION)).toEqual({ level: "advisory", properties: { maxRotationDays: 365 } });
    }
    const result = reconcilePackConfig(pack, { all: "disabled", [ROTATION]: { enforcementLevel: "mandatory", maxRotationDays: 180 } } as PackConfig);
    expect(result.get(ROTATION)).toEqual({ level: "mandatory", properties: { maxRotationDays: 180 } });
    expect([...result.values()].filter((e) => e.level !== "disabled")).toHaveLength(1);
    // Unknown properties of a known policy pass, as in the engine: the schema allows them, the policy sees them.
    expect(reconcilePackConfig(pack, { [ROTATION]: { note: "x" } } as PackConfig).get(ROTATION)!.properties).toEqual({ maxRotationDays: 365, note: "x" });
});

describe("through the running pack", () => {
    const key: PolicyResourceInput = {
        urn: "urn:pulumi:dev::p::aws:kms/key:Key::rotated",
        type: "aws:kms/key:Key",
        name: "rotated",
        props: { description: "d", enableKeyRotation: true, rotationPeriodInDays: 200, deletionWindowInDays: 30 },
    };
    const rotation = (r: { violations: { policy: string; enforcementLevel: string }[] }) => r.violations.filter((v) => v.policy === ROTATION).map((v) => v.enforcementLevel);

    test("a valid override changes what the pack reports, and configuredLevel is the level sent", async () => {
        const file = write("override.json", JSON.stringify({ [ROTATION]: { enforcementLevel: "mandatory", maxRotationDays: 180 } }));
        const [plain, overridden] = await Promise.all([runPolicyPack(COMPILED_PACK, [key]), runPolicyPack(COMPILED_PACK, [key], { config: readPackConfig(file) })]);
        expect(rotation(plain)).toEqual([]); // 200 days is within the default 365
        expect(rotation(overridden)).toEqual(["mandatory"]);
        const info = overridden.policies.find((p) => p.name === ROTATION)!;
        expect([info.enforcementLevel, info.configuredLevel]).toEqual(["advisory", "mandatory"]);
        expect(plain.policies.every((p) => p.configuredLevel === p.enforcementLevel)).toBe(true);
    });

    test("every preset is accepted by the pack, with the levels it sets", async () => {
        const files = fs.readdirSync(PRESETS).filter((f) => f.endsWith(".json"));
        const runs = await Promise.all(files.map((f) => runPolicyPack(COMPILED_PACK, [], { config: readPackConfig(path.join(PRESETS, f)) })));
        runs.forEach((run, i) => {
            const preset = JSON.parse(fs.readFileSync(path.join(PRESETS, files[i]), "utf8"));
            for (const [name, value] of Object.entries<any>(preset)) {
                expect(run.policies.find((p) => p.name === name)?.configuredLevel).toBe(typeof value === "string" ? value : value.enforcementLevel);
            }
        });
    });

    test("a bad config is refused after GetAnalyzerInfo, with the same problems as from the rules' schemas", async () => {
        const file = write("bad.json", JSON.stringify({ [ROTATION]: { maxRotationDays: 30 }, "aws-kms-key-limit-key-spec": { allowedKeySpecs: ["RSA_2048", "RSA_2048"] }, nope: "mandatory" }));
        const expected = refusal(file);
        expect(expected).toMatch(/^policy pack config <file> for keyfabric-key-management \S+: 3 problems\n/);
        await expect(runPolicyPack(COMPILED_PACK, [key], { config: readPackConfig(file) }).catch((e: Error) => Promise.reject(new Error(e.message.split(file).join("<file>"))))).rejects.toThrow(expected!);
    });
});
