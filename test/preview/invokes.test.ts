/**
 * sdk/preview/invokes: invoke results computed offline. Policy documents are checked byte for byte against JSON
 * written from the providers' rules (terraform-provider-aws internal/service/iam/policy_model.go and
 * policy_document_data_source.go; terraform-provider-google data_source_google_iam_policy.go); more of the providers'
 * own vectors are in invokes-aws-policy.test.ts and invokes-gcp-policy.test.ts, the cloud reads in
 * invokes-reads.test.ts.
 */
import * as zlib from "zlib";
import { InvokeContext, LOCAL_TOKENS, MODELLED_TOKENS, offlineInvoke } from "../../sdk/preview/invokes";
import { crc32, goCompare, goMarshal, goMarshalIndent, Ordered, setList } from "../../sdk/preview/invokes/go-compat";

const config = (values: Record<string, string>): InvokeContext => ({ config: (k) => values[k] });
const ctx = config({ "aws:region": "eu-west-1", "gcp:project": "acme-kms" });

function localResult(token: string, inputs: Record<string, unknown>, c: InvokeContext = ctx): Record<string, unknown> {
    const out = offlineInvoke(token, inputs, c);
    expect(out?.kind).toBe("local");
    return (out as { result: Record<string, unknown> }).result;
}

const POLICY = "aws:iam/getPolicyDocument:getPolicyDocument";
const ROOT = "arn:aws:iam::111122223333:root";

describe("aws:iam/getPolicyDocument for KMS key policies", () => {
    it("a key policy giving the account root kms:* (pretty json, minified json, id = crc32 of json)", () => {
        const r = localResult(POLICY, { statements: [{ sid: "EnableRootAccess", principals: [{ type: "AWS", identifiers: [ROOT] }], actions: ["kms:*"], resources: ["*"] }] });
        const expected = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnableRootAccess",
      "Effect": "Allow",
      "Action": "kms:*",
      "Resource": "*",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:root"
      }
    }
  ]
}`;
        expect(r.json).toBe(expected);
        expect(r.minifiedJson).toBe(`{"Version":"2012-10-17","Statement":[{"Sid":"EnableRootAccess","Effect":"Allow","Action":"kms:*","Resource":"*","Principal":{"AWS":"arn:aws:iam::111122223333:root"}}]}`);
        expect(r.id).toBe(String(zlib.crc32(expected)));
        expect(r.version).toBe("2012-10-17");
        expect(r.statements).toEqual([{ actions: ["kms:*"], effect: "Allow", principals: [{ identifiers: [ROOT], type: "AWS" }], resources: ["*"], sid: "EnableRootAccess" }]);
    });

    const keyPolicy = {
        policyId: "key-policy-payments",
        statements: [
            { sid: "EnableRootAccess", principals: [{ type: "AWS", identifiers: [ROOT] }], actions: ["kms:*"], resources: ["*"] },
            {
                sid: "AllowKeyUse",
                principals: [
                    { type: "AWS", identifiers: ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/batch"] },
                    { type: "Service", identifiers: ["logs.eu-west-1.amazonaws.com"] },
                ],
                actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey", "kms:Decrypt"],
                resources: ["*"],
                conditions: [
                    { test: "StringEquals", variable: "kms:CallerAccount", values: ["111122223333"] },
                    { test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com", "logs.eu-west-1.amazonaws.com"] },
                    { test: "Bool", variable: "aws:SecureTransport", values: ["true"] },
                ],
            },
            {
                sid: "DenyOutsideOrg",
                effect: "Deny",
                principals: [{ type: "*", identifiers: ["*"] }],
                notActions: ["kms:Describe*", "kms:List*"],
                resources: ["*"],
                conditions: [{ test: "StringNotEquals", variable: "aws:PrincipalOrgID", values: ["o-abc123"] }],
            },
            { sid: "NotTheAuditor", effect: "Deny", notPrincipals: [{ type: "AWS", identifiers: ["arn:aws:iam::111122223333:role/auditor"] }], actions: ["kms:ScheduleKeyDeletion"], resources: ["*"] },
        ],
    };

    it("two principal types, conditions, Principal \"*\", notActions and notPrincipals", () => {
        expect(localResult(POLICY, keyPolicy).minifiedJson).toBe(
            `{"Version":"2012-10-17","Id":"key-policy-payments","Statement":[` +
                `{"Sid":"EnableRootAccess","Effect":"Allow","Action":"kms:*","Resource":"*","Principal":{"AWS":"arn:aws:iam::111122223333:root"}},` +
                `{"Sid":"AllowKeyUse","Effect":"Allow","Action":["kms:ReEncrypt*","kms:GenerateDataKey*","kms:Encrypt","kms:DescribeKey","kms:Decrypt"],"Resource":"*",` +
                `"Principal":{"AWS":["arn:aws:iam::111122223333:role/batch","arn:aws:iam::111122223333:role/app"],"Service":"logs.eu-west-1.amazonaws.com"},` +
                `"Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":["s3.eu-west-1.amazonaws.com","logs.eu-west-1.amazonaws.com"]}}},` +
                `{"Sid":"DenyOutsideOrg","Effect":"Deny","NotAction":["kms:List*","kms:Describe*"],"Resource":"*","Principal":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}},` +
                `{"Sid":"NotTheAuditor","Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/auditor"}}]}`,
        );
    });

    it("the pretty json of a statement with two principal types and conditions", () => {
        const r = localResult(POLICY, { statements: [keyPolicy.statements[1]] });
        expect(r.json).toBe(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowKeyUse",
      "Effect": "Allow",
      "Action": [
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Encrypt",
        "kms:DescribeKey",
        "kms:Decrypt"
      ],
      "Resource": "*",
      "Principal": {
        "AWS": [
          "arn:aws:iam::111122223333:role/batch",
          "arn:aws:iam::111122223333:role/app"
        ],
        "Service": "logs.eu-west-1.amazonaws.com"
      },
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "true"
        },
        "StringEquals": {
          "kms:CallerAccount": "111122223333",
          "kms:ViaService": [
            "s3.eu-west-1.amazonaws.com",
            "logs.eu-west-1.amazonaws.com"
          ]
        }
      }
    }
  ]
}`);
    });

    it("a source document, this document and an override document merged by Sid", () => {
        const source = `{"Id":"default","Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"${ROOT}"},"Action":"kms:*","Resource":"*"}]}`;
        const override = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":["${ROOT}","arn:aws:iam::111122223333:role/admin"]},"Action":["kms:Create*","kms:Describe*","kms:Enable*"],"Resource":"*"}]}`;
        const r = localResult(POLICY, {
            sourcePolicyDocuments: [source],
            overridePolicyDocuments: [override],
            statements: [{ sid: "AllowKeyUse", principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111122223333:role/app"] }], actions: ["kms:Decrypt", "kms:Encrypt"], resources: ["*"] }],
        });
        expect(r.minifiedJson).toBe(
            `{"Version":"2012-10-17","Id":"default","Statement":[` +
                `{"Sid":"Enable IAM User Permissions","Effect":"Allow","Action":["kms:Create*","kms:Describe*","kms:Enable*"],"Resource":"*","Principal":{"AWS":["${ROOT}","arn:aws:iam::111122223333:role/admin"]}},` +
                `{"Sid":"AllowKeyUse","Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"}}]}`,
        );
        expect(r.sourcePolicyDocuments).toEqual([source]);
        expect(r.overridePolicyDocuments).toEqual([override]);
    });

    it("a duplicate Sid, an invalid Sid and an invalid effect are the provider's errors", () => {
        const stmt = { sid: "KeyAdmins", actions: ["kms:*"], resources: ["*"] };
        expect(() => offlineInvoke(POLICY, { statements: [stmt, { ...stmt, actions: ["kms:Decrypt"] }] }, ctx)).toThrow(
            "writing IAM Policy Document: duplicate Sid (KeyAdmins). Remove the Sid or ensure the Sid is unique.",
        );
        expect(() => offlineInvoke(POLICY, { statements: [{ ...stmt, sid: "Key Admins" }] }, ctx)).toThrow("invalid value for statements[0].sid (must only include alphanumeric characters)");
        expect(() => offlineInvoke(POLICY, { statements: [{ ...stmt, effect: "allow" }] }, ctx)).toThrow('expected statements[0].effect to be one of ["Allow" "Deny"], got allow');
    });

    it("escapes as Go's encoding/json does and orders strings bytewise (UTF-8)", () => {
        const r = localResult(POLICY, { statements: [{ actions: ["kms:\u{1F511}", "kms:\uFFFD"], resources: ["*"], conditions: [{ test: "StringLike", variable: "aws:userid", values: ["AIDA*<admin>&co\u2028"] }] }] });
        expect(r.minifiedJson).toBe(String.raw`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:` + "\u{1F511}" + String.raw`","kms:` + "\uFFFD" + String.raw`"],"Resource":"*","Condition":{"StringLike":{"aws:userid":"AIDA*\u003cadmin\u003e\u0026co\u2028"}}}]}`);
    });
});

const IAM = "gcp:organizations/getIAMPolicy:getIAMPolicy";

describe("gcp:organizations/getIAMPolicy", () => {
    it("allUsers, a condition and the provider's sorting (roles, members; HTML-escaped expression)", () => {
        const r = localResult(IAM, {
            bindings: [
                { role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", members: ["serviceAccount:app@acme-kms.iam.gserviceaccount.com", "allUsers", "group:kms@example.com"] },
                { role: "roles/cloudkms.admin", members: ["user:admin@example.com"], condition: { title: "expires", description: "Until 2026", expression: 'request.time < timestamp("2026-01-01T00:00:00Z") && resource.name != ""' } },
                { role: "roles/cloudkms.admin", members: ["user:break-glass@example.com"] },
            ],
        });
        const policyData =
            String.raw`{"bindings":[{"members":["user:break-glass@example.com"],"role":"roles/cloudkms.admin"},` +
            String.raw`{"condition":{"description":"Until 2026","expression":"request.time \u003c timestamp(\"2026-01-01T00:00:00Z\") \u0026\u0026 resource.name != \"\"","title":"expires"},"members":["user:admin@example.com"],"role":"roles/cloudkms.admin"},` +
            String.raw`{"members":["allUsers","group:kms@example.com","serviceAccount:app@acme-kms.iam.gserviceaccount.com"],"role":"roles/cloudkms.cryptoKeyEncrypterDecrypter"}]}`;
        expect(r.policyData).toBe(policyData);
        expect(r.id).toBe(String(zlib.crc32(policyData)));
        expect(r.bindings).toEqual([
            { members: ["allUsers", "group:kms@example.com", "serviceAccount:app@acme-kms.iam.gserviceaccount.com"], role: "roles/cloudkms.cryptoKeyEncrypterDecrypter" },
            { condition: { description: "Until 2026", expression: 'request.time < timestamp("2026-01-01T00:00:00Z") && resource.name != ""', title: "expires" }, members: ["user:admin@example.com"], role: "roles/cloudkms.admin" },
            { members: ["user:break-glass@example.com"], role: "roles/cloudkms.admin" },
        ].sort((a, b) => byString(String(zlib.crc32(bindingHash(a))), String(zlib.crc32(bindingHash(b))))));
    });

    it("no bindings: {} and its hash", () => {
        const r = localResult(IAM, {});
        expect(r).toEqual({ id: String(zlib.crc32("{}")), policyData: "{}" });
    });

    it("deleted principals are refused", () => {
        expect(() => offlineInvoke(IAM, { bindings: [{ role: "roles/viewer", members: ["deleted:user:x@example.com?uid=1"] }] }, ctx)).toThrow(
            "invalid value for bindings[0].members (Terraform does not support IAM policies for deleted principals)",
        );
    });
});

const byString = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** The binding set's hash input (SerializeResourceForHash over condition, members, role), written out independently. */
function bindingHash(b: { role: string; members: string[]; condition?: { description: string; expression: string; title: string } }): string {
    const members = [...b.members].sort((x, y) => byString(String(zlib.crc32(x)), String(zlib.crc32(y))));
    const cond = b.condition ? `<description:${b.condition.description};expression:${b.condition.expression};title:${b.condition.title};>;` : "";
    return `condition:(${cond});members:{${members.map((m) => `${m};`).join("")}};role:${b.role};`;
}

describe("local AWS functions", () => {
    const partition = (region: string) => localResult("aws:index/getPartition:getPartition", {}, config({ "aws:region": region }));
    it("getPartition: from the provider's region", () => {
        expect(partition("eu-west-1")).toEqual({ dnsSuffix: "amazonaws.com", id: "aws", partition: "aws", reverseDnsPrefix: "com.amazonaws" });
        expect(partition("cn-northwest-1")).toEqual({ dnsSuffix: "amazonaws.com.cn", id: "aws-cn", partition: "aws-cn", reverseDnsPrefix: "cn.com.amazonaws" });
        expect(partition("us-gov-west-1")).toEqual({ dnsSuffix: "amazonaws.com", id: "aws-us-gov", partition: "aws-us-gov", reverseDnsPrefix: "com.amazonaws" });
        expect(partition("us-iso-east-1")).toEqual({ dnsSuffix: "c2s.ic.gov", id: "aws-iso", partition: "aws-iso", reverseDnsPrefix: "gov.ic.c2s" });
        expect(partition("us-isob-east-1")).toEqual({ dnsSuffix: "sc2s.sgov.gov", id: "aws-iso-b", partition: "aws-iso-b", reverseDnsPrefix: "gov.sgov.sc2s" });
        expect(partition("eu-isoe-west-1").partition).toBe("aws-iso-e");
        expect(partition("us-isof-south-1").partition).toBe("aws-iso-f");
        expect(partition("eusc-de-east-1")).toEqual({ dnsSuffix: "amazonaws.eu", id: "aws-eusc", partition: "aws-eusc", reverseDnsPrefix: "eu.amazonaws" });
        expect(partition("ap-southeast-9").partition).toBe("aws"); // an unlisted region matched by the partition's regex
    });

    it("getPartition/getRegion without aws:region: us-east-1 assumed", () => {
        expect(offlineInvoke("aws:index/getPartition:getPartition", {}, config({}))).toEqual({
            kind: "assumed",
            result: { dnsSuffix: "amazonaws.com", id: "aws", partition: "aws", reverseDnsPrefix: "com.amazonaws" },
            assumption: "aws:index/getPartition:getPartition: region us-east-1 (partition aws) assumed because aws:region is not set (supply with --assume)",
        });
        expect(offlineInvoke("aws:index/getRegion:getRegion", {}, config({}))).toEqual({
            kind: "assumed",
            result: { description: "US East (N. Virginia)", endpoint: "ec2.us-east-1.amazonaws.com", id: "us-east-1", name: "us-east-1", region: "us-east-1" },
            assumption: "aws:index/getRegion:getRegion: region us-east-1 assumed because aws:region is not set (supply with --assume)",
        });
        expect(offlineInvoke("aws:index/getRegion:getRegion", { region: "ca-west-1" }, config({}))?.kind).toBe("local");
    });

    it("getRegion: the provider's region, a region argument, or an EC2 endpoint", () => {
        const region = (inputs: Record<string, unknown>) => localResult("aws:index/getRegion:getRegion", inputs);
        expect(region({})).toEqual({ description: "Europe (Ireland)", endpoint: "ec2.eu-west-1.amazonaws.com", id: "eu-west-1", name: "eu-west-1", region: "eu-west-1" });
        expect(region({ region: "cn-north-1" })).toEqual({ description: "China (Beijing)", endpoint: "ec2.cn-north-1.amazonaws.com.cn", id: "cn-north-1", name: "cn-north-1", region: "cn-north-1" });
        expect(region({ name: "us-gov-east-1" })).toEqual({ description: "AWS GovCloud (US-East)", endpoint: "ec2.us-gov-east-1.amazonaws.com", id: "us-gov-east-1", name: "us-gov-east-1", region: "us-gov-east-1" });
        expect(region({ endpoint: "ec2.ap-northeast-1.amazonaws.com" }).region).toBe("ap-northeast-1");
        expect(() => region({ region: "mars-north-1" })).toThrow("finding Region by name (mars-north-1): couldn't find resource");
        expect(() => region({ endpoint: "ec2.eu-west-1.amazonaws.com", region: "eu-west-2" })).toThrow("multiple Regions matched");
    });

    it("getArn: aws-sdk-go-v2 arn.Parse (the resource keeps further colons)", () => {
        expect(localResult("aws:index/getArn:getArn", { arn: "arn:aws:kms:eu-west-1:111122223333:alias/payments:v2" })).toEqual({
            account: "111122223333",
            arn: "arn:aws:kms:eu-west-1:111122223333:alias/payments:v2",
            id: "arn:aws:kms:eu-west-1:111122223333:alias/payments:v2",
            partition: "aws",
            region: "eu-west-1",
            resource: "alias/payments:v2",
            service: "kms",
        });
        expect(localResult("aws:index/getArn:getArn", { arn: ROOT })).toMatchObject({ account: "111122223333", region: "", resource: "root", service: "iam" });
        expect(() => offlineInvoke("aws:index/getArn:getArn", { arn: "kms:eu-west-1" }, ctx)).toThrow("Error parsing 'kms:eu-west-1': arn: invalid prefix");
        expect(() => offlineInvoke("aws:index/getArn:getArn", { arn: "arn:aws:kms:eu-west-1" }, ctx)).toThrow("Error parsing 'arn:aws:kms:eu-west-1': arn: not enough sections");
    });
});

describe("the dispatcher", () => {
    it("answers undefined for a function it does not model", () => {
        expect(offlineInvoke("aws:ec2/getAmi:getAmi", { mostRecent: true }, ctx)).toBeUndefined();
        expect(offlineInvoke("toString", {}, ctx)).toBeUndefined();
        expect(offlineInvoke("aws:index/getCallerIdentity:getCallerIdentity", {}, ctx)?.kind).toBe("assumed");
    });

    it("lists what it models, local and assumed", () => {
        expect(LOCAL_TOKENS).toEqual([POLICY, IAM, "aws:index/getArn:getArn", "aws:index/getPartition:getPartition", "aws:index/getRegion:getRegion"]);
        expect([...MODELLED_TOKENS].sort()).toEqual(
            [
                ...LOCAL_TOKENS,
                "aws:index/getCallerIdentity:getCallerIdentity",
                "aws:kms/getKey:getKey",
                "aws:kms/getAlias:getAlias",
                "aws:iam/getRole:getRole",
                "gcp:organizations/getClientConfig:getClientConfig",
                "gcp:organizations/getProject:getProject",
                "gcp:kms/getKMSKeyRing:getKMSKeyRing",
                "gcp:kms/getKMSCryptoKey:getKMSCryptoKey",
                "azure-native:authorization:getClientConfig",
                "azure-native:keyvault:getVault",
                "azure-native:keyvault:getManagedHsm",
                "azure-native:authorization:getRoleDefinition",
                "azure:core/getClientConfig:getClientConfig",
                "azure:core/getSubscription:getSubscription",
                "azure:keyvault/getKeyVault:getKeyVault",
            ].sort(),
        );
    });
});

describe("go-compat", () => {
    it("crc32 is hash/crc32.ChecksumIEEE over UTF-8", () => {
        for (const s of ["", "a", "kms:*;", "identifiers:{arn:aws:iam::111111111111:root;};type:AWS;", "\u{1F511}é"]) expect(crc32(s)).toBe(zlib.crc32(Buffer.from(s, "utf8")));
    });

    it("Set.List() orders by the hash codes' decimal strings, as strings", () => {
        const items = ["a", "b", "c", "d", "e", "a"];
        const expected = [...new Set(items)].sort((x, y) => (String(zlib.crc32(`${x};`)) < String(zlib.crc32(`${y};`)) ? -1 : 1));
        expect(setList(items, (s) => `${s};`)).toEqual(expected);
    });

    it("marshals as encoding/json (struct order, sorted map keys, HTML-safe escapes, Go 1.22 \\b \\f)", () => {
        const v = new Ordered([
            ["z", { b: 1, a: [true, null, 1e21, 1e-7, 0.5, -0] }],
            ["a", "<&>\b\f\n\r\t\u0001\u007f\u2029\"\\"],
            ["e", []],
            ["o", {}],
        ]);
        expect(goMarshal(v)).toBe(String.raw`{"z":{"a":[true,null,1e+21,1e-7,0.5,-0],"b":1},"a":"\u003c\u0026\u003e\b\f\n\r\t\u0001` + "\u007f" + String.raw`\u2029\"\\","e":[],"o":{}}`);
        expect(goMarshalIndent(new Ordered([["a", [1, { x: "y" }]], ["e", []]]))).toBe(`{\n  "a": [\n    1,\n    {\n      "x": "y"\n    }\n  ],\n  "e": []\n}`);
        expect(goCompare("\u{1F511}", "\uFFFD")).toBe(1);
        expect(goCompare("a", "b")).toBe(-1);
    });
});
