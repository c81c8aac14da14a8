"use strict";
/**
 * Preloaded (`node -r exit-rss.js program ...`) into a program the bench does not own (tsc) when /usr/bin/time is
 * missing: prints BENCH_RESULT with the process's peak RSS as it exits.
 */
process.on("exit", () => {
    process.stdout.write(`\nBENCH_RESULT ${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, sinceStartMs: performance.now() })}\n`);
});
