import { hierarchyFromConfig, KeyHierarchy } from "keyfabric";

// The whole spec lives in Pulumi.<stack>.yaml under keyfabric:hierarchy.
export const keys = new KeyHierarchy("keys", hierarchyFromConfig()).keys;
