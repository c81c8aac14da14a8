/** The children load the compiled package: build lib/ first when it is missing or older than sdk/. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./child";

function newest(dir: string, ext: string): number {
    let t = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) t = Math.max(t, newest(p, ext));
        else if (entry.name.endsWith(ext)) t = Math.max(t, fs.statSync(p).mtimeMs);
    }
    return t;
}

/** Returns a note when it built; throws when there is still no usable lib/. */
export function ensureBuilt(log: (msg: string) => void): string | undefined {
    const index = path.join(ROOT, "lib", "index.js");
    const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
    if (built >= newest(path.join(ROOT, "sdk"), ".ts")) return undefined;
    log(built ? "lib/ is older than sdk/: npm run build" : "no lib/: npm run build");
    const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
    if (!fs.existsSync(index) || fs.statSync(index).mtimeMs <= built) {
        throw new Error(`npm run build did not produce lib/: ${(r.stdout + r.stderr).trim().split("\n").slice(-5).join(" / ")}`);
    }
    // tsc emits despite type errors (no noEmitOnError): benchmark what was emitted, and say so.
    return r.status === 0 ? "built lib/ (npm run build)" : `npm run build reported errors (lib/ emitted anyway): ${(r.stdout + r.stderr).trim().split("\n").filter((l) => /error TS/.test(l)).slice(0, 2).join(" / ")}`;
}
