/**
 * `gcp:organizations/getIAMPolicy:getIAMPolicy` offline, against terraform-provider-google's own unit test
 * (google/services/resourcemanager/data_source_google_iam_policy_test.go, `TestDataSourceGoogleIamPolicyRead`: its
 * `ExpectedPolicyDataString`s), plus audit configs, whose order is the SDK's `Set.List()` order.
 */
import * as zlib from "zlib";
import { offlineInvoke } from "../../sdk/preview/invokes";

const TOKEN = "gcp:organizations/getIAMPolicy:getIAMPolicy";
const policyData = (inputs: Record<string, unknown>): string => {
    const out = offlineInvoke(TOKEN, inputs, { config: () => undefined });
    if (out?.kind !== "local") throw new Error("expected a local result");
    expect(out.result.id).toBe(String(zlib.crc32(out.result.policyData as string)));
    return out.result.policyData as string;
};
const b = (role: string, members: string[], condition?: { description: string; expression: string; title: string }) => ({ role, members, ...(condition ? { condition } : {}) });
const cond = (description: string, expression: string, title: string) => ({ description, expression, title });

describe("getIAMPolicy: TestDataSourceGoogleIamPolicyRead", () => {
    const cases: Array<[string, unknown[], string]> = [
        ["members are sorted alphabetically within a single binding", [b("role/A", ["user:c", "user:a", "user:b"])], `{"bindings":[{"members":["user:a","user:b","user:c"],"role":"role/A"}]}`],
        [
            "bindings are sorted by role (regardless of conditions being present)",
            [b("role/B", ["user:a"]), b("role/A", ["user:a"], cond("descriptionA", "expressionA", "titleA")), b("role/C", ["user:a"])],
            `{"bindings":[{"condition":{"description":"descriptionA","expression":"expressionA","title":"titleA"},"members":["user:a"],"role":"role/A"},{"members":["user:a"],"role":"role/B"},{"members":["user:a"],"role":"role/C"}]}`,
        ],
        [
            "equivalent bindings (with no conditions) are combined into one binding with a larger member list",
            [b("role/A", ["user:a"]), b("role/A", ["user:b"])],
            `{"bindings":[{"members":["user:a","user:b"],"role":"role/A"}]}`,
        ],
        ["exact duplicate bindings are removed before `policy_data` is set", [b("role/A", ["user:a"]), b("role/A", ["user:a"])], `{"bindings":[{"members":["user:a"],"role":"role/A"}]}`],
        [
            "equivalent bindings (with conditions) are combined into one binding with a larger member list",
            [b("role/A", ["user:c"]), b("role/A", ["user:b"], cond("descriptionA", "expressionA", "titleA")), b("role/A", ["user:a"], cond("descriptionA", "expressionA", "titleA"))],
            `{"bindings":[{"members":["user:c"],"role":"role/A"},{"condition":{"description":"descriptionA","expression":"expressionA","title":"titleA"},"members":["user:a","user:b"],"role":"role/A"}]}`,
        ],
        [
            "bindings on the same role are sorted to place bindings without conditions first",
            [b("role/A", ["user:a"], cond("descriptionA", "expressionA", "titleA")), b("role/A", ["user:a"])],
            `{"bindings":[{"members":["user:a"],"role":"role/A"},{"condition":{"description":"descriptionA","expression":"expressionA","title":"titleA"},"members":["user:a"],"role":"role/A"}]}`,
        ],
        [
            "bindings (with conditions) on the same role are first sorted by condition expressions",
            [b("role/A", ["user:a"], cond("B", "C", "A")), b("role/A", ["user:a"], cond("A", "B", "C")), b("role/A", ["user:a"], cond("C", "A", "B"))],
            `{"bindings":[{"condition":{"description":"C","expression":"A","title":"B"},"members":["user:a"],"role":"role/A"},{"condition":{"description":"A","expression":"B","title":"C"},"members":["user:a"],"role":"role/A"},{"condition":{"description":"B","expression":"C","title":"A"},"members":["user:a"],"role":"role/A"}]}`,
        ],
        [
            "bindings (with conditions) on the same role, with matching condition expressions, are next sorted by condition title",
            [b("role/A", ["user:a"], cond("A", "same expression", "B")), b("role/A", ["user:a"], cond("B", "same expression", "A"))],
            `{"bindings":[{"condition":{"description":"B","expression":"same expression","title":"A"},"members":["user:a"],"role":"role/A"},{"condition":{"description":"A","expression":"same expression","title":"B"},"members":["user:a"],"role":"role/A"}]}`,
        ],
        [
            "bindings (with conditions) on the same role, with matching condition expressions and titles, are next sorted by condition description",
            [b("role/A", ["user:a"], cond("B", "same expression", "same title")), b("role/A", ["user:a"], cond("A", "same expression", "same title"))],
            `{"bindings":[{"condition":{"description":"A","expression":"same expression","title":"same title"},"members":["user:a"],"role":"role/A"},{"condition":{"description":"B","expression":"same expression","title":"same title"},"members":["user:a"],"role":"role/A"}]}`,
        ],
        [
            "bindings for different roles and conditions are sorted firstly by role, and within a role block sorting is based on conditions",
            [
                b("role/B", ["user:a"], cond("B", "B", "B")),
                b("role/A", ["user:a"], cond("B", "B", "B")),
                b("role/B", ["user:a"]),
                b("role/A", ["user:a"], cond("A", "A", "A")),
                b("role/B", ["user:a"], cond("A", "A", "A")),
                b("role/A", ["user:a"]),
            ],
            `{"bindings":[{"members":["user:a"],"role":"role/A"},{"condition":{"description":"A","expression":"A","title":"A"},"members":["user:a"],"role":"role/A"},{"condition":{"description":"B","expression":"B","title":"B"},"members":["user:a"],"role":"role/A"},{"members":["user:a"],"role":"role/B"},{"condition":{"description":"A","expression":"A","title":"A"},"members":["user:a"],"role":"role/B"},{"condition":{"description":"B","expression":"B","title":"B"},"members":["user:a"],"role":"role/B"}]}`,
        ],
    ];
    it.each(cases)("%s", (_name, bindings, expected) => {
        expect(policyData({ bindings })).toBe(expected);
    });

    it("members repeated across merged blocks are kept (only each block's set deduplicates)", () => {
        expect(policyData({ bindings: [b("role/A", ["user:a", "user:b", "user:a"]), b("role/A", ["user:a"])] })).toBe(`{"bindings":[{"members":["user:a","user:a","user:b"],"role":"role/A"}]}`);
    });

    it("a condition without a description omits it; expression and title are always sent", () => {
        expect(policyData({ bindings: [b("roles/cloudkms.viewer", ["allAuthenticatedUsers"], { expression: "", title: "t" } as never)] })).toBe(
            `{"bindings":[{"condition":{"expression":"","title":"t"},"members":["allAuthenticatedUsers"],"role":"roles/cloudkms.viewer"}]}`,
        );
    });
});

describe("getIAMPolicy: audit configs", () => {
    /** Set.List(): ascending by the decimal string of crc32(serialization). */
    const byHash = <T>(items: T[], serialize: (t: T) => string): T[] =>
        [...items].sort((x, y) => {
            const [a, c] = [String(zlib.crc32(serialize(x))), String(zlib.crc32(serialize(y)))];
            return a < c ? -1 : a > c ? 1 : 0;
        });

    it("audit configs, their log configs and exempted members in the SDK's set order, before bindings", () => {
        const members = byHash(["user:c@example.com", "user:a@example.com", "group:b@example.com"], (m) => `${m};`);
        const logs = byHash(
            [
                { logType: "DATA_READ", exemptedMembers: members },
                { logType: "ADMIN_READ", exemptedMembers: [] as string[] },
                { logType: "DATA_WRITE", exemptedMembers: [] as string[] },
            ],
            (l) => `exempted_members:{${l.exemptedMembers.map((m) => `${m};`).join("")}};log_type:${l.logType};`,
        );
        const logJson = logs.map((l) => (l.exemptedMembers.length ? `{"exemptedMembers":${JSON.stringify(l.exemptedMembers)},"logType":"${l.logType}"}` : `{"logType":"${l.logType}"}`)).join(",");
        const data = policyData({
            auditConfigs: [
                {
                    service: "cloudkms.googleapis.com",
                    auditLogConfigs: [
                        { logType: "DATA_READ", exemptedMembers: ["user:c@example.com", "user:a@example.com", "group:b@example.com"] },
                        { logType: "ADMIN_READ" },
                        { logType: "DATA_WRITE" },
                    ],
                },
            ],
            bindings: [b("roles/cloudkms.admin", ["user:admin@example.com"])],
        });
        expect(data).toBe(`{"auditConfigs":[{"auditLogConfigs":[${logJson}],"service":"cloudkms.googleapis.com"}],"bindings":[{"members":["user:admin@example.com"],"role":"roles/cloudkms.admin"}]}`);
    });

    it("two services: ordered by their hash", () => {
        const services = byHash(["cloudkms.googleapis.com", "allServices"], (s) => `audit_log_configs:{<exempted_members:{};log_type:ADMIN_READ;>;};service:${s};`);
        const data = policyData({ auditConfigs: ["cloudkms.googleapis.com", "allServices"].map((service) => ({ service, auditLogConfigs: [{ logType: "ADMIN_READ" }] })) });
        expect(data).toBe(`{"auditConfigs":[${services.map((s) => `{"auditLogConfigs":[{"logType":"ADMIN_READ"}],"service":"${s}"}`).join(",")}]}`);
    });
});
