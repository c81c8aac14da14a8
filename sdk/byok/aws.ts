/**
 * `AwsImportedKeyMaterial`: imports customer material into an EXTERNAL-origin AWS KMS key.
 * GetParametersForImport (RSA_4096) -> wrap locally -> ImportKeyMaterial. The plaintext is read inside the
 * provider at deploy time and zeroed; state holds the key ARN, state, expiry and a fingerprint.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createAwsKmsClient } from "../clients";
import { ALGORITHMS, Algorithm } from "../spec/constants";
import { checkWithFingerprint, cloudError, isUnknown, withMaterial } from "./common";
import { byokProvider, PROVIDER_VERSION, ProviderImpl } from "./provider";
import { MaterialSource, materialSourceSchema } from "./sources";
import { awsWrappingAlgorithmFor, materialKindFor, wrapForAws } from "./wrap";

const MAX_VALID_DAYS = 365;

export const awsImportInputs = z.strictObject({
    providerVersion: z.string(),
    keyId: z.string().min(1),
    region: z.string().regex(/^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/, { error: "is not an AWS region" }),
    algorithm: z.enum(ALGORITHMS),
    material: materialSourceSchema,
    validTo: z.iso.datetime({ offset: true }).optional(),
    fingerprint: z.string().optional(),
});
export type AwsImportInputs = z.infer<typeof awsImportInputs>;

export interface AwsImportOutputs extends AwsImportInputs {
    keyArn: string;
    keyState: string;
    expirationModel: string;
    keyMaterialId?: string;
    importedAt: string;
}

const symmetric = (a: Algorithm) => a === "AES_256";

/** Imports (or re-imports) material into an EXTERNAL key; retries once with fresh parameters on an expired token. */
export async function importAwsMaterial(args: {
    region: string;
    keyId: string;
    algorithm: Algorithm;
    material: Buffer;
    validTo?: string;
    importType?: "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL";
    keyMaterialId?: string;
    env?: NodeJS.ProcessEnv;
}): Promise<{ keyArn: string; keyMaterialId?: string }> {
    const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const client = createAwsKmsClient(args.region, { maxAttempts: 8, env: args.env });
    const wrappingAlgorithm = awsWrappingAlgorithmFor(materialKindFor(args.algorithm));
    try {
        for (let attempt = 0; ; attempt++) {
            let params;
            try {
                params = await client.send(new kms.GetParametersForImportCommand({ KeyId: args.keyId, WrappingAlgorithm: wrappingAlgorithm, WrappingKeySpec: "RSA_4096" }));
            } catch (e) {
                throw cloudError("AWS KMS", "GetParametersForImport", args.keyId, e);
            }
            const wrapped = wrapForAws(args.material, params.PublicKey!, wrappingAlgorithm);
            try {
                const r = await client.send(
                    new kms.ImportKeyMaterialCommand({
                        KeyId: args.keyId,
                        ImportToken: params.ImportToken,
                        EncryptedKeyMaterial: wrapped,
                        ...(args.validTo ? { ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: new Date(args.validTo) } : { ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
                        ...(args.importType ? { ImportType: args.importType } : {}),
                        ...(args.keyMaterialId ? { KeyMaterialId: args.keyMaterialId } : {}),
                    }),
                );
                return { keyArn: params.KeyId ?? args.keyId, keyMaterialId: r.KeyMaterialId };
            } catch (e) {
                if ((e as Error).name === "ExpiredImportTokenException" && attempt === 0) continue;
                throw cloudError("AWS KMS", "ImportKeyMaterial", args.keyId, e);
            } finally {
                wrapped.fill(0);
            }
        }
    } finally {
        client.destroy();
    }
}

async function describe(region: string, keyId: string) {
    const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
    const client = createAwsKmsClient(region, { maxAttempts: 8 });
    try {
        return (await client.send(new kms.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    } finally {
        client.destroy();
    }
}

async function outputs(inputs: AwsImportInputs, keyMaterialId: string | undefined): Promise<AwsImportOutputs> {
    let meta;
    try {
        meta = await describe(inputs.region, inputs.keyId);
    } catch (e) {
        throw cloudError("AWS KMS", "DescribeKey", inputs.keyId, e);
    }
    return {
        ...inputs,
        keyArn: meta.Arn!,
        keyState: meta.KeyState!,
        expirationModel: meta.ExpirationModel ?? (inputs.validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE"),
        ...(meta.ValidTo ? { validTo: meta.ValidTo.toISOString() } : {}),
        ...(keyMaterialId ?? meta.CurrentKeyMaterialId ? { keyMaterialId: keyMaterialId ?? meta.CurrentKeyMaterialId } : {}),
        importedAt: new Date().toISOString(),
    };
}

export const awsImportedKeyMaterial: ProviderImpl = {
    async check(_olds, news) {
        return checkWithFingerprint(awsImportInputs, news, (inputs, failures) => {
            if (inputs.validTo === undefined) return inputs;
            const t = Date.parse(inputs.validTo);
            if (t <= Date.now() || t > Date.now() + MAX_VALID_DAYS * 86_400_000) {
                failures.push({ property: "validTo", reason: `validTo: must be in the future and at most ${MAX_VALID_DAYS} days ahead (got: ${JSON.stringify(inputs.validTo)})` });
            }
            // Normalised, so the expiry AWS reports back compares equal.
            return { ...inputs, validTo: new Date(inputs.validTo).toISOString() };
        });
    },

    async diff(_id, olds, news) {
        const replaces = ["keyId", "region", "algorithm"].filter((k) => !isUnknown(news[k]) && olds[k] !== news[k]);
        if (isUnknown(news.keyId)) replaces.push("keyId");
        const materialChanged = olds.fingerprint !== news.fingerprint;
        // Asymmetric and HMAC keys can never take new material: the key (and this import) must be replaced.
        if (materialChanged && !symmetric(news.algorithm)) replaces.push("fingerprint");
        const updates = ["fingerprint", "validTo", "material", "providerVersion"].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        const drifted = olds.keyState !== undefined && olds.keyState !== "Enabled" && olds.keyState !== "Disabled";
        const diffs = [...new Set([...replaces, ...updates, ...(drifted ? ["keyState"] : [])])];
        return { changes: diffs.length > 0, replaces, diffs, deleteBeforeReplace: replaces.length > 0 };
    },

    async create(raw) {
        const inputs = awsImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), async (m) => {
            const r = await importAwsMaterial({ ...inputs, material: m.material, importType: undefined });
            const outs = await outputs({ ...inputs, fingerprint: m.fingerprint }, r.keyMaterialId);
            return { id: outs.keyArn, outs };
        });
    },

    async read(id, props) {
        let meta;
        try {
            meta = await describe(props.region, id);
        } catch (e) {
            if ((e as Error).name === "NotFoundException") return {};
            throw cloudError("AWS KMS", "DescribeKey", id, e);
        }
        const present = meta.KeyState === "Enabled" || meta.KeyState === "Disabled";
        const live = {
            ...props,
            keyState: meta.KeyState,
            // No material in the key: the fingerprint no longer matches, so `up` re-imports.
            fingerprint: present ? props.fingerprint : "none",
            ...(meta.ValidTo ? { validTo: meta.ValidTo.toISOString() } : {}),
            ...(meta.ExpirationModel ? { expirationModel: meta.ExpirationModel } : {}),
        };
        return { id, props: live, inputs: strip(live) };
    },

    async update(_id, olds, raw) {
        const inputs = awsImportInputs.parse(strip(raw));
        return withMaterial(inputs.material, materialKindFor(inputs.algorithm), async (m) => {
            const newMaterial = olds.fingerprint !== "none" && olds.fingerprint !== m.fingerprint;
            const materialPresent = olds.keyState === "Enabled" || olds.keyState === "Disabled";
            const validToChanged = olds.validTo !== inputs.validTo;
            if (!newMaterial && materialPresent && !validToChanged) {
                return { outs: await outputs({ ...inputs, fingerprint: m.fingerprint }, olds.keyMaterialId) };
            }
            let keyMaterialId: string | undefined;
            if (newMaterial && materialPresent) {
                // Rotation of imported material: a new material, then an on-demand rotation to it.
                const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
                const r = await importAwsMaterial({ ...inputs, material: m.material, importType: "NEW_KEY_MATERIAL" });
                const client = createAwsKmsClient(inputs.region, { maxAttempts: 8 });
                try {
                    await client.send(new kms.RotateKeyOnDemandCommand({ KeyId: inputs.keyId }));
                } catch (e) {
                    throw cloudError("AWS KMS", "RotateKeyOnDemand", inputs.keyId, e);
                } finally {
                    client.destroy();
                }
                keyMaterialId = r.keyMaterialId;
            } else {
                // Same material: a new expiry, or a repair after the material expired or was deleted.
                const existing = materialPresent && symmetric(inputs.algorithm) && olds.keyMaterialId;
                const r = await importAwsMaterial({
                    ...inputs,
                    material: m.material,
                    ...(existing ? { importType: "EXISTING_KEY_MATERIAL" as const, keyMaterialId: olds.keyMaterialId } : {}),
                });
                keyMaterialId = r.keyMaterialId ?? olds.keyMaterialId;
            }
            return { outs: await outputs({ ...inputs, fingerprint: m.fingerprint }, keyMaterialId) };
        });
    },

    async delete(id, props) {
        const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const client = createAwsKmsClient(props.region, { maxAttempts: 8 });
        try {
            await client.send(new kms.DeleteImportedKeyMaterialCommand({ KeyId: id }));
        } catch (e) {
            const name = (e as Error).name;
            // Already gone: the key was deleted or is pending deletion, which removes its material anyway.
            if (name !== "NotFoundException" && name !== "KMSInvalidStateException") throw cloudError("AWS KMS", "DeleteImportedKeyMaterial", id, e);
        } finally {
            client.destroy();
        }
    },
};

function strip(raw: Record<string, any>): Record<string, any> {
    const { __provider, keyArn, keyState, expirationModel, keyMaterialId, importedAt, ...rest } = raw;
    void __provider, keyArn, keyState, expirationModel, keyMaterialId, importedAt;
    return rest;
}

export interface AwsImportedKeyMaterialArgs {
    /** The EXTERNAL-origin key (id or ARN). */
    readonly keyId: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    /** The key's logical algorithm: decides the material format and the wrapping algorithm. */
    readonly algorithm: Algorithm;
    /** Where the provider reads the material at deploy time. Only this descriptor is stored. */
    readonly material: MaterialSource;
    /** When the imported material expires (ISO 8601, at most 365 days ahead). @default no expiry */
    readonly validTo?: pulumi.Input<string>;
}

export class AwsImportedKeyMaterial extends pulumi.dynamic.Resource {
    declare readonly keyArn: pulumi.Output<string>;
    declare readonly keyState: pulumi.Output<string>;
    declare readonly keyMaterialId: pulumi.Output<string | undefined>;
    declare readonly expirationModel: pulumi.Output<string>;
    declare readonly validTo: pulumi.Output<string | undefined>;
    /** Non-reversible fingerprint of the imported material. */
    declare readonly fingerprint: pulumi.Output<string>;

    constructor(name: string, args: AwsImportedKeyMaterialArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            byokProvider("aws.js", "awsImportedKeyMaterial"),
            name,
            { ...args, providerVersion: PROVIDER_VERSION, keyArn: undefined, keyState: undefined, keyMaterialId: undefined, expirationModel: undefined, fingerprint: undefined, importedAt: undefined },
            opts,
            "keyfabric",
            "AwsImportedKeyMaterial",
        );
    }
}
