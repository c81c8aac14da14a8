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
import { FindingsFor, gaxRefusal, RefusedThroughBudget } from "../../sdk/drift/context";
import { EmulatorSet, startEmulators } from "../../sdk/emulators";
import { createLiveKeys, credentialFreeEnv, driftInputs, LiveKeys } from "../fixtures/bad-inputs-drift";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "keyfabric.js");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-in-"));
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
    // The AWS SDK warns about Node 20 on stderr; the messages under test are keyfabric's.
    const env: NodeJS.ProcessEnv = { ...credentialFreeEnv(home), NODE_NO_WARNINGS: "1" };
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

let emu: EmulatorSet;
const live: LiveKeys = {};
const { ROWS, NOW, ACCOUNT, NO_POLICY, urn, exportOf, write, header, fakeArn, KEY, threeClouds } = driftInputs(dir, live);
const port = (url: string) => Number(/:(\d+)\/?$/.exec(url)![1]);

beforeAll(async () => {
    emu = await startEmulators({});
    process.env.KEYFABRIC_EMULATORS = JSON.stringify(emu.endpoints);
    await createLiveKeys({ ...process.env, ...emu.env() }, live);
}, 60_000);

afterAll(async () => {
    delete process.env.KEYFABRIC_EMULATORS;
    await emu?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});


test("the table has every drift row of the review", () => {
    expect(ROWS.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `D${i + 1}`));
});

test.each(ROWS.map((r) => [`${r.id} ${r.input}`, r] as const))("%s", async (_name, row) => {
    const expected = await row.make();
    const r = expected.bare ? await spawnCli(expected.args) : await cli(expected.args, expected.env);
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

    test("throttled past the call budget: the endpoint answered every attempt, so it is not reported as one that does not answer", async () => {
        // Every DescribeKey throttled: the SDK backs off (up to 10 attempts) past the 2 s budget. Before, this read
        // "did not answer within 2 s (it accepts connections, then drops them or leaves them hanging)", and stopped
        // every check of that endpoint. Its only call failed, so the cloud is an error; with others answering, the
        // key would be a read-failed finding (below).
        emu.aws.faults.add({ operation: "DescribeKey", kind: "throttle", rate: 1 });
        const f = write("throttled.json", threeClouds());
        const r = await cli(["--state", f, "--no-policy", "--now", NOW, "--call-timeout", "2"]);
        expect({ code: r.code, err: r.err }).toEqual({ code: 1, err: "error: aws: every call failed (1 call; e.g. ThrottlingException: Rate exceeded)" });
        expect(r.out.split("\n")[1]).toBe("Incomplete: 2 of 3 key resources checked, 1 not checked; no drift found in those.");
        expect(emu.aws.faults.injected.throttle).toBeGreaterThan(1);
    }, 30_000);

    test("Cloud KMS: gax's total timeout that quotes RESOURCE_EXHAUSTED is a refusal (the quoted error); other timeouts are not", () => {
        // The message gax 5 builds when its retries pass the total timeout (normalCalls/retries.js), as seen from the emulator.
        const quoted = "8 RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Cryptographic requests' (emulated throttle).";
        const total = Object.assign(new Error(`Total timeout of API google.cloud.kms.v1.KeyManagementService exceeded 2000 milliseconds retrying error Error: ${quoted}  before any response was received. : Previous errors : [{message: ${quoted}}]`), { code: 4 });
        expect(gaxRefusal(total)).toMatchObject({ code: 8, message: quoted, details: "Quota exceeded for quota metric 'Cryptographic requests' (emulated throttle)." });
        expect(gaxRefusal(Object.assign(new Error(total.message.replace("8 RESOURCE_EXHAUSTED", "14 UNAVAILABLE")), { code: 4 }))).toBeUndefined();
        expect(gaxRefusal(Object.assign(new Error("4 DEADLINE_EXCEEDED: Deadline exceeded"), { code: 4 }))).toBeUndefined();
    });

    test("a call refused through its budget, among calls that answer: a read-failed finding that says so", () => {
        const f = new FindingsFor({ urn: urn("aws:kms/key:Key", "a"), type: "aws:kms/key:Key", custom: true, inputs: {}, outputs: {} } as never, "aws");
        const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
        f.readError("DescribeKey", "Key arn:aws:kms:us-east-1:111122223333:key/k", new RefusedThroughBudget(throttled, 2_000));
        expect(f.findings.map((x) => [x.kind, x.message])).toEqual([
            ["read-failed", "cannot read Key arn:aws:kms:us-east-1:111122223333:key/k: the service kept refusing it (throttling or server errors) until the call's 2 s budget ran out (DescribeKey: ThrottlingException: Rate exceeded)"],
        ]);
    });

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
