/**
 * sdk/policy/wire.ts: the bytes it writes decode, with google-protobuf's generated classes (what the pack's server
 * uses), to exactly what building the messages with those classes gives, for JSON values as JSON.stringify takes them.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeStruct, WireResource } from "../../sdk/policy/wire";

const pb = require("@pulumi/pulumi/proto/analyzer_pb");

const decode = (bytes: Uint8Array) => Struct.deserializeBinary(bytes).toJavaScript();
/** What the generated classes make of a value after a JSON round trip (how the client built requests before). */
const reference = (v: unknown) => Struct.fromJavaScript(JSON.parse(JSON.stringify(v))).toJavaScript();

const samples: Record<string, Record<string, unknown>> = {
    empty: {},
    scalars: { s: "text", empty: "", zero: 0, negative: -1.5, big: 2 ** 53, t: true, f: false, nil: null },
    unicode: { name: "clé-ключ-鍵-🔑", "key with spaces": "v" },
    nested: { policy: { Version: "2012-10-17", Statement: [{ Sid: "A", Principal: { AWS: ["arn:aws:iam::111122223333:root"] }, Action: "kms:*" }] } },
    lists: { a: [], b: [[1, 2], [], ["x", null, true, { k: [false] }]] },
    "undefined and non-JSON values": { gone: undefined, fn: () => 1, sym: Symbol("s"), nan: NaN, inf: -Infinity, list: [undefined, NaN, () => 1, 3], kept: 1 },
    "toJSON": { when: new Date(Date.UTC(2026, 10, 28, 12, 0, 0)), custom: { toJSON: () => ({ as: "json" }) } },
    "unknown marker": { keyRing: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
};

test.each(Object.entries(samples))("encodeStruct(%s) decodes to what the generated Struct class gives", (_name, value) => {
    expect(decode(encodeStruct(value))).toEqual(reference(value));
});

test("the values come back exactly, not just equal after both sides' conversions", () => {
    expect(decode(encodeStruct(samples["undefined and non-JSON values"]))).toEqual({ nan: null, inf: null, list: [null, null, null, 3], kept: 1 });
    expect(decode(encodeStruct(samples.toJSON))).toEqual({ when: "2026-11-28T12:00:00.000Z", custom: { as: "json" } });
    expect(decode(encodeStruct(samples.scalars))).toEqual(samples.scalars);
});

test("a BigInt is refused as JSON.stringify refuses it", () => {
    expect(() => encodeStruct({ n: BigInt(1) })).toThrow("a resource property is a BigInt, which JSON cannot hold");
});

function resource(i: number, parent?: string): WireResource {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(i % 2 === 0);
    if (parent) o.setParent(parent);
    return {
        type: "gcp:kms/cryptoKey:CryptoKey",
        urn: `urn:pulumi:dev::p::keyfabric:index:KeyHierarchy$gcp:kms/cryptoKey:CryptoKey::k${i}`,
        name: `k${i}`,
        parent,
        properties: encodeStruct({ name: `k${i}`, labels: { owner: "team-a" }, rotationPeriod: "7776000s" }),
        options: o.serializeBinary(),
    };
}

test("an Analyze request decodes field by field to the same message the generated class serializes", () => {
    const r = resource(2, "urn:pulumi:dev::p::keyfabric:index:KeyHierarchy::h");
    const decoded = pb.AnalyzeRequest.deserializeBinary(encodeAnalyzeRequest(r));
    const built = new pb.AnalyzeRequest();
    built.setType(r.type);
    built.setProperties(Struct.deserializeBinary(r.properties));
    built.setUrn(r.urn);
    built.setName(r.name);
    built.setOptions(pb.AnalyzerResourceOptions.deserializeBinary(r.options));
    expect(decoded.toObject()).toEqual(built.toObject());
    expect(decoded.getOptions().getProtect()).toBe(true);
    expect(decoded.getOptions().getParent()).toBe("urn:pulumi:dev::p::keyfabric:index:KeyHierarchy::h");
    expect(decoded.getProperties().toJavaScript()).toEqual({ name: "k2", labels: { owner: "team-a" }, rotationPeriod: "7776000s" });
});

test("an AnalyzeStack request carries every resource, in order, with its parent", () => {
    const resources = [resource(0), resource(1, "urn:pulumi:dev::p::keyfabric:index:KeyHierarchy::h"), resource(2)];
    const decoded = pb.AnalyzeStackRequest.deserializeBinary(encodeAnalyzeStackRequest(resources));
    const list = decoded.getResourcesList();
    expect(list.map((r: any) => [r.getName(), r.getParent(), r.getOptions().getProtect(), r.getProperties().toJavaScript().name])).toEqual([
        ["k0", "", true, "k0"],
        ["k1", "urn:pulumi:dev::p::keyfabric:index:KeyHierarchy::h", false, "k1"],
        ["k2", "", true, "k2"],
    ]);
    expect(encodeAnalyzeStackRequest([]).length).toBe(0);
});

test("AnalyzeStack carries each resource's dependencies and property dependencies, as the engine sends them from state", () => {
    const r: WireResource = {
        ...resource(3),
        dependencies: ["urn:pulumi:dev::p::aws:kms/key:Key::k", "urn:pulumi:dev::p::aws:iam/role:Role::r"],
        propertyDependencies: { kmsMasterKeyId: ["urn:pulumi:dev::p::aws:kms/key:Key::k"], policy: ["urn:pulumi:dev::p::aws:iam/role:Role::r", "urn:pulumi:dev::p::aws:kms/key:Key::k"] },
    };
    const [decoded] = pb.AnalyzeStackRequest.deserializeBinary(encodeAnalyzeStackRequest([r])).getResourcesList();
    expect(decoded.getDependenciesList()).toEqual(r.dependencies);
    const map: Record<string, string[]> = {};
    for (const [k, v] of decoded.getPropertydependenciesMap().entries()) map[k] = v.getUrnsList();
    expect(map).toEqual(r.propertyDependencies);
    // Analyze (one resource) has no such fields: they are not written there.
    expect(pb.AnalyzeRequest.deserializeBinary(encodeAnalyzeRequest(r)).toObject()).toEqual(pb.AnalyzeRequest.deserializeBinary(encodeAnalyzeRequest(resource(3))).toObject());
});
