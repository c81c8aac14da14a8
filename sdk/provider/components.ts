/**
 * The components of the keyfabric component package as other Pulumi languages see them: each class's constructor
 * `args` and its public Outputs are what the SDK's schema analyzer turns into the package schema (provider.ts). These
 * are declarations only (`declare class`: nothing here runs); `construct` (provider.ts) builds the TypeScript
 * components themselves (`sdk/hierarchy.ts`, `sdk/aws/key.ts`, `sdk/gcp/key.ts`, `sdk/azure/key.ts`), so a program in any language gets the same resources.
 * The schema registers `AwsKey`, `GcpKey` and `AzureKey` as `keyfabric:aws:Key`, `keyfabric:gcp:Key` and
 * `keyfabric:azure:Key`, the tokens the TypeScript components register.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LogicalKeyIds } from "../keyIds";
import type { AwsKeyArgs } from "./awsKeyArgs";
import type { AzureKeyArgs } from "./azureKeyArgs";
import type { GcpKeyArgs } from "./gcpKeyArgs";
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

/**
 * A Cloud KMS crypto key in a given or created key ring, with IAM members for its administrators and users (strict
 * separation of duties: a custom administrators' role): `keyfabric:gcp:Key`, what a KeyHierarchy creates for each of
 * its GCP keys and locations.
 */
export declare class GcpKey extends pulumi.ComponentResource {
    /** The key ring's id. */
    readonly keyRingId: pulumi.Output<string>;
    /** The crypto key's id (`projects/P/locations/L/keyRings/R/cryptoKeys/K`). */
    readonly cryptoKeyId: pulumi.Output<string>;
    constructor(name: string, args: GcpKeyArgs, opts?: pulumi.ComponentResourceOptions);
}

/**
 * A Key Vault key (RSA/EC, software or HSM) in a given or created vault, or an `oct-HSM` (AES) key on a Managed HSM,
 * with a rotation policy and role assignments: `keyfabric:azure:Key`, what a KeyHierarchy creates for each of its
 * Azure keys and locations.
 */
export declare class AzureKey extends pulumi.ComponentResource {
    /** ARM id (Key Vault) or versionless key id (Managed HSM). */
    readonly keyId: pulumi.Output<string>;
    /** Versionless key URI. */
    readonly keyUri: pulumi.Output<string>;
    constructor(name: string, args: AzureKeyArgs, opts?: pulumi.ComponentResourceOptions);
}
