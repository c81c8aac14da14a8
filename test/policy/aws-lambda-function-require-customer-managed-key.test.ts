import { rule } from "../../policy-packs/key-management/rules/aws-lambda-function-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, LAMBDA_FUNCTION } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const FUNCTION = "aws:lambda/function:Function";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const compliant = {
    name: "payments-api",
    role: "arn:aws:iam::111122223333:role/lambda",
    runtime: "nodejs20.x",
    handler: "index.handler",
    environment: { variables: { DB_PASSWORD: "s3cr3t-value", STAGE: "prod" } },
    kmsKeyArn: CMK,
};
const NOT_CMK = { violations: [{ message: "This Lambda function does not encrypt its environment variables with a customer-managed KMS key." }] };

test("a function whose environment variables use a customer-managed key is compliant", async () => {
    expect(await checkResource(rule, { type: FUNCTION, props: compliant })).toEqual({ violations: [] });
});

test.each([
    ["without kmsKeyArn (aws/lambda)", { kmsKeyArn: undefined }],
    ["on the aws/lambda alias", { kmsKeyArn: "alias/aws/lambda" }],
    ["on the aws/lambda alias ARN", { kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:alias/aws/lambda" }],
])("a function with environment variables %s is a violation, without echoing them", async (_n, change) => {
    const result = await checkResource(rule, { type: FUNCTION, props: { ...compliant, ...change } });
    expect(result).toEqual(NOT_CMK);
    expect(JSON.stringify(result)).not.toContain("s3cr3t");
});

test("functions without environment variables are not checked", async () => {
    const { environment, kmsKeyArn, ...bare } = compliant;
    void environment;
    void kmsKeyArn;
    expect(await checkResource(rule, { type: FUNCTION, props: bare })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: FUNCTION, props: { ...bare, environment: {} } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: FUNCTION, props: { ...bare, environment: { variables: {} } } })).toEqual({ violations: [] });
});

test("state: an unset key is recorded as an empty kmsKeyArn", async () => {
    expect(await checkResource(rule, { type: FUNCTION, props: { ...compliant, kmsKeyArn: "", arn: "arn:aws:lambda:eu-west-1:111122223333:function:payments-api" } })).toEqual(NOT_CMK);
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:lambda/alias:Alias", props: { functionName: "f", functionVersion: "1" } })).toEqual({ violations: [] });
});

test("values unknown at preview make the rule not run; a variable's unknown value does not matter", async () => {
    expect(await checkResource(rule, { type: FUNCTION, props: { ...compliant, kmsKeyArn: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: FUNCTION, props: { ...compliant, environment: { variables: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: FUNCTION, props: { ...compliant, environment: { variables: { DB_URL: UNKNOWN } } } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: FUNCTION, props: { ...compliant, kmsKeyArn: undefined, environment: { variables: { DB_URL: UNKNOWN } } } })).toEqual(NOT_CMK);
});

test("the consumer entry names the environment key", () => {
    expect(consumerFor([AWS_CONSUMERS], FUNCTION)).toBe(LAMBDA_FUNCTION);
    expect(LAMBDA_FUNCTION.keyRefs(compliant)).toEqual([CMK]);
    expect(LAMBDA_FUNCTION.keyRefs({ kmsKeyArn: CMK })).toEqual([]);
});
