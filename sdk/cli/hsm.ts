/**
 * `keyfabric hsm init|keys|generate`: PKCS#11 tokens as the origin of BYOK material.
 *
 * - `init`: a SoftHSM2 token for local use and tests, in a folder of the user's (its own softhsm2.conf and token
 *   directory; use it with SOFTHSM2_CONF=<folder>/softhsm2.conf).
 * - `keys`: the keys of a token (label, id, type, size, sensitive, extractable), never a value.
 * - `generate`: a key for BYOK created in the token (sensitive, extractable only wrapped), label-idempotent.
 *
 * Tokens are named by the same RFC 7512 URI as `material: {pkcs11: ...}` in specs; here `pin-value` is allowed.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Command, Option } from "commander";
import { ALGORITHMS, Algorithm } from "../schema/constants";
import { HELP } from "./help";
import type { CliIo } from "./io";

class CliError extends Error {}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The URI, parsed with pin-value allowed; `needObject`: a key must be named. Errors name `--uri`. */
async function tokenUri(text: string, needObject: boolean) {
    const { parsePkcs11Uri } = await import("../byok/pkcs11/uri");
    const { uri, issues } = parsePkcs11Uri(text, { allowPinValue: true });
    const relevant = issues.filter((i) => needObject || !(i.attribute === "object" && i.message.startsWith("is missing")));
    if (relevant.length) {
        const i = relevant[0];
        const extras = [...(i.allowed ? [`allowed: ${i.allowed}`] : []), ...(i.got !== undefined ? [`got: ${JSON.stringify(i.got)}`] : [])];
        throw new CliError(`--uri: ${i.attribute ? `${i.attribute} ` : ""}${i.message}${extras.length ? ` (${extras.join(", ")})` : ""}`);
    }
    return uri ?? (await withoutObjectCheck(text));
}

/** Parsing succeeded except for the missing object: parse again with a placeholder object, then drop it. */
async function withoutObjectCheck(text: string) {
    const { parsePkcs11Uri } = await import("../byok/pkcs11/uri");
    const q = text.indexOf("?");
    const withObject = q < 0 ? `${text};object=*` : `${text.slice(0, q)};object=*${text.slice(q)}`;
    const { uri } = parsePkcs11Uri(withObject, { allowPinValue: true });
    const { object, ...rest } = uri!;
    void object;
    return rest;
}

export function registerHsm(program: Command, io: CliIo, setExit: (code: number) => void): void {
    const hsm = program.command("hsm").description("PKCS#11 tokens (HSMs) as the origin of BYOK material: a SoftHSM2 token for local use, list keys, generate keys").addHelpText("after", HELP.hsm);
    const run = (f: (opts: any) => Promise<void>) => async (opts: any) => {
        try {
            await f(opts);
        } catch (e) {
            io.err(`error: ${(e as Error)?.message ?? String(e)}`);
            setExit(1);
        }
    };

    hsm.command("init")
        .description("Create a SoftHSM2 token for local use and tests in a folder of yours (its own softhsm2.conf and token directory)")
        .addHelpText("after", HELP.hsmInit)
        .requiredOption("--dir <folder>", "the folder for softhsm2.conf and the tokens (created, mode 0700)")
        .requiredOption("--label <label>", "the token's label (at most 32 characters)")
        .requiredOption("--pin-env <name>", "the environment variable holding the user PIN")
        .option("--so-pin-env <name>", "the environment variable holding the security officer PIN (default: the user PIN's)")
        .action(
            run(async (opts) => {
                for (const [o, v] of [["--pin-env", opts.pinEnv], ["--so-pin-env", opts.soPinEnv]] as const) {
                    if (v !== undefined && !ENV_NAME.test(v)) throw new CliError(`${o}: is not an environment variable name (allowed: letters, digits and _, not starting with a digit, got: ${JSON.stringify(v)})`);
                    if (v !== undefined && !process.env[v]) throw new CliError(`${o}: the environment variable ${v} is not set`);
                }
                if (!/^[\x20-\x7e]{1,32}$/.test(opts.label)) throw new CliError(`--label: must be 1-32 printable ASCII characters (got: ${JSON.stringify(opts.label)})`);
                const pin = process.env[opts.pinEnv]!;
                if (pin.length < 4 || pin.length > 255) throw new CliError(`--pin-env: the PIN in ${opts.pinEnv} must be 4-255 characters (SoftHSM2's limits)`);
                const dir = path.resolve(opts.dir);
                fs.mkdirSync(path.join(dir, "tokens"), { recursive: true, mode: 0o700 });
                const conf = path.join(dir, "softhsm2.conf");
                if (!fs.existsSync(conf)) fs.writeFileSync(conf, `directories.tokendir = ${path.join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`, { mode: 0o600 });
                try {
                    // softhsm2-util takes the PINs as arguments: for local and test tokens only (a process list shows them).
                    execFileSync("softhsm2-util", ["--init-token", "--free", "--label", opts.label, "--pin", pin, "--so-pin", process.env[opts.soPinEnv ?? opts.pinEnv]!], {
                        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", SOFTHSM2_CONF: conf },
                        stdio: ["ignore", "ignore", "pipe"],
                    });
                } catch (e) {
                    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
                    if (err.code === "ENOENT") throw new CliError("softhsm2-util is not installed (apt-get install softhsm2; brew install softhsm)");
                    throw new CliError(`softhsm2-util --init-token failed: ${(err.stderr?.toString() ?? "").trim().split("\n").pop()}`);
                }
                io.out(`Token "${opts.label}" created in ${path.join(dir, "tokens")}.\n`);
                io.out(`export SOFTHSM2_CONF=${conf}\n`);
                io.out(`material: { pkcs11: "pkcs11:token=${encodeURIComponent(opts.label)};object=<key label>?pin-source=env:${opts.pinEnv}" }\n`);
            }),
        );

    hsm.command("keys")
        .description("List the keys of a token: label, id, type, size, sensitive, extractable (never a value)")
        .addHelpText("after", HELP.hsmKeys)
        .requiredOption("--uri <uri>", 'the token, as a PKCS#11 URI (e.g. "pkcs11:token=keys?pin-source=env:HSM_PIN"; an object narrows the list)')
        .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
        .action(
            run(async (opts) => {
                const uri = await tokenUri(opts.uri, false);
                const { listTokenKeys } = await import("../byok/pkcs11/list");
                const keys = listTokenKeys(uri, opts.uri);
                if (opts.format === "json") {
                    io.out(`${JSON.stringify(keys, null, 2)}\n`);
                    return;
                }
                const Table = require("cli-table3");
                const t = new Table({ head: ["label", "id", "class", "type", "size", "sensitive", "extractable"], style: { head: [], border: [] } });
                for (const k of keys) t.push([k.label, k.id, k.class, k.type, k.size ?? "", k.sensitive ? "yes" : "no", k.extractable ? "yes" : "no"]);
                io.out(`${t.toString()}\n`);
            }),
        );

    hsm.command("generate")
        .description("Create a key for BYOK in the token (sensitive, extractable only wrapped); an existing key of that label and type is kept")
        .addHelpText("after", HELP.hsmGenerate)
        .requiredOption("--uri <uri>", 'the key, as a PKCS#11 URI with object=<label> (e.g. "pkcs11:token=keys;object=card-data?pin-source=env:HSM_PIN")')
        .addOption(new Option("--key-type <algorithm>", "the key's algorithm").choices([...ALGORITHMS]).makeOptionMandatory())
        .action(
            run(async (opts) => {
                await tokenUri(opts.uri, true);
                const { generateTokenKey } = await import("../byok/pkcs11/generate");
                const { resolveKeyMaterial } = await import("../byok/resolve");
                const { materialKindFor } = await import("../byok/wrap");
                const { Pkcs11SourceError } = await import("../byok/pkcs11/module");
                let r;
                try {
                    r = generateTokenKey(opts.uri, opts.keyType as Algorithm, { allowPinValue: true });
                } catch (e) {
                    if (e instanceof Pkcs11SourceError) throw new CliError(e.message);
                    throw e;
                }
                const m = resolveKeyMaterial({ pkcs11: opts.uri }, materialKindFor(opts.keyType), { allowPinValue: true });
                m.material.fill(0);
                io.out(`${r.created ? "created" : "exists"}: ${opts.keyType} "${r.label}" id ${r.id} fingerprint ${m.fingerprint}\n`);
            }),
        );
}
