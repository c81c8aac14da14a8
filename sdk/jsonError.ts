/**
 * A JSON.parse error, worded the same on every Node: V8 quotes the text around the error (newlines included: not one
 * line) and, from Node 22, adds its own "(line L column C)"; without the quote, with the location computed here from
 * the position, the message is the same on Node 20, 22 and 24.
 */
export function describeJsonError(e: unknown, text: string): string {
    const message = (e instanceof Error ? e.message : String(e)).replace(/, "[\s\S]*" is not valid JSON$/, "").replace(/ \(line \d+ column \d+\)$/, "");
    const at = Number(/at position (\d+)/.exec(message)?.[1] ?? NaN);
    if (Number.isNaN(at)) return message;
    const lines = text.slice(0, at).split("\n");
    return `${message} (line ${lines.length}, column ${lines[lines.length - 1].length + 1})`;
}
