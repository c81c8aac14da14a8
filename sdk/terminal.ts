/**
 * What the CLI's output may use of the terminal: colour (on a TTY only; `NO_COLOR` and `FORCE_COLOR` respected, the
 * same rules commander applies to its help), the width tables are fitted to, and plural forms.
 */
import * as util from "util";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Colour or not, for a stream: `NO_COLOR` (any non-empty value, https://no-color.org) or `FORCE_COLOR=0|false` turn
 * it off; `FORCE_COLOR` (any other non-empty value) or `CLICOLOR_FORCE` turn it on, even into a pipe; otherwise a
 * TTY whose `TERM` is not `dumb` gets colour and anything else (a pipe, a file, a CI log) none. The order is
 * commander's (`useColor()` in commander/lib/command.js), so `--help` and the reports agree.
 */
export function colourEnabled(stream: { isTTY?: boolean }, env: Env = process.env): boolean {
    if (env.NO_COLOR || env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
    if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
    return stream.isTTY === true && env.TERM !== "dumb";
}

/**
 * The width to fit output to: the terminal's columns on a TTY, else `COLUMNS` when it is a number (as GNU tools
 * read it), else undefined (the caller's default).
 */
export function outputColumns(stream: { isTTY?: boolean; columns?: number }, env: Env = process.env): number | undefined {
    if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
    const c = Number(env.COLUMNS);
    return Number.isInteger(c) && c > 0 ? c : undefined;
}

export type Style = "bold" | "dim" | "red" | "yellow" | "green" | "cyan" | "magenta";
export type Styler = (style: Style | Style[], text: string) => string;

/** Node's `util.styleText` (Node ≥ 20.12), applied only when `enabled`; the stream check is ours (colourEnabled). */
export function styler(enabled: boolean): Styler {
    if (!enabled) return (_style, text) => text;
    const styleText = util.styleText as unknown as (format: Style | Style[], text: string, options?: { validateStream?: boolean }) => string;
    return (style, text) => styleText(style, text, { validateStream: false });
}

/** "1 component", "2 components"; `many` for irregular plurals ("1 policy", "2 policies"). */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** ANSI escape sequences (SGR), as styler adds them: what a width computation must not count. */
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
export const visibleLength = (s: string): number => s.replace(SGR, "").length;
