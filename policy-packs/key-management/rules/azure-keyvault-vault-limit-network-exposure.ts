import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { asArray } from "../lib/props";
import { CLASSIC, NATIVE, read, TYPES, UNKNOWN, vaultProps, vaultResource } from "../lib/azure";
import type { VaultResource } from "../lib/azure";

/** The Key Vault or Managed HSM an ARM resource id names. */
const TARGET = /\/providers\/Microsoft\.KeyVault\/(vaults|managedHSMs)\/([^/]+)\/?$/i;

interface Config {
    requirePublicNetworkAccessDisabled: boolean;
    allowPublicWithDefaultDeny: boolean;
    requireDefaultDeny: boolean;
    requirePrivateEndpoint: boolean;
}

const PUBLIC = "public network access is enabled";
const ACLS = "network ACLs allow by default";
const NO_ENDPOINT = "it has no private endpoint";

/** "a", "a and b", "a, b, and c". */
const sentence = (parts: string[]) => (parts.length <= 2 ? parts.join(" and ") : `${parts.slice(0, -1).join(", ")}, and ${parts[parts.length - 1]}`);

/** One message naming every exposed setting of the vault (setting names only, never values). */
function message(t: VaultResource, exposed: string[]): string {
    if (exposed.includes(PUBLIC)) return `This ${t.what} is reachable from public networks: ${sentence(exposed)}.`;
    if (exposed.length === 1 && exposed[0] === NO_ENDPOINT) return `This ${t.what} has no private endpoint in the stack.`;
    return `This ${t.what} does not limit network access: ${sentence(exposed)}.`;
}

/** The connection lists of an endpoint, by property name, and the member holding the target id. */
function connectionsOf(pe: PolicyResource): { properties: string[]; idMember: string } {
    return NATIVE.privateEndpoint.test(pe.type)
        ? { properties: ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"], idMember: "privateLinkServiceId" }
        : { properties: ["privateServiceConnection"], idMember: "privateConnectionResourceId" };
}

/** Which vaults the stack's private endpoints target: by property dependency (preview), id, or ARM name. */
function privateEndpointTargets(resources: PolicyResource[]) {
    const endpoints = resources.filter((r) => NATIVE.privateEndpoint.test(r.type) || r.type === CLASSIC.privateEndpoint);
    const linkedUrns = new Set<string>(); // vaults an endpoint's connections depend on (known at preview)
    const targetIds = new Set<string>(); // lower-cased target ids
    const targetNames = new Set<string>(); // "vaults/name" / "managedhsms/name"
    let unknownTarget = false;
    for (const pe of endpoints) {
        const { properties, idMember } = connectionsOf(pe);
        const deps = properties.flatMap((p) => pe.propertyDependencies?.[p] ?? []).filter((d) => vaultResource(d.type) !== undefined);
        deps.forEach((d) => linkedUrns.add(d.urn));
        for (const property of properties) {
            const list = read(() => pe.props[property]);
            if (list === UNKNOWN) {
                unknownTarget ||= deps.length === 0;
                continue;
            }
            const connections = asArray<any>(list);
            for (let i = 0; i < connections.length; i++) {
                const id = read(() => connections[i]?.[idMember]);
                if (id === UNKNOWN) {
                    unknownTarget ||= deps.length === 0;
                } else if (typeof id === "string") {
                    targetIds.add(id.toLowerCase());
                    const m = TARGET.exec(id);
                    if (m) targetNames.add(`${m[1].toLowerCase()}/${m[2].toLowerCase()}`);
                }
            }
        }
    }
    /** true, false, or UNKNOWN while a target or the vault's name is not known. */
    return (vault: PolicyResource, t: VaultResource): boolean | typeof UNKNOWN => {
        if (linkedUrns.has(vault.urn)) return true;
        const id = read(() => vault.props.id);
        if (typeof id === "string" && targetIds.has(id.toLowerCase())) return true;
        const name = read(() => vaultProps.name(t, vault.props));
        if (typeof name === "string" && targetNames.has(`${t.arm}/${name.toLowerCase()}`)) return true;
        return name === UNKNOWN || unknownTarget ? UNKNOWN : false;
    };
}

/** Catalogue rows 19, 18 and 20: public network access off, a default-deny firewall, a private endpoint; one finding per vault. */
export const rule = stackRule(
    {
        name: "azure-keyvault-vault-limit-network-exposure",
        description:
            "Azure Key Vaults and Managed HSMs of either provider must limit their network exposure, reported as one violation per vault naming every exposed setting: public network access disabled (azure-native properties.publicNetworkAccess \"Disabled\", classic publicNetworkAccessEnabled false; both default to enabled), network ACLs that deny by default (networkAcls.defaultAction \"Deny\"; without networkAcls Azure allows every network), and, with requirePrivateEndpoint (off by default: a vault with public access disabled is reachable from no public network, and CIS Azure 8.7 is a Manual Level 2 control), a private endpoint in the same stack (azure-native network.PrivateEndpoint or classic privatelink.Endpoint) whose connection targets the vault. Each check can be turned off; with allowPublicWithDefaultDeny, public access behind default-deny ACLs is accepted. During preview, a setting or an endpoint target not known yet is not judged.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.7 Ensure that Private Endpoints are Used for Azure Key Vault" },
            { name: "Checkov", version: "3", reference: "CKV_AZURE_189, CKV_AZURE_109, CKV2_AZURE_32" },
            { name: "Trivy", version: "AVD", reference: "AVD-AZU-0013" },
            { name: "PCI DSS", version: "4.0", reference: "1.3.1 Inbound traffic to the CDE is restricted to that which is necessary; 1.4.1 NSCs are implemented between trusted and untrusted networks" },
        ],
        remediation:
            'Disable public network access (azure-native properties.publicNetworkAccess: "Disabled"; classic publicNetworkAccessEnabled: false), set networkAcls { defaultAction: "Deny", bypass: "AzureServices", ... } listing only the IP ranges and virtual networks that need the vault, and reach it through a private endpoint: an azure-native network.PrivateEndpoint with privateLinkServiceConnections [{ privateLinkServiceId: vault.id, groupIds: ["vault"] }] (["managedhsm"] for a Managed HSM), or a classic privatelink.Endpoint with privateServiceConnection { privateConnectionResourceId: vault.id, subresourceNames: ["vault"] }, and a privatelink.vaultcore.azure.net DNS zone group.',
        catalogueRows: [19, 18, 20],
        resourceTypes: [...TYPES.vault, ...TYPES.managedHsm, ...TYPES.privateEndpoint],
        configSchema: {
            properties: {
                requirePublicNetworkAccessDisabled: {
                    type: "boolean",
                    default: true,
                    description: "Report public network access that is not disabled (what azure-keyvault-vault-disallow-public-network-access checked).",
                },
                allowPublicWithDefaultDeny: {
                    type: "boolean",
                    default: false,
                    description:
                        'Accept public network access when the network ACLs deny by default (defaultAction "Deny": access from the listed networks only); was allowWithDefaultDenyFirewall of azure-keyvault-vault-disallow-public-network-access.',
                },
                requireDefaultDeny: {
                    type: "boolean",
                    default: true,
                    description: 'Report network ACLs that do not deny by default, or no network ACLs (what azure-keyvault-vault-require-network-default-deny checked), even when public network access is disabled.',
                },
                requirePrivateEndpoint: {
                    type: "boolean",
                    default: false,
                    description:
                        "Report a vault that no private endpoint in the stack targets (what azure-keyvault-vault-require-private-endpoint checked; CIS Azure 8.7, Checkov CKV2_AZURE_32). Off by default: an endpoint needs a subnet the stack may not own, and public access disabled already keeps public networks out.",
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const vaults = args.resources.flatMap((r) => {
                const t = vaultResource(r.type);
                return t ? [{ r, t }] : [];
            });
            if (vaults.length === 0) return;
            const config = args.getConfig<Config>();
            const hasEndpoint = config.requirePrivateEndpoint ? privateEndpointTargets(args.resources) : undefined;

            let undecided = 0;
            let reported = 0;
            for (const { r, t } of vaults) {
                const exposed: string[] = [];
                let unknown = false;
                const judge = (exposure: boolean | typeof UNKNOWN, part: string) => {
                    if (exposure === UNKNOWN) unknown = true;
                    else if (exposure) exposed.push(part);
                };
                if (config.requirePublicNetworkAccessDisabled) {
                    judge(read(() => vaultProps.publicNetworkAccessEnabled(t, r.props) && !(config.allowPublicWithDefaultDeny && vaultProps.networkDefaultDeny(t, r.props))), PUBLIC);
                }
                if (config.requireDefaultDeny) judge(read(() => !vaultProps.networkDefaultDeny(t, r.props)), ACLS);
                if (hasEndpoint) {
                    const found = hasEndpoint(r, t);
                    judge(found === UNKNOWN ? UNKNOWN : !found, NO_ENDPOINT);
                }
                // Settings known to be exposed are reported even while another is unknown: never a false violation.
                if (exposed.length > 0) {
                    reportViolation(message(t, exposed), r.urn);
                    reported++;
                } else if (unknown) {
                    undecided++;
                }
            }
            if (undecided > 0 && reported === 0) args.notApplicable("A vault's network settings, its name or a private endpoint's target are not known until the update.");
        },
        // Stack rules have no automatic remediation; none would be safe anyway: disabling public access or denying by
        // default cuts off every client without a private endpoint or not yet listed in the ACLs.
    },
);
