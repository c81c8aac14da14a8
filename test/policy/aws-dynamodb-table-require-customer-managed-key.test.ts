import { rule } from "../../policy-packs/key-management/rules/aws-dynamodb-table-require-customer-managed-key";
import { consumerFor } from "../../policy-packs/key-management/lib/consumers";
import { AWS_CONSUMERS, DYNAMODB_TABLE, DYNAMODB_TABLE_REPLICA } from "../../policy-packs/key-management/lib/consumers-aws";
import { checkResource, UNKNOWN } from "./harness";

const TABLE = "aws:dynamodb/table:Table";
const REPLICA = "aws:dynamodb/tableReplica:TableReplica";
const CMK = "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const REPLICA_CMK = "arn:aws:kms:eu-central-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const compliant = {
    name: "orders",
    billingMode: "PAY_PER_REQUEST",
    hashKey: "id",
    attributes: [{ name: "id", type: "S" }],
    serverSideEncryption: { enabled: true, kmsKeyArn: CMK },
};
const MSG = "This DynamoDB table does not encrypt with a customer-managed KMS key.";
const NOT_CMK = { violations: [{ message: MSG }] };

test("a table, its replicas and a separate replica encrypted with customer-managed keys are compliant", async () => {
    expect(await checkResource(rule, { type: TABLE, props: compliant })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: TABLE, props: { ...compliant, replicas: [{ regionName: "eu-central-1", kmsKeyArn: REPLICA_CMK }] } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: REPLICA, props: { globalTableArn: "arn:aws:dynamodb:eu-west-1:111122223333:table/orders", kmsKeyArn: REPLICA_CMK } })).toEqual({ violations: [] });
});

test.each([
    ["no serverSideEncryption (the AWS owned key)", { serverSideEncryption: undefined }],
    ["encryption disabled (the AWS owned key)", { serverSideEncryption: { enabled: false } }],
    ["a key with encryption disabled", { serverSideEncryption: { enabled: false, kmsKeyArn: CMK } }],
    ["encryption enabled without a key (aws/dynamodb)", { serverSideEncryption: { enabled: true } }],
    ["the aws/dynamodb alias", { serverSideEncryption: { enabled: true, kmsKeyArn: "alias/aws/dynamodb" } }],
    ["the aws/dynamodb alias ARN", { serverSideEncryption: { enabled: true, kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:alias/aws/dynamodb" } }],
])("a table with %s is a violation", async (_n, change) => {
    expect(await checkResource(rule, { type: TABLE, props: { ...compliant, ...change } })).toEqual(NOT_CMK);
});

test("each replica without its own customer-managed key is reported by position", async () => {
    const replicas = [{ regionName: "eu-central-1", kmsKeyArn: REPLICA_CMK }, { regionName: "us-east-1" }, { regionName: "ap-south-1", kmsKeyArn: "alias/aws/dynamodb" }];
    expect(await checkResource(rule, { type: TABLE, props: { ...compliant, replicas } })).toEqual({
        violations: [
            { message: "Replica 2 of this DynamoDB table does not encrypt with a customer-managed KMS key." },
            { message: "Replica 3 of this DynamoDB table does not encrypt with a customer-managed KMS key." },
        ],
    });
});

test("a separate TableReplica without a customer-managed key is a violation", async () => {
    const replica = { globalTableArn: "arn:aws:dynamodb:eu-west-1:111122223333:table/orders" };
    const msg = { violations: [{ message: "This DynamoDB table replica does not encrypt with a customer-managed KMS key." }] };
    expect(await checkResource(rule, { type: REPLICA, props: replica })).toEqual(msg);
    expect(await checkResource(rule, { type: REPLICA, props: { ...replica, kmsKeyArn: "alias/aws/dynamodb" } })).toEqual(msg);
});

test("a restored table without serverSideEncryption is reported: naming the key is always valid", async () => {
    expect(await checkResource(rule, { type: TABLE, props: { ...compliant, serverSideEncryption: undefined, restoreSourceName: "orders-old" } })).toEqual(NOT_CMK);
});

test("state: the AWS owned key is recorded as encryption disabled with an empty key", async () => {
    expect(await checkResource(rule, { type: TABLE, props: { name: "orders", serverSideEncryption: { enabled: false, kmsKeyArn: "" }, replicas: [] } })).toEqual(NOT_CMK);
    expect(await checkResource(rule, { type: TABLE, props: { name: "orders", serverSideEncryption: { enabled: true, kmsKeyArn: CMK }, replicas: [] } })).toEqual({ violations: [] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "aws:dynamodb/tableItem:TableItem", props: { tableName: "orders", hashKey: "id", item: "{}" } })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "aws:dynamodb/globalTable:GlobalTable", props: { name: "orders", replicas: [{ regionName: "eu-west-1" }] } })).toEqual({ violations: [] });
});

test("values unknown at preview make the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: TABLE, props: { ...compliant, serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: TABLE, props: { ...compliant, serverSideEncryption: { enabled: UNKNOWN, kmsKeyArn: CMK } } })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: TABLE, props: { ...compliant, replicas: [{ regionName: "eu-central-1", kmsKeyArn: UNKNOWN }] } })).toEqual({ violations: [], unknown: true });
});

test("the consumer entries name the table's and replicas' keys", () => {
    expect(consumerFor([AWS_CONSUMERS], TABLE)).toBe(DYNAMODB_TABLE);
    expect(consumerFor([AWS_CONSUMERS], REPLICA)).toBe(DYNAMODB_TABLE_REPLICA);
    expect(DYNAMODB_TABLE.keyRefs({ ...compliant, replicas: [{ regionName: "eu-central-1", kmsKeyArn: REPLICA_CMK }] })).toEqual([CMK, REPLICA_CMK]);
    expect(DYNAMODB_TABLE.keyRefs({ serverSideEncryption: { enabled: true } })).toEqual([]);
});
