/**
 * The components of the keyfabric component package as other Pulumi languages see them: each class's constructor
 * `args` and its public Outputs are what the SDK's schema analyzer turns into the package schema (provider.ts). These
 * are declarations only (`declare class`: nothing here runs); `construct` (construct.ts) builds the TypeScript
 * components themselves, `KeyHierarchy` of `sdk/hierarchy.ts`, so a program in any language gets the same resources.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LogicalKeyIds } from "./outputs";
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
