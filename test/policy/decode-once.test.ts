/**
 * policy-packs/key-management/lib/decode-once.ts against the installed @pulumi/policy: its analyzer server's own
 * Analyze and AnalyzeStack handlers (fresh module instances per test), fed protobuf requests as the engine sends them,
 * count how often a resource's properties are decoded with and without the memo.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { decodeOnce } from "../../policy-packs/key-management/lib/decode-once";
import { resourceRule } from "../../policy-packs/key-management/lib/rule";
import { checkResource } from "./harness";

const pb = require("@pulumi/pulumi/proto/analyzer_pb");

interface Server {
    analyze: (call: unknown, cb: (err: unknown, resp: any) => void) => Promise<void>;
    analyzeStack: (call: unknown, cb: (err: unknown, resp: any) => void) => Promise<void>;
    decodes: { proxySecrets: boolean }[];
    seen: unknown[];
}

/** The server's handlers over `n` resource and `n` stack policies, with deserializeProperties counted. */
function server(n: number, memo: boolean): Server {
    let built: Server | undefined;
    jest.isolateModules(() => {
        const deserialize = require("@pulumi/policy/deserialize");
        const decodes: Server["decodes"] = [];
        const original = deserialize.deserializeProperties;
        deserialize.deserializeProperties = (struct: object, proxySecrets: boolean) => {
            decodes.push({ proxySecrets });
            return original(struct, proxySecrets);
        };
        if (memo) decodeOnce(deserialize);
        const { makeAnalyzeRpcFun, makeAnalyzeStackRpcFun } = require("@pulumi/policy/server");
        const seen: unknown[] = [];
        const policies = Array.from({ length: n }, (_, i) => [
            { name: `resource-${i}`, description: "d", enforcementLevel: "advisory", validateResource: (args: any) => void seen.push(args.props.tags.owner) },
            { name: `stack-${i}`, description: "d", enforcementLevel: "advisory", validateStack: (args: any) => void args.resources.forEach((r: any) => seen.push(r.props.tags.owner)) },
        ]).flat();
        built = {
            analyze: makeAnalyzeRpcFun("pack", "1.0.0", "advisory", policies),
            analyzeStack: makeAnalyzeStackRpcFun("pack", "1.0.0", "advisory", policies),
            decodes,
            seen,
        };
    });
    return built!;
}

const options = () => {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(false);
    return o;
};

function analyzeRequest(owner: string) {
    const req = new pb.AnalyzeRequest();
    req.setType("aws:kms/key:Key");
    req.setUrn(`urn:pulumi:dev::p::aws:kms/key:Key::${owner}`);
    req.setName(owner);
    req.setProperties(Struct.fromJavaScript({ tags: { owner } }));
    req.setOptions(options());
    return req;
}

function stackRequest(owners: string[]) {
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList(
        owners.map((owner) => {
            const r = new pb.AnalyzerResource();
            r.setType("aws:kms/key:Key");
            r.setUrn(`urn:pulumi:dev::p::aws:kms/key:Key::${owner}`);
            r.setName(owner);
            r.setProperties(Struct.fromJavaScript({ tags: { owner } }));
            r.setOptions(options());
            return r;
        }),
    );
    return req;
}

const call = (fn: Server["analyze"], request: unknown) =>
    new Promise<any>((resolve, reject) => void fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp))));

test("without the memo @pulumi/policy decodes a resource once per policy; with it, once per request", async () => {
    const plain = server(5, false);
    await call(plain.analyze, analyzeRequest("team-a"));
    expect(plain.decodes).toHaveLength(5);
    await call(plain.analyzeStack, stackRequest(["team-a", "team-b"]));
    expect(plain.decodes).toHaveLength(5 + 5 * 2);

    const memo = server(5, true);
    await call(memo.analyze, analyzeRequest("team-a"));
    expect(memo.decodes).toEqual([{ proxySecrets: false }]);
    await call(memo.analyzeStack, stackRequest(["team-a", "team-b"]));
    expect(memo.decodes).toHaveLength(1 + 2);
    // Every policy still saw every resource's own values.
    expect(memo.seen).toEqual([...Array(5).fill("team-a"), ...Array(5).fill(["team-a", "team-b"]).flat()]);
    expect(memo.seen).toEqual(plain.seen);
});

test("each request decodes its own properties: a second request with other values is not served the first one's", async () => {
    const memo = server(2, true);
    await call(memo.analyze, analyzeRequest("team-a"));
    await call(memo.analyze, analyzeRequest("team-b"));
    expect(memo.seen).toEqual(["team-a", "team-a", "team-b", "team-b"]);
    expect(memo.decodes).toHaveLength(2);
});

test("remediation decodes (proxySecrets true) are passed through, never memoized", () => {
    const calls: boolean[] = [];
    const module = { deserializeProperties: (_s: object, proxySecrets: boolean) => (calls.push(proxySecrets), {}) };
    decodeOnce(module);
    const struct = {};
    expect(module.deserializeProperties(struct, true)).not.toBe(module.deserializeProperties(struct, true));
    expect(module.deserializeProperties(struct, false)).toBe(module.deserializeProperties(struct, false));
    expect(calls).toEqual([true, true, false]);
});

test("applying it twice wraps once", () => {
    let n = 0;
    const module = { deserializeProperties: (_s: object, _p: boolean) => (n++, {}) };
    decodeOnce(module);
    const first = module.deserializeProperties;
    decodeOnce(module);
    expect(module.deserializeProperties).toBe(first);
    module.deserializeProperties({}, false);
    expect(n).toBe(1);
});

test("the rule harness fails a rule that changes the props it is given (rules share one decoded copy)", async () => {
    const meta = {
        name: "aws-kms-key-require-nothing",
        description: "A rule that writes to its props.",
        severity: "low" as const,
        enforcementLevel: "advisory" as const,
        frameworks: [{ name: "none", version: "0", reference: "0" }],
        remediation: "None.",
        catalogueRows: [],
        resourceTypes: ["aws:kms/key:Key"],
    };
    const writes = resourceRule(meta, {
        validateResource: (args) => {
            (args.props as any).tags.owner = "someone-else";
        },
    });
    await expect(checkResource(writes, { type: "aws:kms/key:Key", props: { tags: { owner: "team-a" } } })).rejects.toThrow(
        "aws-kms-key-require-nothing changed the props of urn:pulumi:test::project::aws:kms/key:Key::r: rules must only read them",
    );
});
