/**
 * The AWS KMS emulator against real AWS KMS answers: every validated recording of LocalStack's
 * tests/aws/services/kms/test_kms.py (`../shared/recordings/localstack-kms/`) whose operations the emulator serves,
 * its request sequence re-expressed with an unmodified `@aws-sdk/client-kms` KMSClient (built here, not by
 * keyfabric's factory), each answer asserted as recorded (`./aws-recorded.ts`). Test names cite the snapshot key.
 *
 * Recorded cases not replayed, and why:
 * | snapshot key (TestKMS:: unless noted) | why |
 * |---|---|
 * | test_sign_verify[ECC_NIST_P256-ECDSA_SHA_384], test_sign_verify[ECC_SECG_P256K1-ECDSA_SHA_512] | no validation entry: LocalStack's answer, not AWS's |
 * | test_derive_shared_secret, test_derive_shared_secret_matches_openssl | DeriveSharedSecret and KEY_AGREEMENT keys: not emulated (UnsupportedOperationException) |
 * | test_rotate_key_on_demand_raises_error_given_key_with_imported_key_material | recorded 2025-03-08, before AWS allowed on-demand rotation of imported material; the later recordings (2025-11, test_rotate_key_on_demand_updates_current_key_material_for_external_keys and others, replayed in aws-recordings-crypto.test.ts) supersede it |
 * | test_verify_salt_length[*] | no recorded content (assertions only): the PSS salt length is asserted in test/emulators/aws.test.ts |
 *
 * Every other recording is replayed: here (keys, aliases, multi-Region keys, tags), in aws-recordings-crypto.test.ts
 * (cryptographic operations, data keys, ReEncrypt, rotation, external rotation) and in aws-recordings-import.test.ts
 * (the test_import_key_* flows, their client-side material made with Node's crypto).
 *
 * Validated tests without recorded content (assertions only, in test_kms.validation.json but not the snapshot) whose
 * assertions are replayed at the end: test_create_grant_with_invalid_key, test_list_grants_with_invalid_key,
 * test_create_grant_with_valid_key, test_create_grant_with_same_name_two_keys, test_revoke_grant,
 * test_retire_grant_with_grant_token.
 */
import {
    CreateAliasCommand,
    CreateGrantCommand,
    DescribeKeyCommand,
    ListAliasesCommand,
    ListGrantsCommand,
    ListResourceTagsCommand,
    ReplicateKeyCommand,
    RetireGrantCommand,
    RevokeGrantCommand,
    TagResourceCommand,
    UntagResourceCommand,
} from "@aws-sdk/client-kms";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { oracle, RECORDED_ACCOUNT, recordedTests } from "./aws-recorded";
import { clock, createKey, env, failure, kms, out, passTime, REGION, SECONDARY, useEmulator } from "./aws-replay";

useEmulator();
describe("every validated recording is either replayed or listed as skipped", () => {
    const FILES = ["aws-recordings.test.ts", "aws-recordings-crypto.test.ts", "aws-recordings-import.test.ts"];
    // The code of each replay file, its header comment (where this table lives) left out.
    const code = FILES.map((f) => fs.readFileSync(path.join(__dirname, f), "utf8")).map((s) => s.slice(s.indexOf("\nimport ")));
    const header = fs.readFileSync(__filename, "utf8").split("*/")[0];
    const table = header.split("\n").filter((l) => /^ \* \| test_/.test(l)).flatMap((l) => l.split("|")[1].trim().split(", "));
    const base = (name: string) => name.replace(/^\w+::/, "").replace(/\[.*$/, "");
    const word = (s: string) => new RegExp(`(?<![\\w-])${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`);
    /** A replay of `name`: its base name in a file's code, and each of its parameters (LocalStack's ids, split on `-`) in that file. */
    const replayed = (name: string) => {
        const params = /\[(.*)\]$/.exec(name)?.[1].split("-") ?? [];
        return code.some((c) => word(base(name)).test(c) && params.every((p) => c.includes(p)));
    };
    const skipped = (name: string) => table.some((t) => t === name.replace(/^TestKMS::/, "") || (t.endsWith("[*]") && t.slice(0, -3) === base(name)));

    test("the recordings hold 114 tests: 101 replayed, 11 validated ones skipped (this file's table), 2 never validated", () => {
        const all = recordedTests();
        expect(all).toHaveLength(114);
        expect(all.filter((t) => !t.validated).map((t) => t.name)).toEqual(["TestKMS::test_sign_verify[ECC_NIST_P256-ECDSA_SHA_384]", "TestKMS::test_sign_verify[ECC_SECG_P256K1-ECDSA_SHA_512]"]);
        const validated = all.filter((t) => t.validated).map((t) => t.name);
        expect(validated.filter((n) => !skipped(n) && !replayed(n))).toEqual([]);
        expect(validated.filter((n) => skipped(n) && replayed(n))).toEqual([]);
        expect([validated.filter((n) => !skipped(n)).length, validated.filter(skipped).length]).toEqual([101, 11]);
        // The table names only recorded tests.
        expect(table.filter((t) => !all.some((a) => a.name.replace(/^TestKMS::/, "") === t || (t.endsWith("[*]") && base(a.name) === t.slice(0, -3))))).toEqual([]);
    });
});

describe("keys (recorded AWS answers)", () => {
    test("TestKMS::test_create_key", async () => {
        const o = oracle("TestKMS::test_create_key", env);
        const k = await createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT" });
        o.match("describe-key", (await kms().send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata);
    });

    test("TestKMS::test_hmac_create_key", async () => {
        const o = oracle("TestKMS::test_hmac_create_key", env);
        const k = await createKey({ Description: "test key", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
        o.match("create-hmac-key", k);
        o.match("describe-key", (await kms().send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata);
    });

    test("TestKMS::test_hmac_create_key_invalid_operations", async () => {
        const o = oracle("TestKMS::test_hmac_create_key_invalid_operations", env);
        o.match("create-hmac-key-without-key-usage", await failure(createKey({ Description: "test HMAC key without key usage", KeySpec: "HMAC_256" })));
        o.match("create-hmac-key-invalid-spec", await failure(createKey({ Description: "test invalid HMAC spec", KeySpec: "HMAC_random" as never })));
        o.match("create-hmac-key-invalid-key-usage", await failure(createKey({ Description: "test invalid HMAC spec", KeySpec: "HMAC_256", KeyUsage: "RANDOM" as never })));
    });

    test("TestKMS::test_get_key_in_different_region", async () => {
        const o = oracle("TestKMS::test_get_key_in_different_region", env);
        const k = await createKey({ Description: "test key 123" }, SECONDARY);
        o.match("describe-key-diff-region-with-id", await failure(kms().send(new DescribeKeyCommand({ KeyId: k.KeyId }))));
        o.match("describe-key-diff-region-with-arn", await failure(kms().send(new DescribeKeyCommand({ KeyId: k.Arn }))));
        // The recorded same-Region answers name <region>: the test's own Region is the secondary one there.
        const same = oracle("TestKMS::test_get_key_in_different_region", { region: SECONDARY, secondaryRegion: SECONDARY });
        same.match("describe-key-same-specific-region-with-id", out(await kms(SECONDARY).send(new DescribeKeyCommand({ KeyId: k.KeyId }))));
        same.match("describe-key-same-specific-region-with-arn", out(await kms(SECONDARY).send(new DescribeKeyCommand({ KeyId: k.Arn }))));
    });

    test("TestKMS::test_get_key_does_not_exist", async () => {
        const o = oracle("TestKMS::test_get_key_does_not_exist", env);
        const k = await createKey({ Description: "test key 123" });
        const fake = "134f2428-cec1-4b25-a1ae-9048164dba47";
        const fakeArn = k.Arn!.replace(k.KeyId!, fake);
        const mrk = "mrk-d3b95762d3b95762d3b95762d3b95762";
        o.match("describe-nonexistent-key-with-id", await failure(kms().send(new DescribeKeyCommand({ KeyId: fake }))));
        expect(o.bound("<key-arn>")).toBe(fakeArn);
        o.match("describe-nonexistent-with-arn", await failure(kms().send(new DescribeKeyCommand({ KeyId: fakeArn }))));
        o.match("describe-key-with-valid-id-mrk", await failure(kms().send(new DescribeKeyCommand({ KeyId: mrk }))));
        expect(o.bound("<mrk-key-arn>")).toBe(k.Arn!.replace(k.KeyId!, mrk));
    });

    test("TestKMS::test_get_key_invalid_uuid", async () => {
        const o = oracle("TestKMS::test_get_key_invalid_uuid", env);
        o.match("describe-key-with-invalid-uuid", await failure(kms().send(new DescribeKeyCommand({ KeyId: "fake-key-id" }))));
        o.match("describe-key-with-invalid-uuid-2", await failure(kms().send(new DescribeKeyCommand({ KeyId: "134f2428cec14b25a1ae9048164dba47" }))));
        o.match("describe-key-with-invalid-uuid-mrk", await failure(kms().send(new DescribeKeyCommand({ KeyId: "mrk-fake-key-id" }))));
    });

    test("TestKMS::test_create_multi_region_key", async () => {
        oracle("TestKMS::test_create_multi_region_key", env).match("create_multi_region_key", await createKey({ MultiRegion: true, Description: "test multi region key" }));
    });

    test("TestKMS::test_non_multi_region_keys_should_not_have_multi_region_properties", async () => {
        oracle("TestKMS::test_non_multi_region_keys_should_not_have_multi_region_properties", env).match(
            "non_multi_region_keys_should_not_have_multi_region_properties",
            await createKey({ MultiRegion: false, Description: "test non multi region key" }),
        );
    });

    test("TestKMS::test_describe_with_alias_arn", async () => {
        const o = oracle("TestKMS::test_describe_with_alias_arn", env);
        const k = await createKey({ Description: "test - description" });
        o.match("created-key", k);
        const name = `alias/${crypto.randomUUID().slice(0, 8)}`;
        await kms().send(new CreateAliasCommand({ TargetKeyId: k.KeyId, AliasName: name }));
        const alias = (await kms().send(new ListAliasesCommand({}))).Aliases!.find((a) => a.AliasName === name)!;
        o.match("describe-key", out(await kms().send(new DescribeKeyCommand({ KeyId: alias.AliasArn }))));
    });

    test("TestKMS::test_create_alias", async () => {
        const o = oracle("TestKMS::test_create_alias", env);
        const k = await createKey();
        o.match("create_alias", await failure(kms().send(new CreateAliasCommand({ AliasName: crypto.randomUUID().slice(0, 8), TargetKeyId: k.KeyId }))));
    });
});

describe("multi-Region keys (recorded AWS answers)", () => {
    test("TestKMS::test_replicate_key", async () => {
        const o = oracle("TestKMS::test_replicate_key", { region: REGION });
        const k = await createKey({ MultiRegion: true, Description: "test replicated key" });
        o.match("describe-key-from-different-region", await failure(kms("ap-southeast-1").send(new DescribeKeyCommand({ KeyId: k.KeyId }))));
        o.match("replicate-key", out(await kms().send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: "ap-southeast-1" }))));
        o.match("describe-key-from-region", out(await kms().send(new DescribeKeyCommand({ KeyId: k.KeyId }))));
        // The replica is Creating for a while (LocalStack polled DescribeKey in its Region until Enabled).
        expect((await kms("ap-southeast-1").send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.KeyState).toBe("Creating");
        passTime();
        o.match("describe-replicated-key", out(await kms("ap-southeast-1").send(new DescribeKeyCommand({ KeyId: k.KeyId }))));
    });

    test("TestKMS::test_replicate_replica_key_should_fail", async () => {
        const o = oracle("TestKMS::test_replicate_replica_key_should_fail", env);
        const k = await createKey({ MultiRegion: true, Description: "test primary key" });
        const replica = (await kms().send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: SECONDARY }))).ReplicaKeyMetadata!;
        const err = await failure(kms(SECONDARY).send(new ReplicateKeyCommand({ KeyId: replica.KeyId, ReplicaRegion: SECONDARY })));
        o.match("fail-replicate-non-primary-key", err);
        expect(o.bound("<mrk-key-arn>")).toBe(replica.Arn);
    });
});

describe("tags (recorded AWS answers)", () => {
    const tags = (o: Record<string, string>) => Object.entries(o).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
    const list = async (id: string) => (await kms().send(new ListResourceTagsCommand({ KeyId: id }))).Tags;
    test("TestKMS::test_tag_existing_key_and_untag", async () => {
        const o = oracle("TestKMS::test_tag_existing_key_and_untag", env);
        const k = await createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT" });
        await kms().send(new TagResourceCommand({ KeyId: k.KeyId, Tags: tags({ tag1: "value1", tag2: "value2" }) }));
        o.match("list-resource-tags", await list(k.KeyId!));
        await kms().send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ["tag1", "tag2"] }));
        o.match("list-resource-tags-after-all-untagged", await list(k.KeyId!));
    });
    test("TestKMS::test_create_key_with_tag_and_untag", async () => {
        const o = oracle("TestKMS::test_create_key_with_tag_and_untag", env);
        const k = await createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT", Tags: tags({ tag1: "value1", tag2: "value2" }) });
        o.match("list-resource-tags", await list(k.KeyId!));
        await kms().send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ["tag1", "tag2"] }));
        o.match("list-resource-tags-after-all-untagged", await list(k.KeyId!));
    });
    test("TestKMS::test_untag_key_partially", async () => {
        const o = oracle("TestKMS::test_untag_key_partially", env);
        const k = await createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT", Tags: tags({ tag1: "value1", tag2: "value2", tag3: "value3" }) });
        o.match("list-resource-tags", await list(k.KeyId!));
        await kms().send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ["tag2"] }));
        o.match("list-resource-tags-after-partially-untagged", await list(k.KeyId!));
    });
    test("TestKMS::test_update_and_add_tags_on_tagged_key", async () => {
        const o = oracle("TestKMS::test_update_and_add_tags_on_tagged_key", env);
        const k = await createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT", Tags: tags({ tag1: "value1", tag2: "value2", tag3: "value3" }) });
        o.match("list-resource-tags", await list(k.KeyId!));
        await kms().send(new TagResourceCommand({ KeyId: k.KeyId, Tags: tags({ tag4: "value4", tag2: "updated_value2", tag5: "value5" }) }));
        o.match("list-resource-tags-after-tags-updated", await list(k.KeyId!));
    });
    test("TestKMS::test_tag_key_with_duplicate_tag_keys_raises_error", async () => {
        const k = await createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT" });
        const dup = [{ TagKey: "tag1", TagValue: "value1" }, { TagKey: "tag1", TagValue: "another-value1" }];
        oracle("TestKMS::test_tag_key_with_duplicate_tag_keys_raises_error", env).match("duplicate-tag-keys", await failure(kms().send(new TagResourceCommand({ KeyId: k.KeyId, Tags: dup }))));
    });
    test("TestKMS::test_create_key_with_too_many_tags_raises_error", async () => {
        const many = tags(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`key${i}`, `value${i}`])));
        oracle("TestKMS::test_create_key_with_too_many_tags_raises_error", env).match("invalid-tag-key", await failure(createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT", Tags: many })));
    });
    for (const [label, key] of [["lowercase_prefix", "aws:key1"], ["uppercase_prefix", "AWS:key1"], ["too_long_key", "a".repeat(129)]] as const) {
        const name = `TestKMS::test_create_key_with_invalid_tag_key[${label}]`;
        test(name, async () => {
            oracle(name, env).match("invalid-tag-key", await failure(createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT", Tags: tags({ [key]: "value1" }) })));
        });
    }
    test("TestKMS::test_tag_existing_key_with_invalid_tag_key", async () => {
        const k = await createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT" });
        oracle("TestKMS::test_tag_existing_key_with_invalid_tag_key", env).match("invalid-tag-key", await failure(kms().send(new TagResourceCommand({ KeyId: k.KeyId, Tags: tags({ "aws:key1": "value1" }) }))));
    });
    test("TestKMS::test_key_with_long_tag_value_raises_error", async () => {
        oracle("TestKMS::test_key_with_long_tag_value_raises_error", env).match("too-long-tag-value", await failure(createKey({ Description: "test key 123", KeyUsage: "ENCRYPT_DECRYPT", Tags: tags({ tag1: "v".repeat(257) }) })));
    });
});

describe("the oracle refuses what AWS did not answer", () => {
    test("another error type, status, message, a missing or extra member, an inconsistent placeholder", () => {
        const o = () => oracle("TestKMS::test_create_alias", env);
        const message = 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';
        expect(() => o().match("create_alias", { name: "ValidationException", status: 400, message })).not.toThrow();
        expect(() => o().match("create_alias", { name: "InvalidAliasNameException", status: 400, message })).toThrow(/expected ValidationException \(400\)/);
        expect(() => o().match("create_alias", { name: "ValidationException", status: 404, message })).toThrow(/\(400\)/);
        expect(() => o().match("create_alias", { name: "ValidationException", status: 400, message: `${message}.` })).toThrow(/message/);
        const d = () => oracle("TestKMS::test_create_key", env);
        const meta = {
            AWSAccountId: RECORDED_ACCOUNT,
            Arn: `arn:aws:kms:${REGION}:${RECORDED_ACCOUNT}:key/11111111-2222-4333-8444-555555555555`,
            CreationDate: new Date(),
            CurrentKeyMaterialId: "a".repeat(64),
            CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
            Description: "test key 123",
            Enabled: true,
            EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
            KeyId: "11111111-2222-4333-8444-555555555555",
            KeyManager: "CUSTOMER",
            KeySpec: "SYMMETRIC_DEFAULT",
            KeyState: "Enabled",
            KeyUsage: "ENCRYPT_DECRYPT",
            MultiRegion: false,
            Origin: "AWS_KMS",
        };
        expect(() => d().match("describe-key", meta)).not.toThrow();
        expect(() => d().match("describe-key", { ...meta, KeyId: "99999999-2222-4333-8444-555555555555" })).toThrow(/KeyId: expected "<key-id:1>"/);
        expect(() => d().match("describe-key", { ...meta, ValidTo: new Date() })).toThrow(/members/);
        const { Origin: _o, ...missing } = meta;
        expect(() => d().match("describe-key", missing)).toThrow(/members/);
        expect(() => d().match("describe-key", { ...meta, CreationDate: "2020-01-01" })).toThrow(/a date/);
        expect(() => d().match("describe-key", { ...meta, Arn: meta.Arn.replace(REGION, "eu-west-1") })).toThrow(/expected "arn:<partition>/);
        expect(() => oracle("TestKMS::test_sign_verify[ECC_NIST_P256-ECDSA_SHA_384]", env)).toThrow(/never validated/);
    });
});

describe("grants (assertions of validated tests without recorded content)", () => {
    const user = `arn:aws:iam::${RECORDED_ACCOUNT}:user/tester`;
    const grants = async (id: string) => (await kms().send(new ListGrantsCommand({ KeyId: id }))).Grants!;
    test("TestKMS::test_create_grant_with_invalid_key, TestKMS::test_list_grants_with_invalid_key: NotFoundException", async () => {
        expect(await failure(kms().send(new CreateGrantCommand({ KeyId: "invalid", GranteePrincipal: user, Operations: ["Decrypt", "Encrypt"] })))).toEqual({ name: "NotFoundException", status: 400, message: "Invalid keyId 'invalid'" });
        expect(await failure(kms().send(new ListGrantsCommand({ KeyId: "invalid" })))).toEqual({ name: "NotFoundException", status: 400, message: "Invalid keyId 'invalid'" });
    });
    test("TestKMS::test_create_grant_with_valid_key, TestKMS::test_revoke_grant, TestKMS::test_retire_grant_with_grant_token", async () => {
        const k = await createKey();
        expect(await grants(k.KeyId!)).toEqual([]);
        const g = await kms().send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: user, Operations: ["Decrypt", "Encrypt"] }));
        expect([g.GrantId, g.GrantToken!.length > 0]).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), true]);
        expect(await grants(k.KeyId!)).toEqual([
            { KeyId: k.Arn, GrantId: g.GrantId, CreationDate: new Date(clock.now()), GranteePrincipal: user, IssuingAccount: `arn:aws:iam::${RECORDED_ACCOUNT}:root`, Operations: ["Decrypt", "Encrypt"] },
        ]);
        await kms().send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: g.GrantId }));
        expect(await grants(k.KeyId!)).toEqual([]);
        const g2 = await kms().send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: user, Operations: ["Decrypt", "Encrypt"] }));
        await kms().send(new RetireGrantCommand({ GrantToken: g2.GrantToken }));
        expect(await grants(k.KeyId!)).toEqual([]);
    });
    test("TestKMS::test_create_grant_with_same_name_two_keys: one grant per key", async () => {
        const [a, b] = [await createKey(), await createKey()];
        for (const k of [a, b]) await kms().send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: user, Operations: ["Decrypt", "Encrypt"], Name: "TestGrantName" }));
        expect([(await grants(a.KeyId!)).length, (await grants(b.KeyId!)).length]).toEqual([1, 1]);
    });
});

