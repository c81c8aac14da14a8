import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { GCP_CONSUMERS } from "../../policy-packs/key-management/lib/consumers-gcp";
import { rule } from "../../policy-packs/key-management/rules/gcp-artifactregistry-repository-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

const REPO = "gcp:artifactregistry/repository:Repository";
const KEY = "projects/acme-prod/locations/europe-west1/keyRings/build/cryptoKeys/artifacts";
const compliant = { repositoryId: "images", location: "europe-west1", format: "DOCKER", kmsKeyName: KEY };
const NOT_CMEK = { violations: [{ message: "This Artifact Registry repository does not encrypt with a customer-managed Cloud KMS key." }] };

test("a standard repository with a Cloud KMS key is compliant", async () => {
    expect(await checkResource(rule, { type: REPO, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: REPO, props: { ...compliant, mode: "STANDARD_REPOSITORY" } })).toEqual({ violations: [] });
});

test("a standard or remote repository without kmsKeyName is a violation", async () => {
    const { kmsKeyName, ...props } = compliant;
    void kmsKeyName;
    expect(await checkResource(rule, { type: REPO, props })).toEqual(NOT_CMEK);
    expect(await checkResource(rule, { type: REPO, props: { ...props, mode: "REMOTE_REPOSITORY", remoteRepositoryConfig: { dockerRepository: { publicRepository: "DOCKER_HUB" } } } })).toEqual(
        NOT_CMEK,
    );
});

test("a virtual repository stores no artifacts and is not judged", async () => {
    const virtual = { repositoryId: "all-images", location: "europe-west1", format: "DOCKER", mode: "VIRTUAL_REPOSITORY", virtualRepositoryConfig: { upstreamPolicies: [] } };
    expect(await checkResource(rule, { type: REPO, props: virtual })).toEqual({ violations: [] });
    expect(consumerFor([GCP_CONSUMERS], REPO)!.keyRefs(virtual)).toEqual([]);
});

test("state shape: the same kmsKeyName, with the provider's computed outputs", async () => {
    const state = { ...compliant, mode: "STANDARD_REPOSITORY", name: "images", project: "acme-prod", createTime: "2026-01-01T00:00:00Z" };
    expect(await checkResource(rule, { type: REPO, props: state })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: REPO, props: { ...state, kmsKeyName: "" } })).toEqual(NOT_CMEK);
    expect(consumerFor([GCP_CONSUMERS], REPO)!.keyRefs(state)).toEqual([KEY]);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", props: { repository: "images" } })).toEqual({ violations: [] });
});

test("unknown at preview (the key, or the mode of a repository without a key) makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: REPO, props: { ...compliant, kmsKeyName: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: REPO, props: { ...compliant, kmsKeyName: undefined, mode: UNKNOWN } })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the key", async () => {
    expect(await remediate(rule, { type: REPO, props: { repositoryId: "r" } })).toBeUndefined();
});
