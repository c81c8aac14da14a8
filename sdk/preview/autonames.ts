/**
 * Names the providers make up at `pulumi preview` for resources declared without one.
 *
 * The Terraform-bridged providers (`@pulumi/aws`, `@pulumi/gcp`, `@pulumi/azure`) auto-name a resource's name
 * property in `Check`, so the name is known at preview: the logical name, `-`, 7 random hex digits
 * (pulumi-terraform-bridge `tfbridge.AutoName` / `AutoNameWithCustomOptions`: `resource.NewUniqueHex(name + "-", 7,
 * maxlen)`, lower-cased where the cloud requires it, e.g. S3 and GCS buckets). azure-native appends 8 random hex
 * digits with no separator (its autonamer, `resource.NewUniqueHex(name, 8, maxlen)`), and role assignments get a GUID.
 *
 * Offline, the "random" digits are derived from the URN, so a preview is repeatable; they look like the provider's.
 * Only the types below are modelled: the providers auto-name only a property the cloud requires and the Pulumi schema
 * made optional, which the installed packages' runtime code does not say, so each entry was read off the package's
 * type declarations (`name?:` on the Args where the cloud requires a name).
 */
import { createHash } from "crypto";

interface AutoName {
    readonly property: string;
    readonly style: "bridge" | "azure-native" | "guid";
    readonly maxLength?: number;
    readonly lower?: boolean;
}

const bridge = (property: string, maxLength = 255, lower = false): AutoName => ({ property, style: "bridge", maxLength, lower });
const native = (property: string, maxLength = 255, lower = false): AutoName => ({ property, style: "azure-native", maxLength, lower });

export const AUTO_NAMED: Readonly<Record<string, AutoName>> = {
    // Google Cloud
    "gcp:kms/keyRing:KeyRing": bridge("name", 63),
    "gcp:kms/cryptoKey:CryptoKey": bridge("name", 63),
    "gcp:storage/bucket:Bucket": bridge("name", 63, true),
    "gcp:pubsub/topic:Topic": bridge("name", 255),
    "gcp:compute/disk:Disk": bridge("name", 63, true),
    "gcp:container/cluster:Cluster": bridge("name", 40, true),
    // AWS
    "aws:iam/role:Role": bridge("name", 64),
    "aws:iam/policy:Policy": bridge("name", 128),
    "aws:iam/user:User": bridge("name", 64),
    "aws:s3/bucket:Bucket": bridge("bucket", 63, true),
    "aws:s3/bucketV2:BucketV2": bridge("bucket", 63, true),
    "aws:sqs/queue:Queue": bridge("name", 80),
    "aws:sns/topic:Topic": bridge("name", 256),
    "aws:cloudwatch/logGroup:LogGroup": bridge("name", 512),
    "aws:secretsmanager/secret:Secret": bridge("name", 512),
    "aws:ssm/parameter:Parameter": bridge("name", 2048),
    "aws:dynamodb/table:Table": bridge("name", 255),
    "aws:lambda/function:Function": bridge("name", 64),
    "aws:ecr/repository:Repository": bridge("name", 256, true),
    "aws:kinesis/stream:Stream": bridge("name", 128),
    "aws:rds/instance:Instance": bridge("identifier", 63, true),
    "aws:rds/cluster:Cluster": bridge("clusterIdentifier", 63, true),
    "aws:eks/cluster:Cluster": bridge("name", 100),
    // Azure (native)
    "azure-native:resources:ResourceGroup": native("resourceGroupName", 90),
    "azure-native:keyvault:Vault": native("vaultName", 24),
    "azure-native:keyvault:Key": native("keyName", 127),
    "azure-native:keyvault:Secret": native("secretName", 127),
    "azure-native:keyvault:ManagedHsm": native("name", 24),
    "azure-native:storage:StorageAccount": native("accountName", 24, true),
    "azure-native:managedidentity:UserAssignedIdentity": native("resourceName", 128),
    "azure-native:compute:DiskEncryptionSet": native("diskEncryptionSetName", 80),
    "azure-native:compute:Disk": native("diskName", 80),
    "azure-native:authorization:RoleAssignment": { property: "roleAssignmentName", style: "guid" },
};

function hex(urn: string, n: number): string {
    return createHash("sha256").update(urn).digest("hex").slice(0, n);
}

/** The inputs with the provider's auto-name filled in, when this type auto-names and the program gave no name. */
export function withAutoName(type: string, urn: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const rule = AUTO_NAMED[type];
    if (!rule || inputs[rule.property] !== undefined) return inputs;
    let value: string;
    if (rule.style === "guid") {
        const h = hex(urn, 32);
        value = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
    } else {
        const suffix = rule.style === "bridge" ? `-${hex(urn, 7)}` : hex(urn, 8);
        const base = rule.lower ? name.toLowerCase() : name;
        const max = rule.maxLength ?? 255;
        value = base.slice(0, Math.max(0, max - suffix.length)) + suffix;
    }
    return { ...inputs, [rule.property]: value };
}

/**
 * Output-only properties nested in objects the program also sets, which a provider reports as unknown at preview.
 * Top-level computed outputs need nothing here: the SDK resolves an output the engine did not return as unknown at
 * preview. But azure-native echoes an input object such as a vault's `properties` as that output and marks the
 * fields only Azure fills in as unknown (its `previewOutputs`, from the resource's output schema), so a program that
 * reads `vault.properties.vaultUri` gets an unknown, not `undefined`. Read off `@pulumi/azure-native/types/output.d.ts`
 * (`VaultPropertiesResponse`, `ManagedHsmPropertiesResponse`): the fields that are not in the input types.
 */
export const NESTED_COMPUTED: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
    "azure-native:keyvault:Vault": { properties: ["hsmPoolResourceId", "privateEndpointConnections", "provisioningState", "vaultUri"] },
    "azure-native:keyvault:ManagedHsm": { properties: ["hsmUri", "privateEndpointConnections", "provisioningState", "scheduledPurgeDate", "securityDomainProperties", "statusMessage"] },
};

/** The preview state of a new resource: its inputs, with nested provider-computed fields unknown. */
export function previewState(type: string, props: Record<string, unknown>, unknown: string): Record<string, unknown> {
    const nested = NESTED_COMPUTED[type];
    if (!nested) return props;
    const state = { ...props };
    for (const [prop, fields] of Object.entries(nested)) {
        const v = state[prop];
        if (!v || typeof v !== "object" || Array.isArray(v)) continue;
        state[prop] = { ...Object.fromEntries(fields.map((f) => [f, unknown])), ...(v as Record<string, unknown>) };
    }
    return state;
}
