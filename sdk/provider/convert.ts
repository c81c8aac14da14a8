/**
 * From the component package's inputs (hierarchyArgs.ts and the per-cloud key args) to what the components validate. The inputs are the
 * spec field for field except the BYOK material source (one object with optional fields, a command's variables in
 * `commandEnv`) and `protectKeys` (a component option): those two are undone here and nothing else is touched, so
 * every rule stays where it is (the zod schema and `validateHierarchy`), with the messages and paths it gives
 * TypeScript users (`domains[0].keys[1].material.env[0]: ...`).
 */
import type { HierarchySpec } from "../schema/schema";

export interface HierarchyInputs {
    readonly spec: HierarchySpec;
    readonly protectKeys?: boolean;
}

type Bag = Record<string, unknown>;
const isBag = (v: unknown): v is Bag => typeof v === "object" && v !== null && !Array.isArray(v);

/** `{command, commandEnv, ...}` -> `{command, env, ...}`; every other shape is passed on as it came. */
export function toMaterialSource(material: unknown): unknown {
    if (!isBag(material) || !("commandEnv" in material)) return material;
    const { commandEnv, ...rest } = material;
    // A commandEnv without a command is left for the spec's check to name (`material: has unknown field commandEnv`).
    return "command" in rest && !("env" in rest) ? { ...rest, env: commandEnv } : material;
}

/** The spec and the `protectKeys` option from a KeyHierarchy's inputs. */
export function toHierarchySpec(inputs: Bag): HierarchyInputs {
    const { protectKeys, ...spec } = inputs;
    const domains = Array.isArray(spec.domains)
        ? spec.domains.map((d) =>
              isBag(d) && Array.isArray(d.keys)
                  ? { ...d, keys: d.keys.map((k) => (isBag(k) && k.material !== undefined ? { ...k, material: toMaterialSource(k.material) } : k)) }
                  : d,
          )
        : spec.domains;
    const result = { ...spec, ...(spec.domains !== undefined ? { domains } : {}) } as unknown as HierarchySpec;
    return protectKeys === undefined ? { spec: result } : { spec: result, protectKeys: protectKeys as boolean };
}

/** A per-cloud key component's args from its inputs: only the material source differs from the TypeScript args. */
export function toComponentArgs(inputs: Bag): Bag {
    return inputs.material === undefined ? inputs : { ...inputs, material: toMaterialSource(inputs.material) };
}
