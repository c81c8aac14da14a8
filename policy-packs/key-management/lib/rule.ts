/**
 * The shape of every rule in the pack: one file per rule, named `<cloud>-<service>-<resource>-<verb>-<what>`, with
 * a complete-sentence description, severity, framework references, a config schema with defaults and bounds,
 * remediation text, and (only where it is safe) automatic remediation.
 */
import type {
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";

/** The closed list of verbs a rule name may use. */
export const VERBS = ["enable", "disallow", "configure", "enforce", "require", "limit"] as const;
export type Verb = (typeof VERBS)[number];

/** `<cloud>-<service>-<resource>-<verb>-<what>`; cross-cloud rules have no single service: `keyfabric-<scope>-<verb>-<what>`. */
export const NAME_RE = new RegExp(`^(?:(?:aws|gcp|azure)-[a-z0-9]+-[a-z0-9]+|keyfabric-[a-z0-9]+)-(?:${VERBS.join("|")})-[a-z0-9-]+$`);

/** A framework reference, e.g. `{ name: "CIS AWS Foundations", version: "3.0", reference: "3.6" }`. */
export interface FrameworkRef {
    readonly name: string;
    readonly version: string;
    readonly reference: string;
}

export interface RuleMeta {
    /** `<cloud>-<service>-<resource>-<verb>-<what>`. */
    readonly name: string;
    /** A complete sentence (or more), ending with a period. */
    readonly description: string;
    readonly severity: Severity;
    /** The default level; presets change it. Critical rules (material in state, public access, lockout bypass) are mandatory. */
    readonly enforcementLevel: EnforcementLevel;
    /** At least one: CIS, NIST SP 800-57, PCI DSS v4, cloud security hubs, Checkov/Trivy/KICS ids (from the catalogue). */
    readonly frameworks: readonly FrameworkRef[];
    /** What to change, in words. */
    readonly remediation: string;
    /** Rows of shared/docs/key-management-rules.md this rule implements. */
    readonly catalogueRows: readonly number[];
    /** The resource types the rule reads. */
    readonly resourceTypes: readonly string[];
    readonly configSchema?: PolicyConfigSchema;
}

export type KeyfabricResourceRule = ResourceValidationPolicy & { readonly meta: RuleMeta };
export type KeyfabricStackRule = StackValidationPolicy & { readonly meta: RuleMeta };
export type KeyfabricRule = KeyfabricResourceRule | KeyfabricStackRule;

function common(meta: RuleMeta) {
    const [first] = meta.frameworks;
    return {
        name: meta.name,
        description: meta.description,
        enforcementLevel: meta.enforcementLevel,
        severity: meta.severity,
        remediationSteps: meta.remediation,
        ...(meta.configSchema ? { configSchema: meta.configSchema } : {}),
        framework: { name: first.name, version: first.version, reference: first.reference, specification: meta.description },
        tags: meta.frameworks.map((f) => `${f.name} ${f.version}: ${f.reference}`),
        meta,
    };
}

export function resourceRule(
    meta: RuleMeta,
    impl: Pick<ResourceValidationPolicy, "validateResource" | "remediateResource">,
): KeyfabricResourceRule {
    return { ...common(meta), ...impl } as KeyfabricResourceRule;
}

export function stackRule(meta: RuleMeta, impl: Pick<StackValidationPolicy, "validateStack">): KeyfabricStackRule {
    return { ...common(meta), ...impl } as KeyfabricStackRule;
}
