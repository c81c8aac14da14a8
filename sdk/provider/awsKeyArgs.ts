/**
 * The inputs of `keyfabric:aws:Key` (`AwsKey`) as the component package publishes them: `AwsKeyArgs` of
 * `sdk/aws/key.ts` field for field, in types the schema analyzer can express (mutable arrays, enums as `as const`
 * objects, the material source as one object). The component checks them as it does for TypeScript
 * (`checkAwsKeyArgs`); `test/component-provider.test.ts` checks at compile time that the field names are the same.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Algorithm, Classification, Origin, Purpose, SeparationOfDuties } from "./enums";
import type { AwsAudit, MaterialSource } from "./hierarchyArgs";

/** The logical key an instance belongs to: it adds keyfabric's correlation tags (hierarchy, domain, key, owner, classification). */
export interface KeyIdentity {
    /** The hierarchy's name. */
    hierarchy: string;
    /** The domain's name. */
    domain: string;
    /** The logical key's name (empty for a domain's shared containers). */
    key: string;
    /** The owning team or person. */
    owner: string;
    /** The domain's data classification. */
    classification: Classification;
}

/** The inputs of an AwsKey: one AWS KMS key with its aliases, key policy and replicas. */
export interface AwsKeyArgs {
    /** The region of the key, e.g. `eu-west-1`. */
    region: string;
    /** The key's account (12 digits), for the owner statement. Default: the caller's account (sts:GetCallerIdentity). */
    accountId?: pulumi.Input<string>;
    /** What the key is for. */
    purpose: Purpose;
    /** The key algorithm. */
    algorithm: Algorithm;
    /** `byok` creates an EXTERNAL-origin key awaiting imported material. Default: `cloud`. */
    origin?: Origin;
    /** The key's description. */
    description?: pulumi.Input<string>;
    /** Automatic rotation period in days (90-2560); only for symmetric keys AWS generates. */
    rotationDays?: number;
    /** Waiting period before deletion, 7-30 days. Default: 30. */
    deletionWindowDays?: number;
    /** Create a multi-Region primary key. Default: false. */
    multiRegion?: boolean;
    /** Regions for replicas of a multi-Region key. */
    replicaRegions?: string[];
    /** Alias names without the `alias/` prefix. */
    aliases?: string[];
    /** Principals with full control (`kms:*`). Default: the account root (IAM policies then decide). */
    owners?: pulumi.Input<string>[];
    /** Principals who administer but cannot use the key. */
    administrators?: pulumi.Input<string>[];
    /** Principals who encrypt and decrypt (encrypt keys). */
    users?: pulumi.Input<string>[];
    /** Principals who sign and verify (sign keys). */
    signers?: pulumi.Input<string>[];
    /** Principals who generate and verify MACs (mac keys). */
    macUsers?: pulumi.Input<string>[];
    /** Principals whose AWS services may create grants on the key (`kms:GrantIsForAWSResource`). */
    serviceUsers?: pulumi.Input<string>[];
    /** `strict`: the account root may only read the key, administrators manage without use, only `deployers` change the policy. Default: `standard`. */
    separationOfDuties?: SeparationOfDuties;
    /** `strict` only, required: the principals that deploy the key (the role Pulumi runs as). */
    deployers?: pulumi.Input<string>[];
    /** Tags of the key. */
    tags?: { [key: string]: string };
    /** The logical key this instance belongs to; adds the keyfabric correlation tags. */
    identity?: KeyIdentity;
    /** Protect the key (and replicas) from deletion and keep them when removed from the program. Default: true. */
    protect?: boolean;
    /** BYOK: where the provider reads the material to import (into the key and every replica). */
    material?: MaterialSource;
    /** BYOK: when the imported material expires (ISO 8601, at most 365 days ahead). Default: no expiry. */
    validTo?: string;
    /** Where the key's use is recorded (the account's CloudTrail trail); the policy pack reads it. */
    audit?: AwsAudit;
}
