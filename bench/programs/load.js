"use strict";
/**
 * Load cost: `require(MODULE)` in a fresh node, nothing else.  node load.js keyfabric | @pulumi/pulumi
 * `keyfabric` resolves to this package's built lib/ through its own package.json (`exports`), as a user's install does.
 */
const { runChild } = require("./report");

runChild(() => {
    const rssBefore = process.memoryUsage.rss();
    const t0 = performance.now();
    require(process.argv[2]);
    const requireMs = performance.now() - t0;
    return { module: process.argv[2], requireMs, rssAddedKb: (process.memoryUsage.rss() - rssBefore) / 1024 };
});
