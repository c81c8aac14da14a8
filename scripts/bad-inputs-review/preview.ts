/**
 * The `preview --stack (hierarchy spec)` rows: each input (test/fixtures/bad-inputs-preview.ts, the same inputs the
 * table test asserts) written as `keyfabric:hierarchy` in a `Pulumi.<row>.yaml` of a project whose program is the
 * root program, then `keyfabric preview <project> --stack <row> --transpile-only --no-policy` (the spec is checked
 * at run time; type-checking and policy packs judge the program, not the stack config). The rows about the config
 * file itself (P92-P98) are YAML text, as the review wrote them.
 */
import * as fs from "fs";
import * as path from "path";
import { Expect } from "./classify";
import { ROOT, runCli } from "./exec";
import { expectFromIssue, pool, RowRun } from "./rows";
import { Files, makeReviewFiles, previewRows } from "../../test/fixtures/bad-inputs-preview";
import { reviewSpec } from "../../test/fixtures/specs";

const ACCEPTED: Record<string, string> = {
    P66: "an import-ready BYOK key (origin byok, no material) is a feature: keyfabric creates the AWS key without material and `keyfabric byok import` imports it (README, Bring your own key)",
    P80: "the offline preview never runs a material command (running it would read the material); at deploy time a failing exit is an error of the BYOK provider (W39)",
    P81: "the offline preview never runs a material command; at deploy time its timeout (timeoutMs) is enforced and the process group killed (W40, W41)",
    P82: "the offline preview never runs a material command; at deploy time its output is bounded to 8192 bytes (W42)",
};
const WARNED = "the offline preview does not read material (the deployment may run elsewhere, where the file or variable exists): what it can see without reading it is a warning naming the field (issue #13 item 5)";

interface PreviewInput {
    readonly id: string;
    readonly yaml: string;
    readonly expect: Expect;
}

const configOf = (value: string) => `config:\n  keyfabric:hierarchy: ${value}\n`;

/** The config-file rows: the value of `keyfabric:hierarchy` as YAML text. */
function yamlRows(): PreviewInput[] {
    const base = JSON.stringify(reviewSpec());
    // billion laughs: nine levels of nine aliases each
    const letters = "abcdefghi";
    const bomb = [...letters].map((l, i) => `  keyfabric:${l}: &${l} [${Array(9).fill(i === 0 ? '"lol"' : `*${letters[i - 1]}`).join(", ")}]`).join("\n");
    return [
        { id: "P92", yaml: configOf("just-a-string"), expect: { field: "keyfabric:hierarchy", got: "just-a-string", allowed: "object" } },
        { id: "P93", yaml: "config:\n  keyfabric:other: x\n", expect: { field: "keyfabric:hierarchy", allowed: "pulumi config set keyfabric:hierarchy" } },
        { id: "P94", yaml: "config:\n  keyfabric:hierarchy: {name: acme, owner: [\n", expect: { field: "Pulumi.p94.yaml", got: "line" } },
        { id: "P95", yaml: "config:\n  keyfabric:hierarchy:\n    secure: v1:Zm9vYmFyYmF6cXV4\n", expect: { field: "keyfabric:hierarchy", got: "encrypted" } },
        { id: "P96", yaml: `config:\n${bomb}\n  keyfabric:hierarchy: ${base}\n`, expect: { field: "Pulumi.p96.yaml", got: "alias" } },
        { id: "P97", yaml: configOf(base.replace(/}$/, ',"defaults":{"deletionWindowDays":.nan}}')), expect: { field: "defaults.deletionWindowDays", got: "null", allowed: "7-30" } },
        { id: "P98", yaml: configOf(base.replace(/}$/, ',"defaults":{"rotationDays":.inf}}')), expect: { field: "defaults.rotationDays", got: "null", allowed: "1-3650" } },
    ];
}

function specRows(files: Files): PreviewInput[] {
    return previewRows
        .filter(([id]) => id !== "P97" && id !== "P98")
        .map(([id, , mutate, errors, warnings = []]) => {
            const spec = reviewSpec();
            mutate(spec, files);
            const first = errors[0] ?? warnings[0];
            const expect: Expect = first ? expectFromIssue(first) : { field: "(none)" };
            const extra = ACCEPTED[id] ? { accept: ACCEPTED[id] } : errors.length === 0 && warnings.length ? { warn: WARNED } : {};
            return { id, yaml: configOf(JSON.stringify(spec)), expect: { ...expect, ...extra } };
        });
}

export async function runPreviewRows(work: string, jobs: number): Promise<{ rows: RowRun[]; cleanup: () => void }> {
    const files = makeReviewFiles();
    const project = path.join(work, "preview-project");
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), `name: kf-bad-inputs-rerun\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: ${path.join(ROOT, "program")}/\n`);
    const inputs = [...specRows(files), ...yamlRows()];
    const env = { KF_REVIEW_UNSET: undefined, PULUMI_CONFIG_PASSPHRASE: undefined };
    const rows = await pool(inputs, jobs, async (row) => {
        const stack = row.id.toLowerCase();
        fs.writeFileSync(path.join(project, `Pulumi.${stack}.yaml`), row.yaml);
        const args = ["preview", project, "--stack", stack, "--transpile-only", "--no-policy"];
        const result = await runCli(args, { cwd: work, env, limitMs: 60_000 });
        return { id: row.id, how: `keyfabric preview --stack ${stack} --transpile-only --no-policy`, result, expect: row.expect };
    });
    return { rows, cleanup: () => fs.rmSync(path.dirname(files.dir), { recursive: true, force: true }) };
}
