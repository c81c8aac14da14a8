/**
 * Every `drift --state` row of the bad-input review (D1–D30 in /work/shared/docs/bad-inputs-review.md): the input,
 * the exit code and the exact output, each within a time limit. Then what an unusable cloud does: connections that
 * are all dropped (the emulators' `drop` fault), a deadline that passes, and runs without credentials for each cloud
 * (the CLI spawned with an environment that has none): exit 1, one line per cloud, never read-failed findings.
 *
 * Rows run in process (`main([...])`, the output collected), except those that need an environment of their own,
 * which spawn bin/keyfabric.js (so `npm run build` first).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { main } from "../../sdk/cli";
import { createAwsKmsClient, createAzureKeyClient, createGcpKmsClient } from "../../sdk/clients";
import { EmulatorSet, startEmulators } from "../../sdk/emulators";
import { secretValue } from "./support";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "keyfabric.js");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-in-"));
const NOW = "2026-12-01T00:00:00.000Z";
const ACCOUNT = "111122223333";
const KINDS = "(AWS KMS, Cloud KMS, Key Vault / Managed HSM, keyfabric BYOK)";
const NO_POLICY = "  policy drift not checked (--no-policy); expiry window 30 days";

const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
const STACK = { urn: urn("pulumi:pulumi:Stack", "p-dev"), type: "pulumi:pulumi:Stack", custom: false };
const exportOf = (resources: unknown[]) => ({ version: 3, deployment: { manifest: { time: NOW, magic: "m", version: "v3.200.0" }, resources: [STACK, ...resources] } });
const write = (name: string, content: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, typeof content === "string" || Buffer.isBuffer(content) ? content : JSON.stringify(content));
    return f;
};
const header = (f: string) => `keyfabric drift p/dev (${f}, as of ${NOW})`;
const fakeArn = (n: number) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000001-0000-0000-0000-${String(n).padStart(12, "0")}`;

interface Result {
    code: number;
    out: string;
    err: string;
    ms: number;
}

/** In process, with `env` over process.env for the run. */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const out: string[] = [];
    const err: string[] = [];
    const t = Date.now();
    try {
        const code = await main(["drift", ...argv], { out: (x) => out.push(x), err: (x) => err.push(x) });
        // (commander's own messages come with their newline)
        return { code, out: out.join("\n"), err: err.join("\n").replace(/\n$/, ""), ms: Date.now() - t };
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

/**
 * bin/keyfabric.js in an environment with no cloud credentials and no emulators: no AWS, Google or Azure variables,
 * a HOME without ~/.aws or gcloud config, a PATH without az/azd/pwsh, no instance metadata lookups.
 */
function spawnCli(argv: string[]): Promise<Result> {
    const home = fs.mkdtempSync(path.join(dir, "home-"));
    const env: NodeJS.ProcessEnv = {
        PATH: path.dirname(process.execPath),
        HOME: home,
        USERPROFILE: home,
        CLOUDSDK_CONFIG: path.join(home, "gcloud"),
        AWS_CONFIG_FILE: path.join(home, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        METADATA_SERVER_DETECTION: "none",
        // The AWS SDK warns about Node 20 on stderr; the messages under test are keyfabric's.
        NODE_NO_WARNINGS: "1",
    };
    const t = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, "drift", ...argv], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code: code ?? -1, out: out.replace(/\n$/, ""), err: err.replace(/\n$/, ""), ms: Date.now() - t }));
    });
}

/** Ports nothing listens on (taken, then released). */
async function deadPorts(n: number): Promise<number[]> {
    const servers = await Promise.all(
        Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
            const s = net.createServer();
            s.listen(0, "127.0.0.1", () => resolve(s));
        })),
    );
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    return ports;
}

let emu: EmulatorSet;
const live: { key1?: { KeyId: string; Arn: string }; key2?: { KeyId: string; Arn: string }; gcpKey?: string } = {};
const port = (url: string) => Number(/:(\d+)\/?$/.exec(url)![1]);

/** One key per cloud, in the emulators. */
const threeClouds = () =>
    exportOf([
        { urn: urn("aws:kms/key:Key", "a"), type: "aws:kms/key:Key", custom: true, id: live.key1!.KeyId, inputs: {}, outputs: { arn: live.key1!.Arn, region: "us-east-1" } },
        { urn: urn("gcp:kms/cryptoKey:CryptoKey", "g"), type: "gcp:kms/cryptoKey:CryptoKey", custom: true, id: live.gcpKey, inputs: {}, outputs: {} },
        {
            urn: urn("pulumi-nodejs:dynamic/keyfabric:AzureImportedKey", "z"),
            type: "pulumi-nodejs:dynamic/keyfabric:AzureImportedKey",
            custom: true,
            id: "https://kf-bad-inputs.vault.azure.net/keys/k",
            inputs: {},
            outputs: { vaultUrl: "https://kf-bad-inputs.vault.azure.net", keyName: "k" },
        },
    ]);

beforeAll(async () => {
    emu = await startEmulators({});
    process.env.KEYFABRIC_EMULATORS = JSON.stringify(emu.endpoints);
    const env = { ...process.env, ...emu.env() };
    const aws = createAwsKmsClient("us-east-1", { env });
    live.key1 = (await aws.send(new kms.CreateKeyCommand({ Description: "D14" }))).KeyMetadata as typeof live.key1;
    live.key2 = (await aws.send(new kms.CreateKeyCommand({ Description: "D15" }))).KeyMetadata as typeof live.key2;
    aws.destroy();
    const gcp = createGcpKmsClient({ env });
    await gcp.createKeyRing({ parent: "projects/p/locations/l", keyRingId: "r" });
    const [ck] = await gcp.createCryptoKey({ parent: "projects/p/locations/l/keyRings/r", cryptoKeyId: "k", cryptoKey: { purpose: "ENCRYPT_DECRYPT" } } as never);
    live.gcpKey = ck.name!;
    await gcp.close();
    await createAzureKeyClient("https://kf-bad-inputs.vault.azure.net", { env }).createKey("k", "EC", { curve: "P-256" });
}, 60_000);

afterAll(async () => {
    delete process.env.KEYFABRIC_EMULATORS;
    await emu?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

interface Row {
    readonly id: string;
    readonly input: string;
    /** Writes the input, returns the run and what it must print. */
    readonly make: () => Promise<{ run: () => Promise<Result>; code: number; out: string; err: string }>;
    /** The run must end within this (ms). */
    readonly within: number;
}

const simple = () => write("ok.json", exportOf([]));
const stateError = (id: string, input: string, content: unknown, message: (f: string) => string): Row => ({
    id,
    input,
    within: 5_000,
    make: async () => {
        const f = write(`${id}.json`, content);
        return { run: () => cli(["--state", f]), code: 1, out: "", err: `error: ${message(f)}` };
    },
});
const optionError = (id: string, input: string, args: string[], message: string): Row => ({
    id,
    input,
    within: 5_000,
    make: async () => {
        const f = simple();
        return { run: () => cli(["--state", f, ...args]), code: 1, out: "", err: `error: ${message}` };
    },
});

const NOT_EXPORT = "is not a stack export (expected a JSON object with version and deployment)";
const VERSION = (v: string) => `is a version ${v} stack export; keyfabric drift reads version 3 (pulumi stack export with Pulumi CLI 3.x)`;
const KEY = (extra: Record<string, unknown> = {}) => ({ urn: urn("aws:kms/key:Key", "k1"), type: "aws:kms/key:Key", custom: true, id: "k", inputs: {}, outputs: {}, ...extra });
/** `{"version":3,...,"outputs":{"deep":<deep>}}` written as text: JSON.stringify itself cannot nest this deep. */
const deepExport = (deep: string) => JSON.stringify(exportOf([KEY({ outputs: { deep: "@@" } })])).replace('"@@"', deep);

const ROWS: Row[] = [
    stateError("D1", "non-JSON file", "this is not json\n", (f) => `--state ${f}: is not JSON (Unexpected token 'h'); expected the output of pulumi stack export`),
    stateError("D2", "empty file", "", (f) => `--state ${f}: is empty; expected the output of pulumi stack export`),
    stateError("D3", "JSON null", "null", (f) => `${f}: ${NOT_EXPORT}`),
    stateError("D4", "JSON array", "[]", (f) => `${f}: ${NOT_EXPORT}`),
    {
        id: "D5",
        input: "UTF-8 BOM before valid export",
        within: 5_000,
        make: async () => {
            const f = write("D5.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(exportOf([])))]));
            return { run: () => cli(["--state", f, "--now", NOW]), code: 0, out: `${header(f)}\nNothing to check: 1 resource read, none of them a key resource ${KINDS}.`, err: "" };
        },
    },
    stateError("D6", "deployment v1 export", { version: 1, deployment: { resources: [] } }, (f) => `${f}: ${VERSION("1")}`),
    stateError("D7", "deployment v2 export", { version: 2, deployment: { resources: [] } }, (f) => `${f}: ${VERSION("2")}`),
    stateError("D8", "version as string '3'", { version: "3", deployment: { resources: [] } }, (f) => `${f}: ${VERSION('"3"')}`),
    stateError("D9", "no version", { deployment: { resources: [] } }, (f) => `${f}: has no "version": expected the output of pulumi stack export ({"version": 3, "deployment": {...}})`),
    stateError("D10", "deployment missing", { version: 3 }, (f) => `${f}: "deployment" is missing or not an object`),
    stateError("D11", "resources not a list", { version: 3, deployment: { resources: {} } }, (f) => `${f}: deployment.resources is not a list`),
    stateError("D12", "resource without urn", { version: 3, deployment: { resources: [{ type: "aws:kms/key:Key" }] } }, (f) => `${f}: deployment.resources[0]: has no valid urn`),
    stateError("D13", "resource with type missing", { version: 3, deployment: { resources: [{ urn: urn("aws:kms/key:Key", "k") }] } }, (f) => `${f}: deployment.resources[0] (${urn("aws:kms/key:Key", "k")}): has no type`),
    {
        id: "D14",
        input: "secrets encrypted (ciphertext) in key outputs",
        within: 10_000,
        make: async () => {
            const k = live.key1!;
            const f = write("D14.json", exportOf([KEY({ id: k.KeyId, inputs: { description: secretValue(), policy: secretValue() }, outputs: { arn: k.Arn, keyId: k.KeyId, region: "us-east-1", isEnabled: true, description: secretValue(), policy: secretValue(), tagsAll: secretValue() } })]));
            return {
                run: () => cli(["--state", f, "--no-policy", "--now", NOW]),
                code: 0,
                out: [header(f), "No drift: 1 key resource checked; the live clouds match the stack.", NO_POLICY, "", "Secret in state, not compared (never decrypted):", "  aws:kms/key:Key  k1: description, policy, tagsAll"].join("\n"),
                err: "",
            };
        },
    },
    {
        id: "D15",
        input: "key resources without ids",
        within: 10_000,
        make: async () => {
            const f = write(
                "D15.json",
                exportOf([
                    { urn: urn("aws:kms/key:Key", "k1"), type: "aws:kms/key:Key", custom: true, inputs: {}, outputs: { arn: live.key2!.Arn, region: "us-east-1" } },
                    { urn: urn("aws:kms/key:Key", "k2"), type: "aws:kms/key:Key", custom: true, inputs: { region: "us-east-1" }, outputs: { region: "us-east-1" } },
                ]),
            );
            return {
                run: () => cli(["--state", f, "--no-policy", "--now", NOW]),
                code: 2,
                out: [
                    header(f),
                    "Drift: 1 finding (1 medium); 2 key resources checked.",
                    NO_POLICY,
                    "",
                    "MEDIUM   read-failed  aws:kms/key:Key  k2",
                    `         cannot check this resource: ${f} deployment.resources[2] has no id, and no arn or keyId in its outputs or inputs (was its creation interrupted? pulumi refresh records it)`,
                    '         expected: "readable"',
                    "         actual:   null",
                ].join("\n"),
                err: "",
            };
        },
    },
    stateError("D16", "key resource with inputs a string, outputs an array", exportOf([KEY({ inputs: "region=us-east-1", outputs: ["arn"] })]), (f) => `${f}: deployment.resources[1] (${urn("aws:kms/key:Key", "k1")}): inputs is a string, not an object; outputs is a list, not an object`),
    {
        id: "D17",
        input: "50 MB of (non-key) resources",
        within: 30_000,
        make: async () => {
            const buckets = Array.from({ length: 5_000 }, (_, i) => ({ urn: urn("aws:s3/bucketV2:BucketV2", `b${i}`), type: "aws:s3/bucketV2:BucketV2", custom: true, id: `b${i}`, inputs: {}, outputs: { policy: "x".repeat(10_000) } }));
            const f = write("D17.json", exportOf(buckets));
            expect(fs.statSync(f).size).toBeGreaterThan(50_000_000);
            return { run: () => cli(["--state", f, "--now", NOW]), code: 0, out: `${header(f)}\nNothing to check: 5001 resources read, none of them a key resource ${KINDS}.`, err: "" };
        },
    },
    {
        id: "D18",
        input: "deeply nested arrays (200k) in outputs",
        within: 10_000,
        make: async () => {
            const f = write("D18.json", deepExport("[".repeat(200_000) + "]".repeat(200_000)));
            return { run: () => cli(["--state", f]), code: 1, out: "", err: `error: ${f}: deployment.resources[1] (${urn("aws:kms/key:Key", "k1")}): outputs.deep is nested more than 100 levels deep; keyfabric drift reads property values up to 100 levels deep` };
        },
    },
    {
        id: "D19",
        input: "deeply nested objects (5k) in outputs",
        within: 10_000,
        make: async () => {
            const f = write("D19.json", deepExport('{"a":'.repeat(5_000) + "1" + "}".repeat(5_000)));
            return { run: () => cli(["--state", f]), code: 1, out: "", err: `error: ${f}: deployment.resources[1] (${urn("aws:kms/key:Key", "k1")}): outputs.deep is nested more than 100 levels deep; keyfabric drift reads property values up to 100 levels deep` };
        },
    },
    {
        id: "D20",
        input: "path does not exist",
        within: 5_000,
        make: async () => {
            const f = path.join(dir, "nope.json");
            return { run: () => cli(["--state", f]), code: 1, out: "", err: `error: --state ${f}: no such file (create it with: pulumi stack export --file ${f})` };
        },
    },
    {
        id: "D21",
        input: "path is a directory",
        within: 5_000,
        make: async () => ({ run: () => cli(["--state", dir]), code: 1, out: "", err: `error: --state ${dir}: is a directory, not a stack export file` }),
    },
    optionError("D22", "--concurrency 0", ["--concurrency", "0"], `option '--concurrency <n>' argument '0' is invalid. --concurrency must be a whole number from 1 to 256 (got: "0")`),
    optionError("D23", "--now garbage", ["--now", "yesterday-ish"], `option '--now <iso>' argument 'yesterday-ish' is invalid. not an ISO 8601 date-time (e.g. 2027-01-31T00:00:00Z; got: "yesterday-ish")`),
    optionError("D24", "--expiry-warning-days -1", ["--expiry-warning-days", "-1"], `option '--expiry-warning-days <n>' argument '-1' is invalid. --expiry-warning-days must be a whole number from 0 to 3650 (got: "-1")`),
    optionError("D25", "--format bogus", ["--format", "xml"], "option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are text, json, markdown, sarif."),
    optionError("D26", "--policy-pack does not exist", ["--policy-pack", "/nonexistent/pack"], "--policy-pack /nonexistent/pack: not a policy pack (no PulumiPolicy.yaml in /nonexistent/pack)"),
    {
        id: "D27",
        input: "--policy-pack-config not JSON",
        within: 5_000,
        make: async () => {
            const f = simple();
            const cfg = write("cfg.json", "{ not json");
            return { run: () => cli(["--state", f, "--policy-pack-config", cfg]), code: 1, out: "", err: `error: policy pack config ${cfg}: is not valid JSON: Expected property name or '}' in JSON at position 2 (line 1, column 3)` };
        },
    },
    {
        id: "D28",
        input: "emulator endpoints dead (connection refused)",
        within: 5_000,
        make: async () => {
            const f = write("D28.json", threeClouds());
            const [a, g, z] = await deadPorts(3);
            const env = { KEYFABRIC_EMULATORS: JSON.stringify({ aws: `http://127.0.0.1:${a}`, gcp: `127.0.0.1:${g}`, azure: `http://127.0.0.1:${z}` }) };
            return {
                run: () => cli(["--state", f, "--no-policy", "--now", NOW], env),
                code: 1,
                out: [header(f), "Incomplete: none of the 3 key resources to compare was checked.", NO_POLICY].join("\n"),
                err: [`error: aws: 127.0.0.1:${a} refused the connection`, `error: gcp: 127.0.0.1:${g} refused the connection`, `error: azure: 127.0.0.1:${z} refused the connection`].join("\n"),
            };
        },
    },
    {
        id: "D29",
        input: "no emulators, no credentials, no network (real AWS SDK)",
        within: 20_000,
        make: async () => {
            const f = write("D29.json", exportOf([KEY({ id: fakeArn(1), outputs: { arn: fakeArn(1), region: "us-east-1" } })]));
            return {
                run: () => spawnCli(["--state", f, "--no-policy", "--now", NOW]),
                code: 1,
                out: [header(f), "Incomplete: the key resource to compare was not checked.", NO_POLICY].join("\n"),
                err: "error: aws: no credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or KEYFABRIC_EMULATORS for the emulators)",
            };
        },
    },
    {
        id: "D30",
        input: "51 MB export of 2,100 key resources (vs emulate)",
        within: 60_000,
        make: async () => {
            const n = 2_100;
            const name = (i: number) => `k${String(i).padStart(4, "0")}`;
            const keys = Array.from({ length: n }, (_, i) => KEY({ urn: urn("aws:kms/key:Key", name(i)), id: fakeArn(i), inputs: { description: "d".repeat(24_000) }, outputs: { arn: fakeArn(i), region: "us-east-1" } }));
            const f = write("D30.json", exportOf(keys));
            expect(fs.statSync(f).size).toBeGreaterThan(50_000_000);
            const findings = Array.from({ length: n }, (_, i) => [
                "",
                `CRITICAL resource-missing  aws:kms/key:Key  ${name(i)}`,
                `         Key ${fakeArn(i)} no longer exists (DescribeKey: NotFoundException: Key '${fakeArn(i)}' does not exist)`,
                '         expected: "exists"',
                "         actual:   null",
            ]).flat();
            return { run: () => cli(["--state", f, "--no-policy", "--now", NOW]), code: 2, out: [header(f), `Drift: ${n} findings (${n} critical); ${n} key resources checked.`, NO_POLICY, ...findings].join("\n"), err: "" };
        },
    },
];

test("the table has every drift row of the review", () => {
    expect(ROWS.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `D${i + 1}`));
});

test.each(ROWS.map((r) => [`${r.id} ${r.input}`, r] as const))("%s", async (_name, row) => {
    const expected = await row.make();
    const r = await expected.run();
    expect({ code: r.code, out: r.out, err: r.err }).toEqual({ code: expected.code, out: expected.out, err: expected.err });
    expect(r.ms).toBeLessThan(row.within);
}, 120_000);

describe("a cloud that cannot be used is an error (exit 1), never read-failed findings", () => {
    afterEach(() => {
        for (const e of [emu.aws, emu.gcp, emu.azure]) e.faults.clear();
    });

    test("every connection dropped: exit 1 within the call timeout, one line per cloud", async () => {
        for (const e of [emu.aws, emu.gcp, emu.azure]) e.faults.add({ kind: "drop", rate: 1 });
        const f = write("drop.json", threeClouds());
        const r = await cli(["--state", f, "--no-policy", "--now", NOW, "--timeout", "20", "--call-timeout", "2"]);
        expect(r.code).toBe(1);
        expect(r.out).toBe([header(f), "Incomplete: none of the 3 key resources to compare was checked.", NO_POLICY].join("\n"));
        // AWS reports what its last attempt failed with. Cloud KMS's own timeout error quotes it too, unless gax gives
        // up later than the call's grace (a busy machine); the Azure SDK keeps retrying until the budget: then the
        // endpoint is probed (it accepts connections). Both wordings say the same thing.
        const hanging = "did not answer within 2 s \\(it accepts connections, then drops them or leaves them hanging\\)";
        const lines = r.err.split("\n");
        expect(lines).toHaveLength(3);
        expect(lines[0]).toBe(`error: aws: 127.0.0.1:${port(emu.aws.endpoint)} dropped the connection`);
        expect(lines[1]).toMatch(new RegExp(`^error: gcp: 127\\.0\\.0\\.1:${port(emu.gcp.endpoint)} (dropped the connection|${hanging})$`));
        expect(lines[2]).toMatch(new RegExp(`^error: azure: 127\\.0\\.0\\.1:${port(emu.azure.endpoint)} ${hanging}$`));
        expect(emu.aws.faults.injected.drop + emu.gcp.faults.injected.drop + emu.azure.faults.injected.drop).toBeGreaterThan(3);
        // The call budget (2 s), a probe of the endpoint that did not answer, and the time to give up: not the deadline.
        expect(r.ms).toBeLessThan(8_000);
    }, 30_000);

    test("calls that never answer: the deadline ends the run, what was checked is reported, exit 1", async () => {
        emu.gcp.faults.add({ kind: "latency", latencyMs: 6_000, rate: 1 });
        const f = write("slow.json", threeClouds());
        const r = await cli(["--state", f, "--no-policy", "--now", NOW, "--timeout", "2", "--call-timeout", "30", "--format", "json"]);
        expect(r.code).toBe(1);
        const report = JSON.parse(r.out);
        expect(report.summary).toMatchObject({ resources: 3, checked: 2, unchecked: 1, findings: 0 });
        expect(report.notChecked).toEqual([{ urn: urn("gcp:kms/cryptoKey:CryptoKey", "g"), type: "gcp:kms/cryptoKey:CryptoKey", reason: "the deadline passed before it was checked" }]);
        expect(r.err).toBe("error: the deadline passed (--timeout 2 s): 1 of 3 key resources were not checked");
        expect(r.ms).toBeLessThan(4_000);
        // The abandoned Cloud KMS call's own timeout was the deadline: it has ended (client side) before the emulators stop.
        await new Promise((res) => setTimeout(res, 1_500));
    }, 30_000);

    /** A KMS endpoint that answers DescribeKey with AccessDeniedException for key ids containing "denied", NotFoundException otherwise. */
    async function fakeKms(): Promise<{ url: string; close(): Promise<void> }> {
        const http = await import("http");
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (d) => (body += d));
            req.on("end", () => {
                const keyId = String(JSON.parse(body || "{}").KeyId ?? "");
                const denied = keyId.includes("denied");
                const error = denied
                    ? { __type: "AccessDeniedException", message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/drift/ci is not authorized to perform: kms:DescribeKey on resource: ${keyId}` }
                    : { __type: "NotFoundException", message: `Key '${keyId}' does not exist` };
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "r" });
                res.end(JSON.stringify(error));
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
    }
    const deniedArn = (n: number) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/denied-${n}`;

    test("permission denied on every call of a cloud: exit 1, one line, no findings", async () => {
        const kmsFake = await fakeKms();
        try {
            const f = write("denied.json", exportOf([1, 2].map((n) => KEY({ urn: urn("aws:kms/key:Key", `k${n}`), id: deniedArn(n), outputs: { arn: deniedArn(n), region: "us-east-1" } }))));
            // --concurrency 1: the first call (k1's) is the example the line quotes.
            const r = await cli(["--state", f, "--no-policy", "--now", NOW, "--concurrency", "1"], { KEYFABRIC_EMULATORS: JSON.stringify({ aws: kmsFake.url }) });
            expect({ code: r.code, out: r.out, err: r.err }).toEqual({
                code: 1,
                out: [header(f), "Incomplete: none of the 2 key resources to compare was checked.", NO_POLICY].join("\n"),
                err: `error: aws: permission denied on every call (2 calls; e.g. AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/drift/ci is not authorized to perform: kms:DescribeKey on resource: ${deniedArn(1)})`,
            });
        } finally {
            await kmsFake.close();
        }
    }, 30_000);

    test("permission denied on one resource only (others answer): a read-failed finding, exit 2", async () => {
        const kmsFake = await fakeKms();
        try {
            const gone = fakeArn(3);
            const f = write("denied-one.json", exportOf([KEY({ urn: urn("aws:kms/key:Key", "k1"), id: deniedArn(1), outputs: { arn: deniedArn(1), region: "us-east-1" } }), KEY({ urn: urn("aws:kms/key:Key", "k2"), id: gone, outputs: { arn: gone, region: "us-east-1" } })]));
            const r = await cli(["--state", f, "--no-policy", "--now", NOW, "--format", "json"], { KEYFABRIC_EMULATORS: JSON.stringify({ aws: kmsFake.url }) });
            expect(r).toMatchObject({ code: 2, err: "" });
            expect(JSON.parse(r.out).findings.map((x: { kind: string; message: string }) => [x.kind, x.message])).toEqual([
                ["resource-missing", `Key ${gone} no longer exists (DescribeKey: NotFoundException: Key '${gone}' does not exist)`],
                ["read-failed", `cannot read Key ${deniedArn(1)}: permission denied (DescribeKey: AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/drift/ci is not authorized to perform: kms:DescribeKey on resource: ${deniedArn(1)})`],
            ]);
        } finally {
            await kmsFake.close();
        }
    }, 30_000);

    const credentialLess = (cloud: string, resource: Record<string, unknown>, line: string) =>
        test(`${cloud} without credentials: exit 1, "${line}"`, async () => {
            const f = write(`nocreds-${cloud}.json`, exportOf([resource]));
            const r = await spawnCli(["--state", f, "--no-policy", "--now", NOW]);
            expect({ code: r.code, out: r.out, err: r.err }).toEqual({ code: 1, out: [header(f), "Incomplete: the key resource to compare was not checked.", NO_POLICY].join("\n"), err: line });
            expect(r.ms).toBeLessThan(20_000);
        }, 30_000);
    credentialLess("aws", KEY({ id: fakeArn(7), outputs: { arn: fakeArn(7), region: "eu-west-1" } }), "error: aws: no credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or KEYFABRIC_EMULATORS for the emulators)");
    credentialLess(
        "gcp",
        { urn: urn("gcp:kms/cryptoKey:CryptoKey", "g"), type: "gcp:kms/cryptoKey:CryptoKey", custom: true, id: "projects/p/locations/l/keyRings/r/cryptoKeys/k", inputs: {}, outputs: {} },
        "error: gcp: no credentials (set GOOGLE_APPLICATION_CREDENTIALS or run gcloud auth application-default login, or KEYFABRIC_EMULATORS for the emulators)",
    );
    credentialLess(
        "azure",
        { urn: urn("azure-native:keyvault:Key", "z"), type: "azure-native:keyvault:Key", custom: true, id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kf-nocreds/keys/k", inputs: {}, outputs: { keyName: "k", vaultName: "kf-nocreds" } },
        "error: azure: no credentials (set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run az login, or KEYFABRIC_EMULATORS for the emulators)",
    );
});
