/**
 * The pure parts: stack export parsing (versions, checkpoints, secrets), which resources are checked or not, key
 * policy normalisation, de-duplication.
 */
import { dedupe, diffPolicies, parseStackExport, StateError } from "../../sdk/drift";
import { planChecks, StateIndex } from "../../sdk/drift/plan";
import { propsOf, SECRET } from "../../sdk/drift/state";
import { isoDurationDays, memberDomain } from "../../sdk/drift/compare";
import { secretValue } from "./support";

const STACK = { urn: "urn:pulumi:prod::keys::pulumi:pulumi:Stack::keys-prod", type: "pulumi:pulumi:Stack", custom: false };
const res = (type: string, name: string, extra: Record<string, unknown> = {}) => ({ urn: `urn:pulumi:prod::keys::${type}::${name}`, type, custom: true, id: `${name}-id`, inputs: {}, outputs: {}, ...extra });

describe("stack exports", () => {
    test("version 3 exports and backend checkpoints; the stack name from the URNs", () => {
        const state = parseStackExport({ version: 3, deployment: { resources: [STACK, res("aws:kms/key:Key", "k")] } }, "s.json");
        expect(state).toMatchObject({ source: "s.json", stack: "keys/prod" });
        expect(state.resources[1]).toMatchObject({ name: "k", id: "k-id", custom: true });
        expect(parseStackExport({ version: 3, checkpoint: { stack: "x", latest: { resources: [STACK] } } }).resources).toHaveLength(1);
        expect(parseStackExport({ version: 3, deployment: {} }).resources).toEqual([]);
        expect(() => parseStackExport({ version: 1, deployment: {} }, "old.json")).toThrow(new StateError("old.json: is a version 1 stack export; keyfabric drift reads version 3 (pulumi stack export with Pulumi CLI 3.x)"));
        expect(() => parseStackExport([], "a.json")).toThrow("a.json: is not a stack export");
        expect(() => parseStackExport({ version: 3, deployment: { resources: {} } }, "b.json")).toThrow("b.json: deployment.resources is not a list");
        expect(() => parseStackExport({ version: 3, deployment: { resources: [{ urn: "urn:pulumi:a::b::c::d" }] } }, "c.json")).toThrow("c.json: deployment.resources[0] (urn:pulumi:a::b::c::d): has no type");
    });

    test("secrets read as SECRET (never decrypted), __provider is dropped, outputs win over inputs", () => {
        const r = parseStackExport({
            version: 3,
            deployment: { resources: [res("pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial", "m", { inputs: { __provider: "exports.handler = ...", a: 1, tags: { x: secretValue() } }, outputs: { a: 2, policy: secretValue() } })] },
        }).resources[0];
        expect(propsOf(r)).toEqual({ a: 2, tags: { x: SECRET }, policy: SECRET });
    });

    test("which resources are checked, covered or not compared", () => {
        const state = parseStackExport({
            version: 3,
            deployment: {
                resources: [
                    STACK,
                    { urn: "urn:pulumi:prod::keys::pulumi:providers:aws::default", type: "pulumi:providers:aws", custom: true, id: "p", inputs: { region: "us-east-2" }, outputs: {} },
                    res("aws:kms/key:Key", "key"),
                    res("aws:kms/grant:Grant", "grant"),
                    res("aws:kms/key:Key", "old", { delete: true }),
                    res("gcp:kms/cryptoKey:CryptoKey", "ck", { id: "projects/p/locations/l/keyRings/r/cryptoKeys/k" }),
                    res("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "member", { outputs: { cryptoKeyId: "projects/p/locations/l/keyRings/r/cryptoKeys/k", role: "roles/cloudkms.viewer", member: "user:a@acme.example" } }),
                    res("gcp:kms/keyRingIAMMember:KeyRingIAMMember", "ring-member", { outputs: { keyRingId: "projects/p/locations/l/keyRings/other", role: "roles/cloudkms.viewer", member: "user:b@acme.example" } }),
                    res("azure-native:keyvault/v20230701:Key", "versioned"),
                    res("azure-native:keyvault:Secret", "secret"),
                    res("pulumi-nodejs:dynamic/keyfabric:MaterialFingerprint", "fp"),
                    res("aws:s3/bucketV2:BucketV2", "bucket"),
                    { ...res("keyfabric:aws:Key", "component"), custom: false },
                ],
            },
        });
        const index = new StateIndex(state);
        const plan = planChecks(state, index);
        expect(plan.keyResources).toBe(9);
        expect(plan.units.map((u) => [u.urn.split("::").pop(), u.covers.map((c) => c.split("::").pop())])).toEqual([
            ["key", []],
            ["ck", ["member"]],
            ["ring-member", []],
            ["versioned", []],
        ]);
        expect(plan.skipped.map((s) => [s.urn.split("::").pop(), s.reason])).toEqual([
            ["grant", expect.stringContaining("grants are not compared")],
            ["old", "marked for deletion in state (the old half of a replacement)"],
            ["secret", "this resource type is not compared by keyfabric drift"],
            ["fp", "a local fingerprint of material: no cloud object to compare"],
        ]);
        expect(index.providerRegion("urn:pulumi:prod::keys::pulumi:providers:aws::default::p")).toBe("us-east-2");
        expect([...index.gcpKnownDomains]).toEqual(["acme.example"]);
    });
});

describe("key policies", () => {
    const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
    const owner = { Sid: "KeyOwners", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::1:root"] }, Action: "kms:*", Resource: "*" };
    const users = { Sid: "KeyUsers", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::1:role/B", "arn:aws:iam::1:role/A"] }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*" };

    test("order, single values as lists and formatting do not count", () => {
        const reordered = { ...users, Principal: { AWS: ["arn:aws:iam::1:role/A", "arn:aws:iam::1:role/B"] }, Action: ["kms:Decrypt", "kms:Encrypt"] };
        expect(diffPolicies(doc([owner, users]), JSON.stringify({ Statement: [reordered, { ...owner, Principal: { AWS: "arn:aws:iam::1:root" }, Action: ["kms:*"] }], Version: "2012-10-17" }, null, 2))).toBeUndefined();
    });

    test("added, removed and changed statements by Sid; a new public statement", () => {
        const d = diffPolicies(doc([owner, users]), doc([owner, { ...users, Action: "kms:*" }, { Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }]))!;
        expect(d).toMatchObject({ added: ["Open"], removed: [], changed: ["KeyUsers"], newlyPublic: ["Open"] });
        expect(d.expected).toEqual({ KeyUsers: expect.objectContaining({ Action: ["kms:Decrypt", "kms:Encrypt"] }) });
        expect(diffPolicies(doc([owner, users]), doc([owner]))).toMatchObject({ removed: ["KeyUsers"], newlyPublic: [] });
        // A public statement with a condition is not "public".
        expect(diffPolicies(doc([owner]), doc([owner, { Sid: "Org", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } }]))!.newlyPublic).toEqual([]);
    });

    test("statements without a Sid are matched by content", () => {
        const { Sid: _s, ...anon } = users;
        expect(diffPolicies(doc([owner, anon]), doc([anon, owner]))).toBeUndefined();
        expect(diffPolicies(doc([owner, anon]), doc([owner, { ...anon, Action: "kms:*" }]))).toMatchObject({ added: [expect.stringMatching(/^\(no Sid #[0-9a-f]{8}\)$/)], removed: [expect.stringMatching(/^\(no Sid #/)] });
    });
});

test("durations and member domains", () => {
    expect([isoDurationDays("P90D"), isoDurationDays("P1Y"), isoDurationDays("P3M"), isoDurationDays("P2W"), isoDurationDays("PT36H"), isoDurationDays("P"), isoDurationDays("90d")]).toEqual([90, 365, 90, 14, 1.5, undefined, undefined]);
    expect([memberDomain("user:Eve@Evil.example"), memberDomain("domain:acme.example"), memberDomain("serviceAccount:x@p.iam.gserviceaccount.com"), memberDomain("allUsers")]).toEqual(["evil.example", "acme.example", "p.iam.gserviceaccount.com", undefined]);
});

test("de-duplication: one finding per cloud object and kind, from the most specific resource", () => {
    const f = (urn: string, specificity: number) => ({ urn, type: "t", cloud: "aws" as const, kind: "material-missing" as const, severity: "critical" as const, expected: null, actual: null, message: urn, subject: "arn:k", specificity });
    expect(dedupe([f("urn:b", 1), f("urn:a", 2), f("urn:c", 2)]).map((x) => x.urn)).toEqual(["urn:a"]);
    expect(dedupe([f("urn:b", 1)])[0]).not.toHaveProperty("subject");
});
