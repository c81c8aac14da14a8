/** A row of the re-run: how it was run and what its message must name, and the pool that runs rows a few at a time. */
import type { Expect } from "./classify";
import type { RunResult } from "./exec";

export interface RowRun {
    readonly id: string;
    /** How it was run, e.g. `keyfabric preview --stack p12` or `in process: AzureImportedKey create`. */
    readonly how: string;
    readonly result: RunResult;
    readonly expect: Expect;
    /** Signals that are the row's own doing (e.g. the SIGINT an emulate row sends), not a crash. */
    readonly okSignals?: readonly string[];
    /** What the row checked besides the message (e.g. the state file after the run). */
    readonly extra?: string;
}

export async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await work(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
    return results;
}

/** `field: message (allowed: A, got: G)` (the spec's issues) as what a message must name. */
export function expectFromIssue(issue: string): Expect {
    const field = issue.slice(0, issue.indexOf(": "));
    const got = /.*got: (.*)\)$/.exec(issue)?.[1];
    const allowed = /\(allowed: (.{1,20})/.exec(issue)?.[1];
    return { field, ...(got !== undefined ? { got } : {}), ...(allowed !== undefined ? { allowed } : {}) };
}
