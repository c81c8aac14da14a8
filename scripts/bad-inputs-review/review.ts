/** The rows of the review (`../shared/docs/bad-inputs-review.md`): id, surface, input and the review's result. */
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./exec";

/** The review: next to the checkout (`../shared/docs`), else the workplace's /work/shared, or where KF_BAD_INPUTS_REVIEW says (a copy of the tree elsewhere). */
export const REVIEW =
    process.env.KF_BAD_INPUTS_REVIEW ??
    [path.resolve(ROOT, "..", "shared", "docs", "bad-inputs-review.md"), "/work/shared/docs/bad-inputs-review.md"].find((f) => fs.existsSync(f)) ??
    path.resolve(ROOT, "..", "shared", "docs", "bad-inputs-review.md");

export interface ReviewRow {
    readonly id: string;
    readonly surface: string;
    readonly input: string;
    readonly exit: string;
    readonly message: string;
    readonly verdict: string;
}

/** The cells of a Markdown table row (`\|` is a pipe inside a cell). */
const cells = (line: string) => line.replace(/^\|\s*|\s*\|\s*$/g, "").split(/\s+(?<!\\)\|\s+/).map((c) => c.trim());

export function readReview(file = REVIEW): ReviewRow[] {
    const rows = fs.readFileSync(file, "utf8").split("\n").filter((l) => /^\| [A-Z]\d+ \|/.test(l));
    return rows.map((l) => {
        const [id, surface, input, exit, message, verdict] = cells(l);
        if (verdict === undefined) throw new Error(`${file}: cannot read the row ${l.slice(0, 60)}...`);
        return { id, surface, input, exit, message, verdict };
    });
}
