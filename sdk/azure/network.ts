/**
 * Network access of the Key Vaults keyfabric creates: public network access disabled unless the settings list IP
 * ranges (Azure honours IP rules only while public access is enabled), a deny-by-default firewall, and, when asked,
 * a private endpoint (azure-native `network.PrivateEndpoint`, group `vault`) in a given subnet, with an optional
 * `privatelink.vaultcore.azure.net` DNS zone group.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PrivateDnsZoneGroup } from "@pulumi/azure-native/network/privateDnsZoneGroup";
import type { PrivateEndpoint, PrivateEndpointArgs } from "@pulumi/azure-native/network/privateEndpoint";
import * as peers from "../peers";
import { ValidationIssue } from "../schema/errors";
import { AZURE_PRIVATE_DNS_ZONE_ID, AZURE_SUBNET_ID } from "../schema/schema";

/** A private endpoint for a vault keyfabric creates. */
export interface AzureVaultPrivateEndpoint {
    /** The subnet the endpoint's address comes from: `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>`. */
    readonly subnetId: pulumi.Input<string>;
    /** A `privatelink.vaultcore.azure.net` private DNS zone to register the endpoint in (a DNS zone group on the endpoint). @default none */
    readonly privateDnsZoneId?: pulumi.Input<string>;
    /** Where the endpoint lives: the subnet's virtual network's location. @default the vault's location */
    readonly location?: string;
}

/** The network settings of a created vault: its firewall, and whether public networks may reach it at all. */
export function vaultNetworkProperties(ipRules: readonly string[] | undefined) {
    const rules = ipRules ?? [];
    return {
        // "disabled" blocks every public network, firewall rules included: only private endpoints and trusted
        // Microsoft services get through. IP rules need public access, behind the deny-by-default firewall.
        publicNetworkAccess: rules.length > 0 ? "enabled" : "disabled",
        networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: rules.map((value) => ({ value })), virtualNetworkRules: [] },
    };
}

/** Problems with a private endpoint setting (`path` prefixes each issue's path). */
export function checkVaultPrivateEndpoint(pe: AzureVaultPrivateEndpoint, path: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (typeof pe.subnetId === "string" && !AZURE_SUBNET_ID.test(pe.subnetId)) {
        issues.push({ code: "invalid_value", path: `${path}.subnetId`, message: "is not the ARM id of a subnet", allowed: "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>", got: pe.subnetId });
    } else if (pe.subnetId === undefined) {
        issues.push({ code: "missing", path: `${path}.subnetId`, message: "is required: the subnet the endpoint's address comes from" });
    }
    if (typeof pe.privateDnsZoneId === "string" && !AZURE_PRIVATE_DNS_ZONE_ID.test(pe.privateDnsZoneId)) {
        issues.push({ code: "invalid_value", path: `${path}.privateDnsZoneId`, message: "is not the ARM id of a privatelink.vaultcore.azure.net private DNS zone", allowed: "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net", got: pe.privateDnsZoneId });
    }
    return issues;
}

/**
 * The private endpoint `<name>` (Azure name `<vaultName>-endpoint`) that connects `pe.subnetId` to the vault in
 * `location`, and its DNS zone group `<name>-dns` when `pe.privateDnsZoneId` is given.
 */
export function vaultPrivateEndpoint(
    name: string,
    vaultName: string,
    vaultId: pulumi.Input<string>,
    resourceGroupName: pulumi.Input<string>,
    location: string,
    pe: AzureVaultPrivateEndpoint,
    tags: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
): { endpoint: PrivateEndpoint; dnsZoneGroup?: PrivateDnsZoneGroup } {
    const privateEndpointName = `${vaultName}-endpoint`;
    const args: PrivateEndpointArgs = {
        privateEndpointName,
        resourceGroupName,
        location: pe.location ?? location,
        subnet: { id: pe.subnetId },
        privateLinkServiceConnections: [{ name: "vault", privateLinkServiceId: vaultId, groupIds: ["vault"] }],
        tags,
    };
    const endpoint = new peers.azureNative.privateEndpoint.PrivateEndpoint(name, args, opts);
    if (pe.privateDnsZoneId === undefined) return { endpoint };
    const dnsZoneGroup = new peers.azureNative.privateDnsZoneGroup.PrivateDnsZoneGroup(
        `${name}-dns`,
        { resourceGroupName, privateEndpointName, privateDnsZoneGroupName: "vaultcore", privateDnsZoneConfigs: [{ name: "vaultcore", privateDnsZoneId: pe.privateDnsZoneId }] },
        { ...opts, dependsOn: [endpoint] },
    );
    return { endpoint, dnsZoneGroup };
}
