import { UnknownValueError } from "@pulumi/policy";
import { resourceRule } from "../lib/rule";
import { isObject, policyDocument } from "../lib/props";

/** The IAM resources of Cloud KMS keys and key rings, and where each keeps its members. */
const KINDS: Record<string, { target: string; shape: "member" | "members" | "policy" }> = {
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": { target: "crypto key", shape: "member" },
    "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding": { target: "crypto key", shape: "members" },
    "gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy": { target: "crypto key", shape: "policy" },
    "gcp:kms/keyRingIAMMember:KeyRingIAMMember": { target: "key ring", shape: "member" },
    "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding": { target: "key ring", shape: "members" },
    "gcp:kms/keyRingIAMPolicy:KeyRingIAMPolicy": { target: "key ring", shape: "policy" },
};

/** Anyone on the internet, or anyone with a Google account (and IAM's principal-set spelling of "everyone"). */
const PUBLIC = ["allusers", "allauthenticatedusers", "principalset://goog/public:all"];
const isPublic = (member: unknown) => typeof member === "string" && PUBLIC.includes(member.trim().toLowerCase());

/**
 * Whether any member is public. A known public member is reported even when other members are unknown at preview;
 * if none is public and some are unknown, the unknown is rethrown so the engine reports "can't run" instead of a pass.
 */
function anyPublic(members: unknown): boolean {
    let unknown: UnknownValueError | undefined;
    const list = members as ArrayLike<unknown> | undefined;
    if (!list || typeof list !== "object" || typeof list.length !== "number") return isPublic(members);
    for (let i = 0; i < list.length; i++) {
        try {
            if (isPublic(list[i])) return true;
        } catch (e) {
            if (!(e instanceof UnknownValueError)) throw e;
            unknown = e;
        }
    }
    if (unknown) throw unknown;
    return false;
}

/** Catalogue row 24: Cloud KMS keys and key rings are never granted to allUsers or allAuthenticatedUsers. */
export const rule = resourceRule(
    {
        name: "gcp-kms-cryptokeyiammember-disallow-public-access",
        description:
            "Cloud KMS crypto keys and key rings must not be accessible to allUsers or allAuthenticatedUsers, through any IAM resource: CryptoKeyIAMMember/Binding/Policy or KeyRingIAMMember/Binding/Policy.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            { name: "CIS Google Cloud Platform Foundation Benchmark", version: "2.0.0", reference: "1.9 Ensure That Cloud KMS Cryptokeys Are Not Anonymously or Publicly Accessible" },
            { name: "Checkov", version: "3", reference: "CKV_GCP_112, CKV2_GCP_6, CKV2_GCP_8" },
            { name: "KICS", version: "2", reference: "kms_crypto_key_publicly_accessible" },
        ],
        remediation:
            "Remove allUsers and allAuthenticatedUsers from the member, members or policyData bindings; grant the Cloud KMS role to the specific users, groups or service accounts that need it.",
        catalogueRows: [24],
        resourceTypes: Object.keys(KINDS),
    },
    {
        validateResource: (args, reportViolation) => {
            const kind = KINDS[args.type];
            if (!kind) return;
            let exposed: boolean;
            if (kind.shape === "member") {
                exposed = isPublic(args.props.member);
            } else if (kind.shape === "members") {
                exposed = anyPublic(args.props.members);
            } else {
                const doc = policyDocument(args.props.policyData);
                if (!doc) return; // absent or not JSON: the provider rejects it
                const bindings = Array.isArray(doc.bindings) ? doc.bindings : [];
                exposed = bindings.some((b: unknown) => isObject(b) && anyPublic(b.members));
            }
            if (exposed) reportViolation(`This IAM resource makes a Cloud KMS ${kind.target} accessible to allUsers or allAuthenticatedUsers.`);
        },
        // No automatic remediation: the rule is mandatory, so the deployment stops; who should have the role instead is a human decision.
    },
);
