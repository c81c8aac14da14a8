"use strict";
/**
 * The policy benchmark's baseline: a pack served by the same @pulumi/policy analyzer server, fed the same requests,
 * whose one resource policy and one stack policy do nothing. What it costs is the analyzer protocol itself: gRPC calls,
 * protobuf decoding, the server's per-request work.
 */
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("keyfabric-bench-empty-pack", {
    policies: [
        { name: "bench-resource-noop", description: "Reads nothing.", enforcementLevel: "advisory", validateResource: () => {} },
        { name: "bench-stack-noop", description: "Reads nothing.", enforcementLevel: "advisory", validateStack: () => {} },
    ],
});
