/**
 * Catalogue row 33: keys (and their containers) only in the regions/locations allowed for their domain.
 *
 * A resource belongs to a domain by its keyfabric tags/labels (hierarchy + domain) or by the component tree (under a
 * KeyDomain of a KeyHierarchy). The allowed regions come from the KeyHierarchy spec (`domains[].regions`), and from
 * this rule's `domainRegions` config for stacks that declare keys by hand; a location must satisfy both when both exist.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import {
    at,
    Cloud,
    identityOf,
    keyLabel,
    known,
    Maybe,
    reporter,
    Stack,
    TYPES,
    UNKNOWN,
} from "../lib/crosscloud";

type Regions = { [C in Cloud]?: string[] };

interface Config {
    /** `<hierarchy>/<domain>` (or `<domain>` for every hierarchy) -> allowed regions per cloud. */
    domainRegions: Record<string, Regions>;
}

const CHECKED: Readonly<Record<string, { cloud: Cloud; what: string }>> = {
    [TYPES.awsKey]: { cloud: "aws", what: "key" },
    [TYPES.awsExternalKey]: { cloud: "aws", what: "key" },
    [TYPES.awsReplicaKey]: { cloud: "aws", what: "key" },
    [TYPES.awsReplicaExternalKey]: { cloud: "aws", what: "key" },
    [TYPES.gcpKeyRing]: { cloud: "gcp", what: "key ring" },
    [TYPES.gcpCryptoKey]: { cloud: "gcp", what: "key" },
    [TYPES.azureVault]: { cloud: "azure", what: "Key Vault" },
    [TYPES.azureKey]: { cloud: "azure", what: "key" },
    [TYPES.azureHsmKey]: { cloud: "azure", what: "key" },
    [TYPES.azureImportedKey]: { cloud: "azure", what: "key" },
};

const normLocation = (cloud: Cloud, l: string) => (cloud === "azure" ? l.replace(/\s+/g, "") : l.trim()).toLowerCase();

/** Where a resource lives: region (AWS), location (GCP key ring, Azure vault / Managed HSM); undefined when not known from the stack. */
function locationOf(stack: Stack, r: PolicyResource): Maybe<string | undefined> {
    switch (r.type) {
        case TYPES.awsKey:
        case TYPES.awsExternalKey:
        case TYPES.awsReplicaKey:
        case TYPES.awsReplicaExternalKey: {
            const region = at(r.props, "region");
            if (region === UNKNOWN || typeof region === "string") return region;
            const providerRegion = known(() => r.provider?.props?.region);
            return typeof providerRegion === "string" || providerRegion === UNKNOWN ? providerRegion : undefined;
        }
        case TYPES.gcpKeyRing:
        case TYPES.azureVault: {
            const l = at(r.props, "location");
            return l === UNKNOWN || typeof l === "string" ? l : undefined;
        }
        case TYPES.gcpCryptoKey: {
            const ring = at(r.props, "keyRing");
            if (typeof ring === "string") {
                const long = /(?:^|\/)locations\/([^/]+)\/keyRings\//.exec(ring);
                if (long) return long[1];
                const short = ring.split("/");
                if (short.length === 3 && !ring.startsWith("projects/")) return short[1];
            }
            const dep = stack.dependency(r, "keyRing", [TYPES.gcpKeyRing]);
            if (dep) return locationOf(stack, dep);
            return ring === UNKNOWN ? UNKNOWN : undefined;
        }
        case TYPES.azureKey:
        case TYPES.azureImportedKey: {
            const vault = stack.vaultOf(r);
            if (vault === UNKNOWN) return UNKNOWN;
            return vault ? locationOf(stack, vault) : undefined;
        }
        case TYPES.azureHsmKey: {
            const hsmId = at(r.props, "managedHsmId");
            if (hsmId === UNKNOWN) return UNKNOWN;
            const name = typeof hsmId === "string" ? hsmId.split("/").filter(Boolean).pop()?.toLowerCase() : undefined;
            const hsm = stack.resources.filter((h) => (h.type === TYPES.azureManagedHsm || h.type === TYPES.azureHsm) && String(at(h.props, "name")).toLowerCase() === name);
            if (hsm.length !== 1) return undefined;
            const l = at(hsm[0].props, "location");
            return l === UNKNOWN || typeof l === "string" ? l : undefined;
        }
        default:
            return undefined;
    }
}

export const rule = stackRule(
    {
        name: "keyfabric-hierarchy-enforce-residency",
        description:
            "Keys, AWS replicas, GCP key rings and Azure Key Vaults of a domain must be only in the regions or locations that domain allows (the KeyHierarchy spec's domains[].regions, or the rule's domainRegions config), whether keyfabric or hand-written resources declare them.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "CSA Cloud Controls Matrix", version: "4.0", reference: "DSP-19 Data Location" },
            { name: "NIST SP 800-53", version: "Rev.5", reference: "SA-9(5) Processing, Storage, and Service Location" },
            { name: "EU GDPR", version: "2016/679", reference: "Chapter V (Art. 44-49) Transfers of personal data to third countries" },
        ],
        remediation:
            "Create the key (or its AWS replica, GCP key ring, Azure Key Vault) in one of the regions or locations its domain allows, or, if the location is approved, add it to the domain's regions in the KeyHierarchy spec (or to this rule's domainRegions config).",
        catalogueRows: [33],
        resourceTypes: [...Object.keys(CHECKED), TYPES.hierarchy, TYPES.domain],
        configSchema: {
            properties: {
                domainRegions: {
                    type: "object",
                    default: {},
                    description:
                        "Allowed regions per domain for stacks without a KeyHierarchy spec (or to narrow it): keys `<hierarchy>/<domain>` or `<domain>`, values `{aws?: [...], gcp?: [...], azure?: [...]}`.",
                    additionalProperties: {
                        type: "object",
                        properties: {
                            aws: { type: "array", items: { type: "string" } },
                            gcp: { type: "array", items: { type: "string" } },
                            azure: { type: "array", items: { type: "string" } },
                        },
                        additionalProperties: false,
                    },
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const config = args.getConfig<Config>();
            const report = reporter(reportViolation);
            const stack = new Stack(args.resources);
            const configured = Object.entries(config.domainRegions ?? {});

            for (const r of args.resources) {
                const checked = CHECKED[r.type];
                if (!checked) continue;
                const { cloud, what } = checked;
                const id = identityOf(r);
                if (id === UNKNOWN || !id) continue;

                const allowedLists: string[][] = [];
                const fromSpec = stack.specs.get(id.hierarchy)?.domains.get(id.domain)?.regions[cloud];
                if (fromSpec === UNKNOWN) continue; // the spec's residency is not known yet: not applicable
                if (fromSpec) allowedLists.push(fromSpec);
                for (const [k, v] of configured) {
                    const [h, d] = k.includes("/") ? k.toLowerCase().split("/", 2) : [undefined, k.toLowerCase()];
                    if ((h === undefined || h === id.hierarchy) && d === id.domain && Array.isArray(v?.[cloud])) allowedLists.push(v[cloud]!);
                }
                if (allowedLists.length === 0) continue;

                const location = locationOf(stack, r);
                if (location === UNKNOWN || location === undefined) continue;
                const here = normLocation(cloud, location);
                if (allowedLists.every((list) => list.some((l) => normLocation(cloud, l) === here))) continue;

                const where = cloud === "aws" ? "regions" : "locations";
                const subject = what === "key" && id.key ? `Key ${keyLabel(id)} in ${cloud}` : `A ${what} of domain ${id.domain} in ${cloud}`;
                report(`${subject} is outside the ${where} allowed for domain ${id.domain}.`, r.urn);
            }
        },
    },
);
