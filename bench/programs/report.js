"use strict";
/**
 * What every measured child prints as its last line: `BENCH_RESULT {json}` with its own figures, the time since the
 * process started (`sinceStartMs`, performance.now() counts from the process's time origin), the CPU time it used
 * (`cpuMs`, user + system: less disturbed than wall time by other work on a shared machine) and its peak RSS
 * (`process.resourceUsage().maxRSS`, kilobytes) at exit.
 */
function report(figures) {
    const usage = process.resourceUsage();
    const line = { ...figures, sinceStartMs: performance.now(), cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS };
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(line)}\n`);
}

/** Runs `main`, reports its result, exits 0; on failure prints the error and exits 1. */
function runChild(main) {
    Promise.resolve()
        .then(main)
        .then((figures) => {
            report(figures ?? {});
            process.exit(0);
        })
        .catch((e) => {
            process.stderr.write(`${e && e.stack ? e.stack : String(e)}\n`);
            process.exit(1);
        });
}

module.exports = { report, runChild };
