/**
 * Policy evaluation for `keyfabric preview`: every pack started as its analyzer server and sent the resources the
 * program registered (inputs as the engine sends them, with unknowns and secrets; parents; options), as the engine
 * does at `pulumi preview --policy-pack`.
 *
 * A rule that reads a value unknown at preview cannot decide: `@pulumi/policy`'s server answers with an advisory
 * diagnostic "can't run policy '<name>' from policy pack '<pack>@v<version>' during preview: <type> value at .<path>
 * can't be known during preview" (`server.js`, `UnknownValueError` from `proxy.js`), which the engine prints among the
 * violations. Here those become `notEvaluated` entries naming the rule, the resource and the property, so a report
 * never passes a rule it could not run.
 */
import { MockRun } from "./harness";
import { EnforcementLevelName, openPolicyPack, PackRun, PolicyViolation, readPackConfig } from "../policy/analyzer";

/** A rule that could not decide on a resource because a value it reads is unknown at preview. */
export interface NotEvaluated {
    readonly policy: string;
    readonly pack: string;
    /** The level the rule runs at in this preview (its configured level, not the advisory the SDK reports). */
    readonly enforcementLevel: EnforcementLevelName;
    /** The resource; empty for a stack rule. */
    readonly urn: string;
    /** The property path the rule read, e.g. `policy` or `statements.0.principals`. */
    readonly property: string;
    readonly reason: string;
}

export interface PolicyReport {
    readonly packs: PackRun[];
    readonly violations: PolicyViolation[];
    readonly notEvaluated: NotEvaluated[];
    /** Mandatory violations make the preview fail. */
    readonly mandatory: number;
}

export interface PackSpec {
    readonly dir: string;
    /** A `--policy-pack-config` file for this pack. */
    readonly configFile?: string;
}

const CANT_RUN = /^can't run policy '([^']+)' from policy pack '([^']+)' during preview: (\w+) value at \.(.*) can't be known during preview$/s;

/** Splits the SDK's "can't run" diagnostics from real violations. */
export function splitNotEvaluated(pack: PackRun): { violations: PolicyViolation[]; notEvaluated: NotEvaluated[] } {
    const levels = new Map(pack.policies.map((p) => [p.name, (p as { configuredLevel?: EnforcementLevelName }).configuredLevel ?? p.enforcementLevel]));
    const violations: PolicyViolation[] = [];
    const notEvaluated: NotEvaluated[] = [];
    for (const v of pack.violations) {
        const m = CANT_RUN.exec(v.message);
        if (!m || m[1] !== v.policy) {
            violations.push(v);
            continue;
        }
        notEvaluated.push({
            policy: v.policy,
            pack: v.pack,
            enforcementLevel: levels.get(v.policy) ?? v.enforcementLevel,
            urn: v.urn,
            property: m[4],
            reason: `the ${m[3] === "Array" || m[3] === "Object" ? m[3].toLowerCase() : m[3]} value at ${m[4]} is unknown until the resources it depends on are created`,
        });
    }
    return { violations, notEvaluated };
}

/** Packs started and configured (config validated), waiting for a run's resources. */
export interface OpenPacks {
    evaluate(run: MockRun): Promise<PolicyReport>;
    close(): void;
}

/** Starts every pack and validates its config, as the engine does before the program runs. */
export async function openPacks(packs: readonly PackSpec[]): Promise<OpenPacks> {
    const configs = packs.map((p) => (p.configFile ? readPackConfig(p.configFile) : undefined));
    const settled = await Promise.allSettled(packs.map((p, i) => openPolicyPack(p.dir, { config: configs[i] })));
    const open = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
        open.forEach((p) => p.close());
        throw failed.reason;
    }
    return {
        async evaluate(run: MockRun): Promise<PolicyReport> {
            const resources = run.resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                name: r.name,
                props: r.props,
                parent: r.parent,
                protect: r.protect,
                retainOnDelete: r.retainOnDelete,
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
            }));
            const results: PackRun[] = [];
            const violations: PolicyViolation[] = [];
            const notEvaluated: NotEvaluated[] = [];
            for (const pack of open) {
                const result: PackRun = { pack: pack.pack, version: pack.version, policies: pack.policies, violations: await pack.analyze(resources) };
                const split = splitNotEvaluated(result);
                results.push({ ...result, violations: split.violations });
                violations.push(...split.violations);
                notEvaluated.push(...split.notEvaluated);
            }
            return { packs: results, violations, notEvaluated, mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length };
        },
        close() {
            open.forEach((p) => p.close());
        },
    };
}

export async function evaluatePolicies(run: MockRun, packs: readonly PackSpec[]): Promise<PolicyReport> {
    const open = await openPacks(packs);
    try {
        return await open.evaluate(run);
    } finally {
        open.close();
    }
}
