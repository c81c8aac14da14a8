import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { AZURE_ROTATION_FRAMEWORKS, days, rotateAfterDays } from "../lib/props";
import { CLASSIC, read, UNKNOWN } from "../lib/azure";

const HSM_KEY = CLASSIC.managedHsmKey;
const POLICY = CLASSIC.managedHsmKeyRotationPolicy;

/** "hsm/key" for a key id `https://<hsm>.managedhsm.azure.net/keys/<key>[/<version>]`. */
function idName(id: unknown): string | undefined {
    const m = typeof id === "string" ? /^https:\/\/([^./]+)\.managedhsm\.[^/]+\/keys\/([^/]+)/i.exec(id) : null;
    return m ? `${m[1]}/${m[2]}`.toLowerCase() : undefined;
}

/** "hsm/key" for a key resource: its id (state), or its managedHsmId (ARM id of the HSM) and name. */
function keyName(key: PolicyResource): string | typeof UNKNOWN | undefined {
    const fromId = idName(read(() => key.props.id));
    if (fromId) return fromId;
    const hsm = read(() => key.props.managedHsmId);
    const name = read(() => key.props.name);
    if (hsm === UNKNOWN || name === UNKNOWN) return UNKNOWN;
    const m = typeof hsm === "string" ? /\/managedHSMs\/([^/]+)\/?$/i.exec(hsm) : null;
    return m && typeof name === "string" ? `${m[1]}/${name}`.toLowerCase() : undefined;
}

/** Days after creation at which the policy rotates the key; UNKNOWN at preview, undefined if not computable. */
function policyRotateAfterDays(policy: PolicyResource): number | typeof UNKNOWN | undefined {
    const after = read(() => policy.props.timeAfterCreation);
    const before = read(() => policy.props.timeBeforeExpiry);
    const expire = read(() => policy.props.expireAfter);
    if (after === UNKNOWN || before === UNKNOWN || expire === UNKNOWN) return UNKNOWN;
    return rotateAfterDays(after, before, expire);
}

/** Catalogue rows 23 and 21 (and 2) for Managed HSM keys, whose rotation policy is a separate resource. */
export const rule = stackRule(
    {
        name: "azure-keyvault-managedhsmkey-configure-rotation-policy",
        description:
            "Every Managed HSM key (azure keyvault.ManagedHardwareSecurityModuleKey) in the stack must have a ManagedHardwareSecurityModuleKeyRotationPolicy that rotates it no later than maxRotationDays after a version is created. The policy's required expireAfter also gives every new version an expiry.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: AZURE_ROTATION_FRAMEWORKS,
        remediation:
            'Add an azure keyvault.ManagedHardwareSecurityModuleKeyRotationPolicy { managedHsmKeyId: key.id, timeAfterCreation: "P365D", expireAfter: "P395D" } for the key (keyfabric AzureKey\'s rotationDays does this).',
        catalogueRows: [23, 21, 2],
        resourceTypes: [HSM_KEY, POLICY],
        configSchema: {
            properties: {
                maxRotationDays: {
                    type: "integer",
                    default: 365,
                    minimum: 7,
                    maximum: 3650,
                    description: "The longest allowed time between rotations, in days.",
                },
            },
        },
    },
    {
        validateStack: (args, reportViolation) => {
            const keys = args.resources.filter((r) => r.type === HSM_KEY);
            if (keys.length === 0) return;
            const policies = args.resources.filter((r) => r.type === POLICY);
            const { maxRotationDays } = args.getConfig<{ maxRotationDays: number }>();

            // Each policy's key: the key resource its managedHsmKeyId depends on (preview), or the key its id names.
            const byUrn = new Map<string, PolicyResource[]>();
            const byName = new Map<string, PolicyResource[]>();
            let unknownTarget = false;
            for (const p of policies) {
                const deps = (p.propertyDependencies?.managedHsmKeyId ?? []).filter((d) => d.type === HSM_KEY);
                deps.forEach((d) => byUrn.set(d.urn, [...(byUrn.get(d.urn) ?? []), p]));
                if (deps.length > 0) continue;
                const target = read(() => p.props.managedHsmKeyId);
                if (target === UNKNOWN) unknownTarget = true;
                const name = idName(target);
                if (name) byName.set(name, [...(byName.get(name) ?? []), p]);
            }

            let undecided = 0;
            let reported = 0;
            for (const key of keys) {
                const name = keyName(key);
                const mine = [...(byUrn.get(key.urn) ?? []), ...(typeof name === "string" ? byName.get(name) ?? [] : [])];
                if (mine.length === 0) {
                    if (name === UNKNOWN || unknownTarget) {
                        undecided++;
                    } else {
                        reportViolation("This Managed HSM key has no rotation policy in the stack.", key.urn);
                        reported++;
                    }
                    continue;
                }
                const periods = mine.map(policyRotateAfterDays);
                if (periods.some((d) => d === UNKNOWN)) {
                    undecided++;
                    continue;
                }
                const known = periods.filter((d): d is number => typeof d === "number");
                if (known.length === 0) {
                    reportViolation("The rotation policy of this Managed HSM key has no trigger that is an ISO 8601 duration.", key.urn);
                    reported++;
                } else if (Math.min(...known) > maxRotationDays) {
                    reportViolation(`This Managed HSM key rotates every ${days(Math.min(...known))}; at most ${days(maxRotationDays)} allowed.`, key.urn);
                    reported++;
                }
            }
            if (undecided > 0 && reported === 0) args.notApplicable("A rotation policy's key or trigger is not known until the update.");
        },
    },
);
