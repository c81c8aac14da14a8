/**
 * Decode each resource's properties once per request instead of once per rule.
 *
 * `@pulumi/policy` 1.21's analyzer server (`server.js`, `makeAnalyzeRpcFun` / `makeAnalyzeStackRpcFun`) calls
 * `deserializeProperties(struct, false)` inside its loop over policies: for every resource policy on `Analyze`, and for
 * every stack policy on every resource of `AnalyzeStack`. With this pack's 44 resource rules that is 44 decodings of the
 * same protobuf `Struct` per resource, about 70 % of the server's time over a 1,000-key hierarchy (BENCHMARKS.md).
 *
 * The server reaches the function through the module object (`deserialize_1.deserializeProperties(...)`), so
 * memoizing it there, per `Struct` object, makes every rule of one request share one decoded value. The `Struct` of a
 * request is the same object on every `getProperties()` call (google-protobuf caches message fields), and a `WeakMap`
 * lets it go with its request. Only the validation path (`proxySecrets === false`) is memoized: remediation decodes with
 * `proxySecrets === true` once per request and hands results from one remediation to the next, so it is left alone.
 *
 * Sharing is safe because rules only read their props: `test/policy/harness.ts` fails any rule that changes the props
 * it is given, and `test/policy/decode-once.test.ts` checks, against the installed `@pulumi/policy`, that a request is
 * decoded once and that the server still calls the function this way (an upgrade that stops doing so fails it).
 */

type Deserialize = (struct: object, proxySecrets: boolean) => Record<string, unknown>;

const MARK = Symbol.for("keyfabric.decodeOnce");

/** Memoizes `@pulumi/policy`'s `deserializeProperties` for validation; idempotent. Returns the module it patched. */
export function decodeOnce(module: { deserializeProperties: Deserialize } = require("@pulumi/policy/deserialize")): { deserializeProperties: Deserialize } {
    const current = module.deserializeProperties as Deserialize & { [MARK]?: true };
    if (current[MARK]) return module;
    const decoded = new WeakMap<object, Record<string, unknown>>();
    const memoized = Object.assign(
        function deserializeProperties(struct: object, proxySecrets: boolean): Record<string, unknown> {
            if (proxySecrets || struct === null || typeof struct !== "object") return current(struct, proxySecrets);
            let props = decoded.get(struct);
            if (props === undefined) {
                props = current(struct, proxySecrets);
                decoded.set(struct, props);
            }
            return props;
        },
        { [MARK]: true as const },
    );
    module.deserializeProperties = memoized;
    return module;
}
