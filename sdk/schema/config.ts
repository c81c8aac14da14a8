/**
 * The hierarchy spec read from stack config (`keyfabric:hierarchy` in Pulumi.<stack>.yaml): a value that is not a
 * spec object is refused naming the key, what is allowed and what was received; a `secure:` value is never shown,
 * and when it could not be decrypted (keyfabric preview runs offline, without the stack's secrets provider) the
 * error says so and how to preview it anyway.
 */
import * as pulumi from "@pulumi/pulumi";
import { KeyfabricValidationError } from "./errors";
import type { HierarchySpec } from "./schema";

const SPEC = "a hierarchy spec: a YAML mapping (or a JSON object) with name, owner, clouds and domains";

/** Whether a config key was `secure:` (the runtime knows; the function is not in Pulumi's type declarations). */
function isSecretKey(full: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const runtime = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
    return runtime.isConfigSecret?.(full) === true;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function hierarchyConfigValue(namespace: string, key: string): HierarchySpec {
    const config = new pulumi.Config(namespace);
    const raw = config.get(key);
    // Not set: Pulumi's own error names the key and the command that sets it.
    if (raw === undefined) return config.requireObject<HierarchySpec>(key);
    const full = `${namespace}:${key}`;
    let value: unknown = raw;
    try {
        value = JSON.parse(raw);
    } catch {
        // a plain string: shown as received below (unless it is a secret)
    }
    if (isObject(value)) return value as HierarchySpec;
    const issue = isSecretKey(full)
        ? {
              code: "config",
              path: full,
              message: "is a secure (encrypted) value that does not read as a hierarchy spec: keyfabric preview runs offline and cannot decrypt it, so the program reads a placeholder",
              allowed: `${SPEC} in plain text (a hierarchy holds no secrets), or its value given to keyfabric preview with --assume`,
          }
        : { code: "config", path: full, message: "is not a hierarchy spec", allowed: SPEC, got: value };
    throw new KeyfabricValidationError(`Stack config ${full}`, [issue]);
}
