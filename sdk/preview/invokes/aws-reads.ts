/**
 * AWS data sources that read the cloud: plausible results, each with the sentence saying what was assumed. Shapes
 * follow @pulumi/aws's result interfaces (index/getCallerIdentity, kms/getKey, kms/getAlias, iam/getRole); ids follow
 * terraform-provider-aws (caller identity: the account id; `aws_kms_key`: the key id, `key_id` kept as given;
 * `aws_kms_alias`: the alias ARN; `aws_iam_role`: the role name).
 */
import { stableUuid } from "../../schema/names";
import { AwsPartition, awsPartitionOf, parseArn, providerRegion } from "./aws-local";
import { ASSUMED_CREATION_DATE, InvokeContext, InvokeOutcome, assumed, configJson, inputString, requireString } from "./types";

/** What `sdk/preview/mocks.ts` uses for the account. */
export const ASSUMED_AWS_ACCOUNT_ID = "123456789012";

export const CALLER_IDENTITY_TOKEN = "aws:index/getCallerIdentity:getCallerIdentity";
export const KMS_KEY_TOKEN = "aws:kms/getKey:getKey";
export const KMS_ALIAS_TOKEN = "aws:kms/getAlias:getAlias";
export const IAM_ROLE_TOKEN = "aws:iam/getRole:getRole";

const ACCOUNT_RE = /^\d{12}$/;

interface Caller {
    account: string;
    /** How the account was chosen, for the assumption sentence. */
    accountFrom: string;
    arn: string;
    userId: string;
    region: string;
    regionAssumed: boolean;
    partition: AwsPartition;
}

/**
 * The caller the provider would authenticate as: the account of `aws:allowedAccountIds` (the provider refuses any
 * other), else of the first `aws:assumeRoles` role ARN, else 123456789012; a user `preview` (or the assumed role).
 */
export function assumedCaller(ctx: InvokeContext): Caller {
    const { region, assumed: regionAssumed } = providerRegion((k) => ctx.config(k));
    const partition = awsPartitionOf(region);
    const allowed = configJson(ctx, "aws:allowedAccountIds");
    const roles = configJson(ctx, "aws:assumeRoles");
    const firstRole = Array.isArray(roles) && roles.length && roles[0] && typeof roles[0] === "object" ? (roles[0] as { roleArn?: unknown; sessionName?: unknown }) : undefined;
    const roleArn = typeof firstRole?.roleArn === "string" ? firstRole.roleArn : undefined;
    let role: { account: string; name: string; session: string } | undefined;
    if (roleArn) {
        try {
            const a = parseArn(roleArn);
            if (ACCOUNT_RE.test(a.account) && a.resource.startsWith("role/"))
                role = { account: a.account, name: a.resource.split("/").pop() as string, session: typeof firstRole?.sessionName === "string" && firstRole.sessionName ? firstRole.sessionName : "preview" };
        } catch {
            role = undefined;
        }
    }
    const firstAllowed = Array.isArray(allowed) ? allowed.find((a) => typeof a === "string" && ACCOUNT_RE.test(a)) : undefined;
    const account = (firstAllowed as string | undefined) ?? role?.account ?? ASSUMED_AWS_ACCOUNT_ID;
    const accountFrom = firstAllowed ? " (the first of aws:allowedAccountIds)" : role ? " (of the aws:assumeRoles role)" : "";
    if (role && role.account === account)
        return { account, accountFrom, arn: `arn:${partition.id}:sts::${account}:assumed-role/${role.name}/${role.session}`, userId: `AROAPREVIEW:${role.session}`, region, regionAssumed, partition };
    return { account, accountFrom, arn: `arn:${partition.id}:iam::${account}:user/preview`, userId: "AIDAPREVIEW", region, regionAssumed, partition };
}

const regionNote = (c: { region: string; regionAssumed: boolean }): string => (c.regionAssumed ? ` with region ${c.region} (aws:region is not set)` : "");

export function callerIdentity(ctx: InvokeContext): InvokeOutcome {
    const c = assumedCaller(ctx);
    return assumed(
        CALLER_IDENTITY_TOKEN,
        { accountId: c.account, arn: c.arn, id: c.account, userId: c.userId },
        `account ${c.account}${c.accountFrom}, caller ${c.arn} and user id ${c.userId} assumed${regionNote(c)}`,
    );
}

/** The region a regional read uses: its `region` argument (provider v7), else the provider's. */
function readRegion(inputs: Record<string, unknown>, c: Caller): { region: string; regionAssumed: boolean } {
    const r = inputString(inputs, "region");
    return r ? { region: r, regionAssumed: false } : { region: c.region, regionAssumed: c.regionAssumed };
}

export function kmsKey(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const keyIdInput = requireString(KMS_KEY_TOKEN, inputs, "keyId");
    const c = assumedCaller(ctx);
    let { region, regionAssumed } = readRegion(inputs, c);
    let account = c.account;
    let accountAssumed = true;
    let partition = c.partition.id;
    let keyId: string | undefined;
    let alias: string | undefined;
    if (keyIdInput.startsWith("arn:")) {
        const a = parseArn(keyIdInput);
        [partition, region, account, accountAssumed, regionAssumed] = [a.partition, a.region, a.account, false, false];
        if (a.resource.startsWith("key/")) keyId = a.resource.slice(4);
        else alias = a.resource;
    } else if (keyIdInput.startsWith("alias/")) alias = keyIdInput;
    else keyId = keyIdInput;
    const keyIdAssumed = keyId === undefined;
    keyId ??= stableUuid("aws:kms/getKey", partition, region, account, alias as string);
    const arn = `arn:${partition}:kms:${region}:${account}:key/${keyId}`;
    const multiRegion = keyId.startsWith("mrk-");
    const keyManager = alias?.startsWith("alias/aws/") ? "AWS" : "CUSTOMER";
    const result: Record<string, unknown> = {
        arn,
        awsAccountId: account,
        cloudHsmClusterId: "",
        creationDate: ASSUMED_CREATION_DATE,
        customKeyStoreId: "",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        deletionDate: "",
        description: "",
        enabled: true,
        expirationModel: "",
        id: keyId,
        keyId: keyIdInput,
        keyManager,
        keySpec: "SYMMETRIC_DEFAULT",
        keyState: "Enabled",
        keyUsage: "ENCRYPT_DECRYPT",
        multiRegion,
        multiRegionConfigurations: multiRegion ? [{ multiRegionKeyType: "PRIMARY", primaryKeys: [{ arn, region }], replicaKeys: [] }] : [],
        origin: "AWS_KMS",
        pendingDeletionWindowInDays: 0,
        region,
        validTo: "",
        xksKeyConfigurations: [],
    };
    if (Array.isArray(inputs.grantTokens)) result.grantTokens = inputs.grantTokens;
    const facts = [
        `key ${keyIdInput} assumed to exist as an enabled ${keyManager === "AWS" ? "AWS-managed" : "customer-managed"}${multiRegion ? " multi-Region primary" : ""} SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key from AWS_KMS`,
        keyIdAssumed ? `with key id ${keyId}` : "",
        accountAssumed ? `in account ${account}${c.accountFrom}` : "",
        regionAssumed ? `and region ${region} (aws:region is not set)` : "",
    ].filter(Boolean);
    return assumed(KMS_KEY_TOKEN, result, facts.join(" "));
}

export function kmsAlias(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const name = requireString(KMS_ALIAS_TOKEN, inputs, "name");
    const c = assumedCaller(ctx);
    const { region, regionAssumed } = readRegion(inputs, c);
    const targetKeyId = stableUuid("aws:kms/getKey", c.partition.id, region, c.account, name);
    const arn = `arn:${c.partition.id}:kms:${region}:${c.account}:${name}`;
    const targetKeyArn = `arn:${c.partition.id}:kms:${region}:${c.account}:key/${targetKeyId}`;
    return assumed(
        KMS_ALIAS_TOKEN,
        { arn, id: arn, name, region, targetKeyArn, targetKeyId },
        `alias ${name} assumed to exist in account ${c.account}${c.accountFrom} and region ${region}${regionAssumed ? " (aws:region is not set)" : ""}, targeting key ${targetKeyId}`,
    );
}

/** 17 upper-case letters and digits, stable per input (the tail of an IAM unique id). */
function uniqueIdTail(...parts: string[]): string {
    const hex = stableUuid(...parts).replace(/-/g, "");
    return BigInt(`0x${hex}`).toString(36).toUpperCase().padStart(17, "0").slice(0, 17);
}

export function iamRole(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const name = requireString(IAM_ROLE_TOKEN, inputs, "name");
    const c = assumedCaller(ctx);
    const root = `arn:${c.partition.id}:iam::${c.account}:root`;
    const assumeRolePolicy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: root }, Action: "sts:AssumeRole" }] });
    const tags = inputs.tags && typeof inputs.tags === "object" ? inputs.tags : {};
    return assumed(
        IAM_ROLE_TOKEN,
        {
            arn: `arn:${c.partition.id}:iam::${c.account}:role/${name}`,
            assumeRolePolicy,
            createDate: ASSUMED_CREATION_DATE,
            description: "",
            id: name,
            maxSessionDuration: 3600,
            name,
            path: "/",
            permissionsBoundary: "",
            roleLastUseds: [],
            tags,
            uniqueId: `AROA${uniqueIdTail("aws:iam/getRole", c.account, name)}`,
        },
        `role ${name} assumed to exist at path / in account ${c.account}${c.accountFrom}, trusting only ${root} (sts:AssumeRole), with no permissions boundary and a 3600-second maximum session`,
    );
}
