import { rule } from "../../policy-packs/key-management/rules/aws-ecr-repository-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, ECR_REPOSITORY, ECR_REPOSITORY_CREATION_TEMPLATE } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const REPOSITORY = "aws:ecr/repository:Repository";
const TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = { name: "payments/api", imageTagMutability: "IMMUTABLE", encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: CMK }] };
const template = { prefix: "ecr-public", appliedFors: ["PULL_THROUGH_CACHE"], encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: CMK }] };
const NOT_CMK = { violations: [{ message: "This ECR repository does not encrypt with a customer-managed KMS key." }] };
const TEMPLATE_NOT_CMK = { violations: [{ message: "This ECR repository creation template does not encrypt with a customer-managed KMS key." }] };

test("repositories and creation templates with KMS and a customer-managed key are compliant", async () => {
    expect(await checkResource(rule, { type: REPOSITORY, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: REPOSITORY, props: { ...compliant, encryptionConfigurations: [{ encryptionType: "KMS_DSSE", kmsKey: CMK }] } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: TEMPLATE, props: template })).toEqual({ violations: [] });
});

test.each([
    ["no encryption configuration (AES256)", { encryptionConfigurations: undefined }],
    ["an empty encryption configuration list", { encryptionConfigurations: [] }],
    ["AES256", { encryptionConfigurations: [{ encryptionType: "AES256" }] }],
    ["KMS without a key (aws/ecr)", { encryptionConfigurations: [{ encryptionType: "KMS" }] }],
    ["KMS with the aws/ecr alias", { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "alias/aws/ecr" }] }],
    ["KMS with the aws/ecr alias ARN", { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:eu-west-1:111122223333:alias/aws/ecr" }] }],
    ["a key without encryptionType (AES256)", { encryptionConfigurations: [{ kmsKey: CMK }] }],
])("a repository with %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: REPOSITORY, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("a creation template without a customer-managed key is a violation", async () => {
    expect(await checkResource(rule, { type: TEMPLATE, props: { ...template, encryptionConfigurations: undefined } })).toEqual(TEMPLATE_NOT_CMK);
    expect(await checkResource(rule, { type: TEMPLATE, props: { ...template, encryptionConfigurations: [{ encryptionType: "KMS" }] } })).toEqual(TEMPLATE_NOT_CMK);
});

test("state: a repository without configuration is recorded as AES256 with an empty kmsKey", async () => {
    expect(await checkResource(rule, { type: REPOSITORY, props: { name: "payments/api", encryptionConfigurations: [{ encryptionType: "AES256", kmsKey: "" }], registryId: "111122223333" } })).toEqual(NOT_CMK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:ecr/lifecyclePolicy:LifecyclePolicy", props: { repository: "r", policy: "{}" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "aws:ecr/repositoryPolicy:RepositoryPolicy", props: { repository: "r", policy: "{}" } })).toEqual({ violations: [] });
});

test("values unknown at preview make the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: REPOSITORY, props: { ...compliant, encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: UNKNOWN }] } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: REPOSITORY, props: { ...compliant, encryptionConfigurations: [{ encryptionType: UNKNOWN, kmsKey: CMK }] } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entries name the key", () => {
    expect(consumerFor([AWS_CONSUMERS], REPOSITORY)).toBe(ECR_REPOSITORY);
    expect(consumerFor([AWS_CONSUMERS], TEMPLATE)).toBe(ECR_REPOSITORY_CREATION_TEMPLATE);
    expect(ECR_REPOSITORY.keyRefs(compliant)).toEqual([CMK]);
    expect(ECR_REPOSITORY.keyRefs({ encryptionConfigurations: [{ encryptionType: "AES256", kmsKey: "" }] })).toEqual([]);
});
