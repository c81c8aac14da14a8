/**
 * examples/scheduled-drift-check: the workflow is valid YAML, runs `keyfabric drift` with options the CLI has, finds
 * its issue by the marker the Markdown report starts with, and fails the job only on exit code 1.
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
    expect(steps.join("\n")).toContain("npx keyfabric drift --state stack.json --format markdown > drift.md");
    expect(steps.join("\n")).toContain('if [ "$code" = 1 ]; then exit 1; fi');
    expect(steps.join("\n")).not.toContain("--show-secrets");
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
