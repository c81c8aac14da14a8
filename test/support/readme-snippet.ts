/**
 * README code blocks run verbatim: a test file holds the README's block between `// README-SNIPPET-START[ NAME]` and
 * `// README-SNIPPET-END[ NAME]`, byte for byte except the import path of keyfabric's own modules (`../../sdk/X` in the
 * test, `keyfabric/X` in the README), and asserts that the README holds exactly that block.
 */
import * as fs from "fs";
import * as path from "path";

export const README = path.join(__dirname, "..", "..", "README.md");

/** The snippet `name` (or the file's only unnamed one) of `testFile`, with keyfabric imports as a user writes them. */
export function readmeSnippet(testFile: string, name?: string): string {
    const source = fs.readFileSync(testFile, "utf8");
    const start = `// README-SNIPPET-START${name ? ` ${name}` : ""}\n`;
    const end = `// README-SNIPPET-END${name ? ` ${name}` : ""}\n`;
    const from = source.indexOf(start);
    const to = source.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${path.basename(testFile)} has no snippet between ${JSON.stringify(start.trim())} and ${JSON.stringify(end.trim())}`);
    return source.slice(from + start.length, to).replace(/from "(?:\.\.\/)+sdk\/([a-z/]+)"/g, 'from "keyfabric/$1"');
}

/** Whether the README holds `snippet` as a whole fenced code block of `language`. */
export function readmeHoldsBlock(snippet: string, language = "ts"): boolean {
    return fs.readFileSync(README, "utf8").includes("```" + language + "\n" + snippet + "```\n");
}
