import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Every way `keyfabric preview` can be given something wrong, through the built CLI: exit 1, nothing on stdout, and
 * exactly this on stderr (one line, or a report that lists every problem), before any program output.
 */
const root = path.join(__dirname, "..", "..");
const bin = path.join(root, "bin", "keyfabric.js");
const sibling = "test/fixtures/programs/sibling-file";
let tmp: string;

function keyfabric(args: readonly string[]) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, PULUMI_CONFIG: "" }, timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(rel: string, text: string): string {
    const file = path.join(tmp, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
}

beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyfabric-errors-"));
    write("twostacks/Pulumi.yaml", "name: twostacks\nruntime: nodejs\n");
    write("twostacks/Pulumi.dev.yaml", "config: {}\n");
    write("twostacks/Pulumi.staging.yaml", "config: {}\n");
    write("nostacks/Pulumi.yaml", "name: nostacks\nruntime: nodejs\n");
    write("badyaml/Pulumi.yaml", "name: x\nruntime: nodejs\ndescription: a: b\n");
    write("badstack/Pulumi.yaml", "name: badstack\nruntime: nodejs\n");
    write("badstack/Pulumi.dev.yaml", "config:\n  aws:region: [eu-west-1\n");
    write("python/Pulumi.yaml", "name: py\nruntime: python\n");
    write("bomb/Pulumi.yaml", "name: bomb\nruntime: nodejs\n");
    const bomb = ["config:", "  a: &a [x,x,x,x,x,x,x,x,x,x]"];
    for (let i = 1; i <= 8; i++) bomb.push(`  l${i}: &l${i} [${Array(10).fill(i === 1 ? "*a" : `*l${i - 1}`).join(",")}]`);
    write("bomb/Pulumi.dev.yaml", bomb.join("\n") + "\n");
    write("noname/Pulumi.yaml", "runtime: nodejs\n");
    write("nomain/Pulumi.yaml", "name: nomain\nruntime: nodejs\nmain: src/\n");
    write("emptymain/Pulumi.yaml", "name: emptymain\nruntime: nodejs\nmain: src\n");
    fs.mkdirSync(path.join(tmp, "emptymain", "src"));
    write("cfg/bad.json", JSON.stringify({ "aws-kms-key-configure-rotation-period": { maxRotationDays: "abc" }, "aws-kms-key-configure-deletion-window": { minDeletionWindowDays: 3 }, "no-such-policy": "mandatory" }));
    write("cfg/level.json", JSON.stringify({ "aws-kms-key-enable-key-rotation": "strict" }));
    write("cfg/notjson.json", "{ nope");
    write("assume/list.yaml", "invokes: [1]\n");
    write("assume/bad.yaml", "invokes:\n  getCallerIdentity: { accountId: '1' }\n  aws:index/getRegion:getRegion: 3\nconfig:\n  dbPassword: x\nextra: 1\n");
});

const pack = () => {
    const n = fs.readdirSync(path.join(root, "policy-packs", "key-management", "rules")).filter((f) => /^(aws|gcp|azure|keyfabric)-.+\.ts$/.test(f)).length;
    return `the ${n} policies of keyfabric-key-management 0.1.0`;
};

const CASES: [string, () => string[], () => string][] = [
    ["a stack without a config file lists the stacks found", () => ["preview", `${tmp}/twostacks`, "--stack", "prod"], () => `error: stack prod: no Pulumi.prod.yaml in ${tmp}/twostacks (stacks with a config file here: dev, staging)`],
    ["a stack in a project with no stack files", () => ["preview", `${tmp}/nostacks`, "--stack", "prod"], () => `error: stack prod: no Pulumi.prod.yaml in ${tmp}/nostacks (no Pulumi.<stack>.yaml here)`],
    ["a directory that does not exist", () => ["preview", `${tmp}/missing`], () => `error: ${tmp}/missing: no such directory`],
    ["a file instead of the project directory", () => ["preview", `${tmp}/badyaml/Pulumi.yaml`], () => `error: ${tmp}/badyaml/Pulumi.yaml is a file: give the Pulumi project's directory`],
    ["no Pulumi.yaml", () => ["preview", "sdk"], () => `error: no Pulumi.yaml in ${root}/sdk`],
    ["invalid YAML in Pulumi.yaml names the file and line", () => ["preview", `${tmp}/badyaml`], () => `error: ${tmp}/badyaml/Pulumi.yaml: invalid YAML: Nested mappings are not allowed in compact mappings at line 3, column 14`],
    ["invalid YAML in the stack file names the file and line", () => ["preview", `${tmp}/badstack`], () => `error: ${tmp}/badstack/Pulumi.dev.yaml: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1`],
    ["a YAML alias bomb in the stack file is refused, not expanded", () => ["preview", `${tmp}/bomb`], () => `error: ${tmp}/bomb/Pulumi.dev.yaml: invalid YAML: Excessive alias count indicates a resource exhaustion attack`],
    ["a project of another language", () => ["preview", `${tmp}/python`], () => `error: ${tmp}/python/Pulumi.yaml: runtime must be nodejs for keyfabric preview (got: python)`],
    ["a project without a name", () => ["preview", `${tmp}/noname`], () => `error: ${tmp}/noname/Pulumi.yaml: name is required`],
    ["main that does not exist", () => ["preview", `${tmp}/nomain`], () => `error: ${path.relative(root, `${tmp}/nomain/src`)} (main in Pulumi.yaml): no such file or directory`],
    ["main, a directory with no program", () => ["preview", `${tmp}/emptymain`], () => `error: ${path.relative(root, `${tmp}/emptymain/src`)} (main in Pulumi.yaml): no program to run (expected an index.ts or index.js, or a package.json main, in that directory)`],
    [
        "pack config checked against each rule's schema, unknown names refused, every problem at once",
        () => ["preview", sibling, "--policy-pack-config", `${tmp}/cfg/bad.json`],
        () =>
            [
                `error: policy pack config ${tmp}/cfg/bad.json for keyfabric-key-management 0.1.0: 3 problems`,
                "  - aws-kms-key-configure-deletion-window: minDeletionWindowDays: Must be greater than or equal to 7 (allowed: integer 7-30, got: 3)",
                '  - aws-kms-key-configure-rotation-period: maxRotationDays: Invalid type. Expected: integer, given: string (allowed: integer 90-2560, got: "abc")',
                `  - no-such-policy: unknown policy (allowed: ${pack()}, and "all")`,
            ].join("\n"),
    ],
    ["a pack config level that is not one", () => ["preview", sibling, "--policy-pack-config", `${tmp}/cfg/level.json`], () => `error: policy pack config ${tmp}/cfg/level.json for keyfabric-key-management 0.1.0: parsing enforcement level for "aws-kms-key-enable-key-rotation": "strict" is not a valid enforcement level (allowed: advisory, mandatory, remediate, disabled)`],
    ["a pack config that is not JSON", () => ["preview", sibling, "--policy-pack-config", `${tmp}/cfg/notjson.json`], () => `error: policy pack config ${tmp}/cfg/notjson.json: is not valid JSON: Expected property name or '}' in JSON at position 2 (line 1, column 3)`],
    ["a pack config that does not exist", () => ["preview", sibling, "--policy-pack-config", `${tmp}/cfg/none.json`], () => `error: policy pack config ${tmp}/cfg/none.json: no such file`],
    ["more config files than packs", () => ["preview", sibling, "--policy-pack-config", "a.json", "--policy-pack-config", "b.json"], () => "error: --policy-pack-config: more config files than policy packs (they pair up in order)"],
    ["a directory that is not a policy pack", () => ["preview", sibling, "--policy-pack", "sdk"], () => `error: ${root}/sdk is not a policy pack (no PulumiPolicy.yaml)`],
    ["--no-policy with --policy-pack", () => ["preview", sibling, "--no-policy", "--policy-pack", "policy-packs/key-management"], () => "error: --no-policy cannot be combined with --policy-pack: drop one"],
    ["--no-policy with --fail-on-unknown", () => ["preview", sibling, "--no-policy", "--fail-on-unknown"], () => "error: --no-policy cannot be combined with --fail-on-unknown: drop one"],
    ["an --assume file of the wrong shape", () => ["preview", sibling, "--assume", `${tmp}/assume/list.yaml`], () => `error: --assume ${tmp}/assume/list.yaml: 1 problem\n  - invokes: must map invoke tokens to result objects (got: a list)`],
    [
        "an --assume file with several problems lists each",
        () => ["preview", sibling, "--assume", `${tmp}/assume/bad.yaml`],
        () =>
            [
                `error: --assume ${tmp}/assume/bad.yaml: 4 problems`,
                "  - extra: unknown section (allowed: invokes, config)",
                "  - invokes.getCallerIdentity: not an invoke token (allowed: <package>:<module>:<function>, e.g. aws:index/getCallerIdentity:getCallerIdentity)",
                "  - invokes.aws:index/getRegion:getRegion: must be an object of result fields (got: number)",
                "  - config.dbPassword: give the full key (allowed: <namespace>:<key>, e.g. myproject:dbPassword)",
            ].join("\n"),
    ],
    ["an --assume file that does not exist", () => ["preview", sibling, "--assume", `${tmp}/assume/none.yaml`], () => `error: --assume ${tmp}/assume/none.yaml: no such file`],
    ["an unknown format", () => ["preview", sibling, "--format", "yaml"], () => "error: option '-f, --format <format>' argument 'yaml' is invalid. Allowed choices are text, json, markdown, mermaid, sarif."],
];

test.each(CASES)("%s", (_name, args, expected) => {
    const r = keyfabric([...args(), "--transpile-only"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, "", `${expected()}\n`]);
});
