import { resourceRule } from "../lib/rule";
import { ECR_REPOSITORY, ECR_REPOSITORY_CREATION_TEMPLATE, requireCustomerManagedKey, typesOf } from "../lib/consumers-aws";

const CONSUMERS = [ECR_REPOSITORY, ECR_REPOSITORY_CREATION_TEMPLATE];

/**
 * Catalogue row 12 (ECR). Repositories, and the creation templates ECR applies to the repositories it creates itself
 * (pull-through cache, replication, create on push), must use encryptionType "KMS" with a customer-managed kmsKey:
 * no encryptionConfigurations is AES256, and KMS without kmsKey is the AWS managed aws/ecr key. On state, the provider
 * records AES256 for a repository without configuration, and the ARN of the key used for KMS (aws/ecr's too).
 */
export const rule = resourceRule(
    {
        name: "aws-ecr-repository-require-customer-managed-key",
        description:
            "ECR repositories and repository creation templates must encrypt images with a customer-managed KMS key (encryptionType KMS with kmsKey), not AES256 or the AWS managed aws/ecr key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Pulumi compliance-policies", version: "1", reference: "aws-ecr-repository-configure-customer-managed-key" },
            { name: "Trivy", version: "AVD", reference: "AVD-AWS-0033 ECR Repository should use customer managed keys to allow more control" },
            { name: "Checkov", version: "3", reference: "CKV_AWS_136 Ensure that ECR repositories are encrypted using KMS" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set encryptionConfigurations: [{ encryptionType: \"KMS\", kmsKey: <customer-managed key ARN> }] on the aws.ecr.Repository (a repository's encryption cannot change: this replaces it) or aws.ecr.RepositoryCreationTemplate.",
        catalogueRows: [12],
        resourceTypes: typesOf(CONSUMERS),
    },
    { validateResource: requireCustomerManagedKey(CONSUMERS) },
);
