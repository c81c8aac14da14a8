import { KeyfabricValidationError } from "../sdk/schema/errors";
import { HierarchySpec, hierarchySchema, keySchema } from "../sdk/schema/schema";
import { validateHierarchy } from "../sdk/schema/validate";
import { ADMIN_ARN, APP_ARN, GCP_ADMIN, validSpec } from "./fixtures/specs";

type Mutator = (s: any) => void;

function problems(spec: unknown): string[] {
    try {
        validateHierarchy(spec);
    } catch (e) {
        expect(e).toBeInstanceOf(KeyfabricValidationError);
        return (e as KeyfabricValidationError).message.split("\n").slice(1).map((l) => l.replace(/^  - /, ""));
    }
    return [];
}

const key0 = (s: any) => s.domains[0].keys[0];
const key1 = (s: any) => s.domains[0].keys[1];

test("the fixture is valid", () => {
    expect(problems(validSpec())).toEqual([]);
});

// Each row changes one thing and expects exactly the listed problems, in order.
const cases: [string, Mutator, string[]][] = [
    ["unknown algorithm", (s) => (key0(s).algorithm = "AES_512"), ['domains[0].keys[0].algorithm: is not one of the allowed values (allowed: AES_256, RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, HMAC_256, got: "AES_512")']],
    ["unknown purpose", (s) => (key0(s).purpose = "wrap"), ['domains[0].keys[0].purpose: is not one of the allowed values (allowed: encrypt, sign, mac, got: "wrap")']],
    ["AES in a Key Vault", (s) => delete key0(s).clouds, [
        "domains[0].keys[0].algorithm: AES_256 in Azure needs oct-HSM, which only a Managed HSM offers (a Key Vault has no symmetric keys) (allowed: set clouds.azure.managedHsm, or leave azure out of this key's clouds, got: \"AES_256\")",
    ]],
    ["HMAC in Azure", (s) => Object.assign(key1(s), { purpose: "mac", algorithm: "HMAC_256" }), ['domains[0].keys[1].algorithm: Azure Key Vault and Managed HSM have no HMAC keys (allowed: clouds without azure: aws, gcp, got: "HMAC_256")']],
    ["rotation on an EC key", (s) => (key1(s).rotationDays = 180), ["domains[0].keys[1].rotationDays: aws and gcp have no automatic rotation for EC_P384 keys: they rotate only symmetric keys they generate (allowed: leave rotationDays out and rotate by creating a new key, or limit clouds to azure, which rotates EC_P384 keys, got: 180)"]],
    ["rotation on a byok key", (s) => Object.assign(key0(s), { origin: "byok", rotationDays: 180 }), ["domains[0].keys[0].rotationDays: imported (byok) material is never rotated by the cloud: rotate by importing new material (allowed: leave rotationDays out for byok keys, got: 180)"]],
    ["AWS rotation below 90 days", (s) => (s.domains[0].rotationDays = 30), ["domains[0].rotationDays: is outside AWS KMS's rotation period range (key payments/card-data) (allowed: 90-2560, got: 30)"]],
    ["sign with AES", (s) => (key0(s).purpose = "sign"), ['domains[0].keys[0].purpose: AES_256 keys cannot be used to sign (allowed: purpose encrypt for AES_256; for sign: RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, got: "sign")']],
    ["encrypt with EC", (s) => (key1(s).purpose = "encrypt"), ['domains[0].keys[1].purpose: EC_P384 keys cannot be used to encrypt (allowed: purpose sign for EC_P384; for encrypt: AES_256, RSA_2048, RSA_3072, RSA_4096, got: "encrypt")']],
    ["replica outside residency", (s) => (key0(s).regions.aws = ["us-east-1"]), ['domains[0].keys[0].regions.aws[0]: is outside the residency of domain payments (allowed: eu-west-1, eu-central-1, got: "us-east-1")']],
    ["primary region outside residency", (s) => (s.domains[0].regions.gcp = ["europe-west4"]), ['domains[0].regions.gcp: does not allow clouds.gcp.location, where this domain\'s keys would be created (allowed: europe-west4, got: "europe-west1")']],
    ["duplicate key names", (s) => (key1(s).name = "card-data"), ['domains[0].keys[1].name: duplicates domains[0].keys[0].name in domain payments (got: "card-data")']],
    ["duplicate domain names", (s) => s.domains.push({ ...s.domains[0] }), ['domains[1].name: duplicates domains[0].name (got: "payments")']],
    ["empty principals", (s) => (s.domains[0].users.aws = []), ["domains[0].users.aws: must list at least one principal, or be left out (got: an array of 0)"]],
    ["wildcard principal", (s) => (s.domains[0].users.aws = ["*"]), ['domains[0].users.aws[0]: public or wildcard principals are never allowed on keys (allowed: IAM ARNs arn:aws:iam::<account>:root|role/<name>|user/<name>, got: "*")']],
    ["public GCP member", (s) => (s.domains[0].users.gcp = ["allUsers"]), ['domains[0].users.gcp[0]: public or wildcard principals are never allowed on keys (allowed: IAM members user:|group:|serviceAccount:|domain:<id>, principal://, principalSet://, got: "allUsers")']],
    ["malformed Azure principal", (s) => (s.domains[0].users.azure = ["app-team"]), ['domains[0].users.azure[0]: is not a valid azure principal (allowed: Entra object ids <uuid>, optionally prefixed user:, group: or servicePrincipal:, got: "app-team")']],
    ["bad GCP project id", (s) => (s.clouds.gcp.project = "Acme_Dev"), ['clouds.gcp.project: is not a GCP project id (allowed: 6-30 lowercase letters, digits, hyphens; starts with a letter, got: "Acme_Dev")']],
    ["bad AWS region", (s) => (s.clouds.aws.region = "europe-1"), [
        'clouds.aws.region: is not an AWS region (allowed: e.g. us-east-1, eu-west-1, got: "europe-1")',
        'domains[0].regions.aws: does not allow clouds.aws.region, where this domain\'s keys would be created (allowed: eu-west-1, eu-central-1, got: "europe-1")',
    ]],
    ["bad account id", (s) => (s.clouds.aws.accountId = "1234"), ['clouds.aws.accountId: is not an AWS account id (allowed: 12 digits, got: "1234")']],
    ["bad tenant id", (s) => (s.clouds.azure.tenantId = "contoso"), ['clouds.azure.tenantId: is not a tenant id (allowed: a UUID, got: "contoso")']],
    ["no clouds", (s) => (s.clouds = {}), ["clouds: must configure at least one cloud (allowed: aws, gcp, azure, got: \"none\")"]],
    ["separation of duties", (s) => (s.domains[0].users.aws = [ADMIN_ARN]), [`domains[0].users.aws[0]: is also an admin of domain payments: separate key administration from key use (got: "${ADMIN_ARN}")`]],
    ["separation of duties on a key", (s) => (key1(s).users = { gcp: [GCP_ADMIN] }), [`domains[0].keys[1].users.gcp[0]: is an admin of domain payments and a user of payments/signing: separate key administration from key use (got: "${GCP_ADMIN}")`]],
    ["software key in a restricted domain", (s) => (key1(s).protection = "software"), ['domains[0].keys[1].protection: keys of restricted domains are kept in HSMs (allowed: hsm, got: "software")']],
    ["standard vault for HSM keys", (s) => (s.clouds.azure.vault = { sku: "standard" }), ['clouds.azure.vault.sku: a standard vault cannot hold HSM-protected keys such as payments/signing (allowed: premium, got: "standard")']],
    ["unknown field", (s) => (key0(s).rotation = 90), [`domains[0].keys[0]: has unknown field rotation (allowed: ${Object.keys(keySchema.shape).join(", ")})`]],
    ["missing algorithm", (s) => delete key0(s).algorithm, ["domains[0].keys[0].algorithm: is required (allowed: AES_256, RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, HMAC_256)"]],
    ["empty key list", (s) => (s.domains[0].keys = []), ["domains[0].keys: must declare at least one key (got: an array of 0)"]],
    ["bad key name", (s) => (key0(s).name = "Card Data"), ['domains[0].keys[0].name: is not a valid name (allowed: 1-32 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, got: "Card Data")']],
    ["key for an unconfigured cloud", (s) => { delete s.clouds.azure; key1(s).clouds = ["azure"]; delete s.domains[0].admins.azure; delete s.domains[0].users.azure; }, ['domains[0].keys[1].clouds[0]: is not configured in clouds (allowed: aws, gcp, got: "azure")']],
    ["replicas without multiRegion", (s) => (key0(s).multiRegion = false), ["domains[0].keys[0].regions.aws: AWS replicas need a multi-Region key (allowed: multiRegion: true, got: false)"]],
    ["deletion window out of range", (s) => (s.defaults.deletionWindowDays = 3), ["defaults.deletionWindowDays: is out of range (allowed: 7-30, got: 3)"]],
    ["reserved tag key", (s) => (s.defaults.tags = { "keyfabric:owner": "me" }), ['defaults.tags.keyfabric:owner: starts with keyfabric: or keyfabric- (in any case), the prefix of keyfabric\'s correlation tags (keyfabric:domain, keyfabric-domain as a GCP label, ...), which a user tag must not overwrite (allowed: a tag key without that prefix, got: "keyfabric:owner")']],
    ["byok in Azure without material", (s) => Object.assign(key1(s), { origin: "byok" }), ["domains[0].keys[1].material: is required for a byok key in Azure: Azure creates imported keys by the import itself (allowed: {file: path, format?}, {env: NAME, format?}, {command: [program, args...], env?: [NAME...], timeoutMs?, format?}, {pkcs11: URI, generate?})"]],
    ["material on a cloud key", (s) => (key0(s).material = { file: "k.bin" }), ['domains[0].keys[0].material: applies to byok keys only (allowed: origin: byok, got: "cloud")']],
    ["material that is not a source", (s) => Object.assign(key0(s), { origin: "byok", material: { url: "https://x" } }), ["domains[0].keys[0].material: names no source: one of file, env, command or pkcs11 is needed (allowed: {file: path, format?}, {env: NAME, format?}, {command: [program, args...], env?: [NAME...], timeoutMs?, format?}, {pkcs11: URI, generate?}, got: an object)"]],
    ["reserved alias", (s) => (key0(s).aliases = ["aws/ebs"]), ['domains[0].keys[0].aliases[0]: alias names starting with aws/ are reserved for AWS managed keys (got: "aws/ebs")']],
    ["rotation given as a string", (s) => (key0(s).rotationDays = "90"), ['domains[0].keys[0].rotationDays: must be a number of days (allowed: 1-3650, got: "90")']],
];

test.each(cases)("%s", (_name, mutate, expected) => {
    const spec = validSpec();
    mutate(spec);
    expect(problems(spec)).toEqual(expected);
});

test("every problem is collected into one error, before anything is created", () => {
    const spec: any = validSpec();
    spec.clouds.gcp.project = "X";
    key0(spec).algorithm = "DES";
    key1(spec).rotationDays = 10;
    spec.domains[0].users.aws = ["*"];
    let error: KeyfabricValidationError | undefined;
    try {
        validateHierarchy(spec);
    } catch (e) {
        error = e as KeyfabricValidationError;
    }
    expect(error).toBeInstanceOf(KeyfabricValidationError);
    expect(error!.message.split("\n")[0]).toBe('Key hierarchy "acme" is invalid: 4 problems');
    expect(error!.issues.map((i) => [i.code, i.path])).toEqual([
        ["invalid_format", "clouds.gcp.project"],
        ["invalid_value", "domains[0].keys[0].algorithm"],
        ["public_principal", "domains[0].users.aws[0]"],
        ["unsupported", "domains[0].keys[1].rotationDays"],
    ]);
});

test("effective settings: restricted keys go to HSMs, symmetric keys inherit rotation, asymmetric keys do not", () => {
    const resolved = validateHierarchy(validSpec());
    const [card, signing] = resolved.domains[0].keys;
    expect(card).toMatchObject({ id: "payments/card-data", protection: "hsm", rotationDays: 90, deletionWindowDays: 30, clouds: ["aws", "gcp"] });
    expect(signing).toMatchObject({ id: "payments/signing", protection: "hsm", rotationDays: undefined, clouds: ["aws", "gcp", "azure"] });
    expect(signing.shapes).toEqual({
        aws: { cloud: "aws", keySpec: "ECC_NIST_P384", keyUsage: "SIGN_VERIFY", symmetric: false },
        gcp: { cloud: "gcp", purpose: "ASYMMETRIC_SIGN", algorithm: "EC_SIGN_P384_SHA384", protectionLevel: "HSM", symmetric: false },
        azure: { cloud: "azure", kty: "EC-HSM", curveName: "P-384", keyOps: ["sign", "verify"], container: "vault", vaultSku: "premium" },
    });
    expect(card.users.aws).toEqual([APP_ARN]);
});

test("a spec that is not an object at all", () => {
    expect(problems(42 as unknown as HierarchySpec)).toEqual([`(root): must be an object (allowed: an object with ${Object.keys(hierarchySchema.shape).join(", ")}, got: 42)`]);
});
