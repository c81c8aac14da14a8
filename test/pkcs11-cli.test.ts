/**
 * `keyfabric hsm init|keys|generate` and `--material-pkcs11` on `byok wrap` / `byok import`, against a SoftHSM2
 * token that `hsm init` makes in a folder of the test's, and the emulators.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../sdk/cli";
import { createAwsKmsClient, EMULATORS_ENV } from "../sdk/clients";
import { fingerprint } from "../sdk/crypto/material";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { findLeaks } from "./support/providerHost";
import { describeWithSoftHsm, knownMaterial, makeToken, putKey, TestToken } from "./support/softhsm";

const PIN = "cli-pin-31415";

async function cli(...args: string[]) {
    let out = "";
    let err = "";
    const code = await main(args, { out: (t) => (out += t), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
}

describeWithSoftHsm("keyfabric hsm and --material-pkcs11 (SoftHSM2)", () => {
    let token: TestToken;
    let emu: EmulatorSet;
    const known = knownMaterial("AES_256");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-hsm-cli-"));
    const kek = crypto.generateKeyPairSync("rsa", { modulusLength: 4096 });
    const pubFile = path.join(dir, "wrapping.pem");
    const uri = (object: string) => `pkcs11:token=kf-cli;object=${object}?pin-value=${PIN}`;

    beforeAll(async () => {
        // The token the tests use (SOFTHSM2_CONF set for this process), with a key of test-known material.
        token = makeToken("kf-cli", PIN);
        putKey(token, "known-aes", known);
        fs.writeFileSync(pubFile, kek.publicKey.export({ type: "spki", format: "pem" }));
        emu = await startEmulators({ reuseWrappingKeys: true });
        process.env[EMULATORS_ENV] = emu.env()[EMULATORS_ENV];
    });
    afterAll(async () => {
        delete process.env[EMULATORS_ENV];
        await emu?.stop();
        token?.remove();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("hsm init makes a SoftHSM2 token in the folder given", async () => {
        process.env.KF_CLI_INIT_PIN = "init-pin-2718";
        const folder = path.join(dir, "local-hsm");
        const r = await cli("hsm", "init", "--dir", folder, "--label", "local", "--pin-env", "KF_CLI_INIT_PIN");
        expect(r).toEqual({
            code: 0,
            err: "",
            out: `Token "local" created in ${folder}/tokens.\nexport SOFTHSM2_CONF=${folder}/softhsm2.conf\nmaterial: { pkcs11: "pkcs11:token=local;object=<key label>?pin-source=env:KF_CLI_INIT_PIN" }\n`,
        });
        expect(fs.readFileSync(path.join(folder, "softhsm2.conf"), "utf8")).toContain(`directories.tokendir = ${folder}/tokens`);
        expect(fs.readdirSync(path.join(folder, "tokens")).length).toBe(1);
        expect(r.out).not.toContain("init-pin-2718");
        const bad = await cli("hsm", "init", "--dir", folder, "--label", "x", "--pin-env", "KF_CLI_UNSET_PIN");
        expect(bad).toMatchObject({ code: 1, err: "error: --pin-env: the environment variable KF_CLI_UNSET_PIN is not set\n" });
    });

    test("hsm generate (label-idempotent) and hsm keys (attributes, never a value)", async () => {
        const g1 = await cli("hsm", "generate", "--uri", uri("card-data"), "--key-type", "AES_256");
        expect(g1.code).toBe(0);
        expect(g1.out).toMatch(/^created: AES_256 "card-data" id [0-9a-f]{32} fingerprint sha256:[0-9a-f]{64}\n$/);
        const g2 = await cli("hsm", "generate", "--uri", uri("card-data"), "--key-type", "AES_256");
        expect(g2.out).toBe(g1.out.replace("created", "exists"));
        const g3 = await cli("hsm", "generate", "--uri", uri("card-data"), "--key-type", "EC_P256");
        expect(g3).toMatchObject({ code: 1, err: `error: key material from PKCS#11 object "card-data" in token "kf-cli": is a secret key, not a private key of EC P-256 (the key's algorithm)\n` });
        const rsa = await cli("hsm", "generate", "--uri", uri("signer"), "--key-type", "RSA_2048");
        expect(rsa.out).toMatch(/^created: RSA_2048 "signer" id [0-9a-f]{32} fingerprint sha256-spki:[0-9a-f]{64}\n$/);

        const list = await cli("hsm", "keys", "--uri", `pkcs11:token=kf-cli?pin-value=${PIN}`, "--format", "json");
        expect(list.code).toBe(0);
        const keys = JSON.parse(list.out);
        expect(keys).toEqual([
            { label: "card-data", id: expect.stringMatching(/^[0-9a-f]{32}$/), class: "secret-key", type: "AES", size: "256", sensitive: true, extractable: true },
            { label: "known-aes", id: Buffer.from("known-aes").toString("hex"), class: "secret-key", type: "AES", size: "256", sensitive: true, extractable: true },
            { label: "signer", id: expect.stringMatching(/^[0-9a-f]{32}$/), class: "private", type: "RSA", size: "2048", sensitive: true, extractable: true },
            { label: "signer", id: expect.stringMatching(/^[0-9a-f]{32}$/), class: "public", type: "RSA", size: "2048", sensitive: false, extractable: false },
        ]);
        const table = await cli("hsm", "keys", "--uri", `pkcs11:token=kf-cli?pin-value=${PIN}`);
        expect(table.out).toMatch(/│ known-aes +│ 6b6e6f776e2d616573 +│ secret-key │ AES +│ 256 +│ yes +│ yes +│/);
        expect(findLeaks(known.material, { out: list.out + table.out + g1.out, err: list.err })).toEqual([]);
        const wrongPin = await cli("hsm", "keys", "--uri", "pkcs11:token=kf-cli?pin-value=0000");
        expect(wrongPin).toMatchObject({ code: 1, err: 'error: PKCS#11 token "kf-cli": login to token "kf-cli" failed: the PIN is wrong (CKR_PIN_INCORRECT)\n' });
    });

    test("byok wrap --material-pkcs11: the GCP SHA-1 scheme wrapped in the token; a SHA-256 scheme refused naming the SHA-1 one", async () => {
        const out = path.join(dir, "wrapped.bin");
        const r = await cli("byok", "wrap", "--target", "gcp", "--key-type", "AES_256", "--public-key", pubFile, "--algorithm", "RSA_OAEP_4096_SHA1_AES_256", "--material-pkcs11", uri("known-aes"), "--out", out);
        expect(r.code).toBe(0);
        const blob = fs.readFileSync(out);
        const k = crypto.privateDecrypt({ key: kek.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, blob.subarray(0, 512));
        const d = crypto.createDecipheriv("id-aes256-wrap-pad", k, Buffer.from("a65959a6", "hex"));
        expect(Buffer.concat([d.update(blob.subarray(512)), d.final()]).equals(known.material)).toBe(true);

        const refused = await cli("byok", "wrap", "--target", "aws", "--key-type", "AES_256", "--public-key", pubFile, "--material-pkcs11", uri("known-aes"), "--out", path.join(dir, "aws.bin"));
        expect(refused).toMatchObject({
            code: 1,
            err: 'error: key material from PKCS#11 object "known-aes" in token "kf-cli": RSAES_OAEP_SHA_256 needs RSA-OAEP with SHA-256, and the token does RSA-OAEP with SHA-1 only: ask the cloud for RSAES_OAEP_SHA_1\n',
        });
        expect(fs.existsSync(path.join(dir, "aws.bin"))).toBe(false);
        const fmt = await cli("byok", "wrap", "--target", "aws", "--key-type", "AES_256", "--public-key", pubFile, "--material-pkcs11", uri("known-aes"), "--material-format", "hex", "--out", path.join(dir, "x.bin"));
        expect(fmt).toMatchObject({ code: 1, err: "error: --material-format: does not apply to --material-pkcs11 (the key stays in its token)\n" });
        const badUri = await cli("byok", "wrap", "--target", "aws", "--key-type", "AES_256", "--public-key", pubFile, "--material-pkcs11", "pkcs11:token=kf-cli?pin-value=1", "--out", path.join(dir, "x.bin"));
        expect(badUri.err).toBe(
            "error: --material-pkcs11: object is missing: name the key by object (its CKA_LABEL) or id (its CKA_ID) (allowed: pkcs11:token=<label>;object=<label>[;type=secret-key|private][;id=<%xx bytes>]?pin-source=env:<NAME>|file:<path>[&module-path=<library>])\n",
        );
        expect(findLeaks(known.material, { out: r.out, err: r.err + refused.err })).toEqual([]);
    });

    test("byok import --material-pkcs11 into AWS KMS: RSAES_OAEP_SHA_1 chosen for the token, the token's fingerprint", async () => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const aws = createAwsKmsClient("eu-west-1");
        try {
            const arn = (await aws.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
            const r = await cli("byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", arn, "--region", "eu-west-1", "--material-pkcs11", uri("known-aes"));
            expect(r).toMatchObject({ code: 0, err: "" });
            expect(JSON.parse(r.out)).toEqual({ target: "aws", keyArn: arn, keyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/), fingerprint: fingerprint(known.material) });
            expect((await aws.send(new sdk.DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyState).toBe("Enabled");
            expect(findLeaks(known.material, { out: r.out, err: r.err })).toEqual([]);
            expect(r.out + r.err).not.toContain(PIN);
        } finally {
            aws.destroy();
        }
    });
});
