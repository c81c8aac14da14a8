/**
 * `MaterialFingerprint`: the fingerprint of a material source, computed inside the provider. Keys whose material can
 * never change (asymmetric and HMAC keys in AWS) take it as their `replacementTrigger`, so new material shows as a
 * replacement of the key in `pulumi preview` instead of failing at deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ALGORITHMS, Algorithm } from "../schema/constants";
import { checkWithFingerprint } from "./common";
import { byokProvider, PROVIDER_VERSION, ProviderImpl } from "./provider";
import { MaterialSource, materialSourceSchema } from "./sources";
import { materialKindFor } from "./wrap";

const inputsSchema = z.strictObject({
    providerVersion: z.string(),
    algorithm: z.enum(ALGORITHMS),
    material: materialSourceSchema,
    fingerprint: z.string().optional(),
});

export const materialFingerprint: ProviderImpl = {
    async check(_olds, news) {
        return checkWithFingerprint(inputsSchema, news);
    },
    async diff(_id, olds, news) {
        const diffs = ["fingerprint", "algorithm", "material", "providerVersion"].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        return { changes: diffs.length > 0, diffs, replaces: [] };
    },
    async create(inputs) {
        const { __provider, ...outs } = inputs;
        void __provider;
        return { id: "material-fingerprint", outs };
    },
    async read(id, props) {
        return { id, props };
    },
    async update(_id, _olds, news) {
        const { __provider, ...outs } = news;
        void __provider;
        return { outs };
    },
    async delete() {
        /* nothing in any cloud */
    },
};

export class MaterialFingerprint extends pulumi.dynamic.Resource {
    declare readonly fingerprint: pulumi.Output<string>;

    constructor(name: string, args: { algorithm: Algorithm; material: MaterialSource }, opts?: pulumi.CustomResourceOptions) {
        super(byokProvider("fingerprint.js", "materialFingerprint"), name, { ...args, providerVersion: PROVIDER_VERSION, fingerprint: undefined }, opts, "keyfabric", "MaterialFingerprint");
    }
}
