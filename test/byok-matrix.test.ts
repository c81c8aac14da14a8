/**
 * Every BYOK flow per cloud and key type, through the providers' code (the module the dynamic-provider host loads),
 * against the emulators; then the imported key is used through the cloud's SDK and checked against the material.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import { awsImportedKeyMaterial } from "../sdk/byok/aws";
import { azureImportedKey } from "../sdk/byok/azure";
import { gcpImportedKeyVersion } from "../sdk/byok/gcp";
import { createAwsKmsClient, createAzureKeyClient, createGcpKmsClient, EMULATORS_ENV } from "../sdk/clients";
import { fingerprint } from "../sdk/crypto/material";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { Algorithm } from "../sdk/schema/constants";

let emu: EmulatorSet;
beforeAll(async () => {
    emu = await startEmulators({ reuseWrappingKeys: true });
    process.env[EMULATORS_ENV] = emu.env()[EMULATORS_ENV];
});
afterAll(async () => {
    delete process.env[EMULATORS_ENV];
    await emu.stop();
});

type Kind = { algorithm: Algorithm; material: Buffer; privateKey?: crypto.KeyObject };
function material(algorithm: Algorithm): Kind {
    if (algorithm === "AES_256" || algorithm === "HMAC_256") return { algorithm, material: crypto.randomBytes(32) };
    const privateKey = algorithm.startsWith("RSA_")
        ? crypto.generateKeyPairSync("rsa", { modulusLength: Number(algorithm.slice(4)) }).privateKey
        : crypto.generateKeyPairSync("ec", { namedCurve: algorithm === "EC_P256" ? "P-256" : "P-384" }).privateKey;
    return { algorithm, material: privateKey.export({ type: "pkcs8", format: "der" }), privateKey };
}
let n = 0;
const envFor = (m: Kind) => {
    const name = `KF_MATRIX_${n++}`;
    process.env[name] = m.material.toString("base64");
    return name;
};
const oaep256 = (k: crypto.KeyObject, data: Buffer) => crypto.publicEncrypt({ key: crypto.createPublicKey(k), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, data);

// eslint-disable-next-line @typescript-eslint/no-var-requires
const awsSdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
const AWS: [Algorithm, string, string][] = [
    ["AES_256", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"],
    ["HMAC_256", "HMAC_256", "GENERATE_VERIFY_MAC"],
    ["RSA_2048", "RSA_2048", "ENCRYPT_DECRYPT"],
    ["RSA_3072", "RSA_3072", "SIGN_VERIFY"],
    ["RSA_4096", "RSA_4096", "ENCRYPT_DECRYPT"],
    ["EC_P256", "ECC_NIST_P256", "SIGN_VERIFY"],
    ["EC_P384", "ECC_NIST_P384", "SIGN_VERIFY"],
];

test.each(AWS)("AWS %s (%s, %s)", async (algorithm, KeySpec, KeyUsage) => {
    const kms = createAwsKmsClient("us-west-2");
    const arn = (await kms.send(new awsSdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: KeySpec as any, KeyUsage: KeyUsage as any }))).KeyMetadata!.Arn!;
    const m = material(algorithm);
    const r = await awsImportedKeyMaterial.create({ providerVersion: "1", keyId: arn, region: "us-west-2", algorithm, material: { env: envFor(m) } });
    expect(r.outs).toMatchObject({ keyState: "Enabled", fingerprint: fingerprint(m.material, m.privateKey) });
    const msg = Buffer.from(`aws ${algorithm}`);
    if (algorithm === "AES_256") {
        const ct = await kms.send(new awsSdk.EncryptCommand({ KeyId: arn, Plaintext: msg }));
        expect(Buffer.from((await kms.send(new awsSdk.DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }))).Plaintext!)).toEqual(msg);
    } else if (algorithm === "HMAC_256") {
        const mac = await kms.send(new awsSdk.GenerateMacCommand({ KeyId: arn, Message: msg, MacAlgorithm: "HMAC_SHA_256" }));
        expect(Buffer.from(mac.Mac!)).toEqual(crypto.createHmac("sha256", m.material).update(msg).digest());
    } else if (KeyUsage === "ENCRYPT_DECRYPT") {
        const pt = await kms.send(new awsSdk.DecryptCommand({ KeyId: arn, CiphertextBlob: oaep256(m.privateKey!, msg), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }));
        expect(Buffer.from(pt.Plaintext!)).toEqual(msg);
    } else {
        const alg = algorithm.startsWith("RSA") ? "RSASSA_PSS_SHA_256" : algorithm === "EC_P256" ? "ECDSA_SHA_256" : "ECDSA_SHA_384";
        const sig = await kms.send(new awsSdk.SignCommand({ KeyId: arn, Message: msg, SigningAlgorithm: alg }));
        const hash = alg.endsWith("384") ? "sha384" : "sha256";
        const key = algorithm.startsWith("RSA") ? { key: crypto.createPublicKey(m.privateKey!), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : crypto.createPublicKey(m.privateKey!);
        expect(crypto.verify(hash, msg, key, Buffer.from(sig.Signature!))).toBe(true);
    }
    kms.destroy();
});

const GCP: [Algorithm, string, string][] = [
    ["AES_256", "ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION"],
    ["HMAC_256", "MAC", "HMAC_SHA256"],
    ["RSA_2048", "ASYMMETRIC_DECRYPT", "RSA_DECRYPT_OAEP_2048_SHA256"],
    ["RSA_3072", "ASYMMETRIC_SIGN", "RSA_SIGN_PSS_3072_SHA256"],
    ["RSA_4096", "ASYMMETRIC_SIGN", "RSA_SIGN_PSS_4096_SHA256"],
    ["EC_P256", "ASYMMETRIC_SIGN", "EC_SIGN_P256_SHA256"],
    ["EC_P384", "ASYMMETRIC_SIGN", "EC_SIGN_P384_SHA384"],
];

describe("GCP", () => {
    const ring = "projects/kf-matrix/locations/europe-west4/keyRings/m";
    beforeAll(async () => {
        const kms = createGcpKmsClient();
        await kms.createKeyRing({ parent: "projects/kf-matrix/locations/europe-west4", keyRingId: "m" });
        await kms.close();
    });

    test.each(GCP)("%s (%s, %s)", async (algorithm, purpose, gcpAlgorithm) => {
        const kms = createGcpKmsClient();
        const [key] = await kms.createCryptoKey({
            parent: ring,
            cryptoKeyId: algorithm.toLowerCase().replace("_", "-"),
            cryptoKey: { purpose: purpose as any, versionTemplate: { algorithm: gcpAlgorithm as any, protectionLevel: "HSM" }, importOnly: true },
            skipInitialVersionCreation: true,
        });
        const m = material(algorithm);
        const r = await gcpImportedKeyVersion.create({ providerVersion: "1", cryptoKey: key.name!, algorithm, material: { env: envFor(m) } });
        expect(r.outs).toMatchObject({ state: "ENABLED", protectionLevel: "HSM", fingerprint: fingerprint(m.material, m.privateKey) });
        const version = r.outs.version as string;
        const msg = Buffer.from(`gcp ${algorithm}`);
        if (purpose === "ENCRYPT_DECRYPT") {
            const [enc] = await kms.encrypt({ name: key.name, plaintext: msg });
            const [dec] = await kms.decrypt({ name: key.name, ciphertext: enc.ciphertext });
            expect(Buffer.from(dec.plaintext as Uint8Array)).toEqual(msg);
        } else if (purpose === "MAC") {
            const [mac] = await kms.macSign({ name: version, data: msg });
            expect(Buffer.from(mac.mac as Uint8Array)).toEqual(crypto.createHmac("sha256", m.material).update(msg).digest());
        } else if (purpose === "ASYMMETRIC_DECRYPT") {
            const [dec] = await kms.asymmetricDecrypt({ name: version, ciphertext: oaep256(m.privateKey!, msg) });
            expect(Buffer.from(dec.plaintext as Uint8Array)).toEqual(msg);
        } else {
            const hash = gcpAlgorithm.endsWith("384") ? "sha384" : "sha256";
            const digest = crypto.createHash(hash).update(msg).digest();
            const [sig] = await kms.asymmetricSign({ name: version, digest: { [hash]: digest } });
            const key2 = algorithm.startsWith("RSA") ? { key: crypto.createPublicKey(m.privateKey!), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : crypto.createPublicKey(m.privateKey!);
            expect(crypto.verify(hash, msg, key2, Buffer.from(sig.signature as Uint8Array))).toBe(true);
        }
        await kms.close();
    });
});

const AZURE: [Algorithm, "encrypt" | "sign", "hsm" | "software", string][] = [
    ["RSA_2048", "encrypt", "hsm", "https://matrix.vault.azure.net"],
    ["RSA_3072", "sign", "software", "https://matrix.vault.azure.net"],
    ["RSA_4096", "encrypt", "hsm", "https://matrix.vault.azure.net"],
    ["EC_P256", "sign", "hsm", "https://matrix.vault.azure.net"],
    ["EC_P384", "sign", "software", "https://matrix.vault.azure.net"],
    ["AES_256", "encrypt", "hsm", "https://matrix-hsm.managedhsm.azure.net"],
];

test.each(AZURE)("Azure %s (%s, %s)", async (algorithm, purpose, protection, vaultUrl) => {
    const m = material(algorithm);
    const keyName = `m-${algorithm.toLowerCase().replace("_", "-")}`;
    const r = await azureImportedKey.create({ providerVersion: "1", vaultUrl, keyName, purpose, algorithm, protection, kekName: "matrix-kek", kekSize: 2048, material: { env: envFor(m) } });
    expect(r.outs).toMatchObject({ enabled: true, fingerprint: fingerprint(m.material, m.privateKey) });
    const crypt = createAzureKeyClient(vaultUrl).getCryptographyClient(keyName);
    const msg = Buffer.from(`azure ${algorithm}`);
    if (algorithm === "AES_256") {
        const dek = crypto.randomBytes(32);
        const wrapped = await crypt.wrapKey("A256KW", dek);
        const c = crypto.createDecipheriv("id-aes256-wrap", m.material, Buffer.from("a6a6a6a6a6a6a6a6", "hex"));
        expect(Buffer.concat([c.update(Buffer.from(wrapped.result)), c.final()])).toEqual(dek);
    } else if (purpose === "encrypt") {
        const pt = await crypt.decrypt({ algorithm: "RSA-OAEP-256", ciphertext: oaep256(m.privateKey!, msg) });
        expect(Buffer.from(pt.result)).toEqual(msg);
    } else {
        const alg = algorithm.startsWith("RSA") ? "PS256" : algorithm === "EC_P256" ? "ES256" : "ES384";
        const hash = alg.endsWith("384") ? "sha384" : "sha256";
        const sig = await crypt.sign(alg, crypto.createHash(hash).update(msg).digest());
        const key = algorithm.startsWith("RSA")
            ? { key: crypto.createPublicKey(m.privateKey!), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
            : { key: crypto.createPublicKey(m.privateKey!), dsaEncoding: "ieee-p1363" as const };
        expect(crypto.verify(hash, msg, key, Buffer.from(sig.result))).toBe(true);
    }
});
