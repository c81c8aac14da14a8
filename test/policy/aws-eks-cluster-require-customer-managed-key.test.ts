import { rule } from "../../policy-packs/key-management/rules/aws-eks-cluster-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, EKS_CLUSTER } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const CLUSTER = "aws:eks/cluster:Cluster";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = {
    name: "platform",
    roleArn: "arn:aws:iam::111122223333:role/eks",
    vpcConfig: { subnetIds: ["subnet-1", "subnet-2"] },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: CMK } },
};
const NOT_CMK = { violations: [{ message: "This EKS cluster does not encrypt Kubernetes secrets with a customer-managed KMS key." }] };

test("a cluster envelope-encrypting secrets with a customer-managed key is compliant", async () => {
    expect(await checkResource(rule, { type: CLUSTER, props: compliant })).toEqual({ violations: [] });
});

test.each([
    ["without encryptionConfig", { encryptionConfig: undefined }],
    ["with encryptionConfig that does not cover secrets", { encryptionConfig: { resources: [], provider: { keyArn: CMK } } }],
    ["with an AWS managed alias", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "alias/aws/eks" } } }],
    ["with an AWS managed alias ARN", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:111122223333:alias/aws/eks" } } }],
    ["with secrets covered but no key", { encryptionConfig: { resources: ["secrets"], provider: {} } }],
])("a cluster %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("state: a cluster without envelope encryption has no encryptionConfig", async () => {
    expect(await checkResource(rule, { type: CLUSTER, props: { name: "platform", arn: "arn:aws:eks:eu-west-1:111122223333:cluster/platform", version: "1.31" } })).toEqual(NOT_CMK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:eks/nodeGroup:NodeGroup", props: { clusterName: "platform" } })).toEqual({ violations: [] });
});

test("values unknown at preview make the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, encryptionConfig: { resources: ["secrets"], provider: { keyArn: UNKNOWN } } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: CLUSTER, props: { ...compliant, encryptionConfig: { resources: [UNKNOWN], provider: { keyArn: CMK } } } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entry names the secrets key", () => {
    expect(consumerFor([AWS_CONSUMERS], CLUSTER)).toBe(EKS_CLUSTER);
    expect(EKS_CLUSTER.keyRefs(compliant)).toEqual([CMK]);
});
