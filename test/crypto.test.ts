import * as crypto from "crypto";
import {
    aesKwpUnwrap,
    aesKwpWrap,
    aesKwUnwrap,
    aesKwWrap,
    rsaAesKeyUnwrap,
    rsaAesKeyWrap,
    rsaOaepDecrypt,
    rsaOaepEncrypt,
    UnwrapError,
} from "../sdk/crypto/keywrap";
import { checkMaterial, fingerprint, MaterialError } from "../sdk/crypto/material";

const hex = (s: string) => Buffer.from(s, "hex");

describe("RFC vectors", () => {
    test.each([
        ["RFC 5649 §6, 20 bytes", "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8", "c37b7e6492584340bed12207808941155068f738", "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"],
        ["RFC 5649 §6, 7 bytes", "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8", "466f7250617369", "afbeb0f07dfbf5419200f2ccb50bb24f"],
    ])("AES-KWP %s", (_n, kek, input, output) => {
        expect(aesKwpWrap(hex(kek), hex(input)).toString("hex")).toBe(output);
        expect(aesKwpUnwrap(hex(kek), hex(output)).toString("hex")).toBe(input);
    });

    test.each([
        ["RFC 3394 §4.1", "000102030405060708090A0B0C0D0E0F", "00112233445566778899AABBCCDDEEFF", "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"],
        [
            "RFC 3394 §4.6",
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
            "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
            "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21",
        ],
    ])("AES-KW %s", (_n, kek, input, output) => {
        expect(aesKwWrap(hex(kek), hex(input)).toString("hex")).toBe(output);
        expect(aesKwUnwrap(hex(kek), hex(output)).toString("hex")).toBe(input.toLowerCase());
    });

    test("KWP refuses empty input and detects a wrong key or tampering", () => {
        const kek = crypto.randomBytes(32);
        expect(() => aesKwpWrap(kek, Buffer.alloc(0))).toThrow("nothing to wrap: the input is empty");
        const wrapped = aesKwpWrap(kek, crypto.randomBytes(32));
        expect(() => aesKwpUnwrap(crypto.randomBytes(32), wrapped)).toThrow(UnwrapError);
        const tampered = Buffer.from(wrapped);
        tampered[5] ^= 1;
        expect(() => aesKwpUnwrap(kek, tampered)).toThrow("AES-KWP integrity check failed");
    });
});

describe("RSA-AES key wrap (CKM_RSA_AES_KEY_WRAP)", () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 3072 });
    const target = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ type: "pkcs8", format: "der" });

    test.each(["sha1", "sha256"] as const)("round trip with OAEP-%s; layout is RSA part then KWP part", (hash) => {
        const wrapped = rsaAesKeyWrap(publicKey, hash, target);
        // 384-byte OAEP block, then KWP output: 8-byte integrity block plus the target padded to 8 bytes.
        expect(wrapped.length).toBe(384 + 8 + Math.ceil(target.length / 8) * 8);
        expect(rsaAesKeyUnwrap(privateKey, hash, wrapped).equals(target)).toBe(true);
    });

    test("a flipped byte in the RSA part, in the KWP part, or the wrong OAEP hash is refused", () => {
        const wrapped = rsaAesKeyWrap(publicKey, "sha256", target);
        const rsaFlip = Buffer.from(wrapped);
        rsaFlip[10] ^= 0x80;
        const kwpFlip = Buffer.from(wrapped);
        kwpFlip[400] ^= 0x80;
        expect(() => rsaAesKeyUnwrap(privateKey, "sha256", rsaFlip)).toThrow("RSA-OAEP decryption failed");
        expect(() => rsaAesKeyUnwrap(privateKey, "sha256", kwpFlip)).toThrow("AES-KWP integrity check failed");
        expect(() => rsaAesKeyUnwrap(privateKey, "sha1", wrapped)).toThrow(UnwrapError);
    });

    test("direct OAEP round trip and capacity", () => {
        const aes = crypto.randomBytes(32);
        expect(rsaOaepDecrypt(privateKey, "sha256", rsaOaepEncrypt(publicKey, "sha256", aes)).equals(aes)).toBe(true);
        // RSA-3072 with SHA-256: at most 384 - 2*32 - 2 = 318 bytes.
        expect(() => rsaOaepEncrypt(publicKey, "sha256", Buffer.alloc(319))).toThrow();
        expect(rsaOaepEncrypt(publicKey, "sha256", Buffer.alloc(318)).length).toBe(384);
    });
});

describe("material checks and fingerprints", () => {
    const rsa2048 = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const p256 = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const der = (k: crypto.KeyObject) => k.export({ type: "pkcs8", format: "der" });

    test.each([
        [{ type: "aes", bytes: 32 } as const, crypto.randomBytes(31), "expected 32 raw bytes (AES-256), got 31 bytes"],
        [{ type: "rsa", bits: 3072 } as const, der(rsa2048), "expected an RSA-3072 private key as DER PKCS#8, got RSA-2048"],
        [{ type: "rsa", bits: 2048 } as const, der(p256), "expected an RSA-2048 private key as DER PKCS#8, got a ec key"],
        [{ type: "ec", curve: "P-384" } as const, der(p256), "expected an EC P-384 private key as DER PKCS#8, got curve prime256v1"],
        [{ type: "ec", curve: "P-256" } as const, Buffer.from("not a key"), "expected an EC P-256 private key as DER PKCS#8, got 9 bytes that are not a DER PKCS#8 private key"],
    ])("%j refused", (kind, material, message) => {
        expect(() => checkMaterial(kind, material)).toThrow(new MaterialError(message));
    });

    test("fingerprints: domain-separated SHA-256 for symmetric, SPKI SHA-256 for asymmetric", () => {
        const aes = Buffer.alloc(32, 7);
        expect(fingerprint(aes)).toBe(`sha256:${crypto.createHash("sha256").update("keyfabric/material-fingerprint/v1\0").update(aes).digest("hex")}`);
        expect(fingerprint(aes)).not.toContain(crypto.createHash("sha256").update(aes).digest("hex"));
        const parsed = checkMaterial({ type: "ec", curve: "P-256" }, der(p256))!;
        const spki = crypto.createPublicKey(p256).export({ type: "spki", format: "der" });
        expect(fingerprint(der(p256), parsed)).toBe(`sha256-spki:${crypto.createHash("sha256").update(spki).digest("hex")}`);
    });
});
