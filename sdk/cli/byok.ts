/**
 * `keyfabric byok wrap` (the air-gapped step: wrap material for a cloud's public wrapping key, offline) and
 * `keyfabric byok import` (the whole flow outside Pulumi, with the providers' code).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { Command, Option } from "commander";
import { ALGORITHMS, Algorithm, PROTECTIONS, PURPOSES } from "../spec/constants";
import type { MaterialSource } from "../byok/sources";
import { MATERIAL_FORMATS, MaterialFormat } from "../byok/sources";
import type { CliIo } from "./io";

const TARGETS = ["aws", "gcp", "azure"] as const;

function readPublicKey(file: string): crypto.KeyObject {
    const raw = fs.readFileSync(file);
    const text = raw.toString("utf8").trim();
    try {
        if (text.startsWith("{")) {
            const jwk = JSON.parse(text);
            return crypto.createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" });
        }
        if (text.startsWith("-----BEGIN")) return crypto.createPublicKey(text);
        return crypto.createPublicKey({ key: raw, format: "der", type: "spki" });
    } catch {
        throw new Error(`--public-key ${file}: not an RSA public key (allowed: SPKI DER or PEM, or a JWK with n and e)`);
    }
}

function materialSource(opts: { materialFile?: string; materialEnv?: string; materialCommand?: string; materialFormat?: MaterialFormat }): MaterialSource {
    const given = [opts.materialFile, opts.materialEnv, opts.materialCommand].filter((v) => v !== undefined);
    if (given.length !== 1) throw new Error("give exactly one of --material-file, --material-env, --material-command");
    const format = opts.materialFormat ? { format: opts.materialFormat } : {};
    if (opts.materialFile !== undefined) return { file: opts.materialFile, ...format };
    if (opts.materialEnv !== undefined) return { env: opts.materialEnv, ...format };
    return { command: opts.materialCommand!.split(/\s+/).filter(Boolean), ...format };
}

const materialOptions = (cmd: Command) =>
    cmd
        .option("--material-file <path>", "read the material from a file")
        .option("--material-env <name>", "read the material from an environment variable (hex or base64)")
        .option("--material-command <command>", "read the material from a program's standard output")
        .addOption(new Option("--material-format <format>", "how the material is encoded (default: detected)").choices([...MATERIAL_FORMATS]));

export function registerByok(program: Command, io: CliIo, setExit: (code: number) => void): void {
    const byok = program.command("byok").description("Bring your own key: wrap material offline, or import it into a cloud");

    materialOptions(
        byok
            .command("wrap")
            .description("Wrap key material for a cloud's wrapping public key, offline (for air-gapped hosts)")
            .addOption(new Option("--target <cloud>", "the cloud whose format to produce").choices([...TARGETS]).makeOptionMandatory())
            .addOption(new Option("--key-type <algorithm>", "the key's algorithm, to check the material").choices([...ALGORITHMS]).makeOptionMandatory())
            .requiredOption("--public-key <file>", "AWS: GetParametersForImport PublicKey; GCP: the import job's public key; Azure: the KEK's public key")
            .option("--algorithm <alg>", "AWS wrapping algorithm or GCP import method (default: SHA-256, RSA-AES for RSA/EC material)")
            .option("--kek-id <kid>", "Azure: the versioned key id of the KEK")
            .requiredOption("--out <file>", "where to write the wrapped material (Azure: the .byok transfer blob)"),
    ).action(async (opts) => {
        try {
            const { resolveMaterial } = await import("../byok/sources");
            const wrap = await import("../byok/wrap");
            const kind = wrap.materialKindFor(opts.keyType as Algorithm);
            const pub = readPublicKey(opts.publicKey);
            const m = resolveMaterial(materialSource(opts), kind);
            let out: Buffer;
            let algorithm: string;
            try {
                if (opts.target === "aws") {
                    algorithm = opts.algorithm ?? wrap.awsWrappingAlgorithmFor(kind);
                    if (!(wrap.AWS_WRAPPING_ALGORITHMS as readonly string[]).includes(algorithm)) {
                        throw new Error(`--algorithm: not an AWS wrapping algorithm (allowed: ${wrap.AWS_WRAPPING_ALGORITHMS.join(", ")}, got: ${JSON.stringify(algorithm)})`);
                    }
                    out = wrap.wrapForAws(m.material, pub.export({ type: "spki", format: "der" }), algorithm as any);
                } else if (opts.target === "gcp") {
                    algorithm = opts.algorithm ?? wrap.DEFAULT_GCP_IMPORT_METHOD;
                    if (!(algorithm in wrap.GCP_IMPORT_METHODS)) {
                        throw new Error(`--algorithm: not a GCP import method (allowed: ${Object.keys(wrap.GCP_IMPORT_METHODS).join(", ")}, got: ${JSON.stringify(algorithm)})`);
                    }
                    out = wrap.wrapForGcp(m.material, pub.export({ type: "spki", format: "pem" }).toString(), algorithm as any);
                } else {
                    if (!opts.kekId) throw new Error("--kek-id is required for --target azure (the KEK's versioned key id)");
                    algorithm = "CKM_RSA_AES_KEY_WRAP";
                    out = wrap.azureTransferBlob(m.material, pub, opts.kekId, "keyfabric byok wrap");
                }
            } finally {
                m.material.fill(0);
            }
            fs.writeFileSync(opts.out, out);
            io.out(JSON.stringify({ target: opts.target, algorithm, out: opts.out, bytes: out.length, fingerprint: m.fingerprint }));
        } catch (e) {
            io.err(`error: ${(e as Error).message}`);
            setExit(1);
        }
    });

    materialOptions(
        byok
            .command("import")
            .description("Import key material into a cloud key (the same code as the BYOK providers)")
            .addOption(new Option("--target <cloud>", "the cloud").choices([...TARGETS]).makeOptionMandatory())
            .addOption(new Option("--key-type <algorithm>", "the key's algorithm").choices([...ALGORITHMS]).makeOptionMandatory())
            .requiredOption("--key <id>", "AWS: key id or ARN; GCP: crypto key name; Azure: key name")
            .option("--region <region>", "AWS: the key's region")
            .option("--valid-to <iso>", "AWS: when the material expires (default: never)")
            .option("--import-method <method>", "GCP: the import job method")
            .option("--vault-url <url>", "Azure: https://<vault>.vault.azure.net or https://<hsm>.managedhsm.azure.net")
            .addOption(new Option("--purpose <purpose>", "Azure: the key's purpose").choices([...PURPOSES]))
            .addOption(new Option("--protection <level>", "Azure: hsm (BYOK blob) or software (JWK)").choices([...PROTECTIONS]).default("hsm")),
    ).action(async (opts) => {
        try {
            const source = materialSource(opts);
            const algorithm = opts.keyType as Algorithm;
            const { withMaterial } = await import("../byok/common");
            const { materialKindFor } = await import("../byok/wrap");
            const kind = materialKindFor(algorithm);
            let result: Record<string, unknown>;
            if (opts.target === "aws") {
                if (!opts.region) throw new Error("--region is required for --target aws");
                const { importAwsMaterial } = await import("../byok/aws");
                result = await withMaterial(source, kind, async (m) => ({
                    ...(await importAwsMaterial({ region: opts.region, keyId: opts.key, algorithm, material: m.material, validTo: opts.validTo })),
                    fingerprint: m.fingerprint,
                }));
            } else if (opts.target === "gcp") {
                const { importGcpVersion } = await import("../byok/gcp");
                result = await withMaterial(source, kind, async (m) => ({
                    ...(await importGcpVersion({ cryptoKey: opts.key, material: m.material, importMethod: opts.importMethod })),
                    fingerprint: m.fingerprint,
                }));
            } else {
                if (!opts.vaultUrl || !opts.purpose) throw new Error("--vault-url and --purpose are required for --target azure");
                const { importAzureKey, azureImportInputs } = await import("../byok/azure");
                const inputs = azureImportInputs.parse({ providerVersion: "cli", vaultUrl: opts.vaultUrl, keyName: opts.key, purpose: opts.purpose, algorithm, protection: opts.protection, material: source });
                result = await withMaterial(source, kind, async (m) => ({ ...(await importAzureKey(inputs, m.material, m.privateKey)), fingerprint: m.fingerprint }));
            }
            io.out(JSON.stringify({ target: opts.target, ...result }));
        } catch (e) {
            io.err(`error: ${(e as Error).message}`);
            setExit(1);
        }
    });
}
