/**
 * TypeScript 6 for the test that previews a project with its own compiler. Not a devDependency: an npm alias
 * (`typescript-6@npm:typescript@6`) would link its `tsc` over TypeScript 5's in node_modules/.bin. Installed on first
 * use from the npm registry into node_modules/.cache (ignored, kept between runs), the version pinned.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const TYPESCRIPT_6 = "6.0.3";

export function typescript6(root: string): string {
    const prefix = path.join(root, "node_modules", ".cache", `keyfabric-typescript-${TYPESCRIPT_6}`);
    const dir = path.join(prefix, "node_modules", "typescript");
    const installed = () => fs.existsSync(path.join(dir, "package.json")) && require(path.join(dir, "package.json")).version === TYPESCRIPT_6;
    if (!installed()) {
        fs.mkdirSync(prefix, { recursive: true });
        const npm = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "--prefix", prefix, `typescript@${TYPESCRIPT_6}`], { encoding: "utf8", timeout: 180_000 });
        if (npm.status !== 0 || !installed()) throw new Error(`could not install typescript@${TYPESCRIPT_6} from the npm registry: ${(npm.stderr || npm.stdout || String(npm.error)).trim().slice(0, 500)}`);
    }
    return dir;
}
