/**
 * The components of the keyfabric component package as other Pulumi languages see them: each class's constructor
 * `args` and its public Outputs are what the SDK's schema analyzer turns into the package schema (provider.ts). These
 * are declarations only (`declare class`: nothing here runs); `construct` (provider.ts) builds the TypeScript
 * components themselves (`sdk/hierarchy.ts`, `sdk/aws/key.ts`), so a program in any language gets the same resources.
 * The schema registers `AwsKey` as `keyfabric:aws:Key`, the token the TypeScript component registers.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LogicalKeyIds } from "../keyIds";
import type { AwsKeyArgs } from "./awsKeyArgs";
import type { KeyHierarchyArgs } from "./hierarchyArgs";

/**
 * A multi-cloud key hierarchy: one declaration that fans out to AWS KMS, Google Cloud KMS and Azure Key Vault /
 * Managed HSM keys, key rings, vaults, IAM, rotation and audit logging, with secure defaults, validated in full
 * before anything is created. Tree: KeyHierarchy -> KeyDomain `<name>-<domain>` -> key rings / vaults and per-cloud
 * Key components `<name>-<domain>-<key>-<aws|gcp|azure>[-<location>]`.
 */
export declare class KeyHierarchy extends pulumi.ComponentResource {
    /** `domain/key` -> the key's identifiers in each cloud (AWS key ARN and id, aliases, replicas; GCP crypto key and key ring ids; Azure key id and URI). */
    readonly keys: pulumi.Output<{ [id: string]: LogicalKeyIds }>;
    constructor(name: string, args: KeyHierarchyArgs, opts?: pulumi.ComponentResourceOptions);
}

/**
 * An AWS KMS key (or an EXTERNAL-origin key for BYOK) with aliases, a key policy built from roles (owners,
 * administrators, users, signers, MAC users, service users; strict separation of duties with deployers) and
 * multi-Region replicas: `keyfabric:aws:Key`, what a KeyHierarchy creates for each of its AWS keys.
 */
export declare class AwsKey extends pulumi.ComponentResource {
    /** The key's ARN. */
    readonly keyArn: pulumi.Output<string>;
    /** The key's id. */
    readonly keyId: pulumi.Output<string>;
    /** The ARNs of its aliases. */
    readonly aliasArns: pulumi.Output<string[]>;
    /** The ARN of each replica, by region. */
    readonly replicaArns: pulumi.Output<{ [region: string]: string }>;
    constructor(name: string, args: AwsKeyArgs, opts?: pulumi.ComponentResourceOptions);
}
