/**
 * examples/scheduled-drift-check: the workflow is valid YAML, runs `keyfabric drift` with options the CLI has, finds
 * its issue by the marker the Markdown report starts with, touches the issue only for exit codes 0 and 2, and fails the
 * job on 1 (an error: credentials, an unreachable cloud, the deadline) or any other code.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { main } from "../../sdk/cli";
import { MARKDOWN_MARKER } from "../../sdk/drift";

const dir = path.join(__dirname, "..", "..", "examples", "scheduled-drift-check");
const text = fs.readFileSync(path.join(dir, "keyfabric-drift.yml"), "utf8");
const workflow = parse(text);

test("scheduled, read-only, one job per stack", () => {
    expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(workflow.permissions).toMatchObject({ contents: "read", issues: "write", "id-token": "write" });
    const steps = workflow.jobs.drift.steps.map((s: any) => s.run ?? s.uses);
    expect(steps.join("\n")).toContain('pulumi stack export --stack "$STACK" --file stack.json');
    expect(steps.join("\n")).toContain("npx keyfabric drift --state stack.json --format markdown --timeout 600 > drift.md 2> drift.err");
    expect(steps.join("\n")).not.toContain("--show-secrets");
    expect(workflow.jobs.drift["timeout-minutes"]).toBeGreaterThan(600 / 60);
});

test("only a complete result (0 or 2) touches the issue or the PR comment; 1 or any other code fails the job", () => {
    const steps = workflow.jobs.drift.steps as { name?: string; if?: string; run?: string }[];
    const check = steps.find((s) => s.name === "Check for drift")!.run!;
    expect(check).toMatch(/case "\$code" in\s+0\|2\) ;;\s+\*\) .*exit 1 ;;\s+esac/);
    for (const name of ["Open, update or close the drift issue", "Comment on the pull request"]) {
        expect(steps.find((s) => s.name === name)!.if).toContain("(steps.drift.outputs.exit-code == '0' || steps.drift.outputs.exit-code == '2')");
    }
    // The script: exit 1 and a crash fail the step; 0 and 2 do not.
    const script = check.slice(check.indexOf("case"));
    const { spawnSync } = require("child_process") as typeof import("child_process");
    for (const [code, fails] of [[0, false], [2, false], [1, true], [134, true]] as const) {
        expect(spawnSync("sh", ["-c", `code=${code}\n${script}`], { encoding: "utf8" }).status !== 0).toBe(fails);
    }
});

test("the marker it looks for is the one the report writes", () => {
    expect(text.split(MARKDOWN_MARKER).length).toBeGreaterThan(2);
});

test("every keyfabric drift option it uses exists", async () => {
    const help: string[] = [];
    await main(["drift", "--help"], { out: (t) => help.push(t), err: (t) => help.push(t) });
    const known = new Set([...help.join("\n").matchAll(/--[a-z-]+/g)].map((m) => m[0]));
    const used = [...text.matchAll(/keyfabric drift([^\n>|]*)/g)].flatMap((m) => [...m[1].matchAll(/--[a-z-]+/g)].map((x) => x[0]));
    expect(used.length).toBeGreaterThan(3);
    for (const flag of used) expect(known).toContain(flag);
    for (const doc of ["README.md"]) {
        const readme = fs.readFileSync(path.join(dir, doc), "utf8");
        for (const m of readme.matchAll(/keyfabric drift([^\n`]*)/g)) for (const x of m[1].matchAll(/--[a-z-]+/g)) expect(known).toContain(x[0]);
    }
});
