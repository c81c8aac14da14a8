/**
 * What each cloud accepts for the names, ids, tags and dates keyfabric derives from a spec, as the services document
 * them. Validation checks them before anything is created, so that a spec the clouds would refuse half-way through a
 * deployment is refused at preview, with every problem listed.
 */
import { CloudName } from "./constants";

/**
 * Tags (AWS, Azure) and labels (GCP), per cloud.
 *
 * - AWS KMS `Tag`: TagKey 1-128 characters, TagValue 0-256; keys must not start with `aws:` (any case), which AWS
 *   reserves; at most 50 tags per KMS key; letters, digits, spaces and `+ - = . _ : / @`
 *   (https://docs.aws.amazon.com/kms/latest/APIReference/API_Tag.html, "User-defined tag restrictions" of the AWS
 *   Billing user guide, and the AWS::KMS::Key Tag reference).
 * - Google Cloud labels: keys 1-63 characters, starting with a lowercase letter; keys and values only lowercase
 *   letters, digits, `_` and `-`; values 0-63 characters; at most 64 labels per resource
 *   (https://cloud.google.com/resource-manager/docs/creating-managing-labels, "Requirements for labels"; Cloud KMS
 *   keys: https://cloud.google.com/kms/docs/creating-managing-labels). keyfabric lower-cases
 *   label keys and values and replaces every other character with `_` (`sanitizeLabelKey`/`sanitizeLabelValue` in
 *   names.ts); a key that does not then start with a letter gets a `k` in front.
 * - Azure tags: names up to 512 characters, values up to 256; at most 50 tag name-value pairs per resource; names
 *   cannot contain `< > % & \ ? /`; names are case-insensitive
 *   (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources, "Limits").
 */
export const TAG_LIMITS: Record<CloudName, { keyChars: number; valueChars: number; count: number; noun: string; keyNoun: string; valueNoun: string }> = {
    aws: { keyChars: 128, valueChars: 256, count: 50, noun: "AWS KMS tags", keyNoun: "AWS KMS tag keys", valueNoun: "AWS KMS tag values" },
    gcp: { keyChars: 63, valueChars: 63, count: 64, noun: "GCP labels", keyNoun: "GCP label keys", valueNoun: "GCP label values" },
    azure: { keyChars: 512, valueChars: 256, count: 50, noun: "Azure tags", keyNoun: "Azure tag names", valueNoun: "Azure tag values" },
};

/** AWS tag characters: Unicode letters, digits, white space and `+ - = . _ : / @`. */
export const AWS_TAG_CHARS = /^[\p{L}\p{M}\p{N}\p{Zs}+\-=._:/@]*$/u;
export const AWS_TAG_CHARS_ALLOWED = "letters, digits, spaces and + - = . _ : / @";
/** Characters Azure tag names cannot contain. */
export const AZURE_TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;

/**
 * Identifiers keyfabric derives from spec names.
 *
 * - Cloud KMS key ring and crypto key ids: `[a-zA-Z0-9_-]{1,63}` (the `keyRingId` / `cryptoKeyId` parameters of
 *   https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings/create and .../cryptoKeys/create). keyfabric's key ring id is
 *   `<hierarchy name>-<domain name>`, its crypto key id the key name.
 * - Key Vault names and Managed HSM names: 3-24 characters, letters, digits and hyphens, starting with a letter, ending
 *   with a letter or digit, no consecutive hyphens; key names 1-127 letters, digits and hyphens
 *   (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates, "Object identifiers").
 *   keyfabric's key names are `<domain name>-<key name>`.
 * - AWS KMS alias names: `alias/` then 1-250 more characters `[a-zA-Z0-9/_-]`, never `alias/aws/`
 *   (https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html and the CreateAlias AliasName: "a string
 *   of 1-256 characters ... only alphanumeric characters, forward slashes (/), underscores (_), and dashes (-) ...
 *   cannot begin with alias/aws/").
 */
export const ID_LIMITS = {
    gcpKeyRingIdChars: 63,
    gcpCryptoKeyIdChars: 63,
    azureVaultNameChars: { min: 3, max: 24 },
    azureKeyNameChars: 127,
    awsAliasChars: 256,
} as const;

/** The GCP id format, for messages. */
export const GCP_ID_FORMAT = "1-63 letters, digits, _ and -";

/** Key Vault and Managed HSM names. */
export const AZURE_VAULT_NAME = /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
export const AZURE_VAULT_NAME_FORMAT = "3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no two hyphens in a row";

/**
 * Imported key material expiry (`validTo`). AWS ImportKeyMaterial: "The value of this parameter must be a future date
 * and time. The maximum value is 365 days from the request date." When it expires, AWS deletes the material and the
 * key is unusable until the same material is imported again
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html, ValidTo). Cloud KMS imported
 * versions and Azure imported keys do not expire by themselves: `validTo` applies to the AWS instance only.
 */
export const VALID_TO = {
    /** The latest ValidTo AWS accepts, in days from the import. */
    awsMaxDays: 365,
    /** A validTo closer than this is reported as a warning: the material would expire soon after the deployment. */
    warnWithinDays: 30,
} as const;
