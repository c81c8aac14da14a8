/**
 * Running the CLI from source in a child process, in an environment with no cloud credentials: no AWS, Google or
 * Azure variables, a HOME of its own without ~/.aws or gcloud config, no instance metadata lookups, no colour
 * variables; TypeScript through ts-node (transpile only, swc).
 */
import * as fs from "fs";
import * as path from "path";

export const CLI_ENTRY = path.join(__dirname, "..", "..", "sdk", "cli", "index.ts");
export const TS_NODE = require.resolve("ts-node/register");

/** `node` arguments that run the CLI from source: `[...CLI_ARGS, "drift", ...]`. */
export const CLI_ARGS = ["-r", TS_NODE, CLI_ENTRY];

/** The environment, with a fresh HOME under `dir`; `path` is searched before node's directory and /usr/bin:/bin. */
export function credentialLessEnv(dir: string, extra: Record<string, string> = {}, pathDirs: string[] = []): NodeJS.ProcessEnv {
    const home = fs.mkdtempSync(path.join(dir, "home-"));
    return {
        PATH: [...pathDirs, path.dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
        HOME: home,
        CLOUDSDK_CONFIG: path.join(home, "gcloud"),
        AWS_CONFIG_FILE: path.join(home, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        METADATA_SERVER_DETECTION: "none",
        TS_NODE_TRANSPILE_ONLY: "true",
        TS_NODE_SWC: "true",
        ...extra,
    };
}
