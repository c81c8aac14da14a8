/**
 * The key hierarchy spec: one declaration, in TypeScript or in stack config (`keyfabric:hierarchy`).
 *
 * The zod schema checks shapes and vocabularies; `validate.ts` adds the cross-field rules (capabilities,
 * residency, separation of duties, ...) and reports everything together.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    ALGORITHMS,
    AZURE_VAULT_SKUS,
    CLASSIFICATIONS,
    CLOUDS,
    LIMITS,
    ORIGINS,
    PROTECTIONS,
    PURPOSES,
} from "./constants";
import { AZURE_VAULT_NAME, AZURE_VAULT_NAME_FORMAT } from "./limits";
import { NAME_FORMAT, NAME_RE } from "./names";
import { UUID_RE } from "./principals";
import { SEPARATION_MODES } from "./separation";
import { materialSourceSchema } from "../byok/sources";

/** Encodes a message and its allowed values for `zodIssues` to split again. */
export function msg(message: string, allowed?: string): string {
    return JSON.stringify({ m: message, a: allowed });
}

const name = () => z.string({ error: msg("is not a valid name", NAME_FORMAT) }).regex(NAME_RE, { error: msg("is not a valid name", NAME_FORMAT) });
const choice = <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values as unknown as { [K in T[number]]: K }, { error: msg("is not one of the allowed values", values.join(", ")) });
/** A number of days: one problem per value (out of range first), and what null means in stack config. */
const days = (min: number, max: number) =>
    z
        .number({
            error: (iss) =>
                iss.input === null
                    ? msg("must be a number of days, and null is not one (in stack config, .nan, .inf and an empty value all become null)", `${min}-${max}`)
                    : msg("must be a number of days", `${min}-${max}`),
        })
        .min(min, { error: msg("is out of range", `${min}-${max}`), abort: true })
        .max(max, { error: msg("is out of range", `${min}-${max}`), abort: true })
        .int({ error: msg("must be a whole number of days", `${min}-${max}`) });
const strict = <S extends z.ZodRawShape>(shape: S) =>
    z.strictObject(shape, {
        error: (iss) =>
            iss.code === "unrecognized_keys"
                ? msg(`has unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.join(", ")}`, Object.keys(shape).join(", "))
                : iss.code === "invalid_type"
                  ? msg("must be an object", `an object with ${Object.keys(shape).join(", ")}`)
                  : undefined,
    });

/** A real `pulumi.Output` (an object from YAML or JSON that only says `__pulumiOutput: true` is not one). */
export const isOutput = (v: unknown): v is pulumi.Output<unknown> => pulumi.Output.isInstance(v) && typeof (v as { apply?: unknown }).apply === "function";

/** A principal: a plain string (checked per cloud in validate.ts) or a `pulumi.Output<string>`. */
export const principalSchema = z.union([z.string(), z.custom<pulumi.Output<string>>((v) => isOutput(v))], {
    error: msg("must be a principal string or an Output<string>"),
});
const principals = z.array(principalSchema, { error: msg("must be a list of principals") });
const perCloudPrincipals = strict({ aws: principals.optional(), gcp: principals.optional(), azure: principals.optional() });
const regionList = (example: string) =>
    z.array(z.string({ error: msg("must be a region name", `e.g. ${example}`) }), { error: msg("must be a list of regions", `e.g. [${example}]`) });
const perCloudRegions = strict({
    aws: regionList("eu-central-1").optional(),
    gcp: regionList("europe-west4").optional(),
    azure: regionList("northeurope").optional(),
});
const tags = z.record(z.string(), z.string({ error: msg("tag values must be strings") }), {
    error: msg("must be a map of strings", "e.g. {cost-center: sec-001}"),
});

const AWS_REGION = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_LOCATION = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const AZURE_RG = /^[-\w._()]{1,89}[-\w_()]$/;
const AZURE_LOCATION = /^[a-z][a-z0-9]*$/;
/** AWS alias names are at most 256 characters with `alias/` (limits.ts). */
const ALIAS = /^[a-zA-Z0-9/_-]{1,250}$/;
const ALIAS_FORMAT = "1-250 letters, digits, / _ - (without alias/), not starting with aws/";

export const awsCloudSchema = strict({
    /** The primary region: every AWS key is created here. */
    region: z.string().regex(AWS_REGION, { error: msg("is not an AWS region", "e.g. us-east-1, eu-west-1") }),
    /** The account the keys belong to; read from the credentials (sts:GetCallerIdentity) when left out. */
    accountId: z
        .string({ error: msg('must be a string of 12 digits (in YAML, quote it: "111122223333"), not a number', "12 digits") })
        .regex(/^\d{12}$/, { error: msg("is not an AWS account id", "12 digits") })
        .optional(),
});

export const gcpCloudSchema = strict({
    project: z.string().regex(GCP_PROJECT, { error: msg("is not a GCP project id", "6-30 lowercase letters, digits, hyphens; starts with a letter") }),
    /** The location of the key rings, e.g. `europe-west1`, `us`, `global`. */
    location: z.string().regex(GCP_LOCATION, { error: msg("is not a GCP location", "e.g. europe-west1, us-central1, europe, global") }),
});

/** ARM ids of a subnet and of the Key Vault private DNS zone (case-insensitive, as ARM treats them). */
export const AZURE_SUBNET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;
export const AZURE_PRIVATE_DNS_ZONE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/privateDnsZones\/privatelink\.vaultcore\.azure\.net$/i;
/** A Key Vault firewall IP rule: an IPv4 address or CIDR range. */
const IPV4_RULE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\/(?:3[0-2]|[12]?\d))?$/;

/** ARM ids of the Azure audit destinations (case-insensitive, as ARM treats them). */
export const AZURE_WORKSPACE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;
export const AZURE_STORAGE_ACCOUNT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i;
/** `external` or a CloudTrail trail ARN. */
export const AWS_TRAIL = /^(?:external|arn:aws(?:-[a-z]+)*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9._-]{3,128})$/;

const armIdOrOutput = (re: RegExp, what: string, example: string) =>
    z.union([z.string().regex(re, { error: msg(`is not the ARM id of ${what}`, example) }), z.custom<pulumi.Output<string>>((v) => pulumi.Output.isInstance(v))], {
        error: msg(`must be the ARM id of ${what} or an Output<string>`, example),
    });
const flag = () => z.boolean({ error: msg("must be true or false") });

export const azureCloudSchema = strict({
    resourceGroupName: z.string().regex(AZURE_RG, { error: msg("is not a resource group name", "1-90 letters, digits, - _ . ( )") }),
    location: z.string().regex(AZURE_LOCATION, { error: msg("is not an Azure location", "e.g. westeurope, eastus2") }),
    tenantId: z.string().regex(UUID_RE, { error: msg("is not a tenant id", "a UUID") }),
    /** Key Vault settings: with `name`, keys go to that existing vault; without, keyfabric creates one per domain and location. */
    vault: strict({
        name: z.string({ error: msg("is not a Key Vault name", AZURE_VAULT_NAME_FORMAT) }).regex(AZURE_VAULT_NAME, { error: msg("is not a Key Vault name", AZURE_VAULT_NAME_FORMAT) }).optional(),
        sku: choice(AZURE_VAULT_SKUS).optional(),
        /** Public IPv4 addresses or ranges allowed through the created vaults' firewall; with none, public network access is disabled. */
        ipRules: z.array(z.string().regex(IPV4_RULE, { error: msg("is not an IPv4 address or range", "e.g. 203.0.113.7 or 203.0.113.0/24") })).optional(),
        /** A private endpoint per created vault, in this subnet (and its DNS registered in the zone, when given). */
        privateEndpoint: strict({
            subnetId: armIdOrOutput(AZURE_SUBNET_ID, "a subnet", "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>"),
            privateDnsZoneId: armIdOrOutput(AZURE_PRIVATE_DNS_ZONE_ID, "a privatelink.vaultcore.azure.net private DNS zone", "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net").optional(),
            /** The subnet's virtual network's location. @default clouds.azure.location */
            location: z.string().regex(AZURE_LOCATION, { error: msg("is not an Azure location", "e.g. westeurope, eastus2") }).optional(),
        }).optional(),
    }).optional(),
    /** An existing Managed HSM, for `oct-HSM` (AES) keys. */
    managedHsm: strict({
        name: z.string({ error: msg("is not a Managed HSM name", AZURE_VAULT_NAME_FORMAT) }).regex(AZURE_VAULT_NAME, { error: msg("is not a Managed HSM name", AZURE_VAULT_NAME_FORMAT) }),
        /** The Managed HSM's resource group; @default clouds.azure.resourceGroupName */
        resourceGroupName: z.string().regex(AZURE_RG, { error: msg("is not a resource group name", "1-90 letters, digits, - _ . ( )") }).optional(),
    }).optional(),
});

/**
 * Audit logging of key use, per cloud (see the README, "Audit logging"). keyfabric creates what each cloud needs, or
 * records that an owner outside the stack (an account or organization baseline) does.
 */
export const auditSchema = strict({
    /** AWS KMS calls are CloudTrail management events; keyfabric creates no trail: name the account baseline's. */
    aws: strict({
        /** `external` (the account or organization baseline keeps a multi-Region trail) or that trail's ARN. */
        trail: z.string({ error: msg("must be external or a CloudTrail trail ARN", "external, arn:aws:cloudtrail:<region>:<account>:trail/<name>") }).regex(AWS_TRAIL, {
            error: msg("is not external or a CloudTrail trail ARN", "external, arn:aws:cloudtrail:<region>:<account>:trail/<name>"),
        }),
    }).optional(),
    /** Cloud KMS Data Access audit logs: an IAMAuditConfig on clouds.gcp.project, unless `external`. */
    gcp: strict({
        /** The organization, a folder or another stack sets the project's audit config: keyfabric creates none. @default false */
        external: flag().optional(),
    }).optional(),
    /** Key Vault / Managed HSM AuditEvent logs: a diagnostic setting per vault keyfabric creates, unless `external`. */
    azure: strict({
        workspaceId: armIdOrOutput(AZURE_WORKSPACE_ID, "a Log Analytics workspace", "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>").optional(),
        storageAccountId: armIdOrOutput(AZURE_STORAGE_ACCOUNT_ID, "a storage account", "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>").optional(),
        /** Also set the diagnostic setting of the existing vault (clouds.azure.vault.name) and Managed HSM keys use. */
        includeExisting: flag().optional(),
        /** Another owner (e.g. an Azure Policy deployIfNotExists assignment) sets the diagnostic settings. @default false */
        external: flag().optional(),
    }).optional(),
});

export const keySchema = strict({
    name: name(),
    description: z.string({ error: msg("must be a string") }).max(8192, { error: msg("is longer than 8192 characters", "at most 8192 characters") }).optional(),
    purpose: choice(PURPOSES),
    algorithm: choice(ALGORITHMS),
    /** Which clouds get an instance. @default every configured cloud */
    clouds: z.array(choice(CLOUDS), { error: msg("must be a list of clouds", `e.g. [${CLOUDS.join(", ")}]`) }).optional(),
    /** `byok` keys are created import-ready (EXTERNAL origin in AWS, import-only in GCP). @default "cloud" */
    origin: choice(ORIGINS).optional(),
    /** Automatic rotation period; only where the cloud rotates this kind of key. */
    rotationDays: days(1, 3650).optional(),
    protection: choice(PROTECTIONS).optional(),
    /**
     * For `byok` keys: where the BYOK providers read the material at deploy time (`{file}`, `{env}` or `{command}`).
     * Only this descriptor is stored. Without it, AWS and GCP keys are created import-ready (import with the CLI).
     */
    material: materialSourceSchema.optional(),
    /** For `byok` keys in AWS: when the imported material expires (ISO 8601, at most 365 days ahead). @default no expiry */
    validTo: z.iso.datetime({ offset: true, error: msg("is not an ISO 8601 date-time", "e.g. 2027-06-30T00:00:00Z") }).optional(),
    /** Extra users of this key, per cloud, on top of the domain's users. */
    users: perCloudPrincipals.optional(),
    /** AWS multi-Region key (needed for `regions.aws` replicas). @default false */
    multiRegion: z.boolean({ error: msg("must be true or false") }).optional(),
    /** Extra regions: AWS replicas of a multi-Region key; further GCP/Azure instances in those locations. */
    regions: perCloudRegions.optional(),
    /** AWS alias names (without `alias/`), on top of `<hierarchy>/<domain>/<key>`. */
    aliases: z
        .array(z.string({ error: msg("must be an alias name", ALIAS_FORMAT) }).regex(ALIAS, { error: msg("is not a valid alias", ALIAS_FORMAT) }), {
            error: msg("must be a list of alias names", `e.g. [payments-cmk], each ${ALIAS_FORMAT}`),
        })
        .optional(),
    tags: tags.optional(),
});

export const domainSchema = strict({
    name: name(),
    classification: choice(CLASSIFICATIONS),
    /** Residency: where this domain's keys may live, per cloud. Unset means anywhere. */
    regions: perCloudRegions.optional(),
    admins: perCloudPrincipals.optional(),
    users: perCloudPrincipals.optional(),
    rotationDays: days(1, 3650).optional(),
    deletionWindowDays: days(LIMITS.deletionWindowDays.min, LIMITS.deletionWindowDays.max).optional(),
    protection: choice(PROTECTIONS).optional(),
    tags: tags.optional(),
    keys: z.array(keySchema, { error: msg("must be a list of keys") }).min(1, { error: msg("must declare at least one key") }),
    /** `strict`: administrators manage without use or permission changes; only the deployer changes them. @default "standard" */
    separationOfDuties: choice(SEPARATION_MODES).optional(),
    /** Strict domains: the principals that deploy the keys, per cloud (else the hierarchy's `deployer`). */
    deployer: perCloudPrincipals.optional(),
});

export const hierarchySchema = strict({
    name: name(),
    owner: z
        .string({ error: msg("must name the owning team or person", "a string of 1-128 characters") })
        .min(1, { error: msg("must name the owning team or person") })
        .max(128, { error: msg("is longer than 128 characters", "at most 128 characters") }),
    clouds: strict({ aws: awsCloudSchema.optional(), gcp: gcpCloudSchema.optional(), azure: azureCloudSchema.optional() }),
    defaults: strict({
        rotationDays: days(1, 3650).optional(),
        deletionWindowDays: days(LIMITS.deletionWindowDays.min, LIMITS.deletionWindowDays.max).optional(),
        protection: choice(PROTECTIONS).optional(),
        tags: tags.optional(),
    }).optional(),
    domains: z.array(domainSchema, { error: msg("must be a list of domains") }).min(1, { error: msg("must declare at least one domain") }),
    audit: auditSchema.optional(),
    /** The principals that deploy the keys of strict domains, per cloud (a domain's own `deployer` takes precedence). */
    deployer: perCloudPrincipals.optional(),
});

export type HierarchySpec = z.input<typeof hierarchySchema>;
export type DomainSpec = z.input<typeof domainSchema>;
export type KeySpec = z.input<typeof keySchema>;
export type AwsCloudSpec = z.input<typeof awsCloudSchema>;
export type GcpCloudSpec = z.input<typeof gcpCloudSchema>;
export type AzureCloudSpec = z.input<typeof azureCloudSchema>;
export type AuditSpec = z.input<typeof auditSchema>;
export type PerCloud<T> = { aws?: T; gcp?: T; azure?: T };

const EXPECTED: Record<string, string> = {
    string: "a string",
    number: "a number",
    boolean: "true or false",
    array: "a list",
    object: "an object",
    record: "a map",
    date: "a date",
    bigint: "a number",
};

/**
 * zod's own messages ("Invalid input: expected string, received number", "Too big: ...") for the fields that have no
 * message of their own, as the sentence fragments the spec's messages use; undefined when the message is ours.
 */
export function plainZodMessage(iss: { code: string; message: string; expected?: unknown; maximum?: unknown; minimum?: unknown; origin?: unknown }): string | undefined {
    if (iss.message.startsWith('{"m":')) return undefined;
    const unit = iss.origin === "string" ? "characters" : iss.origin === "array" ? "items" : undefined;
    switch (iss.code) {
        case "invalid_type":
            return typeof iss.expected === "string" ? `must be ${EXPECTED[iss.expected] ?? iss.expected}` : undefined;
        case "too_big":
            return unit ? `has more than ${iss.maximum} ${unit}` : `is more than ${iss.maximum}`;
        case "too_small":
            return unit ? `has fewer than ${iss.minimum} ${unit}` : `is less than ${iss.minimum}`;
        case "invalid_union":
            return "is not any of the accepted forms";
        default:
            return undefined;
    }
}

/** Splits a `msg()` message back into text and allowed values. */
export function decodeMessage(message: string): { message: string; allowed?: string } {
    if (message.startsWith('{"m":')) {
        try {
            const { m, a } = JSON.parse(message) as { m: string; a?: string };
            return { message: m, allowed: a };
        } catch {
            /* not ours */
        }
    }
    return { message };
}
