"use strict";
/**
 * The KMS emulators for the BYOK and drift benchmarks, in their own process (as remote clouds would be):
 * startEmulators({ reuseWrappingKeys: true }) from lib/emulators, prints the KEYFABRIC_EMULATORS JSON line, serves
 * until SIGTERM/SIGINT.
 */
const { startEmulators } = require("../../lib/emulators");

startEmulators({ reuseWrappingKeys: true }).then((set) => {
    process.stdout.write(`${set.env().KEYFABRIC_EMULATORS}\n`);
    const stop = () => set.stop().then(() => process.exit(0));
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
});
