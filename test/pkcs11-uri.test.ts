/**
 * The `{pkcs11: <RFC 7512 URI>}` descriptor without a token: parsing (percent-encoding, each attribute at most
 * once, path and query attributes), every problem named by its attribute, `pin-value` refused in specs, and the
 * descriptor in a hierarchy that validates offline.
 */
import { materialSourceIssues, formatSourceIssue, describeSource } from "../sdk/byok/sources";
import { parsePkcs11Uri } from "../sdk/byok/pkcs11/uri";
import { modulePathFor } from "../sdk/byok/pkcs11/module";
import { validateHierarchy } from "../sdk/schema/validate";
import { KeyHierarchy } from "../sdk/hierarchy";
import { byName, byType, runUnderMocks } from "../sdk/preview/harness";
import { validSpec } from "./fixtures/specs";

const issuesOf = (pkcs11: unknown) => materialSourceIssues({ pkcs11 }).map((i) => formatSourceIssue(i));

describe("parsePkcs11Uri", () => {
    test("the issue's example, with percent-encoding and an id", () => {
        const { uri, issues } = parsePkcs11Uri("pkcs11:token=keys;object=card-data;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:HSM_PIN");
        expect(issues).toEqual([]);
        expect(uri).toEqual({ token: "keys", object: "card-data", type: "secret-key", modulePath: "/usr/lib/softhsm/libsofthsm2.so", pinSource: { env: "HSM_PIN" } });
        const b = parsePkcs11Uri("pkcs11:serial=476c0353;manufacturer=SoftHSM%20project;id=%01%a0%FF;object=My%20Key%3B%E2%82%AC?pin-source=file:///run/secrets/hsm-pin");
        expect(b.uri).toEqual({ serial: "476c0353", manufacturer: "SoftHSM project", id: Buffer.from([1, 0xa0, 0xff]), object: "My Key;€", pinSource: { file: "/run/secrets/hsm-pin" } });
        expect(parsePkcs11Uri("pkcs11:slot-id=3;object=k?pin-source=file:pin.txt&module-name=softhsm2").uri).toEqual({ slotId: 3, object: "k", pinSource: { file: "pin.txt" }, moduleName: "softhsm2" });
        // pin-value only where allowed (the CLI and tests).
        expect(parsePkcs11Uri("pkcs11:token=t;object=k?pin-value=1234", { allowPinValue: true }).uri).toEqual({ token: "t", object: "k", pinValue: "1234" });
    });

    test("each problem names its attribute, what is allowed and what was received (never a PIN)", () => {
        expect(issuesOf("token=keys;object=k")).toEqual([
            'material.pkcs11: is not a PKCS#11 URI (RFC 7512): it must start with "pkcs11:" (allowed: pkcs11:token=<label>;object=<label>[;type=secret-key|private][;id=<%xx bytes>]?pin-source=env:<NAME>|file:<path>[&module-path=<library>], got: "token=keys;object=k")',
        ]);
        expect(issuesOf("pkcs11:token=my keys;object=k%zz;type=cert;label=x;token=again?pin-source=|/bin/cat&module-path=lib.so&pin-value=9999")).toEqual([
            'material.pkcs11: token holds characters that must be percent-encoded in a PKCS#11 URI (RFC 7512), such as space, / " # < > \\ ^ ` { } and non-ASCII (allowed: e.g. %20 for a space, %2F for /, got: "my keys")',
            'material.pkcs11: object has a % not followed by two hex digits (allowed: %xx percent-encoding, got: "k%zz")',
            "material.pkcs11: label is not a path attribute keyfabric reads (allowed: token, serial, manufacturer, model, slot-id, object, id, type)",
            "material.pkcs11: token appears more than once (RFC 7512: each attribute at most once)",
            'material.pkcs11: type is not a type of key material (a public key or certificate holds no private material to import) (allowed: secret-key, private, got: "cert")',
            'material.pkcs11: module-path is not an absolute path (allowed: the absolute path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so, got: "lib.so")',
            'material.pkcs11: pin-source is not a PIN source keyfabric reads (a command is not run for a PIN) (allowed: env:<NAME> or file:<path>, got: "|/bin/cat")',
            "material.pkcs11: pin-value is refused here: a PIN in the descriptor would be kept in state and logs (allowed: pin-source=env:<NAME> or pin-source=file:<path> (pin-value is for the CLI and tests))",
        ]);
        expect(issuesOf("pkcs11:token=t;object?pin-source=env:P")).toEqual([
            "material.pkcs11: object has no value (allowed: object=<value>)",
        ]);
        expect(issuesOf("pkcs11:object=k")).toEqual([
            "material.pkcs11: token is missing: name the token by token (its label), serial or slot-id (allowed: pkcs11:token=<label>;object=<label>[;type=secret-key|private][;id=<%xx bytes>]?pin-source=env:<NAME>|file:<path>[&module-path=<library>])",
            "material.pkcs11: pin-source is missing: the token's user PIN is needed to use its keys (allowed: pin-source=env:<NAME> or pin-source=file:<path>)",
        ]);
        expect(issuesOf("pkcs11:token=t;object=k;pin-source=env:P")).toEqual([
            "material.pkcs11: pin-source is not a path attribute keyfabric reads (it belongs in the query, after ?) (allowed: token, serial, manufacturer, model, slot-id, object, id, type)",
        ]);
        expect(issuesOf("pkcs11:token=t;object=k;slot-id=x?pin-source=env:1BAD")).toEqual([
            'material.pkcs11: slot-id is not a slot number (allowed: a decimal number (CK_SLOT_ID), got: "x")',
            'material.pkcs11: pin-source is not an environment variable name after env: (allowed: letters, digits and _, not starting with a digit, got: "1BAD")',
        ]);
        expect(issuesOf(42)).toEqual(["material.pkcs11: must be a PKCS#11 URI (RFC 7512) (allowed: pkcs11:token=<label>;object=<label>?pin-source=env:<NAME>, got: 42)"]);
        expect(materialSourceIssues({ pkcs11: "pkcs11:token=t;object=k?pin-source=env:P", format: "hex" }).map((i) => formatSourceIssue(i))).toEqual([
            "material: has unknown field format (allowed: pkcs11, generate)",
            // (format is then checked as for every source: hex is one of the values.)
        ]);
        expect(materialSourceIssues({ pkcs11: "pkcs11:token=t;id=%01?pin-source=env:P", generate: true }).map((i) => formatSourceIssue(i))).toEqual([
            "material.generate: needs the key's label in the URI (object=<label>): a key is created and found again by its label (allowed: pkcs11:...;object=<label>...)",
        ]);
        expect(materialSourceIssues({ pkcs11: "pkcs11:token=t;object=k?pin-source=env:P", generate: "yes" }).map((i) => formatSourceIssue(i))).toEqual(['material.generate: must be true or false (allowed: true, false, got: "yes")']);
        expect(materialSourceIssues({ pkcs11: "pkcs11:token=t;object=k?pin-source=env:P", generate: true })).toEqual([]);
        // The PIN is in no message.
        expect(issuesOf("pkcs11:token=t;object=k?pin-value=secret-1234").join("\n")).not.toContain("secret-1234");
        expect(issuesOf("pkcs11:token=t;object=k?pin-value=se%zzcret").join("\n")).not.toContain("se%zzcret");
    });

    test("descriptions name the key and token, never the PIN", () => {
        expect(describeSource({ pkcs11: "pkcs11:token=keys;object=card-data?pin-value=1234" })).toBe('PKCS#11 object "card-data" in token "keys"');
        expect(describeSource({ pkcs11: "pkcs11:serial=abc;id=%01%02;type=private?pin-source=env:P" })).toBe("PKCS#11 id 0102 (private) in token with serial abc");
    });

    test("module-path defaults to SoftHSM2 where installed; a missing library is named", () => {
        const none = () => false;
        expect(modulePathFor({}, "w", (p) => p === "/usr/lib64/pkcs11/libsofthsm2.so")).toBe("/usr/lib64/pkcs11/libsofthsm2.so");
        expect(() => modulePathFor({}, "w", none)).toThrow(/^w: module-path is missing and SoftHSM2 is not installed here \(looked in \/usr\/lib\/softhsm\/libsofthsm2\.so, .*\); give module-path=<the HSM's PKCS#11 library>$/);
        expect(() => modulePathFor({ moduleName: "opensc-pkcs11" }, "w", none)).toThrow(/^w: module-name opensc-pkcs11: not found in /);
        expect(modulePathFor({ moduleName: "opensc-pkcs11" }, "w", (p) => p === "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so")).toBe("/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so");
    });
});

describe("a hierarchy with a pkcs11 source", () => {
    const spec = (pkcs11: string) => ({
        name: "acme",
        owner: "sec",
        clouds: { aws: { region: "eu-west-1", accountId: "111122223333" }, gcp: { project: "acme-keys", location: "europe-west1" } },
        domains: [{ name: "payments", classification: "internal", keys: [{ name: "card-data", purpose: "encrypt", algorithm: "AES_256", origin: "byok", material: { pkcs11 } }] }],
    });
    test("validates offline (nothing is loaded or opened)", () => {
        const r = validateHierarchy(spec("pkcs11:token=keys;object=card-data;type=secret-key?pin-source=env:HSM_PIN&module-path=/opt/vendor/lib/libhsm.so"));
        expect(r.domains[0].keys[0].material).toEqual({ pkcs11: "pkcs11:token=keys;object=card-data;type=secret-key?pin-source=env:HSM_PIN&module-path=/opt/vendor/lib/libhsm.so" });
    });
    test("what can be known offline is a warning: the library and the PIN variable not here", () => {
        delete process.env.KF_URI_TEST_UNSET_PIN;
        const r = validateHierarchy(spec("pkcs11:token=keys;object=card-data?pin-source=env:KF_URI_TEST_UNSET_PIN&module-path=/opt/vendor/lib/libhsm.so"));
        expect(r.warnings.map((w) => [w.path, w.message, w.got])).toEqual([
            [
                "domains[0].keys[0].material.pkcs11",
                "names a PKCS#11 library that is not here (module-path /opt/vendor/lib/libhsm.so: no such file (allowed: the absolute path of the token's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so)): the import at deploy time would fail unless it is there",
                "/opt/vendor/lib/libhsm.so",
            ],
            ["domains[0].keys[0].material.pkcs11", "pin-source env:KF_URI_TEST_UNSET_PIN: the environment variable is not set here: the import at deploy time would fail unless it is set there", "KF_URI_TEST_UNSET_PIN"],
        ]);
    });
    test("previews offline: one HSM key, one import per cloud, each holding the descriptor only", async () => {
        const material = { pkcs11: "pkcs11:token=keys;object=receipts-signer;type=private?pin-source=env:HSM_PIN", generate: true };
        const s: any = validSpec();
        s.domains[0].keys = [{ name: "signer", purpose: "sign", algorithm: "EC_P256", origin: "byok", material }];
        const run = await runUnderMocks(() => new KeyHierarchy("kf", s));
        const imports = ["AwsImportedKeyMaterial", "GcpImportedKeyVersion", "AzureImportedKey"].flatMap((t) => byType(run, `pulumi-nodejs:dynamic/keyfabric:${t}`));
        expect(imports.map((r) => r.name).sort()).toEqual(["kf-payments-signer-aws-material", "kf-payments-signer-azure-key", "kf-payments-signer-gcp-material"]);
        for (const r of imports) expect(r.inputs.material).toEqual(material);
        expect(byName(run, "kf-payments-signer-aws-fingerprint").inputs.material).toEqual(material);
    });
    test("pin-value is refused, with the key's path", () => {
        expect(() => validateHierarchy(spec("pkcs11:token=keys;object=card-data?pin-value=1234"))).toThrow(
            "domains[0].keys[0].material.pkcs11: pin-value is refused here: a PIN in the descriptor would be kept in state and logs (allowed: pin-source=env:<NAME> or pin-source=file:<path> (pin-value is for the CLI and tests))",
        );
    });
});
