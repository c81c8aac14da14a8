/**
 * The cloud provider packages are optional peer dependencies (package.json `peerDependenciesMeta`): an AWS-only
 * project installs `@pulumi/aws` and never `@pulumi/gcp` or the Azure packages. Each submodule keyfabric uses is
 * loaded on first use (the first property read of its object here), so importing `keyfabric` loads none of them, and
 * a hierarchy loads only the clouds it declares. A missing package fails with a `KeyfabricMissingPeerError` naming the
 * package, the supported range and the install command; `requirePeers` checks up front (`KeyHierarchy` does, before
 * it registers anything).
 *
 * Type positions import the submodules with `import type`, which the compiler erases.
 */
import * as fs from "fs";
import * as path from "path";
import type * as AwsKms from "@pulumi/aws/kms";
import type * as AwsGetCallerIdentity from "@pulumi/aws/getCallerIdentity";
import type * as GcpKms from "@pulumi/gcp/kms";
import type * as GcpIamAuditConfig from "@pulumi/gcp/projects/iamauditConfig";
import type * as GcpIamCustomRole from "@pulumi/gcp/projects/iamcustomRole";
import type * as AzureNativeKeyvault from "@pulumi/azure-native/keyvault";
import type * as AzureNativeAuthorization from "@pulumi/azure-native/authorization";
import type * as AzureNativeRoleDefinition from "@pulumi/azure-native/authorization/roleDefinition";
import type * as AzureNativeDiagnosticSetting from "@pulumi/azure-native/monitor/diagnosticSetting";
import type * as AzureNativePrivateEndpoint from "@pulumi/azure-native/network/privateEndpoint";
import type * as AzureNativePrivateDnsZoneGroup from "@pulumi/azure-native/network/privateDnsZoneGroup";
import type * as AzureKeyvault from "@pulumi/azure/keyvault";
import type * as AzureHsmRoleDefinition from "@pulumi/azure/keyvault/managedHardwareSecurityModuleRoleDefinition";

/** The optional cloud peers and what each is for (README "Install"). */
export const CLOUD_PEERS = {
    "@pulumi/aws": "AWS KMS keys (clouds.aws, AwsKey)",
    "@pulumi/gcp": "Google Cloud KMS keys (clouds.gcp, GcpKey)",
    "@pulumi/azure-native": "Azure Key Vault keys and vaults (clouds.azure, AzureKey)",
    "@pulumi/azure": "Azure Managed HSM keys and roles (clouds.azure.managedHsm)",
} as const;
export type CloudPeer = keyof typeof CLOUD_PEERS;

/** The range of `peer` that keyfabric supports: package.json `peerDependencies` (one level above sdk/ and lib/). */
export function peerRange(peer: CloudPeer): string {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { peerDependencies?: Record<string, string> };
    return pkg.peerDependencies?.[peer] ?? "*";
}

/** A cloud package the program needs is not installed (`peer`: which; the message says how to install it). */
export class KeyfabricMissingPeerError extends Error {
    constructor(readonly peer: CloudPeer, readonly needed: string) {
        const range = peerRange(peer);
        super(`keyfabric: ${needed} needs the package ${peer} (${range}; for ${CLOUD_PEERS[peer]}), which is not installed: npm install ${peer}@"${range}"`);
        this.name = "KeyfabricMissingPeerError";
    }
}

function isMissing(err: unknown, specifier: string): boolean {
    const e = err as NodeJS.ErrnoException;
    // Only the package itself: a missing module inside an installed package is that package's error, rethrown.
    return e?.code === "MODULE_NOT_FOUND" && typeof e.message === "string" && e.message.startsWith(`Cannot find module '${specifier}'`);
}

/** `require(specifier)` of `peer`, or a `KeyfabricMissingPeerError` naming it. */
function load<T>(peer: CloudPeer, specifier: string): T {
    try {
        return require(specifier) as T;
    } catch (err) {
        if (isMissing(err, specifier)) throw new KeyfabricMissingPeerError(peer, `creating ${specifier} resources`);
        throw err;
    }
}

/** The module `peer/subpath`, loaded at the first property read. */
function lazy<T extends object>(peer: CloudPeer, subpath: string): T {
    let module: T | undefined;
    const get = (): T => (module ??= load<T>(peer, `${peer}/${subpath}`));
    return new Proxy({} as T, {
        get: (_target, prop) => Reflect.get(get(), prop),
        has: (_target, prop) => Reflect.has(get(), prop),
        ownKeys: () => Reflect.ownKeys(get()),
        getOwnPropertyDescriptor: (_target, prop) => {
            const d = Reflect.getOwnPropertyDescriptor(get(), prop);
            return d && { ...d, configurable: true };
        },
    });
}

export const aws = {
    kms: lazy<typeof AwsKms>("@pulumi/aws", "kms"),
    getCallerIdentity: lazy<typeof AwsGetCallerIdentity>("@pulumi/aws", "getCallerIdentity"),
};

export const gcp = {
    kms: lazy<typeof GcpKms>("@pulumi/gcp", "kms"),
    iamAuditConfig: lazy<typeof GcpIamAuditConfig>("@pulumi/gcp", "projects/iamauditConfig"),
    iamCustomRole: lazy<typeof GcpIamCustomRole>("@pulumi/gcp", "projects/iamcustomRole"),
};

export const azureNative = {
    keyvault: lazy<typeof AzureNativeKeyvault>("@pulumi/azure-native", "keyvault"),
    authorization: lazy<typeof AzureNativeAuthorization>("@pulumi/azure-native", "authorization"),
    roleDefinition: lazy<typeof AzureNativeRoleDefinition>("@pulumi/azure-native", "authorization/roleDefinition"),
    diagnosticSetting: lazy<typeof AzureNativeDiagnosticSetting>("@pulumi/azure-native", "monitor/diagnosticSetting"),
    privateEndpoint: lazy<typeof AzureNativePrivateEndpoint>("@pulumi/azure-native", "network/privateEndpoint"),
    privateDnsZoneGroup: lazy<typeof AzureNativePrivateDnsZoneGroup>("@pulumi/azure-native", "network/privateDnsZoneGroup"),
};

export const azureClassic = {
    keyvault: lazy<typeof AzureKeyvault>("@pulumi/azure", "keyvault"),
    hsmRoleDefinition: lazy<typeof AzureHsmRoleDefinition>("@pulumi/azure", "keyvault/managedHardwareSecurityModuleRoleDefinition"),
};

/** Whether `peer` can be loaded from here (its entry point resolves; nothing is loaded). */
export function peerInstalled(peer: CloudPeer): boolean {
    try {
        require.resolve(peer);
        return true;
    } catch {
        return false;
    }
}

/** Throws a `KeyfabricMissingPeerError` for the first of `peers` that is not installed (`needed`: what needs it). */
export function requirePeers(peers: Iterable<CloudPeer>, needed: string): void {
    for (const peer of peers) if (!peerInstalled(peer)) throw new KeyfabricMissingPeerError(peer, needed);
}

/** The peers a hierarchy's `clouds` need: each configured cloud's package, and `@pulumi/azure` for a Managed HSM. */
export function peersForClouds(clouds: { aws?: unknown; gcp?: unknown; azure?: { managedHsm?: unknown } }): CloudPeer[] {
    const peers: CloudPeer[] = [];
    if (clouds.aws) peers.push("@pulumi/aws");
    if (clouds.gcp) peers.push("@pulumi/gcp");
    if (clouds.azure) peers.push("@pulumi/azure-native");
    if (clouds.azure?.managedHsm) peers.push("@pulumi/azure");
    return peers;
}
