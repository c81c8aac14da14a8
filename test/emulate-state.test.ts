/**
 * `keyfabric emulate --state FILE` against the bad inputs of /work/shared/docs/bad-inputs-review.md (rows E1-E16):
 * each row's exact message and exit code. Files that cannot be restored are refused before any port is opened and
 * left as they were; state is saved within 100 ms of a change, atomically, and at SIGINT, SIGTERM and SIGHUP; a
 * save that fails leaves the previous file intact, is reported once per kind of failure, and the emulators keep
 * serving. The CLI rows spawn bin/keyfabric.js (build first: `npm run build`).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { createAwsKmsClient, createAzureKeyClient, createGcpKmsClient } from "../sdk/clients";
import { EmulatorStateError, readStateFile, startEmulators, stateProblems, StateSaver, writeStateFile, type EmulatorSetState } from "../sdk/emulators";
import { SNAPSHOT_FORMAT } from "../sdk/emulators/azure/model";
import { awsPart, stateText, validKey } from "./fixtures/emulator-state";

const bin = path.join(__dirname, "..", "bin", "keyfabric.js");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "kf-emulate-state-"));
const isRoot = process.getuid?.() === 0;
// The read-only-directory row runs as nobody when the tests run as root: nobody must reach the rows' directories.
if (isRoot) fs.chmodSync(root, 0o755);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const SAVE_FAILED_TAIL = "still serving: the state is kept in memory and saved on the next change and at exit";
const CLI_TIMEOUT_MS = 20_000;
const ROW_TIMEOUT_MS = 45_000;

// ---------------------------------------------------------------------------------------------------------------
// Processes

interface Proc {
    readonly child: ChildProcess;
    out: string;
    err: string;
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface StartOptions {
    readonly cwd: string;
    /** Run as this user (and group): the read-only-directory row runs as nobody when the tests run as root. */
    readonly uid?: number;
    /** RLIMIT_FSIZE in 512-byte blocks: writes past it fail with EFBIG (a real failing write, as root too). */
    readonly fileSizeBlocks?: number;
}

function start(args: readonly string[], o: StartOptions): Proc {
    const argv = [bin, "emulate", ...args];
    const child = o.fileSizeBlocks
        ? spawn("sh", ["-c", `ulimit -f ${o.fileSizeBlocks}; exec "$0" "$@"`, process.execPath, ...argv], { cwd: o.cwd, stdio: ["ignore", "pipe", "pipe"] })
        : spawn(process.execPath, argv, { cwd: o.cwd, stdio: ["ignore", "pipe", "pipe"], ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}) });
    const proc: Proc = {
        child,
        out: "",
        err: "",
        exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    };
    child.stdout!.on("data", (d: Buffer) => (proc.out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (proc.err += d.toString()));
    return proc;
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
        return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]);
    } finally {
        clearTimeout(timer);
    }
}

/** The exit of a process, killed (SIGKILL) if it outlives `ms`. */
async function exitOf(proc: Proc, ms = CLI_TIMEOUT_MS): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
    try {
        const { code, signal } = await within(ms, "keyfabric emulate to exit", proc.exited);
        await new Promise((r) => setImmediate(r));
        return { code, signal, out: proc.out, err: proc.err };
    } catch (e) {
        proc.child.kill("SIGKILL");
        throw e;
    }
}

/** The endpoints line, once printed. */
async function endpointsOf(proc: Proc): Promise<string> {
    const ended = proc.exited.then(({ code }) => {
        throw new Error(`keyfabric emulate exited with ${code} before serving: ${proc.err}`);
    });
    ended.catch(() => undefined);
    await within(CLI_TIMEOUT_MS, "the endpoints line", Promise.race([waitFor(() => proc.out.includes("\n"), CLI_TIMEOUT_MS, "the endpoints line"), ended]));
    return proc.out.slice(0, proc.out.indexOf("\n"));
}

async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function awsClient(line: string): KMSClient {
    return createAwsKmsClient("eu-west-1", { env: { KEYFABRIC_EMULATORS: line }, maxAttempts: 1 });
}

async function createKey(aws: KMSClient): Promise<string> {
    return (await aws.send(new CreateKeyCommand({ Description: "emulate-state" }))).KeyMetadata!.KeyId!;
}

/** The AWS key ids a state file holds, after checking that it is a valid state file. */
function savedKeyIds(file: string): string[] {
    const state = readStateFile(file);
    expect(stateProblems(state)).toEqual([]);
    return ((state?.aws as { keys: { keyId: string }[] } | undefined)?.keys ?? []).map((k) => k.keyId);
}

const fileKeys = (file: string): string[] => {
    try {
        return savedKeyIds(file);
    } catch {
        return [];
    }
};

const countOf = (text: string, needle: string) => text.split(needle).length - 1;

// ---------------------------------------------------------------------------------------------------------------
// The rows

interface Row {
    readonly id: string;
    readonly input: string;
    /** Files to put in the row's directory (name → content), before the run. */
    readonly files?: Record<string, string>;
    /** The arguments after `emulate`, given the row's directory and context. */
    readonly args: (ctx: Ctx) => string[];
    /** For the rows that serve: what to do once the endpoints line is out (create keys, send a signal, ...). */
    readonly serve?: (proc: Proc, line: string, ctx: Ctx) => Promise<void>;
    readonly start?: (ctx: Ctx) => Partial<StartOptions>;
    readonly code: number;
    /** stderr, exactly. */
    readonly err: (ctx: Ctx) => string;
    /** After the exit: what the row's state file must hold. */
    readonly after?: (ctx: Ctx) => void;
}

interface Ctx {
    readonly dir: string;
    /** The emulator's pid (temporary files are named after it). */
    pid: number;
    port: number;
    created: string[];
    cleanup: (() => Promise<void>)[];
}

const refusedUnchanged = (name: string) => (ctx: Ctx) => {
    // Refused files are left exactly as they were, and nothing else was written next to them.
    expect(fs.readdirSync(ctx.dir).sort()).toEqual([name]);
};

const NOBODY = 65534;

async function createKeysAndSignal(proc: Proc, line: string, ctx: Ctx, signal: NodeJS.Signals): Promise<void> {
    const aws = awsClient(line);
    try {
        ctx.created.push(await createKey(aws));
    } finally {
        aws.destroy();
    }
    proc.child.kill(signal);
}

const rows: Row[] = [
    {
        id: "E1",
        input: "corrupt state file (not JSON)",
        files: { "e1.json": "{this is not json}" },
        args: () => ["--state", "e1.json"],
        code: 1,
        err: () => "error: e1.json: is not JSON (Expected property name or '}' in JSON at position 1 (line 1, column 2)): truncated, corrupt, or not a keyfabric emulator state file (move it away to start with no keys)\n",
        after: refusedUnchanged("e1.json"),
    },
    {
        id: "E2",
        input: "truncated state file",
        files: { "e2.json": stateText({ version: 1, aws: awsPart([validKey(1)]) }).slice(0, 49) },
        args: () => ["--state", "e2.json"],
        code: 1,
        err: () => "error: e2.json: is not JSON (Unterminated string in JSON at position 49 (line 1, column 50)): truncated, corrupt, or not a keyfabric emulator state file (move it away to start with no keys)\n",
        after: refusedUnchanged("e2.json"),
    },
    {
        id: "E3",
        input: "empty state file",
        files: { "e3.json": "" },
        args: () => ["--state", "e3.json"],
        code: 1,
        err: () => "error: e3.json: is empty, not a keyfabric emulator state file (move it away to start with no keys)\n",
        after: refusedUnchanged("e3.json"),
    },
    {
        id: "E4",
        input: "state file from a newer version (2)",
        files: { "v2.json": stateText({ version: 2, aws: { anything: true } }) },
        args: () => ["--state", "v2.json"],
        code: 1,
        err: () => "error: v2.json: was written by a newer keyfabric (state file version 2; this keyfabric reads version 1): upgrade keyfabric\n",
        after: refusedUnchanged("v2.json"),
    },
    {
        id: "E5",
        input: "state version 1 but aws part garbage",
        files: { "e5.json": stateText({ version: 1, aws: "garbage" }) },
        args: () => ["--state", "e5.json"],
        code: 1,
        err: () => 'error: e5.json: aws: is not an AWS KMS emulator state (expected an object with version 1, accountId, tokenSecret, keys, aliases and wrappingKeys, got: "garbage")\n',
        after: refusedUnchanged("e5.json"),
    },
    {
        id: "E5 (object)",
        input: "state version 1, aws part an unrelated object, an unknown top-level field",
        files: { "e5b.json": stateText({ version: 1, aws: { accountId: 42, keys: [] }, colour: "blue" }) },
        args: () => ["--state", "e5b.json"],
        code: 1,
        err: () =>
            [
                "error: e5b.json: 6 problems:",
                "  - has unknown field colour (allowed: version, aws, gcp, azure)",
                "  - aws.version: is required (1)",
                "  - aws.accountId: must be a string (got: 42)",
                "  - aws.tokenSecret: is required (a string)",
                "  - aws.aliases: is required (an array)",
                "  - aws.wrappingKeys: is required (an array)",
                "",
            ].join("\n"),
        after: refusedUnchanged("e5b.json"),
    },
    {
        id: "E6",
        input: "state version 1, aws part from newer emulator (aws.version 2)",
        files: { "e6.json": stateText({ version: 1, aws: { ...awsPart([]), version: 2, keyStore: "new" } }) },
        args: () => ["--state", "e6.json"],
        code: 1,
        err: () => "error: e6.json: aws: was written by a newer AWS KMS emulator (state version 2; this keyfabric reads version 1): upgrade keyfabric\n",
        after: refusedUnchanged("e6.json"),
    },
    {
        id: "E7",
        input: "state version 1, aws keys with bogus records",
        files: {
            "e7.json": stateText({
                version: 1,
                aws: awsPart([{ ...validKey(1), origin: "Bogus" }, { ...validKey(2), materials: undefined }, { ...validKey(3), materials: [{ ...validKey(3).materials[0], state: "LIVE", secret: "not base64!" }] }]),
            }),
        },
        args: () => ["--state", "e7.json"],
        code: 1,
        err: () =>
            [
                "error: e7.json: 4 problems:",
                '  - aws.keys[0].origin: is not one of AWS_KMS, EXTERNAL (got: "Bogus")',
                "  - aws.keys[1].materials: is required (an array)",
                "  - aws.keys[2].materials[0].secret: must be base64",
                '  - aws.keys[2].materials[0].state: is not one of CURRENT, NON_CURRENT, PENDING_ROTATION (got: "LIVE")',
                "",
            ].join("\n"),
        after: refusedUnchanged("e7.json"),
    },
    {
        id: "E7 (references)",
        input: "well-formed records that do not fit together: material of the wrong size, an alias to no key, a duplicate key",
        files: {
            "e7b.json": stateText({
                version: 1,
                aws: awsPart([validKey(1), { ...validKey(2), materials: [{ ...validKey(2).materials[0], secret: Buffer.alloc(16).toString("base64") }] }, validKey(1)], {
                    aliases: [{ name: "alias/app", region: "eu-west-1", targetKeyId: "99999999-0000-4000-8000-000000000000", creationDate: 0, lastUpdatedDate: 0 }],
                }),
            }),
        },
        args: () => ["--state", "e7b.json"],
        code: 1,
        err: () =>
            [
                "error: e7b.json: 3 problems:",
                "  - aws.keys[1].materials[0].secret: does not fit SYMMETRIC_DEFAULT: expected 32 raw bytes (AES-256), got 16 bytes",
                "  - aws.keys[2].keyId: duplicates keys[0].keyId in eu-west-1",
                '  - aws.aliases[0].targetKeyId: is not the keyId of a key in eu-west-1 (got: "99999999-0000-4000-8000-000000000000")',
                "",
            ].join("\n"),
        after: refusedUnchanged("e7b.json"),
    },
    {
        id: "E7 (bounded)",
        input: "25 bogus AWS keys, a bogus Cloud KMS key and Azure vault: all listed together, at most 20",
        files: {
            "e7c.json": stateText({
                version: 1,
                gcp: { kind: "keyfabric/gcp-kms-emulator", version: 1, keyRings: {}, cryptoKeys: { "projects/p/locations/l/keyRings/r/cryptoKeys/k": { name: "projects/p/locations/l/keyRings/r/cryptoKeys/k", purpose: "SECRET" } } },
                azure: { format: SNAPSHOT_FORMAT, vaults: [{ kind: "hsm", name: "v", keys: [] }] },
                aws: awsPart(Array.from({ length: 25 }, (_, i) => ({ ...validKey(i), origin: "Bogus" }))),
            }),
        },
        args: () => ["--state", "e7c.json"],
        code: 1,
        err: () =>
            [
                "error: e7c.json: 34 problems:",
                ...Array.from({ length: 20 }, (_, i) => `  - aws.keys[${i}].origin: is not one of AWS_KMS, EXTERNAL (got: "Bogus")`),
                "  - and 14 more problems",
                "",
            ].join("\n"),
        after: refusedUnchanged("e7c.json"),
    },
    {
        id: "E8",
        input: "state path is a directory",
        files: {},
        args: (ctx) => {
            fs.mkdirSync(path.join(ctx.dir, "state.json"));
            return ["--state", "state.json"];
        },
        code: 1,
        err: () => "error: state.json: is a directory; give the path of a state file (created on the first save when missing)\n",
        after: (ctx) => expect(fs.readdirSync(path.join(ctx.dir, "state.json"))).toEqual([]),
    },
    {
        id: "E9",
        input: `state in read-only directory (${isRoot ? "as nobody; " : ""}keys created, then SIGINT)`,
        args: (ctx) => {
            fs.chmodSync(ctx.dir, isRoot ? 0o755 : 0o555);
            ctx.cleanup.push(async () => fs.chmodSync(ctx.dir, 0o700));
            return ["--state", "e9.json"];
        },
        start: () => (isRoot ? { uid: NOBODY } : {}),
        serve: async (proc, line, ctx) => {
            const aws = awsClient(line);
            try {
                // Three changes, each saved (and failing) on its own: one report, not three.
                for (let i = 0; i < 3; i++) {
                    ctx.created.push(await createKey(aws));
                    await waitFor(() => proc.err.includes(SAVE_FAILED_TAIL), 5000, "the save error");
                    await sleep(250);
                }
                // Still serving.
                expect((await aws.send(new ListKeysCommand({}))).Keys).toHaveLength(3);
            } finally {
                aws.destroy();
            }
            proc.child.kill("SIGINT");
        },
        code: 1,
        err: (ctx) =>
            [
                `error: cannot save the emulator state to e9.json (EACCES: permission denied, open '.e9.json.${ctx.pid}.tmp'); ${SAVE_FAILED_TAIL}`,
                `error: the emulator state could not be saved to e9.json at exit (EACCES: permission denied, open '.e9.json.${ctx.pid}.tmp'): the changes since the last save are lost`,
                "",
            ].join("\n"),
        after: (ctx) => expect(fs.readdirSync(ctx.dir)).toEqual([]),
    },
    {
        id: "E10",
        input: "state in a directory that does not exist",
        args: () => ["--state", "missing/state.json"],
        code: 1,
        err: (ctx) => `error: missing/state.json: the directory ${path.join(ctx.dir, "missing")} does not exist (ENOENT): create it first, the state file is created in it on the first save\n`,
        after: (ctx) => expect(fs.readdirSync(ctx.dir)).toEqual([]),
    },
    {
        id: "E12",
        input: "valid state path, key created, then SIGHUP (terminal closed)",
        args: () => ["--state", "e12.json"],
        serve: (proc, line, ctx) => createKeysAndSignal(proc, line, ctx, "SIGHUP"),
        code: 129,
        err: () => "",
        after: (ctx) => {
            expect(savedKeyIds(path.join(ctx.dir, "e12.json"))).toEqual(ctx.created);
            expect(fs.statSync(path.join(ctx.dir, "e12.json")).mode & 0o777).toBe(0o600);
            expect(fs.readdirSync(ctx.dir)).toEqual(["e12.json"]);
        },
    },
    {
        id: "E12 (SIGINT)",
        input: "valid state path, key created, then SIGINT",
        args: () => ["--state", "sigint.json"],
        serve: (proc, line, ctx) => createKeysAndSignal(proc, line, ctx, "SIGINT"),
        code: 0,
        err: () => "",
        after: (ctx) => expect(savedKeyIds(path.join(ctx.dir, "sigint.json"))).toEqual(ctx.created),
    },
    {
        id: "E12 (SIGTERM, three clouds)",
        input: "existing state, an AWS key, a GCP key ring and an Azure key created, then SIGTERM",
        files: { "sigterm.json": stateText({ version: 1, aws: awsPart([validKey(1)]) }) },
        args: () => ["--state", "sigterm.json"],
        serve: async (proc, line, ctx) => {
            const env = { KEYFABRIC_EMULATORS: line };
            const aws = awsClient(line);
            try {
                // The hand-written key of the file works: the state was restored, not just accepted.
                const ct = await aws.send(new EncryptCommand({ KeyId: validKey(1).keyId, Plaintext: Buffer.from("restored") }));
                expect(Buffer.from((await aws.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }))).Plaintext!).toString()).toBe("restored");
                ctx.created.push(validKey(1).keyId, await createKey(aws));
            } finally {
                aws.destroy();
            }
            const gcp = createGcpKmsClient({ env });
            await gcp.createKeyRing({ parent: "projects/kf/locations/global", keyRingId: "saved" });
            await gcp.close();
            await createAzureKeyClient("https://kf-state.vault.azure.net", { env, maxAttempts: 1 }).createKey("saved", "EC", { curve: "P-256" });
            proc.child.kill("SIGTERM");
        },
        code: 0,
        err: () => "",
        after: (ctx) => {
            const file = path.join(ctx.dir, "sigterm.json");
            expect(savedKeyIds(file)).toEqual(ctx.created);
            const state = readStateFile(file) as EmulatorSetState & { gcp: { keyRings: object }; azure: { vaults: { name: string; keys: { name: string }[] }[] } };
            expect(Object.keys(state.gcp.keyRings)).toEqual(["projects/kf/locations/global/keyRings/saved"]);
            expect(state.azure.vaults.map((v) => [v.name, v.keys.map((k) => k.name)])).toEqual([["kf-state", ["saved"]]]);
        },
    },
    {
        id: "E14",
        input: "--aws-port 70000",
        args: () => ["--state", "e14.json", "--aws-port", "70000"],
        code: 1,
        err: () => `error: option '--aws-port <n>' argument '70000' is invalid. not a port (allowed: 0-65535, got: "70000")\n`,
        after: (ctx) => expect(fs.readdirSync(ctx.dir)).toEqual([]),
    },
    {
        id: "E15",
        input: "--aws-port already in use",
        args: (ctx) => ["--state", "e15.json", "--aws-port", String(ctx.port)],
        code: 1,
        err: (ctx) => `error: --aws-port ${ctx.port}: the AWS KMS emulator cannot listen on 127.0.0.1:${ctx.port} (listen EADDRINUSE: address already in use 127.0.0.1:${ctx.port})\n`,
        after: (ctx) => expect(fs.readdirSync(ctx.dir)).toEqual([]),
    },
    {
        id: "E16",
        input: "--gcp-port same as --aws-port",
        args: (ctx) => ["--state", "e16.json", "--aws-port", String(ctx.port), "--gcp-port", String(ctx.port)],
        code: 1,
        err: (ctx) => `error: --gcp-port ${ctx.port} is the same port as --aws-port ${ctx.port}: each emulator needs a port of its own (or 0, a free one)\n`,
        after: (ctx) => expect(fs.readdirSync(ctx.dir)).toEqual([]),
    },
];

/** A port that is taken for the duration of the row (E15), or merely free (E16, which must not listen at all). */
async function takenPort(ctx: Ctx): Promise<void> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    ctx.port = (server.address() as net.AddressInfo).port;
    ctx.cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

test.each(rows.map((r) => [r.id, r.input, r] as const))(
    "%s: %s",
    async (id, _input, row) => {
        const ctx: Ctx = { dir: fs.mkdtempSync(path.join(root, `${id.replace(/\W+/g, "-")}-`)), pid: 0, port: 0, created: [], cleanup: [] };
        if (isRoot) fs.chmodSync(ctx.dir, 0o755);
        try {
            for (const [name, text] of Object.entries(row.files ?? {})) fs.writeFileSync(path.join(ctx.dir, name), text);
            const before = Object.fromEntries(Object.keys(row.files ?? {}).map((name) => [name, fs.readFileSync(path.join(ctx.dir, name))]));
            if (id === "E15") await takenPort(ctx);
            if (id === "E16") ctx.port = 45_000 + Math.floor(Math.random() * 5000);
            const proc = start(row.args(ctx), { cwd: ctx.dir, ...(row.start?.(ctx) ?? {}) });
            ctx.pid = proc.child.pid!;
            if (row.serve) await row.serve(proc, await endpointsOf(proc), ctx);
            const result = await exitOf(proc);
            expect({ code: result.code, err: result.err }).toEqual({ code: row.code, err: row.err(ctx) });
            if (!row.serve) {
                expect(result.out).toBe(""); // refused before any port was opened: no endpoints line
                for (const [name, bytes] of Object.entries(before)) expect(fs.readFileSync(path.join(ctx.dir, name)).equals(bytes)).toBe(true);
            }
            row.after?.(ctx);
        } finally {
            for (const c of ctx.cleanup.reverse()) await c();
        }
    },
    ROW_TIMEOUT_MS,
);

// ---------------------------------------------------------------------------------------------------------------
// Saving while serving

test(
    "every change is saved within 100 ms, without waiting for the exit (the file holds it even after SIGKILL)",
    async () => {
        const dir = fs.mkdtempSync(path.join(root, "debounce-"));
        const file = path.join(dir, "live.json");
        const proc = start(["--state", "live.json"], { cwd: dir });
        const aws = awsClient(await endpointsOf(proc));
        try {
            const first = await createKey(aws);
            const t0 = Date.now();
            await waitFor(() => fileKeys(file).length === 1, 3000, "the first save");
            // 100 ms of debounce plus the write; generous for a loaded machine.
            expect(Date.now() - t0).toBeLessThan(1500);
            const second = await createKey(aws);
            await waitFor(() => fileKeys(file).length === 2, 3000, "the second save");
            proc.child.kill("SIGKILL");
            await exitOf(proc);
            expect(savedKeyIds(file)).toEqual([first, second]);
            expect(fs.statSync(file).mode & 0o777).toBe(0o600);
            expect(fs.readdirSync(dir)).toEqual(["live.json"]);
        } finally {
            aws.destroy();
            proc.child.kill("SIGKILL");
        }
    },
    ROW_TIMEOUT_MS,
);

test(
    "a failing write (EFBIG: file size limit) leaves the previous file intact; the emulators keep serving and report it once",
    async () => {
        const dir = fs.mkdtempSync(path.join(root, "efbig-"));
        const file = path.join(dir, "f.json");
        // 2560 bytes: room for the empty state and two AWS keys (about 900 bytes each), not three.
        const proc = start(["--state", "f.json"], { cwd: dir, fileSizeBlocks: 5 });
        const aws = awsClient(await endpointsOf(proc));
        const created: string[] = [];
        try {
            for (let i = 0; i < 2; i++) {
                created.push(await createKey(aws));
                await waitFor(() => fileKeys(file).length === created.length, 3000, `save ${i + 1}`);
            }
            const saved = fs.readFileSync(file);
            for (let i = 0; i < 3; i++) {
                created.push(await createKey(aws));
                await waitFor(() => proc.err.includes(SAVE_FAILED_TAIL), 3000, "the save error");
                await sleep(250); // each change's save is attempted (and fails) on its own
            }
            expect((await aws.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId).sort()).toEqual([...created].sort());
            expect(fs.readFileSync(file).equals(saved)).toBe(true);
            expect(savedKeyIds(file)).toEqual(created.slice(0, 2));
            expect(fs.readdirSync(dir)).toEqual(["f.json"]);
        } finally {
            aws.destroy();
        }
        proc.child.kill("SIGTERM");
        const result = await exitOf(proc);
        expect({ code: result.code, err: result.err }).toEqual({
            code: 1,
            err: [
                `error: cannot save the emulator state to f.json (EFBIG: file too large, write); ${SAVE_FAILED_TAIL}`,
                "error: the emulator state could not be saved to f.json at exit (EFBIG: file too large, write): the changes since the last save are lost",
                "",
            ].join("\n"),
        });
        expect(savedKeyIds(file)).toEqual(created.slice(0, 2));
        expect(fs.readdirSync(dir)).toEqual(["f.json"]);
    },
    ROW_TIMEOUT_MS,
);

test(
    "a directory removed while serving: ENOENT reported once, then saved again once it is back (nothing lost)",
    async () => {
        const dir = fs.mkdtempSync(path.join(root, "enoent-"));
        const sub = path.join(dir, "sub");
        fs.mkdirSync(sub);
        const file = path.join(sub, "s.json");
        const proc = start(["--state", "sub/s.json"], { cwd: dir });
        const aws = awsClient(await endpointsOf(proc));
        const created: string[] = [];
        try {
            created.push(await createKey(aws));
            await waitFor(() => fileKeys(file).length === 1, 3000, "the first save");
            fs.rmSync(sub, { recursive: true });
            for (let i = 0; i < 2; i++) {
                created.push(await createKey(aws));
                await waitFor(() => proc.err.includes(SAVE_FAILED_TAIL), 3000, "the save error");
                await sleep(250);
            }
            fs.mkdirSync(sub);
            created.push(await createKey(aws));
            await waitFor(() => fileKeys(file).length === 4, 3000, "the save after the directory is back");
        } finally {
            aws.destroy();
        }
        proc.child.kill("SIGINT");
        const result = await exitOf(proc);
        expect({ code: result.code, err: result.err }).toEqual({
            code: 0,
            err: [
                `error: cannot save the emulator state to sub/s.json (ENOENT: no such file or directory, open 'sub/.s.json.${proc.child.pid}.tmp'); ${SAVE_FAILED_TAIL}`,
                "the emulator state is saved to sub/s.json again",
                "",
            ].join("\n"),
        });
        expect(savedKeyIds(file)).toEqual(created);
    },
    ROW_TIMEOUT_MS,
);

// ---------------------------------------------------------------------------------------------------------------
// In-process

test("StateSaver: one report per kind of failure, a recovery report, and nothing rewritten when nothing changed", () => {
    const dir = fs.mkdtempSync(path.join(root, "saver-"));
    const sub = path.join(dir, "sub");
    const file = path.join(sub, "s.json");
    let state: EmulatorSetState = { version: 1, aws: awsPart([validKey(1)]) };
    const reports: string[] = [];
    fs.mkdirSync(sub);
    const saver = new StateSaver({ file, snapshot: () => state, report: (m) => reports.push(m) });
    expect(saver.flush()).toBe(true);
    expect(saver.flush()).toBe(true); // unchanged: not rewritten
    expect(saver.saves).toBe(1);

    fs.rmSync(sub, { recursive: true });
    state = { version: 1, aws: awsPart([validKey(1), validKey(2)]) };
    expect([saver.flush(), saver.flush(), saver.flush()]).toEqual([false, false, false]);
    fs.writeFileSync(sub, "a file where the directory was");
    expect([saver.flush(), saver.flush()]).toEqual([false, false]);
    expect(reports.map((r) => /\((E[A-Z]+):/.exec(r)?.[1])).toEqual(["ENOENT", "ENOTDIR"]);
    expect(reports.every((r) => r.startsWith(`error: cannot save the emulator state to ${file} (`) && r.endsWith(SAVE_FAILED_TAIL))).toBe(true);

    fs.rmSync(sub);
    fs.mkdirSync(sub);
    expect(saver.flush()).toBe(true);
    expect(reports.slice(2)).toEqual([`the emulator state is saved to ${file} again`]);
    expect(savedKeyIds(file)).toEqual([validKey(1).keyId, validKey(2).keyId]);
    saver.close();
});

test("StateSaver: saves 100 ms after the last change, and at most 1 s after the first however busy", () => {
    jest.useFakeTimers();
    try {
        const dir = fs.mkdtempSync(path.join(root, "debounce-unit-"));
        let n = 0;
        const saver = new StateSaver({
            file: path.join(dir, "s.json"),
            snapshot: () => ({ version: 1, aws: awsPart([validKey(n)]) }),
            report: (m) => {
                throw new Error(m);
            },
        });
        n = 1;
        saver.changed();
        jest.advanceTimersByTime(99);
        expect(saver.saves).toBe(0);
        jest.advanceTimersByTime(1);
        expect(saver.saves).toBe(1);
        // A change every 50 ms: the debounce alone would never fire; the bound saves after 1 s.
        for (let t = 0; t < 1000; t += 50) {
            n++;
            saver.changed();
            jest.advanceTimersByTime(50);
        }
        expect(saver.saves).toBe(2);
        saver.close();
    } finally {
        jest.useRealTimers();
    }
});

test("writeStateFile: atomic and 0600; a state path that is a symbolic link is written where it points", () => {
    const dir = fs.mkdtempSync(path.join(root, "atomic-"));
    const target = path.join(dir, "real.json");
    const link = path.join(dir, "link.json");
    fs.writeFileSync(target, "{}", { mode: 0o644 });
    fs.symlinkSync("real.json", link);
    writeStateFile(link, { version: 1, aws: awsPart([validKey(1)]) });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(savedKeyIds(target)).toEqual([validKey(1).keyId]);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual(["link.json", "real.json"]);
});

test("startEmulators({ state }): every problem of the three parts in one error, before any port is opened", async () => {
    const state = {
        version: 1,
        aws: awsPart([{ ...validKey(1), keyUsage: "SIGN_VERIFY" }]),
        gcp: { kind: "keyfabric/gcp-kms-emulator", version: 1, keyRings: { "projects/p/locations/l/keyRings/r": { name: "projects/p/locations/l/keyRings/other", createTime: 0 } } },
        azure: { format: SNAPSHOT_FORMAT, vaults: [{ kind: "vault", name: "v1", keys: [{ name: "k", versions: [] }] }] },
    };
    const error = await startEmulators({ state: state as EmulatorSetState }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorStateError);
    expect((error as EmulatorStateError).message).toBe(
        [
            "options.state: 4 problems:",
            "  - aws.keys[0].keyUsage: is not a usage of SYMMETRIC_DEFAULT (allowed: ENCRYPT_DECRYPT, got: SIGN_VERIFY)",
            '  - gcp.keyRings["projects/p/locations/l/keyRings/r"].name: differs from the name the record is filed under (got: "projects/p/locations/l/keyRings/other")',
            '  - azure.vaults[0].name: must be a vault or HSM name (3-24 letters, digits and hyphens) (got: "v1")',
            "  - azure.vaults[0].keys[0].versions: must have at least 1 entry (got: an array of 0)",
        ].join("\n"),
    );
});

test("a state saved by the emulators validates and restores (round trip of every part)", async () => {
    const set = await startEmulators({ state: { version: 1, aws: awsPart([validKey(1)]) } });
    try {
        const env = set.env();
        const gcp = createGcpKmsClient({ env });
        await gcp.createKeyRing({ parent: "projects/kf/locations/global", keyRingId: "r" });
        await gcp.createCryptoKey({ parent: "projects/kf/locations/global/keyRings/r", cryptoKeyId: "k", cryptoKey: { purpose: "ENCRYPT_DECRYPT" } });
        await gcp.close();
        await createAzureKeyClient("https://kf-roundtrip.vault.azure.net", { env, maxAttempts: 1 }).createKey("k", "EC", { curve: "P-384" });
        const snapshot = JSON.parse(JSON.stringify(set.snapshot()));
        expect(stateProblems(snapshot)).toEqual([]);
        const again = await startEmulators({ state: snapshot });
        expect(JSON.parse(JSON.stringify(again.snapshot()))).toEqual(snapshot);
        await again.stop();
    } finally {
        await set.stop();
    }
});
