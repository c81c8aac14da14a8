/**
 * Signatures over a precomputed digest, checked against Node's own crypto.sign / crypto.verify (which hash the
 * message themselves): every scheme × hash × key size / curve the emulators use.
 */
import * as crypto from "crypto";
import { DIGEST_INFO_PREFIX, digestLength, DigestSignatureError, signDigest, verifyDigest, type DigestHash } from "../sdk/crypto/digest-signature";

const HASHES: readonly DigestHash[] = ["sha224", "sha256", "sha384", "sha512"];
const HASH_BYTES = { sha224: 28, sha256: 32, sha384: 48, sha512: 64 } as const;
const message = (label: string) => Buffer.from(`message for ${label}`);
const digestOf = (hash: DigestHash, m: Buffer) => crypto.createHash(hash).update(m).digest();
const flipBit = (b: Buffer, index: number, bit = 0x01) => {
    const copy = Buffer.from(b);
    copy[index] ^= bit;
    return copy;
};

/** The curves of the three emulators (AWS P-256/384/521 + secp256k1, Cloud KMS, Key Vault P-256K), with their order n. */
const CURVES = {
    prime256v1: { n: BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"), size: 32 },
    secp384r1: { n: BigInt("0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"), size: 48 },
    secp521r1: {
        n: BigInt("0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"),
        size: 66,
    },
    secp256k1: { n: BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"), size: 32 },
} as const;
type CurveName = keyof typeof CURVES;
const CURVE_NAMES = Object.keys(CURVES) as CurveName[];

const big = (b: Buffer) => BigInt(`0x${b.toString("hex") || "0"}`);
const fixed = (v: bigint, size: number) => Buffer.from(v.toString(16).padStart(size * 2, "0"), "hex");
/** r ‖ s of a P1363 signature. */
const splitP1363 = (sig: Buffer): [bigint, bigint] => [big(sig.subarray(0, sig.length / 2)), big(sig.subarray(sig.length / 2))];
/** A minimal DER SEQUENCE { INTEGER r, INTEGER s } (test-side encoder, independent of the module's). */
function der(r: bigint, s: bigint, extra = Buffer.alloc(0)): Buffer {
    const int = (v: bigint) => {
        let hex = v.toString(16);
        if (hex.length % 2) hex = `0${hex}`;
        let body = Buffer.from(hex, "hex");
        if (body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
        return Buffer.concat([Buffer.from([0x02, body.length]), body]);
    };
    const body = Buffer.concat([int(r), int(s), extra]);
    return Buffer.concat([Buffer.from(body.length < 0x80 ? [0x30, body.length] : [0x30, 0x81, body.length]), body]);
}

describe("digest lengths and DigestInfo", () => {
    test.each(HASHES)("%s", (hash) => {
        expect(digestLength(hash)).toBe(HASH_BYTES[hash]);
        // The prefix is the DER DigestInfo header up to the OCTET STRING length, which is the digest length.
        const prefix = DIGEST_INFO_PREFIX[hash];
        expect(prefix[prefix.length - 1]).toBe(HASH_BYTES[hash]);
        expect(prefix[1]).toBe(prefix.length - 2 + HASH_BYTES[hash]);
    });
});

describe("RSA", () => {
    const keys = Object.fromEntries(
        ([2048, 3072, 4096, 1545] as const).map((bits) => [bits, crypto.generateKeyPairSync("rsa", { modulusLength: bits })]),
    ) as Record<2048 | 3072 | 4096 | 1545, crypto.KeyPairKeyObjectResult>;
    const { privateKey, publicKey } = keys[2048];
    const pss = (key: crypto.KeyObject, saltLength: number) => ({ key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength });
    const pkcs1 = (key: crypto.KeyObject) => ({ key, padding: crypto.constants.RSA_PKCS1_PADDING });
    // 1545 bits: the encoded message is one byte shorter than the modulus (emBits = modBits - 1 is a multiple of 8).
    test("the odd-sized key is what it says", () => expect(keys[1545].privateKey.asymmetricKeyDetails?.modulusLength).toBe(1545));
    const cases = ([2048, 3072, 4096, 1545] as const).flatMap((bits) => HASHES.map((hash) => [bits, hash] as const));

    test.each(cases)("PKCS#1 v1.5, RSA-%d, %s: identical to Node's signature, verifies both ways", (bits, hash) => {
        const { privateKey: priv, publicKey: pub } = keys[bits];
        const m = message(`pkcs1 ${bits} ${hash}`);
        const sig = signDigest(priv, { scheme: "pkcs1", hash }, digestOf(hash, m));
        expect(sig.length).toBe(Math.ceil(bits / 8));
        // PKCS#1 v1.5 is deterministic: the same bytes as Node's crypto.sign over the message.
        expect(sig.equals(crypto.sign(hash, m, pkcs1(priv)))).toBe(true);
        expect(crypto.verify(hash, m, pkcs1(pub), sig)).toBe(true);
        expect(verifyDigest(pub, { scheme: "pkcs1", hash }, digestOf(hash, m), sig)).toBe(true);
        expect(verifyDigest(pub, { scheme: "pkcs1", hash }, digestOf(hash, message("other")), sig)).toBe(false);
        expect(verifyDigest(pub, { scheme: "pss", hash }, digestOf(hash, m), sig)).toBe(false);
    });

    test.each(cases)("PSS, RSA-%d, %s: salt = hash length, verifies with Node and Node's verifies here", (bits, hash) => {
        const { privateKey: priv, publicKey: pub } = keys[bits];
        const m = message(`pss ${bits} ${hash}`);
        const d = digestOf(hash, m);
        const sig = signDigest(priv, { scheme: "pss", hash }, d);
        expect(sig.length).toBe(Math.ceil(bits / 8));
        expect(crypto.verify(hash, m, pss(pub, HASH_BYTES[hash]), sig)).toBe(true);
        // Randomised: a second signature differs and also verifies.
        const again = signDigest(priv, { scheme: "pss", hash }, d);
        expect(again.equals(sig)).toBe(false);
        expect(crypto.verify(hash, m, pss(pub, HASH_BYTES[hash]), again)).toBe(true);
        const node = crypto.sign(hash, m, pss(priv, HASH_BYTES[hash]));
        for (const saltLength of ["hash", "recover"] as const) {
            expect(verifyDigest(pub, { scheme: "pss", hash }, d, node, { pssSaltLength: saltLength })).toBe(true);
            expect(verifyDigest(pub, { scheme: "pss", hash }, d, sig, { pssSaltLength: saltLength })).toBe(true);
            expect(verifyDigest(pub, { scheme: "pss", hash }, digestOf(hash, message("other")), sig, { pssSaltLength: saltLength })).toBe(false);
        }
        expect(verifyDigest(pub, { scheme: "pkcs1", hash }, d, sig)).toBe(false);
    });

    test("a private key verifies as its public key does", () => {
        const d = digestOf("sha256", message("private"));
        for (const scheme of ["pkcs1", "pss"] as const) {
            const sig = signDigest(privateKey, { scheme, hash: "sha256" }, d);
            expect(verifyDigest(privateKey, { scheme, hash: "sha256" }, d, sig)).toBe(true);
        }
    });

    test.each(["pkcs1", "pss"] as const)("%s: any flipped bit of the digest or the signature, a wrong key, a wrong length or a value >= n fails", (scheme) => {
        const alg = { scheme, hash: "sha256" } as const;
        const d = digestOf("sha256", message("tamper"));
        const sig = signDigest(privateKey, alg, d);
        expect(verifyDigest(publicKey, alg, d, sig)).toBe(true);
        for (const i of [0, 15, 31]) expect(verifyDigest(publicKey, alg, flipBit(d, i, 0x80), sig)).toBe(false);
        for (const i of [0, 1, 100, 255]) expect(verifyDigest(publicKey, alg, d, flipBit(sig, i))).toBe(false);
        expect(verifyDigest(keys[3072].publicKey, alg, d, sig)).toBe(false);
        expect(verifyDigest(publicKey, alg, d, sig.subarray(1))).toBe(false);
        expect(verifyDigest(publicKey, alg, d, Buffer.concat([Buffer.alloc(1), sig]))).toBe(false);
        expect(verifyDigest(publicKey, alg, d, Buffer.alloc(256, 0xff))).toBe(false);
        expect(verifyDigest(publicKey, alg, d, Buffer.alloc(256))).toBe(false);
    });

    test.each([
        ["no salt", 0],
        ["a 20-byte salt", 20],
        ["the longest salt", crypto.constants.RSA_PSS_SALTLEN_MAX_SIGN],
    ])("PSS with %s: refused with the salt fixed to the hash length, accepted when the salt length is recovered", (_n, saltLength) => {
        const m = message(`salt ${saltLength}`);
        const d = digestOf("sha256", m);
        const sig = crypto.sign("sha256", m, pss(privateKey, saltLength));
        expect(verifyDigest(publicKey, { scheme: "pss", hash: "sha256" }, d, sig)).toBe(false);
        expect(verifyDigest(publicKey, { scheme: "pss", hash: "sha256" }, d, sig, { pssSaltLength: "hash" })).toBe(false);
        expect(verifyDigest(publicKey, { scheme: "pss", hash: "sha256" }, d, sig, { pssSaltLength: "recover" })).toBe(true);
        expect(verifyDigest(publicKey, { scheme: "pss", hash: "sha256" }, flipBit(d, 3), sig, { pssSaltLength: "recover" })).toBe(false);
    });

    test("PSS needs emLen >= 2·hLen + 2: RSA-1024 cannot sign with SHA-512", () => {
        const small = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 });
        const d = digestOf("sha512", message("small"));
        expect(() => signDigest(small.privateKey, { scheme: "pss", hash: "sha512" }, d)).toThrow(
            new DigestSignatureError("key-size", "the RSA key is too small for PSS with sha512"),
        );
        // 1024 bits fit SHA-384: 128 >= 2·48 + 2.
        const d384 = digestOf("sha384", message("small"));
        const sig = signDigest(small.privateKey, { scheme: "pss", hash: "sha384" }, d384);
        expect(crypto.verify("sha384", message("small"), pss(small.publicKey, 48), sig)).toBe(true);
    });
});

describe("ECDSA", () => {
    const keys = Object.fromEntries(CURVE_NAMES.map((c) => [c, crypto.generateKeyPairSync("ec", { namedCurve: c })])) as Record<CurveName, crypto.KeyPairKeyObjectResult>;
    const cases = CURVE_NAMES.flatMap((curve) => HASHES.map((hash) => [curve, hash] as const));

    test.each(cases)("%s with %s: DER and P1363 signatures verify with Node, Node's verify here", (curve, hash) => {
        const { privateKey, publicKey } = keys[curve];
        const m = message(`ecdsa ${curve} ${hash}`);
        const d = digestOf(hash, m);
        const alg = { scheme: "ecdsa", hash } as const;

        const derSig = signDigest(privateKey, alg, d, { ecdsaEncoding: "der" });
        expect(derSig[0]).toBe(0x30);
        expect(crypto.verify(hash, m, { key: publicKey, dsaEncoding: "der" }, derSig)).toBe(true);
        expect(verifyDigest(publicKey, alg, d, derSig, { ecdsaEncoding: "der" })).toBe(true);
        // DER is the default encoding.
        expect(verifyDigest(publicKey, alg, d, signDigest(privateKey, alg, d))).toBe(true);
        expect(crypto.verify(hash, m, { key: publicKey, dsaEncoding: "der" }, signDigest(privateKey, alg, d))).toBe(true);

        const p1363 = signDigest(privateKey, alg, d, { ecdsaEncoding: "p1363" });
        expect(p1363.length).toBe(2 * CURVES[curve].size);
        expect(crypto.verify(hash, m, { key: publicKey, dsaEncoding: "ieee-p1363" }, p1363)).toBe(true);
        expect(verifyDigest(publicKey, alg, d, p1363, { ecdsaEncoding: "p1363" })).toBe(true);
        expect(verifyDigest(privateKey, alg, d, p1363, { ecdsaEncoding: "p1363" })).toBe(true);
        // One encoding is not accepted as the other.
        expect(verifyDigest(publicKey, alg, d, p1363, { ecdsaEncoding: "der" })).toBe(false);
        expect(verifyDigest(publicKey, alg, d, derSig, { ecdsaEncoding: "p1363" })).toBe(false);

        const nodeDer = crypto.sign(hash, m, { key: privateKey, dsaEncoding: "der" });
        const nodeP1363 = crypto.sign(hash, m, { key: privateKey, dsaEncoding: "ieee-p1363" });
        expect(verifyDigest(publicKey, alg, d, nodeDer, { ecdsaEncoding: "der" })).toBe(true);
        expect(verifyDigest(publicKey, alg, d, nodeP1363, { ecdsaEncoding: "p1363" })).toBe(true);

        const other = digestOf(hash, message("other"));
        expect(verifyDigest(publicKey, alg, other, nodeDer)).toBe(false);
        expect(verifyDigest(publicKey, alg, other, p1363, { ecdsaEncoding: "p1363" })).toBe(false);
    });

    test("signatures are randomised (fresh k each time)", () => {
        const d = digestOf("sha256", message("random k"));
        const a = signDigest(keys.prime256v1.privateKey, { scheme: "ecdsa", hash: "sha256" }, d, { ecdsaEncoding: "p1363" });
        const b = signDigest(keys.prime256v1.privateKey, { scheme: "ecdsa", hash: "sha256" }, d, { ecdsaEncoding: "p1363" });
        expect(a.subarray(0, 32).equals(b.subarray(0, 32))).toBe(false);
    });

    test.each(CURVE_NAMES)("%s: flipped bits, a wrong key, out-of-range r and s, trailing or missing bytes all fail; (r, n - s) is valid", (curve) => {
        const { privateKey, publicKey } = keys[curve];
        const { n, size } = CURVES[curve];
        const hash = curve === "secp521r1" ? "sha512" : curve === "secp384r1" ? "sha384" : "sha256";
        const alg = { scheme: "ecdsa", hash } as const;
        const m = message(`range ${curve}`);
        const d = digestOf(hash, m);
        const sig = signDigest(privateKey, alg, d, { ecdsaEncoding: "p1363" });
        const [r, s] = splitP1363(sig);
        const p1363 = (a: bigint, b: bigint) => Buffer.concat([fixed(a, size), fixed(b, size)]);
        const check = (candidate: Buffer, encoding: "der" | "p1363") => verifyDigest(publicKey, alg, d, candidate, { ecdsaEncoding: encoding });

        expect(check(p1363(r, s), "p1363")).toBe(true);
        expect(check(der(r, s), "der")).toBe(true);
        // The other s of the pair is a valid signature too (ECDSA malleability); Node agrees.
        expect(check(p1363(r, n - s), "p1363")).toBe(true);
        expect(crypto.verify(hash, m, { key: publicKey, dsaEncoding: "ieee-p1363" }, p1363(r, n - s))).toBe(true);

        for (const i of [0, d.length - 1]) expect(verifyDigest(publicKey, alg, flipBit(d, i), sig, { ecdsaEncoding: "p1363" })).toBe(false);
        for (const i of [0, size - 1, size, 2 * size - 1]) expect(check(flipBit(sig, i), "p1363")).toBe(false);
        const other = CURVE_NAMES.find((c) => c !== curve && CURVES[c].size === size) ?? curve;
        if (other !== curve) expect(verifyDigest(keys[other].publicKey, alg, d, sig, { ecdsaEncoding: "p1363" })).toBe(false);
        expect(verifyDigest(crypto.generateKeyPairSync("ec", { namedCurve: curve }).publicKey, alg, d, sig, { ecdsaEncoding: "p1363" })).toBe(false);

        // r and s must be in [1, n-1]; r + n and s + n are the same residues but out of range.
        expect(check(p1363(0n, s), "p1363")).toBe(false);
        expect(check(p1363(r, 0n), "p1363")).toBe(false);
        expect(check(p1363(n, s), "p1363")).toBe(false);
        expect(check(p1363(r, n), "p1363")).toBe(false);
        expect(check(der(0n, s), "der")).toBe(false);
        expect(check(der(r, 0n), "der")).toBe(false);
        expect(check(der(r + n, s), "der")).toBe(false);
        expect(check(der(r, s + n), "der")).toBe(false);
        expect(check(der(n, s), "der")).toBe(false);

        // Encodings: P1363 is exactly 2 × |n| bytes; DER has nothing after the SEQUENCE.
        expect(check(sig.subarray(1), "p1363")).toBe(false);
        expect(check(Buffer.concat([sig, Buffer.alloc(1)]), "p1363")).toBe(false);
        expect(check(Buffer.concat([der(r, s), Buffer.alloc(1)]), "der")).toBe(false);
        expect(check(der(r, s, Buffer.from([0x05, 0x00])), "der")).toBe(false);
        expect(check(der(r, s).subarray(0, -1), "der")).toBe(false);
        expect(check(Buffer.alloc(0), "der")).toBe(false);
        expect(check(Buffer.alloc(0), "p1363")).toBe(false);
    });

    test("P1363 is exactly 2 × |n| bytes even where a shorter s would have the same value", () => {
        const { privateKey, publicKey } = keys.prime256v1;
        const alg = { scheme: "ecdsa", hash: "sha256" } as const;
        const d = digestOf("sha256", message("short s"));
        let sig = signDigest(privateKey, alg, d, { ecdsaEncoding: "p1363" });
        // About one signature in 256 has an s below 2^248; 4000 tries miss one with probability < 1e-6.
        for (let i = 0; i < 4000 && sig[32] !== 0; i++) sig = signDigest(privateKey, alg, d, { ecdsaEncoding: "p1363" });
        expect(sig[32]).toBe(0);
        expect(verifyDigest(publicKey, alg, d, sig, { ecdsaEncoding: "p1363" })).toBe(true);
        expect(verifyDigest(publicKey, alg, d, Buffer.concat([sig.subarray(0, 32), sig.subarray(33)]), { ecdsaEncoding: "p1363" })).toBe(false);
    });

    test("a digest longer than n is truncated to its leftmost bits: SHA-512 on P-256 ignores the last 256 bits", () => {
        const { privateKey, publicKey } = keys.prime256v1;
        const d = digestOf("sha512", message("truncation"));
        const sig = signDigest(privateKey, { scheme: "ecdsa", hash: "sha512" }, d, { ecdsaEncoding: "p1363" });
        const sameLeft = Buffer.concat([d.subarray(0, 32), Buffer.alloc(32, 0xab)]);
        expect(verifyDigest(publicKey, { scheme: "ecdsa", hash: "sha512" }, sameLeft, sig, { ecdsaEncoding: "p1363" })).toBe(true);
        expect(verifyDigest(publicKey, { scheme: "ecdsa", hash: "sha512" }, flipBit(d, 31), sig, { ecdsaEncoding: "p1363" })).toBe(false);
    });

    test("P-521 (521-bit n): signatures are 132 bytes as P1363, DER uses the long length form", () => {
        const d = digestOf("sha512", message("p521"));
        const derSig = signDigest(keys.secp521r1.privateKey, { scheme: "ecdsa", hash: "sha512" }, d);
        expect(derSig[1]).toBe(0x81);
        expect(derSig.length).toBe(derSig[2] + 3);
    });
});

describe("caller mistakes throw DigestSignatureError", () => {
    const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ed = crypto.generateKeyPairSync("ed25519");

    test.each(["pkcs1", "pss", "ecdsa"] as const)("%s: a digest of the wrong length, for sign and verify", (scheme) => {
        const key = scheme === "ecdsa" ? ec : rsa;
        for (const hash of HASHES) {
            for (const length of [0, HASH_BYTES[hash] - 1, HASH_BYTES[hash] + 1, hash === "sha256" ? 48 : 32]) {
                const error = new DigestSignatureError("digest-length", `a ${hash} digest is ${HASH_BYTES[hash]} bytes (got ${length})`);
                expect(() => signDigest(key.privateKey, { scheme, hash }, Buffer.alloc(length, 1))).toThrow(error);
                expect(() => verifyDigest(key.publicKey, { scheme, hash }, Buffer.alloc(length, 1), Buffer.alloc(256))).toThrow(error);
            }
        }
        try {
            signDigest(key.privateKey, { scheme, hash: "sha256" }, Buffer.alloc(31));
            throw new Error("did not throw");
        } catch (e) {
            expect(e).toBeInstanceOf(DigestSignatureError);
            expect((e as DigestSignatureError).code).toBe("digest-length");
        }
    });

    test("a key of the wrong type, or a public key to sign with", () => {
        const d = digestOf("sha256", message("keys"));
        expect(() => signDigest(ec.privateKey, { scheme: "pkcs1", hash: "sha256" }, d)).toThrow(new DigestSignatureError("key-type", "an RSA signature needs an RSA key (got ec)"));
        expect(() => verifyDigest(ec.publicKey, { scheme: "pss", hash: "sha256" }, d, Buffer.alloc(256))).toThrow(new DigestSignatureError("key-type", "an RSA signature needs an RSA key (got ec)"));
        expect(() => signDigest(rsa.privateKey, { scheme: "ecdsa", hash: "sha256" }, d)).toThrow(new DigestSignatureError("key-type", "an ECDSA signature needs an EC key (got rsa)"));
        expect(() => verifyDigest(ed.publicKey, { scheme: "ecdsa", hash: "sha256" }, d, Buffer.alloc(64))).toThrow(new DigestSignatureError("key-type", "an ECDSA signature needs an EC key (got ed25519)"));
        expect(() => signDigest(rsa.publicKey, { scheme: "pkcs1", hash: "sha256" }, d)).toThrow(new DigestSignatureError("key-type", "signing needs a private key (got a public key)"));
        expect(() => signDigest(ec.publicKey, { scheme: "ecdsa", hash: "sha256" }, d)).toThrow(new DigestSignatureError("key-type", "signing needs a private key (got a public key)"));
    });
});
