/**
 * `keyfabric drift` end to end, in process (`main([...])` with an io that collects output): formats, exit codes, bad
 * input, secrets and material never printed. The client factories reach the emulators through KEYFABRIC_EMULATORS,
 * as they would in a CI job.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../sdk/cli";
import { MARKDOWN_MARKER } from "../../sdk/drift";
import { Baseline, deployBaseline, World } from "./world";
import { secretValue } from "./support";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-drift-cli-"));
const file = (name: string, content: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
    return f;
};

async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["drift", ...argv], { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

let base: Baseline;
let world: World;
let clean: string;
let drifted: string;
const savedEnv = process.env.KEYFABRIC_EMULATORS;

beforeAll(async () => {
    base = await deployBaseline();
    world = await World.start(base);
    process.env.KEYFABRIC_EMULATORS = JSON.stringify(world.emu.endpoints);
    clean = file("clean.json", world.exported);
    // The drifted world: the signing key disabled out of band.
    await world.aws().send(new kms.DisableKeyCommand({ KeyId: world.r("kf-payments-signing-aws-key").outputs.arn }));
    drifted = clean;
});
afterAll(async () => {
    if (savedEnv === undefined) delete process.env.KEYFABRIC_EMULATORS;
    else process.env.KEYFABRIC_EMULATORS = savedEnv;
    await world?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

/** BYOK material the fixture generated: never in any output. */
function expectNoMaterial(...outputs: string[]) {
    for (const name of ["KF_DRIFT_KEK", "KF_DRIFT_SIGNER"]) {
        const v = process.env[name]!;
        expect(v).toBeTruthy();
        const forms = [v, Buffer.from(v, v.includes("BEGIN") ? "utf8" : "base64").toString("hex")];
        for (const o of outputs) for (const form of forms) expect(o.includes(form)).toBe(false);
    }
}

const NOW = () => new Date(base.t0).toISOString();

describe("formats and exit codes", () => {
    test("text: drift found, exit 2", async () => {
        const r = await cli("--state", drifted, "--no-policy", "--now", NOW());
        expect(r.code).toBe(2);
        expect(r.err).toBe("");
        expect(r.out).toContain("Drift: 1 finding (1 high); 25 key resources checked.");
        expect(r.out).toMatch(/HIGH {5}key-disabled {2}aws:kms\/key:Key {2}kf-payments-signing-aws-key/);
        expect(r.out).toContain('actual:   {"keyState":"Disabled"}');
        expectNoMaterial(r.out);
    });

    test("json: the report, findings {urn, type, cloud, kind, severity, expected, actual, message}", async () => {
        const r = await cli("--state", drifted, "--format", "json", "--no-policy", "--now", NOW());
        expect(r.code).toBe(2);
        const report = JSON.parse(r.out);
        expect(report).toMatchObject({ version: 1, source: drifted, stack: "project/dev", expiryWarningDays: 30, policy: { status: "disabled" }, skipped: [] });
        expect(report.summary).toMatchObject({ resources: 25, checked: 25, skipped: 0, findings: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 }, byKind: { "key-disabled": 1 } });
        expect(report.findings).toEqual([
            {
                urn: world.r("kf-payments-signing-aws-key").urn,
                type: "aws:kms/key:Key",
                cloud: "aws",
                kind: "key-disabled",
                severity: "high",
                expected: { keyState: "Enabled" },
                actual: { keyState: "Disabled" },
                message: `Key ${world.r("kf-payments-signing-aws-key").outputs.arn} is disabled: every encrypt, decrypt, sign or verify with it fails`,
            },
        ]);
    });

    test("markdown: marker, headline, a table row per finding, details", async () => {
        const r = await cli("--state", drifted, "--format", "markdown", "--no-policy", "--now", NOW());
        expect(r.code).toBe(2);
        const lines = r.out.split("\n");
        expect(lines[0]).toBe(MARKDOWN_MARKER);
        expect(lines[1]).toBe("## keyfabric drift report — `project/dev`");
        expect(r.out).toContain("**Drift: 1 finding (1 high); 25 key resources checked.**");
        expect(r.out).toContain("| Severity | Kind | Resource | What changed |");
        expect(r.out).toMatch(/\| 🟠 high \| `key-disabled` \| `kf-payments-signing-aws-key`<br><sub>aws:kms\/key:Key<\/sub> \| Key arn:aws:kms:eu-west-1:\d{12}:key\/[0-9a-f-]+ is disabled/);
        expect(r.out).toContain("<details><summary>Expected and actual values</summary>");
    });

    test("sarif: a minimal valid SARIF 2.1.0 log", async () => {
        const r = await cli("--state", drifted, "--format", "sarif", "--no-policy", "--now", NOW());
        expect(r.code).toBe(2);
        const log = JSON.parse(r.out);
        expect(log.version).toBe("2.1.0");
        expect(log.$schema).toMatch(/sarif-2\.1\.0/);
        expect(log.runs).toHaveLength(1);
        const run = log.runs[0];
        expect(run.tool.driver.name).toBe("keyfabric drift");
        const ruleIds = run.tool.driver.rules.map((x: any) => x.id);
        expect(new Set(ruleIds).size).toBe(ruleIds.length);
        for (const rule of run.tool.driver.rules) expect(rule).toMatchObject({ id: expect.any(String), shortDescription: { text: expect.any(String) } });
        expect(run.results).toHaveLength(1);
        const res = run.results[0];
        expect(res).toMatchObject({ ruleId: "key-disabled", level: "error", message: { text: expect.stringContaining("is disabled") } });
        expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
        expect(res.locations[0]).toEqual({
            physicalLocation: { artifactLocation: { uri: drifted.split(path.sep).join("/") } },
            logicalLocations: [{ name: "kf-payments-signing-aws-key", fullyQualifiedName: world.r("kf-payments-signing-aws-key").urn, kind: "resource" }],
        });
        expect(res.partialFingerprints["keyfabricDrift/v1"]).toMatch(/^[0-9a-f]{32}$/);
    });

    test("no drift: exit 0 in every format", async () => {
        const w = await World.start(base);
        const saved = process.env.KEYFABRIC_EMULATORS;
        process.env.KEYFABRIC_EMULATORS = JSON.stringify(w.emu.endpoints);
        try {
            const f = file("nodrift.json", w.exported);
            const text = await cli("--state", f, "--no-policy", "--now", NOW());
            expect(text).toMatchObject({ code: 0, err: "" });
            expect(text.out).toContain("No drift: 25 key resources checked; the live clouds match the stack.");
            const json = JSON.parse((await cli("--state", f, "--no-policy", "--format", "json")).out);
            expect(json.findings).toEqual([]);
            expect((await cli("--state", f, "--no-policy", "--format", "markdown")).code).toBe(0);
            const sarif = await cli("--state", f, "--no-policy", "--format", "sarif");
            expect(sarif.code).toBe(0);
            expect(JSON.parse(sarif.out).runs[0].results).toEqual([]);
        } finally {
            process.env.KEYFABRIC_EMULATORS = saved;
            await w.stop();
        }
    });

    test("--expiry-warning-days and --now: material expiring is reported from the window on", async () => {
        const validTo = Date.parse(world.r("kf-payments-kek-aws-material").outputs.validTo);
        const at = new Date(validTo - 45 * 86_400_000).toISOString();
        // (--now moves only the evaluation: rotations the clouds would have made by then show as overdue; not looked at here.)
        const material = (r: { out: string }) => JSON.parse(r.out).findings.filter((f: any) => f.kind.startsWith("material-")).map((f: any) => `${f.urn.split("::").pop()} ${f.kind}`);
        expect(material(await cli("--state", drifted, "--no-policy", "--format", "json", "--now", at))).toEqual([]);
        expect(material(await cli("--state", drifted, "--no-policy", "--format", "json", "--now", at, "--expiry-warning-days", "60"))).toEqual(["kf-payments-kek-aws-material material-expiring"]);
    });
});

describe("bad input", () => {
    test("missing --state, unknown format, bad numbers: exit 1 with a message", async () => {
        expect(await cli()).toMatchObject({ code: 1, err: expect.stringContaining("required option '--state <file>' not specified") });
        expect(await cli("--state", clean, "--format", "xml")).toMatchObject({ code: 1, err: expect.stringContaining("Allowed choices are text, json, markdown, sarif") });
        expect(await cli("--state", clean, "--concurrency", "0")).toMatchObject({ code: 1, err: expect.stringContaining("--concurrency must be a whole number from 1 to 256") });
        expect(await cli("--state", clean, "--expiry-warning-days", "soon")).toMatchObject({ code: 1, err: expect.stringContaining("--expiry-warning-days must be a whole number") });
        expect(await cli("--state", clean, "--now", "yesterday")).toMatchObject({ code: 1, err: expect.stringContaining("not an ISO 8601 date-time") });
    });

    test("a missing file, a directory, not JSON, another version, no deployment", async () => {
        const missing = path.join(dir, "nope.json");
        expect(await cli("--state", missing)).toEqual({ code: 1, out: "", err: `error: --state ${missing}: no such file (create it with: pulumi stack export --file ${missing})` });
        expect(await cli("--state", dir)).toEqual({ code: 1, out: "", err: `error: --state ${dir}: is a directory, not a stack export file` });
        const notJson = file("bad.json", "{ version: 3, deployment");
        expect(await cli("--state", notJson)).toMatchObject({ code: 1, err: expect.stringMatching(/^error: --state .*bad\.json: is not JSON \(.*\); expected the output of pulumi stack export$/) });
        const v2 = file("v2.json", { version: 2, deployment: { resources: [] } });
        expect((await cli("--state", v2)).err).toBe(`error: ${v2}: is a version 2 stack export; keyfabric drift reads version 3 (pulumi stack export with Pulumi CLI 3.x)`);
        const noVersion = file("nov.json", { deployment: { resources: [] } });
        expect((await cli("--state", noVersion)).err).toContain('has no "version"');
        const noDeployment = file("nod.json", { version: 3 });
        expect((await cli("--state", noDeployment)).err).toBe(`error: ${noDeployment}: "deployment" is missing or not an object`);
        const badResource = file("badres.json", { version: 3, deployment: { resources: [{ urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack" }, { type: "aws:kms/key:Key" }] } });
        expect((await cli("--state", badResource)).err).toBe(`error: ${badResource}: deployment.resources[1]: has no valid urn`);
    });

    test("a stack with no key resources: nothing to check, exit 0", async () => {
        const f = file("nokeys.json", {
            version: 3,
            deployment: {
                manifest: { time: "2026-01-01T00:00:00Z", magic: "x", version: "v3.200.0" },
                resources: [
                    { urn: "urn:pulumi:dev::web::pulumi:pulumi:Stack::web-dev", custom: false, type: "pulumi:pulumi:Stack" },
                    { urn: "urn:pulumi:dev::web::pulumi:providers:aws::default", custom: true, id: "1", type: "pulumi:providers:aws", inputs: { region: "us-east-1" }, outputs: { region: "us-east-1" } },
                    { urn: "urn:pulumi:dev::web::aws:s3/bucketV2:BucketV2::site", custom: true, id: "site-bucket", type: "aws:s3/bucketV2:BucketV2", inputs: {}, outputs: {} },
                ],
            },
        });
        const r = await cli("--state", f);
        expect(r).toMatchObject({ code: 0, err: "" });
        expect(r.out).toContain("Nothing to check: 3 resources read, none of them a key resource (AWS KMS, Cloud KMS, Key Vault / Managed HSM, keyfabric BYOK).");
        const empty = file("empty.json", { version: 3, deployment: { manifest: {} } });
        expect(await cli("--state", empty, "--format", "json")).toMatchObject({ code: 0 });
    });

    test("key resources without ids: read-failed findings naming each resource, exit 2, no crash", async () => {
        const exported = structuredClone(world.exported);
        const noIds = ["kf-payments-signing-gcp-key", "kf-payments-signing-azure-key"];
        for (const r of exported.deployment.resources) {
            if (!noIds.some((n) => r.urn.endsWith(`::${n}`))) continue;
            delete r.id;
            for (const k of ["id", "keyUri", "keyUriWithVersion"]) delete r.outputs[k];
            delete r.inputs.keyName;
            delete r.inputs.vaultName;
            delete r.outputs.keyName;
            delete r.outputs.vaultName;
            delete r.outputs.name;
        }
        const f = file("noids.json", exported);
        const r = await cli("--state", f, "--no-policy", "--format", "json", "--now", NOW());
        expect(r.code).toBe(2);
        const report = JSON.parse(r.out);
        const at = (name: string) => exported.deployment.resources.findIndex((x) => x.urn.endsWith(`::${name}`));
        expect(report.findings.filter((f: any) => f.kind === "read-failed").map((f: any) => [f.urn.split("::").pop(), f.message])).toEqual([
            ["kf-payments-signing-azure-key", `cannot check this resource: ${f} deployment.resources[${at("kf-payments-signing-azure-key")}] has no id, and no keyUri, keyName or vaultName in its outputs or inputs`],
            ["kf-payments-signing-gcp-key", `cannot check this resource: ${f} deployment.resources[${at("kf-payments-signing-gcp-key")}] has no id`],
        ]);
    });

    test("secrets in state are never compared or printed", async () => {
        const exported = structuredClone(world.exported);
        const key = exported.deployment.resources.find((r) => r.urn.endsWith("::kf-payments-card-data-aws-key"))!;
        const secret = secretValue();
        key.outputs.tagsAll = secret;
        key.outputs.policy = secretValue();
        const r = await cli("--state", file("secrets.json", exported), "--no-policy", "--format", "json", "--now", NOW());
        expect(JSON.parse(r.out).findings.map((f: any) => f.kind)).toEqual(["key-disabled"]);
        expect(r.out).not.toContain(secret.ciphertext);
        expectNoMaterial(r.out, r.err);
    });

    test("an unreadable resource (another account's key): read-failed or missing, never a crash", async () => {
        const exported = structuredClone(world.exported);
        const key = exported.deployment.resources.find((r) => r.urn.endsWith("::kf-payments-signing-aws-key"))!;
        key.outputs.arn = String(key.outputs.arn).replace(/:\d{12}:/, ":999999999999:");
        const r = await cli("--state", file("foreign.json", exported), "--no-policy", "--format", "json", "--now", NOW());
        expect(r.code).toBe(2);
        const f = JSON.parse(r.out).findings.find((x: any) => x.urn.endsWith("::kf-payments-signing-aws-key"));
        expect(f).toMatchObject({ kind: "resource-missing", actual: null });
        expect(f.message).toMatch(/^Key arn:aws:kms:eu-west-1:999999999999:key\/.* no longer exists \(DescribeKey: NotFoundException: /);
    });

    test("a malformed KEYFABRIC_EMULATORS: exit 1, the client factory's message", async () => {
        const saved = process.env.KEYFABRIC_EMULATORS;
        process.env.KEYFABRIC_EMULATORS = "not json";
        try {
            const r = await cli("--state", clean, "--no-policy");
            expect(r.code).toBe(1);
            expect(r.err).toMatch(/^error: cannot create the .* client: KEYFABRIC_EMULATORS must be the JSON line printed by keyfabric emulate/);
        } finally {
            process.env.KEYFABRIC_EMULATORS = saved;
        }
    });

    test("--policy-pack that is not a pack: exit 1", async () => {
        const r = await cli("--state", clean, "--policy-pack", dir);
        expect(r.code).toBe(1);
        expect(r.err).toBe(`error: --policy-pack ${dir}: not a policy pack (no PulumiPolicy.yaml in ${dir})`);
    });
});
