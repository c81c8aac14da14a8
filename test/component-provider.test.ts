/**
 * The component package's schema (sdk/provider): derived by the Pulumi SDK's analyzer from components.ts, valid
 * against Pulumi's package metaschema, every input documented, and field for field the hierarchy spec's zod schema.
 * `component-provider-construct.test.ts` drives the plugin over gRPC.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { z } from "zod";
import type { AwsKeyArgs as TsAwsKeyArgs } from "../sdk/aws/key";
import type { AwsKeyArgs as PublishedAwsKeyArgs } from "../sdk/provider/awsKeyArgs";
import type { GcpKeyArgs as TsGcpKeyArgs } from "../sdk/gcp/key";
import type { GcpKeyArgs as PublishedGcpKeyArgs } from "../sdk/provider/gcpKeyArgs";
import { GCP_IMPORT_METHODS } from "../sdk/byok/wrap";
import type { AzureKeyArgs as TsAzureKeyArgs } from "../sdk/azure/key";
import type { AzureKeyArgs as PublishedAzureKeyArgs } from "../sdk/provider/azureKeyArgs";
import * as enums from "../sdk/provider/enums";
import { toHierarchySpec, toMaterialSource } from "../sdk/provider/convert";
import { KeyfabricProvider } from "../sdk/provider/provider";
import { hierarchySchema } from "../sdk/schema/schema";
import { ALGORITHMS, AZURE_VAULT_SKUS, CLASSIFICATIONS, CLOUDS, ORIGINS, PROTECTIONS, PURPOSES } from "../sdk/schema/constants";
import { SEPARATION_MODES } from "../sdk/schema/separation";
import { MATERIAL_FORMATS } from "../sdk/byok/sources";

/**
 * Pulumi's package metaschema: pkg/codegen/schema/pulumi.json of github:pulumi/pulumi (Apache-2.0), vendored as a test
 * fixture from commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (v3.259.0; the file last changed in bd47908e, 2026-04-29).
 * PULUMI_METASCHEMA checks against another copy, e.g. that of the CLI you deploy with.
 */
const METASCHEMA = process.env.PULUMI_METASCHEMA ?? path.join(__dirname, "fixtures", "pulumi-package-metaschema.json");
const T = (name: string) => `keyfabric:index:${name}`;

let schema: any;
beforeAll(async () => {
    schema = JSON.parse(await new KeyfabricProvider(path.join(__dirname, "..", "sdk", "provider")).getSchema());
}, 120_000);

test("the schema validates against Pulumi's package metaschema", () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(METASCHEMA, "utf8")));
    const ok = validate(schema);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // And it is checked, not waved through: a token the metaschema refuses fails.
    expect(validate({ ...schema, resources: { "keyfabric:index:9Bad": schema.resources[T("KeyHierarchy")] } })).toBe(false);
});

test("package identity and the KeyHierarchy component", () => {
    expect(schema.name).toBe("keyfabric");
    expect(schema.version).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).version);
    expect(Object.keys(schema.resources)).toEqual([T("KeyHierarchy"), "keyfabric:aws:Key", "keyfabric:gcp:Key", "keyfabric:azure:Key"]);
    const h = schema.resources[T("KeyHierarchy")];
    expect(h.isComponent).toBe(true);
    expect(h.description).toMatch(/^A multi-cloud key hierarchy: one declaration that fans out to AWS KMS, Google Cloud KMS and Azure/);
    expect(h.requiredInputs).toEqual(["clouds", "domains", "name", "owner"]);
    expect(Object.keys(h.inputProperties).sort()).toEqual([...Object.keys(hierarchySchema.shape), "protectKeys"].sort());
    expect(h.properties.keys).toEqual({
        type: "object",
        additionalProperties: { $ref: `#/types/${T("LogicalKeyIds")}` },
        description: expect.stringMatching(/^`domain\/key` -> the key's identifiers in each cloud/),
    });
    // Principals accept Outputs (another resource's ARN), everything else is a plain value.
    expect(schema.types[T("Principals")].properties.aws).toEqual({ type: "array", items: { type: "string" }, optional: true, plain: true, description: "AWS principals: IAM role, user or account ARNs." });
    expect(h.inputProperties.name).toEqual({ type: "string", plain: true, description: "The hierarchy's name: in tags, aliases and key ring names (lowercase letters, digits, hyphens)." });
});

test("the AwsKey component: keyfabric:aws:Key, as the TypeScript component registers", () => {
    const k = schema.resources["keyfabric:aws:Key"];
    expect(k.isComponent).toBe(true);
    expect(k.description).toMatch(/^An AWS KMS key \(or an EXTERNAL-origin key for BYOK\)/);
    expect(k.requiredInputs).toEqual(["algorithm", "purpose", "region"]);
    expect(Object.keys(k.properties).sort()).toEqual(["aliasArns", "keyArn", "keyId", "replicaArns"]);
    expect(k.inputProperties.purpose).toEqual({ $ref: `#/types/${T("Purpose")}`, plain: true, description: "What the key is for." });
    expect(k.inputProperties.accountId).toEqual({ type: "string", optional: true, description: "The key's account (12 digits), for the owner statement. Default: the caller's account (sts:GetCallerIdentity)." });
    expect(Object.keys(schema.types[T("KeyIdentity")].properties).sort()).toEqual(["classification", "domain", "hierarchy", "key", "owner"]);
});

test("the GcpKey component: keyfabric:gcp:Key, as the TypeScript component registers", () => {
    const k = schema.resources["keyfabric:gcp:Key"];
    expect(k.isComponent).toBe(true);
    expect(k.description).toMatch(/^A Cloud KMS crypto key in a given or created key ring/);
    expect(k.requiredInputs).toEqual(["algorithm", "purpose"]);
    expect(Object.keys(k.properties).sort()).toEqual(["cryptoKeyId", "keyRingId"]);
    expect(k.inputProperties.keyRing).toEqual({ type: "string", optional: true, description: "An existing key ring id (`projects/P/locations/L/keyRings/R`). Without it, one is created from `project`/`location`." });
    expect(schema.types[T("GcpImportMethod")].enum.map((e: { value: string }) => e.value)).toEqual(Object.keys(GCP_IMPORT_METHODS));
    expect(schema.types[T("GcpAdminRole")].properties).toEqual({ name: { type: "string", plain: true, description: "The role's full name, `projects/<project>/roles/<id>`." } });
});

test("the AzureKey component: keyfabric:azure:Key, as the TypeScript component registers", () => {
    const k = schema.resources["keyfabric:azure:Key"];
    expect(k.isComponent).toBe(true);
    expect(k.description).toMatch(/^A Key Vault key \(RSA\/EC, software or HSM\) in a given or created vault/);
    expect(k.requiredInputs).toEqual(["algorithm", "purpose", "resourceGroupName"]);
    expect(Object.keys(k.properties).sort()).toEqual(["keyId", "keyUri"]);
    expect(Object.keys(schema.types[T("AzureKeyVaultSettings")].properties).sort()).toEqual(["audit", "ipRules", "location", "name", "privateEndpoint", "sku", "tenantId"]);
    expect(schema.types[T("AzureManagedHsmRef")].properties.id).toEqual({ type: "string", optional: true, description: "Its ARM resource id, when known: skips the lookup (`getManagedHsm`)." });
    expect(k.inputProperties.strictRoles).toBeUndefined();
});

/** Every input property, of the component and of every type, with where it is. */
function everyProperty(): [string, any][] {
    const out: [string, any][] = [];
    for (const [tok, r] of Object.entries<any>(schema.resources)) for (const [k, p] of Object.entries(r.inputProperties)) out.push([`${tok}.${k}`, p]);
    for (const [tok, t] of Object.entries<any>(schema.types)) for (const [k, p] of Object.entries(t.properties ?? {})) out.push([`${tok}.${k}`, p]);
    return out;
}

test("every input and output property has its documentation", () => {
    const props = everyProperty();
    expect(props.length).toBeGreaterThan(90);
    expect(props.filter(([, p]) => typeof p.description !== "string" || p.description.length < 10).map(([w]) => w)).toEqual([]);
});

test("each enum holds exactly the spec's vocabulary", () => {
    const values = (name: string) => schema.types[T(name)].enum.map((e: { value: string }) => e.value);
    expect(values("Cloud")).toEqual([...CLOUDS]);
    expect(values("Purpose")).toEqual([...PURPOSES]);
    expect(values("Algorithm")).toEqual([...ALGORITHMS]);
    expect(values("Protection")).toEqual([...PROTECTIONS]);
    expect(values("Classification")).toEqual([...CLASSIFICATIONS]);
    expect(values("Origin")).toEqual([...ORIGINS]);
    expect(values("SeparationOfDuties")).toEqual([...SEPARATION_MODES]);
    expect(values("AzureVaultSku")).toEqual([...AZURE_VAULT_SKUS]);
    expect(values("MaterialFormat")).toEqual([...MATERIAL_FORMATS]);
    expect(Object.values(enums.Purpose)).toEqual([...PURPOSES]);
});

/** The zod object under optional/array wrappers, if any. */
function objectOf(s: z.ZodType): z.ZodObject | undefined {
    let cur: any = s;
    for (;;) {
        if (cur instanceof z.ZodOptional) cur = cur.unwrap();
        else if (cur instanceof z.ZodArray) cur = cur.element;
        else break;
    }
    return cur instanceof z.ZodObject ? cur : undefined;
}

/** The schema object type a property refers to (through arrays). */
function typeOf(prop: any): any {
    const ref: string | undefined = prop.$ref ?? prop.items?.$ref;
    return ref ? schema.types[ref.replace("#/types/", "")] : undefined;
}

test("the published types are the spec, field for field, at every level", () => {
    const compared: string[] = [];
    const walk = (where: string, zodObject: z.ZodObject, props: Record<string, any>) => {
        compared.push(where);
        expect([where, Object.keys(props).sort()]).toEqual([where, Object.keys(zodObject.shape).sort()]);
        for (const [k, zs] of Object.entries(zodObject.shape)) {
            const inner = objectOf(zs as z.ZodType);
            const type = typeOf(props[k]);
            if (inner && type?.properties) walk(`${where}.${k}`, inner, type.properties);
            else expect([`${where}.${k}`, !!inner]).toEqual([`${where}.${k}`, false]);
        }
    };
    const { protectKeys, ...spec } = schema.resources[T("KeyHierarchy")].inputProperties;
    expect(protectKeys.type).toBe("boolean");
    walk("spec", hierarchySchema, spec);
    expect(compared).toEqual(expect.arrayContaining(["spec.clouds.azure.vault.privateEndpoint", "spec.domains.keys.users", "spec.audit.azure", "spec.domains.deployer"]));
    // The material source: the spec's four shapes in one type (commandEnv is a command's env).
    expect(Object.keys(schema.types[T("MaterialSource")].properties).sort()).toEqual(["command", "commandEnv", "env", "file", "format", "pkcs11", "timeoutMs"]);
});

test("toHierarchySpec undoes only the material source and protectKeys", () => {
    const key = (material: unknown) => ({ name: "k", purpose: "encrypt", algorithm: "AES_256", origin: "byok", material });
    const inputs = {
        name: "h",
        protectKeys: false,
        domains: [{ name: "d", classification: "internal", keys: [key({ command: ["kms-export", "--key", "x"], commandEnv: ["TOKEN"], timeoutMs: 5000 }), key({ file: "/k.bin", format: "raw" })] }],
    };
    const { spec, protectKeys } = toHierarchySpec(inputs);
    expect(protectKeys).toBe(false);
    expect(spec).toEqual({
        name: "h",
        domains: [{ name: "d", classification: "internal", keys: [key({ command: ["kms-export", "--key", "x"], env: ["TOKEN"], timeoutMs: 5000 }), key({ file: "/k.bin", format: "raw" })] }],
    });
    expect(toHierarchySpec({ name: "h" })).toEqual({ spec: { name: "h" } });
    // commandEnv without a command is left for the spec's check to refuse by name.
    expect(toMaterialSource({ file: "/k", commandEnv: ["A"] })).toEqual({ file: "/k", commandEnv: ["A"] });
});

// Compile-time: the published AwsKey args have exactly the TypeScript component's fields (tsc fails otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAwsKeyFields: Same<keyof PublishedAwsKeyArgs, keyof TsAwsKeyArgs> = true;
test("the published AwsKey args are sdk/aws/key.ts's fields (checked by the compiler)", () => expect(sameAwsKeyFields).toBe(true));
const sameGcpKeyFields: Same<keyof PublishedGcpKeyArgs, keyof TsGcpKeyArgs> = true;
test("the published GcpKey args are sdk/gcp/key.ts's fields (checked by the compiler)", () => expect(sameGcpKeyFields).toBe(true));
// AzureKey: every field but strictRoles (role definitions as resources; without them a strict key makes its own).
const sameAzureKeyFields: Same<keyof PublishedAzureKeyArgs, Exclude<keyof TsAzureKeyArgs, "strictRoles">> = true;
test("the published AzureKey args are sdk/azure/key.ts's fields but strictRoles (checked by the compiler)", () => expect(sameAzureKeyFields).toBe(true));
