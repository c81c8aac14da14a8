import { AwsKey } from "keyfabric";

const key = new AwsKey("app-data", {
    region: "us-west-2",
    accountId: "123456789012",
    purpose: "encrypt",
    algorithm: "AES_256",
    aliases: ["app/data"],
    administrators: ["arn:aws:iam::123456789012:role/KeyAdmins"],
    users: ["arn:aws:iam::123456789012:role/AppServer"],
    serviceUsers: ["arn:aws:iam::123456789012:role/AppServer"],
    tags: { team: "app", "keyfabric:owner": "app-team", "keyfabric:classification": "internal" },
    // KMS calls are CloudTrail events: the account's multi-Region trail records them (the policy pack reads this).
    audit: { trail: "external" },
});

// Grants are additive aws.kms.Grant resources; a grant that cannot apply (sign on an encrypt key) throws.
key.grantEncryptDecrypt("arn:aws:iam::123456789012:role/BatchJobs");

export const keyArn = key.keyArn;
export const aliasArns = key.aliasArns;
