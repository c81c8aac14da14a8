/**
 * What `--help` shows besides the options: examples and exit codes for each command (commander's `addHelpText`),
 * "(required)" after a mandatory option, and titles in bold on a terminal that takes colour.
 */
import { Command, Help, Option } from "commander";
import { Styler } from "../terminal";

const section = (title: string, lines: string[]) => `\n${title}:\n${lines.map((l) => `  ${l}`).join("\n")}`;
const examples = (...lines: string[]) => section("Examples", lines);
const exitCodes = (...lines: string[]) => section("Exit codes", lines);

export const HELP = {
    program: [
        examples(
            "keyfabric preview .                         # offline, with the policy pack",
            "keyfabric drift --state stack.json          # the stack vs the live clouds",
            "keyfabric emulate --seed stack-export.json  # local KMS holding its keys",
            "keyfabric byok wrap --help                  # wrap key material offline",
        ),
        exitCodes("0  success", "1  an error (the last line of stderr says which)", "2  keyfabric drift: drift found"),
        "\nRun keyfabric <command> --help for a command's options. NO_COLOR=1 turns colour off, FORCE_COLOR=1 on.",
    ].join("\n"),
    preview: [
        examples(
            "keyfabric preview .",
            "keyfabric preview examples/aws-only-key --format markdown > preview.md",
            "keyfabric preview . --format sarif --sarif-root . > keyfabric.sarif",
            "keyfabric preview . --policy-pack ./my-pack --policy-pack-config ./my-pack.json --fail-on-unknown",
        ),
        exitCodes(
            "0  the program ran and no mandatory policy was violated",
            "1  a program, type, validation or configuration error, a mandatory violation, or (with --fail-on-unknown)",
            "   a mandatory rule left undecided; the last line of stderr says which",
        ),
    ].join("\n"),
    drift: [
        examples(
            "pulumi stack export --file stack.json && keyfabric drift --state stack.json",
            "keyfabric drift --state stack.json --format markdown --no-policy > drift.md",
            "keyfabric drift --state stack.json --format sarif --timeout 600 > drift.sarif",
            "KEYFABRIC_EMULATORS='{...}' keyfabric drift --state stack.json   # against keyfabric emulate",
        ),
        exitCodes(
            "0  no drift: the live clouds match the stack",
            "2  drift found (the report lists it)",
            "1  an error: unreadable state, a bad option, a cloud that cannot be used (no credentials, refused,",
            "   unreachable: one line per cloud), the --timeout deadline; never reported as drift",
        ),
    ].join("\n"),
    byok: [
        examples("keyfabric byok wrap --help", "keyfabric byok import --help"),
        exitCodes("0  done (one JSON line on stdout)", "1  an error: a bad option, unreadable material, a cloud call that failed"),
    ].join("\n"),
    byokWrap: [
        examples(
            "keyfabric byok wrap --target aws --key-type AES_256 --public-key wrapping-key.der --material-file key.bin --out wrapped.bin",
            "keyfabric byok wrap --target gcp --key-type AES_256 --public-key import-job.pem --material-env KEY_B64 --out wrapped.bin",
            "keyfabric byok wrap --target azure --key-type RSA_3072 --public-key kek.pem --material-file key.pem \\",
            "    --kek-id https://kv.vault.azure.net/keys/kek/0123456789abcdef0123456789abcdef --out key.byok",
        ),
        exitCodes("0  written: {target, algorithm, out, bytes, fingerprint} on stdout", "1  an error (names the option, the allowed values and what was given; never the material)"),
    ].join("\n"),
    byokImport: [
        examples(
            "keyfabric byok import --target aws --region eu-west-1 --key 1234abcd-12ab-34cd-56ef-1234567890ab --key-type AES_256 --material-env KEY_B64",
            "keyfabric byok import --target gcp --key projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k --key-type AES_256 --material-file key.bin",
            "keyfabric byok import --target azure --vault-url https://kv.vault.azure.net --key app --key-type RSA_2048 --purpose encrypt \\",
            "    --material-command 'vault-cli read key'",
        ),
        exitCodes("0  imported: the key, version and fingerprint on stdout", "1  an error before any cloud call (the option named), or a cloud call that failed"),
    ].join("\n"),
    hsm: [
        examples("keyfabric hsm init --help", "keyfabric hsm keys --help", "keyfabric hsm generate --help"),
        exitCodes("0  done", "1  an error: a bad option, a token or key that cannot be used, softhsm2-util missing or failing"),
    ].join("\n"),
    hsmInit: [
        examples("HSM_PIN=1234 keyfabric hsm init --dir ./hsm --label keys --pin-env HSM_PIN", "export SOFTHSM2_CONF=$PWD/hsm/softhsm2.conf   # as it prints"),
        exitCodes("0  the token was created (what to export and the material descriptor on stdout)", "1  an error: a bad option, a PIN variable not set, softhsm2-util missing or failing"),
    ].join("\n"),
    hsmKeys: [
        examples('keyfabric hsm keys --uri "pkcs11:token=keys?pin-source=env:HSM_PIN"', 'keyfabric hsm keys --uri "pkcs11:token=keys;object=card-data?pin-source=env:HSM_PIN" --format json'),
        exitCodes("0  listed (never a key's value)", "1  an error: a bad URI, a token that cannot be opened or logged in to"),
    ].join("\n"),
    hsmGenerate: [
        examples('keyfabric hsm generate --uri "pkcs11:token=keys;object=card-data?pin-source=env:HSM_PIN" --key-type AES_256'),
        exitCodes("0  created, or an existing key of that label and type kept (its fingerprint on stdout)", "1  an error: a bad URI or key type, a token that cannot make the key"),
    ].join("\n"),
    emulate: [
        examples(
            "keyfabric emulate                                   # free ports; prints the KEYFABRIC_EMULATORS value",
            "keyfabric emulate --aws-port 4566 --state emu.json  # keep the keys across runs",
            "keyfabric emulate --seed examples/drift-walkthrough/stack-export.json",
        ),
        exitCodes(
            "0    stopped by SIGINT (Ctrl-C) or SIGTERM, the state saved",
            "129  stopped by SIGHUP (the terminal closed), the state saved",
            "1    an error: a bad option, an invalid --state or --seed file, a port taken, a save at exit that failed",
        ),
    ].join("\n"),
} as const;

/**
 * Help settings for the program and every command (commander copies them to subcommands created afterwards):
 * mandatory options end with "(required)"; titles are bold when the stream takes colour (commander strips the
 * styles otherwise).
 */
export function helpConfiguration(style: Styler): Partial<Help> {
    return {
        optionDescription(this: Help, option: Option): string {
            const base = Help.prototype.optionDescription.call(this, option);
            return option.mandatory ? `${base} (required)` : base;
        },
        styleTitle: (s: string) => style("bold", s),
    };
}

/** The program's own help text and settings. */
export function describeProgram(program: Command, style: Styler): Command {
    return program.configureHelp(helpConfiguration(style)).addHelpText("after", HELP.program);
}
