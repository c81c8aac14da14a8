/**
 * The AWS KMS emulator's newer operations and behaviours, through an unmodified `@aws-sdk/client-kms` KMSClient:
 * grants, ReEncrypt, GenerateDataKeyPair, ListKeyPolicies, ReplicateKey/UpdatePrimaryRegion, the policy lockout
 * safety check, the aws-cn and aws-us-gov partitions, asynchronous states ("service" and "instant"), and their
 * persistence in `snapshot()`.
 */
import * as crypto from "crypto";
import {
    CreateGrantCommand,
    CreateKeyCommand,
    DecryptCommand,
    DescribeKeyCommand,
    EncryptCommand,
    GenerateDataKeyPairCommand,
    GetKeyPolicyCommand,
    GetKeyRotationStatusCommand,
    KMSClient,
    ListGrantsCommand,
    ListKeyPoliciesCommand,
    ListKeyRotationsCommand,
    ListRetirableGrantsCommand,
    ReEncryptCommand,
    ReplicateKeyCommand,
    RetireGrantCommand,
    RevokeGrantCommand,
    RotateKeyOnDemandCommand,
    UpdatePrimaryRegionCommand,
    type CreateKeyCommandInput,
    type KeyMetadata,
} from "@aws-sdk/client-kms";
import { startAwsKmsEmulator, type AwsKmsEmulator } from "../../sdk/emulators/aws";
import { ON_DEMAND_ROTATION_MS, REPLICA_CREATION_MS } from "../../sdk/emulators/aws/model";
import { ManualClock } from "../../sdk/emulators/common";
import { failure } from "./aws-replay";

const ACCOUNT = "111122223333";
const clock = new ManualClock(Date.UTC(2031, 0, 1));
let emu: AwsKmsEmulator;
const clients: KMSClient[] = [];

function kms(region = "us-east-1", endpoint = emu.endpoint): KMSClient {
    const c = new KMSClient({ endpoint, region, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }, maxAttempts: 1 });
    clients.push(c);
    return c;
}

beforeAll(async () => {
    emu = await startAwsKmsEmulator({ clock });
});
afterAll(async () => {
    for (const c of clients) c.destroy();
    await emu.stop();
});


async function createKey(input: CreateKeyCommandInput = {}, c = kms()): Promise<KeyMetadata> {
    return (await c.send(new CreateKeyCommand(input))).KeyMetadata!;
}

const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;

describe("grants", () => {
    test("CreateGrant, ListGrants (filters, paging), RetireGrant by token and by key and id, RevokeGrant, ListRetirableGrants", async () => {
        const c = kms();
        const k = await createKey({}, c);
        const g1 = await c.send(new CreateGrantCommand({ KeyId: k.Arn, GranteePrincipal: ROLE, RetiringPrincipal: `arn:aws:iam::${ACCOUNT}:role/ops`, Operations: ["Encrypt", "Decrypt"], Name: "app" }));
        // The same Name and parameters again: the same grant, a new token.
        const again = await c.send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, RetiringPrincipal: `arn:aws:iam::${ACCOUNT}:role/ops`, Operations: ["Decrypt", "Encrypt"], Name: "app" }));
        expect(again.GrantId).toBe(g1.GrantId);
        expect(again.GrantToken).not.toBe(g1.GrantToken);
        const g2 = await c.send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/batch`, Operations: ["GenerateDataKey"], Constraints: { EncryptionContextSubset: { app: "batch" } } }));
        const all = (await c.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants!;
        expect(all.map((g) => [g.GrantId, g.Name, g.GranteePrincipal, g.Operations, g.Constraints])).toEqual([
            [g1.GrantId, "app", ROLE, ["Encrypt", "Decrypt"], undefined],
            [g2.GrantId, undefined, `arn:aws:iam::${ACCOUNT}:role/batch`, ["GenerateDataKey"], { EncryptionContextSubset: { app: "batch" } }],
        ]);
        expect((await c.send(new ListGrantsCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE }))).Grants!.map((g) => g.GrantId)).toEqual([g1.GrantId]);
        const page = await c.send(new ListGrantsCommand({ KeyId: k.KeyId, Limit: 1 }));
        expect([page.Grants!.length, page.Truncated]).toEqual([1, true]);
        expect((await c.send(new ListGrantsCommand({ KeyId: k.KeyId, Marker: page.NextMarker }))).Grants!.map((g) => g.GrantId)).toEqual([g2.GrantId]);
        expect((await c.send(new ListRetirableGrantsCommand({ RetiringPrincipal: `arn:aws:iam::${ACCOUNT}:role/ops` }))).Grants!.map((g) => g.GrantId)).toEqual([g1.GrantId]);
        // Any token of a grant retires it.
        await c.send(new RetireGrantCommand({ GrantToken: again.GrantToken }));
        expect(await failure(c.send(new RetireGrantCommand({ GrantToken: g1.GrantToken })))).toEqual({ name: "InvalidGrantTokenException", status: 400, message: "The grant token is not valid." });
        await c.send(new RetireGrantCommand({ KeyId: k.Arn, GrantId: g2.GrantId }));
        expect((await c.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants).toEqual([]);
        const g3 = await c.send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ["Decrypt"] }));
        await c.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: g3.GrantId }));
        expect(await failure(c.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: g3.GrantId })))).toEqual({ name: "NotFoundException", status: 400, message: `Grant ID ${g3.GrantId} not found for ${k.Arn}.` });
        expect(emu.inspect().find((x) => x.keyId === k.KeyId)?.grants).toEqual([]);
    });

    test("errors: operations not valid for the key, malformed grant ids and tokens, disabled and missing keys, DryRun", async () => {
        const c = kms();
        const signing = await createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }, c);
        expect(await failure(c.send(new CreateGrantCommand({ KeyId: signing.KeyId, GranteePrincipal: ROLE, Operations: ["Encrypt", "Sign"] })))).toEqual({
            name: "ValidationException",
            status: 400,
            message: `Grant operations Encrypt are not valid for ${signing.Arn} (ECC_NIST_P256, SIGN_VERIFY).`,
        });
        expect((await failure(c.send(new CreateGrantCommand({ KeyId: signing.KeyId, GranteePrincipal: ROLE, Operations: ["Fly" as never] })))).name).toBe("ValidationException");
        expect((await failure(c.send(new RevokeGrantCommand({ KeyId: signing.KeyId, GrantId: "nope" })))).name).toBe("InvalidGrantIdException");
        expect((await failure(c.send(new RetireGrantCommand({ GrantToken: "bm90IGEgdG9rZW4" })))).name).toBe("InvalidGrantTokenException");
        expect((await failure(c.send(new RetireGrantCommand({ KeyId: signing.KeyId })))).name).toBe("ValidationException");
        const k = await createKey({}, c);
        expect(await failure(c.send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ["Decrypt"], DryRun: true })))).toEqual({
            name: "DryRunOperationException",
            status: 400,
            message: "The request would have succeeded, but the DryRun option is set.",
        });
        expect((await c.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants).toEqual([]);
        expect((await failure(c.send(new CreateGrantCommand({ KeyId: "alias/none", GranteePrincipal: ROLE, Operations: ["Decrypt"] })))).name).toBe("NotFoundException");
    });
});

describe("ReEncrypt, GenerateDataKeyPair, ListKeyPolicies", () => {
    test("ReEncrypt moves a ciphertext to another key (and its context) without showing the plaintext; a wrong context is InvalidCiphertextException", async () => {
        const c = kms();
        const [a, b] = [await createKey({}, c), await createKey({}, c)];
        const ct = (await c.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from("secret"), EncryptionContext: { t: "1" } }))).CiphertextBlob;
        const r = await c.send(new ReEncryptCommand({ CiphertextBlob: ct, SourceEncryptionContext: { t: "1" }, DestinationKeyId: b.KeyId, DestinationEncryptionContext: { t: "2" } }));
        expect([r.SourceKeyId, r.KeyId, r.SourceKeyMaterialId, r.DestinationKeyMaterialId, "Plaintext" in r]).toEqual([a.Arn, b.Arn, a.CurrentKeyMaterialId, b.CurrentKeyMaterialId, false]);
        expect(Buffer.from((await c.send(new DecryptCommand({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: { t: "2" } }))).Plaintext!).toString()).toBe("secret");
        expect(await failure(c.send(new ReEncryptCommand({ CiphertextBlob: ct, DestinationKeyId: b.KeyId })))).toEqual({ name: "InvalidCiphertextException", status: 400, message: "UnknownError" });
    });

    test.each([["ECC_NIST_P256", "ec", "prime256v1"], ["ECC_SECG_P256K1", "ec", "secp256k1"], ["RSA_3072", "rsa", 3072]] as const)("GenerateDataKeyPair %s: a real pair, the private key encrypted under the KMS key", async (spec, type, detail) => {
        const c = kms();
        const k = await createKey({}, c);
        const r = await c.send(new GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: spec }));
        const priv = crypto.createPrivateKey({ key: Buffer.from(r.PrivateKeyPlaintext!), format: "der", type: "pkcs8" });
        expect(priv.asymmetricKeyType).toBe(type);
        expect(type === "ec" ? priv.asymmetricKeyDetails?.namedCurve : priv.asymmetricKeyDetails?.modulusLength).toBe(detail);
        expect(Buffer.from(r.PublicKey!)).toEqual(crypto.createPublicKey(priv).export({ type: "spki", format: "der" }));
        expect(Buffer.from((await c.send(new DecryptCommand({ CiphertextBlob: r.PrivateKeyCiphertextBlob }))).Plaintext!)).toEqual(Buffer.from(r.PrivateKeyPlaintext!));
        expect([r.KeyId, r.KeyPairSpec, r.KeyMaterialId]).toEqual([k.Arn, spec, k.CurrentKeyMaterialId]);
    });

    test("GenerateDataKeyPair refuses asymmetric KMS keys and SM2 outside China", async () => {
        const c = kms();
        const rsa = await createKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" }, c);
        expect(await failure(c.send(new GenerateDataKeyPairCommand({ KeyId: rsa.KeyId, KeyPairSpec: "RSA_2048" })))).toEqual({
            name: "InvalidKeyUsageException",
            status: 400,
            message: `${rsa.Arn} key spec RSA_2048 is not valid for GenerateDataKeyPair.`,
        });
        const k = await createKey({}, c);
        expect((await failure(c.send(new GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: "SM2" })))).name).toBe("UnsupportedOperationException");
    });

    test("ListKeyPolicies: the one policy name, default", async () => {
        const k = await createKey();
        const r = await kms().send(new ListKeyPoliciesCommand({ KeyId: k.KeyId }));
        expect([r.PolicyNames, r.Truncated]).toEqual([["default"], false]);
    });
});

describe("the policy lockout safety check", () => {
    const only = (principal: string, action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: principal }, Action: action, Resource: "*" }] });
    test("CreateKey: a policy that no principal of the account could change again is refused, unless BypassPolicyLockoutSafetyCheck", async () => {
        const c = kms();
        for (const policy of [only(ROLE, "kms:Decrypt"), only("arn:aws:iam::444455556666:root", "kms:*")]) {
            expect(await failure(createKey({ Policy: policy }, c))).toEqual({
                name: "MalformedPolicyDocumentException",
                status: 400,
                message: "The new key policy will not allow you to update the key policy in the future.",
            });
        }
        for (const policy of [only(ROLE, "kms:PutKeyPolicy"), only(`arn:aws:iam::${ACCOUNT}:root`, "kms:*"), only(ACCOUNT, "*")]) {
            expect((await createKey({ Policy: policy }, c)).KeyState).toBe("Enabled");
        }
        const bypassed = await createKey({ Policy: only(ROLE, "kms:Decrypt"), BypassPolicyLockoutSafetyCheck: true }, c);
        expect((await c.send(new GetKeyPolicyCommand({ KeyId: bypassed.KeyId }))).Policy).toBe(only(ROLE, "kms:Decrypt"));
    });
});

describe("partitions", () => {
    test.each([["cn-north-1", "aws-cn"], ["us-gov-west-1", "aws-us-gov"], ["eu-west-1", "aws"]])("%s: ARNs and the default policy in the %s partition", async (region, partition) => {
        const c = kms(region);
        const k = await createKey({}, c);
        expect(k.Arn).toBe(`arn:${partition}:kms:${region}:${ACCOUNT}:key/${k.KeyId}`);
        expect(JSON.parse((await c.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy!).Statement[0].Principal).toEqual({ AWS: `arn:${partition}:iam::${ACCOUNT}:root` });
        expect((await c.send(new DescribeKeyCommand({ KeyId: k.Arn }))).KeyMetadata!.KeyId).toBe(k.KeyId);
        // An ARN of another partition names no key here.
        const other = k.Arn!.replace(`arn:${partition}:`, partition === "aws" ? "arn:aws-cn:" : "arn:aws:");
        expect((await failure(c.send(new DescribeKeyCommand({ KeyId: other })))).name).toBe("NotFoundException");
    });
});

describe("multi-Region keys", () => {
    test("ReplicateKey: Creating for REPLICA_CREATION_MS, then Enabled with the primary's material; errors", async () => {
        const east = kms("us-east-1");
        const west = kms("us-west-2");
        const p = await createKey({ MultiRegion: true }, east);
        const r = await east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: "us-west-2", Description: "replica", Tags: [{ TagKey: "env", TagValue: "dr" }] }));
        expect([r.ReplicaKeyMetadata!.KeyState, r.ReplicaKeyMetadata!.Enabled, r.ReplicaTags]).toEqual(["Creating", false, [{ TagKey: "env", TagValue: "dr" }]]);
        expect((await failure(west.send(new EncryptCommand({ KeyId: p.KeyId, Plaintext: Buffer.from("x") })))).message).toBe(`${r.ReplicaKeyMetadata!.Arn} is creating.`);
        clock.advance(REPLICA_CREATION_MS);
        const replica = (await west.send(new DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!;
        expect([replica.KeyState, replica.CurrentKeyMaterialId, replica.Description]).toEqual(["Enabled", p.CurrentKeyMaterialId, "replica"]);
        expect(await failure(east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: "us-west-2" })))).toMatchObject({ name: "AlreadyExistsException", status: 400 });
        const single = await createKey({}, east);
        expect(await failure(east.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: "us-west-2" })))).toEqual({ name: "UnsupportedOperationException", status: 400, message: `${single.Arn} is not a multi-region primary key.` });
        expect((await failure(east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: "moon-1" })))).name).toBe("ValidationException");
        // A rotation of the primary rotates the replica too.
        await east.send(new RotateKeyOnDemandCommand({ KeyId: p.KeyId }));
        clock.advance(ON_DEMAND_ROTATION_MS);
        const [pm, rm] = [(await east.send(new DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!, (await west.send(new DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!];
        expect(pm.CurrentKeyMaterialId).not.toBe(p.CurrentKeyMaterialId);
        expect(rm.CurrentKeyMaterialId).toBe(pm.CurrentKeyMaterialId);
        expect((await failure(west.send(new RotateKeyOnDemandCommand({ KeyId: p.KeyId })))).message).toBe(`${rm.Arn} is not a multi-Region primary key.`);
    });

    test("UpdatePrimaryRegion swaps the roles; only a primary key with a replica in that Region can", async () => {
        const east = kms("us-east-1");
        const p = await createKey({ MultiRegion: true }, east);
        await east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: "eu-west-1" }));
        clock.advance(REPLICA_CREATION_MS);
        expect((await failure(east.send(new UpdatePrimaryRegionCommand({ KeyId: p.KeyId, PrimaryRegion: "ap-south-1" })))).message).toBe(`Key 'arn:aws:kms:ap-south-1:${ACCOUNT}:key/${p.KeyId}' does not exist`);
        await east.send(new UpdatePrimaryRegionCommand({ KeyId: p.KeyId, PrimaryRegion: "eu-west-1" }));
        const config = (await east.send(new DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!.MultiRegionConfiguration!;
        expect(config).toEqual({
            MultiRegionKeyType: "REPLICA",
            PrimaryKey: { Arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${p.KeyId}`, Region: "eu-west-1" },
            ReplicaKeys: [{ Arn: p.Arn, Region: "us-east-1" }],
        });
        expect((await failure(east.send(new UpdatePrimaryRegionCommand({ KeyId: p.KeyId, PrimaryRegion: "eu-west-1" })))).name).toBe("UnsupportedOperationException");
        const single = await createKey({}, east);
        expect(await failure(east.send(new UpdatePrimaryRegionCommand({ KeyId: single.KeyId, PrimaryRegion: "eu-west-1" })))).toEqual({ name: "UnsupportedOperationException", status: 400, message: `${single.Arn} is not a multi-region key.` });
    });
});

describe("asynchronous states", () => {
    test('"service": RotateKeyOnDemand answers at once, rotates ON_DEMAND_ROTATION_MS later; a second request meanwhile is ConflictException', async () => {
        const c = kms();
        const k = await createKey({}, c);
        const started = clock.now();
        await c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
        expect((await c.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).OnDemandRotationStartDate).toEqual(new Date(started));
        expect((await c.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).toBe(k.CurrentKeyMaterialId);
        expect((await c.send(new ListKeyRotationsCommand({ KeyId: k.KeyId }))).Rotations).toEqual([]);
        expect(await failure(c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })))).toEqual({ name: "ConflictException", status: 400, message: `An on-demand rotation of ${k.Arn} is in progress.` });
        clock.advance(ON_DEMAND_ROTATION_MS - 1);
        expect((await c.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).toBe(k.CurrentKeyMaterialId);
        clock.advance(1);
        const after = (await c.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
        expect(after).not.toBe(k.CurrentKeyMaterialId);
        expect((await c.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).OnDemandRotationStartDate).toBeUndefined();
        expect((await c.send(new ListKeyRotationsCommand({ KeyId: k.KeyId }))).Rotations!.map((r) => [r.KeyMaterialId, r.RotationType, r.RotationDate])).toEqual([[after, "ON_DEMAND", new Date(started + ON_DEMAND_ROTATION_MS)]]);
    });

    test('"instant": done when answered; a rotation in progress survives snapshot() and restore, and so do grants and replicas', async () => {
        const instant = await startAwsKmsEmulator({ clock, asyncStates: "instant" });
        try {
            const c = kms("us-east-1", instant.endpoint);
            const k = await createKey({}, c);
            await c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
            expect((await c.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).not.toBe(k.CurrentKeyMaterialId);
        } finally {
            await instant.stop();
        }
        const c = kms();
        const k = await createKey({ MultiRegion: true }, c);
        await c.send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: "eu-west-2" }));
        const grant = await c.send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ["Decrypt"] }));
        await c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
        const restored = await startAwsKmsEmulator({ clock, state: emu.snapshot() });
        try {
            const r = kms("us-east-1", restored.endpoint);
            expect((await r.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).OnDemandRotationStartDate).toEqual(new Date(clock.now()));
            expect((await r.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants!.map((g) => g.GrantId)).toEqual([grant.GrantId]);
            expect((await kms("eu-west-2", restored.endpoint).send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.KeyState).toBe("Creating");
            clock.advance(Math.max(ON_DEMAND_ROTATION_MS, REPLICA_CREATION_MS));
            expect((await r.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).not.toBe(k.CurrentKeyMaterialId);
            expect((await kms("eu-west-2", restored.endpoint).send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.KeyState).toBe("Enabled");
        } finally {
            await restored.stop();
        }
    });
});
