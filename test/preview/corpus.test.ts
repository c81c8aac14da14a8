import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { typescript6 } from "../support/typescript6";

/**
 * The program corpus (test/fixtures/programs): programs written the way users write them, each run through the built
 * CLI as CI runs it (`keyfabric preview <dir> --format json`, type-checked), with the exact resources (engine URNs and
 * declaring lines), findings, not-evaluated entries and assumptions a first `pulumi preview --policy-pack` would give.
 */
const root = path.join(__dirname, "..", "..");
const bin = path.join(root, "bin", "keyfabric.js");
const programs = "test/fixtures/programs";

interface Result {
    code: number | null;
    stdout: string;
    stderr: string;
}

function keyfabric(args: readonly string[], cwd = root): Promise<Result> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, PULUMI_CONFIG: "", PULUMI_NODEJS_TRANSPILE_ONLY: "" } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d));
        child.stderr.on("data", (d: Buffer) => (stderr += d));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

/** Runs the jobs two at a time (the machines have two cores). */
async function pool<T>(jobs: (() => Promise<T>)[], width = 2): Promise<T[]> {
    const out: T[] = new Array(jobs.length);
    let next = 0;
    await Promise.all(Array.from({ length: width }, async () => {
        while (next < jobs.length) {
            const i = next++;
            out[i] = await jobs[i]();
        }
    }));
    return out;
}

type Level = "advisory" | "mandatory";
interface Expected {
    readonly args?: readonly string[];
    readonly code: 0 | 1;
    /** An error before any report: stdout stays empty. */
    readonly noReport?: true;
    /** The whole of stderr. */
    readonly stderr: string;
    /** `<qualified type>::<name>` (the URN after `urn:pulumi:dev::<project>::`) and the declaring line. */
    readonly resources?: readonly (readonly [string, number | null])[];
    readonly violations?: readonly (readonly [Level, string, string])[];
    readonly notEvaluated?: readonly (readonly [Level, string, string, string])[];
    readonly assumptions?: readonly (readonly [string, string])[];
}

const none: never[] = [];
const mandatoryLine = (n: number, list: string) => `error: ${n} mandatory policy violation${n === 1 ? "" : "s"}: ${list}\n`;

const CASES: Record<string, Expected> = {
    // A policy built inside role.arn.apply(): unknown at a first preview, so the rules that read it cannot decide,
    // and say so (the wildcard statement inside it is not silently passed).
    "policy-in-apply": {
        code: 0,
        stderr: "",
        resources: [["aws:iam/role:Role::app", 4], ["aws:kms/key:Key::data", 11]],
        // One tags finding listing every missing tag; no trail for the account's KMS events (a stack finding).
        violations: [["advisory", "aws-kms-key-require-tags", "data"], ["advisory", "aws-cloudtrail-trail-enable-kms-logging", ""]],
        notEvaluated: [
            ["advisory", "aws-kms-grant-limit-to-aws-services", "data", "policy"],
            ["advisory", "aws-kms-key-disallow-full-permissions", "data", "policy"],
            ["mandatory", "aws-kms-key-disallow-wildcard-principal", "data", "policy"],
        ],
        assumptions: none,
    },
    // The same, for CI that wants mandatory rules decided.
    "policy-in-apply --fail-on-unknown": {
        args: ["--fail-on-unknown"],
        code: 1,
        stderr: "error: 1 mandatory policy not evaluated (value unknown at preview; --fail-on-unknown): aws-kms-key-disallow-wildcard-principal (data: policy)\n",
    },
    // getPolicyDocumentOutput computes the policy JSON locally, as the provider does: its Principal "*" is seen.
    "policy-document": {
        code: 1,
        stderr: mandatoryLine(1, "aws-kms-key-disallow-wildcard-principal (orders)"),
        resources: [["aws:kms/key:Key::orders", 22]],
        violations: [["mandatory", "aws-kms-key-disallow-wildcard-principal", "orders"], ["advisory", "aws-cloudtrail-trail-enable-kms-logging", ""]],
        notEvaluated: none,
        assumptions: none,
    },
    // getCallerIdentity reads the cloud: a plausible account, listed as an assumption; the interpolated policy is
    // known, so it is judged; the grant to a role created in the same program is judged on its operations.
    "interpolate-arn": {
        code: 0,
        stderr: "",
        resources: [["aws:iam/role:Role::worker", 9], ["aws:kms/key:Key::queue", 16], ["aws:kms/grant:Grant::worker-use", 27]],
        violations: [["advisory", "aws-kms-key-configure-deletion-window", "queue"], ["advisory", "aws-kms-grant-limit-to-aws-services", "worker-use"], ["advisory", "aws-cloudtrail-trail-enable-kms-logging", ""]],
        notEvaluated: none,
        assumptions: [["invoke", "aws:index/getCallerIdentity:getCallerIdentity"]],
    },
    // getIAMPolicyOutput gives the provider's policyData: the allUsers binding is a mandatory finding. The key ring
    // and key are auto-named (their names are known, their ids are not).
    "gcp-iam-policy": {
        code: 1,
        stderr: mandatoryLine(1, "gcp-kms-cryptokeyiammember-disallow-public-access (reports-policy)"),
        resources: [["gcp:kms/keyRing:KeyRing::ring", 5], ["gcp:kms/cryptoKey:CryptoKey::reports", 6], ["gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy::reports-policy", 19]],
        // Key rings cannot be deleted: only the key is judged for deletion protection.
        violations: [
            ["advisory", "gcp-kms-cryptokey-require-deletion-protection", "reports"],
            ["mandatory", "gcp-kms-cryptokeyiammember-disallow-public-access", "reports-policy"],
            ["advisory", "gcp-kms-project-enable-audit-logging", "ring"],
        ],
        notEvaluated: none,
        assumptions: none,
    },
    // Nested computed outputs read inside apply (a key's primary version, a vault's URI) are unknown at a first
    // preview: the callbacks do not run and the program does not crash.
    "nested-outputs": {
        code: 0,
        stderr: "",
        resources: [["gcp:kms/keyRing:KeyRing::ring", 4], ["gcp:kms/cryptoKey:CryptoKey::tokens", 5], ["azure-native:keyvault:Vault::vault", 10]],
        violations: [
            ["advisory", "gcp-kms-cryptokey-require-deletion-protection", "tokens"],
            ["advisory", "gcp-kms-cryptokey-require-labels", "tokens"],
            ["advisory", "azure-keyvault-vault-enable-audit-logging", "vault"],
            ["advisory", "azure-keyvault-vault-limit-network-exposure", "vault"],
            ["advisory", "gcp-kms-project-enable-audit-logging", "ring"],
        ],
        notEvaluated: none,
        assumptions: none,
    },
    // secure: values never abort the preview; only the one the program reads is listed.
    "secret-config": {
        code: 0,
        stderr: "",
        resources: [["aws:kms/key:Key::records", 6], ["aws:ssm/parameter:Parameter::api-token", 14]],
        violations: [["advisory", "aws-cloudtrail-trail-enable-kms-logging", ""], ["advisory", "aws-kms-key-require-key-policy", "records"]],
        // The parameter's key id is the key's, unknown until it exists.
        notEvaluated: [["advisory", "aws-ssm-parameter-require-customer-managed-key", "api-token", "keyId"]],
        assumptions: [["config", "secret-config:apiToken"]],
    },
    // A secret read as ExternalKey.keyMaterialBase64 is the one secret that is a finding: Pulumi stores inputs in state.
    "secret-material": {
        code: 1,
        stderr: mandatoryLine(1, "aws-kms-externalkey-disallow-plaintext-material (imported)"),
        resources: [["aws:kms/externalKey:ExternalKey::imported", 5]],
        violations: [["mandatory", "aws-kms-externalkey-disallow-plaintext-material", "imported"], ["advisory", "aws-cloudtrail-trail-enable-kms-logging", ""], ["advisory", "aws-kms-key-require-key-policy", "imported"]],
        notEvaluated: none,
        assumptions: [["config", "secret-material:keyMaterial"]],
    },
    // main: infra is the infra/ directory, not the sibling infra.json.
    "sibling-file": {
        code: 0,
        stderr: "",
        resources: [["aws:kms/key:Key::logs", 3]],
        violations: [["advisory", "aws-kms-key-enable-key-rotation", "logs"], ["advisory", "aws-cloudtrail-trail-enable-kms-logging", ""], ["advisory", "aws-kms-key-require-key-policy", "logs"]],
        notEvaluated: none,
        assumptions: none,
    },
    // URNs as the engine builds them: the whole parent type chain, no Stack link; an explicit provider is a resource.
    "component-urns": {
        code: 0,
        stderr: "",
        resources: [
            ["acme:security:Keys::keys", null],
            ["pulumi:providers:aws::eu-west", 20],
            ["acme:security:Keys$acme:security:KeyBundle::billing", 22],
            ["acme:security:Keys$acme:security:KeyBundle$aws:kms/key:Key::billing-key", 9],
            ["acme:security:Keys$acme:security:KeyBundle$aws:kms/key:Key$aws:kms/alias:Alias::billing-alias", 15],
        ],
        violations: [["advisory", "aws-cloudtrail-trail-enable-kms-logging", ""], ["advisory", "aws-kms-key-require-key-policy", "billing-key"]],
        notEvaluated: none,
        assumptions: none,
    },
    // keyfabric's own hierarchy with Output principals: the AWS key policy and the GCP member depend on resources
    // not created yet, so the rules that read them are not evaluated (and say so) rather than passed.
    "hierarchy-output-principals": {
        code: 0,
        stderr: "",
        resources: [
            ["aws:iam/role:Role::ingest", 5],
            ["gcp:serviceaccount/account:Account::ingest", 11],
            ["keyfabric:index:KeyHierarchy::acme", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain::acme-ingest", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain$gcp:kms/keyRing:KeyRing::acme-ingest-ring-us-east1", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain$keyfabric:aws:Key::acme-ingest-events-aws", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain$keyfabric:gcp:Key::acme-ingest-events-gcp", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain$keyfabric:aws:Key$aws:kms/key:Key::acme-ingest-events-aws-key", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain$keyfabric:gcp:Key$gcp:kms/cryptoKey:CryptoKey::acme-ingest-events-gcp-key", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain$keyfabric:aws:Key$aws:kms/alias:Alias::acme-ingest-events-aws-alias-acme/ingest/events", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain$keyfabric:gcp:Key$gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember::acme-ingest-events-gcp-grant-admin-key-admins-848770c8-admin", 13],
            ["keyfabric:index:KeyHierarchy$keyfabric:index:KeyDomain$keyfabric:gcp:Key$gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember::acme-ingest-events-gcp-grant-encryptDecrypt-output-1-encrypterdecrypter", 13],
        ],
        violations: [["advisory", "aws-cloudtrail-trail-enable-kms-logging", ""], ["advisory", "gcp-kms-project-enable-audit-logging", "acme-ingest-ring-us-east1"]],
        notEvaluated: [
            ["advisory", "aws-kms-grant-limit-to-aws-services", "acme-ingest-events-aws-key", "policy"],
            ["advisory", "aws-kms-key-disallow-full-permissions", "acme-ingest-events-aws-key", "policy"],
            ["mandatory", "aws-kms-key-disallow-wildcard-principal", "acme-ingest-events-aws-key", "policy"],
            ["mandatory", "gcp-kms-cryptokeyiammember-disallow-public-access", "acme-ingest-events-gcp-grant-encryptDecrypt-output-1-encrypterdecrypter", "member"],
        ],
        assumptions: none,
    },
    // Pulumi's classic-provider Key Vault pattern: each of its problems is found (purge protection off, access
    // policies instead of RBAC, a key without expiry or rotation policy, 2048-bit RSA, tags, no audit logging,
    // public network access), on the classic types.
    "azure-classic": {
        code: 0,
        stderr: "",
        resources: [["azure:core/resourceGroup:ResourceGroup::keys", 5], ["azure:keyvault/keyVault:KeyVault::vault", 7], ["azure:keyvault/key:Key::generated", 17]],
        violations: [
            ["advisory", "azure-keyvault-vault-enable-purge-protection", "vault"],
            ["advisory", "azure-keyvault-vault-enable-rbac-authorization", "vault"],
            ["advisory", "azure-keyvault-vault-enable-rbac-authorization", "vault"],
            ["advisory", "azure-keyvault-key-configure-expiry", "generated"],
            ["advisory", "azure-keyvault-key-configure-rotation-policy", "generated"],
            ["advisory", "azure-keyvault-key-limit-rsa-key-size", "generated"],
            ["advisory", "azure-keyvault-key-require-tags", "generated"],
            ["advisory", "azure-keyvault-vault-enable-audit-logging", "vault"],
            ["advisory", "azure-keyvault-vault-limit-network-exposure", "vault"],
        ],
        notEvaluated: none,
        assumptions: [["invoke", "azure:core/getClientConfig:getClientConfig"]],
    },
    // Type errors fail the preview as they fail `pulumi preview`, named file:line:column from the current directory.
    "type-error": {
        code: 1,
        noReport: true,
        stderr: [
            "error: the program does not type-check (2 errors; --transpile-only skips the check):",
            `  ${programs}/type-error/index.ts:3:7 - error TS2322: Type 'string' is not assignable to type 'number'.`,
            `  ${programs}/type-error/index.ts:5:69 - error TS2322: Type 'string' is not assignable to type 'Input<boolean | undefined>'.`,
            "",
        ].join("\n"),
    },
    "type-error --transpile-only": { args: ["--transpile-only", "--no-policy"], code: 0, stderr: "", resources: [["aws:kms/key:Key::bad", 5]] },
    // The project's own tsconfig.json (strict) is the one the program is checked with.
    "own-tsconfig": {
        code: 1,
        noReport: true,
        stderr: [
            "error: the program does not type-check (1 error; --transpile-only skips the check):",
            `  ${programs}/own-tsconfig/index.ts:4:19 - error TS7006: Parameter 'team' implicitly has an 'any' type.`,
            "",
        ].join("\n"),
    },
    // A runtime error: the program's message and where it was thrown, no dump.
    "runtime-error": {
        code: 1,
        noReport: true,
        stderr: `error: Cannot read properties of undefined (reading 'days')\n    at ${programs}/runtime-error/index.ts:4:27\n`,
    },
};

const results: Record<string, Result> = {};

beforeAll(async () => {
    if (!fs.existsSync(path.join(root, "lib", "cli", "index.js"))) throw new Error("lib/ is missing: run npm run build (npm ci does it)");
    const names = Object.keys(CASES);
    const runs = await pool(names.map((name) => () => keyfabric(["preview", `${programs}/${name.split(" ")[0]}`, "--format", "json", ...(CASES[name].args ?? [])])));
    names.forEach((n, i) => (results[n] = runs[i]));
}, 600_000);

test("the corpus has at least 12 programs, each with a case", () => {
    const dirs = fs.readdirSync(path.join(root, programs)).filter((d) => fs.statSync(path.join(root, programs, d)).isDirectory());
    expect(dirs.length).toBeGreaterThanOrEqual(12);
    const covered = new Set(Object.keys(CASES).map((k) => k.split(" ")[0]));
    expect(dirs.filter((d) => !covered.has(d))).toEqual([]);
});

test.each(Object.keys(CASES))("%s", (name) => {
    const want = CASES[name];
    const got = results[name];
    expect({ code: got.code, stderr: got.stderr }).toEqual({ code: want.code, stderr: want.stderr });
    if (want.noReport) {
        expect(got.stdout).toBe("");
        return;
    }
    const out = JSON.parse(got.stdout);
    const project = name.split(" ")[0];
    const prefix = `urn:pulumi:dev::${project}::`;
    if (want.resources) {
        for (const r of out.resources) expect(r.urn.startsWith(prefix)).toBe(true);
        expect(out.resources.map((r: any) => [r.urn.slice(prefix.length), r.source?.line ?? null])).toEqual(want.resources);
        for (const r of out.resources.filter((x: any) => x.source)) expect(r.source.file).toMatch(new RegExp(`^${programs}/${project}/`));
    }
    const last = (urn: string) => urn.split("::").slice(3).join("::");
    if (want.violations) expect(out.policyViolations.map((v: any) => [v.enforcementLevel, v.policy, last(v.urn)])).toEqual(want.violations);
    if (want.notEvaluated) expect(out.notEvaluated.map((v: any) => [v.enforcementLevel, v.policy, last(v.urn), v.property])).toEqual(want.notEvaluated);
    if (want.assumptions) expect(out.assumptions.map((a: any) => [a.kind, a.subject])).toEqual(want.assumptions);
});

test("no violation is a can't-run diagnostic in disguise; a not-evaluated entry names its resource (stack rules: none, as the engine reports them)", () => {
    for (const [name, r] of Object.entries(results)) {
        if (!r.stdout) continue;
        const out = JSON.parse(r.stdout);
        for (const v of out.policyViolations ?? []) expect([name, v.message]).not.toEqual([name, expect.stringContaining("can't run")]);
        for (const n of out.notEvaluated ?? []) expect(n.urn === "" || /^urn:pulumi:dev::/.test(n.urn)).toBe(true);
    }
});

test("--assume supplies what the preview cannot know: the account and the secret are no longer assumed", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyfabric-assume-"));
    const file = path.join(dir, "assume.yaml");
    fs.writeFileSync(file, ["invokes:", '  aws:index/getCallerIdentity:getCallerIdentity: { accountId: "111122223333" }', "config:", "  secret-config:apiToken: not-the-real-token", ""].join("\n"));
    const [a, b] = await Promise.all([
        keyfabric(["preview", `${programs}/interpolate-arn`, "--format", "json", "--transpile-only", "--assume", file]),
        keyfabric(["preview", `${programs}/secret-config`, "--format", "json", "--transpile-only", "--assume", file]),
    ]);
    expect([a.code, a.stderr, JSON.parse(a.stdout).assumptions]).toEqual([0, "", []]);
    expect([b.code, b.stderr, JSON.parse(b.stdout).assumptions]).toEqual([0, "", []]);
});

test("SARIF points each finding at the line that declares the resource, relative to the repository root", async () => {
    const r = await keyfabric(["preview", `${programs}/policy-document`, "--format", "sarif", "--transpile-only"]);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout).runs[0].results.filter((x: any) => x.kind !== "review");
    expect(results.map((x: any) => [x.ruleId, x.level, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region.startLine])).toEqual([
        ["aws-kms-key-disallow-wildcard-principal", "error", `${programs}/policy-document/index.ts`, 22],
        // A stack finding has no resource: it points at the program's entry.
        ["aws-cloudtrail-trail-enable-kms-logging", "warning", `${programs}/policy-document/index.ts`, 1],
    ]);
});

/** A project of its own whose node_modules/typescript is the given compiler (the rest linked from this repository). */
function projectWithTypeScript(typescriptDir: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyfabric-ts-"));
    fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
    fs.symlinkSync(typescriptDir, path.join(dir, "node_modules", "typescript"));
    fs.symlinkSync(path.join(root, "node_modules", "ts-node"), path.join(dir, "node_modules", "ts-node"));
    fs.symlinkSync(path.join(root, "node_modules", "@types"), path.join(dir, "node_modules", "@types"));
    for (const p of ["pulumi", "aws"]) fs.symlinkSync(path.join(root, "node_modules", "@pulumi", p), path.join(dir, "node_modules", "@pulumi", p));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: own-compiler\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    // nodenext both ways: the combination TypeScript 6 requires (TS5110 if module were overridden to commonjs).
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", skipLibCheck: true, types: ["node"] } }));
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        'import * as kms from "@pulumi/aws/kms";\nfunction describe(team) {\n    return `keys of ${team}`;\n}\nexport const key = new kms.Key("k", { description: describe("x"), enableKeyRotation: true }).arn;\n',
    );
    return dir;
}

test("the project's own TypeScript compiles the program: 5 accepts an untyped parameter, 6 (strict by default) does not", async () => {
    const ts5 = projectWithTypeScript(path.join(root, "node_modules", "typescript"));
    const ts6 = projectWithTypeScript(typescript6(root));
    expect(require(path.join(ts6, "node_modules", "typescript", "package.json")).version).toMatch(/^6\./);
    const [five, six] = await Promise.all([keyfabric(["preview", ts5, "--no-policy", "--format", "json"], ts5), keyfabric(["preview", ts6, "--no-policy", "--format", "json"], ts6)]);
    expect([five.code, five.stderr]).toEqual([0, ""]);
    expect(JSON.parse(five.stdout).resources.map((r: any) => r.urn)).toEqual(["urn:pulumi:dev::own-compiler::aws:kms/key:Key::k"]);
    expect(require(path.join(ts5, "node_modules", "typescript", "package.json")).version).toMatch(/^5\./);
    expect([six.code, six.stdout, six.stderr]).toEqual([
        1,
        "",
        "error: the program does not type-check (1 error; --transpile-only skips the check):\n  index.ts:2:19 - error TS7006: Parameter 'team' implicitly has an 'any' type.\n",
    ]);
}, 240_000);
