import { rule } from "../../policy-packs/key-management/rules/gcp-kms-cryptokeyiammember-disallow-public-access";
import { runUnderMocks } from "../../sdk/preview/harness";
import { GcpKey } from "../../sdk/gcp/key";
import { checkResource, UNKNOWN } from "./harness";

const KEY_ID = "projects/acme-dev/locations/europe-west1/keyRings/payments/cryptoKeys/card-data";
const RING_ID = "projects/acme-dev/locations/europe-west1/keyRings/payments";
const USER = "serviceAccount:app@acme-dev.iam.gserviceaccount.com";
const ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
const KEY_MSG = "This IAM resource makes a Cloud KMS crypto key accessible to allUsers or allAuthenticatedUsers.";
const RING_MSG = "This IAM resource makes a Cloud KMS key ring accessible to allUsers or allAuthenticatedUsers.";
const policy = (members: string[]) => JSON.stringify({ bindings: [{ role: "roles/cloudkms.admin", members: ["group:kms-admins@acme.example"] }, { role: ROLE, members }] });

const cases = {
    keyMember: { type: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", props: { cryptoKeyId: KEY_ID, role: ROLE, member: USER } },
    keyBinding: { type: "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", props: { cryptoKeyId: KEY_ID, role: ROLE, members: [USER, "group:apps@acme.example"] } },
    keyPolicy: { type: "gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy", props: { cryptoKeyId: KEY_ID, policyData: policy([USER]) } },
    ringMember: { type: "gcp:kms/keyRingIAMMember:KeyRingIAMMember", props: { keyRingId: RING_ID, role: ROLE, member: USER } },
    ringBinding: { type: "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding", props: { keyRingId: RING_ID, role: ROLE, members: [USER] } },
    ringPolicy: { type: "gcp:kms/keyRingIAMPolicy:KeyRingIAMPolicy", props: { keyRingId: RING_ID, policyData: policy([USER]) } },
};

test("is mandatory and critical by default", () => {
    expect([rule.enforcementLevel, rule.severity]).toEqual(["mandatory", "critical"]);
});

test.each(Object.entries(cases))("%s granted to named principals is compliant", async (_n, r) => {
    expect(await checkResource(rule, r)).toEqual({ violations: [] });
});

describe.each(["allUsers", "allAuthenticatedUsers"])("%s", (pub) => {
    test("as a crypto key IAM member is a violation", async () => {
        expect(await checkResource(rule, { ...cases.keyMember, props: { ...cases.keyMember.props, member: pub } })).toEqual({ violations: [{ message: KEY_MSG }] });
    });
    test("in a crypto key IAM binding is a violation", async () => {
        expect(await checkResource(rule, { ...cases.keyBinding, props: { ...cases.keyBinding.props, members: [USER, pub] } })).toEqual({ violations: [{ message: KEY_MSG }] });
    });
    test("in a crypto key IAM policy is a violation", async () => {
        expect(await checkResource(rule, { ...cases.keyPolicy, props: { ...cases.keyPolicy.props, policyData: policy([USER, pub]) } })).toEqual({ violations: [{ message: KEY_MSG }] });
    });
    test("as a key ring IAM member is a violation", async () => {
        expect(await checkResource(rule, { ...cases.ringMember, props: { ...cases.ringMember.props, member: pub } })).toEqual({ violations: [{ message: RING_MSG }] });
    });
    test("in a key ring IAM binding is a violation", async () => {
        expect(await checkResource(rule, { ...cases.ringBinding, props: { ...cases.ringBinding.props, members: [pub] } })).toEqual({ violations: [{ message: RING_MSG }] });
    });
    test("in a key ring IAM policy is a violation", async () => {
        expect(await checkResource(rule, { ...cases.ringPolicy, props: { ...cases.ringPolicy.props, policyData: policy([pub]) } })).toEqual({ violations: [{ message: RING_MSG }] });
    });
});

test("a conditional public grant is still public", async () => {
    const props = { ...cases.keyMember.props, member: "allUsers", condition: { title: "business-hours", expression: "request.time.getHours('UTC') < 18" } };
    expect(await checkResource(rule, { ...cases.keyMember, props })).toEqual({ violations: [{ message: KEY_MSG }] });
});

test("IAM's principal-set spelling of everyone counts as public", async () => {
    expect((await checkResource(rule, { ...cases.keyMember, props: { ...cases.keyMember.props, member: "principalSet://goog/public:all" } })).violations).toHaveLength(1);
});

test("lookalike principals are not public", async () => {
    for (const member of ["user:allusers@acme.example", "group:allAuthenticatedUsers@acme.example", "domain:acme.example"]) {
        expect(await checkResource(rule, { ...cases.keyMember, props: { ...cases.keyMember.props, member } })).toEqual({ violations: [] });
    }
});

test("policyData that is not JSON is left to the provider", async () => {
    expect(await checkResource(rule, { ...cases.keyPolicy, props: { ...cases.keyPolicy.props, policyData: "not json" } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:projects/iAMMember:IAMMember", props: { project: "acme-dev", role: "roles/viewer", member: "allUsers" } })).toEqual({ violations: [] });
});

describe("unknown values at preview", () => {
    test("an unknown member makes the rule not run, never a false violation", async () => {
        expect(await checkResource(rule, { ...cases.keyMember, props: { ...cases.keyMember.props, member: UNKNOWN } })).toEqual({ violations: [], unknown: true });
        expect(await checkResource(rule, { ...cases.keyPolicy, props: { ...cases.keyPolicy.props, policyData: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    });
    test("unknown members next to known private ones: not run", async () => {
        expect(await checkResource(rule, { ...cases.keyBinding, props: { ...cases.keyBinding.props, members: [USER, UNKNOWN] } })).toEqual({ violations: [], unknown: true });
    });
    test("a known public member is reported even when another member is unknown", async () => {
        expect(await checkResource(rule, { ...cases.keyBinding, props: { ...cases.keyBinding.props, members: [UNKNOWN, "allUsers"] } })).toEqual({ violations: [{ message: KEY_MSG }] });
    });
    test("an unknown role or key id does not matter", async () => {
        expect(await checkResource(rule, { ...cases.keyMember, props: { ...cases.keyMember.props, role: UNKNOWN, cryptoKeyId: UNKNOWN } })).toEqual({ violations: [] });
    });
});

test("keyfabric's GcpKey grants only the named principals", async () => {
    const run = await runUnderMocks(() => new GcpKey("k", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256", admins: ["group:kms-admins@acme.example"], users: [USER] }));
    const members = run.resources.filter((r) => r.type === cases.keyMember.type);
    expect(members).toHaveLength(2);
    for (const m of members) expect(await checkResource(rule, { type: m.type, props: m.inputs })).toEqual({ violations: [] });
});
