import { resourceRule } from "../lib/rule";
import { SSM_PARAMETER, requireCustomerManagedKey } from "../lib/consumers-aws";

/**
 * Catalogue row 12 (Systems Manager Parameter Store). Only SecureString parameters are encrypted; without keyId they
 * use the AWS managed alias/aws/ssm key, which state then records as keyId. String and StringList parameters are not
 * checked (whether a value should be a SecureString is not this rule's question).
 */
export const rule = resourceRule(
    {
        name: "aws-ssm-parameter-require-customer-managed-key",
        description: "SSM SecureString parameters must encrypt their values with a customer-managed KMS key (keyId), not the AWS managed alias/aws/ssm key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AWS_337 Ensure SSM parameters are using KMS CMK" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation: "Set keyId on the SecureString aws.ssm.Parameter to a customer-managed key's ARN or alias (not alias/aws/ssm); readers of the parameter also need kms:Decrypt on that key.",
        catalogueRows: [12],
        resourceTypes: SSM_PARAMETER.types,
    },
    { validateResource: requireCustomerManagedKey([SSM_PARAMETER]) },
);
