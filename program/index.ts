// The root program: one key hierarchy, declared in stack config (`keyfabric:hierarchy` in Pulumi.<stack>.yaml).
import { hierarchyFromConfig, KeyHierarchy } from "keyfabric";

const hierarchy = new KeyHierarchy("keyfabric", hierarchyFromConfig());

/** `domain/key` -> AWS key ARN and alias ARNs, GCP crypto key id, Azure key id and versionless URI. */
export const keys = hierarchy.keys;
