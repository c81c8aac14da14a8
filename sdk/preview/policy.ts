/**
 * Policy evaluation for `keyfabric preview`: every pack started as its analyzer server and sent the resources the
 * program registered (inputs, parents, options), as the engine does at `pulumi preview --policy-pack`.
 */
import { MockRun } from "./harness";
import { PackConfig, PackRun, PolicyViolation, readPackConfig, runPolicyPack } from "../policy/analyzer";

export interface PolicyReport {
    readonly packs: PackRun[];
    readonly violations: PolicyViolation[];
    /** Mandatory violations make the preview fail. */
    readonly mandatory: number;
}

export interface PackSpec {
    readonly dir: string;
    /** A `--policy-pack-config` file for this pack. */
    readonly configFile?: string;
}

export async function evaluatePolicies(run: MockRun, packs: readonly PackSpec[]): Promise<PolicyReport> {
    const resources = run.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: r.inputs,
        parent: r.parent,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
    }));
    const results: PackRun[] = [];
    for (const pack of packs) {
        const config: PackConfig | undefined = pack.configFile ? readPackConfig(pack.configFile) : undefined;
        results.push(await runPolicyPack(pack.dir, resources, { config }));
    }
    const violations = results.flatMap((r) => r.violations);
    return { packs: results, violations, mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length };
}
