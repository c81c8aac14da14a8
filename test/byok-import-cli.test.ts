/** `keyfabric byok import`: the whole flow outside Pulumi, with the providers' code, against the emulators. */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../sdk/cli";
import { createAwsKmsClient, createGcpKmsClient, EMULATORS_ENV } from "../sdk/clients";
import { fingerprint } from "../sdk/crypto/material";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { findLeaks } from "./support/providerHost";

let emu: EmulatorSet;
/** Real time plus a shift a test can set. */
const clock = { shift: 0, now: () => Date.now() + clock.shift };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kf-import-"));
const aes = crypto.randomBytes(32);
const aesFile = path.join(dir, "test-fixture-aes.bin");
fs.writeFileSync(aesFile, aes, { mode: 0o600 }); // private to its owner, as key material must be (else a warning)

beforeAll(async () => {
    emu = await startEmulators({ reuseWrappingKeys: true, clock });
    process.env[EMULATORS_ENV] = emu.env()[EMULATORS_ENV];
});
afterAll(async () => {
    delete process.env[EMULATORS_ENV];
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
    let out = "";
    let err = "";
    const code = await main(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
}

test("AWS and GCP imports print ids and the fingerprint, never the material", async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const aws = createAwsKmsClient("eu-west-1");
    const arn = (await aws.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }))).KeyMetadata!.Arn!;
    const r1 = await cli("byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", arn, "--region", "eu-west-1", "--material-file", aesFile);
    expect(r1).toMatchObject({ code: 0, err: "" });
    expect(JSON.parse(r1.out)).toEqual({ target: "aws", keyArn: arn, keyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/), fingerprint: fingerprint(aes) });
    expect((await aws.send(new sdk.DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyState).toBe("Enabled");
    aws.destroy();

    const gcp = createGcpKmsClient();
    await gcp.createKeyRing({ parent: "projects/kf-cli/locations/us", keyRingId: "r" });
    const [key] = await gcp.createCryptoKey({
        parent: "projects/kf-cli/locations/us/keyRings/r",
        cryptoKeyId: "k",
        cryptoKey: { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" }, importOnly: true },
        skipInitialVersionCreation: true,
    });
    await gcp.close();
    const r2 = await cli("byok", "import", "--target", "gcp", "--key-type", "AES_256", "--key", key.name!, "--material-file", aesFile);
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.out)).toMatchObject({ target: "gcp", version: `${key.name}/cryptoKeyVersions/1`, primary: true, fingerprint: fingerprint(aes) });
    expect(findLeaks(aes, { out: r1.out + r2.out, err: r1.err + r2.err })).toEqual([]);
});

test("a failed import names the key and the cloud's error", async () => {
    const r = await cli("byok", "import", "--target", "aws", "--key-type", "AES_256", "--key", "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000", "--region", "eu-west-1", "--material-file", aesFile);
    expect(r.code).toBe(1);
    // The import starts from the key's live state (DescribeKey), so that is what reports the missing key.
    expect(r.err).toMatch(/^error: AWS KMS DescribeKey for arn:aws:kms:eu-west-1:111122223333:key\/00000000-0000-0000-0000-000000000000 failed: NotFoundException: /m);
    expect(findLeaks(aes, { err: r.err })).toEqual([]);
});

test("a KEK name taken by a key that is not import-only is refused; nothing is imported", async () => {
    const { createAzureKeyClient } = await import("../sdk/clients");
    const { azureImportedKey } = await import("../sdk/byok/azure");
    const vaultUrl = "https://kf-wrongkek.vault.azure.net";
    await createAzureKeyClient(vaultUrl).createKey("target-kek", "RSA-HSM", { keySize: 2048, keyOps: ["sign", "verify"] });
    process.env.KF_IMPORT_EC = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
    await expect(
        azureImportedKey.create({ providerVersion: "1", vaultUrl, keyName: "target", purpose: "sign", algorithm: "EC_P256", protection: "hsm", material: { env: "KF_IMPORT_EC" } }),
    ).rejects.toThrow('Azure Key Vault key target-kek exists but is not a KEK (RSA-HSM with key_ops exactly ["import"]); name another kekName');
    await expect(createAzureKeyClient(vaultUrl).getKey("target")).rejects.toMatchObject({ statusCode: 404 });
});

test("an expired import job is never used: a new one is created", async () => {
    const { gcpImportedKeyVersion } = await import("../sdk/byok/gcp");
    const gcp = createGcpKmsClient();
    const ring = "projects/kf-cli/locations/us/keyRings/expiring";
    await gcp.createKeyRing({ parent: "projects/kf-cli/locations/us", keyRingId: "expiring" });
    const mk = async (id: string) =>
        (
            await gcp.createCryptoKey({
                parent: ring,
                cryptoKeyId: id,
                cryptoKey: { purpose: "ENCRYPT_DECRYPT", versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" }, importOnly: true },
                skipInitialVersionCreation: true,
            })
        )[0].name!;
    const first = await gcpImportedKeyVersion.create({ providerVersion: "1", cryptoKey: await mk("a"), algorithm: "AES_256", importMethod: "RSA_OAEP_3072_SHA256_AES_256", material: { file: aesFile } });
    // Three days and a minute later, the job has expired: the next import makes a new one.
    clock.shift = 72 * 3_600_000 + 60_000;
    try {
        const second = await gcpImportedKeyVersion.create({ providerVersion: "1", cryptoKey: await mk("b"), algorithm: "AES_256", importMethod: "RSA_OAEP_3072_SHA256_AES_256", material: { file: aesFile } });
        expect(second.outs.importJob).not.toBe(first.outs.importJob);
        expect(second.outs.state).toBe("ENABLED");
        const [job] = await gcp.getImportJob({ name: first.outs.importJob });
        expect(String(job.state)).toBe("EXPIRED");
    } finally {
        clock.shift = 0;
        await gcp.close();
    }
});
