/** Where the CLI writes: the process's streams, or a test's buffers; and what those take (colour, width). */
import { colourEnabled, outputColumns } from "../terminal";

export interface CliIo {
    out(text: string): void;
    err(text: string): void;
    /** Colour on stdout / stderr (default: none, as for a pipe). */
    readonly outColour?: boolean;
    readonly errColour?: boolean;
    /** The width of stdout, when known (a TTY's columns, or COLUMNS). */
    readonly columns?: number;
    /** A progress bar may be drawn on stderr: the process's own stderr, a terminal. */
    readonly progress?: boolean;
}

export const processIo: CliIo = {
    out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
    get outColour() {
        return colourEnabled(process.stdout);
    },
    get errColour() {
        return colourEnabled(process.stderr);
    },
    get columns() {
        return outputColumns(process.stdout);
    },
    get progress() {
        return process.stderr.isTTY === true;
    },
};
