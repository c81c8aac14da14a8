import { UnknownValueError } from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { DYNAMIC } from "../lib/props";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const UNKNOWN = Symbol("unknown");

/** A value, or UNKNOWN when it cannot be known during preview (instead of the engine's "can't run policy"). */
function read<T>(f: () => T): T | typeof UNKNOWN {
    try {
        return f();
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

/** The names a crypto key resource is known by: its id (state) and keyRing + "/cryptoKeys/" + name. */
function keyNames(key: PolicyResource): string[] {
    const names: string[] = [];
    const id = read(() => key.props.id);
    if (typeof id === "string") names.push(id);
    const ring = read(() => key.props.keyRing);
    const name = read(() => key.props.name);
    if (typeof ring === "string" && typeof name === "string") names.push(`${ring}/cryptoKeys/${name}`);
    return names;
}

/** Catalogue row 29: imported material goes into import-only keys. */
export const rule = stackRule(
    {
        name: "gcp-kms-importedkeyversion-require-import-only-key",
        description:
            "Cloud KMS keys that receive imported material (keyfabric's GcpImportedKeyVersion) must be import-only (importOnly: true), so that Cloud KMS never adds generated versions to a BYOK key. Keys outside the stack are not checked.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "PCI DSS", version: "4.0", reference: "3.7.2 Secure distribution of cryptographic keys" },
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "8.1.5 Key Establishment" },
        ],
        remediation:
            'Create the target gcp.kms.CryptoKey with importOnly: true and skipInitialVersionCreation: true (keyfabric GcpKey with origin: "byok"). importOnly is fixed at creation: import into a new import-only key.',
        catalogueRows: [29],
        resourceTypes: [DYNAMIC.gcpImportedKeyVersion, KEY],
    },
    {
        validateStack: (args, reportViolation) => {
            const keys = args.resources.filter((r) => r.type === KEY);
            const imports = args.resources.filter((r) => r.type === DYNAMIC.gcpImportedKeyVersion);
            if (imports.length === 0) return;
            let undecided = 0;
            let reported = 0;
            const seen = new Set<string>();
            for (const imp of imports) {
                // The target: the crypto key its cryptoKey input depends on (preview), or the key with that name (state).
                let targets = (imp.propertyDependencies?.cryptoKey ?? []).filter((d) => d.type === KEY);
                if (targets.length === 0) {
                    const name = read(() => imp.props.cryptoKey); // never reads __provider
                    if (name === UNKNOWN) {
                        undecided++;
                        continue;
                    }
                    targets = keys.filter((k) => typeof name === "string" && keyNames(k).includes(name));
                }
                for (const key of targets) {
                    if (seen.has(key.urn)) continue;
                    seen.add(key.urn);
                    const importOnly = read(() => key.props.importOnly);
                    if (importOnly === UNKNOWN) {
                        undecided++;
                    } else if (importOnly !== true) {
                        reportViolation("This Cloud KMS key receives imported key material but is not import-only.", key.urn);
                        reported++;
                    }
                }
            }
            if (undecided > 0 && reported === 0) args.notApplicable("The key receiving imported material is not known until the update.");
        },
    },
);
