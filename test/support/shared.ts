/**
 * The project's shared reference data (`../shared/`: recordings of the real services, the bad-input review): next
 * to the checkout, as the developers' guide has it, else the workplace's `/work/shared` (a clone elsewhere, e.g. a
 * fresh CI clone under /tmp), or where KEYFABRIC_SHARED says.
 */
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..");

export const SHARED_DIR: string =
    process.env.KEYFABRIC_SHARED ?? [path.resolve(REPO, "..", "shared"), "/work/shared"].find((d) => fs.existsSync(d)) ?? path.resolve(REPO, "..", "shared");

/** A path under the shared folder. */
export const shared = (...parts: string[]): string => path.join(SHARED_DIR, ...parts);
