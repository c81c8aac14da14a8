/**
 * Issue #16's "Done when", end to end: a `KeyHierarchy` with AWS, GCP and Azure and one `byok` key whose material is
 * `{pkcs11: <URI>}` (1) previews offline (no token, no emulators, no PIN: its BYOK resources hold the descriptor
 * only); (2) each import the preview registered is driven through `@pulumi/pulumi/cmd/dynamic-provider` (Check +
 * Create) with the inputs the hierarchy produced, only its unknown target (AWS key, Cloud KMS key, vault URL)
 * replaced by a key or vault made in the emulators from the preview's own container resources; (3) all three clouds
 * then hold the token's key: each cloud's public key is the token's, each cloud signs and the token's public key
 * verifies, and every fingerprint is the SHA-256 of the token's public key; (4) the PIN and every encoding of the
 * private key (known to the test only because it put the key in the token) appear nowhere in the preview, the hosts'
 * transcripts and output, or the state; the token key is CKA_SENSITIVE and its CKA_VALUE is refused.
 * Needs lib/ (npm test builds it).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { KeyHierarchy } from "../sdk/hierarchy";
import { createAwsKmsClient, createAzureArmClient, createAzureKeyClient, createGcpKmsClient } from "../sdk/clients";
import { EmulatorSet, startEmulators } from "../sdk/emulators";
import { byName, byType, MockRun, runUnderMocks } from "../sdk/preview/harness";
import { validSpec } from "./fixtures/specs";
import { findLeaks, ProviderHost } from "./support/providerHost";
import { derToRaw, describeWithSoftHsm, knownMaterial, KnownKey, makeToken, putKey, TestToken, tokenVerify } from "./support/softhsm";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const awsSdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
const TYPE = (t: string) => `pulumi-nodejs:dynamic/keyfabric:${t}`;
const PIN = "kf-e2e-pin-40417";
const PIN_ENV = "KF_E2E_HSM_PIN";
const TOKEN = "kf-e2e";
const LABEL = "receipts-signer";
const URI = `pkcs11:token=${TOKEN};object=${LABEL};type=private?pin-source=env:${PIN_ENV}`;
const SUBSCRIPTION = "00000000-0000-4000-8000-000000000000";
/** The DER prefix of a P-256 SubjectPublicKeyInfo (id-ecPublicKey, prime256v1, BIT STRING of 66 bytes). */
const P256_SPKI_PREFIX = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");
const isUnknown = (v: unknown) => pulumi.isUnknown(v);
/** Matches the preview's unknown (`pulumi.unknown`): a value only the deploy knows. */
const UNKNOWN = { asymmetricMatch: isUnknown, toAsymmetricMatcher: () => "pulumi.unknown" };

/** The hierarchy: the fixture's three clouds, one domain, one EC P-256 signing key brought from the token. */
function spec() {
    const s: any = validSpec();
    delete s.domains[0].regions;
    s.domains[0].keys = [{ name: "signer", purpose: "sign", algorithm: "EC_P256", origin: "byok", protection: "hsm", material: { pkcs11: URI } }];
    return s;
}

/** The registered inputs with their only unknown (the import's target, if any) replaced; nothing else touched. */
function withTarget(inputs: Record<string, any>, target?: string, value?: string): Record<string, any> {
    const unknowns = Object.keys(inputs).filter((k) => isUnknown(inputs[k]));
    expect(unknowns).toEqual(target ? [target] : []);
    const out: Record<string, any> = target ? { ...inputs, [target]: value } : { ...inputs };
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    return out;
}

/** The token's public key as SPKI DER, read from its public object (CKA_EC_POINT, a DER OCTET STRING). */
function tokenPublicSpki(token: TestToken): Buffer {
    return token.withSession((lib, s, p) => {
        lib.C_FindObjectsInit(s, [{ type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY }, { type: p.CKA_LABEL, value: LABEL }]);
        const [h] = lib.C_FindObjects(s, 1);
        lib.C_FindObjectsFinal(s);
        const point = Buffer.from(lib.C_GetAttributeValue(s, h, [{ type: p.CKA_EC_POINT }])[0].value);
        expect([point[0], point[1], point[2]]).toEqual([0x04, 65, 0x04]);
        return Buffer.concat([P256_SPKI_PREFIX, point.subarray(2)]);
    });
}

describeWithSoftHsm("a hierarchy's byok key from a PKCS#11 token: offline preview, then the same HSM key in all three emulators", () => {
    let preview: MockRun;
    let previewText: string;
    let token: TestToken;
    let key: KnownKey;
    let emu: EmulatorSet;
    const hosts: ProviderHost[] = [];
    const state: Record<string, unknown> = {};

    beforeAll(async () => {
        if (!fs.existsSync(path.join(__dirname, "..", "lib", "byok", "pkcs11", "index.js"))) throw new Error("lib/ is missing or stale: npm run build");
        delete process.env[PIN_ENV];
        // The preview runs before any token or emulator exists: offline by construction.
        preview = await runUnderMocks(() => new KeyHierarchy("kf", spec()), { mode: "preview" });
        previewText = JSON.stringify(preview.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, props: r.props })));
        token = makeToken(TOKEN, PIN);
        key = knownMaterial("EC_P256");
        putKey(token, LABEL, key);
        emu = await startEmulators({ reuseWrappingKeys: true });
    }, 60_000);
    afterAll(async () => {
        await Promise.all(hosts.map((h) => h.stop()));
        await emu?.stop();
        token?.remove();
    });

    async function host(type: string): Promise<ProviderHost> {
        const h = await ProviderHost.start(TYPE(type), { ...emu.env(), METADATA_SERVER_DETECTION: "none", SOFTHSM2_CONF: token.conf, [PIN_ENV]: PIN });
        hosts.push(h);
        await h.configure();
        return h;
    }
    /** Check then Create through the host, as `pulumi up` does; returns the checked inputs and the state. */
    async function up(type: string, name: string, news: Record<string, any>) {
        const h = await host(type);
        const checked = await h.check(name, {}, news);
        expect(checked.failures).toEqual([]);
        const created = await h.create(name, checked.inputs);
        state[name] = { checked: checked.inputs, created };
        return { checked: checked.inputs, created };
    }

    test("(1) the offline preview registers one import per cloud, each holding the descriptor only", () => {
        expect(preview.warnings!.map((w) => w.message)).toContain(
            `Key hierarchy "acme": domains[0].keys[0].material.pkcs11: pin-source env:${PIN_ENV}: the environment variable is not set here: the import at deploy time would fail unless it is set there (got: "${PIN_ENV}")`,
        );
        const dynamic = preview.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
        expect(dynamic.map((r) => [r.type, r.name]).sort()).toEqual([
            [TYPE("AwsImportedKeyMaterial"), "kf-payments-signer-aws-material"],
            [TYPE("AzureImportedKey"), "kf-payments-signer-azure-key"],
            [TYPE("GcpImportedKeyVersion"), "kf-payments-signer-gcp-material"],
            [TYPE("MaterialFingerprint"), "kf-payments-signer-aws-fingerprint"],
        ]);
        const material = { pkcs11: URI };
        expect(byName(preview, "kf-payments-signer-aws-material").inputs).toEqual({ __provider: expect.any(String), providerVersion: "1.0.0", algorithm: "EC_P256", region: "eu-west-1", keyId: UNKNOWN, material });
        expect(byName(preview, "kf-payments-signer-gcp-material").inputs).toEqual({ __provider: expect.any(String), providerVersion: "1.0.0", algorithm: "EC_P256", cryptoKey: UNKNOWN, material });
        expect(byName(preview, "kf-payments-signer-azure-key").inputs).toEqual({
            __provider: expect.any(String),
            providerVersion: "1.0.0",
            algorithm: "EC_P256",
            purpose: "sign",
            protection: "hsm",
            keyName: "payments-signer",
            vaultUrl: UNKNOWN,
            material,
            tags: { "cost-center": "sec-001", "keyfabric:classification": "restricted", "keyfabric:domain": "payments", "keyfabric:hierarchy": "acme", "keyfabric:key": "signer", "keyfabric:owner": "platform-security" },
        });
        expect(byName(preview, "kf-payments-signer-aws-fingerprint").inputs).toEqual({ __provider: expect.any(String), providerVersion: "1.0.0", algorithm: "EC_P256", material });
        // The containers the imports go into: an EXTERNAL key, an import-only HSM key, a Premium vault; no Key Vault key resource.
        expect(byName(preview, "kf-payments-signer-aws-key")).toMatchObject({ type: "aws:kms/externalKey:ExternalKey", inputs: { keySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" } });
        expect(byName(preview, "kf-payments-signer-gcp-key").inputs).toMatchObject({ importOnly: true, skipInitialVersionCreation: true, purpose: "ASYMMETRIC_SIGN", versionTemplate: { algorithm: "EC_SIGN_P256_SHA256", protectionLevel: "HSM" } });
        expect(byName(preview, "kf-payments-vault-westeurope").inputs.properties.sku).toEqual({ family: "A", name: "premium" });
        expect(byType(preview, "azure-native:keyvault:Key")).toEqual([]);
        // Nothing of the key, nor the PIN, in what the preview registered (the material was not read: there was no token).
        expect(findLeaks(key.material, { preview: previewText })).toEqual([]);
        expect(previewText).not.toContain(PIN);
    });

    test("(2)-(4) Check + Create of each import through the host; all three clouds hold the token's key; nothing leaks", async () => {
        const digest = (m: Buffer) => crypto.createHash("sha256").update(m).digest();
        const spki = tokenPublicSpki(token);
        const expected = `sha256-spki:${crypto.createHash("sha256").update(spki).digest("hex")}`;
        const msg = Buffer.from("one key in the HSM, one import per cloud");
        /** Each cloud's signature of `msg` (raw r||s) and public key (SPKI DER). */
        const proofs: Record<string, { signature: Buffer; publicKey: Buffer }> = {};

        // AWS: an EXTERNAL key as the preview's ExternalKey declares it.
        const aws = createAwsKmsClient("eu-west-1", { env: emu.env() });
        try {
            const ek = byName(preview, "kf-payments-signer-aws-key").inputs;
            const keyArn = (await aws.send(new awsSdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: ek.keySpec, KeyUsage: ek.keyUsage, Description: ek.description }))).KeyMetadata!.Arn!;
            const { checked, created } = await up("AwsImportedKeyMaterial", "kf-payments-signer-aws-material", withTarget(byName(preview, "kf-payments-signer-aws-material").inputs, "keyId", keyArn));
            expect(checked).toMatchObject({ keyId: keyArn, material: { pkcs11: URI }, fingerprint: expected, wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_1" });
            expect(created.properties).toMatchObject({ keyArn, keyState: "Enabled", fingerprint: expected });
            const sig = await aws.send(new awsSdk.SignCommand({ KeyId: keyArn, Message: digest(msg), MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256" }));
            const pub = await aws.send(new awsSdk.GetPublicKeyCommand({ KeyId: keyArn }));
            proofs.aws = { signature: derToRaw(Buffer.from(sig.Signature!), 32), publicKey: Buffer.from(pub.PublicKey!) };
        } finally {
            aws.destroy();
        }
        // The AWS key's replacement trigger: the same fingerprint.
        const fp = await up("MaterialFingerprint", "kf-payments-signer-aws-fingerprint", withTarget(byName(preview, "kf-payments-signer-aws-fingerprint").inputs));
        expect([fp.checked.fingerprint, fp.created.properties.fingerprint]).toEqual([expected, expected]);

        // GCP: the preview's key ring and import-only key, at the name the hierarchy gives them.
        const gcp = createGcpKmsClient({ env: emu.env() });
        try {
            const ring = byName(preview, "kf-payments-ring-europe-west1").inputs;
            const ck = byName(preview, "kf-payments-signer-gcp-key").inputs;
            const parent = `projects/${ring.project}/locations/${ring.location}`;
            await gcp.createKeyRing({ parent, keyRingId: ring.name });
            const [made] = await gcp.createCryptoKey({
                parent: `${parent}/keyRings/${ring.name}`,
                cryptoKeyId: ck.name,
                cryptoKey: { purpose: ck.purpose, versionTemplate: ck.versionTemplate, importOnly: ck.importOnly, labels: ck.labels },
                skipInitialVersionCreation: ck.skipInitialVersionCreation,
            });
            expect(made.name).toBe("projects/acme-dev/locations/europe-west1/keyRings/acme-payments/cryptoKeys/signer");
            const { checked, created } = await up("GcpImportedKeyVersion", "kf-payments-signer-gcp-material", withTarget(byName(preview, "kf-payments-signer-gcp-material").inputs, "cryptoKey", made.name!));
            expect(checked).toMatchObject({ cryptoKey: made.name, material: { pkcs11: URI }, fingerprint: expected, importMethod: "RSA_OAEP_4096_SHA1_AES_256" });
            expect(created.properties).toMatchObject({ state: "ENABLED", protectionLevel: "HSM", fingerprint: expected });
            const version = created.properties.version as string;
            const [sig] = await gcp.asymmetricSign({ name: version, digest: { sha256: digest(msg) } });
            const [pub] = await gcp.getPublicKey({ name: version });
            proofs.gcp = { signature: derToRaw(Buffer.from(sig.signature as Uint8Array), 32), publicKey: crypto.createPublicKey(pub.pem!).export({ type: "spki", format: "der" }) };
        } finally {
            await gcp.close();
        }

        // Azure: the preview's vault (Premium, through ARM), at the URL the factory routes the import to.
        const v = byName(preview, "kf-payments-vault-westeurope").inputs;
        await createAzureArmClient(SUBSCRIPTION, { env: emu.env() }).vaults.beginCreateOrUpdateAndWait(v.resourceGroupName, v.vaultName, { location: v.location, properties: v.properties, tags: v.tags });
        const vaultUrl = `https://${v.vaultName}.vault.azure.net`;
        const az = await up("AzureImportedKey", "kf-payments-signer-azure-key", withTarget(byName(preview, "kf-payments-signer-azure-key").inputs, "vaultUrl", vaultUrl));
        expect(az.checked).toMatchObject({ vaultUrl, keyName: "payments-signer", protection: "hsm", material: { pkcs11: URI }, fingerprint: expected });
        expect(az.created.properties).toMatchObject({ enabled: true, fingerprint: expected });
        const kv = createAzureKeyClient(vaultUrl, { env: emu.env() });
        const jwk = (await kv.getKey("payments-signer")).key!;
        expect([jwk.kty, jwk.crv]).toEqual(["EC-HSM", "P-256"]);
        const azSig = await kv.getCryptographyClient("payments-signer").sign("ES256", digest(msg));
        proofs.azure = {
            signature: Buffer.from(azSig.result),
            publicKey: crypto.createPublicKey({ key: { kty: "EC", crv: "P-256", x: Buffer.from(jwk.x!).toString("base64url"), y: Buffer.from(jwk.y!).toString("base64url") }, format: "jwk" }).export({ type: "spki", format: "der" }),
        };

        // (3) The same token key in all three: public keys equal the token's; the token's public key verifies each cloud's signature.
        expect(Object.keys(proofs).sort()).toEqual(["aws", "azure", "gcp"]);
        const tampered = Buffer.from(digest(msg));
        tampered[0] ^= 1;
        for (const [cloud, p] of Object.entries(proofs)) {
            expect([cloud, p.publicKey.toString("hex")]).toEqual([cloud, spki.toString("hex")]);
            expect([cloud, tokenVerify(token, LABEL, "ecdsa", digest(msg), p.signature)]).toEqual([cloud, true]);
            expect(() => tokenVerify(token, LABEL, "ecdsa", tampered, p.signature)).toThrow(/^CKR_SIGNATURE_INVALID$/);
        }
        // ... and it is the key the test put there (so the leak scan below looks for the right bytes).
        expect(crypto.createPublicKey(key.privateKey!).export({ type: "spki", format: "der" }).toString("hex")).toBe(spki.toString("hex"));

        // (4) No plaintext, no PIN: in the hosts' transcripts and output, in the state and outputs, in the preview.
        const d = Buffer.from(key.privateKey!.export({ format: "jwk" }).d!, "base64url");
        const haystacks: Record<string, string> = { preview: previewText, state: JSON.stringify(state) };
        for (const h of hosts) Object.assign(haystacks, { [`${h.type} transcript`]: h.transcript.join("\n"), [`${h.type} output`]: h.output });
        expect(Object.keys(haystacks)).toHaveLength(2 + 2 * 4);
        expect(findLeaks(key.material, haystacks)).toEqual([]);
        expect(findLeaks(d, haystacks)).toEqual([]);
        expect(Object.entries(haystacks).filter(([, text]) => text.includes(PIN)).map(([where]) => where)).toEqual([]);
        // The token key stays sensitive (and extractable only wrapped): its value cannot be read out of the token.
        token.withSession((lib, s, p) => {
            lib.C_FindObjectsInit(s, [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }, { type: p.CKA_LABEL, value: LABEL }]);
            const found = lib.C_FindObjects(s, 2);
            lib.C_FindObjectsFinal(s);
            expect(found).toHaveLength(1);
            expect(lib.C_GetAttributeValue(s, found[0], [{ type: p.CKA_SENSITIVE }, { type: p.CKA_EXTRACTABLE }]).map((a: any) => a.value[0])).toEqual([1, 1]);
            expect(() => lib.C_GetAttributeValue(s, found[0], [{ type: p.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
        });
    }, 120_000);
});
