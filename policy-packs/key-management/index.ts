/**
 * keyfabric's key-management policy pack. Only assembles the pack: constructing PolicyPack starts the analyzer server.
 *   pulumi preview --policy-pack policy-packs/key-management [--policy-pack-config policy-packs/key-management/presets/cis.json]
 *   pulumi policy analyze --file stack.json --policy-pack policy-packs/key-management
 */
import { PolicyPack } from "@pulumi/policy";
import { decodeOnce } from "./lib/decode-once";
import { rules } from "./rules";

// Every rule reads the same decoded properties of a resource, instead of the server decoding them again per rule.
decodeOnce();

new PolicyPack("keyfabric-key-management", { policies: rules });
