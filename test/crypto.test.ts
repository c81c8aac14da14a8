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
import { checkKeyQuality, checkMaterial, fingerprint, MaterialError, materialFromJwk, MaterialKind } from "../sdk/crypto/material";
import { parseWrappingPublicKey, wrapForAws, wrappingKeyProblem } from "../sdk/byok/wrap";
import { CERT } from "./fixtures/bad-inputs-byok";

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
        // RSA-3072 with SHA-256: at most 384 - 2*32 - 2 = 318 bytes; said in words, not as an OpenSSL error code.
        expect(() => rsaOaepEncrypt(publicKey, "sha256", Buffer.alloc(319))).toThrow(new Error("RSA-OAEP with SHA-256 and an RSA-3072 key carries at most 318 bytes (got: 319 bytes)"));
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

// A self-signed test certificate (test/fixtures/bad-inputs-byok.ts) and its RSA-2048 key (test fixtures).
const CERT_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCr4k2/FTphhGuG
GiFHQmn/IwXNfD3Qt+wHnF4ET6T5o3Uj3xB35cKZZECtsutSYcRyijZO78mOoVzx
nwAPNRtF9txCSmOfFJDLMo/psOjjn06TvF5KDTBYt6NCTyJX8zOZevao9UIeyU6y
2zil7mgYCugzdSKrk14PgGFwoBpj9wT9kGfTX3zqwvthoCyJ+VtYYWwtBubJQvxQ
OtjffNra37f4uLzPCV8IwQRDe104M+LOy2Hp3eqGLVrPBHpoMkxBUljr8E8Uso4m
ZLcFFtCXJFAXKnvGAKIA+1LfOuMj7XUUWAoF765onbi2foKY4T2rl8v0yGyknAz0
1egVlI5PAgMBAAECggEAGNI9V/LA04RD4sGzPI8ir21nUR038AQfWZoDGaxGrqYk
LGHyBt5vE6eej3be9K6Zp9C9tvh5qtcyjNHhOFD690eG1yvW5woZPr62eZDKkNRY
jI0PMLJm4Ojj8pdq5jiAoxFWvV9thPSdIMb3jz62WYJ5tbScpRpK4wIvEAyOwxCU
WfmR8pMezh+wSj2f87QSMg2W1zNZ6NLETDNqv5gR274a6gsDlxSSKSkdBl09emWN
Jc1osn1mI5qMCQAlQlrztXkcCDAmOPd7K1voee6+5uKCUObwKRn8v8bIEmrCbfqq
7YMl1M0+vAM6XBLsueGCwD956tBc90jkjnaJuVmzQQKBgQDTAqpMTL2EuUYsaNmX
fixYYKF7+HKcyVIo1LcMsUeLgTlxkket6Q+NFVMM+STFYp83y1b11azU6ToE1wnG
jYZlXQwC+SWjQQvVHcJ88E/Rr9CIHQxzHOrpsX7wVHfLWdbYEC+wq0DflJMa+q9P
gTL4ip/bJ2PkYXvK3JZi+jH1ewKBgQDQiAwWb8YSIKYvADCO83SPrYfd5feWDy22
S+ouxujhv8pzMNSqbrxUSNGPAA1Yp9aumf/S3wJTQnopgstbtk+NSoBKOk6ATOWV
QEXv6irzENZ0I2pk2GsKD8Th9/eL+cZOBpcODHrGyZnqkvvBkccH1x3Ae7+kZ1KT
QwLsVRIwPQKBgQCdIor3Lt6jC+W6BIqlSgxz8+HNlAKlxzYrudxm003YEW9Zp/lB
BSHTimHCc3ZylzLCNeaYQ3rlQpk2KXzaI2JF8biULj1dCX9qQTMoHz0Rhb/g3OD8
iDhXtxo0lnJvOIPJeqRJB/7TgKzblnse1bPDalgIt5in5gBt3T8QjgjOKQKBgQDK
MJ9HweiS+wUm3VA3yuZhySfLh4agAOeZsdHGuSZkfMmXFumctvHz5wcJWEuYgmQt
tzPNCl3+zJ4WUbNLoWFQ5cOuNQqYa/bO2Br3nF04gELvKMeoMA7ZGqETWJK1LeGR
FeKwxHjm9eI/B3UDIo2QlItMbrBKf8QY9QiIjZOtIQKBgBnWaIYilwEt7SxELCb/
Ir1/aduttGrRduc6ZlUGnPhTdTCNRqosmxZiwEMGSqpuBt9GBuAPiwhFaz9BgHH4
3mN6hbhtwgKv1tb4+E6WN6WNVDZ1RExa0I/wvclibQDYYPr3Oyv7LNiRA5P9CHOt
GcNBtuU58PpUrnwxLIjtN5NQ
-----END PRIVATE KEY-----
`;

describe("weak or inconsistent keys are refused", () => {
    const RSA2048 = { type: "rsa", bits: 2048 } as const;
    const P256 = { type: "ec", curve: "P-256" } as const;
    const rsaJwk = (e = 65537) => crypto.generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: e }).privateKey.export({ format: "jwk" }) as Record<string, string>;
    const ecJwk = () => crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }) as Record<string, string>;
    const quality = (kind: MaterialKind, jwk: Record<string, string>) => () => checkKeyQuality(kind, crypto.createPrivateKey({ key: jwk, format: "jwk" }));
    const [a, b] = [rsaJwk(), rsaJwk()];
    // Node 24 (OpenSSL 3.5) refuses some inconsistent JWKs in createPrivateKey itself, but still imports the same parts as
    // DER, which is how such a key reaches keyfabric: the checks are tested on keys built as DER (PKCS#1 / SEC1).
    const der = (tag: number, body: Buffer): Buffer => {
        const n = body.length;
        const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
        return Buffer.concat([Buffer.from([tag]), len, body]);
    };
    const int = (b64url: string | number): Buffer => {
        let v = typeof b64url === "number" ? Buffer.from([b64url]) : Buffer.from(b64url, "base64url");
        if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
        return der(0x02, v);
    };
    const rsaDer = (k: Record<string, string>) => () =>
        checkKeyQuality(RSA2048, crypto.createPrivateKey({ key: der(0x30, Buffer.concat([int(0), ...["n", "e", "d", "p", "q", "dp", "dq", "qi"].map((m) => int(k[m]))])), format: "der", type: "pkcs1" }));
    const ecDer = (k: Record<string, string>) => () => {
        const P256_OID = Buffer.from("06082a8648ce3d030107", "hex");
        const point = Buffer.concat([Buffer.from([0, 4]), Buffer.from(k.x, "base64url"), Buffer.from(k.y, "base64url")]);
        const body = Buffer.concat([int(1), der(0x04, Buffer.from(k.d, "base64url")), der(0xa0, P256_OID), der(0xa1, der(0x03, point))]);
        return checkKeyQuality(P256, crypto.createPrivateKey({ key: der(0x30, body), format: "der", type: "sec1" }));
    };

    test.each([
        ["exponent 3", quality(RSA2048, rsaJwk(3)), "expected an RSA-2048 private key as DER PKCS#8, got public exponent 3 (allowed: 65537)"],
        ["d of another key", quality(RSA2048, { ...a, d: b.d }), "is an inconsistent RSA private key: d is not the inverse of e (its parts disagree; export it again from where it was generated)"],
        ["dp of another key", quality(RSA2048, { ...a, dp: b.dp }), "is an inconsistent RSA private key: dp is not d mod (p-1) (its parts disagree; export it again from where it was generated)"],
        ["qi of another key", quality(RSA2048, { ...a, qi: b.qi }), "is an inconsistent RSA private key: qi is not the inverse of q mod p (its parts disagree; export it again from where it was generated)"],
        ["p and q of another key", rsaDer({ ...a, p: b.p, q: b.q }), "is an inconsistent RSA private key: n is not p·q (its parts disagree; export it again from where it was generated)"],
        ["an EC public point of another key", ecDer((({ x, y }) => ({ ...ecJwk(), x, y }))(ecJwk())), "is an inconsistent EC private key: its public point is not the one of its private scalar d (export it again from where it was generated)"],
    ])("%s", (_n, f, message) => {
        expect(f).toThrow(new MaterialError(message));
    });

    test("consistent keys pass", () => {
        expect(quality(RSA2048, a)).not.toThrow();
        expect(quality(P256, ecJwk())).not.toThrow();
    });
});

describe("JWK material: members, use/key_ops/alg against the key and its purpose, certificate against the key", () => {
    const certKey = crypto.createPrivateKey(CERT_KEY);
    const x5c = [CERT.replace(/-----[A-Z ]+-----|\n/g, "")];
    const certDer = Buffer.from(x5c[0], "base64");
    const rsa = certKey.export({ format: "jwk" }) as Record<string, unknown>;
    const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as Record<string, unknown>;
    const oct = { kty: "oct", k: crypto.randomBytes(32).toString("base64url") };
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }) as Record<string, unknown>;
    const RSA2048 = { type: "rsa", bits: 2048 } as const;
    const AES = { type: "aes", bytes: 32 } as const;
    const HMAC = { type: "hmac", bytes: 32 } as const;
    const P256 = { type: "ec", curve: "P-256" } as const;

    test("a JWK whose x5c, x5t and x5t#S256 are its own certificate's is accepted", () => {
        const jwk = { ...rsa, use: "sig", key_ops: ["sign"], alg: "PS256", x5c, x5t: crypto.createHash("sha1").update(certDer).digest("base64url"), "x5t#S256": crypto.createHash("sha256").update(certDer).digest("base64url") };
        expect(materialFromJwk(jwk, RSA2048, "sign").equals(certKey.export({ type: "pkcs8", format: "der" }))).toBe(true);
    });

    test.each([
        ["x5c of another key", { ...other, x5c }, RSA2048, undefined, "the JWK's parts disagree: x5c[0] certifies another key than the JWK's own"],
        ["an x5t that is not x5c[0]'s", { ...rsa, x5c, x5t: "AAAA" }, RSA2048, undefined, "the JWK's parts disagree: x5t is not the thumbprint of x5c[0]"],
        ["x5c not base64", { ...rsa, x5c: ["not base64!"] }, RSA2048, undefined, "the JWK's x5c[0] is not base64 (x5c holds standard base64 DER certificates)"],
        ["use enc for purpose sign", { ...rsa, use: "enc" }, RSA2048, "sign", 'the JWK\'s use contradicts purpose sign (allowed: sig, got: "enc")'],
        ["key_ops that disagree with use", { ...rsa, use: "sig", key_ops: ["sign", "decrypt"] }, RSA2048, undefined, "the JWK's use sig and key_ops decrypt disagree (allowed with use sig: sign, verify)"],
        ["key_ops listed twice", { ...rsa, key_ops: ["sign", "sign"] }, RSA2048, undefined, "the JWK's key_ops lists sign twice"],
        ["an unknown key_ops value", { ...rsa, key_ops: ["frob"] }, RSA2048, undefined, 'the JWK\'s key_ops has "frob" (allowed: sign, verify, encrypt, decrypt, wrapKey, unwrapKey, deriveKey, deriveBits)'],
        ["a signing alg for purpose encrypt", { ...rsa, alg: "RS256" }, RSA2048, "encrypt", 'the JWK\'s alg contradicts purpose encrypt (allowed: RSA-OAEP, RSA-OAEP-256, RSA-OAEP-384, RSA-OAEP-512, got: "RS256")'],
        ["RSA1_5", { ...rsa, alg: "RSA1_5" }, RSA2048, undefined, 'the JWK\'s alg contradicts an RSA key (allowed: RS256, RS384, RS512, PS256, PS384, PS512, RSA-OAEP, RSA-OAEP-256, RSA-OAEP-384, RSA-OAEP-512, got: "RSA1_5")'],
        ["an AES alg on an HMAC key", { ...oct, alg: "A256GCM" }, HMAC, undefined, 'the JWK\'s alg contradicts an HMAC key (purpose mac) (allowed: HS256, got: "A256GCM")'],
        ["sign on an AES key", { ...oct, key_ops: ["sign"] }, AES, undefined, "the JWK's key_ops contradict an AES key (purpose encrypt) (allowed: encrypt, decrypt, wrapKey, unwrapKey, got: sign)"],
        ["deriveKey on an EC key", { ...ec, key_ops: ["deriveKey"] }, P256, undefined, "the JWK's key_ops contradict an EC key (purpose sign) (allowed: sign, verify, got: deriveKey)"],
        ["an unknown use", { ...oct, use: "wrap" }, AES, undefined, 'the JWK\'s use is "wrap" (allowed: sig, enc)'],
        ["a multi-prime RSA key", { ...rsa, oth: [] }, RSA2048, undefined, "is a multi-prime RSA JWK (oth), which no cloud imports"],
        ["an RSA JWK without CRT values", { kty: "RSA", n: rsa.n, e: rsa.e, d: rsa.d }, RSA2048, undefined, "is an RSA JWK without p, q, dp, dq, qi (allowed: a private JWK with n, e, d, p, q, dp, dq, qi)"],
        ["a member of the wrong type", { ...oct, ext: "yes" }, AES, undefined, "the JWK's ext must be true or false (got: a string)"],
        ["private parts of another kty", { ...oct, d: "AQAB" }, AES, undefined, 'is a JWK with unknown member "d" (allowed for kty oct: kty, use, key_ops, alg, kid, ext, k)'],
    ] as [string, Record<string, unknown>, MaterialKind, any, string][])("refused: %s", (_n, jwk, kind, purpose, message) => {
        expect(() => materialFromJwk(jwk, kind, purpose)).toThrow(new MaterialError(message));
    });
});

describe("wrapping keys and KEKs: RSA-2048, 3072 or 4096 with exponent 65537, given as a public key", () => {
    const WRAPPING = "an RSA-2048, RSA-3072 or RSA-4096 public key with exponent 65537";
    const pub = (type: string, opts: object) => (crypto.generateKeyPairSync as any)(type, opts).publicKey as crypto.KeyObject;
    const good = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });

    test.each([
        ["RSA-1024", pub("rsa", { modulusLength: 1024 }), `is smaller than RSA-2048 (allowed: ${WRAPPING}, got: RSA-1024)`],
        ["RSA-2560", pub("rsa", { modulusLength: 2560 }), `is not a size clouds wrap with (allowed: ${WRAPPING}, got: RSA-2560)`],
        ["exponent 3", pub("rsa", { modulusLength: 2048, publicExponent: 3 }), `has a public exponent other than 65537 (allowed: ${WRAPPING}, got: 3)`],
        ["EC P-384", pub("ec", { namedCurve: "P-384" }), `is not an RSA key (allowed: ${WRAPPING}, got: an EC P-384 key)`],
        ["Ed25519", pub("ed25519", {}), `is not an RSA key (allowed: ${WRAPPING}, got: an ed25519 key)`],
        ["RSA-PSS (cannot encrypt)", pub("rsa-pss", { modulusLength: 2048 }), `is not an RSA key (allowed: ${WRAPPING}, got: an rsa-pss key)`],
        ["a private key", good.privateKey, `is a private key (allowed: ${WRAPPING})`],
    ])("%s", (_n, key, problem) => {
        expect(wrappingKeyProblem(key)).toBe(problem);
    });

    test("the library wrap refuses them too, and a material too large for OAEP is said in words", () => {
        const weak = pub("rsa", { modulusLength: 1024 }).export({ type: "spki", format: "der" });
        expect(() => wrapForAws(Buffer.alloc(32), weak, "RSAES_OAEP_SHA_256")).toThrow(`the wrapping key is smaller than RSA-2048 (allowed: ${WRAPPING}, got: RSA-1024)`);
        const spki = good.publicKey.export({ type: "spki", format: "der" });
        expect(() => wrapForAws(Buffer.alloc(200), spki, "RSAES_OAEP_SHA_256")).toThrow(
            "RSAES_OAEP_SHA_256 wraps at most 190 bytes with this RSA-2048 wrapping key, and the material is 200 bytes (allowed: RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256 for material this size)",
        );
        expect(() => wrapForAws(Buffer.alloc(32), spki, "RSAES_OAEP_SHA_1", { type: "rsa", bits: 2048 })).toThrow(/^RSAES_OAEP_SHA_1 cannot wrap an RSA private key: /);
    });

    const jwk = good.publicKey.export({ format: "jwk" }) as Record<string, string>;
    test.each([
        ["SPKI PEM", good.publicKey.export({ type: "spki", format: "pem" })],
        ["SPKI DER", good.publicKey.export({ type: "spki", format: "der" })],
        ["PKCS#1 PEM", good.publicKey.export({ type: "pkcs1", format: "pem" })],
        ["PKCS#1 DER", good.publicKey.export({ type: "pkcs1", format: "der" })],
        ["a Key Vault KEK's JWK", JSON.stringify({ kid: "https://v.vault.azure.net/keys/kek/0123456789abcdef0123456789abcdef", kty: "RSA-HSM", key_ops: ["import"], n: jwk.n, e: jwk.e })],
        ["a JWK with use enc and RSA-OAEP-256", JSON.stringify({ ...jwk, use: "enc", alg: "RSA-OAEP-256", key_ops: ["wrapKey"] })],
    ])("accepted: %s", (_n, bytes) => {
        const key = parseWrappingPublicKey(Buffer.from(bytes as string | Buffer));
        expect(key.export({ type: "spki", format: "der" }).equals(good.publicKey.export({ type: "spki", format: "der" }))).toBe(true);
    });

    test.each([
        ["a DER certificate", Buffer.from(CERT.replace(/-----[A-Z ]+-----|\n/g, ""), "base64"), "is an X.509 certificate (DER), not a public key (extract its key: openssl x509 -pubkey -noout -inform der -in <file>)"],
        ["a DER private key", good.privateKey.export({ type: "pkcs8", format: "der" }), "is a private key (DER): give the public key only"],
        ["two PEM blocks", `${good.publicKey.export({ type: "spki", format: "pem" })}${CERT}`, "holds 2 PEM blocks (PUBLIC KEY, CERTIFICATE); give the public key alone"],
        ["a JWK with key_ops sign", JSON.stringify({ ...jwk, key_ops: ["verify"] }), "the JWK's key_ops contradict a wrapping key (allowed: encrypt, wrapKey, import, got: verify)"],
        ["a JWK with alg RSA1_5", JSON.stringify({ ...jwk, alg: "RSA1_5" }), 'the JWK\'s alg contradicts a wrapping key (allowed: RSA-OAEP, RSA-OAEP-256, RSA-OAEP-384, RSA-OAEP-512, got: "RSA1_5")'],
        ["a JWK of kty EC", JSON.stringify({ kty: "EC", crv: "P-256", x: "AA", y: "AA" }), 'is a JWK with kty "EC" (allowed: RSA, RSA-HSM)'],
        ["a JWK with an unknown member", JSON.stringify({ ...jwk, crv: "P-256" }), 'is a JWK with unknown member "crv" (allowed for kty RSA: kty, n, e, use, key_ops, alg, kid, ext, x5u, x5c, x5t, x5t#S256)'],
        ["not JSON", "{not json", "is not valid JSON (a JWK was expected, as the file starts with {)"],
    ])("refused: %s", (_n, bytes, message) => {
        expect(() => parseWrappingPublicKey(Buffer.from(bytes as string | Buffer))).toThrow(new Error(message));
    });
});
