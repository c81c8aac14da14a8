/**
 * The AWS key consumers (see `consumers.ts`): for each resource type, the customer-managed KMS keys its props name for
 * the data the matching `aws-*-require-customer-managed-key` rule protects (a bucket's objects, a volume, a database's
 * storage, a queue's messages, a secret's values, ...). Keys a resource takes for something else (RDS Performance
 * Insights, an RDS managed master-user secret, a Lambda function's code) are not listed: they are other consumers.
 *
 * Property names and shapes are those of @pulumi/aws 7.48 (`node_modules/@pulumi/aws/<service>/<resource>.d.ts`), on
 * inputs and on state alike. An AWS managed key (`alias/aws/<service>`, its alias ARN, or the bare `aws/<service>` some
 * service documentation shows) is never a customer-managed key. On state, some services record the ARN of whichever
 * key they used (`arn:...:key/<id>`), so an AWS managed key chosen by default there reads as a customer-managed one:
 * the rules answer from the program (preview), where the choice is visible.
 *
 * Reading a value unknown at preview throws the policy SDK's UnknownValueError (the engine then reports "can't run
 * policy"); nothing here catches it.
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { isCustomerManagedKeyRef, isSet } from "./aws";
import type { KeyConsumer } from "./consumers";
import { asArray, isObject } from "./props";

/** One place where a resource keeps data under a key: the resource itself, or one of its replicas. */
export interface KeyPlace {
    /** A noun phrase for messages when the place is not the resource itself ("replica 2"); never a property value. */
    readonly name?: string;
    /** The customer-managed keys named for this place; `[]` when it is unencrypted or on an AWS owned or managed key. */
    readonly keyRefs: string[];
}

export interface AwsKeyConsumer extends KeyConsumer {
    /**
     * Every place the resource keeps data under a key of its own, with the customer-managed keys named there; `[]`
     * when it keeps none (an SSM String parameter, a Lambda function without environment variables) or when its key is
     * another resource's (a volume restored from a snapshot, a read replica: the source's key applies). `keyRefs` is
     * the union of the places' keys.
     */
    places(props: any): KeyPlace[];
}

/** An AWS managed key reference: `alias/aws/<service>`, `arn:...:alias/aws/<service>`, or `aws/<service>`. */
export function isAwsManagedKeyRef(v: string): boolean {
    const s = v.trim();
    return /(^|:)alias\/aws\//i.test(s) || /^aws\//i.test(s);
}

/** `[v]` when `v` names a customer-managed key (a key id, key ARN, alias or alias ARN that is not AWS managed), else `[]`. */
export function customerManagedKeys(v: unknown): string[] {
    return isCustomerManagedKeyRef(v) && !isAwsManagedKeyRef(v as string) ? [v as string] : [];
}

const one = (keyRefs: string[]): KeyPlace[] => [{ keyRefs }];

function consumer(types: readonly string[], label: string, places: (props: any) => KeyPlace[]): AwsKeyConsumer {
    return { types, label, places, keyRefs: (props) => [...new Set(places(props).flatMap((p) => p.keyRefs))] };
}

const replicaPlaces = (replicas: unknown, keyOf: (r: Record<string, any>) => unknown): KeyPlace[] =>
    asArray(replicas).map((r, i) => ({ name: `replica ${i + 1}`, keyRefs: isObject(r) ? customerManagedKeys(keyOf(r)) : [] }));

// --- S3 -----------------------------------------------------------------------------------------------------------

const S3_KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** The customer-managed key of an S3 `applyServerSideEncryptionByDefault` block: SSE-KMS or DSSE-KMS with a key that is not aws/s3. */
export function s3DefaultKeyRefs(d: unknown): string[] {
    return isObject(d) && S3_KMS_ALGORITHMS.includes(d.sseAlgorithm) ? customerManagedKeys(d.kmsMasterKeyId) : [];
}

/** SSE-KMS (or DSSE-KMS) chosen in an `applyServerSideEncryptionByDefault` block, whatever the key. */
export const s3DefaultIsKms = (d: unknown): boolean => isObject(d) && S3_KMS_ALGORITHMS.includes(d.sseAlgorithm);

/** `aws:s3/bucket:Bucket`: its inline `serverSideEncryptionConfiguration.rule` (none: the bucket's encryption is set elsewhere, or S3's SSE-S3 default). */
export const S3_BUCKET = consumer(["aws:s3/bucket:Bucket"], "S3 bucket", (props) => {
    const sse = props.serverSideEncryptionConfiguration;
    return isObject(sse) && isObject(sse.rule) ? one(s3DefaultKeyRefs(sse.rule.applyServerSideEncryptionByDefault)) : [];
});

/** The `applyServerSideEncryptionByDefaults` blocks of a BucketV2's inline `serverSideEncryptionConfigurations[].rules[]`. */
export function s3BucketV2Defaults(props: Record<string, any>): unknown[] {
    return asArray(props.serverSideEncryptionConfigurations).flatMap((c) =>
        isObject(c) ? asArray(c.rules).flatMap((r) => (isObject(r) ? asArray(r.applyServerSideEncryptionByDefaults) : [])) : [],
    );
}

/** `aws:s3/bucketV2:BucketV2` (deprecated): its inline configuration blocks, each a place. */
export const S3_BUCKET_V2 = consumer(["aws:s3/bucketV2:BucketV2"], "S3 bucket", (props) => s3BucketV2Defaults(props).map((d) => ({ keyRefs: s3DefaultKeyRefs(d) })));

/** The `applyServerSideEncryptionByDefault` of each of an encryption configuration's `rules` (undefined for a rule without one). */
export function s3ConfigurationDefaults(props: Record<string, any>): unknown[] {
    return asArray(props.rules).map((r) => (isObject(r) ? r.applyServerSideEncryptionByDefault : undefined));
}

/** The dedicated bucket encryption configuration resources (both the same shape): every rule must name a key; no rule is no key. */
export const S3_ENCRYPTION_CONFIGURATION = consumer(
    [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    "S3 bucket encryption configuration",
    (props) => {
        const defaults = s3ConfigurationDefaults(props);
        return defaults.length === 0 ? one([]) : defaults.map((d) => ({ keyRefs: s3DefaultKeyRefs(d) }));
    },
);

// --- EBS, RDS -----------------------------------------------------------------------------------------------------

/** A volume restored from a snapshot without a key of its own is encrypted with the snapshot's key. */
export const ebsInheritsKey = (props: Record<string, any>): boolean => !isSet(props, "kmsKeyId") && isSet(props, "snapshotId");

/** `aws:ebs/volume:Volume`: `kmsKeyId` unless `encrypted: false` (left unset, AWS uses aws/ebs or the account's default key). */
export const EBS_VOLUME = consumer(["aws:ebs/volume:Volume"], "EBS volume", (props) =>
    ebsInheritsKey(props) ? [] : one(props.encrypted === false ? [] : customerManagedKeys(props.kmsKeyId)),
);

/** Databases created from another one, whose storage key is the source's unless kmsKeyId is given. */
const RDS_INHERITS = ["replicateSourceDb", "replicationSourceIdentifier", "snapshotIdentifier", "restoreToPointInTime"];

/** A read replica, cluster replica, snapshot restore or point-in-time restore without a `kmsKeyId` of its own. */
export const rdsInheritsKey = (props: Record<string, any>): boolean => !isSet(props, "kmsKeyId") && RDS_INHERITS.some((p) => isSet(props, p));

const rdsPlaces = (props: any): KeyPlace[] => (rdsInheritsKey(props) ? [] : one(props.storageEncrypted === true ? customerManagedKeys(props.kmsKeyId) : []));

/** `aws:rds/instance:Instance`: `storageEncrypted: true` with `kmsKeyId` (aws/rds when unset). */
export const RDS_INSTANCE = consumer(["aws:rds/instance:Instance"], "RDS DB instance", rdsPlaces);

/**
 * `aws:rds/cluster:Cluster` (Aurora, and Multi-AZ DB clusters): the same properties; Aurora instances store nothing of
 * their own. `aws:rds/globalCluster:GlobalCluster` names no key (only `storageEncrypted`): each member cluster names
 * its Region's key, and is checked as a Cluster.
 */
export const RDS_CLUSTER = consumer(["aws:rds/cluster:Cluster"], "RDS DB cluster", rdsPlaces);

// --- DynamoDB -----------------------------------------------------------------------------------------------------

/**
 * `aws:dynamodb/table:Table`: `serverSideEncryption: { enabled: true, kmsKeyArn }` (without it, the AWS owned key;
 * enabled without kmsKeyArn, the AWS managed aws/dynamodb key), and each of `replicas[]` its own `kmsKeyArn` (a key in
 * the replica's Region; unset, aws/dynamodb there).
 */
export const DYNAMODB_TABLE = consumer(["aws:dynamodb/table:Table"], "DynamoDB table", (props) => {
    const sse = props.serverSideEncryption;
    return [{ keyRefs: isObject(sse) && sse.enabled === true ? customerManagedKeys(sse.kmsKeyArn) : [] }, ...replicaPlaces(props.replicas, (r) => r.kmsKeyArn)];
});

/** `aws:dynamodb/tableReplica:TableReplica`, a replica declared on its own: `kmsKeyArn` (unset, aws/dynamodb). */
export const DYNAMODB_TABLE_REPLICA = consumer(["aws:dynamodb/tableReplica:TableReplica"], "DynamoDB table replica", (props) => one(customerManagedKeys(props.kmsKeyArn)));

// --- Messaging, logs, secrets, parameters ----------------------------------------------------------------------------

/** `aws:sqs/queue:Queue`: `kmsMasterKeyId` (SSE-KMS). SQS-managed encryption (`sqsManagedSseEnabled`, SSE-SQS, the default) uses no KMS key. */
export const SQS_QUEUE = consumer(["aws:sqs/queue:Queue"], "SQS queue", (props) => one(customerManagedKeys(props.kmsMasterKeyId)));

/** `aws:sns/topic:Topic`: `kmsMasterKeyId` (unset, the topic is not encrypted). */
export const SNS_TOPIC = consumer(["aws:sns/topic:Topic"], "SNS topic", (props) => one(customerManagedKeys(props.kmsMasterKeyId)));

/** `aws:cloudwatch/logGroup:LogGroup`: `kmsKeyId` (unset, CloudWatch Logs' own encryption). */
export const CLOUDWATCH_LOG_GROUP = consumer(["aws:cloudwatch/logGroup:LogGroup"], "CloudWatch log group", (props) => one(customerManagedKeys(props.kmsKeyId)));

/** `aws:secretsmanager/secret:Secret`: `kmsKeyId` (unset, aws/secretsmanager), and each of `replicas[]` its own `kmsKeyId`. */
export const SECRETSMANAGER_SECRET = consumer(["aws:secretsmanager/secret:Secret"], "Secrets Manager secret", (props) => [
    { keyRefs: customerManagedKeys(props.kmsKeyId) },
    ...replicaPlaces(props.replicas, (r) => r.kmsKeyId),
]);

/** `aws:ssm/parameter:Parameter`: `keyId`, for a `SecureString` only (unset, alias/aws/ssm, which state then records). */
export const SSM_PARAMETER = consumer(["aws:ssm/parameter:Parameter"], "SSM SecureString parameter", (props) =>
    props.type === "SecureString" ? one(customerManagedKeys(props.keyId)) : [],
);

// --- Containers, file systems, streams, functions --------------------------------------------------------------------

/** KMS-based ECR encryption types: the provider documents `KMS` (and `AES256`); the ECR API also has dual-layer `KMS_DSSE`. */
const ECR_KMS_TYPES = ["KMS", "KMS_DSSE"];

/** `encryptionConfigurations[]` (at most one): `encryptionType: "KMS"` with `kmsKey` (unset, aws/ecr); none or `AES256`, no KMS key. */
const ecrPlaces = (props: any): KeyPlace[] => {
    const refs = asArray(props.encryptionConfigurations).map((c) => (isObject(c) && ECR_KMS_TYPES.includes(c.encryptionType) ? customerManagedKeys(c.kmsKey) : []));
    return one(refs.length > 0 && refs.every((r) => r.length > 0) ? refs.flat() : []);
};

export const ECR_REPOSITORY = consumer(["aws:ecr/repository:Repository"], "ECR repository", ecrPlaces);

/** `aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate`: the encryption of the repositories ECR creates from it (pull-through cache, replication, create on push). */
export const ECR_REPOSITORY_CREATION_TEMPLATE = consumer(["aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"], "ECR repository creation template", ecrPlaces);

/** `aws:eks/cluster:Cluster`: envelope encryption of Kubernetes secrets, `encryptionConfig: { resources: ["secrets"], provider: { keyArn } }`. */
export const EKS_CLUSTER = consumer(["aws:eks/cluster:Cluster"], "EKS cluster", (props) => {
    const ec = props.encryptionConfig;
    return one(isObject(ec) && asArray(ec.resources).includes("secrets") && isObject(ec.provider) ? customerManagedKeys(ec.provider.keyArn) : []);
});

/** `aws:efs/fileSystem:FileSystem`: `encrypted: true` with `kmsKeyId` (unset, aws/elasticfilesystem). */
export const EFS_FILE_SYSTEM = consumer(["aws:efs/fileSystem:FileSystem"], "EFS file system", (props) =>
    one(props.encrypted === true ? customerManagedKeys(props.kmsKeyId) : []),
);

/**
 * `aws:efs/replicationConfiguration:ReplicationConfiguration`: the destination file system it creates, encrypted with
 * `destination.kmsKeyId` (unset, aws/elasticfilesystem in that Region). Replicating to an existing file system
 * (`destination.fileSystemId`) keeps that file system's key, checked on it.
 */
export const EFS_REPLICATION_CONFIGURATION = consumer(["aws:efs/replicationConfiguration:ReplicationConfiguration"], "EFS replication configuration", (props) => {
    const d = props.destination;
    if (isObject(d) && isSet(d, "fileSystemId")) return [];
    return [{ name: "the destination file system", keyRefs: isObject(d) ? customerManagedKeys(d.kmsKeyId) : [] }];
});

/** `aws:kinesis/stream:Stream`: `encryptionType: "KMS"` with `kmsKeyId` (`alias/aws/kinesis` is the AWS managed key); `NONE`, the default, is unencrypted. */
export const KINESIS_STREAM = consumer(["aws:kinesis/stream:Stream"], "Kinesis data stream", (props) => {
    const type = props.encryptionType;
    return one(typeof type === "string" && type.toUpperCase() === "KMS" ? customerManagedKeys(props.kmsKeyId) : []);
});

/** `aws:lambda/function:Function`: `kmsKeyArn` for its environment variables, when `environment.variables` has any (unset, aws/lambda). */
export const LAMBDA_FUNCTION = consumer(["aws:lambda/function:Function"], "Lambda function", (props) => {
    const env = props.environment;
    const variables = isObject(env) ? env.variables : undefined;
    return isObject(variables) && Object.keys(variables).length > 0 ? one(customerManagedKeys(props.kmsKeyArn)) : [];
});

/** Every AWS key consumer, one entry per resource type (or per group of types with the same shape). */
export const AWS_CONSUMERS: readonly KeyConsumer[] = [
    S3_BUCKET,
    S3_BUCKET_V2,
    S3_ENCRYPTION_CONFIGURATION,
    EBS_VOLUME,
    RDS_INSTANCE,
    RDS_CLUSTER,
    DYNAMODB_TABLE,
    DYNAMODB_TABLE_REPLICA,
    SQS_QUEUE,
    SNS_TOPIC,
    CLOUDWATCH_LOG_GROUP,
    SECRETSMANAGER_SECRET,
    SSM_PARAMETER,
    ECR_REPOSITORY,
    ECR_REPOSITORY_CREATION_TEMPLATE,
    EKS_CLUSTER,
    EFS_FILE_SYSTEM,
    EFS_REPLICATION_CONFIGURATION,
    KINESIS_STREAM,
    LAMBDA_FUNCTION,
];

/** Every resource type of `consumers`. */
export const typesOf = (consumers: readonly AwsKeyConsumer[]): string[] => consumers.flatMap((c) => c.types);

/**
 * The check of the per-service rules: every place of a resource of `consumers`' types names a customer-managed key;
 * each place that does not is reported as "This <label> does not <what>." or "<Place> of this <label> does not <what>.".
 */
export function requireCustomerManagedKey(consumers: readonly AwsKeyConsumer[], what = "encrypt with a customer-managed KMS key") {
    return (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
        const c = consumers.find((x) => x.types.includes(args.type));
        if (!c) return;
        for (const place of c.places(args.props)) {
            if (place.keyRefs.length > 0) continue;
            const subject = place.name ? `${place.name[0].toUpperCase()}${place.name.slice(1)} of this ${c.label}` : `This ${c.label}`;
            reportViolation(`${subject} does not ${what}.`);
        }
    };
}
