/**
 * keyfabric's key-management policy pack. Only assembles the pack: constructing PolicyPack starts the analyzer server.
 *   pulumi preview --policy-pack policy-packs/key-management [--policy-pack-config policy-packs/key-management/presets/cis.json]
 *   pulumi policy analyze --file stack.json --policy-pack policy-packs/key-management
 */
import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

new PolicyPack("keyfabric-key-management", { policies: rules });
