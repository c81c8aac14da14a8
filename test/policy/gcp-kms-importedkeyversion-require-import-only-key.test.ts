import { rule } from "../../policy-packs/key-management/rules/gcp-kms-importedkeyversion-require-import-only-key";
import { unknownCheckingProxy } from "@pulumi/policy";
import { runUnderMocks } from "../../sdk/preview/harness";
import { GcpKey } from "../../sdk/gcp/key";
import { checkStack, TestResource, UNKNOWN } from "./harness";

const KEY = "gcp:kms/cryptoKey:CryptoKey";
const IMPORTED = "pulumi-nodejs:dynamic/keyfabric:GcpImportedKeyVersion";
const RING = "projects/acme-dev/locations/europe-west1/keyRings/payments";
const KEY_URN = `urn:pulumi:dev::project::${KEY}::card-data`;
const MSG = "This Cloud KMS key receives imported key material but is not import-only.";

const key = (props: Record<string, any> = {}): TestResource => ({
    type: KEY,
    name: "card-data",
    urn: KEY_URN,
    props: { keyRing: RING, name: "card-data", importOnly: true, skipInitialVersionCreation: true, ...props },
});
const imported = (props: Record<string, any> = {}): TestResource => ({
    type: IMPORTED,
    name: "card-data-material",
    props: { __provider: "exports.handler = ...", providerVersion: "1.0.0", cryptoKey: `${RING}/cryptoKeys/card-data`, algorithm: "AES_256", material: { file: "/secure/m.bin" }, ...props },
});

test("imported material in an import-only key is compliant", async () => {
    expect(await checkStack(rule, [key(), imported()])).toEqual({ violations: [] });
});

test("imported material in a key that is not import-only is a violation, reported on the key", async () => {
    expect(await checkStack(rule, [key({ importOnly: false }), imported()])).toEqual({ violations: [{ message: MSG, urn: KEY_URN }] });
});

test("a key that leaves importOnly out is not import-only", async () => {
    expect(await checkStack(rule, [key({ importOnly: undefined }), imported()])).toEqual({ violations: [{ message: MSG, urn: KEY_URN }] });
});

test("state: the key is found by its id as well", async () => {
    const state = key({ importOnly: false, keyRing: undefined, name: undefined, id: `${RING}/cryptoKeys/card-data` });
    expect(await checkStack(rule, [state, imported()])).toEqual({ violations: [{ message: MSG, urn: KEY_URN }] });
});

test("two imports into the same key report it once", async () => {
    expect(await checkStack(rule, [key({ importOnly: false }), imported(), { ...imported(), name: "second" }])).toEqual({ violations: [{ message: MSG, urn: KEY_URN }] });
});

test("not applicable: no imports, or a target key outside the stack", async () => {
    expect(await checkStack(rule, [key({ importOnly: false })])).toEqual({ violations: [] });
    expect(await checkStack(rule, [key({ importOnly: false }), imported({ cryptoKey: `${RING}/cryptoKeys/elsewhere` })])).toEqual({ violations: [] });
});

test("a target unknown at preview makes the rule not applicable, never a false violation", async () => {
    expect(await checkStack(rule, [key({ importOnly: false }), imported({ cryptoKey: UNKNOWN })])).toEqual({
        violations: [],
        notApplicable: "The key receiving imported material is not known until the update.",
    });
    expect(await checkStack(rule, [key({ importOnly: UNKNOWN }), imported()])).toEqual({
        violations: [],
        notApplicable: "The key receiving imported material is not known until the update.",
    });
});

test("the __provider input is never read", async () => {
    expect(await checkStack(rule, [key(), imported({ __provider: UNKNOWN })])).toEqual({ violations: [] });
});

test("at preview, the key the cryptoKey input depends on is the target even while its id is unknown", async () => {
    // The harness does not model property dependencies; the engine does (propertyDependencies.cryptoKey).
    const keyResource = { type: KEY, urn: KEY_URN, name: "card-data", props: unknownCheckingProxy({ keyRing: RING, name: "card-data", importOnly: false }) };
    const importResource = { type: IMPORTED, urn: "urn:i", name: "i", props: unknownCheckingProxy({ cryptoKey: UNKNOWN }), propertyDependencies: { cryptoKey: [keyResource] } };
    const violations: { message: string; urn?: string }[] = [];
    await (rule.validateStack as any)(
        { resources: [keyResource, importResource], getConfig: () => ({}), notApplicable: () => { throw new Error("not applicable"); } },
        (message: string, urn?: string) => violations.push({ message, urn }),
    );
    expect(violations).toEqual([{ message: MSG, urn: KEY_URN }]);
});

test("keyfabric's BYOK GcpKey imports into an import-only key", async () => {
    const run = await runUnderMocks(() => new GcpKey("byok", { project: "acme-dev", location: "europe-west1", purpose: "encrypt", algorithm: "AES_256", origin: "byok", material: { file: "/secure/m.bin" } }));
    const resources = run.resources.filter((r) => r.type === KEY || r.type === IMPORTED).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
    expect(resources.map((r) => r.type).sort()).toEqual([KEY, IMPORTED].sort());
    expect(await checkStack(rule, resources)).toEqual({ violations: [] });
});
