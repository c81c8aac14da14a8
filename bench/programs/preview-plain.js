"use strict";
/**
 * The baseline of the preview benchmark: the very same raw cloud resources the KeyHierarchy registered (recorded
 * by preview-keyfabric.js --record), declared directly from the cloud packages' submodules with the same inputs and
 * protect/retainOnDelete options, under the same mocks.
 *   node preview-plain.js RECORDS.json [--wired | --components]
 * - default: every input is the recorded literal value; no components, no validation.
 * - --wired: inputs that are another resource's output (an alias's targetKeyId, a replica's primaryKeyArn, a crypto
 *   key's keyRing, a role assignment's scope, ...) are that resource's Output (`key.id`, `key.arn`, `vault.name`), as
 *   a hand-written raw program passes them, so the engine tracks those dependencies as it does keyfabric's.
 * - --components: also the same component tree keyfabric registers (KeyHierarchy, KeyDomain, per-cloud Key
 *   components: plain ComponentResources with the recorded type, name, parent and inputs, each registerOutputs({})),
 *   with every raw resource under its recorded parent: what keyfabric registers, without keyfabric's code.
 */
const fs = require("fs");
const { runChild } = require("./report");

runChild(async () => {
    const tStart = performance.now();
    const { runUnderMocks } = require("../../lib/preview/harness");
    const awsKms = require("@pulumi/aws/kms");
    const gcpKms = require("@pulumi/gcp/kms");
    const keyvault = require("@pulumi/azure-native/keyvault");
    const authorization = require("@pulumi/azure-native/authorization");
    const classicKeyvault = require("@pulumi/azure/keyvault");
    /** Type token -> resource class. */
    const CLASSES = {
        "aws:kms/key:Key": awsKms.Key,
        "aws:kms/externalKey:ExternalKey": awsKms.ExternalKey,
        "aws:kms/alias:Alias": awsKms.Alias,
        "aws:kms/grant:Grant": awsKms.Grant,
        "aws:kms/replicaKey:ReplicaKey": awsKms.ReplicaKey,
        "aws:kms/replicaExternalKey:ReplicaExternalKey": awsKms.ReplicaExternalKey,
        "gcp:kms/keyRing:KeyRing": gcpKms.KeyRing,
        "gcp:kms/cryptoKey:CryptoKey": gcpKms.CryptoKey,
        "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": gcpKms.CryptoKeyIAMMember,
        "azure-native:keyvault:Vault": keyvault.Vault,
        "azure-native:keyvault:Key": keyvault.Key,
        "azure-native:authorization:RoleAssignment": authorization.RoleAssignment,
        "azure:keyvault/managedHardwareSecurityModuleKey:ManagedHardwareSecurityModuleKey": classicKeyvault.ManagedHardwareSecurityModuleKey,
        "azure:keyvault/managedHardwareSecurityModuleKeyRotationPolicy:ManagedHardwareSecurityModuleKeyRotationPolicy":
            classicKeyvault.ManagedHardwareSecurityModuleKeyRotationPolicy,
        "azure:keyvault/managedHardwareSecurityModuleRoleAssignment:ManagedHardwareSecurityModuleRoleAssignment":
            classicKeyvault.ManagedHardwareSecurityModuleRoleAssignment,
    };
    const mode = process.argv.includes("--wired") ? "wired" : process.argv.includes("--components") ? "components" : "literal";
    const all = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const records = mode === "components" ? all : all.filter((r) => r.custom);
    for (const r of records) if (r.custom && !CLASSES[r.type]) throw new Error(`preview-plain: no class for ${r.type}`);
    const pulumi = mode === "components" ? require("@pulumi/pulumi") : undefined;
    const tLoaded = performance.now();
    const run = await runUnderMocks(() => {
        if (mode === "literal") {
            for (const r of records) new CLASSES[r.type](r.name, r.inputs, { protect: r.protect, retainOnDelete: r.retainOnDelete });
        } else if (mode === "components") {
            // Recorded in registration order: a parent always precedes its children.
            const components = new Map();
            for (const r of records) {
                const parent = r.parent ? components.get(r.parent) : undefined;
                if (r.custom) new CLASSES[r.type](r.name, r.inputs, { parent, protect: r.protect, retainOnDelete: r.retainOnDelete });
                else components.set(r.name, new pulumi.ComponentResource(r.type, r.name, r.inputs, { parent }));
            }
            for (const c of components.values()) c.registerOutputs({});
        } else {
            // Declared in dependency order, each reference replaced by the referenced resource's Output.
            const created = new Map();
            let pending = records;
            while (pending.length) {
                const later = [];
                for (const r of pending) {
                    if ((r.refs ?? []).some(([, name]) => !created.has(name))) {
                        later.push(r);
                        continue;
                    }
                    let inputs = r.inputs;
                    for (const [path, name, output] of r.refs ?? []) inputs = setPath(inputs, path, created.get(name)[output]);
                    created.set(r.name, new CLASSES[r.type](r.name, inputs, { protect: r.protect, retainOnDelete: r.retainOnDelete }));
                }
                if (later.length === pending.length) throw new Error(`preview-plain: circular references among ${later.map((r) => r.name).join(", ")}`);
                pending = later;
            }
        }
    }, { project: "bench", stack: "bench" });
    const tDone = performance.now();
    return { mode, resources: run.resources.length, customResources: run.resources.filter((r) => r.custom).length, loadMs: tLoaded - tStart, runMs: tDone - tLoaded };
});

/** A copy of `obj` with the value at `path` replaced. */
function setPath(obj, path, value) {
    if (path.length === 0) return value;
    const copy = Array.isArray(obj) ? [...obj] : { ...obj };
    copy[path[0]] = setPath(obj[path[0]], path.slice(1), value);
    return copy;
}
