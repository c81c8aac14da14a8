import * as pulumi from "@pulumi/pulumi";
import * as gcpKms from "@pulumi/gcp/kms";
import * as awsKms from "@pulumi/aws/kms";
import * as ssm from "@pulumi/aws/ssm";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { getAmiOutput } from "@pulumi/aws/ec2/getAmi";
import { byName, runUnderMocks } from "../../sdk/preview/harness";
import { newUrn, qualifiedType, urnName } from "../../sdk/preview/urn";

/** The engine-twin monitor in-process: what a program sees at a first `pulumi preview`, and what a pack is sent. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

test("engine URN rules: the parent's whole qualified type, no Stack link, names may hold '::'", () => {
    const stack = newUrn("dev", "proj", undefined, "pulumi:pulumi:Stack", "proj-dev");
    expect(stack).toBe("urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev");
    const top = newUrn("dev", "proj", stack, "acme:x:Outer", "o");
    expect(top).toBe("urn:pulumi:dev::proj::acme:x:Outer::o");
    const mid = newUrn("dev", "proj", top, "acme:x:Inner", "i");
    expect(mid).toBe("urn:pulumi:dev::proj::acme:x:Outer$acme:x:Inner::i");
    const leaf = newUrn("dev", "proj", mid, "aws:kms/key:Key", "a::b");
    expect([qualifiedType(leaf), urnName(leaf)]).toEqual(["acme:x:Outer$acme:x:Inner$aws:kms/key:Key", "a::b"]);
    expect(() => qualifiedType("nope")).toThrow("not a Pulumi URN: nope");
});

test("preview mode: ids and computed outputs unknown, inputs echo, provider auto-names filled in", async () => {
    const run = await runUnderMocks(
        () => {
            const ring = new gcpKms.KeyRing("ring", { location: "us-east1", project: "p" });
            const key = new gcpKms.CryptoKey("key", { keyRing: ring.id });
            const vault = new keyvault.Vault("vault", { resourceGroupName: "rg", properties: { tenantId: "t", sku: { family: "A", name: "standard" } } });
            return { ringName: ring.name, ringId: ring.id, keyName: key.name, vaultUri: vault.properties.vaultUri, location: ring.location };
        },
        { mode: "preview", project: "p", stack: "dev" },
    );
    const ring = byName(run, "ring");
    expect(ring.urn).toBe("urn:pulumi:dev::p::gcp:kms/keyRing:KeyRing::ring");
    expect(ring.props.name).toMatch(/^ring-[0-9a-f]{7}$/);
    expect(ring.inputs.name).toBeUndefined(); // what the program declared
    expect(ring.id).toBeUndefined();
    expect(byName(run, "key").props).toEqual({ keyRing: UNKNOWN, name: expect.stringMatching(/^key-[0-9a-f]{7}$/) });
    expect(byName(run, "vault").props.vaultName).toMatch(/^vault[0-9a-f]{8}$/);
    // The program sees the auto-name and its own inputs; the id and Azure's vault URI are unknown (left undefined).
    expect(run.outputs).toEqual({ ringName: ring.props.name, ringId: undefined, keyName: byName(run, "key").props.name, vaultUri: undefined, location: "us-east1" });
    // The same program again: the same names (derived from the URN).
    const again = await runUnderMocks(() => new gcpKms.KeyRing("ring", { location: "us-east1", project: "p" }), { mode: "preview", project: "p", stack: "dev" });
    expect(byName(again, "ring").props.name).toBe(ring.props.name);
});

test("preview mode: an apply on an unknown output does not run; its result is unknown in the inputs it feeds", async () => {
    let ran = false;
    const run = await runUnderMocks(
        () => {
            const key = new awsKms.Key("k", { description: "d" });
            new awsKms.Alias("a", { name: "alias/a", targetKeyId: key.keyId.apply((id) => ((ran = true), id)) });
        },
        { mode: "preview" },
    );
    expect(ran).toBe(false);
    const alias = byName(run, "a");
    expect(alias.props).toEqual({ name: "alias/a", targetKeyId: UNKNOWN });
    // Which resource the unknown came from is known, as the engine records it (sent to packs in AnalyzeStack).
    const keyUrn = "urn:pulumi:dev::project::aws:kms/key:Key::k";
    expect([alias.dependencies, alias.propertyDependencies]).toEqual([[keyUrn], { targetKeyId: [keyUrn] }]);
});

test("secrets reach the pack wrapped, as the engine sends them", async () => {
    const run = await runUnderMocks(() => new ssm.Parameter("p", { type: "SecureString", value: pulumi.secret("hunter2") }), { mode: "preview" });
    expect(byName(run, "p").props).toEqual({ type: "SecureString", value: { [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" }, name: expect.stringMatching(/^p-[0-9a-f]{7}$/) });
});

test("update mode: plausible ids and computed outputs, as after pulumi up", async () => {
    const run = await runUnderMocks(() => ({ arn: new awsKms.Key("k", { description: "d" }).arn }), { mode: "update" });
    expect(run.outputs.arn).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(byName(run, "k").id).toBe((run.outputs.arn as string).split("/")[1]);
});

test("an invoke with no offline model echoes its inputs and is listed as an assumption; reads of existing resources too", async () => {
    const run = await runUnderMocks(
        () => {
            const ami = getAmiOutput({ owners: ["amazon"], mostRecent: true });
            awsKms.Key.get("existing", "1234abcd-12ab-34cd-56ef-1234567890ab");
            return { owners: ami.owners };
        },
        { mode: "preview" },
    );
    expect(run.calls.map((c) => c.token)).toEqual(["aws:ec2/getAmi:getAmi"]);
    expect(run.outputs.owners).toEqual(["amazon"]);
    expect(run.assumptions).toEqual([
        { kind: "invoke", subject: "aws:ec2/getAmi:getAmi", detail: "aws:ec2/getAmi:getAmi reads the cloud and has no offline model: its result was taken to be its inputs (supply it with --assume)" },
        {
            kind: "read",
            subject: "urn:pulumi:dev::project::aws:kms/key:Key::existing",
            detail: 'the state of existing aws:kms/key:Key "1234abcd-12ab-34cd-56ef-1234567890ab" is read from the cloud at preview; offline it is a plausible placeholder',
        },
    ]);
});

test("supplied invoke results win over the offline model, without an assumption", async () => {
    const { getCallerIdentityOutput } = await import("@pulumi/aws/getCallerIdentity");
    const run = await runUnderMocks(() => ({ account: getCallerIdentityOutput().accountId }), {
        mode: "preview",
        invokes: { "aws:index/getCallerIdentity:getCallerIdentity": { accountId: "111122223333" } },
    });
    expect([run.outputs.account, run.assumptions]).toEqual(["111122223333", []]);
});

test("a secret config value read in plaintext is an assumption; one never read is not", async () => {
    const run = await runUnderMocks(() => ({ v: new pulumi.Config("app").require("token") }), {
        mode: "preview",
        config: { "app:token": "[secret]", "app:unused": "[secret]" },
        secretKeys: ["app:token", "app:unused"],
        placeholderKeys: ["app:token", "app:unused"],
    });
    expect(run.outputs.v).toBe("[secret]");
    expect(run.assumptions.map((a) => [a.kind, a.subject])).toEqual([["config", "app:token"]]);
});
