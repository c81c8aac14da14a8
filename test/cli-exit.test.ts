/**
 * The CLI exits only once its output is written: `process.exit()` right after a large write to a pipe drops what the
 * pipe has not taken yet (64 KB reached `| wc -c` of 1 MB on Node 20 and 24), which cut `keyfabric preview --format
 * sarif | …` reports short. `exitWhenFlushed` (sdk/cli/index.ts) waits for stdout and stderr first.
 */
import { spawn } from "child_process";
import * as path from "path";

const INDEX = path.join(__dirname, "..", "lib", "cli", "index.js");

/** Runs `code` in a child whose stdout and stderr are pipes, and counts what arrives on each. */
function run(code: string): Promise<{ out: number; err: number; status: number | null }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "pipe"] });
        let out = 0;
        let err = 0;
        child.stdout.on("data", (d: Buffer) => (out += d.length));
        child.stderr.on("data", (d: Buffer) => (err += d.length));
        child.once("error", reject);
        child.once("close", (status) => resolve({ out, err, status }));
    });
}

const WRITE = `process.stdout.write("x".repeat(4_000_000)); process.stderr.write("y".repeat(1_000_000));`;

test("exitWhenFlushed exits with the code after every byte of stdout and stderr reached the pipes", async () => {
    expect(await run(`const { exitWhenFlushed } = require(${JSON.stringify(INDEX)}); ${WRITE} exitWhenFlushed(3);`)).toEqual({ out: 4_000_000, err: 1_000_000, status: 3 });
});

test("(why: process.exit right after the same writes loses output)", async () => {
    const r = await run(`${WRITE} process.exit(3);`);
    expect(r.status).toBe(3);
    expect(r.out + r.err).toBeLessThan(5_000_000);
});
