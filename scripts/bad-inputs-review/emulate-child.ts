/** `keyfabric emulate` as a child process, for the rows that run against it. */
import { ChildProcess, spawn } from "child_process";
import { BIN } from "./exec";

export interface Emulate {
    readonly child: ChildProcess;
    readonly endpoints: string;
}

/** `keyfabric emulate` as a child process: the endpoints line it prints is KEYFABRIC_EMULATORS. */
export async function startEmulate(cwd: string): Promise<Emulate> {
    const child = spawn(process.execPath, [BIN, "emulate"], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`keyfabric emulate printed no endpoints within 30 s: ${err}`)), 30_000);
        child.stdout!.on("data", (d) => {
            out += d;
            if (out.includes("\n")) {
                clearTimeout(timer);
                resolve(out.slice(0, out.indexOf("\n")));
            }
        });
        child.once("exit", (code) => reject(new Error(`keyfabric emulate exited with ${code}: ${err}`)));
    });
    JSON.parse(line);
    return { child, endpoints: line };
}

