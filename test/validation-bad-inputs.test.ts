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
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KeyfabricValidationError, formatIssue } from "../sdk/schema/errors";
import { domainSchema, hierarchySchema, keySchema } from "../sdk/schema/schema";
import { validateHierarchy } from "../sdk/schema/validate";
import { ACCOUNT, AZURE_CLOUD, reviewSpec } from "./fixtures/specs";

type Mutator = (s: any, files: Files) => void;
interface Files {
    readonly dir: string;
    readonly regular: string;
    readonly big: string;
    readonly link: string;
    readonly dangling: string;
    readonly open: string;
    readonly missing: string;
}

/** The review ran on 2026-12-01; `validTo` is judged against this. */
const NOW = new Date("2026-12-01T00:00:00Z");

let files: Files;
beforeAll(() => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kf-bad-inputs-")));
    const at = (f: string) => path.join(dir, f);
    fs.mkdirSync(at("dir"));
    fs.writeFileSync(at("key.bin"), Buffer.alloc(32, 7), { mode: 0o600 });
    fs.writeFileSync(at("big.bin"), "", { mode: 0o600 });
    fs.truncateSync(at("big.bin"), 2 * 1024 ** 3); // sparse: nothing is written
    fs.symlinkSync(at("key.bin"), at("link.bin"));
    fs.symlinkSync(at("gone.bin"), at("dangling.bin"));
    fs.writeFileSync(at("open.bin"), Buffer.alloc(32, 7));
    fs.chmodSync(at("open.bin"), 0o644);
    files = { dir: at("dir"), regular: at("key.bin"), big: at("big.bin"), link: at("link.bin"), dangling: at("dangling.bin"), open: at("open.bin"), missing: at("missing.bin") };
    delete process.env.KF_REVIEW_UNSET;
});
afterAll(() => fs.rmSync(path.dirname(files.dir), { recursive: true, force: true }));

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

const key0 = (s: any) => s.domains[0].keys[0];
const withAzure = (s: any) => (s.clouds.azure = { ...AZURE_CLOUD });
const byok = (s: any, material?: unknown) => Object.assign(key0(s), { origin: "byok", clouds: ["aws"] }, material === undefined ? {} : { material });
const fields = (shape: object) => Object.keys(shape).join(", ");
const KEY_FIELDS = fields(keySchema.shape);
const DOMAIN_FIELDS = fields(domainSchema.shape);
const HIERARCHY_FIELDS = fields(hierarchySchema.shape);
const NAME = "1-32 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen";
const AWS_PRINCIPALS = "IAM ARNs arn:aws:iam::<account>:root|role/<name>|user/<name>";
const SHAPES = "{file: path, format?}, {env: NAME, format?}, {command: [program, args...], env?: [NAME...], timeoutMs?, format?}";

// [review id, the review's input, the change to the base spec, errors, warnings]
const rows: [string, string, Mutator, string[], string[]?][] = [
    ["P1", "name is a number", (s) => (s.name = 123), [`name: is not a valid name (allowed: ${NAME}, got: 123)`]],
    ["P2", "name empty string", (s) => (s.name = ""), [`name: is not a valid name (allowed: ${NAME}, got: "")`]],
    ["P3", "key name with emoji", (s) => (key0(s).name = "card-🔑"), [`domains[0].keys[0].name: is not a valid name (allowed: ${NAME}, got: "card-🔑")`]],
    ["P4", "domain name unicode é", (s) => (s.domains[0].name = "paiements-é"), [`domains[0].name: is not a valid name (allowed: ${NAME}, got: "paiements-é")`]],
    ["P5", "key name 300 chars", (s) => (key0(s).name = "a".repeat(300)), [`domains[0].keys[0].name: is not a valid name (allowed: ${NAME}, got: "${"a".repeat(77)}...")`]],
    ["P6", "hierarchy name uppercase", (s) => (s.name = "Acme"), [`name: is not a valid name (allowed: ${NAME}, got: "Acme")`]],
    ["P7", "domain name ends with hyphen", (s) => (s.domains[0].name = "pay-"), [`domains[0].name: is not a valid name (allowed: ${NAME}, got: "pay-")`]],
    ["P8", "unknown top-level field", (s) => (s.colour = "blue"), [`(root): has unknown field colour (allowed: ${HIERARCHY_FIELDS})`]],
    ["P9", "unknown key field (typo algoritm)", (s) => (key0(s).algoritm = "AES_256"), [`domains[0].keys[0]: has unknown field algoritm (allowed: ${KEY_FIELDS})`]],
    ["P10", "rotationDays 1e308", (s) => (key0(s).rotationDays = 1e308), [`domains[0].keys[0].rotationDays: is out of range (allowed: 1-3650, got: 1e+308)`]],
    ["P11", "rotationDays -5", (s) => (key0(s).rotationDays = -5), [`domains[0].keys[0].rotationDays: is out of range (allowed: 1-3650, got: -5)`]],
    ["P12", "deletionWindowDays -1 (defaults)", (s) => (s.defaults = { deletionWindowDays: -1 }), [`defaults.deletionWindowDays: is out of range (allowed: 7-30, got: -1)`]],
    ["P13", "deletionWindowDays 3.5", (s) => (s.domains[0].deletionWindowDays = 3.5), [`domains[0].deletionWindowDays: is out of range (allowed: 7-30, got: 3.5)`]],
    ["P14", "rotationDays string '365'", (s) => (key0(s).rotationDays = "365"), [`domains[0].keys[0].rotationDays: must be a number of days (allowed: 1-3650, got: "365")`]],
    ["P15", "rotationDays 30 on AWS AES", (s) => (key0(s).rotationDays = 30), [`domains[0].keys[0].rotationDays: is outside AWS KMS's rotation period range (key payments/card-data) (allowed: 90-2560, got: 30)`]],
    ["P16", "rotationDays on RSA key", (s) => Object.assign(key0(s), { algorithm: "RSA_3072", rotationDays: 365 }), [`domains[0].keys[0].rotationDays: aws and gcp have no automatic rotation for RSA_3072 keys: they rotate only symmetric keys they generate (allowed: leave rotationDays out and rotate by creating a new key, got: 365)`]],
    ["P17", "purpose 'Encrypt' (case)", (s) => (key0(s).purpose = "Encrypt"), [`domains[0].keys[0].purpose: is not one of the allowed values (allowed: encrypt, sign, mac, got: "Encrypt")`]],
    ["P18", "algorithm AES_128", (s) => (key0(s).algorithm = "AES_128"), [`domains[0].keys[0].algorithm: is not one of the allowed values (allowed: AES_256, RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, HMAC_256, got: "AES_128")`]],
    ["P19", "purpose sign with AES_256", (s) => (key0(s).purpose = "sign"), [`domains[0].keys[0].purpose: AES_256 keys cannot be used to sign (allowed: purpose encrypt for AES_256; for sign: RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, got: "sign")`]],
    ["P20", "clouds empty {}", (s) => (s.clouds = {}), [`clouds: must configure at least one cloud (allowed: aws, gcp, azure, got: "none")`]],
    ["P21", "clouds null", (s) => (s.clouds = null), [`clouds: must be an object (allowed: an object with aws, gcp, azure, got: null)`]],
    ["P22", "domains empty []", (s) => (s.domains = []), [`domains: must declare at least one domain (got: an array of 0)`]],
    ["P23", "domains missing", (s) => delete s.domains, [`domains: is required`]],
    ["P24", "keys is a map not a list", (s) => (s.domains[0].keys = { "card-data": { purpose: "encrypt", algorithm: "AES_256" } }), [`domains[0].keys: must be a list of keys (got: an object)`]],
    ["P25", "duplicate domain names", (s) => s.domains.push(JSON.parse(JSON.stringify(s.domains[0]))), [`domains[1].name: duplicates domains[0].name (got: "payments")`]],
    ["P26", "duplicate key names", (s) => s.domains[0].keys.push({ ...key0(s) }), [`domains[0].keys[1].name: duplicates domains[0].keys[0].name in domain payments (got: "card-data")`]],
    ["P27", "key clouds []", (s) => (key0(s).clouds = []), [`domains[0].keys[0].clouds: must list at least one cloud, or be left out for all configured clouds (allowed: aws, gcp, got: an array of 0)`]],
    ["P28", "key clouds [aws, aws]", (s) => (key0(s).clouds = ["aws", "aws"]), [`domains[0].keys[0].clouds[1]: is listed twice (got: "aws")`]],
    ["P29", "key clouds [oracle]", (s) => (key0(s).clouds = ["oracle"]), [`domains[0].keys[0].clouds[0]: is not one of the allowed values (allowed: aws, gcp, azure, got: "oracle")`]],
    ["P30", "key cloud azure not configured", (s) => (key0(s).clouds = ["azure"]), [`domains[0].keys[0].clouds[0]: is not configured in clouds (allowed: aws, gcp, got: "azure")`]],
    ["P31", "primary region outside residency", (s) => (s.domains[0].regions = { aws: ["us-east-1"] }), [`domains[0].regions.aws: does not allow clouds.aws.region, where this domain's keys would be created (allowed: us-east-1, got: "eu-west-1")`]],
    ["P32", "replica region outside residency", (s) => { s.domains[0].regions = { aws: ["eu-west-1"] }; Object.assign(key0(s), { multiRegion: true, regions: { aws: ["us-east-1"] } }); }, [`domains[0].keys[0].regions.aws[0]: is outside the residency of domain payments (allowed: eu-west-1, got: "us-east-1")`]],
    ["P33", "replica without multiRegion", (s) => (key0(s).regions = { aws: ["eu-central-1"] }), [`domains[0].keys[0].regions.aws: AWS replicas need a multi-Region key (allowed: multiRegion: true, got: false)`]],
    ["P34", "multiRegion on gcp-only key", (s) => Object.assign(key0(s), { clouds: ["gcp"], multiRegion: true }), [`domains[0].keys[0].multiRegion: multi-Region keys are an AWS feature and this key has no AWS instance (allowed: false, or add aws to clouds, got: true)`]],
    ["P35", "residency regions not strings [1,2]", (s) => (s.domains[0].regions = { aws: [1, 2] }), [`domains[0].regions.aws[0]: must be a region name (allowed: e.g. eu-central-1, got: 1)`, `domains[0].regions.aws[1]: must be a region name (allowed: e.g. eu-central-1, got: 2)`]],
    ["P36", "aws region 'mars-1'", (s) => (s.clouds.aws.region = "mars-1"), [`clouds.aws.region: is not an AWS region (allowed: e.g. us-east-1, eu-west-1, got: "mars-1")`]],
    ["P37", "aws accountId '12345'", (s) => (s.clouds.aws.accountId = "12345"), [`clouds.aws.accountId: is not an AWS account id (allowed: 12 digits, got: "12345")`]],
    ["P38", "aws accountId as number 111122223333", (s) => (s.clouds.aws.accountId = 111122223333), [`clouds.aws.accountId: must be a string of 12 digits (in YAML, quote it: "111122223333"), not a number (allowed: 12 digits, got: 111122223333)`]],
    ["P39", "gcp project 'A'", (s) => (s.clouds.gcp.project = "A"), [`clouds.gcp.project: is not a GCP project id (allowed: 6-30 lowercase letters, digits, hyphens; starts with a letter, got: "A")`]],
    ["P40", "azure tenantId not a uuid", (s) => { withAzure(s); s.clouds.azure.tenantId = "not-a-uuid"; }, [`clouds.azure.tenantId: is not a tenant id (allowed: a UUID, got: "not-a-uuid")`, `domains[0].keys[0].algorithm: AES_256 in Azure exists only as an oct-HSM key on a Managed HSM (a Key Vault has no symmetric keys), and this key's protection is software (allowed: set clouds.azure.managedHsm and protection: hsm, or leave azure out of this key's clouds, got: "AES_256")`]],
    ["P41", "AES_256 in azure without managed HSM", (s) => withAzure(s), [`domains[0].keys[0].algorithm: AES_256 in Azure exists only as an oct-HSM key on a Managed HSM (a Key Vault has no symmetric keys), and this key's protection is software (allowed: set clouds.azure.managedHsm and protection: hsm, or leave azure out of this key's clouds, got: "AES_256")`]],
    ["P42", "HMAC_256 in azure", (s) => { withAzure(s); Object.assign(key0(s), { purpose: "mac", algorithm: "HMAC_256" }); }, [`domains[0].keys[0].algorithm: Azure Key Vault and Managed HSM have no HMAC keys (allowed: clouds without azure: aws, gcp, got: "HMAC_256")`]],
    ["P43", "restricted + protection software", (s) => { s.domains[0].classification = "restricted"; key0(s).protection = "software"; }, [`domains[0].keys[0].protection: keys of restricted domains are kept in HSMs (allowed: hsm, got: "software")`]],
    ["P44", "principal '*'", (s) => (s.domains[0].users = { aws: ["*"] }), [`domains[0].users.aws[0]: public or wildcard principals are never allowed on keys (allowed: ${AWS_PRINCIPALS}, got: "*")`]],
    ["P45", "principal arn:aws:iam::*:root", (s) => (s.domains[0].users = { aws: ["arn:aws:iam::*:root"] }), [`domains[0].users.aws[0]: public or wildcard principals are never allowed on keys (allowed: ${AWS_PRINCIPALS}, got: "arn:aws:iam::*:root")`]],
    ["P46", "gcp principal allUsers", (s) => (s.domains[0].users = { gcp: ["allUsers"] }), [`domains[0].users.gcp[0]: public or wildcard principals are never allowed on keys (allowed: IAM members user:|group:|serviceAccount:|domain:<id>, principal://, principalSet://, got: "allUsers")`]],
    ["P47", "malformed aws principal", (s) => (s.domains[0].users = { aws: ["role/App"] }), [`domains[0].users.aws[0]: is not a valid aws principal (allowed: ${AWS_PRINCIPALS}, got: "role/App")`]],
    ["P48", "admin also user", (s) => Object.assign(s.domains[0], { admins: { aws: [`arn:aws:iam::${ACCOUNT}:role/KeyAdmins`] }, users: { aws: [`arn:aws:iam::${ACCOUNT}:role/KeyAdmins`] } }), [`domains[0].users.aws[0]: is also an admin of domain payments: separate key administration from key use (got: "arn:aws:iam::111122223333:role/KeyAdmins")`]],
    ["P49", "gcp principal in aws list", (s) => (s.domains[0].users = { aws: ["group:x@acme.example"] }), [`domains[0].users.aws[0]: is not a valid aws principal (allowed: ${AWS_PRINCIPALS}, got: "group:x@acme.example")`]],
    ["P50", "principals empty list", (s) => (s.domains[0].users = { aws: [] }), [`domains[0].users.aws: must list at least one principal, or be left out (got: an array of 0)`]],
    ["P51", "alias aws/foo", (s) => (key0(s).aliases = ["aws/foo"]), [`domains[0].keys[0].aliases[0]: alias names starting with aws/ are reserved for AWS managed keys (got: "aws/foo")`]],
    ["P52", "duplicate alias across keys", (s) => { key0(s).aliases = ["shared"]; s.domains[0].keys.push({ name: "receipts", purpose: "encrypt", algorithm: "AES_256", aliases: ["shared"] }); }, [`domains[0].keys[1].aliases[0]: is already an alias of payments/card-data (got: "shared")`]],
    ["P53", "alias 300 chars", (s) => (key0(s).aliases = ["a".repeat(300)]), [`domains[0].keys[0].aliases[0]: is not a valid alias (allowed: 1-250 letters, digits, / _ - (without alias/), not starting with aws/, got: "${"a".repeat(77)}...")`]],
    ["P54", "description 10000 chars", (s) => (key0(s).description = "d".repeat(10000)), [`domains[0].keys[0].description: is longer than 8192 characters (allowed: at most 8192 characters, got: "${"d".repeat(77)}...")`]],
    ["P55", "owner empty", (s) => (s.owner = ""), [`owner: must name the owning team or person (got: "")`]],
    ["P56", "owner 200 chars", (s) => (s.owner = "o".repeat(200)), [`owner: is longer than 128 characters (allowed: at most 128 characters, got: "${"o".repeat(77)}...")`, `owner: is the value of the keyfabric-owner label on every GCP key, and GCP label values have at most 63 characters (allowed: at most 63 characters, got: "${"o".repeat(77)}...")`]],
    ["P57", "tag key reserved keyfabric:x", (s) => (key0(s).tags = { "keyfabric:key": "x" }), [`domains[0].keys[0].tags.keyfabric:key: starts with keyfabric: or keyfabric- (in any case), the prefix of keyfabric's correlation tags (keyfabric:domain, keyfabric-domain as a GCP label, ...), which a user tag must not overwrite (allowed: a tag key without that prefix, got: "keyfabric:key")`]],
    ["P58", "tag key reserved aws:x", (s) => (key0(s).tags = { "aws:foo": "x" }), [`domains[0].keys[0].tags.aws:foo: starts with aws: (in any case), which AWS reserves for its own tags (allowed: a tag key without that prefix, got: "aws:foo")`]],
    ["P59", "tag value 10000 chars", (s) => (key0(s).tags = { note: "v".repeat(10000) }), [`domains[0].keys[0].tags.note: has a value of 10000 characters, longer than AWS KMS tag values (at most 256) and GCP label values (at most 63) allow (allowed: at most 63 characters, got: "${"v".repeat(77)}...")`]],
    ["P60", "tag key 300 chars", (s) => (key0(s).tags = { ["k".repeat(300)]: "x" }), [`domains[0].keys[0].tags.${"k".repeat(300)}: is a tag key of 300 characters, longer than AWS KMS tag keys (at most 128) and GCP label keys (at most 63) allow (allowed: at most 63 characters, got: "${"k".repeat(77)}...")`]],
    ["P61", "tag value a number", (s) => (key0(s).tags = { n: 5 }), [`domains[0].keys[0].tags.n: tag values must be strings (got: 5)`]],
    ["P62", "tags collide after GCP label sanitising", (s) => { s.defaults = { tags: { "Cost Center": "sec-001" } }; key0(s).tags = { cost_center: "sec-002" }; }, [`domains[0].keys[0].tags.cost_center: becomes the GCP label key "cost_center", as does defaults.tags.Cost Center: keyfabric lower-cases label keys and replaces characters other than a-z 0-9 _ -, so one label would overwrite the other (allowed: tag keys that stay different as GCP labels, got: "cost_center")`]],
    ["P63", "user tag overwritten by GCP correlation label", (s) => (key0(s).tags = { "keyfabric-domain": "other" }), [`domains[0].keys[0].tags.keyfabric-domain: starts with keyfabric: or keyfabric- (in any case), the prefix of keyfabric's correlation tags (keyfabric:domain, keyfabric-domain as a GCP label, ...), which a user tag must not overwrite (allowed: a tag key without that prefix, got: "keyfabric-domain")`]],
    // "équipe" is fine: AWS and Azure take Unicode letters, and its GCP label is "k_quipe".
    ["P64", "tag key with emoji / unicode", (s) => (key0(s).tags = { "🔑": "x", "équipe": "paiements" }), [`domains[0].keys[0].tags.🔑: has characters AWS KMS tag keys do not allow (allowed: letters, digits, spaces and + - = . _ : / @, got: "🔑")`, `domains[0].keys[0].tags.🔑: has no letter or digit a GCP label key keeps: keyfabric lower-cases label keys and replaces every character but a-z 0-9 _ - with _, which makes it "k__" (allowed: a tag key with at least one letter a-z or digit, got: "🔑")`]],
    ["P65", "tag __proto__ key", (s) => (key0(s).tags = JSON.parse('{"__proto__": "x"}')), [`domains[0].keys[0].tags.__proto__: cannot be a tag key: JavaScript objects drop a property named __proto__, so the tag would silently go missing (allowed: any other tag key, got: "__proto__")`]],
    // Accepted: import-ready keys are a feature (README, "Bring your own key": import with keyfabric byok import).
    ["P66", "byok aws without material (import-ready)", (s) => byok(s), []],
    ["P67", "byok azure without material", (s) => { withAzure(s); Object.assign(key0(s), { algorithm: "RSA_2048", origin: "byok", clouds: ["azure"] }); }, [`domains[0].keys[0].material: is required for a byok key in Azure: Azure creates imported keys by the import itself (allowed: {file: path}, {env: NAME} or {command: [argv...]})`]],
    ["P68", "material on a cloud (non-byok) key", (s) => (key0(s).material = { file: "/secure/key.bin" }), [`domains[0].keys[0].material: applies to byok keys only (allowed: origin: byok, got: "cloud")`]],
    ["P69", "material is a string", (s) => byok(s, "/secure/key.bin"), [`domains[0].keys[0].material: is not a material source (allowed: ${SHAPES}, got: "/secure/key.bin")`]],
    ["P70", "material {file: ''}", (s) => byok(s, { file: "" }), [`domains[0].keys[0].material.file: is empty (allowed: a file path)`]],
    ["P71", "material file is a directory", (s, f) => byok(s, { file: f.dir }), [], [`domains[0].keys[0].material.file: is a directory, not a regular file: the import at deploy time would fail (allowed: the path of a regular file holding the key material, got: "<tmp>/dir")`]],
    ["P72", "material file /dev/zero", (s) => byok(s, { file: "/dev/zero" }), [], [`domains[0].keys[0].material.file: is a character device, not a regular file: the import at deploy time would fail (allowed: the path of a regular file holding the key material, got: "/dev/zero")`]],
    ["P73", "material file 2 GB sparse", (s, f) => byok(s, { file: f.big }), [], [`domains[0].keys[0].material.file: is 2147483648 bytes: key material is at most 8192 bytes, so the import at deploy time would fail (allowed: a file with the key material only, got: "<tmp>/big.bin")`]],
    ["P74", "material file symlink", (s, f) => byok(s, { file: f.link }), [], [`domains[0].keys[0].material.file: is a symbolic link (to <tmp>/key.bin): the BYOK providers do not follow a link to key material, so the import at deploy time would fail (allowed: the path of the file itself, got: "<tmp>/link.bin")`]],
    ["P75", "material file dangling symlink", (s, f) => byok(s, { file: f.dangling }), [], [`domains[0].keys[0].material.file: is a symbolic link (whose target does not exist): the BYOK providers do not follow a link to key material, so the import at deploy time would fail (allowed: the path of the file itself, got: "<tmp>/dangling.bin")`]],
    ["P76", "material file world-readable 0644", (s, f) => byok(s, { file: f.open }), [], [`domains[0].keys[0].material.file: can be read by its group and others (mode 0644): keep key material private to its owner (chmod 600 <tmp>/open.bin) (got: "<tmp>/open.bin")`]],
    ["P77", "material file nonexistent", (s, f) => byok(s, { file: f.missing }), [], [`domains[0].keys[0].material.file: does not exist here: <tmp>/missing.bin; the import at deploy time would fail unless it exists there (allowed: the path of a regular file holding the key material, got: "<tmp>/missing.bin")`]],
    ["P78", "material env missing", (s) => byok(s, { env: "KF_REVIEW_UNSET" }), [], [`domains[0].keys[0].material.env: names an environment variable that is not set here: the import at deploy time would fail unless it is set there (got: "KF_REVIEW_UNSET")`]],
    ["P79", "material env bad name 1BAD", (s) => byok(s, { env: "1BAD" }), [`domains[0].keys[0].material.env: is not an environment variable name (allowed: letters, digits and _, not starting with a digit, got: "1BAD")`]],
    // Accepted: the preview never runs a material command (that would be reading the material); when the BYOK
    // provider runs it at deploy time, a failing exit, the timeout (timeoutMs) and the output bound are errors there.
    ["P80", "material command exits 1", (s) => byok(s, { command: ["sh", "-c", "exit 1"] }), []],
    ["P81", "material command hangs", (s) => byok(s, { command: ["sleep", "3600"] }), []],
    ["P82", "material command prints 10 MB", (s) => byok(s, { command: ["head", "-c", "10485760", "/dev/zero"] }), []],
    ["P83", "material command as shell string", (s) => byok(s, { command: "vault read -field=key secret/kek" }), [`domains[0].keys[0].material.command: must be a list: the program, then its arguments (got: a string) (allowed: [program, args...])`]],
    ["P84", "material command []", (s) => byok(s, { command: [] }), [`domains[0].keys[0].material.command: is empty (allowed: [program, args...])`]],
    ["P85", "material format unknown", (s, f) => byok(s, { file: f.regular, format: "base32" }), [`domains[0].keys[0].material.format: is not one of the allowed values (allowed: raw, hex, base64, pem, der, jwk, got: "base32")`]],
    ["P86", "material extra field", (s, f) => byok(s, { file: f.regular, mode: "0600" }), [`domains[0].keys[0].material: has unknown field mode (allowed: file, format)`]],
    ["P87", "material timeoutMs -1", (s) => byok(s, { command: ["vault", "read", "-field=key", "secret/kek"], timeoutMs: -1 }), [`domains[0].keys[0].material.timeoutMs: must be a whole number of milliseconds (allowed: 1-300000, got: -1)`]],
    ["P88", "validTo in the past", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2026-06-30T00:00:00Z" }), [`domains[0].keys[0].validTo: is in the past: AWS ImportKeyMaterial takes only a future ValidTo (and deletes expired material, leaving the key unusable) (allowed: a date-time after now (2026-12-01T00:00:00Z) and at most 365 days ahead (2027-12-01T00:00:00Z), or leave validTo out: the material does not expire, got: "2026-06-30T00:00:00Z")`]],
    ["P89", "validTo 10 years ahead", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2036-12-01T00:00:00Z" }), [`domains[0].keys[0].validTo: is more than 365 days ahead: AWS ImportKeyMaterial takes a ValidTo at most 365 days after the import (allowed: a date-time after now (2026-12-01T00:00:00Z) and at most 365 days ahead (2027-12-01T00:00:00Z), or leave validTo out: the material does not expire, got: "2036-12-01T00:00:00Z")`]],
    ["P90", "validTo not a date", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "next tuesday" }), [`domains[0].keys[0].validTo: is not an ISO 8601 date-time (allowed: e.g. 2027-06-30T00:00:00Z, got: "next tuesday")`]],
    ["P91", "rotationDays on byok key", (s, f) => Object.assign(byok(s, { file: f.regular }), { rotationDays: 365 }), [`domains[0].keys[0].rotationDays: imported (byok) material is never rotated by the cloud: rotate by importing new material (allowed: leave rotationDays out for byok keys, got: 365)`]],
    ["P97", "deletionWindowDays .nan (null in stack config)", (s) => (s.defaults = { deletionWindowDays: null }), [`defaults.deletionWindowDays: must be a number of days, and null is not one (in stack config, .nan, .inf and an empty value all become null) (allowed: 7-30, got: null)`]],
    ["P98", "rotationDays .inf (null in stack config)", (s) => (s.defaults = { rotationDays: null }), [`defaults.rotationDays: must be a number of days, and null is not one (in stack config, .nan, .inf and an empty value all become null) (allowed: 1-3650, got: null)`]],
    ["P201", "names collide after joining: domain pay-ments/key x vs domain pay/key ments-x", (s) => { s.domains = [{ name: "pay-ments", classification: "confidential", keys: [{ name: "x", purpose: "encrypt", algorithm: "AES_256" }] }, { name: "pay", classification: "confidential", keys: [{ name: "ments-x", purpose: "encrypt", algorithm: "AES_256" }] }]; }, [`domains[1].keys[0].name: key pay/ments-x and key pay-ments/x (domains[0].keys[0].name) would both create the Pulumi resources keyfabric:aws:Key "acme-pay-ments-x-aws" and keyfabric:gcp:Key "acme-pay-ments-x-gcp": resource names join the hierarchy, domain and key names with hyphens, and must be unique (allowed: domain and key names that do not join to the same name (rename one of them), got: "ments-x")`]],
    ["P202", "hierarchy+domain name 32+32 chars (GCP key ring id > 63)", (s) => { s.name = "a".repeat(32); s.domains[0].name = "d".repeat(32); }, [`domains[0].name: makes the GCP key ring id "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-dddddddddddddddddddddddddddddddd" 65 characters long: the id is <hierarchy name>-<domain name>, and Cloud KMS key ring ids have at most 63 (allowed: 1-63 letters, digits, _ and -: hierarchy and domain names of at most 62 characters together, got: "dddddddddddddddddddddddddddddddd")`]],
    ["P203", "regions.aws is a string", (s) => Object.assign(key0(s), { multiRegion: true, regions: { aws: "eu-central-1" } }), [`domains[0].keys[0].regions.aws: must be a list of regions (allowed: e.g. [eu-central-1], got: "eu-central-1")`]],
    ["P204", "aliases is a string", (s) => (key0(s).aliases = "x"), [`domains[0].keys[0].aliases: must be a list of alias names (allowed: e.g. [payments-cmk], each 1-250 letters, digits, / _ - (without alias/), not starting with aws/, got: "x")`]],
    ["P205", "defaults is a list", (s) => (s.defaults = []), [`defaults: must be an object (allowed: an object with rotationDays, deletionWindowDays, protection, tags, got: an array of 0)`]],
    ["P206", "domains: [null]", (s) => (s.domains = [null]), [`domains[0]: must be an object (allowed: an object with ${DOMAIN_FIELDS}, got: null)`]],
    ["P207", "keys: [null]", (s) => (s.domains[0].keys = [null]), [`domains[0].keys[0]: must be an object (allowed: an object with ${KEY_FIELDS}, got: null)`]],
    ["P208", "azure vault name with underscore", (s) => { withAzure(s); s.clouds.azure.vault = { name: "My_Vault" }; key0(s).clouds = ["aws", "gcp"]; }, [`clouds.azure.vault.name: is not a Key Vault name (allowed: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no two hyphens in a row, got: "My_Vault")`]],
    ["P209", "AES_256 protection hsm in azure without managedHsm", (s) => { withAzure(s); key0(s).protection = "hsm"; }, [`domains[0].keys[0].algorithm: AES_256 in Azure needs oct-HSM, which only a Managed HSM offers (a Key Vault has no symmetric keys) (allowed: set clouds.azure.managedHsm, or leave azure out of this key's clouds, got: "AES_256")`]],
    ["P210", "principal Output-like object {__pulumiOutput:true}", (s) => (s.domains[0].users = { aws: [{ __pulumiOutput: true }] }), [`domains[0].users.aws[0]: must be a principal string or an Output<string> (allowed: ${AWS_PRINCIPALS}, got: an object)`]],
    ["P211", "principal object {arn}", (s) => (s.domains[0].users = { aws: [{ arn: `arn:aws:iam::${ACCOUNT}:role/App` }] }), [`domains[0].users.aws[0]: must be a principal string or an Output<string> (allowed: ${AWS_PRINCIPALS}, got: an object)`]],
    ["P212", "validTo with no offset (local time)", (s, f) => Object.assign(byok(s, { file: f.regular }), { validTo: "2026-06-30T00:00:00" }), [`domains[0].keys[0].validTo: is not an ISO 8601 date-time (allowed: e.g. 2027-06-30T00:00:00Z, got: "2026-06-30T00:00:00")`]],
];

test.each(rows)("%s %s", (_id, _input, mutate, errors, warnings = []) => {
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
];

test.each(limits)("%s", (_case, mutate, errors, warnings = []) => {
    const spec = reviewSpec();
    mutate(spec, files);
    expect(outcome(spec)).toEqual({ errors, warnings });
});
