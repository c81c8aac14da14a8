import { resourceRule } from "../lib/rule";
import { EKS_CLUSTER, requireCustomerManagedKey } from "../lib/consumers-aws";

/**
 * Catalogue row 12 (EKS). Without envelope encryption (encryptionConfig with "secrets" in resources), Kubernetes
 * secrets are stored in etcd protected only by the EBS encryption of the control plane's volumes.
 */
export const rule = resourceRule(
    {
        name: "aws-eks-cluster-require-customer-managed-key",
        description:
            "EKS clusters must envelope-encrypt Kubernetes secrets with a customer-managed KMS key (encryptionConfig with resources including secrets and provider.keyArn).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AWS_58 Ensure EKS Cluster has Secrets Encryption Enabled" },
            { name: "Trivy", version: "AVD", reference: "AVD-AWS-0039 EKS should have the encryption of secrets enabled" },
            { name: "AWS Config", version: "managed rules", reference: "eks-secrets-encrypted (with kmsKeyArns)" },
            { name: "Pulumi compliance-policies", version: "1", reference: "aws-eks-cluster-enable-cluster-encryption-config" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set encryptionConfig: { resources: [\"secrets\"], provider: { keyArn: <customer-managed symmetric key ARN> } } on the aws.eks.Cluster; once enabled, envelope encryption cannot be turned off.",
        catalogueRows: [12],
        resourceTypes: EKS_CLUSTER.types,
    },
    { validateResource: requireCustomerManagedKey([EKS_CLUSTER], "encrypt Kubernetes secrets with a customer-managed KMS key") },
);
