/** The emulators in their own process (bench/programs/emulators.js), for the BYOK and drift benchmarks. */
import { spawn } from "child_process";
import * as path from "path";
import { PROGRAMS, ROOT } from "./child";

export interface EmulatorProcess {
    /** The KEYFABRIC_EMULATORS value. */
    readonly endpoints: string;
    stop(): Promise<void>;
}

export function startEmulatorProcess(): Promise<EmulatorProcess> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(PROGRAMS, "emulators.js")], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            const line = out.split("\n").find((l) => l.startsWith("{"));
            if (line) {
                resolve({
                    endpoints: line.trim(),
                    stop: async () => {
                        if (child.exitCode === null) child.kill("SIGTERM");
                        await exited;
                    },
                });
            }
        });
        child.once("exit", (code) => reject(new Error(`emulators exited (${code}) before serving: ${err.trim().slice(0, 300)}`)));
    });
}
