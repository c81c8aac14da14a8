// Writes examples/drift-walkthrough/stack-export.json: the root program (program/index.ts with Pulumi.dev.yaml's
// hierarchy) run under mocks, its key resources created in fresh emulators through the official SDKs, and the
// resulting `pulumi stack export` (deployment version 3) with the ids, ARNs and versions the emulators gave, so that
// `keyfabric emulate --seed` on it and `keyfabric drift` against those emulators find no drift.
//   npx ts-node --transpile-only scripts/generate-drift-sample.ts [out.json]
process.env.METADATA_SERVER_DETECTION = "none";

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { createInEmulators, replaceIds, SeedResource } from "../sdk/cli/seed-create";
import { startEmulators } from "../sdk/emulators";
import { hierarchyFromConfig, KeyHierarchy } from "../sdk/hierarchy";
import { runUnderMocks } from "../sdk/preview/harness";

const ROOT = path.join(__dirname, "..");
export const SAMPLE_EXPORT = path.join(ROOT, "examples", "drift-walkthrough", "stack-export.json");

export async function generateSample(now = Date.now()): Promise<Record<string, unknown>> {
    const project = (YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string }).name;
    const config = (YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
    // The root program's one statement (program/index.ts), from the sources rather than the built package.
    const run = await runUnderMocks(() => ({ keys: new KeyHierarchy("keyfabric", hierarchyFromConfig()).keys }), { project, stack: "dev", config });
    const resources: SeedResource[] = run.resources.map((r) => ({ urn: r.urn, type: r.type, custom: r.custom, id: r.id, inputs: r.inputs }));
    const emu = await startEmulators();
    let result: Awaited<ReturnType<typeof createInEmulators>>;
    try {
        result = await createInEmulators({ ...process.env, ...emu.env() }, resources, { now: () => now });
    } finally {
        await emu.stop();
    }
    const stackUrn = `urn:pulumi:dev::${project}::pulumi:pulumi:Stack::${project}-dev`;
    const exported = [
        { urn: stackUrn, type: "pulumi:pulumi:Stack", custom: false, inputs: {}, outputs: {} },
        ...run.resources.map((r) => {
            const { __provider, ...recorded } = r.inputs;
            void __provider;
            const c = result.created.get(r.urn);
            const inputs = c?.inputs ?? replaceIds(Object.fromEntries(Object.entries(recorded).filter(([, v]) => v !== undefined)), result.ids);
            return {
                urn: r.urn,
                type: r.type,
                custom: r.custom,
                ...(r.custom ? { id: c?.id ?? r.id } : {}),
                parent: r.parent,
                ...(r.protect ? { protect: true } : {}),
                inputs,
                outputs: r.custom ? { ...inputs, ...(c?.outputs ?? {}) } : {},
            };
        }),
    ];
    return { version: 3, deployment: { manifest: { time: new Date(now).toISOString(), magic: "", version: "v3.248.0" }, resources: exported } };
}

if (require.main === module) {
    const out = process.argv[2] ?? SAMPLE_EXPORT;
    generateSample().then((exported) => {
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, `${JSON.stringify(exported, null, 2)}\n`);
        const resources = (exported.deployment as { resources: { type: string; id?: string; urn: string }[] }).resources;
        console.log(`${path.relative(process.cwd(), out)}: ${resources.length} resources`);
        for (const r of resources.filter((x) => x.type === "aws:kms/key:Key")) console.log(`  ${r.urn.split("::").pop()}  ${r.id}`);
    });
}
