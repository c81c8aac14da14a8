/**
 * 5. BYOK cost: wrapping per key type against the bare cryptography it needs, and 100 imports per cloud against the
 * emulators, sequential against concurrency 10.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { alternate, ChildRun, rotate, runNode, workDir } from "../lib/child";
import { startEmulatorProcess } from "../lib/emulators";
import { errorRow, Row, RunOptions } from "../lib/rows";
import { median, ms, ratio, us } from "../lib/stats";

const KEY_TYPES = [
    { keyType: "AES_256", label: "AES-256 (RSAES-OAEP-SHA-256, direct)" },
    { keyType: "RSA_4096", label: "RSA-4096 PKCS#8 (RSA-AES key wrap)" },
    { keyType: "EC_P384", label: "P-384 PKCS#8 (RSA-AES key wrap)" },
] as const;
const WRAP_ITERATIONS = 2000;
/** Concurrency the imports are compared at: Pulumi's own parallelism is unbounded; 10 is our stated default. */
const CONCURRENCY = 10;

function fixtures(): string {
    const file = path.join(workDir(), "byok-fixtures.json");
    if (!fs.existsSync(file)) {
        const wrapping = crypto.generateKeyPairSync("rsa", { modulusLength: 4096 });
        const der = (k: crypto.KeyObject) => (k.export({ format: "der", type: "pkcs8" }) as Buffer).toString("base64");
        fs.writeFileSync(
            file,
            JSON.stringify({
                wrappingSpki: (wrapping.publicKey.export({ format: "der", type: "spki" }) as Buffer).toString("base64"),
                material: {
                    AES_256: crypto.randomBytes(32).toString("base64"),
                    RSA_4096: der(crypto.generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey),
                    EC_P384: der(crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey),
                },
            }),
        );
    }
    return file;
}

export async function byokCost(opts: RunOptions): Promise<Row[]> {
    return [...(await wrapCost(opts)), ...(await importCost(opts))];
}

async function wrapCost(opts: RunOptions): Promise<Row[]> {
    const file = fixtures();
    const rows: Row[] = [];
    for (const { keyType, label } of KEY_TYPES) {
        const section = "BYOK wrap";
        opts.log(`byok: wrap ${keyType}, ${opts.runs} runs each of ${WRAP_ITERATIONS} wraps`);
        const run = (variant: string) => () => runNode("byok-wrap.js", [variant, keyType, file, String(WRAP_ITERATIONS)]);
        // A third variant: the bare cryptography plus parsing the wrapping key's SPKI (each import gets a fresh one).
        const [a, b, parsed] = await rotate(opts.runs, [run("bare"), run("keyfabric"), run("bare-parse")]);
        const failed = [...a, ...b, ...parsed].find((r) => !r.ok);
        if (failed) {
            rows.push(errorRow(section, label, "none (informational)", failed.error));
            continue;
        }
        const per = (rs: ChildRun[]) => median(rs.map((r) => r.result.perOpUs));
        const [bare, kf, withParse] = [per(a), per(b), per(parsed)];
        rows.push({
            section,
            name: label,
            candidate: us(kf),
            baseline: us(bare),
            ratio: ratio(kf / bare),
            goal: "none (informational)",
            holds: "info",
            notes:
                keyType === "AES_256"
                    ? `baseline: one publicEncrypt (OAEP-SHA-256) of the 32 bytes, key already parsed; with parsing the SPKI (as every import must): ${us(withParse)} → ${ratio(kf / withParse)}`
                    : `${b[0].result.materialBytes} B > OAEP's 446 B capacity; baseline: publicEncrypt of a 32-byte AES key + AES-256-KWP of the material, key parsed; with SPKI parsing: ${us(withParse)} → ${ratio(kf / withParse)}`,
            data: { keyType, perOpUs: { keyfabric: kf, bare, bareWithParse: withParse }, runs: opts.runs, iterations: WRAP_ITERATIONS },
        });
    }
    return rows;
}

async function importCost(opts: RunOptions): Promise<Row[]> {
    const n = opts.quick ? 10 : 100;
    const rows: Row[] = [];
    let emulators;
    try {
        emulators = await startEmulatorProcess();
    } catch (e) {
        return [errorRow("BYOK import", `${n} imports per cloud`, "none (informational)", (e as Error).message)];
    }
    try {
        const env = { ...process.env, KEYFABRIC_EMULATORS: emulators.endpoints };
        for (const cloud of ["aws", "gcp", "azure"] as const) {
            const section = "BYOK import";
            const name = `${cloud}: ${n} AES-256 imports, concurrency ${CONCURRENCY} vs sequential`;
            opts.log(`byok: ${cloud}: ${n} imports, sequential vs concurrency ${CONCURRENCY}, ${opts.runs} runs each`);
            const run = (c: number) => () => runNode("byok-import.js", [cloud, String(n), String(c)], { env, timeoutMs: 300_000 });
            const { a, b } = await alternate(opts.runs, run(1), run(CONCURRENCY));
            const failed = [...a, ...b].find((r) => !r.ok);
            if (failed) {
                rows.push(errorRow(section, name, "none (informational)", failed.error));
                continue;
            }
            const med = (rs: ChildRun[], k: string) => median(rs.map((r) => r.result[k]));
            const seq = med(a, "ms");
            const conc = med(b, "ms");
            rows.push({
                section,
                name,
                candidate: ms(conc),
                baseline: ms(seq),
                ratio: ratio(conc / seq),
                goal: "none (informational)",
                holds: "info",
                notes: `${(n / (conc / 1000)).toFixed(0)} vs ${(n / (seq / 1000)).toFixed(0)} imports/s; the importing process's own CPU: ${ms(med(b, "clientCpuMs"))} vs ${ms(med(a, "clientCpuMs"))}; emulators in their own process`,
                data: { cloud, imports: n, concurrency: CONCURRENCY, ms: { sequential: seq, concurrent: conc }, clientCpuMs: { sequential: med(a, "clientCpuMs"), concurrent: med(b, "clientCpuMs") }, runs: opts.runs },
            });
        }
    } finally {
        await emulators.stop();
    }
    return rows;
}
