/**
 * The keyfabric component package's provider: `getSchema` derives the package schema from the TypeScript
 * declarations of components.ts with the Pulumi SDK's own analyzer (the one `componentProviderHost` uses), and
 * `construct` builds the TypeScript components.
 *
 * Why not `componentProviderHost` itself: it constructs a component by calling the class the schema was derived from
 * with the inputs as they came (`new KeyHierarchy(name, inputs, opts)`), and requires that class to take an
 * `args` interface and expose only Outputs the schema can express. keyfabric's `KeyHierarchy` takes the spec
 * (`HierarchySpec`, a zod type with unions: principals as `string | Output<string>`, four shapes of material
 * source) and exposes resources, the resolved spec and methods; changing that would break every TypeScript user.
 * So the schema comes from declarations made for it (same analyzer, same rules for what it can express), and
 * `construct` converts the inputs (convert.ts) and calls the real component, which validates them as it always does.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";
import { AwsKey } from "../aws/key";
import { AzureKey } from "../azure/key";
import { GcpKey } from "../gcp/key";
import { KeyHierarchy } from "../hierarchy";
import { toComponentArgs, toHierarchySpec } from "./convert";

/** The package name: resource tokens are `keyfabric:<module>:<Name>`. */
export const PACKAGE_NAME = "keyfabric";
/** The component classes of components.ts, by the token each is registered with. */
export const COMPONENT_TOKENS = { KeyHierarchy: "keyfabric:index:KeyHierarchy", AwsKey: "keyfabric:aws:Key", GcpKey: "keyfabric:gcp:Key", AzureKey: "keyfabric:azure:Key" } as const;

type Inputs = Record<string, unknown>;
type Builder = (name: string, inputs: Inputs, opts: pulumi.ComponentResourceOptions) => { urn: pulumi.Output<string>; state: Inputs };

const BUILDERS: Record<string, Builder> = {
    [COMPONENT_TOKENS.KeyHierarchy]: (name, inputs, opts) => {
        const { spec, protectKeys } = toHierarchySpec(inputs);
        const hierarchy = new KeyHierarchy(name, spec, { ...opts, ...(protectKeys === undefined ? {} : { protectKeys }) });
        return { urn: hierarchy.urn, state: { keys: hierarchy.keys } };
    },
    [COMPONENT_TOKENS.AwsKey]: (name, inputs, opts) => {
        const key = new AwsKey(name, toComponentArgs(inputs) as unknown as ConstructorParameters<typeof AwsKey>[1], opts);
        return { urn: key.urn, state: { keyArn: key.keyArn, keyId: key.keyId, aliasArns: key.aliasArns, replicaArns: key.replicaArns } };
    },
    [COMPONENT_TOKENS.GcpKey]: (name, inputs, opts) => {
        const key = new GcpKey(name, toComponentArgs(inputs) as unknown as ConstructorParameters<typeof GcpKey>[1], opts);
        return { urn: key.urn, state: { keyRingId: key.keyRingId, cryptoKeyId: key.cryptoKeyId } };
    },
    [COMPONENT_TOKENS.AzureKey]: (name, inputs, opts) => {
        const key = new AzureKey(name, toComponentArgs(inputs) as unknown as ConstructorParameters<typeof AzureKey>[1], opts);
        return { urn: key.urn, state: { keyId: key.keyId, keyUri: key.keyUri } };
    },
};

function readJson(file: string): Record<string, any> {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

export class KeyfabricProvider implements pulumi.provider.Provider {
    /** keyfabric's version (the repository's package.json), the schema's and the plugin's. */
    readonly version: string;
    private cachedSchema?: string;

    /** @param dir the directory of components.ts, package.json and tsconfig.json (this one). */
    constructor(private readonly dir: string = __dirname) {
        this.version = readJson(path.join(dir, "..", "..", "package.json")).version;
    }

    async getSchema(): Promise<string> {
        return (this.cachedSchema ??= JSON.stringify(this.buildSchema()));
    }

    private buildSchema(): Record<string, unknown> {
        const manifest = readJson(path.join(this.dir, "package.json"));
        const analyzer = new Analyzer(this.dir, PACKAGE_NAME, manifest, new Set(Object.keys(COMPONENT_TOKENS)));
        const { components, typeDefinitions, dependencies } = analyzer.analyze();
        const schema = generateSchema(PACKAGE_NAME, this.version, manifest.description, components, typeDefinitions, dependencies);
        // The analyzer names a component `keyfabric:index:<class>`; each is published under the token it registers.
        const resources = Object.fromEntries(Object.entries(schema.resources).map(([tok, r]) => [COMPONENT_TOKENS[tok.split(":")[2] as keyof typeof COMPONENT_TOKENS] ?? tok, r]));
        return { ...schema, resources, displayName: "keyfabric", license: "Apache-2.0", keywords: ["kms", "keys", "aws", "gcp", "azure", "category/utility", "kind/component"] };
    }

    async construct(name: string, type: string, inputs: Inputs, options: pulumi.ComponentResourceOptions): Promise<pulumi.provider.ConstructResult> {
        const build = BUILDERS[type];
        if (!build) {
            throw new Error(`keyfabric cannot construct "${type}" (resource "${name}"): allowed: ${Object.keys(BUILDERS).join(", ")}`);
        }
        return build(name, inputs, options);
    }
}
