/**
 * The `emulate --state` rows: `keyfabric emulate --state FILE` as a child process for each input (the state files
 * of test/fixtures/emulator-state.ts); the rows that serve create a key, then send the signal the review sent, and
 * the state file is read afterwards (a row whose key is not in the file is never counted as accepted: it lost state).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { Expect } from "./classify";
import { BIN, killGroup, RunResult } from "./exec";
import { RowRun } from "./rows";
import { awsPart, stateText, validKey } from "../../test/fixtures/emulator-state";

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

interface EmulateRow {
    readonly id: string;
    readonly files?: Record<string, string>;
    readonly args: (dir: string, port: number) => string[];
    /** Create a key, then send this signal; the file must then hold the key. */
    readonly serve?: { signal: NodeJS.Signals; file: string };
    readonly uid?: number;
    readonly expect: Expect;
    readonly how?: string;
}

const STATE_ERROR = "move it away to start with no keys";
const ROWS: EmulateRow[] = [
    { id: "E1", files: { "e1.json": "{this is not json}" }, args: () => ["--state", "e1.json"], expect: { field: "e1.json", got: "is not JSON", allowed: STATE_ERROR } },
    { id: "E2", files: { "e2.json": stateText({ version: 1, aws: awsPart([validKey(1)]) }).slice(0, 49) }, args: () => ["--state", "e2.json"], expect: { field: "e2.json", got: "is not JSON", allowed: STATE_ERROR } },
    { id: "E3", files: { "e3.json": "" }, args: () => ["--state", "e3.json"], expect: { field: "e3.json", got: "is empty", allowed: STATE_ERROR } },
    { id: "E4", files: { "v2.json": stateText({ version: 2, aws: { anything: true } }) }, args: () => ["--state", "v2.json"], expect: { field: "v2.json", got: "state file version 2", allowed: "reads version 1" } },
    { id: "E5", files: { "e5.json": stateText({ version: 1, aws: "garbage" }) }, args: () => ["--state", "e5.json"], expect: { field: "e5.json: aws", got: '"garbage"', allowed: "expected an object with version 1" } },
    { id: "E6", files: { "e6.json": stateText({ version: 1, aws: { ...awsPart([]), version: 2 } }) }, args: () => ["--state", "e6.json"], expect: { field: "e6.json: aws", got: "state version 2", allowed: "reads version 1" } },
    {
        id: "E7",
        files: { "e7.json": stateText({ version: 1, aws: awsPart([{ ...validKey(1), origin: "Bogus" }, { ...validKey(2), materials: undefined }]) }) },
        args: () => ["--state", "e7.json"],
        expect: { field: "aws.keys[0].origin", got: '"Bogus"', allowed: "AWS_KMS, EXTERNAL" },
    },
    { id: "E8", args: (dir) => (fs.mkdirSync(path.join(dir, "state.json")), ["--state", "state.json"]), expect: { field: "state.json", got: "is a directory", allowed: "the path of a state file" } },
    {
        id: "E9",
        args: (dir) => (fs.chmodSync(dir, asRoot ? 0o755 : 0o555), ["--state", "e9.json"]),
        serve: { signal: "SIGINT", file: "e9.json" },
        uid: asRoot ? NOBODY : undefined,
        how: asRoot ? "(as nobody)" : undefined,
        expect: { field: "e9.json", got: "EACCES", allowed: "the changes since the last save are lost" },
    },
    { id: "E10", args: () => ["--state", "missing/state.json"], expect: { field: "missing/state.json", got: "does not exist", allowed: "create it first" } },
    {
        id: "E12",
        args: () => ["--state", "e12.json"],
        serve: { signal: "SIGHUP", file: "e12.json" },
        expect: { field: "e12.json", accept: "a terminal closing (SIGHUP) is not a bad input: the state is saved and the emulator exits 129, as a shell reports a hang-up (the key it created is in the file)", acceptCodes: [129] },
    },
    { id: "E14", args: () => ["--state", "e14.json", "--aws-port", "70000"], expect: { field: "--aws-port", got: '"70000"', allowed: "0-65535" } },
    { id: "E15", args: (_d, port) => ["--state", "e15.json", "--aws-port", String(port)], expect: { field: "--aws-port", got: "EADDRINUSE", allowed: "127.0.0.1:" } },
    { id: "E16", args: (_d, port) => ["--state", "e16.json", "--aws-port", String(port), "--gcp-port", String(port)], expect: { field: "--gcp-port", got: "same port as --aws-port", allowed: "a port of its own" } },
];

async function takenPort(): Promise<net.Server> {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return s;
}

/** Runs one row: at most 20 s to serve (or exit), 20 s to exit after the signal. */
async function runRow(row: EmulateRow, dir: string, port: number): Promise<{ result: RunResult; extra?: string }> {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, "emulate", ...row.args(dir, port)], { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_NO_WARNINGS: "1" }, ...(row.uid !== undefined ? { uid: row.uid, gid: row.uid } : {}) });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on("close", (code, signal) => r({ code, signal })));
    const limit = (ms: number) => new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms).unref());
    let extra: string | undefined;
    if (row.serve) {
        const line = await Promise.race([new Promise<string>((r) => child.stdout.on("data", () => out.includes("\n") && r(out.slice(0, out.indexOf("\n"))))), exited.then(() => ""), limit(20_000)]);
        if (line && line !== "timeout") {
            const { createAwsKmsClient } = await import("../../sdk/clients");
            const { CreateKeyCommand } = await import("@aws-sdk/client-kms");
            const aws = createAwsKmsClient("eu-west-1", { env: { KEYFABRIC_EMULATORS: line }, maxAttempts: 1 });
            const keyId = (await aws.send(new CreateKeyCommand({ Description: row.id }))).KeyMetadata!.KeyId!;
            aws.destroy();
            await new Promise((r) => setTimeout(r, 500));
            child.kill(row.serve.signal);
            const done = await Promise.race([exited, limit(20_000)]);
            const file = path.join(dir, row.serve.file);
            const saved = fs.existsSync(file) && fs.readFileSync(file, "utf8").includes(keyId);
            extra = `key ${keyId} created, then ${row.serve.signal}: ${saved ? "the state file holds it" : "the state file does not hold it"}${done === "timeout" ? "; no exit within 20 s" : ""}`;
        }
    }
    const done = await Promise.race([exited, limit(20_000)]);
    const timedOut = done === "timeout";
    killGroup(child.pid);
    const { code, signal } = timedOut ? { code: null, signal: null } : done;
    return { result: { code, signal, out, err, ms: Date.now() - t0, timedOut }, extra };
}

export async function runEmulateRows(work: string): Promise<{ rows: RowRun[]; cleanup: () => void }> {
    const rows: RowRun[] = [];
    const taken = await takenPort();
    try {
        for (const row of ROWS) {
            const dir = path.join(work, "emulate", row.id);
            fs.mkdirSync(dir, { recursive: true });
            fs.chmodSync(path.dirname(dir), 0o755);
            for (const [name, content] of Object.entries(row.files ?? {})) fs.writeFileSync(path.join(dir, name), content);
            const port = row.id === "E15" ? (taken.address() as net.AddressInfo).port : 45_000 + Math.floor(Math.random() * 5000);
            const { result, extra } = await runRow(row, dir, port);
            fs.chmodSync(dir, 0o755);
            const lost = extra?.includes("does not hold it");
            const expect: Expect = lost ? { ...row.expect, accept: undefined } : row.expect;
            rows.push({ id: row.id, how: `keyfabric emulate${row.how ? ` ${row.how}` : ""}`, result, expect, extra });
        }
    } finally {
        await new Promise((r) => taken.close(r));
    }
    return { rows, cleanup: () => undefined };
}
