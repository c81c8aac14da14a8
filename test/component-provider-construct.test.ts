/**
 * The component package over the provider's gRPC interface, as the engine drives it: the plugin started by the
 * Node.js language host's runner from the program's directory (its port read from stdout), `GetSchema`, then
 * `Construct` with a resource monitor (keyfabric preview's EngineMonitor, answering as the engine does at a first
 * preview). The inputs are exactly those of the YAML example's resource declaration and of the Python example's
 * constructor call; the resources they build must be the TypeScript example's (examples/config-driven), type for
 * type, name for name, input for input, and pass keyfabric's policy pack.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { DEFAULT_POLICY_PACK } from "../sdk/policy/analyzer";
import { AwsKey } from "../sdk/aws/key";
import { AzureKey } from "../sdk/azure/key";
import { GcpKey } from "../sdk/gcp/key";
import { KeyHierarchy } from "../sdk/hierarchy";
import { MockRun, RecordedResource, runUnderMocks } from "../sdk/preview/harness";
import { openPacks } from "../sdk/preview/policy";
import { previewProject } from "../sdk/preview/project";
import { KeyfabricProvider } from "../sdk/provider/provider";
import { FakeEngine, Plugin, rpcCall, startEngine, startPlugin } from "./support/engine";
import { readComponentCall } from "./support/pythonCall";

const provproto = require("@pulumi/pulumi/proto/provider_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

const root = path.join(__dirname, "..");
const PLUGIN = path.join(root, "sdk", "provider");
const YAML_DIR = path.join(root, "examples", "yaml-hierarchy");
const PY_DIR = path.join(root, "examples", "python-hierarchy");
const STACK = "dev";
/** The engine's unknown-value sentinel in a serialized struct. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const stackUrn = (project: string) => `urn:pulumi:${STACK}::${project}::pulumi:pulumi:Stack::${project}-${STACK}`;

let logEngine: FakeEngine;
let plugin: Plugin;
let schema: any;
let typescript: MockRun;
let typescriptAwsKey: MockRun;
let typescriptGcpKey: MockRun;
let typescriptAzureKey: MockRun;
/** An Azure RSA signing key in a vault it creates (HSM: a premium vault), with an administrator and a user. */
const AZURE_KEY_ARGS = {
    resourceGroupName: "rg-keys-dev",
    vault: { location: "westeurope", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", name: "shop-receipts-kv" },
    keyName: "receipts",
    purpose: "sign",
    algorithm: "RSA_3072",
    protection: "hsm",
    admins: ["group:7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a"],
    users: ["servicePrincipal:3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"],
    tags: { team: "shop" },
};
/** A GCP signing key in a key ring it creates, with an administrator and a user. */
const GCP_KEY_ARGS = {
    project: "shop-keys-dev",
    location: "europe-north1",
    keyRingName: "shop-signing",
    keyName: "receipts",
    purpose: "sign",
    algorithm: "EC_P384",
    protection: "hsm",
    admins: ["group:kms-admins@shop.example"],
    users: ["serviceAccount:receipts@shop-keys-dev.iam.gserviceaccount.com"],
    labels: { team: "shop" },
    identity: { hierarchy: "shop", domain: "orders", key: "receipts", owner: "platform", classification: "confidential" },
};
/** The args of examples/aws-only-key. */
const AWS_KEY_ARGS = {
    region: "us-west-2",
    accountId: "123456789012",
    purpose: "encrypt",
    algorithm: "AES_256",
    aliases: ["app/data"],
    administrators: ["arn:aws:iam::123456789012:role/KeyAdmins"],
    users: ["arn:aws:iam::123456789012:role/AppServer"],
    serviceUsers: ["arn:aws:iam::123456789012:role/AppServer"],
    tags: { team: "app", "keyfabric:owner": "app-team", "keyfabric:classification": "internal" },
    audit: { trail: "external" },
};

beforeAll(async () => {
    logEngine = await startEngine({ project: "yaml-hierarchy", stack: STACK, stackUrn: stackUrn("yaml-hierarchy") });
    plugin = await startPlugin(PLUGIN, logEngine.engineAddress, YAML_DIR);
    schema = JSON.parse((await rpcCall(plugin.client, "getSchema", new provproto.GetSchemaRequest())).getSchema());
    // The TypeScript side at a first preview, before any run in update mode (the runtime keeps state between runs).
    typescript = await previewProject(path.join(root, "examples", "config-driven"), { registerTs: false, mode: "preview", stack: STACK });
    typescriptAzureKey = await runUnderMocks(() => void new AzureKey("receipts", AZURE_KEY_ARGS as ConstructorParameters<typeof AzureKey>[1]), { project: "azure-key", stack: STACK, mode: "preview" });
    typescriptGcpKey = await runUnderMocks(() => void new GcpKey("receipts", GCP_KEY_ARGS as ConstructorParameters<typeof GcpKey>[1]), { project: "gcp-key", stack: STACK, mode: "preview" });
    typescriptAwsKey = await runUnderMocks(() => void new AwsKey("app-data", AWS_KEY_ARGS as ConstructorParameters<typeof AwsKey>[1]), { project: "aws-only-key", stack: STACK, mode: "preview" });
}, 400_000);

afterAll(async () => {
    if (plugin) {
        const exited = new Promise((resolve) => plugin.process.once("exit", resolve));
        plugin.stop();
        await exited;
    }
    logEngine?.close();
});

/** Construct over gRPC against a fresh monitor for `project`; the monitor's records and the response (or the error). */
async function construct(project: string, type: string, name: string, inputs: Record<string, unknown>, mode: "preview" | "update" = "preview") {
    const engine = await startEngine({ project, stack: STACK, stackUrn: stackUrn(project), mode });
    try {
        const req = new provproto.ConstructRequest();
        req.setProject(project);
        req.setStack(STACK);
        req.setDryrun(mode === "preview");
        req.setParallel(1);
        req.setMonitorendpoint(engine.monitorAddress);
        req.setType(type);
        req.setName(name);
        req.setParent(stackUrn(project));
        req.setInputs(Struct.fromJavaScript(inputs));
        try {
            const resp = await rpcCall(plugin.client, "construct", req);
            return { recorded: engine.monitor.recorded, urn: resp.getUrn() as string, state: resp.getState().toJavaScript() as Record<string, unknown> };
        } catch (error) {
            return { recorded: engine.monitor.recorded, error: error as { details: string } };
        }
    } finally {
        engine.close();
    }
}

/** What a resource is, independent of the project's name: type, name, parent chain, options and inputs. */
function normalize(resources: readonly RecordedResource[], project: string) {
    const p = (s: string) => s.split(`::${project}::`).join("::<project>::").split(`::${project}-${STACK}`).join("::<project>-<stack>");
    return resources
        .map((r) => ({
            urn: p(r.urn),
            type: r.type,
            name: r.name,
            parent: p(r.parent),
            custom: r.custom,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            inputs: JSON.parse(p(JSON.stringify(r.inputs))),
            dependencies: r.dependencies.map(p).sort(),
        }))
        .sort((a, b) => a.urn.localeCompare(b.urn));
}

test("GetSchema over gRPC is the provider's schema", async () => {
    expect(schema).toEqual(JSON.parse(await new KeyfabricProvider(PLUGIN).getSchema()));
}, 120_000);

test("the YAML example's KeyHierarchy builds the TypeScript example's resources", async () => {
    const program = YAML.parse(fs.readFileSync(path.join(YAML_DIR, "Pulumi.yaml"), "utf8"));
    expect(Object.keys(program.resources)).toEqual(["keys"]);
    const { type, properties } = program.resources.keys;
    expect(type).toBe("keyfabric:index:KeyHierarchy");
    const run = await construct(program.name, type, "keys", properties);
    expect(run.error).toBeUndefined();
    expect(run.urn).toBe("urn:pulumi:dev::yaml-hierarchy::keyfabric:index:KeyHierarchy::keys");
    const expected = normalize(typescript.resources, "config-driven");
    expect(expected.map((r) => r.type).sort()).toEqual([
        "aws:kms/alias:Alias", "aws:kms/alias:Alias", "aws:kms/key:Key", "aws:kms/key:Key",
        "gcp:kms/cryptoKey:CryptoKey", "gcp:kms/cryptoKey:CryptoKey", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
        "gcp:kms/keyRing:KeyRing", "gcp:projects/iAMAuditConfig:IAMAuditConfig",
        "keyfabric:aws:Key", "keyfabric:aws:Key", "keyfabric:gcp:Key", "keyfabric:gcp:Key", "keyfabric:index:KeyDomain", "keyfabric:index:KeyHierarchy",
    ]);
    expect(normalize(run.recorded, "yaml-hierarchy")).toEqual(expected);
    // At a first preview the key ids are unknown, so the `keys` Output is (as the TypeScript component's `keys` is).
    expect(run.state!.keys).toBe(UNKNOWN);
    expect(program.outputs).toEqual({ keys: "${keys.keys}" });

    // And the policy pack (rules' defaults) finds nothing in them, as in the TypeScript example.
    const packs = await openPacks([{ dir: DEFAULT_POLICY_PACK }]);
    try {
        const report = await packs.evaluate({ ...typescript, resources: run.recorded, project: "yaml-hierarchy", outputs: {} });
        expect(report.violations).toEqual([]);
    } finally {
        packs.close();
    }
}, 300_000);

test("the Python example's KeyHierarchy call builds the same resources", async () => {
    const source = fs.readFileSync(path.join(PY_DIR, "__main__.py"), "utf8");
    const call = readComponentCall(source, "keyfabric", "KeyHierarchy", schema);
    expect(call.name).toBe("keys");
    const yamlInputs = YAML.parse(fs.readFileSync(path.join(YAML_DIR, "Pulumi.yaml"), "utf8")).resources.keys.properties;
    expect(call.inputs).toEqual(yamlInputs);
    const project = YAML.parse(fs.readFileSync(path.join(PY_DIR, "Pulumi.yaml"), "utf8")).name;
    expect(project).toBe("python-hierarchy");
    const run = await construct(project, "keyfabric:index:KeyHierarchy", call.name, call.inputs);
    expect(run.error).toBeUndefined();
    expect(normalize(run.recorded, project)).toEqual(normalize(typescript.resources, "config-driven"));
}, 300_000);

/**
 * Construct `token` named `name` in `project` with `args` and expect exactly the TypeScript run's resources; returns
 * those resources (normalized) and the component's state.
 */
async function expectAsTypescript(project: string, token: string, name: string, args: Record<string, unknown>, ts: MockRun) {
    const run = await construct(project, token, name, args);
    expect(run.error).toBeUndefined();
    expect(run.urn).toBe(`urn:pulumi:dev::${project}::${token}::${name}`);
    const expected = normalize(ts.resources, project);
    expect(normalize(run.recorded, project)).toEqual(expected);
    return { resources: expected, state: run.state! };
}

test("AwsKey (keyfabric:aws:Key) builds what the TypeScript component builds from the same args", async () => {
    const { resources, state } = await expectAsTypescript("aws-only-key", "keyfabric:aws:Key", "app-data", AWS_KEY_ARGS, typescriptAwsKey);
    expect(resources.map((r) => r.type)).toEqual(["keyfabric:aws:Key", "aws:kms/alias:Alias", "aws:kms/key:Key"]);
    expect(Object.keys(state).sort()).toEqual(["aliasArns", "keyArn", "keyId", "replicaArns"]);
    // Its own checks, as for TypeScript: a bad region is refused by name before anything is registered.
    const bad = await construct("aws-only-key", "keyfabric:aws:Key", "app-data", { ...AWS_KEY_ARGS, region: "mars-1", algorithm: "AES_512" });
    expect(bad.error?.details).toContain('region: is not an AWS region (allowed: e.g. us-east-1, eu-west-1, got: "mars-1")');
    expect(bad.error?.details).toContain("algorithm: is not an algorithm (allowed: AES_256, RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, HMAC_256");
    expect(bad.recorded).toEqual([]);
}, 300_000);

test("GcpKey (keyfabric:gcp:Key) builds what the TypeScript component builds from the same args", async () => {
    const { resources, state } = await expectAsTypescript("gcp-key", "keyfabric:gcp:Key", "receipts", GCP_KEY_ARGS, typescriptGcpKey);
    expect(resources.map((r) => r.type).sort()).toEqual([
        "gcp:kms/cryptoKey:CryptoKey", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
        "gcp:kms/keyRing:KeyRing", "keyfabric:gcp:Key",
    ]);
    // The administrator gets roles/cloudkms.admin, the user of a sign key roles/cloudkms.signerVerifier.
    expect(resources.filter((r) => r.type === "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((r) => [r.inputs.member, r.inputs.role]).sort()).toEqual([
        ["group:kms-admins@shop.example", "roles/cloudkms.admin"],
        ["serviceAccount:receipts@shop-keys-dev.iam.gserviceaccount.com", "roles/cloudkms.signerVerifier"],
    ]);
    expect(Object.keys(state).sort()).toEqual(["cryptoKeyId", "keyRingId"]);
}, 300_000);

test("AzureKey (keyfabric:azure:Key) builds what the TypeScript component builds from the same args", async () => {
    const { resources, state } = await expectAsTypescript("azure-key", "keyfabric:azure:Key", "receipts", AZURE_KEY_ARGS, typescriptAzureKey);
    expect(resources.map((r) => r.type)).toEqual(expect.arrayContaining(["keyfabric:azure:Key", "azure-native:keyvault:Vault", "azure-native:keyvault:Key"]));
    // The vault it creates is premium (an HSM key) and has the name given.
    expect(resources.find((r) => r.type === "azure-native:keyvault:Vault")!.inputs).toMatchObject({ vaultName: "shop-receipts-kv", properties: { sku: { name: "premium" } } });
    expect(Object.keys(state).sort()).toEqual(["keyId", "keyUri"]);
}, 300_000);

test("a bad input is refused with the spec's message, before anything is registered", async () => {
    const program = YAML.parse(fs.readFileSync(path.join(YAML_DIR, "Pulumi.yaml"), "utf8"));
    const inputs = structuredClone(program.resources.keys.properties);
    inputs.domains[0].keys[1].purpose = "hash";
    inputs.clouds.aws.region = "mars-1";
    const run = await construct("yaml-hierarchy", "keyfabric:index:KeyHierarchy", "keys", inputs);
    expect(run.error?.details).toContain('clouds.aws.region: is not an AWS region (allowed: e.g. us-east-1, eu-west-1, got: "mars-1")');
    expect(run.error?.details).toContain('domains[0].keys[1].purpose: is not one of the allowed values (allowed: encrypt, sign, mac, got: "hash")');
    expect(run.recorded).toEqual([]);
}, 120_000);

test("an unknown component type is refused naming the ones there are", async () => {
    const run = await construct("yaml-hierarchy", "keyfabric:index:KeyRing", "r", {});
    expect(run.error?.details).toBe('keyfabric cannot construct "keyfabric:index:KeyRing" (resource "r"): allowed: keyfabric:index:KeyHierarchy, keyfabric:aws:Key, keyfabric:gcp:Key, keyfabric:azure:Key');
    expect(run.recorded).toEqual([]);
}, 120_000);

// Last: the engine starts a plugin per deployment, so one process never serves a preview after an update; here
// the same process does, and a preview Construct after this one gave an alias without its unknown targetKeyId (the
// SDK keeps process-wide state across Construct calls: its settings and feature cache are globals).
test("after an update, the keys output holds every logical key's identifiers, as the TypeScript component's", async () => {
    const program = YAML.parse(fs.readFileSync(path.join(YAML_DIR, "Pulumi.yaml"), "utf8"));
    const run = await construct(program.name, "keyfabric:index:KeyHierarchy", "keys", program.resources.keys.properties, "update");
    expect(run.error).toBeUndefined();
    // The example's program, `new KeyHierarchy("keys", hierarchyFromConfig()).keys`, as after `pulumi up` (the
    // module itself ran at preview, and Jest keeps it).
    const spec = YAML.parse(fs.readFileSync(path.join(root, "examples", "config-driven", "Pulumi.dev.yaml"), "utf8")).config["keyfabric:hierarchy"];
    const ts = await runUnderMocks(() => ({ keys: new KeyHierarchy("keys", spec).keys }), { project: "config-driven", stack: STACK, mode: "update" });
    const shape = (keys: Record<string, Record<string, object>>) => Object.fromEntries(Object.entries(keys).map(([id, k]) => [id, Object.fromEntries(Object.entries(k).map(([c, ids]) => [c, Object.keys(ids).sort()]))]));
    const expected = { aws: ["aliasArns", "keyArn", "keyId", "replicaArns"], gcp: ["cryptoKeyId", "keyRingId"] };
    expect(shape(ts.outputs.keys as any)).toEqual({ "orders/order-db": expected, "orders/webhook-mac": expected });
    expect(shape(run.state!.keys as any)).toEqual(shape(ts.outputs.keys as any));
    const keys = run.state!.keys as any;
    expect(keys["orders/order-db"].aws.aliasArns).toEqual(["arn:aws:kms:eu-north-1:777788889999:alias/shop/orders/order-db"]);
    expect(keys["orders/order-db"].gcp.keyRingId).toBe((ts.outputs.keys as any)["orders/order-db"].gcp.keyRingId);
}, 300_000);
