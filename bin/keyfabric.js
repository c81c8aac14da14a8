#!/usr/bin/env node
"use strict";
// The keyfabric CLI, from the compiled package (`npm run build`, run by `npm ci` through `prepare`).
const { main, exitWhenFlushed } = require("../lib/cli/index.js");
main(process.argv.slice(2)).then(exitWhenFlushed);
