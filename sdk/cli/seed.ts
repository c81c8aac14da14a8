/**
 * `keyfabric emulate --seed <stack export>`: the emulators' state holding a stack's keys as deployed, with the ids
 * the export has. The key resources are created through the official SDKs in private emulators on free ports
 * (./seed-create.ts: the settings each declares, in dependency order), then the ids those emulators gave are
 * replaced in their snapshot by the export's own: AWS key ids and the account, Azure key versions (key rings, crypto
 * keys, vaults and key names are names, the same in both). The result is validated as any --state file is, and the
 * emulators `keyfabric emulate` starts continue from it.
 */
import type { EmulatorSetState } from "../emulators";
import { plural } from "../terminal";
import { createInEmulators, SEED_TYPES, SeedResource } from "./seed-create";

export interface Seeded {
    readonly state: EmulatorSetState;
    /** What was created, per cloud, and what was not (BYOK material). */
    readonly summary: string;
}

const CLOUD_OF: Record<string, "aws" | "gcp" | "azure"> = Object.fromEntries(Object.values(SEED_TYPES).map((t) => [t, t.startsWith("aws:") ? "aws" : t.startsWith("gcp:") ? "gcp" : "azure"]));
const lastSegment = (v: unknown) => (typeof v === "string" ? v.split("/").pop() : undefined);
const ACCOUNT = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):key\//;

/** The emulators' state for the stack export `file`; errors name the file and the resource. */
export async function seedFromExport(file: string): Promise<Seeded> {
    const { readStackExport } = await import("../drift/state");
    let stack: ReturnType<typeof readStackExport>;
    try {
        stack = readStackExport(file);
    } catch (e) {
        // The reader names the option drift reads the file from.
        // Its messages start with the file (drift's own with "--state FILE").
        throw new Error(`--seed ${(e as Error).message.replace(/^--state /, "")}`);
    }
    const resources: SeedResource[] = stack.resources
        .filter((r) => !r.delete)
        .map((r) => ({ urn: r.urn, type: r.type.replace(/^azure-native:keyvault\/v[0-9a-z]+:/, "azure-native:keyvault:"), custom: r.custom, id: r.id, inputs: r.inputs }));
    const byUrn = new Map(stack.resources.map((r) => [r.urn, r]));

    // All the AWS keys of an emulator are in one account: the export's.
    const accounts = new Set(stack.resources.flatMap((r) => [r.outputs.arn, r.id].map((v) => (typeof v === "string" ? ACCOUNT.exec(v)?.[1] : undefined)).filter((a): a is string => a !== undefined)));
    if (accounts.size > 1) throw new Error(`--seed ${file}: its AWS keys are in ${accounts.size} accounts (${[...accounts].join(", ")}); the AWS KMS emulator holds one account`);

    const { startEmulators } = await import("../emulators");
    const emu = await startEmulators();
    let snapshot: EmulatorSetState;
    let result: Awaited<ReturnType<typeof createInEmulators>>;
    try {
        result = await createInEmulators({ ...process.env, ...emu.env() }, resources, { now: () => Date.now() });
        snapshot = emu.snapshot();
    } catch (e) {
        throw new Error(`--seed ${file}: ${(e as Error).message}`);
    } finally {
        await emu.stop();
    }

    // The emulators' ids → the export's.
    const rename = new Map<string, string>();
    for (const [from, to] of result.ids) if (to.id !== from && !to.id.startsWith("https://")) rename.set(to.id, from);
    for (const [urn, c] of result.created) {
        const exported = byUrn.get(urn);
        if (!exported) continue;
        const given = lastSegment(c.outputs.keyUriWithVersion ?? c.outputs.versionedId);
        const p = { ...exported.inputs, ...exported.outputs } as Record<string, any>;
        const wanted = lastSegment(p.keyUriWithVersion ?? p.properties?.keyUriWithVersion ?? p.versionedId);
        if (given && wanted && given !== wanted) rename.set(given, wanted);
    }
    let text = JSON.stringify(snapshot);
    for (const [from, to] of rename) text = text.split(from).join(to);
    const state = JSON.parse(text) as { version: 1; aws?: { accountId?: string } };
    if (accounts.size === 1 && state.aws) state.aws.accountId = [...accounts][0];

    const counts: Record<string, number> = {};
    for (const urn of result.created.keys()) {
        const cloud = CLOUD_OF[byUrn.get(urn)!.type.replace(/^azure-native:keyvault\/v[0-9a-z]+:/, "azure-native:keyvault:")];
        counts[cloud] = (counts[cloud] ?? 0) + 1;
    }
    const perCloud = Object.entries(counts).map(([c, n]) => `${c} ${n}`).join(", ");
    const not = result.notCreated.length ? `; not created: ${result.notCreated.map((n) => `${n.urn.split("::").pop()} (${n.reason})`).join(", ")}` : "";
    return { state: state as EmulatorSetState, summary: `seeded ${plural(result.created.size, "key resource")} from ${file}${perCloud ? ` (${perCloud})` : ""}${not}` };
}
