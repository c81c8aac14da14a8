/**
 * Every row of the bad-input review (`../shared/docs/bad-inputs-review.md`) whose surface is
 * `preview --stack (hierarchy spec)`, re-run through the validation `keyfabric preview` runs (the hierarchy in stack
 * config reaches `validateHierarchy` as JSON: YAML `.nan`/`.inf` arrive as null). Each row gives the review's id, its
 * input, and exactly the problems (errors) and warnings the spec now gets. None is silently accepted, none crashes:
 * an input that is fine is accepted with a test saying so (and, where it could still trip a deployment, a warning).
 *
 * Left out, because they never reach the spec: P92 (the config value is not an object), P93 (no config value), P94
 * (YAML syntax), P95 (an encrypted config value) and P96 (a YAML alias bomb) are the config loader's
 * (`sdk/preview/project.ts`, `pulumi.Config`).
 */
import * as path from "path";
import { KeyfabricValidationError, formatIssue } from "../sdk/schema/errors";
import { validateHierarchy } from "../sdk/schema/validate";
import { byok, Files, key0, makeReviewFiles, Mutator, previewRows, removeReviewFiles, withAzure } from "./fixtures/bad-inputs-preview";
import { ACCOUNT, reviewSpec } from "./fixtures/specs";

/** The review ran on 2026-12-01; `validTo` is judged against this. */
const NOW = new Date("2026-12-01T00:00:00Z");

let files: Files;
beforeAll(() => {
    files = makeReviewFiles();
    delete process.env.KF_REVIEW_UNSET;
});
afterAll(() => removeReviewFiles(files));

/** Errors and warnings, as `path: message (allowed: …, got: …)`, with the temporary directory shown as `<tmp>`. */
function outcome(spec: unknown): { errors: string[]; warnings: string[] } {
    const tmp = (s: string) => s.split(path.dirname(files.dir)).join("<tmp>");
    try {
        const r = validateHierarchy(spec, { now: NOW });
        return { errors: [], warnings: r.warnings.map((w) => tmp(formatIssue(w))) };
    } catch (e) {
        if (!(e instanceof KeyfabricValidationError)) throw e;
        return { errors: e.issues.map((i) => tmp(formatIssue(i))), warnings: [] };
    }
}

test.each(previewRows)("%s %s", (_id, _input, mutate, errors, warnings = []) => {
    const spec = reviewSpec();
    mutate(spec, files);
    expect(outcome(spec)).toEqual({ errors, warnings });
});

test("the base of the review is valid, with no warnings", () => {
    expect(outcome(reviewSpec())).toEqual({ errors: [], warnings: [] });
    expect(ACCOUNT).toBe("111122223333");
});

const awsOnly = (s: any) => (key0(s).clouds = ["aws"]);
const gcpOnly = (s: any) => (key0(s).clouds = ["gcp"]);
const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "x"]));
const domain = (name: string, keys: string[]) => ({ name, classification: "confidential", keys: keys.map((k) => ({ name: k, purpose: "sign", algorithm: "EC_P256" })) });

// Names, ids, tags and dates beyond what the clouds take, besides the review's rows: [case, change, errors, warnings]
const limits: [string, Mutator, string[], string[]?][] = [
    // Pulumi names, per cloud
    ["collision in all three clouds", (s) => { withAzure(s); s.domains = [domain("pay-ments", ["x"]), domain("pay", ["ments-x"])]; }, [`domains[1].keys[0].name: key pay/ments-x and key pay-ments/x (domains[0].keys[0].name) would both create the Pulumi resources keyfabric:aws:Key "acme-pay-ments-x-aws", keyfabric:gcp:Key "acme-pay-ments-x-gcp" and keyfabric:azure:Key "acme-pay-ments-x-azure": resource names join the hierarchy, domain and key names with hyphens, and must be unique (allowed: domain and key names that do not join to the same name (rename one of them), got: "ments-x")`]],
    ["a join collision that ends in a cloud's suffix", (s) => { s.domains = [domain("a", ["b-gcp"]), domain("a-b", ["gcp"])]; }, [`domains[1].keys[0].name: key a-b/gcp and key a/b-gcp (domains[0].keys[0].name) would both create the Pulumi resources keyfabric:aws:Key "acme-a-b-gcp-aws" and keyfabric:gcp:Key "acme-a-b-gcp-gcp": resource names join the hierarchy, domain and key names with hyphens, and must be unique (allowed: domain and key names that do not join to the same name (rename one of them), got: "gcp")`]],
    ["the KeyHierarchy's own name prefixes the names", (s) => { s.domains = [domain("pay-ments", ["x"]), domain("pay", ["ments-x"])]; s.clouds = { gcp: s.clouds.gcp }; }, [`domains[1].keys[0].name: key pay/ments-x and key pay-ments/x (domains[0].keys[0].name) would both create the Pulumi resource keyfabric:gcp:Key "acme-pay-ments-x-gcp": resource names join the hierarchy, domain and key names with hyphens, and must be unique (allowed: domain and key names that do not join to the same name (rename one of them), got: "ments-x")`]],
    ["no collision: different names that stay different", (s) => { s.domains = [domain("pay", ["ments"]), domain("pay-x", ["ments"])]; }, []],
    // cloud-side names
    ["Azure key names collide in the existing vault", (s) => { withAzure(s); s.clouds.azure.vault = { name: "kv-shared" }; s.domains = [domain("pay-ments", ["x"]), domain("pay", ["ments-x"])]; s.domains.forEach((d: any) => (d.keys[0].clouds = ["azure"])); }, [`domains[1].keys[0].name: key pay/ments-x and key pay-ments/x (domains[0].keys[0].name) would both create the Pulumi resource keyfabric:azure:Key "acme-pay-ments-x-azure": resource names join the hierarchy, domain and key names with hyphens, and must be unique (allowed: domain and key names that do not join to the same name (rename one of them), got: "ments-x")`, `domains[1].keys[0].name: key pay/ments-x and key pay-ments/x (domains[0].keys[0]) would both be the Azure key "pay-ments-x" in the existing Key Vault kv-shared (clouds.azure.vault.name): Azure key names are <domain>-<key> (allowed: domain and key names that do not join to the same name (rename one of them), got: "ments-x")`]],
    ["a user alias is another key's default alias", (s) => { s.domains[0].keys.push({ name: "receipts", purpose: "encrypt", algorithm: "AES_256", aliases: ["acme/payments/card-data"] }); }, [`domains[0].keys[1].aliases[0]: is the default alias of key payments/card-data (alias/<hierarchy>/<domain>/<key>): AWS alias names are unique per account and Region (allowed: an alias name no key of the hierarchy has by default, got: "acme/payments/card-data")`]],
    ["a user alias is the key's own default alias", (s) => (key0(s).aliases = ["acme/payments/card-data"]), [`domains[0].keys[0].aliases[0]: is this key's default alias already (alias/<hierarchy>/<domain>/<key>) (allowed: an alias name no key of the hierarchy has by default, got: "acme/payments/card-data")`]],
    ["GCP key ring id of exactly 63 characters", (s) => { s.name = "a".repeat(31); s.domains[0].name = "d".repeat(31); }, []],
    ["a key ring id too long, but no GCP key in the domain", (s) => { s.name = "a".repeat(32); s.domains[0].name = "d".repeat(32); awsOnly(s); }, []],
    ["Key Vault name with two hyphens in a row", (s) => { withAzure(s); s.clouds.azure.vault = { name: "kv--shared" }; key0(s).clouds = ["aws", "gcp"]; }, [`clouds.azure.vault.name: is not a Key Vault name (allowed: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no two hyphens in a row, got: "kv--shared")`]],
    ["Managed HSM name ending with a hyphen", (s) => { withAzure(s); s.clouds.azure.managedHsm = { name: "hsm-" }; key0(s).protection = "hsm"; }, [`clouds.azure.managedHsm.name: is not a Managed HSM name (allowed: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no two hyphens in a row, got: "hsm-")`]],
    ["alias of 250 characters (alias/ + 250 = 256)", (s) => (key0(s).aliases = ["a".repeat(250)]), []],
    ["alias of 251 characters", (s) => (key0(s).aliases = ["a".repeat(251)]), [`domains[0].keys[0].aliases[0]: is not a valid alias (allowed: 1-250 letters, digits, / _ - (without alias/), not starting with aws/, got: "${"a".repeat(77)}...")`]],
    // tags, per cloud
    ["tag value of 100 characters on an AWS-only key", (s) => { awsOnly(s); key0(s).tags = { note: "v".repeat(100) }; }, []],
    ["tag value of 64 characters on a GCP key", (s) => (key0(s).tags = { note: "v".repeat(64) }), [`domains[0].keys[0].tags.note: has a value of 64 characters, longer than GCP label values (at most 63) allow (allowed: at most 63 characters, got: "${"v".repeat(64)}")`]],
    ["tag value of 257 characters in Azure", (s) => { withAzure(s); Object.assign(key0(s), { algorithm: "RSA_2048", clouds: ["azure"], tags: { note: "v".repeat(257) } }); }, [`domains[0].keys[0].tags.note: has a value of 257 characters, longer than Azure tag values (at most 256) allow (allowed: at most 256 characters, got: "${"v".repeat(77)}...")`]],
    ["tag key of 129 characters on an AWS-only key", (s) => { awsOnly(s); key0(s).tags = { ["k".repeat(129)]: "x" }; }, [`domains[0].keys[0].tags.${"k".repeat(129)}: is a tag key of 129 characters, longer than AWS KMS tag keys (at most 128) allow (allowed: at most 128 characters, got: "${"k".repeat(77)}...")`]],
    ["tag key of 64 characters after the k GCP adds", (s) => { gcpOnly(s); key0(s).tags = { ["1".repeat(63)]: "x" }; }, [`domains[0].keys[0].tags.${"1".repeat(63)}: is a tag key of 64 characters, longer than GCP label keys (at most 63) allow (allowed: at most 63 characters, got: "${"1".repeat(63)}")`]],
    ["45 tags of one's own: AWS's 50 with keyfabric's 5", (s) => { awsOnly(s); key0(s).tags = manyTags(45); }, []],
    ["46 tags from defaults and the key", (s) => { awsOnly(s); s.defaults = { tags: manyTags(40) }; key0(s).tags = { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6" }; }, [`domains[0].keys[0].tags: gets 46 tags (defaults, domain and key tags together) besides keyfabric's 5 correlation tags, more than AWS KMS tags (at most 50 per key) allow (allowed: at most 45 tags of your own, got: 46)`]],
    ["60 tags on a GCP key (64 labels)", (s) => { gcpOnly(s); key0(s).tags = manyTags(60); }, [`domains[0].keys[0].tags: gets 60 tags (defaults, domain and key tags together) besides keyfabric's 5 correlation tags, more than GCP labels (at most 64 per key) allow (allowed: at most 59 tags of your own, got: 60)`]],
    ["Azure tag name with a slash", (s) => { withAzure(s); Object.assign(key0(s), { algorithm: "RSA_2048", clouds: ["azure"], tags: { "team/name": "x" } }); }, [`domains[0].keys[0].tags.team/name: has a character Azure tag names cannot contain (allowed: any characters but < > % & \\ ? /, got: "team/name")`]],
    ["Azure tag names that differ in case", (s) => { withAzure(s); s.defaults = { tags: { Env: "prod" } }; Object.assign(key0(s), { algorithm: "RSA_2048", clouds: ["azure"], tags: { env: "dev" } }); }, [`domains[0].keys[0].tags.env: is the same Azure tag name as defaults.tags.Env: Azure tag names ignore case, so one tag would overwrite the other (allowed: tag keys that differ in more than case, got: "env")`]],
    ["the same tag key in defaults and key: the key's wins", (s) => { s.defaults = { tags: { env: "prod" } }; key0(s).tags = { env: "dev" }; }, []],
    ["a key tag in other case than a defaults tag, AWS only (case-sensitive)", (s) => { awsOnly(s); s.defaults = { tags: { Env: "prod" } }; key0(s).tags = { env: "dev" }; }, []],
    ["tag keys in upper case become one GCP label", (s) => (key0(s).tags = { ENV: "a", env: "b" }), [`domains[0].keys[0].tags.env: becomes the GCP label key "env", as does domains[0].keys[0].tags.ENV: keyfabric lower-cases label keys and replaces characters other than a-z 0-9 _ -, so one label would overwrite the other (allowed: tag keys that stay different as GCP labels, got: "env")`]],
    ["KEYFABRIC-DOMAIN in upper case", (s) => (key0(s).tags = { "KEYFABRIC-DOMAIN": "x" }), [`domains[0].keys[0].tags.KEYFABRIC-DOMAIN: starts with keyfabric: or keyfabric- (in any case), the prefix of keyfabric's correlation tags (keyfabric:domain, keyfabric-domain as a GCP label, ...), which a user tag must not overwrite (allowed: a tag key without that prefix, got: "KEYFABRIC-DOMAIN")`]],
    ["keyfabric_team is not reserved", (s) => (key0(s).tags = { keyfabric_team: "x" }), []],
    ["aws: on a GCP-only key is a label like any other", (s) => { gcpOnly(s); key0(s).tags = { "aws:foo": "x" }; }, []],
    ["tag value with a comma in AWS", (s) => (key0(s).tags = { list: "a,b" }), [`domains[0].keys[0].tags.list: has a value with characters AWS KMS tag values do not allow (allowed: letters, digits, spaces and + - = . _ : / @, got: "a,b")`]],
    ["empty tag key", (s) => (key0(s).tags = { "": "x" }), [`domains[0].keys[0].tags[""]: is an empty tag key: every cloud needs at least one character (allowed: a tag key of 1 character or more, got: "")`]],
    ["owner of 64 characters with GCP", (s) => (s.owner = "o".repeat(64)), [`owner: is the value of the keyfabric-owner label on every GCP key, and GCP label values have at most 63 characters (allowed: at most 63 characters, got: "${"o".repeat(64)}")`]],
    ["owner with parentheses in AWS", (s) => (s.owner = "platform (security)"), [`owner: is the value of the keyfabric:owner tag on every AWS key, and has characters AWS KMS tag values do not allow (allowed: letters, digits, spaces and + - = . _ : / @, got: "platform (security)")`]],
    // validTo
    ["validTo 364 days ahead", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2027-11-30T00:00:00Z" }), []],
    ["validTo exactly 365 days ahead", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2027-12-01T00:00:00Z" }), []],
    ["validTo 365 days and a second ahead", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2027-12-01T00:00:01Z" }), [`domains[0].keys[0].validTo: is more than 365 days ahead: AWS ImportKeyMaterial takes a ValidTo at most 365 days after the import (allowed: a date-time after now (2026-12-01T00:00:00Z) and at most 365 days ahead (2027-12-01T00:00:00Z), or leave validTo out: the material does not expire, got: "2027-12-01T00:00:01Z")`]],
    ["validTo now", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2026-12-01T00:00:00Z" }), [`domains[0].keys[0].validTo: is in the past: AWS ImportKeyMaterial takes only a future ValidTo (and deletes expired material, leaving the key unusable) (allowed: a date-time after now (2026-12-01T00:00:00Z) and at most 365 days ahead (2027-12-01T00:00:00Z), or leave validTo out: the material does not expire, got: "2026-12-01T00:00:00Z")`]],
    ["validTo in 10 days: a warning", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2026-12-11T00:00:00Z" }), [], [`domains[0].keys[0].validTo: expires in 10 days: AWS then deletes the imported material and the key is unusable until it is imported again (got: "2026-12-11T00:00:00Z")`]],
    ["validTo with an offset", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2027-06-30T00:00:00+02:00" }), []],
    ["validTo on a GCP-only byok key", (s, f) => Object.assign(byok(s, { file: f.regular }), { clouds: ["gcp"], validTo: "2027-06-30T00:00:00Z" }), [`domains[0].keys[0].validTo: is the expiry of material imported into AWS: it needs origin byok and an AWS instance (allowed: leave validTo out (Cloud KMS and Azure imported keys do not expire), or origin: byok with aws in clouds, got: "2027-06-30T00:00:00Z")`]],
    // material sources
    ["a regular file of its owner's only: fine", (s, f) => byok(s, { file: f.regular }), []],
    ["an environment variable that is set: fine", (s) => byok(s, { env: "PATH" }), []],
    ["an empty environment variable", (s) => { process.env.KF_REVIEW_EMPTY = ""; byok(s, { env: "KF_REVIEW_EMPTY" }); }, [], [`domains[0].keys[0].material.env: names an environment variable that is empty here: the import at deploy time would fail unless it holds the material there (got: "KF_REVIEW_EMPTY")`]],
    ["a command whose program is not on PATH", (s) => byok(s, { command: ["kf-no-such-program", "--key"] }), [], [`domains[0].keys[0].material.command[0]: is a program that cannot be found here (not on PATH): the import at deploy time would fail unless it exists there (got: "kf-no-such-program")`]],
    ["a command whose program path does not exist", (s) => byok(s, { command: ["/nonexistent/vault", "read"] }), [], [`domains[0].keys[0].material.command[0]: is a program that cannot be found here (no such executable file): the import at deploy time would fail unless it exists there (got: "/nonexistent/vault")`]],
    ["byok in GCP without material: import-ready, fine", (s) => Object.assign(key0(s), { origin: "byok", clouds: ["gcp"] }), []],
    ["a PKCS#11 key into Azure with protection software (the default)", (s, f) => { withAzure(s); Object.assign(key0(s), { purpose: "sign", algorithm: "EC_P256", origin: "byok", clouds: ["azure"], material: { pkcs11: `pkcs11:token=keys;object=signer?pin-source=file:${f.regular}` } }); }, [`domains[0].keys[0].protection: is software (the default), and a key in a PKCS#11 token is imported into Azure only with protection hsm (a BYOK blob wrapped in the token): a software import would need its plaintext as a JWK (allowed: hsm (on the key, its domain or defaults), or leave azure out of this key's clouds, got: "software")`]],
    ["a PKCS#11 key into Azure with the domain's protection software", (s, f) => { withAzure(s); s.domains[0].protection = "software"; Object.assign(key0(s), { purpose: "sign", algorithm: "EC_P256", origin: "byok", clouds: ["azure", "aws"], material: { pkcs11: `pkcs11:token=keys;object=signer?pin-source=file:${f.regular}` } }); }, [`domains[0].keys[0].protection: is software (the domain's), and a key in a PKCS#11 token is imported into Azure only with protection hsm (a BYOK blob wrapped in the token): a software import would need its plaintext as a JWK (allowed: hsm (on the key, its domain or defaults), or leave azure out of this key's clouds, got: "software")`]],
    ["a PKCS#11 key into Azure with protection hsm: fine", (s, f) => { withAzure(s); Object.assign(key0(s), { purpose: "sign", algorithm: "EC_P256", origin: "byok", clouds: ["azure"], protection: "hsm", material: { pkcs11: `pkcs11:token=keys;object=signer?module-path=${f.regular}&pin-source=file:${f.regular}` } }); }, []],
    ["a PKCS#11 key with protection software, AWS and GCP only: fine (their imports are wrapped)", (s, f) => Object.assign(key0(s), { origin: "byok", clouds: ["aws", "gcp"], material: { pkcs11: `pkcs11:token=keys;object=card-data?module-path=${f.regular}&pin-source=file:${f.regular}` } }), []],
];

test.each(limits)("%s", (_case, mutate, errors, warnings = []) => {
    const spec = reviewSpec();
    mutate(spec, files);
    expect(outcome(spec)).toEqual({ errors, warnings });
});

// The review's config rows that reach keyfabric (`hierarchyFromConfig`, as the root program reads the stack config).
describe("keyfabric:hierarchy in stack config", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const { hierarchyFromConfig } = require("../sdk/hierarchy") as typeof import("../sdk/hierarchy");
    const SPEC = "a hierarchy spec: a YAML mapping (or a JSON object) with name, owner, clouds and domains";
    const read = (config: Record<string, string>, secrets: string[] = []) => {
        pulumi.runtime.setAllConfig(config, secrets);
        try {
            return hierarchyFromConfig();
        } catch (e) {
            return (e as Error).message;
        } finally {
            pulumi.runtime.setAllConfig({}, []);
        }
    };

    test("P92 the value is a plain string", () => {
        expect(read({ "keyfabric:hierarchy": "just-a-string" })).toBe(`Stack config keyfabric:hierarchy is invalid: 1 problem\n  - keyfabric:hierarchy: is not a hierarchy spec (allowed: ${SPEC}, got: "just-a-string")`);
    });

    test("the value is a JSON list", () => {
        expect(read({ "keyfabric:hierarchy": "[1,2]" })).toBe(`Stack config keyfabric:hierarchy is invalid: 1 problem\n  - keyfabric:hierarchy: is not a hierarchy spec (allowed: ${SPEC}, got: an array of 2)`);
    });

    test("P93 not set: Pulumi's error, naming the key and the command that sets it", () => {
        expect(read({})).toBe("Missing required configuration variable 'keyfabric:hierarchy'\n\tplease set a value using the command `pulumi config set keyfabric:hierarchy <value>`");
    });

    test("P95 a secure: value read offline (the preview's placeholder): said so, never shown", () => {
        const message = read({ "keyfabric:hierarchy": "[secret]" }, ["keyfabric:hierarchy"]);
        expect(message).toBe(
            "Stack config keyfabric:hierarchy is invalid: 1 problem\n  - keyfabric:hierarchy: is a secure (encrypted) value that does not read as a hierarchy spec: keyfabric preview runs offline and cannot decrypt it, so the program reads a placeholder (allowed: " +
                `${SPEC} in plain text (a hierarchy holds no secrets), or its value given to keyfabric preview with --assume)`,
        );
        expect(message).not.toContain("[secret]");
    });

    test("a secure: value that decrypts to a spec (pulumi preview with the stack's secrets provider) is read", () => {
        expect(read({ "keyfabric:hierarchy": JSON.stringify(reviewSpec()) }, ["keyfabric:hierarchy"])).toEqual(reviewSpec());
    });
});

test("a spec's {env} material is never passed to child processes; a command's env names are", () => {
    const { childProcessEnv } = require("../sdk/byok/sources") as typeof import("../sdk/byok/sources");
    const spec = reviewSpec();
    byok(spec, { env: "KF_SPEC_MATERIAL_1" });
    spec.domains[0].keys.push({ name: "other", purpose: "encrypt", algorithm: "AES_256", origin: "byok", clouds: ["aws"], material: { command: ["vault", "read"], env: ["KF_SPEC_VAULT_TOKEN"] } } as never);
    const base = { KF_SPEC_MATERIAL_1: "material", KF_SPEC_VAULT_TOKEN: "token", KF_SPEC_OTHER: "x" };
    expect(childProcessEnv(base)).toEqual(base);
    validateHierarchy(spec, { now: NOW });
    expect(childProcessEnv(base)).toEqual({ KF_SPEC_VAULT_TOKEN: "token", KF_SPEC_OTHER: "x" });
});
