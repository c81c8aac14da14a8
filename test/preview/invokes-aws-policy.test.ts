/**
 * `aws:iam/getPolicyDocument:getPolicyDocument` offline, against terraform-provider-aws's own expectations:
 * internal/service/iam/policy_document_data_source_test.go (the `testAccPolicyDocument...ExpectedJSON` strings, with
 * partition "aws"), and expected JSON written from policy_model.go's marshalling rules for the KMS cases.
 */
import * as zlib from "zlib";
import { offlineInvoke } from "../../sdk/preview/invokes";

const TOKEN = "aws:iam/getPolicyDocument:getPolicyDocument";
const ctx = { config: (k: string) => ({ "aws:region": "us-east-1" })[k as "aws:region"] };

function doc(inputs: Record<string, unknown>): Record<string, unknown> {
    const out = offlineInvoke(TOKEN, inputs, ctx);
    if (out?.kind !== "local") throw new Error(`expected a local result, got ${JSON.stringify(out)}`);
    return out.result;
}
const json = (inputs: Record<string, unknown>) => doc(inputs).json as string;
const minified = (inputs: Record<string, unknown>) => doc(inputs).minifiedJson as string;

describe("getPolicyDocument: the provider's acceptance-test vectors", () => {
    const basic = {
        policyId: "policy_id",
        statements: [
            { sid: "1", actions: ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], resources: ["arn:aws:s3:::*"] },
            {
                actions: ["s3:ListBucket"],
                resources: ["arn:aws:s3:::foo"],
                conditions: [{ test: "StringLike", variable: "s3:prefix", values: ["home/", "", "home/&{aws:username}/"] }],
                notPrincipals: [{ type: "AWS", identifiers: ["arn:blahblah:example"] }],
            },
            { actions: ["s3:*"], resources: ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"], principals: [{ type: "AWS", identifiers: ["arn:blahblah:example"] }] },
            { effect: "Deny", notActions: ["s3:*"], notResources: ["arn:aws:s3:::*"] },
            { effect: "Allow", actions: ["kinesis:*"], principals: [{ type: "AWS", identifiers: ["*"] }] },
            { effect: "Allow", actions: ["firehose:*"], principals: [{ type: "*", identifiers: ["*"] }] },
        ],
    };
    const basicJson = `{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/\${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/\${aws:username}/*",
        "arn:aws:s3:::foo/home/\${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}`;

    it("basic: json, minifiedJson and the id (crc32 of json)", () => {
        const r = doc(basic);
        expect(r.json).toBe(basicJson);
        expect(r.minifiedJson).toBe(
            `{"Version":"2012-10-17","Id":"policy_id","Statement":[{"Sid":"1","Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::foo","NotPrincipal":{"AWS":"arn:blahblah:example"},"Condition":{"StringLike":{"s3:prefix":["home/","","home/\${aws:username}/"]}}},{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::foo/home/\${aws:username}/*","arn:aws:s3:::foo/home/\${aws:username}"],"Principal":{"AWS":"arn:blahblah:example"}},{"Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::*"},{"Effect":"Allow","Action":"kinesis:*","Principal":{"AWS":"*"}},{"Effect":"Allow","Action":"firehose:*","Principal":"*"}]}`,
        );
        expect(r.id).toBe(String(zlib.crc32(basicJson)));
        expect(r.version).toBe("2012-10-17");
        expect(r.policyId).toBe("policy_id");
    });

    it("source: statements of a source document first, then this document's", () => {
        const source = json({
            policyId: "policy_id",
            statements: [
                { sid: "1", actions: ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], resources: ["arn:aws:s3:::*"] },
                { actions: ["s3:*"], resources: ["arn:aws:s3:::foo/home/&{aws:username}"], principals: [{ type: "AWS", identifiers: ["arn:blahblah:example", "arn:blahblahblah:example"] }] },
            ],
        });
        expect(minified({ sourcePolicyDocuments: [source], statements: [{ sid: "SourceJSONTest1", actions: ["*"], resources: ["*"] }] })).toBe(
            `{"Version":"2012-10-17","Id":"policy_id","Statement":[{"Sid":"1","Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::*"},{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::foo/home/\${aws:username}","Principal":{"AWS":["arn:blahblahblah:example","arn:blahblah:example"]}},{"Sid":"SourceJSONTest1","Effect":"Allow","Action":"*","Resource":"*"}]}`,
        );
    });

    const a = json({ statements: [{ sid: "", effect: "Allow", actions: ["foo:ActionOne"] }, { sid: "validSidOne", effect: "Allow", actions: ["bar:ActionOne"] }] });
    const b = json({ statements: [{ sid: "validSidTwo", effect: "Deny", actions: ["foo:ActionTwo"] }] });
    const c = json({ statements: [{ sid: "", effect: "Allow", actions: ["bar:ActionTwo"] }] });

    it("sourceList: several source documents merged in order", () => {
        expect(json({ version: "2012-10-17", sourcePolicyDocuments: [a, b, c] })).toBe(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "foo:ActionOne"
    },
    {
      "Sid": "validSidOne",
      "Effect": "Allow",
      "Action": "bar:ActionOne"
    },
    {
      "Sid": "validSidTwo",
      "Effect": "Deny",
      "Action": "foo:ActionTwo"
    },
    {
      "Effect": "Allow",
      "Action": "bar:ActionTwo"
    }
  ]
}`);
    });

    it("sourceConflicting: this document's statement replaces the source's of the same Sid", () => {
        const src = json({ statements: [{ sid: "SourceJSONTestConflicting", actions: ["iam:*"], resources: ["*"] }] });
        expect(minified({ sourcePolicyDocuments: [src], statements: [{ sid: "SourceJSONTestConflicting", actions: ["*"], resources: ["*"] }] })).toBe(
            `{"Version":"2012-10-17","Statement":[{"Sid":"SourceJSONTestConflicting","Effect":"Allow","Action":"*","Resource":"*"}]}`,
        );
    });

    it("sourceListConflicting: a Sid repeated across source documents is an error", () => {
        const pa = json({ statements: [{ sid: "", actions: ["foo:ActionOne"] }, { sid: "conflictSid", actions: ["bar:ActionOne"] }] });
        const pb = json({ statements: [{ sid: "validSid", effect: "Deny", actions: ["foo:ActionTwo"] }] });
        const pc = json({ statements: [{ sid: "conflictSid", actions: ["bar:ActionTwo"] }] });
        expect(() => doc({ sourcePolicyDocuments: [pa, pb, pc] })).toThrow(
            "writing IAM Policy Document: merging source document 2: duplicate Sid (conflictSid) in source_policy_documents (statement 0). Remove the Sid or ensure Sids are unique.",
        );
    });

    it("override: an override document replaces the statement of its Sid in place", () => {
        const override = json({ statements: [{ sid: "SidToOverwrite", actions: ["s3:*"], resources: ["*"] }] });
        const r = doc({
            overridePolicyDocuments: [override],
            statements: [
                { actions: ["ec2:*"], resources: ["*"] },
                { sid: "SidToOverwrite", actions: ["s3:*"], resources: ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"] },
            ],
        });
        expect(r.minifiedJson).toBe(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},{"Sid":"SidToOverwrite","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`);
        expect(r.overridePolicyDocuments).toEqual([override]);
    });

    it("overrideList: override documents applied in order", () => {
        const pa = json({ statements: [{ sid: "", actions: ["foo:ActionOne"] }, { sid: "overrideSid", actions: ["bar:ActionOne"] }] });
        const pb = json({ statements: [{ sid: "validSid", effect: "Deny", actions: ["foo:ActionTwo"] }] });
        const pc = json({ statements: [{ sid: "overrideSid", effect: "Deny", actions: ["bar:ActionOne"] }] });
        expect(minified({ version: "2012-10-17", overridePolicyDocuments: [pa, pb, pc] })).toBe(
            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"foo:ActionOne"},{"Sid":"overrideSid","Effect":"Deny","Action":"bar:ActionOne"},{"Sid":"validSid","Effect":"Deny","Action":"foo:ActionTwo"}]}`,
        );
    });

    it("noStatementMerge / noStatementOverride: source and override documents alone", () => {
        const source = json({ statements: [{ sid: "", actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] }] });
        const override = json({ statements: [{ sid: "OverridePlaceholder", actions: ["s3:GetObject"], resources: ["*"] }] });
        expect(minified({ sourcePolicyDocuments: [source], overridePolicyDocuments: [override] })).toBe(
            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeAccountAttributes","Resource":"*"},{"Sid":"OverridePlaceholder","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
        );
        const placeholder = json({ statements: [{ sid: "OverridePlaceholder", actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] }] });
        expect(minified({ sourcePolicyDocuments: [placeholder], overridePolicyDocuments: [override] })).toBe(
            `{"Version":"2012-10-17","Statement":[{"Sid":"OverridePlaceholder","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
        );
    });

    it("duplicateSid: an error; blank Sids may repeat", () => {
        expect(() =>
            doc({
                statements: [
                    { sid: "1", effect: "Allow", actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] },
                    { sid: "1", effect: "Allow", actions: ["s3:GetObject"], resources: ["*"] },
                ],
            }),
        ).toThrow("writing IAM Policy Document: duplicate Sid (1). Remove the Sid or ensure the Sid is unique.");
        expect(
            minified({
                statements: [
                    { sid: "", effect: "Allow", actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] },
                    { sid: "", effect: "Allow", actions: ["s3:GetObject"], resources: ["*"] },
                ],
            }),
        ).toBe(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeAccountAttributes","Resource":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`);
    });

    it("empty source/override documents are skipped; no statements at all", () => {
        expect(json({ sourcePolicyDocuments: [""] })).toBe(`{\n  "Version": "2012-10-17"\n}`);
        expect(json({ overridePolicyDocuments: [""] })).toBe(`{\n  "Version": "2012-10-17"\n}`);
        const partial = json({ statements: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }] });
        expect(minified({ sourcePolicyDocuments: [partial, ""] })).toBe(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}`);
        expect(() => doc({ sourcePolicyDocuments: ["{"] })).toThrow(`"source_policy_documents.0" contains an invalid JSON: unexpected end of JSON input`);
        expect(() => doc({ overridePolicyDocuments: ["{"] })).toThrow(`"override_policy_documents.0" contains an invalid JSON: unexpected end of JSON input`);
    });

    it("version 2008-10-17: &{ is an error; otherwise kept", () => {
        expect(json({ version: "2008-10-17", statements: [{ actions: ["ec2:*"], resources: ["*"] }] })).toBe(`{
  "Version": "2008-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    }
  ]
}`);
        for (const stmt of [
            { actions: ["*"], resources: ["*"], conditions: [{ test: "StringLike", variable: "s3:prefix", values: ["home/", "home/&{aws:username}/"] }] },
            { actions: ["*"], resources: ["*"], notPrincipals: [{ type: "AWS", identifiers: ["&{aws:username}"] }] },
            { actions: ["*"], notResources: ["arn:aws:s3:::foo/home/&{aws:username}"] },
            { actions: ["*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["&{aws:username}"] }] },
            { actions: ["*"], resources: ["arn:aws:s3:::foo/home/&{aws:username}"] },
        ])
            expect(() => doc({ version: "2008-10-17", statements: [stmt] })).toThrow(/found &\{ sequence in \(.+\), which is not supported in document version 2008-10-17/);
    });

    it("principals of one type over several blocks: appended in the provider's set (hash) order", () => {
        const p = (ids: string[]) => ({ type: "AWS", identifiers: ids });
        // StatementPrincipalIdentifiers_stringAndSlice
        expect(
            minified({
                statements: [{ actions: ["*"], resources: ["*"], sid: "StatementPrincipalIdentifiersStringAndSlice", principals: [p(["arn:aws:iam::111111111111:root"]), p(["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"])] }],
            }),
        ).toBe(
            `{"Version":"2012-10-17","Statement":[{"Sid":"StatementPrincipalIdentifiersStringAndSlice","Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::333333333333:root","arn:aws:iam::222222222222:root"]}}]}`,
        );
        // StatementPrincipalIdentifiers_multiplePrincipals (partition aws) and ..._multiplePrincipalsGov (aws-us-gov)
        const multiple = (part: string) =>
            minified({
                statements: [
                    {
                        actions: ["*"],
                        resources: ["*"],
                        sid: "S",
                        principals: [p([`arn:${part}:iam::111111111111:root`, `arn:${part}:iam::222222222222:root`]), p([`arn:${part}:iam::333333333333:root`]), p([`arn:${part}:iam::444444444444:root`])],
                    },
                ],
            });
        const ids = (part: string, order: string[]) => order.map((n) => `"arn:${part}:iam::${n.repeat(12)}:root"`).join(",");
        expect(multiple("aws")).toBe(`{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":[${ids("aws", ["3", "4", "2", "1"])}]}}]}`);
        expect(multiple("aws-us-gov")).toBe(`{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":[${ids("aws-us-gov", ["3", "2", "1", "4"])}]}}]}`);
    });

    it("singleConditionValue, multipleConditionKeys, duplicateConditionKeys", () => {
        const stmt = (conditions: unknown[], extra: Record<string, unknown> = {}) => ({ principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }], actions: ["s3:PutObject"], resources: ["*"], conditions, ...extra });
        expect(minified({ statements: [{ effect: "Deny", principals: [{ type: "AWS", identifiers: ["*"] }], actions: ["elasticfilesystem:*"], resources: ["*"], conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] }] })).toBe(
            `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"elasticfilesystem:*","Resource":"*","Principal":{"AWS":"*"},"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
        );
        expect(
            minified({
                statements: [
                    stmt(
                        [
                            { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] },
                            { test: "StringEquals", variable: "aws:SourceArn", values: ["some-other-value"] },
                        ],
                        { sid: "AWSCloudTrailWrite20150319" },
                    ),
                ],
            }),
        ).toBe(
            `{"Version":"2012-10-17","Statement":[{"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Action":"s3:PutObject","Resource":"*","Principal":{"Service":"cloudtrail.amazonaws.com"},"Condition":{"StringEquals":{"aws:SourceArn":"some-other-value","s3:x-amz-acl":"bucket-owner-full-control"}}}]}`,
        );
        expect(
            minified({
                statements: [
                    stmt(
                        [
                            { test: "StringEquals", variable: "s3:prefix", values: ["one/", "two/"] },
                            { test: "StringEquals", variable: "s3:prefix", values: ["three/"] },
                        ],
                        { sid: "DuplicateConditionTest" },
                    ),
                ],
            }),
        ).toBe(
            `{"Version":"2012-10-17","Statement":[{"Sid":"DuplicateConditionTest","Effect":"Allow","Action":"s3:PutObject","Resource":"*","Principal":{"Service":"cloudtrail.amazonaws.com"},"Condition":{"StringEquals":{"s3:prefix":["one/","two/","three/"]}}}]}`,
        );
    });

    it("conditionWithBoolValue: a source document's bool becomes a string, one-element lists flatten", () => {
        const source = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RestrictAccessToSpecialTag",
            "Effect": "Deny",
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": "arn:aws:ec2:*:*:vpc/*",
            "Condition": {
                "Null": { "aws:ResourceTag/SpecialTag": false },
                "StringLike": { "aws:ResourceAccount": ["123456"], "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution" }
            }
        }
    ]
}`;
        expect(minified({ sourcePolicyDocuments: [source] })).toBe(
            `{"Version":"2012-10-17","Statement":[{"Sid":"RestrictAccessToSpecialTag","Effect":"Deny","Action":["ec2:CreateTags","ec2:DeleteTags"],"Resource":"arn:aws:ec2:*:*:vpc/*","Condition":{"Null":{"aws:ResourceTag/SpecialTag":"false"},"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/AWSAFTExecution","aws:ResourceAccount":"123456"}}}]}`,
        );
    });
});
