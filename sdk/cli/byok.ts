/**
 * `keyfabric byok wrap` (the air-gapped step: wrap material for a cloud's public wrapping key, offline) and
 * `keyfabric byok import` (the whole flow outside Pulumi, with the providers' code).
 *
 * Every option is checked before the material is read and before any cloud call; errors name the option, the
 * allowed values and what was received, never the material.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, Option } from "commander";
import { ALGORITHMS, Algorithm, PROTECTIONS, PURPOSES, Purpose } from "../schema/constants";
import type { MaterialSource, ResolvedMaterial, SourceIssue } from "../byok/sources";
import { MATERIAL_FORMATS, MaterialFormat, MAX_COMMAND_TIMEOUT_MS } from "../byok/sources";
import { HELP } from "./help";
import type { CliIo } from "./io";

const TARGETS = ["aws", "gcp", "azure"] as const;
type Target = (typeof TARGETS)[number];

/** Public keys are small: an RSA-4096 SPKI PEM is about 800 bytes; a JWK with an x5c chain a few KB. */
const MAX_PUBLIC_KEY_BYTES = 16_384;
const AZURE_HOST = "[a-z0-9-]{3,24}\\.(?:vault\\.azure\\.net|managedhsm\\.azure\\.net|vault\\.azure\\.cn|vault\\.usgovcloudapi\\.net)";
const VAULT_URL = new RegExp(`^https://${AZURE_HOST}/?$`, "i");
const KEK_ID = new RegExp(`^https://${AZURE_HOST}/keys/[0-9a-zA-Z-]{1,127}/[0-9a-f]{32}$`, "i");
const AWS_REGION = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const AWS_KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const AWS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/((?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}))$/;
const GCP_CRYPTO_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[a-zA-Z0-9_-]{1,63}$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

/** An error for people: `<option>: <problem> (allowed: ..., got: ...)`. */
class CliError extends Error {}
const q = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
const fail = (where: string, problem: string, allowed?: string, got?: string): never => {
    const extras = [...(allowed ? [`allowed: ${allowed}`] : []), ...(got !== undefined ? [`got: ${got}`] : [])];
    throw new CliError(`${where}: ${problem}${extras.length ? ` (${extras.join(", ")})` : ""}`);
};

// ---- --material-* ----

const SHELL_ONLY = new Set(["|", "&", ";", "<", ">", "(", ")", "$", "`", "*", "?"]);

/**
 * Splits `--material-command` into words the way a POSIX shell would for plain words: whitespace separates,
 * '...' is literal, "..." allows \" \\ \$ \` escapes, a backslash outside quotes escapes the next character.
 * Nothing is expanded and no shell runs: an unquoted | & ; < > ( ) $ ` * ? (or ~ or # starting a word) is refused.
 * Positions, not text, are reported (arguments can hold tokens).
 */
export function splitCommandLine(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    const where = "--material-command";
    const allowed = "a program and its arguments, quoted with '...' or \"...\"; run without a shell (for shell syntax: sh -c '...')";
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (/\s/.test(c)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else if (c === "'") {
            const end = line.indexOf("'", i + 1);
            if (end < 0) fail(where, `has an unterminated ' quote (at character ${i + 1})`, allowed);
            word = (word ?? "") + line.slice(i + 1, end);
            i = end;
        } else if (c === '"') {
            let w = "";
            let j = i + 1;
            for (; j < line.length && line[j] !== '"'; j++) {
                if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) w += line[++j];
                else if (line[j] === "$" || line[j] === "`") fail(where, `has ${line[j]} inside "..." (at character ${j + 1}), which keyfabric does not expand`, allowed);
                else w += line[j];
            }
            if (j >= line.length) fail(where, `has an unterminated " quote (at character ${i + 1})`, allowed);
            word = (word ?? "") + w;
            i = j;
        } else if (c === "\\") {
            if (i + 1 >= line.length) fail(where, "ends with a lone backslash", allowed);
            word = (word ?? "") + line[++i];
        } else if (SHELL_ONLY.has(c) || (word === undefined && (c === "~" || c === "#"))) {
            fail(where, `has an unquoted ${c} (at character ${i + 1}), which only a shell interprets`, allowed);
        } else {
            word = (word ?? "") + c;
        }
    }
    if (word !== undefined) words.push(word);
    if (words.length === 0) fail(where, "is empty", allowed);
    return words;
}

interface MaterialOpts {
    materialFile?: string;
    materialEnv?: string;
    materialCommand?: string;
    materialCommandEnv?: string;
    materialCommandTimeout?: string;
    materialFormat?: MaterialFormat;
    materialPkcs11?: string;
}

/** The option a descriptor issue is about. */
function optionOf(i: SourceIssue, source: MaterialSource): string {
    const [field] = i.path;
    if (field === "file") return "--material-file";
    if (field === "command") return "--material-command";
    if (field === "timeoutMs") return "--material-command-timeout";
    if (field === "format") return "--material-format";
    if (field === "env") return "command" in source ? "--material-command-env" : "--material-env";
    return "--material-*";
}

async function materialSource(opts: MaterialOpts): Promise<MaterialSource> {
    const given = [opts.materialFile, opts.materialEnv, opts.materialCommand, opts.materialPkcs11].filter((v) => v !== undefined);
    if (given.length !== 1) throw new CliError("give exactly one of --material-file, --material-env, --material-command, --material-pkcs11");
    if (opts.materialPkcs11 !== undefined) return pkcs11Source(opts);
    if (opts.materialCommand === undefined) {
        if (opts.materialCommandEnv !== undefined) fail("--material-command-env", "applies to --material-command only");
        if (opts.materialCommandTimeout !== undefined) fail("--material-command-timeout", "applies to --material-command only");
    }
    const format = opts.materialFormat ? { format: opts.materialFormat } : {};
    let source: MaterialSource;
    if (opts.materialFile !== undefined) source = { file: opts.materialFile, ...format };
    else if (opts.materialEnv !== undefined) source = { env: opts.materialEnv, ...format };
    else {
        const t = opts.materialCommandTimeout;
        let timeoutMs: number | undefined;
        if (t !== undefined) {
            timeoutMs = /^\d{1,9}$/.test(t) ? Number(t) : NaN;
            if (!(timeoutMs >= 1 && timeoutMs <= MAX_COMMAND_TIMEOUT_MS)) fail("--material-command-timeout", "must be a whole number of milliseconds", `1-${MAX_COMMAND_TIMEOUT_MS}`, q(t));
        }
        source = {
            command: splitCommandLine(opts.materialCommand!),
            ...(opts.materialCommandEnv !== undefined ? { env: opts.materialCommandEnv.split(",").map((s) => s.trim()) } : {}),
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
            ...format,
        };
    }
    const { materialSourceIssues, formatSourceIssue } = await import("../byok/sources");
    const issues = materialSourceIssues(source);
    if (issues.length) throw new CliError(formatSourceIssue(issues[0], optionOf(issues[0], source)));
    return source;
}

const materialOptions = (cmd: Command) =>
    cmd
        .option("--material-file <path>", "read the material from a regular file (not a link, pipe or device; at most 8 KiB)")
        .option("--material-env <name>", "read the material from an environment variable (hex, base64, PEM or JWK)")
        .option("--material-command <command>", "read the material from a program's standard output (run without a shell; quote with '...' or \"...\")")
        .option("--material-command-env <names>", "comma-separated variables passed to the command, besides PATH (nothing else is)")
        .option("--material-command-timeout <ms>", `kill the command's process group after this long (default 30000, at most ${MAX_COMMAND_TIMEOUT_MS})`)
        .addOption(new Option("--material-format <format>", "how the material is encoded (default: detected)").choices([...MATERIAL_FORMATS]))
        .option("--material-pkcs11 <uri>", "a key in a PKCS#11 token (RFC 7512 URI, as in specs; pin-value allowed here): wrapped inside the token");

async function readMaterial(source: MaterialSource, algorithm: Algorithm, io: CliIo, purpose?: Purpose): Promise<ResolvedMaterial> {
    const { resolveKeyMaterial } = await import("../byok/resolve");
    const { materialKindFor } = await import("../byok/wrap");
    // pin-value is for the command line (tests, a local token); specs refuse it, as their descriptor is kept in state.
    return resolveKeyMaterial(source, materialKindFor(algorithm), { warn: (m) => io.err(`warning: ${m}`), purpose, allowPinValue: true });
}

/** `--material-pkcs11 <URI>`: the same RFC 7512 URI as in specs, `pin-value` allowed here. */
async function pkcs11Source(opts: MaterialOpts): Promise<MaterialSource> {
    for (const [o, v] of [["--material-format", opts.materialFormat], ["--material-command-env", opts.materialCommandEnv], ["--material-command-timeout", opts.materialCommandTimeout]] as const) {
        if (v !== undefined) fail(o, "does not apply to --material-pkcs11 (the key stays in its token)");
    }
    const { parsePkcs11Uri } = await import("../byok/pkcs11/uri");
    const { issues } = parsePkcs11Uri(opts.materialPkcs11!, { allowPinValue: true });
    if (issues.length) fail("--material-pkcs11", `${issues[0].attribute ? `${issues[0].attribute} ` : ""}${issues[0].message}`, issues[0].allowed, issues[0].got !== undefined ? q(issues[0].got) : undefined);
    return { pkcs11: opts.materialPkcs11! };
}

// ---- shared checks ----

/** `--purpose` must fit `--key-type`. */
async function checkPurpose(algorithm: Algorithm, purpose: Purpose | undefined): Promise<void> {
    if (purpose === undefined) return;
    const { PURPOSES_FOR_ALGORITHM, algorithmsFor } = await import("../schema/capabilities");
    if (!PURPOSES_FOR_ALGORITHM[algorithm].includes(purpose)) {
        fail("--purpose", `${algorithm} keys cannot be used to ${purpose}`, `${PURPOSES_FOR_ALGORITHM[algorithm].join(" or ")} for ${algorithm}; for ${purpose}: ${algorithmsFor(purpose).join(", ")}`, q(purpose));
    }
}

/** Options that do not apply to the target are refused, not ignored. */
function checkApplies(cmd: Command, target: Target, perTarget: Record<string, readonly Target[]>): void {
    for (const [name, targets] of Object.entries(perTarget)) {
        const key = name.replace(/^--/, "").replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
        if (cmd.getOptionValueSource(key) === "cli" && !targets.includes(target)) {
            fail(name, `applies to --target ${targets.join(" or ")} only`, undefined, `--target ${target}`);
        }
    }
}

function realPath(file: string): string | undefined {
    try {
        return fs.realpathSync(file);
    } catch {
        return undefined;
    }
}

/** `--out` must be a writable place for a regular file, and not the material or the public key (real paths, inodes). */
function checkOut(out: string, others: [string, string | undefined][]): void {
    const abs = path.resolve(out);
    let st: fs.Stats | undefined;
    try {
        st = fs.statSync(abs);
    } catch (e: any) {
        if (e?.code !== "ENOENT") fail(`--out ${out}`, e?.code === "EACCES" ? "permission denied" : `cannot be used (${e?.code ?? "error"})`);
    }
    if (st?.isDirectory()) fail(`--out ${out}`, "is a directory", "a file path");
    if (st && !st.isFile()) fail(`--out ${out}`, "is not a regular file", "a file path");
    if (!st) {
        const dir = path.dirname(abs);
        let d: fs.Stats | undefined;
        try {
            d = fs.statSync(dir);
        } catch {
            /* below */
        }
        if (!d?.isDirectory()) fail(`--out ${out}`, `its directory ${path.dirname(out)} does not exist`);
    }
    const outReal = st ? realPath(abs) : path.join(realPath(path.dirname(abs)) ?? path.dirname(abs), path.basename(abs));
    for (const [option, file] of others) {
        if (file === undefined) continue;
        const otherReal = realPath(file);
        let same = otherReal !== undefined && otherReal === outReal;
        if (!same && st) {
            try {
                const o = fs.statSync(file);
                same = o.ino === st.ino && o.dev === st.dev;
            } catch {
                /* does not exist: the material check reports it */
            }
        }
        if (same) fail(`--out ${out}`, `is the same file as ${option} ${file}; writing there would destroy it`, `another path than ${option}`);
    }
}

function writeOut(out: string, data: Buffer): void {
    try {
        fs.writeFileSync(out, data);
    } catch (e: any) {
        fail(`--out ${out}`, e?.code === "EACCES" || e?.code === "EPERM" ? "permission denied" : e?.code === "EISDIR" ? "is a directory" : `cannot be written (${e?.code ?? "error"})`);
    }
}

async function readPublicKey(file: string) {
    const { readBoundedFile } = await import("../byok/sources");
    const { parseWrappingPublicKey } = await import("../byok/wrap");
    const where = `--public-key ${file}`;
    const bytes = readBoundedFile(file, MAX_PUBLIC_KEY_BYTES, (p) => new CliError(`${where}: ${p}`), { what: "a public key file" });
    try {
        return parseWrappingPublicKey(bytes);
    } catch (e) {
        throw new CliError(`${where}: ${(e as Error).message}`);
    }
}

/** `--kek-id`: a versioned Key Vault or Managed HSM key id; AES needs a Managed HSM and Azure has no HMAC keys. */
function checkAzureWrap(kekId: string | undefined, algorithm: Algorithm): void {
    if (!kekId) throw new CliError("--kek-id is required for --target azure (the KEK's versioned key id)");
    if (!KEK_ID.test(kekId)) {
        fail("--kek-id", "is not a versioned Key Vault key id", "https://<vault>.vault.azure.net/keys/<name>/<32-hex version>, https://<hsm>.managedhsm.azure.net/keys/<name>/<version>", q(kekId));
    }
    if (algorithm === "HMAC_256") fail("--key-type", "Azure Key Vault and Managed HSM have no HMAC keys", "AES_256 (Managed HSM), RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384", q(algorithm));
    if (algorithm === "AES_256" && !/\.managedhsm\./i.test(kekId)) {
        fail("--key-type", "AES_256 (oct-HSM) keys exist only on a Managed HSM, and --kek-id is a Key Vault key", "a --kek-id on https://<hsm>.managedhsm.azure.net, or an RSA or EC --key-type", q(algorithm));
    }
}

// ---- commands ----

export function registerByok(program: Command, io: CliIo, setExit: (code: number) => void): void {
    const byok = program.command("byok").description("Bring your own key: wrap material offline, or import it into a cloud").addHelpText("after", HELP.byok);

    const run = (f: (opts: any, cmd: Command) => Promise<void>) => async (opts: any, cmd: Command) => {
        try {
            await f(opts, cmd);
        } catch (e) {
            const { cryptoReason } = await import("../crypto/material");
            const msg = (e as Error)?.message ?? String(e);
            // OpenSSL's "error:0200006E:rsa routines::..." codes, should one escape the checks, in words.
            io.err(`error: ${/^error:[0-9A-F]{8}:/i.test(msg) ? `a cryptographic operation failed: ${cryptoReason(e)}` : msg}`);
            setExit(1);
        }
    };

    materialOptions(
        byok
            .command("wrap")
            .description("Wrap key material for a cloud's wrapping public key, offline (for air-gapped hosts)")
            .addHelpText("after", HELP.byokWrap)
            .addOption(new Option("--target <cloud>", "the cloud whose format to produce").choices([...TARGETS]).makeOptionMandatory())
            .addOption(new Option("--key-type <algorithm>", "the key's algorithm, to check the material").choices([...ALGORITHMS]).makeOptionMandatory())
            .requiredOption("--public-key <file>", "AWS: GetParametersForImport PublicKey; GCP: the import job's public key; Azure: the KEK's public key (RSA-2048/3072/4096, e = 65537)")
            .option("--algorithm <alg>", "AWS wrapping algorithm or GCP import method (default: SHA-256, RSA-AES for RSA/EC material)")
            .option("--kek-id <kid>", "Azure: the versioned key id of the KEK (required for --target azure)")
            .addOption(new Option("--purpose <purpose>", "the key's purpose, checked against a JWK's use/key_ops/alg").choices([...PURPOSES]))
            .requiredOption("--out <file>", "where to write the wrapped material (Azure: the .byok transfer blob)"),
    ).action(
        run(async (opts, cmd) => {
            const wrap = await import("../byok/wrap");
            const target = opts.target as Target;
            const algorithmKey = opts.keyType as Algorithm;
            const kind = wrap.materialKindFor(algorithmKey);
            // Everything that can be checked without the material, first.
            const source = await materialSource(opts);
            checkApplies(cmd, target, { "--kek-id": ["azure"], "--algorithm": ["aws", "gcp"] });
            await checkPurpose(algorithmKey, opts.purpose);
            let algorithm: string;
            if (target === "aws") {
                algorithm = opts.algorithm ?? wrap.awsWrappingAlgorithmFor(kind);
                if (!(wrap.AWS_WRAPPING_ALGORITHMS as readonly string[]).includes(algorithm)) {
                    throw new CliError(`--algorithm: not an AWS wrapping algorithm (allowed: ${wrap.AWS_WRAPPING_ALGORITHMS.join(", ")}, got: ${JSON.stringify(algorithm)})`);
                }
                const problem = wrap.awsAlgorithmProblem(algorithm as any, kind);
                if (problem) throw new CliError(`--algorithm ${algorithm}: ${problem}`);
            } else if (target === "gcp") {
                algorithm = opts.algorithm ?? wrap.DEFAULT_GCP_IMPORT_METHOD;
                if (!(algorithm in wrap.GCP_IMPORT_METHODS)) {
                    throw new CliError(`--algorithm: not a GCP import method (allowed: ${Object.keys(wrap.GCP_IMPORT_METHODS).join(", ")}, got: ${JSON.stringify(algorithm)})`);
                }
                const spec = wrap.GCP_IMPORT_METHODS[algorithm as keyof typeof wrap.GCP_IMPORT_METHODS];
                if (!spec.hybrid && kind.type === "rsa") {
                    fail(`--algorithm ${algorithm}`, `cannot wrap an RSA private key: direct OAEP carries at most ${spec.bits / 8 - 66} bytes`, Object.keys(wrap.GCP_IMPORT_METHODS).filter((m) => m.endsWith("_AES_256")).join(", "));
                }
            } else {
                checkAzureWrap(opts.kekId, algorithmKey);
                algorithm = "CKM_RSA_AES_KEY_WRAP";
            }
            const pub = await readPublicKey(opts.publicKey);
            if (target === "gcp") {
                const spec = wrap.GCP_IMPORT_METHODS[algorithm as keyof typeof wrap.GCP_IMPORT_METHODS];
                const bits = pub.asymmetricKeyDetails!.modulusLength!;
                if (bits !== spec.bits) {
                    const fitting = Object.entries(wrap.GCP_IMPORT_METHODS).filter(([, s]) => s.bits === bits).map(([m]) => m);
                    fail(
                        `--public-key ${opts.publicKey}`,
                        `is RSA-${bits}, and ${algorithm}${opts.algorithm ? "" : " (the default --algorithm)"} needs RSA-${spec.bits}`,
                        fitting.length ? `--algorithm ${fitting.join(", ")} for an RSA-${bits} import job key` : "GCP import jobs use RSA-3072 or RSA-4096 keys",
                    );
                }
            }
            checkOut(opts.out, [
                ["--material-file", "file" in source && !("command" in source) ? source.file : undefined],
                ["--public-key", opts.publicKey],
            ]);
            let m: ResolvedMaterial | undefined = await readMaterial(source, algorithmKey, io, opts.purpose);
            const fingerprint = m.fingerprint;
            let out: Buffer;
            try {
                if (target === "aws") out = wrap.wrapForAws(m.material, pub.export({ type: "spki", format: "der" }), algorithm as any, kind);
                else if (target === "gcp") out = wrap.wrapForGcp(m.material, pub.export({ type: "spki", format: "pem" }).toString(), algorithm as any);
                else out = wrap.azureTransferBlob(m.material, pub, opts.kekId, "keyfabric byok wrap");
            } finally {
                m.material.fill(0);
                m = undefined; // the private KeyObject cannot be zeroed: drop it
            }
            writeOut(opts.out, out);
            io.out(JSON.stringify({ target, algorithm, out: opts.out, bytes: out.length, fingerprint }));
        }),
    );

    materialOptions(
        byok
            .command("import")
            .description("Import key material into a cloud key (the same code as the BYOK providers)")
            .addHelpText("after", HELP.byokImport)
            .addOption(new Option("--target <cloud>", "the cloud").choices([...TARGETS]).makeOptionMandatory())
            .addOption(new Option("--key-type <algorithm>", "the key's algorithm").choices([...ALGORITHMS]).makeOptionMandatory())
            .requiredOption("--key <id>", "AWS: key id or ARN; GCP: crypto key name; Azure: key name")
            .option("--region <region>", "AWS: the key's region (required for --target aws)")
            .option("--valid-to <iso>", "AWS: when the material expires, ISO 8601, at most 365 days ahead (default: never)")
            .option("--import-method <method>", "GCP: the import job method")
            .option("--vault-url <url>", "Azure: https://<vault>.vault.azure.net or https://<hsm>.managedhsm.azure.net (required for --target azure)")
            .addOption(new Option("--purpose <purpose>", "the key's purpose (required for --target azure); checked against --key-type and a JWK's use/key_ops/alg").choices([...PURPOSES]))
            .addOption(new Option("--protection <level>", "Azure: hsm (BYOK blob) or software (JWK)").choices([...PROTECTIONS]).default("hsm")),
    ).action(
        run(async (opts, cmd) => {
            const target = opts.target as Target;
            const algorithm = opts.keyType as Algorithm;
            const source = await materialSource(opts);
            checkApplies(cmd, target, { "--region": ["aws"], "--valid-to": ["aws"], "--import-method": ["gcp"], "--vault-url": ["azure"], "--protection": ["azure"] });
            await checkPurpose(algorithm, opts.purpose);
            let call: (m: ResolvedMaterial) => Promise<Record<string, unknown>>;
            if (target === "aws") {
                if (!opts.region) throw new CliError("--region is required for --target aws");
                if (!AWS_REGION.test(opts.region)) fail("--region", "is not an AWS region", "e.g. us-east-1, eu-west-1", q(opts.region));
                const arn = AWS_KEY_ARN.exec(opts.key);
                if (!arn && !AWS_KEY_ID.test(opts.key)) fail("--key", "is not an AWS KMS key id or key ARN", "a key id such as 1234abcd-12ab-34cd-56ef-1234567890ab or mrk-<32 hex>, or arn:aws:kms:<region>:<account>:key/<id>", q(opts.key));
                if (arn && arn[1] !== opts.region) fail("--region", `is not the region of --key (${arn[1]})`, arn[1], q(opts.region));
                const validTo = opts.validTo === undefined ? undefined : checkValidTo(opts.validTo);
                const { importAwsMaterial } = await import("../byok/aws");
                call = async (m) => ({ ...(await importAwsMaterial({ region: opts.region, keyId: opts.key, algorithm, material: m.material, validTo })), fingerprint: m.fingerprint });
            } else if (target === "gcp") {
                if (!GCP_CRYPTO_KEY.test(opts.key)) fail("--key", "is not a Cloud KMS crypto key name", "projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>", q(opts.key));
                const { GCP_IMPORT_METHODS } = await import("../byok/wrap");
                if (opts.importMethod !== undefined && !(opts.importMethod in GCP_IMPORT_METHODS)) {
                    fail("--import-method", "is not a GCP import method", Object.keys(GCP_IMPORT_METHODS).join(", "), q(opts.importMethod));
                }
                const { importGcpVersion } = await import("../byok/gcp");
                call = async (m) => ({ ...(await importGcpVersion({ cryptoKey: opts.key, material: m.material, importMethod: opts.importMethod })), fingerprint: m.fingerprint });
            } else {
                if (!opts.vaultUrl || !opts.purpose) throw new CliError("--vault-url and --purpose are required for --target azure");
                if (!VAULT_URL.test(opts.vaultUrl)) fail("--vault-url", "is not a Key Vault or Managed HSM URL", "https://<name>.vault.azure.net, https://<name>.managedhsm.azure.net", q(opts.vaultUrl));
                const hsmHost = /\.managedhsm\./i.test(opts.vaultUrl);
                if (algorithm === "HMAC_256") fail("--key-type", "Azure Key Vault and Managed HSM have no HMAC keys", "AES_256 (Managed HSM), RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384", q(algorithm));
                if (algorithm === "AES_256" && !hsmHost) fail("--key-type", "AES_256 (oct-HSM) keys exist only on a Managed HSM, and --vault-url is a Key Vault", "--vault-url https://<name>.managedhsm.azure.net, or an RSA or EC --key-type", q(algorithm));
                if (opts.protection !== "hsm" && (hsmHost || algorithm === "AES_256")) fail("--protection", hsmHost ? "every Managed HSM key is HSM-protected" : "oct-HSM keys are HSM-protected", "hsm", q(opts.protection));
                const { importAzureKey, azureImportInputs } = await import("../byok/azure");
                const parsed = azureImportInputs.safeParse({ providerVersion: "cli", vaultUrl: opts.vaultUrl, keyName: opts.key, purpose: opts.purpose, algorithm, protection: opts.protection, material: source }, { reportInput: true });
                if (!parsed.success) throw new CliError(await azureIssues(parsed.error));
                const inputs = parsed.data;
                call = async (m) => ({ ...(await importAzureKey(inputs, m.material, m.privateKey)), fingerprint: m.fingerprint });
            }
            // The material is read after every option is checked and before any cloud call; zeroed whatever happens.
            let m: ResolvedMaterial | undefined = await readMaterial(source, algorithm, io, opts.purpose);
            let result: Record<string, unknown>;
            try {
                result = await call(m);
            } finally {
                m.material.fill(0);
                m = undefined;
            }
            io.out(JSON.stringify({ target, ...result }));
        }),
    );
}

/** `--valid-to`: a real ISO 8601 date-time, in the future, at most 365 days ahead (AWS's limits); normalised to UTC. */
function checkValidTo(v: string): string {
    const allowed = "an ISO 8601 date-time such as 2027-01-31T00:00:00Z, in the future and at most 365 days ahead";
    const m = ISO_DATE_TIME.exec(v);
    const t = Date.parse(v);
    const [year, month, day, hour, minute, second] = (m ?? []).slice(1).map((x) => (x === undefined ? 0 : Number(x)));
    const realDay = m && month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate() && hour < 24 && minute < 60 && second < 60;
    if (!m || !realDay || Number.isNaN(t)) fail("--valid-to", "is not an ISO 8601 date-time", allowed, q(v));
    const now = Date.now();
    if (t <= now || t > now + 365 * DAY_MS) fail("--valid-to", "must be in the future and at most 365 days ahead", allowed, q(v));
    return new Date(t).toISOString();
}

/** The Azure inputs' problems with their option names (a backstop: the checks above come first). */
async function azureIssues(error: import("zod").ZodError): Promise<string> {
    const { zodIssues } = await import("../schema/validate");
    const { formatIssue } = await import("../schema/errors");
    const OPTIONS: Record<string, string> = { vaultUrl: "--vault-url", keyName: "--key", purpose: "--purpose", algorithm: "--key-type", protection: "--protection", material: "--material-*" };
    return zodIssues(error)
        .map((i) => {
            const [field] = i.path.split(/[.[]/);
            return formatIssue({ ...i, path: OPTIONS[field] ?? i.path });
        })
        .join("; ");
}
