import { UnknownValueError } from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { asArray } from "../lib/props";

const VAULT = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:Vault$/;
const MANAGED_HSM = /^azure-native:keyvault(?:\/v[0-9a-z]+)?:ManagedHsm$/;
const NATIVE_ENDPOINT = /^azure-native:network(?:\/v[0-9a-z]+)?:PrivateEndpoint$/;
const CLASSIC_ENDPOINT = "azure:privatelink/endpoint:Endpoint";
/** The Key Vault or Managed HSM an ARM resource id names. */
const TARGET = /\/providers\/Microsoft\.KeyVault\/(vaults|managedHSMs)\/([^/]+)\/?$/i;

const UNKNOWN = Symbol("unknown");
function read<T>(f: () => T): T | typeof UNKNOWN {
    try {
        return f();
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

const kindOf = (r: PolicyResource) => (VAULT.test(r.type) ? "vaults" : MANAGED_HSM.test(r.type) ? "managedhsms" : undefined);

/** The connection lists of an endpoint, by property name, and the member holding the target id. */
function connectionsOf(pe: PolicyResource): { properties: string[]; idMember: string } {
    return NATIVE_ENDPOINT.test(pe.type)
        ? { properties: ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"], idMember: "privateLinkServiceId" }
        : { properties: ["privateServiceConnection"], idMember: "privateConnectionResourceId" };
}

/** Catalogue row 20: every Key Vault (and Managed HSM) is reachable through a private endpoint in the stack. */
export const rule = stackRule(
    {
        name: "azure-keyvault-vault-require-private-endpoint",
        description:
            "Every Azure Key Vault and Managed HSM in the stack must have a private endpoint in the same stack (azure-native network.PrivateEndpoint or azure privatelink.Endpoint) whose private link service connection targets it. During preview, a vault whose endpoint target is not known yet is not judged.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CIS Microsoft Azure Foundations Benchmark", version: "2.0.0", reference: "8.7 Ensure that Private Endpoints are Used for Azure Key Vault" },
            { name: "Checkov", version: "3", reference: "CKV2_AZURE_32" },
            { name: "PCI DSS", version: "4.0", reference: "1.4.1 NSCs are implemented between trusted and untrusted networks" },
        ],
        remediation:
            'Add an azure-native network.PrivateEndpoint with privateLinkServiceConnections: [{ name, privateLinkServiceId: vault.id, groupIds: ["vault"] }] (["managedhsm"] for a Managed HSM) in a subnet of your network, and a privatelink.vaultcore.azure.net DNS zone group.',
        catalogueRows: [20],
        resourceTypes: ["azure-native:keyvault:Vault", "azure-native:keyvault:ManagedHsm", "azure-native:network:PrivateEndpoint", CLASSIC_ENDPOINT],
    },
    {
        validateStack: (args, reportViolation) => {
            const vaults = args.resources.filter((r) => kindOf(r) !== undefined);
            if (vaults.length === 0) return;
            const endpoints = args.resources.filter((r) => NATIVE_ENDPOINT.test(r.type) || r.type === CLASSIC_ENDPOINT);

            const linkedUrns = new Set<string>(); // vaults an endpoint's connections depend on (known at preview)
            const targetIds = new Set<string>(); // lower-cased target ids
            const targetNames = new Set<string>(); // "vaults/name" / "managedhsms/name"
            let unknownTarget = false;
            for (const pe of endpoints) {
                const { properties, idMember } = connectionsOf(pe);
                const deps = properties.flatMap((p) => pe.propertyDependencies?.[p] ?? []).filter((d) => kindOf(d) !== undefined);
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

            let undecided = 0;
            let reported = 0;
            for (const vault of vaults) {
                if (linkedUrns.has(vault.urn)) continue;
                const id = read(() => vault.props.id);
                if (typeof id === "string" && targetIds.has(id.toLowerCase())) continue;
                const name = read(() => vault.props.vaultName ?? vault.props.name);
                if (typeof name === "string" && targetNames.has(`${kindOf(vault)}/${name.toLowerCase()}`)) continue;
                if (name === UNKNOWN || unknownTarget) {
                    undecided++;
                    continue;
                }
                reportViolation(
                    kindOf(vault) === "vaults" ? "This Key Vault has no private endpoint in the stack." : "This Managed HSM has no private endpoint in the stack.",
                    vault.urn,
                );
                reported++;
            }
            if (undecided > 0 && reported === 0) args.notApplicable("A private endpoint's target or a vault's name is not known until the update.");
        },
    },
);
