import { rule } from "../../policy-packs/key-management/rules/aws-secretsmanager-secret-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, SECRETSMANAGER_SECRET } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const SECRET = "aws:secretsmanager/secret:Secret";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const REPLICA_CMK = "arn:aws:kms:eu-central-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const compliant = { name: "payments/db", kmsKeyId: CMK, recoveryWindowInDays: 30, replicas: [{ region: "eu-central-1", kmsKeyId: REPLICA_CMK }] };
const MSG = "This Secrets Manager secret does not encrypt with a customer-managed KMS key.";
const REPLICA_MSG = "Replica 1 of this Secrets Manager secret does not encrypt with a customer-managed KMS key.";

test("a secret and its replicas encrypted with customer-managed keys are compliant", async () => {
    expect(await checkResource(rule, { type: SECRET, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: SECRET, props: { name: "api-token", kmsKeyId: "alias/payments" } })).toEqual({ violations: [] });
});

test.each([
    ["without kmsKeyId (aws/secretsmanager)", { kmsKeyId: undefined }],
    ["on the aws/secretsmanager alias", { kmsKeyId: "alias/aws/secretsmanager" }],
    ["on the aws/secretsmanager alias ARN", { kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager" }],
])("a secret %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: SECRET, props: { ...compliant, ...change } })).toEqual({ violations: [{ message: MSG }] });
});

test("each replica without a customer-managed key is reported by position", async () => {
    expect(await checkResource(rule, { type: SECRET, props: { ...compliant, replicas: [{ region: "eu-central-1" }] } })).toEqual({ violations: [{ message: REPLICA_MSG }] });
    expect(
        await checkResource(rule, {
            type: SECRET,
            props: { name: "payments/db", replicas: [{ region: "eu-central-1", kmsKeyId: REPLICA_CMK }, { region: "us-east-1", kmsKeyId: "alias/aws/secretsmanager" }] },
        }),
    ).toEqual({ violations: [{ message: MSG }, { message: "Replica 2 of this Secrets Manager secret does not encrypt with a customer-managed KMS key." }] });
});

test("state: the default key leaves kmsKeyId empty", async () => {
    expect(await checkResource(rule, { type: SECRET, props: { name: "payments/db", kmsKeyId: "", replicas: [], arn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments/db" } })).toEqual({
        violations: [{ message: MSG }],
    });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:secretsmanager/secretVersion:SecretVersion", props: { secretId: "s", secretString: "x" } })).toEqual({ violations: [] });
});

test("a key unknown at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: SECRET, props: { ...compliant, kmsKeyId: UNKNOWN } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: SECRET, props: { ...compliant, replicas: [{ region: "eu-central-1", kmsKeyId: UNKNOWN }] } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entry names the secret's and its replicas' keys", () => {
    expect(consumerFor([AWS_CONSUMERS], SECRET)).toBe(SECRETSMANAGER_SECRET);
    expect(SECRETSMANAGER_SECRET.keyRefs(compliant)).toEqual([CMK, REPLICA_CMK]);
});
