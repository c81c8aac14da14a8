/**
 * Runs one rule the way the policy SDK does, without a server: props behind `unknownCheckingProxy` (reading a value
 * unknown at preview throws, which the engine reports as "can't run policy"), config merged over the schema's defaults,
 * violations collected, and the props checked unchanged afterwards (the pack's rules share one decoded copy of each
 * resource's properties: policy-packs/key-management/lib/decode-once.ts). Engine-boundary tests (the pack as its analyzer gRPC server) are in test/policy/pack.test.ts.
 */
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { isDeepStrictEqual } from "util";
import type { KeyfabricResourceRule, KeyfabricStackRule } from "../../policy-packs/key-management/lib/rule";

/** The value the engine sends for a string input that is unknown during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Violation {
    message: string;
    urn?: string;
}

export interface TestResource {
    type: string;
    props: Record<string, any>;
    name?: string;
    urn?: string;
    protect?: boolean;
    retainOnDelete?: boolean;
    parent?: TestResource;
}

function defaults(rule: { configSchema?: { properties: Record<string, any> } }, config: Record<string, unknown> = {}) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rule.configSchema?.properties ?? {})) if ("default" in v) out[k] = v.default;
    return { ...out, ...config };
}

const opts = (r: TestResource) => ({
    protect: r.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    retainOnDelete: r.retainOnDelete ?? false,
});

const urnOf = (r: TestResource) => r.urn ?? `urn:pulumi:test::project::${r.type}::${r.name ?? "r"}`;

/** Violations of a resource rule; "not applicable" and "unknown" are reported as such. */
export async function checkResource(
    rule: KeyfabricResourceRule,
    resource: TestResource,
    config?: Record<string, unknown>,
): Promise<{ violations: Violation[]; notApplicable?: string; unknown?: boolean }> {
    const violations: Violation[] = [];
    const validations = Array.isArray(rule.validateResource) ? rule.validateResource : rule.validateResource ? [rule.validateResource] : [];
    const unchanged = readOnly(rule.name, [resource]);
    try {
        for (const v of validations) {
            await v(
                {
                    type: resource.type,
                    props: unknownCheckingProxy(resource.props),
                    urn: urnOf(resource),
                    name: resource.name ?? "r",
                    opts: opts(resource),
                    stackTags: new Map(),
                    isType: () => false,
                    asType: () => undefined,
                    getConfig: <T extends object>() => defaults(rule, config) as T,
                    notApplicable: (reason?: string) => {
                        throw new NotApplicable(reason ?? "");
                    },
                } as any,
                (message: string, urn?: string) => violations.push(urn ? { message, urn } : { message }),
            );
        }
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.reason };
        if (e instanceof UnknownValueError) return { violations, unknown: true };
        throw e;
    } finally {
        unchanged();
    }
    return { violations };
}

/** Violations of a stack rule over `resources` (as state or as planned inputs). */
export async function checkStack(rule: KeyfabricStackRule, resources: TestResource[], config?: Record<string, unknown>): Promise<{ violations: Violation[]; notApplicable?: string }> {
    const violations: Violation[] = [];
    const policyResources = resources.map((r) => ({
        type: r.type,
        props: unknownCheckingProxy(r.props),
        urn: urnOf(r),
        name: r.name ?? "r",
        opts: opts(r),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    }));
    resources.forEach((r, i) => {
        if (r.parent) (policyResources[i] as any).parent = policyResources[resources.indexOf(r.parent)];
    });
    const unchanged = readOnly(rule.name, resources);
    try {
        await (rule.validateStack as any)(
            {
                resources: policyResources,
                stackTags: new Map(),
                getConfig: <T extends object>() => defaults(rule, config) as T,
                notApplicable: (reason?: string) => {
                    throw new NotApplicable(reason ?? "");
                },
            },
            (message: string, urn?: string) => violations.push(urn ? { message, urn } : { message }),
        );
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.reason };
        throw e;
    } finally {
        unchanged();
    }
    return { violations };
}

/** Remediated props of a resource rule (undefined when the rule changes nothing). */
export async function remediate(rule: KeyfabricResourceRule, resource: TestResource, config?: Record<string, unknown>): Promise<Record<string, any> | undefined> {
    if (!rule.remediateResource) return undefined;
    const r = await rule.remediateResource({
        type: resource.type,
        props: JSON.parse(JSON.stringify(resource.props)),
        urn: urnOf(resource),
        name: resource.name ?? "r",
        opts: opts(resource),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => defaults(rule, config) as T,
        notApplicable: () => {
            throw new NotApplicable("");
        },
    } as any);
    return r ?? undefined;
}

/** A deep copy made in this realm (structuredClone's objects have another realm's prototypes under jest). */
const copy = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(copy) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) : v;

/** A check, to run once the rule has run, that it changed none of the props it was given. */
function readOnly(rule: string, resources: readonly TestResource[]): () => void {
    const before = resources.map((r) => copy(r.props));
    return () =>
        resources.forEach((r, i) => {
            if (!isDeepStrictEqual(before[i], r.props)) throw new Error(`${rule} changed the props of ${urnOf(r)}: rules must only read them`);
        });
}

class NotApplicable extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}
