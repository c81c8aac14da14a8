import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

// End to end: the built CLI (`npm ci` builds lib/ through `prepare`), as users and CI run it.
const root = path.join(__dirname, "..");
const bin = path.join(root, "bin", "keyfabric.js");

function keyfabric(...args: string[]) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, PULUMI_CONFIG: "" } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
    if (!fs.existsSync(path.join(root, "lib", "cli", "index.js"))) throw new Error("lib/ is missing: run npm run build (npm ci does it)");
});

test("preview --format json lists the hierarchy and a key of each cloud", () => {
    const r = keyfabric("preview", ".", "--format", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const types = new Set(out.resources.map((x: { type: string }) => x.type));
    for (const t of ["keyfabric:index:KeyHierarchy", "aws:kms/key:Key", "gcp:kms/cryptoKey:CryptoKey", "azure-native:keyvault:Key"]) expect(types).toContain(t);
    expect(out.resources[0]).toEqual({
        // The engine's URN: no Stack link in the type chain (sdk/go/common/resource/urn.go NewURN).
        urn: "urn:pulumi:dev::keyfabric-root::keyfabric:index:KeyHierarchy::keyfabric",
        type: "keyfabric:index:KeyHierarchy",
        name: "keyfabric",
        parent: "urn:pulumi:dev::keyfabric-root::pulumi:pulumi:Stack::keyfabric-root-dev",
        custom: false,
        protect: false,
        source: { file: "program/index.ts", line: 4, column: 19 },
    });
    // Keys, key rings, vaults, grants, aliases, plus audit logging (two diagnostic settings, the Cloud KMS audit config)
    // and the vaults' private endpoints with their DNS zone groups.
    expect(out.summary).toMatchObject({ total: 64, custom: 47, components: 17, keysByCloud: { aws: 7, gcp: 6, azure: 2 } });
    // The bundled pack ran through its analyzer server: the sample stack passes it (npm start prints no violation).
    expect(out.policyPacks).toEqual([{ name: "keyfabric-key-management", version: "0.1.0", policies: expect.any(Number) }]);
    expect(out.policyViolations).toEqual([]);
    expect(out.mermaid.split("\n")[0]).toBe("flowchart TD");
});

test("preview --format mermaid and markdown", () => {
    const m = keyfabric("preview", "examples/aws-only-key", "--format", "mermaid", "--no-policy", "--transpile-only");
    expect(m.code).toBe(0);
    expect(m.stdout.trim().split("\n")).toEqual(['flowchart TD', '    n0(["keyfabric:aws:Key<br/>app-data"])', '    n1["aws:kms/key:Key<br/>app-data-key"]', "    n0 --> n1"]);
    const md = keyfabric("preview", "examples/aws-only-key", "--format", "markdown", "--no-policy", "--transpile-only");
    expect(md.stdout).toContain("| `aws:kms/grant:Grant` | 1 |");
    expect(md.stdout).toContain("```mermaid\nflowchart TD");
});

test("a bad spec exits 1 with every problem and no stack trace", () => {
    const r = keyfabric("preview", "test/fixtures/bad-program", "--transpile-only");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
        [
            'error: Key hierarchy "bad" is invalid: 2 problems',
            "  - domains[0].keys[0].algorithm: AES_256 in Azure exists only as an oct-HSM key on a Managed HSM (a Key Vault has no symmetric keys), and this key's protection is software (allowed: set clouds.azure.managedHsm and protection: hsm, or leave azure out of this key's clouds, got: \"AES_256\")",
            "  - domains[0].keys[0].rotationDays: is below Azure's minimum rotation period (allowed: 7-3650, got: 3)",
            "",
        ].join("\n"),
    );
});

test("--verbose adds the stack trace; unknown formats are refused", () => {
    expect(keyfabric("preview", "test/fixtures/bad-program", "--verbose", "--transpile-only").stderr).toMatch(/\n\s+at /);
    const r = keyfabric("preview", ".", "--format", "yaml", "--no-policy");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: option '-f, --format <format>' argument 'yaml' is invalid. Allowed choices are text, json, markdown, mermaid, sarif.");
});

test("a directory without Pulumi.yaml", () => {
    const r = keyfabric("preview", "sdk");
    expect([r.code, r.stderr.trim()]).toEqual([1, `error: no Pulumi.yaml in ${path.join(root, "sdk")}`]);
});

test("a raw program with mandatory violations: text report and exit 1", () => {
    const r = keyfabric("preview", "test/fixtures/bad-raw-program", "--transpile-only");
    expect(r.code).toBe(1);
    // The last line of stderr says why, for CI logs.
    expect(r.stderr).toBe(
        "error: 3 mandatory policy violations: aws-kms-key-disallow-wildcard-principal (wildcard-policy), aws-kms-externalkey-disallow-plaintext-material (imported), gcp-kms-cryptokeyiammember-disallow-public-access (public)\n",
    );
    // The five deliberate problems, and no audit logging of key use in any of the three clouds.
    expect(r.stdout).toContain("Policy violations: 8 (3 mandatory)");
    for (const p of ["aws-kms-externalkey-disallow-plaintext-material", "aws-kms-key-disallow-wildcard-principal", "gcp-kms-cryptokeyiammember-disallow-public-access"]) {
        expect(r.stdout).toMatch(new RegExp(`mandatory[^\\n]*${p}`));
    }
});
