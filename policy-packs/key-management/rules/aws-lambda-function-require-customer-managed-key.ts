import { resourceRule } from "../lib/rule";
import { LAMBDA_FUNCTION, requireCustomerManagedKey } from "../lib/consumers-aws";

/**
 * Catalogue row 12 (Lambda). Environment variables are encrypted at rest with the AWS managed aws/lambda key unless
 * kmsKeyArn names another; functions without environment variables are not checked (the key would not be saved).
 * Variable values are never read: only whether there are any.
 */
export const rule = resourceRule(
    {
        name: "aws-lambda-function-require-customer-managed-key",
        description: "Lambda functions with environment variables must encrypt them with a customer-managed KMS key (kmsKeyArn), not the AWS managed aws/lambda key.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "Checkov", version: "3", reference: "CKV_AWS_173 Check encryption settings for Lambda environmental variable" },
            { name: "PCI DSS", version: "4.0", reference: "3.6.1 Procedures are defined and implemented to protect cryptographic keys against disclosure and misuse" },
        ],
        remediation:
            "Set kmsKeyArn on the aws.lambda.Function to a customer-managed key's ARN, and keep secrets out of environment variables where possible (read them from Secrets Manager or SSM SecureString parameters).",
        catalogueRows: [12],
        resourceTypes: LAMBDA_FUNCTION.types,
    },
    { validateResource: requireCustomerManagedKey([LAMBDA_FUNCTION], "encrypt its environment variables with a customer-managed KMS key") },
);
