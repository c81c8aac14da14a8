/**
 * The README's offline drift walkthrough, run as written (issue #15 item 6): `keyfabric emulate --seed` on the
 * shipped sample export, `keyfabric drift` (exit 0), a change out of band with the AWS CLI, `keyfabric drift` again
 * (exit 2). The commands are read from README.md between the drift-walkthrough markers; the only change is the
 * three fixed ports, replaced by free ones (other tests run on this machine at the same time). Also: --seed's bad
 * inputs, --seed into a new --state file, the sample export being the generator script's output, and drift without
 * credentials for all three clouds at once (exit 1, one line per cloud, no finding).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { CLI_ARGS, credentialLessEnv } from "./support/cli-env";

const ROOT = path.join(__dirname, "..");
const SAMPLE = path.join(ROOT, "examples", "drift-walkthrough", "stack-export.json");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-walkthrough-"));

// `keyfabric` on PATH: the CLI from source.
const bin = path.join(dir, "bin");
fs.mkdirSync(bin);
fs.writeFileSync(path.join(bin, "keyfabric"), `#!/bin/sh\nexec "${process.execPath}" ${CLI_ARGS.map((a) => `"${a}"`).join(" ")} "$@"\n`, { mode: 0o755 });
const awsCli = spawnSync("sh", ["-c", "command -v aws"], { encoding: "utf8" }).stdout.trim();

const children: ChildProcess[] = [];
afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
});

/** No cloud credentials or config, a HOME of its own, keyfabric (and the AWS CLI) on PATH. */
const cleanEnv = (extra: Record<string, string> = {}) => credentialLessEnv(dir, extra, [bin, ...(awsCli ? [path.dirname(awsCli)] : [])]);

/** Starts `keyfabric emulate ...` (a shell command line); resolves with its first stdout line and its stderr so far. */
function startEmulate(commandLine: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; line: string; err: () => string }> {
    const child = spawn("sh", ["-c", `exec ${commandLine}`], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    return new Promise((resolve, reject) => {
        child.stdout!.on("data", (d) => {
            out += d;
            if (out.includes("\n")) resolve({ child, line: out.split("\n")[0], err: () => err });
        });
        child.on("exit", (code) => reject(new Error(`emulate exited ${code} before its line: ${err}`)));
    });
}

function stop(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.on("exit", (code) => resolve(code));
        child.kill("SIGINT");
    });
}

async function freePorts(n: number): Promise<number[]> {
    const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => resolve(s));
    })));
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    return ports;
}

const sh = (commandLine: string, env: NodeJS.ProcessEnv) => {
    const r = spawnSync("sh", ["-c", commandLine], { cwd: ROOT, env, encoding: "utf8", timeout: 240_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
};

/** The walkthrough's commands, from README.md: each non-comment line of the block. */
function walkthrough(): string[] {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const block = /<!-- drift-walkthrough -->\n```bash\n([\s\S]*?)```\n<!-- \/drift-walkthrough -->/.exec(readme);
    if (!block) throw new Error("README.md has no drift-walkthrough block");
    return block[1].split("\n").filter((l) => l.trim() && !l.startsWith("#"));
}

const sample = () => JSON.parse(fs.readFileSync(SAMPLE, "utf8")) as { version: number; deployment: { resources: { urn: string; type: string; id?: string; custom: boolean; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[] } };

test("the README's walkthrough, as written: emulate --seed, drift (exit 0), a change with the AWS CLI, drift (exit 2)", async () => {
    if (!awsCli) throw new Error("the walkthrough's third command needs the AWS CLI (aws) on PATH");
    const lines = walkthrough();
    expect(lines.map((l) => l.split(" ").find((w) => !w.includes("=")))).toEqual(["keyfabric", "export", "keyfabric", "aws", "keyfabric"]);
    const env = cleanEnv();
    // Free ports are free when asked, not when emulate listens: a process started meanwhile (the other Jest worker)
    // can take one (seen in CI: EADDRINUSE). Then the walkthrough starts again on other free ports.
    let started: { ports: number[]; lines: string[]; emu: Awaited<ReturnType<typeof startEmulate>> } | undefined;
    for (let attempt = 1; !started; attempt++) {
        const ports = await freePorts(3);
        const onFreePorts = (l: string) => l.replace(/4566/g, String(ports[0])).replace(/4567/g, String(ports[1])).replace(/4568/g, String(ports[2]));
        const portLines = lines.map(onFreePorts);
        try {
            started = { ports, lines: portLines, emu: await startEmulate(portLines[0], env) };
        } catch (e) {
            if (attempt >= 3 || !/EADDRINUSE/.test((e as Error).message)) throw e;
        }
    }
    const { emu, ports: [p1, p2, p3] } = started;
    const [, exportLine, drift1, change, drift2] = started.lines;
    const endpoints = JSON.parse(emu.line);
    expect({ aws: endpoints.aws, gcp: endpoints.gcp, azure: endpoints.azure }).toEqual({ aws: `http://127.0.0.1:${p1}`, gcp: `127.0.0.1:${p2}`, azure: `http://127.0.0.1:${p3}` });
    expect(emu.err()).toBe(`seeded 38 key resources from examples/drift-walkthrough/stack-export.json (aws 13, gcp 21, azure 4)\n`);

    const clean = sh(`${exportLine}\n${drift1}`, env);
    expect(clean.err).toBe("");
    expect(clean.out.split("\n").slice(1, 3)).toEqual(["No drift: 38 key resources checked; the live clouds match the stack.", "  policy drift not checked (--no-policy); expiry window 30 days"]);
    expect(clean.code).toBe(0);

    // The key the README disables is the sample's receipts-signing key.
    const keyId = /--key-id (\S+)/.exec(change)![1];
    const signing = sample().deployment.resources.find((r) => r.urn.endsWith("::keyfabric-payments-receipts-signing-aws-key"))!;
    expect(signing.id).toBe(keyId);
    const changed = sh(change, env);
    expect([changed.code, changed.err]).toEqual([0, ""]);

    const drifted = sh(`${exportLine}\n${drift2}`, env);
    expect(drifted.code).toBe(2);
    expect(drifted.err).toBe("");
    expect(drifted.out).toContain("\nDrift: 1 finding (1 high); 38 key resources checked.\n");
    expect(drifted.out).toContain(`\nHIGH     key-disabled  aws:kms/key:Key  keyfabric-payments-receipts-signing-aws-key\n         Key ${signing.outputs.arn} is disabled`);
    // Not part of the walkthrough: the same report in colour, as a terminal (here forced) gets it.
    const coloured = sh(`${exportLine}\nFORCE_COLOR=1 ${drift2}`, env);
    expect(coloured.code).toBe(2);
    expect(coloured.out).toContain("\n\u001b[1mDrift: 1 finding (1 high); 38 key resources checked.\u001b[22m\n");
    expect(coloured.out).toContain("\n\u001b[31mHIGH    \u001b[39m key-disabled  aws:kms/key:Key  keyfabric-payments-receipts-signing-aws-key\n");
    expect(await stop(emu.child)).toBe(0);
}, 600_000);

describe("--seed", () => {
    test("a bad export: exit 1 before any port opens, naming the file", () => {
        const f = path.join(dir, "not-json.json");
        fs.writeFileSync(f, "{ not json");
        const r = spawnSync(process.execPath, [...CLI_ARGS, "emulate", "--seed", f], { cwd: ROOT, env: cleanEnv(), encoding: "utf8", timeout: 120_000 });
        expect(r.status).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(`error: --seed ${f}: is not JSON (Expected property name or '}' in JSON at position 2 (line 1, column 3)); expected the output of pulumi stack export\n`);
        const missing = spawnSync(process.execPath, [...CLI_ARGS, "emulate", "--seed", path.join(dir, "none.json")], { cwd: ROOT, env: cleanEnv(), encoding: "utf8", timeout: 120_000 });
        expect(missing.status).toBe(1);
        expect(missing.stderr).toMatch(/^error: --seed \S*none\.json: /);
    }, 240_000);

    test("into a new --state file: saved with the seeded keys; an existing --state file is refused", async () => {
        const state = path.join(dir, "seeded-state.json");
        const emu = await startEmulate(`keyfabric emulate --seed ${SAMPLE} --state ${state}`, cleanEnv());
        expect(emu.err()).toContain("seeded 38 key resources");
        expect(await stop(emu.child)).toBe(0);
        const saved = JSON.parse(fs.readFileSync(state, "utf8"));
        expect((fs.statSync(state).mode & 0o777).toString(8)).toBe("600");
        // The export's AWS key ids and account are the emulator's now.
        const awsKeys = sample().deployment.resources.filter((r) => ["aws:kms/key:Key", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey"].includes(r.type));
        expect(saved.aws.keys.map((k: { keyId: string }) => k.keyId).sort()).toEqual(awsKeys.map((k) => k.id).sort());
        expect(saved.aws.accountId).toBe("111122223333");
        const again = sh(`keyfabric emulate --seed ${SAMPLE} --state ${state}`, cleanEnv());
        expect(again.code).toBe(1);
        expect(again.err).toBe(`error: --seed cannot start from --state ${state}: the file holds emulator state already (seed into a new --state file, or drop --seed to continue from it)\n`);
    }, 300_000);
});

test("the sample export is the generator script's output (the same resources, inputs and outputs but for the ids the emulators gave)", async () => {
    const { generateSample } = await import("../scripts/generate-drift-sample");
    const fresh = (await generateSample()) as ReturnType<typeof sample>;
    // Ids the emulators make up: AWS key ids (UUIDs, mrk-), Key Vault versions (32 hex); times.
    const norm = (v: unknown) => JSON.stringify(v).replace(/mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g, "<key id>").replace(/\/[0-9a-f]{32}\b/g, "/<version>");
    const shipped = sample();
    expect(shipped.version).toBe(3);
    expect(shipped.deployment.resources.map((r) => `${r.type} ${r.urn}`)).toEqual(fresh.deployment.resources.map((r) => `${r.type} ${r.urn}`));
    shipped.deployment.resources.forEach((r, i) => expect(norm(r)).toBe(norm(fresh.deployment.resources[i])));
    // State never holds key material.
    expect(fs.readFileSync(SAMPLE, "utf8")).not.toMatch(/PRIVATE KEY|"(secret|material|privateKeyPem)":\s*"/);
}, 300_000);

test("drift without credentials for any of the three clouds: exit 1, one error line per cloud, not drift", () => {
    const KEY = (type: string, name: string, id: string, outputs: Record<string, unknown>) => ({ urn: `urn:pulumi:dev::p::${type}::${name}`, type, custom: true, id, inputs: {}, outputs });
    const arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001";
    const f = path.join(dir, "three-clouds.json");
    fs.writeFileSync(
        f,
        JSON.stringify({
            version: 3,
            deployment: {
                manifest: {},
                resources: [
                    KEY("aws:kms/key:Key", "a", arn, { arn, region: "eu-west-1" }),
                    KEY("gcp:kms/cryptoKey:CryptoKey", "g", "projects/p/locations/l/keyRings/r/cryptoKeys/k", {}),
                    KEY("azure-native:keyvault:Key", "z", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kf-nocreds/keys/k", { keyName: "k", vaultName: "kf-nocreds" }),
                ],
            },
        }),
    );
    const r = sh(`keyfabric drift --state ${f} --no-policy --format json`, cleanEnv());
    expect(r.code).toBe(1);
    expect(r.err.split("\n").sort()).toEqual(
        [
            "",
            "error: aws: no credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or KEYFABRIC_EMULATORS for the emulators)",
            "error: azure: no credentials (set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run az login, or KEYFABRIC_EMULATORS for the emulators)",
            "error: gcp: no credentials (set GOOGLE_APPLICATION_CREDENTIALS or run gcloud auth application-default login, or KEYFABRIC_EMULATORS for the emulators)",
        ],
    );
    const report = JSON.parse(r.out);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ checked: 0, unchecked: 3 });
}, 240_000);
