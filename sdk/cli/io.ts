/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliIo {
    out(text: string): void;
    err(text: string): void;
}

export const processIo: CliIo = {
    out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
};
