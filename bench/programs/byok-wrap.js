"use strict";
/**
 * BYOK wrap cost, per operation, in a fresh node: keyfabric's AWS wrap (lib/byok/wrap.js wrapForAws) against the bare
 * crypto a correct wrap cannot avoid.
 *   node byok-wrap.js keyfabric|bare|bare-parse AES_256|RSA_4096|EC_P384 FIXTURES.json ITERATIONS
 * FIXTURES.json (written once by the bench): the RSA-4096 wrapping public key (SPKI DER, as GetParametersForImport
 * returns it) and the material (32 random bytes; PKCS#8 DER of an RSA-4096 / P-384 private key), base64.
 *  - keyfabric: wrapForAws(material, spkiDer, RSAES_OAEP_SHA_256 for AES, RSA_AES_KEY_WRAP_SHA_256 otherwise), which
 *    parses the SPKI each call, as the provider does once per import.
 *  - bare: the same cryptography on an already-parsed key: AES: one crypto.publicEncrypt (OAEP SHA-256) of the 32
 *    bytes. RSA/EC (PKCS#8 is bigger than OAEP's 446-byte capacity): one publicEncrypt of a fresh 32-byte AES key +
 *    AES-256-KWP (RFC 5649) of the material with node's id-aes256-wrap-pad: the minimum CKM_RSA_AES_KEY_WRAP needs.
 *  - bare-parse: bare, plus parsing the SPKI each time (every import gets a fresh wrapping key, so must parse it).
 */
const crypto = require("crypto");
const fs = require("fs");
const { runChild } = require("./report");

runChild(() => {
    const [variant, keyType, fixturesFile, iterations] = process.argv.slice(2);
    const fixtures = JSON.parse(fs.readFileSync(fixturesFile, "utf8"));
    const spki = Buffer.from(fixtures.wrappingSpki, "base64");
    const material = Buffer.from(fixtures.material[keyType], "base64");
    let op;
    if (variant === "keyfabric") {
        const wrap = require("../../lib/byok/wrap");
        const algorithm = wrap.awsWrappingAlgorithmFor(wrap.materialKindFor(keyType));
        op = () => wrap.wrapForAws(material, spki, algorithm);
    } else {
        const parsed = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
        const key = variant === "bare-parse" ? () => crypto.createPublicKey({ key: spki, format: "der", type: "spki" }) : () => parsed;
        const oaep = (data) => crypto.publicEncrypt({ key: key(), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, data);
        const iv = Buffer.from("a65959a6", "hex");
        op =
            keyType === "AES_256"
                ? () => oaep(material)
                : () => {
                      const k = crypto.randomBytes(32);
                      const c = crypto.createCipheriv("id-aes256-wrap-pad", k, iv);
                      return Buffer.concat([oaep(k), c.update(material), c.final()]);
                  };
    }
    const n = Number(iterations);
    let bytes = 0;
    for (let i = 0; i < Math.min(50, n); i++) bytes = op().length; // warm-up
    const t0 = performance.now();
    for (let i = 0; i < n; i++) op();
    const perOpUs = ((performance.now() - t0) * 1000) / n;
    return { variant, keyType, iterations: n, perOpUs, materialBytes: material.length, wrappedBytes: bytes };
});
